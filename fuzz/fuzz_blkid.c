/* libFuzzer target: ext2/3/4 superblocks, GPT headers and entry arrays,
 * and MBRs (init/blkid.c). The first byte picks the parser; for GPT the
 * rest is the header sector followed by the entry array, so a header that
 * checks out leads to the array parser. Results must be terminated text
 * and stay within their caps. */
#include <string.h>

#include "init/blkid.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void text(const char *s, size_t cap)
{
	if (!memchr(s, 0, cap))
		__builtin_trap();
}

static void parts(const struct td_part *p, size_t n)
{
	if (n > TD_MAX_PARTS)
		__builtin_trap();
	for (size_t i = 0; i < n; i++)
		text(p[i].partuuid, sizeof p[i].partuuid);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct td_part p[TD_MAX_PARTS];
	struct td_fsid id;
	struct td_gpt g;
	struct td_err e;
	size_t n = 0, sec;
	int gpt;

	if (size < 1)
		return 0;
	data++, size--;
	switch (data[-1] % 3) {
	case 0:
		if (td_blkid_ext(data, size, &id, &e) == 0) {
			text(id.type, sizeof id.type);
			text(id.label, sizeof id.label);
			text(id.label_shown, sizeof id.label_shown);
			text(id.uuid, sizeof id.uuid);
			for (const char *c = id.label_shown; *c; c++)
				if (*c < 0x20 || *c > 0x7e)
					__builtin_trap();
		}
		break;
	case 1:
		sec = size < 4096 ? size : 512;
		if (td_gpt_header(data, sec, &g, &e) == 0 &&
		    td_gpt_parts(&g, data + sec, size - sec, p, TD_MAX_PARTS, &n, &e) == 0)
			parts(p, n);
		break;
	default:
		if (td_mbr_parts(data, size, p, TD_MAX_PARTS, &n, &gpt, &e) == 0)
			parts(p, n);
		break;
	}
	return 0;
}
