/* libFuzzer target: a kdump-compressed file from untrusted bytes. Headers,
 * bitmaps and rank index, notes and VMCOREINFO, page reads, and then the
 * whole `tinydump dmesg` path: VMCOREINFO -> page-table walker + linear
 * kernel addresses -> the printk ringbuffer reader. */
#include <stdlib.h>
#include <string.h>

#include "capture/dmesg.h"
#include "capture/arch.h"
#include "capture/kaddr.h"
#include "capture/kdumpread.h"
#include "capture/vmcore.h"
#include "capture/vmcoreinfo.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct td_kdump k;
static struct td_vmcoreinfo vi;
static struct td_walker walker;
static struct td_dmesg dm;

static int null_write(void *ctx, uint64_t off, const void *buf, size_t len, struct td_err *e)
{
	uint64_t *next = ctx;

	(void)buf;
	(void)e;
	if (off != *next)
		__builtin_trap();
	*next += len;
	return 0;
}

/* Read the first few dumpable pages and a few arbitrary ones. */
static void pages(void)
{
	struct td_err e;
	unsigned got = 0;

	for (uint64_t pfn = 0; pfn < k.max_mapnr && pfn < (1u << 16) && got < 32; pfn++) {
		if (td_kdump_bit(&k, 2, pfn, &e) == 1) {
			got++;
			td_kdump_page(&k, pfn, &e);
		}
	}
	td_kdump_page(&k, k.max_mapnr - 1, &e);
	td_kdump_page(&k, k.max_mapnr / 2, &e);
}

static void dmesg(void)
{
	struct td_physread pr;
	struct td_kread walk, kr;
	struct td_kaddr ka;
	struct td_err e;
	uint64_t next = 0;
	struct td_sink out = { &next, null_write, NULL };
	int w;

	td_kdump_physread(&k, &pr);
	w = td_walker_init(&walker, &td_arch_x86_64, &pr, &vi, 0, &e) == 0;
	if (w)
		td_walker_kread(&walker, &walk);
	td_kaddr_init(&ka, &td_arch_x86_64, &pr, &vi, 0, w ? &walk : NULL);
	td_kaddr_kread(&ka, &kr);
	if (td_dmesg_write(&dm, &kr, &vi, &out, &e) == 0 && next != dm.bytes)
		__builtin_trap();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct td_membuf m = { data, size };
	struct td_source src;
	struct td_err e;
	uint64_t off, len, n;
	uint8_t *notes;

	td_source_mem(&src, &m);
	if (td_kdump_open(&k, &src, &e) < 0)
		return 0;
	if (k.data_off < k.desc_off || k.bitmap_off[1] + k.bitmap_len > size)
		__builtin_trap();
	pages();
	n = td_kdump_notes_size(&k);
	if (n > TD_MAX_NOTES)        /* open promises this */
		__builtin_trap();
	notes = malloc(n ? n : 1);
	if (td_kdump_load_notes(&k, notes, &off, &len, &e) == 0) {
		if (off > n || len > n - off)
			__builtin_trap();
		if (td_vmcoreinfo_parse(&vi, (const char *)notes + off, len, &e) == 0)
			dmesg();
	}
	free(notes);
	return 0;
}
