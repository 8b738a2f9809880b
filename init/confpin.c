/* Pinning labels to UUIDs for the capture initramfs (confpin.h). */
#include <stdio.h>
#include <string.h>

#include "os/strbuf.h"
#include "config.h"
#include "confpin.h"
#include "devices.h"
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

static int is_label(const struct td_target *t)
{
	return t->kind == &td_target_disk && !strncmp(t->where, "LABEL=", 6);
}

long td_conf_pin(const char *text, size_t len, char *out, size_t cap, struct td_err *e)
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
			pin(&o, &c.target[0]);
		}
	}
	if (o.over)
		return td_fail(e, "the configuration with pinned targets is over %zu bytes", cap);
	return (long)o.len;
}
