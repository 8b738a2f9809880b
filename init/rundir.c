#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "os/dumpdir.h"
#include "os/file.h"
#include "os/log.h"
#include "filesink.h"
#include "rundir.h"

enum { JSON_MAX = 16384 };

/* What one write into a dump directory holds while it runs. */
struct rd {
	struct td_try *c;
	int dirfd;
	long long when;
	int from_clock;
	char *json; /* JSON_MAX bytes */
};

void td_dump_name(const struct td_run *r, char *out, size_t cap, long long *when, int *from_clock)
{
	char node[65], stamp[20];
	size_t i;

	*from_clock = r->ki.crash_time <= 0;
	*when = *from_clock ? (long long)time(NULL) : (long long)r->ki.crash_time;
	for (i = 0; r->ki.uts[1][i] && i < sizeof node - 1; i++) {
		char ch = r->ki.uts[1][i];
		int ok = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
			 ch == '-' || ch == '_' || (ch == '.' && i > 0);
		node[i] = ok ? ch : '_';
	}
	node[i] = '\0';
	td_utc_stamp(*when, stamp);
	snprintf(out, cap, "%s-%s", i ? node : "unknown", stamp);
}

/* The outcome document into d->json; cause is why this very target failed
 * (NULL when complete). It is listed after the earlier attempts, so a
 * partial dump says why it is partial. */
static size_t outcome(struct rd *d, const char *cause)
{
	const struct td_try *c = d->c;
	static struct td_attempt att[TD_MAX_TARGETS * (TD_RETRIES_MAX + 1) + 1];
	unsigned n_att = c->nfailed;
	struct td_outcome o = {
		.run = c->run, .target = c->target->spec, .when = d->when,
		.crash_time_from_clock = d->from_clock, .format = c->cfg->format ? "elf" : "kdump",
		.attempts = att, .nattempts = n_att, .complete = cause == NULL,
	};

	memcpy(att, c->failed, n_att * sizeof att[0]);
	if (cause) {
		struct td_attempt *a = &att[o.nattempts++];
		snprintf(a->target, sizeof a->target, "%s", c->target->spec);
		snprintf(a->result, sizeof a->result, "%s", c->run->dump.incomplete ? "incomplete" : "failed");
		snprintf(a->error, sizeof a->error, "%s", cause);
	}
	int n = td_outcome_json(&o, d->json, JSON_MAX);
	return n < 0 ? strlen(d->json) : (size_t)n;
}

/* Reserve tinydump.json at its largest size (padded with blanks) before the
 * dump, so that the final record needs no free block on a full disk. */
static int reserve_json(struct rd *d, struct td_err *e)
{
	size_t len = outcome(d, "the dump did not finish (the machine stopped during it)");

	memset(d->json + len, ' ', JSON_MAX - len);
	d->json[JSON_MAX - 1] = '\n';
	return td_dumpdir_store(d->dirfd, "tinydump.json", d->json, JSON_MAX, e);
}

/* Overwrite the reserved record in place, cut it to length, fsync. */
static int record(struct rd *d, const char *cause, struct td_err *e)
{
	size_t len = outcome(d, cause);
	int fd = openat(d->dirfd, "tinydump.json", O_WRONLY | O_CLOEXEC), rc = 0;

	if (fd < 0)
		return td_fail(e, "opening tinydump.json: %s", strerror(errno));
	if (td_write_all(fd, d->json, len, 0) < 0 || ftruncate(fd, (off_t)len) < 0 || fsync(fd) < 0)
		rc = td_fail(e, "rewriting tinydump.json: %s", strerror(errno));
	close(fd);
	return rc;
}

static int write_vmcore(struct rd *d, struct td_err *e)
{
	struct td_try *c = d->c;
	struct td_filesink fs;
	struct td_sink s;
	char name[600];
	int fd = td_dumpdir_create(d->dirfd, TD_VMCORE_PARTIAL, e), rc;

	if (fd < 0)
		return -1;
	snprintf(name, sizeof name, "%s/" TD_VMCORE_PARTIAL, c->landed);
	td_filesink_init(&fs, &s, fd, 0, name);
	rc = td_run_dump(c->run, &s, c->cfg->format ? TD_FMT_ELF : TD_FMT_KDUMP, c->cfg->codec, e);
	if (rc < 0)
		fsync(fd); /* keep what landed: a partial dump still helps */
	close(fd);
	return rc;
}

static int write_all_files(struct rd *d, struct td_err *e)
{
	struct td_run *r = d->c->run;
	struct td_err je;

	if (td_dumpdir_store(d->dirfd, "dmesg.txt", r->dmesg, r->dmesg_len, e) < 0)
		return td_wrap(e, "writing the kernel log");
	if (reserve_json(d, e) < 0)
		return td_wrap(e, "reserving tinydump.json");
	if (fsync(d->dirfd) < 0)
		return td_fail(e, "syncing %s: %s", d->c->landed, strerror(errno));
	if (write_vmcore(d, e) < 0) {
		if (record(d, e->msg, &je) < 0)
			td_log("also failed to record the outcome: %s", je.msg);
		return -1;
	}
	if (record(d, NULL, e) < 0)
		return td_wrap(e, "the dump is written but its outcome record failed, so it stays "
			       TD_VMCORE_PARTIAL);
	return td_dumpdir_complete(d->dirfd, e);
}

int td_rundir_write(struct td_try *c, const char *parent, struct td_err *e)
{
	struct rd d = { .c = c };
	char name[128], made[160];
	int rc;

	td_dump_name(c->run, name, sizeof name, &d.when, &d.from_clock);
	if (td_mkdirs(parent, e) < 0)
		return -1;
	if ((d.dirfd = td_dumpdir_make(parent, name, made, sizeof made, e)) < 0)
		return -1;
	snprintf(c->landed, sizeof c->landed, "%s/%s", parent, made);
	td_log("writing %s", c->landed);
	if (!(d.json = malloc(JSON_MAX))) {
		close(d.dirfd);
		return td_fail(e, "no memory for tinydump.json");
	}
	rc = write_all_files(&d, e);
	free(d.json);
	close(d.dirfd);
	return rc;
}
