/* Reading dump directories (dumplist.h). Fast at 100,000 dumps: two small
 * reads and two stats per directory. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "os/dumpdir.h"
#include "os/json.h"
#include "dumplist.h"

enum { HEAD_BYTES = 4096 };

/* Up to HEAD_BYTES of dir/file into buf; bytes read, or -1. */
static ssize_t head(int dirfd, const char *file, char *buf)
{
	int fd = openat(dirfd, file, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = read(fd, buf, HEAD_BYTES);
	close(fd);
	return n;
}

/* "1700000000" (receiver.json) or a stamp (tinydump.json) as the stamp. */
static void stamp(char *out, size_t cap, const char *v)
{
	char *end;
	long long t = strtoll(v, &end, 10);

	if (*v && !*end) {
		struct tm tm;
		time_t tt = (time_t)t;
		strftime(out, cap, "%Y-%m-%d-%H:%M:%S", gmtime_r(&tt, &tm));
	} else {
		snprintf(out, cap, "%s", *v ? v : "-");
	}
}

/* Text from a client may hold anything: keep it printable. */
static void safe(char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x21 || (unsigned char)*s > 0x7e)
			*s = '?';
}

static void read_record(int dirfd, struct td_listed *d)
{
	char buf[HEAD_BYTES], when[32] = "", sig[sizeof d->sig] = "";
	struct td_json_field f[] = {
		{ "node", 0, d->node, sizeof d->node },
		{ "kernel_release", 0, d->release, sizeof d->release },
		{ "crash_time", 0, when, sizeof when },
		{ "signature", 0, sig, sizeof sig },
	};
	struct td_err e;
	ssize_t n = head(dirfd, "receiver.json", buf);
	int from_rx = n > 0;

	if (!from_rx)
		n = head(dirfd, "tinydump.json", buf);
	if (n <= 0 || td_json_fields(buf, (size_t)n, 1, f, 4, &e) < 0)
		f[0].type = f[1].type = f[2].type = TD_JSON_NONE, sig[0] = '\0';
	if (!d->node[0])
		snprintf(d->node, sizeof d->node, "-");
	if (!d->release[0])
		snprintf(d->release, sizeof d->release, "-");
	stamp(d->when, sizeof d->when, when);
	snprintf(d->sig, sizeof d->sig, "%s", sig[0] ? sig : "-");
	safe(d->node);
	safe(d->release);
	safe(d->sig);
}

static int one(int base, const char *name, struct td_listed *d)
{
	struct stat st;
	int dirfd = openat(base, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (dirfd < 0)
		return -1;
	memset(d, 0, sizeof *d);
	snprintf(d->name, sizeof d->name, "%s", name);
	if (fstatat(dirfd, TD_VMCORE_DONE, &st, 0) == 0) {
		d->complete = 1;
	} else if (fstatat(dirfd, TD_VMCORE_PARTIAL, &st, 0) < 0) {
		close(dirfd);
		return -1; /* not a dump directory */
	}
	d->size = (unsigned long long)st.st_size;
	read_record(dirfd, d);
	close(dirfd);
	return 0;
}

static int by_time(const void *a, const void *b)
{
	const struct td_listed *x = a, *y = b;
	int c = strcmp(x->when, y->when);

	return c ? c : strcmp(x->name, y->name);
}

struct td_listed *td_dumps_scan(const char *dir, size_t *n, struct td_err *e)
{
	DIR *dp = opendir(dir);
	struct td_listed *v = NULL;
	size_t cap = 0;
	struct dirent *de;

	*n = 0;
	if (!dp) {
		td_fail(e, "cannot open %s: %s", dir, strerror(errno));
		return NULL;
	}
	while ((de = readdir(dp))) {
		if (de->d_name[0] == '.' || strlen(de->d_name) >= sizeof v->name)
			continue;
		if (*n == cap) {
			struct td_listed *nv = realloc(v, (cap = cap ? 2 * cap : 256) * sizeof *v);
			if (!nv)
				break;
			v = nv;
		}
		*n += one(dirfd(dp), de->d_name, &v[*n]) == 0;
	}
	closedir(dp);
	if (v)
		qsort(v, *n, sizeof *v, by_time);
	else if (!(v = calloc(1, sizeof *v)))
		td_fail(e, "out of memory");
	return v;
}
