/* dir:PATH: a directory on this host, for `tinydump capture --target` (a
 * saved vmcore filed like the capture run would). Not offered to the
 * capture kernel, whose own filesystem is the initramfs in RAM. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "os/parse.h"
#include "rundir.h"
#include "target.h"

static int parse(struct td_target *t, const char *rest, struct td_err *e)
{
	if (td_path_check(rest, sizeof t->path, e) < 0)
		return td_wrap(e, "directory");
	strcpy(t->path, rest);
	return 0;
}

static int deliver(struct td_try *c, const struct td_target *t, struct td_err *e)
{
	return td_rundir_write(c, t->path, e);
}

static enum td_readiness ready(const struct td_target *t, const struct td_config *cfg, char *msg,
			       size_t cap)
{
	(void)cfg;
	if (access(t->path, W_OK | X_OK) < 0) {
		snprintf(msg, cap, "%s: %s; fix: create it, or correct the target", t->path, strerror(errno));
		return TD_READY_PROBLEM;
	}
	snprintf(msg, cap, "%s is writable", t->path);
	return TD_READY_OK;
}

static int dumps_here(const struct td_target *t, char *dir, size_t cap, struct td_err *e)
{
	(void)e;
	snprintf(dir, cap, "%s", t->path);
	return 0;
}

const struct td_target_kind td_target_dir = {
	"dir", "dir:PATH", 1, 0, parse, deliver, ready, dumps_here,
};
