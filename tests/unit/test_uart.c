/*
 * test_uart: the 16550A register model (reset values, DLAB, THRE and RX
 * interrupts, FIFO and trigger levels, loopback, overrun, modem status,
 * hostile access patterns, concurrent push/read) and the back ends (fd:N,
 * pty path with raw mode restored, errors, flow control, dropped output,
 * nothing read before the start gate opens).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "vmm/gate.h"
#include "vmm/uart.h"

#define THR 0
#define RBR 0
#define DLL 0
#define IER 1
#define DLM 1
#define IIR 2
#define FCR 2
#define LCR 3
#define MCR 4
#define LSR 5
#define MSR 6
#define SCR 7

struct sink {
	uint8_t tx[4096];
	size_t ntx;
	bool level;
	unsigned edges;
	unsigned rooms;
};

static void
sink_tx(void *arg, uint8_t b)
{
	struct sink *s = arg;

	if (s->ntx < sizeof(s->tx))
		s->tx[s->ntx++] = b;
}

static void
sink_irq(void *arg, bool level)
{
	struct sink *s = arg;

	assert_true(level != s->level);	/* only changes are reported */
	s->level = level;
	s->edges++;
}

static void
sink_room(void *arg)
{
	((struct sink *)arg)->rooms++;
}

static struct uart *
mk(struct sink *s)
{
	struct uart_hooks h = { sink_tx, s, sink_irq, s, sink_room, s };
	struct uart *u;

	memset(s, 0, sizeof(*s));
	u = uart_new(&h);
	assert_non_null(u);
	return u;
}

static void
test_reset_values(void **state)
{
	struct sink s;
	struct uart *u = mk(&s);

	(void)state;
	assert_int_equal(uart_read(u, IER), 0);
	assert_int_equal(uart_read(u, IIR), 0x01);
	assert_int_equal(uart_read(u, LCR), 0);
	assert_int_equal(uart_read(u, MCR), 0);
	assert_int_equal(uart_read(u, LSR), 0x60);	/* THRE | TEMT */
	assert_int_equal(uart_read(u, MSR), 0xb0);	/* DCD CTS DSR */
	assert_int_equal(uart_read(u, SCR), 0);
	assert_int_equal(uart_read(u, RBR), 0);		/* empty */
	assert_int_equal(uart_read(u, 8), 0xff);
	assert_int_equal(uart_read(u, 0xffffffffu), 0xff);
	uart_write(u, 8, 0x12);
	uart_write(u, 1000, 0x12);
	assert_false(s.level);
	uart_free(u);
	uart_free(NULL);

	/* no hooks at all is allowed */
	u = uart_new(NULL);
	uart_write(u, IER, 0x0f);
	uart_write(u, THR, 'x');
	assert_int_equal(uart_rx_push(u, (const uint8_t *)"ab", 2), 1);
	uart_free(u);
}

static void
test_scratch_and_dlab(void **state)
{
	struct sink s;
	struct uart *u = mk(&s);

	(void)state;
	uart_write(u, SCR, 0xa5);
	assert_int_equal(uart_read(u, SCR), 0xa5);
	uart_write(u, LCR, 0x83);			/* DLAB, 8N1 */
	uart_write(u, DLL, 0x01);
	uart_write(u, DLM, 0x02);
	assert_int_equal(uart_read(u, DLL), 0x01);
	assert_int_equal(uart_read(u, DLM), 0x02);
	assert_int_equal(s.ntx, 0);			/* DLL is not THR */
	uart_write(u, LCR, 0x03);
	assert_int_equal(uart_read(u, LCR), 0x03);
	assert_int_equal(uart_read(u, IER), 0);		/* DLM is not IER */
	uart_write(u, IER, 0xff);
	assert_int_equal(uart_read(u, IER), 0x0f);	/* reserved bits */
	uart_write(u, MCR, 0xff);
	assert_int_equal(uart_read(u, MCR), 0x1f);
	uart_free(u);
}

static void
test_tx_and_thre(void **state)
{
	struct sink s;
	struct uart *u = mk(&s);
	struct uart_stats st;

	(void)state;
	uart_write(u, THR, 'h');
	uart_write(u, THR, 'i');
	assert_int_equal(s.ntx, 2);
	assert_memory_equal(s.tx, "hi", 2);
	assert_false(s.level);			/* ETBEI off */
	/* enabling ETBEI with an empty THR interrupts at once */
	uart_write(u, IER, 0x02);
	assert_true(s.level);
	assert_int_equal(uart_read(u, IIR), 0x02);
	/* reading IIR acknowledged it */
	assert_false(s.level);
	assert_int_equal(uart_read(u, IIR), 0x01);
	/* each transmitted byte empties THR again */
	uart_write(u, THR, '!');
	assert_true(s.level);
	/* a THR write also acknowledges, then re-arms */
	uart_write(u, THR, '?');
	assert_true(s.level);
	uart_write(u, IER, 0x00);
	assert_false(s.level);
	/* re-enabling re-raises (Linux's THRE probe) */
	uart_write(u, IER, 0x02);
	assert_true(s.level);
	uart_get_stats(u, &st);
	assert_int_equal(st.tx_bytes, 4);
	uart_free(u);
}

static void
test_rx_nonfifo(void **state)
{
	struct sink s;
	struct uart *u = mk(&s);

	(void)state;
	/* 16450 mode holds one byte */
	assert_int_equal(uart_rx_push(u, (const uint8_t *)"ab", 2), 1);
	assert_int_equal(uart_read(u, LSR) & 0x01, 0x01);
	assert_false(s.level);
	uart_write(u, IER, 0x01);
	assert_true(s.level);
	assert_int_equal(uart_read(u, IIR), 0x04);
	assert_int_equal(s.rooms, 0);
	assert_int_equal(uart_read(u, RBR), 'a');
	assert_int_equal(s.rooms, 1);		/* the refused push is owed */
	assert_false(s.level);
	assert_int_equal(uart_read(u, LSR) & 0x01, 0);
	assert_int_equal(uart_read(u, IIR), 0x01);
	assert_int_equal(uart_rx_push(u, (const uint8_t *)"b", 1), 1);
	assert_int_equal(uart_read(u, RBR), 'b');
	assert_int_equal(s.rooms, 1);		/* nothing was refused */
	uart_free(u);
}

static void
test_rx_fifo(void **state)
{
	struct sink s;
	struct uart *u = mk(&s);
	uint8_t in[20];

	(void)state;
	for (int i = 0; i < 20; i++)
		in[i] = (uint8_t)('A' + i);
	uart_write(u, FCR, 0x01);
	assert_int_equal(uart_read(u, IIR), 0xc1);	/* FIFO bits */
	assert_int_equal(uart_rx_push(u, in, 20), 16);
	uart_write(u, IER, 0x01);
	assert_int_equal(uart_read(u, IIR), 0xc4);
	for (int i = 0; i < 16; i++)
		assert_int_equal(uart_read(u, RBR), 'A' + i);
	assert_int_equal(s.rooms, 1);
	assert_int_equal(uart_read(u, LSR) & 1, 0);
	assert_false(s.level);
	/* trigger level 14: below it the IIR says "timeout" */
	uart_write(u, FCR, 0xc1);
	assert_int_equal(uart_rx_push(u, in, 3), 3);
	assert_int_equal(uart_read(u, IIR), 0xcc);
	assert_int_equal(uart_rx_push(u, in, 11), 11);
	assert_int_equal(uart_read(u, IIR), 0xc4);
	/* receiver reset empties it */
	uart_write(u, FCR, 0xc3);
	assert_int_equal(uart_read(u, LSR) & 1, 0);
	assert_false(s.level);
	/* turning the FIFO off empties it too */
	assert_int_equal(uart_rx_push(u, in, 5), 5);
	uart_write(u, FCR, 0x00);
	assert_int_equal(uart_read(u, LSR) & 1, 0);
	assert_int_equal(uart_read(u, IIR), 0x01);
	uart_free(u);
}

static void
test_loopback(void **state)
{
	struct sink s;
	struct uart *u = mk(&s);
	struct uart_stats st;

	(void)state;
	/* Linux's 8250 autoconfig loopback test */
	uart_write(u, MCR, 0x10 | 0x0a);
	assert_int_equal(uart_read(u, MSR) & 0xf0, 0x90);
	uart_write(u, MCR, 0x10 | 0x05);
	assert_int_equal(uart_read(u, MSR) & 0xf0, 0x60);
	/* bytes go to the receiver, not out */
	uart_write(u, THR, 'x');
	assert_int_equal(s.ntx, 0);
	assert_int_equal(uart_read(u, LSR) & 1, 1);
	/* host input waits while in loopback */
	assert_int_equal(uart_rx_push(u, (const uint8_t *)"h", 1), 0);
	/* overrun: FIFO off holds one byte */
	uart_write(u, THR, 'y');
	uart_write(u, IER, 0x04);		/* ELSI */
	assert_true(s.level);
	assert_int_equal(uart_read(u, IIR), 0x06);
	assert_int_equal(uart_read(u, LSR) & 0x03, 0x03);	/* OE|DR */
	assert_int_equal(uart_read(u, LSR) & 0x02, 0);		/* cleared */
	assert_false(s.level);
	assert_int_equal(uart_read(u, RBR), 'x');
	uart_get_stats(u, &st);
	assert_int_equal(st.rx_overruns, 1);
	uart_free(u);
}

static void
test_modem_status(void **state)
{
	struct sink s;
	struct uart *u = mk(&s);

	(void)state;
	uart_write(u, MCR, 0x10);		/* loopback, all lines low */
	(void)uart_read(u, MSR);		/* clear deltas */
	uart_write(u, IER, 0x08);		/* EDSSI */
	assert_false(s.level);
	uart_write(u, MCR, 0x10 | 0x02);	/* RTS -> CTS */
	assert_true(s.level);
	assert_int_equal(uart_read(u, IIR), 0x00);
	assert_int_equal(uart_read(u, MSR), 0x10 | 0x01);	/* CTS, DCTS */
	assert_false(s.level);
	uart_write(u, MCR, 0x10 | 0x04);	/* OUT1 -> RI on */
	assert_int_equal(uart_read(u, MSR), 0x40 | 0x01);	/* RI, DCTS */
	uart_write(u, MCR, 0x10 | 0x01 | 0x08);	/* RI off, DSR, DCD on */
	assert_int_equal(uart_read(u, MSR), 0x20 | 0x80 | 0x02 | 0x04 | 0x08);
	uart_write(u, MCR, 0x00);		/* leave loopback */
	assert_int_equal(uart_read(u, MSR) & 0xf0, 0xb0);
	uart_free(u);
}

static void
test_hostile(void **state)
{
	struct sink s;
	struct uart *u = mk(&s);
	unsigned seed = 1;

	(void)state;
	for (int i = 0; i < 200000; i++) {
		unsigned r = (unsigned)rand_r(&seed);
		unsigned off = r % 10;		/* includes bad offsets */
		uint8_t v = (uint8_t)(r >> 8);

		switch ((r >> 16) % 3) {
		case 0:
			(void)uart_read(u, off);
			break;
		case 1:
			uart_write(u, off, v);
			break;
		default:
			(void)uart_rx_push(u, &v, 1);
			break;
		}
		/* the irq level always matches what IIR reports (read
		 * IIR after sampling: reading it may acknowledge THRE) */
		{
			bool before = s.level;
			uint8_t iir = uart_read(u, IIR);

			if (before != !(iir & 1))
				fail_msg("level %d but IIR %#x at %d", before,
				    iir, i);
		}
	}
	uart_free(u);
}

struct pusher {
	struct uart *u;
	int n;
};

static void *
push_thread(void *arg)
{
	struct pusher *p = arg;

	for (int i = 0; i < p->n;) {
		uint8_t b = (uint8_t)i;

		if (uart_rx_push(p->u, &b, 1) == 1)
			i++;
		else
			sched_yield();
	}
	return NULL;
}

/* A vCPU thread reading while an I/O thread pushes: nothing lost,
 * nothing reordered. */
static void
test_concurrent(void **state)
{
	struct sink s;
	struct uart *u = mk(&s);
	struct pusher p = { u, 20000 };
	pthread_t t;
	int got = 0;

	(void)state;
	uart_write(u, FCR, 0x07);
	pthread_create(&t, NULL, push_thread, &p);
	while (got < p.n) {
		if (uart_read(u, LSR) & 1) {
			uint8_t b = uart_read(u, RBR);

			if (b != (uint8_t)got)
				fail_msg("byte %d: got %u", got, b);
			got++;
		}
		uart_write(u, THR, 'z');	/* and transmit meanwhile */
	}
	pthread_join(t, NULL);
	uart_free(u);
}

/* ------------------------------------------------------------ back ends */

static void
test_backend_errors(void **state)
{
	static const struct {
		const char *spec;
		int r;
		const char *msg;
	} cases[] = {
		{ "", -EINVAL, "serial back end: empty" },
		{ "bogus", -EINVAL, "bogus: unknown serial back end (stdio, "
		  "fd:N or an absolute tty path)" },
		{ "fd:", -EINVAL, "fd:: expected fd:N" },
		{ "fd:x", -EINVAL, "fd:x: expected fd:N" },
		{ "fd:-1", -EINVAL, "fd:-1: expected fd:N" },
		{ "fd:99999999999", -EINVAL, "fd:99999999999: expected fd:N" },
		{ "fd:999", -EBADF, "fd:999: not an open descriptor: Bad file "
		  "descriptor" },
		{ "/nonexistent/tty", -ENOENT, "/nonexistent/tty: cannot "
		  "open: No such file or directory" },
		{ "/dev/null", -ENOTTY, "/dev/null: not a tty or pty" },
	};
	struct uart_backend *b = (struct uart_backend *)1;
	char err[256];
	int p[2];

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
		int r = uart_backend_open(cases[i].spec, &b, err, sizeof(err));

		if (r != cases[i].r || strcmp(err, cases[i].msg) != 0)
			fail_msg("%s: %d %s", cases[i].spec, r, err);
		assert_null(b);
	}
	assert_int_equal(uart_backend_open(NULL, &b, err, sizeof(err)),
	    -EINVAL);
	/* a read-only descriptor cannot be a console */
	assert_int_equal(pipe(p), 0);
	snprintf(err, sizeof(err), "fd:%d", p[0]);
	{
		char spec[32], want[128];

		strcpy(spec, err);
		assert_int_equal(uart_backend_open(spec, &b, err, sizeof(err)),
		    -EBADF);
		snprintf(want, sizeof(want), "%s: descriptor is not open for "
		    "reading and writing", spec);
		assert_string_equal(err, want);
	}
	close(p[0]);
	close(p[1]);
	assert_int_equal(uart_backend_start(NULL, NULL, NULL), -EINVAL);
	uart_backend_close(NULL);
}

static void
sleep_ms(int ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

/* fd:N: output reaches the peer, input reaches the FIFO in order and is
 * not lost when it outruns the FIFO (the thread waits for room). */
static void
test_backend_fd(void **state)
{
	struct uart_backend *b;
	struct uart *u;
	struct uart_hooks h = { 0 };
	char spec[32], err[256];
	uint8_t in[300], out[8];
	int sv[2], got = 0;

	(void)state;
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	snprintf(spec, sizeof(spec), "fd:%d", sv[0]);
	if (uart_backend_open(spec, &b, err, sizeof(err)) != 0)
		fail_msg("%s", err);
	h.tx = uart_backend_tx;
	h.tx_arg = b;
	h.rx_room = uart_backend_rx_room;
	h.rx_room_arg = b;
	u = uart_new(&h);
	assert_int_equal(uart_backend_start(b, u, NULL), 0);
	assert_int_equal(uart_backend_start(b, u, NULL), -EINVAL);	/* once */

	uart_write(u, THR, 'o');
	uart_write(u, THR, 'k');
	assert_int_equal(read(sv[1], out, 2), 2);
	assert_memory_equal(out, "ok", 2);

	uart_write(u, FCR, 0x01);
	for (int i = 0; i < 300; i++)
		in[i] = (uint8_t)(i * 7);
	assert_int_equal(write(sv[1], in, sizeof(in)), (ssize_t)sizeof(in));
	for (int spins = 0; got < 300 && spins < 5000; spins++) {
		while (uart_read(u, LSR) & 1) {
			uint8_t v = uart_read(u, RBR);

			if (v != in[got])
				fail_msg("byte %d: %u != %u", got, v, in[got]);
			got++;
		}
		sleep_ms(1);
	}
	assert_int_equal(got, 300);
	assert_int_equal(uart_backend_dropped(b), 0);
	uart_backend_close(b);
	uart_free(u);
	/* fd:N belongs to the caller: still open */
	assert_true(fcntl(sv[0], F_GETFD) >= 0);
	close(sv[0]);
	close(sv[1]);
}

/* A peer that never reads: output is dropped after a bounded wait instead
 * of stalling the vCPU. */
static void
test_backend_drop(void **state)
{
	struct uart_backend *b;
	char spec[32], err[256], junk[4096];
	int sv[2];
	struct timespec t0, t1;
	long ms;

	(void)state;
	memset(junk, 'j', sizeof(junk));
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	snprintf(spec, sizeof(spec), "fd:%d", sv[0]);
	assert_int_equal(uart_backend_open(spec, &b, err, sizeof(err)), 0);
	/* open made it non-blocking: fill the socket */
	while (write(sv[0], junk, sizeof(junk)) > 0)
		;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	uart_backend_tx(b, 'x');
	clock_gettime(CLOCK_MONOTONIC, &t1);
	ms = (t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) /
	    1000000;
	assert_int_equal(uart_backend_dropped(b), 1);
	assert_true(ms >= 90 && ms < 1000);
	/* still stuck: the next bytes drop at once */
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (int i = 0; i < 50; i++)
		uart_backend_tx(b, 'y');
	clock_gettime(CLOCK_MONOTONIC, &t1);
	ms = (t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) /
	    1000000;
	assert_int_equal(uart_backend_dropped(b), 51);
	assert_true(ms < 90);
	/* the reader catches up: bytes flow again */
	assert_int_equal(fcntl(sv[1], F_SETFL, O_NONBLOCK), 0);
	while (read(sv[1], junk, sizeof(junk)) > 0)
		;
	uart_backend_tx(b, 'z');
	assert_int_equal(uart_backend_dropped(b), 51);
	/* closing with the thread never started is fine */
	uart_backend_close(b);
	close(sv[0]);
	close(sv[1]);
}

/* A pty path: raw mode while open, the old settings back after close. */
static void
test_backend_pty(void **state)
{
	struct uart_backend *b;
	struct uart *u;
	struct uart_hooks h = { 0 };
	struct termios t;
	char err[256], *name;
	uint8_t out[4];
	int m;

	(void)state;
	m = posix_openpt(O_RDWR | O_NOCTTY);
	if (m < 0 || grantpt(m) || unlockpt(m) || (name = ptsname(m)) == NULL)
		fail_msg("no pty on this machine: %s", strerror(errno));
	{
		int s = open(name, O_RDWR | O_NOCTTY);

		assert_true(s >= 0);
		assert_int_equal(tcgetattr(s, &t), 0);
		assert_true(t.c_lflag & ICANON);	/* cooked by default */
		close(s);
	}
	if (uart_backend_open(name, &b, err, sizeof(err)) != 0)
		fail_msg("%s", err);
	{
		int s = open(name, O_RDWR | O_NOCTTY);

		assert_int_equal(tcgetattr(s, &t), 0);
		assert_false(t.c_lflag & (ICANON | ECHO));
		assert_false(t.c_oflag & OPOST);
		close(s);
	}
	h.tx = uart_backend_tx;
	h.tx_arg = b;
	u = uart_new(&h);
	assert_int_equal(uart_backend_start(b, u, NULL), 0);
	uart_write(u, THR, '\n');	/* raw: no CR added */
	assert_int_equal(read(m, out, 1), 1);
	assert_int_equal(out[0], '\n');
	assert_int_equal(write(m, "q", 1), 1);
	for (int i = 0; i < 2000 && !(uart_read(u, LSR) & 1); i++)
		sleep_ms(1);
	assert_int_equal(uart_read(u, RBR), 'q');
	uart_backend_close(b);
	uart_free(u);
	{
		int s = open(name, O_RDWR | O_NOCTTY);

		assert_int_equal(tcgetattr(s, &t), 0);
		assert_true(t.c_lflag & ICANON);	/* restored */
		close(s);
	}
	close(m);
}


/* Bytes the peer has sent, still unread in the back end's socket. */
static ssize_t
unread(int fd)
{
	char buf[16];

	return recv(fd, buf, sizeof(buf), MSG_PEEK | MSG_DONTWAIT);
}

/* With a held start gate the I/O thread reads nothing (the peer's bytes
 * stay in the socket, none reach the FIFO) until the gate opens; a
 * cancelled gate ends the thread without a read, and close still joins. */
static void
test_backend_gate(void **state)
{
	struct uart_backend *b;
	struct uart *u;
	struct uart_hooks h = { 0 };
	struct uart_stats st;
	struct gate g;
	char spec[32], err[256];
	int sv[2];

	(void)state;
	for (int cancel = 0; cancel < 2; cancel++) {
		memset(&g, 0, sizeof(g));
		assert_int_equal(gate_hold(&g), 0);
		assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
		snprintf(spec, sizeof(spec), "fd:%d", sv[0]);
		assert_int_equal(uart_backend_open(spec, &b, err, sizeof(err)),
		    0);
		h.rx_room = uart_backend_rx_room;
		h.rx_room_arg = b;
		u = uart_new(&h);
		assert_int_equal(uart_backend_start(b, u, &g), 0);
		assert_int_equal(write(sv[1], "gate", 4), 4);
		sleep_ms(200);
		assert_int_equal(unread(sv[0]), 4);
		assert_int_equal(uart_read(u, LSR) & 1, 0);
		uart_get_stats(u, &st);
		assert_true(st.rx_bytes == 0);
		if (cancel) {
			gate_release(&g, -ECANCELED);
			sleep_ms(100);
			assert_int_equal(unread(sv[0]), 4);
		} else {
			gate_release(&g, 0);
			for (int i = 0; i < 2000 &&
			    !(uart_read(u, LSR) & 1); i++)
				sleep_ms(1);
			assert_int_equal(uart_read(u, RBR), 'g');
		}
		uart_backend_close(b);
		uart_free(u);
		gate_fini(&g);
		close(sv[0]);
		close(sv[1]);
	}
}

/* The peer goes away: EOF stops input, output errors are counted, and
 * close still returns. */
static void
test_backend_eof(void **state)
{
	struct uart_backend *b;
	struct uart *u;
	struct uart_hooks h = { 0 };
	char spec[32], err[256];
	int sv[2];

	(void)state;
	signal(SIGPIPE, SIG_IGN);	/* as hyve's main does */
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	snprintf(spec, sizeof(spec), "fd:%d", sv[0]);
	assert_int_equal(uart_backend_open(spec, &b, err, sizeof(err)), 0);
	h.tx = uart_backend_tx;
	h.tx_arg = b;
	u = uart_new(&h);
	assert_int_equal(uart_backend_start(b, u, NULL), 0);
	close(sv[1]);
	sleep_ms(50);
	uart_write(u, THR, 'x');		/* EPIPE: dropped, no wait */
	assert_int_equal(uart_backend_dropped(b), 1);
	assert_int_equal(uart_read(u, LSR) & 1, 0);
	uart_backend_close(b);
	uart_free(u);
	close(sv[0]);
}

static double
cpu_seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* A pty master whose slave was closed reports POLLHUP forever: the I/O
 * thread must back off instead of spinning, and pick up input once a peer
 * opens the slave. */
static void
test_backend_hup(void **state)
{
	struct uart_backend *b;
	struct uart *u;
	struct uart_hooks h = { 0 };
	char spec[32], err[256], *name;
	double t0;
	int m, s;

	(void)state;
	m = posix_openpt(O_RDWR | O_NOCTTY);
	if (m < 0 || grantpt(m) || unlockpt(m) || (name = ptsname(m)) == NULL)
		fail_msg("no pty on this machine: %s", strerror(errno));
	/* a peer came and went: from now on the master polls POLLHUP */
	s = open(name, O_RDWR | O_NOCTTY);
	assert_true(s >= 0);
	close(s);
	snprintf(spec, sizeof(spec), "fd:%d", m);
	if (uart_backend_open(spec, &b, err, sizeof(err)) != 0)
		fail_msg("%s", err);
	u = uart_new(&h);
	assert_int_equal(uart_backend_start(b, u, NULL), 0);
	t0 = cpu_seconds();
	sleep_ms(500);
	if (cpu_seconds() - t0 > 0.2)
		fail_msg("I/O thread spins on a hung-up pty: %.3f s CPU in "
		    "0.5 s", cpu_seconds() - t0);
	s = open(name, O_RDWR | O_NOCTTY);
	assert_true(s >= 0);
	assert_int_equal(write(s, "r", 1), 1);
	for (int i = 0; i < 2000 && !(uart_read(u, LSR) & 1); i++)
		sleep_ms(1);
	assert_int_equal(uart_read(u, RBR), 'r');
	close(s);
	uart_backend_close(b);
	uart_free(u);
	close(m);
}

/* stdio: in the test runner stdin is whatever it is; the back end opens
 * and closes cleanly and leaves fds 0 and 1 open. */
static void
test_backend_stdio(void **state)
{
	struct uart_backend *b;
	char err[256];

	(void)state;
	if (uart_backend_open("stdio", &b, err, sizeof(err)) != 0)
		fail_msg("%s", err);
	uart_backend_close(b);
	assert_true(fcntl(0, F_GETFD) >= 0);
	assert_true(fcntl(1, F_GETFD) >= 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_reset_values),
		cmocka_unit_test(test_scratch_and_dlab),
		cmocka_unit_test(test_tx_and_thre),
		cmocka_unit_test(test_rx_nonfifo),
		cmocka_unit_test(test_rx_fifo),
		cmocka_unit_test(test_loopback),
		cmocka_unit_test(test_modem_status),
		cmocka_unit_test(test_hostile),
		cmocka_unit_test(test_concurrent),
		cmocka_unit_test(test_backend_errors),
		cmocka_unit_test(test_backend_fd),
		cmocka_unit_test(test_backend_drop),
		cmocka_unit_test(test_backend_pty),
		cmocka_unit_test(test_backend_eof),
		cmocka_unit_test(test_backend_gate),
		cmocka_unit_test(test_backend_hup),
		cmocka_unit_test(test_backend_stdio),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
