#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "os/file.h"
#include "filesink.h"

static int fail(struct td_filesink *fs, uint64_t off, struct td_err *e)
{
	if (!fs->err)
		fs->err = errno ? errno : EIO;
	if (fs->err == ENOSPC)
		return td_fail(e, "%s is full (writing at offset %llu): free space or use a larger target",
			       fs->name, (unsigned long long)off);
	return td_fail(e, "writing %s at offset %llu: %s", fs->name, (unsigned long long)off,
		       strerror(fs->err));
}

static int sink_write(void *ctx, uint64_t off, const void *buf, size_t len, struct td_err *e)
{
	struct td_filesink *fs = ctx;

	if (fs->stream && off != fs->pos)
		return td_fail(e, "%s is a stream: write at %llu, expected %llu", fs->name,
			       (unsigned long long)off, (unsigned long long)fs->pos);
	if (td_write_all(fs->fd, buf, len, fs->stream ? -1 : (int64_t)off) < 0)
		return fail(fs, off, e);
	off += len;
	fs->pos = off;
	return 0;
}

static int sink_sync(void *ctx, struct td_err *e)
{
	struct td_filesink *fs = ctx;

	if (fs->stream)
		return 0;
	if (fsync(fs->fd) < 0)
		return fail(fs, fs->pos, e);
	return 0;
}

void td_filesink_init(struct td_filesink *fs, struct td_sink *s, int fd, int stream,
		      const char *name)
{
	memset(fs, 0, sizeof *fs);
	fs->fd = fd;
	fs->stream = stream;
	fs->name = name;
	s->ctx = fs;
	s->write = sink_write;
	s->sync = sink_sync;
}
