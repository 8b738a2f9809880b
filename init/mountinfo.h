/* Where a filesystem is mounted on this host, from the text of
 * /proc/self/mountinfo (proc(5)): for `tinydump status`, to find the dumps
 * on a disk target that is also mounted here. Pure. */
#ifndef TD_MOUNTINFO_H
#define TD_MOUNTINFO_H

#include <stddef.h>

/* The mount point of the first mount of the whole filesystem (its root
 * "/", not a bind mount of a subdirectory) that is on device major:minor,
 * or, when source is not NULL, whose source field equals it (an NFS mount,
 * "SERVER:/PATH"). Octal escapes (\040 for a space) are decoded. 0 with
 * mnt filled, -1 when there is none (or it does not fit in cap). */
int td_mountinfo_find(const char *text, size_t len, unsigned major, unsigned minor,
		      const char *source, char *mnt, size_t cap);

/* The device major:minor of the filesystem mounted at mnt (the last such
 * line: a later mount hides an earlier one), for finding the root
 * filesystem's disk. 0, or -1 when nothing is mounted there. */
int td_mountinfo_dev(const char *text, size_t len, const char *mnt, unsigned *major,
		     unsigned *minor);

#endif
