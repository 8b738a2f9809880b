/* The flattened format: writer layout, round trips through the reader in
 * arbitrary chunkings, and the reader's rejection of malformed streams. */
#define T_SUITE "flat"
#include <stdlib.h>

#include "capture/flat.h"
#include "t.h"

/* A growing buffer as the sequential sink. */
struct seqbuf {
	uint8_t *p;
	size_t len, cap;
	int fail_at_write; /* >0: that write (1-based) fails */
	int writes;
};

static int seq_write(void *ctx, uint64_t off, const void *buf, size_t len, struct td_err *e)
{
	struct seqbuf *s = ctx;

	if (++s->writes == s->fail_at_write)
		return td_fail(e, "disk on fire");
	if (off != s->len)
		return td_fail(e, "non-sequential offset %llu", (unsigned long long)off);
	if (s->len + len > s->cap) {
		s->cap = (s->len + len) * 2;
		s->p = realloc(s->p, s->cap);
	}
	memcpy(s->p + s->len, buf, len);
	s->len += len;
	return 0;
}

/* The rebuilt file. */
struct image {
	uint8_t buf[1 << 20];
	uint8_t set[1 << 20];
	uint64_t end;
	int fail;
};

static int place(void *ctx, uint64_t off, const uint8_t *data, size_t len, struct td_err *e)
{
	struct image *im = ctx;

	if (im->fail)
		return td_fail(e, "no space");
	if (off + len > sizeof im->buf)
		return td_fail(e, "beyond the test image");
	memcpy(im->buf + off, data, len);
	memset(im->set + off, 1, len);
	if (off + len > im->end)
		im->end = off + len;
	return 0;
}

static uint64_t rng = 0x9e3779b97f4a7c15ull;
static uint64_t rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static struct image img;     /* expected */
static struct image got;     /* rebuilt */

/* Write n random regions (some left as holes) of a 600 KiB file in random
 * order; the expected image is kept in img. */
static void write_random(struct td_flat_writer *w, struct seqbuf *s, struct td_err *e)
{
	static struct td_sink seq = { .write = seq_write };
	uint64_t offs[64], lens[64], off = 0;
	int n = 0;

	memset(&img, 0, sizeof img);
	memset(s, 0, sizeof *s);
	seq.ctx = s;
	while (off < (600u << 10) && n < 64) {
		uint64_t len = rnd() % 70000 + 1;

		if (rnd() % 4) { /* one in four regions stays a hole */
			offs[n] = off;
			lens[n++] = len;
		}
		off += len;
	}
	T_CHECK(td_flat_start(w, &seq, e) == 0, "%s", e->msg);
	for (int i = n - 1; i >= 0; i--) { /* backwards: any order is fine */
		int j = (int)(rnd() % (uint64_t)(i + 1));
		uint8_t data[70000];

		for (uint64_t k = 0; k < lens[j]; k++)
			data[k] = (uint8_t)rnd();
		place(&img, offs[j], data, lens[j], e);
		T_CHECK(td_flat_sink(w)->write(w, offs[j], data, lens[j], e) == 0, "%s", e->msg);
		offs[j] = offs[i], lens[j] = lens[i];
	}
	T_CHECK(td_flat_finish(w, e) == 0, "%s", e->msg);
}

static int feed_all(struct td_flat_reader *r, const uint8_t *p, size_t len, size_t piece,
		    size_t *consumed, struct td_err *e)
{
	size_t off = 0, used;

	while (off < len && !td_flat_done(r)) {
		size_t n = piece ? piece : rnd() % 9000 + 1;

		if (n > len - off)
			n = len - off;
		if (td_flat_feed(r, p + off, n, &used, e) < 0)
			return -1;
		off += used;
	}
	*consumed = off;
	return 0;
}

static void header_layout(void)
{
	struct seqbuf s = { 0 };
	struct td_flat_writer w;
	struct td_sink seq = { .ctx = &s, .write = seq_write };
	struct td_err e;
	static const uint8_t want[32] = "makedumpfile\0\0\0\0"
					"\0\0\0\0\0\0\0\1\0\0\0\0\0\0\0\1";

	T_CHECK(td_flat_start(&w, &seq, &e) == 0, "%s", e.msg);
	T_CHECK(td_flat_finish(&w, &e) == 0, "%s", e.msg);
	T_CHECK(s.len == 4096 + 16, "stream is %zu bytes", s.len);
	T_CHECK(memcmp(s.p, want, 32) == 0, "signature/type/version differ");
	for (size_t i = 32; i < 4096; i++)
		T_CHECK(s.p[i] == 0, "header byte %zu is not zero", i);
	for (size_t i = 4096; i < s.len; i++)
		T_CHECK(s.p[i] == 0xff, "end marker byte %zu is 0x%02x", i, s.p[i]);
	free(s.p);
}

static void records_split_and_no_empty(void)
{
	struct seqbuf s = { 0 };
	struct td_sink seq = { .ctx = &s, .write = seq_write };
	struct td_flat_writer w;
	struct td_err e;
	static uint8_t big[200000];

	T_CHECK(td_flat_start(&w, &seq, &e) == 0, "%s", e.msg);
	T_CHECK(w.sink.write(&w, 123, big, 0, &e) == 0, "zero-length write failed");
	T_CHECK(s.len == 4096 && w.records == 0, "zero-length write made a record");
	T_CHECK(w.sink.write(&w, 5000, big, sizeof big, &e) == 0, "%s", e.msg);
	T_CHECK(w.records == 4, "200000 bytes gave %llu records", (unsigned long long)w.records);
	T_CHECK(s.len == 4096 + 4 * 16 + sizeof big, "stream is %zu bytes", s.len);
	/* second record starts right after the first's 64 KiB */
	T_CHECK(td_be64(s.p + 4096 + 16 + 65536) == 5000 + 65536, "second record offset wrong");
	T_CHECK(td_be64(s.p + 4096 + 8) == 65536, "first record size wrong");
	T_CHECK(td_flat_finish(&w, &e) == 0, "%s", e.msg);
	T_CHECK(w.sink.write(&w, 0, big, 1, &e) < 0, "write after the end marker accepted");
	T_CHECK(td_flat_finish(&w, &e) < 0, "second end marker accepted");
	free(s.p);
}

static void sink_failure_has_context(void)
{
	struct seqbuf s = { .fail_at_write = 3 };
	struct td_sink seq = { .ctx = &s, .write = seq_write };
	struct td_flat_writer w;
	struct td_err e;
	uint8_t d[10] = { 1 };

	T_CHECK(td_flat_start(&w, &seq, &e) == 0, "%s", e.msg);
	T_CHECK(w.sink.write(&w, 0, d, sizeof d, &e) < 0, "failure not reported");
	T_CHECK(strstr(e.msg, "disk on fire") && strstr(e.msg, "byte 4112"), "message: %s", e.msg);
	free(s.p);
}

static void round_trip(int piece)
{
	struct seqbuf s;
	struct td_flat_writer w;
	struct td_flat_reader r;
	struct td_err e;
	size_t used;

	write_random(&w, &s, &e);
	memset(&got, 0, sizeof got);
	td_flat_reader_init(&r, 0, place, &got);
	T_CHECK(feed_all(&r, s.p, s.len, (size_t)piece, &used, &e) == 0, "%s", e.msg);
	T_CHECK(td_flat_done(&r) && used == s.len, "not done after %zu of %zu bytes", used, s.len);
	T_CHECK(r.records == w.records, "records %llu vs %llu", (unsigned long long)r.records,
		(unsigned long long)w.records);
	T_CHECK(r.file_end == img.end, "file end %llu vs %llu", (unsigned long long)r.file_end,
		(unsigned long long)img.end);
	T_CHECK(memcmp(got.buf, img.buf, img.end) == 0, "rebuilt bytes differ");
	T_CHECK(memcmp(got.set, img.set, img.end) == 0, "holes differ");
	free(s.p);
}

static void round_trip_random_pieces(void) { for (int i = 0; i < 5; i++) round_trip(0); }
static void round_trip_bytewise(void) { round_trip(1); }

/* A valid stream with one record "xyz" at offset 7, then the end marker. */
static size_t small_stream(uint8_t *p)
{
	memset(p, 0, 4096);
	memcpy(p, "makedumpfile", 12);
	td_put_be64(p + 16, 1);
	td_put_be64(p + 24, 1);
	td_put_be64(p + 4096, 7);
	td_put_be64(p + 4104, 3);
	memcpy(p + 4112, "xyz", 3);
	memset(p + 4115, 0xff, 16);
	return 4131;
}

/* Feed p whole; expect failure whose message holds want. */
static void expect_reject(uint8_t *p, size_t len, const char *want, uint64_t max_end)
{
	struct td_flat_reader r;
	struct td_err e = { { 0 } };
	size_t used;

	memset(&got, 0, sizeof got);
	td_flat_reader_init(&r, max_end, place, &got);
	T_CHECK(td_flat_feed(&r, p, len, &used, &e) < 0, "accepted (want \"%s\")", want);
	T_CHECK(strstr(e.msg, want) != NULL, "message \"%s\" lacks \"%s\"", e.msg, want);
	T_CHECK(td_flat_feed(&r, p, 1, &used, &e) < 0, "reader not sticky after failure");
}

static void rejects_bad_headers(void)
{
	uint8_t p[4200];
	size_t n = small_stream(p);

	p[3] = 'X';
	expect_reject(p, n, "byte 0: not a flattened dump", 0);
	small_stream(p);
	td_put_be64(p + 16, 2);
	expect_reject(p, n, "type 2", 0);
	small_stream(p);
	td_put_be64(p + 24, 7);
	expect_reject(p, n, "version 7", 0);
	small_stream(p);
	p[4000] = 1;
	expect_reject(p, n, "byte 4000: start header padding", 0);
}

static void rejects_bad_records(void)
{
	uint8_t p[4200];
	size_t n = small_stream(p);

	td_put_be64(p + 4096, (uint64_t)-5);
	expect_reject(p, n, "byte 4096: record header: negative offset", 0);
	small_stream(p);
	td_put_be64(p + 4104, (uint64_t)-2);
	expect_reject(p, n, "negative size", 0);
	small_stream(p);
	td_put_be64(p + 4104, 0);
	expect_reject(p, n, "size is 0", 0);
	small_stream(p);
	expect_reject(p, n, "beyond the size limit", 9);
	small_stream(p);
	td_put_be64(p + 4096, (uint64_t)INT64_MAX);
	expect_reject(p, n, "beyond the size limit", 0);
	small_stream(p); /* (-1, 0) is not the end marker */
	td_put_be64(p + 4123, 0);
	expect_reject(p, n, "byte 4115: record header: negative offset", 0);
	small_stream(p);
	got.fail = 1;
	{
		struct td_flat_reader r;
		struct td_err e;
		size_t used;

		td_flat_reader_init(&r, 0, place, &got);
		T_CHECK(td_flat_feed(&r, p, n, &used, &e) < 0 && strstr(e.msg, "no space") &&
			strstr(e.msg, "placing 3 bytes at offset 7"), "place failure: %s", e.msg);
	}
	got.fail = 0;
}

static void truncated_and_trailing(void)
{
	uint8_t p[4300];
	size_t n = small_stream(p), used;
	struct td_flat_reader r;
	struct td_err e;

	for (size_t cut = 0; cut < n; cut += (cut < 4090 ? 1000 : 1)) {
		td_flat_reader_init(&r, 0, place, &got);
		T_CHECK(td_flat_feed(&r, p, cut, &used, &e) == 0 && used == cut, "cut %zu failed", cut);
		T_CHECK(!td_flat_done(&r), "done after only %zu of %zu bytes", cut, n);
	}
	memcpy(p + n, "TRLRmore", 8);
	td_flat_reader_init(&r, 0, place, &got);
	T_CHECK(td_flat_feed(&r, p, n + 8, &used, &e) == 0, "%s", e.msg);
	T_CHECK(td_flat_done(&r) && used == n, "used %zu, want %zu (stop at the end marker)", used, n);
	T_CHECK(r.file_end == 10 && memcmp(got.buf + 7, "xyz", 3) == 0, "record not placed");
}

static void garbage_never_crashes(void)
{
	static uint8_t p[20000];
	struct td_flat_reader r;
	struct td_err e;
	size_t used;

	for (int round = 0; round < 200; round++) {
		size_t n = small_stream(p);

		for (int k = 0; k < 3; k++)
			p[rnd() % n] = (uint8_t)rnd();
		td_flat_reader_init(&r, 1 << 20, place, &got);
		(void)feed_all(&r, p, n, 0, &used, &e);
	}
	T_CHECK(1, "survived");
}

int main(int argc, char **argv)
{
	T_ARGS(argc, argv);
	T_RUN(header_layout);
	T_RUN(records_split_and_no_empty);
	T_RUN(sink_failure_has_context);
	T_RUN(round_trip_random_pieces);
	T_RUN(round_trip_bytewise);
	T_RUN(rejects_bad_headers);
	T_RUN(rejects_bad_records);
	T_RUN(truncated_and_trailing);
	T_RUN(garbage_never_crashes);
	T_END();
}
