/* The page filter against synthetic vmcores with every page class. The
 * expected bitmaps come from the test's own ground truth (what it put
 * where, as a kind per pfn) and a table of which levels drop which kind,
 * written from makedumpfile's rules (notes §3.4), not from the filter. */
#define T_SUITE "filter"
#include "t.h"

#include <fcntl.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include "capture/dump.h"
#include "capture/arch_x86_64.h"
#include "capture/filter.h"
#include "vmgen.c"

/* Ground truth per pfn. */
enum kind {
	K_HOLE, K_KEEP, K_FREE, K_CACHE, K_CACHE_PRIV, K_USER, K_HUGETLB, K_HWPOISON,
	K_CACHE_HWPOISON, K_OFFLINE,
	K_BAD,      /* robustness: kept, counted unclassified when scanned */
	K_BAD_FREE, /* a buddy head with an impossible order: the same at level 16 */
};

#define MAX_PFN 0x88000ull
#define PG(x) (1ull << VMGEN_PG_##x)
#define FILE_MAPPING 0xffff888012340000ull /* an address_space: even */
#define ANON_MAPPING 0xffff888056780001ull /* an anon_vma | PAGE_MAPPING_ANON */

static uint8_t truth[MAX_PFN];

static void mark(uint64_t pfn, uint64_t n, enum kind k)
{
	for (uint64_t i = 0; i < n; i++)
		truth[pfn + i] = (uint8_t)k;
}

/* Which kinds a level drops (vi: VMGEN_VI_* flags of the VMCOREINFO). */
static int dumpable(enum kind k, unsigned level, unsigned vi)
{
	int hwp = vi & VMGEN_VI_HWPOISON, htlb = vi & VMGEN_VI_HUGETLB;
	int scan = (level & 30) || hwp;

	switch (k) {
	case K_HOLE: return 0;
	case K_FREE: return !(level & 16);
	case K_CACHE: return !(level & 6);
	case K_CACHE_PRIV: return !(level & 4);
	case K_USER: return !(level & 8);
	case K_HUGETLB: return !((level & 8) && htlb);
	case K_HWPOISON: return !hwp;
	case K_CACHE_HWPOISON: return !(level & 6) && !hwp;
	case K_OFFLINE: return !(scan && htlb); /* the offline value comes with HUGETLB */
	default: return 1;
	}
}

/* The stats bucket an excluded page lands in. */
static uint64_t *bucket(struct td_pagestats *st, enum kind k, unsigned level)
{
	switch (k) {
	case K_FREE: return &st->free;
	case K_CACHE: return &st->cache;
	case K_CACHE_PRIV: return &st->cache_private;
	case K_USER: case K_HUGETLB: return &st->user;
	case K_HWPOISON: return &st->hwpoison;
	case K_CACHE_HWPOISON: return (level & 6) ? &st->cache : &st->hwpoison;
	case K_OFFLINE: return &st->offline;
	default: return &st->unclassified;
	}
}

/* --- the machine ---
 * RAM: A [0x1000, 0xa0000), B [1 MiB, 768 MiB), C [1 GiB, 2 GiB + 128 MiB);
 * kernel text alias for [16 MiB, 32 MiB); pool (tables, mem_section,
 * vmemmap) at [32 MiB, 96 MiB). Section 0's vmemmap uses 4 KiB pages, the
 * rest 2 MiB pages. */
static int use_l5;
static uint64_t use_sme;

static void layout(struct vmgen *g)
{
	if (use_l5) {
		g->levels = 5;
		g->page_offset = VMGEN_PAGE_OFFSET_L5;
		g->vmemmap_base = VMGEN_VMEMMAP_L5;
	}
	g->sme_mask = use_sme;
	g->phys_base = -0x4600000;
	vmgen_ram(g, 0x1000, 0x9f000);
	vmgen_ram(g, 0x100000, 0x30000000 - 0x100000);
	vmgen_ram(g, 0x40000000, 0x48000000);
	vmgen_kernel_text(g, 0x1000000, 0x1000000);
	vmgen_pool(g, 0x2000000, 0x4000000);
	vmgen_pt_init(g);
	vmgen_map_direct(g);
	vmgen_sparse(g, 0, 0x8000, 4096);
	vmgen_sparse(g, 0x8000, 0x28000, 2 << 20);
	vmgen_sparse(g, 0x40000, 0x48000, 2 << 20);
	memset(truth, K_HOLE, sizeof truth);
	mark(1, 0x9f, K_KEEP);
	mark(0x100, 0x30000 - 0x100, K_KEEP);
	mark(0x40000, 0x48000, K_KEEP);
}

static void page(struct vmgen *g, uint64_t pfn, uint64_t flags, uint64_t mapping, int32_t mapcount,
		 uint64_t priv, enum kind k)
{
	vmgen_set_page(g, pfn, flags, mapping, mapcount, priv);
	mark(pfn, 1, k);
}

static void buddy(struct vmgen *g, uint64_t pfn, unsigned order)
{
	vmgen_buddy(g, pfn, order);
	mark(pfn, 1ull << order, K_FREE);
}

static void compound(struct vmgen *g, uint64_t pfn, unsigned order, unsigned dtor, uint64_t flags,
		     uint64_t mapping, enum kind k)
{
	vmgen_compound(g, pfn, order, dtor, flags, mapping);
	mark(pfn, 1ull << order, k);
}

/* Single pages around 0x6400, compound pages from 0x6420, free memory. */
static void populate(struct vmgen *g)
{
	for (uint64_t p = 1; p < 0xa0; p++)
		page(g, p, PG(reserved), 0, -1, 0, K_KEEP);
	buddy(g, 0x6000, 10);
	buddy(g, 0x6400, 3);
	buddy(g, 0x6408, 0);
	page(g, 0x6409, 0, 0, -1, 0, K_KEEP);                        /* on a pcp list */
	page(g, 0x640a, PG(slab), 0xffff888000abc000ull, VMGEN_BUDDY_MAPCOUNT, 3, K_KEEP);
	page(g, 0x640b, PG(slab), 0xffff888000abc000ull, VMGEN_OFFLINE_MAPCOUNT, 0, K_KEEP);
	page(g, 0x640c, PG(slab), ANON_MAPPING, -1, 0, K_KEEP);      /* odd slab_cache */
	page(g, 0x640d, PG(reserved), 0, -1, 0, K_KEEP);
	page(g, 0x6410, PG(lru), FILE_MAPPING, 0, 0, K_CACHE);
	page(g, 0x6411, PG(lru) | PG(private), FILE_MAPPING, 0, 0x1234, K_CACHE_PRIV);
	page(g, 0x6412, PG(swapcache) | PG(swapbacked), FILE_MAPPING, 0, 7, K_CACHE);
	page(g, 0x6413, PG(swapcache), FILE_MAPPING, 0, 0, K_KEEP);  /* PG_owner_priv_1 */
	page(g, 0x6414, PG(lru) | PG(swapbacked), ANON_MAPPING, 0, 0, K_USER);
	page(g, 0x6415, PG(lru) | PG(swapbacked) | PG(swapcache), ANON_MAPPING, 0, 9, K_USER);
	page(g, 0x6416, PG(private), FILE_MAPPING, -1, 0, K_KEEP);   /* not on an LRU */
	page(g, 0x6417, PG(hwpoison), 0, -1, 0, K_HWPOISON);
	page(g, 0x6418, PG(lru) | PG(hwpoison), FILE_MAPPING, 0, 0, K_CACHE_HWPOISON);
	page(g, 0x6419, 0, 0, VMGEN_OFFLINE_MAPCOUNT, 0, K_OFFLINE);
	page(g, 0x641a, PG(private), ANON_MAPPING, 0, 0, K_USER);
	compound(g, 0x6420, 2, VMGEN_DTOR_COMPOUND, PG(lru), FILE_MAPPING, K_CACHE);
	compound(g, 0x6600, 9, VMGEN_DTOR_THP, PG(lru) | PG(swapbacked), ANON_MAPPING, K_USER);
	compound(g, 0x6800, 9, VMGEN_DTOR_THP, PG(lru) | PG(swapbacked), FILE_MAPPING, K_CACHE);
	compound(g, 0x6a00, 9, VMGEN_DTOR_HUGETLB, 0, FILE_MAPPING, K_HUGETLB);
	vmgen_page(g, 0x6a01)[24] = 1; /* pinned: the first tail's "mapping" is odd */
	compound(g, 0x6c00, 3, VMGEN_DTOR_COMPOUND, PG(slab), 0xffff888000abc000ull, K_KEEP);
	for (uint64_t p = 0x8000; p < 0x30000; p += 0x400)
		buddy(g, p, 10);
	compound(g, 0x40000, 18, VMGEN_DTOR_HUGETLB, 0, FILE_MAPPING, K_HUGETLB);
	for (uint64_t p = 0x80000; p < 0x88000; p += 0x400)
		buddy(g, p, p == 0x84000 ? 9 : 10);
}

/* --- a vmcore on disk, mapped, parsed --- */

struct dump {
	uint8_t *map;
	size_t len;
	struct td_membuf mb;
	struct td_source src;
	struct td_vmcore vc;
	uint8_t notes[65536];
	struct td_vmcoreinfo vi;
};

static struct dump *open_dump(struct vmgen *g)
{
	char path[] = "/tmp/tinydump-filter-XXXXXX";
	int fd = mkstemp(path);
	struct dump *d = calloc(1, sizeof *d);
	struct td_err e;

	if (fd < 0 || !d)
		return NULL;
	d->len = vmgen_write(g, path);
	d->map = mmap(NULL, d->len, PROT_READ, MAP_PRIVATE, fd, 0);
	close(fd);
	unlink(path);
	if (d->map == MAP_FAILED)
		return NULL;
	d->mb = (struct td_membuf){ d->map, d->len };
	td_source_mem(&d->src, &d->mb);
	if (td_vmcore_open(&d->vc, &d->src, &e) < 0 || d->vc.note_size > sizeof d->notes ||
	    td_vmcore_load_notes(&d->vc, d->notes, &e) < 0 ||
	    td_vmcoreinfo_parse(&d->vi, (const char *)d->notes + d->vc.vmcoreinfo_off,
				d->vc.vmcoreinfo_size, &e) < 0) {
		printf("# open_dump: %s\n", e.msg);
		return NULL;
	}
	return d;
}

static void close_dump(struct dump *d)
{
	if (d) {
		munmap(d->map, d->len);
		free(d);
	}
}

static struct dump *build_drop(unsigned vi, void (*corrupt)(struct vmgen *), const char *drop)
{
	struct vmgen *g = vmgen_new();
	struct dump *d;

	layout(g);
	populate(g);
	if (corrupt)
		corrupt(g);
	vmgen_vmcoreinfo_std(g, vi);
	if (drop && !vmgen_vmcoreinfo_drop(g, drop))
		printf("# %s not in the VMCOREINFO\n", drop);
	d = open_dump(g);
	vmgen_free(g);
	return d;
}

static struct dump *build(unsigned vi, void (*corrupt)(struct vmgen *))
{
	return build_drop(vi, corrupt, NULL);
}

/* --- running the filter like the writer: a count pass, then a pass with
 * stats, in cycles of cyc pfns --- */

static struct td_filter filt;
static struct td_warnings warn;
static uint8_t bm[MAX_PFN / 8], bm_count[MAX_PFN / 8];

static int run(struct dump *d, unsigned level, uint64_t cyc, struct td_pagestats *st)
{
	struct td_err e;

	memset(st, 0, sizeof *st);
	memset(&warn, 0, sizeof warn);
	if (td_filter_init(&filt, &d->vc, &d->vi, level, &warn, &e) < 0)
		return -1;
	for (int pass = 0; pass < 2; pass++) {
		for (uint64_t s = 0; s < d->vc.max_pfn; s += cyc) {
			uint64_t n = d->vc.max_pfn - s < cyc ? d->vc.max_pfn - s : cyc;
			uint8_t *b = (pass ? bm : bm_count) + s / 8;
			if (td_filter_cycle(&filt, s, n, b, pass ? st : NULL, &e) < 0)
				return -1;
		}
	}
	return memcmp(bm, bm_count, sizeof bm) == 0 ? 0 : -2;
}

static int bit(uint64_t pfn)
{
	return bm[pfn >> 3] >> (pfn & 7) & 1;
}

/* Compare bm and st with the truth; returns the number of wrong pfns and
 * describes the first in why. */
static uint64_t check(unsigned level, unsigned vi, const struct td_pagestats *st, char *why)
{
	struct td_pagestats want = { 0 };
	uint64_t bad = 0;

	why[0] = 0;
	for (uint64_t p = 0; p < MAX_PFN; p++) {
		int exp = dumpable(truth[p], level, vi);
		if (!exp && truth[p] != K_HOLE)
			(*bucket(&want, truth[p], level))++;
		if (truth[p] == K_BAD || (truth[p] == K_BAD_FREE && (level & 16)))
			want.unclassified++;
		if (bit(p) != exp && !bad++)
			sprintf(why, "pfn 0x%llx (kind %d): dumpable %d, expected %d", (unsigned long long)p,
				truth[p], bit(p), exp);
	}
	if (!bad && memcmp(&want, st, sizeof want) != 0)
		sprintf(why, "stats: free %llu/%llu cache %llu/%llu priv %llu/%llu user %llu/%llu hwp %llu/%llu off %llu/%llu uncl %llu/%llu",
			(unsigned long long)st->free, (unsigned long long)want.free,
			(unsigned long long)st->cache, (unsigned long long)want.cache,
			(unsigned long long)st->cache_private, (unsigned long long)want.cache_private,
			(unsigned long long)st->user, (unsigned long long)want.user,
			(unsigned long long)st->hwpoison, (unsigned long long)want.hwpoison,
			(unsigned long long)st->offline, (unsigned long long)want.offline,
			(unsigned long long)st->unclassified, (unsigned long long)want.unclassified);
	return bad + (why[0] != 0);
}

static void all_levels(unsigned vi, struct dump *d, uint64_t cyc)
{
	struct td_pagestats st;
	char why[300];

	T_CHECK(d != NULL, "building the vmcore failed");
	if (!d)
		return;
	for (unsigned level = 0; level < 32; level++) {
		int r = run(d, level, cyc, &st);
		T_CHECK(r == 0, "level %u: run %d (count and write passes differ if -2)", level, r);
		T_CHECK(filt.level_applied == level && !filt.why[0], "level %u: applied %u (%s)", level,
			filt.level_applied, filt.why);
		uint64_t bad = check(level, vi, &st, why);
		T_CHECK(bad == 0, "vi %u level %u: %llu wrong: %s", vi, level, (unsigned long long)bad, why);
		T_CHECK(warn.n == 0, "level %u: warning %s", level, warn.line[0]);
	}
}

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

/* A VMCOREINFO without some field: the bits that need it are not applied
 * (and why says so), everything else is exact. */
static void missing(const char *key, unsigned lost, const char *why_part)
{
	unsigned vi = VMGEN_VI_HWPOISON | VMGEN_VI_HUGETLB;
	struct dump *d = build_drop(vi, NULL, key);
	struct td_pagestats st;
	char why[300];

	T_CHECK(d != NULL, "build");
	if (!d)
		return;
	static const unsigned levels[] = { 0, 1, 2, 4, 6, 8, 16, 31 };

	for (unsigned i = 0; i < sizeof levels / sizeof levels[0]; i++) {
		unsigned level = levels[i], applied = level & ~lost;
		T_CHECK(run(d, level, TD_CYCLE_PFNS, &st) == 0, "run");
		T_CHECK(filt.level_applied == applied, "%s level %u: applied %u", key, level,
			filt.level_applied);
		T_CHECK(applied == level || strstr(filt.why, why_part), "%s: why \"%s\"", key, filt.why);
		if (lost == 30) /* no mem_map at all: hwpoison cannot be dropped either */
			vi = 0;
		uint64_t bad = check(applied, vi, &st, why);
		T_CHECK(bad == 0, "%s level %u: %s", key, level, why);
	}
	close_dump(d);
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

static int warned(const char *what)
{
	for (unsigned i = 0; i < warn.n; i++)
		if (strstr(warn.line[i], what))
			return 1;
	return 0;
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
	T_END();
}
