/* `tinydump receive`: options, the listening socket and one child process
 * per connection (receive.h). The parent only accepts and reaps; a child
 * that crashes or hangs costs one upload, never the others. Retention
 * passes and the metrics endpoint run in children of their own too, so
 * neither can hold up an accept.
 *
 * How the parent learns how a connection ended: the session process's exit
 * status is TD_RX_EXIT_BASE + its outcome (metrics.h), and the parent, the
 * one writer of those counters, counts it when it reaps the process; any
 * other end (a signal, a stray exit code) counts as "crashed". So every
 * accepted connection is counted exactly once, crashes included. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "os/clock.h"
#include "os/log.h"
#include "receive.h"
#include "rxmetrics.h"
#include "rxretain.h"

#define USAGE "usage: tinydump receive --listen ADDR:PORT --dir DIR --cert FILE --key FILE " \
	      "[--client-ca FILE] [--min-free BYTES[K|M|G|T]] [--min-free-inodes N] [--timeout S] [--max-clients N] " \
	      "[--max-per-peer N] [--handshake-timeout S] [--keep-days N] [--max-bytes SIZE[K|M|G|T]] " \
	      "[--metrics ADDR:PORT]"

/* A session process exits with this plus its outcome (0..TD_RXO_N-1). */
#define TD_RX_EXIT_BASE 64

static int parse_num(const char *s, uint64_t max, int suffixes, uint64_t *v)
{
	char *end;
	unsigned shift = 0;

	if (*s < '0' || *s > '9')
		return -1;
	errno = 0;
	*v = strtoull(s, &end, 10);
	if (suffixes && *end && !end[1]) {
		const char *u = strchr("KMGT", *end);

		shift = u ? 10u * (unsigned)(u - "KMGT" + 1) : 0;
		end += u != NULL;
	}
	if (*end || errno || (shift && *v > (UINT64_MAX >> shift)))
		return -1;
	*v <<= shift;
	return *v <= max ? 0 : -1;
}

/* IPV4:PORT into host (48 bytes) and *port. */
static int parse_addr(const char *s, char *host, uint16_t *port)
{
	const char *c = strrchr(s, ':');
	struct in_addr a;
	uint64_t n;

	if (!c || c == s || (size_t)(c - s) >= 48)
		return -1;
	memcpy(host, s, (size_t)(c - s));
	host[c - s] = 0;
	if (inet_pton(AF_INET, host, &a) != 1 || parse_num(c + 1, 65535, 0, &n) < 0 || n == 0)
		return -1;
	*port = (uint16_t)n;
	return 0;
}

/* Upkeep: retention and metrics. Their messages name the value and say what a
 * good one looks like. 1 when k is not one of them. */
static int parse_upkeep_opt(struct td_rx_opts *o, const char *k, const char *v, struct td_err *e)
{
	uint64_t n;

	if (!strcmp(k, "--keep-days")) {
		if (parse_num(v, 36500, 0, &n) < 0)
			return td_fail(e, "--keep-days '%s' is not a whole number of days (1 to 36500)", v);
		if (n == 0)
			return td_fail(e, "--keep-days 0 would delete every dump as it arrives; give 1 "
				       "or more days, or leave it out to keep dumps for ever");
		o->keep_days = (unsigned)n;
	} else if (!strcmp(k, "--max-bytes")) {
		if (parse_num(v, UINT64_MAX, 1, &n) < 0)
			return td_fail(e, "--max-bytes '%s' is not a size: want bytes, or a number with "
				       "K, M, G or T (e.g. 500G)", v);
		if (n == 0)
			return td_fail(e, "--max-bytes 0 would delete every dump but the newest; give a "
				       "size such as 500G, or leave it out for no limit");
		o->max_bytes = n;
	} else if (!strcmp(k, "--metrics")) {
		if (parse_addr(v, o->metrics_host, &o->metrics_port) < 0)
			return td_fail(e, "--metrics '%s' is not IPV4:PORT (e.g. 127.0.0.1:9101)", v);
	} else {
		return 1;
	}
	return 0;
}

/* One option with its value; returns -1 naming the problem. */
static int parse_opt(struct td_rx_opts *o, const char *k, const char *v, struct td_err *e)
{
	uint64_t n;
	int r = parse_upkeep_opt(o, k, v, e);

	if (r <= 0)
		return r;
	if (!strcmp(k, "--listen")) {
		if (parse_addr(v, o->listen_host, &o->port) < 0)
			return td_fail(e, "--listen %s: want IPV4:PORT", v);
	} else if (!strcmp(k, "--dir")) {
		o->dir = v;
	} else if (!strcmp(k, "--cert")) {
		o->cert = v;
	} else if (!strcmp(k, "--key")) {
		o->key = v;
	} else if (!strcmp(k, "--client-ca")) {
		o->client_ca = v;
	} else if (!strcmp(k, "--min-free")) {
		if (parse_num(v, UINT64_MAX, 1, &o->min_free) < 0)
			return td_fail(e, "--min-free %s: want a byte count (K, M, G, T allowed)", v);
	} else if (!strcmp(k, "--min-free-inodes")) {
		if (parse_num(v, UINT64_MAX, 0, &o->min_free_inodes) < 0)
			return td_fail(e, "--min-free-inodes %s: want a number", v);
	} else if (!strcmp(k, "--timeout") || !strcmp(k, "--max-clients") ||
		   !strcmp(k, "--max-per-peer") || !strcmp(k, "--handshake-timeout")) {
		if (parse_num(v, 86400, 0, &n) < 0 || n == 0)
			return td_fail(e, "%s %s: want a number from 1 to 86400", k, v);
		*(!strcmp(k, "--timeout") ? &o->timeout_s : !strcmp(k, "--max-clients") ?
		  &o->max_clients : k[2] == 'h' ? &o->handshake_s : &o->max_per_peer) = (unsigned)n;
	} else {
		return td_fail(e, "unknown option %s", k);
	}
	return 0;
}

int td_rx_parse(struct td_rx_opts *o, int argc, char **argv, struct td_err *e)
{
	memset(o, 0, sizeof *o);
	/* A client may be silent for a while: the dump writer's counting pass
	 * over a large machine's mem_map sends nothing (makedumpfile -R waits
	 * 600 s for the same reason). */
	o->timeout_s = 600;
	o->max_clients = 128;
	/* Before its certificate is checked a peer is nobody: it gets a short
	 * deadline for the whole handshake and a few slots per address, so
	 * idle or dripping sockets cannot hold the receiver. */
	o->handshake_s = 15;
	o->max_per_peer = 16;
	/* A full disk costs every later upload; keep room for the system. */
	o->min_free = 1ull << 30;
	o->min_free_inodes = 1024;
	for (int i = 1; i < argc; i += 2) {
		if (i + 1 >= argc)
			return td_fail(e, "%s needs a value", argv[i]);
		if (parse_opt(o, argv[i], argv[i + 1], e) < 0)
			return -1;
	}
	if (!o->port || !o->dir || !o->cert || !o->key)
		return td_fail(e, "--listen, --dir, --cert and --key are required");
	return 0;
}

static int listen_on(const char *host, uint16_t port, struct td_err *e)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons(port) };
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0), one = 1;

	inet_pton(AF_INET, host, &sa.sin_addr);
	if (fd < 0)
		return td_fail(e, "socket: %s", strerror(errno));
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	if (bind(fd, (struct sockaddr *)&sa, sizeof sa) < 0 || listen(fd, 128) < 0) {
		td_fail(e, "listening on %s:%u: %s", host, port, strerror(errno));
		close(fd);
		return -1;
	}
	return fd;
}

/* The parent's table of running children and their peer addresses. */
struct kids {
	pid_t *pid;
	uint32_t *addr;
	unsigned *slot;           /* each child's slot in the space table */
	struct td_rxspace space;
	unsigned n, cap;
	uint64_t refused, last_note; /* refusals not yet logged, and when we last logged */
	struct td_rx_counts *counts; /* shared with the metrics process (metrics.h) */
	int lfd, mfd;             /* the upload and metrics listening sockets (-1: none) */
	pid_t retain_pid, metrics_pid; /* 0: not running */
	uint64_t retain_next;     /* td_mono_ms() of the next periodic retention pass */
	int retain_again;         /* an upload completed: a pass is due */
	unsigned retain_passes;
	uint64_t metrics_next;    /* when the metrics process may be started again */
};

/* A session process ended with status st: count how. */
static void ended(struct kids *k, const struct td_rx_opts *o, pid_t pid, int st)
{
	int code = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
	unsigned how = code >= TD_RX_EXIT_BASE && code < TD_RX_EXIT_BASE + TD_RXO_N
		       ? (unsigned)(code - TD_RX_EXIT_BASE) : TD_RXO_CRASHED;

	td_count(&k->counts->ended[how], 1);
	if (how == TD_RXO_CRASHED)
		td_log("receive: session process %d ended %s %d", (int)pid,
		       WIFSIGNALED(st) ? "by signal" : "with status", WIFSIGNALED(st) ? WTERMSIG(st) : code);
	if (how == TD_RXO_STORED && o->max_bytes)
		k->retain_again = 1;
}

static void reap(struct kids *k, const struct td_rx_opts *o)
{
	pid_t pid;
	int st;

	while ((pid = waitpid(-1, &st, WNOHANG)) > 0) {
		if (pid == k->retain_pid) {
			k->retain_pid = 0;
			continue;
		}
		if (pid == k->metrics_pid) {
			td_log("receive: the metrics process ended (%s %d); starting another",
			       WIFSIGNALED(st) ? "signal" : "status",
			       WIFSIGNALED(st) ? WTERMSIG(st) : WEXITSTATUS(st));
			k->metrics_pid = 0;
			continue;
		}
		for (unsigned i = 0; i < k->n; i++)
			if (k->pid[i] == pid) {
				ended(k, o, pid, st);
				td_rxspace_release(&k->space, k->slot[i]);
				k->n--;
				k->pid[i] = k->pid[k->n];
				k->addr[i] = k->addr[k->n];
				k->slot[i] = k->slot[k->n];
				break;
			}
	}
	td_count_set(&k->counts->active, k->n);
}

static unsigned from_addr(const struct kids *k, uint32_t addr)
{
	unsigned c = 0;

	for (unsigned i = 0; i < k->n; i++)
		c += k->addr[i] == addr;
	return c;
}

/* The lowest space-table slot no child holds (there are max_clients). */
static unsigned free_slot(const struct kids *k)
{
	for (unsigned s = 0;; s++) {
		unsigned i = 0;

		while (i < k->n && k->slot[i] != s)
			i++;
		if (i == k->n)
			return s;
	}
}

/* A refused connection is closed at once (never left in the backlog to
 * stall its client); the log gets at most one line a second about it. */
static void refuse(struct kids *k, int fd, const char *peer, const char *why)
{
	uint64_t now = td_mono_ms();

	close(fd);
	td_count(&k->counts->ended[TD_RXO_REFUSED], 1);
	k->refused++;
	if (now - k->last_note < 1000)
		return;
	td_log("receive: %s: refused: %s (%llu refused since the last such line)", peer, why,
	       (unsigned long long)k->refused);
	k->refused = 0;
	k->last_note = now;
}

/* Accept one connection and hand it to a child, unless the receiver is
 * full or the peer's address has --max-per-peer connections already. */
static void accept_one(struct kids *k, const struct td_rx_opts *o,
		       const struct td_tls_ident *id, const struct td_tls_anchors *ca)
{
	struct sockaddr_in sa;
	socklen_t sl = sizeof sa;
	char peer[48], ip[INET_ADDRSTRLEN];
	int fd = accept4(k->lfd, (struct sockaddr *)&sa, &sl, SOCK_CLOEXEC);
	pid_t pid;

	if (fd < 0)
		return; /* EINTR, ECONNABORTED, EMFILE: try again later */
	td_count(&k->counts->started, 1);
	inet_ntop(AF_INET, &sa.sin_addr, ip, sizeof ip);
	snprintf(peer, sizeof peer, "%s:%u", ip, ntohs(sa.sin_port));
	reap(k, o);
	if (k->n >= o->max_clients || from_addr(k, sa.sin_addr.s_addr) >= o->max_per_peer) {
		refuse(k, fd, peer, k->n >= o->max_clients ? "receiver full (--max-clients)"
			   : "too many connections from this address (--max-per-peer)");
		return;
	}
	unsigned slot = free_slot(k);
	pid = fork();
	if (pid == 0) {
		struct td_rx_opts oc = *o;

		close(k->lfd);
		if (k->mfd >= 0)
			close(k->mfd);
		oc.space = &k->space;
		oc.space_slot = slot;
		oc.counts = k->counts;
		_exit(TD_RX_EXIT_BASE + (int)td_rx_serve(fd, peer, &oc, id, ca));
	}
	close(fd);
	if (pid < 0) {
		td_log("receive: %s: fork: %s; connection dropped", peer, strerror(errno));
		td_count(&k->counts->ended[TD_RXO_RECEIVER_ERROR], 1);
		return;
	}
	k->pid[k->n] = pid;
	k->slot[k->n] = slot;
	k->addr[k->n++] = sa.sin_addr.s_addr;
	td_count_set(&k->counts->active, k->n);
}

/* A retention pass, in a child, when one is due and none is running: at
 * start, every TD_RXRETAIN_PERIOD_S, and after a completed upload when
 * --max-bytes is set (one pass covers all the uploads that completed
 * while the previous one ran). */
static void retain_tick(struct kids *k, const struct td_rx_opts *o)
{
	uint64_t now = td_mono_ms();
	pid_t pid;

	if ((!o->keep_days && !o->max_bytes) || k->retain_pid ||
	    (now < k->retain_next && !k->retain_again))
		return;
	k->retain_next = now + TD_RXRETAIN_PERIOD_S * 1000ull;
	k->retain_again = 0;
	pid = fork();
	if (pid == 0) {
		struct td_rxretain r = { .dir = o->dir, .policy = { o->keep_days, o->max_bytes },
					 .space = &k->space, .counts = k->counts,
					 .first = k->retain_passes == 0 };
		struct td_err e;

		close(k->lfd);
		if (k->mfd >= 0)
			close(k->mfd);
		if (td_rxretain_run(&r, &e) < 0) {
			td_log("receive: %s", e.msg);
			_exit(1);
		}
		_exit(0);
	}
	if (pid < 0) {
		td_log("receive: retention: fork: %s; trying again in %u s", strerror(errno),
		       TD_RXRETAIN_PERIOD_S);
		return;
	}
	k->retain_pid = pid;
	k->retain_passes++;
}

/* The metrics process, started again (at most once a second) if it died. */
static void metrics_tick(struct kids *k, const struct td_rx_opts *o)
{
	uint64_t now = td_mono_ms();
	pid_t me = getpid(), pid;

	if (k->mfd < 0 || k->metrics_pid || now < k->metrics_next)
		return;
	k->metrics_next = now + 1000;
	pid = fork();
	if (pid == 0) {
		close(k->lfd);
		td_rxmetrics_serve(k->mfd, k->counts, o->dir, o->keep_days || o->max_bytes, me);
	}
	if (pid < 0)
		td_log("receive: metrics: fork: %s; trying again", strerror(errno));
	else
		k->metrics_pid = pid;
}

static __attribute__((noreturn)) void serve_forever(struct kids *k, const struct td_rx_opts *o,
						     const struct td_tls_ident *id,
						     const struct td_tls_anchors *ca)
{
	for (;;) {
		struct pollfd p = { .fd = k->lfd, .events = POLLIN };

		reap(k, o);
		metrics_tick(k, o);
		retain_tick(k, o);
		if (poll(&p, 1, 200) > 0 && (p.revents & POLLIN))
			accept_one(k, o, id, ca);
	}
}

/* What the operator chose about deleting and metrics, for the start line. */
static void describe_upkeep(const struct td_rx_opts *o, char *buf, size_t cap)
{
	int n;

	if (o->keep_days && o->max_bytes)
		n = snprintf(buf, cap, "; retention: dumps older than %u days, and the oldest complete "
			     "dumps beyond %llu bytes on disk", o->keep_days,
			     (unsigned long long)o->max_bytes);
	else if (o->keep_days)
		n = snprintf(buf, cap, "; retention: dumps older than %u days", o->keep_days);
	else if (o->max_bytes)
		n = snprintf(buf, cap, "; retention: the oldest complete dumps beyond %llu bytes on "
			     "disk", (unsigned long long)o->max_bytes);
	else
		n = snprintf(buf, cap, "; nothing is deleted (no --keep-days or --max-bytes)");
	if (o->metrics_port && n >= 0 && (size_t)n < cap)
		snprintf(buf + n, cap - (size_t)n, "; metrics on http://%s:%u/metrics",
			 o->metrics_host, o->metrics_port);
}

int td_cmd_receive(int argc, char **argv)
{
	struct td_rx_opts o;
	struct td_err e = { { 0 } };
	struct td_tls_ident id;
	struct td_tls_anchors ca;
	struct kids k = { .lfd = -1, .mfd = -1 };
	char upkeep[256];

	if (td_rx_parse(&o, argc, argv, &e) < 0) {
		td_log_fatal("receive: %s", e.msg);
		td_log(USAGE);
		return 2;
	}
	if (access(o.dir, W_OK | X_OK) < 0) {
		td_log_fatal("receive: --dir %s: %s", o.dir, strerror(errno));
		return 1;
	}
	if (td_tls_ident_load(&id, o.cert, o.key, &e) < 0) {
		td_log_fatal("receive: server certificate: %s", e.msg);
		return 1;
	}
	if (o.client_ca && td_tls_anchors_load(&ca, o.client_ca, &e) < 0) {
		td_log_fatal("receive: client CA: %s", e.msg);
		return 1;
	}
	k.cap = o.max_clients;
	k.pid = calloc(k.cap, sizeof *k.pid);
	k.addr = calloc(k.cap, sizeof *k.addr);
	k.slot = calloc(k.cap, sizeof *k.slot);
	if (!k.pid || !k.addr || !k.slot || td_rxspace_init(&k.space, k.cap) < 0 ||
	    !(k.counts = td_rxmetrics_map())) {
		td_log_fatal("receive: out of memory for %u clients", k.cap);
		return 1;
	}
	signal(SIGPIPE, SIG_IGN);
	if ((k.lfd = listen_on(o.listen_host, o.port, &e)) < 0 ||
	    (o.metrics_port && (k.mfd = listen_on(o.metrics_host, o.metrics_port, &e)) < 0)) {
		td_log_fatal("receive: %s%s", k.lfd >= 0 ? "--metrics: " : "", e.msg);
		return 1;
	}
	describe_upkeep(&o, upkeep, sizeof upkeep);
	td_log("receive: listening on %s:%u, storing in %s, client certificates %s%s%s; up to %u "
	       "clients, %u per address, %u s for a handshake; keeping %llu bytes and %llu inodes free%s",
	       o.listen_host, o.port, o.dir,
	       o.client_ca ? "required (CA " : "not required", o.client_ca ? o.client_ca : "",
	       o.client_ca ? ")" : "", o.max_clients, o.max_per_peer, o.handshake_s,
	       (unsigned long long)o.min_free, (unsigned long long)o.min_free_inodes, upkeep);
	serve_forever(&k, &o, &id, o.client_ca ? &ca : NULL);
}
