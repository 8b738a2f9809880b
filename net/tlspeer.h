/* The receiver's check of client certificates: an X.509 engine that wraps
 * BearSSL's minimal one (chain, dates, key usage) and adds what it lacks
 * (clientid.h): the extended key usage, and a strictly read CN that names
 * the upload. A refused certificate fails the handshake inside BearSSL, so
 * nothing of the protocol is read from such a peer. */
#ifndef TD_TLSPEER_H
#define TD_TLSPEER_H

#include <stddef.h>
#include <stdint.h>

#include <bearssl.h>

#include "os/err.h"
#include "clientid.h"

#define TD_CERT_DER_MAX (16u << 10) /* a longer client certificate is refused */

/* end_chain's error when our own check refused the certificate (BearSSL
 * leaves 64..255 unused by its X.509 and SSL codes). */
#define TD_ERR_CLIENT_CERT 200

struct td_peercheck {
	const br_x509_class *vtable; /* first: BearSSL calls through it */
	br_x509_minimal_context *inner;
	unsigned certs;              /* certificates seen in this chain */
	size_t der_len;
	int der_over;                /* the end-entity certificate did not fit */
	enum td_cert_why why;        /* TD_CERT_OK, or why it was refused */
	struct td_err err;           /* ... in words */
	char cn[TD_CN_MAX + 1];      /* the checked CN once the chain is accepted */
	uint8_t der[TD_CERT_DER_MAX];
};

/* Wrap inner (already initialised with the trust anchors); pass
 * &pc->vtable to br_ssl_engine_set_x509. */
void td_peercheck_init(struct td_peercheck *pc, br_x509_minimal_context *inner);

/* The TLS 1.2 alert that fits a failed client-certificate check (BearSSL
 * error err): 0 if the failure is not about the client's certificate. */
int td_peercheck_alert(const struct td_peercheck *pc, int err);

#endif
