/* The page filter: which pfns are dumpable at a makedumpfile dump level.
 * It decides holes and the mem_map classes (cache, user, free, hwpoison,
 * offline). Zero pages are not decided here: the writers detect them while
 * copying (level bit 1). Memory is bounded: the caller asks about one chunk
 * of pfns ("cycle") at a time and owns the bitmap.
 *
 * The decisions are makedumpfile's (__exclude_unnecessary_pages), made
 * from VMCOREINFO fields alone for every kernel from 6.1 to 7.x
 * (pagetype.h; docs/KERNELS.md); on 6.1 the kept set is makedumpfile
 * 1.7.2's, byte for byte. A class whose fields are missing or of an
 * unknown encoding is not applied: its pages are kept and why (or a
 * warning) says so. The struct pages are read through the
 * crashed kernel's own page tables (the vmcore's architecture row, arch.h)
 * and mem_section (memmap.c),
 * 512 at a time. Unusable mem_map data (unmapped vmemmap, a table page
 * outside the dump, an impossible buddy order) keeps the pages concerned,
 * counts them as unclassified and is reported with one warning per range. */
#ifndef TD_FILTER_H
#define TD_FILTER_H

#include <stdint.h>

#include "memmap.h"
#include "pagetype.h"
#include "stats.h"
#include "vmcore.h"
#include "vmcoreinfo.h"

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
	char why[512];            /* why requested bits (or classes inside them)
				     are not applied, or "" */

	/* private to filter.c */
	int scan;                 /* read mem_map at all (makedumpfile's rule) */
	unsigned excl;            /* TD_LVL_* bits the scan excludes */
	int offline, unaccepted;  /* those classes are excluded */
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
