/* Client identity (net/clientid.c): the strict certificate walk on
 * hand-built DER, and the CN's directory-name form. */
#include <stdlib.h>

#include "net/clientid.h"
#include "t.h"

#define T_SUITE "clientid"

struct der {
	uint8_t b[4096];
	size_t n;
};

/* Append tag + length + body (length in short or 0x82 form). */
static void put(struct der *d, uint8_t tag, const void *body, size_t len)
{
	d->b[d->n++] = tag;
	if (len < 128) {
		d->b[d->n++] = (uint8_t)len;
	} else {
		d->b[d->n++] = 0x82;
		d->b[d->n++] = (uint8_t)(len >> 8);
		d->b[d->n++] = (uint8_t)len;
	}
	memcpy(d->b + d->n, body, len);
	d->n += len;
}

static const uint8_t CN_OID[] = { 0x55, 0x04, 0x03 }, O_OID[] = { 0x55, 0x04, 0x0a };
static const uint8_t EKU_OID[] = { 0x55, 0x1d, 0x25 };
static const uint8_t CLIENT_AUTH[] = { 0x2b, 6, 1, 5, 5, 7, 3, 2 };
static const uint8_t SERVER_AUTH[] = { 0x2b, 6, 1, 5, 5, 7, 3, 1 };
static const uint8_t ANY_EKU[] = { 0x55, 0x1d, 0x25, 0 };

/* One RDN (SET { SEQ { OID, string } }) appended to subj. */
static void rdn(struct der *subj, const uint8_t *oid, size_t olen, uint8_t stag, const char *s,
		size_t slen)
{
	struct der atv = { .n = 0 }, set = { .n = 0 };

	put(&atv, 0x06, oid, olen);
	put(&atv, stag, s, slen);
	put(&set, 0x30, atv.b, atv.n);
	put(subj, 0x31, set.b, set.n);
}

/* A certificate with that subject and, if eku, an EKU of those OIDs. */
static void cert(struct der *out, const struct der *subj, const uint8_t *const *eku, size_t neku)
{
	struct der tbs = { .n = 0 }, seq = { .n = 0 }, ext = { .n = 0 }, exts = { .n = 0 };
	struct der oct = { .n = 0 }, ctx = { .n = 0 }, c = { .n = 0 };
	static const uint8_t v3[] = { 0x02, 0x01, 0x02 }, serial[] = { 1 };

	put(&tbs, 0xa0, v3, sizeof v3);
	put(&tbs, 0x02, serial, 1);
	put(&tbs, 0x30, "", 0); /* signature algorithm */
	put(&tbs, 0x30, "", 0); /* issuer */
	put(&tbs, 0x30, "", 0); /* validity */
	put(&tbs, 0x30, subj->b, subj->n);
	put(&tbs, 0x30, "", 0); /* subjectPublicKeyInfo */
	if (eku) {
		for (size_t i = 0; i < neku; i++)
			put(&seq, 0x06, eku[i], eku[i] == ANY_EKU ? 4 : 8);
		put(&oct, 0x30, seq.b, seq.n);
		put(&ext, 0x06, EKU_OID, sizeof EKU_OID);
		put(&ext, 0x04, oct.b, oct.n);
		put(&exts, 0x30, ext.b, ext.n);
		put(&ctx, 0x30, exts.b, exts.n);
		put(&tbs, 0xa3, ctx.b, ctx.n);
	}
	put(&c, 0x30, tbs.b, tbs.n);
	put(&c, 0x30, "", 0);
	put(&c, 0x03, "\0", 1);
	out->n = 0;
	put(out, 0x30, c.b, c.n);
}

static enum td_cert_why check(const struct der *d, char *cn)
{
	struct td_err e = { { 0 } };

	return td_cert_check_client(d->b, d->n, cn, TD_CN_MAX + 1, &e);
}

static void eku(void)
{
	struct der subj = { .n = 0 }, c;
	const uint8_t *client[] = { SERVER_AUTH, CLIENT_AUTH }, *server[] = { SERVER_AUTH },
		      *any[] = { ANY_EKU };
	char cn[TD_CN_MAX + 1];

	rdn(&subj, CN_OID, 3, 0x0c, "node1", 5);
	cert(&c, &subj, NULL, 0);
	T_CHECK(check(&c, cn) == TD_CERT_OK && !strcmp(cn, "node1"), "no EKU: %s", cn);
	cert(&c, &subj, client, 2);
	T_CHECK(check(&c, cn) == TD_CERT_OK, "serverAuth + clientAuth");
	cert(&c, &subj, any, 1);
	T_CHECK(check(&c, cn) == TD_CERT_OK, "anyExtendedKeyUsage");
	cert(&c, &subj, server, 1);
	T_CHECK(check(&c, cn) == TD_CERT_EKU, "serverAuth only");
}

static void cn_rules(void)
{
	struct der subj, c;
	char cn[TD_CN_MAX + 1], big[200];

	memset(big, 'x', sizeof big);
	subj.n = 0;
	rdn(&subj, CN_OID, 3, 0x13, big, 127);
	cert(&c, &subj, NULL, 0);
	T_CHECK(check(&c, cn) == TD_CERT_OK && strlen(cn) == 127, "127 bytes");
	subj.n = 0;
	rdn(&subj, CN_OID, 3, 0x13, big, 128);
	cert(&c, &subj, NULL, 0);
	T_CHECK(check(&c, cn) == TD_CERT_BAD_CN, "128 bytes");
	subj.n = 0;
	rdn(&subj, CN_OID, 3, 0x0c, "", 0);
	cert(&c, &subj, NULL, 0);
	T_CHECK(check(&c, cn) == TD_CERT_BAD_CN, "empty");
	subj.n = 0;
	rdn(&subj, CN_OID, 3, 0x0c, "a\0b", 3);
	cert(&c, &subj, NULL, 0);
	T_CHECK(check(&c, cn) == TD_CERT_BAD_CN, "NUL");
	subj.n = 0;
	rdn(&subj, CN_OID, 3, 0x1e, "\0a", 2); /* BMPString */
	cert(&c, &subj, NULL, 0);
	T_CHECK(check(&c, cn) == TD_CERT_BAD_CN, "BMPString");
	subj.n = 0;
	rdn(&subj, O_OID, 3, 0x0c, "org", 3);
	cert(&c, &subj, NULL, 0);
	T_CHECK(check(&c, cn) == TD_CERT_NO_CN, "no CN");
	rdn(&subj, CN_OID, 3, 0x0c, "a", 1);
	rdn(&subj, CN_OID, 3, 0x0c, "b", 1);
	cert(&c, &subj, NULL, 0);
	T_CHECK(check(&c, cn) == TD_CERT_NO_CN, "two CNs");
	subj.n = 0;
	memset(big, '/', 70); /* 70 bytes, 210 characters encoded */
	rdn(&subj, CN_OID, 3, 0x0c, big, 70);
	cert(&c, &subj, NULL, 0);
	T_CHECK(check(&c, cn) == TD_CERT_BAD_CN, "directory name too long");
}

/* Every prefix and every single-byte corruption: no crash, and a prefix
 * is never accepted. */
static void truncated_and_corrupt(void)
{
	struct der subj = { .n = 0 }, c, d;
	const uint8_t *client[] = { CLIENT_AUTH };
	char cn[TD_CN_MAX + 1];

	rdn(&subj, CN_OID, 3, 0x0c, "node1", 5);
	cert(&c, &subj, client, 1);
	for (size_t n = 0; n < c.n; n++) {
		d = c;
		d.n = n;
		T_CHECK(check(&d, cn) == TD_CERT_MALFORMED, "prefix of %zu bytes", n);
	}
	for (size_t i = 0; i < c.n; i++)
		for (int v = 0; v < 256; v += 17) {
			d = c;
			d.b[i] = (uint8_t)v;
			check(&d, cn);
			T_CHECK(strlen(cn) <= TD_CN_MAX, "corrupt byte %zu", i);
		}
}

static void ident(void)
{
	static const struct { const char *cn, *name; } v[] = {
		{ "a/b", "a%2Fb" }, { "a_b", "a%5Fb" }, { ".hidden", "%2Ehidden" },
		{ "..", "%2E." }, { "a.b-c9", "a.b-c9" }, { "%2F", "%252F" },
		{ "x y\x7f\xc3\xa9", "x%20y%7F%C3%A9" },
	};
	char out[TD_IDENT_MAX + 1];

	for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
		size_t n = td_ident_encode(v[i].cn, out, sizeof out);

		T_CHECK(!strcmp(out, v[i].name) && n == strlen(v[i].name), "%s -> %s", v[i].cn, out);
	}
	T_CHECK(td_ident_encode("abc", out, 3) == 3 && !strcmp(out, "ab"), "cut to cap: %s", out);
}

/* Injective: decoding the name gives back the CN, for random byte strings. */
static void ident_injective(void)
{
	char cn[40], out[TD_IDENT_MAX + 1], back[40];

	srand(7);
	for (int r = 0; r < 20000; r++) {
		size_t len = 1 + (size_t)rand() % 30, o = 0;

		for (size_t i = 0; i < len; i++)
			cn[i] = (char)(1 + rand() % 255);
		cn[len] = 0;
		td_ident_encode(cn, out, sizeof out);
		T_REQUIRE(out[0] != '.', "hidden name %s", out);
		for (size_t i = 0; out[i]; o++) {
			if (out[i] == '%') {
				back[o] = (char)strtol((char[]){ out[i + 1], out[i + 2], 0 }, NULL, 16);
				i += 3;
			} else {
				back[o] = out[i++];
			}
		}
		back[o] = 0;
		T_REQUIRE(!strcmp(back, cn), "round %d does not decode back", r);
	}
}

int main(int argc, char **argv)
{
	T_ARGS(argc, argv);
	T_RUN(eku);
	T_RUN(cn_rules);
	T_RUN(truncated_and_corrupt);
	T_RUN(ident);
	T_RUN(ident_injective);
	T_END();
}
