/*
 * test_policy: the policy language, the role rules and the shipped policies.
 *
 * Every kind of parse error has a fixture in tests/unit/fixtures/policy/
 * (NAME.policy) with its exact message (NAME.expect).  The shipped policies
 * are checked as embedded in the binaries.  Nothing here loads a filter
 * into this process: the kernel side is proven by policy-prove
 * (tests/sandbox/policy_prove.sh), so these tests also run under ASan.
 */
#include <errno.h>
#include <linux/kvm.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <cmocka.h>

#include "policy/policy.h"
#include "policy/policy_consts.h"
#include "policy/policy_lang.h"
#include "policy/policy_roles.h"

#define FIXTURES "tests/unit/fixtures/policy"

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "r");
	char *buf;
	size_t n;

	if (!f)
		return NULL;
	buf = calloc(1, 64 * 1024);
	if (!buf) {
		fclose(f);
		return NULL;
	}
	n = fread(buf, 1, 64 * 1024 - 1, f);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

static int fixture_read(void *ctx, const char *name, char **text)
{
	char path[512];

	(void)ctx;
	snprintf(path, sizeof(path), FIXTURES "/%s", name);
	*text = slurp(path);
	return *text ? 0 : -ENOENT;
}

static const struct policy_source fixture_src = { fixture_read, NULL };

/* Strings as include targets, for tests that build policies in memory. */
static const char *mem_names[4];
static const char *mem_texts[4];

static int mem_read(void *ctx, const char *name, char **text)
{
	(void)ctx;
	for (int i = 0; i < 4 && mem_names[i]; i++) {
		if (strcmp(mem_names[i], name) == 0) {
			*text = strdup(mem_texts[i]);
			return *text ? 0 : -ENOMEM;
		}
	}
	return -ENOENT;
}

static const struct policy_source mem_src = { mem_read, NULL };

static int parse(struct policy *p, const char *text, char *err, size_t errlen)
{
	return policy_parse(p, "t.policy", text, &mem_src, err, errlen);
}

/* ------------------------------------------------------------ error fixtures */

static const char *const fixtures[] = {
	"unknown_syscall", "duplicate_rule", "unknown_constant", "unknown_errno",
	"expected_errno", "return_trailing", "bad_argument", "expected_argument",
	"bad_operator", "expected_value", "bad_number", "number_range",
	"arg_twice", "mask_outside", "mask_no_equal", "no_comment",
	"nested_include", "include_missing", "include_bad_name",
	"include_no_name", "include_trailing", "unknown_directive",
	"expected_colon", "empty_condition", "trailing_garbage",
	"expected_syscall", "too_many_alternatives", "line_too_long",
};

static void test_fixture(void **state)
{
	const char *name = *state;
	char path[512], file[128], err[POLICY_ERRLEN];
	struct policy p;
	char *text, *expect;
	size_t n;

	snprintf(file, sizeof(file), "%s.policy", name);
	snprintf(path, sizeof(path), FIXTURES "/%s", file);
	text = slurp(path);
	assert_non_null(text);
	snprintf(path, sizeof(path), FIXTURES "/%s.expect", name);
	expect = slurp(path);
	assert_non_null(expect);
	n = strlen(expect);
	if (n && expect[n - 1] == '\n')
		expect[n - 1] = '\0';

	assert_int_equal(policy_parse(&p, file, text, &fixture_src, err, sizeof(err)),
			 -EINVAL);
	assert_string_equal(err, expect);
	/* on error nothing is left allocated or half-filled */
	assert_null(p.rule);
	assert_int_equal(p.nrule, 0);
	free(text);
	free(expect);
}

/* ------------------------------------------------------------ the language */

static void test_parse_rules(void **state)
{
	struct policy p;
	char err[POLICY_ERRLEN];
	const struct policy_rule *r;
	const char *text =
		"# a block: one comment covers the rules under it\n"
		"read\n"
		"write: arg0 == 1 || arg0 == 2   # trailing comments are fine too\n"
		"mmap: arg2 & PROT_EXEC == 0 && arg3 & MAP_SHARED|MAP_PRIVATE == MAP_SHARED\n"
		"ioctl: arg1 == KVM_RUN || arg1 == 0x5421 || arg1 == 010\n"
		"openat: return ENOENT\n"
		"close: return 9\n"
		"\n"
		"# why\n"
		"fcntl: arg1 >= 1 && arg2 != 4 || arg1 < 1 || arg1 <= 0 || arg1 > 100\n";

	(void)state;
	assert_int_equal(parse(&p, text, err, sizeof(err)), 0);
	assert_int_equal(p.nrule, 7);

	r = policy_find(&p, SYS_read);
	assert_non_null(r);
	assert_int_equal(r->action, POLICY_ALLOW);
	assert_int_equal(r->nalt, 0);
	assert_int_equal(r->line, 2);
	assert_string_equal(r->file, "t.policy");

	r = policy_find(&p, SYS_write);
	assert_int_equal(r->nalt, 2);
	assert_int_equal(r->alt[1].cond[0].value, 2);

	r = policy_find(&p, SYS_mmap);
	assert_int_equal(r->nalt, 1);
	assert_int_equal(r->alt[0].ncond, 2);
	assert_int_equal(r->alt[0].cond[0].op, POLICY_OP_MASKED_EQ);
	assert_int_equal(r->alt[0].cond[0].mask, PROT_EXEC);
	assert_int_equal(r->alt[0].cond[0].value, 0);
	assert_int_equal(r->alt[0].cond[1].arg, 3);
	assert_int_equal(r->alt[0].cond[1].mask, MAP_SHARED | MAP_PRIVATE);
	assert_int_equal(r->alt[0].cond[1].value, MAP_SHARED);

	r = policy_find(&p, SYS_ioctl);
	assert_int_equal(r->nalt, 3);
	assert_int_equal(r->alt[1].cond[0].value, 0x5421);
	assert_int_equal(r->alt[2].cond[0].value, 8);	/* octal */

	r = policy_find(&p, SYS_openat);
	assert_int_equal(r->action, POLICY_ERRNO);
	assert_int_equal(r->err, ENOENT);
	r = policy_find(&p, SYS_close);
	assert_int_equal(r->err, EBADF);

	r = policy_find(&p, SYS_fcntl);
	assert_int_equal(r->nalt, 4);
	assert_int_equal(r->alt[0].ncond, 2);
	assert_int_equal(r->alt[0].cond[0].op, POLICY_OP_GE);
	assert_int_equal(r->alt[0].cond[1].op, POLICY_OP_NE);
	assert_int_equal(r->alt[1].cond[0].op, POLICY_OP_LT);
	assert_int_equal(r->alt[2].cond[0].op, POLICY_OP_LE);
	assert_int_equal(r->alt[3].cond[0].op, POLICY_OP_GT);
	policy_free(&p);
}

static void test_include(void **state)
{
	struct policy p;
	char err[POLICY_ERRLEN];
	const struct policy_rule *r;

	(void)state;
	mem_names[0] = "base.policy";
	mem_texts[0] = "# base\nread\nwrite\n";
	mem_names[1] = NULL;
	assert_int_equal(parse(&p, "@include base.policy\n# own\nclose\n", err,
			       sizeof(err)), 0);
	assert_int_equal(p.nrule, 3);
	r = policy_find(&p, SYS_write);
	assert_string_equal(r->file, "base.policy");
	assert_int_equal(r->line, 3);
	r = policy_find(&p, SYS_close);
	assert_string_equal(r->file, "t.policy");
	assert_int_equal(r->line, 3);
	policy_free(&p);

	/* a duplicate across the include names both places */
	assert_int_equal(parse(&p, "@include base.policy\n# again\nread\n", err,
			       sizeof(err)), -EINVAL);
	assert_string_equal(err, "t.policy:3: second rule for 'read' (the first "
			    "is at base.policy:2); join them with '||'");
	/* an error inside the include names the included file */
	mem_texts[0] = "# base\nfrobnicate\n";
	assert_int_equal(parse(&p, "@include base.policy\n", err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "base.policy:2: unknown syscall 'frobnicate'");
	/* no source at all: nothing can be included */
	assert_int_equal(policy_parse(&p, "t.policy", "@include base.policy\n", NULL,
				      err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "t.policy:1: cannot include 'base.policy': no such policy");
	mem_names[0] = NULL;
}

static void test_eval(void **state)
{
	struct policy p;
	char err[POLICY_ERRLEN];
	uint64_t a[6] = { 0 };
	int e = 0;

	(void)state;
	assert_int_equal(parse(&p,
		"# why\n"
		"read\n"
		"mmap: arg2 & PROT_EXEC == 0\n"
		"ioctl: arg1 == KVM_RUN || arg1 & 0xff00 == 0x5400 && arg0 == 3\n"
		"openat: return ENOENT\n", err, sizeof(err)), 0);
	assert_int_equal(policy_eval(&p, SYS_read, a, &e), POLICY_ALLOW);
	assert_int_equal(policy_eval(&p, SYS_write, a, &e), POLICY_KILL);
	a[2] = PROT_READ | PROT_WRITE;
	assert_int_equal(policy_eval(&p, SYS_mmap, a, &e), POLICY_ALLOW);
	a[2] |= PROT_EXEC;
	assert_int_equal(policy_eval(&p, SYS_mmap, a, &e), POLICY_KILL);
	a[1] = KVM_RUN;
	assert_int_equal(policy_eval(&p, SYS_ioctl, a, &e), POLICY_ALLOW);
	a[1] = 0x5401;
	a[0] = 4;
	assert_int_equal(policy_eval(&p, SYS_ioctl, a, &e), POLICY_KILL);
	a[0] = 3;
	assert_int_equal(policy_eval(&p, SYS_ioctl, a, &e), POLICY_ALLOW);
	assert_int_equal(policy_eval(&p, SYS_openat, a, &e), POLICY_ERRNO);
	assert_int_equal(e, ENOENT);
	policy_free(&p);
}

static void test_consts(void **state)
{
	uint64_t v;
	int e;

	(void)state;
	assert_int_equal(policy_const_lookup("KVM_RUN", &v), 0);
	assert_int_equal(v, 0xae80);
	assert_int_equal(policy_const_lookup("O_ACCMODE", &v), 0);
	assert_int_equal(v, 3);
	assert_int_equal(policy_const_lookup("EPOLL_CTL_MOD", &v), 0);
	assert_int_equal(policy_const_lookup("CLONE_THREAD", &v), 0);
	assert_int_equal(policy_const_lookup("TUNSETIFF", &v), 0);
	assert_int_equal(policy_const_lookup("FIONBIO", &v), 0);
	assert_int_equal(policy_const_lookup("F_GETFL", &v), 0);
	/* the numbers hyve.policy and launcher.policy wrote before these
	 * had names (x86-64 Linux): the filters must not change */
	{
		uint64_t cl, nb;

		assert_int_equal(policy_const_lookup("SOCK_CLOEXEC", &cl), 0);
		assert_int_equal(policy_const_lookup("SOCK_NONBLOCK", &nb), 0);
		assert_int_equal(cl | nb, 0x80800);
	}
	assert_int_equal(policy_const_lookup("SO_PEERCRED", &v), 0);
	assert_int_equal(v, 17);
	assert_int_equal(policy_const_lookup("SO_RCVTIMEO", &v), 0);
	assert_int_equal(v, 20);
	assert_int_equal(policy_const_lookup("AT_REMOVEDIR", &v), 0);
	assert_int_equal(v, 0x200);
	assert_int_equal(policy_const_lookup("NOPE", &v), -ENOENT);
	assert_int_equal(policy_errno_lookup("ENOSYS", &e), 0);
	assert_int_equal(e, ENOSYS);
	assert_int_equal(policy_errno_lookup("ENOPE", &e), -ENOENT);
	assert_string_equal(policy_errno_name(ENOENT), "ENOENT");
}

/* ------------------------------------------------------------ role rules */

static void test_helper_rules(void **state)
{
	static const char *const bad[] = {
		"socket", "execve", "execveat", "fork", "vfork", "ptrace",
		"mount", "bpf", "open", "openat", "clone3", "unshare",
	};
	struct policy p;
	char err[POLICY_ERRLEN], text[128];

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(text, sizeof(text), "# why\nread\n%s\n", bad[i]);
		assert_int_equal(parse(&p, text, err, sizeof(err)), 0);
		assert_int_equal(policy_check_helper(&p, "t.policy", err, sizeof(err)),
				 -EINVAL);
		assert_non_null(strstr(err, bad[i]));
		policy_free(&p);
	}
	/* open: the message says what to do instead */
	assert_int_equal(parse(&p, "# why\nopenat\n", err, sizeof(err)), 0);
	assert_int_equal(policy_check_helper(&p, "t.policy", err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "t.policy:2: t.policy: a helper must not be allowed "
			    "'openat' (helpers receive fds; use 'return ENOENT')");
	policy_free(&p);

	/* clone: threads only */
	assert_int_equal(parse(&p, "# why\nclone: arg0 & CLONE_VM == CLONE_VM\n", err,
			       sizeof(err)), 0);
	assert_int_equal(policy_check_helper(&p, "t.policy", err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "t.policy:2: t.policy: a helper may clone only "
			    "threads (arg0 & CLONE_THREAD == CLONE_THREAD)");
	policy_free(&p);
	assert_int_equal(parse(&p, "# why\nclone: arg0 & CLONE_THREAD == CLONE_THREAD\n"
			       "# why\nopenat: return ENOENT\nclone3: return ENOSYS\n",
			       err, sizeof(err)), 0);
	assert_int_equal(policy_check_helper(&p, "t.policy", err, sizeof(err)), 0);
	policy_free(&p);
}

static void test_covers(void **state)
{
	struct policy outer, inner;
	char err[POLICY_ERRLEN];

	(void)state;
	assert_int_equal(policy_parse(&outer, "o.policy",
		"# why\nread\nioctl: arg1 & 0xff00 == 0xae00 || arg1 == FIONBIO\n"
		"mmap: arg2 & PROT_EXEC == 0\nopenat: return ENOENT\n",
		NULL, err, sizeof(err)), 0);

	assert_int_equal(policy_parse(&inner, "i.policy",
		"# why\nread\nioctl: arg1 == KVM_RUN || arg1 == FIONBIO\n"
		"mmap: arg2 & PROT_EXEC|PROT_WRITE == 0\nopenat: return ENOENT\n",
		NULL, err, sizeof(err)), 0);
	assert_int_equal(policy_check_covers(&outer, "o.policy", &inner, err,
					     sizeof(err)), 0);
	policy_free(&inner);

	/* an ioctl outside the outer filter's set */
	assert_int_equal(policy_parse(&inner, "i.policy",
		"# why\nioctl: arg1 == KVM_RUN || arg1 == TIOCSTI\n",
		NULL, err, sizeof(err)), 0);
	assert_int_equal(policy_check_covers(&outer, "o.policy", &inner, err,
					     sizeof(err)), -EINVAL);
	assert_string_equal(err, "i.policy:2: 'ioctl' is allowed here but o.policy, "
			    "which is installed before, would kill it");
	policy_free(&inner);

	/* unconditional inside, conditional outside: not covered */
	assert_int_equal(policy_parse(&inner, "i.policy", "# why\nmmap\n", NULL, err,
				      sizeof(err)), 0);
	assert_int_equal(policy_check_covers(&outer, "o.policy", &inner, err,
					     sizeof(err)), -EINVAL);
	policy_free(&inner);

	/* a syscall the outer filter does not have at all */
	assert_int_equal(policy_parse(&inner, "i.policy", "# why\nwrite\n", NULL, err,
				      sizeof(err)), 0);
	assert_int_equal(policy_check_covers(&outer, "o.policy", &inner, err,
					     sizeof(err)), -EINVAL);
	policy_free(&inner);
	policy_free(&outer);
}

/* ------------------------------------------------------------ shipped policies */

static void test_shipped_policies(void **state)
{
	char err[POLICY_ERRLEN];
	struct policy launcher;

	(void)state;
	assert_int_equal(policy_parse_role("launcher", &launcher, err, sizeof(err)), 0);
	for (size_t i = 0; i < policy_nroles; i++) {
		const struct policy_role *r = &policy_roles[i];
		struct policy p, parent;
		unsigned int allowed, cond, errnos;
		scmp_filter_ctx ctx;

		assert_int_equal(policy_parse_role(r->name, &p, err, sizeof(err)), 0);
		if (r->helper) {
			assert_int_equal(policy_check_helper(&p, r->file, err,
							     sizeof(err)), 0);
		}
		assert_int_equal(policy_check_covers(&launcher, "launcher.policy", &p,
						     err, sizeof(err)), 0);
		if (r->parent) {
			assert_int_equal(policy_parse_role(r->parent, &parent, err,
							   sizeof(err)), 0);
			assert_int_equal(policy_check_covers(&parent, r->parent, &p,
							     err, sizeof(err)), 0);
			policy_free(&parent);
		}
		/* the targets of the issue: well under the references */
		policy_count(&p, &allowed, &cond, &errnos);
		if (r->helper)
			assert_true(allowed < 25);
		else if (r->ref)
			assert_true(allowed < (unsigned int)r->ref);
		/* libseccomp builds it, in both modes */
		assert_int_equal(policy_build(r->name, 0, &ctx, err, sizeof(err)), 0);
		seccomp_release(ctx);
		assert_int_equal(policy_build(r->name, POLICY_LOG, &ctx, err, sizeof(err)), 0);
		seccomp_release(ctx);
		policy_free(&p);
	}
	policy_free(&launcher);
	/* the include is embedded but is not a role */
	assert_non_null(policy_text_find("common_device.policy"));
	assert_null(policy_role_find("common_device"));
}

static void test_load_refusals(void **state)
{
	struct policy p;
	char err[POLICY_ERRLEN];
	unsigned int flags = 7;
	scmp_filter_ctx ctx;

	(void)state;
	/* refused before anything reaches the kernel */
	assert_int_equal(policy_load("no-such-role", 0), -ENOENT);
	assert_int_equal(policy_load("hyve", 0x80), -EINVAL);
	/* TSYNC is the role's choice, not the caller's */
	assert_int_equal(policy_load("hyve-vcpu", POLICY_TSYNC), -EINVAL);
	assert_int_equal(policy_parse_role("nope", &p, err, sizeof(err)), -ENOENT);
	assert_string_equal(err, "no policy for role 'nope'");
	assert_int_equal(policy_build("hyve", 0x80, &ctx, err, sizeof(err)), -EINVAL);
	assert_null(ctx);
	/* the operator's switch: only these two words */
	assert_int_equal(policy_mode_parse("kill", &flags), 0);
	assert_int_equal(flags, 0);
	assert_int_equal(policy_mode_parse("log", &flags), 0);
	assert_int_equal(flags, POLICY_LOG);
	assert_int_equal(policy_mode_parse("allow", &flags), -EINVAL);
	assert_int_equal(policy_mode_parse("", &flags), -EINVAL);
	/* and nothing was installed by any of it */
	assert_int_equal(syscall(SYS_getppid) > 0, 1);
}

int main(void)
{
	struct CMUnitTest tests[64];
	size_t n = 0;

	for (size_t i = 0; i < sizeof(fixtures) / sizeof(fixtures[0]); i++) {
		tests[n] = (struct CMUnitTest)cmocka_unit_test_prestate(test_fixture,
			(void *)(uintptr_t)fixtures[i]);
		tests[n].name = fixtures[i];
		n++;
	}
	tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_parse_rules);
	tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_include);
	tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_eval);
	tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_consts);
	tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_helper_rules);
	tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_covers);
	tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_shipped_policies);
	tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_load_refusals);
	return _cmocka_run_group_tests("policy", tests, n, NULL, NULL);
}
