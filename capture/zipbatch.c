#include <stdlib.h>
#include <string.h>

#include "dumpio.h"
#include "zipbatch.h"

void td_zipbatch_run(struct td_zipbatch *b, struct td_codec_state *cs)
{
	uint32_t pos = 0;

	for (unsigned i = 0; i < b->n; i++) {
		const uint8_t *page = b->in[i];
		uint32_t n;
		if (b->zero[i]) { /* found when the page was copied in */
			b->size[i] = 0;
			continue;
		}
		n = td_codec_page(cs, page, b->out + pos);
		b->off[i] = pos;
		b->size[i] = n ? n : TD_PAGE_SIZE;
		b->flags[i] = n ? cs->codec->kdump_flag : 0;
		if (!n)
			memcpy(b->out + pos, page, TD_PAGE_SIZE);
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

	td_zipbatch_run(b, &s->cs);
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

	td_codec_counts(&s->cs, tried, skipped);
}

int td_zipserial_init(struct td_zipserial *s, const struct td_codec *c, struct td_zipper *z,
		      struct td_err *e)
{
	memset(s, 0, sizeof *s);
	if (!(s->b = malloc(sizeof *s->b)))
		return td_fail(e, "no memory for a compression batch");
	td_own(s->b, sizeof *s->b);
	if (td_codec_init(&s->cs, c, e) < 0) {
		free(s->b);
		return -1;
	}
	*z = (struct td_zipper){ s, 1, ser_get, ser_submit, ser_collect, ser_put, ser_counts };
	return 0;
}

void td_zipserial_end(struct td_zipserial *s)
{
	td_codec_end(&s->cs);
	free(s->b);
	s->b = NULL;
}
