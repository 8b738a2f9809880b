/* The flattened format: writer (random offsets in, records out) and the
 * incremental reader. Layout and the reasons for the rules in flat.h. */
#include <stdio.h>
#include <string.h>

#include "flat.h"

#define SIG "makedumpfile"
#define SIG_FIELD 16 /* strlen(SIG) rounded up to 8, NUL-padded */
#define FLAT_TYPE 1
#define FLAT_VERSION 1

/* ---- writer ---- */

static int seq_put(struct td_flat_writer *w, const void *buf, size_t len, struct td_err *e)
{
	if (w->seq->write(w->seq->ctx, w->pos, buf, len, e) < 0)
		return td_wrap(e, "writing flattened stream at byte %llu", (unsigned long long)w->pos);
	w->pos += len;
	return 0;
}

static int put_record(struct td_flat_writer *w, uint64_t off, const uint8_t *buf, size_t len,
		      struct td_err *e)
{
	uint8_t h[TD_FLAT_RECHDR_SIZE];

	td_put_be64(h, off);
	td_put_be64(h + 8, len);
	if (seq_put(w, h, sizeof h, e) < 0 || seq_put(w, buf, len, e) < 0)
		return -1;
	w->records++;
	return 0;
}

static int flat_write(void *ctx, uint64_t off, const void *buf, size_t len, struct td_err *e)
{
	struct td_flat_writer *w = ctx;
	const uint8_t *p = buf;

	if (w->finished)
		return td_fail(e, "flattened stream: write at offset %llu after the end marker",
			       (unsigned long long)off);
	if (off >= TD_FLAT_MAX_END || len > TD_FLAT_MAX_END - off)
		return td_fail(e, "flattened stream: write of %zu bytes at offset %llu is beyond %llu",
			       len, (unsigned long long)off, (unsigned long long)TD_FLAT_MAX_END);
	while (len > 0) {
		size_t n = len < TD_FLAT_RECORD_MAX ? len : TD_FLAT_RECORD_MAX;

		if (put_record(w, off, p, n, e) < 0)
			return -1;
		off += n;
		p += n;
		len -= n;
	}
	return 0;
}

static int flat_sync(void *ctx, struct td_err *e)
{
	struct td_flat_writer *w = ctx;

	return w->seq->sync ? w->seq->sync(w->seq->ctx, e) : 0;
}

int td_flat_start(struct td_flat_writer *w, struct td_sink *seq, struct td_err *e)
{
	uint8_t h[TD_FLAT_HEADER_SIZE];

	memset(w, 0, sizeof *w);
	w->seq = seq;
	w->sink.ctx = w;
	w->sink.write = flat_write;
	w->sink.sync = flat_sync;
	memset(h, 0, sizeof h);
	memcpy(h, SIG, strlen(SIG));
	td_put_be64(h + SIG_FIELD, FLAT_TYPE);
	td_put_be64(h + SIG_FIELD + 8, FLAT_VERSION);
	return seq_put(w, h, sizeof h, e);
}

struct td_sink *td_flat_sink(struct td_flat_writer *w)
{
	return &w->sink;
}

int td_flat_finish(struct td_flat_writer *w, struct td_err *e)
{
	uint8_t h[TD_FLAT_RECHDR_SIZE];

	if (w->finished)
		return td_fail(e, "flattened stream: end marker already written");
	memset(h, 0xff, sizeof h);
	if (seq_put(w, h, sizeof h, e) < 0)
		return -1;
	w->finished = 1;
	return 0;
}

/* ---- reader ---- */

enum { P_SIG, P_PAD, P_RECHDR, P_DATA, P_DONE, P_FAILED };

#define SIG_PART 32 /* signature, type, version: the rest of the header is zero */

void td_flat_reader_init(struct td_flat_reader *r, uint64_t max_end,
			 int (*place)(void *ctx, uint64_t off, const uint8_t *data, size_t len,
				      struct td_err *e),
			 void *ctx)
{
	memset(r, 0, sizeof *r);
	r->place = place;
	r->ctx = ctx;
	r->max_end = max_end ? max_end : TD_FLAT_MAX_END;
	r->phase = P_SIG;
}

int td_flat_done(const struct td_flat_reader *r)
{
	return r->phase == P_DONE;
}

/* Fail, naming the stream byte at which the offending item started. */
static int rfail(struct td_flat_reader *r, struct td_err *e, uint64_t at, const char *what)
{
	r->phase = P_FAILED;
	return td_fail(e, "flattened stream byte %llu: %s", (unsigned long long)at, what);
}

static int check_sig(struct td_flat_reader *r, struct td_err *e)
{
	static const uint8_t sig[SIG_FIELD] = SIG;
	char msg[96];

	if (memcmp(r->hdr, sig, SIG_FIELD) != 0)
		return rfail(r, e, 0, "not a flattened dump (no \"makedumpfile\" signature)");
	if (td_be64(r->hdr + 16) != FLAT_TYPE || td_be64(r->hdr + 24) != FLAT_VERSION) {
		snprintf(msg, sizeof msg, "unsupported header type %lld version %lld (want 1 and 1)",
			 (long long)td_be64(r->hdr + 16), (long long)td_be64(r->hdr + 24));
		return rfail(r, e, SIG_FIELD, msg);
	}
	return 0;
}

static int check_rechdr(struct td_flat_reader *r, struct td_err *e)
{
	int64_t off = (int64_t)td_be64(r->hdr), size = (int64_t)td_be64(r->hdr + 8);
	uint64_t at = r->pos - TD_FLAT_RECHDR_SIZE;
	char msg[160];

	if (off == -1 && size == -1) {
		r->phase = P_DONE;
		return 0;
	}
	if (off < 0 || size <= 0 || (uint64_t)off >= r->max_end ||
	    (uint64_t)size > r->max_end - (uint64_t)off) {
		snprintf(msg, sizeof msg, "record header: %s (offset %lld, size %lld)",
			 off < 0 ? "negative offset" : size < 0 ? "negative size" :
			 size == 0 ? "size is 0" : "record ends beyond the size limit",
			 (long long)off, (long long)size);
		return rfail(r, e, at, msg);
	}
	r->rec_off = (uint64_t)off;
	r->rec_left = (uint64_t)size;
	r->records++;
	if (r->rec_off + r->rec_left > r->file_end)
		r->file_end = r->rec_off + r->rec_left;
	r->phase = P_DATA;
	return 0;
}

/* Collect header bytes into r->hdr until it holds want bytes. */
static size_t collect(struct td_flat_reader *r, const uint8_t *p, size_t len, size_t want)
{
	size_t n = want - r->have < len ? want - r->have : len;

	memcpy(r->hdr + r->have, p, n);
	r->have += n;
	r->pos += n;
	return n;
}

/* One step: consume some of p, *used says how much. */
static int step(struct td_flat_reader *r, const uint8_t *p, size_t len, size_t *used,
		struct td_err *e)
{
	size_t n = 0;

	switch (r->phase) {
	case P_SIG:
		n = collect(r, p, len, SIG_PART);
		if (r->have == SIG_PART) {
			if (check_sig(r, e) < 0)
				return -1;
			r->phase = P_PAD;
		}
		break;
	case P_PAD:
		while (n < len && r->pos < TD_FLAT_HEADER_SIZE) {
			if (p[n] != 0)
				return rfail(r, e, r->pos, "start header padding is not zero");
			n++;
			r->pos++;
		}
		if (r->pos == TD_FLAT_HEADER_SIZE) {
			r->phase = P_RECHDR;
			r->have = 0;
		}
		break;
	case P_RECHDR:
		n = collect(r, p, len, TD_FLAT_RECHDR_SIZE);
		if (r->have == TD_FLAT_RECHDR_SIZE && check_rechdr(r, e) < 0)
			return -1;
		break;
	case P_DATA:
		n = r->rec_left < len ? (size_t)r->rec_left : len;
		if (r->place(r->ctx, r->rec_off, p, n, e) < 0) {
			r->phase = P_FAILED;
			return td_wrap(e, "flattened stream byte %llu: placing %zu bytes at offset %llu",
				       (unsigned long long)r->pos, n,
				       (unsigned long long)r->rec_off);
		}
		r->pos += n;
		r->rec_off += n;
		r->rec_left -= n;
		if (r->rec_left == 0) {
			r->phase = P_RECHDR;
			r->have = 0;
		}
		break;
	}
	*used = n;
	return 0;
}

int td_flat_feed(struct td_flat_reader *r, const uint8_t *buf, size_t len, size_t *used,
		 struct td_err *e)
{
	size_t done = 0;

	*used = 0;
	if (r->phase == P_FAILED)
		return td_fail(e, "flattened stream: reader already failed");
	while (done < len && r->phase != P_DONE) {
		size_t n = 0;

		if (step(r, buf + done, len - done, &n, e) < 0)
			return -1;
		done += n;
	}
	*used = done;
	return 0;
}
