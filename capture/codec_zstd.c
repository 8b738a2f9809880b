/* The zstd codec (kdump flag 0x20): each page one zstd frame at level 1,
 * as makedumpfile -z writes it (ZSTD_compressCCtx, content size in the
 * frame header), kept only when smaller than a page. crash and drgn
 * decode such pages with ZSTD_decompress.
 *
 * The compression context lives in the caller's state, placed there by
 * ZSTD_initStaticCCtx: zstd never allocates. Its size is what level 1
 * needs for a source of one page (a 4 KiB window, 2^13 hash and 2^12 chain
 * entries: 73,632 bytes with zstd 1.5.4); the assertion below and the unit
 * test keep it honest. */
#define ZSTD_STATIC_LINKING_ONLY
#include <string.h>
#include <zstd.h>

#include "codec.h"
#include "kdumpfmt.h"
#include "page.h"

enum { PAGE = TD_PAGE_SIZE, LEVEL = 1 };

/* What level 1 needs for one page, with room for small differences
 * between zstd versions; init checks the real need against it. */
#define ZSTD_CCTX_ROOM (96u << 10)
_Static_assert(ZSTD_CCTX_ROOM + 64 <= TD_CODEC_STATE_MAX, "TD_CODEC_STATE_MAX too small for zstd");

struct zstd_state {
	ZSTD_CCtx *cctx; /* inside room[] */
	uint64_t room[ZSTD_CCTX_ROOM / 8];
};

static int zstd_init(void *st, struct td_err *e)
{
	struct zstd_state *z = st;
	size_t need = ZSTD_estimateCCtxSize_usingCParams(ZSTD_getCParams(LEVEL, PAGE, 0));

	if (need > sizeof z->room)
		return td_fail(e, "zstd level %d needs a %zu-byte context, more than the %zu bytes set aside",
			       LEVEL, need, sizeof z->room);
	z->cctx = ZSTD_initStaticCCtx(z->room, sizeof z->room);
	if (!z->cctx)
		return td_fail(e, "zstd context does not fit in %zu bytes", sizeof z->room);
	return 0;
}

static uint32_t zstd_compress(void *st, const uint8_t *page, uint8_t *out)
{
	struct zstd_state *z = st;
	/* Room for less than a page: a frame that does not fit is an error,
	 * and the page is stored raw. */
	size_t n = ZSTD_compressCCtx(z->cctx, out, PAGE - 1, page, PAGE, LEVEL);

	return ZSTD_isError(n) ? 0 : (uint32_t)n;
}

/* The reader decodes with one context per thread, made on first use and
 * kept: ZSTD_decompress would make and free one per page. */
static _Thread_local ZSTD_DCtx *dctx;

static int zstd_decompress(const uint8_t *in, uint32_t len, uint8_t *page)
{
	if (!dctx && !(dctx = ZSTD_createDCtx()))
		return -1;
	size_t n = ZSTD_decompressDCtx(dctx, page, PAGE, in, len);

	return !ZSTD_isError(n) && n == PAGE ? 0 : -1;
}

const struct td_codec td_codec_zstd = {
	.name = "zstd",
	.kdump_flag = TD_KDUMP_F_ZSTD,
	.init = zstd_init,
	.compress = zstd_compress,
	.decompress = zstd_decompress,
};
