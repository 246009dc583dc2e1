/*
 * pci_virtio: the virtio 1.x PCI transport of hyve and the vhost-user
 * front end that drives each device's helper process.
 *
 * One emulation per device type (virtio-blk, virtio-net, virtio-rnd, the
 * names bhyve uses), modern only: device id 0x1040 + type, revision 1,
 * vendor capabilities COMMON/NOTIFY/ISR/DEVICE in BAR 4, MSI-X in BAR 1.
 * The register model is vmm/virtio_regs.c; this file performs what it
 * asks for: vhost-user requests at DRIVER_OK and reset, ioeventfds that
 * follow BAR 4, irqfds whose GSI routes follow the MSI-X table.
 *
 * Threads: vCPU threads call barread/barwrite/msix_changed (under
 * vd->lock, which may take pi->lock inside it, never the reverse); barmap
 * runs under pi->lock and so only takes vd->io_lock.  One monitor thread
 * per device, created at init before the sandbox, waits for the helper to
 * hang up or exit, for broken-ring reports (SET_VRING_ERR eventfds), and
 * relays call eventfds while their vector cannot go through KVM (masked,
 * MSI-X off, or no irqfd).
 *
 * Trust: the guest owns every register value, the helper every reply;
 * neither can make hyve index out of bounds, block for more than
 * VPCI_VU_TIMEOUT_MS, or stop the VM.  No allocation after init: vCPU
 * threads run under a seccomp policy without mmap.
 */
#define _GNU_SOURCE
#include "vmm/pci_virtio.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/if_tun.h>
#include <linux/kvm.h>
#include <net/if.h>
#include <poll.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/cfg.h"
#include "common/ctl_proto.h"
#include "devices/net_mac.h"
#include "devices/vu_front.h"
#include "devices/vu_proto.h"
#include "vmm/gate.h"
#include "vmm/virtio_helper.h"
#include "vmm/virtio_msi.h"
#include "vmm/virtio_regs.h"
#include "vmm/vm.h"

#define NQ		VREGS_MAX_QUEUES
#define FBIT(b)		(1ULL << (b))

/* Transport and ring features hyve implements for every type. */
#define F_INDIRECT_DESC	28
#define F_EVENT_IDX	29
#define F_VERSION_1	32
#define COMMON_FEATURES	(FBIT(F_INDIRECT_DESC) | FBIT(F_EVENT_IDX) | \
	FBIT(F_VERSION_1))

struct vpci_dev;

/* What a device type needs from bare-mode set-up: the helper's extra
 * arguments and its device fd. */
struct vpci_launch {
	const char *args[VHELPER_MAX_ARGS + 1];
	int nargs;
	char buf[4][64];		/* storage for formatted arguments */
	int dev_fd;
	bool own_dev_fd;
};

struct vpci_type {
	const char *name;
	uint16_t vtype;			/* virtio device id */
	uint8_t class, subclass;
	uint16_t nqueues;		/* when the helper does not say */
	uint16_t qsize;
	uint32_t config_len;		/* device config bytes fetched */
	uint64_t features;		/* device bits hyve passes through */
	const char *helper;
	int (*launch)(struct vpci_dev *vd, const struct cfg *cfg,
	    const char *prefix, struct vpci_launch *l, char *err,
	    size_t errlen);
};

struct vpci_dev {
	struct pci_devinst *pi;
	struct vm *vm;
	const struct vpci_type *type;
	char label[64];			/* "pci.0.4.0 virtio-rnd" */
	pthread_mutex_t lock;
	struct vregs regs;
	uint8_t config[VHOST_USER_MAX_CONFIG_SIZE];
	uint32_t config_len;
	struct vhelper helper;
	struct vu_front vu;
	uint64_t backend_features;
	uint64_t protocol_features;	/* acked */
	unsigned int nq;
	int kick_fd[NQ], call_fd[NQ], err_fd[NQ];
	int gsi[NQ];
	bool irqfd_on[NQ];
	bool started[NQ];
	bool running;			/* DRIVER_OK sequence begun */
	bool dead;			/* back end gone: no more requests */
	bool reported;			/* its death was printed */
	bool refusal_reported;		/* a refused request was printed */
	bool ring_reported;		/* a broken ring was printed */
	bool irqfd_warned;
	/* ioeventfds, under io_lock only (barmap runs under pi->lock) */
	pthread_mutex_t io_lock;
	bool io_on[NQ];
	bool io_warned;
	uint64_t io_addr;
	/* monitor thread */
	int wake_fd;
	pthread_t mon;
	bool mon_up, quit;
	bool mon_started;		/* init done: the sandbox may be up */
	struct vpci_stats st;
	/* read by the control thread without the lock (vpci_dev_stats) */
	const struct vu_stats_area *stats_area;	/* the helper's, read-only */
	uint64_t resets;		/* times it went NEEDS_RESET (atomic) */
};

/* ------------------------------------------------------------ messages */

/* One line on stderr, written at once (threads share it). */
static void __attribute__((format(printf, 2, 3)))
vpci_say(const struct vpci_dev *vd, const char *fmt, ...)
{
	char line[512];
	va_list ap;
	int n;

	n = snprintf(line, sizeof(line), "hyve: %s: ", vd->label);
	if (n < 0 || (size_t)n >= sizeof(line))
		return;
	va_start(ap, fmt);
	vsnprintf(line + n, sizeof(line) - (size_t)n - 1, fmt, ap);
	va_end(ap);
	n = (int)strlen(line);
	line[n++] = '\n';
	if (write(STDERR_FILENO, line, (size_t)n) < 0) {
		/* nowhere else to say it */
	}
}

/* ------------------------------------------------------- interrupts */

static void config_irq(struct vpci_dev *vd)
{
	uint16_t v;

	vd->regs.isr |= VIRTIO_ISR_CONFIG;
	v = vd->regs.config_msix_vector;
	if (v != VREGS_NO_VECTOR)
		(void)pci_msix_notify(vd->pi, v);
}

/* Set DEVICE_NEEDS_RESET, count it and tell the driver, unless it was
 * already set.  Lock held. */
static void needs_reset(struct vpci_dev *vd)
{
	if (vregs_set_needs_reset(&vd->regs)) {
		__atomic_add_fetch(&vd->resets, 1, __ATOMIC_RELAXED);
		config_irq(vd);
	}
}

static void wake_monitor(struct vpci_dev *vd)
{
	uint64_t one = 1;

	if (write(vd->wake_fd, &one, sizeof(one)) < 0) {
		/* counter full: the monitor is awake anyway */
	}
}

/*
 * Make each queue's call eventfd reach its vector: through KVM (irqfd on a
 * GSI routed to the MSI-X entry) while the vector is deliverable, through
 * the monitor thread (which sets the PBA bit) while it is masked.  Lock
 * held; takes pi->lock to read the table.
 */
static void update_routes(struct vpci_dev *vd)
{
	struct pci_devinst *pi = vd->pi;
	bool changed = false;
	unsigned int q;

	for (q = 0; q < vd->nq; q++) {
		uint16_t v = vd->regs.q[q].msix_vector;
		struct pci_msix_entry e = { 0, 0, PCI_MSIX_VCTRL_MASK };
		bool ok;
		int r;

		pthread_mutex_lock(&pi->lock);
		ok = pi->msix.enabled && !pi->msix.fmask &&
		    v != VREGS_NO_VECTOR && v < pi->msix.nvec;
		if (ok)
			e = pi->msix.table[v];
		pthread_mutex_unlock(&pi->lock);
		ok = ok && !(e.vctrl & PCI_MSIX_VCTRL_MASK) &&
		    vd->vm->vm_fd >= 0 && vd->gsi[q] >= 0;
		if (ok) {
			r = vmsi_route(vd->vm, (unsigned int)vd->gsi[q], true,
			    e.addr, e.data);
			if (r == 0 && !vd->irqfd_on[q])
				r = vmsi_irqfd(vd->vm, vd->call_fd[q],
				    (unsigned int)vd->gsi[q], true);
			if (r == 0) {
				changed |= !vd->irqfd_on[q];
				vd->irqfd_on[q] = true;
				continue;
			}
			if (!vd->irqfd_warned) {
				vd->irqfd_warned = true;
				vpci_say(vd, "queue %u: irqfd: %s; its "
				    "interrupts go through hyve", q,
				    strerror(-r));
			}
		}
		if (vd->irqfd_on[q]) {
			(void)vmsi_irqfd(vd->vm, vd->call_fd[q],
			    (unsigned int)vd->gsi[q], false);
			vd->irqfd_on[q] = false;
			changed = true;
		}
		if (vd->gsi[q] >= 0)
			(void)vmsi_route(vd->vm, (unsigned int)vd->gsi[q],
			    false, 0, 0);
	}
	/* The monitor must start or stop polling those call fds. */
	if (changed)
		wake_monitor(vd);
}

static void vpci_msix_changed(struct pci_devinst *pi, int vector)
{
	struct vpci_dev *vd = pi->softc;

	(void)vector;
	if (vd == NULL)
		return;
	pthread_mutex_lock(&vd->lock);
	update_routes(vd);
	pthread_mutex_unlock(&vd->lock);
}

/* ------------------------------------------------------- back end */

/* A request failed: the device needs a reset; tell the guest and (once)
 * the operator.  Lock held. */
static void backend_failed(struct vpci_dev *vd, const char *what, int r)
{
	/* -EIO is a refusal (error ack): the helper is alive, the request
	 * was bad; anything else (no answer, hang-up, a malformed reply)
	 * means it cannot be trusted any more and gets no more requests. */
	bool gone = r != -EIO;

	if (gone)
		__atomic_store_n(&vd->dead, true, __ATOMIC_RELAXED);
	if (!vd->reported && (gone || !vd->refusal_reported)) {
		vd->reported = gone;
		vd->refusal_reported = true;
		vpci_say(vd, "back end %s: %s: %s; device marked "
		    "NEEDS_RESET%s", vd->helper.prog, what,
		    r == -EAGAIN ? "no answer" : r == -EIO ? "refused" :
		    strerror(-r),
		    gone ? ", it stays unusable until the VM restarts" : "");
	}
	needs_reset(vd);
}

#define VU_TRY(what, call) do {				\
	int r_ = (call);				\
	if (r_ < 0) {					\
		backend_failed(vd, what, r_);		\
		return r_;				\
	}						\
} while (0)

static int set_mem_table(struct vpci_dev *vd)
{
	struct vu_mem_region reg[2];
	int fds[2];
	unsigned int n = 0;
	struct vm *vm = vd->vm;

	memset(reg, 0, sizeof(reg));
	reg[n].gpa = 0;
	reg[n].size = vm->lowmem;
	reg[n].uaddr = (uint64_t)(uintptr_t)vm->mem;
	reg[n].mmap_offset = 0;
	fds[n++] = vm->mem_fd;
	if (vm->highmem) {
		reg[n].gpa = VM_HIGHMEM_BASE;
		reg[n].size = vm->highmem;
		reg[n].uaddr = (uint64_t)(uintptr_t)(vm->mem + vm->lowmem);
		reg[n].mmap_offset = vm->lowmem;
		fds[n++] = vm->mem_fd;
	}
	return vu_front_set_mem_table(&vd->vu, reg, fds, n);
}

/* hyve's address of a ring, or 0 when it is not all guest RAM. */
static uint64_t ring_uaddr(struct vpci_dev *vd, uint64_t gpa, uint64_t len)
{
	void *p = vm_gpa2hva(vd->vm, gpa, len);

	return p ? (uint64_t)(uintptr_t)p : 0;
}

/* DRIVER_OK: give the helper the memory and the enabled queues. */
static int backend_start(struct vpci_dev *vd)
{
	uint64_t feat = vd->regs.drv_features;
	bool proto = vd->backend_features &
	    FBIT(VHOST_USER_F_PROTOCOL_FEATURES);
	unsigned int q;

	if (vd->dead) {
		needs_reset(vd);
		return -ENOTCONN;
	}
	/* From the first request on, the helper holds state a reset must
	 * clear, even if this start fails half-way. */
	vd->running = true;
	/* Without bit 30 acked, the protocol features would be void. */
	if (proto)
		feat |= FBIT(VHOST_USER_F_PROTOCOL_FEATURES);
	VU_TRY("SET_FEATURES", vu_front_set_u64(&vd->vu,
	    VHOST_USER_SET_FEATURES, feat));
	VU_TRY("SET_MEM_TABLE", set_mem_table(vd));
	for (q = 0; q < vd->nq; q++) {
		const struct vregs_queue *vq = &vd->regs.q[q];
		struct vu_vring_addr a;

		if (!vq->enabled)
			continue;
		memset(&a, 0, sizeof(a));
		a.index = q;
		a.desc = ring_uaddr(vd, vq->desc, 16ULL * vq->size);
		a.avail = ring_uaddr(vd, vq->driver, 6ULL + 2ULL * vq->size);
		a.used = ring_uaddr(vd, vq->device, 6ULL + 8ULL * vq->size);
		if (a.desc == 0 || a.avail == 0 || a.used == 0) {
			/* The guest's fault: NEEDS_RESET, the helper is fine. */
			vd->st.ring_errors++;
			needs_reset(vd);
			return -EFAULT;
		}
		VU_TRY("SET_VRING_NUM", vu_front_set_state(&vd->vu,
		    VHOST_USER_SET_VRING_NUM, q, vq->size));
		VU_TRY("SET_VRING_BASE", vu_front_set_state(&vd->vu,
		    VHOST_USER_SET_VRING_BASE, q, 0));
		VU_TRY("SET_VRING_ADDR", vu_front_set_vring_addr(&vd->vu, &a));
		VU_TRY("SET_VRING_CALL", vu_front_set_vring_fd(&vd->vu,
		    VHOST_USER_SET_VRING_CALL, q, vd->call_fd[q]));
		VU_TRY("SET_VRING_ERR", vu_front_set_vring_fd(&vd->vu,
		    VHOST_USER_SET_VRING_ERR, q, vd->err_fd[q]));
		/* The kick starts the ring in the helper: last. */
		VU_TRY("SET_VRING_KICK", vu_front_set_vring_fd(&vd->vu,
		    VHOST_USER_SET_VRING_KICK, q, vd->kick_fd[q]));
		vd->started[q] = true;
		if (proto)
			VU_TRY("SET_VRING_ENABLE", vu_front_set_state(&vd->vu,
			    VHOST_USER_SET_VRING_ENABLE, q, 1));
	}
	return 0;
}

/* Status 0: stop the rings and reset the helper's device state. */
static int backend_stop(struct vpci_dev *vd)
{
	unsigned int q;
	uint32_t base;
	bool was = vd->running;

	vd->running = false;
	for (q = 0; q < NQ; q++)
		vd->started[q] = false;
	if (!was || vd->dead)
		return 0;
	for (q = 0; q < vd->nq; q++)
		VU_TRY("GET_VRING_BASE", vu_front_get_vring_base(&vd->vu, q,
		    &base));
	if (vd->protocol_features & FBIT(VHOST_USER_PROTOCOL_F_RESET_DEVICE)) {
		VU_TRY("RESET_DEVICE", vu_front_simple(&vd->vu,
		    VHOST_USER_RESET_DEVICE));
	} else {
		VU_TRY("RESET_OWNER", vu_front_simple(&vd->vu,
		    VHOST_USER_RESET_OWNER));
		VU_TRY("SET_OWNER", vu_front_simple(&vd->vu,
		    VHOST_USER_SET_OWNER));
	}
	return 0;
}

/* First contact: features, protocol features, queues, config space. */
/*
 * Give the helper a stats area (devices/vu_proto.h) for `hyvectl stats`.
 * Now, before the sandbox: memfd_create is not in hyve's policy.  A helper
 * that offered the area and then refuses it is broken: init fails.
 */
static int stats_area_setup(struct vpci_dev *vd)
{
	const struct vu_stats_area *a;
	int fd, r;

	r = vu_stats_area_create(VU_STATS_AREA_MIN, &fd, &a);
	if (r < 0)
		return r;
	r = vu_front_set_stats_area(&vd->vu, fd, VU_STATS_AREA_MIN);
	close(fd);
	if (r < 0) {
		munmap((void *)(uintptr_t)a, VU_STATS_AREA_MIN);
		return r;
	}
	vd->stats_area = a;
	return 0;
}

static int backend_hello(struct vpci_dev *vd, char *err, size_t errlen)
{
	const uint64_t want = FBIT(VHOST_USER_PROTOCOL_F_MQ) |
	    FBIT(VHOST_USER_PROTOCOL_F_REPLY_ACK) |
	    FBIT(VHOST_USER_PROTOCOL_F_CONFIG) |
	    FBIT(VHOST_USER_PROTOCOL_F_RESET_DEVICE) |
	    FBIT(VHOST_USER_PROTOCOL_F_HYVE_STATS);
	const char *step;
	uint64_t pf = 0, nq;
	int r;

	step = "GET_FEATURES";
	r = vu_front_get_u64(&vd->vu, VHOST_USER_GET_FEATURES,
	    &vd->backend_features);
	if (r == 0 && (vd->backend_features &
	    FBIT(VHOST_USER_F_PROTOCOL_FEATURES))) {
		step = "GET_PROTOCOL_FEATURES";
		r = vu_front_get_u64(&vd->vu,
		    VHOST_USER_GET_PROTOCOL_FEATURES, &pf);
		if (r == 0) {
			step = "SET_PROTOCOL_FEATURES";
			vd->protocol_features = pf & want;
			r = vu_front_set_protocol_features(&vd->vu,
			    vd->protocol_features);
		}
	}
	if (r == 0) {
		step = "SET_OWNER";
		r = vu_front_simple(&vd->vu, VHOST_USER_SET_OWNER);
	}
	if (r == 0 && (vd->protocol_features &
	    FBIT(VHOST_USER_PROTOCOL_F_HYVE_STATS))) {
		step = "HYVE_SET_STATS_AREA";
		r = stats_area_setup(vd);
	}
	vd->nq = vd->type->nqueues;
	if (r == 0 && (vd->protocol_features &
	    FBIT(VHOST_USER_PROTOCOL_F_MQ))) {
		step = "GET_QUEUE_NUM";
		r = vu_front_get_u64(&vd->vu, VHOST_USER_GET_QUEUE_NUM, &nq);
		if (r == 0 && (nq < vd->type->nqueues || nq > NQ)) {
			snprintf(err, errlen, "back end %s offers %llu "
			    "queues, %s needs %u to %u", vd->helper.prog,
			    (unsigned long long)nq, vd->type->name,
			    vd->type->nqueues, NQ);
			return -EPROTO;
		}
		if (r == 0)
			vd->nq = (unsigned int)nq;
	}
	vd->config_len = 0;
	if (r == 0 && vd->type->config_len) {
		if (!(vd->protocol_features &
		    FBIT(VHOST_USER_PROTOCOL_F_CONFIG))) {
			snprintf(err, errlen, "back end %s has no config "
			    "space (VHOST_USER_PROTOCOL_F_CONFIG), %s needs "
			    "one", vd->helper.prog, vd->type->name);
			return -EPROTO;
		}
		step = "GET_CONFIG";
		r = vu_front_get_config(&vd->vu, 0, vd->config,
		    vd->type->config_len);
		if (r == 0)
			vd->config_len = vd->type->config_len;
	}
	if (r < 0) {
		char how[64] = "";

		/* A helper that died on start says why on stderr; add how. */
		if (vd->helper.pid > 0 &&
		    vhelper_reap(&vd->helper, 500, how, sizeof(how)) == 1)
			snprintf(err, errlen, "back end %s: %s: %s (it %s)",
			    vd->helper.prog, step, r == -EAGAIN ?
			    "no answer" : strerror(-r), how);
		else
			snprintf(err, errlen, "back end %s: %s: %s",
			    vd->helper.prog, step, r == -EAGAIN ?
			    "no answer" : strerror(-r));
		return r;
	}
	if (!(vd->backend_features & FBIT(F_VERSION_1))) {
		snprintf(err, errlen, "back end %s does not offer "
		    "VIRTIO_F_VERSION_1", vd->helper.prog);
		return -EPROTO;
	}
	return 0;
}

/* ------------------------------------------------------- BAR access */

static void do_action(struct vpci_dev *vd, enum vregs_action a,
    unsigned int q)
{
	uint64_t one = 1;

	switch (a) {
	case VREGS_ACT_NONE:
		break;
	case VREGS_ACT_RESET:
		(void)backend_stop(vd);
		update_routes(vd);
		break;
	case VREGS_ACT_DRIVER_OK:
		(void)backend_start(vd);
		break;
	case VREGS_ACT_VECTOR:
		update_routes(vd);
		break;
	case VREGS_ACT_NEEDS_RESET:
		__atomic_add_fetch(&vd->resets, 1, __ATOMIC_RELAXED);
		config_irq(vd);
		break;
	case VREGS_ACT_KICK:
		/* The ioeventfd missed it (other width, BAR not wired): do
		 * what KVM would have done. */
		vd->st.trapped_kicks++;
		if (q < vd->nq && write(vd->kick_fd[q], &one, sizeof(one)) < 0) {
			/* counter full: the helper has a kick pending */
		}
		break;
	}
}

static uint64_t errors_total(const struct vregs *r)
{
	uint64_t n = 0;
	int i;

	for (i = 0; i < VREGS_ERR__COUNT; i++)
		n += r->errors[i];
	return n;
}

static int vpci_barread(struct pci_devinst *pi, int bar, uint64_t off,
    int bytes, uint64_t *val)
{
	struct vpci_dev *vd = pi->softc;
	uint64_t v = 0;
	int i;

	*val = 0;
	if (vd == NULL || bar != VPCI_BAR || bytes < 1 || bytes > 8)
		return 0;
	pthread_mutex_lock(&vd->lock);
	if (off < VPCI_ISR_OFF) {
		v = vregs_common_read(&vd->regs, off - VPCI_COMMON_OFF, bytes);
	} else if (off == VPCI_ISR_OFF) {
		v = vregs_isr_read(&vd->regs);
	} else if (off >= VPCI_DEVCFG_OFF && off < VPCI_NOTIFY_OFF) {
		uint64_t c = off - VPCI_DEVCFG_OFF;

		if (c < vd->config_len && (uint64_t)bytes <= vd->config_len - c)
			for (i = 0; i < bytes; i++)
				v |= (uint64_t)vd->config[c + (uint64_t)i] <<
				    (8 * i);
	}
	pthread_mutex_unlock(&vd->lock);
	*val = v;
	return 0;
}

/* A driver write into device config: only through the helper (virtio-blk
 * writeback toggle); read back so the cache matches what it accepted. */
static void devcfg_write(struct vpci_dev *vd, uint64_t c, int bytes,
    uint64_t val)
{
	uint8_t b[8];
	int i, r;

	if (c >= vd->config_len || (uint64_t)bytes > vd->config_len - c ||
	    vd->dead) {
		vd->regs.errors[VREGS_ERR_ACCESS]++;
		return;
	}
	for (i = 0; i < bytes; i++)
		b[i] = (uint8_t)(val >> (8 * i));
	r = vu_front_set_config(&vd->vu, (uint32_t)c, b, (uint32_t)bytes);
	if (r == -EIO) {
		/* the helper refused it (read-only field): not a failure */
		vd->regs.errors[VREGS_ERR_ACCESS]++;
		return;
	}
	if (r == 0)
		r = vu_front_get_config(&vd->vu, 0, vd->config,
		    vd->config_len);
	if (r < 0)
		backend_failed(vd, "SET_CONFIG", r);
}

static int vpci_barwrite(struct pci_devinst *pi, int bar, uint64_t off,
    int bytes, uint64_t val)
{
	struct vpci_dev *vd = pi->softc;
	enum vregs_action a = VREGS_ACT_NONE;
	unsigned int q = 0;

	if (vd == NULL || bar != VPCI_BAR)
		return 0;
	pthread_mutex_lock(&vd->lock);
	if (off < VPCI_ISR_OFF)
		a = vregs_common_write(&vd->regs, off - VPCI_COMMON_OFF, bytes,
		    val);
	else if (off >= VPCI_NOTIFY_OFF)
		a = vregs_notify_write(&vd->regs, off - VPCI_NOTIFY_OFF, bytes,
		    val, &q);
	else if (off >= VPCI_DEVCFG_OFF)
		devcfg_write(vd, off - VPCI_DEVCFG_OFF, bytes, val);
	else
		vd->regs.errors[VREGS_ERR_ACCESS]++;	/* ISR is read-only */
	do_action(vd, a, q);
	vd->st.guest_errors = errors_total(&vd->regs);
	pthread_mutex_unlock(&vd->lock);
	return 0;
}

/* ------------------------------------------------------- ioeventfds */

static int ioeventfd(struct vm *vm, uint64_t addr, int efd, bool assign)
{
	struct kvm_ioeventfd io = {
		.addr = addr,
		.len = 2,	/* the driver writes the 16-bit queue index */
		.fd = efd,
		.flags = assign ? 0 : KVM_IOEVENTFD_FLAG_DEASSIGN,
	};

	if (vm->vm_fd < 0)
		return -EBADF;
	if (ioctl(vm->vm_fd, KVM_IOEVENTFD, &io) < 0)
		return -errno;
	return 0;
}

/* io_lock held. */
static void unwire_kicks(struct vpci_dev *vd)
{
	unsigned int q;

	for (q = 0; q < NQ; q++) {
		if (!vd->io_on[q])
			continue;
		(void)ioeventfd(vd->vm, vd->io_addr + VPCI_NOTIFY_OFF +
		    (uint64_t)q * VREGS_NOTIFY_MULT, vd->kick_fd[q], false);
		vd->io_on[q] = false;
	}
}

/* The notify doorbells follow BAR 4 (runs under pi->lock). */
static void vpci_barmap(struct pci_devinst *pi, int bar, bool enabled,
    uint64_t addr)
{
	struct vpci_dev *vd = pi->softc;
	unsigned int q;
	int r;

	if (vd == NULL || bar != VPCI_BAR)
		return;
	pthread_mutex_lock(&vd->io_lock);
	unwire_kicks(vd);
	if (enabled && vd->vm->vm_fd >= 0) {
		vd->io_addr = addr;
		for (q = 0; q < vd->nq; q++) {
			r = ioeventfd(vd->vm, addr + VPCI_NOTIFY_OFF +
			    (uint64_t)q * VREGS_NOTIFY_MULT, vd->kick_fd[q],
			    true);
			if (r == 0)
				vd->io_on[q] = true;
			else if (!vd->io_warned) {
				/* still correct: the write exits, barwrite
				 * kicks */
				vd->io_warned = true;
				vpci_say(vd, "queue %u: ioeventfd: %s; its "
				    "kicks go through hyve", q, strerror(-r));
			}
		}
	}
	pthread_mutex_unlock(&vd->io_lock);
}

/* ------------------------------------------------------- monitor */

/*
 * The helper hung up or exited.  Lock not held: this waits a little for
 * the exit and its SIGCHLD, to say which and how.  Only polls and reads
 * (no waitid in hyve's seccomp policy): the child is not reaped.
 */
static void helper_gone(struct vpci_dev *vd, bool exited)
{
	pid_t pid = vd->helper.pid;
	char how[64] = "exited";

	if (!exited && pid > 0)
		exited = vhelper_exited(&vd->helper, 500) == 1;
	if (exited && pid > 0)
		(void)vhelper_status(&vd->helper, 200, how, sizeof(how));
	pthread_mutex_lock(&vd->lock);
	__atomic_store_n(&vd->dead, true, __ATOMIC_RELAXED);
	if (exited && vd->helper.pidfd >= 0) {
		/* readable for good: stop polling it */
		close(vd->helper.pidfd);
		vd->helper.pidfd = -1;
	}
	if (!vd->reported) {
		vd->reported = true;
		if (pid > 0)
			vpci_say(vd, "back end %s (pid %d) %s; device marked "
			    "NEEDS_RESET, the VM goes on without it",
			    vd->helper.prog, (int)pid, exited ? how :
			    "hung up");
		else
			vpci_say(vd, "back end %s hung up; device marked "
			    "NEEDS_RESET, the VM goes on without it",
			    vd->helper.prog);
	}
	needs_reset(vd);
	pthread_mutex_unlock(&vd->lock);
}

enum { P_WAKE, P_SOCK, P_PID, P_CHLD, P_CALL, P_ERR = P_CALL + NQ,
	P_N = P_ERR + NQ };

static void *monitor(void *arg)
{
	struct vpci_dev *vd = arg;
	struct pollfd p[P_N];
	uint64_t cnt;
	unsigned int q;

	/* Nothing of the helper's before hyve's filter is in force on this
	 * thread (the start gate, vmm/gate.h via vm.h); cancelled: hyve is
	 * failing and joins us. */
	if (gate_wait(&vd->vm->start_gate) < 0)
		return NULL;
	for (;;) {
		pthread_mutex_lock(&vd->lock);
		if (vd->quit) {
			pthread_mutex_unlock(&vd->lock);
			break;
		}
		for (int i = 0; i < P_N; i++) {
			p[i].fd = -1;
			p[i].events = POLLIN;
			p[i].revents = 0;
		}
		p[P_WAKE].fd = vd->wake_fd;
		if (!vd->dead) {
			/* POLLRDHUP only: replies are the vCPUs' to read */
			p[P_SOCK].fd = vd->helper.sock;
			p[P_SOCK].events = POLLRDHUP;
		}
		p[P_PID].fd = vd->helper.pidfd;
		p[P_CHLD].fd = vhelper_chld_fd();
		for (q = 0; q < vd->nq; q++) {
			if (!vd->irqfd_on[q])
				p[P_CALL + q].fd = vd->call_fd[q];
			p[P_ERR + q].fd = vd->err_fd[q];
		}
		pthread_mutex_unlock(&vd->lock);

		if (poll(p, P_N, -1) < 0)
			continue;	/* EINTR */
		if (p[P_WAKE].revents & POLLIN)
			{
			if (read(vd->wake_fd, &cnt, sizeof(cnt)) < 0) {
				/* spurious: nothing to drain */
			}
		}
		/* keep SIGCHLD from piling up (see vhelper_status) */
		if (p[P_CHLD].revents & POLLIN)
			vhelper_chld_drain();
		if (p[P_PID].revents || (p[P_SOCK].revents &
		    (POLLRDHUP | POLLHUP | POLLERR)))
			helper_gone(vd, p[P_PID].revents != 0);
		pthread_mutex_lock(&vd->lock);
		for (q = 0; q < vd->nq; q++) {
			if ((p[P_CALL + q].revents & POLLIN) &&
			    read(vd->call_fd[q], &cnt, sizeof(cnt)) > 0) {
				uint16_t v = vd->regs.q[q].msix_vector;

				vd->regs.isr |= VIRTIO_ISR_QUEUE;
				vd->st.relayed_irqs++;
				if (v != VREGS_NO_VECTOR)
					(void)pci_msix_notify(vd->pi, v);
			}
			if ((p[P_ERR + q].revents & POLLIN) &&
			    read(vd->err_fd[q], &cnt, sizeof(cnt)) > 0) {
				/* a guest can repeat this at will: say it
				 * once, count the rest */
				vd->st.ring_errors++;
				if (!vd->ring_reported) {
					vd->ring_reported = true;
					vpci_say(vd, "queue %u: the guest broke "
					    "its ring; device marked "
					    "NEEDS_RESET (said once)", q);
				}
				needs_reset(vd);
			}
		}
		pthread_mutex_unlock(&vd->lock);
	}
	return NULL;
}

/* ------------------------------------------------------- bare mode */

static int launch_add(struct vpci_launch *l, const char *a)
{
	if (l->nargs >= VHELPER_MAX_ARGS)
		return -E2BIG;
	l->args[l->nargs++] = a;
	l->args[l->nargs] = NULL;
	return 0;
}

/* "fd:N" (inherited from whoever started hyve) or -1. */
static int fd_spec(const char *v)
{
	char *end;
	long n;

	if (v == NULL || strncmp(v, "fd:", 3) != 0)
		return -1;
	n = strtol(v + 3, &end, 10);
	if (*end != '\0' || end == v + 3 || n < 0 || n > 65535 ||
	    fcntl((int)n, F_GETFD) < 0)
		return -2;
	return (int)n;
}

static int get_flag(const struct cfg *cfg, const char *prefix,
    const char *key, bool *out, char *err, size_t errlen)
{
	char k[64];
	int r;

	snprintf(k, sizeof(k), "%s.%s", prefix, key);
	r = cfg_get_bool(cfg, k, false, out, err, errlen);
	return r == -ENOENT ? 0 : r;
}

static const char *get_str(const struct cfg *cfg, const char *prefix,
    const char *key)
{
	char k[64];

	snprintf(k, sizeof(k), "%s.%s", prefix, key);
	return cfg_get(cfg, k);
}

static int launch_rng(struct vpci_dev *vd, const struct cfg *cfg,
    const char *prefix, struct vpci_launch *l, char *err, size_t errlen)
{
	(void)vd;
	(void)cfg;
	(void)prefix;
	(void)l;
	(void)err;
	(void)errlen;
	return 0;
}

/* hyve-blk --fd 3 --disk-fd 4 [--ro] [--sectorsize L[/P]] [--serial S] */
static int launch_blk(struct vpci_dev *vd, const struct cfg *cfg,
    const char *prefix, struct vpci_launch *l, char *err, size_t errlen)
{
	const char *path = get_str(cfg, prefix, "path");
	const char *ss = get_str(cfg, prefix, "sectorsize");
	const char *ser = get_str(cfg, prefix, "ser");
	bool ro, nocache, direct;
	int r, fd, flags;

	(void)vd;
	if ((r = get_flag(cfg, prefix, "ro", &ro, err, errlen)) < 0 ||
	    (r = get_flag(cfg, prefix, "nocache", &nocache, err, errlen)) < 0 ||
	    (r = get_flag(cfg, prefix, "direct", &direct, err, errlen)) < 0)
		return r;
	if (path == NULL) {
		snprintf(err, errlen, "%s.path: virtio-blk needs a disk",
		    prefix);
		return -EINVAL;
	}
	fd = fd_spec(path);
	if (fd == -2) {
		snprintf(err, errlen, "%s.path=%s: not an open descriptor",
		    prefix, path);
		return -EBADF;
	}
	if (fd >= 0) {
		l->dev_fd = fd;
		l->own_dev_fd = false;
	} else {
		/* bhyve's blockif flags: nocache = O_DIRECT, direct = O_SYNC */
		flags = (ro ? O_RDONLY : O_RDWR) | O_CLOEXEC |
		    (nocache ? O_DIRECT : 0) | (direct ? O_SYNC : 0);
		fd = open(path, flags);
		if (fd < 0) {
			r = -errno;
			snprintf(err, errlen, "%s.path=%s: %s", prefix, path,
			    strerror(errno));
			return r;
		}
		l->dev_fd = fd;
		l->own_dev_fd = true;
	}
	r = launch_add(l, "--disk-fd");
	if (r == 0)
		r = launch_add(l, "4");
	if (r == 0 && ro)
		r = launch_add(l, "--ro");
	if (r == 0 && ss) {
		r = launch_add(l, "--sectorsize");
		if (r == 0)
			r = launch_add(l, ss);
	}
	if (r == 0 && ser) {
		r = launch_add(l, "--serial");
		if (r == 0)
			r = launch_add(l, ser);
	}
	return r;
}

/* Open tap NAME as the virtio-net back end wants it. */
static int open_tap(const char *name, char *err, size_t errlen)
{
	struct ifreq ifr;
	int fd, r;

	fd = open("/dev/net/tun", O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		r = -errno;
		snprintf(err, errlen, "/dev/net/tun: %s", strerror(errno));
		return r;
	}
	memset(&ifr, 0, sizeof(ifr));
	ifr.ifr_flags = IFF_TAP | IFF_NO_PI | IFF_VNET_HDR;
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", name);
	if (ioctl(fd, TUNSETIFF, &ifr) < 0) {
		r = -errno;
		snprintf(err, errlen, "tap %s: %s", name, strerror(errno));
		close(fd);
		return r;
	}
	return fd;
}

/* hyve-net --fd 3 --tap-fd 4 --mac M [--mtu N]: hyve always names the
 * MAC (mac= or the derived default). */
static int launch_net(struct vpci_dev *vd, const struct cfg *cfg,
    const char *prefix, struct vpci_launch *l, char *err, size_t errlen)
{
	const char *be = get_str(cfg, prefix, "backend");
	const char *mac = get_str(cfg, prefix, "mac");
	const char *mtu = get_str(cfg, prefix, "mtu");
	int r, fd;

	if (be == NULL) {
		snprintf(err, errlen, "%s.backend: virtio-net needs a tap",
		    prefix);
		return -EINVAL;
	}
	fd = fd_spec(be);
	if (fd == -2) {
		snprintf(err, errlen, "%s.backend=%s: not an open descriptor",
		    prefix, be);
		return -EBADF;
	}
	if (fd >= 0) {
		l->own_dev_fd = false;
	} else {
		fd = open_tap(be, err, errlen);
		if (fd < 0)
			return fd;
		l->own_dev_fd = true;
	}
	l->dev_fd = fd;
	if (mac == NULL) {
		uint8_t m[6];

		/* bhyve's derivation, hyve-net's hash (devices/net_mac.c) */
		net_default_mac((int)vd->pi->slot, (int)vd->pi->func,
		    cfg_get(cfg, "name"), m);
		snprintf(l->buf[0], sizeof(l->buf[0]),
		    "%02x:%02x:%02x:%02x:%02x:%02x", m[0], m[1], m[2], m[3],
		    m[4], m[5]);
		mac = l->buf[0];
	}
	r = launch_add(l, "--tap-fd");
	if (r == 0)
		r = launch_add(l, "4");
	if (r == 0)
		r = launch_add(l, "--mac");
	if (r == 0)
		r = launch_add(l, mac);
	if (r == 0 && mtu) {
		r = launch_add(l, "--mtu");
		if (r == 0)
			r = launch_add(l, mtu);
	}
	return r;
}

/* ------------------------------------------------------- types */

static const struct vpci_type vpci_types[] = {
	{
		.name = "virtio-rnd", .vtype = 4,
		.class = 0xff, .subclass = 0x00,
		.nqueues = 1, .qsize = 256, .config_len = 0,
		.features = 0,
		.helper = "hyve-rng", .launch = launch_rng,
	},
	{
		.name = "virtio-blk", .vtype = 2,
		.class = 0x01, .subclass = 0x00,
		.nqueues = 1, .qsize = 256,
		/* struct virtio_blk_config up to write_zeroes_may_unmap */
		.config_len = 60,
		/* SIZE_MAX SEG_MAX GEOMETRY RO BLK_SIZE FLUSH TOPOLOGY
		 * CONFIG_WCE DISCARD WRITE_ZEROES */
		.features = FBIT(1) | FBIT(2) | FBIT(4) | FBIT(5) | FBIT(6) |
		    FBIT(9) | FBIT(10) | FBIT(11) | FBIT(13) | FBIT(14),
		.helper = "hyve-blk", .launch = launch_blk,
	},
	{
		.name = "virtio-net", .vtype = 1,
		.class = 0x02, .subclass = 0x00,
		.nqueues = 2, .qsize = 256,
		/* mac, status, max_virtqueue_pairs, mtu */
		.config_len = 12,
		/* CSUM GUEST_CSUM MTU MAC GUEST_TSO4/TSO6/ECN/UFO
		 * HOST_TSO4/TSO6/ECN/UFO MRG_RXBUF STATUS */
		.features = FBIT(0) | FBIT(1) | FBIT(3) | FBIT(5) | FBIT(7) |
		    FBIT(8) | FBIT(9) | FBIT(10) | FBIT(11) | FBIT(12) |
		    FBIT(13) | FBIT(14) | FBIT(15) | FBIT(16),
		.helper = "hyve-net", .launch = launch_net,
	},
};

static const struct vpci_type *type_find(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(vpci_types) / sizeof(vpci_types[0]); i++)
		if (strcmp(vpci_types[i].name, name) == 0)
			return &vpci_types[i];
	return NULL;
}

/* ------------------------------------------------------- init */

static int add_vcap(struct pci_devinst *pi, uint8_t type, uint32_t off,
    uint32_t len, bool notify)
{
	uint8_t cap[20];

	memset(cap, 0, sizeof(cap));
	cap[0] = 0x09;			/* vendor specific */
	cap[2] = notify ? 20 : 16;	/* cap_len */
	cap[3] = type;
	cap[4] = VPCI_BAR;
	memcpy(&cap[8], &off, 4);	/* little endian host */
	memcpy(&cap[12], &len, 4);
	if (notify) {
		uint32_t mult = VREGS_NOTIFY_MULT;

		memcpy(&cap[16], &mult, 4);
	}
	return pci_emul_add_capability(pi, cap, notify ? 20 : 16);
}

static void vpci_free(struct vpci_dev *vd)
{
	unsigned int q;

	if (vd->mon_up) {
		pthread_mutex_lock(&vd->lock);
		vd->quit = true;
		pthread_mutex_unlock(&vd->lock);
		wake_monitor(vd);
		pthread_join(vd->mon, NULL);
		vd->mon_up = false;
	}
	pthread_mutex_lock(&vd->io_lock);
	unwire_kicks(vd);
	pthread_mutex_unlock(&vd->io_lock);
	/* Hanging up ends the helper.  Only a device that never finished
	 * init is sure to be outside the sandbox, where it may be killed. */
	vhelper_stop(&vd->helper, 1000, !vd->mon_started);
	for (q = 0; q < NQ; q++) {
		if (vd->irqfd_on[q])
			(void)vmsi_irqfd(vd->vm, vd->call_fd[q],
			    (unsigned int)vd->gsi[q], false);
		if (vd->gsi[q] >= 0)
			vmsi_free(vd->vm, (unsigned int)vd->gsi[q]);
		if (vd->kick_fd[q] >= 0)
			close(vd->kick_fd[q]);
		if (vd->call_fd[q] >= 0)
			close(vd->call_fd[q]);
		if (vd->err_fd[q] >= 0)
			close(vd->err_fd[q]);
	}
	if (vd->wake_fd >= 0)
		close(vd->wake_fd);
	if (vd->stats_area != NULL)
		munmap((void *)(uintptr_t)vd->stats_area, VU_STATS_AREA_MIN);
	pthread_mutex_destroy(&vd->lock);
	pthread_mutex_destroy(&vd->io_lock);
	free(vd);
}

/* Connect the back end: the launcher's socket, or a helper of our own. */
static int connect_backend(struct vpci_dev *vd, const struct cfg *cfg,
    const char *prefix, char *err, size_t errlen)
{
	const char *sock = get_str(cfg, prefix, "sock");
	struct vpci_launch l;
	struct stat st;
	int fd, r;

	if (sock != NULL) {
		fd = fd_spec(sock);
		if (fd < 0 || fstat(fd, &st) < 0 || !S_ISSOCK(st.st_mode)) {
			snprintf(err, errlen, "%s.sock=%s: not a connected "
			    "socket descriptor (fd:N)", prefix, sock);
			return -EBADF;
		}
		vd->helper.sock = fd;
		vd->helper.pid = 0;
		vd->helper.pidfd = -1;
		snprintf(vd->helper.prog, sizeof(vd->helper.prog), "on fd %d",
		    fd);
		/* ours from now on: hyve is the only front end */
		(void)fcntl(fd, F_SETFD, FD_CLOEXEC);
		return 0;
	}
	memset(&l, 0, sizeof(l));
	l.dev_fd = -1;
	r = vd->type->launch(vd, cfg, prefix, &l, err, errlen);
	if (r == 0)
		r = vhelper_spawn(&vd->helper, vd->type->helper, l.args,
		    l.dev_fd, err, errlen);
	/* The helper has its own copy; hyve never touches the disk/tap. */
	if (l.own_dev_fd && l.dev_fd >= 0)
		close(l.dev_fd);
	return r;
}

static int vpci_init(struct pci_devinst *pi, const struct cfg *cfg,
    const char *prefix, char *err, size_t errlen)
{
	const struct vpci_type *t = type_find(pi->emu->name);
	struct vpci_dev *vd;
	uint64_t offer;
	unsigned int q;
	int r;

	if (t == NULL) {
		snprintf(err, errlen, "%s: no virtio type %s", prefix,
		    pi->emu->name);
		return -EINVAL;
	}
	vd = calloc(1, sizeof(*vd));
	if (vd == NULL) {
		snprintf(err, errlen, "%s: out of memory", prefix);
		return -ENOMEM;
	}
	vd->pi = pi;
	vd->vm = pi->pci->vm;
	vd->type = t;
	snprintf(vd->label, sizeof(vd->label), "%s %s", prefix, t->name);
	pthread_mutex_init(&vd->lock, NULL);
	pthread_mutex_init(&vd->io_lock, NULL);
	vd->helper.sock = vd->helper.pidfd = -1;
	vd->wake_fd = -1;
	for (q = 0; q < NQ; q++) {
		vd->kick_fd[q] = vd->call_fd[q] = vd->err_fd[q] = -1;
		vd->gsi[q] = -1;
	}

	r = connect_backend(vd, cfg, prefix, err, errlen);
	if (r < 0)
		goto fail;
	r = vu_front_init(&vd->vu, vd->helper.sock, VPCI_VU_TIMEOUT_MS);
	if (r < 0) {
		snprintf(err, errlen, "back end socket: %s", strerror(-r));
		goto fail;
	}
	r = backend_hello(vd, err, errlen);
	if (r < 0)
		goto fail;

	/* Eventfds and GSIs exist for the device's life: nothing is
	 * created once the sandbox is up. */
	vd->wake_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	for (q = 0; q < vd->nq; q++) {
		vd->kick_fd[q] = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
		vd->call_fd[q] = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
		vd->err_fd[q] = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
		if (vd->kick_fd[q] < 0 || vd->call_fd[q] < 0 ||
		    vd->err_fd[q] < 0)
			break;
		if (vd->vm->vm_fd >= 0) {
			vd->gsi[q] = vmsi_alloc(vd->vm);
			if (vd->gsi[q] < 0) {
				r = vd->gsi[q];
				snprintf(err, errlen, "no GSI for queue %u: %s",
				    q, strerror(-r));
				goto fail;
			}
		}
	}
	if (vd->wake_fd < 0 || q < vd->nq) {
		r = -errno;
		snprintf(err, errlen, "eventfd: %s", strerror(errno));
		goto fail;
	}

	offer = vd->backend_features & (t->features | COMMON_FEATURES);
	r = vregs_init(&vd->regs, offer, (uint16_t)vd->nq, t->qsize,
	    (uint16_t)(vd->nq + 1));
	if (r < 0) {
		snprintf(err, errlen, "register model: %s", strerror(-r));
		goto fail;
	}

	pci_set_cfg16(pi, PCIR_VENDOR, VIRTIO_PCI_VENDOR);
	pci_set_cfg16(pi, PCIR_DEVICE, (uint16_t)(VIRTIO_PCI_DEVICE_BASE +
	    t->vtype));
	pci_set_cfg8(pi, PCIR_REVID, 1);
	pci_set_cfg8(pi, PCIR_CLASS, t->class);
	pci_set_cfg8(pi, PCIR_SUBCLASS, t->subclass);
	pci_set_cfg16(pi, PCIR_SUBVEND, VIRTIO_PCI_VENDOR);
	pci_set_cfg16(pi, PCIR_SUBDEV, 0x40 + t->vtype);
	pci_set_cfg8(pi, PCIR_INTPIN, 0);	/* MSI-X only */
	pi->softc = vd;
	if ((r = pci_emul_add_msixcap(pi, (int)vd->nq + 1,
	    VPCI_MSIX_BAR)) < 0 ||
	    (r = add_vcap(pi, VIRTIO_PCI_CAP_COMMON_CFG, VPCI_COMMON_OFF,
	    VCOMMON_SIZE, false)) < 0 ||
	    (r = add_vcap(pi, VIRTIO_PCI_CAP_NOTIFY_CFG, VPCI_NOTIFY_OFF,
	    vd->nq * VREGS_NOTIFY_MULT, true)) < 0 ||
	    (r = add_vcap(pi, VIRTIO_PCI_CAP_ISR_CFG, VPCI_ISR_OFF, 1,
	    false)) < 0 ||
	    (vd->config_len && (r = add_vcap(pi, VIRTIO_PCI_CAP_DEVICE_CFG,
	    VPCI_DEVCFG_OFF, vd->config_len, false)) < 0) ||
	    (r = pci_emul_alloc_bar(pi, VPCI_BAR, PCI_BAR_MEM32,
	    VPCI_BAR_SIZE)) < 0) {
		snprintf(err, errlen, "PCI resources: %s", strerror(-r));
		goto fail;
	}
	r = pthread_create(&vd->mon, NULL, monitor, vd);
	if (r != 0) {
		snprintf(err, errlen, "monitor thread: %s", strerror(r));
		r = -r;
		goto fail;
	}
	vd->mon_up = vd->mon_started = true;
	return 0;
fail:
	{
		/* prefix the device, as every other message of ours */
		char tmp[384];

		snprintf(tmp, sizeof(tmp), "%s", err);
		snprintf(err, errlen, "%s: %s", vd->label, tmp);
	}
	pthread_mutex_lock(&vd->io_lock);
	unwire_kicks(vd);
	pthread_mutex_unlock(&vd->io_lock);
	pi->softc = NULL;
	vpci_free(vd);
	return r;
}

static void vpci_deinit(struct pci_devinst *pi)
{
	struct vpci_dev *vd = pi->softc;

	if (vd == NULL)
		return;
	/* pci_fini unmaps the BARs after this: barmap must find nothing */
	pi->softc = NULL;
	vpci_free(vd);
}

int vpci_get_stats(struct pci_devinst *pi, struct vpci_stats *st)
{
	struct vpci_dev *vd = pi->softc;

	if (vd == NULL)
		return -ENODEV;
	pthread_mutex_lock(&vd->lock);
	*st = vd->st;
	st->guest_errors = errors_total(&vd->regs);
	st->dead = vd->dead;
	st->helper_pid = vd->helper.pid;
	st->status = vd->regs.status;
	pthread_mutex_unlock(&vd->lock);
	return 0;
}

/*
 * For the control thread: no lock, so a vCPU that waits on a slow helper
 * under vd->lock cannot stall `hyvectl stats`.  Only atomics and the
 * read-only stats area are read; the device and its area live as long as
 * the VM (the control thread is stopped before pci_fini).
 */
int vpci_dev_stats(struct pci_devinst *pi, struct ctl_dev_stats *out)
{
	struct vpci_dev *vd = pi->softc;
	struct vu_stats_area a;
	uint8_t status;

	if (vd == NULL || pi->emu->init != vpci_init)
		return -ENODEV;
	memset(out, 0, sizeof(*out));
	snprintf(out->name, sizeof(out->name), "%s", vd->type->name);
	snprintf(out->slot, sizeof(out->slot), "%u:%u:%u", pi->bus, pi->slot,
	    pi->func);
	status = __atomic_load_n(&vd->regs.status, __ATOMIC_RELAXED);
	if (__atomic_load_n(&vd->dead, __ATOMIC_RELAXED))
		out->state = CTL_DEV_GONE;
	else if (status & VIRTIO_STATUS_NEEDS_RESET)
		out->state = CTL_DEV_NEEDS_RESET;
	else
		out->state = CTL_DEV_OK;
	out->needs_reset = __atomic_load_n(&vd->resets, __ATOMIC_RELAXED);
	if (vd->stats_area != NULL && vu_stats_area_read(vd->stats_area,
	    &a) == 0) {
		out->flags |= CTL_DEV_COUNTERS;
		out->requests = a.requests;
		out->bytes_in = a.bytes_in;
		out->bytes_out = a.bytes_out;
		out->errors = a.errors;
	}
	return 0;
}

#define VPCI_EMU(var, nm)				\
	static const struct pci_devemu var = {		\
		.name = nm,				\
		.init = vpci_init,			\
		.deinit = vpci_deinit,			\
		.barread = vpci_barread,		\
		.barwrite = vpci_barwrite,		\
		.barmap = vpci_barmap,			\
		.msix_changed = vpci_msix_changed,	\
	};						\
	PCI_EMUL_SET(var)

VPCI_EMU(pci_virtio_rnd, "virtio-rnd");
VPCI_EMU(pci_virtio_blk, "virtio-blk");
VPCI_EMU(pci_virtio_net, "virtio-net");
