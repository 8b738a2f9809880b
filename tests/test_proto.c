/* The upload protocol's encoders and strict decoders (net/proto.c), with
 * byte-level known answers from docs/PROTOCOL.md. */
#define T_SUITE "proto"
#include "capture/io.h"
#include "net/proto.h"
#include "t.h"

static void preamble(void)
{
	uint8_t p[16];
	struct td_err e;
	static const uint8_t want[16] = "TINYDUMP\0\0\0\2\0\0\0\0";

	td_proto_preamble(p);
	T_CHECK(memcmp(p, want, 16) == 0, "preamble bytes differ");
	T_CHECK(td_proto_preamble_check(p, &e) == 0, "%s", e.msg);
	p[11] = 1; /* version 1: HELO without a size bound */
	T_CHECK(td_proto_preamble_check(p, &e) < 0 && strstr(e.msg, "version 1"), "%s", e.msg);
	p[11] = 2, p[15] = 1;
	T_CHECK(td_proto_preamble_check(p, &e) < 0 && strstr(e.msg, "flags"), "%s", e.msg);
	p[0] = 'G';
	T_CHECK(td_proto_preamble_check(p, &e) < 0 && strstr(e.msg, "not a tinydump"), "%s", e.msg);
}

static void msghdr(void)
{
	uint8_t h[12];
	uint64_t len;
	struct td_err e;

	td_msghdr_encode(h, TD_TAG_DMESG, 0x0102030405060708ull);
	T_CHECK(memcmp(h, "DMSG\1\2\3\4\5\6\7\x08", 12) == 0, "header bytes differ");
	T_CHECK(td_msghdr_decode(h, TD_TAG_DMESG, 0, UINT64_MAX - 1, &len, &e) == 0 &&
		len == 0x0102030405060708ull, "%s", e.msg);
	T_CHECK(td_msghdr_decode(h, TD_TAG_DMESG, 0, 100, &len, &e) < 0 &&
		strstr(e.msg, "out of range"), "over max accepted");
	T_CHECK(td_msghdr_decode(h, TD_TAG_HELLO, 0, UINT64_MAX - 1, &len, &e) < 0 &&
		strstr(e.msg, "expected a HELO message, got tag \"DMSG\""), "%s", e.msg);
	td_msghdr_encode(h, TD_TAG_DUMP, TD_PROTO_STREAM_LEN);
	T_CHECK(td_msghdr_decode(h, TD_TAG_DUMP, 0, TD_PROTO_STREAM_LEN, &len, &e) == 0, "%s", e.msg);
	td_msghdr_encode(h, TD_TAG_DUMP, 5);
	T_CHECK(td_msghdr_decode(h, TD_TAG_DUMP, 0, TD_PROTO_STREAM_LEN, &len, &e) < 0,
		"DUMP with a length accepted");
	h[0] = 0x01;
	T_CHECK(td_msghdr_decode(h, TD_TAG_DUMP, 0, TD_PROTO_STREAM_LEN, &len, &e) < 0 &&
		strstr(e.msg, "\"?UMP\""), "tag not sanitised: %s", e.msg);
}

static void hello_round_trip(void)
{
	struct td_hello h = { .crash_time = -2, .size_bound = 0x10203 }, d;
	uint8_t b[TD_PROTO_HELLO_MAX];
	struct td_err e;
	size_t n;

	strcpy(h.node, "node-1");
	strcpy(h.release, "6.1.0");
	strcpy(h.format, "kdump");
	n = td_hello_encode(&h, b);
	T_CHECK(n == 20 + 6 + 5 + 5, "length %zu", n);
	T_CHECK(memcmp(b, "\xff\xff\xff\xff\xff\xff\xff\xfe\0\0\0\0\0\1\2\3\6\5\5\0"
			  "node-16.1.0kdump", n) == 0, "bytes differ");
	T_CHECK(td_hello_decode(b, n, &d, &e) == 0, "%s", e.msg);
	T_CHECK(d.crash_time == -2 && d.size_bound == 0x10203 && !strcmp(d.node, "node-1") && !strcmp(d.release, "6.1.0") &&
		!strcmp(d.format, "kdump"), "decoded fields differ");
}

static void hello_encode_sanitises(void)
{
	struct td_hello h = { .size_bound = 1 }, d;
	uint8_t b[TD_PROTO_HELLO_MAX];
	struct td_err e;
	size_t n;

	memset(h.node, 'a', TD_PROTO_NAME_MAX); /* exactly the limit: kept */
	strcpy(h.release, "6.1\n\x80x");
	n = td_hello_encode(&h, b);
	T_CHECK(td_hello_decode(b, n, &d, &e) == 0, "%s", e.msg);
	T_CHECK(strlen(d.node) == 64, "node cut to %zu", strlen(d.node));
	T_CHECK(!strcmp(d.release, "6.1??x"), "release \"%s\"", d.release);
	T_CHECK(!strcmp(d.format, "?"), "empty format sent as \"%s\"", d.format);
}

static void hello_decode_rejects(void)
{
	struct td_hello h = { .size_bound = 4096 }, d;
	uint8_t b[TD_PROTO_HELLO_MAX];
	struct td_err e;
	size_t n;

	strcpy(h.node, "n");
	strcpy(h.release, "r");
	strcpy(h.format, "kdump");
	n = td_hello_encode(&h, b);
	T_CHECK(td_hello_decode(b, n - 1, &d, &e) < 0 && strstr(e.msg, "add up"), "%s", e.msg);
	T_CHECK(td_hello_decode(b, 5, &d, &e) < 0 && strstr(e.msg, "too short"), "%s", e.msg);
	b[19] = 1;
	T_CHECK(td_hello_decode(b, n, &d, &e) < 0 && strstr(e.msg, "reserved"), "%s", e.msg);
	b[19] = 0, b[20] = 0x07;
	T_CHECK(td_hello_decode(b, n, &d, &e) < 0 && strstr(e.msg, "node name byte 0"), "%s", e.msg);
	b[20] = 'n', b[18] = 0, b[17] = 6; /* format length 0 */
	T_CHECK(td_hello_decode(b, n, &d, &e) < 0 && strstr(e.msg, "format length 0"), "%s", e.msg);
	b[17] = 1, b[18] = 5, b[16] = 65;
	T_CHECK(td_hello_decode(b, n, &d, &e) < 0, "node length 65 accepted");
	b[16] = 1;
	T_CHECK(td_hello_decode(b, n, &d, &e) == 0, "%s", e.msg);
	memset(b + 8, 0, 8); /* size bound 0 */
	T_CHECK(td_hello_decode(b, n, &d, &e) < 0 && strstr(e.msg, "size bound 0"), "%s", e.msg);
	b[9] = 0x04; /* 2^50 + 0: the limit itself is fine... */
	T_CHECK(td_hello_decode(b, n, &d, &e) == 0, "%s", e.msg);
	b[15] = 1; /* ...one more is not */
	T_CHECK(td_hello_decode(b, n, &d, &e) < 0 && strstr(e.msg, "out of range"), "%s", e.msg);
}

static void trailer(void)
{
	struct td_trailer t = { .status = TD_DUMP_INCOMPLETE, .flat_bytes = 0x1122334455ull }, d;
	uint8_t b[TD_PROTO_TRAILER_FIXED];
	struct td_err e;

	for (int i = 0; i < 32; i++)
		t.sha256[i] = (uint8_t)i;
	td_trailer_encode(&t, b);
	T_CHECK(memcmp(b, "\0\0\0\1\0\0\0\0\0\0\0\x11\x22\x33\x44\x55", 16) == 0, "bytes differ");
	T_CHECK(td_trailer_decode(b, 48 + 10, &d, &e) == 0, "%s", e.msg);
	T_CHECK(d.status == 1 && d.flat_bytes == t.flat_bytes && d.json_len == 10 &&
		!memcmp(d.sha256, t.sha256, 32), "fields differ");
	T_CHECK(td_trailer_decode(b, 48, &d, &e) < 0, "no JSON accepted");
	T_CHECK(td_trailer_decode(b, 48 + TD_PROTO_JSON_MAX + 1, &d, &e) < 0, "JSON over limit");
	b[3] = 2;
	T_CHECK(td_trailer_decode(b, 58, &d, &e) < 0 && strstr(e.msg, "status 2"), "%s", e.msg);
	b[3] = 0, b[7] = 1;
	T_CHECK(td_trailer_decode(b, 58, &d, &e) < 0 && strstr(e.msg, "reserved"), "%s", e.msg);
}

static void reply(void)
{
	uint8_t b[TD_PROTO_REPLY_FIXED + TD_PROTO_TEXT_MAX];
	struct td_reply r;
	struct td_err e;
	char longtext[700];
	size_t n = td_reply_encode(TD_R_REFUSED_SPACE, "refused: full\n", b);

	T_CHECK(n == 4 + 14 && memcmp(b, "\0\2\0\0refused: full?", n) == 0, "bytes differ");
	T_CHECK(td_reply_decode(b, n, &r, &e) == 0 && r.code == 2 &&
		!strcmp(r.text, "refused: full?"), "%s", e.msg);
	T_CHECK(!strcmp(td_reply_name(TD_R_STORED), "stored") &&
		!strcmp(td_reply_name(99), "unknown reply code"), "names");
	memset(longtext, 'x', sizeof longtext - 1);
	longtext[sizeof longtext - 1] = 0;
	n = td_reply_encode(TD_R_STORED, longtext, b);
	T_CHECK(n == 4 + TD_PROTO_TEXT_MAX, "long text not cut: %zu", n);
	T_CHECK(td_reply_decode(b, 3, &r, &e) < 0, "short reply accepted");
	b[2] = 1;
	T_CHECK(td_reply_decode(b, n, &r, &e) < 0, "reserved bytes accepted");
}

static void json_text(void)
{
	struct td_err e;
	static uint8_t big[TD_PROTO_JSON_MAX + 1];

#define J(s) (const uint8_t *)(s), sizeof(s) - 1
	T_CHECK(td_json_text_check(J(" {\"a\": 1}\n"), &e) == 0, "%s", e.msg);
	T_CHECK(td_json_text_check(J("{\"a\": \"\x01\"}"), &e) < 0 && strstr(e.msg, "0x01"),
		"%s", e.msg);
	T_CHECK(td_json_text_check(J("{\"a\": \"\0\"}"), &e) < 0, "NUL accepted");
	T_CHECK(td_json_text_check(J("[1]"), &e) < 0 && strstr(e.msg, "not an object"), "%s",
		e.msg);
	T_CHECK(td_json_text_check(J("  \n"), &e) < 0, "blank accepted");
	T_CHECK(td_json_text_check(J(""), &e) < 0, "empty accepted");
	memset(big, ' ', sizeof big);
	big[0] = '{', big[sizeof big - 1] = '}';
	T_CHECK(td_json_text_check(big, sizeof big, &e) < 0, "over the limit accepted");
	T_CHECK(td_json_text_check(big, sizeof big - 1, &e) < 0, "no closing brace accepted");
#undef J
}

int main(int argc, char **argv)
{
	T_ARGS(argc, argv);
	T_RUN(preamble);
	T_RUN(msghdr);
	T_RUN(hello_round_trip);
	T_RUN(hello_encode_sanitises);
	T_RUN(hello_decode_rejects);
	T_RUN(trailer);
	T_RUN(reply);
	T_RUN(json_text);
	T_END();
}
