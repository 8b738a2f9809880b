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

/* Make the directory PARENT/NAME (or the first free NAME.N), fsync PARENT,
 * and return a descriptor of it; its name (without PARENT) goes to out. */
int td_dumpdir_make(const char *parent, const char *name, char *out, size_t cap, struct td_err *e);

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
