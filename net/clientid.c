/* Client identity: a strict walk of the certificate DER (clientid.h) and
 * the CN's directory-name form. Only what is needed is decoded; every
 * length is checked against what encloses it. */
#include <string.h>

#include "clientid.h"

/* A DER value: tag and contents. */
struct tlv {
	uint8_t tag;
	const uint8_t *p;
	size_t n;
};

/* Read one TLV from *p (*n bytes left) and advance. Definite lengths of at
 * most 4 bytes, low tag numbers only; -1 on anything else. */
static int next(const uint8_t **p, size_t *n, struct tlv *t)
{
	size_t len, hdr = 2;

	if (*n < 2 || ((*p)[0] & 0x1f) == 0x1f)
		return -1;
	t->tag = (*p)[0];
	len = (*p)[1];
	if (len & 0x80) {
		unsigned k = len & 0x7f;

		if (k == 0 || k > 4 || *n < 2 + k)
			return -1;
		len = 0;
		for (unsigned i = 0; i < k; i++)
			len = len << 8 | (*p)[2 + i];
		hdr += k;
	}
	if (len > *n - hdr)
		return -1;
	t->p = *p + hdr;
	t->n = len;
	*p += hdr + len;
	*n -= hdr + len;
	return 0;
}

/* The next TLV must carry this tag. */
static int want(const uint8_t **p, size_t *n, uint8_t tag, struct tlv *t)
{
	return next(p, n, t) < 0 || t->tag != tag ? -1 : 0;
}

static int oid_is(const struct tlv *t, const uint8_t *oid, size_t len)
{
	return t->tag == 0x06 && t->n == len && memcmp(t->p, oid, len) == 0;
}

enum { SEQ = 0x30, SET = 0x31, OID = 0x06, OCTETS = 0x04, BOOL = 0x01 };

/* Find the CN in the subject: exactly one, a text string of 1..TD_CN_MAX
 * bytes without NUL. */
static enum td_cert_why subject_cn(const struct tlv *subj, char *cn, size_t cap, struct td_err *e)
{
	static const uint8_t cn_oid[] = { 0x55, 0x04, 0x03 };
	const uint8_t *p = subj->p;
	size_t n = subj->n, found = 0;
	struct tlv rdn, atv, type, val;

	while (n > 0) {
		if (want(&p, &n, SET, &rdn) < 0)
			return td_fail(e, "client certificate subject is malformed"), TD_CERT_MALFORMED;
		const uint8_t *q = rdn.p;
		size_t m = rdn.n;

		while (m > 0) {
			const uint8_t *r;
			size_t k;

			if (want(&q, &m, SEQ, &atv) < 0)
				return td_fail(e, "client certificate subject is malformed"),
				       TD_CERT_MALFORMED;
			r = atv.p;
			k = atv.n;
			if (want(&r, &k, OID, &type) < 0 || next(&r, &k, &val) < 0 || k != 0)
				return td_fail(e, "client certificate subject is malformed"),
				       TD_CERT_MALFORMED;
			if (!oid_is(&type, cn_oid, sizeof cn_oid))
				continue;
			if (found++)
				return td_fail(e, "client certificate has more than one CN"), TD_CERT_NO_CN;
			/* UTF8String, PrintableString, IA5String */
			if (val.tag != 0x0c && val.tag != 0x13 && val.tag != 0x16)
				return td_fail(e, "client certificate CN is not a text string (ASN.1 "
					       "tag 0x%02x)", val.tag), TD_CERT_BAD_CN;
			if (val.n == 0)
				return td_fail(e, "client certificate CN is empty"), TD_CERT_BAD_CN;
			if (val.n > TD_CN_MAX || val.n >= cap)
				return td_fail(e, "client certificate CN is %zu bytes (at most %d)", val.n,
					       TD_CN_MAX), TD_CERT_BAD_CN;
			if (memchr(val.p, 0, val.n))
				return td_fail(e, "client certificate CN contains a NUL byte"),
				       TD_CERT_BAD_CN;
			memcpy(cn, val.p, val.n);
			cn[val.n] = 0;
			if ((k = td_ident_encode(cn, NULL, 0)) > TD_IDENT_MAX)
				return td_fail(e, "client certificate CN would name a directory of %zu "
					       "characters (at most %d)", k, TD_IDENT_MAX), TD_CERT_BAD_CN;
		}
	}
	if (!found)
		return td_fail(e, "client certificate has no CN"), TD_CERT_NO_CN;
	return TD_CERT_OK;
}

/* The extendedKeyUsage value: SEQUENCE OF OID. 1 if it allows client
 * authentication, 0 if not, -1 if malformed. */
static int eku_allows_client(const struct tlv *octets)
{
	static const uint8_t client_auth[] = { 0x2b, 0x06, 0x01, 0x05, 0x05, 0x07, 0x03, 0x02 };
	static const uint8_t any_eku[] = { 0x55, 0x1d, 0x25, 0x00 };
	const uint8_t *p = octets->p, *q;
	size_t n = octets->n, m;
	struct tlv seq, oid;
	int ok = 0;

	if (want(&p, &n, SEQ, &seq) < 0 || n != 0 || seq.n == 0)
		return -1;
	for (q = seq.p, m = seq.n; m > 0;) {
		if (want(&q, &m, OID, &oid) < 0)
			return -1;
		ok |= oid_is(&oid, client_auth, sizeof client_auth) ||
		      oid_is(&oid, any_eku, sizeof any_eku);
	}
	return ok;
}

/* Walk the extensions ([3] EXPLICIT SEQUENCE OF Extension). */
static enum td_cert_why extensions(const struct tlv *ctx3, struct td_err *e)
{
	static const uint8_t eku_oid[] = { 0x55, 0x1d, 0x25 };
	const uint8_t *p = ctx3->p, *q;
	size_t n = ctx3->n, m;
	struct tlv exts, ext, oid, v;

	if (want(&p, &n, SEQ, &exts) < 0 || n != 0)
		return td_fail(e, "client certificate extensions are malformed"), TD_CERT_MALFORMED;
	for (p = exts.p, n = exts.n; n > 0;) {
		if (want(&p, &n, SEQ, &ext) < 0)
			return td_fail(e, "client certificate extension is malformed"), TD_CERT_MALFORMED;
		q = ext.p;
		m = ext.n;
		if (want(&q, &m, OID, &oid) < 0 || next(&q, &m, &v) < 0 ||
		    (v.tag == BOOL && next(&q, &m, &v) < 0) || v.tag != OCTETS || m != 0)
			return td_fail(e, "client certificate extension is malformed"), TD_CERT_MALFORMED;
		if (!oid_is(&oid, eku_oid, sizeof eku_oid))
			continue;
		switch (eku_allows_client(&v)) {
		case -1:
			return td_fail(e, "client certificate extendedKeyUsage is malformed"),
			       TD_CERT_MALFORMED;
		case 0:
			return td_fail(e, "client certificate extendedKeyUsage does not allow client "
				       "authentication (no clientAuth)"), TD_CERT_EKU;
		}
	}
	return TD_CERT_OK;
}

enum td_cert_why td_cert_check_client(const uint8_t *der, size_t len, char *cn, size_t cap,
				      struct td_err *e)
{
	const uint8_t *p = der;
	size_t n = len;
	struct tlv cert, tbs, t, subj;
	enum td_cert_why w;

	cn[0] = 0;
	if (want(&p, &n, SEQ, &cert) < 0 || n != 0)
		return td_fail(e, "client certificate is not DER"), TD_CERT_MALFORMED;
	p = cert.p;
	n = cert.n;
	if (want(&p, &n, SEQ, &tbs) < 0)
		return td_fail(e, "client certificate is not DER"), TD_CERT_MALFORMED;
	p = tbs.p;
	n = tbs.n;
	/* [0] version (optional), serial, signature, issuer, validity, subject,
	 * subjectPublicKeyInfo, then optional [1] [2] [3]. */
	if (next(&p, &n, &t) < 0 || (t.tag == 0xa0 && next(&p, &n, &t) < 0) || t.tag != 0x02 ||
	    want(&p, &n, SEQ, &t) < 0 || want(&p, &n, SEQ, &t) < 0 || want(&p, &n, SEQ, &t) < 0 ||
	    want(&p, &n, SEQ, &subj) < 0 || want(&p, &n, SEQ, &t) < 0)
		return td_fail(e, "client certificate is malformed"), TD_CERT_MALFORMED;
	if ((w = subject_cn(&subj, cn, cap, e)) != TD_CERT_OK)
		return w;
	while (n > 0) {
		if (next(&p, &n, &t) < 0)
			return td_fail(e, "client certificate is malformed"), TD_CERT_MALFORMED;
		if (t.tag == 0xa3 && (w = extensions(&t, e)) != TD_CERT_OK)
			return w;
	}
	return TD_CERT_OK;
}

size_t td_ident_encode(const char *cn, char *out, size_t cap)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t o = 0;

	for (size_t i = 0; cn[i]; i++) {
		unsigned char c = (unsigned char)cn[i];
		int keep = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
			   (c >= '0' && c <= '9') || c == '-' || (c == '.' && i > 0);
		char enc[3] = { '%', hex[c >> 4], hex[c & 15] };

		for (int k = 0; k < (keep ? 1 : 3); k++, o++)
			if (o + 1 < cap)
				out[o] = keep ? (char)c : enc[k];
	}
	if (cap)
		out[o < cap ? o : cap - 1] = 0;
	return o;
}
