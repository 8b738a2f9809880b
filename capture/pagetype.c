/* struct page format and page classes from VMCOREINFO (see pagetype.h).
 *
 * Which field decides what, by what is exported (newest first):
 * - tail page: bit 0 of page.compound_info (7.1 renamed the field; a tail
 *   may hold a mask such as 0xffffffffffffff81 instead of head | 1) or of
 *   page.compound_head (6.1-7.0). A tail's other fields (its "mapping"
 *   may read 0xffffffff) are never looked at: its head decides;
 * - compound order (heads only, from page[1]): the byte at
 *   OFFSET(folio._folio_order) - SIZE(page) (6.3-6.5), or at
 *   OFFSET(page.compound_order) (6.1-6.2), or with neither exported the
 *   low byte of page[1].flags (6.6 on: folio._flags_1);
 * - hugetlb head: _mapcount type PAGE_HUGETLB_MAPCOUNT_VALUE (6.9 on), or
 *   bit NUMBER(PG_hugetlb) of page[1].flags (6.6-6.8), or the destructor
 *   byte of page[1] (folio._folio_dtor - SIZE(page) in 6.3-6.5,
 *   page.compound_dtor in 6.1-6.2) == NUMBER(HUGETLB_PAGE_DTOR);
 * - slab: flag NUMBER(PG_slab) (6.1-6.9) or type PAGE_SLAB_MAPCOUNT_VALUE
 *   (6.10 on). With neither, no flag bit is taken for slab
 *   (makedumpfile then tests bit 7, PG_waiters, by accident);
 * - free, offline, unaccepted: types PAGE_BUDDY/OFFLINE/UNACCEPTED_*.
 * A page with the slab mark is never free, offline or anon (makedumpfile;
 * from 6.2 slab.slabs overlays page.mapping and may be odd). With one-type
 * values (6.12 on) a page of any type but hugetlb is not anon either: the
 * kernel lets typed pages use bit 0 of mapping (makedumpfile 1.7.8 does
 * not check this). */
#include <stdio.h>
#include <string.h>

#include "io.h"
#include "pagetype.h"

#define ABSENT TD_PF_ABSENT

/* The offset of a width-byte field inside size bytes, or ABSENT. */
static uint64_t field(const struct td_vmcoreinfo *vi, const char *name, uint64_t width,
		      uint64_t size)
{
	uint64_t off;

	if (td_vi_offset(vi, name, &off) < 0 || off > size || width > size - off)
		return ABSENT;
	return off;
}

/* A folio field that lives in page[1]: its offset there, or ABSENT. */
static uint64_t field1(const struct td_vmcoreinfo *vi, const char *name, uint64_t size)
{
	uint64_t off;

	if (td_vi_offset(vi, name, &off) < 0 || off < size || off >= 2 * size)
		return ABSENT;
	return off - size;
}

static uint64_t flag_bit(const struct td_vmcoreinfo *vi, const char *name)
{
	int64_t n;

	if (td_vi_number(vi, name, &n) < 0 || n < 0 || n > 63)
		return 0;
	return 1ull << n;
}

static struct td_ptype ptype(const struct td_vmcoreinfo *vi, const char *name)
{
	struct td_ptype t = { TD_PT_ABSENT, 0 };
	int64_t n;
	uint32_t top;

	if (td_vi_number(vi, name, &n) < 0)
		return t;
	t.enc = TD_PT_UNKNOWN;
	if (n < INT32_MIN || n > (int64_t)UINT32_MAX)
		return t;
	t.v = (uint32_t)n;
	top = t.v >> 24;
	if ((t.v & 0x80000000u) && __builtin_popcount(~t.v) == 1)
		t.enc = TD_PT_BITS;
	else if (!(t.v & 0xffffff) && top >= 0x80 && top != 0xff)
		t.enc = TD_PT_VALUE;
	return t;
}

int td_pt_usable(const struct td_ptype *t)
{
	return t->enc == TD_PT_BITS || t->enc == TD_PT_VALUE;
}

const char *td_pt_state(const struct td_ptype *t, const char *name, char *buf, unsigned len)
{
	if (t->enc == TD_PT_ABSENT)
		snprintf(buf, len, "NUMBER(%s) absent", name);
	else if (t->enc == TD_PT_UNKNOWN)
		snprintf(buf, len, "NUMBER(%s)=0x%x has no known encoding (or not the buddy value's)",
			 name, t->v);
	else
		snprintf(buf, len, "NUMBER(%s)=0x%x", name, t->v);
	return buf;
}

int td_pt_is(const struct td_ptype *t, uint32_t mapcount)
{
	if (t->enc == TD_PT_BITS)
		return mapcount == t->v;
	if (t->enc == TD_PT_VALUE)
		return mapcount >> 24 == t->v >> 24;
	return 0;
}

int td_pf_knows_slab(const struct td_pagefmt *pf)
{
	return pf->slab || (td_pt_usable(&pf->slab_type) && pf->mapcount != ABSENT);
}

static void hugetlb_mark(struct td_pagefmt *pf, const struct td_vmcoreinfo *vi)
{
	char b[100];
	int64_t n;

	if (pf->hugetlb_type.enc != TD_PT_ABSENT) {
		pf->hugetlb_by = TD_HUGE_TYPE;
		if (!td_pt_usable(&pf->hugetlb_type) || pf->mapcount == ABSENT)
			snprintf(pf->huge_why, sizeof pf->huge_why, "%s%s",
				 td_pt_state(&pf->hugetlb_type, "PAGE_HUGETLB_MAPCOUNT_VALUE", b, sizeof b),
				 pf->mapcount == ABSENT ? ", OFFSET(page._mapcount) absent" : "");
	} else if (td_vi_number(vi, "PG_hugetlb", &n) == 0) {
		pf->hugetlb_by = TD_HUGE_FLAG;
		pf->hugetlb_flag = flag_bit(vi, "PG_hugetlb");
		if (!pf->hugetlb_flag)
			snprintf(pf->huge_why, sizeof pf->huge_why, "NUMBER(PG_hugetlb)=%lld is no flag bit",
				 (long long)n);
	} else if (td_vi_number(vi, "HUGETLB_PAGE_DTOR", &n) == 0) {
		pf->hugetlb_by = TD_HUGE_DTOR;
		pf->hugetlb_dtor = (uint64_t)n;
		pf->dtor1 = field1(vi, "folio._folio_dtor", pf->size);
		if (pf->dtor1 == ABSENT)
			pf->dtor1 = field(vi, "page.compound_dtor", 1, pf->size);
		if (n < 0 || n > 255 || pf->dtor1 == ABSENT)
			snprintf(pf->huge_why, sizeof pf->huge_why,
				 "NUMBER(HUGETLB_PAGE_DTOR)=%lld without a one-byte OFFSET(folio._folio_dtor) "
				 "or OFFSET(page.compound_dtor)", (long long)n);
	}
}

/* One kernel has one encoding: with a usable buddy value, a type encoded
 * otherwise is unknown. Returns the lowest type byte of the
 * one-type-per-page values (0: none). */
static unsigned one_encoding(struct td_pagefmt *pf)
{
	struct td_ptype *t[] = { &pf->buddy, &pf->offline, &pf->slab_type, &pf->hugetlb_type,
				 &pf->unaccepted };
	unsigned lo = 0;

	for (unsigned i = 1; i < sizeof t / sizeof t[0]; i++)
		if (td_pt_usable(&pf->buddy) && td_pt_usable(t[i]) && t[i]->enc != pf->buddy.enc)
			t[i]->enc = TD_PT_UNKNOWN;
	for (unsigned i = 0; i < sizeof t / sizeof t[0]; i++)
		if (t[i]->enc == TD_PT_VALUE && (!lo || t[i]->v >> 24 < lo))
			lo = t[i]->v >> 24;
	return lo;
}

static void optional(struct td_pagefmt *pf, const struct td_vmcoreinfo *vi)
{
	pf->mapcount = field(vi, "page._mapcount", 4, pf->size);
	pf->private_ = field(vi, "page.private", 8, pf->size);
	pf->lru = flag_bit(vi, "PG_lru");
	pf->priv = flag_bit(vi, "PG_private");
	pf->swapcache = flag_bit(vi, "PG_swapcache");
	pf->swapbacked = flag_bit(vi, "PG_swapbacked");
	pf->has_swapbacked = pf->swapbacked != 0;
	pf->slab = flag_bit(vi, "PG_slab");
	pf->hwpoison = flag_bit(vi, "PG_hwpoison");
	pf->has_hwpoison = pf->hwpoison != 0;
	pf->buddy = ptype(vi, "PAGE_BUDDY_MAPCOUNT_VALUE");
	pf->offline = ptype(vi, "PAGE_OFFLINE_MAPCOUNT_VALUE");
	pf->slab_type = ptype(vi, "PAGE_SLAB_MAPCOUNT_VALUE");
	pf->hugetlb_type = ptype(vi, "PAGE_HUGETLB_MAPCOUNT_VALUE");
	pf->unaccepted = ptype(vi, "PAGE_UNACCEPTED_MAPCOUNT_VALUE");
	pf->typed_lo = one_encoding(pf);
	pf->order1 = field1(vi, "folio._folio_order", pf->size);
	if (pf->order1 == ABSENT)
		pf->order1 = field(vi, "page.compound_order", 1, pf->size);
	hugetlb_mark(pf, vi);
	if (td_vi_length(vi, "zone.free_area", &pf->nr_orders) < 0)
		pf->nr_orders = 0;
}

int td_pagefmt_init(struct td_pagefmt *pf, const struct td_vmcoreinfo *vi, uint64_t size,
		    struct td_err *e)
{
	int64_t head;

	memset(pf, 0, sizeof *pf);
	pf->size = size;
	pf->flags = field(vi, "page.flags", 8, size);
	pf->mapping = field(vi, "page.mapping", 8, size);
	pf->info_name = "page.compound_info";
	pf->info = field(vi, pf->info_name, 8, size);
	if (pf->info == ABSENT) {
		pf->info_name = "page.compound_head";
		pf->info = field(vi, pf->info_name, 8, size);
	}
	if (pf->flags == ABSENT || pf->mapping == ABSENT || pf->info == ABSENT)
		return td_fail(e, "VMCOREINFO lacks OFFSET(page.flags/mapping/compound_head or compound_info)");
	if (td_vi_number(vi, "PG_head_mask", &head) < 0 || head <= 0)
		return td_fail(e, "VMCOREINFO lacks NUMBER(PG_head_mask)");
	pf->head = (uint64_t)head;
	optional(pf, vi);
	return 0;
}

/* --- one struct page --- */

static uint64_t get_or0(const uint8_t *p, uint64_t off, int width)
{
	if (off == ABSENT)
		return 0;
	return width == 8 ? td_le64(p + off) : width == 4 ? td_le32(p + off) : p[off];
}

static int head_hugetlb(const struct td_pagefmt *pf, const struct td_spage *sp, const uint8_t *next)
{
	if (pf->huge_why[0])
		return 0;
	switch (pf->hugetlb_by) {
	case TD_HUGE_TYPE: return td_pt_is(&pf->hugetlb_type, sp->mapcount);
	case TD_HUGE_FLAG: return (td_le64(next + pf->flags) & pf->hugetlb_flag) != 0;
	case TD_HUGE_DTOR: return next[pf->dtor1] == pf->hugetlb_dtor;
	}
	return 0;
}

void td_spage_decode(const struct td_pagefmt *pf, const uint8_t *p, const uint8_t *next,
		     struct td_spage *sp)
{
	sp->flags = td_le64(p + pf->flags);
	sp->mapping = td_le64(p + pf->mapping);
	sp->info = td_le64(p + pf->info);
	sp->mapcount = (uint32_t)get_or0(p, pf->mapcount, 4);
	sp->private_ = get_or0(p, pf->private_, 8);
	sp->order = 0;
	sp->hugetlb = 0;
	if (!next || !(sp->flags & pf->head))
		return;
	sp->order = pf->order1 != ABSENT ? next[pf->order1] : (unsigned)(td_le64(next + pf->flags) & 0xff);
	sp->hugetlb = head_hugetlb(pf, sp, next);
}

/* --- classes --- */

int td_spage_tail(const struct td_spage *sp)
{
	return sp->info & 1;
}

int td_spage_slab(const struct td_pagefmt *pf, const struct td_spage *sp)
{
	return (sp->flags & pf->slab) || td_pt_is(&pf->slab_type, sp->mapcount);
}

/* A page with a one-per-page type other than hugetlb. */
static int typed_not_hugetlb(const struct td_pagefmt *pf, const struct td_spage *sp)
{
	unsigned top = sp->mapcount >> 24;

	return pf->typed_lo && top >= pf->typed_lo && top != 0xff &&
	       !td_pt_is(&pf->hugetlb_type, sp->mapcount);
}

int td_spage_anon(const struct td_pagefmt *pf, const struct td_spage *sp)
{
	return (sp->mapping & 1) && !td_spage_slab(pf, sp) && !typed_not_hugetlb(pf, sp);
}

int td_spage_cache(const struct td_pagefmt *pf, const struct td_spage *sp)
{
	if (sp->flags & pf->lru)
		return 1;
	return (!pf->has_swapbacked || (sp->flags & pf->swapbacked)) && (sp->flags & pf->swapcache);
}

int td_spage_buddy(const struct td_pagefmt *pf, const struct td_spage *sp)
{
	return !td_spage_slab(pf, sp) && td_pt_is(&pf->buddy, sp->mapcount);
}

int td_spage_offline(const struct td_pagefmt *pf, const struct td_spage *sp)
{
	return !td_spage_slab(pf, sp) && td_pt_is(&pf->offline, sp->mapcount);
}

int td_spage_unaccepted(const struct td_pagefmt *pf, const struct td_spage *sp)
{
	return td_pt_is(&pf->unaccepted, sp->mapcount);
}
