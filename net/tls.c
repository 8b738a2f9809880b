/* BearSSL engines pumped over a non-blocking socket with poll(). The engine
 * does no I/O (STYLE.md); pump() moves records between it and the socket
 * until the state the caller wants appears, and fails when a wait exceeds
 * the timeout without a byte moving. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "os/clock.h"
#include "tls.h"

#define LINGER_MS 2000 /* server: wait for the client to read our last words */

/* How long the next poll may wait: the stall timeout, cut to what is left
 * of the handshake deadline; -1 when the deadline has passed. */
static int wait_ms(const struct td_tls *t)
{
	uint64_t now;

	if (!t->deadline_ms)
		return (int)(t->timeout_s * 1000);
	now = td_mono_ms();
	if (now >= t->deadline_ms)
		return -1;
	return t->deadline_ms - now < t->timeout_s * 1000ull ? (int)(t->deadline_ms - now)
							     : (int)(t->timeout_s * 1000);
}

static int set_nonblock(int fd)
{
	int fl = fcntl(fd, F_GETFL);

	return fl < 0 ? -1 : fcntl(fd, F_SETFL, fl | O_NONBLOCK);
}

int td_tcp_connect(const char *host, uint16_t port, unsigned timeout_s, int *fd,
		   struct td_err *e)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons(port) };
	struct pollfd p;
	int err = 0, one = 1;
	socklen_t el = sizeof err;

	if (inet_pton(AF_INET, host, &sa.sin_addr) != 1)
		return td_fail(e, "connecting to %s:%u: not an IPv4 address", host, port);
	*fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (*fd < 0)
		return td_fail(e, "connecting to %s:%u: socket: %s", host, port, strerror(errno));
	setsockopt(*fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
	if (connect(*fd, (struct sockaddr *)&sa, sizeof sa) < 0) {
		err = errno;
		if (err == EINPROGRESS) {
			p = (struct pollfd){ .fd = *fd, .events = POLLOUT };
			int r = poll(&p, 1, (int)(timeout_s * 1000));

			if (r == 0)
				err = ETIMEDOUT;
			else if (r < 0 || getsockopt(*fd, SOL_SOCKET, SO_ERROR, &err, &el) < 0)
				err = errno;
		}
	}
	if (err) {
		close(*fd);
		*fd = -1;
		return td_fail(e, "connecting to %s:%u: %s%s", host, port, strerror(err),
			       err == ETIMEDOUT ? " (tinydump.timeout)" : "");
	}
	return 0;
}

int td_tls_seed(br_ssl_engine_context *eng, struct td_err *e)
{
	unsigned char seed[32];
	size_t n = 0;

	/* Blocking getrandom: waits for the CRNG once at boot, then never. */
	while (n < sizeof seed) {
		ssize_t r = getrandom(seed + n, sizeof seed - n, 0);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return td_fail(e, "getrandom: %s (no safe randomness for TLS)",
				       strerror(errno));
		n += (size_t)r;
	}
	br_ssl_engine_inject_entropy(eng, seed, sizeof seed);
	memset(seed, 0, sizeof seed);
	return 0;
}

/* ---- pump ---- */

/* 1: bytes moved, 0: would block, -1: error. */
static int try_send(struct td_tls *t, struct td_err *e)
{
	size_t len;
	unsigned char *buf = br_ssl_engine_sendrec_buf(t->eng, &len);
	ssize_t n;

	do
		n = send(t->fd, buf, len, MSG_NOSIGNAL);
	while (n < 0 && errno == EINTR);
	if (n > 0) {
		br_ssl_engine_sendrec_ack(t->eng, (size_t)n);
		return 1;
	}
	if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
		return 0;
	return td_fail(e, "sending to %s: %s", t->peer, n < 0 ? strerror(errno) : "no progress");
}

static int try_recv(struct td_tls *t, struct td_err *e)
{
	size_t len;
	unsigned char *buf = br_ssl_engine_recvrec_buf(t->eng, &len);
	ssize_t n;

	do
		n = recv(t->fd, buf, len, 0);
	while (n < 0 && errno == EINTR);
	if (n > 0) {
		br_ssl_engine_recvrec_ack(t->eng, (size_t)n);
		return 1;
	}
	if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
		return 0;
	t->peer_eof = 1;
	if (n == 0)
		return td_fail(e, "%s closed the connection", t->peer);
	return td_fail(e, "receiving from %s: %s", t->peer, strerror(errno));
}

/* The engine closed: cleanly (close_notify) or with an error. */
static int engine_closed(struct td_tls *t, struct td_err *e)
{
	int err = br_ssl_engine_last_error(t->eng);

	if (err == BR_ERR_OK)
		return td_fail(e, "%s closed the TLS session", t->peer);
	return td_fail(e, "TLS error with %s: BearSSL error %d: %s", t->peer, err,
		       td_tls_errname(err));
}

enum { PUMP_OK = 0, PUMP_SPOKE = 1 };

/* Move records until a state in `want` is reached (PUMP_OK), or the peer
 * sent application data we did not ask for (PUMP_SPOKE), or fail. */
static int pump(struct td_tls *t, unsigned want, struct td_err *e)
{
	for (;;) {
		unsigned st = br_ssl_engine_current_state(t->eng);
		struct pollfd p = { .fd = t->fd };
		int r;

		if (st & BR_SSL_CLOSED)
			return engine_closed(t, e);
		if ((st & BR_SSL_RECVAPP) && t->discard_input) {
			size_t n;

			br_ssl_engine_recvapp_buf(t->eng, &n);
			br_ssl_engine_recvapp_ack(t->eng, n);
			continue;
		}
		if ((st & BR_SSL_RECVAPP) && !(want & BR_SSL_RECVAPP))
			return PUMP_SPOKE;
		if (st & want)
			return PUMP_OK;
		/* Reading first: a peer's early reply is noticed while we send. */
		if ((st & BR_SSL_RECVREC) && (r = try_recv(t, e)) != 0) {
			if (r < 0)
				return -1;
			continue;
		}
		if ((st & BR_SSL_SENDREC) && (r = try_send(t, e)) != 0) {
			if (r < 0)
				return -1;
			continue;
		}
		p.events = (short)((st & BR_SSL_RECVREC ? POLLIN : 0) |
				   (st & BR_SSL_SENDREC ? POLLOUT : 0));
		if (!p.events)
			return td_fail(e, "TLS engine with %s is stuck (state 0x%x)", t->peer, st);
		if ((r = wait_ms(t)) < 0 && (t->timed_out = 1))
			return td_fail(e, "%s did not finish the TLS handshake within %u s "
				       "(--handshake-timeout)", t->peer, t->deadline_s);
		r = poll(&p, 1, r);
		if (r < 0 && errno != EINTR)
			return td_fail(e, "poll: %s", strerror(errno));
		if (r == 0 && t->deadline_ms && td_mono_ms() >= t->deadline_ms)
			continue; /* the deadline: reported above */
		if (r == 0 && (t->timed_out = 1))
			return td_fail(e, "no progress with %s for %u s: %s (tinydump.timeout)",
				       t->peer, t->timeout_s,
				       p.events & POLLOUT ? "it accepts no data"
							  : "nothing received");
	}
}

/* ---- errors in words (names in tlserr.c) ---- */

/* Why the handshake failed, in the user's terms. */
static void explain(const struct td_tls *t, int err, const char *name, char *buf, size_t cap)
{
	const char *who = t->server ? "client" : "server";
	char now[32];
	time_t tt = time(NULL);
	struct tm tm;

	strftime(now, sizeof now, "%Y-%m-%d %H:%M:%S", gmtime_r(&tt, &tm));
	if (err == TD_ERR_CLIENT_CERT)
		snprintf(buf, cap, "%s", t->pc.err.msg);
	else if (err == BR_ERR_X509_NOT_TRUSTED)
		snprintf(buf, cap, "%s certificate not trusted by %s", who, t->ca_path);
	else if (err == BR_ERR_X509_EXPIRED)
		snprintf(buf, cap, "%s certificate expired or not yet valid (clock says %s UTC)",
			 who, now);
	else if (err == BR_ERR_X509_BAD_SERVER_NAME)
		snprintf(buf, cap, "server certificate does not carry the DNS name \"%s\" "
			 "(tinydump.tls_name)", name ? name : "");
	else if (err == BR_ERR_NO_CLIENT_AUTH)
		snprintf(buf, cap, "client sent no certificate; one signed by %s is required",
			 t->ca_path);
	else if (err == BR_ERR_SEND_FATAL_ALERT + 40)
		snprintf(buf, cap, "sent TLS alert 40 (handshake failure), most often because no "
			 "cipher suite is in common (only ECDHE with AES-GCM or ChaCha20-Poly1305 "
			 "is accepted)");
	else if (err >= BR_ERR_RECV_FATAL_ALERT && err < BR_ERR_SEND_FATAL_ALERT)
		snprintf(buf, cap, "%s refused us with TLS alert %d (%s)%s", who,
			 err - BR_ERR_RECV_FATAL_ALERT, td_tls_alertname(err - BR_ERR_RECV_FATAL_ALERT),
			 t->server ? "" : "; does it accept our client certificate?");
	else
		snprintf(buf, cap, "%s", td_tls_errname(err));
}

/* BearSSL closes without an alert when a client certificate fails; send
 * the one that fits (td_peercheck_alert) so a stock client says why. The
 * server's side is still unencrypted at that point of the handshake (its
 * ChangeCipherSpec comes after the client's Finished), so the alert is a
 * plaintext record. */
static void refusal_alert(struct td_tls *t, int err)
{
	uint8_t rec[7] = { 0x15, 0x03, 0x03, 0x00, 0x02, 0x02, 0 };
	int a = td_peercheck_alert(&t->pc, err);

	if (!a || t->peer_eof)
		return;
	rec[6] = (uint8_t)a;
	if (send(t->fd, rec, sizeof rec, MSG_NOSIGNAL) != (ssize_t)sizeof rec)
		return; /* best effort: the peer may be gone */
}

/* Run the handshake; on failure say why. */
static int handshake(struct td_tls *t, const char *name, struct td_err *e)
{
	char why[256];
	int err;

	if (pump(t, BR_SSL_SENDAPP | BR_SSL_RECVAPP, e) >= 0) {
		t->established = 1;
		t->deadline_ms = 0;
		return 0;
	}
	if (t->deadline_ms && t->timed_out)
		return -1; /* the deadline message says it all */
	err = br_ssl_engine_last_error(t->eng);
	if (err == BR_ERR_OK || t->peer_eof) {
		if (t->peer_eof && !t->server)
			return td_wrap(e, "TLS handshake with %s failed (the receiver may have "
				       "refused our client certificate; see its log)", t->peer);
		return td_wrap(e, "TLS handshake with %s failed", t->peer);
	}
	if (t->server)
		refusal_alert(t, err);
	explain(t, err, name, why, sizeof why);
	return td_fail(e, "TLS handshake with %s failed: %s (BearSSL error %d: %s)", t->peer, why,
		       err, td_tls_errname(err));
}

static void tls_base(struct td_tls *t, int fd, const char *peer, unsigned timeout_s)
{
	memset(t, 0, sizeof *t - sizeof t->iobuf);
	t->fd = fd;
	t->timeout_s = timeout_s ? timeout_s : 1;
	snprintf(t->peer, sizeof t->peer, "%s", peer);
	set_nonblock(fd);
}

static void client_ident(struct td_tls *t, const struct td_tls_ident *id)
{
	if (id->key_type == BR_KEYTYPE_RSA)
		br_ssl_client_set_single_rsa(&t->u.c, id->chain, id->n, &id->rsa,
					     br_rsa_pkcs1_sign_get_default());
	else
		br_ssl_client_set_single_ec(&t->u.c, id->chain, id->n, &id->ec,
					    BR_KEYTYPE_SIGN, (unsigned)id->issuer_key_type,
					    br_ec_get_default(), br_ecdsa_sign_asn1_get_default());
}

/* Both ends: ECDHE with AEAD only (the full init functions would also
 * enable CBC, static RSA and static ECDH suites), and no renegotiation.
 * AES-GCM first where the CPU has AES-NI and PCLMULQDQ (many GB/s);
 * otherwise ChaCha20-Poly1305, which is faster in software (QEMU's default
 * CPU models have no AES-NI). BearSSL's server follows the client's order
 * among these. */
static void set_suites(br_ssl_engine_context *eng)
{
	static const uint16_t aes_first[] = {
		BR_TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256, BR_TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
		BR_TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,
		BR_TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256,
		BR_TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384, BR_TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
	};
	static const uint16_t chacha_first[] = {
		BR_TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,
		BR_TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256,
		BR_TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256, BR_TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
		BR_TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384, BR_TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
	};
	int fast_aes = br_aes_x86ni_ctr_get_vtable() != NULL && br_ghash_pclmul_get() != 0;

	br_ssl_engine_set_suites(eng, fast_aes ? aes_first : chacha_first,
				 sizeof aes_first / sizeof aes_first[0]);
	br_ssl_engine_add_flags(eng, BR_OPT_NO_RENEGOTIATION);
}

int td_tls_client(struct td_tls *t, int fd, const char *peer, const struct td_tls_client_cfg *c,
		  struct td_err *e)
{
	tls_base(t, fd, peer, c->timeout_s);
	t->ca_path = c->ca_path;
	br_ssl_client_init_full(&t->u.c, &t->xc, c->ca->ta, c->ca->n);
	t->eng = &t->u.c.eng;
	br_ssl_engine_set_versions(t->eng, BR_TLS12, BR_TLS12);
	set_suites(t->eng);
	br_ssl_engine_set_buffer(t->eng, t->iobuf, sizeof t->iobuf, 1);
	if (c->ident)
		client_ident(t, c->ident);
	if (td_tls_seed(t->eng, e) < 0)
		return -1;
	if (!br_ssl_client_reset(&t->u.c, c->name, 0))
		return td_fail(e, "TLS set-up for %s failed: BearSSL error %d: %s", t->peer,
			       br_ssl_engine_last_error(t->eng),
			       td_tls_errname(br_ssl_engine_last_error(t->eng)));
	return handshake(t, c->name, e);
}

/* Client authentication: validate against the client CA, then check the
 * certificate's EKU and CN (tlspeer.h). */
static void server_client_auth(struct td_tls *t, const struct td_tls_anchors *ca)
{
	br_x509_minimal_init_full(&t->xc, ca->ta, ca->n);
	td_peercheck_init(&t->pc, &t->xc);
	br_ssl_engine_set_default_rsavrfy(t->eng);
	br_ssl_engine_set_default_ecdsa(t->eng);
	br_ssl_engine_set_x509(t->eng, &t->pc.vtable);
	br_ssl_server_set_trust_anchor_names_alt(&t->u.s, ca->ta, ca->n);
}

int td_tls_server(struct td_tls *t, int fd, const char *peer, const struct td_tls_server_cfg *c,
		  struct td_err *e)
{
	const struct td_tls_ident *id = c->ident;

	tls_base(t, fd, peer, c->timeout_s);
	t->server = 1;
	if (c->handshake_s) {
		t->deadline_s = c->handshake_s;
		t->deadline_ms = td_mono_ms() + c->handshake_s * 1000ull;
	}
	t->ca_path = c->client_ca_path;
	if (id->key_type == BR_KEYTYPE_RSA)
		br_ssl_server_init_full_rsa(&t->u.s, id->chain, id->n, &id->rsa);
	else
		br_ssl_server_init_full_ec(&t->u.s, id->chain, id->n,
					   (unsigned)id->issuer_key_type, &id->ec);
	t->eng = &t->u.s.eng;
	br_ssl_engine_set_versions(t->eng, BR_TLS12, BR_TLS12);
	set_suites(t->eng);
	br_ssl_engine_set_buffer(t->eng, t->iobuf, sizeof t->iobuf, 1);
	if (c->client_ca)
		server_client_auth(t, c->client_ca);
	if (td_tls_seed(t->eng, e) < 0)
		return -1;
	if (!br_ssl_server_reset(&t->u.s))
		return td_fail(e, "TLS set-up for %s failed: BearSSL error %d", t->peer,
			       br_ssl_engine_last_error(t->eng));
	return handshake(t, NULL, e);
}

const char *td_tls_peer_cn(const struct td_tls *t)
{
	return t->server && t->established && t->pc.vtable ? t->pc.cn : "";
}

void td_tls_describe(const struct td_tls *t, char *buf, size_t cap)
{
	static const struct { uint16_t id; const char *name; } suites[] = {
		{ BR_TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256, "ECDHE_ECDSA_WITH_AES_128_GCM_SHA256" },
		{ BR_TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384, "ECDHE_ECDSA_WITH_AES_256_GCM_SHA384" },
		{ BR_TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,
		  "ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256" },
		{ BR_TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256, "ECDHE_RSA_WITH_AES_128_GCM_SHA256" },
		{ BR_TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384, "ECDHE_RSA_WITH_AES_256_GCM_SHA384" },
		{ BR_TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256,
		  "ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256" },
	};
	br_ssl_session_parameters sp;
	unsigned v = br_ssl_engine_get_version(t->eng);

	br_ssl_engine_get_session_parameters(t->eng, &sp);
	for (size_t i = 0; i < sizeof suites / sizeof suites[0]; i++)
		if (suites[i].id == sp.cipher_suite) {
			snprintf(buf, cap, "TLS 1.%u, %s", (v & 0xff) - 1, suites[i].name);
			return;
		}
	snprintf(buf, cap, "TLS 1.%u, cipher suite 0x%04x", (v & 0xff) - 1, sp.cipher_suite);
}

/* ---- application data ---- */

int td_tls_write(struct td_tls *t, const void *buf, size_t len, int *spoke, struct td_err *e)
{
	const unsigned char *p = buf;

	*spoke = 0;
	while (len > 0) {
		size_t room;
		unsigned char *dst;
		int r = pump(t, BR_SSL_SENDAPP, e);

		if (r < 0)
			return -1;
		if (r == PUMP_SPOKE) {
			*spoke = 1;
			return td_fail(e, "%s sent a reply before the upload ended", t->peer);
		}
		dst = br_ssl_engine_sendapp_buf(t->eng, &room);
		if (room > len)
			room = len;
		memcpy(dst, p, room);
		br_ssl_engine_sendapp_ack(t->eng, room);
		p += room;
		len -= room;
	}
	return 0;
}

int td_tls_flush(struct td_tls *t, struct td_err *e)
{
	br_ssl_engine_flush(t->eng, 0);
	for (;;) {
		unsigned st = br_ssl_engine_current_state(t->eng);

		if (!(st & BR_SSL_SENDREC) || (st & BR_SSL_CLOSED))
			return st & BR_SSL_CLOSED ? engine_closed(t, e) : 0;
		/* SENDAPP never coexists with SENDREC: wait for it to drain. */
		if (pump(t, BR_SSL_SENDAPP | BR_SSL_RECVAPP, e) < 0)
			return -1;
		if (br_ssl_engine_current_state(t->eng) & BR_SSL_RECVAPP)
			return 0; /* the peer spoke; the caller reads it */
	}
}

void td_tls_ignore_input(struct td_tls *t)
{
	t->discard_input = 1;
}

int td_tls_read(struct td_tls *t, void *buf, size_t cap, size_t *got, struct td_err *e)
{
	size_t avail;
	unsigned char *src;

	*got = 0;
	if (pump(t, BR_SSL_RECVAPP, e) < 0) {
		if (!t->peer_eof && br_ssl_engine_last_error(t->eng) == BR_ERR_OK &&
		    (br_ssl_engine_current_state(t->eng) & BR_SSL_CLOSED))
			return 0; /* close_notify: a clean end */
		return -1;
	}
	src = br_ssl_engine_recvapp_buf(t->eng, &avail);
	if (avail > cap)
		avail = cap;
	memcpy(buf, src, avail);
	br_ssl_engine_recvapp_ack(t->eng, avail);
	*got = avail;
	return 0;
}

int td_tls_read_full(struct td_tls *t, void *buf, size_t len, struct td_err *e)
{
	unsigned char *p = buf;
	size_t got;

	while (len > 0) {
		if (td_tls_read(t, p, len, &got, e) < 0)
			return -1;
		if (got == 0)
			return td_fail(e, "%s ended the TLS session early (%zu bytes missing)",
				       t->peer, len);
		p += got;
		len -= got;
	}
	return 0;
}

/* Server: after our last record, read and drop what the client still
 * sends for a moment, so closing does not reset the connection before the
 * client has read our reply. */
static void linger(struct td_tls *t)
{
	char junk[4096];
	struct pollfd p = { .fd = t->fd, .events = POLLIN };
	uint64_t end = td_mono_ms() + LINGER_MS, now;

	shutdown(t->fd, SHUT_WR);
	/* Bounded in time, not in reads: a client that keeps sending (or
	 * drips) is cut off after LINGER_MS all the same. */
	while ((now = td_mono_ms()) < end && poll(&p, 1, (int)(end - now)) >= 0) {
		ssize_t n = recv(t->fd, junk, sizeof junk, 0);

		if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR))
			break;
	}
}

/* Send what the engine holds (our close_notify), waiting at most 2 s. */
static void drain_out(struct td_tls *t)
{
	struct td_err e;
	struct pollfd p = { .fd = t->fd, .events = POLLOUT };
	uint64_t end = td_mono_ms() + LINGER_MS, now;
	int r;

	while (br_ssl_engine_current_state(t->eng) & BR_SSL_SENDREC) {
		r = try_send(t, &e);
		if (r < 0 || (now = td_mono_ms()) >= end ||
		    (r == 0 && poll(&p, 1, (int)(end - now)) <= 0))
			return;
	}
}

void td_tls_close(struct td_tls *t)
{
	if (t->fd < 0)
		return;
	/* A stuck peer gets no close_notify: it would only cost another wait. */
	if (t->eng && !(br_ssl_engine_current_state(t->eng) & BR_SSL_CLOSED) && !t->peer_eof &&
	    !t->timed_out) {
		br_ssl_engine_close(t->eng);
		drain_out(t);
	}
	if (t->server && !t->peer_eof && !t->timed_out)
		linger(t);
	close(t->fd);
	t->fd = -1;
}
