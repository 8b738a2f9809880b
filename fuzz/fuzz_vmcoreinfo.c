/* libFuzzer target: VMCOREINFO text. The parser and every accessor, on
 * the keys the input itself defines and on the ones tinydump asks for. */
#include <string.h>

#include "capture/vmcoreinfo.h"

static struct td_vmcoreinfo vi;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void ask(const char *key)
{
	uint64_t u;
	int64_t s;
	char name[TD_VI_KEYLEN];
	const char *open = strchr(key, '(');
	size_t n;

	td_vi_string(&vi, key);
	td_vi_u(&vi, key, &u);
	if (!open || !(n = strcspn(open + 1, ")")) || n >= sizeof name)
		return;
	memcpy(name, open + 1, n);
	name[n] = '\0';
	td_vi_symbol(&vi, name, &u);
	td_vi_size(&vi, name, &u);
	td_vi_offset(&vi, name, &u);
	td_vi_length(&vi, name, &u);
	td_vi_number(&vi, name, &s);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const fixed[] = {
		"OSRELEASE", "PAGESIZE", "CRASHTIME", "KERNELOFFSET", "BUILD-ID", "SYMBOL(prb)",
		"NUMBER(phys_base)", "SIZE(printk_info)", "OFFSET(page.flags)", "LENGTH(mem_section)",
	};
	struct td_err e;

	if (td_vmcoreinfo_parse(&vi, (const char *)data, size, &e) < 0)
		return 0;
	if (vi.n > TD_VI_MAX)
		__builtin_trap();
	for (unsigned i = 0; i < vi.n; i++) {
		if (!memchr(vi.ent[i].key, '\0', sizeof vi.ent[i].key) ||
		    !memchr(vi.ent[i].text, '\0', sizeof vi.ent[i].text))
			__builtin_trap();
		if (i < 16 || i == vi.n - 1)   /* lookups are linear: keep it fast */
			ask(vi.ent[i].key);
	}
	for (unsigned i = 0; i < sizeof fixed / sizeof fixed[0]; i++)
		ask(fixed[i]);
	return 0;
}
