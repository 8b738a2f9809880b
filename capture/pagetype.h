/* struct page as the crashed kernel lays it out, and the page classes the
 * filter asks about, decided from VMCOREINFO fields alone: no table of
 * kernel versions. docs/KERNELS.md lists, per kernel generation (6.1 to
 * 7.x), which field decides which class and what happens when one is
 * missing.
 *
 * Page types (free, offline, slab, hugetlb, unaccepted) are values the
 * kernel exports as NUMBER(PAGE_*_MAPCOUNT_VALUE). Their encoding is told
 * from the value itself:
 * - one bit clear, all others set (6.1-6.11, e.g. ~0x80): a page has the
 *   type if its whole 32-bit _mapcount equals the value (makedumpfile's
 *   exact test);
 * - low 24 bits zero, top byte 0x80-0xfe (6.12 on, e.g. 0xf0 << 24): one
 *   type per page, held in the top byte of _mapcount; the low 24 bits may
 *   carry the owner's data, so only the top byte is compared;
 * - anything else: unknown, the type is never matched and the caller is
 *   told (td_pt_state), so the pages stay in the dump.
 *
 * Pure: no I/O. The caller reads the struct page bytes (memmap.c). */
#ifndef TD_PAGETYPE_H
#define TD_PAGETYPE_H

#include <stdint.h>

#include "os/err.h"
#include "vmcoreinfo.h"

#define TD_PF_ABSENT UINT64_MAX

enum td_ptenc {
	TD_PT_ABSENT,   /* no such NUMBER */
	TD_PT_UNKNOWN,  /* a value of no known encoding */
	TD_PT_BITS,     /* compare the whole _mapcount */
	TD_PT_VALUE,    /* compare the top byte */
};

struct td_ptype {
	int enc;                 /* enum td_ptenc */
	uint32_t v;              /* the exported value as 32 bits */
};

/* Where the hugetlb mark of a compound head is (the first present wins,
 * newest first, as makedumpfile 1.7.8 looks). */
enum td_hugetlb_by {
	TD_HUGE_NONE,            /* no mark exported: no hugetlb pages known */
	TD_HUGE_TYPE,            /* head _mapcount type PAGE_HUGETLB_MAPCOUNT_VALUE (6.9 on) */
	TD_HUGE_FLAG,            /* NUMBER(PG_hugetlb) in page[1].flags (6.6-6.8) */
	TD_HUGE_DTOR,            /* page[1] byte == NUMBER(HUGETLB_PAGE_DTOR) (6.1-6.5) */
};

/* Offsets of absent fields are TD_PF_ABSENT; flag masks of absent bits 0. */
struct td_pagefmt {
	uint64_t size, flags, mapping, info, mapcount, private_;
	const char *info_name;   /* "page.compound_head" or "page.compound_info" */
	uint64_t head, lru, priv, swapcache, swapbacked, slab, hwpoison;
	int has_swapbacked, has_hwpoison;
	struct td_ptype buddy, offline, slab_type, hugetlb_type, unaccepted;
	/* compound order: a byte of page[1] at order1, or (order1 ABSENT) the
	 * low byte of page[1].flags */
	uint64_t order1;
	int hugetlb_by;          /* enum td_hugetlb_by */
	uint64_t hugetlb_flag;   /* TD_HUGE_FLAG: the bit in page[1].flags */
	uint64_t dtor1, hugetlb_dtor;  /* TD_HUGE_DTOR: page[1] byte, value */
	char huge_why[160];      /* a hugetlb mark exported but unusable, or "" */
	unsigned typed_lo;       /* TD_PT_VALUE: the lowest exported type byte */
	uint64_t nr_orders;      /* LENGTH(zone.free_area), 0 if absent */
};

/* What the filter reads of one struct page. */
struct td_spage {
	uint64_t flags, mapping, private_, info;
	uint32_t mapcount;
	unsigned order;          /* compound heads with page[1] read; else 0 */
	int hugetlb;             /* a hugetlb head */
};

/* Fill pf for struct pages of size bytes. Fails (e says which field) only
 * without the fields every class needs: OFFSET(page.flags), OFFSET(page.
 * mapping), OFFSET(page.compound_head or page.compound_info),
 * NUMBER(PG_head_mask). Optional fields are looked up and left absent or
 * unknown when unusable; the caller asks and explains (td_pt_state,
 * huge_why). */
int td_pagefmt_init(struct td_pagefmt *pf, const struct td_vmcoreinfo *vi, uint64_t size,
		    struct td_err *e);

/* Is the type usable (a known encoding); if not, why, as
 * "NUMBER(name) absent" or "NUMBER(name)=0x... has no known encoding"
 * (buf is filled and returned). */
int td_pt_usable(const struct td_ptype *t);
const char *td_pt_state(const struct td_ptype *t, const char *name, char *buf, unsigned len);

/* Does a page with this _mapcount have type t (never, if t is unusable). */
int td_pt_is(const struct td_ptype *t, uint32_t mapcount);

/* Is there a usable slab mark: NUMBER(PG_slab) or a usable
 * PAGE_SLAB_MAPCOUNT_VALUE. */
int td_pf_knows_slab(const struct td_pagefmt *pf);

/* Decode the struct page at p; next is page[1] (or NULL if it cannot be
 * read, as for a head in the last slot of a chunk: no order, no hugetlb
 * mark from page[1]). */
void td_spage_decode(const struct td_pagefmt *pf, const uint8_t *p, const uint8_t *next,
		     struct td_spage *sp);

/* The classes, each as makedumpfile asks (see pagetype.c). */
int td_spage_tail(const struct td_spage *sp);
int td_spage_slab(const struct td_pagefmt *pf, const struct td_spage *sp);
int td_spage_anon(const struct td_pagefmt *pf, const struct td_spage *sp);
int td_spage_cache(const struct td_pagefmt *pf, const struct td_spage *sp);
int td_spage_buddy(const struct td_pagefmt *pf, const struct td_spage *sp);
int td_spage_offline(const struct td_pagefmt *pf, const struct td_spage *sp);
int td_spage_unaccepted(const struct td_pagefmt *pf, const struct td_spage *sp);

#endif
