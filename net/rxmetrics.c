/* The metrics process (rxmetrics.h). Each connection gets one answer
 * within TD_HTTP_TIMEOUT_MS: the request head is read with a deadline for
 * the whole of it (however the peer paces its bytes), the answer is
 * written with a send timeout, and the socket is closed. */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/statvfs.h>
#include <sys/time.h>
#include <unistd.h>

#include "os/clock.h"
#include "os/file.h"
#include "os/log.h"
#include "rxmetrics.h"

struct td_rx_counts *td_rxmetrics_map(void)
{
	void *p = mmap(NULL, sizeof(struct td_rx_counts), PROT_READ | PROT_WRITE,
		       MAP_SHARED | MAP_ANONYMOUS, -1, 0);

	return p == MAP_FAILED ? NULL : p; /* anonymous memory starts zeroed */
}

/* Read the request head until it is complete, malformed, too long or late:
 * the status to answer, or 0 when the peer went away. */
static unsigned read_request(int fd, int *head)
{
	char buf[TD_HTTP_REQUEST_MAX];
	size_t len = 0;
	uint64_t end = td_mono_ms() + TD_HTTP_TIMEOUT_MS;

	for (;;) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		uint64_t now = td_mono_ms();
		unsigned st;
		ssize_t n;

		if (now >= end)
			return 408;
		if (poll(&p, 1, (int)(end - now)) <= 0)
			continue; /* the deadline, or a signal: checked above */
		n = recv(fd, buf + len, sizeof buf - len, MSG_DONTWAIT);
		if (n < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (n <= 0)
			return 0;
		len += (size_t)n;
		if ((st = td_http_request(buf, len, head)) != 0)
			return st;
		if (len == sizeof buf)
			return 400;
	}
}

static size_t metrics_body(const struct td_rx_counts *c, const char *dir, int retention,
			   char *buf, size_t cap)
{
	struct td_metrics_view v = { .retention = retention };
	struct statvfs sv;

	td_rx_counts_copy(c, &v.c);
	if (statvfs(dir, &sv) == 0) {
		v.have_free = 1;
		v.free_bytes = (uint64_t)sv.f_bavail * sv.f_frsize;
		v.have_inodes = sv.f_files != 0; /* 0: no inode limit (btrfs) */
		v.free_inodes = sv.f_favail;
	}
	return td_metrics_text(&v, buf, cap);
}

static void answer(int fd, const struct td_rx_counts *c, const char *dir, int retention)
{
	static char body[TD_METRICS_TEXT_MAX];
	char head[256];
	struct timeval tv = { TD_HTTP_TIMEOUT_MS / 1000, 0 };
	int head_only = 0;
	unsigned st = read_request(fd, &head_only);
	size_t blen = 0, hlen;

	if (!st)
		return;
	if (st == 200 && !(blen = metrics_body(c, dir, retention, body, sizeof body)))
		st = 500;
	if (st != 200)
		blen = (size_t)snprintf(body, sizeof body, "%s", td_http_error_body(st));
	hlen = td_http_head(st, blen, head, sizeof head);
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
	if (td_write_all(fd, head, hlen, -1) == 0 && !head_only)
		td_write_all(fd, body, blen, -1);
	/* Closing with unread request bytes would reset the connection and
	 * could lose the answer: say we are done, and give the peer a moment
	 * to close first. */
	shutdown(fd, SHUT_WR);
	for (uint64_t end = td_mono_ms() + 200; td_mono_ms() < end;) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		char sink[512];

		if (poll(&p, 1, 50) > 0 && recv(fd, sink, sizeof sink, MSG_DONTWAIT) == 0)
			break;
	}
}

void td_rxmetrics_serve(int fd, const struct td_rx_counts *c, const char *dir, int retention,
			pid_t parent)
{
	/* Nothing else ends this process: end with the receiver (which may
	 * have died before the request took effect). */
	prctl(PR_SET_PDEATHSIG, SIGTERM);
	if (getppid() != parent)
		_exit(0);
	for (;;) {
		int cfd = accept4(fd, NULL, NULL, SOCK_CLOEXEC);

		if (cfd < 0) {
			if (errno != EINTR && errno != ECONNABORTED)
				td_sleep_ms(100); /* EMFILE and the like: do not spin */
			continue;
		}
		answer(cfd, c, dir, retention);
		close(cfd);
	}
}
