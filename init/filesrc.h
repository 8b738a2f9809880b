/* A td_source over a file: /proc/vmcore in the capture kernel, or a saved
 * copy on the host. It maps 4 MiB windows with mmap (a read() of
 * /proc/vmcore costs an ioremap per page) and falls back to read() into a
 * buffer, for good, when mmap fails or when asked to. */
#ifndef TD_FILESRC_H
#define TD_FILESRC_H

#include <stdint.h>

#include "capture/io.h"

#define TD_FILESRC_WINDOW (4u << 20)   /* mmap window: file-backed */
/* read() fallback buffer (anonymous memory): the largest get plus a page,
 * so any request fits from the page it starts in. */
#define TD_FILESRC_READBUF (TD_SOURCE_MAX_GET + 4096u)

struct td_filesrc {
	int fd;
	uint64_t size;
	int use_read;            /* 1: read() fallback in use */
	int mmap_errno;          /* why mmap failed, if it did (for the log) */
	const uint8_t *map;      /* current mmap window or read buffer */
	uint64_t map_off;
	uint64_t map_len;
	uint8_t *buf;            /* read-fallback buffer, TD_FILESRC_READBUF */
	char path[256];
};

/* Open path. force_read=1 uses read() from the start. */
int td_filesrc_open(struct td_filesrc *fs, const char *path, int force_read, struct td_err *e);
void td_filesrc_source(struct td_filesrc *fs, struct td_source *s);
void td_filesrc_close(struct td_filesrc *fs);

#endif
