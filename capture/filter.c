/* The page filter (see filter.h). Set-up decides from VMCOREINFO which
 * classes can be excluded (the struct page format and the class tests are
 * pagetype.c's); each cycle marks the RAM-backed pfns, then walks the
 * struct pages section by section and clears the excluded ones.
 *
 * makedumpfile 1.7.2 details kept on purpose (makedumpfile.c
 * __exclude_unnecessary_pages, create_2nd_bitmap):
 * - the scan runs if levels 2/4/8 are asked, or PG_hwpoison is known, or
 *   level 16 with a buddy test; hwpoison and offline pages are then
 *   excluded whatever the level;
 * - pfns outside the PT_LOADs are not examined; pfns inside a block just
 *   excluded are skipped, but only up to the end of the section: the next
 *   section is examined from its first pfn;
 * - a compound head's order and hugetlb mark come from the next struct
 *   page; the order is dropped if >= 64 or the pfn is not aligned to it,
 *   and a head in the last slot of a 512-page chunk has neither;
 * - any class matched by a compound head excludes 2^order pages; a buddy
 *   block excludes 2^private pages, with no alignment check.
 * Later makedumpfile releases are followed for later kernels (pagetype.c):
 * a slab page is never anon (1.7.3); the page type, hugetlb and order
 * fields of 6.3 to 7.1; unaccepted pages as free blocks of
 * 2^(LENGTH(zone.free_area) - 1) pages (1.7.8). None changes 6.1 data.
 * Where makedumpfile fails the dump (unreadable struct pages, mem_section),
 * this filter keeps the pages and reports them. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "filter.h"
#include "io.h"

enum cls { C_KEEP, C_FREE, C_CACHE, C_CACHE_PRIVATE, C_USER, C_HWPOISON, C_OFFLINE };

enum note_kind { N_NONE, N_NO_SECTION, N_SECTION, N_UNREADABLE, N_ORDER, N_COMPOUND, N_CUT };

/* --- set-up --- */

/* Append one reason to f->why. */
static void why_add(struct td_filter *f, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void why_add(struct td_filter *f, const char *fmt, ...)
{
	size_t n = strlen(f->why);
	va_list ap;

	if (n && n + 2 < sizeof f->why)
		n += (size_t)snprintf(f->why + n, sizeof f->why - n, "; ");
	va_start(ap, fmt);
	vsnprintf(f->why + n, sizeof f->why - n, fmt, ap);
	va_end(ap);
}

/* A page type compared against _mapcount: usable, and where its values
 * are cleared bits (6.1-6.11), a slab mark to rule slab pages out as
 * makedumpfile does. Returns 1, or 0 with the reason in buf. */
static int type_ok(const struct td_pagefmt *pf, const struct td_ptype *t, const char *name, char *buf,
		   unsigned len)
{
	if (pf->mapcount == TD_PF_ABSENT) {
		snprintf(buf, len, "OFFSET(page._mapcount) absent");
		return 0;
	}
	if (!td_pt_usable(t)) {
		td_pt_state(t, name, buf, len);
		return 0;
	}
	if (t->enc == TD_PT_BITS && !td_pf_knows_slab(pf)) {
		snprintf(buf, len, "no usable slab mark (NUMBER(PG_slab) or PAGE_SLAB_MAPCOUNT_VALUE) to tell slab pages apart");
		return 0;
	}
	return 1;
}

/* Free pages by their buddy type (makedumpfile's page_is_buddy_v3); without
 * it makedumpfile walks the free lists, which this filter does not do.
 * Unaccepted pages (6.16 on) are free too; if their mark is unusable they
 * are kept and why says so, but level 16 stands. */
static int level_free_ok(struct td_filter *f)
{
	const struct td_pagefmt *pf = &f->pf;
	char b[160];

	if (!type_ok(pf, &pf->buddy, "PAGE_BUDDY_MAPCOUNT_VALUE", b, sizeof b)) {
		why_add(f, "level 16 (free) not applied: %s", b);
		return 0;
	}
	if (pf->private_ == TD_PF_ABSENT || pf->nr_orders == 0 || pf->nr_orders > 64) {
		why_add(f, "level 16 (free) not applied: VMCOREINFO lacks OFFSET(page.private) or a usable LENGTH(zone.free_area)");
		return 0;
	}
	if (pf->unaccepted.enc == TD_PT_ABSENT)
		return 1;
	f->unaccepted = type_ok(pf, &pf->unaccepted, "PAGE_UNACCEPTED_MAPCOUNT_VALUE", b, sizeof b);
	if (!f->unaccepted)
		why_add(f, "level 16: unaccepted pages kept: %s", b);
	return 1;
}

/* User data is anon pages and hugetlb heads. Anon is mapping & 1 on a page
 * that is not slab (from 6.2 slab data overlays mapping), so a slab mark
 * is needed. An unusable hugetlb mark keeps hugetlb pages, with a reason. */
static int level_user_ok(struct td_filter *f)
{
	if (!td_pf_knows_slab(&f->pf)) {
		why_add(f, "level 8 (user) not applied: VMCOREINFO has no usable slab mark (NUMBER(PG_slab), "
			   "or PAGE_SLAB_MAPCOUNT_VALUE with OFFSET(page._mapcount)), so slab pages could look anonymous");
		return 0;
	}
	if (f->pf.huge_why[0])
		why_add(f, "level 8: hugetlb pages kept: %s", f->pf.huge_why);
	return 1;
}

/* Offline pages are dropped at every level when the scan runs; a mark that
 * is exported but unusable is worth a warning (an absent one is not: 6.1
 * exports it only with HUGETLB_PAGE). */
static void offline_setup(struct td_filter *f)
{
	char b[160];

	if (f->pf.offline.enc == TD_PT_ABSENT)
		return;
	f->offline = type_ok(&f->pf, &f->pf.offline, "PAGE_OFFLINE_MAPCOUNT_VALUE", b, sizeof b);
	if (!f->offline)
		td_warn(f->warn, "offline pages cannot be recognised and are kept: %s", b);
}

static unsigned choose_levels(struct td_filter *f, unsigned level)
{
	unsigned cache = level & (TD_LVL_CACHE | TD_LVL_CACHE_PRIVATE), ok = level & TD_LVL_USER;


	if (cache && f->pf.lru && f->pf.priv && f->pf.swapcache)
		ok |= cache;
	else if (cache)
		why_add(f, "levels 2/4 (cache) not applied: VMCOREINFO lacks NUMBER(PG_lru/PG_private/PG_swapcache)");
	if ((level & TD_LVL_USER) && !level_user_ok(f))
		ok &= ~(unsigned)TD_LVL_USER;
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
	return td_pagefmt_init(&f->pf, f->vi, f->mm.page_size, e);
}

/* Bytes of pfn backed by file data in some RAM PT_LOAD. */
static uint64_t bytes_present(const struct td_vmcore *vc, uint64_t pfn)
{
	uint64_t a = pfn << TD_PAGE_SHIFT, b = a + TD_PAGE_SIZE, n = 0;

	for (unsigned i = 0; i < vc->nload; i++) {
		uint64_t s = vc->load[i].paddr, t = s + vc->load[i].filesz;
		s = s > a ? s : a;
		t = t < b ? t : b;
		n += t > s ? t - s : 0;
	}
	return n;
}

/* A RAM PT_LOAD that starts or ends inside a page (kexec-tools' first
 * segment ends at 0x9fc00 on a PC) leaves that page partly outside the
 * dump. It is kept: its RAM bytes are the crashed machine's, and the rest
 * reads as zeros (docs/DECISIONS.md "Partial pages"). makedumpfile leaves
 * such a page out. Say so once per page. */
static void partial_pages(const struct td_vmcore *vc, struct td_warnings *warn)
{
	uint64_t last = UINT64_MAX;

	for (unsigned i = 0; i < vc->nload; i++) {
		const struct td_load *l = &vc->load[i];
		uint64_t edge[2] = { l->paddr, l->paddr + l->filesz };

		for (unsigned k = 0; k < 2 && l->filesz; k++) {
			uint64_t pfn = edge[k] >> TD_PAGE_SHIFT, have;

			if (!(edge[k] & (TD_PAGE_SIZE - 1)) || pfn == last)
				continue;
			last = pfn;
			if ((have = bytes_present(vc, pfn)) < TD_PAGE_SIZE)
				td_warn(warn, "pfn 0x%llx is only partly RAM in this vmcore (%llu of %u bytes, "
					"a PT_LOAD %s at 0x%llx): kept, with zeros where it has no data "
					"(makedumpfile leaves such a page out)", (unsigned long long)pfn,
					(unsigned long long)have, TD_PAGE_SIZE, k ? "ends" : "starts",
					(unsigned long long)edge[k]);
		}
	}
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
	partial_pages(vc, warn);
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
	offline_setup(f);
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

/* Read pfn's struct page (and, for a head, its first tail) into sp.
 * Returns 0, or -1 if the bytes are unreadable (f->chunk.err says why). */
static int load_spage(struct scan *s, uint64_t pfn, struct td_spage *sp)
{
	struct td_filter *f = s->f;
	unsigned idx = (unsigned)(pfn & (TD_MEMMAP_CHUNK - 1));
	const uint8_t *p, *next = NULL;

	if (f->chunk.pfn != pfn - idx)
		td_memmap_chunk(&f->mm, &f->chunk, s->map, s->secpfn, pfn - idx);
	p = td_memmap_pages(&f->mm, &f->chunk, idx, 1);
	if (!p)
		return -1;
	/* a head in the chunk's last slot has no page[1] here (makedumpfile:
	 * compound pages are aligned, so a real head never sits there) */
	if (idx < TD_MEMMAP_CHUNK - 1 && (td_le64(p + f->pf.flags) & f->pf.head)) {
		if (!td_memmap_pages(&f->mm, &f->chunk, idx, 2))
			return -1;
		next = p + f->pf.size;
	}
	td_spage_decode(&f->pf, p, next, sp);
	if (sp->order >= 64 || (pfn & ((1ull << sp->order) - 1))) {
		char d[64];
		snprintf(d, sizeof d, "order %u at pfn 0x%llx", sp->order, (unsigned long long)pfn);
		note(f, N_COMPOUND, pfn, pfn, 0, d);
		sp->order = 0;
	}
	return 0;
}

/* makedumpfile's chain; the first match wins. *nr = pages excluded. */
static enum cls classify(const struct td_filter *f, const struct td_spage *sp, uint64_t *nr)
{
	const struct td_pagefmt *pf = &f->pf;
	int anon = td_spage_anon(pf, sp), cache = td_spage_cache(pf, sp);

	*nr = 1ull << sp->order;
	if ((f->excl & TD_LVL_FREE) && td_spage_buddy(pf, sp)) {
		*nr = sp->private_ < pf->nr_orders ? 1ull << sp->private_ : 0;
		return C_FREE; /* *nr == 0: impossible order, the caller keeps it */
	}
	if ((f->excl & TD_LVL_FREE) && f->unaccepted && td_spage_unaccepted(pf, sp)) {
		/* kept on the zone's list only as MAX_PAGE_ORDER blocks */
		*nr = 1ull << (pf->nr_orders - 1);
		return C_FREE;
	}
	if ((f->excl & TD_LVL_CACHE) && cache && !(sp->flags & pf->priv) && !anon)
		return C_CACHE;
	if ((f->excl & TD_LVL_CACHE_PRIVATE) && cache && !anon)
		return sp->flags & pf->priv ? C_CACHE_PRIVATE : C_CACHE;
	if ((f->excl & TD_LVL_USER) && (anon || sp->hugetlb))
		return C_USER;
	if (pf->has_hwpoison && (sp->flags & pf->hwpoison))
		return C_HWPOISON;
	if (f->offline && td_spage_offline(pf, sp))
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
	struct td_spage sp;
	uint64_t nr;
	enum cls c;

	if (load_spage(s, pfn, &sp) < 0) {
		unusable(s, pfn, pfn + 1, N_UNREADABLE, s->f->chunk.err);
		return 1;
	}
	if (td_spage_tail(&sp)) {
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
