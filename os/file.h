/* Small-file helpers every side shares: directories, whole small files,
 * writes that finish. They make system calls; errors come back as a
 * td_err message naming the path, or as -1 with errno for td_write_all. */
#ifndef TD_FILE_H
#define TD_FILE_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"

/* Make dir and its parents (mode 0755 for the ones created; existing
 * directories are fine, whatever their mode). */
int td_mkdirs(const char *dir, struct td_err *e);

/* Read the whole file at path into buf and NUL-terminate it. A file of
 * cap bytes or more fails ("larger than ... bytes") with its first cap - 1
 * bytes in buf, NUL-terminated, and *len = cap - 1: the caller chooses
 * whether a cut text is still of use. A missing file fails with ENOENT. */
int td_read_file(const char *path, char *buf, size_t cap, size_t *len, struct td_err *e);

/* Read the whole file at path into malloc'd memory, NUL-terminated; the
 * caller frees it. A file of max bytes or more is refused. For the host
 * commands (module trees, configs), never on the capture path. */
char *td_read_file_alloc(const char *path, size_t max, size_t *len, struct td_err *e);

/* Write all len bytes: with write() when off < 0, else with pwrite() from
 * off. Retries after EINTR and short writes. 0, or -1 with errno set (a
 * write that returns 0 sets ENOSPC). */
int td_write_all(int fd, const void *buf, size_t len, int64_t off);

/* fsync the directory at path, so the names in it are durable. */
int td_fsync_dir(const char *path, struct td_err *e);

#endif
