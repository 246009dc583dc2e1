/*
 * mptable: Intel MP Specification 1.4 tables (see mptable.h).
 *
 * Written at explicit little-endian offsets from the MP spec's tables 4-1
 * to 4-10; entries appear in the order the spec requires (by type).
 *
 * Pure function of its parameters: every write is bounds-checked against
 * the caller's buffer; never exits, never reads guest data.
 */
#include "mptable.h"

#include <errno.h>
#include <string.h>

#define MPFP_LEN	16
#define MPCT_HDR_LEN	44
#define ENT_CPU_LEN	20
#define ENT_LEN		8

#define BUS_PCI		0
#define BUS_ISA		1

#define INT_TYPE_INT	0
#define INT_TYPE_NMI	1
#define INT_TYPE_EXTINT	3

/* INTI flags: polarity bits 0-1, trigger bits 2-3 (0 = conforms to bus) */
#define INTI_CONFORM	0x0000
#define INTI_LEVEL_HIGH	0x000d

#define SCI_IRQ		9	/* ACPI SCI: level, like the MADT override */

static void
put16(uint8_t *b, uint16_t v)
{
	b[0] = (uint8_t)v;
	b[1] = (uint8_t)(v >> 8);
}

static void
put32(uint8_t *b, uint32_t v)
{
	put16(b, (uint16_t)v);
	put16(b + 2, (uint16_t)(v >> 16));
}

static uint8_t
cksum(const uint8_t *b, size_t len)
{
	uint8_t s = 0;

	for (size_t i = 0; i < len; i++)
		s = (uint8_t)(s + b[i]);
	return (uint8_t)(0 - s);
}

static void
ioint(uint8_t *e, uint8_t type, uint16_t flags, uint8_t bus, uint8_t irq,
    uint8_t apic, uint8_t pin)
{
	e[0] = 3;
	e[1] = type;
	put16(e + 2, flags);
	e[4] = bus;
	e[5] = irq;
	e[6] = apic;
	e[7] = pin;
}

long
mptable_build(const struct mptable_params *p, uint8_t *buf, size_t len)
{
	/* 16 ISA pins: ExtINT on 0, IRQ 0 on 2, 1 and 3-15 identity. */
	const size_t n_ioint = 16;
	size_t ct_len, total, off;
	uint32_t ioapic_addr;
	uint16_t count = 0;
	uint8_t *ct, *e;

	if (p == NULL || buf == NULL || p->ncpus < 1 || p->ncpus > 255)
		return -EINVAL;
	if (p->base % 16 != 0 || p->base + MPTABLE_MAX > 0x100000000ULL)
		return -EINVAL;
	for (unsigned i = 0; p->apic_ids && i < p->ncpus; i++)
		if (p->apic_ids[i] == 0xff)
			return -EINVAL;
	ioapic_addr = p->ioapic_addr ? p->ioapic_addr : 0xfec00000u;

	ct_len = MPCT_HDR_LEN + ENT_CPU_LEN * (size_t)p->ncpus +
	    2 * ENT_LEN + ENT_LEN + n_ioint * ENT_LEN + 2 * ENT_LEN;
	total = MPFP_LEN + ct_len;
	if (total > len || total > MPTABLE_MAX)
		return -ENOSPC;
	memset(buf, 0, total);

	/* Floating pointer */
	memcpy(buf, "_MP_", 4);
	put32(buf + 4, (uint32_t)(p->base + MPFP_LEN));
	buf[8] = 1;			/* length in 16-byte units */
	buf[9] = 4;			/* spec 1.4 */
	buf[11] = 0;			/* a configuration table follows */
	buf[12] = 0;			/* virtual wire mode, no IMCR */
	buf[10] = cksum(buf, MPFP_LEN);

	/* Configuration table header */
	ct = buf + MPFP_LEN;
	memcpy(ct, "PCMP", 4);
	put16(ct + 4, (uint16_t)ct_len);
	ct[6] = 4;
	memcpy(ct + 8, "HYVE    ", 8);
	memcpy(ct + 16, "HYVE VM     ", 12);
	put32(ct + 36, 0xfee00000u);	/* local APIC address */
	off = MPCT_HDR_LEN;

	for (unsigned i = 0; i < p->ncpus; i++, off += ENT_CPU_LEN, count++) {
		e = ct + off;
		e[0] = 0;
		e[1] = p->apic_ids ? p->apic_ids[i] : (uint8_t)i;
		e[2] = 0x14;		/* local APIC version */
		e[3] = (uint8_t)(0x01 | (i == 0 ? 0x02 : 0));	/* EN, BP */
		put32(e + 4, 0x600);	/* family 6 */
		put32(e + 8, 0x201);	/* FPU, APIC */
	}
	e = ct + off;
	e[0] = 1;
	e[1] = BUS_PCI;
	memcpy(e + 2, "PCI   ", 6);
	off += ENT_LEN;
	count++;
	e = ct + off;
	e[0] = 1;
	e[1] = BUS_ISA;
	memcpy(e + 2, "ISA   ", 6);
	off += ENT_LEN;
	count++;

	e = ct + off;
	e[0] = 2;
	e[1] = p->ioapic_id;
	e[2] = 0x11;			/* I/O APIC version (KVM's) */
	e[3] = 1;			/* enabled */
	put32(e + 4, ioapic_addr);
	off += ENT_LEN;
	count++;

	for (unsigned pin = 0; pin < n_ioint; pin++, off += ENT_LEN, count++) {
		e = ct + off;
		if (pin == 0)
			ioint(e, INT_TYPE_EXTINT, INTI_CONFORM, BUS_ISA, 0,
			    p->ioapic_id, 0);
		else if (pin == 2)
			ioint(e, INT_TYPE_INT, INTI_CONFORM, BUS_ISA, 0,
			    p->ioapic_id, 2);
		else
			ioint(e, INT_TYPE_INT, pin == SCI_IRQ ?
			    INTI_LEVEL_HIGH : INTI_CONFORM, BUS_ISA,
			    (uint8_t)pin, p->ioapic_id, (uint8_t)pin);
	}

	/* Local interrupts: ExtINT on LINT0, NMI on LINT1, all CPUs. */
	e = ct + off;
	e[0] = 4;
	e[1] = INT_TYPE_EXTINT;
	e[4] = BUS_ISA;
	e[6] = 0xff;
	e[7] = 0;
	off += ENT_LEN;
	count++;
	e = ct + off;
	e[0] = 4;
	e[1] = INT_TYPE_NMI;
	e[4] = BUS_ISA;
	e[6] = 0xff;
	e[7] = 1;
	off += ENT_LEN;
	count++;

	put16(ct + 34, count);
	ct[7] = cksum(ct, ct_len);
	return (long)total;
}
