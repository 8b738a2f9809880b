/* Delivering a run into a directory (a mounted disk, an NFS export, or a
 * host directory): DIR/<node>-<YYYY-MM-DD-HH:MM:SS>[.N]/ with dmesg.txt
 * (written and synced first), vmcore.incomplete renamed to vmcore once
 * complete and synced, and tinydump.json. An existing directory or file is
 * never reused or overwritten. */
#ifndef TD_DELIVER_H
#define TD_DELIVER_H

#include "outcome.h"

struct td_delivery {
	const char *target;           /* spec, for the JSON */
	enum td_format format;
	int compress;
	const struct td_attempt *attempts; /* earlier failed attempts */
	unsigned nattempts;
	char path[512];               /* out: the dump directory */
};

int td_deliver_dir(struct td_run *r, const char *dir, struct td_delivery *dv, struct td_err *e);

/* The directory name for a run: "<node>-<stamp>", node reduced to
 * [A-Za-z0-9._-]. *from_clock is set when CRASHTIME was missing. */
void td_dump_name(const struct td_run *r, char *out, size_t cap, long long *when, int *from_clock);

#endif
