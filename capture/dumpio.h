/* What the dump writers share: the two passes over the pfn range in cycles,
 * the per-cycle bitmaps (1st: RAM, 2nd: dumpable), output accounting, and
 * the merging of unreadable-page warnings. The format writers (writer.h)
 * call into it; it calls none of them. Internal to capture/. */
#ifndef TD_DUMPIO_H
#define TD_DUMPIO_H

#include "dump.h"
#include "page.h"

struct td_dumpio {
	struct td_dump *d;
	void *ctx;                  /* the format writer */
	uint8_t *bm1, *bm2;         /* TD_CYCLE_PFNS / 8 bytes each */
	/* called by td_dumpio_cycles once per cycle, bitmaps filled */
	int (*cycle)(struct td_dumpio *io, uint64_t start, uint64_t n, struct td_err *e);
	uint64_t next_progress;
	uint64_t bad_first, bad_last; /* current run of unreadable pfns */
	char bad_msg[160];
};

int td_dumpio_init(struct td_dumpio *io, struct td_dump *d, void *ctx, struct td_err *e);
void td_dumpio_free(struct td_dumpio *io);

/* Counting pass: the number of dumpable pfns the filter gives. */
int td_dumpio_count(struct td_dumpio *io, uint64_t *ndumpable, struct td_err *e);

/* Writing pass: for each cycle fill bm1 and bm2 (with page statistics)
 * and call io->cycle. Ends by flushing the unreadable-page warning. */
int td_dumpio_cycles(struct td_dumpio *io, struct td_err *e);

/* Call fn(ctx, pfn) for each set bit of bm2 in the cycle, in pfn order,
 * reporting progress as it goes. */
int td_dumpio_each_set(struct td_dumpio *io, uint64_t start, uint64_t n,
		       int (*fn)(void *ctx, uint64_t pfn, struct td_err *e), void *ctx,
		       struct td_err *e);

/* Sink write with accounting. */
int td_dumpio_write(struct td_dumpio *io, uint64_t off, const void *buf, size_t len,
		    struct td_err *e);

/* Record that pfn could not be read from the vmcore (written as zeros);
 * consecutive pfns are merged into one warning. */
void td_dumpio_unreadable(struct td_dumpio *io, uint64_t pfn, const char *why);

/* Emit the pending unreadable-page warning (td_dumpio_cycles does this). */
void td_dumpio_flush_warnings(struct td_dumpio *io);

/* Pages in RAM PT_LOADs (the 1st bitmap's count), using io->bm1. */
uint64_t td_dumpio_ram_total(struct td_dumpio *io);

/* Touch a buffer just allocated, so its memory is taken now and the
 * footprint does not depend on how much of it a run happens to use. */
void td_own(void *p, size_t n);

#endif
