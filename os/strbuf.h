/* Text appended into a caller's fixed buffer: every put either fits whole
 * or marks the buffer over, and later puts do nothing. Pure. */
#ifndef TD_STRBUF_H
#define TD_STRBUF_H

#include <stddef.h>

struct td_strbuf {
	char *p;         /* the caller's buffer, always NUL-terminated */
	size_t cap, len;
	int over;        /* a put did not fit: the text is cut there */
};

void td_strbuf_put(struct td_strbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
