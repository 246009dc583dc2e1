/*
 * test_hyvectl: hyvectl's argument parsing (both spellings, every refusal),
 * JSON escaping and the list/stats output, sizes and uptimes, the console
 * escape machine, the console-link check, /proc/PID/cgroup parsing, and a
 * real console session on a pty: output written before the attach is
 * read, input reaches the guest side, ~. detaches, a second attach is
 * refused with the holder's pid.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include <cmocka.h>

#include "launcher/hyvectl_args.h"
#include "launcher/hyvectl_client.h"
#include "launcher/hyvectl_console.h"
#include "launcher/hyvectl_fmt.h"

/* ---------------------------------------------------------------- args */

static int
parse(struct hyvectl_args *a, char *err, ...)
{
	char *argv[32];
	int argc = 0;
	va_list ap;

	static char prog[] = "hyvectl";

	argv[argc++] = prog;
	va_start(ap, err);
	for (char *s; (s = va_arg(ap, char *)) != NULL; )
		argv[argc++] = s;
	va_end(ap);
	argv[argc] = NULL;
	return hyvectl_parse_args(argc, argv, a, err, 256);
}

static void
test_args_commands(void **state)
{
	struct hyvectl_args a;
	char err[256];

	(void)state;
	assert_int_equal(parse(&a, err, "list", NULL), 0);
	assert_int_equal(a.cmd, HYVECTL_LIST);
	assert_false(a.json);
	assert_string_equal(a.run_base, "/run/hyve");
	assert_int_equal(a.timeout_ms, HYVECTL_TIMEOUT_MS);

	assert_int_equal(parse(&a, err, "-r", "/tmp/r", "-t", "3", "list",
	    "--json", NULL), 0);
	assert_true(a.json);
	assert_string_equal(a.run_base, "/tmp/r");
	assert_int_equal(a.timeout_ms, 3000);
	assert_int_equal(parse(&a, err, "--run-dir=/x", "--timeout=1", "ls",
	    NULL), 0);
	assert_string_equal(a.run_base, "/x");
	assert_int_equal(a.timeout_ms, 1000);

	assert_int_equal(parse(&a, err, "poweroff", "vm0", NULL), 0);
	assert_int_equal(a.cmd, HYVECTL_POWEROFF);
	assert_string_equal(a.name, "vm0");
	assert_int_equal(a.wait_s, 0);
	assert_int_equal(parse(&a, err, "poweroff", "-w", "30", "vm0", NULL),
	    0);
	assert_int_equal(a.wait_s, 30);
	assert_int_equal(parse(&a, err, "poweroff", "vm0", "--wait=5", NULL),
	    0);
	assert_int_equal(a.wait_s, 5);
	assert_int_equal(parse(&a, err, "poweroff", "--wait", "vm0", NULL), 0);
	assert_int_equal(a.wait_s, 60);
	assert_string_equal(a.name, "vm0");

	assert_int_equal(parse(&a, err, "destroy", "vm0", NULL), 0);
	assert_int_equal(a.cmd, HYVECTL_DESTROY);
	assert_int_equal(a.wait_s, HYVECTL_DESTROY_WAIT_S);
	assert_int_equal(parse(&a, err, "destroy", "-w", "0", "vm0", NULL), 0);
	assert_int_equal(a.wait_s, 0);

	assert_int_equal(parse(&a, err, "reboot", "web-1.a_b", NULL), 0);
	assert_int_equal(a.cmd, HYVECTL_REBOOT);
	assert_int_equal(parse(&a, err, "console", "-q", "-l", "250", "vm0",
	    NULL), 0);
	assert_int_equal(a.cmd, HYVECTL_CONSOLE);
	assert_true(a.quiet);
	assert_int_equal(a.linger_ms, 250);
	assert_int_equal(parse(&a, err, "stats", "--json", "vm0", NULL), 0);
	assert_int_equal(a.cmd, HYVECTL_STATS);
	assert_true(a.json);
	/* An explicit path. */
	assert_int_equal(parse(&a, err, "stats", "/run/hyve/vm0", NULL), 0);
	assert_string_equal(a.name, "/run/hyve/vm0");

	assert_int_equal(parse(&a, err, "help", NULL), 0);
	assert_int_equal(a.cmd, HYVECTL_HELP);
	assert_int_equal(parse(&a, err, "--help", NULL), 0);
	assert_int_equal(a.cmd, HYVECTL_HELP);
}

static void
test_args_bhyvectl(void **state)
{
	struct hyvectl_args a;
	char err[256];

	(void)state;
	assert_int_equal(parse(&a, err, "--destroy", "--vm=vm0", NULL), 0);
	assert_int_equal(a.cmd, HYVECTL_DESTROY);
	assert_string_equal(a.name, "vm0");
	assert_int_equal(a.wait_s, HYVECTL_DESTROY_WAIT_S);
	assert_int_equal(parse(&a, err, "--vm", "vm1", "--destroy", NULL), 0);
	assert_string_equal(a.name, "vm1");
	assert_int_equal(parse(&a, err, "-r", "/r", "--get-stats", "--vm=x",
	    NULL), 0);
	assert_int_equal(a.cmd, HYVECTL_STATS);
	assert_string_equal(a.run_base, "/r");

	assert_int_equal(parse(&a, err, "--destroy", NULL), -EINVAL);
	assert_non_null(strstr(err, "--vm=NAME"));
	assert_int_equal(parse(&a, err, "--vm=vm0", NULL), -EINVAL);
	assert_int_equal(parse(&a, err, "--destroy", "--get-stats", "--vm=a",
	    NULL), -EINVAL);
	assert_int_equal(parse(&a, err, "--destroy", "--vm", NULL), -EINVAL);
	assert_int_equal(parse(&a, err, "--destroy", "--vm=a", "--vm=b", NULL),
	    -EINVAL);
	assert_int_equal(parse(&a, err, "--destroy", "--vm=a", "--force", NULL),
	    -EINVAL);
	assert_non_null(strstr(err, "--force"));
	assert_int_equal(parse(&a, err, "--destroy", "--vm=../etc", NULL),
	    -EINVAL);
}

static void
test_args_refused(void **state)
{
	struct hyvectl_args a;
	char err[256];

	(void)state;
	assert_int_equal(parse(&a, err, NULL), -EINVAL);
	assert_int_equal(parse(&a, err, "frobnicate", NULL), -EINVAL);
	assert_non_null(strstr(err, "frobnicate"));
	assert_int_equal(parse(&a, err, "poweroff", NULL), -EINVAL);
	assert_non_null(strstr(err, "which VM"));
	assert_int_equal(parse(&a, err, "poweroff", "a", "b", NULL), -EINVAL);
	assert_int_equal(parse(&a, err, "list", "vm0", NULL), -EINVAL);
	assert_int_equal(parse(&a, err, "reboot", "--json", "vm0", NULL),
	    -EINVAL);
	assert_int_equal(parse(&a, err, "stats", "-q", "vm0", NULL), -EINVAL);
	assert_int_equal(parse(&a, err, "poweroff", "-w", "x", "vm0", NULL),
	    -EINVAL);
	assert_int_equal(parse(&a, err, "poweroff", "-w", "-1", "vm0", NULL),
	    -EINVAL);
	assert_int_equal(parse(&a, err, "poweroff", "-w", "99999", "vm0",
	    NULL), -EINVAL);
	assert_int_equal(parse(&a, err, "poweroff", "vm0", "-w", NULL),
	    -EINVAL);
	assert_int_equal(parse(&a, err, "-t", "0", "list", NULL), -EINVAL);
	assert_int_equal(parse(&a, err, "-t", "abc", "list", NULL), -EINVAL);
	assert_int_equal(parse(&a, err, "-t", NULL), -EINVAL);
	assert_int_equal(parse(&a, err, "-r", "relative", "list", NULL),
	    -EINVAL);
	assert_int_equal(parse(&a, err, "console", "-l", "x", "vm0", NULL),
	    -EINVAL);
	/* Names that could leave the run directory or are no names. */
	assert_int_equal(parse(&a, err, "stats", "..", NULL), -EINVAL);
	assert_int_equal(parse(&a, err, "stats", ".hidden", NULL), -EINVAL);
	assert_int_equal(parse(&a, err, "stats", "a b", NULL), -EINVAL);
	assert_int_equal(parse(&a, err, "stats", "x/../../etc", NULL),
	    -EINVAL);
	assert_int_equal(parse(&a, err, "stats", "../x", NULL), -EINVAL);
	char longname[80];
	memset(longname, 'a', 64);
	longname[64] = '\0';
	assert_int_equal(parse(&a, err, "stats", longname, NULL), -EINVAL);
	longname[63] = '\0';
	assert_int_equal(parse(&a, err, "stats", longname, NULL), 0);
}

/* ---------------------------------------------------------------- output */

static char *
capture(void (*fn)(FILE *, const void *), const void *arg)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	fn(f, arg);
	fclose(f);
	return buf;
}

static void
json_one(FILE *f, const void *s)
{
	hv_json_str(f, s);
}

static void
test_json_escape(void **state)
{
	char *o;

	(void)state;
	o = capture(json_one, "vm0");
	assert_string_equal(o, "\"vm0\"");
	free(o);
	o = capture(json_one, "a\"b\\c\nd\te\r\x01\x1f");
	assert_string_equal(o, "\"a\\\"b\\\\c\\nd\\te\\r\\u0001\\u001f\"");
	free(o);
	o = capture(json_one, "\xff\xc3\xa9\x7f");
	assert_string_equal(o, "\"\\u00ff\\u00c3\\u00a9\\u007f\"");
	free(o);
	o = capture(json_one, "");
	assert_string_equal(o, "\"\"");
	free(o);
}

static void
test_sizes_uptimes(void **state)
{
	char b[32];

	(void)state;
	hv_fmt_size(b, sizeof(b), 0);
	assert_string_equal(b, "0B");
	hv_fmt_size(b, sizeof(b), 1023);
	assert_string_equal(b, "1023B");
	hv_fmt_size(b, sizeof(b), 1024);
	assert_string_equal(b, "1K");
	hv_fmt_size(b, sizeof(b), 512ULL << 20);
	assert_string_equal(b, "512M");
	hv_fmt_size(b, sizeof(b), 3ULL << 29);
	assert_string_equal(b, "1.5G");
	hv_fmt_size(b, sizeof(b), UINT64_MAX);
	assert_string_equal(b, "15.9E");
	hv_fmt_uptime(b, sizeof(b), 0);
	assert_string_equal(b, "0s");
	hv_fmt_uptime(b, sizeof(b), 59);
	assert_string_equal(b, "59s");
	hv_fmt_uptime(b, sizeof(b), 187);
	assert_string_equal(b, "3m07s");
	hv_fmt_uptime(b, sizeof(b), 7500);
	assert_string_equal(b, "2h05m");
	hv_fmt_uptime(b, sizeof(b), 356400);
	assert_string_equal(b, "4d03h");
	hv_fmt_uptime(b, sizeof(b), UINT64_MAX);
	assert_true(strlen(b) > 0);
}

static struct hv_vm vms[2];

static void
list_table(FILE *f, const void *arg)
{
	(void)arg;
	hv_print_list(f, vms, 2, false);
}

static void
list_json(FILE *f, const void *arg)
{
	(void)arg;
	hv_print_list(f, vms, 2, true);
}

static void
list_empty(FILE *f, const void *arg)
{
	(void)arg;
	hv_print_list(f, vms, 0, true);
}

static void
test_list(void **state)
{
	char *o;

	(void)state;
	memset(vms, 0, sizeof(vms));
	strcpy(vms[0].name, "vm0");
	vms[0].status = HV_UP;
	vms[0].host_pid = 4242;
	vms[0].pidfile = 4000;
	vms[0].uid = 5001;
	vms[0].info.state = CTL_STATE_RUNNING;
	vms[0].info.ncpus = 2;
	vms[0].info.memory = 512ULL << 20;
	vms[0].info.uptime_ms = 187000;
	strcpy(vms[1].name, "old");
	vms[1].status = HV_STALE;
	vms[1].host_pid = -1;
	vms[1].pidfile = 77;
	vms[1].uid = -1;
	strcpy(vms[1].why, "stale: \"gone\"");

	o = capture(list_table, NULL);
	assert_non_null(strstr(o, "NAME"));
	assert_non_null(strstr(o, "UPTIME"));
	assert_non_null(strstr(o, "vm0"));
	assert_non_null(strstr(o, "4242"));
	assert_non_null(strstr(o, "5001"));
	assert_non_null(strstr(o, "running"));
	assert_non_null(strstr(o, "512M"));
	assert_non_null(strstr(o, "3m07s"));
	assert_non_null(strstr(o, "old"));
	assert_non_null(strstr(o, "stale"));
	free(o);

	o = capture(list_json, NULL);
	assert_non_null(strstr(o, "{\"name\":\"vm0\",\"pid\":4242,\"uid\":5001,"
	    "\"state\":\"running\",\"cpus\":2,\"memory\":536870912,"
	    "\"uptime\":187}"));
	assert_non_null(strstr(o, "{\"name\":\"old\",\"pid\":77,\"uid\":null,"
	    "\"state\":\"stale\",\"cpus\":null,\"memory\":null,"
	    "\"uptime\":null,\"reason\":\"stale: \\\"gone\\\"\"}"));
	assert_int_equal(o[0], '[');
	assert_int_equal(o[strlen(o) - 2], ']');
	free(o);
	o = capture(list_empty, NULL);
	assert_string_equal(o, "[]\n");
	free(o);
}

static struct ctl_stats st;
static struct hv_cgroup cg;

static void
stats_json(FILE *f, const void *arg)
{
	(void)arg;
	hv_print_stats(f, &vms[0], &st, &cg, true);
}

static void
stats_table(FILE *f, const void *arg)
{
	(void)arg;
	hv_print_stats(f, &vms[0], &st, &cg, false);
}

static void
test_stats_output(void **state)
{
	char *o;

	(void)state;
	memset(&st, 0, sizeof(st));
	memset(&cg, 0, sizeof(cg));
	strcpy(vms[0].name, "vm0");
	st.uptime_ms = 5000;
	st.nvcpus = 2;
	st.vcpu_exits[0] = 100;
	st.vcpu_exits[1] = 23;
	st.flags = CTL_STATS_EXIT_REASONS | CTL_STATS_CONSOLE;
	st.exits[2] = 120;
	st.exits[40] = 3;
	st.console_tx = 9;
	st.ndevs = 1;
	strcpy(st.devs[0].name, "virtio-blk");
	strcpy(st.devs[0].slot, "0:2:0");
	st.devs[0].state = CTL_DEV_NEEDS_RESET;
	st.devs[0].flags = CTL_DEV_COUNTERS;
	st.devs[0].requests = 7;
	st.devs[0].bytes_in = 4096;
	st.devs[0].needs_reset = 1;
	st.ndevs = 2;
	strcpy(st.devs[1].name, "virtio-rnd");
	strcpy(st.devs[1].slot, "0:4:0");
	st.devs[1].state = CTL_DEV_GONE;
	st.devs[1].requests = 99;	/* no CTL_DEV_COUNTERS: not shown */
	cg.version = 2;
	strcpy(cg.path, "/hyve/vm0");
	cg.cpu_usec = 1500000;
	cg.mem_cur = 1 << 20;
	cg.mem_max = -2;
	cg.pids_cur = 4;
	cg.pids_max = -1;

	o = capture(stats_json, NULL);
	assert_non_null(strstr(o, "\"exits\":{\"total\":123,\"by_reason\":"
	    "{\"io\":120,\"reason_40\":3},\"per_vcpu\":[100,23]}"));
	assert_non_null(strstr(o, "\"console\":{\"tx\":9,\"rx\":0,"
	    "\"dropped\":0}"));
	assert_non_null(strstr(o, "{\"slot\":\"0:2:0\",\"device\":"
	    "\"virtio-blk\",\"state\":\"needs-reset\",\"requests\":7,"
	    "\"bytes_in\":4096,\"bytes_out\":0,\"errors\":0,"
	    "\"needs_reset\":1}"));
	assert_non_null(strstr(o, "{\"slot\":\"0:4:0\",\"device\":"
	    "\"virtio-rnd\",\"state\":\"gone\",\"requests\":null,"
	    "\"bytes_in\":null,\"bytes_out\":null,\"errors\":null,"
	    "\"needs_reset\":0}"));
	assert_non_null(strstr(o, "\"cgroup\":{\"path\":\"/hyve/vm0\","
	    "\"version\":2,\"cpu_usec\":1500000,\"memory\":1048576,"
	    "\"memory_max\":\"max\",\"pids\":4,\"pids_max\":null}"));
	free(o);
	o = capture(stats_table, NULL);
	assert_non_null(strstr(o, "123 total (vcpu0 100, vcpu1 23)"));
	assert_non_null(strstr(o, "io 120"));
	assert_non_null(strstr(o, "needs-reset"));
	assert_non_null(strstr(o, "0:2:0    virtio-blk   needs-reset"
	    "          7         4K         0B       0       1\n"));
	assert_non_null(strstr(o, "0:4:0    virtio-rnd   gone       "
	    "          -          -          -       -       0\n"));
	assert_null(strstr(o, "99"));
	assert_non_null(strstr(o, "cpu 1.500s"));
	assert_non_null(strstr(o, "memory 1M / max"));
	free(o);

	/* No reasons, no console, no cgroup: said so, not zeros. */
	st.flags = 0;
	cg.version = 0;
	o = capture(stats_json, NULL);
	assert_non_null(strstr(o, "\"by_reason\":null"));
	assert_non_null(strstr(o, "\"console\":null"));
	assert_non_null(strstr(o, "\"cgroup\":null}"));
	free(o);
}

/* ---------------------------------------------------------------- cgroup */

static void
test_cgroup_parse(void **state)
{
	char v2[256], cpu[256], mem[256], pids[256];

	(void)state;
	assert_int_equal(hv_cgroup_parse("0::/hyve/vm0\n", v2, sizeof(v2), cpu,
	    mem, pids, sizeof(cpu)), 2);
	assert_string_equal(v2, "/hyve/vm0");
	assert_int_equal(hv_cgroup_parse("12:pids:/a\n4:cpu,cpuacct:/b\n"
	    "7:memory:/c\n0::/\n", v2, sizeof(v2), cpu, mem, pids,
	    sizeof(cpu)), 1);
	assert_string_equal(cpu, "/b");
	assert_string_equal(mem, "/c");
	assert_string_equal(pids, "/a");
	/* Nonsense, relative paths and ".." are ignored. */
	assert_int_equal(hv_cgroup_parse("", v2, sizeof(v2), cpu, mem, pids,
	    sizeof(cpu)), 0);
	assert_int_equal(hv_cgroup_parse("garbage\n::\n0::relative\n"
	    "0::/a/../../etc\n", v2, sizeof(v2), cpu, mem, pids, sizeof(cpu)),
	    0);
	/* Our own cgroup can be read (whatever it is). */
	struct hv_cgroup me;

	hv_cgroup_read(getpid(), "/sys/fs/cgroup", &me);
	assert_true(me.version >= 0 && me.version <= 2);
	hv_cgroup_read(999999999, "/sys/fs/cgroup", &me);
	assert_int_equal(me.version, 0);
}

/* --------------------------------------------------------------- console */

static void
feed(enum hv_esc_state *s, const char *in, const char *want_out,
    enum hv_esc_action want)
{
	char out[64];
	size_t nout, used;
	enum hv_esc_action a = hv_esc_feed(s, in, strlen(in), out, &nout,
	    &used);

	assert_int_equal(a, want);
	out[nout] = '\0';
	assert_string_equal(out, want_out);
}

static void
test_escape(void **state)
{
	enum hv_esc_state s = HV_ESC_LINE_START;
	char out[64];
	size_t nout, used;

	(void)state;
	feed(&s, "ls\r", "ls\r", HV_ESC_NONE);
	feed(&s, "~~x", "~x", HV_ESC_NONE);		/* "~~" is '~' */
	feed(&s, "a~.", "a~.", HV_ESC_NONE);		/* mid-line: data */
	feed(&s, "\r~", "\r", HV_ESC_NONE);		/* pending tilde */
	assert_int_equal(s, HV_ESC_TILDE);
	feed(&s, "q", "~q", HV_ESC_NONE);		/* not an escape */
	feed(&s, "\n~?", "\n", HV_ESC_HELP);
	assert_int_equal(s, HV_ESC_LINE_START);
	s = HV_ESC_LINE_START;
	/* Detach in the middle of a buffer: what follows is not used. */
	assert_int_equal(hv_esc_feed(&s, "ab\r~.rest", 9, out, &nout, &used),
	    HV_ESC_DETACH);
	assert_int_equal(nout, 3);
	assert_int_equal(used, 5);
	/* Split across reads. */
	s = HV_ESC_MID_LINE;
	feed(&s, "x\n", "x\n", HV_ESC_NONE);
	feed(&s, "~", "", HV_ESC_NONE);
	feed(&s, ".", "", HV_ESC_DETACH);
}

static void
test_console_target(void **state)
{
	(void)state;
	assert_true(hv_console_target_ok("/dev/pts/0"));
	assert_true(hv_console_target_ok("/dev/pts/123"));
	assert_false(hv_console_target_ok("/dev/pts/"));
	assert_false(hv_console_target_ok("/dev/pts/1/../../../etc/shadow"));
	assert_false(hv_console_target_ok("/etc/shadow"));
	assert_false(hv_console_target_ok("/dev/pts/ptmx"));
	assert_false(hv_console_target_ok("/dev/pts/1a"));
	assert_false(hv_console_target_ok("/dev/pts/12345678901"));
	assert_false(hv_console_target_ok("dev/pts/1"));
}

static char rdir[64];

static int
mkrun(int *master)
{
	char link[128];
	char *slave;

	snprintf(rdir, sizeof(rdir), "/tmp/test_hyvectl.XXXXXX");
	assert_non_null(mkdtemp(rdir));
	*master = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
	assert_true(*master >= 0);
	assert_int_equal(grantpt(*master), 0);
	assert_int_equal(unlockpt(*master), 0);
	slave = ptsname(*master);
	assert_non_null(slave);
	snprintf(link, sizeof(link), "%s/console", rdir);
	assert_int_equal(symlink(slave, link), 0);
	/* As hyve-jail: keep the slave open, raw. */
	int s = open(slave, O_RDWR | O_NOCTTY | O_CLOEXEC);
	struct termios t;

	assert_true(s >= 0);
	assert_int_equal(tcgetattr(s, &t), 0);
	cfmakeraw(&t);
	assert_int_equal(tcsetattr(s, TCSANOW, &t), 0);
	return s;
}

static void
rmrun(void)
{
	char p[128];

	snprintf(p, sizeof(p), "%s/console", rdir);
	unlink(p);
	rmdir(rdir);
}

static void
test_console_session(void **state)
{
	int master, slave, in[2], out[2];
	struct hv_console_opts o = { .name = "vm0", .quiet = true,
	    .linger_ms = 300 };
	char err[256], buf[256];
	ssize_t n;
	int r;

	(void)state;
	slave = mkrun(&master);
	o.dir = rdir;
	/* The guest printed its banner before anyone attached. */
	assert_int_equal(write(master, "BANNER\r\n", 8), 8);
	assert_int_equal(pipe(in), 0);
	assert_int_equal(pipe(out), 0);
	o.in_fd = in[0];
	o.out_fd = out[1];
	/* The operator types a command and then detaches. */
	assert_int_equal(write(in[1], "uname\r~.ignored", 15), 15);
	r = hv_console(&o, err, sizeof(err));
	assert_int_equal(r, 0);
	n = read(out[0], buf, sizeof(buf) - 1);
	assert_true(n > 0);
	buf[n] = '\0';
	assert_non_null(strstr(buf, "BANNER"));
	n = read(master, buf, sizeof(buf) - 1);
	assert_int_equal(n, 6);
	buf[n] = '\0';
	assert_string_equal(buf, "uname\r");

	/* Script mode: input ends, output that follows is still copied
	 * until the guest is quiet for linger_ms. */
	close(in[1]);
	assert_int_equal(write(master, "more\r\n", 6), 6);
	r = hv_console(&o, err, sizeof(err));
	assert_int_equal(r, 0);
	n = read(out[0], buf, sizeof(buf) - 1);
	assert_true(n > 0);
	buf[n] = '\0';
	assert_non_null(strstr(buf, "more"));

	/* A second attach while one is on: refused, with the pid. */
	int sync[2];

	assert_int_equal(pipe(sync), 0);
	pid_t pid = fork();

	assert_true(pid >= 0);
	if (pid == 0) {
		int hold[2];
		struct hv_console_opts c = o;

		if (pipe(hold) < 0)
			_exit(1);
		c.in_fd = hold[0];
		c.out_fd = open("/dev/null", O_WRONLY);
		/* Attached, then tell the parent. */
		if (write(master, "x", 1) != 1)
			_exit(2);
		close(sync[0]);
		if (fork() == 0) {
			/* Signal once the lock is surely held. */
			usleep(300000);
			(void)!write(sync[1], "1", 1);
			_exit(0);
		}
		(void)hv_console(&c, err, sizeof(err));
		_exit(0);
	}
	close(sync[1]);
	assert_int_equal(read(sync[0], buf, 1), 1);
	int in2[2];

	assert_int_equal(pipe(in2), 0);
	close(in2[1]);
	o.in_fd = in2[0];
	r = hv_console(&o, err, sizeof(err));
	assert_int_equal(r, -EBUSY);
	assert_non_null(strstr(err, "already attached"));
	snprintf(buf, sizeof(buf), "pid %ld", (long)pid);
	assert_non_null(strstr(err, buf));
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	/* The holder is gone: attaching works again. */
	r = hv_console(&o, err, sizeof(err));
	assert_int_equal(r, 0);

	close(in[0]);
	close(in2[0]);
	close(out[0]);
	close(out[1]);
	close(slave);
	close(master);
	rmrun();
}

/* The operator's terminal is raw during the session and restored after. */
static void
test_console_tty_restored(void **state)
{
	struct hv_console_opts o = { .name = "vm0", .quiet = true,
	    .linger_ms = 100 };
	struct termios before, after;
	char err[256];
	int master, slave, tm, ts, out[2];

	(void)state;
	slave = mkrun(&master);
	o.dir = rdir;
	/* The "operator's terminal": another pty, cooked. */
	tm = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
	assert_true(tm >= 0);
	assert_int_equal(grantpt(tm), 0);
	assert_int_equal(unlockpt(tm), 0);
	ts = open(ptsname(tm), O_RDWR | O_NOCTTY | O_CLOEXEC);
	assert_true(ts >= 0);
	assert_int_equal(tcgetattr(ts, &before), 0);
	assert_true(before.c_lflag & ICANON);
	assert_int_equal(pipe(out), 0);
	o.in_fd = ts;
	o.out_fd = out[1];
	/* In raw mode "~." arrives at once, no newline needed. */
	assert_int_equal(write(tm, "~.", 2), 2);
	assert_int_equal(hv_console(&o, err, sizeof(err)), 0);
	assert_int_equal(tcgetattr(ts, &after), 0);
	assert_int_equal(after.c_lflag, before.c_lflag);
	assert_int_equal(after.c_iflag, before.c_iflag);
	assert_int_equal(after.c_oflag, before.c_oflag);
	close(out[0]);
	close(out[1]);
	close(ts);
	close(tm);
	close(slave);
	close(master);
	rmrun();
}

static void
test_console_refused(void **state)
{
	struct hv_console_opts o = { .name = "vm0", .quiet = true };
	char err[256], link[128];

	(void)state;
	snprintf(rdir, sizeof(rdir), "/tmp/test_hyvectl.XXXXXX");
	assert_non_null(mkdtemp(rdir));
	o.dir = rdir;
	assert_int_equal(hv_console(&o, err, sizeof(err)), -ENODEV);
	assert_non_null(strstr(err, "has no console"));
	/* A link planted to another file is never opened. */
	snprintf(link, sizeof(link), "%s/console", rdir);
	assert_int_equal(symlink("/etc/passwd", link), 0);
	assert_int_equal(hv_console(&o, err, sizeof(err)), -EPERM);
	assert_non_null(strstr(err, "not a pty"));
	rmrun();
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_args_commands),
		cmocka_unit_test(test_args_bhyvectl),
		cmocka_unit_test(test_args_refused),
		cmocka_unit_test(test_json_escape),
		cmocka_unit_test(test_sizes_uptimes),
		cmocka_unit_test(test_list),
		cmocka_unit_test(test_stats_output),
		cmocka_unit_test(test_cgroup_parse),
		cmocka_unit_test(test_escape),
		cmocka_unit_test(test_console_target),
		cmocka_unit_test(test_console_session),
		cmocka_unit_test(test_console_tty_restored),
		cmocka_unit_test(test_console_refused),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
