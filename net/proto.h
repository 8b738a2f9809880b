/* The upload protocol between the TLS target and `tinydump receive`
 * (docs/PROTOCOL.md has the byte-level tables). Pure: encoders and strict
 * decoders over buffers; the callers move the bytes.
 *
 * Client to server, in order:
 *   preamble  "TINYDUMP", u32 version (1), u32 flags (0)       16 bytes
 *   HELO      crash time, size bound of the rebuilt file, node name,
 *             kernel release, format
 *   DMSG      the kernel log text
 *   DUMP      the makedumpfile flattened stream (self-delimited by its end
 *             marker; the message length field is all ones)
 *   TRLR      status, flattened stream byte count and SHA-256, outcome JSON
 * Server to client: one RPLY (code + text), then close_notify. The server
 * sends RPLY code 0 only after vmcore, dmesg.txt and tinydump.json are
 * complete and fsynced; it may send an error RPLY at any point and close.
 *
 * Every message is a 12-byte header (4-byte tag, u64 body length) and a
 * body; every integer is big-endian; every length is bounded below. */
#ifndef TD_PROTO_H
#define TD_PROTO_H

#include <stddef.h>
#include <stdint.h>

#include "os/err.h"

#define TD_PROTO_VERSION 2 /* 2: HELO declares the rebuilt file's size bound */
#define TD_PROTO_PREAMBLE_SIZE 16
#define TD_PROTO_MSGHDR_SIZE 12

#define TD_PROTO_NAME_MAX 64          /* node name, kernel release */
#define TD_PROTO_FORMAT_MAX 16
#define TD_PROTO_HELLO_FIXED 20
#define TD_PROTO_HELLO_MAX (TD_PROTO_HELLO_FIXED + 2 * TD_PROTO_NAME_MAX + TD_PROTO_FORMAT_MAX)
#define TD_PROTO_DMESG_MAX (64ull << 20)
#define TD_PROTO_JSON_MAX (1u << 20)
#define TD_PROTO_TRAILER_FIXED 48
#define TD_PROTO_TEXT_MAX 512         /* reply text */
#define TD_PROTO_REPLY_FIXED 4
#define TD_PROTO_STREAM_LEN UINT64_MAX /* DUMP length: "until the end marker" */

/* Message tags (4 ASCII bytes on the wire). */
#define TD_TAG_HELLO "HELO"
#define TD_TAG_DMESG "DMSG"
#define TD_TAG_DUMP "DUMP"
#define TD_TAG_TRAILER "TRLR"
#define TD_TAG_REPLY "RPLY"

/* Reply codes. Only TD_R_STORED means the dump is safely stored. */
enum td_reply_code {
	TD_R_STORED = 0,            /* complete and fsynced */
	TD_R_STORED_INCOMPLETE = 1, /* stored as vmcore.incomplete: the client said so */
	TD_R_REFUSED_SPACE = 2,     /* free space would fall below --min-free */
	TD_R_BAD_REQUEST = 3,       /* protocol violation */
	TD_R_CHECKSUM = 4,          /* byte count or SHA-256 of the stream differ */
	TD_R_SERVER_ERROR = 5,      /* the receiver could not store it */
	TD_R_VERSION = 6,           /* protocol version not supported */
	TD_R_BEYOND_SIZE = 7,       /* a record lies beyond the size HELO declared */
	TD_R_MAX_CODE = 7
};
const char *td_reply_name(unsigned code);

/* Trailer status: did the client's dump writer finish? */
enum { TD_DUMP_COMPLETE = 0, TD_DUMP_INCOMPLETE = 1 };

struct td_hello {
	int64_t crash_time;  /* seconds since 1970-01-01 UTC */
	/* No record of the DUMP stream may end beyond this file offset:
	 * 1..TD_FLAT_MAX_END (the client's upper bound for its dump file). */
	uint64_t size_bound;
	char node[TD_PROTO_NAME_MAX + 1];
	char release[TD_PROTO_NAME_MAX + 1];
	char format[TD_PROTO_FORMAT_MAX + 1];
};

struct td_trailer {
	uint32_t status;       /* TD_DUMP_* */
	uint64_t flat_bytes;   /* bytes of the DUMP stream, header to end marker */
	uint8_t sha256[32];    /* of those bytes */
	uint32_t json_len;     /* the outcome JSON that follows, 1..TD_PROTO_JSON_MAX */
};

struct td_reply {
	unsigned code;
	char text[TD_PROTO_TEXT_MAX + 1];
};

void td_proto_preamble(uint8_t out[TD_PROTO_PREAMBLE_SIZE]);
int td_proto_preamble_check(const uint8_t in[TD_PROTO_PREAMBLE_SIZE], struct td_err *e);

void td_msghdr_encode(uint8_t out[TD_PROTO_MSGHDR_SIZE], const char *tag, uint64_t len);
/* Check the tag and that the length is <= max (TD_PROTO_STREAM_LEN
 * accepts only the all-ones value of DUMP). */
int td_msghdr_decode(const uint8_t in[TD_PROTO_MSGHDR_SIZE], const char *tag, uint64_t min,
		     uint64_t max, uint64_t *len, struct td_err *e);

/* HELO body. Encoding never fails: strings longer than their limit are cut,
 * and bytes outside printable ASCII become '?' (the crashed kernel's
 * strings are untrusted); an empty string is sent as "?". Returns the body
 * length; out must hold TD_PROTO_HELLO_MAX bytes. */
size_t td_hello_encode(const struct td_hello *h, uint8_t *out);
/* Strict: lengths in range, printable ASCII only, body length exact, size
 * bound 1..TD_FLAT_MAX_END. */
int td_hello_decode(const uint8_t *in, size_t len, struct td_hello *h, struct td_err *e);

/* TRLR body: the fixed part (TD_PROTO_TRAILER_FIXED bytes), JSON follows.
 * The message length is TD_PROTO_TRAILER_FIXED + json_len. */
void td_trailer_encode(const struct td_trailer *t, uint8_t out[TD_PROTO_TRAILER_FIXED]);
int td_trailer_decode(const uint8_t in[TD_PROTO_TRAILER_FIXED], uint64_t msg_len,
		      struct td_trailer *t, struct td_err *e);

/* RPLY body; the text is cut to TD_PROTO_TEXT_MAX and made printable.
 * out must hold TD_PROTO_REPLY_FIXED + TD_PROTO_TEXT_MAX bytes. */
size_t td_reply_encode(unsigned code, const char *text, uint8_t *out);
int td_reply_decode(const uint8_t *in, size_t len, struct td_reply *r, struct td_err *e);

/* The outcome JSON must be bounded text: 1..TD_PROTO_JSON_MAX bytes, no NUL
 * or control bytes other than tab, CR and LF, an object ('{' ... '}'). */
int td_json_text_check(const uint8_t *s, size_t len, struct td_err *e);

/* Copy at most cap-1 bytes of s (length n) into out as printable ASCII
 * ('?' for anything else), NUL-terminated. */
void td_printable(char *out, size_t cap, const uint8_t *s, size_t n);

#endif
