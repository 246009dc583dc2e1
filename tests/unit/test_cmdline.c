/*
 * test_cmdline: every bhyve flag hyve takes, every refusal and every error
 * message, from argv arrays.
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
#include "vmm/cmdline.h"

static char err[CFG_ERRLEN];
static struct cfg *c;
static enum cmdline_action act;

#define ARGV(...) ((const char *const[]){ "hyve", __VA_ARGS__, NULL })

static int
run(const char *const *argv)
{
	int argc = 0;

	while (argv[argc])
		argc++;
	cfg_free(c);
	c = cfg_new();
	err[0] = '\0';
	act = (enum cmdline_action)-1;
	/* cmdline_parse does not modify argv; the cast only adapts the
	 * literal arrays to main()'s type. */
	return cmdline_parse(c, argc, (char *const *)(uintptr_t)argv, &act,
	    err, sizeof(err));
}

static void
expect(const char *key, const char *value, const char *origin)
{
	const char *v = cfg_get(c, key), *o = cfg_origin(c, key);

	if (v == NULL || strcmp(v, value) != 0)
		fail_msg("%s: got %s, want %s", key, v ? v : "(unset)", value);
	if (origin && strcmp(o, origin) != 0)
		fail_msg("%s: origin %s, want %s", key, o, origin);
}

static int
teardown(void **state)
{
	(void)state;
	cfg_free(c);
	c = NULL;
	return 0;
}

static void
test_full(void **state)
{
	(void)state;
	assert_int_equal(run(ARGV("-A", "-H", "-P", "-c", "2", "-m", "512M",
	    "-s", "0,hostbridge", "-s", "1,lpc",
	    "-s", "2,virtio-blk,/d.img,ro,nocache,direct,sectorsize=512/4096,"
	    "ser=abc",
	    "-s", "3:0,virtio-net,tap0,mac=02:00:00:00:00:01,mtu=1500",
	    "-s", "0:4:0,virtio-rnd", "-s", "5,amd_hostbridge",
	    "-l", "com1,stdio", "-l", "com2,/dev/pts/3",
	    "-o", "boot.kernel=/k", "-o", "boot.cmdline=console=ttyS0 quiet",
	    "-U", "6ba7b810-9dad-11d1-80b4-00c04fd430c8",
	    "-u", "-w", "-e", "-x", "-Y", "-S", "-C", "-D", "-I",
	    "-p", "0:1", "-p", "1:3", "-p", "0:2", "vm0")), 0);
	assert_int_equal(act, CMDLINE_RUN);
	expect("acpi_tables", "true", "-A");
	expect("x86.vmexit_on_hlt", "true", "-H");
	expect("x86.vmexit_on_pause", "true", "-P");
	expect("cpus", "2", "-c 2");
	expect("memory.size", "512M", "-m 512M");
	expect("pci.0.0.0.device", "hostbridge", "-s 0,hostbridge");
	expect("pci.0.1.0.device", "lpc", "-s 1,lpc");
	expect("pci.0.2.0.device", "virtio-blk", NULL);
	expect("pci.0.2.0.path", "/d.img", NULL);
	expect("pci.0.2.0.ro", "true", NULL);
	expect("pci.0.2.0.nocache", "true", NULL);
	expect("pci.0.2.0.direct", "true", NULL);
	expect("pci.0.2.0.sectorsize", "512/4096", NULL);
	expect("pci.0.2.0.ser", "abc", NULL);
	expect("pci.0.3.0.device", "virtio-net", NULL);
	expect("pci.0.3.0.backend", "tap0",
	    "-s 3:0,virtio-net,tap0,mac=02:00:00:00:00:01,mtu=1500");
	expect("pci.0.3.0.mac", "02:00:00:00:00:01", NULL);
	expect("pci.0.3.0.mtu", "1500", NULL);
	expect("pci.0.4.0.device", "virtio-rnd", "-s 0:4:0,virtio-rnd");
	expect("pci.0.5.0.device", "amd_hostbridge", NULL);
	expect("lpc.com1.path", "stdio", "-l com1,stdio");
	expect("lpc.com2.path", "/dev/pts/3", "-l com2,/dev/pts/3");
	expect("boot.kernel", "/k", "-o");
	expect("boot.cmdline", "console=ttyS0 quiet", "-o");
	expect("uuid", "6ba7b810-9dad-11d1-80b4-00c04fd430c8", NULL);
	expect("rtc.use_localtime", "false", "-u");
	expect("x86.strictmsr", "false", "-w");
	expect("x86.strictio", "true", "-e");
	expect("x86.x2apic", "true", "-x");
	expect("x86.mptable", "false", "-Y");
	expect("memory.wired", "true", "-S");
	expect("memory.guest_in_core", "true", "-C");
	expect("destroy_on_poweroff", "true", "-D");
	expect("vcpu.0.cpuset", "1,2", "-p 0:2");
	expect("vcpu.1.cpuset", "3", "-p 1:3");
	expect("name", "vm0", "command line");
	if (cfg_validate(c, CFG_ROLE_VMM, err, sizeof(err)) != 0)
		fail_msg("%s", err);
}

static void
test_bundled_and_attached(void **state)
{
	(void)state;
	assert_int_equal(run(ARGV("-AHPc4", "-m1G", "-xa", "-oname=v",
	    "-s2,virtio-rnd")), 0);
	expect("acpi_tables", "true", NULL);
	expect("x86.vmexit_on_pause", "true", NULL);
	expect("cpus", "4", "-c 4");
	expect("memory.size", "1G", "-m 1G");
	expect("x86.x2apic", "false", "-a");	/* later wins */
	expect("name", "v", "-o");
	expect("pci.0.2.0.device", "virtio-rnd", "-s 2,virtio-rnd");
	assert_int_equal(run(ARGV("-a", "-x")), 0);
	expect("x86.x2apic", "true", "-x");
	/* "--" ends the options */
	assert_int_equal(run(ARGV("-A", "--", "-vm")), 0);
	expect("name", "-vm", NULL);
	assert_int_equal(run(ARGV("-")), 0);
	expect("name", "-", NULL);
}

static void
test_topology(void **state)
{
	(void)state;
	assert_int_equal(run(ARGV("-c", "cpus=4")), 0);
	expect("cpus", "4", "-c cpus=4");
	assert_int_equal(run(ARGV("-c", "sockets=2,cores=2,threads=2")), 0);
	expect("sockets", "2", NULL);
	expect("cores", "2", NULL);
	expect("threads", "2", NULL);
	assert_null(cfg_get(c, "cpus"));
	assert_int_equal(run(ARGV("-c", "8,sockets=2,cores=4")), 0);
	expect("cpus", "8", NULL);
	assert_int_equal(run(ARGV("-c", "")), 0);
	expect("cpus", "1", "-c ");
	expect("sockets", "1", NULL);
	expect("cores", "1", NULL);
	expect("threads", "1", NULL);
	assert_int_equal(run(ARGV("-c", "foo=1")), -EINVAL);
	assert_string_equal(err, "-c foo=1: unknown topology item \"foo\" "
	    "(cpus, sockets, cores, threads)");
	assert_int_equal(run(ARGV("-c", "4,maxcpus=8")), -ENOTSUP);
	assert_string_equal(err, "-c 4,maxcpus=8: unknown topology item "
	    "\"maxcpus\" (cpus, sockets, cores, threads)");
	assert_int_equal(run(ARGV("-c", "4,,")), -EINVAL);
	assert_string_equal(err, "-c 4,,: empty element");
	/* value errors surface in validation, naming the flag */
	assert_int_equal(run(ARGV("-c", "cpus=x", "-o", "boot.kernel=/k",
	    "vm")), 0);
	assert_int_equal(cfg_validate(c, CFG_ROLE_VMM, err, sizeof(err)),
	    -EINVAL);
	assert_string_equal(err, "-c cpus=x: cpus: \"x\" is not an unsigned "
	    "number");
	assert_int_equal(run(ARGV("-c", "4,cores=4", "-o", "boot.kernel=/k",
	    "vm")), 0);
	assert_int_equal(cfg_validate(c, CFG_ROLE_VMM, err, sizeof(err)),
	    -EINVAL);
	assert_string_equal(err, "-c 4,cores=4: cpus: topology (4 sockets, 4 "
	    "cores, 1 threads) does not match 4 vCPUs");
}

static void
test_memory(void **state)
{
	(void)state;
	assert_int_equal(run(ARGV("-m", "512")), 0);
	expect("memory.size", "512", "-m 512");
	assert_int_equal(run(ARGV("-m", "12Q")), -EINVAL);
	assert_string_equal(err, "-m 12Q: not a size (a number with K, M, G "
	    "or T; no suffix means MB)");
	assert_int_equal(run(ARGV("-m", "16", "-o", "boot.kernel=/k", "v")),
	    0);
	assert_int_equal(cfg_validate(c, CFG_ROLE_VMM, err, sizeof(err)),
	    -EINVAL);
	assert_string_equal(err, "-m 16: memory.size: out of range 32M..1T");
}

static void
test_slot_errors(void **state)
{
	static const struct {
		const char *arg;
		int r;
		const char *msg;
	} cases[] = {
		{ "x,virtio-rnd", -EINVAL, "-s x,virtio-rnd: bad slot "
		  "(expected slot, slot:func or bus:slot:func, then "
		  ",emulation)" },
		{ "1:2:3:4,virtio-rnd", -EINVAL, "-s 1:2:3:4,virtio-rnd: bad "
		  "slot (expected slot, slot:func or bus:slot:func, then "
		  ",emulation)" },
		{ "2:,virtio-rnd", -EINVAL, "-s 2:,virtio-rnd: bad slot "
		  "(expected slot, slot:func or bus:slot:func, then "
		  ",emulation)" },
		{ ",virtio-rnd", -EINVAL, "-s ,virtio-rnd: bad slot (expected "
		  "slot, slot:func or bus:slot:func, then ,emulation)" },
		{ "-1,virtio-rnd", -EINVAL, "-s -1,virtio-rnd: bad slot "
		  "(expected slot, slot:func or bus:slot:func, then "
		  ",emulation)" },
		{ "256:0:0,virtio-rnd", -EINVAL, "-s 256:0:0,virtio-rnd: bad "
		  "slot (expected slot, slot:func or bus:slot:func, then "
		  ",emulation)" },
		{ "32,virtio-rnd", -EINVAL, "-s 32,virtio-rnd: slot 0:32:0 out "
		  "of range (bus 0-255, slot 0-31, function 0-7)" },
		{ "2:8,virtio-rnd", -EINVAL, "-s 2:8,virtio-rnd: slot 0:2:8 "
		  "out of range (bus 0-255, slot 0-31, function 0-7)" },
		{ "2", -EINVAL, "-s 2: missing emulation (-s slot,emulation"
		  "[,conf]; -s help lists them)" },
		{ "2,", -EINVAL, "-s 2,: missing emulation (-s slot,emulation"
		  "[,conf]; -s help lists them)" },
		{ "2,,x", -EINVAL, "-s 2,,x: missing emulation (-s slot,"
		  "emulation[,conf]; -s help lists them)" },
		{ "2,ahci-hd,/x", -ENOTSUP, "-s 2,ahci-hd,/x: emulation "
		  "\"ahci-hd\" is unknown or not supported by hyve (-s help "
		  "lists them)" },
		{ "2,virtio-blk,/x,foo", -EINVAL, "-s 2,virtio-blk,/x,foo: "
		  "virtio-blk has no option \"foo\" (options: path, ro, "
		  "nocache, direct, sectorsize, ser, sock)" },
		{ "2,virtio-blk,,ro", -EINVAL, "-s 2,virtio-blk,,ro: empty "
		  "path" },
		{ "2,virtio-blk,/x,ro,,direct", -EINVAL, "-s 2,virtio-blk,/x,"
		  "ro,,direct: empty option" },
		{ "2,virtio-rnd,x", -EINVAL, "-s 2,virtio-rnd,x: virtio-rnd "
		  "has no option \"x\" (options: sock)" },
		{ "2,virtio-net,tap0,speed=10", -EINVAL, "-s 2,virtio-net,"
		  "tap0,speed=10: virtio-net has no option \"speed\" "
		  "(options: backend, mac, mtu, sock)" },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
		int r = run(ARGV("-s", cases[i].arg));

		if (r != cases[i].r || strcmp(err, cases[i].msg) != 0)
			fail_msg("%s: got %d \"%s\"\nwant %d \"%s\"",
			    cases[i].arg, r, err, cases[i].r, cases[i].msg);
	}
}

static void
test_slot_twice(void **state)
{
	(void)state;
	assert_int_equal(run(ARGV("-s", "2,virtio-blk,/a.img", "-s",
	    "2,virtio-net,tap0", "vm")), -EEXIST);
	assert_string_equal(err, "-s 2,virtio-net,tap0: pci.0.2.0.device: "
	    "pci slot 0:2:0 already holds virtio-blk (from -s "
	    "2,virtio-blk,/a.img)");
	/* the same slot written two ways */
	assert_int_equal(run(ARGV("-s", "0:2:0,virtio-rnd", "-o",
	    "pci.0.2.0.device=virtio-rnd")), -EEXIST);
	assert_string_equal(err, "-o: pci.0.2.0.device: pci slot 0:2:0 "
	    "already holds virtio-rnd (from -s 0:2:0,virtio-rnd)");
	/* different functions are different slots */
	assert_int_equal(run(ARGV("-s", "2:0,virtio-rnd", "-s",
	    "2:1,virtio-rnd")), 0);
}

static void
test_slot_value_errors_name_flag(void **state)
{
	(void)state;
	assert_int_equal(run(ARGV("-s", "2,virtio-blk,/x,sectorsize=3", "-o",
	    "boot.kernel=/k", "vm")), 0);
	assert_int_equal(cfg_validate(c, CFG_ROLE_VMM, err, sizeof(err)),
	    -EINVAL);
	assert_string_equal(err, "-s 2,virtio-blk,/x,sectorsize=3: "
	    "pci.0.2.0.sectorsize: expected LOGICAL[/PHYSICAL], powers of "
	    "two 512..65536");
}

static void
test_lpc(void **state)
{
	static const struct {
		const char *arg;
		int r;
		const char *msg;
	} cases[] = {
		{ "com1", -EINVAL, "-l com1: missing back end (stdio, fd:N or "
		  "a tty path)" },
		{ "com2,", -EINVAL, "-l com2,: missing back end (stdio, fd:N "
		  "or a tty path)" },
		{ "bootrom,/u.fd", -ENOTSUP, "-l bootrom,/u.fd: boot ROMs "
		  "(UEFI) are not supported; hyve boots a kernel directly "
		  "(-o boot.kernel=PATH)" },
		{ "com3,stdio", -ENOTSUP, "-l com3,stdio: LPC device com3 is "
		  "not supported by hyve (-l help lists what is)" },
		{ "com4,stdio", -ENOTSUP, "-l com4,stdio: LPC device com4 is "
		  "not supported by hyve (-l help lists what is)" },
		{ "tpm,swtpm,/s", -ENOTSUP, "-l tpm,swtpm,/s: LPC device tpm "
		  "is not supported by hyve (-l help lists what is)" },
		{ "fwcfg,qemu", -ENOTSUP, "-l fwcfg,qemu: LPC device fwcfg is "
		  "not supported by hyve (-l help lists what is)" },
		{ "pc-testdev", -ENOTSUP, "-l pc-testdev: LPC device "
		  "pc-testdev is not supported by hyve (-l help lists what "
		  "is)" },
		{ "serial,x", -EINVAL, "-l serial,x: unknown LPC device "
		  "\"serial\" (-l help lists them)" },
		{ "com10,x", -EINVAL, "-l com10,x: unknown LPC device "
		  "\"com10\" (-l help lists them)" },
	};

	(void)state;
	assert_int_equal(run(ARGV("-l", "com1,fd:3")), 0);
	expect("lpc.com1.path", "fd:3", "-l com1,fd:3");
	assert_int_equal(run(ARGV("-l", "com1,stdio", "-l", "com1,/dev/x")),
	    0);
	expect("lpc.com1.path", "/dev/x", "-l com1,/dev/x");
	for (size_t i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
		int r = run(ARGV("-l", cases[i].arg));

		if (r != cases[i].r || strcmp(err, cases[i].msg) != 0)
			fail_msg("%s: got %d \"%s\"\nwant %d \"%s\"",
			    cases[i].arg, r, err, cases[i].r, cases[i].msg);
	}
}

static void
test_help(void **state)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f;

	(void)state;
	assert_int_equal(run(ARGV("-s", "help")), 0);
	assert_int_equal(act, CMDLINE_HELP_PCI);
	assert_int_equal(run(ARGV("-A", "-l", "help", "-Q")), 0);
	assert_int_equal(act, CMDLINE_HELP_LPC);
	/* -h stops parsing, like bhyve's usage(0) */
	assert_int_equal(run(ARGV("-h", "-Q")), 0);
	assert_int_equal(act, CMDLINE_HELP);
	assert_int_equal(run(ARGV("-Ah")), 0);
	assert_int_equal(act, CMDLINE_HELP);

	f = open_memstream(&buf, &len);
	cmdline_help(f, CMDLINE_HELP_PCI, "hyve");
	fflush(f);
	assert_non_null(strstr(buf, "virtio-blk"));
	assert_non_null(strstr(buf, "amd_hostbridge"));
	fclose(f);
	free(buf);
	buf = NULL;
	f = open_memstream(&buf, &len);
	cmdline_help(f, CMDLINE_HELP_LPC, "hyve");
	fflush(f);
	assert_non_null(strstr(buf, "com2"));
	assert_non_null(strstr(buf, "fd:N"));
	fclose(f);
	free(buf);
	buf = NULL;
	f = open_memstream(&buf, &len);
	cmdline_help(f, CMDLINE_HELP, "hyve");
	fflush(f);
	assert_non_null(strstr(buf, "usage: hyve"));
	/* every flag hyve takes is in the usage text */
	for (const char *p = "AaCcDeHhIklmoPpSsUuwxY"; *p; p++) {
		char opt[4] = { ' ', '-', *p, 0 };

		if (strstr(buf, opt) == NULL)
			fail_msg("usage lacks -%c", *p);
	}
	fclose(f);
	free(buf);
}

static void
test_refused_and_unknown(void **state)
{
	static const struct {
		const char *flag, *arg;
		const char *msg;
	} cases[] = {
		{ "-G", "1234", "-G: not supported by hyve: the gdb stub is "
		  "not supported" },
		{ "-K", "us", "-K: not supported by hyve: there is no keyboard "
		  "or framebuffer to set a layout for" },
		{ "-r", "snap", "-r: not supported by hyve: snapshot restore "
		  "is not supported" },
		{ "-f", "name=x", "-f: not supported by hyve: fw_cfg is not "
		  "supported" },
		{ "-B", "1,manufacturer=x", "-B: not supported by hyve: SMBIOS "
		  "tables are not supported" },
		{ "-M", "x", "-M: not supported by hyve: machine types are not "
		  "supported" },
		{ "-W", "vm", "-W: not supported by hyve: virtio devices "
		  "always use MSI-X" },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
		assert_int_equal(run(ARGV(cases[i].flag, cases[i].arg)),
		    -ENOTSUP);
		assert_string_equal(err, cases[i].msg);
	}
	assert_int_equal(run(ARGV("-Q")), -EINVAL);
	assert_string_equal(err, "-Q: unknown flag (hyve -h lists them)");
	assert_int_equal(run(ARGV("-AQ")), -EINVAL);
	assert_string_equal(err, "-Q: unknown flag (hyve -h lists them)");
	assert_int_equal(run(ARGV("--long")), -EINVAL);
	assert_string_equal(err, "--: unknown flag (hyve -h lists them)");
	for (const char *p = "cmslkopU"; *p; p++) {
		char flag[3] = { '-', *p, 0 };
		char want[64];

		assert_int_equal(run(ARGV(flag)), -EINVAL);
		snprintf(want, sizeof(want), "-%c: missing argument", *p);
		assert_string_equal(err, want);
	}
}

static void
test_names(void **state)
{
	(void)state;
	assert_int_equal(run(ARGV("-A")), 0);
	assert_null(cfg_get(c, "name"));
	assert_int_equal(run(ARGV("vm0", "vm1")), -EINVAL);
	assert_string_equal(err, "vm1: unexpected argument after the VM name "
	    "\"vm0\" (options come before the name)");
	assert_int_equal(run(ARGV("vm0", "-A")), -EINVAL);
	assert_string_equal(err, "-A: unexpected argument after the VM name "
	    "\"vm0\" (options come before the name)");
	/* the argument overrides a name from -o, as in bhyve */
	assert_int_equal(run(ARGV("-o", "name=a", "b")), 0);
	expect("name", "b", "command line");
	assert_int_equal(run((const char *const[]){ "hyve", NULL }), 0);
	assert_int_equal(act, CMDLINE_RUN);
}

static void
test_o_and_k(void **state)
{
	char path[] = "/tmp/test_cmdline.XXXXXX";
	int fd = mkstemp(path);
	FILE *f;

	(void)state;
	assert_true(fd >= 0);
	f = fdopen(fd, "w");
	fputs("cpus=4\nmemory.size=1G\n", f);
	fclose(f);
	/* -k loads at its position: later flags win, earlier lose */
	assert_int_equal(run(ARGV("-c", "2", "-k", path, "-m", "2G")), 0);
	expect("cpus", "4", NULL);
	expect("memory.size", "2G", "-m 2G");
	assert_non_null(strstr(cfg_origin(c, "cpus"), ":1"));
	assert_int_equal(run(ARGV("-k", path, "-c", "2")), 0);
	expect("cpus", "2", "-c 2");
	assert_int_equal(run(ARGV("-k", "/nonexistent.conf")), -ENOENT);
	assert_string_equal(err, "/nonexistent.conf: cannot open: No such "
	    "file or directory");
	assert_int_equal(run(ARGV("-o", "novalue")), -EINVAL);
	assert_string_equal(err, "-o: \"novalue\": expected key=value");
	assert_int_equal(run(ARGV("-o", "bad key=1")), -EINVAL);
	/* file errors carry file:line */
	f = fopen(path, "w");
	fputs("cpus=4\nnonsense\n", f);
	fclose(f);
	assert_int_equal(run(ARGV("-k", path)), -EINVAL);
	assert_non_null(strstr(err, ":2: \"nonsense\": expected key=value"));
	unlink(path);
}

static void
test_pin(void **state)
{
	static const char *const bad[] = { "x:1", "0", "0:", ":1", "0:4096",
		"4096:0", "0:1:2", "-1:0" };

	(void)state;
	assert_int_equal(run(ARGV("-p", "0:1", "-p", "0:1")), 0);
	expect("vcpu.0.cpuset", "1,1", "-p 0:1");
	for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++) {
		char want[128];

		assert_int_equal(run(ARGV("-p", bad[i])), -EINVAL);
		snprintf(want, sizeof(want), "-p %s: expected vcpu:hostcpu "
		    "(numbers below 4096)", bad[i]);
		assert_string_equal(err, want);
	}
	/* an over-long list is refused, not truncated */
	{
		const char *argv[2 + 2 * 1200 + 1];
		int n = 0, r;

		argv[n++] = "hyve";
		for (int i = 0; i < 1200; i++) {
			argv[n++] = "-p";
			argv[n++] = "0:4000";
		}
		argv[n] = NULL;
		r = run(argv);
		assert_int_equal(r, -EINVAL);
		assert_string_equal(err, "-p 0:4000: vcpu.0.cpuset: too many "
		    "host CPUs");
	}
	/* -p for a vCPU that does not exist is caught by validation */
	assert_int_equal(run(ARGV("-p", "3:1", "-o", "boot.kernel=/k", "v")),
	    0);
	assert_int_equal(cfg_validate(c, CFG_ROLE_VMM, err, sizeof(err)),
	    -EINVAL);
	assert_string_equal(err, "-p 3:1: vcpu.3.cpuset: the VM has only 1 "
	    "vCPU (0..0)");
}

static void
test_uuid(void **state)
{
	(void)state;
	assert_int_equal(run(ARGV("-U", "nope", "-o", "boot.kernel=/k",
	    "v")), 0);
	expect("uuid", "nope", "-U nope");
	assert_int_equal(cfg_validate(c, CFG_ROLE_VMM, err, sizeof(err)),
	    -EINVAL);
	assert_string_equal(err, "-U nope: uuid: not a UUID (xxxxxxxx-xxxx-"
	    "xxxx-xxxx-xxxxxxxxxxxx)");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_full, teardown),
		cmocka_unit_test_teardown(test_bundled_and_attached, teardown),
		cmocka_unit_test_teardown(test_topology, teardown),
		cmocka_unit_test_teardown(test_memory, teardown),
		cmocka_unit_test_teardown(test_slot_errors, teardown),
		cmocka_unit_test_teardown(test_slot_twice, teardown),
		cmocka_unit_test_teardown(test_slot_value_errors_name_flag,
		    teardown),
		cmocka_unit_test_teardown(test_lpc, teardown),
		cmocka_unit_test_teardown(test_help, teardown),
		cmocka_unit_test_teardown(test_refused_and_unknown, teardown),
		cmocka_unit_test_teardown(test_names, teardown),
		cmocka_unit_test_teardown(test_o_and_k, teardown),
		cmocka_unit_test_teardown(test_pin, teardown),
		cmocka_unit_test_teardown(test_uuid, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
