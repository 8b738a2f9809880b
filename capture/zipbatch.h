/* Page compression in batches, so that it can run beside the writer. The
 * writer copies dumpable pages into a batch and hands it to a td_zipper;
 * batches come back in the order they went in, each page either marked
 * zero (the shared zero block), or with its stored bytes and flags. The
 * codec is the zipper's (codec.h).
 * capture/ provides the serial zipper; init/ provides a thread pool with
 * the same interface, used when more than one CPU is online. */
#ifndef TD_ZIPBATCH_H
#define TD_ZIPBATCH_H

#include <stdint.h>

#include "codec.h"
#include "page.h"

#define TD_ZIP_BATCH 64

struct td_zipbatch {
	/* in */
	unsigned n;
	uint64_t pfn[TD_ZIP_BATCH];
	uint8_t zero[TD_ZIP_BATCH];         /* a zero page (level bit 1, found on copy-in): in[] unused */
	uint8_t in[TD_ZIP_BATCH][TD_PAGE_SIZE];
	/* out */
	uint32_t size[TD_ZIP_BATCH];        /* 0: a zero page */
	uint32_t flags[TD_ZIP_BATCH];       /* the codec's kdump flag, or 0 (raw) */
	uint32_t off[TD_ZIP_BATCH];         /* of the stored bytes in out[] */
	uint8_t out[TD_ZIP_BATCH * TD_PAGE_SIZE];
};

/* Zero-check and compress every page of b with the codec of cs. */
void td_zipbatch_run(struct td_zipbatch *b, struct td_codec_state *cs);

struct td_zipper {
	void *ctx;
	unsigned depth;                     /* batches that may be in flight */
	/* A free batch to fill, or NULL when depth batches are in flight
	 * (then collect one first). */
	struct td_zipbatch *(*get)(void *ctx);
	/* Queue a filled batch. */
	void (*submit)(void *ctx, struct td_zipbatch *b);
	/* The oldest submitted batch, done; NULL if none is in flight. The
	 * caller empties it and gives it back with put. */
	struct td_zipbatch *(*collect)(void *ctx);
	void (*put)(void *ctx, struct td_zipbatch *b);
	/* pages given to the compressor / stored raw untried, summed over
	 * workers */
	void (*counts)(void *ctx, uint64_t *tried, uint64_t *skipped);
};

/* The serial zipper: one batch, compressed at submit time with codec c. */
struct td_zipserial {
	struct td_codec_state cs;
	struct td_zipbatch *b;
	int state;                          /* 0 free, 1 handed out, 2 done */
};
int td_zipserial_init(struct td_zipserial *s, const struct td_codec *c, struct td_zipper *z,
		      struct td_err *e);
void td_zipserial_end(struct td_zipserial *s);

#endif
