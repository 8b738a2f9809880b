/* One retention pass over the receiver's directory (rxretain.h). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "os/dumpdir.h"
#include "os/json.h"
#include "os/log.h"
#include "rxretain.h"

struct pass {
	const struct td_rxretain *r;
	int base;
	dev_t dev;
	struct td_retain_item *v;
	size_t n, cap;
};

/* A directory stream over a copy of dirfd (the caller keeps dirfd). */
static DIR *list_dir(int dirfd)
{
	int fd = fcntl(dirfd, F_DUPFD_CLOEXEC, 0);
	DIR *d = fd < 0 ? NULL : fdopendir(fd);

	if (!d && fd >= 0)
		close(fd);
	return d;
}

static int dot_or_dotdot(const char *s)
{
	return s[0] == '.' && (!s[1] || (s[1] == '.' && !s[2]));
}

/* base/name as a directory of our filesystem, never through a symlink. */
static int open_dir(int base, dev_t dev, const char *name)
{
	struct stat a, b;
	int fd;

	if (fstatat(base, name, &a, AT_SYMLINK_NOFOLLOW) < 0 || !S_ISDIR(a.st_mode) || a.st_dev != dev)
		return -1;
	fd = openat(base, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd >= 0 && (fstat(fd, &b) < 0 || b.st_dev != a.st_dev || b.st_ino != a.st_ino)) {
		close(fd); /* replaced between the two calls */
		fd = -1;
	}
	return fd;
}

/* ---- reading ---- */

/* The files of a dump directory: their bytes on disk, and which vmcore it
 * holds. -1 when it holds anything but regular files, or no vmcore. */
static int contents(int dfd, struct td_retain_item *it, int64_t *partial_mtime)
{
	DIR *d = list_dir(dfd);
	struct dirent *de;
	int partial = 0, odd = 0;

	if (!d)
		return -1;
	while (!odd && (de = readdir(d))) {
		struct stat st;

		if (dot_or_dotdot(de->d_name))
			continue;
		if (fstatat(dfd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0 || !S_ISREG(st.st_mode)) {
			odd = 1;
			break;
		}
		it->bytes += (uint64_t)st.st_blocks * 512;
		if (!strcmp(de->d_name, TD_VMCORE_DONE)) {
			it->complete = 1;
		} else if (!strcmp(de->d_name, TD_VMCORE_PARTIAL)) {
			partial = 1;
			*partial_mtime = st.st_mtime;
		}
	}
	closedir(d);
	return odd || (!it->complete && !partial) ? -1 : 0;
}

/* receiver.json's received_utc, which the receiver wrote by its own clock. */
static int received(int dfd, int64_t *t)
{
	char buf[4096], when[32];
	struct td_json_field f = { "received_utc", TD_JSON_NONE, when, sizeof when };
	struct td_err e;
	int fd = openat(dfd, "receiver.json", O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = read(fd, buf, sizeof buf);
	close(fd);
	if (n <= 0 || td_json_fields(buf, (size_t)n, 1, &f, 1, &e) < 0 || f.type != TD_JSON_STRING)
		return -1;
	return td_retain_stamp(when, strlen(when), t);
}

static int64_t later(int64_t a, int64_t b)
{
	return a > b ? a : b;
}

/* Fill it for base/name; -1 when that is not a dump we may manage. */
static int read_dump(struct pass *p, const char *name, struct td_retain_item *it)
{
	struct stat st;
	int64_t partial_mtime = 0;
	int dfd = open_dir(p->base, p->dev, name);

	if (dfd < 0)
		return -1;
	memset(it, 0, sizeof *it);
	if (fstat(dfd, &st) < 0 || contents(dfd, it, &partial_mtime) < 0) {
		close(dfd);
		return -1;
	}
	if (received(dfd, &it->time) < 0)
		it->time = st.st_mtime;
	if (!it->complete)
		it->time = later(it->time, later(st.st_mtime, partial_mtime));
	close(dfd);
	/* Asked after the vmcore file was seen: an upload names its directory
	 * before it creates one (rxspace.h). */
	it->busy = td_rxspace_busy(p->r->space, name);
	return 0;
}

static int add(struct pass *p, const char *name)
{
	struct td_retain_item it;
	char *copy;

	if (read_dump(p, name, &it) < 0)
		return 0;
	if (p->n == p->cap) {
		size_t cap = p->cap ? 2 * p->cap : 256;
		struct td_retain_item *v = realloc(p->v, cap * sizeof *v);

		if (!v)
			return -1;
		p->v = v;
		p->cap = cap;
	}
	if (!(copy = strdup(name)))
		return -1;
	it.name = copy;
	p->v[p->n++] = it;
	return 0;
}

/* ---- deleting ---- */

/* Unlink the regular files of base/name, then remove it; the bytes they
 * took go to *freed. Anything else inside stops it, with a message. */
static int empty_out(struct pass *p, const char *name, uint64_t *freed, struct td_err *e)
{
	int dfd = open_dir(p->base, p->dev, name), left = 1;

	*freed = 0;
	if (dfd < 0)
		return td_fail(e, "cannot open it as a directory of %s: %s", p->r->dir,
			       strerror(errno));
	/* Unlinking while reading may hide entries: read again until empty. */
	for (int round = 0; left && round < 3; round++) {
		DIR *d = list_dir(dfd);
		struct dirent *de;

		left = 0;
		while (d && (de = readdir(d))) {
			struct stat st;

			if (dot_or_dotdot(de->d_name))
				continue;
			if (fstatat(dfd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0 || !S_ISREG(st.st_mode)) {
				closedir(d);
				close(dfd);
				return td_fail(e, "it holds %s, which is not a regular file; left for "
					       "the operator", de->d_name);
			}
			if (unlinkat(dfd, de->d_name, 0) < 0) {
				td_fail(e, "unlinking %s: %s", de->d_name, strerror(errno));
				closedir(d);
				close(dfd);
				return -1;
			}
			*freed += (uint64_t)st.st_blocks * 512;
			left = 1;
		}
		if (d)
			closedir(d);
	}
	close(dfd);
	if (unlinkat(p->base, name, AT_REMOVEDIR) < 0)
		return td_fail(e, "removing the directory: %s", strerror(errno));
	return 0;
}

/* Hide base/name as .deleting-NAME, then empty it out and remove it. */
static int delete_dump(struct pass *p, const char *name, uint64_t *freed, struct td_err *e)
{
	char hidden[NAME_MAX + 1];

	*freed = 0;
	if ((size_t)snprintf(hidden, sizeof hidden, TD_RXRETAIN_TRASH "%s", name) >= sizeof hidden)
		return td_fail(e, "its name is too long to hide it first");
	if (renameat(p->base, name, p->base, hidden) < 0)
		return td_fail(e, "renaming it to %s: %s", hidden, strerror(errno));
	return empty_out(p, hidden, freed, e);
}

static void counted(struct pass *p, uint64_t freed)
{
	if (p->r->counts) {
		td_count(&p->r->counts->deleted, 1);
		td_count(&p->r->counts->deleted_bytes, freed);
	}
}

static void log_deleted(struct pass *p, const struct td_retain_item *it, uint64_t freed)
{
	char when[32];
	time_t t = (time_t)it->time;
	struct tm tm;

	strftime(when, sizeof when, "%Y-%m-%d-%H:%M:%S", gmtime_r(&t, &tm));
	if (it->why == TD_RETAIN_AGE)
		td_log("receive: retention: deleted %s/%s (%s, %llu bytes on disk, from %s UTC): "
		       "older than --keep-days %u", p->r->dir, it->name,
		       it->complete ? "complete dump" : "stale partial upload, vmcore.incomplete",
		       (unsigned long long)freed, when, p->r->policy.keep_days);
	else
		td_log("receive: retention: deleted %s/%s (complete dump, %llu bytes on disk, from "
		       "%s UTC): complete dumps took %llu bytes, over --max-bytes %llu; oldest "
		       "first, the newest is kept", p->r->dir, it->name, (unsigned long long)freed,
		       when, (unsigned long long)it->total,
		       (unsigned long long)p->r->policy.max_bytes);
}

/* With --keep-days, a temporary directory (os/dumpdir.h) older than that:
 * an upload's receiver died before naming it. It never holds data, only
 * an empty vmcore.incomplete at most. */
static void stale_new(struct pass *p, const char *name)
{
	unsigned days = p->r->policy.keep_days;
	uint64_t freed;
	struct td_err e;
	struct stat st;

	if (!days || fstatat(p->base, name, &st, AT_SYMLINK_NOFOLLOW) < 0 || !S_ISDIR(st.st_mode) ||
	    (int64_t)time(NULL) - (int64_t)st.st_mtime <= (int64_t)days * TD_RETAIN_DAY)
		return;
	if (empty_out(p, name, &freed, &e) < 0) {
		td_log("receive: retention: cannot remove %s/%s: %s", p->r->dir, name, e.msg);
		return;
	}
	td_log("receive: retention: removed %s/%s, the temporary directory of an upload whose "
	       "receiver died before naming it: older than --keep-days %u", p->r->dir, name, days);
}

/* .deleting-NAME directories that an interrupted pass left, and stale
 * temporary ones. */
static void finish_leftovers(struct pass *p, DIR *d)
{
	struct dirent *de;

	while ((de = readdir(d))) {
		size_t k = sizeof TD_RXRETAIN_TRASH - 1;
		uint64_t freed;
		struct td_err e;

		if (!strncmp(de->d_name, TD_DUMPDIR_NEW, sizeof TD_DUMPDIR_NEW - 1))
			stale_new(p, de->d_name);
		if (strncmp(de->d_name, TD_RXRETAIN_TRASH, k) || !td_retain_name_ok(de->d_name + k))
			continue;
		if (empty_out(p, de->d_name, &freed, &e) < 0) {
			td_log("receive: retention: cannot finish deleting %s/%s: %s", p->r->dir,
			       de->d_name, e.msg);
			continue;
		}
		counted(p, freed);
		td_log("receive: retention: finished deleting %s/%s (%llu bytes on disk), which an "
		       "interrupted pass left", p->r->dir, de->d_name + k, (unsigned long long)freed);
	}
	rewinddir(d);
}

static void delete_picked(struct pass *p, size_t *gone, uint64_t *bytes)
{
	*gone = 0;
	*bytes = 0;
	for (size_t i = 0; i < p->n; i++) {
		struct td_retain_item *it = &p->v[i];
		uint64_t freed;
		struct td_err e;

		if (it->why == TD_RETAIN_KEEP)
			continue;
		if (delete_dump(p, it->name, &freed, &e) < 0) {
			td_log("receive: retention: cannot delete %s/%s: %s", p->r->dir, it->name,
			       e.msg);
			continue;
		}
		counted(p, freed);
		log_deleted(p, it, freed);
		++*gone;
		*bytes += freed;
	}
}

int td_rxretain_run(const struct td_rxretain *r, struct td_err *e)
{
	struct pass p = { .r = r, .base = -1 };
	struct stat st;
	struct dirent *de;
	size_t gone;
	uint64_t bytes;
	DIR *d;
	int rc = 0;

	p.base = open(r->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (p.base < 0 || fstat(p.base, &st) < 0 || !(d = list_dir(p.base))) {
		td_fail(e, "retention: reading %s: %s", r->dir, strerror(errno));
		if (p.base >= 0)
			close(p.base);
		return -1;
	}
	p.dev = st.st_dev;
	finish_leftovers(&p, d);
	while (rc == 0 && (de = readdir(d)))
		if (td_retain_name_ok(de->d_name) && (rc = add(&p, de->d_name)) < 0)
			td_fail(e, "retention: out of memory for %zu dumps", p.n);
	closedir(d);
	if (rc == 0) {
		td_retain_pick(p.v, p.n, &r->policy, (int64_t)time(NULL));
		delete_picked(&p, &gone, &bytes);
		if (gone || r->first)
			td_log("receive: retention: %zu dumps in %s, %zu deleted (%llu bytes on disk)",
			       p.n, r->dir, gone, (unsigned long long)bytes);
	}
	for (size_t i = 0; i < p.n; i++)
		free((char *)p.v[i].name);
	free(p.v);
	close(p.base);
	return rc;
}
