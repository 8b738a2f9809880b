#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "dumpdir.h"
#include "file.h"

/* td_fail formats with the C library, which may touch errno. */
static int fail_keep_errno(struct td_err *e, const char *what, const char *name)
{
	int err = errno;

	td_fail(e, "%s %s: %s", what, name, strerror(err));
	errno = err;
	return -1;
}

int td_dumpdir_make(const char *parent, const char *name, char *out, size_t cap, struct td_err *e)
{
	int base = open(parent, O_RDONLY | O_DIRECTORY | O_CLOEXEC), fd = -1;

	if (base < 0)
		return fail_keep_errno(e, "opening", parent);
	for (unsigned n = 0; n <= TD_DUMPDIR_SUFFIX_MAX; n++) {
		int len = n ? snprintf(out, cap, "%s.%u", name, n) : snprintf(out, cap, "%s", name);

		if (len < 0 || (size_t)len >= cap) {
			close(base);
			return td_fail(e, "directory name %s is too long", name);
		}
		if (mkdirat(base, out, TD_DUMPDIR_MODE) == 0) {
			fd = openat(base, out, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
			if (fd < 0 || fsync(base) < 0) {
				fail_keep_errno(e, fd < 0 ? "opening" : "syncing the new directory in", fd < 0 ? out : parent);
				if (fd >= 0)
					close(fd);
				fd = -1;
			}
			close(base);
			return fd;
		}
		if (errno != EEXIST) {
			fail_keep_errno(e, "creating a directory in", parent);
			close(base);
			return -1;
		}
	}
	close(base);
	errno = EEXIST;
	return td_fail(e, "%s/%s.1 to .%u all exist; clean up old dumps", parent, name, TD_DUMPDIR_SUFFIX_MAX);
}

#ifndef RENAME_NOREPLACE
#define RENAME_NOREPLACE 1
#endif

/* Rename old to new in base without replacing new: RENAME_NOREPLACE where
 * the filesystem has it, plain rename where it answers EINVAL (NFS). */
static int rename_noreplace(int base, const char *old, const char *new)
{
	if (syscall(SYS_renameat2, base, old, base, new, RENAME_NOREPLACE) == 0)
		return 0;
	if (errno != EINVAL && errno != ENOSYS)
		return -1;
	return renameat(base, old, base, new);
}

/* A new, empty, hidden directory in base, its name in tmp. */
static int make_tmp(int base, char *tmp, size_t cap)
{
	static unsigned seq;
	struct timespec ts;

	for (unsigned i = 0; i < 1000; i++) {
		clock_gettime(CLOCK_REALTIME, &ts);
		snprintf(tmp, cap, TD_DUMPDIR_NEW "%ld-%u-%ld", (long)getpid(), seq++, ts.tv_nsec);
		if (mkdirat(base, tmp, TD_DUMPDIR_MODE) == 0)
			return 0;
		if (errno != EEXIST)
			return -1;
	}
	return -1;
}

/* Rename the prepared directory tmp to the first free NAME[.N]. */
static int place(int base, const char *tmp, const struct td_dumpdir_naming *naming, const char *parent,
		 const char *name, char *out, size_t cap, struct td_err *e)
{
	for (unsigned n = 0; n <= TD_DUMPDIR_SUFFIX_MAX; n++) {
		int len = n ? snprintf(out, cap, "%s.%u", name, n) : snprintf(out, cap, "%s", name);

		if (len < 0 || (size_t)len >= cap)
			return td_fail(e, "directory name %s is too long", name);
		if (naming)
			naming->fn(naming->ctx, out);
		if (rename_noreplace(base, tmp, out) == 0)
			return 0;
		if (errno != EEXIST && errno != ENOTEMPTY && errno != ENOTDIR && errno != EISDIR)
			return fail_keep_errno(e, "naming a new directory in", parent);
	}
	errno = EEXIST;
	return td_fail(e, "%s/%s.1 to .%u all exist; clean up old dumps", parent, name, TD_DUMPDIR_SUFFIX_MAX);
}

int td_dumpdir_make_with(const char *parent, const char *name, const char *file, int *file_fd,
			 const struct td_dumpdir_naming *naming, char *out, size_t cap, struct td_err *e)
{
	int base = open(parent, O_RDONLY | O_DIRECTORY | O_CLOEXEC), fd = -1, err;
	char tmp[64];

	*file_fd = -1;
	if (base < 0)
		return fail_keep_errno(e, "opening", parent);
	if (make_tmp(base, tmp, sizeof tmp) < 0) {
		fail_keep_errno(e, "creating a directory in", parent);
		close(base);
		return -1;
	}
	fd = openat(base, tmp, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		fail_keep_errno(e, "opening the new directory in", parent);
	else if ((*file_fd = td_dumpdir_create(fd, file, e)) >= 0 &&
		 place(base, tmp, naming, parent, name, out, cap, e) == 0) {
		if (fsync(base) == 0) {
			close(base);
			return fd;
		}
		fail_keep_errno(e, "syncing the new directory in", parent); /* named and marked: it stays */
	} else if (*file_fd >= 0) {
		unlinkat(fd, file, 0);
	}
	err = errno;
	if (*file_fd >= 0)
		close(*file_fd);
	*file_fd = -1;
	if (fd >= 0)
		close(fd);
	unlinkat(base, tmp, AT_REMOVEDIR); /* fails, harmlessly, once renamed */
	close(base);
	errno = err;
	return -1;
}

int td_dumpdir_create(int dirfd, const char *file, struct td_err *e)
{
	int fd = openat(dirfd, file, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, TD_DUMPFILE_MODE);

	if (fd < 0)
		return fail_keep_errno(e, "creating", file);
	return fd;
}

int td_dumpdir_store(int dirfd, const char *file, const void *buf, size_t len, struct td_err *e)
{
	int fd = td_dumpdir_create(dirfd, file, e);

	if (fd < 0)
		return -1;
	if (td_write_all(fd, buf, len, 0) < 0 || fsync(fd) < 0) {
		int err = errno;
		close(fd);
		unlinkat(dirfd, file, 0);
		errno = err;
		return fail_keep_errno(e, "writing", file);
	}
	close(fd);
	return 0;
}

int td_dumpdir_complete(int dirfd, struct td_err *e)
{
	if (renameat(dirfd, TD_VMCORE_PARTIAL, dirfd, TD_VMCORE_DONE) < 0)
		return fail_keep_errno(e, "renaming", TD_VMCORE_PARTIAL " to " TD_VMCORE_DONE);
	if (fsync(dirfd) < 0)
		return fail_keep_errno(e, "syncing", "the dump directory");
	return 0;
}
