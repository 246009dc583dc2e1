/*
 * test_jail_profile.c - hyve-jail's profile step, from strings.
 *
 * Each refusal of the profile step has a test with its exact message; the
 * run state (/run/hyve) is a temporary directory so the tests need no root
 * and touch nothing of the host.  Also: the auto uid picker, and the argv
 * and fd layout handed to hyve.
 */
#define _GNU_SOURCE
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "cfg.h"
#include "launcher/jail.h"
#include "launcher/jail_profile.h"
#include "launcher/jail_run.h"

struct fx {
	char dir[64];		/* disk files */
	char run[80];		/* stand-in for /run/hyve */
	char disk[128];
	char kernel[128];
	struct jail j;
};

static void
write_file(const char *path, const char *s)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fputs(s, f);
	fclose(f);
}

static int
setup(void **state)
{
	struct fx *fx = calloc(1, sizeof(*fx));

	assert_non_null(fx);
	snprintf(fx->dir, sizeof(fx->dir), "/tmp/test_jail.XXXXXX");
	assert_non_null(mkdtemp(fx->dir));
	snprintf(fx->run, sizeof(fx->run), "%s/run", fx->dir);
	assert_int_equal(mkdir(fx->run, 0700), 0);
	snprintf(fx->disk, sizeof(fx->disk), "%s/disk.img", fx->dir);
	snprintf(fx->kernel, sizeof(fx->kernel), "%s/vmlinuz", fx->dir);
	write_file(fx->disk, "disk");
	write_file(fx->kernel, "kernel");
	jail_init(&fx->j);
	snprintf(fx->j.run_base, sizeof(fx->j.run_base), "%s", fx->run);
	*state = fx;
	return 0;
}

static int
teardown(void **state)
{
	struct fx *fx = *state;
	char cmd[128];

	jail_fini(&fx->j);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", fx->dir);
	assert_int_equal(system(cmd), 0);
	free(fx);
	return 0;
}

/* Load the base profile plus extra lines. */
static void
load(struct fx *fx, const char *extra)
{
	char buf[2048];
	char err[CFG_ERRLEN];

	snprintf(buf, sizeof(buf),
	    "name=vm0\n"
	    "boot.kernel=%s\n"
	    "pci.0.0.0.device=hostbridge\n"
	    "pci.0.1.0.device=lpc\n"
	    "lpc.com1.path=console\n"
	    "pci.0.2.0.device=virtio-blk\n"
	    "pci.0.2.0.path=%s\n"
	    "pci.0.3.0.device=virtio-net\n"
	    "pci.0.3.0.backend=hv0tap0\n"
	    "jail.tap_prefix=hv0tap\n"
	    "%s", fx->kernel, fx->disk, extra);
	fx->j.cfg = cfg_new();
	assert_non_null(fx->j.cfg);
	fx->j.profile = "vm0.conf";
	assert_int_equal(cfg_load_buf(fx->j.cfg, "vm0.conf", buf, err,
	    sizeof(err)), 0);
}

/* ... then apply. */
static int
apply(struct fx *fx, const char *extra)
{
	load(fx, extra);
	return jail_profile_apply(&fx->j);
}

static void
test_valid(void **state)
{
	struct fx *fx = *state;

	assert_int_equal(apply(fx, "jail.uid=4000\njail.gid=4001\n"), 0);
	assert_string_equal(fx->j.name, "vm0");
	assert_int_equal(fx->j.uid, 4000);
	assert_int_equal(fx->j.gid, 4001);
	assert_int_equal(fx->j.ndisks, 1);
	assert_string_equal(fx->j.disks[0].key, "pci.0.2.0.path");
	assert_false(fx->j.disks[0].ro);
	assert_false(fx->j.disks[0].blk);
	assert_int_equal(fx->j.ntaps, 1);
	assert_string_equal(fx->j.taps[0].name, "hv0tap0");
	assert_true(fx->j.console);
	assert_string_equal(fx->j.console_key, "lpc.com1.path");
	assert_string_equal(fx->j.cg_parent, "hyve");
	/* Production build: hyve next to the launcher, never a probe. */
	assert_non_null(strstr(fx->j.exec_path, "/hyve"));
	assert_false(fx->j.kvm_optional);
}

static void
test_unknown_key(void **state)
{
	struct fx *fx = *state;

	assert_int_equal(apply(fx, "jail.bogus=1\n"), -EINVAL);
	assert_string_equal(fx->j.err, "vm0.conf:11: jail.bogus: unknown key");
}

static void
test_exec_refused_in_production(void **state)
{
	struct fx *fx = *state;

	assert_int_equal(apply(fx, "jail.exec=/bin/sh\n"), -EINVAL);
	assert_string_equal(fx->j.err, "vm0.conf:11: jail.exec: unknown key "
	    "(only the test build hyve-jail-test accepts it)");
}

static void
test_bad_value(void **state)
{
	struct fx *fx = *state;

	assert_int_equal(apply(fx, "jail.uid_range=9-3\n"), -EINVAL);
	assert_string_equal(fx->j.err, "vm0.conf:11: jail.uid_range: \"9-3\" "
	    "is not LOW-HIGH (uids, 0 < LOW <= HIGH)");
}

static void
test_uid0(void **state)
{
	struct fx *fx = *state;

	assert_int_not_equal(apply(fx, "jail.uid=0\n"), 0);
	assert_string_equal(fx->j.err, "vm0.conf:11: jail.uid: 0 is root: a "
	    "VM never runs as root");
}

static void
test_disk_not_regular(void **state)
{
	struct fx *fx = *state;
	char buf[256];

	/* A directory, then a character device. */
	snprintf(fx->disk, sizeof(fx->disk), "%s", fx->dir);
	assert_int_equal(apply(fx, ""), -EINVAL);
	snprintf(buf, sizeof(buf), "vm0.conf:7: pci.0.2.0.path: %s is neither "
	    "a regular file nor a block device", fx->dir);
	assert_string_equal(fx->j.err, buf);
	jail_fini(&fx->j);
	snprintf(fx->disk, sizeof(fx->disk), "/dev/null");
	assert_int_equal(apply(fx, ""), -EINVAL);
	assert_string_equal(fx->j.err, "vm0.conf:7: pci.0.2.0.path: /dev/null "
	    "is neither a regular file nor a block device");
}

static void
test_disk_missing(void **state)
{
	struct fx *fx = *state;
	char buf[256];

	snprintf(fx->disk, sizeof(fx->disk), "%s/nope.img", fx->dir);
	assert_int_equal(apply(fx, ""), -ENOENT);
	snprintf(buf, sizeof(buf), "vm0.conf:7: pci.0.2.0.path: %s: No such "
	    "file or directory", fx->disk);
	assert_string_equal(fx->j.err, buf);
}

static void
test_tap_outside_prefix(void **state)
{
	struct fx *fx = *state;

	char err[CFG_ERRLEN];

	/* -o replaces the profile's backend, as hyve-jail -o does. */
	load(fx, "");
	assert_int_equal(cfg_set(fx->j.cfg, "pci.0.3.0.backend", "eth0", "-o",
	    err, sizeof(err)), 0);
	assert_int_equal(jail_profile_apply(&fx->j), -EPERM);
	assert_string_equal(fx->j.err, "-o: pci.0.3.0.backend: tap \"eth0\" is "
	    "outside jail.tap_prefix \"hv0tap\" (from vm0.conf:10)");
}

static void
test_already_running(void **state)
{
	struct fx *fx = *state;
	char p[160], want[320];

	/* A run directory without a pid file: a hyve-jail is starting. */
	snprintf(p, sizeof(p), "%s/vm0", fx->run);
	assert_int_equal(mkdir(p, 0700), 0);
	assert_int_equal(apply(fx, ""), -EEXIST);
	snprintf(want, sizeof(want), "vm0.conf:1: name: VM \"vm0\" is already "
	    "running (%s/vm0 exists, pid ?)", fx->run);
	assert_string_equal(fx->j.err, want);
}

static void
test_stale_run_dir(void **state)
{
	struct fx *fx = *state;
	char p[160];
	long pid;

	/* The pid names no hyve-jail (this test program, then nobody): the
	 * directory is stale and the VM may start. */
	snprintf(p, sizeof(p), "%s/vm0", fx->run);
	assert_int_equal(mkdir(p, 0700), 0);
	snprintf(p, sizeof(p), "%s/vm0/pid", fx->run);
	char me[32];
	snprintf(me, sizeof(me), "%ld\n", (long)getpid());
	write_file(p, me);
	assert_true(jail_profile_stale(fx->run, "vm0", &pid));
	assert_int_equal(pid, (long)getpid());
	assert_int_equal(apply(fx, ""), 0);
	assert_int_equal(fx->j.stale_pid, (long)getpid());
	assert_false(jail_profile_stale(fx->run, "nothere", &pid));
}

static void
test_uid_in_use(void **state)
{
	struct fx *fx = *state;
	char p[160];

	snprintf(p, sizeof(p), "%s/other", fx->run);
	assert_int_equal(mkdir(p, 0700), 0);
	snprintf(p, sizeof(p), "%s/other/uid", fx->run);
	write_file(p, "4000\n");
	assert_int_equal(apply(fx, "jail.uid=4000\n"), -EBUSY);
	assert_string_equal(fx->j.err, "vm0.conf:11: jail.uid: uid 4000 is "
	    "already used by running VM \"other\"");
}

static void
test_pick_uid(void **state)
{
	struct fx *fx = *state;
	char p[160];
	uid_t u = 0;

	assert_int_equal(jail_profile_pick_uid(fx->run, 3000000, 3000002, &u),
	    0);
	assert_int_equal(u, 3000000);
	snprintf(p, sizeof(p), "%s/a", fx->run);
	assert_int_equal(mkdir(p, 0700), 0);
	snprintf(p, sizeof(p), "%s/a/uid", fx->run);
	write_file(p, "3000000\n");
	assert_int_equal(jail_profile_pick_uid(fx->run, 3000000, 3000002, &u),
	    0);
	assert_int_equal(u, 3000001);
	/* A host account (root, uid 0 is always one) is never handed out. */
	assert_int_equal(jail_profile_pick_uid(fx->run, 0, 0, &u), -EBUSY);
	assert_int_equal(jail_profile_pick_uid(fx->run, 3000000, 3000000, &u),
	    -EBUSY);
}

static void
test_auto_uid_range(void **state)
{
	struct fx *fx = *state;

	assert_int_equal(apply(fx, "jail.uid=auto\njail.uid_range="
	    "3100000-3100009\n"), 0);
	assert_true(fx->j.uid_auto);
	assert_int_equal(fx->j.uid, 3100000);
	assert_int_equal(fx->j.gid, 3100000);
}

static void
test_serial_host_path(void **state)
{
	struct fx *fx = *state;
	char want[256];

	assert_int_equal(apply(fx, "lpc.com2.path=/dev/ttyS0\n"), -EINVAL);
	snprintf(want, sizeof(want), "vm0.conf:11: lpc.com2.path: "
	    "\"/dev/ttyS0\": in the jail a serial port is \"console\" (the pty "
	    "pair published as %s/vm0/console) or \"stdio\"", fx->run);
	assert_string_equal(fx->j.err, want);
}

static void
test_argv_and_fds(void **state)
{
	struct fx *fx = *state;
	char strs[4096], *argv[64];
	int fdmap[6 + JAIL_MAX_HELPERS], nfds, argc;

	assert_int_equal(apply(fx, "jail.uid=4000\n"), 0);
	fx->j.kvm_fd = 30;
	fx->j.kernel_fd = 31;
	fx->j.pty_master = 32;
	fx->j.disks[0].fd = 40;		/* the helpers', never hyve's */
	fx->j.taps[0].fd = 41;
	assert_int_equal(fx->j.nhelpers, 2);
	fx->j.helpers[0].sock[0] = 33;
	fx->j.helpers[1].sock[0] = 34;
	fx->j.ctl_fd = 35;
	argc = jail_run_argv(&fx->j, argv, 64, strs, sizeof(strs), fdmap,
	    (int)(sizeof(fdmap) / sizeof(fdmap[0])), &nfds);
	assert_int_equal(nfds, 6);
	assert_int_equal(fdmap[0], 30);		/* fd 3: /dev/kvm */
	assert_int_equal(fdmap[1], 31);		/* fd 4: boot.kernel */
	assert_int_equal(fdmap[2], 32);		/* fd 5: console */
	assert_int_equal(fdmap[3], 33);		/* fd 6: hyve-blk's socket */
	assert_int_equal(fdmap[4], 34);		/* fd 7: hyve-net's socket */
	assert_int_equal(fdmap[5], 35);		/* fd 8: control socket */
	assert_string_equal(argv[0], "hyve");
	/* Sorted keys, jail.* and the helpers' options dropped, resources
	 * replaced by their fds; then the KVM device, the helpers' sockets
	 * and the control socket. */
	char diskkv[PATH_MAX + 16];
	snprintf(diskkv, sizeof(diskkv), "pci.0.2.0.path=%s", fx->disk);
	const char *want[] = { "boot.kernel=fd:4", "lpc.com1.path=fd:5",
	    "name=vm0", "pci.0.0.0.device=hostbridge",
	    "pci.0.1.0.device=lpc", "pci.0.2.0.device=virtio-blk",
	    diskkv, "pci.0.3.0.backend=hv0tap0",
	    "pci.0.3.0.device=virtio-net", "kvm.path=fd:3",
	    "pci.0.2.0.sock=fd:6", "pci.0.3.0.sock=fd:7", "ctl.path=fd:8" };
	int n = (int)(sizeof(want) / sizeof(want[0]));
	assert_int_equal(argc, 1 + 2 * n);
	for (int i = 0; i < n; i++) {
		assert_string_equal(argv[1 + 2 * i], "-o");
		assert_string_equal(argv[2 + 2 * i], want[i]);
	}
	assert_null(argv[argc]);
	/* Too small a buffer is an error, not a truncation. */
	assert_int_equal(jail_run_argv(&fx->j, argv, 64, strs, 40, fdmap,
	    (int)(sizeof(fdmap) / sizeof(fdmap[0])), &nfds), -E2BIG);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_valid, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unknown_key, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_exec_refused_in_production,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_value, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_uid0, setup, teardown),
		cmocka_unit_test_setup_teardown(test_disk_not_regular, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_disk_missing, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_tap_outside_prefix, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_already_running, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_stale_run_dir, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_uid_in_use, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_pick_uid, setup, teardown),
		cmocka_unit_test_setup_teardown(test_auto_uid_range, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_serial_host_path, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_argv_and_fds, setup,
		    teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
