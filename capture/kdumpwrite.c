/* The kdump-compressed writer (makedumpfile's "KDUMP   " format, header
 * version 6; layout in shared/research/makedumpfile-notes.md §1; B is the
 * block size, TD_KDUMP_BLOCK).
 *
 *   0                 disk_dump_header (464 bytes)
 *   B                 kdump_sub_header (104 bytes), then a copy of PT_NOTE
 *   (1+sub)*B         1st bitmap (pfn is RAM), then 2nd bitmap (dumpable)
 *   desc_off          24-byte page_desc per dumpable pfn, in pfn order
 *   data_off          [shared zero page when level bit 1] page data ...
 *
 * Data offsets depend on the number of dumpable pages, so a counting pass
 * over the filter runs first; the writing pass then streams bitmaps,
 * descriptors and data in cycles. Descriptors and data are batched into
 * fixed buffers; nothing grows with RAM size. */
#include <stdlib.h>
#include <string.h>
#include "dump.h"
#include "dumpio.h"
#include "kdumpfmt.h"
#include "writer.h"
#include "zipbatch.h"

enum {
	HDR_SIZE = TD_KDUMP_HDR_SIZE,
	SUB_SIZE = TD_KDUMP_SUBHDR_SIZE,
	DESC_SIZE = TD_KDUMP_DESC_SIZE,
	BLOCK = TD_KDUMP_BLOCK,
	DESC_BATCH = 2048,          /* 48 KiB of descriptors per write */
	DATA_BATCH = 256u << 10,    /* page data per write */
};

struct kdump {
	struct td_dump *d;
	struct td_dumpio io;
	uint64_t bitmap_len;        /* bytes per bitmap */
	uint64_t bm1_off, bm2_off, desc_off, data_off;
	uint64_t ndumpable;
	uint32_t sub_blocks, status;
	uint64_t zero_off;          /* the shared zero block, or 0 */
	/* writing pass */
	uint64_t desc_idx, data_pos;
	uint8_t desc[DESC_BATCH * DESC_SIZE];
	unsigned ndesc;
	uint8_t *data;              /* DATA_BATCH bytes */
	uint64_t data_len;
	struct td_zipper *zip;      /* compresses batches, maybe in parallel */
	struct td_zipbatch *cur;    /* the batch being filled */
	struct td_zipper own;       /* without d->zipper: serial, here */
	struct td_zipserial serial;
};

static void put_header(struct kdump *k, uint8_t *h)
{
	const struct td_dump *d = k->d;
	uint64_t max = d->vc->max_pfn;

	memset(h, 0, HDR_SIZE);
	memcpy(h, "KDUMP   ", 8);
	td_put_le32(h + 8, 6);
	for (int i = 0; i < 6; i++)
		memcpy(h + 12 + 65 * i, d->ki->uts[i], 65);
	td_put_le64(h + 408, d->ki->crash_time > 0 ? (uint64_t)d->ki->crash_time : 0);
	/* tv_usec stays 0: libkdumpfile probes the 32-bit layout first and a
	 * power-of-two there could be mistaken for its block_size. */
	td_put_le32(h + 424, k->status);
	td_put_le32(h + 428, BLOCK);
	td_put_le32(h + 432, k->sub_blocks);
	td_put_le32(h + 436, (uint32_t)(2 * k->bitmap_len / BLOCK));
	td_put_le32(h + 440, max > UINT32_MAX ? UINT32_MAX : (uint32_t)max);
	td_put_le32(h + 460, d->vc->nr_cpus);
}

static void put_subheader(struct kdump *k, uint8_t *s)
{
	const struct td_dump *d = k->d;
	uint64_t notes = BLOCK + SUB_SIZE;

	memset(s, 0, SUB_SIZE);
	td_put_le64(s + 0, (uint64_t)d->ki->phys_base);
	td_put_le32(s + 8, d->filter->level_applied);
	td_put_le64(s + 32, notes + d->vc->vmcoreinfo_off);
	td_put_le64(s + 40, d->vc->vmcoreinfo_size);
	td_put_le64(s + 48, notes);
	td_put_le64(s + 56, d->vc->note_size);
	td_put_le64(s + 96, d->vc->max_pfn);
}

static void layout(struct kdump *k)
{
	const struct td_vmcore *vc = k->d->vc;
	uint64_t blocks;

	k->bitmap_len = ((vc->max_pfn + 7) / 8 + BLOCK - 1) / BLOCK * BLOCK;
	k->sub_blocks = (uint32_t)((SUB_SIZE + vc->note_size + BLOCK - 1) / BLOCK);
	blocks = 1 + k->sub_blocks;
	k->bm1_off = blocks * BLOCK;
	k->bm2_off = k->bm1_off + k->bitmap_len;
	k->desc_off = k->bm2_off + k->bitmap_len;
	k->data_off = k->desc_off + k->ndumpable * DESC_SIZE;
	k->data_pos = k->data_off;
	if (k->d->filter->level_applied & TD_LVL_ZERO) {
		k->zero_off = k->data_off;
		k->data_pos += TD_PAGE_SIZE;
	}
}

uint64_t td_kdump_size_bound(const struct td_vmcore *vc)
{
	uint64_t bitmap = ((vc->max_pfn + 7) / 8 + BLOCK - 1) / BLOCK * BLOCK;
	uint64_t head = (1 + (SUB_SIZE + vc->note_size + BLOCK - 1) / BLOCK) * BLOCK;

	/* every pfn dumpable, none compressed, plus the shared zero page */
	return head + 2 * bitmap + vc->max_pfn * (DESC_SIZE + TD_PAGE_SIZE) + TD_PAGE_SIZE;
}

static int write_headers(struct kdump *k, struct td_err *e)
{
	uint8_t h[HDR_SIZE], s[SUB_SIZE];

	put_header(k, h);
	put_subheader(k, s);
	if (td_dumpio_write(&k->io, 0, h, HDR_SIZE, e) < 0 ||
	    td_dumpio_write(&k->io, BLOCK, s, SUB_SIZE, e) < 0 ||
	    td_dumpio_write(&k->io, BLOCK + SUB_SIZE, k->d->vc->notes, k->d->vc->note_size, e) < 0)
		return td_wrap(e, "writing the kdump header");
	if (k->zero_off) {
		memset(k->data, 0, TD_PAGE_SIZE);
		if (td_dumpio_write(&k->io, k->zero_off, k->data, TD_PAGE_SIZE, e) < 0)
			return td_wrap(e, "writing the shared zero page");
	}
	return 0;
}

static int flush_desc(struct kdump *k, struct td_err *e)
{
	uint64_t off = k->desc_off + (k->desc_idx - k->ndesc) * DESC_SIZE;

	if (k->ndesc && td_dumpio_write(&k->io, off, k->desc, (size_t)k->ndesc * DESC_SIZE, e) < 0)
		return td_wrap(e, "writing page descriptors");
	k->ndesc = 0;
	return 0;
}

static int flush_data(struct kdump *k, struct td_err *e)
{
	if (k->data_len && td_dumpio_write(&k->io, k->data_pos - k->data_len, k->data, k->data_len, e) < 0)
		return td_wrap(e, "writing page data");
	k->data_len = 0;
	return 0;
}

static int add_desc(struct kdump *k, uint64_t off, uint32_t size, uint32_t flags, struct td_err *e)
{
	uint8_t *p = k->desc + (size_t)k->ndesc * DESC_SIZE;

	td_put_le64(p, off);
	td_put_le32(p + 8, size);
	td_put_le32(p + 12, flags);
	td_put_le64(p + 16, 0);
	k->ndesc++;
	k->desc_idx++;
	return k->ndesc == DESC_BATCH ? flush_desc(k, e) : 0;
}

static int add_data(struct kdump *k, const uint8_t *bytes, uint32_t size, uint32_t flags,
		    struct td_err *e)
{
	if (k->data_len + size > DATA_BATCH && flush_data(k, e) < 0)
		return -1;
	memcpy(k->data + k->data_len, bytes, size);
	k->data_len += size;
	if (add_desc(k, k->data_pos, size, flags, e) < 0)
		return -1;
	k->data_pos += size;
	return 0;
}

/* Write out a compressed batch, in pfn order, and give it back. */
static int emit(struct kdump *k, struct td_zipbatch *b, struct td_err *e)
{
	int r = 0;

	for (unsigned i = 0; i < b->n && r == 0; i++) {
		if (b->size[i] == 0) {
			k->d->st.zero++;
			r = add_desc(k, k->zero_off, TD_PAGE_SIZE, 0, e);
		} else {
			r = add_data(k, b->out + b->off[i], b->size[i], b->flags[i], e);
		}
	}
	k->zip->put(k->zip->ctx, b);
	return r;
}

static struct td_zipbatch *next_batch(struct kdump *k, struct td_err *e)
{
	struct td_zipbatch *b;

	while (!(b = k->zip->get(k->zip->ctx))) {
		struct td_zipbatch *done = k->zip->collect(k->zip->ctx);
		if (!done) {
			td_fail(e, "compression queue has no free batch and none in flight");
			return NULL;
		}
		if (emit(k, done, e) < 0)
			return NULL;
	}
	b->n = 0;
	return b;
}

static int copy_page(void *ctx, uint64_t pfn, struct td_err *e)
{
	struct kdump *k = ctx;
	struct td_err re;
	const uint8_t *page;

	if (!k->cur && !(k->cur = next_batch(k, e)))
		return -1;
	page = td_vmcore_page(k->d->vc, pfn, &re);
	if (!page)
		td_dumpio_unreadable(&k->io, pfn, re.msg);
	/* zero pages are common (level 1 keeps them): find them here, without
	 * copying them */
	uint8_t *slot = k->cur->in[k->cur->n];
	k->cur->zero[k->cur->n] = k->zero_off && (!page || td_page_is_zero(page));
	if (!k->cur->zero[k->cur->n] && page)
		memcpy(slot, page, TD_PAGE_SIZE);
	else if (!k->cur->zero[k->cur->n])
		memset(slot, 0, TD_PAGE_SIZE); /* unreadable, and zero pages are not special here */
	k->cur->pfn[k->cur->n++] = pfn;
	k->d->st.kept++;
	if (k->cur->n == TD_ZIP_BATCH) {
		k->zip->submit(k->zip->ctx, k->cur);
		k->cur = NULL;
	}
	return 0;
}

static int write_cycle(struct td_dumpio *io, uint64_t start, uint64_t n, struct td_err *e)
{
	struct kdump *k = io->ctx;
	uint64_t len = n / 8;

	if (start / 8 + len > k->bitmap_len)
		len = k->bitmap_len - start / 8;
	if (td_dumpio_write(io, k->bm1_off + start / 8, io->bm1, len, e) < 0 ||
	    td_dumpio_write(io, k->bm2_off + start / 8, io->bm2, len, e) < 0)
		return td_wrap(e, "writing bitmaps");
	return td_dumpio_each_set(io, start, n, copy_page, k, e);
}

/* Finish the queue: submit the partial batch and write out everything in
 * flight. After a failure (ok == 0) batches are only given back, so that
 * no worker is left holding one. */
static int drain(struct kdump *k, int ok, struct td_err *e)
{
	struct td_zipbatch *b;
	int r = ok ? 0 : -1;

	if (k->cur && k->cur->n)
		k->zip->submit(k->zip->ctx, k->cur);
	else if (k->cur)
		k->zip->put(k->zip->ctx, k->cur);
	k->cur = NULL;
	while ((b = k->zip->collect(k->zip->ctx))) {
		if (r == 0)
			r = emit(k, b, e);
		else
			k->zip->put(k->zip->ctx, b);
	}
	return r;
}

static int finish(struct kdump *k, struct td_err *e)
{
	if (flush_desc(k, e) < 0 || flush_data(k, e) < 0)
		return -1;
	k->d->bytes_written = k->data_pos;
	return 0;
}

static int mark_incomplete(struct kdump *k)
{
	uint8_t h[HDR_SIZE];
	struct td_err ignore;

	k->status |= TD_KDUMP_F_INCOMPLETE;
	k->d->incomplete = 1;
	put_header(k, h);
	return td_dumpio_write(&k->io, 0, h, HDR_SIZE, &ignore);
}

static int kdump_run(struct kdump *k, struct td_err *e)
{
	struct td_dump *d = k->d;

	if (td_dumpio_count(&k->io, &k->ndumpable, e) < 0)
		return -1;
	layout(k);
	k->status = d->codec->kdump_flag;
	if (write_headers(k, e) < 0)
		return -1;
	k->io.cycle = write_cycle;
	int ok = td_dumpio_cycles(&k->io, e) == 0;
	if (drain(k, ok, e) < 0 || finish(k, e) < 0) {
		mark_incomplete(k);
		return -1;
	}
	if (k->desc_idx != k->ndumpable) {
		mark_incomplete(k);
		return td_fail(e, "the filter gave %llu dumpable pages in the writing pass but %llu when counting",
			       (unsigned long long)k->desc_idx, (unsigned long long)k->ndumpable);
	}
	return 0;
}

int td_kdump_write(struct td_dump *d, struct td_err *e)
{
	struct kdump *k = calloc(1, sizeof *k);
	int r = -1;

	if (!k || !(k->data = malloc(DATA_BATCH))) {
		td_fail(e, "no memory for the kdump writer (%u KiB)", (unsigned)(sizeof *k + DATA_BATCH) >> 10);
		goto out;
	}
	td_own(k->data, DATA_BATCH);
	td_own(k->desc, sizeof k->desc);
	k->d = d;
	k->zip = d->zipper;
	if (!k->zip) {
		if (td_zipserial_init(&k->serial, d->codec, &k->own, e) < 0)
			goto out;
		k->zip = &k->own;
	}
	if (td_dumpio_init(&k->io, d, k, e) == 0) {
		r = kdump_run(k, e);
		td_dumpio_free(&k->io);
	}
	k->zip->counts(k->zip->ctx, &d->zip_tried, &d->zip_skipped);
	if (!d->zipper)
		td_zipserial_end(&k->serial);
out:
	if (k)
		free(k->data);
	free(k);
	return r;
}
