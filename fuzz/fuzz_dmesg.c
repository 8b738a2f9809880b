/* libFuzzer target: the printk ringbuffer reader on a fuzzed memory image.
 * The input is kernel memory at FUZZ_BASE (the prb pointer, the ring
 * struct, descriptors, infos and text wherever the pointers say); the
 * layout comes from the 6.1 VMCOREINFO below. Reads outside the input
 * fail, as unreadable memory in a dump does. */
#include <string.h>

#include "capture/dmesg.h"
#include "capture/vmcoreinfo.h"
#include "tests/prb_vi.h"

#define FUZZ_BASE 0xffffffff82000000ull

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char vitext[] =
	"OSRELEASE=6.1.192\nPAGESIZE=4096\nSYMBOL(prb)=ffffffff82000000\n" TD_PRB_VMCOREINFO;

static struct td_vmcoreinfo vi;
static struct td_dmesg dm;
static int vi_ok;

struct img {
	const uint8_t *p;
	size_t n;
};

static int img_read(void *ctx, uint64_t va, void *buf, size_t len, struct td_err *e)
{
	const struct img *m = ctx;

	if (va < FUZZ_BASE || va - FUZZ_BASE > m->n || len > m->n - (va - FUZZ_BASE))
		return td_fail(e, "no memory at 0x%llx", (unsigned long long)va);
	memcpy(buf, m->p + (va - FUZZ_BASE), len);
	return 0;
}

static int null_write(void *ctx, uint64_t off, const void *buf, size_t len, struct td_err *e)
{
	uint64_t *next = ctx;
	const char *s = buf;

	(void)e;
	if (off != *next || len == 0)
		__builtin_trap();
	for (size_t i = 0; i < len; i++)   /* the output is text: no NUL, no raw 8-bit */
		if (s[i] == '\0' || (unsigned char)s[i] >= 0x80)
			__builtin_trap();
	*next += len;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct img m = { data, size };
	struct td_kread kr = { &m, img_read };
	uint64_t next = 0;
	struct td_sink out = { &next, null_write, NULL };
	struct td_err e;

	if (!vi_ok) {
		if (td_vmcoreinfo_parse(&vi, vitext, sizeof vitext - 1, &e) < 0)
			__builtin_trap();
		vi_ok = 1;
	}
	if (td_dmesg_write(&dm, &kr, &vi, &out, &e) == 0 && next != dm.bytes)
		__builtin_trap();
	return 0;
}
