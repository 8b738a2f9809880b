/* `tinydump receive`: options, the listening socket and one child process
 * per connection (receive.h). The parent only accepts and reaps; a child
 * that crashes or hangs costs one upload, never the others. */
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

#define USAGE "usage: tinydump receive --listen ADDR:PORT --dir DIR --cert FILE --key FILE " \
	      "[--client-ca FILE] [--min-free BYTES[K|M|G|T]] [--min-free-inodes N] [--timeout S] [--max-clients N] " \
	      "[--max-per-peer N] [--handshake-timeout S]"

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

static int parse_listen(struct td_rx_opts *o, const char *s)
{
	const char *c = strrchr(s, ':');
	struct in_addr a;
	uint64_t port;

	if (!c || c == s || (size_t)(c - s) >= sizeof o->listen_host)
		return -1;
	memcpy(o->listen_host, s, (size_t)(c - s));
	o->listen_host[c - s] = 0;
	if (inet_pton(AF_INET, o->listen_host, &a) != 1 || parse_num(c + 1, 65535, 0, &port) < 0 ||
	    port == 0)
		return -1;
	o->port = (uint16_t)port;
	return 0;
}

/* One option with its value; returns -1 naming the problem. */
static int parse_opt(struct td_rx_opts *o, const char *k, const char *v, struct td_err *e)
{
	uint64_t n;

	if (!strcmp(k, "--listen")) {
		if (parse_listen(o, v) < 0)
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

static int listen_on(const struct td_rx_opts *o, struct td_err *e)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons(o->port) };
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0), one = 1;

	inet_pton(AF_INET, o->listen_host, &sa.sin_addr);
	if (fd < 0)
		return td_fail(e, "socket: %s", strerror(errno));
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	if (bind(fd, (struct sockaddr *)&sa, sizeof sa) < 0 || listen(fd, 128) < 0) {
		td_fail(e, "listening on %s:%u: %s", o->listen_host, o->port, strerror(errno));
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
};

static void reap(struct kids *k)
{
	pid_t pid;
	int st;

	while (k->n > 0 && (pid = waitpid(-1, &st, WNOHANG)) > 0)
		for (unsigned i = 0; i < k->n; i++)
			if (k->pid[i] == pid) {
				td_rxspace_release(&k->space, k->slot[i]);
				k->n--;
				k->pid[i] = k->pid[k->n];
				k->addr[i] = k->addr[k->n];
				k->slot[i] = k->slot[k->n];
				break;
			}
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
static void accept_one(int lfd, struct kids *k, const struct td_rx_opts *o,
		       const struct td_tls_ident *id, const struct td_tls_anchors *ca)
{
	struct sockaddr_in sa;
	socklen_t sl = sizeof sa;
	char peer[48], ip[INET_ADDRSTRLEN];
	int fd = accept4(lfd, (struct sockaddr *)&sa, &sl, SOCK_CLOEXEC);
	pid_t pid;

	if (fd < 0)
		return; /* EINTR, ECONNABORTED, EMFILE: try again later */
	inet_ntop(AF_INET, &sa.sin_addr, ip, sizeof ip);
	snprintf(peer, sizeof peer, "%s:%u", ip, ntohs(sa.sin_port));
	reap(k);
	if (k->n >= o->max_clients || from_addr(k, sa.sin_addr.s_addr) >= o->max_per_peer) {
		refuse(k, fd, peer, k->n >= o->max_clients ? "receiver full (--max-clients)"
			   : "too many connections from this address (--max-per-peer)");
		return;
	}
	unsigned slot = free_slot(k);
	pid = fork();
	if (pid == 0) {
		struct td_rx_opts oc = *o;

		close(lfd);
		oc.space = &k->space;
		oc.space_slot = slot;
		_exit(td_rx_serve(fd, peer, &oc, id, ca) == 0 ? 0 : 1);
	}
	close(fd);
	if (pid < 0) {
		td_log("receive: %s: fork: %s; connection dropped", peer, strerror(errno));
		return;
	}
	k->pid[k->n] = pid;
	k->slot[k->n] = slot;
	k->addr[k->n++] = sa.sin_addr.s_addr;
}

static __attribute__((noreturn)) void serve_forever(int lfd, struct kids *k,
						     const struct td_rx_opts *o,
						     const struct td_tls_ident *id,
						     const struct td_tls_anchors *ca)
{
	for (;;) {
		struct pollfd p = { .fd = lfd, .events = POLLIN };

		reap(k);
		if (poll(&p, 1, 200) > 0 && (p.revents & POLLIN))
			accept_one(lfd, k, o, id, ca);
	}
}

int td_cmd_receive(int argc, char **argv)
{
	struct td_rx_opts o;
	struct td_err e = { { 0 } };
	struct td_tls_ident id;
	struct td_tls_anchors ca;
	struct kids k = { 0 };
	int lfd;

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
	if (!k.pid || !k.addr || !k.slot || td_rxspace_init(&k.space, k.cap) < 0) {
		td_log_fatal("receive: out of memory for %u clients", k.cap);
		return 1;
	}
	signal(SIGPIPE, SIG_IGN);
	lfd = listen_on(&o, &e);
	if (lfd < 0) {
		td_log_fatal("receive: %s", e.msg);
		return 1;
	}
	td_log("receive: listening on %s:%u, storing in %s, client certificates %s%s%s; up to %u "
	       "clients, %u per address, %u s for a handshake; keeping %llu bytes and %llu inodes free",
	       o.listen_host, o.port, o.dir,
	       o.client_ca ? "required (CA " : "not required", o.client_ca ? o.client_ca : "",
	       o.client_ca ? ")" : "", o.max_clients, o.max_per_peer, o.handshake_s,
	       (unsigned long long)o.min_free, (unsigned long long)o.min_free_inodes);
	serve_forever(lfd, &k, &o, &id, o.client_ca ? &ca : NULL);
}
