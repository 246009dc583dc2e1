/*
 * rtc: the MC146818 CMOS real-time clock and its 128 bytes of CMOS memory.
 *
 * I/O agnostic: the machine maps ports 0x70 (index, bit 7 = NMI mask) and
 * 0x71 (data) and forwards accesses as offset 0/1.  Time comes from an
 * injectable clock (nanoseconds since the epoch, UTC) so tests can drive it;
 * the guest sees UTC with -u (rtc.use_localtime=false), else local time.  A
 * guest that sets the clock only moves its own offset, never the host's.
 * Supports BCD and binary, 12/24 hour modes, registers A-D, the SET bit,
 * UIP, and the PF/UF/AF/IRQF flags of register C, computed when it is read
 * (what happened since the last read).  Those interrupts are NOT raised on
 * IRQ 8: that needs a timer thread, and Linux only polls the CMOS clock (at
 * boot and in hwclock, which falls back to busy-waiting on UIP).
 *
 * Locking: one mutex per struct rtc, so vCPU threads may call in concurrently.
 */
#ifndef HYVE_RTC_H
#define HYVE_RTC_H

#include <stdbool.h>
#include <stdint.h>

#define RTC_PORT_INDEX	0x70
#define RTC_PORT_DATA	0x71

struct rtc;

/* now(arg): host time, ns since 1970-01-01 UTC.  NULL = clock_gettime
 * (CLOCK_REALTIME).  use_localtime: present local time (bhyve's default). */
struct rtc *rtc_new(bool use_localtime, int64_t (*now)(void *arg), void *arg);
void rtc_free(struct rtc *r);

/* off: 0 = index port, 1 = data port; others read 0xff / are ignored. */
uint8_t rtc_read(struct rtc *r, unsigned off);
void rtc_write(struct rtc *r, unsigned off, uint8_t val);

/* Fill the memory-size bytes a BIOS would read (0x15-0x18, 0x30/0x31,
 * 0x34/0x35 = RAM between 16M and lowmem_end in 64K units, 0x5b-0x5d = RAM
 * above 4G in 64K units), as bhyve and QEMU do.  Linux does not need them;
 * firmware would.  lowmem: bytes below 4G, highmem: bytes above 4G. */
void rtc_set_memsize(struct rtc *r, uint64_t lowmem, uint64_t highmem);

/* Raw CMOS byte (tests, debugging); idx & 0x7f. */
uint8_t rtc_cmos_peek(struct rtc *r, uint8_t idx);

#endif
