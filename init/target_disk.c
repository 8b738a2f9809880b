/* disk:DEVICE[:DIR]: a local filesystem found by name, label or UUID. */
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <unistd.h>

#include "os/file.h"
#include "os/log.h"
#include "os/parse.h"
#include "cmdline.h"
#include "config.h"
#include "devices.h"
#include "mounts.h"
#include "rundir.h"
#include "sys.h"
#include "target.h"

static int dev_name_ok(const char *s)
{
	const char *p;

	for (p = s; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		      (*p >= '0' && *p <= '9') || strchr("._+-/", *p)))
			return 0;
	return *s && p[-1] != '/';
}

static int dev_check(const char *d, struct td_err *e)
{
	struct td_err pe;

	if (!strncmp(d, "/dev/", 5)) {
		if (!dev_name_ok(d + 5) || td_path_check(d, 128, &pe) < 0)
			return td_fail(e, "device '%.60s' is not a /dev/NAME", d);
	} else if (!strncmp(d, "LABEL=", 6)) {
		if (!d[6] || strlen(d + 6) > 16)
			return td_fail(e, "label '%.60s' is not 1 to 16 bytes", d + 6);
		for (const char *p = d + 6; *p; p++)
			if (td_ctl(*p))
				return td_fail(e, "label '%.60s' has a control character", d + 6);
	} else if (!strncmp(d, "UUID=", 5)) {
		if (!td_uuid_ok(d + 5))
			return td_fail(e, "UUID '%.60s' is not 8-4-4-4-12 hex digits", d + 5);
	} else if (!strncmp(d, "PARTUUID=", 9)) {
		if (!td_uuid_ok(d + 9) && !td_mbr_partuuid_ok(d + 9))
			return td_fail(e, "PARTUUID '%.60s' is neither 8-4-4-4-12 nor SSSSSSSS-PP hex digits",
				       d + 9);
	} else {
		return td_fail(e, "device '%.60s' is not /dev/NAME, LABEL=x, UUID=x or PARTUUID=x", d);
	}
	return 0;
}

/* disk:DEVICE[:DIR]. DEVICE ends at the first ':' (labels with ':' are not
 * supported: a relative DIR typed by mistake must not become a label). */
static int parse(struct td_target *t, const char *s, struct td_err *e)
{
	const char *colon = strchr(s, ':');
	const char *dir = colon ? colon + 1 : "/";

	if (td_arg_copy(t->where, sizeof t->where, s, colon ? (size_t)(colon - s) : strlen(s), e) < 0)
		return td_wrap(e, "device");
	if (dev_check(t->where, e) < 0)
		return -1;
	if (td_path_check(dir, sizeof t->path, e) < 0)
		return td_wrap(e, "directory");
	strcpy(t->path, dir);
	return 0;
}

static int deliver(struct td_try *c, const struct td_target *t, struct td_err *e)
{
	char dev[256], mnt[32], dir[300];
	int rc;

	if (td_dev_find(t->where, c->cfg->timeout, dev, sizeof dev, e) < 0)
		return -1;
	snprintf(mnt, sizeof mnt, "/mnt/t%u", c->index);
	if (td_mkdirs(mnt, e) < 0 || td_sys_mount_fs(dev, mnt, e) < 0)
		return -1;
	snprintf(dir, sizeof dir, "%s%s", mnt, strcmp(t->path, "/") ? t->path : "");
	rc = td_rundir_write(c, dir, e);
	sync();
	if (umount(mnt) < 0)
		td_log("warning: could not unmount %s after the dump", mnt);
	return rc;
}

static enum td_readiness ready(const struct td_target *t, const struct td_config *cfg, char *msg,
			       size_t cap)
{
	const char *label = !strncmp(t->where, "LABEL=", 6) ? t->where + 6 : NULL;
	char path[64];
	struct td_fsid id;
	struct td_err e;

	(void)cfg;
	if (td_dev_find(t->where, 0, path, sizeof path, &e) < 0) {
		if (label)
			snprintf(msg, cap, "%s; fix: mkfs.ext4 -L %s DEVICE (or e2label DEVICE %s), "
				 "or correct the target", e.msg, label, label);
		else
			snprintf(msg, cap, "%s; fix: attach that device, or correct the target", e.msg);
		return TD_READY_PROBLEM;
	}
	if (td_dev_probe(path, &id, &e) < 0) {
		snprintf(msg, cap, "%s; fix: mkfs.ext4 on it, or another target", e.msg);
		return TD_READY_PROBLEM;
	}
	if (label && id.uuid[0]) {
		/* Labels are not identities: any disk plugged in with that label
		 * (a USB stick) could receive the machine's memory. */
		snprintf(msg, cap, "%s (%s, LABEL=%s) is found by its label, so any disk labelled %s "
			 "that appears first would receive this machine's memory; to change: "
			 "target=disk:UUID=%s", path, id.type, id.label_shown, label, id.uuid);
		return TD_READY_ADVICE;
	}
	snprintf(msg, cap, "%s (%s, LABEL=%s)", path, id.type, id.label_shown);
	return TD_READY_OK;
}

/* The filesystem mounted on this host, if it is. */
static int dumps_here(const struct td_target *t, char *dir, size_t cap, struct td_err *e)
{
	char dev[64], mnt[400];

	if (td_dev_find(t->where, 0, dev, sizeof dev, e) < 0)
		return -1;
	if (td_mounted(dev, NULL, mnt, sizeof mnt, e) < 0)
		return td_wrap(e, "its dumps cannot be listed here (mount it and run tinydump list "
			       "MOUNTPOINT%s)", strcmp(t->path, "/") ? t->path : "");
	if (!strcmp(t->path, "/"))
		snprintf(dir, cap, "%s", mnt);
	else
		snprintf(dir, cap, "%s%s", strcmp(mnt, "/") ? mnt : "", t->path);
	return 0;
}

const struct td_target_kind td_target_disk = {
	"disk", "disk:DEVICE[:DIR]", 0, 0, parse, deliver, ready, dumps_here,
};
