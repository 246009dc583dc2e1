/*
 * rtc: MC146818 CMOS clock and NVRAM (see rtc.h).
 *
 * The guest's clock is "host time + offset", where a guest that sets the
 * time only changes its offset.  Time registers are computed when read
 * (never ticking state to keep in step); with SET in register B they freeze
 * into cmos[] where the guest edits them, and clearing SET turns those
 * fields into a new offset.  The guest controls index and data: the index
 * is masked to 7 bits, so it can only ever reach the 128-byte array.
 *
 * Must never exit and never change the host's clock.
 */
#include "rtc.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define R_SEC		0x00
#define R_SEC_ALARM	0x01
#define R_MIN		0x02
#define R_MIN_ALARM	0x03
#define R_HOUR		0x04
#define R_HOUR_ALARM	0x05
#define R_WDAY		0x06
#define R_MDAY		0x07
#define R_MONTH		0x08
#define R_YEAR		0x09
#define R_A		0x0a
#define R_B		0x0b
#define R_C		0x0c
#define R_D		0x0d
#define R_CENTURY	0x32	/* as QEMU/bhyve; the FADT CENTURY field */

#define A_UIP		0x80
#define A_RS		0x0f
#define B_SET		0x80
#define B_PIE		0x40
#define B_AIE		0x20
#define B_UIE		0x10
#define B_DM_BIN	0x04
#define B_24H		0x02
#define C_IRQF		0x80
#define C_PF		0x40
#define C_AF		0x20
#define C_UF		0x10
#define D_VRT		0x80

#define NSEC		1000000000LL
#define UIP_NS		244000LL	/* UIP is up this long before update */

struct rtc {
	pthread_mutex_t lock;
	int64_t (*now)(void *);
	void *now_arg;
	bool localtime;
	uint8_t index;
	uint8_t cmos[128];
	int64_t offset_s;	/* guest time - host (presented) time */
	int64_t last_c_ns;	/* when register C was last read */
};

static int64_t
host_now(void *arg)
{
	struct timespec ts;

	(void)arg;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * NSEC + ts.tv_nsec;
}

/* Host seconds as the guest should see them before its own offset: UTC,
 * or UTC shifted by the local zone's offset at that moment. */
static int64_t
presented(const struct rtc *r, int64_t ns)
{
	int64_t s = ns / NSEC - (ns % NSEC < 0);

	if (r->localtime) {
		time_t t = (time_t)s;
		struct tm tm;

		if (localtime_r(&t, &tm) != NULL)
			s += tm.tm_gmtoff;
	}
	return s;
}

static uint8_t
enc(const struct rtc *r, int v)
{
	if (r->cmos[R_B] & B_DM_BIN)
		return (uint8_t)v;
	return (uint8_t)(((v / 10) << 4) | (v % 10));
}

/* -1 if not a valid encoding. */
static int
dec(const struct rtc *r, uint8_t v)
{
	if (r->cmos[R_B] & B_DM_BIN)
		return v;
	if ((v & 0x0f) > 9 || (v >> 4) > 9)
		return -1;
	return (v >> 4) * 10 + (v & 0x0f);
}

static uint8_t
enc_hour(const struct rtc *r, int h)
{
	if (r->cmos[R_B] & B_24H)
		return enc(r, h);
	/* 12-hour: 12 AM = 12, bit 7 = PM */
	return (uint8_t)(enc(r, h % 12 == 0 ? 12 : h % 12) |
	    (h >= 12 ? 0x80 : 0));
}

static int
dec_hour(const struct rtc *r, uint8_t v)
{
	int h;

	if (r->cmos[R_B] & B_24H)
		return dec(r, v);
	h = dec(r, v & 0x7f);
	if (h < 1 || h > 12)
		return -1;
	return (h % 12) + ((v & 0x80) ? 12 : 0);
}

/* Write the guest's current time (seconds) into the time registers. */
static void
latch(struct rtc *r, int64_t gs)
{
	time_t t = (time_t)gs;
	struct tm tm;

	if (gmtime_r(&t, &tm) == NULL)
		return;
	r->cmos[R_SEC] = enc(r, tm.tm_sec);
	r->cmos[R_MIN] = enc(r, tm.tm_min);
	r->cmos[R_HOUR] = enc_hour(r, tm.tm_hour);
	r->cmos[R_WDAY] = enc(r, tm.tm_wday + 1);
	r->cmos[R_MDAY] = enc(r, tm.tm_mday);
	r->cmos[R_MONTH] = enc(r, tm.tm_mon + 1);
	r->cmos[R_YEAR] = enc(r, (tm.tm_year + 1900) % 100);
	r->cmos[R_CENTURY] = enc(r, (tm.tm_year + 1900) / 100);
}

/* The time the registers hold, in guest seconds; false if they are not a
 * valid date (the guest wrote garbage: keep the old offset). */
static bool
unlatch(const struct rtc *r, int64_t *gs)
{
	struct tm tm = { 0 };
	int sec = dec(r, r->cmos[R_SEC]), min = dec(r, r->cmos[R_MIN]);
	int hour = dec_hour(r, r->cmos[R_HOUR]);
	int mday = dec(r, r->cmos[R_MDAY]), mon = dec(r, r->cmos[R_MONTH]);
	int year = dec(r, r->cmos[R_YEAR]), cent = dec(r, r->cmos[R_CENTURY]);
	time_t t;

	if (sec < 0 || sec > 59 || min < 0 || min > 59 || hour < 0 ||
	    hour > 23 || mday < 1 || mday > 31 || mon < 1 || mon > 12 ||
	    year < 0 || year > 99 || cent < 19 || cent > 99)
		return false;
	tm.tm_sec = sec;
	tm.tm_min = min;
	tm.tm_hour = hour;
	tm.tm_mday = mday;
	tm.tm_mon = mon - 1;
	tm.tm_year = cent * 100 + year - 1900;
	t = timegm(&tm);
	if (t == (time_t)-1)
		return false;
	*gs = (int64_t)t;
	return true;
}

struct rtc *
rtc_new(bool use_localtime, int64_t (*now)(void *arg), void *arg)
{
	struct rtc *r = calloc(1, sizeof(*r));

	if (r == NULL)
		return NULL;
	if (pthread_mutex_init(&r->lock, NULL) != 0) {
		free(r);
		errno = ENOMEM;
		return NULL;
	}
	r->now = now ? now : host_now;
	r->now_arg = arg;
	r->localtime = use_localtime;
	r->cmos[R_A] = 0x26;		/* 32.768 kHz divider, 1024 Hz rate */
	r->cmos[R_B] = B_24H;		/* BCD, 24 hour, as firmware leaves */
	r->cmos[R_D] = D_VRT;
	r->last_c_ns = r->now(r->now_arg);
	return r;
}

void
rtc_free(struct rtc *r)
{
	if (r == NULL)
		return;
	pthread_mutex_destroy(&r->lock);
	free(r);
}

static bool
alarm_match(const struct rtc *r)
{
	static const uint8_t pairs[3][2] = { { R_SEC_ALARM, R_SEC },
		{ R_MIN_ALARM, R_MIN }, { R_HOUR_ALARM, R_HOUR } };

	for (int i = 0; i < 3; i++) {
		uint8_t a = r->cmos[pairs[i][0]];

		/* 11xxxxxx is "don't care" */
		if ((a & 0xc0) != 0xc0 && a != r->cmos[pairs[i][1]])
			return false;
	}
	return true;
}

/* Register C flags that became true since it was last read. */
static uint8_t
reg_c(struct rtc *r, int64_t ns)
{
	uint8_t c = 0;
	int64_t prev = r->last_c_ns;
	unsigned rs = r->cmos[R_A] & A_RS;

	if (!(r->cmos[R_B] & B_SET)) {
		if (ns / NSEC != prev / NSEC) {
			c |= C_UF;
			/* Compare the alarm with the time now, not with what
			 * the registers held at the last time read. */
			latch(r, presented(r, ns) + r->offset_s);
			if (alarm_match(r))
				c |= C_AF;
		}
	}
	if (rs != 0) {
		/* period = 2^(rs-1) / 32768 s; rs 1 and 2 act as 8 and 9 */
		unsigned sh = rs < 3 ? rs + 6 : rs - 1;
		int64_t period = (NSEC << sh) / 32768;

		if (period > 0 && ns / period != prev / period)
			c |= C_PF;
	}
	if (((c & C_PF) && (r->cmos[R_B] & B_PIE)) ||
	    ((c & C_AF) && (r->cmos[R_B] & B_AIE)) ||
	    ((c & C_UF) && (r->cmos[R_B] & B_UIE)))
		c |= C_IRQF;
	r->last_c_ns = ns;
	return c;
}

uint8_t
rtc_read(struct rtc *r, unsigned off)
{
	uint8_t v = 0xff, idx;
	int64_t ns;

	if (off == 0)
		return 0xff;	/* the index port is write-only */
	if (off != 1)
		return 0xff;
	pthread_mutex_lock(&r->lock);
	idx = r->index & 0x7f;
	ns = r->now(r->now_arg);
	switch (idx) {
	case R_SEC: case R_MIN: case R_HOUR: case R_WDAY: case R_MDAY:
	case R_MONTH: case R_YEAR: case R_CENTURY:
		if (!(r->cmos[R_B] & B_SET))
			latch(r, presented(r, ns) + r->offset_s);
		v = r->cmos[idx];
		break;
	case R_A:
		v = r->cmos[R_A] & (uint8_t)~A_UIP;
		if (!(r->cmos[R_B] & B_SET) && (ns % NSEC) >= NSEC - UIP_NS)
			v |= A_UIP;
		break;
	case R_C:
		v = reg_c(r, ns);
		break;
	case R_D:
		v = D_VRT;
		break;
	default:
		v = r->cmos[idx];
		break;
	}
	pthread_mutex_unlock(&r->lock);
	return v;
}

void
rtc_write(struct rtc *r, unsigned off, uint8_t val)
{
	uint8_t idx;
	int64_t ns, gs;

	pthread_mutex_lock(&r->lock);
	if (off == 0) {
		/* bit 7 is the NMI mask: KVM's NMI path ignores it. */
		r->index = val & 0x7f;
		goto out;
	}
	if (off != 1)
		goto out;
	idx = r->index;
	ns = r->now(r->now_arg);
	switch (idx) {
	case R_SEC: case R_MIN: case R_HOUR: case R_WDAY: case R_MDAY:
	case R_MONTH: case R_YEAR: case R_CENTURY:
		if (r->cmos[R_B] & B_SET) {
			r->cmos[idx] = val;
			break;
		}
		/* A write while running sets that field right away. */
		latch(r, presented(r, ns) + r->offset_s);
		r->cmos[idx] = val;
		if (unlatch(r, &gs))
			r->offset_s = gs - presented(r, ns);
		break;
	case R_A:
		r->cmos[R_A] = val & (uint8_t)~A_UIP;
		break;
	case R_B: {
		uint8_t old = r->cmos[R_B];

		if (!(old & B_SET) && (val & B_SET))
			latch(r, presented(r, ns) + r->offset_s);
		if (val & B_SET)
			val &= (uint8_t)~B_UIE;	/* SET clears UIE */
		if ((old & B_SET) && !(val & B_SET)) {
			/* Decode with the mode the fields were written in. */
			if (unlatch(r, &gs))
				r->offset_s = gs - presented(r, ns);
		}
		if (((old ^ val) & (B_DM_BIN | B_24H)) && (val & B_SET)) {
			/* Mode change while frozen: re-encode the fields. */
			int64_t cur = 0;
			bool ok = unlatch(r, &cur);

			r->cmos[R_B] = val;
			if (ok)
				latch(r, cur);
			break;
		}
		r->cmos[R_B] = val;
		break;
	}
	case R_C:
	case R_D:
		break;		/* read only */
	default:
		r->cmos[idx] = val;
		break;
	}
out:
	pthread_mutex_unlock(&r->lock);
}

void
rtc_set_memsize(struct rtc *r, uint64_t lowmem, uint64_t highmem)
{
	uint64_t ext_kb, lo64k, hi64k;

	pthread_mutex_lock(&r->lock);
	/* 0x15/0x16: base memory in KB (640) */
	r->cmos[0x15] = 640 & 0xff;
	r->cmos[0x16] = 640 >> 8;
	/* 0x17/0x18 and 0x30/0x31: KB above 1M, capped at 0xffff (64M) */
	ext_kb = lowmem > (1u << 20) ? (lowmem - (1u << 20)) / 1024 : 0;
	if (ext_kb > 0xffff)
		ext_kb = 0xffff;
	r->cmos[0x17] = r->cmos[0x30] = (uint8_t)ext_kb;
	r->cmos[0x18] = r->cmos[0x31] = (uint8_t)(ext_kb >> 8);
	/* 0x34/0x35: 64K blocks between 16M and the end of low memory */
	lo64k = lowmem > (16u << 20) ? (lowmem - (16u << 20)) >> 16 : 0;
	if (lo64k > 0xffff)
		lo64k = 0xffff;
	r->cmos[0x34] = (uint8_t)lo64k;
	r->cmos[0x35] = (uint8_t)(lo64k >> 8);
	/* 0x5b-0x5d: 64K blocks above 4G */
	hi64k = highmem >> 16;
	if (hi64k > 0xffffff)
		hi64k = 0xffffff;
	r->cmos[0x5b] = (uint8_t)hi64k;
	r->cmos[0x5c] = (uint8_t)(hi64k >> 8);
	r->cmos[0x5d] = (uint8_t)(hi64k >> 16);
	pthread_mutex_unlock(&r->lock);
}

uint8_t
rtc_cmos_peek(struct rtc *r, uint8_t idx)
{
	uint8_t v;

	pthread_mutex_lock(&r->lock);
	v = r->cmos[idx & 0x7f];
	pthread_mutex_unlock(&r->lock);
	return v;
}
