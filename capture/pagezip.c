#include <string.h>

#include "codec.h"
#include "kdumpfmt.h"
#include "pagezip.h"

enum { PAGE = TD_PAGE_SIZE };
_Static_assert(sizeof(struct td_pagezip) <= TD_CODEC_STATE_MAX, "TD_CODEC_STATE_MAX too small for zlib");

/* lg[c] = c * log2(c) in 1/256 bits, for c = 0..4096: order-0 entropy of a
 * page in bits is 4096 * 12 - sum(lg[count]). Integer-only so that the
 * pure library needs no libm: log2 by 16 fraction bits of squaring. */
static uint32_t lg[PAGE + 1];

static uint32_t log2_fixed(uint32_t c) /* log2(c) in 1/65536 */
{
	uint32_t ip = 31 - (uint32_t)__builtin_clz(c), r = ip << 16;
	uint64_t x = ((uint64_t)c << 32) >> ip; /* c / 2^ip in 32.32, in [1, 2) */

	for (int b = 15; b >= 0; b--) {
		x = (x >> 16) * (x >> 16); /* square, in 32.32 */
		if (x >= (2ull << 32)) {
			x >>= 1;
			r |= 1u << b;
		}
	}
	return r;
}

static void init_table(void)
{
	if (lg[2])
		return;
	for (uint32_t c = 1; c <= PAGE; c++)
		lg[c] = (uint32_t)(((uint64_t)c * log2_fixed(c)) >> 8);
}

int td_pagezip_init(struct td_pagezip *pz, struct td_err *e)
{
	memset(pz, 0, sizeof *pz);
	init_table();
	if (deflateInit(&pz->z, Z_BEST_SPEED) != Z_OK)
		return td_fail(e, "zlib deflateInit failed (out of memory?)");
	pz->live = 1;
	return 0;
}

void td_pagezip_end(struct td_pagezip *pz)
{
	if (pz->live)
		deflateEnd(&pz->z);
	pz->live = 0;
}

/* Order-0 entropy of the page, in bytes. */
static uint32_t entropy_bytes(const uint8_t *p)
{
	uint16_t h[256] = { 0 };
	uint64_t sum = 0;

	for (int i = 0; i < PAGE; i++)
		h[p[i]]++;
	for (int i = 0; i < 256; i++)
		sum += lg[h[i]];
	return (uint32_t)(((uint64_t)PAGE * 12 * 256 - sum) / (256 * 8));
}

/* Positions whose 3-byte sequence appeared earlier in the page. The table
 * holds the sequence itself under an 8-bit page tag, so a hit needs no
 * second look at the page; a slot overwritten by another sequence only
 * loses hits (the count only has to be large when deflate would find many
 * matches). */
static unsigned repeats(struct td_hopeless *pz, const uint8_t *p)
{
	uint32_t tag = (++pz->gen & 0xff) << 24;
	uint32_t t = p[0] | (uint32_t)p[1] << 8;
	unsigned n = 0;

	if (tag == 0) /* the tag wrapped: forget every older page */
		memset(pz->seen, 0, sizeof pz->seen), tag = (++pz->gen & 0xff) << 24;
	for (uint32_t i = 2; i < PAGE; i++) {
		t = (t | (uint32_t)p[i] << 16) & 0xffffff;
		uint32_t h = (t * 2654435761u) >> 20, v = tag | t;
		n += pz->seen[h] == v;
		pz->seen[h] = v;
		t >>= 8;
	}
	return n;
}

/* A quick look first: 512 random bytes hold about 221 distinct values, and
 * a page with fewer than 160 in its first 512 bytes is worth a deflate
 * (struct pages, text, page tables: almost every kept page). This only
 * ever sends more pages to deflate, never fewer. */
static int looks_random(const uint8_t *p)
{
	uint64_t seen[4] = { 0 };
	int n = 0;

	for (int i = 0; i < 512; i++)
		seen[p[i] >> 6] |= 1ull << (p[i] & 63);
	for (int i = 0; i < 4; i++)
		n += __builtin_popcountll(seen[i]);
	return n >= 160;
}

/* Margins: a dynamic Huffman block costs at least its code lengths (tens
 * of bytes) and the zlib wrapper 6 bytes, so a page whose literals alone
 * need 4040 bytes cannot come under 4096 unless matches save 56 bytes or
 * more; each 3-byte match saves at most about 1.5 bytes at this entropy,
 * so fewer than 16 repeats cannot get there. */
int td_hopeless(struct td_hopeless *h, const uint8_t *page)
{
	return looks_random(page) && entropy_bytes(page) >= 4040 && repeats(h, page) < 16;
}

uint32_t td_pagezip_page(struct td_pagezip *pz, const uint8_t *page)
{
	z_stream *z = &pz->z;

	if (td_pagezip_hopeless(pz, page)) {
		pz->skipped++;
		return 0;
	}
	pz->tried++;
	if (deflateReset(z) != Z_OK)
		return 0;
	z->next_in = (Bytef *)page;
	z->avail_in = PAGE;
	z->next_out = pz->out;
	z->avail_out = PAGE - 1;
	if (deflate(z, Z_FINISH) != Z_STREAM_END)
		return 0; /* did not fit in less than a page */
	return (uint32_t)z->total_out;
}

/* --- the codec row --- */

static int zlib_init(void *st, struct td_err *e)
{
	return td_pagezip_init(st, e);
}

static void zlib_end(void *st)
{
	td_pagezip_end(st);
}

static uint32_t zlib_compress(void *st, const uint8_t *page, uint8_t *out)
{
	struct td_pagezip *pz = st;
	uint32_t n = td_pagezip_page(pz, page);

	memcpy(out, pz->out, n);
	return n;
}

int td_pagezip_inflate(const uint8_t *in, uint32_t len, uint8_t *page)
{
	uLongf n = PAGE;

	return uncompress(page, &n, in, len) == Z_OK && n == PAGE ? 0 : -1;
}

static void zlib_counts(const void *st, uint64_t *tried, uint64_t *skipped)
{
	const struct td_pagezip *pz = st;

	*tried = pz->tried;
	*skipped = pz->skipped;
}

const struct td_codec td_codec_zlib_exact = {
	.name = "zlib-exact",
	.kdump_flag = TD_KDUMP_F_ZLIB,
	.init = zlib_init,
	.end = zlib_end,
	.compress = zlib_compress,
	.decompress = td_pagezip_inflate,
	.counts = zlib_counts,
};
