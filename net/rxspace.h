/* The receiver's free space, shared by every upload at once. Each upload
 * process holds a reservation, the bytes it is about to write, in its own
 * slot of a table that all processes of one receiver share (an anonymous
 * shared mapping made before the first fork). A check subtracts the other
 * uploads' reservations from what statvfs says is free, so that N uploads
 * starting together cannot each count the same free bytes. */
#ifndef TD_RXSPACE_H
#define TD_RXSPACE_H

#include <stddef.h>
#include <stdint.h>

#define TD_RXSPACE_DIR_MAX 256 /* a directory name and its NUL (NAME_MAX + 1) */

struct td_rxspace_dir {
	uint32_t named;               /* name is set (store-release after it) */
	char name[TD_RXSPACE_DIR_MAX];
};

struct td_rxspace {
	uint64_t *slot; /* n reservations, in bytes; 0 = none */
	struct td_rxspace_dir *dir; /* n directory names */
	unsigned n;
};

/* Map the shared table for n uploads. 0 or -1 (errno). */
int td_rxspace_init(struct td_rxspace *s, unsigned n);

/* In slot i, reserve bytes after checking that the filesystem of dirfd
 * keeps min_free bytes and min_inodes inodes (plus `files` for this
 * upload) free beyond every other upload's reservation. The reservation
 * is made first and taken back on refusal, so two uploads checking at the
 * same time can refuse each other but never both overcommit; a refusal is
 * tried again once, 50 ms later. 0, or -1 with why (a sentence for the
 * client and the log), or -2 when statvfs itself failed (errno). */
int td_rxspace_reserve(struct td_rxspace *s, unsigned i, int dirfd, uint64_t min_free,
		       uint64_t min_inodes, uint64_t bytes, unsigned files, char *why, size_t cap);

/* Slot i's upload writes the directory name (under --dir). Its process
 * calls this with each name before its directory, which already holds
 * vmcore.incomplete, is renamed to it (os/dumpdir.h), so whoever sees a
 * vmcore file in a directory and then asks td_rxspace_busy gets the right
 * answer. A name tried but taken by another upload only keeps that one
 * busy a moment longer. */
void td_rxspace_set_dir(struct td_rxspace *s, unsigned i, const char *name);

/* Is name the directory of an upload that has not been reaped? */
int td_rxspace_busy(const struct td_rxspace *s, const char *name);

/* Drop slot i's reservation and directory name (the upload ended, or its
 * process was reaped). */
void td_rxspace_release(struct td_rxspace *s, unsigned i);

#endif
