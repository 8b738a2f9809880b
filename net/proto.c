/* Encoders and strict decoders of the upload protocol (proto.h,
 * docs/PROTOCOL.md). Untrusted input: every length is checked against its
 * limit before anything is copied. */
#include <stdio.h>
#include <string.h>

#include "capture/flat.h"
#include "capture/io.h"
#include "proto.h"

#define MAGIC "TINYDUMP"

static uint32_t be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static void put_be32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

static int printable(uint8_t c)
{
	return c >= 0x20 && c < 0x7f;
}

void td_printable(char *out, size_t cap, const uint8_t *s, size_t n)
{
	size_t i;

	if (cap == 0)
		return;
	for (i = 0; i < n && i + 1 < cap; i++)
		out[i] = printable(s[i]) ? (char)s[i] : '?';
	out[i] = 0;
}

const char *td_reply_name(unsigned code)
{
	static const char *const names[] = {
		[TD_R_STORED] = "stored",
		[TD_R_STORED_INCOMPLETE] = "stored incomplete",
		[TD_R_REFUSED_SPACE] = "refused (free space)",
		[TD_R_BAD_REQUEST] = "protocol error",
		[TD_R_CHECKSUM] = "checksum mismatch",
		[TD_R_SERVER_ERROR] = "receiver error",
		[TD_R_VERSION] = "unsupported version",
		[TD_R_BEYOND_SIZE] = "refused (beyond the declared size)",
	};
	return code <= TD_R_MAX_CODE ? names[code] : "unknown reply code";
}

void td_proto_preamble(uint8_t out[TD_PROTO_PREAMBLE_SIZE])
{
	memcpy(out, MAGIC, 8);
	put_be32(out + 8, TD_PROTO_VERSION);
	put_be32(out + 12, 0);
}

int td_proto_preamble_check(const uint8_t in[TD_PROTO_PREAMBLE_SIZE], struct td_err *e)
{
	if (memcmp(in, MAGIC, 8) != 0)
		return td_fail(e, "not a tinydump upload (no \"TINYDUMP\" preamble)");
	if (be32(in + 8) != TD_PROTO_VERSION)
		return td_fail(e, "protocol version %u not supported (this receiver speaks %u)",
			       be32(in + 8), TD_PROTO_VERSION);
	if (be32(in + 12) != 0)
		return td_fail(e, "unknown preamble flags 0x%x", be32(in + 12));
	return 0;
}

void td_msghdr_encode(uint8_t out[TD_PROTO_MSGHDR_SIZE], const char *tag, uint64_t len)
{
	memcpy(out, tag, 4);
	td_put_be64(out + 4, len);
}

int td_msghdr_decode(const uint8_t in[TD_PROTO_MSGHDR_SIZE], const char *tag, uint64_t min,
		     uint64_t max, uint64_t *len, struct td_err *e)
{
	char got[5];

	if (memcmp(in, tag, 4) != 0) {
		td_printable(got, sizeof got, in, 4);
		return td_fail(e, "expected a %s message, got tag \"%s\"", tag, got);
	}
	*len = td_be64(in + 4);
	if (max == TD_PROTO_STREAM_LEN ? *len != TD_PROTO_STREAM_LEN : *len < min || *len > max)
		return td_fail(e, "%s message: length %llu out of range %llu..%llu", tag,
			       (unsigned long long)*len, (unsigned long long)min,
			       (unsigned long long)max);
	return 0;
}

/* Put a string field's bytes, cut and sanitised; returns its length. */
static size_t put_str(uint8_t *out, const char *s, size_t max)
{
	size_t n = s ? strnlen(s, max) : 0;

	if (n == 0) {
		out[0] = '?';
		return 1;
	}
	for (size_t i = 0; i < n; i++)
		out[i] = printable((uint8_t)s[i]) ? (uint8_t)s[i] : '?';
	return n;
}

size_t td_hello_encode(const struct td_hello *h, uint8_t *out)
{
	size_t n = TD_PROTO_HELLO_FIXED, a, b, c;

	td_put_be64(out, (uint64_t)h->crash_time);
	td_put_be64(out + 8, h->size_bound);
	a = put_str(out + n, h->node, TD_PROTO_NAME_MAX);
	b = put_str(out + n + a, h->release, TD_PROTO_NAME_MAX);
	c = put_str(out + n + a + b, h->format, TD_PROTO_FORMAT_MAX);
	out[16] = (uint8_t)a;
	out[17] = (uint8_t)b;
	out[18] = (uint8_t)c;
	out[19] = 0;
	return n + a + b + c;
}

static int get_str(char *dst, const uint8_t *src, size_t n, size_t max, const char *what,
		   struct td_err *e)
{
	if (n < 1 || n > max)
		return td_fail(e, "HELO: %s length %zu out of range 1..%zu", what, n, max);
	for (size_t i = 0; i < n; i++)
		if (!printable(src[i]))
			return td_fail(e, "HELO: %s byte %zu is not printable ASCII (0x%02x)",
				       what, i, src[i]);
	memcpy(dst, src, n);
	dst[n] = 0;
	return 0;
}

int td_hello_decode(const uint8_t *in, size_t len, struct td_hello *h, struct td_err *e)
{
	size_t a, b, c;

	if (len < TD_PROTO_HELLO_FIXED)
		return td_fail(e, "HELO: body of %zu bytes is too short", len);
	a = in[16], b = in[17], c = in[18];
	if (in[19] != 0)
		return td_fail(e, "HELO: reserved byte is 0x%02x, not 0", in[19]);
	if (len != TD_PROTO_HELLO_FIXED + a + b + c)
		return td_fail(e, "HELO: body is %zu bytes but its fields add up to %zu", len,
			       TD_PROTO_HELLO_FIXED + a + b + c);
	h->crash_time = (int64_t)td_be64(in);
	h->size_bound = td_be64(in + 8);
	if (h->size_bound == 0 || h->size_bound > TD_FLAT_MAX_END)
		return td_fail(e, "HELO: size bound %llu out of range 1..%llu",
			       (unsigned long long)h->size_bound, (unsigned long long)TD_FLAT_MAX_END);
	in += TD_PROTO_HELLO_FIXED;
	if (get_str(h->node, in, a, TD_PROTO_NAME_MAX, "node name", e) < 0 ||
	    get_str(h->release, in + a, b, TD_PROTO_NAME_MAX, "kernel release", e) < 0 ||
	    get_str(h->format, in + a + b, c, TD_PROTO_FORMAT_MAX, "format", e) < 0)
		return -1;
	return 0;
}

void td_trailer_encode(const struct td_trailer *t, uint8_t out[TD_PROTO_TRAILER_FIXED])
{
	put_be32(out, t->status);
	put_be32(out + 4, 0);
	td_put_be64(out + 8, t->flat_bytes);
	memcpy(out + 16, t->sha256, 32);
}

int td_trailer_decode(const uint8_t in[TD_PROTO_TRAILER_FIXED], uint64_t msg_len,
		      struct td_trailer *t, struct td_err *e)
{
	if (msg_len <= TD_PROTO_TRAILER_FIXED || msg_len > TD_PROTO_TRAILER_FIXED + TD_PROTO_JSON_MAX)
		return td_fail(e, "TRLR: length %llu leaves no room for 1..%u bytes of JSON",
			       (unsigned long long)msg_len, TD_PROTO_JSON_MAX);
	t->status = be32(in);
	if (t->status != TD_DUMP_COMPLETE && t->status != TD_DUMP_INCOMPLETE)
		return td_fail(e, "TRLR: unknown status %u", t->status);
	if (be32(in + 4) != 0)
		return td_fail(e, "TRLR: reserved field is 0x%x, not 0", be32(in + 4));
	t->flat_bytes = td_be64(in + 8);
	memcpy(t->sha256, in + 16, 32);
	t->json_len = (uint32_t)(msg_len - TD_PROTO_TRAILER_FIXED);
	return 0;
}

size_t td_reply_encode(unsigned code, const char *text, uint8_t *out)
{
	size_t n = text ? strnlen(text, TD_PROTO_TEXT_MAX) : 0;

	out[0] = (uint8_t)(code >> 8);
	out[1] = (uint8_t)code;
	out[2] = out[3] = 0;
	for (size_t i = 0; i < n; i++)
		out[TD_PROTO_REPLY_FIXED + i] = printable((uint8_t)text[i]) ? (uint8_t)text[i] : '?';
	return TD_PROTO_REPLY_FIXED + n;
}

int td_reply_decode(const uint8_t *in, size_t len, struct td_reply *r, struct td_err *e)
{
	if (len < TD_PROTO_REPLY_FIXED || len > TD_PROTO_REPLY_FIXED + TD_PROTO_TEXT_MAX)
		return td_fail(e, "RPLY: body length %zu out of range", len);
	r->code = (unsigned)in[0] << 8 | in[1];
	if (in[2] || in[3])
		return td_fail(e, "RPLY: reserved bytes are not 0");
	/* Unknown codes are kept: the client treats anything but 0 as failure. */
	td_printable(r->text, sizeof r->text, in + TD_PROTO_REPLY_FIXED, len - TD_PROTO_REPLY_FIXED);
	return 0;
}

static int blank(uint8_t c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

int td_json_text_check(const uint8_t *s, size_t len, struct td_err *e)
{
	size_t a = 0, b = len;

	if (len == 0 || len > TD_PROTO_JSON_MAX)
		return td_fail(e, "outcome JSON: length %zu out of range 1..%u", len,
			       TD_PROTO_JSON_MAX);
	for (size_t i = 0; i < len; i++)
		if (s[i] < 0x20 && !blank(s[i]))
			return td_fail(e, "outcome JSON: control byte 0x%02x at offset %zu", s[i], i);
	while (a < b && blank(s[a]))
		a++;
	while (b > a && blank(s[b - 1]))
		b--;
	if (b - a < 2 || s[a] != '{' || s[b - 1] != '}')
		return td_fail(e, "outcome JSON: not an object ('{' ... '}')");
	return 0;
}
