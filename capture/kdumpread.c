/* kdump-compressed reader. File layout (B = block_size):
 *   0                      disk_dump_header
 *   B                      kdump_sub_header, then the copied ELF notes
 *   (1 + sub_hdr_size) B   1st bitmap, then the 2nd (bitmap_blocks B in all)
 *   (1 + sub_hdr_size + bitmap_blocks) B
 *                          page_desc[] for every set 2nd-bitmap bit, by pfn
 *   then page data, packed.
 * Bitmaps: pfn n is bit n & 7 of byte n >> 3. */
#include <stddef.h>
#include <string.h>

#include "codec.h"
#include "kdumpread.h"
#include "vmcore.h"

#define NO_BLOCK UINT64_MAX
#define DC_MAX (sizeof ((struct td_kdump *)0)->dc / TD_KDUMP_DESC_SIZE)

int td_kdump_probe(const uint8_t *p)
{
	return memcmp(p, "KDUMP   ", 8) == 0 || memcmp(p, "DISKDUMP", 8) == 0;
}

/* Copy len bytes at off from the source. */
static int src_read(struct td_kdump *k, uint64_t off, void *buf, size_t len, struct td_err *e)
{
	const uint8_t *p = k->src->get(k->src->ctx, off, len, e);

	if (!p)
		return -1;
	memcpy(buf, p, len);
	return 0;
}

static void parse_main(struct td_kdump *k, const uint8_t *h)
{
	memcpy(k->signature, h, 8);
	k->signature[8] = '\0';
	k->header_version = (int32_t)td_le32(h + 8);
	for (int i = 0; i < 6; i++) {
		memcpy(k->uts[i], h + 12 + 65 * i, 65);
		k->uts[i][65] = '\0';
	}
	k->tv_sec = td_le64(h + 408);
	k->tv_usec = td_le64(h + 416);
	k->status = td_le32(h + 424);
	k->block_size = td_le32(h + 428);
	k->sub_hdr_size = td_le32(h + 432);
	k->bitmap_blocks = td_le32(h + 436);
	k->max_mapnr32 = td_le32(h + 440);
	k->nr_cpus = (int32_t)td_le32(h + 460);
}

/* Bytes of kdump_sub_header that header version v defines. */
static unsigned subhdr_len(int v)
{
	static const unsigned len[] = {0, 16, 32, 48, 64, 80, 104};

	return len[v];
}

static void parse_sub(struct td_kdump *k, const uint8_t *s)
{
	int v = k->header_version;

	k->phys_base = td_le64(s);
	k->dump_level = (int32_t)td_le32(s + 8);
	if (v >= 2) {
		k->split = (int32_t)td_le32(s + 12);
		k->start_pfn = td_le64(s + 16);
		k->end_pfn = td_le64(s + 24);
	}
	if (v >= 3) {
		k->offset_vmcoreinfo = td_le64(s + 32);
		k->size_vmcoreinfo = td_le64(s + 40);
	}
	if (v >= 4) {
		k->offset_note = td_le64(s + 48);
		k->size_note = td_le64(s + 56);
	}
	if (v >= 5) {
		k->offset_eraseinfo = td_le64(s + 64);
		k->size_eraseinfo = td_le64(s + 72);
	}
	if (v >= 6) {
		k->start_pfn_64 = td_le64(s + 80);
		k->end_pfn_64 = td_le64(s + 88);
		k->max_mapnr_64 = td_le64(s + 96);
	}
	k->max_mapnr = v >= 6 ? k->max_mapnr_64 : k->max_mapnr32;
}

static int in_file(const struct td_kdump *k, uint64_t off, uint64_t len)
{
	return off <= k->src->size && len <= k->src->size - off;
}

static int read_headers(struct td_kdump *k, struct td_err *e)
{
	uint8_t h[TD_KDUMP_HDR_SIZE], s[TD_KDUMP_SUBHDR_SIZE] = {0};

	if (k->src->size < TD_KDUMP_HDR_SIZE)
		return td_fail(e, "file too short for a kdump header (%llu bytes)",
			       (unsigned long long)k->src->size);
	if (src_read(k, 0, h, sizeof h, e) < 0)
		return td_wrap(e, "reading the kdump header");
	if (!td_kdump_probe(h))
		return td_fail(e, "no KDUMP signature: not a kdump-compressed file");
	if (memcmp(h, "KDUMP   ", 8) != 0)   /* no kdump_sub_header; pre-2006 kernels */
		return td_fail(e, "the old DISKDUMP format is not supported, only KDUMP");
	parse_main(k, h);
	if (k->header_version < 1 || k->header_version > 6)
		return td_fail(e, "kdump header version %d is not supported (1..6)", k->header_version);
	if (k->block_size != TD_KDUMP_BLOCK)
		return td_fail(e, "block size %u is not supported (tinydump reads %u-byte blocks)",
			       k->block_size, TD_KDUMP_BLOCK);
	if (k->sub_hdr_size == 0 || !in_file(k, TD_KDUMP_BLOCK, subhdr_len(k->header_version)))
		return td_fail(e, "kdump sub-header is missing or past the end of the file");
	if (src_read(k, TD_KDUMP_BLOCK, s, subhdr_len(k->header_version), e) < 0)
		return td_wrap(e, "reading the kdump sub-header");
	parse_sub(k, s);
	return 0;
}

/* Place the bitmaps and the descriptor table. */
static int layout(struct td_kdump *k, struct td_err *e)
{
	uint64_t b = TD_KDUMP_BLOCK, all = (uint64_t)k->bitmap_blocks * b;
	uint64_t need = (k->max_mapnr + 7) / 8;

	k->bitmap_off[0] = (1 + (uint64_t)k->sub_hdr_size) * b;
	k->desc_off = k->bitmap_off[0] + all;
	if (k->bitmap_blocks == 0 || need == 0)
		return td_fail(e, "empty bitmap (bitmap_blocks %u, max_mapnr %llu)", k->bitmap_blocks,
			       (unsigned long long)k->max_mapnr);
	if (need <= all / 2) {
		k->bitmap_len = all / 2;
		k->bitmap_off[1] = k->bitmap_off[0] + k->bitmap_len;
	} else if (need <= all) {    /* old single-bitmap diskdump */
		k->bitmap_len = all;
		k->bitmap_off[1] = k->bitmap_off[0];
	} else {
		return td_fail(e, "bitmap of %u blocks is too small for max_mapnr %llu", k->bitmap_blocks,
			       (unsigned long long)k->max_mapnr);
	}
	if (!in_file(k, k->bitmap_off[0], all))
		return td_fail(e, "bitmaps (%llu bytes at 0x%llx) run past the end of the file (%llu bytes)",
			       (unsigned long long)all, (unsigned long long)k->bitmap_off[0],
			       (unsigned long long)k->src->size);
	return 0;
}

uint64_t td_kdump_notes_size(const struct td_kdump *k)
{
	if (k->header_version >= 4 && k->size_note)
		return k->size_note;
	if (k->header_version >= 3)
		return k->size_vmcoreinfo;
	return 0;
}

/* Where the notes (or the v3 VMCOREINFO) are: *off, and the size. */
static uint64_t notes_at(const struct td_kdump *k, uint64_t *off)
{
	int notes = k->header_version >= 4 && k->size_note;

	*off = notes ? k->offset_note : k->offset_vmcoreinfo;
	return td_kdump_notes_size(k);
}

/* The notes must fit TD_MAX_NOTES and lie inside the file. */
static int check_notes(const struct td_kdump *k, struct td_err *e)
{
	uint64_t off, size = notes_at(k, &off);

	if (size > TD_MAX_NOTES || !in_file(k, off, size))
		return td_fail(e, "%s (%llu bytes at 0x%llx) %s",
			       k->header_version >= 4 && k->size_note ? "notes" : "VMCOREINFO",
			       (unsigned long long)size, (unsigned long long)off,
			       size > TD_MAX_NOTES ? "are implausibly large" : "run past the end of the file");
	return 0;
}

/* Bitmap bytes in block blk that hold pfns below max_mapnr. */
static uint64_t blk_bytes(const struct td_kdump *k, uint64_t blk)
{
	uint64_t need = (k->max_mapnr + 7) / 8, at = blk * TD_KDUMP_BLOCK;

	if (at >= need)
		return 0;
	return need - at < TD_KDUMP_BLOCK ? need - at : TD_KDUMP_BLOCK;
}

/* Make bm[w] hold block blk of bitmap w (0 = 1st, 1 = 2nd). Bits at or
 * past max_mapnr are cleared, so counts never include them. */
static int load_blk(struct td_kdump *k, int w, uint64_t blk, struct td_err *e)
{
	uint64_t n = blk_bytes(k, blk), bits = k->max_mapnr - blk * TD_KDUMP_BLOCK * 8;

	if (k->bm_blk[w] == blk)
		return 0;
	k->bm_blk[w] = NO_BLOCK;
	memset(k->bm[w], 0, sizeof k->bm[w]);
	if (n && src_read(k, k->bitmap_off[w] + blk * TD_KDUMP_BLOCK, k->bm[w], n, e) < 0)
		return td_wrap(e, "reading bitmap %d block %llu", w + 1, (unsigned long long)blk);
	if (bits < n * 8)
		k->bm[w][n - 1] &= (uint8_t)((1u << (bits & 7)) - 1);
	k->bm_blk[w] = blk;
	return 0;
}

/* Set bits in the first nbits bits of buf. */
static uint64_t popcount(const uint8_t *buf, uint64_t nbits)
{
	uint64_t c = 0, i = 0;

	for (; i + 64 <= nbits; i += 64) {
		uint64_t w;

		memcpy(&w, buf + i / 8, 8);
		c += (uint64_t)__builtin_popcountll(w);
	}
	for (; i < nbits; i++)
		c += buf[i / 8] >> (i & 7) & 1;
	return c;
}

/* One pass over the 2nd bitmap: prefix counts and the dumpable total. */
static int build_rank(struct td_kdump *k, struct td_err *e)
{
	uint64_t nblk = ((k->max_mapnr + 7) / 8 + TD_KDUMP_BLOCK - 1) / TD_KDUMP_BLOCK;
	uint64_t total = 0;

	k->rank_step = (nblk + TD_KDUMP_RANK_SLOTS - 1) / TD_KDUMP_RANK_SLOTS;
	for (uint64_t b = 0; b < nblk; b++) {
		if (b % k->rank_step == 0)
			k->rank[b / k->rank_step] = total;
		if (load_blk(k, 1, b, e) < 0)
			return -1;
		total += popcount(k->bm[1], TD_KDUMP_BLOCK * 8);
	}
	k->dumpable = total;
	k->data_off = k->desc_off + total * TD_KDUMP_DESC_SIZE;
	return 0;
}

int td_kdump_open(struct td_kdump *k, struct td_source *src, struct td_err *e)
{
	memset(k, 0, offsetof(struct td_kdump, rank));
	k->src = src;
	k->bm_blk[0] = k->bm_blk[1] = NO_BLOCK;
	k->page_pfn = NO_BLOCK;
	k->dc_n = 0;
	if (read_headers(k, e) < 0 || check_notes(k, e) < 0 || layout(k, e) < 0 ||
	    build_rank(k, e) < 0)
		return td_wrap(e, "opening kdump file");
	k->rank_blk = NO_BLOCK;
	return 0;
}

int td_kdump_bit(struct td_kdump *k, int which, uint64_t pfn, struct td_err *e)
{
	int w = which == 1 ? 0 : 1;

	if (pfn >= k->max_mapnr)
		return 0;
	if (load_blk(k, w, pfn / 8 / TD_KDUMP_BLOCK, e) < 0)
		return -1;
	return k->bm[w][pfn / 8 % TD_KDUMP_BLOCK] >> (pfn & 7) & 1;
}

/* Number of set 2nd-bitmap bits below pfn (pfn's bit is set, < max_mapnr). */
static int rank_of(struct td_kdump *k, uint64_t pfn, uint64_t *r, struct td_err *e)
{
	uint64_t blk = pfn / 8 / TD_KDUMP_BLOCK, b, c;

	if (k->rank_blk != blk) {
		c = k->rank[blk / k->rank_step];
		for (b = blk - blk % k->rank_step; b < blk; b++) {
			if (load_blk(k, 1, b, e) < 0)
				return -1;
			c += popcount(k->bm[1], TD_KDUMP_BLOCK * 8);
		}
		k->rank_blk = blk;
		k->rank_at = c;
	}
	if (load_blk(k, 1, blk, e) < 0)
		return -1;
	*r = k->rank_at + popcount(k->bm[1], pfn % (TD_KDUMP_BLOCK * 8));
	return 0;
}

/* Make dc[] hold the descriptor of rank r. The table may be cut short
 * (an incomplete dump); only what the file holds is read. */
static int load_desc(struct td_kdump *k, uint64_t r, uint64_t pfn, struct td_err *e)
{
	uint64_t first = r - r % DC_MAX, off = k->desc_off + first * TD_KDUMP_DESC_SIZE;
	uint64_t n = k->dumpable - first, room;

	if (r >= k->dc_first && r < k->dc_first + k->dc_n)
		return 0;
	k->dc_n = 0;
	if (n > DC_MAX)
		n = DC_MAX;
	room = off < k->src->size ? (k->src->size - off) / TD_KDUMP_DESC_SIZE : 0;
	if (n > room)
		n = room;
	if (r >= first + n)
		return td_fail(e, "pfn 0x%llx: its descriptor (#%llu at 0x%llx) is past the end of the "
			       "file (truncated dump?)", (unsigned long long)pfn, (unsigned long long)r,
			       (unsigned long long)(k->desc_off + r * TD_KDUMP_DESC_SIZE));
	if (src_read(k, off, k->dc, n * TD_KDUMP_DESC_SIZE, e) < 0)
		return td_wrap(e, "pfn 0x%llx: reading its descriptor", (unsigned long long)pfn);
	k->dc_first = first;
	k->dc_n = n;
	return 0;
}

int td_kdump_desc(struct td_kdump *k, uint64_t pfn, struct td_kdump_desc *d, struct td_err *e)
{
	const uint8_t *p;
	uint64_t r;
	int set = td_kdump_bit(k, 2, pfn, e);

	if (set <= 0)
		return set;
	if (rank_of(k, pfn, &r, e) < 0 || load_desc(k, r, pfn, e) < 0)
		return -1;
	p = k->dc + (r - k->dc_first) * TD_KDUMP_DESC_SIZE;
	d->offset = td_le64(p);
	d->size = td_le32(p + 8);
	d->flags = td_le32(p + 12);
	d->page_flags = td_le64(p + 16);
	return 1;
}

/* Names of the kdump codec flags, for the message about one we lack. */
static const char *flag_name(uint32_t f)
{
	return f == TD_KDUMP_F_ZLIB ? "zlib" : f == TD_KDUMP_F_LZO ? "LZO" : f == TD_KDUMP_F_SNAPPY ? "snappy"
	       : f == TD_KDUMP_F_ZSTD ? "zstd" : "unknown";
}

/* Check d and fill k->page from it with the codec its flags name. */
static int decode(struct td_kdump *k, uint64_t pfn, const struct td_kdump_desc *d,
		  struct td_err *e)
{
	const struct td_codec *c = td_codec_by_flag(d->flags);
	const uint8_t *p;

	if (d->offset == 0)
		return td_fail(e, "pfn 0x%llx: page lost (descriptor offset 0: incomplete dump)",
			       (unsigned long long)pfn);
	if (d->size == 0 || d->size > TD_KDUMP_BLOCK)
		return td_fail(e, "pfn 0x%llx: corrupt descriptor (data size %u, block size %u)",
			       (unsigned long long)pfn, d->size, TD_KDUMP_BLOCK);
	if (!c)
		return td_fail(e, "pfn 0x%llx: unsupported compression flag 0x%x (%s); tinydump reads %s pages",
			       (unsigned long long)pfn, d->flags, flag_name(d->flags), td_codec_names());
	if (!in_file(k, d->offset, d->size))
		return td_fail(e, "pfn 0x%llx: page data (%u bytes at 0x%llx) is past the end of the file",
			       (unsigned long long)pfn, d->size, (unsigned long long)d->offset);
	if (d->flags == 0 && d->size != TD_KDUMP_BLOCK)
		return td_fail(e, "pfn 0x%llx: uncompressed page of %u bytes, expected %u",
			       (unsigned long long)pfn, d->size, TD_KDUMP_BLOCK);
	p = k->src->get(k->src->ctx, d->offset, d->size, e);
	if (!p)
		return td_wrap(e, "pfn 0x%llx: reading page data", (unsigned long long)pfn);
	if (c->decompress(p, d->size, k->page) < 0)
		return td_fail(e, "pfn 0x%llx: %s data at 0x%llx is corrupt or does not give %u bytes",
			       (unsigned long long)pfn, c->name, (unsigned long long)d->offset, TD_KDUMP_BLOCK);
	return 0;
}

const uint8_t *td_kdump_page(struct td_kdump *k, uint64_t pfn, struct td_err *e)
{
	struct td_kdump_desc d;
	int r;

	if (k->page_pfn == pfn)
		return k->page;
	r = td_kdump_desc(k, pfn, &d, e);
	if (r == 0)
		td_fail(e, "pfn 0x%llx is not in the dump (excluded or beyond max_mapnr 0x%llx)",
			(unsigned long long)pfn, (unsigned long long)k->max_mapnr);
	k->page_pfn = NO_BLOCK;
	if (r <= 0 || decode(k, pfn, &d, e) < 0)
		return NULL;
	k->page_pfn = pfn;
	return k->page;
}

/* One piece of a physical read: up to the end of pa's page. */
static int page_piece(void *ctx, uint64_t pa, uint8_t *out, size_t len, size_t *n, struct td_err *e)
{
	const uint8_t *p = td_kdump_page(ctx, pa >> TD_PAGE_SHIFT, e);

	if (!p)
		return td_wrap(e, "reading physical 0x%llx", (unsigned long long)pa);
	*n = td_span(pa, TD_PAGE_SIZE, len);
	memcpy(out, p + (pa & (TD_PAGE_SIZE - 1)), *n);
	return 0;
}

static int kdump_physread(void *ctx, uint64_t pa, void *buf, size_t len, struct td_err *e)
{
	return td_read_pieces(page_piece, ctx, pa, buf, len, e);
}

void td_kdump_physread(struct td_kdump *k, struct td_physread *pr)
{
	pr->ctx = k;
	pr->read = kdump_physread;
}

/* Find VMCOREINFO among the notes in buf. */
static int find_vmcoreinfo(const uint8_t *buf, uint64_t size, uint64_t *off, uint64_t *len,
			   struct td_err *e)
{
	uint64_t pos = 0;
	struct td_note n;
	int r;

	while ((r = td_note_next(buf, size, &pos, &n, e)) == 1) {
		if (n.namesz == 10 && memcmp(n.name, "VMCOREINFO", 10) == 0) {
			*off = n.desc_off;
			*len = n.descsz;
			return 0;
		}
	}
	if (r < 0)
		return td_wrap(e, "parsing the notes copied into the kdump file");
	return td_fail(e, "the kdump file's notes have no VMCOREINFO");
}

int td_kdump_load_notes(struct td_kdump *k, uint8_t *buf, uint64_t *vi_off, uint64_t *vi_len,
			struct td_err *e)
{
	uint64_t off, size = notes_at(k, &off);
	int notes = k->header_version >= 4 && k->size_note;

	if (size == 0)
		return td_fail(e, "kdump header version %d file carries no notes and no VMCOREINFO",
			       k->header_version);
	if (check_notes(k, e) < 0)
		return -1;
	for (uint64_t at = 0; at < size; at += TD_SOURCE_MAX_GET) {
		uint64_t n = size - at < TD_SOURCE_MAX_GET ? size - at : TD_SOURCE_MAX_GET;

		if (src_read(k, off + at, buf + at, n, e) < 0)
			return td_wrap(e, "reading the kdump notes");
	}
	if (!notes) {
		*vi_off = 0;
		*vi_len = size;
		return 0;
	}
	return find_vmcoreinfo(buf, size, vi_off, vi_len, e);
}
