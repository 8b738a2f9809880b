/* The zlib codec, the default (codec.h row td_codec_zlib): zlib-format
 * pages from tinydump's own page deflate (deflate.h), about twice as fast
 * as zlib's level 1 and a little smaller, but not byte-identical to
 * makedumpfile -c: that is the zlib-exact row (pagezip.c). Both read the
 * same way, with zlib's inflate, as crash, makedumpfile and drgn do.
 * Every page is tried: the entropy test of zlib-exact costs more than it
 * saves here (a page of random bytes is cheap for this parse; see
 * docs/DECISIONS.md). */
#include <string.h>

#include "codec.h"
#include "deflate.h"
#include "kdumpfmt.h"
#include "pagezip.h"

enum { PAGE = TD_PAGE_SIZE };

struct deflate_state {
	struct td_deflate d;
	uint64_t tried;
};
_Static_assert(sizeof(struct deflate_state) <= TD_CODEC_STATE_MAX, "TD_CODEC_STATE_MAX too small for deflate");
_Static_assert((int)PAGE <= (int)TD_DEFLATE_MAX_IN, "a page is more than td_deflate takes");

static int deflate_init(void *st, struct td_err *e)
{
	struct deflate_state *s = st;

	(void)e;
	td_deflate_init(&s->d);
	s->tried = 0;
	return 0;
}

static uint32_t deflate_compress(void *st, const uint8_t *page, uint8_t *out)
{
	struct deflate_state *s = st;

	s->tried++;
	return (uint32_t)td_deflate_zlib(&s->d, page, PAGE, out, PAGE - 1);
}

static void deflate_counts(const void *st, uint64_t *tried, uint64_t *skipped)
{
	const struct deflate_state *s = st;

	*tried = s->tried;
	*skipped = 0;
}

const struct td_codec td_codec_zlib = {
	.name = "zlib",
	.kdump_flag = TD_KDUMP_F_ZLIB,
	.init = deflate_init,
	.compress = deflate_compress,
	.decompress = td_pagezip_inflate,
	.counts = deflate_counts,
};
