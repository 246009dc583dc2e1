/*
 * pci_lpc: the LPC/ISA bridge and the legacy platform devices behind it.
 *
 * Glue between the I/O-agnostic device models (uart.c, rtc.c, acpi_pm.c)
 * and the machine: their ports go into inout, their interrupt lines to the
 * in-kernel irqchip, a guest's S5 or reset request to vm_request_stop().
 * Never lets a guest value pick a port, an index or a size unchecked.
 */
#include "vmm/pci_lpc.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "common/cfg.h"
#include "vmm/acpi.h"
#include "vmm/acpi_pm.h"
#include "vmm/rtc.h"
#include "vmm/uart.h"

#define POST_PORT	0x80
#define KBD_DATA_PORT	0x60
#define KBD_STS_PORT	0x64
#define KBD_IRQ		1

#define KBD_STS_OBF	0x01
#define KBD_STS_SYS	0x04
#define KBD_STS_CMD	0x08
#define KBD_STS_UNLOCK	0x10

#define CF9_SYS_RST	0x02
#define CF9_RST_CPU	0x04

static int lpc_rtc_io(void *arg, uint16_t port, int bytes, bool in,
    uint32_t *val)
{
	struct lpc_platform *lp = arg;
	unsigned int off = port - RTC_PORT_INDEX;

	/* Wider accesses touch index and data in order, as on hardware. */
	for (int i = 0; i < bytes && off + (unsigned)i < 2; i++) {
		if (in)
			*val |= (uint32_t)rtc_read(lp->rtc, off + i) << (8 * i);
		else
			rtc_write(lp->rtc, off + i, (uint8_t)(*val >> (8 * i)));
	}
	return 0;
}

static int lpc_pm_io(void *arg, uint16_t port, int bytes, bool in,
    uint32_t *val)
{
	struct lpc_platform *lp = arg;

	/* -ENOENT cannot happen: the range registered is the block. */
	(void)acpi_pm_io(lp->pm, port, !in, (unsigned)bytes, val);
	return 0;
}

static void lpc_sci(void *arg, bool level)
{
	struct lpc_platform *lp = arg;

	(void)vm_irq_line(lp->vm, ACPI_SCI_IRQ, level);
}

static void lpc_poweroff(void *arg)
{
	struct lpc_platform *lp = arg;

	vm_request_stop(lp->vm, VM_EXIT_POWEROFF, NULL);
}

void lpc_cf9_write(void *arg, uint8_t val)
{
	struct lpc_platform *lp = arg;

	pthread_mutex_lock(&lp->lock);
	lp->cf9 = val & 0x0e;
	pthread_mutex_unlock(&lp->lock);
	/* PIIX: RST_CPU resets, SYS_RST picks hard over soft; both reboot. */
	if (val & CF9_RST_CPU)
		vm_request_stop(lp->vm, VM_EXIT_REBOOT, NULL);
}

/* Put a byte in the i8042 output buffer (lock held). */
static void kbd_output(struct lpc_platform *lp, uint8_t b)
{
	lp->kbd_out = b;
	lp->kbd_obf = true;
}

int lpc_i8042_io(void *arg, uint16_t port, int bytes, bool in,
    uint32_t *val)
{
	struct lpc_platform *lp = arg;
	uint8_t v = (uint8_t)*val;

	if (bytes != 1) {
		if (in)
			*val = 0xffffffff;
		return 0;
	}
	pthread_mutex_lock(&lp->lock);
	if (port == KBD_STS_PORT && in) {
		*val = KBD_STS_SYS | KBD_STS_UNLOCK |
		    (lp->kbd_obf ? KBD_STS_OBF : 0) |
		    (lp->kbd_cmd >= 0 ? KBD_STS_CMD : 0);
	} else if (port == KBD_DATA_PORT && in) {
		*val = lp->kbd_out;
		lp->kbd_obf = false;
	} else if (port == KBD_STS_PORT) {
		/*
		 * Only the controller itself is modelled, no keyboard or mouse
		 * behind it: enough for Linux to find an i8042 with nothing
		 * attached, and for the 0xfe pulse-reset line.
		 */
		lp->kbd_cmd = -1;
		switch (v) {
		case 0x20:		/* read command byte */
			kbd_output(lp, lp->kbd_ctr);
			break;
		case 0x60:		/* write command byte: data follows */
		case 0xd1:		/* write output port: data follows */
		case 0xd2:		/* loop back as keyboard data */
		case 0xd3:		/* loop back as aux data */
		case 0xd4:		/* write to aux device */
			lp->kbd_cmd = v;
			break;
		case 0xa9:		/* aux interface test: clock stuck */
			kbd_output(lp, 0x01);
			break;
		case 0xaa:		/* controller self test: passed */
			kbd_output(lp, 0x55);
			break;
		case 0xab:		/* keyboard interface test: passed */
			kbd_output(lp, 0x00);
			break;
		case 0xfe:		/* pulse the reset line */
			pthread_mutex_unlock(&lp->lock);
			vm_request_stop(lp->vm, VM_EXIT_REBOOT, NULL);
			return 0;
		default:		/* enable/disable ports and the rest */
			break;
		}
	} else {
		/* Data port write: the argument of a pending command. */
		switch (lp->kbd_cmd) {
		case 0x60:
			lp->kbd_ctr = v;
			break;
		case 0xd1:
			/* Output port bit 0 low holds the CPU in reset. */
			if (!(v & 1)) {
				lp->kbd_cmd = -1;
				pthread_mutex_unlock(&lp->lock);
				vm_request_stop(lp->vm, VM_EXIT_REBOOT, NULL);
				return 0;
			}
			break;
		case 0xd2:
		case 0xd3:
			/* Looped back without the aux status bit: Linux's
			 * aux loop test fails at once instead of polling. */
			kbd_output(lp, v);
			break;
		default:
			/* No keyboard and no mouse answer: the guest's driver
			 * times out on its own (interrupt driven, no polling
			 * exits). */
			break;
		}
		lp->kbd_cmd = -1;
	}
	pthread_mutex_unlock(&lp->lock);
	return 0;
}

static int lpc_post_io(void *arg, uint16_t port, int bytes, bool in,
    uint32_t *val)
{
	(void)arg;
	(void)port;
	(void)bytes;
	/* Writes never get here (ioeventfd); reads see a silent POST card. */
	if (in)
		*val = 0xff;
	return 0;
}

int lpc_platform_init(struct lpc_platform *lp, struct vm *vm,
    struct inout *io, struct pci *pci, bool use_localtime,
    char *err, size_t errlen)
{
	struct acpi_pm_hooks hooks = {
		.sci = lpc_sci,
		.poweroff = lpc_poweroff,
		.arg = lp,
	};
	const char *what;
	int r;

	memset(lp, 0, sizeof(*lp));
	lp->vm = vm;
	lp->io = io;
	lp->kbd_cmd = -1;
	lp->kbd_ctr = 0x30;	/* both ports disabled, no interrupts */
	lp->post_efd = -1;
	pthread_mutex_init(&lp->lock, NULL);
	lp->com[0] = (struct lpc_com){ lp, NULL, NULL, UART_COM1_PORT,
	    UART_COM1_IRQ, false };
	lp->com[1] = (struct lpc_com){ lp, NULL, NULL, UART_COM2_PORT,
	    UART_COM2_IRQ, false };

	lp->rtc = rtc_new(use_localtime, NULL, NULL);
	lp->pm = acpi_pm_new(&hooks, ACPI_PM_BASE);
	if (lp->rtc == NULL || lp->pm == NULL) {
		snprintf(err, errlen, "platform devices: out of memory");
		return -ENOMEM;
	}
	rtc_set_memsize(lp->rtc, vm->lowmem, vm->highmem);

	what = "RTC ports";
	r = inout_register(io, RTC_PORT_INDEX, 2, lpc_rtc_io, lp, "rtc");
	if (r < 0)
		goto fail;
	what = "ACPI PM ports";
	r = inout_register(io, ACPI_PM_BASE, ACPI_PM_NPORTS, lpc_pm_io, lp,
	    "acpi-pm");
	if (r < 0)
		goto fail;
	what = "i8042 ports";
	r = inout_register(io, KBD_DATA_PORT, 1, lpc_i8042_io, lp, "i8042");
	if (r == 0)
		r = inout_register(io, KBD_STS_PORT, 1, lpc_i8042_io, lp,
		    "i8042");
	if (r < 0)
		goto fail;
	what = "POST port";
	r = inout_register(io, POST_PORT, 1, lpc_post_io, lp, "post");
	if (r < 0)
		goto fail;
	lp->post_efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (lp->post_efd < 0) {
		r = -errno;
		goto fail;
	}
	/* Without it (no KVM: the unit tests) writes exit to lpc_post_io,
	 * which drops them: slower, same behaviour. */
	if (vm_ioeventfd(vm, POST_PORT, 1, true, lp->post_efd) < 0) {
		close(lp->post_efd);
		lp->post_efd = -1;
	}
	pci->cf9_write = lpc_cf9_write;
	pci->cf9_arg = lp;
	pci->platform = lp;
	return 0;
fail:
	snprintf(err, errlen, "%s: %s", what, strerror(-r));
	return r;
}

static void lpc_uart_irq(void *arg, bool level)
{
	struct lpc_com *c = arg;

	(void)vm_irq_line(c->lp->vm, c->irq, level);
}

static int lpc_uart_io(void *arg, uint16_t port, int bytes, bool in,
    uint32_t *val)
{
	struct lpc_com *c = arg;
	unsigned int off = port - c->port;

	for (int i = 0; i < bytes && off + (unsigned)i < UART_NREGS; i++) {
		if (in)
			*val |= (uint32_t)uart_read(c->uart, off + i) << (8 * i);
		else
			uart_write(c->uart, off + i, (uint8_t)(*val >> (8 * i)));
	}
	return 0;
}

static int lpc_com_open(struct lpc_com *c, const char *spec, char *err,
    size_t errlen)
{
	struct uart_hooks h;
	int r;

	r = uart_backend_open(spec, &c->be, err, errlen);
	if (r < 0)
		return r;
	memset(&h, 0, sizeof(h));
	h.tx = uart_backend_tx;
	h.tx_arg = c->be;
	h.irq = lpc_uart_irq;
	h.irq_arg = c;
	h.rx_room = uart_backend_rx_room;
	h.rx_room_arg = c->be;
	c->uart = uart_new(&h);
	if (c->uart == NULL) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	r = inout_register(c->lp->io, c->port, UART_NREGS, lpc_uart_io, c,
	    "uart");
	if (r < 0) {
		snprintf(err, errlen, "ports 0x%x: %s", c->port, strerror(-r));
		return r;
	}
	c->present = true;
	return 0;
}

int lpc_platform_start(struct lpc_platform *lp, char *err, size_t errlen)
{
	int i, r;

	for (i = 0; i < 2; i++) {
		if (!lp->com[i].present)
			continue;
		r = uart_backend_start(lp->com[i].be, lp->com[i].uart,
		    &lp->vm->start_gate);
		if (r < 0) {
			snprintf(err, errlen, "lpc.com%d: %s", i + 1,
			    strerror(-r));
			return r;
		}
	}
	return 0;
}

void lpc_platform_fini(struct lpc_platform *lp)
{
	int i;

	for (i = 0; i < 2; i++) {
		/* Stop the input thread before its uart goes away. */
		uart_backend_close(lp->com[i].be);
		lp->com[i].be = NULL;
		if (lp->com[i].uart)
			uart_free(lp->com[i].uart);
		lp->com[i].uart = NULL;
	}
	if (lp->rtc)
		rtc_free(lp->rtc);
	if (lp->pm)
		acpi_pm_free(lp->pm);
	if (lp->post_efd >= 0)
		close(lp->post_efd);
	lp->rtc = NULL;
	lp->pm = NULL;
	lp->post_efd = -1;
	pthread_mutex_destroy(&lp->lock);
}

void lpc_power_button(struct lpc_platform *lp)
{
	acpi_pm_power_button(lp->pm);
}

bool lpc_com_present(const struct lpc_platform *lp, int n)
{
	return n >= 0 && n < 2 && lp->com[n].present;
}

/* ------------------------------------------------------ the PCI device */

static int pci_lpc_init(struct pci_devinst *pi, const struct cfg *cfg,
    const char *prefix, char *err, size_t errlen)
{
	struct lpc_platform *lp = pi->pci->platform;
	char key[32];
	int i, r;

	if (lp == NULL) {
		snprintf(err, errlen, "%s: lpc: no platform devices", prefix);
		return -EINVAL;
	}
	if (pi->pci->has_lpc) {
		snprintf(err, errlen, "%s: only one lpc device is allowed",
		    prefix);
		return -EEXIST;
	}
	pci_set_cfg16(pi, PCIR_VENDOR, 0x8086);		/* PIIX3 ISA bridge, */
	pci_set_cfg16(pi, PCIR_DEVICE, 0x7000);		/* as bhyve */
	pci_set_cfg8(pi, PCIR_CLASS, 0x06);		/* bridge */
	pci_set_cfg8(pi, PCIR_SUBCLASS, 0x01);		/* ISA */

	for (i = 0; i < 2; i++) {
		const char *spec;

		snprintf(key, sizeof(key), "lpc.com%d.path", i + 1);
		spec = cfg_get(cfg, key);
		if (spec == NULL)
			continue;
		r = lpc_com_open(&lp->com[i], spec, err, errlen);
		if (r < 0) {
			char tmp[384];

			snprintf(tmp, sizeof(tmp), "%s", err);
			snprintf(err, errlen, "%s: %s", key, tmp);
			return r;
		}
	}
	pi->pci->has_lpc = true;
	pi->softc = lp;
	return 0;
}

static const struct pci_devemu pci_de_lpc = {
	.name = "lpc",
	.init = pci_lpc_init,
};
PCI_EMUL_SET(pci_de_lpc);
