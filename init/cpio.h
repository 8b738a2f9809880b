/* A newc cpio writer (the format of the kernel's initramfs), pure: bytes
 * go out through a callback. Deterministic by construction: mtime 0,
 * inode numbers in entry order from 1, no host metadata. Used by
 * `tinydump initramfs` and by the host tool initramfs/mkcpio. */
#ifndef TD_CPIO_H
#define TD_CPIO_H

#include <stddef.h>
#include <stdint.h>

#include "os/err.h"

struct td_cpio {
	/* Write n bytes; 0, or -1 with a message in e. */
	int (*put)(void *ctx, const void *p, size_t n, struct td_err *e);
	void *ctx;
	uint64_t off;		/* bytes written so far, for padding */
	unsigned next_ino;	/* 0 before the first entry */
};

struct td_cpio_entry {
	const char *name;	/* leading and trailing '/' are dropped */
	unsigned mode;		/* S_IF* type bits | permission bits */
	unsigned uid, gid;
	unsigned rmaj, rmin;	/* device numbers of device nodes */
	uint64_t size;		/* bytes of data that follow (regular files,
				 * symlink targets); below 4 GiB */
};

/* The header and name of one entry. The caller then writes exactly size
 * bytes with td_cpio_data and ends the entry with td_cpio_pad. */
int td_cpio_header(struct td_cpio *c, const struct td_cpio_entry *en, struct td_err *e);
int td_cpio_data(struct td_cpio *c, const void *p, size_t n, struct td_err *e);
int td_cpio_pad(struct td_cpio *c, struct td_err *e);

/* A whole entry whose data is in memory (size = n; dirs and nodes: n 0). */
int td_cpio_entry(struct td_cpio *c, const struct td_cpio_entry *en, const void *data,
		  size_t n, struct td_err *e);

/* The TRAILER!!! entry that ends the archive. */
int td_cpio_trailer(struct td_cpio *c, struct td_err *e);

#endif
