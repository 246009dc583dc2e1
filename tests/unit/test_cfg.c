/*
 * test_cfg: the key tree, the file syntax and every cfg_validate error,
 * from strings, plus golden profiles in tests/unit/fixtures/cfg/.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "common/cfg.h"

#define BASE "name=vm0\nboot.kernel=/boot/vmlinuz\n"
#define X16 "xxxxxxxxxxxxxxxx"
#define X256 X16 X16 X16 X16 X16 X16 X16 X16 X16 X16 X16 X16 X16 X16 X16 X16
#define LONG2048 X256 X256 X256 X256 X256 X256 X256 X256

static char err[CFG_ERRLEN];

/* Load text as "t.conf" and validate; returns the first error. */
static int
load_validate(const char *text, enum cfg_role role)
{
	struct cfg *c = cfg_new();
	int r;

	assert_non_null(c);
	err[0] = '\0';
	r = cfg_load_buf(c, "t.conf", text, err, sizeof(err));
	if (r == 0)
		r = cfg_validate(c, role, err, sizeof(err));
	cfg_free(c);
	return r;
}

static void
test_set_get(void **state)
{
	struct cfg *c = cfg_new();

	(void)state;
	assert_int_equal(cfg_set(c, "cpus", "2", "-c 2", err, sizeof(err)), 0);
	assert_string_equal(cfg_get(c, "cpus"), "2");
	assert_string_equal(cfg_origin(c, "cpus"), "-c 2");
	/* later wins */
	assert_int_equal(cfg_set(c, "cpus", "4", "-o", err, sizeof(err)), 0);
	assert_string_equal(cfg_get(c, "cpus"), "4");
	assert_string_equal(cfg_origin(c, "cpus"), "-o");
	assert_null(cfg_get(c, "memory.size"));
	assert_null(cfg_origin(c, "memory.size"));
	assert_int_equal(cfg_unset(c, "cpus"), 0);
	assert_null(cfg_get(c, "cpus"));
	assert_int_equal(cfg_unset(c, "cpus"), -ENOENT);
	assert_int_equal(cfg_unset(NULL, "cpus"), -EINVAL);
	assert_int_equal(cfg_unset(c, NULL), -EINVAL);
	assert_null(cfg_get(NULL, "cpus"));
	assert_null(cfg_get(c, NULL));
	assert_int_equal(cfg_set(c, "a.b", "", NULL, err, sizeof(err)), 0);
	assert_string_equal(cfg_origin(c, "a.b"), "?");
	cfg_free(c);
	cfg_free(NULL);
}

static void
test_bad_keys(void **state)
{
	static const char *const bad[] = { "", ".a", "a.", "a..b", "a b",
		"a=b", "é", "a/b" };
	struct cfg *c = cfg_new();
	char longkey[300];

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++) {
		assert_int_equal(cfg_set(c, bad[i], "v", "-o", err,
		    sizeof(err)), -EINVAL);
		assert_non_null(strstr(err, "not a valid key"));
	}
	memset(longkey, 'a', sizeof(longkey) - 1);
	longkey[sizeof(longkey) - 1] = '\0';
	assert_int_equal(cfg_set(c, longkey, "v", "-o", err, sizeof(err)),
	    -EINVAL);
	assert_int_equal(cfg_set(c, "a", "x\ny", "-o", err, sizeof(err)),
	    -EINVAL);
	assert_string_equal(err, "-o: a: value contains a line break");
	assert_int_equal(cfg_set(NULL, "a", "b", "-o", err, sizeof(err)),
	    -EINVAL);
	assert_int_equal(cfg_set(c, "a", NULL, "-o", err, sizeof(err)),
	    -EINVAL);
	{
		char *big = malloc(5000);

		memset(big, 'x', 4999);
		big[4999] = '\0';
		assert_int_equal(cfg_set(c, "a", big, "-o", err, sizeof(err)),
		    -EINVAL);
		assert_string_equal(err, "-o: a: value longer than 4095 "
		    "bytes");
		free(big);
	}
	cfg_free(c);
}

static void
test_set_kv(void **state)
{
	struct cfg *c = cfg_new();

	(void)state;
	assert_int_equal(cfg_set_kv(c, "boot.cmdline=console=ttyS0 a=b",
	    NULL, err, sizeof(err)), 0);
	assert_string_equal(cfg_get(c, "boot.cmdline"), "console=ttyS0 a=b");
	assert_string_equal(cfg_origin(c, "boot.cmdline"), "-o");
	assert_int_equal(cfg_set_kv(c, "x=", "-o", err, sizeof(err)), 0);
	assert_string_equal(cfg_get(c, "x"), "");
	assert_int_equal(cfg_set_kv(c, "novalue", "-o", err, sizeof(err)),
	    -EINVAL);
	assert_string_equal(err, "-o: \"novalue\": expected key=value");
	assert_int_equal(cfg_set_kv(c, "=v", "-o", err, sizeof(err)),
	    -EINVAL);
	assert_string_equal(err, "-o: \"=v\": expected key=value");
	assert_int_equal(cfg_set_kv(c, NULL, "-o", err, sizeof(err)),
	    -EINVAL);
	cfg_free(c);
}

static void
test_slot_twice(void **state)
{
	struct cfg *c = cfg_new();

	(void)state;
	assert_int_equal(cfg_set(c, "pci.0.2.0.device", "virtio-blk",
	    "-s 2,virtio-blk", err, sizeof(err)), 0);
	assert_int_equal(cfg_set(c, "pci.0.2.0.device", "virtio-net",
	    "-s 2,virtio-net", err, sizeof(err)), -EEXIST);
	assert_string_equal(err, "-s 2,virtio-net: pci.0.2.0.device: pci "
	    "slot 0:2:0 already holds virtio-blk (from -s 2,virtio-blk)");
	/* after an explicit unset the slot is free again */
	assert_int_equal(cfg_unset(c, "pci.0.2.0.device"), 0);
	assert_int_equal(cfg_set(c, "pci.0.2.0.device", "virtio-net",
	    "-o", err, sizeof(err)), 0);
	cfg_free(c);

	assert_int_equal(load_validate(BASE "pci.0.2.0.device=virtio-rnd\n"
	    "pci.0.2.0.device=virtio-rnd\n", CFG_ROLE_VMM), -EEXIST);
	assert_string_equal(err, "t.conf:4: pci.0.2.0.device: set twice in "
	    "one file (first at t.conf:3)");
}

static void
test_file_syntax(void **state)
{
	struct cfg *c = cfg_new();
	const char *text =
	    "# a comment\n"
	    "\n"
	    "   name = vm0   # trailing comment\n"
	    "boot.cmdline=\"console=ttyS0 # not a comment \\\"q\\\" \\\\\"  "
	    "# comment\n"
	    "lpc.com1.path=/dev/tty#1\n"
	    "\tcpus\t=\t2\r\n"
	    "uuid=";

	(void)state;
	assert_int_equal(cfg_load_buf(c, "p.conf", text, err, sizeof(err)),
	    0);
	assert_string_equal(cfg_get(c, "name"), "vm0");
	assert_string_equal(cfg_origin(c, "name"), "p.conf:3");
	assert_string_equal(cfg_get(c, "boot.cmdline"),
	    "console=ttyS0 # not a comment \"q\" \\");
	assert_string_equal(cfg_get(c, "lpc.com1.path"), "/dev/tty#1");
	assert_string_equal(cfg_get(c, "cpus"), "2");
	assert_string_equal(cfg_origin(c, "cpus"), "p.conf:6");
	assert_string_equal(cfg_get(c, "uuid"), "");
	/* a second file may override the first (bhyve: later wins) */
	assert_int_equal(cfg_load_buf(c, "q.conf", "cpus=4\n", err,
	    sizeof(err)), 0);
	assert_string_equal(cfg_get(c, "cpus"), "4");
	assert_string_equal(cfg_origin(c, "cpus"), "q.conf:1");
	cfg_free(c);
}

static void
test_file_errors(void **state)
{
	static const struct {
		const char *text, *msg;
	} cases[] = {
		{ "name=vm0\njunk line\n", "t.conf:2: \"junk line\": "
		  "expected key=value" },
		{ "  = 3\n", "t.conf:1: missing key before '='" },
		{ "a=\"open\n", "t.conf:1: a: unterminated quote" },
		{ "a=\"x\" y\n", "t.conf:1: a: text after closing quote" },
		{ "bad key=1\n", "t.conf:1: \"bad key\": not a valid key "
		  "(dotted names of letters, digits, '_' and '-')" },
		{ "cpus=1\ncpus=2\n", "t.conf:2: cpus: set twice in one "
		  "file (first at t.conf:1)" },
	};
	char *big;

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
		struct cfg *c = cfg_new();

		assert_true(cfg_load_buf(c, "t.conf", cases[i].text, err,
		    sizeof(err)) < 0);
		assert_string_equal(err, cases[i].msg);
		cfg_free(c);
	}
	big = malloc(5000);
	memset(big, 'a', 4999);
	big[4999] = '\0';
	{
		struct cfg *c = cfg_new();

		assert_int_equal(cfg_load_buf(c, "t.conf", big, err,
		    sizeof(err)), -EINVAL);
		assert_string_equal(err, "t.conf:1: line longer than 4096 "
		    "bytes");
		assert_int_equal(cfg_load_buf(c, NULL, "", err, sizeof(err)),
		    -EINVAL);
		cfg_free(c);
	}
	free(big);
}

static void
test_load_file(void **state)
{
	struct cfg *c = cfg_new();
	char path[] = "/tmp/test_cfg.XXXXXX";
	FILE *f;
	int fd;

	(void)state;
	assert_int_equal(cfg_load_file(c, "/nonexistent/x.conf", err,
	    sizeof(err)), -ENOENT);
	assert_string_equal(err, "/nonexistent/x.conf: cannot open: No such "
	    "file or directory");
	assert_int_equal(cfg_load_file(c, NULL, err, sizeof(err)), -EINVAL);
	fd = mkstemp(path);
	assert_true(fd >= 0);
	f = fdopen(fd, "w");
	fputs("cpus=3\nname=x\0y\n", f);
	fwrite("\0", 1, 1, f);
	fclose(f);
	assert_int_equal(cfg_load_file(c, path, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "contains a NUL byte"));
	f = fopen(path, "w");
	fputs("cpus=3\n", f);
	fclose(f);
	assert_int_equal(cfg_load_file(c, path, err, sizeof(err)), 0);
	assert_string_equal(cfg_get(c, "cpus"), "3");
	f = fopen(path, "w");
	for (int i = 0; i < 120000; i++)
		fputs("# padding\n", f);
	fclose(f);
	assert_int_equal(cfg_load_file(c, path, err, sizeof(err)), -EFBIG);
	assert_non_null(strstr(err, "larger than"));
	/* a directory cannot be read */
	assert_true(cfg_load_file(c, "/", err, sizeof(err)) < 0);
	unlink(path);
	cfg_free(c);
}

static void
test_parse_size(void **state)
{
	static const struct {
		const char *s;
		bool mb;
		int r;
		uint64_t v;
	} cases[] = {
		{ "512M", true, 0, 512ULL << 20 },
		{ "512", true, 0, 512ULL << 20 },
		{ "512", false, 0, 512 },
		{ "1048576", true, 0, 1048576 },	/* bhyve: bytes */
		{ "1048575", true, 0, 1048575ULL << 20 },
		{ "2G", false, 0, 2ULL << 30 },
		{ "2g", false, 0, 2ULL << 30 },
		{ "1T", false, 0, 1ULL << 40 },
		{ "4k", false, 0, 4096 },
		{ "4KB", false, 0, 4096 },
		{ "4KiB", false, 0, 4096 },
		{ "100B", false, 0, 100 },
		{ "", false, -EINVAL, 0 },
		{ "M", false, -EINVAL, 0 },
		{ "-1", false, -EINVAL, 0 },
		{ "1X", false, -EINVAL, 0 },
		{ "1MM", false, -EINVAL, 0 },
		{ "1 M", false, -EINVAL, 0 },
		{ "1Bx", false, -EINVAL, 0 },
		{ "99999999999999999999", false, -ERANGE, 0 },
		{ "17179869184G", false, -ERANGE, 0 },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
		uint64_t v = 7;
		int r = cfg_parse_size(cases[i].s, cases[i].mb, &v);

		if (r != cases[i].r)
			fail_msg("%s: got %d want %d", cases[i].s, r,
			    cases[i].r);
		if (r == 0 && v != cases[i].v)
			fail_msg("%s: got %ju", cases[i].s, (uintmax_t)v);
	}
	assert_int_equal(cfg_parse_size(NULL, false, NULL), -EINVAL);
}

static void
test_typed_getters(void **state)
{
	struct cfg *c = cfg_new();
	bool b;
	uint64_t u;

	(void)state;
	cfg_set(c, "t", "Yes", "a:1", err, sizeof(err));
	cfg_set(c, "f", "off", "a:2", err, sizeof(err));
	cfg_set(c, "x", "maybe", "a:3", err, sizeof(err));
	cfg_set(c, "n", "0x10", "a:4", err, sizeof(err));
	cfg_set(c, "m", "12Q", "a:5", err, sizeof(err));
	cfg_set(c, "big", "18446744073709551616", "a:6", err, sizeof(err));
	assert_int_equal(cfg_get_bool(c, "t", false, &b, err, sizeof(err)), 0);
	assert_true(b);
	assert_int_equal(cfg_get_bool(c, "f", true, &b, err, sizeof(err)), 0);
	assert_false(b);
	assert_int_equal(cfg_get_bool(c, "nope", true, &b, err, sizeof(err)),
	    -ENOENT);
	assert_true(b);
	assert_int_equal(cfg_get_bool(c, "x", true, &b, err, sizeof(err)),
	    -EINVAL);
	assert_true(b);
	assert_string_equal(err, "a:3: x: \"maybe\" is not a boolean (true, "
	    "false, yes, no, on, off, 1, 0)");
	assert_int_equal(cfg_get_u64(c, "n", 0, &u, err, sizeof(err)), 0);
	assert_int_equal(u, 16);
	cfg_set(c, "h", "0xFf", "a:8", err, sizeof(err));
	assert_int_equal(cfg_get_u64(c, "h", 0, &u, err, sizeof(err)), 0);
	assert_int_equal(u, 255);
	cfg_set(c, "h", "0x", "a:9", err, sizeof(err));
	assert_int_equal(cfg_get_u64(c, "h", 0, &u, err, sizeof(err)),
	    -EINVAL);
	cfg_set(c, "h", "12x", "a:9", err, sizeof(err));
	assert_int_equal(cfg_get_u64(c, "h", 0, &u, err, sizeof(err)),
	    -EINVAL);
	assert_int_equal(cfg_get_u64(c, "nope", 5, &u, err, sizeof(err)),
	    -ENOENT);
	assert_int_equal(u, 5);
	assert_int_equal(cfg_get_u64(c, "x", 5, &u, err, sizeof(err)),
	    -EINVAL);
	assert_string_equal(err, "a:3: x: \"maybe\" is not an unsigned "
	    "number");
	assert_int_equal(cfg_get_u64(c, "big", 5, &u, err, sizeof(err)),
	    -EINVAL);
	assert_int_equal(u, 5);
	assert_int_equal(cfg_get_size(c, "m", true, 1, &u, err, sizeof(err)),
	    -EINVAL);
	assert_string_equal(err, "a:5: m: \"12Q\" is not a size (a number "
	    "with an optional K, M, G or T suffix)");
	assert_int_equal(u, 1);
	assert_int_equal(cfg_get_size(c, "nope", true, 256ULL << 20, &u, err,
	    sizeof(err)), -ENOENT);
	assert_int_equal(u, 256ULL << 20);
	cfg_set(c, "m", "64", "a:7", err, sizeof(err));
	assert_int_equal(cfg_get_size(c, "m", true, 1, &u, err, sizeof(err)),
	    0);
	assert_int_equal(u, 64ULL << 20);
	cfg_free(c);
}

static int
collect(const char *key, const char *value, const char *origin, void *arg)
{
	char *out = arg;

	(void)origin;
	strcat(out, key);
	strcat(out, "=");
	strcat(out, value);
	strcat(out, ";");
	return strcmp(key, "stop") == 0 ? 42 : 0;
}

static void
test_foreach(void **state)
{
	struct cfg *c = cfg_new();
	char out[256] = "";

	(void)state;
	cfg_set(c, "pci.0.3.0.device", "b", "-o", err, sizeof(err));
	cfg_set(c, "cpus", "1", "-o", err, sizeof(err));
	cfg_set(c, "pci.0.2.0.device", "a", "-o", err, sizeof(err));
	cfg_set(c, "name", "x", "-o", err, sizeof(err));
	assert_int_equal(cfg_foreach(c, "pci.", collect, out), 0);
	assert_string_equal(out, "pci.0.2.0.device=a;pci.0.3.0.device=b;");
	out[0] = '\0';
	assert_int_equal(cfg_foreach(c, "", collect, out), 0);
	assert_string_equal(out, "cpus=1;name=x;pci.0.2.0.device=a;"
	    "pci.0.3.0.device=b;");
	cfg_set(c, "stop", "1", "-o", err, sizeof(err));
	out[0] = '\0';
	assert_int_equal(cfg_foreach(c, NULL, collect, out), 42);
	assert_int_equal(cfg_foreach(NULL, NULL, collect, out), 0);
	cfg_free(c);
}

static void
test_many_keys(void **state)
{
	struct cfg *c = cfg_new();
	char k[32];
	int r = 0, i;

	(void)state;
	for (i = 0; i < 5000 && r == 0; i++) {
		snprintf(k, sizeof(k), "k%d", i);
		r = cfg_set(c, k, "v", "-o", err, sizeof(err));
	}
	assert_int_equal(r, -E2BIG);
	assert_int_equal(i, 4097);
	assert_string_equal(cfg_get(c, "k4095"), "v");
	cfg_free(c);
}

static void
test_pci_split(void **state)
{
	unsigned b, s, f;
	const char *rest;

	(void)state;
	assert_int_equal(cfg_pci_split("pci.0.2.0.path", &b, &s, &f, &rest),
	    0);
	assert_int_equal(b, 0);
	assert_int_equal(s, 2);
	assert_int_equal(f, 0);
	assert_string_equal(rest, "path");
	assert_int_equal(cfg_pci_split("pci.255.31.7", &b, &s, &f, &rest), 0);
	assert_string_equal(rest, "");
	assert_int_equal(cfg_pci_split("pci.0.32.0.device", &b, &s, &f,
	    &rest), -EINVAL);
	assert_int_equal(cfg_pci_split("pci.0.2.8.device", &b, &s, &f, &rest),
	    -EINVAL);
	assert_int_equal(cfg_pci_split("pci.256.2.0.device", &b, &s, &f,
	    &rest), -EINVAL);
	assert_int_equal(cfg_pci_split("pci.0.02.0.device", &b, &s, &f,
	    &rest), -EINVAL);
	assert_int_equal(cfg_pci_split("pci.0.2.device", &b, &s, &f, &rest),
	    -EINVAL);
	assert_int_equal(cfg_pci_split("pci.0.2.0x", &b, &s, &f, &rest),
	    -EINVAL);
	assert_int_equal(cfg_pci_split("lpc.0.2.0", &b, &s, &f, &rest),
	    -EINVAL);
}

static void
test_emuls(void **state)
{
	size_t n;
	const struct cfg_pci_emul *e = cfg_pci_emuls(&n);

	(void)state;
	assert_true(n >= 6);
	assert_ptr_equal(cfg_pci_emul_find(e[0].name), &e[0]);
	assert_null(cfg_pci_emul_find("ahci-hd"));
	assert_null(cfg_pci_emul_find(NULL));
	assert_string_equal(cfg_pci_emul_find("virtio-blk")->first_key,
	    "path");
	assert_string_equal(cfg_pci_emul_find("virtio-net")->first_key,
	    "backend");
}

static void
test_topology(void **state)
{
	static const struct {
		const char *text;
		int r;
		unsigned cpus, sockets, cores, threads;
		const char *msg;
	} cases[] = {
		{ "", 0, 1, 1, 1, 1, NULL },
		{ "cpus=4\n", 0, 4, 4, 1, 1, NULL },
		{ "sockets=2\ncores=2\nthreads=2\n", 0, 8, 2, 2, 2, NULL },
		{ "cpus=8\nsockets=2\ncores=2\nthreads=2\n", 0, 8, 2, 2, 2,
		  NULL },
		{ "cores=4\n", 0, 4, 1, 4, 1, NULL },
		/* bhyve: sockets defaults to cpus, so this is 16 != 4 */
		{ "cpus=4\ncores=4\n", -EINVAL, 0, 0, 0, 0, "t.conf:1: cpus: "
		  "topology (4 sockets, 4 cores, 1 threads) does not match 4 "
		  "vCPUs" },
		{ "cpus=0\n", -EINVAL, 0, 0, 0, 0, "t.conf:1: cpus: 0 is out "
		  "of range 1..255" },
		{ "cpus=256\n", -EINVAL, 0, 0, 0, 0, "t.conf:1: cpus: 256 is "
		  "out of range 1..255" },
		{ "threads=x\n", -EINVAL, 0, 0, 0, 0, "t.conf:1: threads: "
		  "\"x\" is not an unsigned number" },
		{ "sockets=16\ncores=16\n", -EINVAL, 0, 0, 0, 0, "t.conf:1: "
		  "sockets: topology gives 256 vCPUs, more than 255" },
		{ "cores=16\nthreads=16\n", -EINVAL, 0, 0, 0, 0, "t.conf:1: "
		  "cores: topology gives 256 vCPUs, more than 255" },
		{ "threads=255\ncpus=1\n", -EINVAL, 0, 0, 0, 0, "t.conf:2: "
		  "cpus: topology (1 sockets, 1 cores, 255 threads) does not "
		  "match 1 vCPUs" },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
		struct cfg *c = cfg_new();
		struct cfg_topology t;
		int r;

		assert_int_equal(cfg_load_buf(c, "t.conf", cases[i].text, err,
		    sizeof(err)), 0);
		r = cfg_get_topology(c, &t, err, sizeof(err));
		assert_int_equal(r, cases[i].r);
		if (r == 0) {
			assert_int_equal(t.cpus, cases[i].cpus);
			assert_int_equal(t.sockets, cases[i].sockets);
			assert_int_equal(t.cores, cases[i].cores);
			assert_int_equal(t.threads, cases[i].threads);
		} else {
			assert_string_equal(err, cases[i].msg);
		}
		cfg_free(c);
	}
}

/* A full, valid configuration for both roles. */
static void
test_validate_ok(void **state)
{
	const char *vmm =
	    BASE
	    "cpus=2\nsockets=1\ncores=2\nthreads=1\n"
	    "memory.size=512M\nmemory.wired=true\nmemory.guest_in_core=no\n"
	    "acpi_tables=true\nx86.mptable=false\nx86.strictmsr=false\n"
	    "x86.strictio=true\nx86.vmexit_on_hlt=1\nx86.vmexit_on_pause=0\n"
	    "x86.x2apic=on\nrtc.use_localtime=off\n"
	    "uuid=6ba7b810-9dad-11d1-80b4-00c04fd430c8\n"
	    "destroy_on_poweroff=yes\n"
	    "boot.initrd=fd:5\nboot.cmdline=console=ttyS0 root=/dev/vda\n"
	    "pci.0.0.0.device=hostbridge\npci.0.1.0.device=lpc\n"
	    "lpc.com1.path=stdio\nlpc.com2.path=fd:7\n"
	    "pci.0.2.0.device=virtio-blk\npci.0.2.0.path=/d.img\n"
	    "pci.0.2.0.ro=true\npci.0.2.0.nocache=true\n"
	    "pci.0.2.0.direct=false\npci.0.2.0.sectorsize=512/4096\n"
	    "pci.0.2.0.ser=ABC-123\n"
	    "pci.0.2.1.device=virtio-blk\npci.0.2.1.path=fd:9\n"
	    "pci.0.2.1.sectorsize=4096\n"
	    "pci.0.3.0.device=virtio-net\npci.0.3.0.backend=tap0\n"
	    "pci.0.3.0.mac=02:00:00:00:00:01\npci.0.3.0.mtu=9000\n"
	    "pci.0.4.0.device=virtio-rnd\npci.0.4.0.sock=fd:11\n"
	    "pci.0.2.1.sock=fd:12\npci.0.3.0.sock=fd:13\n"
	    "pci.1.0.0.device=amd_hostbridge\n"
	    "vcpu.0.cpuset=0-3,6\nvcpu.1.cpuset=5,1\n";
	const char *jail =
	    BASE
	    "pci.0.1.0.device=lpc\nlpc.com1.path=console\n"
	    "pci.0.3.0.device=virtio-net\npci.0.3.0.backend=hv0tap0\n"
	    "pci.0.4.0.device=virtio-net\npci.0.4.0.backend=fd:4\n"
	    "jail.uid=auto\njail.gid=1001\njail.tap_prefix=hv0tap\n"
	    "jail.uid_range=100000-165535\n"
	    "jail.restart=on-reboot\njail.stop_timeout=30\n"
	    "jail.netns=vmnet\njail.cgroup.parent=hyve.slice/vm0\n"
	    "jail.cgroup.cpu.max=200000 100000\njail.cgroup.cpu.weight=100\n"
	    "jail.cgroup.memory.max=640M\njail.cgroup.memory.swap.max=max\n"
	    "jail.cgroup.pids.max=64\n"
	    "jail.cgroup.io.max=8:0 rbps=1048576 wiops=max;8:16 riops=100\n"
	    "jail.cgroup.cpuset.cpus=0-1\njail.cgroup.cpuset.mems=0\n"
	    "jail.seccomp=kill\n";

	(void)state;
	if (load_validate(vmm, CFG_ROLE_VMM) != 0)
		fail_msg("%s", err);
	if (load_validate(vmm, CFG_ROLE_JAIL) == 0)
		fail_msg("tap0 without jail.tap_prefix accepted in jail role");
	assert_string_equal(err, "t.conf:37: pci.0.3.0.backend: a tap "
	    "interface needs jail.tap_prefix, the only taps the VM may use");
	if (load_validate(jail, CFG_ROLE_JAIL) != 0)
		fail_msg("%s", err);
	assert_int_equal(load_validate(BASE "jail.cgroup.cpu.max=max\n"
	    "jail.netns=/run/netns/x\njail.seccomp=log\n", CFG_ROLE_JAIL), 0);
	assert_int_equal(load_validate(BASE "jail.uid=1000\n"
	    "jail.cgroup.pids.max=max\n"
	    "jail.cgroup.io.max=  8:0 rbps=max\n"
	    "boot.cmdline=\"" LONG2048 "\"\n", CFG_ROLE_JAIL), -EINVAL);
	assert_int_equal(load_validate(BASE "jail.uid=1000\n"
	    "jail.cgroup.pids.max=max\n"
	    "jail.cgroup.io.max=  8:0 rbps=max\n", CFG_ROLE_JAIL), 0);
	assert_int_equal(cfg_validate(NULL, CFG_ROLE_VMM, err, sizeof(err)),
	    -EINVAL);
}

/* Every validation error, role VMM unless the text starts with "J:". */
static void
test_validate_errors(void **state)
{
	static const struct {
		const char *text, *msg;
	} cases[] = {
		/* required keys */
		{ "boot.kernel=/k\n", "name: not set (give the VM name as "
		  "the last argument, or name=NAME in the profile)" },
		{ "name=vm0\n", "boot.kernel: not set: hyve boots a Linux "
		  "kernel directly (-o boot.kernel=PATH)" },
		/* unknown and role */
		{ BASE "colour=red\n", "t.conf:3: colour: unknown key" },
		{ BASE "jail.uid=1000\n", "t.conf:3: jail.uid: jail.* keys "
		  "are read by hyve-jail only, not by hyve" },
		{ BASE "jail.nope=1\n", "t.conf:3: jail.nope: unknown key" },
		/* value syntax per type */
		{ BASE "acpi_tables=maybe\n", "t.conf:3: acpi_tables: not a "
		  "boolean (true, false, yes, no, on, off, 1, 0)" },
		{ BASE "cpus=two\n", "t.conf:3: cpus: \"two\" is not an "
		  "unsigned number" },
		{ BASE "memory.size=lots\n", "t.conf:3: memory.size: not a "
		  "size (a number with an optional K, M, G or T suffix; no "
		  "suffix means MB)" },
		{ BASE "memory.size=16M\n", "t.conf:3: memory.size: out of "
		  "range 32M..1T" },
		{ BASE "memory.size=2T\n", "t.conf:3: memory.size: out of "
		  "range 32M..1T" },
		{ BASE "memory.size=33554433\n", "t.conf:3: memory.size: not "
		  "a multiple of 4K" },
		{ "name=-vm\nboot.kernel=/k\n", "t.conf:1: name: a VM name is "
		  "1-31 letters, digits, '_', '.' or '-', starting with a "
		  "letter or digit" },
		{ "name=a/b\nboot.kernel=/k\n", "t.conf:1: name: a VM name is "
		  "1-31 letters, digits, '_', '.' or '-', starting with a "
		  "letter or digit" },
		{ "name=aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\nboot.kernel=/k\n",
		  "t.conf:1: name: a VM name is 1-31 letters, digits, '_', "
		  "'.' or '-', starting with a letter or digit" },
		{ BASE "uuid=1234\n", "t.conf:3: uuid: not a UUID (xxxxxxxx-"
		  "xxxx-xxxx-xxxx-xxxxxxxxxxxx)" },
		{ BASE "uuid=6ba7b810-9dad-11d1-80b4-00c04fd430c8x\n",
		  "t.conf:3: uuid: not a UUID (xxxxxxxx-xxxx-xxxx-xxxx-"
		  "xxxxxxxxxxxx)" },
		{ "name=vm0\nboot.kernel=\n", "t.conf:2: boot.kernel: empty "
		  "path" },
		{ "name=vm0\nboot.kernel=fd:x\n", "t.conf:2: boot.kernel: "
		  "fd:N needs a descriptor number" },
		{ BASE "boot.cmdline=a\tb\n", "t.conf:3: boot.cmdline: "
		  "contains a control character" },
		{ "name=vm0\nboot.initrd=/i\n", "t.conf:2: boot.initrd: set "
		  "without boot.kernel" },
		{ "name=vm0\nboot.cmdline=x\n", "t.conf:2: boot.cmdline: set "
		  "without boot.kernel" },
		{ BASE "lpc.bootrom=/u.fd\n", "t.conf:3: lpc.bootrom: boot "
		  "ROMs (UEFI) are not supported; hyve boots a kernel "
		  "directly (boot.kernel)" },
		{ BASE "bootrom=/u.fd\n", "t.conf:3: bootrom: boot ROMs (UEFI)"
		  " are not supported; hyve boots a kernel directly "
		  "(boot.kernel)" },
		{ BASE "virtio_msix=false\n", "t.conf:3: virtio_msix: hyve's "
		  "virtio devices always use MSI-X (-W is not supported)" },
		/* serial */
		{ BASE "lpc.com1.path=stdio\n", "t.conf:3: lpc.com1.path: COM "
		  "ports live on the LPC bridge: add one (-s 31,lpc or "
		  "pci.0.31.0.device=lpc)" },
		{ BASE "pci.0.31.0.device=lpc\nlpc.com1.path=console\n",
		  "t.conf:4: lpc.com1.path: \"console\" is hyve-jail's "
		  "console pty; hyve itself takes stdio, fd:N or a tty path" },
		{ BASE "pci.0.31.0.device=lpc\nlpc.com2.path=tty0\n",
		  "t.conf:4: lpc.com2.path: expected stdio, fd:N or an "
		  "absolute tty/pty path" },
		{ BASE "pci.0.31.0.device=lpc\nlpc.com2.path=fd:\n",
		  "t.conf:4: lpc.com2.path: fd:N needs a descriptor number" },
		{ BASE "lpc.com3.path=stdio\n", "t.conf:3: lpc.com3.path: "
		  "unknown key" },
		/* pci */
		{ BASE "pci.0.2.0.device=ahci-hd\n", "t.conf:3: "
		  "pci.0.2.0.device: unknown or unsupported emulation "
		  "\"ahci-hd\" (hyve has: hostbridge amd_hostbridge lpc "
		  "virtio-blk virtio-net virtio-rnd)" },
		{ BASE "pci.0.2.0.path=/x\n", "t.conf:3: pci.0.2.0.path: no "
		  "device in slot 0:2:0 (set pci.0.2.0.device first)" },
		{ BASE "pci.0.2.0.device=virtio-rnd\npci.0.2.0.path=/x\n",
		  "t.conf:4: pci.0.2.0.path: virtio-rnd has no option "
		  "\"path\"" },
		{ BASE "pci.0.2.0.device=virtio-blk\npci.0.2.0.path=/x\n"
		  "pci.0.2.0.colour=red\n", "t.conf:5: pci.0.2.0.colour: "
		  "unknown key" },
		{ BASE "pci.0.2.0.device=virtio-blk\n", "t.conf:3: "
		  "pci.0.2.0.device: virtio-blk needs pci.0.2.0.path" },
		{ BASE "pci.0.3.0.device=virtio-net\n", "t.conf:3: "
		  "pci.0.3.0.device: virtio-net needs pci.0.3.0.backend" },
		{ BASE "pci.1.31.0.device=lpc\n", "t.conf:3: "
		  "pci.1.31.0.device: the LPC bridge must be on bus 0" },
		{ BASE "pci.0.1.0.device=lpc\npci.0.31.0.device=lpc\n",
		  "t.conf:4: pci.0.31.0.device: a second LPC bridge (the "
		  "first is pci.0.1.0.device from t.conf:3)" },
		{ BASE "pci.0.5.1.device=virtio-rnd\n", "t.conf:3: "
		  "pci.0.5.1.device: slot 0:5 has no function 0, so the "
		  "guest would never see this device" },
		{ BASE "pci.0.32.0.device=virtio-rnd\n", "t.conf:3: "
		  "pci.0.32.0.device: unknown key" },
		{ BASE "pci.0.2.0.device=virtio-blk\npci.0.2.0.path=/x\n"
		  "pci.0.2.0.sectorsize=500\n", "t.conf:5: "
		  "pci.0.2.0.sectorsize: expected LOGICAL[/PHYSICAL], powers "
		  "of two 512..65536" },
		{ BASE "pci.0.2.0.device=virtio-blk\npci.0.2.0.path=/x\n"
		  "pci.0.2.0.sectorsize=4096/512\n", "t.conf:5: "
		  "pci.0.2.0.sectorsize: physical sector size smaller than "
		  "logical" },
		{ BASE "pci.0.2.0.device=virtio-blk\npci.0.2.0.path=/x\n"
		  "pci.0.2.0.sectorsize=512/3\n", "t.conf:5: "
		  "pci.0.2.0.sectorsize: expected LOGICAL[/PHYSICAL], powers "
		  "of two 512..65536" },
		{ BASE "pci.0.2.0.device=virtio-blk\npci.0.2.0.path=/x\n"
		  "pci.0.2.0.sectorsize=512x\n", "t.conf:5: "
		  "pci.0.2.0.sectorsize: expected LOGICAL[/PHYSICAL], powers "
		  "of two 512..65536" },
		{ BASE "pci.0.2.0.device=virtio-blk\npci.0.2.0.path=/x\n"
		  "pci.0.2.0.ser=123456789012345678901\n", "t.conf:5: "
		  "pci.0.2.0.ser: a virtio-blk serial is at most 20 bytes" },
		{ BASE "pci.0.2.0.device=virtio-blk\npci.0.2.0.path=/x\n"
		  "pci.0.2.0.ser=\x01\n", "t.conf:5: pci.0.2.0.ser: serial "
		  "must be printable ASCII" },
		{ BASE "pci.0.2.0.device=virtio-blk\npci.0.2.0.path=/x\n"
		  "pci.0.2.0.ro=sure\n", "t.conf:5: pci.0.2.0.ro: not a "
		  "boolean (true, false, yes, no, on, off, 1, 0)" },
		{ BASE "pci.0.3.0.device=virtio-net\n"
		  "pci.0.3.0.backend=tap/0\n", "t.conf:4: pci.0.3.0.backend: "
		  "expected a tap interface name (1-15 letters, digits, '_' "
		  "or '-') or fd:N" },
		{ BASE "pci.0.3.0.device=virtio-net\n"
		  "pci.0.3.0.backend=fd:-1\n", "t.conf:4: pci.0.3.0.backend: "
		  "fd:N needs a descriptor number" },
		{ BASE "pci.0.3.0.device=virtio-net\npci.0.3.0.backend=tap0\n"
		  "pci.0.3.0.mac=01:00:00:00:00:01\n", "t.conf:5: "
		  "pci.0.3.0.mac: a multicast address cannot be a NIC's "
		  "address" },
		{ BASE "pci.0.3.0.device=virtio-net\npci.0.3.0.backend=tap0\n"
		  "pci.0.3.0.mac=00:00:00:00:00:00\n", "t.conf:5: "
		  "pci.0.3.0.mac: the all-zero address is not valid" },
		{ BASE "pci.0.3.0.device=virtio-net\npci.0.3.0.backend=tap0\n"
		  "pci.0.3.0.mac=00:11:22:33:44\n", "t.conf:5: "
		  "pci.0.3.0.mac: expected xx:xx:xx:xx:xx:xx" },
		{ BASE "pci.0.3.0.device=virtio-net\npci.0.3.0.backend=tap0\n"
		  "pci.0.3.0.mac=00:11:22:33:44:5g\n", "t.conf:5: "
		  "pci.0.3.0.mac: expected xx:xx:xx:xx:xx:xx" },
		{ BASE "pci.0.3.0.device=virtio-net\npci.0.3.0.backend=tap0\n"
		  "pci.0.3.0.mac=00:11:22:33:44:55:66\n", "t.conf:5: "
		  "pci.0.3.0.mac: expected xx:xx:xx:xx:xx:xx" },
		{ BASE "pci.0.3.0.device=virtio-net\npci.0.3.0.backend=tap0\n"
		  "pci.0.3.0.mtu=67\n", "t.conf:5: pci.0.3.0.mtu: 67 is out "
		  "of range 68..65535" },
		{ BASE "pci.0.4.0.device=virtio-rnd\n"
		  "pci.0.4.0.sock=/run/x.sock\n", "t.conf:4: pci.0.4.0.sock: "
		  "must be fd:N, an inherited descriptor" },
		/* vcpu */
		{ BASE "vcpu.1.cpuset=0\n", "t.conf:3: vcpu.1.cpuset: the VM "
		  "has only 1 vCPU (0..0)" },
		{ BASE "cpus=2\nvcpu.2.cpuset=0\n", "t.conf:4: vcpu.2.cpuset: "
		  "the VM has only 2 vCPUs (0..1)" },
		{ BASE "vcpu.0.cpuset=3-1\n", "t.conf:3: vcpu.0.cpuset: "
		  "expected a CPU list such as 0-3,6 (numbers < 4096, ranges "
		  "low-high)" },
		{ BASE "vcpu.0.cpuset=4096\n", "t.conf:3: vcpu.0.cpuset: "
		  "expected a CPU list such as 0-3,6 (numbers < 4096, ranges "
		  "low-high)" },
		{ BASE "vcpu.0.cpuset=1,\n", "t.conf:3: vcpu.0.cpuset: "
		  "expected a CPU list such as 0-3,6 (numbers < 4096, ranges "
		  "low-high)" },
		{ BASE "vcpu.0.pin=1\n", "t.conf:3: vcpu.0.pin: unknown key "
		  "(vcpu keys are vcpu.N.cpuset)" },
		{ BASE "vcpu.x.cpuset=1\n", "t.conf:3: vcpu.x.cpuset: unknown "
		  "key (vcpu keys are vcpu.N.cpuset)" },
		{ BASE "pci.0.3.0.device=virtio-net\npci.0.3.0.backend=tap0\n"
		  "pci.0.3.0.mtu=big\n", "t.conf:5: pci.0.3.0.mtu: not an "
		  "unsigned number" },
		{ BASE "boot.cmdline=\"" LONG2048 "\"\n", "t.conf:3: "
		  "boot.cmdline: longer than 2047 bytes (Linux's "
		  "COMMAND_LINE_SIZE)" },
		{ BASE "uuid=6ba7b810x9dad-11d1-80b4-00c04fd430c8\n",
		  "t.conf:3: uuid: not a UUID (xxxxxxxx-xxxx-xxxx-xxxx-"
		  "xxxxxxxxxxxx)" },
		{ BASE "vcpu.0.cpuset=\n", "t.conf:3: vcpu.0.cpuset: "
		  "expected a CPU list such as 0-3,6 (numbers < 4096, ranges "
		  "low-high)" },
		{ BASE "vcpu.0.cpuset=1;2\n", "t.conf:3: vcpu.0.cpuset: "
		  "expected a CPU list such as 0-3,6 (numbers < 4096, ranges "
		  "low-high)" },
		{ "J:" BASE "jail.cgroup.io.max=8:0 rbps=1,8:16 rbps=1\n",
		  "t.conf:3: jail.cgroup.io.max: expected MAJ:MIN rbps=N "
		  "wbps=N riops=N wiops=N (N or max), entries separated by "
		  "';'" },
		/* jail role */
		{ "J:" BASE "jail.uid=0\n", "t.conf:3: jail.uid: 0 is root: a "
		  "VM never runs as root" },
		{ "J:" BASE "jail.gid=bob\n", "t.conf:3: jail.gid: expected "
		  "a numeric id" },
		{ "J:" BASE "jail.gid=auto\n", "t.conf:3: jail.gid: expected "
		  "a numeric id" },
		{ "J:" BASE "jail.gid=0\n", "t.conf:3: jail.gid: 0 is root's: "
		  "a VM never runs as root" },
		{ "J:" BASE "jail.uid_range=5\n", "t.conf:3: jail.uid_range: "
		  "expected LOW-HIGH (0 < LOW <= HIGH)" },
		{ "J:" BASE "jail.uid_range=0-5\n", "t.conf:3: jail.uid_range: "
		  "expected LOW-HIGH (0 < LOW <= HIGH)" },
		{ "J:" BASE "jail.uid_range=9-5\n", "t.conf:3: jail.uid_range: "
		  "expected LOW-HIGH (0 < LOW <= HIGH)" },
		{ "J:" BASE "jail.uid_range=12345678901234567-5\n", "t.conf:3: "
		  "jail.uid_range: expected LOW-HIGH (0 < LOW <= HIGH)" },
		{ "J:" BASE "jail.uid_range=5-x\n", "t.conf:3: jail.uid_range: "
		  "expected LOW-HIGH (0 < LOW <= HIGH)" },
		{ "J:" BASE "jail.uid=4294967295\n", "t.conf:3: jail.uid: "
		  "expected \"auto\" or a numeric id" },
		{ "J:" BASE "jail.tap_prefix=averyverylongprefix\n",
		  "t.conf:3: jail.tap_prefix: expected 1-12 letters, digits, "
		  "'_' or '-'" },
		{ "J:" BASE "jail.restart=sometimes\n", "t.conf:3: "
		  "jail.restart: expected one of no|on-reboot|always" },
		{ "J:" BASE "jail.stop_timeout=0\n", "t.conf:3: "
		  "jail.stop_timeout: 0 is out of range 1..3600" },
		{ "J:" BASE "jail.netns=../x\n", "t.conf:3: jail.netns: "
		  "expected a network namespace name (/run/netns/NAME) or an "
		  "absolute path" },
		{ "J:" BASE "jail.cgroup.parent=/abs\n", "t.conf:3: "
		  "jail.cgroup.parent: expected a relative cgroup path "
		  "(letters, digits, _ . - @ : and /)" },
		{ "J:" BASE "jail.cgroup.parent=a/../b\n", "t.conf:3: "
		  "jail.cgroup.parent: empty, \".\" or \"..\" path component" },
		{ "J:" BASE "jail.cgroup.parent=a//b\n", "t.conf:3: "
		  "jail.cgroup.parent: empty, \".\" or \"..\" path component" },
		{ "J:" BASE "jail.cgroup.parent=a/\n", "t.conf:3: "
		  "jail.cgroup.parent: trailing '/'" },
		{ "J:" BASE "jail.cgroup.cpu.max=10\n", "t.conf:3: "
		  "jail.cgroup.cpu.max: expected \"max\" or QUOTA [PERIOD] in "
		  "microseconds (quota >= 1000)" },
		{ "J:" BASE "jail.cgroup.cpu.max=2000 10\n", "t.conf:3: "
		  "jail.cgroup.cpu.max: period must be 1000..1000000 "
		  "microseconds" },
		{ "J:" BASE "jail.cgroup.cpu.max=2000 100000 x\n", "t.conf:3: "
		  "jail.cgroup.cpu.max: expected \"max\" or QUOTA [PERIOD] in "
		  "microseconds" },
		{ "J:" BASE "jail.cgroup.cpu.weight=0\n", "t.conf:3: "
		  "jail.cgroup.cpu.weight: 0 is out of range 1..10000" },
		{ "J:" BASE "jail.cgroup.memory.max=lots\n", "t.conf:3: "
		  "jail.cgroup.memory.max: expected \"max\" or a size (K, M, "
		  "G, T)" },
		{ "J:" BASE "jail.cgroup.pids.max=0\n", "t.conf:3: "
		  "jail.cgroup.pids.max: expected \"max\" or a number "
		  "1..4194304" },
		{ "J:" BASE "jail.cgroup.io.max=8:0\n", "t.conf:3: "
		  "jail.cgroup.io.max: expected MAJ:MIN rbps=N wbps=N riops=N "
		  "wiops=N (N or max), entries separated by ';'" },
		{ "J:" BASE "jail.cgroup.io.max=8:0 speed=1\n", "t.conf:3: "
		  "jail.cgroup.io.max: expected MAJ:MIN rbps=N wbps=N riops=N "
		  "wiops=N (N or max), entries separated by ';'" },
		{ "J:" BASE "jail.cgroup.io.max=8:0 rbps=x\n", "t.conf:3: "
		  "jail.cgroup.io.max: expected MAJ:MIN rbps=N wbps=N riops=N "
		  "wiops=N (N or max), entries separated by ';'" },
		{ "J:" BASE "jail.cgroup.io.max=8 rbps=1\n", "t.conf:3: "
		  "jail.cgroup.io.max: expected MAJ:MIN rbps=N wbps=N riops=N "
		  "wiops=N (N or max), entries separated by ';'" },
		{ "J:" BASE "jail.cgroup.cpuset.cpus=a\n", "t.conf:3: "
		  "jail.cgroup.cpuset.cpus: expected a CPU list such as 0-3,6 "
		  "(numbers < 4096, ranges low-high)" },
		{ "J:" BASE "jail.seccomp=off\n", "t.conf:3: jail.seccomp: "
		  "expected one of kill|log" },
		{ "J:" BASE "jail.tap_prefix=hv0tap\n"
		  "pci.0.3.0.device=virtio-net\npci.0.3.0.backend=tap7\n",
		  "t.conf:5: pci.0.3.0.backend: tap \"tap7\" is outside "
		  "jail.tap_prefix \"hv0tap\" (from t.conf:3)" },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
		const char *t = cases[i].text;
		enum cfg_role role = CFG_ROLE_VMM;
		int r;

		if (strncmp(t, "J:", 2) == 0) {
			role = CFG_ROLE_JAIL;
			t += 2;
		}
		r = load_validate(t, role);
		if (r >= 0)
			fail_msg("case %zu accepted: %s", i, t);
		if (strcmp(err, cases[i].msg) != 0)
			fail_msg("case %zu:\n got: %s\nwant: %s", i, err,
			    cases[i].msg);
	}
}

/* Golden profiles: fixtures/cfg/NAME.conf with the expected message in
 * NAME.err ("OK" for a profile that must pass); jail_* use the jail role. */
static void
test_golden(void **state)
{
	static const char *const names[] = { "good_vm", "jail_good",
		"jail_bad_tap", "bad_slot_twice", "bad_unknown_key",
		"jail_root_uid", "bad_memory" };
	char path[256], want[CFG_ERRLEN];

	(void)state;
	for (size_t i = 0; i < sizeof(names) / sizeof(*names); i++) {
		struct cfg *c = cfg_new();
		enum cfg_role role = strncmp(names[i], "jail_", 5) == 0 ?
		    CFG_ROLE_JAIL : CFG_ROLE_VMM;
		FILE *f;
		int r;

		snprintf(path, sizeof(path), "tests/unit/fixtures/cfg/%s.err",
		    names[i]);
		f = fopen(path, "r");
		if (f == NULL)
			fail_msg("%s: missing (run from the repo root)", path);
		if (fgets(want, sizeof(want), f) == NULL)
			want[0] = '\0';
		fclose(f);
		want[strcspn(want, "\n")] = '\0';
		snprintf(path, sizeof(path),
		    "tests/unit/fixtures/cfg/%s.conf", names[i]);
		err[0] = '\0';
		r = cfg_load_file(c, path, err, sizeof(err));
		if (r == 0)
			r = cfg_validate(c, role, err, sizeof(err));
		if (r == 0)
			strcpy(err, "OK");
		if (strcmp(err, want) != 0)
			fail_msg("%s:\n got: %s\nwant: %s", names[i], err,
			    want);
		cfg_free(c);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_set_get),
		cmocka_unit_test(test_bad_keys),
		cmocka_unit_test(test_set_kv),
		cmocka_unit_test(test_slot_twice),
		cmocka_unit_test(test_file_syntax),
		cmocka_unit_test(test_file_errors),
		cmocka_unit_test(test_load_file),
		cmocka_unit_test(test_parse_size),
		cmocka_unit_test(test_typed_getters),
		cmocka_unit_test(test_foreach),
		cmocka_unit_test(test_many_keys),
		cmocka_unit_test(test_pci_split),
		cmocka_unit_test(test_emuls),
		cmocka_unit_test(test_topology),
		cmocka_unit_test(test_validate_ok),
		cmocka_unit_test(test_validate_errors),
		cmocka_unit_test(test_golden),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
