/*
 * hyvectl_fmt: hyvectl's output, as a table for people and as JSON for
 * programs.
 *
 * Every string that reaches JSON goes through hv_json_str(), which always
 * produces valid JSON whatever bytes a run directory name, a socket's
 * answer or an error message holds.  Output only: it never talks to a VM.
 */
#ifndef HYVE_HYVECTL_FMT_H
#define HYVE_HYVECTL_FMT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "hyvectl_client.h"

/* s as a JSON string literal (quotes included).  Bytes >= 0x80 are
 * written as \u00XX: hyvectl's strings are ASCII, and this keeps the
 * output valid when they are not. */
void hv_json_str(FILE *f, const char *s);

/* "512M", "2G", "1.5G", "100K", "12B". */
void hv_fmt_size(char *buf, size_t len, uint64_t bytes);
/* "45s", "3m07s", "2h05m", "4d03h". */
void hv_fmt_uptime(char *buf, size_t len, uint64_t seconds);

/* Status word of a VM in the list: running, powering-off, stale, ... */
const char *hv_state_word(const struct hv_vm *vm);

void hv_print_list(FILE *f, const struct hv_vm *vms, int n, bool json);

void hv_print_stats(FILE *f, const struct hv_vm *vm,
    const struct ctl_stats *st, const struct hv_cgroup *cg, bool json);

#endif
