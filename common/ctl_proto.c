/*
 * ctl_proto: building and checking control-socket messages (see
 * ctl_proto.h), shared by hyve's control server and hyvectl.
 *
 * Every byte handed to ctl_msg_parse() came from the other process, which
 * may be hostile or simply another version: nothing here may read past n,
 * trust a length field, or assume a string is terminated.
 */
#include "ctl_proto.h"

#include <errno.h>
#include <linux/kvm.h>
#include <string.h>

long
ctl_payload_size(uint32_t type)
{
	switch (type) {
	case CTL_REQ_INFO:
	case CTL_REQ_POWEROFF:
	case CTL_REQ_REBOOT:
	case CTL_REQ_DESTROY:
	case CTL_REQ_STATS:
		return 0;
	case CTL_REQ_INFO | CTL_REPLY:
		return (long)sizeof(struct ctl_info);
	case CTL_REQ_POWEROFF | CTL_REPLY:
	case CTL_REQ_REBOOT | CTL_REPLY:
	case CTL_REQ_DESTROY | CTL_REPLY:
		return 0;
	case CTL_REQ_STATS | CTL_REPLY:
		return (long)sizeof(struct ctl_stats);
	case CTL_REP_ERROR:
		return (long)sizeof(struct ctl_error);
	default:
		return -1;
	}
}

long
ctl_msg_build(void *buf, size_t bufsize, uint16_t type, uint32_t seq,
    const void *payload, uint32_t plen)
{
	struct ctl_hdr h = {
		.magic = CTL_MAGIC,
		.version = CTL_VERSION,
		.type = type,
		.len = plen,
		.seq = seq,
	};

	if (bufsize < sizeof(h) || bufsize - sizeof(h) < plen ||
	    (plen > 0 && payload == NULL))
		return -EMSGSIZE;
	memcpy(buf, &h, sizeof(h));
	if (plen > 0)
		memcpy((char *)buf + sizeof(h), payload, plen);
	return (long)(sizeof(h) + plen);
}

int
ctl_msg_parse(const void *buf, size_t n, struct ctl_hdr *hdr,
    const void **payload)
{
	long want;

	*payload = NULL;
	if (n < sizeof(*hdr))
		return -EBADMSG;
	memcpy(hdr, buf, sizeof(*hdr));
	if (hdr->magic != CTL_MAGIC)
		return -EPROTO;
	if (hdr->version != CTL_VERSION)
		return -EPROTONOSUPPORT;
	/* The length field must describe exactly the datagram we got:
	 * neither a short read nor trailing bytes are accepted. */
	if (hdr->len != n - sizeof(*hdr))
		return -EBADMSG;
	want = ctl_payload_size(hdr->type);
	if (want < 0)
		return -EOPNOTSUPP;
	if ((unsigned long)want != hdr->len)
		return -EMSGSIZE;
	*payload = (const char *)buf + sizeof(*hdr);
	return 0;
}

void
ctl_info_sanitize(struct ctl_info *in)
{
	in->name[sizeof(in->name) - 1] = '\0';
}

void
ctl_stats_sanitize(struct ctl_stats *st)
{
	if (st->nvcpus > CTL_MAX_VCPUS)
		st->nvcpus = CTL_MAX_VCPUS;
	if (st->ndevs > CTL_MAX_DEVS)
		st->ndevs = CTL_MAX_DEVS;
	for (unsigned int i = 0; i < CTL_MAX_DEVS; i++) {
		st->devs[i].name[sizeof(st->devs[i].name) - 1] = '\0';
		st->devs[i].slot[sizeof(st->devs[i].slot) - 1] = '\0';
		st->devs[i].flags &= CTL_DEV_COUNTERS;
	}
}

void
ctl_error_sanitize(struct ctl_error *e)
{
	e->msg[sizeof(e->msg) - 1] = '\0';
}

const char *
ctl_exit_name(unsigned int reason)
{
	static const char *const names[] = {
		[KVM_EXIT_UNKNOWN] = "unknown",
		[KVM_EXIT_EXCEPTION] = "exception",
		[KVM_EXIT_IO] = "io",
		[KVM_EXIT_HYPERCALL] = "hypercall",
		[KVM_EXIT_DEBUG] = "debug",
		[KVM_EXIT_HLT] = "hlt",
		[KVM_EXIT_MMIO] = "mmio",
		[KVM_EXIT_IRQ_WINDOW_OPEN] = "irq_window",
		[KVM_EXIT_SHUTDOWN] = "shutdown",
		[KVM_EXIT_FAIL_ENTRY] = "fail_entry",
		[KVM_EXIT_INTR] = "intr",
		[KVM_EXIT_SET_TPR] = "set_tpr",
		[KVM_EXIT_TPR_ACCESS] = "tpr_access",
		[KVM_EXIT_NMI] = "nmi",
		[KVM_EXIT_INTERNAL_ERROR] = "internal_error",
		[KVM_EXIT_SYSTEM_EVENT] = "system_event",
		[KVM_EXIT_IOAPIC_EOI] = "ioapic_eoi",
		[KVM_EXIT_HYPERV] = "hyperv",
		[KVM_EXIT_X86_RDMSR] = "rdmsr",
		[KVM_EXIT_X86_WRMSR] = "wrmsr",
		[KVM_EXIT_DIRTY_RING_FULL] = "dirty_ring_full",
		[KVM_EXIT_AP_RESET_HOLD] = "ap_reset_hold",
		[KVM_EXIT_X86_BUS_LOCK] = "bus_lock",
		[KVM_EXIT_NOTIFY] = "notify",
		[CTL_NEXIT - 1] = "other",
	};

	if (reason >= sizeof(names) / sizeof(names[0]))
		return NULL;
	return names[reason];
}

const char *
ctl_state_name(uint32_t state)
{
	switch (state) {
	case CTL_STATE_RUNNING:
		return "running";
	case CTL_STATE_POWERING_OFF:
		return "powering-off";
	case CTL_STATE_STOPPING:
		return "stopping";
	default:
		return "unknown";
	}
}
