#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "err.h"

int td_fail(struct td_err *e, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(e->msg, sizeof e->msg, fmt, ap);
	va_end(ap);
	return -1;
}

int td_wrap(struct td_err *e, const char *fmt, ...)
{
	char inner[sizeof e->msg];
	va_list ap;
	int n;

	memcpy(inner, e->msg, sizeof inner);
	va_start(ap, fmt);
	n = vsnprintf(e->msg, sizeof e->msg, fmt, ap);
	va_end(ap);
	if (n >= 0 && (size_t)n < sizeof e->msg)
		snprintf(e->msg + n, sizeof e->msg - n, ": %s", inner);
	return -1;
}
