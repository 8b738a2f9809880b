/* Batch states: FREE -> FILLING (get) -> QUEUED (submit) -> WORKING
 * (a worker) -> DONE -> FILLING (collect: the caller empties it) -> FREE
 * (put). Sequence numbers keep collection in submission order. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "zippool.h"

enum { FREE, FILLING, QUEUED, WORKING, DONE };

unsigned td_zippool_workers(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);

	if (n <= 1)
		return 0;
	return n > TD_ZIPPOOL_MAX ? TD_ZIPPOOL_MAX : (unsigned)n;
}

static int oldest(struct td_zippool *p, int state)
{
	int best = -1;

	for (unsigned i = 0; i < p->depth; i++)
		if (p->state[i] == state && (best < 0 || p->seq[i] < p->seq[best]))
			best = (int)i;
	return best;
}

static void *worker(void *arg)
{
	struct td_zippool *p = ((void **)arg)[0];
	struct td_codec_state *pz = ((void **)arg)[1];
	int i;

	free(arg);
	pthread_mutex_lock(&p->mu);
	for (;;) {
		while (!p->stop && (i = oldest(p, QUEUED)) < 0)
			pthread_cond_wait(&p->work, &p->mu);
		if (p->stop)
			break;
		p->state[i] = WORKING;
		pthread_mutex_unlock(&p->mu);
		td_zipbatch_run(p->b[i], pz);
		pthread_mutex_lock(&p->mu);
		p->state[i] = DONE;
		pthread_cond_broadcast(&p->done);
	}
	pthread_mutex_unlock(&p->mu);
	return NULL;
}

static int index_of(struct td_zippool *p, struct td_zipbatch *b)
{
	for (unsigned i = 0; i < p->depth; i++)
		if (p->b[i] == b)
			return (int)i;
	return -1;
}

static struct td_zipbatch *pool_get(void *ctx)
{
	struct td_zippool *p = ctx;
	struct td_zipbatch *b = NULL;

	pthread_mutex_lock(&p->mu);
	for (unsigned i = 0; i < p->depth && !b; i++)
		if (p->state[i] == FREE) {
			p->state[i] = FILLING;
			b = p->b[i];
		}
	pthread_mutex_unlock(&p->mu);
	return b;
}

static void pool_submit(void *ctx, struct td_zipbatch *b)
{
	struct td_zippool *p = ctx;
	int i = index_of(p, b);

	pthread_mutex_lock(&p->mu);
	p->state[i] = QUEUED;
	p->seq[i] = p->next_seq++;
	pthread_cond_signal(&p->work);
	pthread_mutex_unlock(&p->mu);
}

static struct td_zipbatch *pool_collect(void *ctx)
{
	struct td_zippool *p = ctx;
	struct td_zipbatch *b = NULL;
	int i = -1;

	pthread_mutex_lock(&p->mu);
	if (p->next_collect < p->next_seq) {
		for (unsigned j = 0; j < p->depth; j++)
			if (p->state[j] >= QUEUED && p->seq[j] == p->next_collect)
				i = (int)j;
		while (i >= 0 && p->state[i] != DONE)
			pthread_cond_wait(&p->done, &p->mu);
		if (i >= 0) {
			p->state[i] = FILLING;
			p->next_collect++;
			b = p->b[i];
		}
	}
	pthread_mutex_unlock(&p->mu);
	return b;
}

static void pool_put(void *ctx, struct td_zipbatch *b)
{
	struct td_zippool *p = ctx;
	int i = index_of(p, b);

	pthread_mutex_lock(&p->mu);
	p->state[i] = FREE;
	pthread_mutex_unlock(&p->mu);
}

static void pool_counts(void *ctx, uint64_t *tried, uint64_t *skipped)
{
	struct td_zippool *p = ctx;

	*tried = *skipped = 0;
	pthread_mutex_lock(&p->mu);
	for (unsigned i = 0; i < p->nworkers; i++) {
		uint64_t t, k;
		td_codec_counts(&p->zip[i], &t, &k);
		*tried += t;
		*skipped += k;
	}
	pthread_mutex_unlock(&p->mu);
}

int td_zippool_start(struct td_zippool *p, unsigned workers, const struct td_codec *c,
		     struct td_zipper *z, struct td_err *e)
{
	memset(p, 0, sizeof *p);
	pthread_mutex_init(&p->mu, NULL);
	pthread_cond_init(&p->work, NULL);
	pthread_cond_init(&p->done, NULL);
	p->depth = workers + 2;
	if (!(p->zip = calloc(workers, sizeof *p->zip)))
		return td_fail(e, "no memory for %u compression workers", workers);
	for (unsigned i = 0; i < p->depth; i++)
		if (!(p->b[i] = malloc(sizeof *p->b[i]))) {
			td_zippool_stop(p);
			return td_fail(e, "no memory for compression batches");
		}
	for (unsigned i = 0; i < workers; i++) {
		void **arg = malloc(2 * sizeof *arg);
		if (!arg || td_codec_init(&p->zip[i], c, e) < 0 ||
		    (arg[0] = p, arg[1] = &p->zip[i], pthread_create(&p->thr[i], NULL, worker, arg)) != 0) {
			free(arg);
			td_zippool_stop(p);
			return td_fail(e, "cannot start compression worker %u", i);
		}
		p->nworkers++;
	}
	*z = (struct td_zipper){ p, p->depth, pool_get, pool_submit, pool_collect, pool_put, pool_counts };
	return 0;
}

void td_zippool_stop(struct td_zippool *p)
{
	pthread_mutex_lock(&p->mu);
	p->stop = 1;
	pthread_cond_broadcast(&p->work);
	pthread_mutex_unlock(&p->mu);
	for (unsigned i = 0; i < p->nworkers; i++) {
		pthread_join(p->thr[i], NULL);
		td_codec_end(&p->zip[i]);
	}
	for (unsigned i = 0; i < p->depth; i++)
		free(p->b[i]);
	free(p->zip);
	p->zip = NULL;
	p->nworkers = 0;
}
