/* The page filter's test rig, shared by test_filter.c and
 * test_filtergen.c: a synthetic machine with every page class (vmgen, in
 * the kernel generation use_gen), its ground truth as a kind per pfn, the
 * filter run as the writer runs it, and the check against the truth. The
 * expected bitmaps come from the truth and a table of which levels drop
 * which kind, written from makedumpfile's rules (notes §3.4), not from the
 * filter. Included by the test files after t.h. */
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
	K_UNACC,    /* an unaccepted block (6.16 on): free */
};

/* Test-only bits beside the VMGEN_VI_* flags: classes whose mark the
 * VMCOREINFO makes unusable, so their pages must be kept. */
#define T_HUGE_KEPT 0x100u
#define T_OFF_KEPT 0x200u
#define T_UNACC_KEPT 0x400u

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
	case K_HUGETLB: return !((level & 8) && htlb && !(vi & T_HUGE_KEPT));
	case K_HWPOISON: return !hwp;
	case K_CACHE_HWPOISON: return !(level & 6) && !hwp;
	/* the offline value comes with HUGETLB (in 6.1; vmgen ties them) */
	case K_OFFLINE: return !(scan && htlb && !(vi & T_OFF_KEPT));
	case K_UNACC: return !((level & 16) && !(vi & T_UNACC_KEPT));
	default: return 1;
	}
}

/* The stats bucket an excluded page lands in. */
static uint64_t *bucket(struct td_pagestats *st, enum kind k, unsigned level)
{
	switch (k) {
	case K_FREE: case K_UNACC: return &st->free;
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
static int use_l5, use_gen;
/* Where the first RAM PT_LOAD ends: 0xa0000, or kexec-tools' 0x9fc00
 * (the file still holds the whole page; only the header is cut). */
static uint64_t use_low_end = 0xa0000;
static uint64_t use_sme;

static void layout(struct vmgen *g)
{
	if (use_l5) {
		g->levels = 5;
		g->page_offset = VMGEN_PAGE_OFFSET_L5;
		g->vmemmap_base = VMGEN_VMEMMAP_L5;
	}
	g->sme_mask = use_sme;
	g->gen = use_gen;
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

/* What only some generations have. One type per page (6.12 on): a page
 * table page with bit 0 of mapping set is typed, so not anon; the low 24
 * bits of _mapcount may carry data; an unaccepted block (6.16 on) is free. */
static void populate_gen(struct vmgen *g)
{
	uint32_t t;

	if (vmgen_type(g, VMGEN_TY_BUDDY) & 0xffffff)
		return; /* types are cleared bits: no owner data */
	t = (uint32_t)vmgen_type(g, VMGEN_TY_TABLE);
	page(g, 0x6430, 0, ANON_MAPPING, (int32_t)t, 0, K_KEEP);
	t = (uint32_t)vmgen_type(g, VMGEN_TY_SLAB) | 0x123;
	page(g, 0x6431, 0, ANON_MAPPING, (int32_t)t, 0, K_KEEP);
	t = (uint32_t)vmgen_type(g, VMGEN_TY_OFFLINE) | 0x42;
	page(g, 0x6432, 0, 0, (int32_t)t, 0, K_OFFLINE);
	t = (uint32_t)vmgen_type(g, VMGEN_TY_BUDDY) | 0x1;
	vmgen_set_page(g, 0x2c800, 0, 0, (int32_t)t, 10);
	if (g->gen < VMGEN_GEN_616)
		return;
	/* replaces a buddy block: an unaccepted one is a MAX_PAGE_ORDER block
	 * whose first page alone has the type */
	vmgen_set_page(g, 0x2c000, 0, 0, vmgen_type(g, VMGEN_TY_UNACCEPTED), 0);
	mark(0x2c000, 0x400, K_UNACC);
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
	d->map = mmap(NULL, d->len, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
	close(fd);
	unlink(path);
	if (d->map == MAP_FAILED)
		return NULL;
	for (unsigned i = 0, n = td_le16(d->map + 56); i < n && use_low_end != 0xa0000; i++) {
		uint8_t *ph = d->map + td_le64(d->map + 32) + 56u * i;
		if (td_le32(ph) == 1 && td_le64(ph + 24) == 0x1000) {
			td_put_le64(ph + 32, use_low_end - 0x1000);
			td_put_le64(ph + 40, use_low_end - 0x1000);
		}
	}
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

/* A vmcore of use_gen's kernel; drop: a VMCOREINFO key whose line is
 * removed, or replaced by set if that is not NULL. */
static struct dump *build_set(unsigned vi, void (*corrupt)(struct vmgen *), const char *drop,
			      const char *set)
{
	struct vmgen *g = vmgen_new();
	struct dump *d;

	layout(g);
	populate(g);
	populate_gen(g);
	if (corrupt)
		corrupt(g);
	vmgen_vmcoreinfo_std(g, vi & (VMGEN_VI_HWPOISON | VMGEN_VI_HUGETLB));
	if (drop && !(set ? vmgen_vmcoreinfo_set(g, drop, set) : vmgen_vmcoreinfo_drop(g, drop)))
		printf("# %s not in the VMCOREINFO\n", drop);
	d = open_dump(g);
	vmgen_free(g);
	return d;
}

static struct dump *build(unsigned vi, void (*corrupt)(struct vmgen *))
{
	return build_set(vi, corrupt, NULL, NULL);
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

/* One level on d: applied as asked, no why, no warning, exact. */
static void one_level(unsigned vi, struct dump *d, uint64_t cyc, unsigned level)
{
	struct td_pagestats st;
	char why[300];

	T_CHECK(d != NULL, "building the vmcore failed");
	if (!d)
		return;
	int r = run(d, level, cyc, &st);
	T_CHECK(r == 0, "level %u: run %d (count and write passes differ if -2)", level, r);
	T_CHECK(filt.level_applied == level && !filt.why[0], "level %u: applied %u (%s)", level,
		filt.level_applied, filt.why);
	uint64_t bad = check(level, vi, &st, why);
	T_CHECK(bad == 0, "vi %u level %u: %llu wrong: %s", vi, level, (unsigned long long)bad, why);
	T_CHECK(warn.n == 0, "level %u: warning %s", level, warn.line[0]);
}

static void all_levels(unsigned vi, struct dump *d, uint64_t cyc)
{
	for (unsigned level = 0; level < 32; level++)
		one_level(vi, d, cyc, level);
}

static int warned(const char *what)
{
	for (unsigned i = 0; i < warn.n; i++)
		if (strstr(warn.line[i], what))
			return 1;
	return 0;
}

/* A VMCOREINFO of use_gen's kernel without some field (or with key's line
 * replaced by set): the level bits in lost are not applied and why says
 * why_part; so does why for the bits in whybits (a class inside a level
 * kept); keep: T_* bits of classes kept; everything else is exact. */
static void missing_set(const char *key, const char *set, unsigned lost, unsigned whybits,
			unsigned keep, const char *why_part)
{
	unsigned vi = VMGEN_VI_HWPOISON | VMGEN_VI_HUGETLB;
	struct dump *d = build_set(vi, NULL, key, set);
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
		T_CHECK(!(level & (lost | whybits)) || strstr(filt.why, why_part), "%s level %u: why \"%s\"",
			key, level, filt.why);
		T_CHECK((level & (lost | whybits)) || !filt.why[0], "%s level %u: why \"%s\"", key, level,
			filt.why);
		if (keep & T_OFF_KEPT)
			T_CHECK(warned(why_part), "%s: warnings \"%s\"", key, warn.line[0]);
		if (lost == 30) /* no mem_map at all: hwpoison cannot be dropped either */
			vi = 0;
		uint64_t bad = check(applied, vi | keep, &st, why);
		T_CHECK(bad == 0, "%s level %u: %s", key, level, why);
	}
	close_dump(d);
}
