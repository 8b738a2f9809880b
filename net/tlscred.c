/* PEM -> DER -> BearSSL trust anchors, certificate chains and private keys.
 * BearSSL's decoders point into their own contexts, so everything kept is
 * copied into memory owned here (one block per anchor, one per key). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "os/file.h"
#include "tlscred.h"

/* A decoded PEM object. */
struct pem_obj {
	char name[128];
	unsigned char *der;
	size_t len, cap;
	int overflow;
};

/* The whole file in a new buffer of TD_TLS_PEM_FILE_MAX + 2 bytes: up to
 * the maximum, a NUL td_read_file adds, and room for the caller's newline. */
static int read_file(const char *path, unsigned char **buf, size_t *len, struct td_err *e)
{
	if (!(*buf = malloc(TD_TLS_PEM_FILE_MAX + 2)))
		return td_fail(e, "%s: out of memory", path);
	if (td_read_file(path, (char *)*buf, TD_TLS_PEM_FILE_MAX + 1, len, e) == 0)
		return 0;
	free(*buf);
	if (errno == EFBIG)
		return td_fail(e, "%s: larger than %u bytes; not a certificate or key file", path,
			       TD_TLS_PEM_FILE_MAX);
	return -1;
}

static void obj_append(void *ctx, const void *src, size_t len)
{
	struct pem_obj *o = ctx;

	if (len > o->cap - o->len) {
		o->overflow = 1;
		return;
	}
	memcpy(o->der + o->len, src, len);
	o->len += len;
}

/* Call fn for each PEM object of the file; the DER is valid during the call. */
static int pem_each(const char *path, int (*fn)(void *ctx, struct pem_obj *o, struct td_err *e),
		    void *ctx, struct td_err *e)
{
	br_pem_decoder_context pc;
	struct pem_obj o = { 0 };
	unsigned char *buf;
	size_t len = 0, off = 0;
	int inside = 0, rc = 0;

	if (read_file(path, &buf, &len, e) < 0)
		return -1;
	buf[len++] = '\n'; /* the decoder needs the last line ended */
	o.cap = len;       /* DER is shorter than its PEM text */
	o.der = malloc(o.cap);
	if (!o.der) {
		free(buf);
		return td_fail(e, "%s: out of memory", path);
	}
	br_pem_decoder_init(&pc);
	while (off < len && rc == 0) {
		off += br_pem_decoder_push(&pc, buf + off, len - off);
		switch (br_pem_decoder_event(&pc)) {
		case BR_PEM_BEGIN_OBJ:
			snprintf(o.name, sizeof o.name, "%s", br_pem_decoder_name(&pc));
			o.len = 0;
			o.overflow = 0;
			br_pem_decoder_setdest(&pc, obj_append, &o);
			inside = 1;
			break;
		case BR_PEM_END_OBJ:
			inside = 0;
			rc = o.overflow ? td_fail(e, "%s: PEM object too large", path) : fn(ctx, &o, e);
			break;
		case BR_PEM_ERROR:
			rc = td_fail(e, "%s: malformed PEM (bad base64 or framing)", path);
			break;
		}
	}
	if (rc == 0 && inside)
		rc = td_fail(e, "%s: PEM object \"%s\" has no END line", path, o.name);
	free(o.der);
	free(buf);
	return rc;
}

static int is_cert(const char *name)
{
	return strcmp(name, "CERTIFICATE") == 0 || strcmp(name, "X509 CERTIFICATE") == 0;
}

/* ---- trust anchors ---- */

struct dn_buf {
	unsigned char *p;
	size_t len, cap;
};

static void dn_append(void *ctx, const void *src, size_t len)
{
	struct dn_buf *d = ctx;

	if (len <= d->cap - d->len) {
		memcpy(d->p + d->len, src, len);
		d->len += len;
	}
}

struct anchor_load {
	struct td_tls_anchors *a;
	const char *path;
};

static size_t pkey_size(const br_x509_pkey *k)
{
	return k->key_type == BR_KEYTYPE_RSA ? k->key.rsa.nlen + k->key.rsa.elen : k->key.ec.qlen;
}

/* One block: DN, then the key's integers. */
static int anchor_fill(br_x509_trust_anchor *ta, const struct dn_buf *dn, const br_x509_pkey *k)
{
	unsigned char *m = malloc(dn->len + pkey_size(k) + 1), *q;

	if (!m)
		return -1;
	memcpy(m, dn->p, dn->len);
	ta->dn.data = m;
	ta->dn.len = dn->len;
	q = m + dn->len;
	ta->pkey.key_type = k->key_type;
	if (k->key_type == BR_KEYTYPE_RSA) {
		ta->pkey.key.rsa.n = memcpy(q, k->key.rsa.n, k->key.rsa.nlen);
		ta->pkey.key.rsa.nlen = k->key.rsa.nlen;
		ta->pkey.key.rsa.e = memcpy(q + k->key.rsa.nlen, k->key.rsa.e, k->key.rsa.elen);
		ta->pkey.key.rsa.elen = k->key.rsa.elen;
	} else {
		ta->pkey.key.ec.curve = k->key.ec.curve;
		ta->pkey.key.ec.q = memcpy(q, k->key.ec.q, k->key.ec.qlen);
		ta->pkey.key.ec.qlen = k->key.ec.qlen;
	}
	return 0;
}

static int anchor_obj(void *ctx, struct pem_obj *o, struct td_err *e)
{
	struct anchor_load *l = ctx;
	br_x509_decoder_context dc;
	struct dn_buf dn = { malloc(o->len), 0, o->len };
	br_x509_trust_anchor *ta = &l->a->ta[l->a->n];
	const br_x509_pkey *k;
	int rc = 0;

	if (!is_cert(o->name))
		return 0; /* other objects in a CA file are ignored */
	if (l->a->n == TD_TLS_MAX_CERTS)
		rc = td_fail(e, "%s: more than %d certificates", l->path, TD_TLS_MAX_CERTS);
	if (rc == 0 && !dn.p)
		rc = td_fail(e, "%s: out of memory", l->path);
	if (rc == 0) {
		br_x509_decoder_init(&dc, dn_append, &dn);
		br_x509_decoder_push(&dc, o->der, o->len);
		k = br_x509_decoder_get_pkey(&dc);
		if (!k)
			rc = td_fail(e, "%s: certificate %zu does not decode (BearSSL error %d)",
				     l->path, l->a->n + 1, br_x509_decoder_last_error(&dc));
	}
	if (rc == 0) {
		memset(ta, 0, sizeof *ta);
		ta->flags = br_x509_decoder_isCA(&dc) ? BR_X509_TA_CA : 0;
		if (anchor_fill(ta, &dn, k) < 0)
			rc = td_fail(e, "%s: out of memory", l->path);
		else
			l->a->n++;
	}
	free(dn.p);
	return rc;
}

int td_tls_anchors_load(struct td_tls_anchors *a, const char *path, struct td_err *e)
{
	struct anchor_load l = { a, path };

	memset(a, 0, sizeof *a);
	if (pem_each(path, anchor_obj, &l, e) < 0) {
		td_tls_anchors_free(a);
		return -1;
	}
	if (a->n == 0)
		return td_fail(e, "%s: no certificate in it", path);
	return 0;
}

void td_tls_anchors_free(struct td_tls_anchors *a)
{
	for (size_t i = 0; i < a->n; i++)
		free(a->ta[i].dn.data);
	a->n = 0;
}

/* ---- certificate chain and key ---- */

struct ident_load {
	struct td_tls_ident *id;
	const char *path;
	int keys;
};

static int chain_obj(void *ctx, struct pem_obj *o, struct td_err *e)
{
	struct ident_load *l = ctx;
	br_x509_certificate *c = &l->id->chain[l->id->n];

	if (!is_cert(o->name))
		return 0;
	if (l->id->n == TD_TLS_MAX_CERTS)
		return td_fail(e, "%s: more than %d certificates", l->path, TD_TLS_MAX_CERTS);
	c->data = malloc(o->len);
	if (!c->data)
		return td_fail(e, "%s: out of memory", l->path);
	memcpy(c->data, o->der, o->len);
	c->data_len = o->len;
	l->id->n++;
	return 0;
}

static int copy_rsa(struct td_tls_ident *id, const br_rsa_private_key *k)
{
	size_t n = k->plen + k->qlen + k->dplen + k->dqlen + k->iqlen;
	unsigned char *m = malloc(n + 1);

	if (!m)
		return -1;
	id->keymem = m;
	id->rsa = *k;
	id->rsa.p = memcpy(m, k->p, k->plen), m += k->plen;
	id->rsa.q = memcpy(m, k->q, k->qlen), m += k->qlen;
	id->rsa.dp = memcpy(m, k->dp, k->dplen), m += k->dplen;
	id->rsa.dq = memcpy(m, k->dq, k->dqlen), m += k->dqlen;
	id->rsa.iq = memcpy(m, k->iq, k->iqlen);
	return 0;
}

static int copy_ec(struct td_tls_ident *id, const br_ec_private_key *k)
{
	id->keymem = malloc(k->xlen + 1);
	if (!id->keymem)
		return -1;
	id->ec = *k;
	id->ec.x = memcpy(id->keymem, k->x, k->xlen);
	return 0;
}

static int key_obj(void *ctx, struct pem_obj *o, struct td_err *e)
{
	struct ident_load *l = ctx;
	br_skey_decoder_context kc;
	int err;

	if (strcmp(o->name, "PRIVATE KEY") != 0 && strcmp(o->name, "EC PRIVATE KEY") != 0 &&
	    strcmp(o->name, "RSA PRIVATE KEY") != 0)
		return 0; /* e.g. "EC PARAMETERS" before the key */
	if (l->keys++)
		return td_fail(e, "%s: more than one private key", l->path);
	br_skey_decoder_init(&kc);
	br_skey_decoder_push(&kc, o->der, o->len);
	err = br_skey_decoder_last_error(&kc);
	if (err)
		return td_fail(e, "%s: private key does not decode (BearSSL error %d; encrypted "
			       "keys are not supported)", l->path, err);
	l->id->key_type = br_skey_decoder_key_type(&kc);
	if ((l->id->key_type == BR_KEYTYPE_RSA ? copy_rsa(l->id, br_skey_decoder_get_rsa(&kc))
					       : copy_ec(l->id, br_skey_decoder_get_ec(&kc))) < 0)
		return td_fail(e, "%s: out of memory", l->path);
	return 0;
}

static int issuer_type(struct td_tls_ident *id, const char *path, struct td_err *e)
{
	br_x509_decoder_context dc;

	br_x509_decoder_init(&dc, NULL, NULL);
	br_x509_decoder_push(&dc, id->chain[0].data, id->chain[0].data_len);
	if (!br_x509_decoder_get_pkey(&dc))
		return td_fail(e, "%s: first certificate does not decode (BearSSL error %d)", path,
			       br_x509_decoder_last_error(&dc));
	id->issuer_key_type = br_x509_decoder_get_signer_key_type(&dc);
	return 0;
}

int td_tls_ident_load(struct td_tls_ident *id, const char *cert_path, const char *key_path,
		      struct td_err *e)
{
	struct ident_load cl = { id, cert_path, 0 }, kl = { id, key_path, 0 };

	memset(id, 0, sizeof *id);
	if (pem_each(cert_path, chain_obj, &cl, e) < 0)
		goto fail;
	if (id->n == 0) {
		td_fail(e, "%s: no certificate in it", cert_path);
		goto fail;
	}
	if (issuer_type(id, cert_path, e) < 0 || pem_each(key_path, key_obj, &kl, e) < 0)
		goto fail;
	if (kl.keys == 0) {
		td_fail(e, "%s: no private key in it", key_path);
		goto fail;
	}
	return 0;
fail:
	td_tls_ident_free(id);
	return -1;
}

void td_tls_ident_free(struct td_tls_ident *id)
{
	for (size_t i = 0; i < id->n; i++)
		free(id->chain[i].data);
	id->n = 0;
	free(id->keymem);
	id->keymem = NULL;
}
