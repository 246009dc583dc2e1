/*
 * hyvectl_fmt: tables and JSON (see the header).
 *
 * Must never print a string from a socket or a directory into JSON
 * without hv_json_str(), or into the table without the sanitizers having
 * terminated it.
 */
#include "hyvectl_fmt.h"

#include <inttypes.h>
#include <string.h>

void
hv_json_str(FILE *f, const char *s)
{
	fputc('"', f);
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		switch (*p) {
		case '"':
			fputs("\\\"", f);
			break;
		case '\\':
			fputs("\\\\", f);
			break;
		case '\n':
			fputs("\\n", f);
			break;
		case '\r':
			fputs("\\r", f);
			break;
		case '\t':
			fputs("\\t", f);
			break;
		default:
			if (*p < 0x20 || *p >= 0x7f)
				fprintf(f, "\\u%04x", *p);
			else
				fputc(*p, f);
			break;
		}
	}
	fputc('"', f);
}

void
hv_fmt_size(char *buf, size_t len, uint64_t b)
{
	static const char units[] = "KMGTPE";
	int u = -1;
	uint64_t whole = b, rest = 0;

	while (whole >= 1024 && u < 5) {
		rest = whole % 1024;
		whole /= 1024;
		u++;
	}
	if (u < 0)
		snprintf(buf, len, "%" PRIu64 "B", b);
	else if (rest == 0 || whole >= 100)
		snprintf(buf, len, "%" PRIu64 "%c", whole, units[u]);
	else
		snprintf(buf, len, "%" PRIu64 ".%" PRIu64 "%c", whole,
		    rest * 10 / 1024, units[u]);
}

void
hv_fmt_uptime(char *buf, size_t len, uint64_t s)
{
	if (s < 60)
		snprintf(buf, len, "%" PRIu64 "s", s);
	else if (s < 3600)
		snprintf(buf, len, "%" PRIu64 "m%02" PRIu64 "s", s / 60,
		    s % 60);
	else if (s < 86400)
		snprintf(buf, len, "%" PRIu64 "h%02" PRIu64 "m", s / 3600,
		    s / 60 % 60);
	else
		snprintf(buf, len, "%" PRIu64 "d%02" PRIu64 "h", s / 86400,
		    s / 3600 % 24);
}

const char *
hv_state_word(const struct hv_vm *vm)
{
	switch (vm->status) {
	case HV_UP:
		return ctl_state_name(vm->info.state);
	case HV_STALE:
		return "stale";
	case HV_NOANSWER:
		return "no-answer";
	case HV_DENIED:
		return "denied";
	case HV_NOSOCK:
		return "no-socket";
	}
	return "unknown";
}

static long
shown_pid(const struct hv_vm *vm)
{
	return vm->status == HV_UP && vm->host_pid > 0 ? vm->host_pid :
	    vm->pidfile;
}

static void
list_json(FILE *f, const struct hv_vm *vms, int n)
{
	fputs("[", f);
	for (int i = 0; i < n; i++) {
		const struct hv_vm *v = &vms[i];
		long pid = shown_pid(v);

		fputs(i ? ",\n {" : "\n {", f);
		fputs("\"name\":", f);
		hv_json_str(f, v->name);
		if (pid > 0)
			fprintf(f, ",\"pid\":%ld", pid);
		else
			fputs(",\"pid\":null", f);
		if (v->uid >= 0)
			fprintf(f, ",\"uid\":%ld", v->uid);
		else
			fputs(",\"uid\":null", f);
		fputs(",\"state\":", f);
		hv_json_str(f, hv_state_word(v));
		if (v->status == HV_UP) {
			fprintf(f, ",\"cpus\":%" PRIu32 ",\"memory\":%" PRIu64
			    ",\"uptime\":%" PRIu64, v->info.ncpus,
			    v->info.memory, v->info.uptime_ms / 1000);
		} else {
			fputs(",\"cpus\":null,\"memory\":null,\"uptime\":null,"
			    "\"reason\":", f);
			hv_json_str(f, v->why);
		}
		fputs("}", f);
	}
	fputs(n ? "\n]\n" : "]\n", f);
}

void
hv_print_list(FILE *f, const struct hv_vm *vms, int n, bool json)
{
	if (json) {
		list_json(f, vms, n);
		return;
	}
	fprintf(f, "%-20s %8s %6s %-12s %4s %7s %8s\n", "NAME", "PID", "UID",
	    "STATE", "CPUS", "MEMORY", "UPTIME");
	for (int i = 0; i < n; i++) {
		const struct hv_vm *v = &vms[i];
		char pid[24] = "-", uid[24] = "-", cpus[16] = "-";
		char mem[16] = "-", up[16] = "-";

		if (shown_pid(v) > 0)
			snprintf(pid, sizeof(pid), "%ld", shown_pid(v));
		if (v->uid >= 0)
			snprintf(uid, sizeof(uid), "%ld", v->uid);
		if (v->status == HV_UP) {
			snprintf(cpus, sizeof(cpus), "%" PRIu32, v->info.ncpus);
			hv_fmt_size(mem, sizeof(mem), v->info.memory);
			hv_fmt_uptime(up, sizeof(up), v->info.uptime_ms / 1000);
		}
		fprintf(f, "%-20s %8s %6s %-12s %4s %7s %8s\n", v->name, pid,
		    uid, hv_state_word(v), cpus, mem, up);
	}
}

/* ----------------------------------------------------------------- stats */

static uint64_t
total_exits(const struct ctl_stats *st)
{
	uint64_t t = 0;

	for (uint32_t i = 0; i < st->nvcpus; i++)
		t += st->vcpu_exits[i];
	return t;
}

static const char *
dev_state(uint32_t s)
{
	return s == CTL_DEV_OK ? "ok" : s == CTL_DEV_NEEDS_RESET ?
	    "needs-reset" : s == CTL_DEV_GONE ? "gone" : "unknown";
}

static void
json_ll(FILE *f, const char *key, long long v, bool comma)
{
	if (v == -2)
		fprintf(f, "%s\"%s\":\"max\"", comma ? "," : "", key);
	else if (v < 0)
		fprintf(f, "%s\"%s\":null", comma ? "," : "", key);
	else
		fprintf(f, "%s\"%s\":%lld", comma ? "," : "", key, v);
}

static void
stats_json(FILE *f, const struct hv_vm *vm, const struct ctl_stats *st,
    const struct hv_cgroup *cg)
{
	bool first = true;

	fputs("{\"name\":", f);
	hv_json_str(f, vm->name);
	fprintf(f, ",\"uptime_ms\":%" PRIu64 ",\"exits\":{\"total\":%" PRIu64,
	    st->uptime_ms, total_exits(st));
	fputs(",\"by_reason\":", f);
	if (st->flags & CTL_STATS_EXIT_REASONS) {
		fputs("{", f);
		for (unsigned int r = 0; r < CTL_NEXIT; r++) {
			const char *name = ctl_exit_name(r);
			char other[16];

			if (st->exits[r] == 0)
				continue;
			if (name == NULL) {
				snprintf(other, sizeof(other), "reason_%u", r);
				name = other;
			}
			fprintf(f, "%s\"%s\":%" PRIu64, first ? "" : ",", name,
			    st->exits[r]);
			first = false;
		}
		fputs("}", f);
	} else {
		fputs("null", f);
	}
	fputs(",\"per_vcpu\":[", f);
	for (uint32_t i = 0; i < st->nvcpus; i++)
		fprintf(f, "%s%" PRIu64, i ? "," : "", st->vcpu_exits[i]);
	fputs("]}", f);
	if (st->flags & CTL_STATS_CONSOLE)
		fprintf(f, ",\"console\":{\"tx\":%" PRIu64 ",\"rx\":%" PRIu64
		    ",\"dropped\":%" PRIu64 "}", st->console_tx,
		    st->console_rx, st->console_dropped);
	else
		fputs(",\"console\":null", f);
	fputs(",\"devices\":[", f);
	for (uint32_t i = 0; i < st->ndevs; i++) {
		const struct ctl_dev_stats *d = &st->devs[i];

		fputs(i ? ",{\"slot\":" : "{\"slot\":", f);
		hv_json_str(f, d->slot);
		fputs(",\"device\":", f);
		hv_json_str(f, d->name);
		fputs(",\"state\":", f);
		hv_json_str(f, dev_state(d->state));
		/* the helper's counters, null when it reports none */
		if (d->flags & CTL_DEV_COUNTERS)
			fprintf(f, ",\"requests\":%" PRIu64 ",\"bytes_in\":%"
			    PRIu64 ",\"bytes_out\":%" PRIu64 ",\"errors\":%"
			    PRIu64, d->requests, d->bytes_in, d->bytes_out,
			    d->errors);
		else
			fputs(",\"requests\":null,\"bytes_in\":null,"
			    "\"bytes_out\":null,\"errors\":null", f);
		fprintf(f, ",\"needs_reset\":%" PRIu64 "}", d->needs_reset);
	}
	fputs("],\"cgroup\":", f);
	if (cg->version == 0) {
		fputs("null", f);
	} else {
		fputs("{\"path\":", f);
		hv_json_str(f, cg->path);
		fprintf(f, ",\"version\":%d", cg->version);
		json_ll(f, "cpu_usec", cg->cpu_usec, true);
		json_ll(f, "memory", cg->mem_cur, true);
		json_ll(f, "memory_max", cg->mem_max, true);
		json_ll(f, "pids", cg->pids_cur, true);
		json_ll(f, "pids_max", cg->pids_max, true);
		fputs("}", f);
	}
	fputs("}\n", f);
}

static void
fmt_ll_size(char *buf, size_t len, long long v)
{
	if (v == -2)
		snprintf(buf, len, "max");
	else if (v < 0)
		snprintf(buf, len, "?");
	else
		hv_fmt_size(buf, len, (uint64_t)v);
}

static void
fmt_ll(char *buf, size_t len, long long v)
{
	if (v == -2)
		snprintf(buf, len, "max");
	else if (v < 0)
		snprintf(buf, len, "?");
	else
		snprintf(buf, len, "%lld", v);
}

void
hv_print_stats(FILE *f, const struct hv_vm *vm, const struct ctl_stats *st,
    const struct hv_cgroup *cg, bool json)
{
	char up[16], a[16], b[16];

	if (json) {
		stats_json(f, vm, st, cg);
		return;
	}
	hv_fmt_uptime(up, sizeof(up), st->uptime_ms / 1000);
	fprintf(f, "%s: up %s, %" PRIu32 " vCPU%s\n", vm->name, up, st->nvcpus,
	    st->nvcpus == 1 ? "" : "s");
	fprintf(f, "vCPU exits: %" PRIu64 " total", total_exits(st));
	for (uint32_t i = 0; i < st->nvcpus; i++)
		fprintf(f, "%svcpu%" PRIu32 " %" PRIu64, i ? ", " : " (",
		    i, st->vcpu_exits[i]);
	fputs(st->nvcpus ? ")\n" : "\n", f);
	if (st->flags & CTL_STATS_EXIT_REASONS) {
		fputs("  by reason:", f);
		for (unsigned int r = 0; r < CTL_NEXIT; r++) {
			const char *name = ctl_exit_name(r);

			if (st->exits[r] == 0)
				continue;
			if (name)
				fprintf(f, " %s %" PRIu64, name, st->exits[r]);
			else
				fprintf(f, " reason_%u %" PRIu64, r,
				    st->exits[r]);
		}
		fputc('\n', f);
	}
	if (st->flags & CTL_STATS_CONSOLE)
		fprintf(f, "console: %" PRIu64 " bytes out, %" PRIu64 " in, %"
		    PRIu64 " dropped\n", st->console_tx, st->console_rx,
		    st->console_dropped);
	if (st->ndevs > 0) {
		fprintf(f, "%-8s %-12s %-11s %10s %10s %10s %7s %7s\n", "SLOT",
		    "DEVICE", "STATE", "REQUESTS", "IN", "OUT", "ERRORS",
		    "RESETS");
		for (uint32_t i = 0; i < st->ndevs; i++) {
			const struct ctl_dev_stats *d = &st->devs[i];

			char rq[24], er[24];

			if (d->flags & CTL_DEV_COUNTERS) {
				snprintf(rq, sizeof(rq), "%" PRIu64,
				    d->requests);
				hv_fmt_size(a, sizeof(a), d->bytes_in);
				hv_fmt_size(b, sizeof(b), d->bytes_out);
				snprintf(er, sizeof(er), "%" PRIu64, d->errors);
			} else {
				/* the helper keeps no stats area */
				snprintf(rq, sizeof(rq), "-");
				snprintf(a, sizeof(a), "-");
				snprintf(b, sizeof(b), "-");
				snprintf(er, sizeof(er), "-");
			}
			fprintf(f, "%-8s %-12s %-11s %10s %10s %10s %7s %7"
			    PRIu64 "\n", d->slot, d->name,
			    dev_state(d->state), rq, a, b, er,
			    d->needs_reset);
		}
	} else {
		fputs("devices: none reporting\n", f);
	}
	if (cg->version == 0) {
		fputs("cgroup: unknown\n", f);
	} else {
		char cpu[32], pc[24], pm[24];

		if (cg->cpu_usec >= 0)
			snprintf(cpu, sizeof(cpu), "%lld.%03llds",
			    cg->cpu_usec / 1000000,
			    cg->cpu_usec / 1000 % 1000);
		else
			snprintf(cpu, sizeof(cpu), "?");
		fmt_ll_size(a, sizeof(a), cg->mem_cur);
		fmt_ll_size(b, sizeof(b), cg->mem_max);
		fmt_ll(pc, sizeof(pc), cg->pids_cur);
		fmt_ll(pm, sizeof(pm), cg->pids_max);
		fprintf(f, "cgroup %s (v%d): cpu %s, memory %s / %s, pids %s / "
		    "%s\n", cg->path, cg->version, cpu, a, b, pc, pm);
	}
}
