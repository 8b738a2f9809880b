/* libFuzzer target: /etc/tinydump.conf and the kernel command line
 * (init/config.c, init/cmdline.c). The first byte splits the input into a
 * config file and a command line; both are parsed as the capture run
 * parses them, then the capture kernel's command line is built from the
 * rest, and the word tokeniser must always make progress. */
#include <string.h>

#include "capture/stats.h"
#include "init/cmdline.h"
#include "init/config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct td_config c;
static struct td_warnings w;
static char out[4096];

static void words(const char *p, const char *end)
{
	struct td_arg a;
	const char *next;

	while (p && p < end) {
		next = td_cmdline_next(p, end, &a);
		if (!next)
			break;
		if (next <= p || next > end || a.raw < p || a.raw + a.rawlen > end)
			__builtin_trap();
		if (a.val && (a.val < a.raw || a.val + a.vlen > end))
			__builtin_trap();
		p = next;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct td_err e;
	const char *text = (const char *)data + 1;
	size_t split, n;
	char running[2048], append[2048];

	if (size < 1)
		return 0;
	n = size - 1;
	split = n ? (size_t)data[0] * n / 255 : 0;
	memset(&w, 0, sizeof w);
	td_config_defaults(&c);
	td_config_file(&c, text, split, &w);
	td_config_cmdline(&c, text + split, n - split, &w);
	td_config_finish(&c, &w);
	if (c.ntarget < 1 || c.ntarget > TD_MAX_TARGETS || c.level > 31 || c.timeout < 1)
		__builtin_trap();
	words(text, text + n);
	if (split < sizeof running && n - split < sizeof append) {
		memcpy(running, text, split);
		running[split] = 0;
		memcpy(append, text + split, n - split);
		append[n - split] = 0;
		if (td_capture_cmdline(running, append, out, sizeof out, &e) == 0 &&
		    !memchr(out, 0, sizeof out))
			__builtin_trap();
	}
	return 0;
}
