/* libFuzzer target: crash signatures (capture/crashsig.c) over a fuzzed
 * kernel log. The first byte chooses the piece size; the log is then fed
 * once whole and once in pieces, and both must give the same signature
 * (the capture run and the receiver cut the same log differently). The
 * text and hex must be terminated, the hex 16 hex digits or empty. */
#include <stdlib.h>
#include <string.h>

#include "capture/crashsig.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct td_crashsig whole, cut;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t step;
	int a, b;

	if (size < 1)
		return 0;
	step = (size_t)data[0] % 97 + 1;
	data++, size--;
	td_crashsig_init(&whole);
	td_crashsig_feed(&whole, (const char *)data, size);
	a = td_crashsig_end(&whole);
	td_crashsig_init(&cut);
	for (size_t i = 0; i < size; i += step)
		td_crashsig_feed(&cut, (const char *)data + i, size - i < step ? size - i : step);
	b = td_crashsig_end(&cut);
	if (a != b || strcmp(whole.text, cut.text) || strcmp(whole.hex, cut.hex))
		abort();
	if (!memchr(whole.text, 0, sizeof whole.text) ||
	    (a ? strlen(whole.hex) != 16 || strspn(whole.hex, "0123456789abcdef") != 16 : whole.hex[0] != 0))
		abort();
	return 0;
}
