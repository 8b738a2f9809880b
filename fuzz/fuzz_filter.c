/* libFuzzer target: the page filter and the page-table walk (filter.c,
 * memmap.c, x86_64.c) over a synthetic vmcore (tests/vmgen*.c) whose struct
 * pages, page tables and mem_section the fuzzer chooses.
 *
 * Input: byte 0 flags (bit 0: 5-level paging, bits 2-3: VMGEN_VI_*
 * extras), byte 1 the dump level, then 12-byte operations on a machine of
 * 4 MiB RAM (1024 pfns; direct map in 2 MiB pages, vmemmap in 4 KiB pages,
 * tables and mem_section in its upper 2 MiB; small, so that an execution
 * costs little more than the filter itself):
 *   [0] op  [1..2] pfn (mod 1024)  [3] sub  [4..11] value (little-endian)
 *   op 0: write value into the pfn's struct page at 8 * (sub % 8)
 *   op 1: a free buddy block of order sub % 11 at pfn
 *   op 2: a compound page of order 1 + sub % 9 (dtor, flags from value)
 *   op 3: overwrite the page-table entry that maps pfn (direct map, or its
 *         struct page in vmemmap when sub is odd) at level 1 + sub/2 % levels
 *   op 4: a single page: flags, mapping and _mapcount from value
 *   op 5: overwrite 8 bytes of the mem_section tree
 * Struct-page operations run first, then the table corruptions (vmgen
 * itself writes struct pages through its tables). The filter runs a
 * counting pass and a pass with stats; they must agree, and page tables
 * may be garbage but never crash the walk. */
#include <stdlib.h>
#include <string.h>

#include "capture/filter.h"
#include "capture/stats.h"
#include "capture/vmcore.h"
#include "capture/vmcoreinfo.h"
/* The generator is scaffolding: without coverage instrumentation it costs
 * a tenth of the time (its page loops would otherwise dominate), and the
 * fuzzer's feedback comes from the filter alone. */
#pragma clang attribute push(__attribute__((no_sanitize("coverage", "address", "undefined"))), \
			     apply_to = function)
#include "tests/vmgen.c"
#pragma clang attribute pop

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define NPFN 1024u
#define MAX_OPS 64

static uint64_t le64(const uint8_t *p)
{
	uint64_t v = 0;

	for (int i = 7; i >= 0; i--)
		v = v << 8 | p[i];
	return v;
}

static void machine(struct vmgen *g, uint8_t flags)
{
	if (flags & 1) {
		g->levels = 5;
		g->page_offset = VMGEN_PAGE_OFFSET_L5;
		g->vmemmap_base = VMGEN_VMEMMAP_L5;
	}
	vmgen_ram(g, 0, NPFN * VMGEN_PAGE);
	vmgen_kernel_text(g, 1u << 20, 1u << 20);
	vmgen_pool(g, 2u << 20, 2u << 20);
	vmgen_pt_init(g);
	vmgen_map_direct(g);
	vmgen_sparse(g, 0, NPFN, 4096);
}

static void op(struct vmgen *g, const uint8_t *o, int tables)
{
	uint64_t pfn = (o[1] | (uint64_t)o[2] << 8) % NPFN, v = le64(o + 4), va, epa, pa;
	unsigned sub = o[3], order;

	if ((o[0] % 6 == 3 || o[0] % 6 == 5) != tables)
		return;
	switch (o[0] % 6) {
	case 0:
		memcpy(vmgen_page(g, pfn) + 8 * (sub % 8), o + 4, 8);
		break;
	case 1:
		if (pfn + (1ull << (order = sub % 11)) <= NPFN)
			vmgen_buddy(g, pfn, order);
		break;
	case 2:
		if (pfn + (1ull << (order = 1 + sub % 9)) <= NPFN)
			vmgen_compound(g, pfn, order, (unsigned)(v & 3), v >> 8 & 0xfffff, v >> 32 << 3);
		break;
	case 3:
		va = sub & 1 ? vmgen_page_va(g, pfn) : g->page_offset + pfn * VMGEN_PAGE;
		epa = vmgen_entry_pa(g, va, 1 + (int)(sub / 2 % (unsigned)g->levels));
		if (epa && epa < NPFN * VMGEN_PAGE)
			vmgen_put64(g, epa, v);
		break;
	case 4:
		vmgen_set_page(g, pfn, v & 0xffffff, v >> 24 << 3, (int32_t)(v >> 32), sub);
		break;
	default:
		if (g->mem_section_va && vmgen_vtop(g, g->mem_section_va, &pa) == 0 &&
		    pa + 64 <= NPFN * VMGEN_PAGE)
			vmgen_put64(g, pa + 8 * (sub % 8), v);
		break;
	}
}

static struct td_filter f;
static struct td_warnings warn;
static uint8_t bm[2][NPFN / 8];
static uint8_t notes[65536];

static void run(uint8_t *img, size_t len, unsigned level)
{
	struct td_membuf mb = { img, len };
	struct td_source src;
	struct td_vmcore vc;
	struct td_vmcoreinfo vi;
	struct td_pagestats st;
	struct td_err e;

	td_source_mem(&src, &mb);
	if (td_vmcore_open(&vc, &src, &e) < 0 || vc.note_size > sizeof notes ||
	    td_vmcore_load_notes(&vc, notes, &e) < 0 ||
	    td_vmcoreinfo_parse(&vi, (const char *)notes + vc.vmcoreinfo_off, vc.vmcoreinfo_size,
				&e) < 0)
		__builtin_trap(); /* vmgen's machine is always readable */
	memset(&warn, 0, sizeof warn);
	memset(&st, 0, sizeof st);
	if (td_filter_init(&f, &vc, &vi, level, &warn, &e) < 0)
		return;
	for (int pass = 0; pass < 2; pass++)
		for (uint64_t s = 0; s < vc.max_pfn && s < NPFN; s += 512)
			if (td_filter_cycle(&f, s, 512, bm[pass] + s / 8, pass ? &st : NULL, &e) < 0)
				return;
	if (memcmp(bm[0], bm[1], sizeof bm[0]) != 0)
		__builtin_trap(); /* the same cycle must give the same bits */
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct vmgen *g;
	uint8_t *img;
	size_t len;

	if (size < 2)
		return 0;
	g = vmgen_new();
	machine(g, data[0]);
	for (int tables = 0; tables < 2; tables++)
		for (size_t at = 2, n = 0; at + 12 <= size && n < MAX_OPS; at += 12, n++)
			op(g, data + at, tables);
	vmgen_vmcoreinfo_std(g, (unsigned)(data[0] >> 2) & 3);
	vmgen_buffer(g, &img, &len);
	vmgen_free(g);
	run(img, len, data[1] % 32u);
	free(img);
	return 0;
}
