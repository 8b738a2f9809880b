/* The LZO codec (kdump flag 0x2): each page compressed by lzo1x_1, as
 * makedumpfile -l writes it, kept only when smaller than a page; decoded
 * by lzo1x_decompress_safe, which checks every length against its
 * buffers. The work memory (16384 dictionary pointers: 128 KiB on 64-bit)
 * and an output buffer of LZO's worst case live in the caller's state. */
#include <lzo/lzo1x.h>
#include <string.h>

#include "codec.h"
#include "kdumpfmt.h"
#include "page.h"

enum { PAGE = TD_PAGE_SIZE };

struct lzo_state {
	uint64_t wrk[LZO1X_1_MEM_COMPRESS / 8];
	/* lzo1x_1's bound for incompressible input */
	uint8_t out[PAGE + PAGE / 16 + 64 + 3];
};
_Static_assert(sizeof(struct lzo_state) <= TD_CODEC_STATE_MAX, "TD_CODEC_STATE_MAX too small for lzo");

static int lzo_init_state(void *st, struct td_err *e)
{
	(void)st;
	if (lzo_init() != LZO_E_OK)
		return td_fail(e, "lzo_init failed: liblzo2 built for another ABI");
	return 0;
}

static uint32_t lzo_compress(void *st, const uint8_t *page, uint8_t *out)
{
	struct lzo_state *z = st;
	lzo_uint n = 0;

	if (lzo1x_1_compress(page, PAGE, z->out, &n, z->wrk) != LZO_E_OK || n >= PAGE)
		return 0;
	memcpy(out, z->out, n);
	return (uint32_t)n;
}

static int lzo_decompress(const uint8_t *in, uint32_t len, uint8_t *page)
{
	lzo_uint n = PAGE;

	return lzo1x_decompress_safe(in, len, page, &n, NULL) == LZO_E_OK && n == PAGE ? 0 : -1;
}

const struct td_codec td_codec_lzo = {
	.name = "lzo",
	.kdump_flag = TD_KDUMP_F_LZO,
	.init = lzo_init_state,
	.compress = lzo_compress,
	.decompress = lzo_decompress,
};
