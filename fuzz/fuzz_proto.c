/* libFuzzer target: the upload protocol's decoders (net/proto.c), each fed
 * the input as the receiver would: preamble, message headers with every
 * tag, HELO, TRLR, RPLY and the outcome JSON. Decoded strings must be
 * printable and terminated; a HELO must re-encode to the same bytes. */
#include <string.h>

#include "capture/flat.h"
#include "net/proto.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void printable(const char *s, size_t cap)
{
	const char *end = memchr(s, 0, cap);

	if (!end)
		__builtin_trap();
	for (; s < end; s++)
		if (*s < 0x20 || *s > 0x7e)
			__builtin_trap();
}

static void hello(const uint8_t *data, size_t size)
{
	struct td_hello h;
	struct td_err e;
	uint8_t again[TD_PROTO_HELLO_MAX];

	if (size > TD_PROTO_HELLO_MAX || td_hello_decode(data, size, &h, &e) < 0)
		return;
	printable(h.node, sizeof h.node);
	printable(h.release, sizeof h.release);
	printable(h.format, sizeof h.format);
	if (h.size_bound == 0 || h.size_bound > TD_FLAT_MAX_END)
		__builtin_trap();
	if (td_hello_encode(&h, again) != size || memcmp(again, data, size) != 0)
		__builtin_trap();
}

static void headers(const uint8_t *data, size_t size)
{
	static const char *const tags[] = { TD_TAG_HELLO, TD_TAG_DMESG, TD_TAG_DUMP,
					     TD_TAG_TRAILER, TD_TAG_REPLY };
	struct td_err e;
	uint64_t len;

	if (size < TD_PROTO_MSGHDR_SIZE)
		return;
	for (size_t i = 0; i < sizeof tags / sizeof tags[0]; i++)
		if (td_msghdr_decode(data, tags[i], 1, TD_PROTO_DMESG_MAX, &len, &e) == 0 &&
		    (len < 1 || len > TD_PROTO_DMESG_MAX))
			__builtin_trap();
	if (td_msghdr_decode(data, TD_TAG_DUMP, 0, TD_PROTO_STREAM_LEN, &len, &e) == 0 &&
	    len != TD_PROTO_STREAM_LEN)
		__builtin_trap();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct td_err e;
	struct td_trailer t;
	struct td_reply r;

	if (size >= TD_PROTO_PREAMBLE_SIZE)
		td_proto_preamble_check(data, &e);
	headers(data, size);
	hello(data, size);
	if (size >= TD_PROTO_TRAILER_FIXED + 8 &&
	    td_trailer_decode(data + 8, (uint64_t)data[0] << 16 | (uint64_t)data[1] << 8 | data[2], &t,
			      &e) == 0 && (t.json_len < 1 || t.json_len > TD_PROTO_JSON_MAX))
		__builtin_trap();
	if (td_reply_decode(data, size, &r, &e) == 0) {
		printable(r.text, sizeof r.text);
		td_reply_name(r.code); /* any u16: newer receivers may have more codes */
	}
	td_json_text_check(data, size, &e);
	return 0;
}
