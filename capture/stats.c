#include <stdarg.h>
#include <stdio.h>

#include "stats.h"

void td_warn(struct td_warnings *w, const char *fmt, ...)
{
	va_list ap;

	if (w->n == TD_WARN_MAX) {
		w->dropped++;
		return;
	}
	va_start(ap, fmt);
	vsnprintf(w->line[w->n++], sizeof w->line[0], fmt, ap);
	va_end(ap);
}
