/* A td_sink over a file descriptor: pwrite at the given offsets (random
 * order), or, for a stream (pipe, socket, stdout), only consecutive
 * offsets. sync is fsync. */
#ifndef TD_FILESINK_H
#define TD_FILESINK_H

#include "capture/io.h"

struct td_filesink {
	int fd;
	int stream;          /* 1: writes must be consecutive (no pwrite) */
	uint64_t pos;        /* stream position */
	const char *name;    /* for messages */
	int err;             /* errno of the first failure (ENOSPC: disk full) */
};

void td_filesink_init(struct td_filesink *fs, struct td_sink *s, int fd, int stream,
		      const char *name);

#endif
