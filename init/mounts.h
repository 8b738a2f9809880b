/* Where a filesystem is mounted on this host: for `tinydump status`, which
 * looks for the dumps on a disk or NFS target this host also mounts. */
#ifndef TD_MOUNTS_H
#define TD_MOUNTS_H

#include <stddef.h>

#include "os/err.h"

/* The mount point of the block device dev ("/dev/vdb1"), or, when dev is
 * NULL, of the mount whose source is source ("192.0.2.7:/crash"); only a
 * mount of the whole filesystem counts, not a bind mount of part of it.
 * -1 with a message when it is not mounted. */
int td_mounted(const char *dev, const char *source, char *mnt, size_t cap, struct td_err *e);

#endif
