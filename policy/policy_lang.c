/*
 * policy_lang: parser and reference semantics of the policy language.
 *
 * Grammar (one line each; '#' starts a comment anywhere on a line):
 *
 *     line    := empty | '@include' NAME | rule
 *     rule    := SYSCALL [ ':' ( 'return' ERRNO | expr ) ]
 *     expr    := group { '||' group }         each group: one libseccomp rule
 *     group   := cmp { '&&' cmp }             at most one cmp per argument
 *     cmp     := ARG OP value | ARG '&' value '==' value
 *     value   := atom { '|' atom }            atom: number or constant
 *     ARG     := arg0 .. arg5    OP := == != < <= > >=
 *
 * Every rule must say why it is there: it carries a trailing comment or sits
 * in a block of rules right under a comment line (a blank line ends the
 * block).  An included file may not include again.  A syscall has at most one
 * rule in a policy, includes counted, so a reader finds every condition of a
 * syscall in one place.
 *
 * This file must never print, exit or call into the kernel's seccomp: it only
 * turns text into struct policy (and evaluates one for the proof).
 */
#include "policy/policy_lang.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <seccomp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "policy/policy_consts.h"

#define LINE_MAX_LEN	1024

struct parser {
	struct policy *p;
	const struct policy_source *src;
	const char *file;
	unsigned int line;
	int depth;			/* 0: top file, 1: included */
	char *err;
	size_t errlen;
};

__attribute__((format(printf, 2, 3)))
static int perr(struct parser *ps, const char *fmt, ...)
{
	int n;
	va_list ap;

	if (ps->errlen == 0)
		return -EINVAL;
	n = snprintf(ps->err, ps->errlen, "%s:%u: ", ps->file, ps->line);
	if (n < 0 || (size_t)n >= ps->errlen)
		return -EINVAL;
	va_start(ap, fmt);
	vsnprintf(ps->err + n, ps->errlen - (size_t)n, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

/* ------------------------------------------------------------ tokens */

enum tok_kind { T_END, T_WORD, T_OP };

struct tok {
	enum tok_kind kind;
	char text[POLICY_NAME_MAX];
};

struct lexer {
	const char *s;
	size_t pos;
};

static int is_word(int c)
{
	return isalnum(c) || c == '_';
}

static const char *const ops[] = {
	"==", "!=", "<=", ">=", "&&", "||", "<", ">", "&", "|", ":",
};

/* Next token; an unknown character becomes a one-character operator token. */
static void lex_next(struct lexer *lx, struct tok *t)
{
	const char *s = lx->s;
	size_t n = 0;

	while (s[lx->pos] == ' ' || s[lx->pos] == '\t')
		lx->pos++;
	s += lx->pos;
	t->text[0] = '\0';
	if (*s == '\0') {
		t->kind = T_END;
		return;
	}
	if (is_word((unsigned char)*s)) {
		while (is_word((unsigned char)s[n]))
			n++;
		t->kind = T_WORD;
		if (n >= sizeof(t->text)) {
			/* keep a recognisable prefix for the message */
			memcpy(t->text, s, sizeof(t->text) - 4);
			strcpy(t->text + sizeof(t->text) - 4, "...");
		} else {
			memcpy(t->text, s, n);
			t->text[n] = '\0';
		}
		lx->pos += n;
		return;
	}
	t->kind = T_OP;
	for (size_t i = 0; i < sizeof(ops) / sizeof(ops[0]); i++) {
		size_t l = strlen(ops[i]);
		if (strncmp(s, ops[i], l) == 0) {
			memcpy(t->text, ops[i], l + 1);
			lx->pos += l;
			return;
		}
	}
	t->text[0] = *s;
	t->text[1] = '\0';
	lx->pos++;
}

static void lex_peek(struct lexer *lx, struct tok *t)
{
	size_t save = lx->pos;

	lex_next(lx, t);
	lx->pos = save;
}

static const char *tok_show(const struct tok *t)
{
	return t->kind == T_END ? "end of line" : t->text;
}

/* ------------------------------------------------------------ values */

static int parse_atom(struct parser *ps, struct lexer *lx, uint64_t *v)
{
	struct tok t;

	lex_next(lx, &t);
	if (t.kind != T_WORD)
		return perr(ps, "expected a value, found '%s'", tok_show(&t));
	if (isdigit((unsigned char)t.text[0])) {
		char *end;
		unsigned long long x;

		errno = 0;
		x = strtoull(t.text, &end, 0);
		if (errno != 0 || *end != '\0')
			return perr(ps, "bad number '%s'", t.text);
		*v = x;
		return 0;
	}
	if (policy_const_lookup(t.text, v) != 0)
		return perr(ps, "unknown constant '%s'", t.text);
	return 0;
}

/* atom { '|' atom } */
static int parse_value(struct parser *ps, struct lexer *lx, uint64_t *v)
{
	struct tok t;
	uint64_t x;
	int rc;

	rc = parse_atom(ps, lx, v);
	if (rc)
		return rc;
	for (;;) {
		lex_peek(lx, &t);
		if (t.kind != T_OP || strcmp(t.text, "|") != 0)
			return 0;
		lex_next(lx, &t);
		rc = parse_atom(ps, lx, &x);
		if (rc)
			return rc;
		*v |= x;
	}
}

/* ------------------------------------------------------------ conditions */

static const struct {
	const char *text;
	enum policy_op op;
} cmp_ops[] = {
	{ "==", POLICY_OP_EQ }, { "!=", POLICY_OP_NE }, { "<", POLICY_OP_LT },
	{ "<=", POLICY_OP_LE }, { ">", POLICY_OP_GT }, { ">=", POLICY_OP_GE },
};

static int parse_cmp(struct parser *ps, struct lexer *lx, struct policy_cond *c)
{
	struct tok t;
	char *end;
	unsigned long n;
	int rc;

	lex_next(lx, &t);
	if (t.kind != T_WORD || strncmp(t.text, "arg", 3) != 0 ||
	    !isdigit((unsigned char)t.text[3]))
		return perr(ps, "expected an argument (arg0 to arg5), found '%s'",
			    tok_show(&t));
	n = strtoul(t.text + 3, &end, 10);
	if (*end != '\0' || n > 5)
		return perr(ps, "bad argument '%s': arguments are arg0 to arg5",
			    t.text);
	c->arg = (unsigned int)n;

	lex_next(lx, &t);
	if (t.kind == T_OP && strcmp(t.text, "&") == 0) {
		rc = parse_value(ps, lx, &c->mask);
		if (rc)
			return rc;
		lex_next(lx, &t);
		if (t.kind != T_OP || strcmp(t.text, "==") != 0)
			return perr(ps, "expected '==' after 'arg%u & mask', found '%s'",
				    c->arg, tok_show(&t));
		rc = parse_value(ps, lx, &c->value);
		if (rc)
			return rc;
		if (c->value & ~c->mask)
			return perr(ps, "value 0x%llx has bits outside the mask 0x%llx: "
				    "the comparison can never be true",
				    (unsigned long long)c->value,
				    (unsigned long long)c->mask);
		c->op = POLICY_OP_MASKED_EQ;
		return 0;
	}
	for (size_t i = 0; i < sizeof(cmp_ops) / sizeof(cmp_ops[0]); i++) {
		if (t.kind == T_OP && strcmp(t.text, cmp_ops[i].text) == 0) {
			c->op = cmp_ops[i].op;
			c->mask = 0;
			return parse_value(ps, lx, &c->value);
		}
	}
	return perr(ps, "expected a comparison (== != < <= > >= &) after 'arg%u', found '%s'",
		    c->arg, tok_show(&t));
}

static int parse_group(struct parser *ps, struct lexer *lx, struct policy_alt *a)
{
	struct tok t;
	int rc;

	a->ncond = 0;
	for (;;) {
		struct policy_cond c;

		rc = parse_cmp(ps, lx, &c);
		if (rc)
			return rc;
		for (unsigned int i = 0; i < a->ncond; i++)
			if (a->cond[i].arg == c.arg)
				return perr(ps, "arg%u is compared twice in one '&&' group "
					    "(libseccomp takes one comparison per argument)",
					    c.arg);
		/* six distinct arguments at most, so this cannot overflow */
		a->cond[a->ncond++] = c;
		lex_peek(lx, &t);
		if (t.kind != T_OP || strcmp(t.text, "&&") != 0)
			return 0;
		lex_next(lx, &t);
	}
}

static int parse_expr(struct parser *ps, struct lexer *lx, struct policy_rule *r)
{
	struct policy_alt alts[POLICY_MAX_ALTS];
	struct tok t;
	unsigned int n = 0;
	int rc;

	for (;;) {
		if (n == POLICY_MAX_ALTS)
			return perr(ps, "more than %d '||' alternatives", POLICY_MAX_ALTS);
		rc = parse_group(ps, lx, &alts[n++]);
		if (rc)
			return rc;
		lex_next(lx, &t);
		if (t.kind == T_END)
			break;
		if (t.kind != T_OP || strcmp(t.text, "||") != 0)
			return perr(ps, "unexpected '%s' after a condition (expected '&&', '||' or end of line)",
				    t.text);
	}
	r->alt = calloc(n, sizeof(*r->alt));
	if (!r->alt)
		return -ENOMEM;
	memcpy(r->alt, alts, n * sizeof(*r->alt));
	r->nalt = n;
	return 0;
}

static int parse_return(struct parser *ps, struct lexer *lx, struct policy_rule *r)
{
	struct tok t;

	lex_next(lx, &t);
	if (t.kind != T_WORD)
		return perr(ps, "expected an errno after 'return', found '%s'",
			    tok_show(&t));
	if (isdigit((unsigned char)t.text[0])) {
		char *end;
		unsigned long e = strtoul(t.text, &end, 10);

		if (*end != '\0' || e == 0 || e > 4095)
			return perr(ps, "unknown errno '%s'", t.text);
		r->err = (int)e;
	} else if (policy_errno_lookup(t.text, &r->err) != 0) {
		return perr(ps, "unknown errno '%s'", t.text);
	}
	lex_next(lx, &t);
	if (t.kind != T_END)
		return perr(ps, "unexpected '%s' after 'return %s'", t.text,
			    policy_errno_name(r->err) ? policy_errno_name(r->err) : "ERRNO");
	r->action = POLICY_ERRNO;
	return 0;
}

/* ------------------------------------------------------------ lines */

static int add_rule(struct parser *ps, struct policy_rule *r)
{
	struct policy *p = ps->p;
	struct policy_rule *nr;

	for (size_t i = 0; i < p->nrule; i++) {
		if (p->rule[i].nr == r->nr)
			return perr(ps, "second rule for '%s' (the first is at %s:%u); "
				    "join them with '||'",
				    r->name, p->rule[i].file, p->rule[i].line);
	}
	nr = realloc(p->rule, (p->nrule + 1) * sizeof(*p->rule));
	if (!nr)
		return -ENOMEM;
	p->rule = nr;
	p->rule[p->nrule++] = *r;
	return 0;
}

static int parse_text(struct parser *ps, const char *text);

static int valid_include_name(const char *s)
{
	if (*s == '\0' || *s == '.')
		return 0;
	for (; *s; s++)
		if (!isalnum((unsigned char)*s) && *s != '_' && *s != '-' && *s != '.')
			return 0;
	return 1;
}

static int parse_include(struct parser *ps, const char *rest)
{
	char name[POLICY_NAME_MAX];
	size_t n;
	char *text = NULL;
	struct parser sub;
	int rc;

	while (*rest == ' ' || *rest == '\t')
		rest++;
	n = strcspn(rest, " \t");
	if (n == 0)
		return perr(ps, "@include needs a policy name");
	if (rest[n + strspn(rest + n, " \t")] != '\0')
		return perr(ps, "unexpected text after '@include %.*s'", (int)n, rest);
	if (n >= sizeof(name))
		return perr(ps, "bad include name '%.*s'", (int)n, rest);
	memcpy(name, rest, n);
	name[n] = '\0';
	if (!valid_include_name(name))
		return perr(ps, "bad include name '%s' (a policy name in the same directory)",
			    name);
	if (ps->depth > 0)
		return perr(ps, "nested @include of '%s': only one level is allowed", name);
	if (!ps->src || !ps->src->read)
		return perr(ps, "cannot include '%s': no such policy", name);
	rc = ps->src->read(ps->src->ctx, name, &text);
	if (rc == -ENOENT)
		return perr(ps, "cannot include '%s': no such policy", name);
	if (rc)
		return perr(ps, "cannot include '%s': %s", name, strerror(-rc));
	sub = *ps;
	sub.depth = ps->depth + 1;
	sub.file = name;
	sub.line = 0;
	rc = parse_text(&sub, text);
	free(text);
	return rc;
}

/*
 * LINE is the text before any '#'.  *commented tells whether the rule block
 * this line belongs to has a comment; it is updated for the next line.
 */
static int parse_line(struct parser *ps, char *line, int has_comment,
		      int *block_commented)
{
	struct policy_rule r;
	struct lexer lx = { line, 0 };
	struct tok t;
	char *s = line;
	int rc;

	while (*s == ' ' || *s == '\t')
		s++;
	if (*s == '\0') {
		/* a comment line opens a block; a blank line closes it */
		*block_commented = has_comment;
		return 0;
	}
	if (*s == '@') {
		size_t n = strcspn(s, " \t");

		if (n == 8 && strncmp(s, "@include", 8) == 0)
			return parse_include(ps, s + 8);
		return perr(ps, "unknown directive '%.*s'", (int)n, s);
	}

	memset(&r, 0, sizeof(r));
	lex_next(&lx, &t);
	if (t.kind != T_WORD || isdigit((unsigned char)t.text[0]))
		return perr(ps, "expected a syscall name, found '%s'", t.text);
	snprintf(r.name, sizeof(r.name), "%s", t.text);
	snprintf(r.file, sizeof(r.file), "%s", ps->file);
	r.line = ps->line;
	r.nr = seccomp_syscall_resolve_name(r.name);
	if (r.nr < 0)
		return perr(ps, "unknown syscall '%s'", r.name);
	if (!has_comment && !*block_commented)
		return perr(ps, "rule for '%s' has no comment saying why it is needed",
			    r.name);
	r.action = POLICY_ALLOW;

	lex_next(&lx, &t);
	if (t.kind == T_OP && strcmp(t.text, ":") == 0) {
		lex_peek(&lx, &t);
		if (t.kind == T_END)
			return perr(ps, "expected a condition or 'return ERRNO' after '%s:'",
				    r.name);
		if (t.kind == T_WORD && strcmp(t.text, "return") == 0) {
			lex_next(&lx, &t);
			rc = parse_return(ps, &lx, &r);
		} else {
			rc = parse_expr(ps, &lx, &r);
		}
		if (rc) {
			free(r.alt);
			return rc;
		}
	} else if (t.kind != T_END) {
		return perr(ps, "expected ':' or end of line after '%s', found '%s'",
			    r.name, t.text);
	}
	rc = add_rule(ps, &r);
	if (rc)
		free(r.alt);
	return rc;
}

static int parse_text(struct parser *ps, const char *text)
{
	const char *s = text;
	int block_commented = 0;

	while (*s) {
		char line[LINE_MAX_LEN];
		size_t n = strcspn(s, "\n");
		size_t code;
		int has_comment;
		int rc;

		ps->line++;
		if (n >= sizeof(line))
			return perr(ps, "line longer than %d characters", LINE_MAX_LEN - 1);
		memcpy(line, s, n);
		line[n] = '\0';
		s += n;
		if (*s == '\n')
			s++;
		code = strcspn(line, "#");
		has_comment = line[code] == '#';
		line[code] = '\0';
		rc = parse_line(ps, line, has_comment, &block_commented);
		if (rc)
			return rc;
	}
	return 0;
}

int policy_parse(struct policy *p, const char *file, const char *text,
		 const struct policy_source *src, char *err, size_t errlen)
{
	struct parser ps = {
		.p = p, .src = src, .file = file, .line = 0, .depth = 0,
		.err = err, .errlen = errlen,
	};
	int rc;

	p->rule = NULL;
	p->nrule = 0;
	if (errlen)
		err[0] = '\0';
	rc = parse_text(&ps, text);
	if (rc) {
		if (rc != -EINVAL && errlen)
			snprintf(err, errlen, "%s: %s", file, strerror(-rc));
		policy_free(p);
	}
	return rc;
}

void policy_free(struct policy *p)
{
	for (size_t i = 0; i < p->nrule; i++)
		free(p->rule[i].alt);
	free(p->rule);
	p->rule = NULL;
	p->nrule = 0;
}

/* ------------------------------------------------------------ semantics */

const struct policy_rule *policy_find(const struct policy *p, int nr)
{
	for (size_t i = 0; i < p->nrule; i++)
		if (p->rule[i].nr == nr)
			return &p->rule[i];
	return NULL;
}

static int cond_match(const struct policy_cond *c, uint64_t a)
{
	switch (c->op) {
	case POLICY_OP_EQ:
		return a == c->value;
	case POLICY_OP_NE:
		return a != c->value;
	case POLICY_OP_LT:
		return a < c->value;
	case POLICY_OP_LE:
		return a <= c->value;
	case POLICY_OP_GT:
		return a > c->value;
	case POLICY_OP_GE:
		return a >= c->value;
	case POLICY_OP_MASKED_EQ:
		return (a & c->mask) == c->value;
	}
	return 0;
}

int policy_alt_match(const struct policy_alt *alt, const uint64_t args[6])
{
	for (unsigned int i = 0; i < alt->ncond; i++)
		if (!cond_match(&alt->cond[i], args[alt->cond[i].arg]))
			return 0;
	return 1;
}

enum policy_action policy_eval(const struct policy *p, int nr,
			       const uint64_t args[6], int *err)
{
	const struct policy_rule *r = policy_find(p, nr);

	if (!r)
		return POLICY_KILL;
	if (r->action == POLICY_ERRNO) {
		*err = r->err;
		return POLICY_ERRNO;
	}
	if (r->nalt == 0)
		return POLICY_ALLOW;
	for (unsigned int i = 0; i < r->nalt; i++)
		if (policy_alt_match(&r->alt[i], args))
			return POLICY_ALLOW;
	return POLICY_KILL;
}

void policy_count(const struct policy *p, unsigned int *allowed,
		  unsigned int *conditional, unsigned int *errnos)
{
	*allowed = *conditional = *errnos = 0;
	for (size_t i = 0; i < p->nrule; i++) {
		if (p->rule[i].action == POLICY_ERRNO) {
			(*errnos)++;
			continue;
		}
		(*allowed)++;
		if (p->rule[i].nalt > 0)
			(*conditional)++;
	}
}
