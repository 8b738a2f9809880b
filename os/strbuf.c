/* Appending to a fixed buffer (strbuf.h). */
#include <stdarg.h>
#include <stdio.h>

#include "strbuf.h"

void td_strbuf_put(struct td_strbuf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (b->over || b->len >= b->cap)
		return;
	va_start(ap, fmt);
	n = vsnprintf(b->p + b->len, b->cap - b->len, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= b->cap - b->len) {
		b->over = 1;
		b->p[b->len] = '\0';
	} else {
		b->len += (size_t)n;
	}
}
