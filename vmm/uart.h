/*
 * uart: a 16550A serial port (register model) and its host back ends.
 *
 * The model is I/O agnostic: the machine maps the 8 registers at COM1 (0x3f8,
 * IRQ 4) or COM2 (0x2f8, IRQ 3) and forwards accesses as register offsets.
 * Bytes the guest sends go to a tx hook; bytes from the host are pushed into
 * the 16-byte RX FIFO; the interrupt line is reported as a level through an
 * irq hook.  Everything the guest writes is treated as hostile: any offset,
 * any value, in any order, never crashes or overflows a buffer.
 *
 * Locking: each struct uart has one mutex.  uart_read/uart_write (a vCPU
 * thread) and uart_rx_push (the back end's I/O thread) take it; the hooks are
 * called WITH it held, so that interrupt level changes reach the irqchip in
 * the order the state changed.  Hooks must therefore be short and must not
 * call back into the same uart.
 *
 * The back-end layer opens what "lpc.comN.path" names -- "stdio", a tty or
 * pty path (put in raw mode, restored by uart_backend_close), or "fd:N", an
 * already-open descriptor (hyve-jail's console pty) -- and runs one I/O
 * thread that moves host input into the FIFO, waiting (not dropping) while
 * the FIFO is full, and, given a start gate, reads nothing before it opens
 * (hyve's seccomp filter first).  Opening a path is for bare mode; a jailed
 * hyve gets fd:N.
 * It never exits the process; errors come back as -errno with a message.
 */
#ifndef HYVE_UART_H
#define HYVE_UART_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define UART_COM1_PORT	0x3f8
#define UART_COM1_IRQ	4
#define UART_COM2_PORT	0x2f8
#define UART_COM2_IRQ	3
#define UART_NREGS	8	/* I/O ports per UART */
#define UART_FIFO_SIZE	16

struct uart_hooks {
	/* The guest sent a byte (not called in loopback mode). */
	void (*tx)(void *arg, uint8_t byte);
	void *tx_arg;
	/* The interrupt output changed to level (true = asserted). */
	void (*irq)(void *arg, bool level);
	void *irq_arg;
	/* Optional: the RX FIFO has room again after uart_rx_push refused
	 * bytes; the back end uses it to resume reading its fd. */
	void (*rx_room)(void *arg);
	void *rx_room_arg;
};

struct uart;

/* NULL with errno on allocation failure.  hooks is copied. */
struct uart *uart_new(const struct uart_hooks *hooks);
void uart_free(struct uart *u);

/* Register access, off = port - base (0..7; other values read 0xff and
 * ignore writes). */
uint8_t uart_read(struct uart *u, unsigned off);
void uart_write(struct uart *u, unsigned off, uint8_t val);

/* Host input: queue up to len bytes into the RX FIFO; returns how many were
 * taken (less than len when the FIFO is full; the rest is the caller's). */
size_t uart_rx_push(struct uart *u, const uint8_t *buf, size_t len);

/* Counters for stats and tests. */
struct uart_stats {
	uint64_t tx_bytes, rx_bytes;
	uint64_t rx_overruns;	/* loopback bytes into a full FIFO (OE) */
};
void uart_get_stats(struct uart *u, struct uart_stats *st);

/* ---- back ends ------------------------------------------------------- */

struct uart_backend;
struct gate;

/* spec: "stdio" | "fd:N" | "/path/to/tty-or-pty".  A tty is switched to raw
 * mode (its old settings are restored by uart_backend_close).  Returns 0 or
 * -errno with a message naming spec. */
int uart_backend_open(const char *spec, struct uart_backend **out,
    char *err, size_t errlen);
/* tx hook for struct uart_hooks (arg = the back end).  Waits at most 100 ms
 * for the fd to take the byte, then drops it and counts it, and drops
 * without waiting until the fd takes a byte again, so that a console nobody
 * reads cannot stall a vCPU.  (stdio is left blocking: see open.) */
void uart_backend_tx(void *backend, uint8_t byte);
/* rx_room hook for struct uart_hooks (arg = the back end). */
void uart_backend_rx_room(void *backend);
/* Start the I/O thread feeding u from the back end's input.  Call once,
 * after uart_new() with the hooks above.  With a GATE (vmm/gate.h; NULL:
 * none) the thread reads nothing before it opens, and returns at once
 * when it is cancelled: release it before uart_backend_close().  -errno
 * on failure. */
int uart_backend_start(struct uart_backend *b, struct uart *u,
    struct gate *gate);
/* Stop the thread, restore the tty, close what was opened (fd:N and stdio
 * descriptors are left open: they belong to the caller).  NULL is fine.
 * Call it before uart_free() of the uart it feeds. */
void uart_backend_close(struct uart_backend *b);
/* Guest bytes the back end dropped because its fd did not take them. */
uint64_t uart_backend_dropped(const struct uart_backend *b);

#endif
