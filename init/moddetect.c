/* Host-only module detection (moddetect.h). */
#include <arpa/inet.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "os/file.h"
#include "config.h"
#include "devices.h"
#include "target.h"
#include "moddetect.h"
#include "modtree.h"

static const char *sysroot = "";

/* Add name to the comma-separated list out, once. */
static void add(char *out, size_t cap, const char *name)
{
	size_t n = strlen(name), len = strlen(out);

	for (const char *p = out; (p = strstr(p, name)); p += n)
		if ((p == out || p[-1] == ',') && (p[n] == ',' || !p[n]))
			return;
	if (len + n + 2 <= cap)
		snprintf(out + len, cap - len, "%s%s", len ? "," : "", name);
}

/* The module of each driver from the sysfs device dev up to /sys/devices. */
static void driver_chain(const char *dev, char *out, size_t cap)
{
	char path[PATH_MAX], link[PATH_MAX];

	size_t stop = strlen(sysroot) + sizeof "/sys/devices";

	if (!realpath(dev, path))
		return;
	while (strlen(path) > stop && strrchr(path, '/')) {
		char m[PATH_MAX + 16];
		ssize_t n;

		snprintf(m, sizeof m, "%s/driver/module", path);
		if ((n = readlink(m, link, sizeof link - 1)) > 0) {
			link[n] = '\0';
			add(out, cap, strrchr(link, '/') ? strrchr(link, '/') + 1 : link);
		}
		*strrchr(path, '/') = '\0';
	}
}

/* The sysfs device of the disk holding spec's device (found as the capture
 * will find it, devices.h; the first when several match). */
static int disk_sysfs(const char *spec, char *sys, size_t cap)
{
	struct td_devmatch m;
	struct td_err e;
	const char *name;

	if (td_dev_all(spec, &m, 1, &e) < 1)
		return -1;
	name = m.path + 5;
	snprintf(sys, cap, "%s/sys/class/block/%s/device", sysroot, name);
	if (access(sys, F_OK) == 0)
		return 0;
	/* A partition: its disk's device. */
	snprintf(sys, cap, "%s/sys/class/block/%s/../device", sysroot, name);
	return access(sys, F_OK);
}

/* The interface of the IPv4 route to server (longest prefix; the default
 * route when server is a name), from /proc/net/route. */
static int route_dev(const char *server, char *ifname, size_t cap)
{
	struct in_addr a;
	int have = inet_pton(AF_INET, server, &a) == 1, best = -1;
	char line[256], name[32];
	unsigned dst, gw, flags, mask;
	FILE *f;

	snprintf(line, sizeof line, "%s/proc/net/route", sysroot);
	f = fopen(line, "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof line, f)) {
		if (sscanf(line, "%31s %x %x %x %*s %*s %*s %x", name, &dst, &gw, &flags, &mask) != 5)
			continue;
		if ((have ? (a.s_addr & mask) != dst : mask != 0) || (int)__builtin_popcount(mask) <= best)
			continue;
		best = __builtin_popcount(mask);
		snprintf(ifname, cap, "%s", name);
	}
	fclose(f);
	return best < 0 ? -1 : 0;
}

static void net_target(const char *server, char *out, size_t cap)
{
	char ifname[32], sys[PATH_MAX];

	if (route_dev(server, ifname, sizeof ifname) < 0) {
		fprintf(stderr, "tinydump: initramfs: no route to %s: name its network driver "
			"with --modules\n", server);
		return;
	}
	snprintf(sys, sizeof sys, "%s/sys/class/net/%s/device", sysroot, ifname);
	driver_chain(sys, out, cap);
}

int td_moddetect(const char *text, size_t len, const char *root, char *out, size_t cap)
{
	static struct td_config c;
	struct td_warnings w;

	out[0] = '\0';
	sysroot = root;
	memset(&w, 0, sizeof w);
	td_config_defaults(&c);
	td_config_file(&c, text, len, &w);
	td_config_finish(&c, &w);
	for (unsigned i = 0; i < c.ntarget; i++) {
		const struct td_target *t = &c.target[i];
		char sys[PATH_MAX];

		if (t->kind == &td_target_disk && disk_sysfs(t->where, sys, sizeof sys) == 0) {
			driver_chain(sys, out, cap);
			add(out, cap, "ext4");
		} else if (t->kind == &td_target_disk) {
			fprintf(stderr, "tinydump: initramfs: disk %s not found on this machine: "
				"name its drivers with --modules\n", t->where);
		} else if (t->kind == &td_target_nfs) {
			net_target(t->where, out, cap);
			add(out, cap, c.nfsvers == 3 ? "nfsv3" : "nfsv4");
		} else if (t->kind == &td_target_tls) {
			net_target(t->where, out, cap);
		}
	}
	return 0;
}
