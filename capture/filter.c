/* Placeholder filter: keeps every page backed by the dump. The mem_map
 * classification replaces this (level bits 2, 4, 8, 16). */
#include <string.h>

#include "filter.h"

int td_filter_init(struct td_filter *f, struct td_vmcore *vc, const struct td_vmcoreinfo *vi,
		   unsigned level, struct td_warnings *warn, struct td_err *e)
{
	(void)e;
	memset(f, 0, sizeof *f);
	f->vc = vc;
	f->vi = vi;
	f->warn = warn;
	f->level_requested = level & 31;
	f->level_applied = level & TD_LVL_ZERO;
	if (f->level_applied != f->level_requested)
		strcpy(f->why, "the mem_map filter is not built yet; only zero pages are excluded");
	return 0;
}

int td_filter_cycle(struct td_filter *f, uint64_t start, uint64_t n, uint8_t *bm,
		    struct td_pagestats *st, struct td_err *e)
{
	(void)st;
	(void)e;
	memset(bm, 0, n / 8);
	for (uint64_t i = 0; i < n; i++)
		if (td_vmcore_pfn_present(f->vc, start + i))
			bm[i >> 3] |= (uint8_t)(1u << (i & 7));
	return 0;
}
