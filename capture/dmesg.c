/* Reading the lockless printk ringbuffer (kernel/printk/printk_ringbuffer.h)
 * the way makedumpfile 1.7.2 printk.c does, in bounded pieces.
 *
 * prb -> printk_ringbuffer { desc_ring { count_bits, descs, infos, head_id,
 * tail_id }, text_data_ring { size_bits, data } }. Descriptor ids run from
 * tail_id to head_id (inclusive, modulo the 62-bit id space); slot = id mod
 * 2^count_bits. A record is printed only if its state_var holds the same id
 * and the state (top 2 bits) is committed or finalized. Its text block
 * [begin, next) lives in the data ring (modulo 2^size_bits); a block that
 * wrapped keeps its data at ring offset 0. The block starts with the
 * owner's id (8 bytes), then text_len bytes of text. */
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "dmesg.h"

#define ID_MASK (~0ull >> 2)
#define STATE_COMMITTED 1
#define STATE_FINALIZED 2
#define ID_BYTES 8             /* sizeof(unsigned long): the block's owner id */
#define MAX_COUNT_BITS 26      /* log_buf_len <= 2 GiB, one desc per 32 bytes */
#define MAX_SIZE_BITS 31
#define MAX_STRUCT 1024

struct layout {
	uint64_t prb;
	uint64_t prb_size, desc_ring, text_ring;
	uint64_t count_bits, descs, infos, head_id, tail_id;
	uint64_t desc_size, state_var, text_blk_lpos, lpos_begin, lpos_next;
	uint64_t info_size, ts_nsec, text_len;
	uint64_t size_bits, data;
	uint64_t counter;
};

struct ring {
	uint64_t count, descs, infos, head, tail;
	uint64_t size, data;
};

static const struct key {
	char kind;               /* 'S' SIZE(), 'O' OFFSET() */
	const char *name;
	size_t at;
} keys[] = {
	{'S', "printk_ringbuffer", offsetof(struct layout, prb_size)},
	{'O', "printk_ringbuffer.desc_ring", offsetof(struct layout, desc_ring)},
	{'O', "printk_ringbuffer.text_data_ring", offsetof(struct layout, text_ring)},
	{'O', "prb_desc_ring.count_bits", offsetof(struct layout, count_bits)},
	{'O', "prb_desc_ring.descs", offsetof(struct layout, descs)},
	{'O', "prb_desc_ring.infos", offsetof(struct layout, infos)},
	{'O', "prb_desc_ring.head_id", offsetof(struct layout, head_id)},
	{'O', "prb_desc_ring.tail_id", offsetof(struct layout, tail_id)},
	{'S', "prb_desc", offsetof(struct layout, desc_size)},
	{'O', "prb_desc.state_var", offsetof(struct layout, state_var)},
	{'O', "prb_desc.text_blk_lpos", offsetof(struct layout, text_blk_lpos)},
	{'O', "prb_data_blk_lpos.begin", offsetof(struct layout, lpos_begin)},
	{'O', "prb_data_blk_lpos.next", offsetof(struct layout, lpos_next)},
	{'S', "printk_info", offsetof(struct layout, info_size)},
	{'O', "printk_info.ts_nsec", offsetof(struct layout, ts_nsec)},
	{'O', "printk_info.text_len", offsetof(struct layout, text_len)},
	{'O', "prb_data_ring.size_bits", offsetof(struct layout, size_bits)},
	{'O', "prb_data_ring.data", offsetof(struct layout, data)},
	{'O', "atomic_long_t.counter", offsetof(struct layout, counter)},
};

/* Does a field of width w at off fit in a struct of size sz? */
static int fits(uint64_t off, uint64_t w, uint64_t sz)
{
	return off <= sz && w <= sz - off;
}

static int layout_check(const struct layout *l, struct td_err *e)
{
	uint64_t dr = l->desc_ring, tr = l->text_ring, ps = l->prb_size;
	uint64_t lp = l->text_blk_lpos;

	if (ps > MAX_STRUCT || l->desc_size > MAX_STRUCT || l->info_size > MAX_STRUCT ||
	    l->desc_size == 0 || l->info_size == 0)
		return td_fail(e, "implausible printk struct sizes in VMCOREINFO (%llu, %llu, %llu)",
			       (unsigned long long)ps, (unsigned long long)l->desc_size,
			       (unsigned long long)l->info_size);
	if (dr > ps || tr > ps ||
	    !fits(l->count_bits, 4, ps - dr) || !fits(l->descs, 8, ps - dr) ||
	    !fits(l->infos, 8, ps - dr) || !fits(l->head_id + l->counter, 8, ps - dr) ||
	    !fits(l->tail_id + l->counter, 8, ps - dr) || !fits(l->size_bits, 4, ps - tr) ||
	    !fits(l->data, 8, ps - tr) ||
	    !fits(l->state_var + l->counter, 8, l->desc_size) ||
	    !fits(lp + l->lpos_begin, 8, l->desc_size) || !fits(lp + l->lpos_next, 8, l->desc_size) ||
	    !fits(l->ts_nsec, 8, l->info_size) || !fits(l->text_len, 2, l->info_size))
		return td_fail(e, "printk ringbuffer offsets in VMCOREINFO do not fit their structs");
	return 0;
}

static int layout_load(struct layout *l, const struct td_vmcoreinfo *vi, struct td_err *e)
{
	uint64_t dummy;

	if (td_vi_symbol(vi, "prb", &l->prb) < 0) {
		if (td_vi_symbol(vi, "log_buf", &dummy) == 0)
			return td_fail(e, "the kernel predates the lockless printk ringbuffer (5.10): "
				       "its log_buf format is not supported; use makedumpfile --dump-dmesg");
		return td_fail(e, "VMCOREINFO has no SYMBOL(prb): cannot locate the kernel log");
	}
	for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
		uint64_t *v = (uint64_t *)((char *)l + keys[i].at);
		int r = keys[i].kind == 'S' ? td_vi_size(vi, keys[i].name, v)
					    : td_vi_offset(vi, keys[i].name, v);
		if (r < 0)
			return td_fail(e, "VMCOREINFO lacks %s(%s), needed to read the kernel log",
				       keys[i].kind == 'S' ? "SIZE" : "OFFSET", keys[i].name);
	}
	return layout_check(l, e);
}

/* Read prb and the ringbuffer struct it points to; check the geometry. */
static int ring_load(struct ring *r, const struct layout *l, struct td_kread *kr, struct td_err *e)
{
	uint8_t p[MAX_STRUCT], a[8];
	const uint8_t *dr, *tr;
	uint32_t cb, sb;

	if (kr->read(kr->ctx, l->prb, a, 8, e) < 0)
		return td_wrap(e, "reading the prb pointer");
	if (kr->read(kr->ctx, td_le64(a), p, l->prb_size, e) < 0)
		return td_wrap(e, "reading the printk ringbuffer at 0x%llx",
			       (unsigned long long)td_le64(a));
	dr = p + l->desc_ring;
	tr = p + l->text_ring;
	cb = td_le32(dr + l->count_bits);
	sb = td_le32(tr + l->size_bits);
	if (cb > MAX_COUNT_BITS || sb < 4 || sb > MAX_SIZE_BITS)
		return td_fail(e, "implausible printk ringbuffer geometry (count_bits %u, size_bits %u)",
			       cb, sb);
	r->count = 1ull << cb;
	r->size = 1ull << sb;
	r->descs = td_le64(dr + l->descs);
	r->infos = td_le64(dr + l->infos);
	r->head = td_le64(dr + l->head_id + l->counter) & ID_MASK;
	r->tail = td_le64(dr + l->tail_id + l->counter) & ID_MASK;
	r->data = td_le64(tr + l->data);
	return 0;
}

static int flush(struct td_dmesg *d, struct td_sink *out, struct td_err *e)
{
	if (d->out_len && out->write(out->ctx, d->bytes, d->out, d->out_len, e) < 0)
		return td_wrap(e, "writing the kernel log");
	d->bytes += d->out_len;
	d->out_len = 0;
	return 0;
}

/* Make text[] hold ring bytes [off, off + len); len <= 64 KiB and
 * off + len <= ring size, so one window always suffices. A window that
 * cannot be read whole (a page missing from the dump) falls back to
 * reading just this record's text. */
static const uint8_t *text_at(struct td_dmesg *d, struct td_kread *kr, const struct ring *r,
			      uint64_t off, uint64_t len, struct td_err *e)
{
	uint64_t n;

	if (off >= d->text_off && off + len <= d->text_off + d->text_len)
		return d->text + (off - d->text_off);
	n = r->size - off < TD_DMESG_TEXT_WIN ? r->size - off : TD_DMESG_TEXT_WIN;
	d->text_len = 0;
	if (kr->read(kr->ctx, r->data + off, d->text, n, e) < 0) {
		n = len;
		if (kr->read(kr->ctx, r->data + off, d->text, n, e) < 0) {
			td_wrap(e, "reading the printk text ring at offset 0x%llx", (unsigned long long)off);
			return NULL;
		}
	}
	d->text_off = off;
	d->text_len = n;
	return d->text;
}

/* Append one record's line: prefix, escaped text, newline. */
static int emit(struct td_dmesg *d, struct td_sink *out, uint64_t ts, const uint8_t *t,
		uint64_t len, struct td_err *e)
{
	char pre[48];
	int w = snprintf(pre, sizeof pre, "[%5llu.%06llu] ", (unsigned long long)(ts / 1000000000),
			 (unsigned long long)(ts % 1000000000 / 1000));

	if (TD_DMESG_OUT_BUF - d->out_len < sizeof pre && flush(d, out, e) < 0)
		return -1;
	memcpy(d->out + d->out_len, pre, (size_t)w);
	d->out_len += (size_t)w;
	for (uint64_t i = 0; i < len; i++) {
		uint8_t c = t[i];

		if (TD_DMESG_OUT_BUF - d->out_len < sizeof pre + 1 && flush(d, out, e) < 0)
			return -1;
		if (c == '\n')
			d->out_len += (size_t)snprintf(d->out + d->out_len, sizeof pre + 1, "\n%*s", w, "");
		else if ((c >= 0x20 && c <= 0x7e) || (c >= 0x09 && c <= 0x0d))
			d->out[d->out_len++] = (char)c;
		else
			d->out_len += (size_t)snprintf(d->out + d->out_len, sizeof pre, "\\x%02x",
						       (unsigned)(int)(signed char)c);
	}
	d->out[d->out_len++] = '\n';
	d->records++;
	return 0;
}

/* Has the output reached max_bytes? Then the walk ends (d->truncated). */
static int at_cap(const struct td_dmesg *d)
{
	return d->max_bytes && d->bytes + d->out_len >= d->max_bytes;
}

/* One descriptor/info pair for id. Returns -1 only on read/sink errors. */
static int record(struct td_dmesg *d, struct td_kread *kr, struct td_sink *out,
		  const struct layout *l, const struct ring *r, uint64_t id,
		  const uint8_t *desc, const uint8_t *info, struct td_err *e)
{
	uint64_t sv = td_le64(desc + l->state_var + l->counter);
	uint64_t state = sv >> 62, begin, next, len;
	const uint8_t *t;

	if ((sv & ID_MASK) != id || (state != STATE_COMMITTED && state != STATE_FINALIZED)) {
		d->skipped++;
		return 0;
	}
	begin = td_le64(desc + l->text_blk_lpos + l->lpos_begin) & (r->size - 1);
	next = td_le64(desc + l->text_blk_lpos + l->lpos_next) & (r->size - 1);
	if (begin == next) {             /* data-less, FAILED_LPOS, NO_LPOS */
		d->skipped++;
		return 0;
	}
	if (begin > next)                /* wrapped: data at ring offset 0 */
		begin = 0;
	if (next - begin < ID_BYTES) {   /* no room for the owner id */
		d->garbage++;
		return 0;
	}
	begin += ID_BYTES;
	len = td_le16(info + l->text_len);
	if (len > next - begin)
		len = next - begin;
	t = text_at(d, kr, r, begin, len, e);
	if (!t)
		return -1;
	return emit(d, out, td_le64(info + l->ts_nsec), t, len, e);
}

/* Print n ids from first on, reading descriptors and infos in batches of
 * consecutive slots. */
static int walk(struct td_dmesg *d, struct td_kread *kr, struct td_sink *out,
		const struct layout *l, const struct ring *r, uint64_t first, uint64_t n,
		struct td_err *e)
{
	uint64_t per = TD_DMESG_DESC_BUF / l->desc_size, id = first;

	if (TD_DMESG_INFO_BUF / l->info_size < per)
		per = TD_DMESG_INFO_BUF / l->info_size;
	while (n) {
		uint64_t slot = id & (r->count - 1);
		uint64_t b = n < per ? n : per;

		if (b > r->count - slot)
			b = r->count - slot;
		if (kr->read(kr->ctx, r->descs + slot * l->desc_size, d->descs, b * l->desc_size, e) < 0)
			return td_wrap(e, "reading printk descriptors %llu..%llu",
				       (unsigned long long)slot, (unsigned long long)(slot + b - 1));
		if (kr->read(kr->ctx, r->infos + slot * l->info_size, d->infos, b * l->info_size, e) < 0)
			return td_wrap(e, "reading printk infos %llu..%llu",
				       (unsigned long long)slot, (unsigned long long)(slot + b - 1));
		for (uint64_t i = 0; i < b; i++, id = (id + 1) & ID_MASK, n--) {
			if (at_cap(d)) {
				d->truncated = 1; /* the rest of the ring is not even read */
				return 0;
			}
			if (record(d, kr, out, l, r, id, d->descs + i * l->desc_size,
				   d->infos + i * l->info_size, e) < 0)
				return -1;
		}
	}
	return 0;
}

int td_dmesg_write(struct td_dmesg *d, struct td_kread *kr, const struct td_vmcoreinfo *vi,
		   struct td_sink *out, struct td_err *e)
{
	return td_dmesg_write_max(d, kr, vi, out, 0, e);
}

int td_dmesg_write_max(struct td_dmesg *d, struct td_kread *kr, const struct td_vmcoreinfo *vi,
		       struct td_sink *out, uint64_t max_bytes, struct td_err *e)
{
	struct layout l = {0};
	struct ring r = {0};
	uint64_t n;

	d->records = d->skipped = d->garbage = d->bytes = 0;
	d->clamped = d->truncated = 0;
	d->max_bytes = max_bytes;
	d->text_off = d->text_len = d->out_len = 0;
	if (layout_load(&l, vi, e) < 0 || ring_load(&r, &l, kr, e) < 0)
		return td_wrap(e, "kernel log");
	/* makedumpfile walks tail..head whatever the distance; ids older than
	 * head - count + 1 cannot match their slot, so reading only the
	 * newest count ids prints the same and bounds garbage. */
	n = ((r.head - r.tail) & ID_MASK) + 1;
	if (n > r.count) {
		n = r.count;
		d->clamped = 1;
	}
	if (walk(d, kr, out, &l, &r, (r.head - n + 1) & ID_MASK, n, e) < 0 || flush(d, out, e) < 0)
		return td_wrap(e, "kernel log");
	return 0;
}
