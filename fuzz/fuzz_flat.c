/* libFuzzer target: the flattened-stream reader. The first byte picks the
 * chunk size the stream is fed in; every placed piece must lie inside the
 * limits the reader promises. */
#include "capture/flat.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_END (1ull << 32)

static int place(void *ctx, uint64_t off, const uint8_t *p, size_t len, struct td_err *e)
{
	volatile uint8_t sink;

	(void)ctx;
	(void)e;
	if (len == 0 || off >= MAX_END || len > MAX_END - off)
		__builtin_trap();
	sink = p[0];
	sink = p[len - 1];
	(void)sink;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct td_flat_reader r;
	struct td_err e;
	size_t chunk, at = 1, used;

	if (size < 1)
		return 0;
	chunk = (size_t)data[0] * 37 + 1;
	td_flat_reader_init(&r, MAX_END, place, NULL);
	while (at < size) {
		size_t n = size - at < chunk ? size - at : chunk;

		if (td_flat_feed(&r, data + at, n, &used, &e) < 0)
			return 0;
		if (used > n)
			__builtin_trap();
		if (used < n && !td_flat_done(&r))
			__builtin_trap();
		at += used;
		if (td_flat_done(&r))
			break;
	}
	if (r.file_end > MAX_END || r.pos > size)
		__builtin_trap();
	return 0;
}
