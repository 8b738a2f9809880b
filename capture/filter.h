/* The page filter: which pfns are dumpable at a makedumpfile dump level.
 * It decides holes and the mem_map classes (cache, user, free, hwpoison,
 * offline). Zero pages are not decided here: the writers detect them while
 * copying (level bit 1). Memory is bounded: the caller asks about one chunk
 * of pfns ("cycle") at a time and owns the bitmap. */
#ifndef TD_FILTER_H
#define TD_FILTER_H

#include <stdint.h>

#include "stats.h"
#include "vmcore.h"
#include "vmcoreinfo.h"

struct td_filter {
	struct td_vmcore *vc;
	const struct td_vmcoreinfo *vi;
	struct td_warnings *warn;
	unsigned level_requested;
	unsigned level_applied;   /* the bits this filter honours */
	char why[256];            /* why requested bits are not applied, or "" */
};

/* Set up for level (0..31). Never fails for lack of mem_map data: the bits
 * it cannot apply are left out of level_applied and explained in why. */
int td_filter_init(struct td_filter *f, struct td_vmcore *vc, const struct td_vmcoreinfo *vi,
		   unsigned level, struct td_warnings *warn, struct td_err *e);

/* Fill bm with one bit per pfn in [start, start + n), least significant bit
 * first, 1 = dumpable. start and n are multiples of 8. If st is not NULL,
 * excluded pages are added to it by class, and kept pages the filter could
 * not classify to st->unclassified. Returns -1 only on a source read error
 * that is not the crashed kernel's fault. */
int td_filter_cycle(struct td_filter *f, uint64_t start, uint64_t n, uint8_t *bm,
		    struct td_pagestats *st, struct td_err *e);

#endif
