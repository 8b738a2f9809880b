#include <string.h>

#include "page.h"

/* 64 bytes at a time, stopping at the first block with a set bit. */
int td_page_is_zero(const uint8_t *page)
{
	for (unsigned i = 0; i < TD_PAGE_SIZE; i += 64) {
		uint64_t w[8], acc = 0;
		memcpy(w, page + i, 64);
		for (int j = 0; j < 8; j++)
			acc |= w[j];
		if (acc)
			return 0;
	}
	return 1;
}
