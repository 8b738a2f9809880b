/* libFuzzer target: tinydump's page deflate (capture/deflate.c). The input
 * (up to a page) is compressed twice, once with room for any stream and
 * once with a room the first byte picks; zlib's inflate must give the
 * input back, a stream that does not fit its room must be refused, and
 * both calls must agree (the hash table carries nothing between calls). */
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "capture/deflate.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct td_deflate d;
static int ready;
static uint8_t out[TD_DEFLATE_MAX_IN + 64], out2[TD_DEFLATE_MAX_IN + 64], back[TD_DEFLATE_MAX_IN];

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t n, m, room;
	uLongf got = sizeof back;

	if (!ready) {
		td_deflate_init(&d);
		ready = 1;
	}
	if (size < 1)
		return 0;
	room = (size_t)data[0] * 17;
	data++, size--;
	if (size > TD_DEFLATE_MAX_IN)
		size = TD_DEFLATE_MAX_IN;
	n = td_deflate_zlib(&d, data, size, out, sizeof out);
	if (!n || uncompress(back, &got, out, n) != Z_OK || got != size || memcmp(back, data, size))
		abort();
	m = td_deflate_zlib(&d, data, size, out2, room);
	if (m ? m != n || memcmp(out, out2, n) : n <= room)
		abort();
	return 0;
}
