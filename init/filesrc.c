/* File-backed td_source: mmap windows, with a permanent read() fallback. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "filesrc.h"

static void unmap(struct td_filesrc *fs)
{
	if (fs->map && !fs->use_read)
		munmap((void *)fs->map, fs->map_len);
	fs->map = NULL;
	fs->map_len = 0;
}

static int fill_read(struct td_filesrc *fs, uint64_t start, uint64_t len, struct td_err *e)
{
	uint64_t got = 0;

	while (got < len) {
		ssize_t n = pread(fs->fd, fs->buf + got, len - got, (off_t)(start + got));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return td_fail(e, "reading %s at offset 0x%llx: %s", fs->path,
				       (unsigned long long)(start + got), n ? strerror(errno) : "unexpected end of file");
		got += (uint64_t)n;
	}
	fs->map = fs->buf;
	fs->map_off = start;
	fs->map_len = len;
	return 0;
}

/* Map a TD_FILESRC_WINDOW-aligned window holding [off, off + len) (or one
 * starting at off's page if the request straddles the aligned one), or
 * read TD_FILESRC_READBUF bytes from off's page into the buffer. */
static int move_window(struct td_filesrc *fs, uint64_t off, size_t len, struct td_err *e)
{
	uint64_t start = off & ~(uint64_t)(TD_FILESRC_WINDOW - 1), wlen = TD_FILESRC_WINDOW;

	unmap(fs);
	if (!fs->use_read) {
		if (off + len > start + wlen)
			start = off & ~4095ull;
		if (wlen > fs->size - start)
			wlen = fs->size - start;
		void *p = mmap(NULL, wlen, PROT_READ, MAP_PRIVATE, fs->fd, (off_t)start);
		if (p != MAP_FAILED) {
			fs->map = p;
			fs->map_off = start;
			fs->map_len = wlen;
			return 0;
		}
		fs->mmap_errno = errno;
		fs->use_read = 1;
	}
	if (!fs->buf && !(fs->buf = malloc(TD_FILESRC_READBUF)))
		return td_fail(e, "no memory for a %u-byte read buffer", TD_FILESRC_READBUF);
	start = off & ~4095ull;
	wlen = TD_FILESRC_READBUF < fs->size - start ? TD_FILESRC_READBUF : fs->size - start;
	return fill_read(fs, start, wlen, e);
}

static const uint8_t *get(void *ctx, uint64_t off, size_t len, struct td_err *e)
{
	struct td_filesrc *fs = ctx;

	if (len > TD_SOURCE_MAX_GET || off > fs->size || len > fs->size - off) {
		td_fail(e, "read of %zu bytes at 0x%llx is outside %s (%llu bytes)", len,
			(unsigned long long)off, fs->path, (unsigned long long)fs->size);
		return NULL;
	}
	if (!fs->map || off < fs->map_off || off + len > fs->map_off + fs->map_len)
		if (move_window(fs, off, len, e) < 0)
			return NULL;
	return fs->map + (off - fs->map_off);
}

int td_filesrc_open(struct td_filesrc *fs, const char *path, int force_read, struct td_err *e)
{
	struct stat st;

	memset(fs, 0, sizeof *fs);
	snprintf(fs->path, sizeof fs->path, "%s", path);
	fs->use_read = force_read;
	fs->fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fs->fd < 0)
		return td_fail(e, "cannot open %s: %s", path, strerror(errno));
	if (fstat(fs->fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		close(fs->fd);
		return td_fail(e, "%s is not a regular file", path);
	}
	fs->size = (uint64_t)st.st_size;
	return 0;
}

void td_filesrc_source(struct td_filesrc *fs, struct td_source *s)
{
	s->ctx = fs;
	s->size = fs->size;
	s->get = get;
}

void td_filesrc_close(struct td_filesrc *fs)
{
	unmap(fs);
	free(fs->buf);
	fs->buf = NULL;
	if (fs->fd >= 0)
		close(fs->fd);
	fs->fd = -1;
}
