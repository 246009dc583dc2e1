/*
 * policyc: the build-time policy compiler and the operator's policy tool.
 *
 *   policyc check DIR           parse, check and build every role of DIR
 *   policyc emit-c OUT DIR      check, then write the embedded-text C file
 *   policyc report DIR          allowed syscalls per role beside references
 *   policyc dump ROLE DIR       the filter libseccomp builds, as pseudo-C
 *   policyc resolve NR|NAME     syscall number <-> name (for audit logs)
 *
 * Runs on the build machine (and on an operator's shell), never inside a
 * jail; it is the only policy code that reads files.  A policy that does not
 * pass "check" fails the build: nothing unchecked is ever embedded.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "policy/policy_bpf.h"
#include "policy/policy_lang.h"
#include "policy/policy_roles.h"

#define MAX_FILES	64
#define MAX_TEXT	(256 * 1024)

static int read_file(const char *dir, const char *name, char **text)
{
	char path[4096];
	FILE *f;
	char *buf;
	size_t n;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "re");
	if (!f)
		return -errno;
	buf = malloc(MAX_TEXT + 1);
	if (!buf) {
		fclose(f);
		return -ENOMEM;
	}
	n = fread(buf, 1, MAX_TEXT + 1, f);
	if (ferror(f) || n > MAX_TEXT) {
		free(buf);
		fclose(f);
		return n > MAX_TEXT ? -EFBIG : -EIO;
	}
	fclose(f);
	buf[n] = '\0';
	*text = buf;
	return 0;
}

static int dir_read(void *ctx, const char *name, char **text)
{
	return read_file(ctx, name, text);
}

static int parse_file(const char *dir, const char *file, struct policy *p)
{
	struct policy_source src = { dir_read, (void *)(uintptr_t)dir };
	char err[POLICY_ERRLEN];
	char *text;
	int rc;

	rc = read_file(dir, file, &text);
	if (rc) {
		fprintf(stderr, "policyc: %s/%s: %s\n", dir, file, strerror(-rc));
		return rc;
	}
	/* messages name the file as the policy writer sees it */
	rc = policy_parse(p, file, text, &src, err, sizeof(err));
	free(text);
	if (rc)
		fprintf(stderr, "policyc: %s/%s\n", dir, err);
	return rc;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Every *.policy file of DIR, sorted; names are malloc()ed. */
static int list_files(const char *dir, char **files, size_t *n)
{
	DIR *d = opendir(dir);
	struct dirent *e;

	*n = 0;
	if (!d) {
		fprintf(stderr, "policyc: %s: %s\n", dir, strerror(errno));
		return -errno;
	}
	while ((e = readdir(d))) {
		size_t l = strlen(e->d_name);

		if (l < 8 || strcmp(e->d_name + l - 7, ".policy") != 0)
			continue;
		if (*n == MAX_FILES) {
			closedir(d);
			fprintf(stderr, "policyc: %s: more than %d policies\n", dir, MAX_FILES);
			return -E2BIG;
		}
		files[(*n)++] = strdup(e->d_name);
		if (!files[*n - 1]) {
			closedir(d);
			return -ENOMEM;
		}
	}
	closedir(d);
	qsort(files, *n, sizeof(*files), cmp_str);
	return 0;
}

static void free_files(char **files, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(files[i]);
}

static int check(const char *dir)
{
	struct policy pol[16];
	char err[POLICY_ERRLEN];
	char *files[MAX_FILES];
	size_t nfiles;
	int rc = 0;

	if (policy_nroles > sizeof(pol) / sizeof(pol[0]))
		return -E2BIG;
	/* every file alone, includes too: an include must parse on its own */
	if (list_files(dir, files, &nfiles))
		return -1;
	for (size_t i = 0; i < nfiles && !rc; i++) {
		struct policy p;

		rc = parse_file(dir, files[i], &p);
		if (!rc)
			policy_free(&p);
	}
	free_files(files, nfiles);
	if (rc)
		return rc;

	memset(pol, 0, sizeof(pol));
	for (size_t i = 0; i < policy_nroles && !rc; i++)
		rc = parse_file(dir, policy_roles[i].file, &pol[i]);
	for (size_t i = 0; i < policy_nroles && !rc; i++) {
		const struct policy_role *r = &policy_roles[i];
		scmp_filter_ctx ctx;

		if (r->helper)
			rc = policy_check_helper(&pol[i], r->file, err, sizeof(err));
		for (size_t j = 0; !rc && r->parent && j < policy_nroles; j++) {
			if (strcmp(policy_roles[j].name, r->parent) == 0)
				rc = policy_check_covers(&pol[j], policy_roles[j].file,
							 &pol[i], err, sizeof(err));
		}
		/* the launcher filter stays under everything: it covers all */
		if (!rc && strcmp(r->name, "launcher") != 0)
			rc = policy_check_covers(&pol[0], policy_roles[0].file,
						 &pol[i], err, sizeof(err));
		if (rc) {
			fprintf(stderr, "policyc: %s/%s\n", dir, err);
			break;
		}
		rc = policy_compile(&pol[i], r->flags, &ctx);
		if (rc) {
			fprintf(stderr, "policyc: %s/%s: libseccomp refuses the filter: %s\n",
				dir, r->file, strerror(-rc));
			break;
		}
		seccomp_release(ctx);
	}
	for (size_t i = 0; i < policy_nroles; i++)
		policy_free(&pol[i]);
	return rc;
}

static void emit_string(FILE *f, const char *s)
{
	fputs("\t\t\"", f);
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '\n') {
			fputs(s[1] ? "\\n\"\n\t\t\"" : "\\n", f);
		} else if (c == '"' || c == '\\') {
			fprintf(f, "\\%c", c);
		} else if (c < 0x20 || c >= 0x7f) {
			/* octal, three digits: cannot run into the next character */
			fprintf(f, "\\%03o", c);
		} else {
			fputc(c, f);
		}
	}
	fputs("\"", f);
}

static int emit_c(const char *out, const char *dir)
{
	char tmp[4096];
	char *files[MAX_FILES];
	size_t nfiles;
	FILE *f;
	int rc;

	rc = check(dir);
	if (rc)
		return rc;
	if (list_files(dir, files, &nfiles))
		return -1;
	snprintf(tmp, sizeof(tmp), "%s.tmp", out);
	f = fopen(tmp, "we");
	if (!f) {
		fprintf(stderr, "policyc: %s: %s\n", tmp, strerror(errno));
		free_files(files, nfiles);
		return -1;
	}
	fprintf(f, "/* Generated by policyc from the policies in %s: do not edit. */\n"
		"#include \"policy/policy_text.h\"\n\n"
		"const struct policy_text policy_texts[] = {\n", dir);
	for (size_t i = 0; i < nfiles && !rc; i++) {
		char *text;

		rc = read_file(dir, files[i], &text);
		if (rc)
			break;
		fprintf(f, "\t{\n\t\t\"%s\",\n", files[i]);
		emit_string(f, text);
		fputs(",\n\t},\n", f);
		free(text);
	}
	fprintf(f, "};\n\nconst size_t policy_ntexts = %zu;\n", nfiles);
	free_files(files, nfiles);
	if (fclose(f) != 0 || rc) {
		fprintf(stderr, "policyc: cannot write %s\n", tmp);
		unlink(tmp);
		return -1;
	}
	if (rename(tmp, out) != 0) {
		fprintf(stderr, "policyc: %s: %s\n", out, strerror(errno));
		unlink(tmp);
		return -1;
	}
	return 0;
}

static int report(const char *dir)
{
	int rc = check(dir);

	if (rc)
		return rc;
	printf("%-11s %8s %12s %7s   %s\n", "role", "allowed", "with args",
	       "errno", "reference (allowed syscalls)");
	for (size_t i = 0; i < policy_nroles; i++) {
		const struct policy_role *r = &policy_roles[i];
		struct policy p;
		unsigned int a, c, e;
		char ref[80] = "-";

		rc = parse_file(dir, r->file, &p);
		if (rc)
			return rc;
		policy_count(&p, &a, &c, &e);
		if (r->ref)
			snprintf(ref, sizeof(ref), "%s: %d", r->ref_what, r->ref);
		printf("%-11s %8u %12u %7u   %s\n", r->name, a, c, e, ref);
		policy_free(&p);
	}
	printf("\nallowed: syscalls the role may make (includes expanded); "
	       "with args: those\nallowed only for some argument values; errno: "
	       "syscalls that fail with an\nerrno instead of killing. Everything "
	       "else kills the process.\n");
	return 0;
}

static int dump(const char *role, const char *dir)
{
	const struct policy_role *r = policy_role_find(role);
	struct policy p;
	scmp_filter_ctx ctx;
	int rc;

	if (!r) {
		fprintf(stderr, "policyc: no role '%s'\n", role);
		return -ENOENT;
	}
	rc = parse_file(dir, r->file, &p);
	if (rc)
		return rc;
	rc = policy_compile(&p, r->flags, &ctx);
	policy_free(&p);
	if (rc) {
		fprintf(stderr, "policyc: %s: %s\n", r->file, strerror(-rc));
		return rc;
	}
	fflush(stdout);
	rc = seccomp_export_pfc(ctx, STDOUT_FILENO);
	seccomp_release(ctx);
	return rc;
}

static int resolve(const char *what)
{
	char *end;
	long nr = strtol(what, &end, 10);

	if (*what && *end == '\0') {
		char *name = seccomp_syscall_resolve_num_arch(SCMP_ARCH_NATIVE, (int)nr);

		if (!name) {
			fprintf(stderr, "policyc: no syscall %ld on this architecture\n", nr);
			return -ENOENT;
		}
		printf("%s\n", name);
		free(name);
		return 0;
	}
	nr = seccomp_syscall_resolve_name(what);
	if (nr < 0) {
		fprintf(stderr, "policyc: unknown syscall '%s'\n", what);
		return -ENOENT;
	}
	printf("%ld\n", nr);
	return 0;
}

static void usage(void)
{
	fprintf(stderr, "usage: policyc check DIR | emit-c OUT DIR | report DIR |\n"
		"               dump ROLE DIR | resolve NR|NAME\n");
}

int main(int argc, char **argv)
{
	int rc;

	if (argc == 3 && strcmp(argv[1], "check") == 0)
		rc = check(argv[2]);
	else if (argc == 4 && strcmp(argv[1], "emit-c") == 0)
		rc = emit_c(argv[2], argv[3]);
	else if (argc == 3 && strcmp(argv[1], "report") == 0)
		rc = report(argv[2]);
	else if (argc == 4 && strcmp(argv[1], "dump") == 0)
		rc = dump(argv[2], argv[3]);
	else if (argc == 3 && strcmp(argv[1], "resolve") == 0)
		rc = resolve(argv[2]);
	else {
		usage();
		return 2;
	}
	return rc ? 1 : 0;
}
