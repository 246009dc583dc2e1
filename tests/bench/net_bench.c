/*
 * net-bench: one TCP transfer, timed by the receiving end, for
 * tests/bench/scenarios/45-net.sh. The same static binary runs in the
 * guest's busybox initramfs and in the lab's L1 host, so both directions
 * are timed alike (busybox nc plus /proc/uptime would only give
 * centiseconds and the cost of a pipe).
 *
 *   net-bench listen|connect ADDR PORT send|recv MIB TIMEOUT
 *
 * listen binds ADDR:PORT and accepts one connection; connect retries until
 * ADDR:PORT accepts (the peer may not be up yet). The sender writes MIB
 * MiB of zeroes, shuts down its write side and waits for the receiver to
 * close, so a sender that exits 0 knows all the data arrived. The
 * receiver reads to EOF and prints
 *   @@N recv BYTES bytes SECONDS s MBPS MB/s
 * (MB = 10^6 bytes, timed from the connection to EOF) and exits 0 only if
 * it got exactly MIB MiB. Either side gives up after TIMEOUT seconds with
 * a message and exit status 1. Never installed, never used by hyve.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static char buf[64 * 1024];

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void on_alarm(int sig)
{
	static const char msg[] = "net-bench: timed out, transfer incomplete\n";

	(void)sig;
	/* only async-signal-safe calls here */
	if (write(2, msg, sizeof(msg) - 1) < 0) {
		/* nothing more to say */
	}
	_exit(1);
}

static int open_listen(const struct sockaddr_in *sa)
{
	int s, c, one = 1;

	s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (s < 0)
		return -1;
	/* the scenario reuses its ports for each VMM, TIME_WAIT may linger */
	if (setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0 ||
	    bind(s, (const struct sockaddr *)sa, sizeof(*sa)) < 0 ||
	    listen(s, 1) < 0) {
		close(s);
		return -1;
	}
	do
		c = accept4(s, NULL, NULL, SOCK_CLOEXEC);
	while (c < 0 && errno == EINTR);
	close(s);
	return c;
}

static int open_connect(const struct sockaddr_in *sa)
{
	int s;

	for (;;) {
		s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (s < 0)
			return -1;
		if (connect(s, (const struct sockaddr *)sa, sizeof(*sa)) == 0)
			return s;
		close(s);
		/* the listener or the link may not be up yet: the alarm bounds this */
		if (errno != ECONNREFUSED && errno != ENETUNREACH &&
		    errno != EHOSTUNREACH && errno != ETIMEDOUT && errno != EINTR)
			return -1;
		usleep(100 * 1000);
	}
}

static int do_send(int s, uint64_t total)
{
	uint64_t done = 0;
	ssize_t n;

	while (done < total) {
		size_t len = sizeof(buf);

		if (total - done < len)
			len = (size_t)(total - done);
		n = write(s, buf, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			fprintf(stderr, "net-bench: send after %llu bytes: %s\n",
				(unsigned long long)done, n < 0 ? strerror(errno) : "short write");
			return -1;
		}
		done += (uint64_t)n;
	}
	if (shutdown(s, SHUT_WR) < 0) {
		fprintf(stderr, "net-bench: shutdown: %s\n", strerror(errno));
		return -1;
	}
	/* wait for the receiver's close: then everything was delivered */
	do
		n = read(s, buf, sizeof(buf));
	while (n > 0 || (n < 0 && errno == EINTR));
	if (n < 0) {
		fprintf(stderr, "net-bench: waiting for the receiver: %s\n", strerror(errno));
		return -1;
	}
	return 0;
}

static int do_recv(int s, uint64_t total, double t0)
{
	uint64_t done = 0;
	double secs;
	ssize_t n;

	for (;;) {
		n = read(s, buf, sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		done += (uint64_t)n;
	}
	secs = now() - t0;
	if (n < 0) {
		fprintf(stderr, "net-bench: recv after %llu bytes: %s\n",
			(unsigned long long)done, strerror(errno));
		return -1;
	}
	if (done != total) {
		fprintf(stderr, "net-bench: got %llu bytes, expected %llu\n",
			(unsigned long long)done, (unsigned long long)total);
		return -1;
	}
	if (secs <= 0)
		secs = 1e-6;
	printf("@@N recv %llu bytes %.3f s %.2f MB/s\n", (unsigned long long)done,
	       secs, (double)done / 1e6 / secs);
	fflush(stdout);
	return 0;
}

int main(int argc, char **argv)
{
	struct sockaddr_in sa;
	unsigned long mib, port, tmo;
	char *end;
	int s, rc, sending, listening;
	double t0;

	if (argc != 7) {
		fprintf(stderr, "usage: net-bench listen|connect ADDR PORT send|recv MIB TIMEOUT\n");
		return 1;
	}
	listening = strcmp(argv[1], "listen") == 0;
	sending = strcmp(argv[4], "send") == 0;
	port = strtoul(argv[3], &end, 10);
	if (*end || port == 0 || port > 65535)
		goto bad;
	mib = strtoul(argv[5], &end, 10);
	if (*end || mib == 0 || mib > 1u << 20)
		goto bad;
	tmo = strtoul(argv[6], &end, 10);
	if (*end || tmo == 0 || tmo > 86400)
		goto bad;
	if ((!listening && strcmp(argv[1], "connect")) || (!sending && strcmp(argv[4], "recv")))
		goto bad;
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_port = htons((uint16_t)port);
	if (inet_pton(AF_INET, argv[2], &sa.sin_addr) != 1)
		goto bad;

	signal(SIGALRM, on_alarm);
	signal(SIGPIPE, SIG_IGN);
	alarm((unsigned)tmo);
	s = listening ? open_listen(&sa) : open_connect(&sa);
	if (s < 0) {
		fprintf(stderr, "net-bench: %s %s:%lu: %s\n", argv[1], argv[2], port,
			strerror(errno));
		return 1;
	}
	t0 = now();
	rc = sending ? do_send(s, (uint64_t)mib << 20) : do_recv(s, (uint64_t)mib << 20, t0);
	close(s);
	return rc < 0 ? 1 : 0;
bad:
	fprintf(stderr, "net-bench: bad arguments\n");
	return 1;
}
