/* The page filter: which pfns are dumpable at a makedumpfile dump level.
 * It decides holes and the mem_map classes (cache, user, free, hwpoison,
 * offline). Zero pages are not decided here: the writers detect them while
 * copying (level bit 1). Memory is bounded: the caller asks about one chunk
 * of pfns ("cycle") at a time and owns the bitmap.
 *
 * The decisions are makedumpfile 1.7.2's for Linux 6.1 (notes §3.4, its
 * __exclude_unnecessary_pages): the struct pages are read through the
 * crashed kernel's own page tables (the vmcore's architecture row, arch.h)
 * and mem_section (memmap.c),
 * 512 at a time. Unusable mem_map data (unmapped vmemmap, a table page
 * outside the dump, an impossible buddy order) keeps the pages concerned,
 * counts them as unclassified and is reported with one warning per range. */
#ifndef TD_FILTER_H
#define TD_FILTER_H

#include <stdint.h>

#include "memmap.h"
#include "stats.h"
#include "vmcore.h"
#include "vmcoreinfo.h"

/* struct page as this kernel lays it out (from VMCOREINFO). Offsets of
 * absent fields are UINT64_MAX; flag masks of absent bits are 0. */
struct td_pagefmt {
	uint64_t size, flags, mapping, compound_head, mapcount, private_, order, dtor;
	uint64_t head, lru, priv, swapcache, swapbacked, slab, hwpoison;
	int32_t buddy_mapcount, offline_mapcount;
	int has_swapbacked, has_hwpoison, has_offline, has_hugetlb;
	uint64_t hugetlb_dtor;
	uint64_t nr_orders;      /* LENGTH(zone.free_area): free orders are below */
};

/* A run of pfns waiting to be reported as one warning. */
struct td_filter_note {
	int kind;                /* 0: none open */
	uint64_t first, last, pages;
	char detail[160];
};

struct td_filter {
	struct td_vmcore *vc;
	const struct td_vmcoreinfo *vi;
	struct td_warnings *warn;
	unsigned level_requested;
	unsigned level_applied;   /* the bits this filter honours */
	char why[256];            /* why requested bits are not applied, or "" */

	/* private to filter.c */
	int scan;                 /* read mem_map at all (makedumpfile's rule) */
	unsigned excl;            /* TD_LVL_* bits the scan excludes */
	struct td_pagefmt pf;
	struct td_physread mem;
	struct td_walker walk;    /* vc->arch's page-table walker */
	struct td_memmap mm;
	unsigned stat_passes;     /* passes with stats; warnings in the first */
	int warn_now;
	struct td_filter_note note;
	struct td_memmap_chunk chunk;  /* the struct pages being examined */
};

/* Set up for level (0..31). Never fails for lack of mem_map data: the bits
 * it cannot apply are left out of level_applied and explained in why. */
int td_filter_init(struct td_filter *f, struct td_vmcore *vc, const struct td_vmcoreinfo *vi,
		   unsigned level, struct td_warnings *warn, struct td_err *e);

/* Fill bm with one bit per pfn in [start, start + n), least significant bit
 * first, 1 = dumpable. start and n are multiples of 8. If st is not NULL,
 * excluded pages are added to it by class, and kept pages the filter could
 * not classify to st->unclassified. The same cycle always gives the same
 * bits. Warnings about unusable mem_map data are given during the first
 * pass over the pfns with st != NULL, whose cycles must come in ascending
 * order. A block (free or compound) reaching past start + n is cut there.
 * Returns -1 only on a source read error that is not the crashed kernel's
 * fault (currently never: unreadable data is kept and reported). */
int td_filter_cycle(struct td_filter *f, uint64_t start, uint64_t n, uint8_t *bm,
		    struct td_pagestats *st, struct td_err *e);

#endif
