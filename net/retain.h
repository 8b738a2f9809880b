/* Retention on the receiver (`--keep-days N`, `--max-bytes SIZE`): which
 * dump directories to delete, decided over plain records so the rule is
 * tested on the host without a file system. Pure. net/rxretain.c walks the
 * directory, fills the records and deletes what the rule marks.
 *
 * The rule:
 *  - nothing is deleted unless the operator asked (keep_days or max_bytes);
 *  - a directory an upload is writing (busy) is never deleted;
 *  - keep_days: a dump that arrived more than keep_days * 86400 s ago is
 *    deleted, complete or not. A vmcore.incomplete that old is a stale
 *    leftover of a failed upload; a live upload is busy, and is young
 *    anyway because its time is its last write (rxretain.c);
 *  - max_bytes: while the complete dumps together take more than max_bytes,
 *    the oldest complete dump is deleted. The newest complete dump is never
 *    deleted for size (the latest crash is the one an operator needs; the
 *    total may exceed max_bytes by that one dump). Incomplete dumps neither
 *    count towards max_bytes nor are deleted for it, so uploads that fail,
 *    or a client that sends incomplete dumps on purpose, cannot push
 *    complete dumps out; keep_days and --min-free bound them.
 * Oldest first means by time, then by name, so the choice is the same on
 * every run. */
#ifndef TD_RETAIN_H
#define TD_RETAIN_H

#include <stddef.h>
#include <stdint.h>

enum td_retain_why { TD_RETAIN_KEEP, TD_RETAIN_AGE, TD_RETAIN_SIZE };

struct td_retain_item {
	const char *name;        /* the directory's name (ties between equal times) */
	int64_t time;            /* when it arrived, seconds since 1970 UTC */
	uint64_t bytes;          /* what its files take on disk */
	int complete;            /* holds vmcore (else vmcore.incomplete) */
	int busy;                /* an upload is writing it */
	enum td_retain_why why;  /* out: keep, or why it goes */
	uint64_t total;          /* out, for TD_RETAIN_SIZE: the complete dumps'
				  * bytes before this one went */
};

struct td_retain_policy {
	unsigned keep_days;      /* 0: no age limit */
	uint64_t max_bytes;      /* 0: no size limit */
};

#define TD_RETAIN_DAY 86400

/* Sort v oldest first and set every item's why; returns how many go. */
size_t td_retain_pick(struct td_retain_item *v, size_t n, const struct td_retain_policy *p,
		      int64_t now);

/* Is name a directory the receiver makes (net/rxsession.c, os/dumpdir.h)?
 * IDENT-YYYY-MM-DD-HH:MM:SS[.N]: IDENT is 1..TD_IDENT_MAX characters of
 * [A-Za-z0-9.-] or %XX (upper-case hex), not starting with '.' (a CN's
 * directory-name form, or an IPv4 address); the stamp a valid UTC time; N
 * 1..TD_DUMPDIR_SUFFIX_MAX without a leading zero. 1 or 0. */
int td_retain_name_ok(const char *name);

/* "YYYY-MM-DD-HH:MM:SS" (UTC; receiver.json's received_utc and the
 * directory names) as seconds since 1970. Years 1970..9999; fields in
 * range, exactly two digits each. 0 or -1. */
int td_retain_stamp(const char *s, size_t n, int64_t *t);

#endif
