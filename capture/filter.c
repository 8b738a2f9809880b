/* The page filter (see filter.h). Set-up decides from VMCOREINFO which
 * classes can be excluded; each cycle marks the RAM-backed pfns, then walks
 * the struct pages section by section and clears the excluded ones.
 *
 * makedumpfile 1.7.2 details kept on purpose (makedumpfile.c
 * __exclude_unnecessary_pages, create_2nd_bitmap):
 * - the scan runs if levels 2/4/8 are asked, or PG_hwpoison is known, or
 *   level 16 with a buddy test; hwpoison and offline pages are then
 *   excluded whatever the level;
 * - pfns outside the PT_LOADs are not examined; pfns inside a block just
 *   excluded are skipped, but only up to the end of the section: the next
 *   section is examined from its first pfn;
 * - a compound head's order and dtor come from the next struct page (one
 *   byte each); the order is dropped if >= 64 or the pfn is not aligned to
 *   it, and a head in the last slot of a 512-page chunk has neither;
 * - any class matched by a compound head excludes 2^order pages; a buddy
 *   block excludes 2^private pages, with no alignment check.
 * One later fix is taken: a slab page is never anon (1.7.3), which changes
 * nothing on real 6.1 data.
 * Where makedumpfile fails the dump (unreadable struct pages, mem_section),
 * this filter keeps the pages and reports them. */
#include <stdio.h>
#include <string.h>

#include "filter.h"
#include "io.h"

enum cls { C_KEEP, C_FREE, C_CACHE, C_CACHE_PRIVATE, C_USER, C_HWPOISON, C_OFFLINE };

enum note_kind { N_NONE, N_NO_SECTION, N_SECTION, N_UNREADABLE, N_ORDER, N_COMPOUND, N_CUT };

#define ABSENT UINT64_MAX

/* --- set-up --- */

static uint64_t field(const struct td_vmcoreinfo *vi, const char *name, uint64_t width,
		      uint64_t size)
{
	uint64_t off;

	if (td_vi_offset(vi, name, &off) < 0 || off > size || width > size - off)
		return ABSENT;
	return off;
}

static uint64_t flag_bit(const struct td_vmcoreinfo *vi, const char *name)
{
	int64_t n;

	/* 6.1 page-flag numbers are all below 32 */
	if (td_vi_number(vi, name, &n) < 0 || n < 0 || n > 63)
		return 0;
	return 1ull << n;
}

/* What every part of the scan needs: the struct page basics. */
static int pagefmt_core(struct td_pagefmt *pf, const struct td_vmcoreinfo *vi, struct td_err *e)
{
	int64_t head;

	pf->flags = field(vi, "page.flags", 8, pf->size);
	pf->mapping = field(vi, "page.mapping", 8, pf->size);
	pf->compound_head = field(vi, "page.compound_head", 8, pf->size);
	if (pf->flags == ABSENT || pf->mapping == ABSENT || pf->compound_head == ABSENT)
		return td_fail(e, "VMCOREINFO lacks OFFSET(page.flags/mapping/compound_head)");
	if (td_vi_number(vi, "PG_head_mask", &head) < 0 || head <= 0)
		return td_fail(e, "VMCOREINFO lacks NUMBER(PG_head_mask)");
	pf->head = (uint64_t)head;
	pf->mapcount = field(vi, "page._mapcount", 4, pf->size);
	pf->private_ = field(vi, "page.private", 8, pf->size);
	pf->order = field(vi, "page.compound_order", 1, pf->size);
	pf->dtor = field(vi, "page.compound_dtor", 1, pf->size);
	return 0;
}

static void pagefmt_optional(struct td_pagefmt *pf, const struct td_vmcoreinfo *vi)
{
	int64_t v;

	pf->lru = flag_bit(vi, "PG_lru");
	pf->priv = flag_bit(vi, "PG_private");
	pf->swapcache = flag_bit(vi, "PG_swapcache");
	pf->swapbacked = flag_bit(vi, "PG_swapbacked");
	pf->has_swapbacked = pf->swapbacked != 0;
	pf->slab = flag_bit(vi, "PG_slab");
	pf->hwpoison = flag_bit(vi, "PG_hwpoison");
	pf->has_hwpoison = pf->hwpoison != 0;
	if (td_vi_number(vi, "HUGETLB_PAGE_DTOR", &v) == 0 && v >= 0 && v < 256) {
		pf->has_hugetlb = 1;
		pf->hugetlb_dtor = (uint64_t)v;
	}
	if (td_vi_number(vi, "PAGE_BUDDY_MAPCOUNT_VALUE", &v) == 0)
		pf->buddy_mapcount = (int32_t)v; /* makedumpfile compares as int */
	pf->has_offline = td_vi_number(vi, "PAGE_OFFLINE_MAPCOUNT_VALUE", &v) == 0 &&
			  pf->mapcount != ABSENT && pf->slab;
	if (pf->has_offline)
		pf->offline_mapcount = (int32_t)v;
	if (td_vi_length(vi, "zone.free_area", &pf->nr_orders) < 0)
		pf->nr_orders = 0;
}

/* Append one reason to f->why. */
static void why_add(struct td_filter *f, const char *reason)
{
	size_t n = strlen(f->why);

	snprintf(f->why + n, sizeof f->why - n, "%s%s", n ? "; " : "", reason);
}

/* makedumpfile's page_is_buddy_v3 needs these; without them it walks the
 * free lists instead, which this filter does not do. */
static int level_free_ok(struct td_filter *f)
{
	const struct td_pagefmt *pf = &f->pf;
	int64_t v;

	if (pf->mapcount == ABSENT || pf->private_ == ABSENT || !pf->slab ||
	    td_vi_number(f->vi, "PAGE_BUDDY_MAPCOUNT_VALUE", &v) < 0) {
		why_add(f, "level 16 (free) not applied: VMCOREINFO lacks the buddy marks "
			   "(page._mapcount, page.private, PG_slab, PAGE_BUDDY_MAPCOUNT_VALUE)");
		return 0;
	}
	if (pf->nr_orders == 0 || pf->nr_orders > 64) {
		why_add(f, "level 16 (free) not applied: VMCOREINFO lacks a usable LENGTH(zone.free_area)");
		return 0;
	}
	return 1;
}

static unsigned choose_levels(struct td_filter *f, unsigned level)
{
	unsigned cache = level & (TD_LVL_CACHE | TD_LVL_CACHE_PRIVATE), ok = level & TD_LVL_USER;

	if (cache && f->pf.lru && f->pf.priv && f->pf.swapcache)
		ok |= cache;
	else if (cache)
		why_add(f, "levels 2/4 (cache) not applied: VMCOREINFO lacks NUMBER(PG_lru/PG_private/PG_swapcache)");
	if ((level & TD_LVL_FREE) && level_free_ok(f))
		ok |= TD_LVL_FREE;
	return ok;
}

static int setup_scan(struct td_filter *f, struct td_err *e)
{
	td_vmcore_physread(f->vc, &f->mem);
	if (td_walker_init(&f->walk, f->vc->arch, &f->mem, f->vi, f->vc->page_offset, e) < 0 ||
	    td_memmap_init(&f->mm, &f->walk, f->vi, e) < 0)
		return -1;
	if (f->mm.sec_shift < 9)
		return td_fail(e, "sections of %u pfns are smaller than a chunk", 1u << f->mm.sec_shift);
	f->pf.size = f->mm.page_size;
	if (pagefmt_core(&f->pf, f->vi, e) < 0)
		return -1;
	pagefmt_optional(&f->pf, f->vi);
	return 0;
}

int td_filter_init(struct td_filter *f, struct td_vmcore *vc, const struct td_vmcoreinfo *vi,
		   unsigned level, struct td_warnings *warn, struct td_err *e)
{
	struct td_err why;

	(void)e;
	memset(f, 0, sizeof *f);
	f->vc = vc;
	f->vi = vi;
	f->warn = warn;
	f->chunk.pfn = UINT64_MAX;
	f->level_requested = level & 31;
	f->level_applied = level & TD_LVL_ZERO;
	if (setup_scan(f, &why) < 0) {
		if (f->level_requested != f->level_applied)
			snprintf(f->why, sizeof f->why, "dump level %u applied as %u: mem_map unusable: %.180s",
				 f->level_requested, f->level_applied, why.msg);
		if (td_vi_number(vi, "PG_hwpoison", &(int64_t){ 0 }) == 0)
			td_warn(warn, "hwpoison pages cannot be excluded (mem_map unusable: %.120s)", why.msg);
		return 0;
	}
	f->excl = choose_levels(f, level & 31);
	f->level_applied |= f->excl;
	f->scan = (f->excl & (TD_LVL_CACHE | TD_LVL_CACHE_PRIVATE | TD_LVL_USER | TD_LVL_FREE)) ||
		  f->pf.has_hwpoison;
	return 0;
}

/* --- RAM-backed pfns --- */

/* Is pfn backed by file data (td_vmcore_pfn_present's rule: any byte of
 * the page inside a RAM PT_LOAD's p_filesz), and the first pfn after it
 * where the answer may change. */
static int run_at(const struct td_vmcore *vc, uint64_t pfn, uint64_t *next)
{
	int in = 0;

	*next = UINT64_MAX;
	for (unsigned i = 0; i < vc->nload; i++) {
		const struct td_load *l = &vc->load[i];
		uint64_t a = l->paddr >> TD_PAGE_SHIFT;
		uint64_t b = (l->paddr + l->filesz + TD_PAGE_SIZE - 1) >> TD_PAGE_SHIFT;
		if (!l->filesz)
			continue;
		if (a <= pfn && pfn < b) {
			in = 1;
			*next = b < *next ? b : *next;
		} else if (a > pfn && a < *next) {
			*next = a;
		}
	}
	return in;
}

static void set_range(uint8_t *bm, uint64_t a, uint64_t b)
{
	for (; a < b && (a & 7); a++)
		bm[a >> 3] |= (uint8_t)(1u << (a & 7));
	if (b - a >= 8) {
		memset(bm + (a >> 3), 0xff, (b - a) >> 3);
		a += (b - a) & ~7ull;
	}
	for (; a < b; a++)
		bm[a >> 3] |= (uint8_t)(1u << (a & 7));
}

/* Clear bits [a, b) of bm; returns how many were set. */
static uint64_t clear_range(uint8_t *bm, uint64_t a, uint64_t b)
{
	uint64_t n = 0;

	for (; a < b && (a & 7); a++) {
		n += (bm[a >> 3] >> (a & 7)) & 1;
		bm[a >> 3] &= (uint8_t)~(1u << (a & 7));
	}
	for (; b - a >= 8; a += 8) {
		n += (uint64_t)__builtin_popcount(bm[a >> 3]);
		bm[a >> 3] = 0;
	}
	for (; a < b; a++) {
		n += (bm[a >> 3] >> (a & 7)) & 1;
		bm[a >> 3] &= (uint8_t)~(1u << (a & 7));
	}
	return n;
}

static void present_bits(const struct td_vmcore *vc, uint64_t start, uint64_t n, uint8_t *bm)
{
	uint64_t pfn = start, end = start + n, next;

	memset(bm, 0, n / 8);
	while (pfn < end) {
		int in = run_at(vc, pfn, &next);
		if (next > end)
			next = end;
		if (in)
			set_range(bm, pfn - start, next - start);
		pfn = next;
	}
}

/* --- warnings: one per run of pfns with the same problem --- */

static void note_flush(struct td_filter *f)
{
	struct td_filter_note *n = &f->note;
	unsigned long long a = n->first, b = n->last, pages = n->pages;

	switch (n->kind) {
	case N_NO_SECTION:
		td_warn(f->warn, "pfns 0x%llx-0x%llx have no mem_map (section not present): %llu pages kept unfiltered",
			a, b, pages);
		break;
	case N_SECTION:
	case N_UNREADABLE:
		td_warn(f->warn, "mem_map for pfns 0x%llx-0x%llx unreadable (%s): %llu pages kept unfiltered",
			a, b, n->detail, pages);
		break;
	case N_ORDER:
		td_warn(f->warn, "pfns 0x%llx-0x%llx: %llu free-page heads with an impossible order (%s) kept unfiltered",
			a, b, pages, n->detail);
		break;
	case N_COMPOUND:
		td_warn(f->warn, "pfns 0x%llx-0x%llx: compound heads with an impossible order (%s) filtered as single pages",
			a, b, n->detail);
		break;
	case N_CUT:
		td_warn(f->warn, "pfns 0x%llx-0x%llx: a block reaching past the cycle end was cut (%s)", a, b,
			n->detail);
		break;
	}
	n->kind = N_NONE;
}

/* pages of [first, last] were affected by kind; detail is kept from the
 * first report of a run. */
static void note(struct td_filter *f, int kind, uint64_t first, uint64_t last, uint64_t pages,
		 const char *detail)
{
	struct td_filter_note *n = &f->note;

	if (!f->warn_now)
		return;
	if (n->kind == kind && first > n->last) {
		n->last = last;
		n->pages += pages;
		return;
	}
	note_flush(f);
	*n = (struct td_filter_note){ kind, first, last, pages, "" };
	snprintf(n->detail, sizeof n->detail, "%s", detail);
}

/* A pfn was classified normally: a run of problems before it has ended. */
static void note_ok(struct td_filter *f)
{
	if (f->note.kind)
		note_flush(f);
}

/* --- classification --- */

struct scan {
	struct td_filter *f;
	uint64_t start, end;      /* the cycle */
	uint8_t *bm;
	struct td_pagestats *st;
	uint64_t map, secpfn;     /* the section being scanned */
	uint64_t run_lo, run_hi;  /* [run_lo, run_hi) is all RAM or all hole */
	int run_in;
};

/* What makedumpfile reads of one struct page (0 for absent fields). */
struct spage {
	uint64_t flags, mapping, private_, compound_head, dtor;
	uint32_t mapcount;
	unsigned order;
};

static uint64_t get_or0(const uint8_t *p, uint64_t off, int width)
{
	if (off == ABSENT)
		return 0;
	return width == 8 ? td_le64(p + off) : width == 4 ? td_le32(p + off) : p[off];
}

/* Read pfn's struct page (and, for a head, its first tail). Returns 0, or
 * -1 if the bytes are unreadable (f->chunk.err says why). */
static int load_spage(struct scan *s, uint64_t pfn, struct spage *sp)
{
	struct td_filter *f = s->f;
	const struct td_pagefmt *pf = &f->pf;
	unsigned idx = (unsigned)(pfn & (TD_MEMMAP_CHUNK - 1));
	const uint8_t *p;

	if (f->chunk.pfn != pfn - idx)
		td_memmap_chunk(&f->mm, &f->chunk, s->map, s->secpfn, pfn - idx);
	p = td_memmap_pages(&f->mm, &f->chunk, idx, 1);
	if (!p)
		return -1;
	sp->flags = td_le64(p + pf->flags);
	sp->mapping = td_le64(p + pf->mapping);
	sp->compound_head = td_le64(p + pf->compound_head);
	sp->mapcount = (uint32_t)get_or0(p, pf->mapcount, 4);
	sp->private_ = get_or0(p, pf->private_, 8);
	sp->order = 0;
	sp->dtor = 0;
	if (idx == TD_MEMMAP_CHUNK - 1 || !(sp->flags & pf->head))
		return 0;
	if (!td_memmap_pages(&f->mm, &f->chunk, idx, 2))
		return -1;
	sp->order = (unsigned)get_or0(p + pf->size, pf->order, 1);
	sp->dtor = get_or0(p + pf->size, pf->dtor, 1);
	if (sp->order >= 64 || (pfn & ((1ull << sp->order) - 1))) {
		char d[64];
		snprintf(d, sizeof d, "order %u at pfn 0x%llx", sp->order, (unsigned long long)pfn);
		note(f, N_COMPOUND, pfn, pfn, 0, d);
		sp->order = 0;
	}
	return 0;
}

static int is_cache(const struct td_pagefmt *pf, uint64_t flags)
{
	if (flags & pf->lru)
		return 1;
	return (!pf->has_swapbacked || (flags & pf->swapbacked)) && (flags & pf->swapcache);
}

/* makedumpfile's chain; the first match wins. *nr = pages excluded. */
static enum cls classify(const struct td_filter *f, const struct spage *sp, uint64_t *nr)
{
	const struct td_pagefmt *pf = &f->pf;
	int slab = (sp->flags & pf->slab) != 0;
	/* PAGE_MAPPING_ANON, not on a slab page (makedumpfile 1.7.3, 5f17bdd:
	 * from 6.2 slab.slabs overlays mapping; a 6.1 slab_cache is even) */
	int anon = (sp->mapping & 1) && !slab;

	*nr = 1ull << sp->order;
	if ((f->excl & TD_LVL_FREE) && !slab && sp->mapcount == (uint32_t)pf->buddy_mapcount) {
		*nr = sp->private_ < pf->nr_orders ? 1ull << sp->private_ : 0;
		return C_FREE; /* *nr == 0: impossible order, the caller keeps it */
	}
	if ((f->excl & TD_LVL_CACHE) && is_cache(pf, sp->flags) && !(sp->flags & pf->priv) && !anon)
		return C_CACHE;
	if ((f->excl & TD_LVL_CACHE_PRIVATE) && is_cache(pf, sp->flags) && !anon)
		return sp->flags & pf->priv ? C_CACHE_PRIVATE : C_CACHE;
	if ((f->excl & TD_LVL_USER) && (anon || (pf->has_hugetlb && sp->dtor == pf->hugetlb_dtor)))
		return C_USER;
	if (pf->has_hwpoison && (sp->flags & pf->hwpoison))
		return C_HWPOISON;
	if (pf->has_offline && !slab && sp->mapcount == (uint32_t)pf->offline_mapcount)
		return C_OFFLINE;
	return C_KEEP;
}

/* --- the scan --- */

static int ram(struct scan *s, uint64_t pfn, uint64_t *next)
{
	if (pfn < s->run_lo || pfn >= s->run_hi) {
		s->run_in = run_at(s->f->vc, pfn, &s->run_hi);
		s->run_lo = pfn;
	}
	*next = s->run_hi;
	return s->run_in;
}

static void count(struct scan *s, enum cls c, uint64_t n)
{
	struct td_pagestats *st = s->st;

	if (!st)
		return;
	switch (c) {
	case C_FREE: st->free += n; break;
	case C_CACHE: st->cache += n; break;
	case C_CACHE_PRIVATE: st->cache_private += n; break;
	case C_USER: st->user += n; break;
	case C_HWPOISON: st->hwpoison += n; break;
	case C_OFFLINE: st->offline += n; break;
	case C_KEEP: st->unclassified += n; break;
	}
}

/* Kept pfns [a, b) that could not be examined: count the dumpable ones. */
static void unusable(struct scan *s, uint64_t a, uint64_t b, int kind, const char *detail)
{
	uint64_t n = 0;

	for (uint64_t p = a; p < b; p++)
		n += (s->bm[(p - s->start) >> 3] >> ((p - s->start) & 7)) & 1;
	if (!n)
		return;
	count(s, C_KEEP, n);
	note(s->f, kind, a, b - 1, n, detail);
}

static void exclude(struct scan *s, uint64_t pfn, uint64_t nr, enum cls c)
{
	uint64_t stop = pfn + nr;

	if (stop > s->end || stop < pfn) {
		char d[80];
		snprintf(d, sizeof d, "%llu pages from pfn 0x%llx", (unsigned long long)nr,
			 (unsigned long long)pfn);
		note(s->f, N_CUT, pfn, s->end - 1, 0, d);
		stop = s->end;
	}
	count(s, c, clear_range(s->bm, pfn - s->start, stop - s->start));
}

/* Examine pfn; returns how many pfns the scan moves on (1, or the block
 * size after an exclusion). */
static uint64_t examine(struct scan *s, uint64_t pfn)
{
	struct spage sp;
	uint64_t nr;
	enum cls c;

	if (load_spage(s, pfn, &sp) < 0) {
		unusable(s, pfn, pfn + 1, N_UNREADABLE, s->f->chunk.err);
		return 1;
	}
	if (sp.compound_head & 1) {
		note_ok(s->f);
		return 1; /* a tail: its head decides */
	}
	c = classify(s->f, &sp, &nr);
	if (c == C_FREE && nr == 0) {
		char d[48];
		snprintf(d, sizeof d, "first: %llu", (unsigned long long)sp.private_);
		unusable(s, pfn, pfn + 1, N_ORDER, d);
		return 1;
	}
	note_ok(s->f);
	if (c == C_KEEP)
		return 1;
	exclude(s, pfn, nr, c);
	return nr;
}

static void scan_section(struct scan *s, uint64_t sec)
{
	struct td_filter *f = s->f;
	unsigned shift = f->mm.sec_shift;
	uint64_t a = sec << shift, b = (sec + 1) << shift, next;
	struct td_err e;
	int r;

	a = a > s->start ? a : s->start;
	b = b < s->end ? b : s->end;
	r = td_memmap_section(&f->mm, sec, &s->map, &e);
	if (r <= 0) {
		unusable(s, a, b, r == 0 ? N_NO_SECTION : N_SECTION, r == 0 ? "" : e.msg);
		return;
	}
	s->secpfn = sec << shift;
	for (uint64_t pfn = a; pfn < b;) {
		if (!ram(s, pfn, &next)) {
			pfn = next;
			continue;
		}
		pfn += examine(s, pfn);
	}
}

int td_filter_cycle(struct td_filter *f, uint64_t start, uint64_t n, uint8_t *bm,
		    struct td_pagestats *st, struct td_err *e)
{
	struct scan s = { .f = f, .start = start, .end = start + n, .bm = bm, .st = st };

	(void)e;
	present_bits(f->vc, start, n, bm);
	if (!f->scan || !n)
		return 0;
	if (st && start == 0)
		f->stat_passes++;
	f->warn_now = st && f->stat_passes == 1;
	for (uint64_t sec = start >> f->mm.sec_shift; sec << f->mm.sec_shift < s.end; sec++)
		scan_section(&s, sec);
	if (f->warn_now && s.end >= f->vc->max_pfn)
		note_flush(f);
	return 0;
}
