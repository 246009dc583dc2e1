/*
 * virtio_msi: the process's GSI routing table (irqchip defaults plus one
 * MSI route per virtio queue) and irqfd assignment.
 *
 * The table buffer is allocated with the first GSI, at device init; route
 * updates run on vCPU threads and only fill that buffer.  Must never drop
 * the irqchip's default routes (legacy interrupts of the UART, RTC and
 * ACPI would stop) and never index the MSI slots with an unchecked GSI.
 */
#include "vmm/virtio_msi.h"

#include <errno.h>
#include <linux/kvm.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>

#include "vmm/vm.h"

#define IOAPIC_PINS	24
#define PIC_PINS	16
#define DEFAULT_ROUTES	(IOAPIC_PINS + PIC_PINS)

struct vmsi_slot {
	bool used, valid;
	uint64_t addr;
	uint32_t data;
};

static struct {
	pthread_mutex_t lock;
	struct vm *vm;
	struct kvm_irq_routing *table;
	struct vmsi_slot slot[VMSI_MAX];
	int last_n;
} vmsi = { .lock = PTHREAD_MUTEX_INITIALIZER, .last_n = -1 };

int vmsi_last_table_size(void)
{
	int n;

	pthread_mutex_lock(&vmsi.lock);
	n = vmsi.last_n;
	pthread_mutex_unlock(&vmsi.lock);
	return n;
}

/* What KVM's kvm_setup_default_irq_routing() installs on x86. */
static unsigned int fill_defaults(struct kvm_irq_routing_entry *e)
{
	unsigned int n = 0, i;

	for (i = 0; i < IOAPIC_PINS; i++) {
		e[n].gsi = i;
		e[n].type = KVM_IRQ_ROUTING_IRQCHIP;
		e[n].u.irqchip.irqchip = KVM_IRQCHIP_IOAPIC;
		e[n].u.irqchip.pin = i;
		n++;
		if (i < PIC_PINS) {
			e[n].gsi = i;
			e[n].type = KVM_IRQ_ROUTING_IRQCHIP;
			e[n].u.irqchip.irqchip = i < 8 ?
			    KVM_IRQCHIP_PIC_MASTER : KVM_IRQCHIP_PIC_SLAVE;
			e[n].u.irqchip.pin = i % 8;
			n++;
		}
	}
	return n;
}

/* Rebuild and push the table (lock held). */
static int push_table(void)
{
	struct kvm_irq_routing *t = vmsi.table;
	unsigned int n, i;

	memset(t->entries, 0, sizeof(t->entries[0]) *
	    (DEFAULT_ROUTES + VMSI_MAX));
	n = fill_defaults(t->entries);
	for (i = 0; i < VMSI_MAX; i++) {
		struct kvm_irq_routing_entry *e;

		if (!vmsi.slot[i].used || !vmsi.slot[i].valid)
			continue;
		e = &t->entries[n++];
		e->gsi = VMSI_GSI_BASE + i;
		e->type = KVM_IRQ_ROUTING_MSI;
		e->u.msi.address_lo = (uint32_t)vmsi.slot[i].addr;
		e->u.msi.address_hi = (uint32_t)(vmsi.slot[i].addr >> 32);
		e->u.msi.data = vmsi.slot[i].data;
	}
	t->nr = n;
	t->flags = 0;
	vmsi.last_n = (int)n;
	if (vmsi.vm->vm_fd < 0)
		return -EBADF;
	if (ioctl(vmsi.vm->vm_fd, KVM_SET_GSI_ROUTING, t) < 0)
		return -errno;
	return 0;
}

int vmsi_alloc(struct vm *vm)
{
	int r = -ENOSPC;
	unsigned int i;

	pthread_mutex_lock(&vmsi.lock);
	if (vmsi.vm != NULL && vmsi.vm != vm) {
		r = -EBUSY;
		goto out;
	}
	if (vmsi.table == NULL) {
		vmsi.table = calloc(1, sizeof(*vmsi.table) +
		    sizeof(vmsi.table->entries[0]) *
		    (DEFAULT_ROUTES + VMSI_MAX));
		if (vmsi.table == NULL) {
			r = -ENOMEM;
			goto out;
		}
	}
	vmsi.vm = vm;
	for (i = 0; i < VMSI_MAX; i++) {
		if (!vmsi.slot[i].used) {
			memset(&vmsi.slot[i], 0, sizeof(vmsi.slot[i]));
			vmsi.slot[i].used = true;
			r = VMSI_GSI_BASE + (int)i;
			break;
		}
	}
out:
	pthread_mutex_unlock(&vmsi.lock);
	return r;
}

static struct vmsi_slot *slot_of(struct vm *vm, unsigned int gsi)
{
	if (vm != vmsi.vm || gsi < VMSI_GSI_BASE ||
	    gsi - VMSI_GSI_BASE >= VMSI_MAX ||
	    !vmsi.slot[gsi - VMSI_GSI_BASE].used)
		return NULL;
	return &vmsi.slot[gsi - VMSI_GSI_BASE];
}

void vmsi_free(struct vm *vm, unsigned int gsi)
{
	struct vmsi_slot *s;
	unsigned int i;
	bool any = false;

	pthread_mutex_lock(&vmsi.lock);
	s = slot_of(vm, gsi);
	if (s != NULL) {
		bool was_valid = s->valid;

		memset(s, 0, sizeof(*s));
		if (was_valid)
			(void)push_table();
	}
	for (i = 0; i < VMSI_MAX; i++)
		any |= vmsi.slot[i].used;
	if (!any) {
		/* The VM may go away now: forget it, keep defaults in KVM. */
		free(vmsi.table);
		vmsi.table = NULL;
		vmsi.vm = NULL;
		vmsi.last_n = -1;
	}
	pthread_mutex_unlock(&vmsi.lock);
}

int vmsi_route(struct vm *vm, unsigned int gsi, bool valid, uint64_t addr,
    uint32_t data)
{
	struct vmsi_slot *s;
	int r = 0;

	pthread_mutex_lock(&vmsi.lock);
	s = slot_of(vm, gsi);
	if (s == NULL) {
		r = -EINVAL;
	} else if (s->valid != valid || (valid && (s->addr != addr ||
	    s->data != data))) {
		s->valid = valid;
		s->addr = valid ? addr : 0;
		s->data = valid ? data : 0;
		r = push_table();
	}
	pthread_mutex_unlock(&vmsi.lock);
	return r;
}

int vmsi_irqfd(struct vm *vm, int efd, unsigned int gsi, bool assign)
{
	struct kvm_irqfd irqfd = {
		.fd = (uint32_t)efd,
		.gsi = gsi,
		.flags = assign ? 0 : KVM_IRQFD_FLAG_DEASSIGN,
	};

	if (efd < 0)
		return -EBADF;
	if (vm->vm_fd < 0)
		return -EBADF;
	if (ioctl(vm->vm_fd, KVM_IRQFD, &irqfd) < 0)
		return -errno;
	return 0;
}
