/*
 * pci_lpc: the LPC/ISA bridge and the legacy platform devices behind it.
 *
 * Always present (as in bhyve, whatever the PCI slots): the CMOS RTC at
 * 0x70/0x71, the ACPI PM1 block and SCI, the reset control register at
 * 0xcf9, an i8042 just big enough for the 0xfe reset command, and the POST
 * port 0x80 (absorbed in the kernel through an ioeventfd, so Linux's I/O
 * delays cost no exit to hyve).  The "lpc" PCI device adds COM1/COM2 (-l).
 *
 * Every port and value comes from the guest; all are masked, none is used
 * as an index without a bound.
 */
#ifndef HYVE_PCI_LPC_H
#define HYVE_PCI_LPC_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "vmm/inout.h"
#include "vmm/pci.h"
#include "vmm/vm.h"

struct rtc;
struct acpi_pm;
struct uart;
struct uart_backend;

struct lpc_com {
	struct lpc_platform *lp;
	struct uart *uart;
	struct uart_backend *be;
	uint16_t port;
	unsigned int irq;
	bool present;
};

struct lpc_platform {
	struct vm *vm;
	struct inout *io;
	struct rtc *rtc;
	struct acpi_pm *pm;
	pthread_mutex_t lock;	/* i8042 and 0xcf9 state */
	uint8_t cf9;
	uint8_t kbd_ctr;	/* i8042 controller command byte */
	uint8_t kbd_out;	/* output buffer */
	bool kbd_obf;
	int kbd_cmd;		/* command awaiting its data byte, or -1 */
	int post_efd;
	struct lpc_com com[2];
};

/* The always-present devices.  use_localtime: RTC shows local time. */
int lpc_platform_init(struct lpc_platform *lp, struct vm *vm,
    struct inout *io, struct pci *pci, bool use_localtime,
    char *err, size_t errlen);
/* Start the serial back ends' input threads (after the machine is built). */
int lpc_platform_start(struct lpc_platform *lp, char *err, size_t errlen);
void lpc_platform_fini(struct lpc_platform *lp);
/* SIGTERM: press the ACPI power button. */
void lpc_power_button(struct lpc_platform *lp);
/* Whether COMn (0 or 1) exists, for the DSDT. */
bool lpc_com_present(const struct lpc_platform *lp, int n);

/* The guest's 0xcf9 reset control and i8042 accesses (exported for tests). */
void lpc_cf9_write(void *arg, uint8_t val);
int lpc_i8042_io(void *arg, uint16_t port, int bytes, bool in,
    uint32_t *val);

#endif
