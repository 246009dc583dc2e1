/*
 * acpi_pm: the ACPI fixed-hardware PM1 registers and PM timer.
 *
 * Ports (the FADT built by acpi.c points at them; base = ACPI_PM_BASE, the
 * same block bhyve uses):
 *   base+0  PM1a_STS  16 bit  write 1 to clear
 *   base+2  PM1a_EN   16 bit
 *   base+4  PM1a_CNT  16 bit  SCI_EN reads as 1 (no legacy/SMM mode)
 *   base+8  PM_TMR    32 bit  3.579545 MHz, read only
 * The enable bits for the timer, global lock, power button and RTC events
 * keep what the guest writes (ACPICA checks that they stick, and Linux
 * enables the GBL and RTC events at boot), but only the power button ever
 * sets its status: there is no firmware to take the global lock and no RTC
 * alarm wake-up.
 * Writing PM1a_CNT with SLP_EN and SLP_TYP == ACPI_S5_SLP_TYP calls the
 * poweroff hook.  acpi_pm_power_button() (SIGTERM in main.c) sets PWRBTN_STS;
 * the SCI (a level on IRQ 9) is asserted while any enabled status bit is
 * set.  The guest owns every value written: all are masked, none indexes.
 *
 * Locking: one mutex; hooks are called with it held (keep them short, do not
 * call back in).  acpi_pm_power_button is safe from any thread, but not
 * from a signal handler.
 */
#ifndef HYVE_ACPI_PM_H
#define HYVE_ACPI_PM_H

#include <stdbool.h>
#include <stdint.h>

#define ACPI_PM_BASE		0x400
#define ACPI_PM1_EVT_PORT	(ACPI_PM_BASE + 0)	/* 4 bytes */
#define ACPI_PM1_CNT_PORT	(ACPI_PM_BASE + 4)	/* 2 bytes */
#define ACPI_PM_TMR_PORT	(ACPI_PM_BASE + 8)	/* 4 bytes */
#define ACPI_PM_NPORTS		12
#define ACPI_PM_TMR_HZ		3579545

/* PM1 status / enable bits (the same bit enables its status) */
#define ACPI_PM1_TMR_STS	(1u << 0)
#define ACPI_PM1_GBL_STS	(1u << 5)
#define ACPI_PM1_PWRBTN_STS	(1u << 8)
#define ACPI_PM1_RTC_STS	(1u << 10)
#define ACPI_PM1_WAK_STS	(1u << 15)
/* PM1 control bits */
#define ACPI_PM1_SCI_EN		(1u << 0)
#define ACPI_PM1_SLP_TYP_SHIFT	10
#define ACPI_PM1_SLP_TYP_MASK	(7u << 10)
#define ACPI_PM1_SLP_EN		(1u << 13)

struct acpi_pm_hooks {
	void (*sci)(void *arg, bool level);	/* IRQ 9 level */
	void (*poweroff)(void *arg);		/* guest entered S5 */
	int64_t (*now_ns)(void *arg);		/* NULL = CLOCK_MONOTONIC */
	void *arg;
};

struct acpi_pm;

struct acpi_pm *acpi_pm_new(const struct acpi_pm_hooks *hooks, uint16_t base);
void acpi_pm_free(struct acpi_pm *pm);

/* An I/O access at port (absolute) of size 1, 2 or 4.  Returns 0 when the
 * port is in the block, -ENOENT when it is not ours.  Unaligned accesses
 * act on the bytes they cover; a read fills the low `size` bytes of *val
 * (zero above, 0xff for bytes past the block); other sizes act as 1. */
int acpi_pm_io(struct acpi_pm *pm, uint16_t port, bool write, unsigned size,
    uint32_t *val);

/* Press the fixed-feature power button. */
void acpi_pm_power_button(struct acpi_pm *pm);

#endif
