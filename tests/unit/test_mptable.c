/*
 * test_mptable: the MP floating pointer and configuration table parsed back:
 * checksums, lengths, entry order and count, processors, buses, the I/O APIC
 * and the ISA interrupt routing Linux will use without ACPI.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "vmm/mptable.h"

#define BASE 0xf0000ULL

static uint8_t buf[MPTABLE_MAX];

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

static uint8_t
sum(const uint8_t *b, size_t n)
{
	uint8_t s = 0;

	while (n--)
		s = (uint8_t)(s + *b++);
	return s;
}

static void
check(const struct mptable_params *p, long n)
{
	const uint8_t *fp = buf, *ct, *e;
	uint16_t len, count;
	unsigned cpus = 0, buses = 0, ioapics = 0, ioints = 0, lints = 0;
	int last_type = -1;
	bool pin_seen[16] = { false };
	uint8_t ioapic_id = p->ioapic_id;

	assert_true(n > 0);
	assert_memory_equal(fp, "_MP_", 4);
	assert_int_equal(fp[8], 1);
	assert_int_equal(fp[9], 4);
	assert_int_equal(sum(fp, 16), 0);
	assert_int_equal(fp[11], 0);		/* table present, no default */
	assert_int_equal(g32(fp + 4), p->base + 16);
	ct = buf + 16;
	assert_memory_equal(ct, "PCMP", 4);
	len = g16(ct + 4);
	assert_int_equal(16 + len, n);
	assert_int_equal(sum(ct, len), 0);
	assert_int_equal(ct[6], 4);
	assert_int_equal(g32(ct + 36), 0xfee00000u);
	count = g16(ct + 34);
	e = ct + 44;
	for (unsigned i = 0; i < count; i++) {
		unsigned elen = e[0] == 0 ? 20 : 8;

		assert_true(e + elen <= ct + len);
		assert_true(e[0] >= last_type);	/* sorted by type */
		last_type = e[0];
		switch (e[0]) {
		case 0:
			assert_int_equal(e[1], p->apic_ids ?
			    p->apic_ids[cpus] : cpus);
			assert_int_equal(e[3] & 1, 1);
			assert_int_equal((e[3] >> 1) & 1, cpus == 0);
			cpus++;
			break;
		case 1:
			assert_int_equal(e[1], buses);
			assert_memory_equal(e + 2, buses == 0 ? "PCI   " :
			    "ISA   ", 6);
			buses++;
			break;
		case 2:
			assert_int_equal(e[1], ioapic_id);
			assert_int_equal(e[3], 1);
			assert_int_equal(g32(e + 4), p->ioapic_addr ?
			    p->ioapic_addr : 0xfec00000u);
			ioapics++;
			break;
		case 3:
			assert_int_equal(e[4], 1);		/* ISA */
			assert_int_equal(e[6], ioapic_id);
			assert_true(e[7] < 16);
			assert_false(pin_seen[e[7]]);
			pin_seen[e[7]] = true;
			if (e[7] == 0) {
				assert_int_equal(e[1], 3);	/* ExtINT */
			} else if (e[7] == 2) {
				assert_int_equal(e[1], 0);
				assert_int_equal(e[5], 0);	/* IRQ 0 */
			} else {
				assert_int_equal(e[1], 0);
				assert_int_equal(e[5], e[7]);
				assert_int_equal(g16(e + 2), e[7] == 9 ?
				    0x0d : 0);
			}
			ioints++;
			break;
		case 4:
			assert_int_equal(e[6], 0xff);
			assert_int_equal(e[7], lints);
			assert_int_equal(e[1], lints == 0 ? 3 : 1);
			lints++;
			break;
		default:
			fail_msg("entry type %u", e[0]);
		}
		e += elen;
	}
	assert_ptr_equal(e, ct + len);
	assert_int_equal(cpus, p->ncpus);
	assert_int_equal(buses, 2);
	assert_int_equal(ioapics, 1);
	assert_int_equal(ioints, 16);
	assert_int_equal(lints, 2);
}

static void
test_build(void **state)
{
	static const uint8_t ids[3] = { 0, 4, 8 };
	struct mptable_params p = { .base = BASE, .ncpus = 1 };

	(void)state;
	check(&p, mptable_build(&p, buf, sizeof(buf)));
	p.ncpus = 3;
	p.apic_ids = ids;
	p.ioapic_id = 3;
	p.ioapic_addr = 0xfec01000u;
	check(&p, mptable_build(&p, buf, sizeof(buf)));
	p = (struct mptable_params){ .base = BASE, .ncpus = 255 };
	check(&p, mptable_build(&p, buf, sizeof(buf)));
}

static void
test_errors(void **state)
{
	static const uint8_t bad[2] = { 0, 0xff };
	struct mptable_params p = { .base = BASE, .ncpus = 2 };
	long n;

	(void)state;
	assert_int_equal(mptable_build(NULL, buf, sizeof(buf)), -EINVAL);
	assert_int_equal(mptable_build(&p, NULL, sizeof(buf)), -EINVAL);
	p.ncpus = 0;
	assert_int_equal(mptable_build(&p, buf, sizeof(buf)), -EINVAL);
	p.ncpus = 256;
	assert_int_equal(mptable_build(&p, buf, sizeof(buf)), -EINVAL);
	p.ncpus = 2;
	p.apic_ids = bad;
	assert_int_equal(mptable_build(&p, buf, sizeof(buf)), -EINVAL);
	p.apic_ids = NULL;
	p.base = BASE + 4;
	assert_int_equal(mptable_build(&p, buf, sizeof(buf)), -EINVAL);
	p.base = 0xffffff00ULL;
	assert_int_equal(mptable_build(&p, buf, sizeof(buf)), -EINVAL);
	p.base = BASE;
	n = mptable_build(&p, buf, sizeof(buf));
	assert_true(n > 0);
	memset(buf, 0xee, sizeof(buf));
	assert_int_equal(mptable_build(&p, buf, (size_t)n - 1), -ENOSPC);
	assert_int_equal(buf[0], 0xee);		/* nothing written */
	assert_int_equal(mptable_build(&p, buf, (size_t)n), n);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_build),
		cmocka_unit_test(test_errors),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
