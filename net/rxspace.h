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

struct td_rxspace {
	uint64_t *slot; /* n reservations, in bytes; 0 = none */
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

/* Drop slot i's reservation (the upload ended, or its process was reaped). */
void td_rxspace_release(struct td_rxspace *s, unsigned i);

#endif
