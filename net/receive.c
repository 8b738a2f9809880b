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

#include "os/log.h"
#include "receive.h"

#define USAGE "usage: tinydump receive --listen ADDR:PORT --dir DIR --cert FILE --key FILE " \
	      "[--client-ca FILE] [--min-free BYTES[K|M|G|T]] [--timeout S] [--max-clients N]"

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
	} else if (!strcmp(k, "--timeout") || !strcmp(k, "--max-clients")) {
		if (parse_num(v, 86400, 0, &n) < 0 || n == 0)
			return td_fail(e, "%s %s: want a number from 1 to 86400", k, v);
		*(k[2] == 't' ? &o->timeout_s : &o->max_clients) = (unsigned)n;
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

static unsigned reap(unsigned children)
{
	int st;

	while (children > 0 && waitpid(-1, &st, WNOHANG) > 0)
		children--;
	return children;
}

/* Accept one connection and hand it to a child. */
static int accept_one(int lfd, const struct td_rx_opts *o, const struct td_tls_ident *id,
		      const struct td_tls_anchors *ca)
{
	struct sockaddr_in sa;
	socklen_t sl = sizeof sa;
	char peer[48], ip[INET_ADDRSTRLEN];
	int fd = accept4(lfd, (struct sockaddr *)&sa, &sl, SOCK_CLOEXEC);
	pid_t pid;

	if (fd < 0)
		return 0; /* EINTR, ECONNABORTED, EMFILE: try again later */
	inet_ntop(AF_INET, &sa.sin_addr, ip, sizeof ip);
	snprintf(peer, sizeof peer, "%s:%u", ip, ntohs(sa.sin_port));
	pid = fork();
	if (pid == 0) {
		close(lfd);
		_exit(td_rx_serve(fd, peer, o, id, ca) == 0 ? 0 : 1);
	}
	close(fd);
	if (pid < 0) {
		td_log("receive: %s: fork: %s; connection dropped", peer, strerror(errno));
		return 0;
	}
	return 1;
}

static __attribute__((noreturn)) void serve_forever(int lfd, const struct td_rx_opts *o, const struct td_tls_ident *id,
			 const struct td_tls_anchors *ca)
{
	unsigned children = 0;

	for (;;) {
		struct pollfd p = { .fd = lfd, .events = POLLIN };

		children = reap(children);
		/* At the limit, leave connections in the backlog until one ends. */
		if (poll(&p, children < o->max_clients ? 1 : 0, 200) > 0 && (p.revents & POLLIN))
			children += (unsigned)accept_one(lfd, o, id, ca);
	}
}

int td_cmd_receive(int argc, char **argv)
{
	struct td_rx_opts o;
	struct td_err e = { { 0 } };
	struct td_tls_ident id;
	struct td_tls_anchors ca;
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
	signal(SIGPIPE, SIG_IGN);
	lfd = listen_on(&o, &e);
	if (lfd < 0) {
		td_log_fatal("receive: %s", e.msg);
		return 1;
	}
	td_log("receive: listening on %s:%u, storing in %s, client certificates %s%s%s", o.listen_host,
	       o.port, o.dir, o.client_ca ? "required (CA " : "not required",
	       o.client_ca ? o.client_ca : "", o.client_ca ? ")" : "");
	serve_forever(lfd, &o, &id, o.client_ca ? &ca : NULL);
}
