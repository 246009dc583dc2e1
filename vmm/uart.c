/*
 * uart: the 16550A register model and its host back ends (see uart.h).
 *
 * The guest drives the registers; every register value it writes is masked
 * to the bits that exist and no value is ever used as an index, so any
 * sequence of accesses is safe.  Transmission is instantaneous (THR is empty
 * again right after a write), as in bhyve and QEMU without a chardev
 * backlog: THRE and TEMT always read 1.
 *
 * Must never exit, never block a vCPU indefinitely on a stuck back end, and
 * never drop host input: a full FIFO makes the I/O thread wait for room.
 */
#include "uart.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>

#include "vmm/gate.h"

/* Register offsets */
#define REG_DATA	0	/* RBR / THR, DLL when DLAB */
#define REG_IER		1	/* DLM when DLAB */
#define REG_IIR		2	/* read: IIR, write: FCR */
#define REG_LCR		3
#define REG_MCR		4
#define REG_LSR		5
#define REG_MSR		6
#define REG_SCR		7

#define IER_ERBFI	0x01
#define IER_ETBEI	0x02
#define IER_ELSI	0x04
#define IER_EDSSI	0x08
#define IER_MASK	0x0f

#define IIR_NOPEND	0x01
#define IIR_MLSC	0x00
#define IIR_TXRDY	0x02
#define IIR_RXRDY	0x04
#define IIR_RLS		0x06
#define IIR_RXTOUT	0x0c
#define IIR_FIFO	0xc0

#define FCR_ENABLE	0x01
#define FCR_RCV_RST	0x02
#define FCR_XMT_RST	0x04
#define FCR_TRIGGER	0xc0

#define LCR_DLAB	0x80

#define MCR_DTR		0x01
#define MCR_RTS		0x02
#define MCR_OUT1	0x04
#define MCR_OUT2	0x08
#define MCR_LOOP	0x10
#define MCR_MASK	0x1f

#define LSR_DR		0x01
#define LSR_OE		0x02
#define LSR_PE		0x04
#define LSR_FE		0x08
#define LSR_BI		0x10
#define LSR_THRE	0x20
#define LSR_TEMT	0x40
#define LSR_ERRS	(LSR_OE | LSR_PE | LSR_FE | LSR_BI)

#define MSR_DCTS	0x01
#define MSR_DDSR	0x02
#define MSR_TERI	0x04
#define MSR_DDCD	0x08
#define MSR_CTS		0x10
#define MSR_DSR		0x20
#define MSR_RI		0x40
#define MSR_DCD		0x80
#define MSR_DELTAS	0x0f

struct uart {
	pthread_mutex_t lock;
	struct uart_hooks h;

	uint8_t fifo[UART_FIFO_SIZE];
	unsigned head, count;		/* head < UART_FIFO_SIZE always */

	uint8_t ier, fcr, lcr, mcr, lsr_err, msr, scr, dll, dlh;
	bool thre_pending;		/* THR-empty interrupt not yet seen */
	bool irq_level;
	bool rx_refused;		/* a push was refused: owe rx_room */
	struct uart_stats st;
};

/* Modem status lines as seen by the guest: in loopback they follow MCR,
 * otherwise the "cable" is always connected (CTS, DSR, DCD up). */
static uint8_t
msr_lines(const struct uart *u)
{
	uint8_t m = 0;

	if (u->mcr & MCR_LOOP) {
		if (u->mcr & MCR_RTS)
			m |= MSR_CTS;
		if (u->mcr & MCR_DTR)
			m |= MSR_DSR;
		if (u->mcr & MCR_OUT1)
			m |= MSR_RI;
		if (u->mcr & MCR_OUT2)
			m |= MSR_DCD;
		return m;
	}
	return MSR_CTS | MSR_DSR | MSR_DCD;
}

static unsigned
fifo_cap(const struct uart *u)
{
	return (u->fcr & FCR_ENABLE) ? UART_FIFO_SIZE : 1;
}

static unsigned
rx_trigger(const struct uart *u)
{
	static const unsigned lv[4] = { 1, 4, 8, 14 };

	return (u->fcr & FCR_ENABLE) ? lv[(u->fcr >> 6) & 3] : 1;
}

/* The highest-priority pending interrupt, IIR encoding (no FIFO bits). */
static uint8_t
pending_iir(const struct uart *u)
{
	if ((u->ier & IER_ELSI) && (u->lsr_err & LSR_ERRS))
		return IIR_RLS;
	if ((u->ier & IER_ERBFI) && u->count > 0)
		return u->count >= rx_trigger(u) ? IIR_RXRDY : IIR_RXTOUT;
	if ((u->ier & IER_ETBEI) && u->thre_pending)
		return IIR_TXRDY;
	if ((u->ier & IER_EDSSI) && (u->msr & MSR_DELTAS))
		return IIR_MLSC;
	return IIR_NOPEND;
}

static void
update_irq(struct uart *u)
{
	bool level = pending_iir(u) != IIR_NOPEND;

	if (level != u->irq_level) {
		u->irq_level = level;
		if (u->h.irq)
			u->h.irq(u->h.irq_arg, level);
	}
}

static void
rx_reset(struct uart *u)
{
	u->head = 0;
	u->count = 0;
}

/* Push one byte; false if the FIFO is full. */
static bool
rx_put(struct uart *u, uint8_t b)
{
	if (u->count >= fifo_cap(u))
		return false;
	u->fifo[(u->head + u->count) % UART_FIFO_SIZE] = b;
	u->count++;
	u->st.rx_bytes++;
	return true;
}

static void
maybe_rx_room(struct uart *u)
{
	if (u->rx_refused && u->count < fifo_cap(u)) {
		u->rx_refused = false;
		if (u->h.rx_room)
			u->h.rx_room(u->h.rx_room_arg);
	}
}

struct uart *
uart_new(const struct uart_hooks *hooks)
{
	struct uart *u = calloc(1, sizeof(*u));

	if (u == NULL)
		return NULL;
	if (pthread_mutex_init(&u->lock, NULL) != 0) {
		free(u);
		errno = ENOMEM;
		return NULL;
	}
	if (hooks)
		u->h = *hooks;
	u->thre_pending = false;	/* ETBEI is off at reset */
	u->msr = msr_lines(u);
	return u;
}

void
uart_free(struct uart *u)
{
	if (u == NULL)
		return;
	pthread_mutex_destroy(&u->lock);
	free(u);
}

static void
set_mcr(struct uart *u, uint8_t val)
{
	uint8_t old = msr_lines(u), now;

	u->mcr = val & MCR_MASK;
	now = msr_lines(u);
	/* Delta bits latch changes (TERI: RI went from on to off). */
	if ((old ^ now) & MSR_CTS)
		u->msr |= MSR_DCTS;
	if ((old ^ now) & MSR_DSR)
		u->msr |= MSR_DDSR;
	if ((old & MSR_RI) && !(now & MSR_RI))
		u->msr |= MSR_TERI;
	if ((old ^ now) & MSR_DCD)
		u->msr |= MSR_DDCD;
	u->msr = (uint8_t)((u->msr & MSR_DELTAS) | now);
}

uint8_t
uart_read(struct uart *u, unsigned off)
{
	uint8_t v = 0xff;

	pthread_mutex_lock(&u->lock);
	switch (off) {
	case REG_DATA:
		if (u->lcr & LCR_DLAB) {
			v = u->dll;
			break;
		}
		if (u->count > 0) {
			v = u->fifo[u->head];
			u->head = (u->head + 1) % UART_FIFO_SIZE;
			u->count--;
			maybe_rx_room(u);
		} else {
			v = 0;
		}
		break;
	case REG_IER:
		v = (u->lcr & LCR_DLAB) ? u->dlh : u->ier;
		break;
	case REG_IIR:
		v = pending_iir(u);
		/* Reading IIR while it shows THRE acknowledges it. */
		if (v == IIR_TXRDY)
			u->thre_pending = false;
		if (u->fcr & FCR_ENABLE)
			v |= IIR_FIFO;
		break;
	case REG_LCR:
		v = u->lcr;
		break;
	case REG_MCR:
		v = u->mcr;
		break;
	case REG_LSR:
		v = LSR_THRE | LSR_TEMT | u->lsr_err;
		if (u->count > 0)
			v |= LSR_DR;
		u->lsr_err = 0;		/* error bits clear on read */
		break;
	case REG_MSR:
		v = u->msr;
		u->msr &= (uint8_t)~MSR_DELTAS;
		break;
	case REG_SCR:
		v = u->scr;
		break;
	default:
		break;
	}
	update_irq(u);
	pthread_mutex_unlock(&u->lock);
	return v;
}

void
uart_write(struct uart *u, unsigned off, uint8_t val)
{
	pthread_mutex_lock(&u->lock);
	switch (off) {
	case REG_DATA:
		if (u->lcr & LCR_DLAB) {
			u->dll = val;
			break;
		}
		if (u->mcr & MCR_LOOP) {
			if (!rx_put(u, val)) {
				u->lsr_err |= LSR_OE;
				u->st.rx_overruns++;
			}
		} else {
			u->st.tx_bytes++;
			if (u->h.tx)
				u->h.tx(u->h.tx_arg, val);
		}
		/* The byte left at once: THR is empty again. */
		u->thre_pending = true;
		break;
	case REG_IER:
		if (u->lcr & LCR_DLAB) {
			u->dlh = val;
			break;
		}
		/* Enabling ETBEI with THR empty raises THRE right away
		 * (Linux's 8250 startup probes exactly this). */
		if ((val & IER_ETBEI) && !(u->ier & IER_ETBEI))
			u->thre_pending = true;
		u->ier = val & IER_MASK;
		break;
	case REG_IIR:	/* FCR */
		if ((val ^ u->fcr) & FCR_ENABLE)
			rx_reset(u);	/* toggling the FIFO empties it */
		if (val & FCR_RCV_RST)
			rx_reset(u);
		u->fcr = val & (FCR_ENABLE | FCR_TRIGGER);
		maybe_rx_room(u);
		break;
	case REG_LCR:
		u->lcr = val;
		break;
	case REG_MCR:
		set_mcr(u, val);
		break;
	case REG_LSR:	/* read only (factory test) */
	case REG_MSR:	/* read only */
		break;
	case REG_SCR:
		u->scr = val;
		break;
	default:
		break;
	}
	update_irq(u);
	pthread_mutex_unlock(&u->lock);
}

size_t
uart_rx_push(struct uart *u, const uint8_t *buf, size_t len)
{
	size_t n = 0;

	pthread_mutex_lock(&u->lock);
	/* In loopback the receiver is wired to the transmitter: host input
	 * is held back until the guest leaves loopback. */
	if (!(u->mcr & MCR_LOOP))
		while (n < len && rx_put(u, buf[n]))
			n++;
	if (n < len)
		u->rx_refused = true;
	update_irq(u);
	pthread_mutex_unlock(&u->lock);
	return n;
}

void
uart_get_stats(struct uart *u, struct uart_stats *st)
{
	pthread_mutex_lock(&u->lock);
	*st = u->st;
	pthread_mutex_unlock(&u->lock);
}

/* ------------------------------------------------------------ back ends */

struct uart_backend {
	int in_fd, out_fd;
	int close_fd;		/* opened here (path), else -1 */
	int tty_fd;		/* whose termios we changed, else -1 */
	struct termios saved;
	int wake_fd;		/* eventfd: room in the FIFO, or stop */
	atomic_bool stop;
	atomic_uint_fast64_t dropped;
	bool stalled;		/* last tx timed out (uart lock serialises) */
	bool started;
	pthread_t thread;
	struct uart *u;
	struct gate *gate;	/* wait there before reading in_fd, or NULL */
};

static void __attribute__((format(printf, 3, 4)))
errf(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (err == NULL || errlen == 0)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

/* Raw mode, as bhyve's ttyopen(): the guest's own line discipline does the
 * echo and CR/LF work. */
static int
make_raw(struct uart_backend *b, int fd)
{
	struct termios t;

	if (tcgetattr(fd, &b->saved) != 0)
		return -errno;
	t = b->saved;
	cfmakeraw(&t);
	t.c_cc[VMIN] = 1;
	t.c_cc[VTIME] = 0;
	if (tcsetattr(fd, TCSANOW, &t) != 0)
		return -errno;
	b->tty_fd = fd;
	return 0;
}

int
uart_backend_open(const char *spec, struct uart_backend **out, char *err,
    size_t errlen)
{
	struct uart_backend *b;
	int r;

	*out = NULL;
	if (spec == NULL || *spec == '\0') {
		errf(err, errlen, "serial back end: empty");
		return -EINVAL;
	}
	b = calloc(1, sizeof(*b));
	if (b == NULL) {
		errf(err, errlen, "%s: out of memory", spec);
		return -ENOMEM;
	}
	b->close_fd = b->tty_fd = b->in_fd = b->out_fd = -1;
	b->wake_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (b->wake_fd < 0) {
		r = -errno;
		errf(err, errlen, "%s: eventfd: %s", spec, strerror(-r));
		free(b);
		return r;
	}
	if (strcmp(spec, "stdio") == 0) {
		/* stdio stays blocking: its file description is shared
		 * with the shell that started us. */
		b->in_fd = STDIN_FILENO;
		b->out_fd = STDOUT_FILENO;
		if (isatty(STDIN_FILENO) && (r = make_raw(b, STDIN_FILENO))) {
			errf(err, errlen, "stdio: raw mode: %s", strerror(-r));
			goto fail;
		}
	} else if (strncmp(spec, "fd:", 3) == 0) {
		char *end;
		long fd;
		int fl;

		errno = 0;
		fd = strtol(spec + 3, &end, 10);
		if (spec[3] < '0' || spec[3] > '9' || *end != '\0' ||
		    errno || fd < 0 || fd > INT_MAX) {
			errf(err, errlen, "%s: expected fd:N", spec);
			r = -EINVAL;
			goto fail;
		}
		fl = fcntl((int)fd, F_GETFL);
		if (fl < 0) {
			r = -errno;
			errf(err, errlen, "%s: not an open descriptor: %s",
			    spec, strerror(-r));
			goto fail;
		}
		if ((fl & O_ACCMODE) != O_RDWR) {
			errf(err, errlen, "%s: descriptor is not open for "
			    "reading and writing", spec);
			r = -EBADF;
			goto fail;
		}
		/* Handed to us for this use only: non-blocking is ours to
		 * set, so a console nobody reads cannot stall a vCPU. */
		(void)fcntl((int)fd, F_SETFL, fl | O_NONBLOCK);
		b->in_fd = b->out_fd = (int)fd;
		if (isatty((int)fd) && (r = make_raw(b, (int)fd))) {
			errf(err, errlen, "%s: raw mode: %s", spec,
			    strerror(-r));
			goto fail;
		}
	} else if (spec[0] == '/') {
		int fd = open(spec, O_RDWR | O_NOCTTY | O_NONBLOCK |
		    O_CLOEXEC);

		if (fd < 0) {
			r = -errno;
			errf(err, errlen, "%s: cannot open: %s", spec,
			    strerror(-r));
			goto fail;
		}
		b->close_fd = b->in_fd = b->out_fd = fd;
		if (!isatty(fd)) {
			errf(err, errlen, "%s: not a tty or pty", spec);
			r = -ENOTTY;
			goto fail;
		}
		if ((r = make_raw(b, fd))) {
			errf(err, errlen, "%s: raw mode: %s", spec,
			    strerror(-r));
			goto fail;
		}
	} else {
		errf(err, errlen, "%s: unknown serial back end (stdio, fd:N or "
		    "an absolute tty path)", spec);
		r = -EINVAL;
		goto fail;
	}
	*out = b;
	return 0;
fail:
	uart_backend_close(b);
	return r;
}

void
uart_backend_tx(void *arg, uint8_t byte)
{
	struct uart_backend *b = arg;

	for (int tries = 0; tries < 2; tries++) {
		ssize_t n = write(b->out_fd, &byte, 1);
		struct pollfd p = { .fd = b->out_fd, .events = POLLOUT };

		if (n == 1) {
			b->stalled = false;
			return;
		}
		if (n < 0 && errno == EINTR) {
			tries--;
			continue;
		}
		/* Wait once per stall, not once per byte: a guest printing
		 * to a console nobody reads must not crawl at 10 bytes/s. */
		if ((n < 0 && errno != EAGAIN) || b->stalled)
			break;
		if (poll(&p, 1, 100) <= 0) {
			b->stalled = true;
			break;
		}
	}
	atomic_fetch_add(&b->dropped, 1);
}

void
uart_backend_rx_room(void *arg)
{
	struct uart_backend *b = arg;
	uint64_t one = 1;

	/* An eventfd write cannot block (non-blocking, counter saturates
	 * far away); a failed wake only delays input until the next one. */
	if (write(b->wake_fd, &one, sizeof(one)) < 0)
		return;
}

static void *
backend_thread(void *arg)
{
	struct uart_backend *b = arg;
	uint8_t buf[64];
	size_t have = 0, off = 0;
	bool input_open = b->in_fd >= 0;

	/* Not a byte of the peer's before hyve's filter is in force on this
	 * thread; cancelled: hyve is failing, leave without reading. */
	if (gate_wait(b->gate) < 0)
		return NULL;
	while (!atomic_load(&b->stop)) {
		struct pollfd p[2] = {
			{ .fd = b->wake_fd, .events = POLLIN },
			{ .fd = -1, .events = POLLIN },
		};
		int timeout = -1, n;

		if (have > off) {
			/* Bytes the FIFO refused: try again (room may have
			 * appeared before we registered for the wake). */
			off += uart_rx_push(b->u, buf + off, have - off);
			if (off < have) {
				p[1].fd = -1;
			} else {
				have = off = 0;
			}
		}
		if (have == 0 && input_open)
			p[1].fd = b->in_fd;
		n = poll(p, 2, timeout);
		if (n < 0 && errno != EINTR)
			break;
		if (n <= 0)
			continue;
		if (p[0].revents & POLLIN) {
			uint64_t v;

			if (read(b->wake_fd, &v, sizeof(v)) < 0 &&
			    errno != EAGAIN)
				break;
		}
		if (p[1].revents & POLLIN) {
			ssize_t r = read(b->in_fd, buf, sizeof(buf));

			if (r > 0) {
				have = (size_t)r;
				off = 0;
			} else if (r == 0) {
				input_open = false;	/* EOF: output only */
			} else if (errno != EAGAIN && errno != EINTR) {
				/* EIO: a pty whose peer is gone; wait and
				 * retry so a reconnecting peer works. */
				p[1].revents |= POLLHUP;
			}
		}
		if (have == 0 && (p[1].revents & (POLLHUP | POLLERR)) &&
		    !(p[1].revents & POLLIN)) {
			struct pollfd w = { .fd = b->wake_fd,
			    .events = POLLIN };

			/* Nobody on the other side: do not spin. */
			(void)poll(&w, 1, 200);
		}
		if (p[1].revents & POLLNVAL)
			input_open = false;
	}
	return NULL;
}

int
uart_backend_start(struct uart_backend *b, struct uart *u,
    struct gate *gate)
{
	sigset_t all, old;
	int r;

	if (b == NULL || u == NULL || b->started)
		return -EINVAL;
	b->u = u;
	b->gate = gate;
	/* The I/O thread takes no signals: SIGTERM & co. belong to main. */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	r = pthread_create(&b->thread, NULL, backend_thread, b);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (r != 0)
		return -r;
	b->started = true;
	return 0;
}

void
uart_backend_close(struct uart_backend *b)
{
	if (b == NULL)
		return;
	if (b->started) {
		atomic_store(&b->stop, true);
		uart_backend_rx_room(b);
		pthread_join(b->thread, NULL);
	}
	if (b->tty_fd >= 0)
		(void)tcsetattr(b->tty_fd, TCSAFLUSH, &b->saved);
	if (b->close_fd >= 0)
		close(b->close_fd);
	if (b->wake_fd >= 0)
		close(b->wake_fd);
	free(b);
}

uint64_t
uart_backend_dropped(const struct uart_backend *b)
{
	return atomic_load(&b->dropped);
}
