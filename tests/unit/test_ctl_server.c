/*
 * test_ctl_server: hyve's control socket (vmm/ctl.c) driven by hyvectl's
 * client (launcher/hyvectl_client.c) and by raw hostile datagrams: every
 * request reaches its hook, garbage is refused and the server keeps
 * serving, a silent client is dropped, the run directory is made, refused
 * when taken, reused when stale and removed at stop, a passed fd works,
 * a uid other than root and the owner is refused, and nobody is served
 * before the start gate opens.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "common/cfg.h"
#include "launcher/hyvectl_client.h"
#include "vmm/ctl.h"
#include "vmm/gate.h"

static int n_power, n_reset, n_destroy, n_stats;
static struct hv_vm *vm_list;
static int vm_n;
static char tmpdir[64];

static void
hk_power(void *a)
{
	(void)a;
	__atomic_add_fetch(&n_power, 1, __ATOMIC_SEQ_CST);
}

static void
hk_reset(void *a)
{
	(void)a;
	__atomic_add_fetch(&n_reset, 1, __ATOMIC_SEQ_CST);
}

static void
hk_destroy(void *a)
{
	(void)a;
	__atomic_add_fetch(&n_destroy, 1, __ATOMIC_SEQ_CST);
}

static void
hk_stats(void *a, struct ctl_stats *st)
{
	(void)a;
	__atomic_add_fetch(&n_stats, 1, __ATOMIC_SEQ_CST);
	st->nvcpus = 2;
	st->vcpu_exits[0] = 10;
	st->vcpu_exits[1] = 20;
	st->flags = CTL_STATS_EXIT_REASONS;
	st->exits[2] = 30;
	/* A buggy hook: ctl must clamp what it sends. */
	st->ndevs = 1000;
	memset(st->devs[0].name, 'x', sizeof(st->devs[0].name));
}

static struct cfg *
mkcfg(const char *name, const char *path)
{
	struct cfg *c = cfg_new();
	char err[256];

	assert_non_null(c);
	if (name)
		assert_int_equal(cfg_set(c, "name", name, "-o", err,
		    sizeof(err)), 0);
	if (path)
		assert_int_equal(cfg_set(c, "ctl.path", path, "-o", err,
		    sizeof(err)), 0);
	return c;
}

static struct ctl *
start(struct cfg *c, const char *base, int want)
{
	struct ctl_params p = {
		.cfg = c,
		.hooks = { NULL, hk_power, hk_reset, hk_destroy, hk_stats },
		.ncpus = 2,
		.memory = 256ULL << 20,
		.run_base = base,
	};
	struct ctl *ctl = NULL;
	char err[256];

	assert_int_equal(ctl_start(&ctl, &p, err, sizeof(err)), want);
	return ctl;
}

static int
setup(void **state)
{
	(void)state;
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/test_ctl.XXXXXX");
	assert_non_null(mkdtemp(tmpdir));
	n_power = n_reset = n_destroy = n_stats = 0;
	return 0;
}

static int
teardown(void **state)
{
	char cmd[128];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf %s", tmpdir);
	assert_int_equal(system(cmd), 0);
	return 0;
}

static void
test_requests(void **state)
{
	static struct ctl_stats st;
	char path[128], err[256];
	struct ctl_info in;
	struct cfg *c;
	struct ctl *ctl;
	long peer = 0;
	struct stat sb;

	(void)state;
	snprintf(path, sizeof(path), "%s/s.sock", tmpdir);
	c = mkcfg("vm7", path);
	ctl = start(c, NULL, 0);
	assert_non_null(ctl);
	assert_int_equal(stat(path, &sb), 0);
	assert_true(S_ISSOCK(sb.st_mode));
	assert_int_equal(sb.st_mode & 0777, 0660);

	assert_int_equal(hv_request(path, CTL_REQ_INFO, &in, sizeof(in), 2000,
	    &peer, err, sizeof(err)), 0);
	assert_string_equal(in.name, "vm7");
	assert_int_equal(in.ncpus, 2);
	assert_true(in.memory == 256ULL << 20);
	assert_int_equal(in.uid, geteuid());
	assert_int_equal(in.state, CTL_STATE_RUNNING);
	assert_int_equal(peer, getpid());

	assert_int_equal(hv_request(path, CTL_REQ_POWEROFF, NULL, 0, 2000,
	    NULL, err, sizeof(err)), 0);
	assert_int_equal(n_power, 1);
	assert_int_equal(hv_request(path, CTL_REQ_INFO, &in, sizeof(in), 2000,
	    NULL, err, sizeof(err)), 0);
	assert_int_equal(in.state, CTL_STATE_POWERING_OFF);

	assert_int_equal(hv_request(path, CTL_REQ_STATS, &st, sizeof(st), 2000,
	    NULL, err, sizeof(err)), 0);
	assert_int_equal(n_stats, 1);
	assert_int_equal(st.nvcpus, 2);
	assert_true(st.vcpu_exits[1] == 20);
	assert_true(st.exits[2] == 30);
	assert_int_equal(st.ndevs, CTL_MAX_DEVS);
	assert_true(memchr(st.devs[0].name, 0, sizeof(st.devs[0].name)));

	assert_int_equal(hv_request(path, CTL_REQ_REBOOT, NULL, 0, 2000,
	    NULL, err, sizeof(err)), 0);
	assert_int_equal(n_reset, 1);
	assert_int_equal(hv_request(path, CTL_REQ_DESTROY, NULL, 0, 2000,
	    NULL, err, sizeof(err)), 0);
	assert_int_equal(n_destroy, 1);
	assert_int_equal(hv_request(path, CTL_REQ_INFO, &in, sizeof(in), 2000,
	    NULL, err, sizeof(err)), 0);
	assert_int_equal(in.state, CTL_STATE_STOPPING);

	/* A reply of the wrong size for the caller is refused. */
	assert_int_equal(hv_request(path, CTL_REQ_INFO, &in, 8, 2000, NULL,
	    err, sizeof(err)), -EPROTO);

	ctl_stop(ctl);
	/* Removed at stop; nobody there any more. */
	assert_int_equal(lstat(path, &sb), -1);
	assert_int_equal(hv_request(path, CTL_REQ_INFO, &in, sizeof(in), 500,
	    NULL, err, sizeof(err)), -ENOENT);
	cfg_free(c);
}

static int
raw_connect(const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);

	assert_true(fd >= 0);
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	assert_int_equal(connect(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	return fd;
}

/* Send n bytes raw, expect an error reply with errno e (0: expect the
 * server to hang up without a reply). */
static void
expect_refused(const char *path, const void *msg, size_t n, int e)
{
	char rep[CTL_MSG_MAX + 1];
	struct ctl_hdr h;
	const void *pl;
	struct ctl_error ce;
	struct pollfd p;
	ssize_t got;
	int fd = raw_connect(path);

	assert_int_equal(send(fd, msg, n, MSG_NOSIGNAL), (ssize_t)n);
	p = (struct pollfd){ .fd = fd, .events = POLLIN };
	assert_int_equal(poll(&p, 1, 3000), 1);
	got = read(fd, rep, sizeof(rep));
	assert_true(got > 0);
	assert_int_equal(ctl_msg_parse(rep, (size_t)got, &h, &pl), 0);
	assert_int_equal(h.type, CTL_REP_ERROR);
	memcpy(&ce, pl, sizeof(ce));
	assert_int_equal(ce.err, e);
	/* ... and then the server hangs up. */
	assert_int_equal(poll(&p, 1, 3000), 1);
	assert_int_equal(read(fd, rep, sizeof(rep)), 0);
	close(fd);
}

static void
test_hostile(void **state)
{
	char path[128], err[256], msg[CTL_MSG_MAX + 100];
	struct ctl_hdr *h = (struct ctl_hdr *)(void *)msg;
	struct ctl_info in;
	struct cfg *c;
	struct ctl *ctl;
	long n;

	(void)state;
	snprintf(path, sizeof(path), "%s/h.sock", tmpdir);
	c = mkcfg("vm8", path);
	ctl = start(c, NULL, 0);

	/* Short garbage, a huge datagram, wrong magic. */
	expect_refused(path, "abc", 3, EBADMSG);
	memset(msg, 0x41, sizeof(msg));
	expect_refused(path, msg, sizeof(msg), EPROTO);
	n = ctl_msg_build(msg, sizeof(msg), CTL_REQ_INFO, 1, NULL, 0);
	h->len = 2000;
	expect_refused(path, msg, (size_t)n, EBADMSG);
	/* Unknown request types, a request with a payload, a reply. */
	n = ctl_msg_build(msg, sizeof(msg), 99, 1, NULL, 0);
	expect_refused(path, msg, (size_t)n, EOPNOTSUPP);
	n = ctl_msg_build(msg, sizeof(msg), 0, 1, NULL, 0);
	expect_refused(path, msg, (size_t)n, EOPNOTSUPP);
	n = ctl_msg_build(msg, sizeof(msg), CTL_REQ_DESTROY, 1, "12345678", 8);
	expect_refused(path, msg, (size_t)n, EMSGSIZE);
	n = ctl_msg_build(msg, sizeof(msg), CTL_REQ_DESTROY | CTL_REPLY, 1,
	    NULL, 0);
	expect_refused(path, msg, (size_t)n, EINVAL);
	/* Other protocol version. */
	n = ctl_msg_build(msg, sizeof(msg), CTL_REQ_INFO, 1, NULL, 0);
	h->version = 9;
	expect_refused(path, msg, (size_t)n, EPROTONOSUPPORT);
	assert_int_equal(n_destroy, 0);

	/* A client that connects and says nothing is dropped after the idle
	 * timeout; the next one is then served. */
	int idle = raw_connect(path);
	long long t0 = hv_now_ms();

	assert_int_equal(hv_request(path, CTL_REQ_INFO, &in, sizeof(in), 5000,
	    NULL, err, sizeof(err)), 0);
	assert_true(hv_now_ms() - t0 >= 1500);
	close(idle);

	/* A client that gives up before its answer does not hurt. */
	for (int i = 0; i < 20; i++) {
		int fd = raw_connect(path);

		n = ctl_msg_build(msg, sizeof(msg), CTL_REQ_STATS, 1, NULL, 0);
		assert_int_equal(send(fd, msg, (size_t)n, 0), n);
		close(fd);
	}
	assert_int_equal(hv_request(path, CTL_REQ_INFO, &in, sizeof(in), 5000,
	    NULL, err, sizeof(err)), 0);
	ctl_stop(ctl);
	cfg_free(c);
}

static void
test_rundir(void **state)
{
	char base[128], p[256], err[256];
	struct hv_vm vm;
	struct stat sb;
	struct cfg *c;
	struct ctl *ctl, *ctl2;
	FILE *f;

	(void)state;
	snprintf(base, sizeof(base), "%s/run", tmpdir);
	c = mkcfg("vm0", NULL);
	ctl = start(c, base, 0);
	assert_non_null(ctl);
	snprintf(p, sizeof(p), "%s/vm0", base);
	assert_int_equal(stat(p, &sb), 0);
	assert_int_equal(sb.st_mode & 0777, 0700);
	snprintf(p, sizeof(p), "%s/vm0/pid", base);
	assert_int_equal(stat(p, &sb), 0);

	/* hyvectl sees it running, with our pid. */
	assert_int_equal(hv_probe(base, "vm0", 2000, &vm, err, sizeof(err)),
	    0);
	assert_int_equal(vm.status, HV_UP);
	assert_int_equal(vm.pidfile, getpid());
	assert_int_equal(vm.host_pid, getpid());
	assert_string_equal(vm.info.name, "vm0");

	/* The same name again: refused. */
	ctl2 = start(c, base, -EEXIST);
	assert_null(ctl2);

	/* list: the live VM, a stale one, and no junk (dot files, files,
	 * names hyvectl would refuse), sorted. */
	{
		struct hv_vm *vms;
		int n;

		snprintf(p, sizeof(p), "%s/old", base);
		assert_int_equal(mkdir(p, 0700), 0);
		snprintf(p, sizeof(p), "%s/a file", base);
		assert_int_equal(mkdir(p, 0700), 0);
		snprintf(p, sizeof(p), "%s/plain", base);
		close(open(p, O_CREAT | O_WRONLY, 0600));
		assert_int_equal(hv_scan(base, 1000, &vms, &n, err,
		    sizeof(err)), 0);
		assert_int_equal(n, 2);
		assert_string_equal(vms[0].name, "old");
		assert_int_equal(vms[0].status, HV_STALE);
		assert_string_equal(vms[1].name, "vm0");
		assert_int_equal(vms[1].status, HV_UP);
		/* A stale bare directory is removed; hyve-jail's is not. */
		vms[0].jailed = true;
		assert_int_equal(hv_remove_stale(&vms[0], err, sizeof(err)),
		    -EPERM);
		assert_non_null(strstr(err, "hyve-jail"));
		vms[0].jailed = false;
		assert_int_equal(hv_remove_stale(&vms[0], err, sizeof(err)),
		    0);
		snprintf(p, sizeof(p), "%s/old", base);
		assert_int_equal(access(p, F_OK), -1);
		/* A live VM is not gone: the wait times out. */
		assert_int_equal(hv_wait_gone(&vms[1], 300), -ETIMEDOUT);
		free(vms);
		snprintf(p, sizeof(p), "%s/a file", base);
		rmdir(p);
		snprintf(p, sizeof(p), "%s/plain", base);
		unlink(p);
	}
	assert_int_equal(hv_scan("/nonexistent/hyve", 1000, &vm_list, &vm_n,
	    err, sizeof(err)), 0);
	assert_int_equal(vm_n, 0);

	assert_int_equal(hv_probe(base, "vm0", 2000, &vm, err, sizeof(err)),
	    0);
	ctl_stop(ctl);
	/* Gone: the run directory went with it. */
	assert_int_equal(hv_wait_gone(&vm, 2000), 0);
	snprintf(p, sizeof(p), "%s/vm0", base);
	assert_int_equal(stat(p, &sb), -1);
	assert_int_equal(hv_probe(base, "vm0", 500, &vm, err, sizeof(err)),
	    -ENOENT);
	assert_non_null(strstr(err, "no VM named"));

	/* A stale directory (dead pid, dead socket file) is reused. */
	assert_int_equal(mkdir(p, 0700), 0);
	snprintf(p, sizeof(p), "%s/vm0/pid", base);
	f = fopen(p, "w");
	fprintf(f, "999999999\n");
	fclose(f);
	assert_int_equal(hv_probe(base, "vm0", 500, &vm, err, sizeof(err)),
	    0);
	assert_int_equal(vm.status, HV_STALE);
	ctl = start(c, base, 0);
	assert_non_null(ctl);
	ctl_stop(ctl);

	/* hyve-jail's directory is never taken over. */
	snprintf(p, sizeof(p), "%s/vm0", base);
	assert_int_equal(mkdir(p, 0700), 0);
	snprintf(p, sizeof(p), "%s/vm0/uid", base);
	f = fopen(p, "w");
	fprintf(f, "5000\n");
	fclose(f);
	ctl = start(c, base, -EEXIST);
	unlink(p);
	snprintf(p, sizeof(p), "%s/vm0", base);
	rmdir(p);
	cfg_free(c);

	/* No name, no path: no socket, and that is not an error. */
	c = mkcfg(NULL, NULL);
	assert_null(start(c, base, 0));
	cfg_free(c);
	c = mkcfg("vm0", "none");
	assert_null(start(c, base, 0));
	cfg_free(c);
	/* A name that is no file name, a relative path. */
	c = mkcfg("../x", NULL);
	assert_null(start(c, base, -EINVAL));
	cfg_free(c);
	c = mkcfg("vm0", "rel.sock");
	assert_null(start(c, base, -EINVAL));
	cfg_free(c);
}

static void
test_passed_fd(void **state)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	char spec[32], err[256];
	struct ctl_info in;
	struct cfg *c;
	struct ctl *ctl;
	int fd;

	(void)state;
	/* What hyve-jail does: bind (no listen) and pass the fd. */
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s/j.sock", tmpdir);
	fd = socket(AF_UNIX, SOCK_SEQPACKET, 0);
	assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	snprintf(spec, sizeof(spec), "fd:%d", fd);
	c = mkcfg("vmj", spec);
	ctl = start(c, NULL, 0);
	assert_non_null(ctl);
	assert_int_equal(hv_request(sa.sun_path, CTL_REQ_INFO, &in, sizeof(in),
	    2000, NULL, err, sizeof(err)), 0);
	assert_string_equal(in.name, "vmj");
	ctl_stop(ctl);
	/* The path was not ours: it stays (hyve-jail removes it). */
	assert_int_equal(access(sa.sun_path, F_OK), 0);
	cfg_free(c);

	/* Not a socket / not an fd / a stream socket. */
	c = mkcfg("vmj", "fd:0");
	fd = open("/dev/null", O_RDONLY);
	cfg_free(c);
	snprintf(spec, sizeof(spec), "fd:%d", fd);
	c = mkcfg("vmj", spec);
	assert_null(start(c, NULL, -ENOTSOCK));
	cfg_free(c);
	close(fd);
	c = mkcfg("vmj", "fd:987654");
	assert_null(start(c, NULL, -EBADF));
	cfg_free(c);
	fd = socket(AF_UNIX, SOCK_STREAM, 0);
	snprintf(spec, sizeof(spec), "fd:%d", fd);
	c = mkcfg("vmj", spec);
	assert_null(start(c, NULL, -EPROTOTYPE));
	cfg_free(c);
	close(fd);
}

static void
test_live_socket_not_replaced(void **state)
{
	char path[128];
	struct cfg *c;
	struct ctl *ctl;

	(void)state;
	snprintf(path, sizeof(path), "%s/l.sock", tmpdir);
	c = mkcfg("vm9", path);
	ctl = start(c, NULL, 0);
	assert_null(start(c, NULL, -EADDRINUSE));
	ctl_stop(ctl);
	cfg_free(c);
	/* A regular file where the socket should go is not removed. */
	close(open(path, O_CREAT | O_WRONLY, 0600));
	c = mkcfg("vm9", path);
	assert_null(start(c, NULL, -EEXIST));
	assert_int_equal(access(path, F_OK), 0);
	cfg_free(c);
}

static void
test_peer_rule(void **state)
{
	(void)state;
	assert_true(ctl_peer_allowed(0, 1000));
	assert_true(ctl_peer_allowed(1000, 1000));
	assert_false(ctl_peer_allowed(1001, 1000));
	assert_false(ctl_peer_allowed(65534, 1000));
}

/* A uid that is neither root nor hyve's is refused by hyve itself (the
 * socket's mode is opened up here so that only SO_PEERCRED stops it). */
static void
test_other_uid_refused(void **state)
{
	char path[128], err[256];
	struct cfg *c;
	struct ctl *ctl;
	int ws;
	pid_t pid;

	(void)state;
	if (geteuid() != 0)
		skip();
	snprintf(path, sizeof(path), "%s/u.sock", tmpdir);
	c = mkcfg("vmu", path);
	ctl = start(c, NULL, 0);
	assert_int_equal(chmod(path, 0666), 0);
	assert_int_equal(chmod(tmpdir, 0755), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		struct ctl_info in;
		int r;

		if (setgid(65534) < 0 || setuid(65534) < 0)
			_exit(10);
		r = hv_request(path, CTL_REQ_DESTROY, NULL, 0, 2000, NULL,
		    err, sizeof(err));
		if (r != -EACCES || strstr(err, "may not control") == NULL) {
			fprintf(stderr, "destroy as uid 65534: %d %s\n", r,
			    err);
			_exit(11);
		}
		r = hv_request(path, CTL_REQ_INFO, &in, sizeof(in), 2000,
		    NULL, err, sizeof(err));
		_exit(r == -EACCES ? 0 : 12);
	}
	assert_int_equal(waitpid(pid, &ws, 0), pid);
	assert_true(WIFEXITED(ws));
	assert_int_equal(WEXITSTATUS(ws), 0);
	assert_int_equal(n_destroy, 0);
	ctl_stop(ctl);
	cfg_free(c);
}

/*
 * hyve before its seccomp filter: with its start gate held the thread
 * accepts nobody.  A client connects (the backlog takes it) and sends a
 * request; no answer and no hook until the gate opens, then both.  A
 * cancelled gate (the filter failed) ends the thread without serving the
 * waiting client, and ctl_stop still joins it.
 */
static void
test_start_gate(void **state)
{
	char path[128], msg[CTL_MSG_MAX + 1];
	struct ctl_params p = {
		.hooks = { NULL, hk_power, hk_reset, hk_destroy, hk_stats },
		.ncpus = 2,
		.memory = 256ULL << 20,
	};
	struct ctl_hdr h;
	const void *pl;
	struct pollfd pfd;
	struct gate g;
	struct cfg *c;
	struct ctl *ctl;
	char err[256];
	long n;
	int fd;

	(void)state;
	for (int cancel = 0; cancel < 2; cancel++) {
		__atomic_store_n(&n_destroy, 0, __ATOMIC_SEQ_CST);
		memset(&g, 0, sizeof(g));
		assert_int_equal(gate_hold(&g), 0);
		snprintf(path, sizeof(path), "%s/g%d.sock", tmpdir, cancel);
		c = mkcfg("vmg", path);
		p.cfg = c;
		p.gate = &g;
		ctl = NULL;
		assert_int_equal(ctl_start(&ctl, &p, err, sizeof(err)), 0);
		assert_non_null(ctl);

		fd = raw_connect(path);
		n = ctl_msg_build(msg, sizeof(msg), CTL_REQ_DESTROY, 7, NULL,
		    0);
		assert_int_equal(send(fd, msg, (size_t)n, MSG_NOSIGNAL), n);
		pfd = (struct pollfd){ .fd = fd, .events = POLLIN };
		assert_int_equal(poll(&pfd, 1, 300), 0);
		assert_int_equal(n_destroy, 0);
		if (cancel) {
			gate_release(&g, -ECANCELED);
			assert_int_equal(poll(&pfd, 1, 300), 0);
			ctl_stop(ctl);
			assert_int_equal(n_destroy, 0);
		} else {
			gate_release(&g, 0);
			assert_int_equal(poll(&pfd, 1, 3000), 1);
			n = read(fd, msg, sizeof(msg));
			assert_true(n > 0);
			assert_int_equal(ctl_msg_parse(msg, (size_t)n, &h, &pl),
			    0);
			assert_int_equal(h.type, CTL_REQ_DESTROY | CTL_REPLY);
			assert_int_equal(h.seq, 7);
			assert_int_equal(n_destroy, 1);
			ctl_stop(ctl);
		}
		close(fd);
		gate_fini(&g);
		cfg_free(c);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_requests, setup, teardown),
		cmocka_unit_test_setup_teardown(test_hostile, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rundir, setup, teardown),
		cmocka_unit_test_setup_teardown(test_passed_fd, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_live_socket_not_replaced,
		    setup, teardown),
		cmocka_unit_test(test_peer_rule),
		cmocka_unit_test_setup_teardown(test_start_gate, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_other_uid_refused, setup,
		    teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
