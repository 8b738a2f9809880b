/* Is a built file older than what it was built from? The capture
 * initramfs against its kernel's modules, the configuration, the
 * certificates and tinydump itself (`tinydump initramfs --if-stale`,
 * `tinydump status`). Pure: the caller stats the files. */
#ifndef TD_STALE_H
#define TD_STALE_H

#include <stddef.h>

/* When a file last changed. For an input that is the later of its mtime
 * and its ctime: dpkg gives an installed file the package's mtime, which
 * may be older than an initramfs built yesterday, but the ctime of the
 * rename that put it in place is new. For the output it is its mtime. */
struct td_stamp {
	const char *path;
	long long sec;
	long nsec;
	int missing;	/* the file does not exist */
};

/* 1 when out is missing or older than any present input, with why naming
 * the first such input ("/etc/tinydump/tinydump.conf changed after it");
 * 0 when it is newer than all of them (missing inputs are skipped: an
 * optional certificate). */
int td_stale(const struct td_stamp *out, const struct td_stamp *in, size_t n, char *why, size_t cap);

#endif
