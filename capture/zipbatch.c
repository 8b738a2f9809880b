#include <stdlib.h>
#include <string.h>

#include "dump.h"
#include "dumpio.h"
#include "zipbatch.h"

void td_zipbatch_run(struct td_zipbatch *b, struct td_pagezip *pz)
{
	uint32_t pos = 0;

	for (unsigned i = 0; i < b->n; i++) {
		const uint8_t *page = b->in[i];
		uint32_t n;
		if (b->zero[i] || (b->zero_detect && td_page_is_zero(page))) {
			b->size[i] = 0;
			continue;
		}
		n = b->compress ? td_pagezip_page(pz, page) : 0;
		b->off[i] = pos;
		b->size[i] = n ? n : TD_PAGE_SIZE;
		b->flags[i] = n ? TD_KDUMP_ZLIB : 0;
		memcpy(b->out + pos, n ? pz->out : page, b->size[i]);
		pos += b->size[i];
	}
}

static struct td_zipbatch *ser_get(void *ctx)
{
	struct td_zipserial *s = ctx;

	if (s->state)
		return NULL;
	s->state = 1;
	return s->b;
}

static void ser_submit(void *ctx, struct td_zipbatch *b)
{
	struct td_zipserial *s = ctx;

	td_zipbatch_run(b, &s->zip);
	s->state = 2;
}

static struct td_zipbatch *ser_collect(void *ctx)
{
	struct td_zipserial *s = ctx;

	return s->state == 2 ? s->b : NULL;
}

static void ser_put(void *ctx, struct td_zipbatch *b)
{
	struct td_zipserial *s = ctx;

	(void)b;
	s->state = 0;
}

static void ser_counts(void *ctx, uint64_t *tried, uint64_t *skipped)
{
	struct td_zipserial *s = ctx;

	*tried = s->zip.tried;
	*skipped = s->zip.skipped;
}

int td_zipserial_init(struct td_zipserial *s, struct td_zipper *z, struct td_err *e)
{
	memset(s, 0, sizeof *s);
	if (!(s->b = malloc(sizeof *s->b)))
		return td_fail(e, "no memory for a compression batch");
	td_own(s->b, sizeof *s->b);
	if (td_pagezip_init(&s->zip, e) < 0) {
		free(s->b);
		return -1;
	}
	*z = (struct td_zipper){ s, 1, ser_get, ser_submit, ser_collect, ser_put, ser_counts };
	return 0;
}

void td_zipserial_end(struct td_zipserial *s)
{
	td_pagezip_end(&s->zip);
	free(s->b);
	s->b = NULL;
}
