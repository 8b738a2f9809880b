/* The dump directory: one layout for the disk and NFS targets and for the
 * receiver, written here once.
 *
 *   PARENT/NAME[.N]/       mode 0700; NAME.1 .. NAME.9999 when NAME is taken
 *       dmesg.txt          mode 0600, like every file: a dump holds secrets
 *       vmcore.incomplete  renamed to vmcore once complete and durable
 *       tinydump.json ...
 *
 * Nothing is ever reused or overwritten: directories are made with mkdir
 * and files with O_EXCL. A failed call leaves errno as the system call set
 * it, so callers can tell a full disk (ENOSPC, EDQUOT) from other faults. */
#ifndef TD_DUMPDIR_H
#define TD_DUMPDIR_H

#include <stddef.h>

#include "err.h"

#define TD_DUMPDIR_MODE 0700
#define TD_DUMPFILE_MODE 0600
#define TD_DUMPDIR_SUFFIX_MAX 9999u
#define TD_VMCORE_PARTIAL "vmcore.incomplete"
#define TD_VMCORE_DONE "vmcore"
#define TD_DUMPDIR_NEW ".tinydump-new-" /* td_dumpdir_make_with's temporary names */

/* Make the directory PARENT/NAME (or the first free NAME.N), fsync PARENT,
 * and return a descriptor of it; its name (without PARENT) goes to out. */
int td_dumpdir_make(const char *parent, const char *name, char *out, size_t cap, struct td_err *e);

/* Like td_dumpdir_make, but the directory holds an empty FILE (made with
 * O_EXCL, mode 0600) from the moment it has its name: it is made under a
 * temporary name (.tinydump-new-PID-N-NS), FILE is created in it, and it is
 * renamed into place. So a writer that dies leaves either a directory
 * marked by FILE or a hidden temporary one, never an empty dump
 * directory. Where the filesystem has RENAME_NOREPLACE the rename
 * replaces nothing; where it has not (NFS), rename still never replaces a
 * directory that holds a file, and every directory this function names
 * holds one, so writers sharing PARENT never take one name. FILE's
 * descriptor (read-write) goes to *file_fd. naming, when not NULL, is
 * called with each name before the directory is renamed to it. */
struct td_dumpdir_naming {
	void (*fn)(void *ctx, const char *name);
	void *ctx;
};
int td_dumpdir_make_with(const char *parent, const char *name, const char *file, int *file_fd,
			 const struct td_dumpdir_naming *naming, char *out, size_t cap, struct td_err *e);

/* Create file in the dump directory (O_EXCL, mode 0600) for writing;
 * returns its descriptor. */
int td_dumpdir_create(int dirfd, const char *file, struct td_err *e);

/* Create file, write all of buf, fsync it. On failure the file is removed,
 * so a half-written file never sits beside a dump. */
int td_dumpdir_store(int dirfd, const char *file, const void *buf, size_t len, struct td_err *e);

/* Name the dump complete: rename vmcore.incomplete to vmcore, then fsync
 * the directory. Every file must be written and fsynced before. */
int td_dumpdir_complete(int dirfd, struct td_err *e);

#endif
