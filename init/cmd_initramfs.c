/* tinydump initramfs: build the capture initramfs. tinydump itself as
 * /init, the configuration and certificates, and the kernel modules the
 * capture needs (named with --modules, plus those detected on this machine
 * for the configured targets), closed over their dependencies, in load
 * order in /lib/modules/LIST (init/modules.h). The cpio is gzip-compressed
 * and deterministic: the same inputs give the same bytes. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>
#include <zlib.h>

#include "os/file.h"
#include "commands.h"
#include "confpin.h"
#include "devices.h"
#include "cpio.h"
#include "initrd.h"
#include "moddetect.h"
#include "modtree.h"
#include "modules.h"

#define MAX_WANT 64
#define MAX_OUT 512

struct opts {
	const char *output, *release, *root, *conf, *certs, *sysroot;
	char *modules;		/* comma-separated, from --modules */
	int detect, conf_given, if_stale;
	char relbuf[65], outbuf[512];
};

struct gzout {
	z_stream z;
	int fd;
	uint64_t raw;
};

static const char usage_text[] =
	"usage: tinydump initramfs [--output FILE] [--kernel-release R] [--root DIR] [--conf FILE]\n"
	"                          [--certs DIR] [--modules NAME[,NAME...]] [--no-detect]\n"
	"                          [--sysroot DIR] [--if-stale]\n"
	"  Builds the capture initramfs: tinydump as /init, the configuration, certificates\n"
	"  and the kernel modules the capture needs. Defaults: the running kernel, root /,\n"
	"  --conf /etc/tinydump/tinydump.conf, --certs /etc/tinydump, and\n"
	"  --output /var/lib/tinydump/initrd-RELEASE.img. Unless --no-detect, the modules\n"
	"  come from this machine's devices, and each disk:LABEL= target that names exactly\n"
	"  one device here is pinned to its UUID in the initramfs's configuration.\n"
	"  --sysroot DIR reads this machine's /sys, /dev and /proc under DIR instead.\n"
	"  --if-stale builds only when FILE is missing or older than the kernel's modules\n"
	"  directory, the configuration, the certificates or tinydump itself.\n";

static int gz_put(void *ctx, const void *p, size_t n, struct td_err *e)
{
	struct gzout *g = ctx;
	unsigned char buf[65536];
	int flush = p ? Z_NO_FLUSH : Z_FINISH, r;

	g->z.next_in = (unsigned char *)(uintptr_t)p;
	g->z.avail_in = (uInt)n;
	g->raw += n;
	do {
		g->z.next_out = buf;
		g->z.avail_out = sizeof buf;
		r = deflate(&g->z, flush);
		if (r == Z_STREAM_ERROR)
			return td_fail(e, "gzip: deflate failed");
		if (td_write_all(g->fd, buf, sizeof buf - g->z.avail_out, -1) < 0)
			return td_fail(e, "writing the initramfs: %s", strerror(errno));
	} while (g->z.avail_out == 0 || (flush == Z_FINISH && r != Z_STREAM_END));
	return 0;
}

static int parse_opts(struct opts *o, int argc, char **argv)
{
	static const struct option lo[] = {
		{ "output", 1, 0, 'o' }, { "kernel-release", 1, 0, 'r' }, { "root", 1, 0, 'R' },
		{ "conf", 1, 0, 'c' }, { "certs", 1, 0, 'C' }, { "modules", 1, 0, 'm' },
		{ "no-detect", 0, 0, 'n' }, { "sysroot", 1, 0, 's' }, { "if-stale", 0, 0, 'i' },
		{ "help", 0, 0, 'h' }, { 0, 0, 0, 0 },
	};
	struct utsname u;
	int c;

	*o = (struct opts){ .root = "/", .conf = TD_INITRD_CONF, .certs = TD_INITRD_CERTS,
			    .detect = 1, .sysroot = "" };
	optind = 1;
	while ((c = getopt_long(argc, argv, "", lo, NULL)) != -1) {
		switch (c) {
		case 'o': o->output = optarg; break;
		case 'r': o->release = optarg; break;
		case 'R': o->root = optarg; break;
		case 'c': o->conf = optarg, o->conf_given = 1; break;
		case 'C': o->certs = optarg; break;
		case 'm': o->modules = optarg; break;
		case 'n': o->detect = 0; break;
		case 's': o->sysroot = optarg; break;
		case 'i': o->if_stale = 1; break;
		case 'h': fputs(usage_text, stdout); return 1;
		default: fputs(usage_text, stderr); return -1;
		}
	}
	if (optind != argc) {
		fprintf(stderr, "tinydump: fatal: initramfs: unexpected argument '%s'\n%s", argv[optind], usage_text);
		return -1;
	}
	if (!o->release) {
		if (uname(&u) < 0)
			return -1;
		snprintf(o->relbuf, sizeof o->relbuf, "%s", u.release);
		o->release = o->relbuf;
	}
	if (!o->output) {
		snprintf(o->outbuf, sizeof o->outbuf, TD_INITRD_DIR "/initrd-%s.img", o->release);
		o->output = o->outbuf;
	}
	return 0;
}

/* Split a comma-separated list into want[] (in place). */
static int add_names(char *list, const char **want, unsigned *n)
{
	for (char *tok = strtok(list, ","); tok; tok = strtok(NULL, ",")) {
		if (*n == MAX_WANT) {
			fprintf(stderr, "tinydump: fatal: initramfs: more than %d modules named\n", MAX_WANT);
			return -1;
		}
		want[(*n)++] = tok;
	}
	return 0;
}

/* The target kernel must unpack a gzip initramfs: CONFIG_RD_GZIP when its
 * config is at hand (ROOT/boot/config-R), otherwise assumed. */
static int check_gzip(const struct opts *o, struct td_err *e)
{
	char path[512];
	size_t len;
	char *cfg;
	int ok;

	snprintf(path, sizeof path, "%s/boot/config-%s", strcmp(o->root, "/") ? o->root : "", o->release);
	if (access(path, R_OK) < 0)
		return 0;
	if (!(cfg = td_read_file_alloc(path, 1u << 20, &len, e)))
		return -1;
	ok = strstr(cfg, "\nCONFIG_RD_GZIP=y\n") != NULL;
	free(cfg);
	return ok ? 0 : td_fail(e, "%s lacks CONFIG_RD_GZIP=y: the kernel cannot unpack a gzip initramfs", path);
}

static int put_file(struct td_cpio *c, const char *name, const char *host, unsigned mode,
		    struct td_err *e)
{
	struct td_cpio_entry en = { .name = name, .mode = S_IFREG | mode };
	size_t len;
	char *data = td_read_file_alloc(host, 64u << 20, &len, e);
	int r;

	if (!data)
		return -1;
	r = td_cpio_entry(c, &en, data, len, e);
	free(data);
	return r;
}

/* The configuration the initramfs carries: the file as written, or with
 * --detect (the default) its disk:LABEL= targets pinned to this machine's
 * UUIDs and, when it names no target, the host's default (confpin.h).
 * *len is -1 when there is none at all: no file and nothing pinned. */
static const char *make_conf(const struct opts *o, long *len, struct td_err *e)
{
	static char pinned[1u << 16];
	char *text = NULL;
	size_t n = 0;

	*len = -1;
	if (access(o->conf, F_OK) == 0 && !(text = td_read_file_alloc(o->conf, sizeof pinned, &n, e))) {
		td_wrap(e, "%s", o->conf);
		return NULL;
	}
	if (!o->detect) {
		if (text)
			memcpy(pinned, text, n), *len = (long)n;
	} else if ((*len = td_conf_pin(text ? text : "", n, o->sysroot, pinned, sizeof pinned, e)) < 0) {
		free(text);
		return NULL;
	} else if (!*len && !text) {
		*len = -1;
	}
	free(text);
	return pinned;
}

static int put_dirs(struct td_cpio *c, int certs, int modules, struct td_err *e)
{
	static const char *const dirs[] = { "dev", "proc", "sys", "mnt", "tmp", "etc" };
	struct td_cpio_entry d = { .mode = S_IFDIR | 0755 };
	struct td_cpio_entry con = { "dev/console", S_IFCHR | 0600, 0, 0, 5, 1, 0 };
	struct td_cpio_entry null = { "dev/null", S_IFCHR | 0666, 0, 0, 1, 3, 0 };

	for (size_t i = 0; i < sizeof dirs / sizeof dirs[0]; i++) {
		d.name = dirs[i];
		if (td_cpio_entry(c, &d, NULL, 0, e) < 0)
			return -1;
	}
	if (td_cpio_entry(c, &con, NULL, 0, e) < 0 || td_cpio_entry(c, &null, NULL, 0, e) < 0)
		return -1;
	if (certs && (d.name = "etc/tinydump", td_cpio_entry(c, &d, NULL, 0, e) < 0))
		return -1;
	if (modules && ((d.name = "lib", td_cpio_entry(c, &d, NULL, 0, e) < 0) ||
			(d.name = "lib/modules", td_cpio_entry(c, &d, NULL, 0, e) < 0)))
		return -1;
	return 0;
}

/* ca.pem, client.pem and client.key from dir, those present; a
 * certificate without its key (or the reverse) is an error. */
static int put_certs(struct td_cpio *c, const char *dir, struct td_err *e)
{
	static const struct { const char *name; unsigned mode; } f[] = {
		{ "ca.pem", 0644 }, { "client.pem", 0644 }, { "client.key", 0600 },
	};
	char host[512], name[64];

	for (size_t i = 0; i < sizeof f / sizeof f[0]; i++) {
		snprintf(host, sizeof host, "%s/%s", dir, f[i].name);
		snprintf(name, sizeof name, "etc/tinydump/%s", f[i].name);
		if (access(host, F_OK) == 0 && put_file(c, name, host, f[i].mode, e) < 0)
			return -1;
	}
	return 0;
}

static int certs_present(const char *dir, struct td_err *e)
{
	char a[512], b[512];
	int pem, key;

	snprintf(a, sizeof a, "%s/client.pem", dir);
	snprintf(b, sizeof b, "%s/client.key", dir);
	pem = access(a, F_OK) == 0, key = access(b, F_OK) == 0;
	if (pem != key)
		return td_fail(e, "%s has %s but not %s; add it or remove both", dir,
			       pem ? "client.pem" : "client.key", pem ? "client.key" : "client.pem");
	snprintf(a, sizeof a, "%s/ca.pem", dir);
	return pem || access(a, F_OK) == 0;
}

static const char *base(const char *p)
{
	const char *s = strrchr(p, '/');

	return s ? s + 1 : p;
}

/* The modules in load order, then LIST naming them. */
static int put_modules(struct td_cpio *c, const struct td_modtree *t, const int *order,
		       unsigned n, uint64_t *bytes, struct td_err *e)
{
	static char list[MAX_OUT * 80];
	struct td_cpio_entry en = { .name = "lib/modules/LIST", .mode = S_IFREG | 0644 };
	size_t len = 0;

	for (unsigned i = 0; i < n; i++) {
		const char *rel = t->db.mod[order[i]].path;
		char host[1024], name[256];
		struct stat st;

		snprintf(host, sizeof host, "%s/%s", t->dir, rel);
		snprintf(name, sizeof name, "lib/modules/%s", base(rel));
		if (stat(host, &st) < 0)
			return td_fail(e, "%s: %s", host, strerror(errno));
		*bytes += (uint64_t)st.st_size;
		if (put_file(c, name, host, 0644, e) < 0)
			return -1;
		len += (size_t)snprintf(list + len, sizeof list - len, "/%s\n", name);
		printf("  %-24s %8llu bytes\n", t->db.mod[order[i]].name, (unsigned long long)st.st_size);
	}
	return n ? td_cpio_entry(c, &en, list, len, e) : 0;
}

/* The modules to carry, in load order: --modules and detected names,
 * closed over dependencies. *n is 0 when there are none. */
static int plan_modules(const struct opts *o, const char *conf, long clen, struct td_modtree *t,
			int *order, unsigned *n, struct td_err *e)
{
	static char detected[1024];
	const char *want[MAX_WANT];
	unsigned nw = 0;
	char dir[512];

	*n = 0;
	if (o->modules && add_names(o->modules, want, &nw) < 0)
		return td_fail(e, "too many modules named");
	if (o->detect) {
		td_moddetect(conf, clen > 0 ? (size_t)clen : 0, o->sysroot, detected, sizeof detected);
		if (detected[0])
			printf("detected: %s\n", detected);
		if (add_names(detected, want, &nw) < 0)
			return td_fail(e, "too many modules detected");
	}
	if (!nw)
		return 0;
	if (td_modtree_dir(o->root, o->release, dir, sizeof dir, e) < 0 || td_modtree_open(t, dir, e) < 0)
		return -1;
	if (!t->have_dep)
		printf("no modules.dep in %s: dependencies read from each module\n", dir);
	if (!t->have_builtin)
		printf("no modules.builtin in %s: assuming nothing is built in\n", dir);
	if (td_modclose(&t->db, want, nw, order, MAX_OUT, n, e) < 0)
		return -1;
	for (unsigned i = 0; i < nw; i++) {
		int k = td_moddb_find(&t->db, want[i]);

		if (k >= 0 && t->db.mod[k].builtin)
			printf("built in: %s\n", t->db.mod[k].name);
	}
	return 0;
}

static int build(const struct opts *o, struct gzout *g, struct td_err *e)
{
	static struct td_modtree t;
	static int order[MAX_OUT];
	struct td_cpio c = { .put = gz_put, .ctx = g };
	struct td_cpio_entry en = { .name = "etc/tinydump.conf", .mode = S_IFREG | 0644 };
	uint64_t modbytes = 0;
	const char *conf;
	long clen;
	unsigned n;
	int certs, r = -1;

	if ((certs = certs_present(o->certs, e)) < 0 || check_gzip(o, e) < 0 ||
	    !(conf = make_conf(o, &clen, e)) || plan_modules(o, conf, clen, &t, order, &n, e) < 0)
		goto out;
	if (put_dirs(&c, certs, n > 0, e) < 0 || put_file(&c, "init", "/proc/self/exe", 0755, e) < 0)
		goto out;
	if (clen >= 0 && td_cpio_entry(&c, &en, conf, (size_t)clen, e) < 0)
		goto out;
	if (certs && put_certs(&c, o->certs, e) < 0)
		goto out;
	printf("modules for %s: %u\n", o->release, n);
	if (put_modules(&c, &t, order, n, &modbytes, e) < 0 || td_cpio_trailer(&c, e) < 0 ||
	    gz_put(g, NULL, 0, e) < 0)
		goto out;
	printf("modules: %u, %llu bytes\n", n, (unsigned long long)modbytes);
	r = 0;
out:
	td_modtree_close(&t);
	return r;
}

static int parent_dir(const char *path, struct td_err *e)
{
	char dir[512];
	char *s;

	snprintf(dir, sizeof dir, "%s", path);
	if (!(s = strrchr(dir, '/')) || s == dir)
		return 0;
	*s = '\0';
	return td_mkdirs(dir, e);
}

int td_cmd_initramfs(int argc, char **argv)
{
	struct gzout g = { .fd = -1 };
	struct td_err e;
	struct stat st;
	struct opts o;
	char tmp[600];
	int r;

	if ((r = parse_opts(&o, argc, argv)))
		return r > 0 ? 0 : 2;
	td_dev_root(o.sysroot);
	if (o.conf_given && access(o.conf, R_OK) < 0) {
		fprintf(stderr, "tinydump: fatal: initramfs: configuration %s: %s\n", o.conf, strerror(errno));
		return 1;
	}
	if (o.if_stale) {
		struct td_initrd_src src = { o.output, o.root, o.release, o.conf, o.certs };
		char why[1200];

		r = td_initrd_stale(&src, why, sizeof why);
		printf("initramfs: %s%s\n", r ? "building: " : "up to date: ", why);
		if (!r)
			return 0;
	}
	snprintf(tmp, sizeof tmp, "%s.tmp", o.output);
	if (parent_dir(o.output, &e) < 0 ||
	    (g.fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600)) < 0) {
		fprintf(stderr, "tinydump: fatal: initramfs: cannot write %s: %s\n", tmp,
			g.fd < 0 && errno ? strerror(errno) : e.msg);
		return 1;
	}
	/* windowBits 16+15: a gzip wrapper with mtime 0 and no name. */
	if (deflateInit2(&g.z, 9, Z_DEFLATED, 16 + 15, 9, Z_DEFAULT_STRATEGY) != Z_OK) {
		fprintf(stderr, "tinydump: fatal: initramfs: zlib init failed\n");
		return 1;
	}
	r = build(&o, &g, &e);
	deflateEnd(&g.z);
	if (r == 0 && (fsync(g.fd) < 0 || rename(tmp, o.output) < 0))
		r = td_fail(&e, "%s: %s", o.output, strerror(errno));
	close(g.fd);
	if (r < 0) {
		unlink(tmp);
		fprintf(stderr, "tinydump: fatal: initramfs: %s\n", e.msg);
		return 1;
	}
	stat(o.output, &st);
	printf("initramfs: %s %llu bytes (cpio %llu bytes)\n", o.output,
	       (unsigned long long)st.st_size, (unsigned long long)g.raw);
	return 0;
}
