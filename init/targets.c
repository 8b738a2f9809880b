#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <unistd.h>

#include "os/file.h"
#include "os/log.h"
#include "net/netup.h"
#include "net/nfs.h"
#include "net/upload.h"
#include "deliver.h"
#include "devices.h"
#include "sys.h"
#include "targets.h"

static const struct td_target_env pid1_env = { 1, TD_TLS_CA_PATH, TD_TLS_CERT_PATH, TD_TLS_KEY_PATH };

struct loop {
	struct td_run *run;
	const struct td_target_env *env;
	const struct td_config *cfg;
	struct td_attempt att[TD_MAX_TARGETS];
	unsigned natt;
	int net_up;        /* 1 once the network is configured */
	const char *cur;   /* spec of the target being tried */
	char iface[16];
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

	if (td_mkdirs(dir, e) < 0 || td_deliver_dir(l->run, dir, &dv, e) < 0)
		return -1;
	td_log("dump complete: %s (%llu bytes, %.1f s)", dv.path,
	       (unsigned long long)l->run->dump.bytes_written, l->run->seconds);
	return 0;
}

static int disk(struct loop *l, const struct td_target *t, unsigned idx, struct td_err *e)
{
	char dev[256], mnt[32], dir[300];
	int rc;

	if (td_dev_find(t->dev, l->cfg->timeout, dev, sizeof dev, e) < 0)
		return -1;
	snprintf(mnt, sizeof mnt, "/mnt/t%u", idx);
	if (td_mkdirs(mnt, e) < 0 || td_sys_mount_fs(dev, mnt, e) < 0)
		return -1;
	snprintf(dir, sizeof dir, "%s%s", mnt, strcmp(t->dir, "/") ? t->dir : "");
	rc = deliver(l, t, dir, e);
	sync();
	if (umount(mnt) < 0)
		td_log("warning: could not unmount %s after the dump", mnt);
	return rc;
}

static int network(struct loop *l, struct td_err *e)
{
	if (l->net_up || !l->env->bring_up_network)
		return 0;
	if (td_net_up(&l->cfg->ip, l->cfg->timeout, l->iface, e) < 0)
		return td_wrap(e, "network");
	l->net_up = 1;
	return 0;
}

static int nfs(struct loop *l, const struct td_target *t, unsigned idx, struct td_err *e)
{
	char mnt[32];
	int rc;

	if (network(l, e) < 0)
		return -1;
	snprintf(mnt, sizeof mnt, "/mnt/t%u", idx);
	if (td_mkdirs(mnt, e) < 0 ||
	    td_nfs_mount(t->server, t->path, l->cfg->nfsvers, l->cfg->nfsopts, l->cfg->timeout, mnt, e) < 0)
		return -1;
	rc = deliver(l, t, mnt, e);
	sync();
	if (umount2(mnt, MNT_FORCE) < 0)
		td_log("warning: could not unmount %s after the dump", mnt);
	return rc;
}

/* TLS payload callbacks: the run streams its kdump file and its JSON. */
static int pay_dump(void *ctx, struct td_sink *out, struct td_err *e)
{
	struct loop *l = ctx;

	return td_run_dump(l->run, out, TD_FMT_KDUMP, l->cfg->compress, e);
}

static int pay_json(void *ctx, char *buf, size_t cap, struct td_err *e)
{
	struct loop *l = ctx;
	long long when;
	int from_clock;
	char name[128];

	td_dump_name(l->run, name, sizeof name, &when, &from_clock);
	struct td_outcome o = {
		.run = l->run, .target = l->cur, .format = "kdump", .when = when,
		.crash_time_from_clock = from_clock, .attempts = l->att, .nattempts = l->natt,
		.complete = !l->run->dump.incomplete,
	};
	if (td_outcome_json(&o, buf, cap) < 0)
		return td_fail(e, "outcome JSON longer than %zu bytes", cap);
	return 0;
}

static int tls(struct loop *l, const struct td_target *t, struct td_err *e)
{
	const struct td_run *r = l->run;
	struct td_payload p = {
		.node = r->ki.uts[1], .release = r->ki.uts[2], .format = "kdump",
		.crash_time = r->ki.crash_time > 0 ? r->ki.crash_time : 0,
		.dmesg = r->dmesg, .dmesg_len = r->dmesg_len,
		.dump = pay_dump, .json = pay_json, .ctx = l,
	};

	if (network(l, e) < 0)
		return -1;
	if (l->cfg->format)
		td_log("tinydump.format=elf does not apply to TLS targets; sending kdump");
	if (td_tls_deliver(&p, t->host, t->port, l->cfg->tls_name, l->env->ca, l->env->cert,
			   l->env->key, l->cfg->timeout, e) < 0)
		return -1;
	td_log("dump complete: delivered to %s (%llu bytes, %.1f s)", t->spec,
	       (unsigned long long)r->dump.bytes_written, r->seconds);
	return 0;
}

static int one(struct loop *l, const struct td_target *t, unsigned idx, struct td_err *e)
{
	l->cur = t->spec;
	l->run->dump.incomplete = 0;
	switch (t->kind) {
	case TD_TGT_DISK:
		return disk(l, t, idx, e);
	case TD_TGT_NFS:
		return nfs(l, t, idx, e);
	case TD_TGT_TLS:
		return tls(l, t, e);
	}
	return td_fail(e, "unknown target kind");
}

int td_targets_run(struct td_run *run, const struct td_config *cfg, const struct td_target_env *env)
{
	static struct loop l;
	struct td_err e;

	memset(&l, 0, sizeof l);
	l.env = env ? env : &pid1_env;
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
