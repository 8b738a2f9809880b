#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <unistd.h>

#include "deliver.h"
#include "log.h"
#include "sys.h"
#include "targets.h"

/* Provided by init/devices.c and net/; weak until they land. */
int td_dev_find(const char *spec, unsigned timeout_s, char *path, size_t cap, struct td_err *e);
#pragma weak td_dev_find

struct loop {
	struct td_run *run;
	const struct td_config *cfg;
	struct td_attempt att[TD_MAX_TARGETS];
	unsigned natt;
};

const char *td_action_name(enum td_action a)
{
	static const char *const names[] = { "rebooting", "powering off", "halting", "starting a shell" };

	return (unsigned)a < 4 ? names[a] : "halting";
}

static int deliver(struct loop *l, const struct td_target *t, const char *dir, struct td_err *e)
{
	struct td_delivery dv = {
		.target = t->spec, .format = l->cfg->format ? TD_FMT_ELF : TD_FMT_KDUMP,
		.compress = l->cfg->compress, .attempts = l->att, .nattempts = l->natt,
	};

	if (td_sys_mkdirs(dir, e) < 0 || td_deliver_dir(l->run, dir, &dv, e) < 0)
		return -1;
	td_log("dump complete: %s (%llu bytes, %.1f s)", dv.path,
	       (unsigned long long)l->run->dump.bytes_written, l->run->seconds);
	return 0;
}

static int disk(struct loop *l, const struct td_target *t, unsigned idx, struct td_err *e)
{
	char dev[256], mnt[32], dir[300];
	int rc;

	if (!td_dev_find)
		return td_fail(e, "device lookup is not built into this binary");
	if (td_dev_find(t->dev, l->cfg->timeout, dev, sizeof dev, e) < 0)
		return -1;
	snprintf(mnt, sizeof mnt, "/mnt/t%u", idx);
	if (td_sys_mkdirs(mnt, e) < 0 || td_sys_mount_fs(dev, mnt, e) < 0)
		return -1;
	snprintf(dir, sizeof dir, "%s%s", mnt, strcmp(t->dir, "/") ? t->dir : "");
	rc = deliver(l, t, dir, e);
	sync();
	if (umount(mnt) < 0)
		td_log("warning: could not unmount %s after the dump", mnt);
	return rc;
}

static int one(struct loop *l, const struct td_target *t, unsigned idx, struct td_err *e)
{
	switch (t->kind) {
	case TD_TGT_DISK:
		return disk(l, t, idx, e);
	default:
		return td_fail(e, "network targets are not built into this binary yet");
	}
}

int td_targets_run(struct td_run *run, const struct td_config *cfg)
{
	static struct loop l;
	struct td_err e;

	memset(&l, 0, sizeof l);
	l.run = run;
	l.cfg = cfg;
	for (unsigned i = 0; i < cfg->ntarget; i++) {
		const struct td_target *t = &cfg->target[i];
		td_log("target %u of %u: %s", i + 1, cfg->ntarget, t->spec);
		if (one(&l, t, i, &e) == 0)
			return 0;
		td_log("target %s failed: %s", t->spec, e.msg);
		struct td_attempt *a = &l.att[l.natt++];
		snprintf(a->target, sizeof a->target, "%s", t->spec);
		snprintf(a->result, sizeof a->result, "%s", run->dump.incomplete ? "incomplete" : "failed");
		snprintf(a->error, sizeof a->error, "%s", e.msg);
	}
	return -1;
}
