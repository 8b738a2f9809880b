/* Finding the block device of a disk target (DESIGN.md disk:DEVICE), by
 * scanning sysfs and reading superblocks and partition tables from the
 * device nodes devtmpfs creates. */
#ifndef TD_DEVICES_H
#define TD_DEVICES_H

#include <stddef.h>

#include "os/err.h"
#include "blkid.h"

/* Identify the ext2/3/4 filesystem on dev (a path). Fails when there is
 * none or the device cannot be read; the message names the device. */
int td_dev_probe(const char *dev, struct td_fsid *id, struct td_err *e);

/* Find the device for spec: "/dev/NAME", "LABEL=x" (exact), "UUID=x" or
 * "PARTUUID=x" (GPT GUID or MBR SSSSSSSS-PP; case ignored). Looks every
 * 100 ms until found or timeout_s has passed (0: look once), logging once
 * when it starts to wait. The path ("/dev/vda1") goes to path[cap]. The
 * error names the spec, the time waited and every block device seen:
 *   "LABEL=crash not found after 60 s; block devices seen: vda (ext4
 *    LABEL=data), vdb (no filesystem)". */
int td_dev_find(const char *spec, unsigned timeout_s, char *path, size_t cap, struct td_err *e);

/* Every device matching spec now (no waiting): the number found, of which
 * the first max (at most 4) go to m[]. For host-side checks, such as
 * pinning a label to its UUID. */
struct td_devmatch {
	char path[48];        /* "/dev/NAME" */
	struct td_fsid id;    /* zeroed when there is no ext filesystem */
};
int td_dev_all(const char *spec, struct td_devmatch *m, int max, struct td_err *e);

/* Look for devices under dir (its sys/class/block and dev) instead of /;
 * for host tests on a made-up tree. NULL or "/" restores /. */
void td_dev_root(const char *dir);

#endif
