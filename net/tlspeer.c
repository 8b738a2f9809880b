/* A br_x509_class that forwards every call to BearSSL's minimal engine and
 * keeps a copy of the end-entity certificate, checked once the chain is
 * (tlspeer.h). */
#include <string.h>

#include "tlspeer.h"

static struct td_peercheck *pc_of(const br_x509_class **ctx)
{
	return (struct td_peercheck *)(void *)ctx;
}

static void pc_start_chain(const br_x509_class **ctx, const char *server_name)
{
	struct td_peercheck *pc = pc_of(ctx);

	pc->certs = 0;
	pc->der_len = 0;
	pc->der_over = 0;
	pc->why = TD_CERT_OK;
	pc->cn[0] = 0;
	pc->inner->vtable->start_chain(&pc->inner->vtable, server_name);
}

static void pc_start_cert(const br_x509_class **ctx, uint32_t length)
{
	struct td_peercheck *pc = pc_of(ctx);

	if (pc->certs++ == 0 && length > sizeof pc->der)
		pc->der_over = 1;
	pc->inner->vtable->start_cert(&pc->inner->vtable, length);
}

static void pc_append(const br_x509_class **ctx, const unsigned char *buf, size_t len)
{
	struct td_peercheck *pc = pc_of(ctx);

	if (pc->certs == 1 && !pc->der_over) {
		if (len > sizeof pc->der - pc->der_len) {
			pc->der_over = 1;
		} else {
			memcpy(pc->der + pc->der_len, buf, len);
			pc->der_len += len;
		}
	}
	pc->inner->vtable->append(&pc->inner->vtable, buf, len);
}

static void pc_end_cert(const br_x509_class **ctx)
{
	struct td_peercheck *pc = pc_of(ctx);

	pc->inner->vtable->end_cert(&pc->inner->vtable);
}

/* BearSSL's verdict first; only a chain it accepts is read by us. */
static unsigned pc_end_chain(const br_x509_class **ctx)
{
	struct td_peercheck *pc = pc_of(ctx);
	unsigned r = pc->inner->vtable->end_chain(&pc->inner->vtable);

	if (r != 0)
		return r;
	if (pc->der_over) {
		pc->why = TD_CERT_MALFORMED;
		td_fail(&pc->err, "client certificate is larger than %u bytes", TD_CERT_DER_MAX);
	} else {
		pc->why = td_cert_check_client(pc->der, pc->der_len, pc->cn, sizeof pc->cn, &pc->err);
	}
	return pc->why == TD_CERT_OK ? 0 : TD_ERR_CLIENT_CERT;
}

static const br_x509_pkey *pc_get_pkey(const br_x509_class *const *ctx, unsigned *usages)
{
	const struct td_peercheck *pc = (const struct td_peercheck *)(const void *)ctx;

	return pc->inner->vtable->get_pkey(&pc->inner->vtable, usages);
}

static const br_x509_class pc_class = {
	sizeof(struct td_peercheck), pc_start_chain, pc_start_cert, pc_append,
	pc_end_cert, pc_end_chain, pc_get_pkey,
};

void td_peercheck_init(struct td_peercheck *pc, br_x509_minimal_context *inner)
{
	memset(pc, 0, offsetof(struct td_peercheck, der));
	pc->vtable = &pc_class;
	pc->inner = inner;
}

int td_peercheck_alert(const struct td_peercheck *pc, int err)
{
	if (err == BR_ERR_NO_CLIENT_AUTH)
		return 40; /* handshake_failure: RFC 5246 7.4.6, no certificate */
	if (err == TD_ERR_CLIENT_CERT)
		return pc->why == TD_CERT_EKU ? 43         /* unsupported_certificate */
		       : pc->why == TD_CERT_MALFORMED ? 42 /* bad_certificate */
		       : 49;                               /* access_denied: no usable CN */
	if (err == BR_ERR_X509_NOT_TRUSTED)
		return 48; /* unknown_ca */
	if (err == BR_ERR_X509_EXPIRED)
		return 45; /* certificate_expired */
	if (err > BR_ERR_X509_OK && err < 64)
		return 42; /* bad_certificate */
	return 0;
}
