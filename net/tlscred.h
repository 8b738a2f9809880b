/* Certificates and keys for TLS: PEM files decoded with BearSSL's own
 * decoders (br_pem_decoder, br_x509_decoder, br_skey_decoder) into the
 * structures its engines take. Files are small and read once; each loader
 * owns what it allocates until the matching free. */
#ifndef TD_TLSCRED_H
#define TD_TLSCRED_H

#include <stddef.h>

#include <bearssl.h>

#include "os/err.h"

#define TD_TLS_PEM_FILE_MAX (256u << 10) /* a certificate file, a key file */
#define TD_TLS_MAX_CERTS 32              /* anchors in a CA file, certs in a chain */

/* Trust anchors: every certificate of a PEM file. CA certificates anchor
 * chains; a non-CA certificate is trusted directly (its key only). */
struct td_tls_anchors {
	br_x509_trust_anchor ta[TD_TLS_MAX_CERTS];
	size_t n;
};
int td_tls_anchors_load(struct td_tls_anchors *a, const char *path, struct td_err *e);
void td_tls_anchors_free(struct td_tls_anchors *a);

/* Our certificate chain (end-entity first) and its private key (PKCS#8,
 * or the raw "EC PRIVATE KEY" / "RSA PRIVATE KEY" forms). */
struct td_tls_ident {
	br_x509_certificate chain[TD_TLS_MAX_CERTS];
	size_t n;
	int key_type;          /* BR_KEYTYPE_RSA or BR_KEYTYPE_EC */
	int issuer_key_type;   /* key type of the CA that signed chain[0] */
	br_rsa_private_key rsa;
	br_ec_private_key ec;
	unsigned char *keymem; /* owns the key's big integers */
};
int td_tls_ident_load(struct td_tls_ident *id, const char *cert_path, const char *key_path,
		      struct td_err *e);
void td_tls_ident_free(struct td_tls_ident *id);

#endif
