/* Writing a filtered dump: kdump-compressed (makedumpfile's "KDUMP   "
 * header version 6) or ELF. Both writers run the same way: a counting pass
 * over the pfn range in cycles, then a writing pass that emits headers,
 * bitmaps or program headers, and page data through the sink. Memory is the
 * caller's td_dump and a fixed working area, independent of RAM size. */
#ifndef TD_DUMP_H
#define TD_DUMP_H

#include <stdint.h>

#include "codec.h"
#include "filter.h"
#include "io.h"
#include "kinfo.h"
#include "stats.h"
#include "zipbatch.h"

enum td_format { TD_FMT_KDUMP, TD_FMT_ELF };

/* pfns per cycle: bitmaps of 512 KiB each, 16 GiB of RAM per cycle. */
#define TD_CYCLE_PFNS (4ull << 20)

struct td_dump {
	/* inputs */
	struct td_vmcore *vc;
	const struct td_vmcoreinfo *vi;
	const struct td_kinfo *ki;
	struct td_filter *filter;
	struct td_sink *out;
	enum td_format format;
	const struct td_codec *codec; /* per page (kdump only); never NULL */
	struct td_zipper *zipper; /* compression workers; NULL: serial */
	void (*progress)(void *ctx, uint64_t done, uint64_t total);
	void *progress_ctx;
	/* outputs */
	struct td_pagestats st;
	uint64_t bytes_written;  /* end offset of the file */
	int incomplete;          /* the dump stopped early and says so */
	uint64_t zip_tried;      /* pages given to the compressor */
	uint64_t zip_skipped;    /* pages stored raw without trying (hopeless) */
};

/* Write the whole dump with the writer of d->format (writer.h). On a sink failure the header is rewritten with the
 * incomplete flag (kdump status 0x8) if possible, and -1 is returned. */
int td_dump_write(struct td_dump *d, struct td_err *e);

#endif
