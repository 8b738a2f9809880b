/* The exact zlib codec (codec.h row td_codec_zlib_exact, "zlib-exact"):
 * per-page compression as makedumpfile does it, byte for byte (one reused deflate
 * stream at level 1, the zlib wrapper crash's uncompress() expects, kept
 * only when smaller than a page), plus a cheap test that recognises pages
 * deflate cannot shrink, so they are stored raw without trying.
 *
 * The test is conservative: a page is skipped only when its order-0
 * entropy alone needs more than a page (no Huffman code can do better)
 * and it has almost no repeated 3-byte sequences (so LZ77 matches cannot
 * pay for the difference). Skipped pages are exactly those deflate would
 * have stored raw; tests check this against zlib on real and synthetic
 * pages. */
#ifndef TD_PAGEZIP_H
#define TD_PAGEZIP_H

#include <stdint.h>
#include <zlib.h>

#include "os/err.h"
#include "page.h"

/* The test's own state: a table of recent 3-byte sequences. */
struct td_hopeless {
	uint32_t gen;        /* generation tag for the repeat table */
	uint32_t seen[4096]; /* trigram hash -> page tag << 24 | trigram */
};

struct td_pagezip {
	z_stream z;
	int live;
	uint8_t out[TD_PAGE_SIZE]; /* the compressed page */
	struct td_hopeless h;
	uint64_t tried, skipped;   /* pages given to deflate / skipped as hopeless */
};

int td_pagezip_init(struct td_pagezip *pz, struct td_err *e);
void td_pagezip_end(struct td_pagezip *pz);

/* Compress one page. Returns the compressed size (< TD_PAGE_SIZE, data
 * in pz->out) or 0 when the page is to be stored raw. */
uint32_t td_pagezip_page(struct td_pagezip *pz, const uint8_t *page);

/* The test alone: 1 if the page is certainly not compressible, by any
 * deflate encoder (the bound is on the literals' entropy). */
int td_hopeless(struct td_hopeless *h, const uint8_t *page);
#define td_pagezip_hopeless(pz, page) td_hopeless(&(pz)->h, page)

/* Inflate a zlib-format page (both zlib rows' decompress). */
int td_pagezip_inflate(const uint8_t *in, uint32_t len, uint8_t *page);

#endif
