/* A capture run written into a dump directory (os/dumpdir.h) on a mounted
 * disk, an NFS export or a host directory: dmesg.txt first, a reserved
 * tinydump.json, then vmcore.incomplete, and only when all of them are
 * written and durable is the vmcore renamed complete. */
#ifndef TD_RUNDIR_H
#define TD_RUNDIR_H

#include <stddef.h>

#include "targetloop.h"

/* Write c->run into PARENT/<node>-<YYYY-MM-DD-HH:MM:SS>[.N]/ and put that
 * path in c->landed. On failure the directory keeps what landed
 * (vmcore.incomplete, marked incomplete, and a tinydump.json saying why). */
int td_rundir_write(struct td_try *c, const char *parent, struct td_err *e);

/* The directory name for a run: "<node>-<stamp>", node reduced to
 * [A-Za-z0-9._-]. *from_clock is set when CRASHTIME was missing. */
void td_dump_name(const struct td_run *r, char *out, size_t cap, long long *when, int *from_clock);

#endif
