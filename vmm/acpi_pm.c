/*
 * acpi_pm: PM1a event/control registers and the ACPI PM timer (acpi_pm.h).
 *
 * The block is 12 bytes of I/O space; an access is handled byte by byte so
 * that any size and alignment the guest uses acts on exactly the bytes it
 * covers (the guest picks port and size; neither is trusted).  Status bits
 * are write-1-to-clear, and only the bits that exist are kept.
 *
 * Must never exit; the poweroff hook only records the request (the machine
 * stops its vCPUs and main.c exits 1).
 */
#include "acpi_pm.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <time.h>

#include "acpi.h"

/* Bits that exist in our PM1 status/enable registers. */
#define EN_MASK		(ACPI_PM1_TMR_STS | ACPI_PM1_GBL_STS | \
			 ACPI_PM1_PWRBTN_STS | ACPI_PM1_RTC_STS)
#define STS_MASK	(EN_MASK | ACPI_PM1_WAK_STS)
#define CNT_MASK	(ACPI_PM1_SCI_EN | ACPI_PM1_SLP_TYP_MASK)

struct acpi_pm {
	pthread_mutex_t lock;
	struct acpi_pm_hooks h;
	uint16_t base;
	uint16_t sts, en, cnt;
	bool sci_level;
	int64_t t0;
};

static int64_t
mono_now(void *arg)
{
	struct timespec ts;

	(void)arg;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static int64_t
now_ns(struct acpi_pm *pm)
{
	return pm->h.now_ns ? pm->h.now_ns(pm->h.arg) : mono_now(NULL);
}

static void
update_sci(struct acpi_pm *pm)
{
	bool level = (pm->cnt & ACPI_PM1_SCI_EN) &&
	    (pm->sts & pm->en & EN_MASK) != 0;

	if (level != pm->sci_level) {
		pm->sci_level = level;
		if (pm->h.sci)
			pm->h.sci(pm->h.arg, level);
	}
}

struct acpi_pm *
acpi_pm_new(const struct acpi_pm_hooks *hooks, uint16_t base)
{
	struct acpi_pm *pm = calloc(1, sizeof(*pm));

	if (pm == NULL)
		return NULL;
	if (pthread_mutex_init(&pm->lock, NULL) != 0) {
		free(pm);
		errno = ENOMEM;
		return NULL;
	}
	if (hooks)
		pm->h = *hooks;
	pm->base = base ? base : ACPI_PM_BASE;
	/* No SMI_CMD in the FADT: the machine is always in ACPI mode. */
	pm->cnt = ACPI_PM1_SCI_EN;
	pm->t0 = now_ns(pm);
	return pm;
}

void
acpi_pm_free(struct acpi_pm *pm)
{
	if (pm == NULL)
		return;
	pthread_mutex_destroy(&pm->lock);
	free(pm);
}

static uint32_t
timer(struct acpi_pm *pm)
{
	int64_t d = now_ns(pm) - pm->t0;
	unsigned __int128 ticks;

	if (d < 0)
		d = 0;
	ticks = (unsigned __int128)d * ACPI_PM_TMR_HZ / 1000000000u;
	return (uint32_t)ticks;	/* 32-bit counter (FADT TMR_VAL_EXT) */
}

static uint8_t
read_byte(struct acpi_pm *pm, unsigned off, uint32_t tmr)
{
	switch (off) {
	case 0: return (uint8_t)pm->sts;
	case 1: return (uint8_t)(pm->sts >> 8);
	case 2: return (uint8_t)pm->en;
	case 3: return (uint8_t)(pm->en >> 8);
	case 4: return (uint8_t)pm->cnt;
	case 5: return (uint8_t)(pm->cnt >> 8);
	case 8: case 9: case 10: case 11:
		return (uint8_t)(tmr >> (8 * (off - 8)));
	default:
		return 0xff;
	}
}

/* Apply a write of `size` bytes at offset off; val little-endian. */
static void
write_bytes(struct acpi_pm *pm, unsigned off, unsigned size, uint32_t val)
{
	uint16_t sts_clr = 0, en_set = 0, en_mask = 0, cnt_val = 0, cnt_mask = 0;

	for (unsigned i = 0; i < size; i++) {
		unsigned o = off + i;
		uint16_t b = (uint8_t)(val >> (8 * i));
		unsigned sh = 8 * (o & 1);

		switch (o) {
		case 0: case 1:
			sts_clr |= (uint16_t)(b << sh);
			break;
		case 2: case 3:
			en_set |= (uint16_t)(b << sh);
			en_mask |= (uint16_t)(0xff << sh);
			break;
		case 4: case 5:
			cnt_val |= (uint16_t)(b << sh);
			cnt_mask |= (uint16_t)(0xff << sh);
			break;
		default:	/* reserved and the read-only timer */
			break;
		}
	}
	pm->sts &= (uint16_t)~(sts_clr & STS_MASK);
	pm->en = (uint16_t)((pm->en & ~en_mask) | (en_set & en_mask & EN_MASK));
	if (cnt_mask) {
		uint16_t v = (uint16_t)((pm->cnt & ~cnt_mask) |
		    (cnt_val & cnt_mask));

		/* SCI_EN stays 1: there is no legacy mode to go back to. */
		pm->cnt = (uint16_t)((v & CNT_MASK) | ACPI_PM1_SCI_EN);
		/* SLP_EN is write-only and triggers the transition. */
		if ((cnt_val & cnt_mask & ACPI_PM1_SLP_EN) &&
		    ((v & ACPI_PM1_SLP_TYP_MASK) >> ACPI_PM1_SLP_TYP_SHIFT) ==
		    ACPI_S5_SLP_TYP && pm->h.poweroff)
			pm->h.poweroff(pm->h.arg);
	}
}

int
acpi_pm_io(struct acpi_pm *pm, uint16_t port, bool write, unsigned size,
    uint32_t *val)
{
	unsigned off;

	if (port < pm->base || port >= pm->base + ACPI_PM_NPORTS)
		return -ENOENT;
	if (size != 1 && size != 2 && size != 4)
		size = 1;
	off = (unsigned)(port - pm->base);
	pthread_mutex_lock(&pm->lock);
	if (write) {
		/* Only the bytes inside the block; the rest are not ours. */
		write_bytes(pm, off, off + size > ACPI_PM_NPORTS ?
		    ACPI_PM_NPORTS - off : size, *val);
	} else {
		uint32_t v = 0, tmr = timer(pm);	/* one sample */

		for (unsigned i = 0; i < size; i++) {
			uint8_t b = off + i < ACPI_PM_NPORTS ?
			    read_byte(pm, off + i, tmr) : 0xff;

			v |= (uint32_t)b << (8 * i);
		}
		*val = v;
	}
	update_sci(pm);
	pthread_mutex_unlock(&pm->lock);
	return 0;
}

void
acpi_pm_power_button(struct acpi_pm *pm)
{
	pthread_mutex_lock(&pm->lock);
	pm->sts |= ACPI_PM1_PWRBTN_STS;
	update_sci(pm);
	pthread_mutex_unlock(&pm->lock);
}
