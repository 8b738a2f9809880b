/* Page accounting shared by the filter, the writers and tinydump.json. */
#ifndef TD_STATS_H
#define TD_STATS_H

#include <stdint.h>

/* makedumpfile dump-level bits. */
enum {
	TD_LVL_ZERO = 1,
	TD_LVL_CACHE = 2,
	TD_LVL_CACHE_PRIVATE = 4,
	TD_LVL_USER = 8,
	TD_LVL_FREE = 16,
};

struct td_pagestats {
	uint64_t total;          /* pfns backed by RAM PT_LOADs */
	uint64_t kept;           /* dumpable pages written (zero pages included) */
	uint64_t zero;           /* sent to the shared zero block (level 1) */
	uint64_t cache, cache_private, user, free, hwpoison, offline;  /* excluded */
	uint64_t unclassified;   /* kept because the mem_map data was unusable */
};

/* Warnings for the log and tinydump.json: a bounded list, the rest counted. */
#define TD_WARN_MAX 16
struct td_warnings {
	char line[TD_WARN_MAX][200];
	unsigned n, dropped;
};
void td_warn(struct td_warnings *w, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
