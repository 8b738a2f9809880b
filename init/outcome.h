/* tinydump.json: the outcome of a capture, written next to the dump (and
 * sent in the TLS trailer). Pure: formats into a caller's buffer. */
#ifndef TD_OUTCOME_H
#define TD_OUTCOME_H

#include <stddef.h>

#include "run.h"

#define TD_VERSION "0.1.0"

#define TD_MAX_ATTEMPTS 9 /* listed in tinydump.json: the last ones */

struct td_attempt {
	char target[256];
	char result[16];    /* "ok", "failed", "incomplete" */
	char error[400];
};

struct td_outcome {
	const struct td_run *run;
	const char *target;          /* the target this file describes */
	const char *format;          /* "kdump", "elf", "flat" */
	int crash_time_from_clock;   /* CRASHTIME absent: the time is ours */
	long long when;              /* seconds since the epoch, for the name */
	const struct td_attempt *attempts;
	unsigned nattempts;
	int complete;
};

/* Format the JSON document into buf. Returns its length, or -1 if it does
 * not fit in cap (buf then holds a valid but shortened document). */
int td_outcome_json(const struct td_outcome *o, char *buf, size_t cap);

/* "YYYY-MM-DD-HH:MM:SS" in UTC. */
void td_utc_stamp(long long t, char out[20]);

#endif
