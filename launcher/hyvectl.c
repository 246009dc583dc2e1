/*
 * hyvectl: list and steer running hyve VMs (hyvectl(8)), bhyvectl's role.
 *
 * Every VM has /run/hyve/NAME/ with its pid, its control socket (ctl.sock,
 * served by hyve: vmm/ctl.c) and, under hyve-jail, a console link.  This
 * program reads that directory and talks to the socket; it needs no
 * privilege of its own: the socket admits root and the VM's owner.
 *
 * Exit status: 0 done, 1 the VM or the request failed (unknown, stale,
 * not answering, refused, timed out), 2 usage.  This is the only file that
 * prints errors or exits; it must never wait without a deadline.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ctl_proto.h"
#include "hyvectl_args.h"
#include "hyvectl_client.h"
#include "hyvectl_console.h"
#include "hyvectl_fmt.h"

#define ERRLEN	512

static const char usage_text[] =
"usage: hyvectl [-r DIR] [-t SECONDS] COMMAND [ARGS]\n"
"  list [--json]                  every VM: name, pid, uid, state, cpus,\n"
"                                 memory, uptime\n"
"  poweroff [-w SECONDS] NAME     ACPI power button (as SIGTERM to hyve);\n"
"                                 -w waits until the VM is gone\n"
"  reboot NAME                    reset now (hyve exits 0)\n"
"  destroy [-w SECONDS] NAME      stop now and clean up (waits 10 s)\n"
"  console [-q] [-l MS] NAME      attach to the serial console; ~. detaches\n"
"  stats [--json] NAME            vCPU exits, devices, cgroup usage\n"
"bhyvectl spelling: hyvectl --destroy --vm=NAME, --get-stats --vm=NAME\n"
"-r DIR: run directory (default " CTL_RUN_BASE "); -t: request timeout\n"
"NAME may also be a path to a run directory or a control socket.\n";

static int
fail(const char *name, const char *msg)
{
	if (name != NULL)
		fprintf(stderr, "hyvectl: %s: %s\n", name, msg);
	else
		fprintf(stderr, "hyvectl: %s\n", msg);
	return 1;
}

/* The VM must answer: else say why and fail. */
static int
need_up(const struct hv_vm *vm)
{
	if (vm->status == HV_UP)
		return 0;
	return fail(vm->name, vm->why);
}

static int
wait_gone(const struct hv_vm *vm, int wait_s, const char *done)
{
	int r = hv_wait_gone(vm, wait_s * 1000);

	if (r == 0) {
		printf("%s: %s\n", vm->name, done);
		return 0;
	}
	if (r == -ENOTEMPTY) {
		char msg[PATH_MAX + 64];

		snprintf(msg, sizeof(msg), "stopped, but %s was left behind",
		    vm->dir);
		return fail(vm->name, msg);
	}
	char msg[160];

	snprintf(msg, sizeof(msg), "still running after %d s", wait_s);
	return fail(vm->name, msg);
}

static int
cmd_simple(const struct hyvectl_args *a, struct hv_vm *vm, uint16_t type)
{
	char err[ERRLEN];
	int r;

	if (need_up(vm))
		return 1;
	r = hv_request(vm->sock, type, NULL, 0, a->timeout_ms, NULL, err,
	    sizeof(err));
	if (r < 0)
		return fail(vm->name, err);
	if (type == CTL_REQ_REBOOT) {
		printf("%s: reset\n", vm->name);
		return 0;
	}
	printf("%s: ACPI power button pressed\n", vm->name);
	if (a->wait_s > 0)
		return wait_gone(vm, a->wait_s, "powered off");
	return 0;
}

static int
cmd_destroy(const struct hyvectl_args *a, struct hv_vm *vm)
{
	char err[ERRLEN];
	int r;

	switch (vm->status) {
	case HV_UP:
		/* Under jail.restart=always a destroyed VM would come back:
		 * the supervisor must know first that this is the end. */
		(void)hv_stop_supervisor(vm);
		r = hv_request(vm->sock, CTL_REQ_DESTROY, NULL, 0,
		    a->timeout_ms, NULL, err, sizeof(err));
		if (r < 0)
			return fail(vm->name, err);
		break;
	case HV_NOANSWER:
	case HV_NOSOCK: {
		/* hyve is there but deaf: kill it.  hyve-jail's supervisor
		 * cleans up after its box; a bare hyve's run directory is
		 * removed here once the process is gone. */
		long pid = hv_kill_hyve(vm, err, sizeof(err));

		if (pid < 0) {
			char msg[ERRLEN + 256];

			snprintf(msg, sizeof(msg), "%s; and %s", vm->why, err);
			return fail(vm->name, msg);
		}
		fprintf(stderr, "hyvectl: %s: %s: killed hyve (pid %ld)\n",
		    vm->name, vm->why, pid);
		if (vm->jailed) {
			(void)hv_stop_supervisor(vm);
			break;
		}
		if (hv_wait_dead(pid, 5000) < 0)
			return fail(vm->name, "hyve survived SIGKILL for 5 s");
		r = hv_remove_stale(vm, err, sizeof(err));
		if (r < 0)
			return fail(vm->name, err);
		printf("%s: destroyed\n", vm->name);
		return 0;
	}
	case HV_STALE:
		r = hv_remove_stale(vm, err, sizeof(err));
		if (r < 0)
			return fail(vm->name, err);
		printf("%s: was stale; removed %s\n", vm->name, vm->dir);
		return 0;
	case HV_DENIED:
		return fail(vm->name, vm->why);
	}
	if (a->wait_s == 0) {
		printf("%s: destroying\n", vm->name);
		return 0;
	}
	return wait_gone(vm, a->wait_s, "destroyed");
}

static int
cmd_stats(const struct hyvectl_args *a, struct hv_vm *vm)
{
	static struct ctl_stats st;
	struct hv_cgroup cg;
	char err[ERRLEN];
	int r;

	if (need_up(vm))
		return 1;
	r = hv_request(vm->sock, CTL_REQ_STATS, &st, sizeof(st), a->timeout_ms,
	    NULL, err, sizeof(err));
	if (r < 0)
		return fail(vm->name, err);
	ctl_stats_sanitize(&st);
	hv_cgroup_read(vm->host_pid, "/sys/fs/cgroup", &cg);
	hv_print_stats(stdout, vm, &st, &cg, a->json);
	return 0;
}

static int
cmd_console(const struct hyvectl_args *a, struct hv_vm *vm)
{
	struct hv_console_opts o = {
		.dir = vm->dir,
		.name = vm->name,
		.in_fd = STDIN_FILENO,
		.out_fd = STDOUT_FILENO,
		.quiet = a->quiet,
		.linger_ms = a->linger_ms,
	};
	char err[ERRLEN];

	if (vm->status == HV_STALE)
		return fail(vm->name, vm->why);
	if (vm->dir[0] == '\0')
		return fail(vm->name, "the console needs the run directory, "
		    "not the socket path");
	if (hv_console(&o, err, sizeof(err)) < 0)
		return fail(vm->name, err);
	return 0;
}

int
main(int argc, char *argv[])
{
	struct hyvectl_args a;
	struct hv_vm vm;
	char err[ERRLEN];
	int r;

	if (hyvectl_parse_args(argc, argv, &a, err, sizeof(err)) < 0) {
		fprintf(stderr, "hyvectl: %s\n%s", err, usage_text);
		return 2;
	}
	if (a.cmd == HYVECTL_HELP) {
		fputs(usage_text, stdout);
		return 0;
	}
	if (a.cmd == HYVECTL_LIST) {
		struct hv_vm *vms;
		int n;

		/* A short timeout per VM: one hung VM must not hold up the
		 * list for long. */
		r = hv_scan(a.run_base, a.timeout_ms < 1000 ? a.timeout_ms :
		    1000, &vms, &n, err, sizeof(err));
		if (r < 0)
			return fail(NULL, err);
		hv_print_list(stdout, vms, n, a.json);
		free(vms);
		return fflush(stdout) == 0 ? 0 : 1;
	}
	r = hv_probe(a.run_base, a.name, a.timeout_ms, &vm, err, sizeof(err));
	if (r < 0)
		return fail(NULL, err);
	switch (a.cmd) {
	case HYVECTL_POWEROFF:
		r = cmd_simple(&a, &vm, CTL_REQ_POWEROFF);
		break;
	case HYVECTL_REBOOT:
		r = cmd_simple(&a, &vm, CTL_REQ_REBOOT);
		break;
	case HYVECTL_DESTROY:
		r = cmd_destroy(&a, &vm);
		break;
	case HYVECTL_STATS:
		r = cmd_stats(&a, &vm);
		break;
	case HYVECTL_CONSOLE:
		r = cmd_console(&a, &vm);
		break;
	default:
		r = 2;
		break;
	}
	if (fflush(stdout) != 0 && r == 0)
		r = 1;
	return r;
}
