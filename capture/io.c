#include "io.h"

static const uint8_t *mem_get(void *ctx, uint64_t off, size_t len, struct td_err *e)
{
	struct td_membuf *m = ctx;

	if (off > m->size || len > m->size - off) {
		td_fail(e, "read of %zu bytes at offset 0x%llx is past the end of the input (%llu bytes)",
			len, (unsigned long long)off, (unsigned long long)m->size);
		return NULL;
	}
	return m->data + off;
}

void td_source_mem(struct td_source *s, struct td_membuf *m)
{
	s->ctx = m;
	s->size = m->size;
	s->get = mem_get;
}
