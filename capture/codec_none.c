/* The "none" codec: pages stored as they are (kdump flag 0). */
#include <string.h>

#include "codec.h"
#include "page.h"

static int none_decompress(const uint8_t *in, uint32_t len, uint8_t *page)
{
	if (len != TD_PAGE_SIZE)
		return -1;
	memcpy(page, in, TD_PAGE_SIZE);
	return 0;
}

const struct td_codec td_codec_none = {
	.name = "none",
	.kdump_flag = 0,
	.decompress = none_decompress,
};
