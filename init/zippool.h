/* A td_zipper whose batches are compressed by worker threads, so that
 * deflate runs on every online CPU while the main thread filters, copies
 * and writes. Batches still come back in submission order. */
#ifndef TD_ZIPPOOL_H
#define TD_ZIPPOOL_H

#include <pthread.h>

#include "capture/zipbatch.h"

#define TD_ZIPPOOL_MAX 8

struct td_zippool {
	pthread_mutex_t mu;
	pthread_cond_t work, done;
	unsigned nworkers, depth;
	pthread_t thr[TD_ZIPPOOL_MAX];
	struct td_codec_state *zip;         /* one per worker */
	struct td_zipbatch *b[TD_ZIPPOOL_MAX + 2];
	int state[TD_ZIPPOOL_MAX + 2];      /* see zippool.c */
	uint64_t seq[TD_ZIPPOOL_MAX + 2];
	uint64_t next_seq, next_collect;
	int stop;
};

/* Workers for the online CPUs (at most TD_ZIPPOOL_MAX); 0 when there is
 * only one, and then the caller should use the serial zipper. */
unsigned td_zippool_workers(void);

/* Start workers compressing with codec c. */
int td_zippool_start(struct td_zippool *p, unsigned workers, const struct td_codec *c,
		     struct td_zipper *z, struct td_err *e);
void td_zippool_stop(struct td_zippool *p);

#endif
