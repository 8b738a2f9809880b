/* Block-device discovery. /sys/class/block lists every disk and partition
 * by kernel name; a partition has a "partition" file (its number) and its
 * sysfs link ends ".../block/DISK/PART", which names its disk. The bytes
 * (superblocks, MBR, GPT) are read from /dev/NAME and parsed by the pure
 * init/blkid.c. Devices come and go while drivers probe, so every scan
 * starts afresh and a device that cannot be read is just reported. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "os/clock.h"
#include "os/log.h"
#include "devices.h"

/* "" in the capture kernel; a made-up tree's directory in host tests
 * (td_dev_root). Paths the caller sees stay "/dev/NAME". */
static char root[256];

void td_dev_root(const char *dir)
{
	snprintf(root, sizeof root, "%s", dir && strcmp(dir, "/") ? dir : "");
}

enum by { BY_DEV, BY_LABEL, BY_UUID, BY_PARTUUID };

#define NAME_MAX_LEN 31    /* the kernel's DISK_NAME_LEN is 32 with the NUL */

struct blk {
	char name[NAME_MAX_LEN + 1];
	unsigned partno;       /* 0: a whole disk */
	char disk[NAME_MAX_LEN + 1]; /* partitions: the disk's name */
	int has_fs;
	const char *table;     /* whole disks: "MBR" or "GPT" when partitioned */
	struct td_fsid id;
	char partuuid[37];     /* "" when unknown */
};

#define MAX_MATCH 4

struct scan {
	enum by by;
	const char *val;
	char match[MAX_MATCH][48]; /* "/dev/NAME" */
	struct td_fsid id[MAX_MATCH];
	int nmatch;              /* may exceed MAX_MATCH */
	char seen[400];
	size_t used;
};

static int read_at(const char *path, void *buf, size_t len, uint64_t off, struct td_err *e)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return td_fail(e, "opening %s: %s", path, strerror(errno));
	n = pread(fd, buf, len, (off_t)off);
	close(fd);
	if (n != (ssize_t)len)
		return td_fail(e, "reading %zu bytes at %llu of %s: %s", len,
			       (unsigned long long)off, path, n < 0 ? strerror(errno) : "short read");
	return 0;
}

int td_dev_probe(const char *dev, struct td_fsid *id, struct td_err *e)
{
	uint8_t sb[TD_EXT_SB_SIZE];

	if (read_at(dev, sb, sizeof sb, TD_EXT_SB_OFF, e))
		return -1;
	if (td_blkid_ext(sb, sizeof sb, id, e))
		return td_wrap(e, "%s", dev);
	return 0;
}

/* A small sysfs attribute, trailing newline removed. */
static int sys_attr(const char *name, const char *attr, char *buf, size_t cap)
{
	char p[400];
	int fd;
	ssize_t n;

	snprintf(p, sizeof p, "%s/sys/class/block/%.31s/%s", root, name, attr);
	fd = open(p, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	n = read(fd, buf, cap - 1);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = 0;
	if (buf[n - 1] == '\n')
		buf[n - 1] = 0;
	return 0;
}

/* The disk a partition belongs to: the link's second-to-last component. */
static void parent_disk(const char *name, char *disk, size_t cap)
{
	char p[400], l[256];
	ssize_t n;
	char *last, *prev;

	disk[0] = 0;
	snprintf(p, sizeof p, "%s/sys/class/block/%.31s", root, name);
	n = readlink(p, l, sizeof l - 1);
	if (n <= 0)
		return;
	l[n] = 0;
	last = strrchr(l, '/');
	if (!last)
		return;
	*last = 0;
	prev = strrchr(l, '/');
	snprintf(disk, cap, "%.31s", prev ? prev + 1 : l);
}

/* GPT after a protective MBR: header at LBA 1, then the entry array. */
static int gpt_parts(const char *dev, unsigned ss, struct td_part *parts, size_t *n,
		     struct td_err *e)
{
	uint8_t hdr[4096];
	struct td_gpt g;
	uint8_t *ents;
	int rc;

	if (ss < 512 || ss > sizeof hdr)
		return td_fail(e, "%s: logical sector size %u not supported", dev, ss);
	if (read_at(dev, hdr, ss, ss, e) || td_gpt_header(hdr, ss, &g, e))
		return -1;
	ents = malloc(td_gpt_array_size(&g));
	if (!ents)
		return td_fail(e, "%s: no memory for the GPT entries", dev);
	rc = read_at(dev, ents, td_gpt_array_size(&g), g.entries_lba * ss, e);
	if (rc == 0)
		rc = td_gpt_parts(&g, ents, td_gpt_array_size(&g), parts, TD_MAX_PARTS, n, e);
	free(ents);
	return rc;
}

/* PARTUUID of partition partno of disk, from its MBR or GPT. */
static void partuuid(const char *disk, unsigned partno, char out[37])
{
	struct td_part parts[TD_MAX_PARTS];
	uint8_t s0[512];
	char dev[300], ssz[16];
	struct td_err e;
	size_t n = 0;
	int gpt = 0;

	out[0] = 0;
	snprintf(dev, sizeof dev, "%s/dev/%.31s", root, disk);
	if (read_at(dev, s0, sizeof s0, 0, &e) ||
	    td_mbr_parts(s0, sizeof s0, parts, TD_MAX_PARTS, &n, &gpt, &e))
		return;
	if (gpt && (sys_attr(disk, "queue/logical_block_size", ssz, sizeof ssz) ||
		    gpt_parts(dev, (unsigned)atoi(ssz), parts, &n, &e)))
		return;
	for (size_t i = 0; i < n; i++)
		if (parts[i].num == partno)
			snprintf(out, 37, "%s", parts[i].partuuid);
}

/* "MBR" or "GPT" when sector 0 holds a partition table, else NULL. */
static const char *table_kind(const char *dev)
{
	struct td_part parts[4];
	uint8_t s0[512];
	struct td_err e;
	size_t n;
	int gpt = 0;

	if (read_at(dev, s0, sizeof s0, 0, &e) || td_mbr_parts(s0, sizeof s0, parts, 4, &n, &gpt, &e))
		return NULL;
	return gpt ? "GPT" : "MBR";
}

/* What one device is. Returns -1 for entries to skip (empty devices). */
static int describe(const char *name, enum by by, struct blk *b)
{
	char buf[32], dev[300];
	struct td_err e;

	if (sys_attr(name, "size", buf, sizeof buf) || !strcmp(buf, "0"))
		return -1;
	memset(b, 0, sizeof *b);
	snprintf(b->name, sizeof b->name, "%.31s", name);
	if (sys_attr(name, "partition", buf, sizeof buf) == 0) {
		b->partno = (unsigned)atoi(buf);
		parent_disk(name, b->disk, sizeof b->disk);
	}
	snprintf(dev, sizeof dev, "%s/dev/%.31s", root, name);
	b->has_fs = td_dev_probe(dev, &b->id, &e) == 0;
	if (by == BY_PARTUUID && b->partno && b->disk[0])
		partuuid(b->disk, b->partno, b->partuuid);
	if (!b->has_fs && !b->partno)
		b->table = table_kind(dev);
	return 0;
}

static int matches(const struct scan *s, const struct blk *b)
{
	switch (s->by) {
	case BY_DEV:
		return !strncmp(s->val, "/dev/", 5) && !strcmp(s->val + 5, b->name);
	case BY_LABEL:
		return b->has_fs && !strcmp(b->id.label, s->val);
	case BY_UUID:
		return b->has_fs && td_uuid_eq(b->id.uuid, s->val);
	case BY_PARTUUID:
		return b->partuuid[0] && td_uuid_eq(b->partuuid, s->val);
	}
	return 0;
}

/* "vda1 (ext4 LABEL=data)" for the error message. */
static void note_seen(struct scan *s, const struct blk *b)
{
	size_t cap = sizeof s->seen - s->used;
	int w;

	if (cap < 2)
		return;
	if (b->table)
		w = snprintf(s->seen + s->used, cap, "%s%s (%s partition table)",
			     s->used ? ", " : "", b->name, b->table);
	else if (!b->has_fs)
		w = snprintf(s->seen + s->used, cap, "%s%s (no filesystem%s%s)", s->used ? ", " : "",
			     b->name, b->partuuid[0] ? " PARTUUID=" : "", b->partuuid);
	else
		w = snprintf(s->seen + s->used, cap, "%s%s (%s LABEL=%s%s%s%s%s)",
			     s->used ? ", " : "", b->name, b->id.type, b->id.label_shown,
			     s->by == BY_UUID ? " UUID=" : "", s->by == BY_UUID ? b->id.uuid : "",
			     b->partuuid[0] ? " PARTUUID=" : "", b->partuuid);
	s->used += w > 0 && (size_t)w < cap ? (size_t)w : cap - 1;
}

#define MAX_DEVS 256

static int by_name(const void *a, const void *b)
{
	return strcmp(a, b);
}

/* The names in /sys/class/block, sorted (vda, vda1, vdb ...). */
static int list_names(char names[][NAME_MAX_LEN + 1], int max)
{
	char dir[300];
	DIR *d;
	struct dirent *de;
	int n = 0;

	snprintf(dir, sizeof dir, "%s/sys/class/block", root);
	if (!(d = opendir(dir)))
		return 0;

	while ((de = readdir(d)) && n < max)
		if (de->d_name[0] != '.' && strlen(de->d_name) <= NAME_MAX_LEN)
			snprintf(names[n++], NAME_MAX_LEN + 1, "%.31s", de->d_name);
	closedir(d);
	qsort(names, (size_t)n, sizeof names[0], by_name);
	return n;
}

static void scan_once(struct scan *s)
{
	char names[MAX_DEVS][NAME_MAX_LEN + 1];
	int n = list_names(names, MAX_DEVS);
	struct blk b;

	s->nmatch = 0;
	s->seen[0] = 0;
	s->used = 0;
	for (int i = 0; i < n; i++) {
		if (describe(names[i], s->by, &b))
			continue;
		note_seen(s, &b);
		if (!matches(s, &b))
			continue;
		if (s->nmatch < MAX_MATCH) {
			snprintf(s->match[s->nmatch], sizeof s->match[0], "/dev/%s", b.name);
			s->id[s->nmatch] = b.id;
		}
		s->nmatch++;
	}
}

static int parse_spec(const char *spec, struct scan *s, struct td_err *e)
{
	static const struct { const char *pfx; enum by by; } kinds[] = {
		{ "/dev/", BY_DEV }, { "LABEL=", BY_LABEL }, { "UUID=", BY_UUID },
		{ "PARTUUID=", BY_PARTUUID },
	};

	memset(s, 0, sizeof *s);
	for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++) {
		size_t n = strlen(kinds[i].pfx);

		if (strncmp(spec, kinds[i].pfx, n) || !spec[n])
			continue;
		s->by = kinds[i].by;
		s->val = kinds[i].by == BY_DEV ? spec : spec + n;
		if (s->by == BY_DEV && strlen(spec) >= sizeof s->match[0])
			break;
		return 0;
	}
	return td_fail(e, "device '%s' is not /dev/NAME, LABEL=, UUID= or PARTUUID=", spec);
}

/* /dev/NAME given: a block node that exists is enough (sysfs not needed). */
static int dev_ready(const struct scan *s)
{
	struct stat st;

	return s->by == BY_DEV && stat(s->val, &st) == 0 && S_ISBLK(st.st_mode);
}

int td_dev_find(const char *spec, unsigned timeout_s, char *path, size_t cap, struct td_err *e)
{
	uint64_t deadline = td_mono_ms() + (uint64_t)timeout_s * 1000;
	struct scan s;
	int waited = 0;

	if (parse_spec(spec, &s, e))
		return -1;
	for (;;) {
		if (dev_ready(&s)) {
			snprintf(s.match[0], sizeof s.match[0], "%.47s", s.val);
			s.nmatch = 1;
			break;
		}
		scan_once(&s);
		if (s.nmatch || td_mono_ms() >= deadline)
			break;
		if (!waited++)
			td_log("waiting up to %u s for %s", timeout_s, spec);
		td_sleep_ms(100);
	}
	if (!s.nmatch)
		return td_fail(e, "%s not found after %u s; block devices seen: %s", spec, timeout_s,
			       s.used ? s.seen : "none");
	if (s.nmatch > 1)
		td_log("%s matches %d devices, %s and %s%s; using %s", spec, s.nmatch, s.match[0],
		       s.match[1], s.nmatch > 2 ? " ..." : "", s.match[0]);
	if ((size_t)snprintf(path, cap, "%s", s.match[0]) >= cap)
		return td_fail(e, "device path %s too long", s.match[0]);
	return 0;
}

int td_dev_all(const char *spec, struct td_devmatch *m, int max, struct td_err *e)
{
	struct scan s;

	if (parse_spec(spec, &s, e))
		return -1;
	scan_once(&s);
	for (int i = 0; i < s.nmatch && i < max && i < MAX_MATCH; i++) {
		snprintf(m[i].path, sizeof m[i].path, "%s", s.match[i]);
		m[i].id = s.id[i];
	}
	return s.nmatch;
}
