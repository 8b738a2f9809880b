/* The page filter against synthetic 6.1 vmcores with every page class
 * (filter_rig.c), robustness against corrupt mem_map data, and missing
 * VMCOREINFO fields. test_filtergen.c does the later kernel generations. */
#define T_SUITE "filter"
#include "t.h"

#include "filter_rig.c"

static void classes_tinyconfig(void)
{
	struct dump *d = build(0, NULL);
	all_levels(0, d, TD_CYCLE_PFNS);
	close_dump(d);
}

static void classes_hwpoison(void)
{
	struct dump *d = build(VMGEN_VI_HWPOISON, NULL);
	all_levels(VMGEN_VI_HWPOISON, d, TD_CYCLE_PFNS);
	close_dump(d);
}

static void classes_hugetlb(void)
{
	struct dump *d = build(VMGEN_VI_HUGETLB, NULL);
	all_levels(VMGEN_VI_HUGETLB, d, TD_CYCLE_PFNS);
	close_dump(d);
}

/* Debian-like: both extras; and in cycles of 1 GiB, which the 1 GiB
 * hugetlb page and the free blocks must not notice. */
static void classes_full_cycles(void)
{
	unsigned vi = VMGEN_VI_HWPOISON | VMGEN_VI_HUGETLB;
	struct dump *d = build(vi, NULL);
	all_levels(vi, d, TD_CYCLE_PFNS);
	all_levels(vi, d, 0x40000);
	close_dump(d);
}

/* 5-level paging (MAX_PHYSMEM_BITS 52, 131072 section roots) with the SME
 * C-bit in every table entry. */
static void five_level_sme(void)
{
	static const unsigned levels[] = { 0, 1, 8, 16, 22, 31 };
	unsigned vi = VMGEN_VI_HWPOISON | VMGEN_VI_HUGETLB;
	struct td_pagestats st;
	struct dump *d;
	char why[300];

	use_l5 = 1;
	use_sme = 1ull << 47;
	d = build(vi, NULL);
	use_l5 = 0;
	use_sme = 0;
	T_CHECK(d != NULL, "build");
	if (!d)
		return;
	T_CHECK(strstr((const char *)d->notes + d->vc.vmcoreinfo_off, "NUMBER(pgtable_l5_enabled)=1"),
		"VMCOREINFO says 5-level");
	for (unsigned i = 0; i < sizeof levels / sizeof levels[0]; i++) {
		T_CHECK(run(d, levels[i], TD_CYCLE_PFNS, &st) == 0, "run");
		const struct td_x86 *x = (const void *)filt.walk.st.b;
		T_CHECK(filt.walk.arch == &td_arch_x86_64 && x->levels == 5 && filt.level_applied == levels[i],
			"levels %d, applied %u", x->levels, filt.level_applied);
		uint64_t bad = check(levels[i], vi, &st, why);
		T_CHECK(bad == 0, "level %u: %s", levels[i], why);
		T_CHECK(warn.n == 0, "level %u: warning %s", levels[i], warn.line[0]);
	}
	close_dump(d);
}

/* Without mem_map work the bitmap is exactly td_vmcore_pfn_present. */
static void holes(void)
{
	struct dump *d = build(0, NULL);
	struct td_pagestats st;
	uint64_t bad = 0;

	T_CHECK(d && run(d, 1, TD_CYCLE_PFNS, &st) == 0, "run");
	if (!d)
		return;
	T_CHECK(!filt.scan, "level 1 without PG_hwpoison should not scan");
	for (uint64_t p = 0; p < MAX_PFN; p++)
		bad += bit(p) != td_vmcore_pfn_present(&d->vc, p);
	T_CHECK(bad == 0, "%llu pfns differ from td_vmcore_pfn_present", (unsigned long long)bad);
	T_CHECK(!bit(0) && bit(1) && !bit(0xa0) && bit(0x100) && !bit(0x30000) && bit(0x40000),
		"edges of the RAM ranges");
	close_dump(d);
}

/* kexec-tools' layout: the first RAM segment ends at 0x9fc00, inside pfn
 * 0x9f. That page is kept (docs/DECISIONS.md "Partial pages"), a warning
 * names it, its 3072 RAM bytes are read from the segment and the rest is
 * zeros, never the bytes that follow in the file. */
static void fill_9f(struct vmgen *g)
{
	uint8_t b[4096];

	memset(b, 0xab, sizeof b);
	vmgen_write_phys(g, 0x9f000, b, sizeof b);
}

static void partial_page(void)
{
	struct td_pagestats st;
	const uint8_t *pg;
	struct td_err e;
	struct dump *d;
	int named = 0, tail0 = 1;

	use_low_end = 0x9fc00;
	d = build(0, fill_9f);
	use_low_end = 0xa0000;
	T_CHECK(d && run(d, 31, TD_CYCLE_PFNS, &st) == 0, "run");
	if (!d)
		return;
	T_CHECK(bit(0x9e) == td_vmcore_pfn_present(&d->vc, 0x9e) && bit(0x9f) && !bit(0xa0),
		"pfn 0x9f kept: 0x9e %d 0x9f %d 0xa0 %d", bit(0x9e), bit(0x9f), bit(0xa0));
	for (unsigned i = 0; i < warn.n; i++)
		named += strstr(warn.line[i], "pfn 0x9f is only partly RAM") && strstr(warn.line[i], "3072 of 4096");
	T_CHECK(named == 1, "one warning names pfn 0x9f (%u warnings)", warn.n);
	pg = td_vmcore_page(&d->vc, 0x9f, &e);
	T_CHECK(pg != NULL, "reading pfn 0x9f");
	if (pg) {
		for (unsigned i = 0xc00; i < 0x1000; i++)
			tail0 &= pg[i] == 0;
		T_CHECK(tail0, "bytes past 0x9fc00 read as zeros");
		T_CHECK(pg[0] == 0xab && pg[0xbff] == 0xab &&
			!memcmp(pg, d->map + d->vc.load[0].off + 0x9f000 - d->vc.load[0].paddr, 0xc00),
			"the RAM bytes are the segment's");
	}
	close_dump(d);
}

/* A VMCOREINFO without some field: the bits that need it are not applied
 * (and why says so), everything else is exact. */
static void missing(const char *key, unsigned lost, const char *why_part)
{
	missing_set(key, NULL, lost, 0, 0, why_part);
}

static void missing_fields(void)
{
	missing("NUMBER(PG_lru)=", 6, "levels 2/4 (cache)");
	missing("NUMBER(PAGE_BUDDY_MAPCOUNT_VALUE)=", 16, "level 16 (free)");
	missing("LENGTH(zone.free_area)=", 16, "level 16 (free)");
	missing("SYMBOL(mem_section)=", 30, "SYMBOL(mem_section)");
	missing("SYMBOL(init_top_pgt)=", 30, "init_top_pgt");
	missing("NUMBER(PG_head_mask)=", 30, "PG_head_mask");
}

/* --- robustness: corrupt struct pages and tables --- */

static uint64_t section_entry_pa(struct vmgen *g, uint64_t sec)
{
	uint64_t root = vmgen_get64(g, g->mem_section_va - g->page_offset + 8 * (sec / 256));
	return root - g->page_offset + 16 * (sec % 256);
}

static void corrupt(struct vmgen *g)
{
	/* buddy heads with orders >= LENGTH(zone.free_area) = 11 */
	vmgen_set_page(g, 0x6408, 0, 0, VMGEN_BUDDY_MAPCOUNT, 11);
	mark(0x6408, 1, K_BAD_FREE);
	vmgen_set_page(g, 0x8000, 0, 0, VMGEN_BUDDY_MAPCOUNT, 200);
	mark(0x8000, 1, K_BAD_FREE);
	mark(0x8001, 0x3ff, K_KEEP); /* the block's other pages look like plain pages */
	/* anon THP whose first tail says order 70: the head goes alone */
	vmgen_page(g, 0x6601)[VMGEN_OFF_COMPOUND_ORDER] = 70;
	mark(0x6601, 0x1ff, K_KEEP);
	/* garbage (even) mapping on a reserved page: still kept */
	vmgen_set_page(g, 0x640d, PG(reserved), 0x5a5a5a5a5a5a5a5aull, -1, 0);
	/* a head in the last slot of a 512-chunk: its order and dtor are not
	 * read (makedumpfile), so this "hugetlb" page is kept */
	vmgen_compound(g, 0x6dff, 1, VMGEN_DTOR_HUGETLB, 0, FILE_MAPPING);
	/* an unaligned hugetlb head: order dropped, dtor kept: excluded alone */
	vmgen_compound(g, 0x6e01, 1, VMGEN_DTOR_HUGETLB, 0, FILE_MAPPING);
	mark(0x6e01, 1, K_HUGETLB);
	/* vmemmap PTE of pfns 0x40-0x7f not present (section 0 uses 4K pages) */
	vmgen_put64(g, vmgen_entry_pa(g, vmgen_page_va(g, 0x40), 1), 0);
	mark(0x40, 0x40, K_BAD);
	/* section 3 not present, section 4 with a mem_map that is no kernel
	 * address */
	vmgen_put64(g, section_entry_pa(g, 3), g->vmemmap_base | 0xe);
	mark(0x18000, 0x8000, K_BAD);
	vmgen_put64(g, section_entry_pa(g, 4), 0x1234000 | 0xf);
	mark(0x20000, 0x8000, K_BAD);
	/* section 5's vmemmap PMD: a 2 MiB page at 36 GiB, outside the dump */
	vmgen_put64(g, vmgen_entry_pa(g, vmgen_page_va(g, 0x28000), 2), 0x9000000e3);
	mark(0x28000, 0x8000, K_BAD);
	/* section 16's vmemmap PMD: a PTE table outside the dump */
	vmgen_put64(g, vmgen_entry_pa(g, vmgen_page_va(g, 0x80000), 2), 0x900001063);
	mark(0x80000, 0x8000, K_BAD);
}

static void robustness(void)
{
	static const char *const ranges[] = {
		"pfns 0x40-0x7f unreadable (vmemmap: translating va 0xffffea0000001000: PTE entry",
		"pfns 0x18000-0x1ffff have no mem_map", "pfns 0x20000-0x27fff unreadable (section 4",
		"pfns 0x28000-0x2ffff unreadable (struct pages at pa 0x900000000",
		"pfns 0x80000-0x87fff unreadable (vmemmap: translating va 0xffffea0002000000: PTE entry at pa 0x900001000",
		"pfns 0x6408-0x6408: 1 free-page heads", "pfns 0x8000-0x8000: 1 free-page heads",
		"pfns 0x6600-0x6600: compound heads", "pfns 0x6e01-0x6e01: compound heads",
	};
	unsigned vi = VMGEN_VI_HWPOISON | VMGEN_VI_HUGETLB;
	struct dump *d;
	struct td_pagestats st;
	char why[300];

	memset(truth, 0, sizeof truth);
	d = build(vi, corrupt);
	T_CHECK(d != NULL, "build");
	if (!d)
		return;
	for (unsigned level = 0; level < 32; level++) {
		T_CHECK(run(d, level, TD_CYCLE_PFNS, &st) == 0, "level %u: run", level);
		uint64_t bad = check(level, vi, &st, why);
		T_CHECK(bad == 0, "level %u: %llu wrong: %s", level, (unsigned long long)bad, why);
	}
	/* level 31 ran last: its warnings */
	for (unsigned i = 0; i < sizeof ranges / sizeof ranges[0]; i++)
		T_CHECK(warned(ranges[i]), "no warning with \"%s\" (%u warnings, first \"%s\")", ranges[i],
			warn.n, warn.line[0]);
	T_CHECK(warned("32768 pages kept unfiltered"), "counts in the warnings");
	/* a second dump (another target) repeats no warning */
	unsigned n = warn.n;
	struct td_pagestats st2 = { 0 };
	struct td_err e;
	T_CHECK(td_filter_cycle(&filt, 0, d->vc.max_pfn, bm, &st2, &e) == 0 && warn.n == n &&
			st2.unclassified == st.unclassified,
		"second pass: %u warnings, unclassified %llu", warn.n,
		(unsigned long long)st2.unclassified);
	close_dump(d);
}

/* A free block cut by a cycle boundary: the part in the next cycle is
 * examined page by page (plain pages here), with one warning. */
static void cut_at_cycle(void)
{
	struct dump *d = build(0, NULL);
	struct td_pagestats st;

	T_CHECK(d && run(d, 16, 0x200, &st) == 0, "run");
	if (!d)
		return;
	T_CHECK(!bit(0x6000) && !bit(0x61ff) && bit(0x6200) && bit(0x63ff) && !bit(0x6400),
		"bits around the cut block");
	T_CHECK(warned("pfns 0x6000-0x61ff: a block reaching past the cycle end was cut"),
		"warning: %s", warn.line[0]);
	close_dump(d);
}

int main(int argc, char **argv)
{
	T_ARGS(argc, argv);
	T_RUN(holes);
	T_RUN(classes_tinyconfig);
	T_RUN(classes_hwpoison);
	T_RUN(classes_hugetlb);
	T_RUN(classes_full_cycles);
	T_RUN(five_level_sme);
	T_RUN(missing_fields);
	T_RUN(robustness);
	T_RUN(cut_at_cycle);
	T_RUN(partial_page);
	T_END();
}
