/*
 * acpi: ACPI table builder (see acpi.h for layout and contents).
 *
 * Tables are written field by field at explicit little-endian offsets from
 * the ACPI 6.x specification (no packed structs: offsets are reviewable
 * against the spec tables and independent of the compiler).  The DSDT is
 * assembled by a tiny AML emitter that back-patches package lengths.
 *
 * Pure function of acpi_params: every write is bounds-checked against the
 * caller's buffer; it never exits and reads nothing from the guest.
 */
#include "acpi.h"

#include <errno.h>
#include <string.h>

#include "acpi_pm.h"

#define OEM_ID		"HYVE  "	/* 6 bytes */
#define OEM_TABLE_ID	"HYVE    "	/* 8 bytes */
#define CREATOR_ID	"HYVE"
#define OEM_REVISION	1
#define CREATOR_REV	1

#define HDR_LEN		36
#define RSDP_LEN	36
#define FADT_LEN	276	/* ACPI 6.0 FADT */
#define FACS_LEN	64

uint8_t
acpi_checksum(const uint8_t *b, size_t len)
{
	uint8_t sum = 0;

	for (size_t i = 0; i < len; i++)
		sum = (uint8_t)(sum + b[i]);
	return (uint8_t)(0 - sum);
}

static void
put8(uint8_t *b, size_t off, uint8_t v)
{
	b[off] = v;
}

static void
put16(uint8_t *b, size_t off, uint16_t v)
{
	b[off] = (uint8_t)v;
	b[off + 1] = (uint8_t)(v >> 8);
}

static void
put32(uint8_t *b, size_t off, uint32_t v)
{
	put16(b, off, (uint16_t)v);
	put16(b, off + 2, (uint16_t)(v >> 16));
}

static void
put64(uint8_t *b, size_t off, uint64_t v)
{
	put32(b, off, (uint32_t)v);
	put32(b, off + 4, (uint32_t)(v >> 32));
}

/* Standard description header; the checksum is set by finish(). */
static void
header(uint8_t *t, const char *sig, uint32_t len, uint8_t rev)
{
	memcpy(t, sig, 4);
	put32(t, 4, len);
	put8(t, 8, rev);
	put8(t, 9, 0);
	memcpy(t + 10, OEM_ID, 6);
	memcpy(t + 16, OEM_TABLE_ID, 8);
	put32(t, 24, OEM_REVISION);
	memcpy(t + 28, CREATOR_ID, 4);
	put32(t, 32, CREATOR_REV);
}

static void
finish(uint8_t *t, size_t len)
{
	t[9] = 0;
	t[9] = acpi_checksum(t, len);
}

/* Generic Address Structure: system I/O space. */
static void
gas_io(uint8_t *b, size_t off, uint8_t bits, uint8_t access, uint64_t addr)
{
	put8(b, off, 1);		/* SystemIO */
	put8(b, off + 1, bits);
	put8(b, off + 2, 0);
	put8(b, off + 3, access);	/* 1 byte, 2 word, 3 dword */
	put64(b, off + 4, addr);
}

/* ------------------------------------------------------------ AML */

#define AML_MAX		4096
#define AML_DEPTH	8

struct aml {
	uint8_t b[AML_MAX];
	size_t len;
	size_t open[AML_DEPTH];
	int depth;
	bool bad;		/* overflow or unbalanced: build fails */
};

static void
aml_byte(struct aml *a, uint8_t v)
{
	if (a->len >= AML_MAX) {
		a->bad = true;
		return;
	}
	a->b[a->len++] = v;
}

static void
aml_bytes(struct aml *a, const void *p, size_t n)
{
	const uint8_t *s = p;

	for (size_t i = 0; i < n; i++)
		aml_byte(a, s[i]);
}

/* Start a PkgLength-prefixed body (after the opcode). */
static void
aml_open(struct aml *a)
{
	if (a->depth >= AML_DEPTH) {
		a->bad = true;
		return;
	}
	a->open[a->depth++] = a->len;
}

/* Insert the PkgLength in front of the body started by aml_open.  The
 * length counts its own bytes, so the encoding size is chosen first. */
static void
aml_close(struct aml *a)
{
	size_t start, body, n, total;

	if (a->depth <= 0 || a->bad) {
		a->bad = true;
		return;
	}
	start = a->open[--a->depth];
	body = a->len - start;
	if (body + 1 < 0x40)
		n = 1;
	else if (body + 2 < 0x1000)
		n = 2;
	else if (body + 3 < 0x100000)
		n = 3;
	else
		n = 4;
	if (a->len + n > AML_MAX) {
		a->bad = true;
		return;
	}
	memmove(a->b + start + n, a->b + start, body);
	total = body + n;
	if (n == 1) {
		a->b[start] = (uint8_t)total;
	} else {
		a->b[start] = (uint8_t)(((n - 1) << 6) | (total & 0x0f));
		for (size_t i = 1; i < n; i++)
			a->b[start + i] = (uint8_t)(total >> (4 + 8 * (i - 1)));
	}
	a->len += n;
}

static void
aml_int(struct aml *a, uint64_t v)
{
	if (v == 0) {
		aml_byte(a, 0x00);		/* ZeroOp */
	} else if (v == 1) {
		aml_byte(a, 0x01);		/* OneOp */
	} else if (v <= 0xff) {
		aml_byte(a, 0x0a);
		aml_byte(a, (uint8_t)v);
	} else if (v <= 0xffff) {
		aml_byte(a, 0x0b);
		aml_byte(a, (uint8_t)v);
		aml_byte(a, (uint8_t)(v >> 8));
	} else if (v <= 0xffffffffu) {
		aml_byte(a, 0x0c);
		for (int i = 0; i < 4; i++)
			aml_byte(a, (uint8_t)(v >> (8 * i)));
	} else {
		aml_byte(a, 0x0e);
		for (int i = 0; i < 8; i++)
			aml_byte(a, (uint8_t)(v >> (8 * i)));
	}
}

/* A NameString of 4-character segments separated by '.', with an
 * optional leading '\' ("\\_SB_.PCI0", "_HID"). */
static void
aml_name(struct aml *a, const char *path)
{
	size_t nseg, len;

	if (*path == '\\') {
		aml_byte(a, 0x5c);
		path++;
	}
	len = strlen(path);
	if (len == 0 || (len + 1) % 5 != 0) {
		a->bad = true;
		return;
	}
	nseg = (len + 1) / 5;
	if (nseg == 2)
		aml_byte(a, 0x2e);		/* DualNamePrefix */
	else if (nseg > 2) {
		aml_byte(a, 0x2f);		/* MultiNamePrefix */
		aml_byte(a, (uint8_t)nseg);
	}
	for (size_t i = 0; i < nseg; i++)
		aml_bytes(a, path + 5 * i, 4);
}

static void
aml_name_int(struct aml *a, const char *name, uint64_t v)
{
	aml_byte(a, 0x08);			/* NameOp */
	aml_name(a, name);
	aml_int(a, v);
}

/* EISAID("PNP0A03") as the 32-bit compressed id. */
static uint32_t
eisaid(const char *id)
{
	uint32_t v = 0;
	uint8_t b0, b1, b2, b3;
	int d[4];

	for (int i = 0; i < 4; i++) {
		char c = id[3 + i];

		d[i] = c >= '0' && c <= '9' ? c - '0' : c - 'A' + 10;
	}
	b0 = (uint8_t)((((id[0] - 0x40) & 0x1f) << 2) |
	    (((id[1] - 0x40) & 0x1f) >> 3));
	b1 = (uint8_t)((((id[1] - 0x40) & 0x07) << 5) |
	    ((id[2] - 0x40) & 0x1f));
	b2 = (uint8_t)((d[0] << 4) | d[1]);
	b3 = (uint8_t)((d[2] << 4) | d[3]);
	v = (uint32_t)b0 | (uint32_t)b1 << 8 | (uint32_t)b2 << 16 |
	    (uint32_t)b3 << 24;
	return v;
}

static void
aml_device_open(struct aml *a, const char *name)
{
	aml_byte(a, 0x5b);
	aml_byte(a, 0x82);			/* DeviceOp */
	aml_open(a);
	aml_name(a, name);
}

/* Name(_CRS, ResourceTemplate() { rt }) */
static void
aml_name_buffer(struct aml *a, const char *name, const uint8_t *rt,
    size_t len)
{
	aml_byte(a, 0x08);
	aml_name(a, name);
	aml_byte(a, 0x11);			/* BufferOp */
	aml_open(a);
	aml_int(a, len);
	aml_bytes(a, rt, len);
	aml_close(a);
}

/* Resource template builder (ACPI 6.x section 6.4). */
struct rt {
	uint8_t b[256];
	size_t len;
	bool bad;
};

static void
rt_put(struct rt *r, const uint8_t *p, size_t n)
{
	if (r->len + n > sizeof(r->b)) {
		r->bad = true;
		return;
	}
	memcpy(r->b + r->len, p, n);
	r->len += n;
}

/* Word Address Space Descriptor: type 1 = I/O, 2 = bus number. */
static void
rt_word(struct rt *r, uint8_t type, uint16_t min, uint16_t max)
{
	uint8_t d[16] = { 0x88, 13, 0, type, 0x0c, type == 1 ? 3 : 0 };

	put16(d, 6, 0);				/* granularity */
	put16(d, 8, min);
	put16(d, 10, max);
	put16(d, 12, 0);			/* translation */
	put16(d, 14, (uint16_t)(max - min + 1));
	rt_put(r, d, sizeof(d));
}

static void
rt_dword_mem(struct rt *r, uint32_t min, uint32_t max)
{
	/* type 0 memory; MinFixed|MaxFixed; read-write, non-cacheable */
	uint8_t d[26] = { 0x87, 23, 0, 0, 0x0c, 0x01 };

	put32(d, 6, 0);
	put32(d, 10, min);
	put32(d, 14, max);
	put32(d, 18, 0);
	put32(d, 22, max - min + 1);
	rt_put(r, d, sizeof(d));
}

static void
rt_qword_mem(struct rt *r, uint64_t min, uint64_t max)
{
	uint8_t d[46] = { 0x8a, 43, 0, 0, 0x0c, 0x01 };

	put64(d, 6, 0);
	put64(d, 14, min);
	put64(d, 22, max);
	put64(d, 30, 0);
	put64(d, 38, max - min + 1);
	rt_put(r, d, sizeof(d));
}

/* IO(Decode16, min, max, align, len) */
static void
rt_io(struct rt *r, uint16_t base, uint8_t len)
{
	uint8_t d[8] = { 0x47, 1 };

	put16(d, 2, base);
	put16(d, 4, base);
	put8(d, 6, 1);
	put8(d, 7, len);
	rt_put(r, d, sizeof(d));
}

static void
rt_irq(struct rt *r, unsigned irq)
{
	uint8_t d[3] = { 0x22 };

	put16(d, 1, (uint16_t)(1u << irq));
	rt_put(r, d, sizeof(d));
}

static void
rt_end(struct rt *r)
{
	static const uint8_t d[2] = { 0x79, 0 };

	rt_put(r, d, sizeof(d));
}

static void
aml_com(struct aml *a, const char *name, unsigned uid, uint16_t port,
    unsigned irq)
{
	struct rt r = { .len = 0 };

	rt_io(&r, port, 8);
	rt_irq(&r, irq);
	rt_end(&r);
	if (r.bad)
		a->bad = true;
	aml_device_open(a, name);
	aml_name_int(a, "_HID", eisaid("PNP0501"));
	aml_name_int(a, "_UID", uid);
	aml_name_buffer(a, "_CRS", r.b, r.len);
	aml_close(a);
}

/* DSDT body (after the header). */
static int
build_dsdt_aml(const struct acpi_params *p, struct aml *a)
{
	struct rt r = { .len = 0 };
	uint16_t io_base = p->io_base, io_limit = p->io_limit;

	if (io_base == 0 && io_limit == 0) {
		io_base = 0x0d00;
		io_limit = 0xffff;
	}
	rt_word(&r, 2, 0, 255);			/* bus numbers */
	rt_io(&r, 0xcf8, 8);			/* config mechanism #1 */
	rt_word(&r, 1, 0x0000, 0x0cf7);		/* legacy ISA I/O */
	rt_word(&r, 1, io_base, io_limit);	/* BAR I/O window */
	rt_dword_mem(&r, p->mmio32_base, p->mmio32_limit);
	if (p->mmio64_limit > p->mmio64_base)
		rt_qword_mem(&r, p->mmio64_base, p->mmio64_limit);
	rt_end(&r);
	if (r.bad)
		return -ENOSPC;

	aml_byte(a, 0x10);			/* ScopeOp */
	aml_open(a);
	aml_name(a, "\\_SB_");
	aml_device_open(a, "PCI0");
	/* _HID only: a device with a _HID must not also have an _ADR. */
	aml_name_int(a, "_HID", eisaid("PNP0A03"));
	aml_name_int(a, "_UID", 0);
	aml_name_int(a, "_BBN", 0);
	aml_name_buffer(a, "_CRS", r.b, r.len);
	aml_close(a);				/* PCI0 */
	if (p->rtc) {
		struct rt rr = { .len = 0 };

		/* PNP0B00 with its ports and IRQ 8, as firmware lists it;
		 * Linux's rtc_cmos binds to it. */
		rt_io(&rr, 0x70, 2);
		rt_irq(&rr, 8);
		rt_end(&rr);
		aml_device_open(a, "RTC_");
		aml_name_int(a, "_HID", eisaid("PNP0B00"));
		aml_name_buffer(a, "_CRS", rr.b, rr.len);
		aml_close(a);
	}
	if (p->com1)
		aml_com(a, "COM1", 1, 0x3f8, 4);
	if (p->com2)
		aml_com(a, "COM2", 2, 0x2f8, 3);
	aml_close(a);				/* \_SB */

	/* Name(\_S5, Package() { SLP_TYPa, SLP_TYPb }) */
	aml_byte(a, 0x08);
	aml_name(a, "\\_S5_");
	aml_byte(a, 0x12);			/* PackageOp */
	aml_open(a);
	aml_byte(a, 2);
	aml_int(a, ACPI_S5_SLP_TYP);
	aml_int(a, ACPI_S5_SLP_TYP);
	aml_close(a);
	return a->bad || a->depth != 0 ? -ENOSPC : 0;
}

/* ------------------------------------------------------------ tables */

static size_t
align_up(size_t v, size_t a)
{
	return (v + a - 1) & ~(a - 1);
}

long
acpi_build(const struct acpi_params *p, uint8_t *buf, size_t len)
{
	struct aml a_buf, *a = &a_buf;
	size_t off, rsdp, xsdt, rsdt, fadt, facs, madt, dsdt, madt_len, end;
	uint32_t ioapic;
	uint16_t pm;
	uint64_t base;
	int r;

	if (p == NULL || buf == NULL)
		return -EINVAL;
	if (p->ncpus < 1 || p->ncpus > 255)
		return -EINVAL;
	if (p->mmio32_limit <= p->mmio32_base)
		return -EINVAL;
	if ((p->mmio64_base || p->mmio64_limit) &&
	    p->mmio64_limit <= p->mmio64_base)
		return -EINVAL;
	if (p->io_limit < p->io_base)
		return -EINVAL;
	base = p->base;
	if (base % 16 != 0 || base + ACPI_TABLES_MAX > 0x100000000ULL)
		return -EINVAL;	/* the RSDT holds 32-bit addresses */
	for (unsigned i = 0; p->apic_ids && i < p->ncpus; i++)
		if (p->apic_ids[i] == 0xff)
			return -EINVAL;	/* 0xff is the broadcast id */
	ioapic = p->ioapic_addr ? p->ioapic_addr : ACPI_IOAPIC_ADDR;
	pm = p->pm_base ? p->pm_base : ACPI_PM_BASE;

	memset(a, 0, sizeof(*a));
	r = build_dsdt_aml(p, a);
	if (r < 0)
		return r;

	madt_len = 44 + 8 * (size_t)p->ncpus + 12 + 10 * 2 + 6;
	rsdp = 0;
	xsdt = align_up(rsdp + RSDP_LEN, 16);
	rsdt = align_up(xsdt + HDR_LEN + 2 * 8, 16);
	fadt = align_up(rsdt + HDR_LEN + 2 * 4, 16);
	facs = align_up(fadt + FADT_LEN, 64);
	madt = align_up(facs + FACS_LEN, 16);
	dsdt = align_up(madt + madt_len, 16);
	end = dsdt + HDR_LEN + a->len;
	if (end > len || end > ACPI_TABLES_MAX)
		return -ENOSPC;
	memset(buf, 0, end);

	/* RSDP (ACPI 2.0+) */
	memcpy(buf + rsdp, "RSD PTR ", 8);
	memcpy(buf + rsdp + 9, OEM_ID, 6);
	put8(buf, rsdp + 15, 2);
	put32(buf, rsdp + 16, (uint32_t)(base + rsdt));
	put32(buf, rsdp + 20, RSDP_LEN);
	put64(buf, rsdp + 24, base + xsdt);
	buf[rsdp + 8] = acpi_checksum(buf + rsdp, 20);
	buf[rsdp + 32] = acpi_checksum(buf + rsdp, RSDP_LEN);

	/* XSDT and RSDT: FADT, MADT */
	header(buf + xsdt, "XSDT", HDR_LEN + 16, 1);
	put64(buf, xsdt + HDR_LEN, base + fadt);
	put64(buf, xsdt + HDR_LEN + 8, base + madt);
	finish(buf + xsdt, HDR_LEN + 16);
	header(buf + rsdt, "RSDT", HDR_LEN + 8, 1);
	put32(buf, rsdt + HDR_LEN, (uint32_t)(base + fadt));
	put32(buf, rsdt + HDR_LEN + 4, (uint32_t)(base + madt));
	finish(buf + rsdt, HDR_LEN + 8);

	/* FADT (ACPI 6.0, revision 6) */
	off = fadt;
	header(buf + off, "FACP", FADT_LEN, 6);
	put32(buf, off + 36, (uint32_t)(base + facs));	/* FIRMWARE_CTRL */
	put32(buf, off + 40, (uint32_t)(base + dsdt));	/* DSDT */
	put8(buf, off + 45, 0);			/* PM profile: unspecified */
	put16(buf, off + 46, ACPI_SCI_IRQ);
	put32(buf, off + 48, 0);		/* SMI_CMD: always ACPI mode */
	put32(buf, off + 56, pm + 0);		/* PM1a_EVT_BLK */
	put32(buf, off + 64, pm + 4);		/* PM1a_CNT_BLK */
	put32(buf, off + 76, pm + 8);		/* PM_TMR_BLK */
	put8(buf, off + 88, 4);			/* PM1_EVT_LEN */
	put8(buf, off + 89, 2);			/* PM1_CNT_LEN */
	put8(buf, off + 91, 4);			/* PM_TMR_LEN */
	put16(buf, off + 96, 101);		/* no C2 */
	put16(buf, off + 98, 1001);		/* no C3 */
	put8(buf, off + 108, 0x32);		/* CENTURY CMOS index */
	/* IAPC_BOOT_ARCH: LEGACY_DEVICES (COM ports), VGA not present; the
	 * 8042 bit stays clear so Linux does not probe a keyboard. */
	put16(buf, off + 109, (1u << 0) | (1u << 2));
	put32(buf, off + 112,
	    (1u << 0) |		/* WBINVD */
	    (1u << 2) |		/* PROC_C1 */
	    (1u << 5) |		/* SLP_BUTTON: no fixed sleep button */
	    (1u << 6) |		/* FIX_RTC: no RTC wake status */
	    (1u << 8) |		/* TMR_VAL_EXT: 32-bit PM timer */
	    (1u << 10));	/* RESET_REG_SUP; PWR_BUTTON (bit 4) clear =
				 * fixed-feature power button present */
	gas_io(buf, off + 116, 8, 1, ACPI_RESET_PORT);	/* RESET_REG */
	put8(buf, off + 128, ACPI_RESET_VALUE);
	put8(buf, off + 131, 0);		/* FADT minor version */
	put64(buf, off + 132, base + facs);	/* X_FIRMWARE_CTRL */
	put64(buf, off + 140, base + dsdt);	/* X_DSDT */
	gas_io(buf, off + 148, 32, 2, pm + 0);	/* X_PM1a_EVT_BLK */
	gas_io(buf, off + 172, 16, 2, pm + 4);	/* X_PM1a_CNT_BLK */
	gas_io(buf, off + 208, 32, 3, pm + 8);	/* X_PM_TMR_BLK */
	finish(buf + off, FADT_LEN);

	/* FACS: no checksum; version 2; the guest may use the global lock
	 * word, which is why it is in RAM the guest can write. */
	memcpy(buf + facs, "FACS", 4);
	put32(buf, facs + 4, FACS_LEN);
	put8(buf, facs + 32, 2);

	/* MADT */
	off = madt;
	header(buf + off, "APIC", (uint32_t)madt_len, 1);
	put32(buf, off + 36, ACPI_LAPIC_ADDR);
	put32(buf, off + 40, 1);		/* PCAT_COMPAT: 8259s exist */
	off += 44;
	for (unsigned i = 0; i < p->ncpus; i++, off += 8) {
		put8(buf, off, 0);		/* Processor Local APIC */
		put8(buf, off + 1, 8);
		put8(buf, off + 2, (uint8_t)i);	/* ACPI processor UID */
		put8(buf, off + 3, p->apic_ids ? p->apic_ids[i] : (uint8_t)i);
		put32(buf, off + 4, 1);		/* enabled */
	}
	put8(buf, off, 1);			/* I/O APIC */
	put8(buf, off + 1, 12);
	put8(buf, off + 2, p->ioapic_id);
	put32(buf, off + 4, ioapic);
	put32(buf, off + 8, 0);			/* GSI base */
	off += 12;
	/* ISA IRQ 0 (PIT) is wired to pin 2: bus conformant flags. */
	put8(buf, off, 2);
	put8(buf, off + 1, 10);
	put8(buf, off + 2, 0);			/* ISA */
	put8(buf, off + 3, 0);
	put32(buf, off + 4, 2);
	put16(buf, off + 8, 0);
	off += 10;
	/* SCI: level triggered, active high, as Linux and the spec expect
	 * for a shareable SCI on an ISA IRQ. */
	put8(buf, off, 2);
	put8(buf, off + 1, 10);
	put8(buf, off + 2, 0);
	put8(buf, off + 3, ACPI_SCI_IRQ);
	put32(buf, off + 4, ACPI_SCI_IRQ);
	put16(buf, off + 8, 0x000d);		/* level (3<<2) | high (1) */
	off += 10;
	put8(buf, off, 4);			/* Local APIC NMI */
	put8(buf, off + 1, 6);
	put8(buf, off + 2, 0xff);		/* all processors */
	put16(buf, off + 3, 0);
	put8(buf, off + 5, 1);			/* LINT1 */
	off += 6;
	finish(buf + madt, madt_len);

	/* DSDT (revision 2: 64-bit integers) */
	header(buf + dsdt, "DSDT", (uint32_t)(HDR_LEN + a->len), 2);
	memcpy(buf + dsdt + HDR_LEN, a->b, a->len);
	finish(buf + dsdt, HDR_LEN + a->len);
	return (long)end;
}
