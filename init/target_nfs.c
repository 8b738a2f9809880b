/* nfs:SERVER:/PATH: an NFS export, mounted with bounded soft options. */
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <unistd.h>

#include "os/file.h"
#include "os/log.h"
#include "os/parse.h"
#include "net/nfs.h"
#include "net/tcp.h"
#include "cmdline.h"
#include "config.h"
#include "mounts.h"
#include "rundir.h"
#include "target.h"

/* nfs:SERVER:/PATH, SERVER an IPv4 literal or [IPv6]. */
static int parse(struct td_target *t, const char *s, struct td_err *e)
{
	const char *end = s[0] == '[' ? strchr(s, ']') : strchr(s, ':');
	uint32_t v4;
	size_t n;

	if (s[0] == '[' && end)
		end++;
	if (!end || *end != ':')
		return td_fail(e, "'%.60s' is not SERVER:/PATH", s);
	n = (size_t)(end - s);
	if (s[0] == '[' ? !td_ipv6_ok(s + 1, n - 2) : td_ipv4_parse(s, n, &v4) < 0)
		return td_fail(e, "server '%.*s' is not an IPv4 address or [IPv6 address]",
			       (int)(n > 60 ? 60 : n), s);
	if (td_arg_copy(t->where, sizeof t->where, s, n, e) < 0)
		return td_wrap(e, "server");
	if (td_path_check(end + 1, sizeof t->path, e) < 0)
		return td_wrap(e, "NFS export");
	strcpy(t->path, end + 1);
	return 0;
}

static int deliver(struct td_try *c, const struct td_target *t, struct td_err *e)
{
	char mnt[32];
	int rc;

	if (td_try_network(c, e) < 0)
		return -1;
	snprintf(mnt, sizeof mnt, "/mnt/t%u", c->index);
	if (td_mkdirs(mnt, e) < 0 ||
	    td_nfs_mount(t->where, t->path, c->cfg->nfsvers, c->cfg->nfsopts, c->cfg->timeout, mnt, e) < 0)
		return -1;
	rc = td_rundir_write(c, mnt, e);
	sync();
	if (umount2(mnt, MNT_FORCE) < 0)
		td_log("warning: could not unmount %s after the dump", mnt);
	return rc;
}

static enum td_readiness ready(const struct td_target *t, const struct td_config *cfg, char *msg,
			       size_t cap)
{
	return (enum td_readiness)td_tcp_ready(t->where, cfg->nfsvers == 3 ? 111 : 2049, msg, cap);
}

/* The export, when this host has it mounted. */
static int dumps_here(const struct td_target *t, char *dir, size_t cap, struct td_err *e)
{
	char source[sizeof t->where + sizeof t->path + 1], mnt[400];

	snprintf(source, sizeof source, "%s:%s", t->where, t->path);
	if (td_mounted(NULL, source, mnt, sizeof mnt, e) < 0)
		return td_wrap(e, "its dumps cannot be listed here (mount it and run tinydump list "
			       "MOUNTPOINT)");
	snprintf(dir, cap, "%s", mnt);
	return 0;
}

const struct td_target_kind td_target_nfs = {
	"nfs", "nfs:SERVER:/PATH", 0, 0, parse, deliver, ready, dumps_here,
};
