#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "os/log.h"
#include "deliver.h"
#include "filesink.h"

enum { JSON_MAX = 16384 };

void td_dump_name(const struct td_run *r, char *out, size_t cap, long long *when, int *from_clock)
{
	char node[65], stamp[20];
	size_t i;

	*from_clock = r->ki.crash_time <= 0;
	*when = *from_clock ? (long long)time(NULL) : (long long)r->ki.crash_time;
	for (i = 0; r->ki.uts[1][i] && i < sizeof node - 1; i++) {
		char c = r->ki.uts[1][i];
		int ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
			 c == '-' || c == '_' || (c == '.' && i > 0);
		node[i] = ok ? c : '_';
	}
	node[i] = '\0';
	td_utc_stamp(*when, stamp);
	snprintf(out, cap, "%s-%s", i ? node : "unknown", stamp);
}

static int fsync_path(const char *path, struct td_err *e)
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

static int make_dir(const char *parent, const char *name, char *out, size_t cap, struct td_err *e)
{
	for (int n = 0; n < 1000; n++) {
		int len = n ? snprintf(out, cap, "%s/%s.%d", parent, name, n)
			    : snprintf(out, cap, "%s/%s", parent, name);
		if (len < 0 || (size_t)len >= cap)
			return td_fail(e, "path %s/%s is too long", parent, name);
		if (mkdir(out, 0755) == 0)
			return 0;
		if (errno != EEXIST)
			return td_fail(e, "cannot create %s: %s", out, strerror(errno));
	}
	return td_fail(e, "%s/%s.1 to .999 all exist; clean up old dumps", parent, name);
}

/* Write a whole small file with O_EXCL and fsync it. */
static int write_file(const char *dir, const char *name, const char *data, size_t len,
		      struct td_err *e)
{
	char path[600];
	struct td_filesink fs;
	struct td_sink s;
	int fd, r;

	snprintf(path, sizeof path, "%s/%s", dir, name);
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	if (fd < 0)
		return td_fail(e, "cannot create %s: %s", path, strerror(errno));
	td_filesink_init(&fs, &s, fd, 0, path);
	r = len ? s.write(s.ctx, 0, data, len, e) : 0;
	if (r == 0)
		r = s.sync(s.ctx, e);
	close(fd);
	return r;
}

/* Replace the reserved tinydump.json in place: overwrite from offset 0,
 * then cut it to length. Neither needs a free block, so the outcome is
 * recorded even when the dump has filled the disk. */
static int rewrite_json(const char *dir, const char *json, size_t len, struct td_err *e)
{
	char path[600];
	struct td_filesink fs;
	struct td_sink s;
	int fd, r;

	snprintf(path, sizeof path, "%s/tinydump.json", dir);
	if ((fd = open(path, O_WRONLY | O_CLOEXEC)) < 0)
		return td_fail(e, "cannot open %s: %s", path, strerror(errno));
	td_filesink_init(&fs, &s, fd, 0, path);
	r = s.write(s.ctx, 0, json, len, e);
	if (r == 0 && ftruncate(fd, (off_t)len) < 0)
		r = td_fail(e, "cutting %s to %zu bytes: %s", path, len, strerror(errno));
	if (r == 0)
		r = s.sync(s.ctx, e);
	close(fd);
	return r;
}

/* cause: why this very target failed (NULL when complete); it is listed
 * after the earlier attempts, so the partial dump says why it is partial.
 * reserve: create the file at its largest size (the JSON padded with
 * blanks), before the dump, so that the final record always fits. */
static int write_json(struct td_run *r, struct td_delivery *dv, long long when, int from_clock,
		      const char *cause, int reserve, struct td_err *e)
{
	struct td_attempt att[TD_MAX_ATTEMPTS + 1];
	unsigned n_att = dv->nattempts < TD_MAX_ATTEMPTS ? dv->nattempts : TD_MAX_ATTEMPTS;
	struct td_outcome o = {
		.run = r, .target = dv->target, .when = when, .crash_time_from_clock = from_clock,
		.format = dv->format == TD_FMT_ELF ? "elf" : "kdump",
		.attempts = att, .nattempts = n_att, .complete = cause == NULL,
	};
	char *buf = malloc(JSON_MAX);
	int n, rc;

	if (!buf)
		return td_fail(e, "no memory for tinydump.json");
	memcpy(att, dv->attempts, n_att * sizeof att[0]);
	if (cause) {
		snprintf(att[n_att].target, sizeof att[0].target, "%s", dv->target);
		snprintf(att[n_att].result, sizeof att[0].result, "%s", r->dump.incomplete ? "incomplete" : "failed");
		snprintf(att[n_att].error, sizeof att[0].error, "%s", cause);
		o.nattempts++;
	}
	n = td_outcome_json(&o, buf, JSON_MAX);
	size_t len = n < 0 ? strlen(buf) : (size_t)n;
	if (reserve) {
		memset(buf + len, ' ', JSON_MAX - len);
		buf[JSON_MAX - 1] = '\n';
		rc = write_file(dv->path, "tinydump.json", buf, JSON_MAX, e);
	} else {
		rc = rewrite_json(dv->path, buf, len, e);
	}
	free(buf);
	return rc;
}

static int write_vmcore(struct td_run *r, struct td_delivery *dv, struct td_err *e)
{
	char inc[600], fin[600];
	struct td_filesink fs;
	struct td_sink s;
	int fd, rc;

	snprintf(inc, sizeof inc, "%s/vmcore.incomplete", dv->path);
	snprintf(fin, sizeof fin, "%s/vmcore", dv->path);
	fd = open(inc, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0)
		return td_fail(e, "cannot create %s: %s", inc, strerror(errno));
	td_filesink_init(&fs, &s, fd, 0, inc);
	rc = td_run_dump(r, &s, dv->format, dv->compress, e);
	if (rc < 0)
		fsync(fd); /* keep what landed: a partial dump still helps */
	close(fd);
	if (rc < 0)
		return -1;
	if (rename(inc, fin) < 0)
		return td_fail(e, "renaming %s to vmcore: %s", inc, strerror(errno));
	return fsync_path(dv->path, e);
}

int td_deliver_dir(struct td_run *r, const char *dir, struct td_delivery *dv, struct td_err *e)
{
	char name[128];
	long long when;
	int from_clock;
	struct td_err je;

	td_dump_name(r, name, sizeof name, &when, &from_clock);
	if (make_dir(dir, name, dv->path, sizeof dv->path, e) < 0)
		return -1;
	td_log("writing %s", dv->path);
	if (write_file(dv->path, "dmesg.txt", r->dmesg, r->dmesg_len, e) < 0)
		return td_wrap(e, "writing the kernel log");
	if (write_json(r, dv, when, from_clock, "the dump did not finish (the machine stopped during it)", 1, e) < 0)
		return td_wrap(e, "reserving tinydump.json");
	if (fsync_path(dv->path, e) < 0)
		return -1;
	if (write_vmcore(r, dv, e) < 0) {
		if (write_json(r, dv, when, from_clock, e->msg, 0, &je) < 0)
			td_log("also failed to record the outcome: %s", je.msg);
		return -1;
	}
	if (write_json(r, dv, when, from_clock, NULL, 0, e) < 0 || fsync_path(dv->path, e) < 0)
		return td_wrap(e, "the dump is complete but its outcome record failed");
	return 0;
}
