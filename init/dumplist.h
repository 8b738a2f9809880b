/* The dumps in one directory: a disk or dir: target's, or a receiver's
 * --dir. `tinydump list` prints them; `tinydump status` names the newest
 * on each target it can read from this host. */
#ifndef TD_DUMPLIST_H
#define TD_DUMPLIST_H

#include <stddef.h>

#include "os/err.h"

/* One dump directory. What it is comes from the files themselves (vmcore
 * or vmcore.incomplete); who, when and the crash signature from
 * receiver.json when the receiver wrote one (its signature is the
 * receiver's own, from the stored dump: never the client's), else from
 * the head of tinydump.json. Text fields
 * are printable ASCII ('?' for anything else: a client wrote them) and
 * "-" when unknown; when is YYYY-MM-DD-HH:MM:SS in UTC. */
struct td_listed {
	char name[128];
	char node[65], release[65], when[24], sig[24];
	unsigned long long size;	/* bytes of the vmcore file */
	int complete;			/* vmcore, not vmcore.incomplete */
};

/* Every dump directory directly below dir, oldest crash first; *n of
 * them. The array is malloc'd (free() it) and never NULL on success,
 * even when *n is 0. NULL with a message when dir cannot be read. */
struct td_listed *td_dumps_scan(const char *dir, size_t *n, struct td_err *e);

#endif
