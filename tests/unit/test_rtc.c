/*
 * test_rtc: the CMOS clock against an injected clock: BCD and binary,
 * 12/24 hour, UTC and local time, the guest setting its own time (never the
 * host's), UIP, register C flags, NVRAM and the memory-size bytes.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "vmm/rtc.h"

#define NS 1000000000LL

static int64_t fake_ns;

static int64_t
fake_now(void *arg)
{
	(void)arg;
	return fake_ns;
}

/* 2024-02-29 13:45:56 UTC, a Thursday */
#define T0 1709214356LL

static uint8_t
rd(struct rtc *r, uint8_t idx)
{
	rtc_write(r, 0, idx);
	return rtc_read(r, 1);
}

static void
wr(struct rtc *r, uint8_t idx, uint8_t v)
{
	rtc_write(r, 0, idx);
	rtc_write(r, 1, v);
}

static void
test_utc_bcd(void **state)
{
	struct rtc *r;

	(void)state;
	fake_ns = T0 * NS + NS / 2;
	r = rtc_new(false, fake_now, NULL);
	assert_non_null(r);
	assert_int_equal(rd(r, 0x00), 0x56);
	assert_int_equal(rd(r, 0x02), 0x45);
	assert_int_equal(rd(r, 0x04), 0x13);
	assert_int_equal(rd(r, 0x06), 5);		/* Thursday = 5 */
	assert_int_equal(rd(r, 0x07), 0x29);
	assert_int_equal(rd(r, 0x08), 0x02);
	assert_int_equal(rd(r, 0x09), 0x24);
	assert_int_equal(rd(r, 0x32), 0x20);
	assert_int_equal(rd(r, 0x0a), 0x26);
	assert_int_equal(rd(r, 0x0b), 0x02);
	assert_int_equal(rd(r, 0x0d), 0x80);
	/* time moves with the clock */
	fake_ns += 5 * NS;
	assert_int_equal(rd(r, 0x00), 0x01);
	assert_int_equal(rd(r, 0x02), 0x46);
	/* bit 7 of the index is the NMI mask, not part of the index */
	assert_int_equal(rd(r, 0x80 | 0x0a), 0x26);
	/* the index port is write-only; other offsets are not ours */
	assert_int_equal(rtc_read(r, 0), 0xff);
	assert_int_equal(rtc_read(r, 2), 0xff);
	rtc_write(r, 7, 0x12);
	rtc_free(r);
	rtc_free(NULL);
}

static void
test_binary_and_12h(void **state)
{
	struct rtc *r;

	(void)state;
	fake_ns = T0 * NS;
	r = rtc_new(false, fake_now, NULL);
	wr(r, 0x0b, 0x06);				/* binary, 24h */
	assert_int_equal(rd(r, 0x00), 56);
	assert_int_equal(rd(r, 0x04), 13);
	assert_int_equal(rd(r, 0x09), 24);
	assert_int_equal(rd(r, 0x32), 20);
	wr(r, 0x0b, 0x00);				/* BCD, 12h */
	assert_int_equal(rd(r, 0x04), 0x81);		/* 1 PM */
	fake_ns = (T0 - 13 * 3600) * NS;		/* 00:45 */
	assert_int_equal(rd(r, 0x04), 0x12);		/* 12 AM */
	fake_ns = (T0 - 3600) * NS;			/* 12:45 */
	assert_int_equal(rd(r, 0x04), 0x92);		/* 12 PM */
	fake_ns = (T0 - 4 * 3600) * NS;			/* 09:45 */
	assert_int_equal(rd(r, 0x04), 0x09);
	wr(r, 0x0b, 0x04);				/* binary, 12h */
	assert_int_equal(rd(r, 0x04), 9);
	rtc_free(r);
}

static void
test_localtime(void **state)
{
	struct rtc *r;

	(void)state;
	setenv("TZ", "EST5", 1);
	tzset();
	fake_ns = T0 * NS;
	r = rtc_new(true, fake_now, NULL);
	assert_int_equal(rd(r, 0x04), 0x08);		/* UTC-5 */
	assert_int_equal(rd(r, 0x02), 0x45);
	rtc_free(r);
	r = rtc_new(false, fake_now, NULL);		/* -u: UTC */
	assert_int_equal(rd(r, 0x04), 0x13);
	rtc_free(r);
	unsetenv("TZ");
	tzset();
}

static void
test_guest_sets_time(void **state)
{
	struct rtc *r;

	(void)state;
	fake_ns = T0 * NS;
	r = rtc_new(false, fake_now, NULL);
	/* SET freezes the registers */
	wr(r, 0x0b, 0x82);
	fake_ns += 3 * NS;
	assert_int_equal(rd(r, 0x00), 0x56);
	assert_int_equal(rd(r, 0x0a) & 0x80, 0);	/* no UIP while SET */
	/* write 2030-01-01 00:00:00 */
	wr(r, 0x00, 0x00);
	wr(r, 0x02, 0x00);
	wr(r, 0x04, 0x00);
	wr(r, 0x07, 0x01);
	wr(r, 0x08, 0x01);
	wr(r, 0x09, 0x30);
	wr(r, 0x32, 0x20);
	wr(r, 0x0b, 0x02);				/* run */
	assert_int_equal(rd(r, 0x09), 0x30);
	assert_int_equal(rd(r, 0x00), 0x00);
	fake_ns += 10 * NS;
	assert_int_equal(rd(r, 0x00), 0x10);
	assert_int_equal(rd(r, 0x08), 0x01);
	/* the injected host clock was never touched */
	assert_int_equal(fake_ns, (T0 + 13) * NS);

	/* a field written while running takes effect at once */
	wr(r, 0x02, 0x30);
	assert_int_equal(rd(r, 0x02), 0x30);
	assert_int_equal(rd(r, 0x00), 0x10);
	fake_ns += NS;
	assert_int_equal(rd(r, 0x00), 0x11);
	assert_int_equal(rd(r, 0x02), 0x30);

	/* garbage fields keep the old time */
	wr(r, 0x0b, 0x82);
	wr(r, 0x08, 0x13);				/* month 13 */
	wr(r, 0x00, 0x7a);				/* not BCD */
	wr(r, 0x0b, 0x02);
	assert_int_equal(rd(r, 0x09), 0x30);
	assert_int_equal(rd(r, 0x02), 0x30);
	assert_int_equal(rd(r, 0x08), 0x01);
	wr(r, 0x04, 0x25);				/* hour 25: ignored */
	assert_int_equal(rd(r, 0x04), 0x00);

	/* 12-hour writes: 11 PM */
	wr(r, 0x0b, 0x80);
	wr(r, 0x04, 0x80 | 0x11);
	wr(r, 0x0b, 0x02);
	assert_int_equal(rd(r, 0x04), 0x23);
	wr(r, 0x0b, 0x80);
	wr(r, 0x04, 0x13);				/* 13 in 12h: bad */
	wr(r, 0x0b, 0x02);
	assert_int_equal(rd(r, 0x04), 0x23);
	rtc_free(r);
}

static void
test_mode_change_while_set(void **state)
{
	struct rtc *r;

	(void)state;
	fake_ns = T0 * NS;
	r = rtc_new(false, fake_now, NULL);
	wr(r, 0x0b, 0x82);			/* SET, BCD */
	assert_int_equal(rd(r, 0x00), 0x56);
	wr(r, 0x0b, 0x86);			/* SET, binary */
	assert_int_equal(rd(r, 0x00), 56);	/* re-encoded */
	wr(r, 0x00, 10);
	wr(r, 0x0b, 0x06);
	assert_int_equal(rd(r, 0x00), 10);
	/* SET clears UIE */
	wr(r, 0x0b, 0x80 | 0x10 | 0x02);
	assert_int_equal(rd(r, 0x0b), 0x82);
	rtc_free(r);
}

static void
test_uip_and_reg_c(void **state)
{
	struct rtc *r;

	(void)state;
	fake_ns = T0 * NS + NS / 2;
	r = rtc_new(false, fake_now, NULL);
	assert_int_equal(rd(r, 0x0a) & 0x80, 0);
	fake_ns = T0 * NS + NS - 100000;		/* 100 us before */
	assert_int_equal(rd(r, 0x0a) & 0x80, 0x80);
	fake_ns = T0 * NS + NS + 10;
	assert_int_equal(rd(r, 0x0a) & 0x80, 0);
	/* register A: UIP is read-only */
	wr(r, 0x0a, 0xff);
	assert_int_equal(rd(r, 0x0a) & 0x7f, 0x7f);
	wr(r, 0x0a, 0x20);				/* RS = 0: no PF */

	/* register C: what happened since the last read */
	fake_ns = T0 * NS + NS / 2;
	(void)rd(r, 0x0c);
	assert_int_equal(rd(r, 0x0c), 0);
	fake_ns += NS;
	assert_int_equal(rd(r, 0x0c), 0x10);		/* UF */
	assert_int_equal(rd(r, 0x0c), 0);		/* cleared on read */
	wr(r, 0x0b, 0x12);				/* UIE */
	fake_ns += NS;
	assert_int_equal(rd(r, 0x0c), 0x90);		/* IRQF | UF */
	/* alarm with all "don't care" fields matches every second */
	wr(r, 0x01, 0xc0);
	wr(r, 0x03, 0xc0);
	wr(r, 0x05, 0xc0);
	wr(r, 0x0b, 0x22);				/* AIE */
	fake_ns += NS;
	assert_int_equal(rd(r, 0x0c), 0xb0);		/* IRQF|AF|UF */
	/* an alarm that does not match (the seconds are now 00-01) */
	wr(r, 0x01, 0x30);
	fake_ns += NS;
	assert_int_equal(rd(r, 0x0c), 0x10);
	/* periodic: RS 6 = 1024 Hz */
	wr(r, 0x0a, 0x26);
	wr(r, 0x0b, 0x42);				/* PIE */
	(void)rd(r, 0x0c);
	fake_ns += 2000000;				/* 2 ms */
	assert_int_equal(rd(r, 0x0c) & 0xc0, 0xc0);	/* IRQF | PF */
	assert_int_equal(rd(r, 0x0c), 0);
	/* RS 1 acts as 256 Hz (3.9 ms) */
	wr(r, 0x0a, 0x21);
	(void)rd(r, 0x0c);
	fake_ns += 1000000;
	fake_ns -= fake_ns % 3906250;			/* period boundary */
	(void)rd(r, 0x0c);
	fake_ns += 3000000;
	assert_int_equal(rd(r, 0x0c) & 0x40, 0);
	fake_ns += 1000000;
	assert_int_equal(rd(r, 0x0c) & 0x40, 0x40);
	/* C and D are read-only */
	wr(r, 0x0c, 0xff);
	wr(r, 0x0d, 0x00);
	assert_int_equal(rd(r, 0x0d), 0x80);
	rtc_free(r);
}

static void
test_nvram_and_memsize(void **state)
{
	struct rtc *r;

	(void)state;
	r = rtc_new(false, NULL, NULL);		/* the real clock */
	wr(r, 0x40, 0x5a);
	assert_int_equal(rd(r, 0x40), 0x5a);
	assert_int_equal(rtc_cmos_peek(r, 0x40), 0x5a);
	wr(r, 0xff, 0xa5);			/* index masked to 0x7f */
	assert_int_equal(rd(r, 0x7f), 0xa5);
	assert_int_equal(rtc_cmos_peek(r, 0xff), 0xa5);
	/* the real clock gives a plausible year (20xx) */
	assert_int_equal(rd(r, 0x32), 0x20);

	rtc_set_memsize(r, 3ULL << 30, 1ULL << 30);
	assert_int_equal(rtc_cmos_peek(r, 0x15), 0x80);	/* 640 */
	assert_int_equal(rtc_cmos_peek(r, 0x16), 0x02);
	assert_int_equal(rtc_cmos_peek(r, 0x17), 0xff);	/* capped */
	assert_int_equal(rtc_cmos_peek(r, 0x18), 0xff);
	assert_int_equal(rtc_cmos_peek(r, 0x30), 0xff);
	/* (3G - 16M) / 64K = 0xbf00 */
	assert_int_equal(rtc_cmos_peek(r, 0x34), 0x00);
	assert_int_equal(rtc_cmos_peek(r, 0x35), 0xbf);
	/* 1G / 64K = 0x4000 */
	assert_int_equal(rtc_cmos_peek(r, 0x5b), 0x00);
	assert_int_equal(rtc_cmos_peek(r, 0x5c), 0x40);
	assert_int_equal(rtc_cmos_peek(r, 0x5d), 0x00);
	rtc_set_memsize(r, 8ULL << 20, 0);
	assert_int_equal(rtc_cmos_peek(r, 0x17), 0x00);	/* 7168 KB */
	assert_int_equal(rtc_cmos_peek(r, 0x18), 0x1c);
	assert_int_equal(rtc_cmos_peek(r, 0x34), 0);
	assert_int_equal(rtc_cmos_peek(r, 0x35), 0);
	rtc_free(r);
}

static void
test_hostile(void **state)
{
	struct rtc *r;
	unsigned seed = 7;

	(void)state;
	fake_ns = T0 * NS;
	r = rtc_new(false, fake_now, NULL);
	for (int i = 0; i < 200000; i++) {
		unsigned v = (unsigned)rand_r(&seed);

		fake_ns += v % 1000000;
		if (v & 0x10000)
			rtc_write(r, (v >> 17) % 3, (uint8_t)v);
		else
			(void)rtc_read(r, (v >> 17) % 3);
	}
	rtc_free(r);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_utc_bcd),
		cmocka_unit_test(test_binary_and_12h),
		cmocka_unit_test(test_localtime),
		cmocka_unit_test(test_guest_sets_time),
		cmocka_unit_test(test_mode_change_while_set),
		cmocka_unit_test(test_uip_and_reg_c),
		cmocka_unit_test(test_nvram_and_memsize),
		cmocka_unit_test(test_hostile),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
