/* Dump destinations: one file per kind (target_disk.c, target_nfs.c,
 * target_tls.c, target_dir.c), each exporting one row of this interface,
 * and the table of rows in target.c. A SPEC is PREFIX:REST, as written in
 * tinydump.target=SPEC and --target SPEC.
 *
 * A new kind is one new file and one row: its prefix, a strict parser of
 * REST, how it delivers a run, and how `tinydump status` checks it and
 * finds its dumps. */
#ifndef TD_TARGET_H
#define TD_TARGET_H

#include <stddef.h>
#include <stdint.h>

#include "os/err.h"

struct td_target;
struct td_config;
struct td_try;

enum td_readiness { TD_READY_OK, TD_READY_ADVICE, TD_READY_PROBLEM };

struct td_target_kind {
	const char *prefix;  /* "disk" */
	const char *grammar; /* "disk:DEVICE[:DIR]", for messages */
	int host_only;       /* refused in the capture kernel's configuration */
	/* Tried again (tinydump.retries=, with backoff) when deliver() fails
	 * with -1; -2 from deliver() means trying again cannot help. */
	int retry;
	/* Parse REST (after "PREFIX:") into t->where, t->path, t->port; the
	 * message names the offending part. Pure. */
	int (*parse)(struct td_target *t, const char *rest, struct td_err *e);
	/* Deliver the run of c to t: 0 when a complete dump is stored. */
	int (*deliver)(struct td_try *c, const struct td_target *t, struct td_err *e);
	/* Is t usable from this running system now? A sentence for status. */
	enum td_readiness (*ready)(const struct td_target *t, const struct td_config *cfg,
				   char *msg, size_t cap);
	/* The directory that holds t's dumps as this host sees it (a disk or
	 * export mounted here, a dir: path), so status can name the last
	 * dump; -1 with a sentence saying where they are instead. */
	int (*dumps_here)(const struct td_target *t, char *dir, size_t cap, struct td_err *e);
};

/* One destination. The fields every kind uses the same way:
 *   disk  where = DEVICE ("/dev/NAME", "LABEL=x", "UUID=x", "PARTUUID=x"),
 *         path = DIR (default "/")
 *   nfs   where = SERVER (IPv4, or [IPv6] with brackets), path = export
 *   tls   where = HOST (IPv4), port
 *   dir   path = a directory on this host
 * Paths hold no ".." component and no control characters. */
struct td_target {
	const struct td_target_kind *kind;
	char spec[256];  /* as given */
	char where[128];
	char path[192];
	uint16_t port;
	unsigned line;   /* tinydump.conf line it came from; 0 otherwise */
};
#define TD_MAX_TARGETS 8

extern const struct td_target_kind td_target_disk, td_target_nfs, td_target_tls, td_target_dir;

/* Parse one SPEC. Fails with a message that names the offending part. */
int td_target_parse(struct td_target *t, const char *spec, struct td_err *e);

#endif
