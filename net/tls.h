/* TLS 1.2 over a TCP socket with BearSSL, client and server side, driven
 * by poll() on a non-blocking socket.
 *
 * Timeouts: `timeout_s` bounds each wait (DESIGN.md, tinydump.timeout):
 * a connect, or any period in which not one byte can move in the direction
 * we need. A transfer that keeps moving is never cut short. The server's
 * handshake has in addition one deadline for the whole of it, so a peer
 * that drips bytes cannot hold a connection.
 *
 * Randomness: each engine is seeded from getrandom(), which blocks until
 * the kernel's CRNG is initialised (never weak randomness; BearSSL 0.6 by
 * itself would only try RDRAND or /dev/urandom).
 *
 * Errors say what failed, with whom, and why in words, e.g.
 * "TLS handshake with 10.0.2.2:7000 failed: server certificate not trusted
 *  by /etc/tinydump/ca.pem (BearSSL error 62: X509 not trusted)". */
#ifndef TD_TLS_H
#define TD_TLS_H

#include <stddef.h>
#include <stdint.h>

#include <bearssl.h>

#include "os/err.h"
#include "tlscred.h"
#include "tlspeer.h"

struct td_tls {
	int fd;
	int server;
	unsigned timeout_s;
	char peer[48];           /* "10.0.2.2:7000", for messages */
	const char *ca_path;     /* for messages: what anchored the peer check */
	union {
		br_ssl_client_context c;
		br_ssl_server_context s;
	} u;
	br_ssl_engine_context *eng;
	br_x509_minimal_context xc;
	struct td_peercheck pc;  /* server with client auth: wraps xc (tlspeer.h) */
	int peer_eof;            /* the peer closed TCP */
	int timed_out;           /* a wait exceeded timeout_s: the peer is stuck */
	uint64_t deadline_ms;    /* td_mono_ms() by which the handshake must end; 0: none */
	unsigned deadline_s;     /* for messages */
	int established;         /* the handshake succeeded */
	int discard_input;       /* drop the peer's application data (see below) */
	unsigned char iobuf[BR_SSL_BUFSIZE_BIDI];
};

/* Connect to an IPv4 literal host:port within timeout_s. */
int td_tcp_connect(const char *host, uint16_t port, unsigned timeout_s, int *fd,
		   struct td_err *e);

struct td_tls_client_cfg {
	const char *name;                  /* DNS name the server certificate must carry */
	const struct td_tls_anchors *ca;
	const char *ca_path;               /* for messages */
	const struct td_tls_ident *ident;  /* client certificate, or NULL */
	unsigned timeout_s;
};

/* Run the client handshake on a connected socket (t takes fd over; it is
 * closed by td_tls_close, also after a failure here). */
int td_tls_client(struct td_tls *t, int fd, const char *peer, const struct td_tls_client_cfg *c,
		  struct td_err *e);

struct td_tls_server_cfg {
	const struct td_tls_ident *ident;       /* our certificate and key */
	const struct td_tls_anchors *client_ca; /* non-NULL: a client certificate is required */
	const char *client_ca_path;
	unsigned timeout_s;
	unsigned handshake_s;                   /* the whole handshake; 0: only timeout_s */
};

/* Run the server handshake on an accepted socket. */
int td_tls_server(struct td_tls *t, int fd, const char *peer, const struct td_tls_server_cfg *c,
		  struct td_err *e);

/* After a successful server handshake with client auth: the client
 * certificate's CN, checked by tlspeer.h (1..TD_CN_MAX bytes, no NUL, but
 * otherwise any bytes); "" without client auth or after a failure. */
const char *td_tls_peer_cn(const struct td_tls *t);

/* "TLS 1.2, ECDHE_ECDSA_WITH_AES_128_GCM_SHA256" */
void td_tls_describe(const struct td_tls *t, char *buf, size_t cap);

/* Queue len bytes; they go out as records fill, or at td_tls_flush. Fails
 * with TD_TLS_PEER_SPOKE set in *spoke when the peer sent application
 * data meanwhile (the receiver's early reply: read it). */
int td_tls_write(struct td_tls *t, const void *buf, size_t len, int *spoke, struct td_err *e);
int td_tls_flush(struct td_tls *t, struct td_err *e);

/* From now on, drop whatever application data the peer sends, so that our
 * last words (the receiver's error reply) go out while the client is still
 * streaming. */
void td_tls_ignore_input(struct td_tls *t);

/* Read up to cap bytes (at least one); *got = 0 means a clean close. */
int td_tls_read(struct td_tls *t, void *buf, size_t cap, size_t *got, struct td_err *e);
/* Read exactly len bytes; a close before that is an error. */
int td_tls_read_full(struct td_tls *t, void *buf, size_t len, struct td_err *e);

/* Send close_notify (best effort, bounded by the timeout) and close the
 * socket. Safe after any failure. */
void td_tls_close(struct td_tls *t);

/* Words for a BearSSL error code: "X509 not trusted" (tlserr.c). */
const char *td_tls_errname(int err);
/* Words for a TLS alert number: "unknown CA". */
const char *td_tls_alertname(int alert);

/* Seed a BearSSL engine from getrandom(). */
int td_tls_seed(br_ssl_engine_context *eng, struct td_err *e);

#endif
