/*
 * test_acpi: the ACPI tables parsed back (checksums, lengths, pointers,
 * every FADT/MADT field hyve relies on, an AML walk of the whole DSDT) and
 * the PM1/PM timer register model.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "vmm/acpi.h"
#include "vmm/acpi_pm.h"

#define BASE 0xe0000ULL

static uint8_t buf[ACPI_TABLES_MAX];
static long blen;

static uint16_t
g16(const uint8_t *b)
{
	return (uint16_t)(b[0] | b[1] << 8);
}

static uint32_t
g32(const uint8_t *b)
{
	return (uint32_t)g16(b) | (uint32_t)g16(b + 2) << 16;
}

static uint64_t
g64(const uint8_t *b)
{
	return (uint64_t)g32(b) | (uint64_t)g32(b + 4) << 32;
}

static uint8_t
sum(const uint8_t *b, size_t n)
{
	uint8_t s = 0;

	while (n--)
		s = (uint8_t)(s + *b++);
	return s;
}

/* A table at guest address gpa: inside the built area, checksummed. */
static const uint8_t *
table(uint64_t gpa, const char *sig)
{
	const uint8_t *t;
	uint32_t len;

	if (gpa < BASE || gpa + 36 > BASE + (uint64_t)blen)
		fail_msg("%s at %#jx outside the tables", sig, (uintmax_t)gpa);
	t = buf + (gpa - BASE);
	if (memcmp(t, sig, 4) != 0)
		fail_msg("expected %s, found %.4s", sig, (const char *)t);
	len = g32(t + 4);
	if (gpa + len > BASE + (uint64_t)blen)
		fail_msg("%s: length %u runs past the end", sig, len);
	if (strcmp(sig, "FACS") != 0 && sum(t, len) != 0)
		fail_msg("%s: bad checksum", sig);
	return t;
}

static struct acpi_params
params(unsigned ncpus)
{
	struct acpi_params p = {
		.base = BASE, .ncpus = ncpus,
		.mmio32_base = 0xc0000000u, .mmio32_limit = 0xdfffffffu,
		.mmio64_base = 0x10000000000ULL,
		.mmio64_limit = 0x10fffffffffULL,
		.com1 = true, .com2 = false, .rtc = true,
	};

	return p;
}

static void
build(const struct acpi_params *p)
{
	memset(buf, 0xcc, sizeof(buf));
	blen = acpi_build(p, buf, sizeof(buf));
	if (blen <= 0)
		fail_msg("acpi_build: %ld", blen);
}

/* -------------------------------------------------------- AML walker */

struct aml_found {
	int devices, names, scopes;
	uint32_t pci0_hid, com1_hid, com2_hid, rtc_hid;
	bool s5, com1, com2, rtc;
	const uint8_t *rtc_crs;
	size_t rtc_crs_len;
	uint64_t s5_a, s5_b;
	const uint8_t *pci0_crs;
	size_t pci0_crs_len;
};

static size_t
pkglen(const uint8_t *p, const uint8_t *end, size_t *n)
{
	size_t len, follow;

	assert_true(p < end);
	follow = p[0] >> 6;
	assert_true(p + follow < end);
	if (follow == 0) {
		*n = 1;
		return p[0] & 0x3f;
	}
	assert_int_equal(p[0] & 0x30, 0);	/* reserved bits */
	len = p[0] & 0x0f;
	for (size_t i = 1; i <= follow; i++)
		len |= (size_t)p[i] << (4 + 8 * (i - 1));
	*n = follow + 1;
	return len;
}

/* NameString -> "SEG1.SEG2" (root prefix dropped). */
static const uint8_t *
namestr(const uint8_t *p, const uint8_t *end, char *out)
{
	size_t nseg = 1;

	out[0] = '\0';
	if (*p == '\\')
		p++;
	if (*p == 0x2e) {
		nseg = 2;
		p++;
	} else if (*p == 0x2f) {
		nseg = p[1];
		p += 2;
	}
	assert_true(p + 4 * nseg <= end);
	for (size_t i = 0; i < nseg; i++) {
		for (int j = 0; j < 4; j++) {
			char ch = (char)p[j];

			assert_true((ch >= 'A' && ch <= 'Z') || ch == '_' ||
			    (ch >= '0' && ch <= '9'));
		}
		if (i)
			strcat(out, ".");
		strncat(out, (const char *)p, 4);
		p += 4;
	}
	return p;
}

static const uint8_t *
integer(const uint8_t *p, const uint8_t *end, uint64_t *v)
{
	size_t n = 0;

	assert_true(p < end);
	switch (*p) {
	case 0x00: *v = 0; return p + 1;
	case 0x01: *v = 1; return p + 1;
	case 0xff: *v = ~0ULL; return p + 1;
	case 0x0a: n = 1; break;
	case 0x0b: n = 2; break;
	case 0x0c: n = 4; break;
	case 0x0e: n = 8; break;
	default: fail_msg("not an integer opcode %#x", *p);
	}
	assert_true(p + 1 + n <= end);
	*v = 0;
	for (size_t i = 0; i < n; i++)
		*v |= (uint64_t)p[1 + i] << (8 * i);
	return p + 1 + n;
}

static void walk(const uint8_t *p, const uint8_t *end, const char *scope,
    struct aml_found *f);

/* Name(NAME, data): integer, buffer or package. */
static const uint8_t *
walk_name(const uint8_t *p, const uint8_t *end, const char *scope,
    struct aml_found *f)
{
	char name[64], path[160];
	uint64_t v;

	p = namestr(p, end, name);
	snprintf(path, sizeof(path), "%s%s%s", scope, *scope ? "." : "",
	    name);
	f->names++;
	assert_true(p < end);
	if (*p == 0x11) {			/* Buffer */
		size_t n, len = pkglen(p + 1, end, &n);
		const uint8_t *q = p + 1 + n, *bend = p + 1 + len;
		uint64_t size;

		assert_true(bend <= end);
		q = integer(q, bend, &size);
		assert_int_equal(size, (uint64_t)(bend - q));
		if (strcmp(path, "_SB_.PCI0._CRS") == 0) {
			f->pci0_crs = q;
			f->pci0_crs_len = (size_t)size;
		}
		if (strcmp(path, "_SB_.RTC_._CRS") == 0) {
			f->rtc_crs = q;
			f->rtc_crs_len = (size_t)size;
		}
		return bend;
	}
	if (*p == 0x12) {			/* Package */
		size_t n, len = pkglen(p + 1, end, &n);
		const uint8_t *q = p + 1 + n, *pend = p + 1 + len;
		unsigned count = *q++;
		uint64_t e[8] = { 0 };

		assert_true(pend <= end);
		for (unsigned i = 0; i < count && i < 8; i++)
			q = integer(q, pend, &e[i]);
		assert_ptr_equal(q, pend);
		if (strcmp(path, "_S5_") == 0) {
			f->s5 = true;
			f->s5_a = e[0];
			f->s5_b = e[1];
		}
		return pend;
	}
	p = integer(p, end, &v);
	if (strcmp(path, "_SB_.PCI0._HID") == 0)
		f->pci0_hid = (uint32_t)v;
	if (strcmp(path, "_SB_.COM1._HID") == 0) {
		f->com1 = true;
		f->com1_hid = (uint32_t)v;
	}
	if (strcmp(path, "_SB_.RTC_._HID") == 0) {
		f->rtc = true;
		f->rtc_hid = (uint32_t)v;
	}
	if (strcmp(path, "_SB_.COM2._HID") == 0) {
		f->com2 = true;
		f->com2_hid = (uint32_t)v;
	}
	return p;
}

static void
walk(const uint8_t *p, const uint8_t *end, const char *scope,
    struct aml_found *f)
{
	while (p < end) {
		char name[64], path[160];
		size_t n, len;
		const uint8_t *bend;

		switch (*p) {
		case 0x08:
			p = walk_name(p + 1, end, scope, f);
			break;
		case 0x10:			/* Scope */
			len = pkglen(p + 1, end, &n);
			bend = p + 1 + len;
			assert_true(bend <= end);
			p = namestr(p + 1 + n, bend, name);
			f->scopes++;
			walk(p, bend, name, f);
			p = bend;
			break;
		case 0x5b:
			assert_true(p + 1 < end);
			assert_int_equal(p[1], 0x82);	/* Device */
			len = pkglen(p + 2, end, &n);
			bend = p + 2 + len;
			assert_true(bend <= end);
			p = namestr(p + 2 + n, bend, name);
			snprintf(path, sizeof(path), "%s%s%s", scope,
			    *scope ? "." : "", name);
			f->devices++;
			walk(p, bend, path, f);
			p = bend;
			break;
		default:
			fail_msg("unexpected AML opcode %#x", *p);
		}
	}
	assert_ptr_equal(p, end);
}

/* Walk a resource template; returns what it found. */
struct crs {
	bool end_tag, bus, cf8;
	uint16_t bus_min, bus_max;
	int wordio;
	uint16_t io_min[4], io_max[4];
	uint32_t m32_min, m32_max, m32_len;
	uint64_t m64_min, m64_max;
	bool m32, m64;
	uint16_t io_port;
	uint16_t irq_mask;
};

static struct crs
parse_crs(const uint8_t *p, size_t len)
{
	const uint8_t *end = p + len;
	struct crs c = { 0 };

	while (p < end) {
		if (*p & 0x80) {		/* large item */
			uint16_t l = g16(p + 1);

			assert_true(p + 3 + l <= end);
			switch (*p) {
			case 0x88:
				assert_int_equal(l, 13);
				if (p[3] == 2) {
					c.bus = true;
					c.bus_min = g16(p + 8);
					c.bus_max = g16(p + 10);
					assert_int_equal(g16(p + 14),
					    c.bus_max - c.bus_min + 1);
				} else {
					assert_int_equal(p[3], 1);
					assert_true(c.wordio < 4);
					c.io_min[c.wordio] = g16(p + 8);
					c.io_max[c.wordio] = g16(p + 10);
					assert_int_equal(g16(p + 14),
					    (uint16_t)(g16(p + 10) -
					    g16(p + 8) + 1));
					c.wordio++;
				}
				break;
			case 0x87:
				assert_int_equal(l, 23);
				assert_int_equal(p[3], 0);
				c.m32 = true;
				c.m32_min = g32(p + 10);
				c.m32_max = g32(p + 14);
				c.m32_len = g32(p + 22);
				break;
			case 0x8a:
				assert_int_equal(l, 43);
				c.m64 = true;
				c.m64_min = g64(p + 14);
				c.m64_max = g64(p + 22);
				assert_int_equal(g64(p + 38),
				    c.m64_max - c.m64_min + 1);
				break;
			default:
				fail_msg("unexpected large item %#x", *p);
			}
			p += 3 + l;
		} else {
			uint8_t tag = (uint8_t)(*p >> 3), l = *p & 7;

			assert_true(p + 1 + l <= end);
			if (tag == 0x0f) {	/* end tag */
				assert_int_equal(l, 1);
				c.end_tag = true;
				assert_ptr_equal(p + 2, end);
				return c;
			}
			if (tag == 0x08) {	/* IO */
				assert_int_equal(l, 7);
				if (g16(p + 2) == 0xcf8)
					c.cf8 = true;
				else
					c.io_port = g16(p + 2);
				assert_int_equal(g16(p + 2), g16(p + 4));
			} else if (tag == 0x04) {	/* IRQ */
				assert_int_equal(l, 2);
				c.irq_mask = g16(p + 1);
			} else {
				fail_msg("unexpected small item %#x", *p);
			}
			p += 1 + l;
		}
	}
	fail_msg("resource template without an end tag");
	return c;
}

static void
check_all(const struct acpi_params *p)
{
	const uint8_t *rsdp = buf, *xsdt, *rsdt, *fadt, *madt, *dsdt, *facs;
	struct aml_found f = { 0 };
	struct crs crs;
	uint32_t flags;

	/* RSDP */
	assert_memory_equal(rsdp, "RSD PTR ", 8);
	assert_int_equal(sum(rsdp, 20), 0);
	assert_int_equal(sum(rsdp, 36), 0);
	assert_int_equal(rsdp[15], 2);
	assert_int_equal(g32(rsdp + 20), 36);
	xsdt = table(g64(rsdp + 24), "XSDT");
	rsdt = table(g32(rsdp + 16), "RSDT");
	assert_int_equal(g32(xsdt + 4), 36 + 16);
	assert_int_equal(g32(rsdt + 4), 36 + 8);
	fadt = table(g64(xsdt + 36), "FACP");
	madt = table(g64(xsdt + 44), "APIC");
	assert_int_equal(g32(rsdt + 36), g64(xsdt + 36));
	assert_int_equal(g32(rsdt + 40), g64(xsdt + 44));

	/* FADT */
	assert_int_equal(g32(fadt + 4), 276);
	assert_int_equal(fadt[8], 6);
	assert_int_equal(g32(fadt + 40), g64(fadt + 140));	/* DSDT */
	assert_int_equal(g32(fadt + 36), g64(fadt + 132));	/* FACS */
	dsdt = table(g64(fadt + 140), "DSDT");
	facs = table(g64(fadt + 132), "FACS");
	assert_int_equal(g64(fadt + 132) % 64, 0);
	assert_int_equal(g32(facs + 4), 64);
	assert_int_equal(g16(fadt + 46), 9);			/* SCI */
	assert_int_equal(g32(fadt + 48), 0);			/* SMI_CMD */
	assert_int_equal(g32(fadt + 56), ACPI_PM1_EVT_PORT);
	assert_int_equal(g32(fadt + 64), ACPI_PM1_CNT_PORT);
	assert_int_equal(g32(fadt + 76), ACPI_PM_TMR_PORT);
	assert_int_equal(fadt[88], 4);
	assert_int_equal(fadt[89], 2);
	assert_int_equal(fadt[91], 4);
	assert_int_equal(fadt[108], 0x32);			/* CENTURY */
	assert_int_equal(g16(fadt + 109) & 0x2, 0);		/* no 8042 */
	flags = g32(fadt + 112);
	assert_true(flags & (1u << 10));			/* RESET_REG */
	assert_false(flags & (1u << 4));	/* fixed power button */
	assert_false(flags & (1u << 20));	/* not HW-reduced */
	assert_true(flags & (1u << 8));		/* 32-bit timer */
	assert_int_equal(fadt[116], 1);				/* SystemIO */
	assert_int_equal(fadt[117], 8);
	assert_int_equal(g64(fadt + 120), 0xcf9);
	assert_int_equal(fadt[128], 6);
	assert_int_equal(fadt[148], 1);
	assert_int_equal(fadt[149], 32);
	assert_int_equal(g64(fadt + 152), ACPI_PM1_EVT_PORT);
	assert_int_equal(fadt[173], 16);
	assert_int_equal(g64(fadt + 176), ACPI_PM1_CNT_PORT);
	assert_int_equal(fadt[209], 32);
	assert_int_equal(g64(fadt + 212), ACPI_PM_TMR_PORT);

	/* MADT: walk every entry */
	{
		uint32_t len = g32(madt + 4), off = 44;
		unsigned lapics = 0, ioapics = 0, isos = 0, nmis = 0;

		assert_int_equal(g32(madt + 36), 0xfee00000u);
		assert_int_equal(g32(madt + 40) & 1, 1);
		while (off < len) {
			const uint8_t *e = madt + off;

			assert_true(e[1] >= 2 && off + e[1] <= len);
			switch (e[0]) {
			case 0:
				assert_int_equal(e[1], 8);
				assert_int_equal(e[2], lapics);
				assert_int_equal(e[3], p->apic_ids ?
				    p->apic_ids[lapics] : lapics);
				assert_int_equal(g32(e + 4), 1);
				lapics++;
				break;
			case 1:
				assert_int_equal(e[1], 12);
				assert_int_equal(g32(e + 4), 0xfec00000u);
				assert_int_equal(g32(e + 8), 0);
				ioapics++;
				break;
			case 2:
				assert_int_equal(e[1], 10);
				if (e[3] == 0) {
					assert_int_equal(g32(e + 4), 2);
				} else {
					assert_int_equal(e[3], 9);
					assert_int_equal(g32(e + 4), 9);
					assert_int_equal(g16(e + 8), 0x0d);
				}
				isos++;
				break;
			case 4:
				assert_int_equal(e[1], 6);
				assert_int_equal(e[2], 0xff);
				assert_int_equal(e[5], 1);
				nmis++;
				break;
			default:
				fail_msg("unexpected MADT entry %u", e[0]);
			}
			off += e[1];
		}
		assert_int_equal(off, len);
		assert_int_equal(lapics, p->ncpus);
		assert_int_equal(ioapics, 1);
		assert_int_equal(isos, 2);
		assert_int_equal(nmis, 1);
	}

	/* DSDT: the whole AML parses, and says what we need */
	assert_int_equal(dsdt[8], 2);
	walk(dsdt + 36, dsdt + g32(dsdt + 4), "", &f);
	assert_int_equal(f.pci0_hid, 0x030ad041u);		/* PNP0A03 */
	assert_true(f.s5);
	assert_int_equal(f.s5_a, ACPI_S5_SLP_TYP);
	assert_int_equal(f.s5_b, ACPI_S5_SLP_TYP);
	assert_int_equal(f.com1, p->com1);
	assert_int_equal(f.com2, p->com2);
	if (p->com1)
		assert_int_equal(f.com1_hid, 0x0105d041u);	/* PNP0501 */
	if (p->com2)
		assert_int_equal(f.com2_hid, 0x0105d041u);
	assert_int_equal(f.rtc, p->rtc);
	if (p->rtc) {
		assert_int_equal(f.rtc_hid, 0x000bd041u);	/* PNP0B00 */
		crs = parse_crs(f.rtc_crs, f.rtc_crs_len);
		assert_true(crs.end_tag);
		assert_int_equal(crs.io_port, 0x70);
		assert_int_equal(crs.irq_mask, 1u << 8);
	}
	assert_non_null(f.pci0_crs);
	crs = parse_crs(f.pci0_crs, f.pci0_crs_len);
	assert_true(crs.end_tag);
	assert_true(crs.bus);
	assert_int_equal(crs.bus_min, 0);
	assert_int_equal(crs.bus_max, 255);
	assert_true(crs.cf8);
	assert_int_equal(crs.wordio, 2);
	assert_int_equal(crs.io_min[0], 0);
	assert_int_equal(crs.io_max[0], 0xcf7);
	assert_int_equal(crs.io_min[1], p->io_base ? p->io_base : 0xd00);
	assert_int_equal(crs.io_max[1], p->io_limit ? p->io_limit : 0xffff);
	assert_true(crs.m32);
	assert_int_equal(crs.m32_min, p->mmio32_base);
	assert_int_equal(crs.m32_max, p->mmio32_limit);
	assert_int_equal(crs.m32_len, p->mmio32_limit - p->mmio32_base + 1);
	assert_int_equal(crs.m64, p->mmio64_limit != 0);
	if (crs.m64) {
		assert_int_equal(crs.m64_min, p->mmio64_base);
		assert_int_equal(crs.m64_max, p->mmio64_limit);
	}
}

static void
test_tables(void **state)
{
	struct acpi_params p = params(2);

	(void)state;
	build(&p);
	check_all(&p);
	/* both COM ports, no 64-bit window, an explicit I/O window */
	p.com2 = true;
	p.mmio64_base = p.mmio64_limit = 0;
	p.io_base = 0x2000;
	p.io_limit = 0x2fff;
	build(&p);
	check_all(&p);
	p.com1 = p.com2 = p.rtc = false;
	build(&p);
	check_all(&p);
}

static void
test_cpu_counts(void **state)
{
	static const uint8_t ids[4] = { 0, 2, 4, 6 };
	struct acpi_params p = params(4);

	(void)state;
	p.apic_ids = ids;
	build(&p);
	check_all(&p);
	for (unsigned n = 1; n <= 255; n += 127) {
		p = params(n);
		build(&p);
		check_all(&p);
	}
	p = params(255);
	build(&p);
	check_all(&p);
}

static void
test_errors(void **state)
{
	static const uint8_t bad_ids[2] = { 0, 0xff };
	struct acpi_params p = params(1);

	(void)state;
	assert_int_equal(acpi_build(NULL, buf, sizeof(buf)), -EINVAL);
	assert_int_equal(acpi_build(&p, NULL, sizeof(buf)), -EINVAL);
	p.ncpus = 0;
	assert_int_equal(acpi_build(&p, buf, sizeof(buf)), -EINVAL);
	p.ncpus = 256;
	assert_int_equal(acpi_build(&p, buf, sizeof(buf)), -EINVAL);
	p = params(2);
	p.apic_ids = bad_ids;
	assert_int_equal(acpi_build(&p, buf, sizeof(buf)), -EINVAL);
	p = params(1);
	p.mmio32_limit = p.mmio32_base;
	assert_int_equal(acpi_build(&p, buf, sizeof(buf)), -EINVAL);
	p = params(1);
	p.mmio64_limit = p.mmio64_base - 1;
	assert_int_equal(acpi_build(&p, buf, sizeof(buf)), -EINVAL);
	p = params(1);
	p.io_base = 0x3000;
	p.io_limit = 0x2000;
	assert_int_equal(acpi_build(&p, buf, sizeof(buf)), -EINVAL);
	p = params(1);
	p.base = BASE + 8;
	assert_int_equal(acpi_build(&p, buf, sizeof(buf)), -EINVAL);
	p.base = 0xfffff000ULL;
	assert_int_equal(acpi_build(&p, buf, sizeof(buf)), -EINVAL);
	p = params(1);
	assert_int_equal(acpi_build(&p, buf, 100), -ENOSPC);
	blen = acpi_build(&p, buf, sizeof(buf));
	assert_true(blen > 0);
	assert_int_equal(acpi_build(&p, buf, (size_t)blen - 1), -ENOSPC);
	assert_int_equal(acpi_build(&p, buf, (size_t)blen), blen);
}


/* Run a shell command; its output (stdout+stderr) in out. */
static int
sh(const char *cmd, char *out, size_t outlen)
{
	FILE *p = popen(cmd, "r");
	size_t n = 0;

	assert_non_null(p);
	while (n + 1 < outlen && fgets(out + n, (int)(outlen - n), p))
		n = strlen(out);
	out[n] = '\0';
	return pclose(p);
}

/*
 * An independent check: ACPICA's iasl (acpica-tools, installed by
 * scripts/deps.sh) must disassemble every table without complaint and
 * compile the disassembly back with 0 errors and 0 warnings.
 */
static void
test_iasl(void **state)
{
	static const char *const names[] = { "XSDT", "RSDT", "FACP", "FACS",
		"APIC", "DSDT" };
	struct acpi_params p = params(4);
	char dir[] = "/tmp/test_acpi.XXXXXX", cmd[512], out[8192];
	const uint8_t *x, *f;
	const uint8_t *t[6];

	(void)state;
	if (sh("command -v iasl", out, sizeof(out)) != 0)
		fail_msg("iasl not found: install acpica-tools "
		    "(scripts/deps.sh)");
	p.com2 = true;
	build(&p);
	x = table(g64(buf + 24), "XSDT");
	f = table(g64(x + 36), "FACP");
	t[0] = x;
	t[1] = table(g32(buf + 16), "RSDT");
	t[2] = f;
	t[3] = table(g64(f + 132), "FACS");
	t[4] = table(g64(x + 44), "APIC");
	t[5] = table(g64(f + 140), "DSDT");
	assert_non_null(mkdtemp(dir));
	for (int i = 0; i < 6; i++) {
		FILE *o;

		snprintf(cmd, sizeof(cmd), "%s/%s.dat", dir, names[i]);
		o = fopen(cmd, "wb");
		assert_non_null(o);
		assert_int_equal(fwrite(t[i], 1, g32(t[i] + 4), o),
		    g32(t[i] + 4));
		fclose(o);
		snprintf(cmd, sizeof(cmd), "cd %s && iasl -d %s.dat 2>&1",
		    dir, names[i]);
		if (sh(cmd, out, sizeof(out)) != 0 ||
		    strstr(out, "Incorrect") || strstr(out, "Invalid") ||
		    strstr(out, "Warning") || strstr(out, "Error"))
			fail_msg("iasl -d %s:\n%s", names[i], out);
		snprintf(cmd, sizeof(cmd), "cd %s && iasl %s.dsl 2>&1", dir,
		    names[i]);
		if (sh(cmd, out, sizeof(out)) != 0 ||
		    strstr(out, "0 Errors, 0 Warnings, 0 Remarks") == NULL)
			fail_msg("iasl %s.dsl:\n%s", names[i], out);
	}
	/* the disassembled DSDT says what Linux needs */
	snprintf(cmd, sizeof(cmd), "grep -c "
	    "'PNP0A03\\|PNP0501\\|PNP0B00\\|_S5' %s/DSDT.dsl", dir);
	assert_int_equal(sh(cmd, out, sizeof(out)), 0);
	assert_true(atoi(out) >= 5);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	assert_int_equal(system(cmd), 0);
}

static void
test_checksum(void **state)
{
	uint8_t b[4] = { 1, 2, 3, 0 };

	(void)state;
	b[3] = acpi_checksum(b, 3);
	assert_int_equal(sum(b, 4), 0);
	assert_int_equal(acpi_checksum(b, 0), 0);
}

/* ------------------------------------------------------------ PM1 */

struct pmlog {
	bool sci;
	unsigned sci_edges, poweroffs;
	int64_t now;
};

static void
pm_sci(void *arg, bool level)
{
	struct pmlog *l = arg;

	assert_true(level != l->sci);
	l->sci = level;
	l->sci_edges++;
}

static void
pm_off(void *arg)
{
	((struct pmlog *)arg)->poweroffs++;
}

static int64_t
pm_now(void *arg)
{
	return ((struct pmlog *)arg)->now;
}

static struct acpi_pm *
pm_mk(struct pmlog *l)
{
	struct acpi_pm_hooks h = { pm_sci, pm_off, pm_now, l };
	struct acpi_pm *pm;

	memset(l, 0, sizeof(*l));
	l->now = 1000;
	pm = acpi_pm_new(&h, 0);
	assert_non_null(pm);
	return pm;
}

static uint32_t
pin(struct acpi_pm *pm, uint16_t port, unsigned size)
{
	uint32_t v = 0x12345678;

	assert_int_equal(acpi_pm_io(pm, port, false, size, &v), 0);
	return v;
}

static void
pout(struct acpi_pm *pm, uint16_t port, unsigned size, uint32_t v)
{
	assert_int_equal(acpi_pm_io(pm, port, true, size, &v), 0);
}

static void
test_pm_reset_and_ports(void **state)
{
	struct pmlog l;
	struct acpi_pm *pm = pm_mk(&l);
	uint32_t v;

	(void)state;
	assert_int_equal(pin(pm, ACPI_PM1_EVT_PORT, 2), 0);
	assert_int_equal(pin(pm, ACPI_PM1_EVT_PORT + 2, 2), 0);
	assert_int_equal(pin(pm, ACPI_PM1_CNT_PORT, 2), ACPI_PM1_SCI_EN);
	assert_int_equal(pin(pm, ACPI_PM_BASE + 6, 2), 0xffff);	/* reserved */
	assert_int_equal(pin(pm, ACPI_PM1_EVT_PORT, 1), 0);
	assert_int_equal(acpi_pm_io(pm, ACPI_PM_BASE - 1, false, 1, &v),
	    -ENOENT);
	assert_int_equal(acpi_pm_io(pm, ACPI_PM_BASE + 12, false, 1, &v),
	    -ENOENT);
	assert_int_equal(acpi_pm_io(pm, 0xcf9, true, 1, &v), -ENOENT);
	/* a dword read that runs past the block returns 0xff above it */
	l.now = 1000;
	assert_int_equal(pin(pm, ACPI_PM_BASE + 10, 4) & 0xffff0000u,
	    0xffff0000u);
	/* odd sizes act as one byte */
	assert_int_equal(pin(pm, ACPI_PM1_CNT_PORT, 3), 0x01);
	/* SCI_EN cannot be turned off */
	pout(pm, ACPI_PM1_CNT_PORT, 2, 0);
	assert_int_equal(pin(pm, ACPI_PM1_CNT_PORT, 2), ACPI_PM1_SCI_EN);
	acpi_pm_free(pm);
	acpi_pm_free(NULL);

	/* default base, no hooks */
	pm = acpi_pm_new(NULL, 0);
	acpi_pm_power_button(pm);
	pout(pm, ACPI_PM1_CNT_PORT, 2, ACPI_PM1_SLP_EN | (5u << 10));
	assert_true(pin(pm, ACPI_PM_TMR_PORT, 4) < 3579545u * 10);
	acpi_pm_free(pm);
	/* another base */
	pm = acpi_pm_new(NULL, 0x600);
	assert_int_equal(acpi_pm_io(pm, 0x404, false, 2, &v), -ENOENT);
	assert_int_equal(acpi_pm_io(pm, 0x604, false, 2, &v), 0);
	assert_int_equal(v, ACPI_PM1_SCI_EN);
	acpi_pm_free(pm);
}

static void
test_pm_power_button(void **state)
{
	struct pmlog l;
	struct acpi_pm *pm = pm_mk(&l);

	(void)state;
	/* pressed before the guest enables it: status only */
	acpi_pm_power_button(pm);
	assert_int_equal(pin(pm, ACPI_PM1_EVT_PORT, 2), ACPI_PM1_PWRBTN_STS);
	assert_false(l.sci);
	/* enabling raises the SCI for the pending press */
	pout(pm, ACPI_PM1_EVT_PORT + 2, 2, ACPI_PM1_PWRBTN_STS);
	assert_true(l.sci);
	assert_int_equal(pin(pm, ACPI_PM1_EVT_PORT + 2, 2),
	    ACPI_PM1_PWRBTN_STS);
	/* writing 0 does not clear; writing 1 does */
	pout(pm, ACPI_PM1_EVT_PORT, 2, 0);
	assert_true(l.sci);
	pout(pm, ACPI_PM1_EVT_PORT, 2, ACPI_PM1_PWRBTN_STS);
	assert_false(l.sci);
	assert_int_equal(pin(pm, ACPI_PM1_EVT_PORT, 2), 0);
	/* enabled: a press asserts at once */
	acpi_pm_power_button(pm);
	assert_true(l.sci);
	/* a dword write at the event block clears status and sets enable */
	pout(pm, ACPI_PM1_EVT_PORT, 4, ACPI_PM1_PWRBTN_STS);
	assert_false(l.sci);
	assert_int_equal(pin(pm, ACPI_PM1_EVT_PORT, 4), 0);	/* EN off */
	acpi_pm_power_button(pm);
	assert_false(l.sci);
	/* byte access to the high halves */
	pout(pm, ACPI_PM1_EVT_PORT + 3, 1, ACPI_PM1_PWRBTN_STS >> 8);
	assert_true(l.sci);
	pout(pm, ACPI_PM1_EVT_PORT + 1, 1, ACPI_PM1_PWRBTN_STS >> 8);
	assert_false(l.sci);
	/* bits that do not exist are not kept; those that do stick (ACPICA
	 * enables GBL and RTC and checks that they read back) */
	pout(pm, ACPI_PM1_EVT_PORT + 2, 2, 0xffff);
	assert_int_equal(pin(pm, ACPI_PM1_EVT_PORT + 2, 2),
	    ACPI_PM1_PWRBTN_STS | ACPI_PM1_TMR_STS | ACPI_PM1_GBL_STS |
	    ACPI_PM1_RTC_STS);
	pout(pm, ACPI_PM1_EVT_PORT + 2, 2, ACPI_PM1_GBL_STS |
	    ACPI_PM1_RTC_STS);
	assert_int_equal(pin(pm, ACPI_PM1_EVT_PORT + 2, 2), ACPI_PM1_GBL_STS |
	    ACPI_PM1_RTC_STS);
	/* with only those enabled, a press sets status but no SCI */
	acpi_pm_power_button(pm);
	assert_false(l.sci);
	assert_int_equal(pin(pm, ACPI_PM1_EVT_PORT, 2), ACPI_PM1_PWRBTN_STS);
	assert_int_equal(l.poweroffs, 0);
	acpi_pm_free(pm);
}

static void
test_pm_sleep(void **state)
{
	struct pmlog l;
	struct acpi_pm *pm = pm_mk(&l);

	(void)state;
	/* S5 type without SLP_EN: nothing */
	pout(pm, ACPI_PM1_CNT_PORT, 2, 5u << 10);
	assert_int_equal(l.poweroffs, 0);
	assert_int_equal(pin(pm, ACPI_PM1_CNT_PORT, 2),
	    (5u << 10) | ACPI_PM1_SCI_EN);
	/* another sleep type with SLP_EN: not ours (no \_S1) */
	pout(pm, ACPI_PM1_CNT_PORT, 2, ACPI_PM1_SLP_EN | (1u << 10));
	assert_int_equal(l.poweroffs, 0);
	/* SLP_EN reads as 0 */
	assert_int_equal(pin(pm, ACPI_PM1_CNT_PORT, 2) & ACPI_PM1_SLP_EN, 0);
	/* Linux: one 16-bit write */
	pout(pm, ACPI_PM1_CNT_PORT, 2, ACPI_PM1_SLP_EN | (5u << 10) |
	    ACPI_PM1_SCI_EN);
	assert_int_equal(l.poweroffs, 1);
	/* the high byte alone carries SLP_TYP and SLP_EN */
	pout(pm, ACPI_PM1_CNT_PORT + 1, 1, (5u << 2) | (1u << 5));
	assert_int_equal(l.poweroffs, 2);
	/* a dword write at PM1_CNT covers reserved bytes harmlessly */
	pout(pm, ACPI_PM1_CNT_PORT, 4, 0xffff0000u | ACPI_PM1_SLP_EN |
	    (5u << 10));
	assert_int_equal(l.poweroffs, 3);
	acpi_pm_free(pm);
}

static void
test_pm_timer(void **state)
{
	struct pmlog l;
	struct acpi_pm *pm = pm_mk(&l);
	uint32_t t;

	(void)state;
	assert_int_equal(pin(pm, ACPI_PM_TMR_PORT, 4), 0);
	l.now += 1000000000;				/* 1 s */
	assert_int_equal(pin(pm, ACPI_PM_TMR_PORT, 4), ACPI_PM_TMR_HZ);
	t = ACPI_PM_TMR_HZ;
	assert_int_equal(pin(pm, ACPI_PM_TMR_PORT, 1), t & 0xff);
	assert_int_equal(pin(pm, ACPI_PM_TMR_PORT + 1, 1), (t >> 8) & 0xff);
	assert_int_equal(pin(pm, ACPI_PM_TMR_PORT + 2, 2), t >> 16);
	/* read only */
	pout(pm, ACPI_PM_TMR_PORT, 4, 0);
	assert_int_equal(pin(pm, ACPI_PM_TMR_PORT, 4), ACPI_PM_TMR_HZ);
	/* 32-bit wrap after 2^32 ticks (about 20 minutes) */
	l.now = 1000 + (int64_t)((1ULL << 32) * 1000000000ULL /
	    ACPI_PM_TMR_HZ) + 1000;
	assert_true(pin(pm, ACPI_PM_TMR_PORT, 4) < 100);
	/* a clock that goes backwards reads 0, never garbage */
	l.now = 0;
	assert_int_equal(pin(pm, ACPI_PM_TMR_PORT, 4), 0);
	/* a year of uptime does not overflow the conversion */
	l.now = 1000 + 365LL * 86400 * 1000000000LL;
	(void)pin(pm, ACPI_PM_TMR_PORT, 4);
	acpi_pm_free(pm);
}

static void
test_pm_hostile(void **state)
{
	struct pmlog l;
	struct acpi_pm *pm = pm_mk(&l);
	unsigned seed = 3;

	(void)state;
	for (int i = 0; i < 100000; i++) {
		unsigned r = (unsigned)rand_r(&seed);
		uint32_t v = (uint32_t)rand_r(&seed);
		uint16_t port = (uint16_t)(ACPI_PM_BASE - 2 + r % 16);

		l.now += r % 1000;
		(void)acpi_pm_io(pm, port, r & 0x100, 1u << ((r >> 9) % 4),
		    &v);
		if (r % 97 == 0)
			acpi_pm_power_button(pm);
	}
	acpi_pm_free(pm);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tables),
		cmocka_unit_test(test_cpu_counts),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_checksum),
		cmocka_unit_test(test_iasl),
		cmocka_unit_test(test_pm_reset_and_ports),
		cmocka_unit_test(test_pm_power_button),
		cmocka_unit_test(test_pm_sleep),
		cmocka_unit_test(test_pm_timer),
		cmocka_unit_test(test_pm_hostile),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
