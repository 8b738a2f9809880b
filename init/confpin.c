/* Pinning labels to UUIDs for the capture initramfs (confpin.h). */
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "os/file.h"
#include "os/strbuf.h"
#include "config.h"
#include "confpin.h"
#include "devices.h"
#include "mountinfo.h"
#include "target.h"


/* The line that replaces target t (a disk:LABEL= one), or nothing when
 * the label does not name exactly one device here. */
static void pin(struct td_strbuf *o, const struct td_target *t)
{
	struct td_devmatch m[2];
	struct td_err e;
	int n = td_dev_all(t->where, m, 2, &e), dir = strcmp(t->path, "/") != 0;
	char spec[256];

	if (n < 0) {
		fprintf(stderr, "tinydump: initramfs: warning: %s: %s; kept as written\n", t->spec, e.msg);
		return;
	}
	if (n == 0) {
		fprintf(stderr, "tinydump: initramfs: warning: no device on this machine has %s; "
			"target %s kept as written, so any disk with that label present at the "
			"crash receives the dump\n", t->where, t->spec);
		return;
	}
	if (n > 1) {
		fprintf(stderr, "tinydump: initramfs: warning: %s matches %d devices on this machine "
			"(%s, %s%s); target %s kept as written and the capture takes the first it "
			"sees; name one: target=disk:UUID=%s%s%s\n", t->where, n, m[0].path, m[1].path,
			n > 2 ? ", ..." : "", t->spec, m[0].id.uuid[0] ? m[0].id.uuid : "...",
			dir ? ":" : "", dir ? t->path : "");
		return;
	}
	if (!m[0].id.uuid[0]) {
		fprintf(stderr, "tinydump: initramfs: warning: %s (%s) has no UUID; target %s kept "
			"as written\n", t->where, m[0].path, t->spec);
		return;
	}
	snprintf(spec, sizeof spec, "disk:UUID=%s%s%s", m[0].id.uuid, dir ? ":" : "", dir ? t->path : "");
	td_strbuf_put(o, "# tinydump initramfs: %s was %s here, pinned to its UUID\n", t->where, m[0].path);
	td_strbuf_put(o, "target=%s\n", spec);
	printf("pinned: %s -> %s (%s)\n", t->spec, spec, m[0].path);
}

int td_host_default(const char *sysroot, char *spec, size_t cap, char *dev, size_t dcap)
{
	static char mi[1u << 18];
	struct td_devmatch m;
	struct td_err e;
	char path[PATH_MAX], link[PATH_MAX];
	unsigned ma, mn;
	size_t len;
	ssize_t n;

	if (td_dev_all(TD_DEFAULT_TARGET + 5, &m, 1, &e) != 0)
		return 0;
	/* The root's block device: /sys/dev/block/MAJ:MIN links to it. */
	snprintf(path, sizeof path, "%s/proc/self/mountinfo", sysroot);
	if (td_read_file(path, mi, sizeof mi, &len, &e) < 0 || td_mountinfo_dev(mi, len, "/", &ma, &mn) < 0)
		return 0;
	snprintf(path, sizeof path, "%s/sys/dev/block/%u:%u", sysroot, ma, mn);
	if ((n = readlink(path, link, sizeof link - 1)) <= 0)
		return 0;
	link[n] = '\0';
	snprintf(path, sizeof path, "/dev/%s", strrchr(link, '/') ? strrchr(link, '/') + 1 : link);
	if (td_dev_all(path, &m, 1, &e) != 1 || !m.id.uuid[0])
		return 0;
	snprintf(spec, cap, "disk:UUID=%s:/var/crash", m.id.uuid);
	snprintf(dev, dcap, "%s", m.path);
	return 1;
}

/* The default target: pinned to the one device labelled crash, or the
 * root filesystem (td_host_default). */
static void pin_default(struct td_strbuf *o, const struct td_target *t, const char *sysroot)
{
	char spec[128], dev[64];

	if (!td_host_default(sysroot, spec, sizeof spec, dev, sizeof dev))
		return pin(o, t);
	td_strbuf_put(o, "# tinydump initramfs: no target is configured and no device here is "
		      "labelled crash: the root filesystem (%s was it here), by its UUID\n", dev);
	td_strbuf_put(o, "target=%s\n", spec);
	printf("default target: %s (the root filesystem, %s; no device is labelled crash)\n",
	       spec, dev);
}

static int is_label(const struct td_target *t)
{
	return t->kind == &td_target_disk && !strncmp(t->where, "LABEL=", 6);
}

long td_conf_pin(const char *text, size_t len, const char *sysroot, char *out, size_t cap,
		 struct td_err *e)
{
	static struct td_config c;
	struct td_warnings w;
	struct td_strbuf o = { out, cap, 0, 0 };
	const char *p = text, *end = text + len, *nl;
	unsigned line = 1;

	memset(&w, 0, sizeof w);
	td_config_defaults(&c);
	td_config_file(&c, text, len, &w);
	for (; p < end; p = nl + 1, line++) {
		size_t before;
		unsigned i;

		nl = memchr(p, '\n', (size_t)(end - p));
		if (!nl)
			nl = end;
		for (i = 0; i < c.ntarget && !(c.target[i].line == line && is_label(&c.target[i])); i++)
			;
		before = o.len;
		if (i < c.ntarget)
			pin(&o, &c.target[i]);
		if (o.len != before)
			td_strbuf_put(&o, "# was: %.*s\n", (int)(nl - p), p);
		else
			td_strbuf_put(&o, "%.*s%s", (int)(nl - p), p, nl < end ? "\n" : "");
	}
	if (!c.targets_given) {
		td_config_finish(&c, &w);
		if (c.ntarget == 1 && is_label(&c.target[0])) {
			if (len && text[len - 1] != '\n')
				td_strbuf_put(&o, "\n");
			pin_default(&o, &c.target[0], sysroot);
		}
	}
	if (o.over)
		return td_fail(e, "the configuration with pinned targets is over %zu bytes", cap);
	return (long)o.len;
}
