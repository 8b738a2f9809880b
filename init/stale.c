/* Staleness verdict (stale.h). */
#include <stdio.h>

#include "stale.h"

static int later(const struct td_stamp *a, const struct td_stamp *b)
{
	return a->sec > b->sec || (a->sec == b->sec && a->nsec > b->nsec);
}

int td_stale(const struct td_stamp *out, const struct td_stamp *in, size_t n, char *why, size_t cap)
{
	if (out->missing) {
		snprintf(why, cap, "%s does not exist", out->path);
		return 1;
	}
	for (size_t i = 0; i < n; i++) {
		if (!in[i].missing && later(&in[i], out)) {
			snprintf(why, cap, "%s changed after %s was built", in[i].path, out->path);
			return 1;
		}
	}
	snprintf(why, cap, "%s is newer than its inputs", out->path);
	return 0;
}
