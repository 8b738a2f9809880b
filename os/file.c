/* Small-file helpers every side shares. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "file.h"

int td_mkdirs(const char *dir, struct td_err *e)
{
	char p[256];
	size_t n = strlen(dir);

	if (n == 0 || n >= sizeof p)
		return td_fail(e, "directory name '%.60s' is empty or too long", dir);
	memcpy(p, dir, n + 1);
	for (size_t i = 1; i <= n; i++) {
		if (p[i] != '/' && p[i] != 0)
			continue;
		p[i] = 0;
		if (mkdir(p, 0755) < 0 && errno != EEXIST)
			return td_fail(e, "creating directory %s: %s", p, strerror(errno));
		p[i] = dir[i];
	}
	return 0;
}

int td_read_file(const char *path, char *buf, size_t cap, size_t *len, struct td_err *e)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	size_t used = 0;
	ssize_t n = 0;

	if (fd < 0) {
		int err = errno;
		td_fail(e, "%s: %s", path, strerror(err));
		errno = err;
		return -1;
	}
	while (used < cap && ((n = read(fd, buf + used, cap - used)) > 0 || (n < 0 && errno == EINTR)))
		used += n > 0 ? (size_t)n : 0;
	int err = errno;
	close(fd);
	if (n < 0)
		return td_fail(e, "reading %s: %s", path, strerror(err));
	if (used >= cap) {
		buf[cap - 1] = '\0';
		*len = cap - 1;
		td_fail(e, "%s: larger than %zu bytes", path, cap - 1);
		errno = EFBIG;
		return -1;
	}
	buf[used] = '\0';
	*len = used;
	return 0;
}

int td_write_all(int fd, const void *buf, size_t len, int64_t off)
{
	const char *p = buf;

	while (len > 0) {
		ssize_t n = off < 0 ? write(fd, p, len) : pwrite(fd, p, len, (off_t)off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			if (n == 0)
				errno = ENOSPC;
			return -1;
		}
		p += n;
		len -= (size_t)n;
		if (off >= 0)
			off += n;
	}
	return 0;
}

int td_fsync_dir(const char *path, struct td_err *e)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_DIRECTORY);

	if (fd < 0 || fsync(fd) < 0) {
		int err = errno;
		if (fd >= 0)
			close(fd);
		return td_fail(e, "syncing %s: %s", path, strerror(err));
	}
	close(fd);
	return 0;
}

char *td_read_file_alloc(const char *path, size_t max, size_t *len, struct td_err *e)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	struct stat st;
	char *buf;
	size_t got = 0;

	if (fd < 0)
		return td_fail(e, "%s: %s", path, strerror(errno)), NULL;
	if (fstat(fd, &st) < 0 || (uint64_t)st.st_size >= max) {
		close(fd);
		return td_fail(e, "%s: not a file, or larger than %zu bytes", path, max - 1), NULL;
	}
	if (!(buf = malloc((size_t)st.st_size + 1))) {
		close(fd);
		return td_fail(e, "%s: out of memory", path), NULL;
	}
	while (got < (size_t)st.st_size) {
		ssize_t n = read(fd, buf + got, (size_t)st.st_size - got);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		got += (size_t)n;
	}
	close(fd);
	if (got != (size_t)st.st_size) {
		free(buf);
		return td_fail(e, "reading %s: short read", path), NULL;
	}
	buf[got] = '\0';
	*len = got;
	return buf;
}
