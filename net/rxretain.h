/* Retention's file-system half (the rule is retain.h): one pass over the
 * receiver's --dir. receive.c runs each pass in a process of its own (at
 * start, every TD_RXRETAIN_PERIOD_S, and after each completed upload when
 * --max-bytes is set), so a pass over many dumps never holds up accepts.
 *
 * What a pass reads, for each entry whose name is one the receiver makes
 * (td_retain_name_ok) and that is a directory on the same filesystem as
 * --dir (no symlink is followed and no mount point crossed: fstatat with
 * AT_SYMLINK_NOFOLLOW, openat with O_NOFOLLOW, the device compared):
 *  - complete if it holds vmcore, incomplete if vmcore.incomplete, as
 *    `tinydump list` judges; neither: not a dump, left alone;
 *  - bytes: st_blocks * 512 summed over its files, what they take on disk
 *    (a sparse vmcore counts its allocated blocks, not its length);
 *  - time: receiver.json's received_utc (the receiver's own clock; the
 *    client's crash_time may be anything, a capture kernel's clock too),
 *    else the directory's mtime; for an incomplete dump the latest of
 *    that, the directory's mtime and vmcore.incomplete's mtime, so an
 *    upload that is still writing is young;
 *  - busy: an upload's process names it in the rxspace table.
 * A directory holding anything but regular files (a subdirectory, a
 * symlink, a device) is not one the receiver made: it is left alone.
 *
 * Deleting: the directory is first renamed to .deleting-NAME in --dir (one
 * atomic step, so `tinydump list` and the next pass never see half a
 * dump), then its files are unlinked and it is removed. A pass first
 * finishes any .deleting-NAME an interrupted one left. Each deletion is
 * one log line: the directory, its bytes on disk, and why. */
#ifndef TD_RXRETAIN_H
#define TD_RXRETAIN_H

#include "os/err.h"
#include "metrics.h"
#include "retain.h"
#include "rxspace.h"

#define TD_RXRETAIN_PERIOD_S 300
#define TD_RXRETAIN_TRASH ".deleting-"

struct td_rxretain {
	const char *dir;
	struct td_retain_policy policy;
	const struct td_rxspace *space; /* the directories uploads are writing */
	struct td_rx_counts *counts;    /* deletions are counted here (may be NULL) */
	int first;                      /* the first pass logs a summary even if idle */
};

/* One pass. 0, or -1 when --dir cannot be read (e says why). */
int td_rxretain_run(const struct td_rxretain *r, struct td_err *e);

#endif
