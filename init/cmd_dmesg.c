/* tinydump dmesg FILE: the crashed kernel's log from an ELF vmcore or a
 * kdump-compressed file (ours or makedumpfile's), printed to stdout exactly
 * as `makedumpfile --dump-dmesg` writes it. With --signature, its crash
 * signature instead (capture/crashsig.h; docs/SIGNATURES.md), computed as
 * the capture run and the receiver compute it: "HEX TEXT", or "- " and
 * nothing when the log holds no crash report.
 *
 * Addresses: kernel-image addresses (the static log buffer) and, for ELF
 * files, direct-map addresses (a log_buf_len= buffer) are translated
 * linearly; anything else, and the direct map of a kdump file (whose
 * page_offset is not recorded), through the kernel's own page tables.
 *
 * A flattened file (makedumpfile -F, tinydump --format flat) is first
 * rebuilt, as makedumpfile -R would, into an unlinked temporary file in
 * $TMPDIR (default /tmp); its holes stay holes. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "os/file.h"
#include "os/log.h"
#include "capture/crashsig.h"
#include "capture/dmesg.h"
#include "capture/flat.h"
#include "capture/readstack.h"
#include "commands.h"
#include "filesrc.h"

struct dm {
	struct td_filesrc fs;
	int opened;
	int rebuilt;                 /* fd of the rebuilt flattened file, or -1 */
	struct td_source src;
	struct td_readstack rs;
	struct td_kdump kd;          /* the reader, for a kdump file */
	struct td_walker walk;       /* the page tables, where the linear maps end */
	struct td_warnings warn;     /* unused: nothing here is reported */
	struct td_dmesg log;
	struct td_crashsig sig;
};

enum kind { K_ELF, K_KDUMP, K_FLAT, K_UNKNOWN };

static enum kind detect(struct td_source *s)
{
	struct td_err e;
	const uint8_t *p = s->size >= 16 ? s->get(s->ctx, 0, 16, &e) : NULL;

	if (!p)
		return K_UNKNOWN;
	if (!memcmp(p, "\177ELF", 4))
		return K_ELF;
	if (td_kdump_probe(p))
		return K_KDUMP;
	if (!memcmp(p, "makedumpfile\0\0\0\0", 16))
		return K_FLAT;
	return K_UNKNOWN;
}

static int place(void *ctx, uint64_t off, const uint8_t *p, size_t len, struct td_err *e)
{
	int fd = *(int *)ctx;

	if (td_write_all(fd, p, len, (int64_t)off) < 0)
		return td_fail(e, "writing the rebuilt file: %s", strerror(errno));
	return 0;
}

/* Stream the flattened file through td_flat_reader into d->rebuilt,
 * using buf (FLAT_BUF bytes). */
#define FLAT_BUF (1u << 20)

static int flat_copy(struct dm *d, int in, const char *path, uint8_t *buf, struct td_err *e)
{
	struct td_flat_reader r;
	size_t used;
	ssize_t n;

	td_flat_reader_init(&r, 0, place, &d->rebuilt);
	while (!td_flat_done(&r)) {
		n = read(in, buf, FLAT_BUF);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return td_fail(e, "reading %s: %s", path, strerror(errno));
		if (n == 0)
			return td_fail(e, "%s ends before the flattened end marker (truncated?)", path);
		if (td_flat_feed(&r, buf, (size_t)n, &used, e) < 0)
			return td_wrap(e, "%s", path);
	}
	return 0;
}

/* Rebuild flattened path into an unlinked temporary file; *fdpath names it. */
static int unflatten(struct dm *d, const char *path, char *fdpath, size_t size, struct td_err *e)
{
	const char *dir = getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
	char tmp[512];
	uint8_t *buf;
	int in, rc;

	snprintf(tmp, sizeof tmp, "%s/tinydump-dmesg-XXXXXX", dir);
	if ((d->rebuilt = mkstemp(tmp)) < 0)
		return td_fail(e, "cannot create a temporary file in %s: %s", dir, strerror(errno));
	unlink(tmp);
	if ((in = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return td_fail(e, "cannot open %s: %s", path, strerror(errno));
	buf = malloc(FLAT_BUF);
	rc = buf ? flat_copy(d, in, path, buf, e) : td_fail(e, "out of memory");
	free(buf);
	close(in);
	snprintf(fdpath, size, "/proc/self/fd/%d", d->rebuilt);
	return rc;
}

static int out_write(void *ctx, uint64_t off, const void *buf, size_t len, struct td_err *e)
{
	const char *p = buf;

	(void)ctx;
	(void)off;
	while (len) {
		ssize_t n = write(STDOUT_FILENO, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return td_fail(e, "writing to standard output: %s", n ? strerror(errno) : "short write");
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/* Open path as d->src; a flattened file is rebuilt first. */
static int open_src(struct dm *d, const char *path, enum kind *k, struct td_err *e)
{
	char fdpath[64];

	if (td_filesrc_open(&d->fs, path, 0, e) < 0)
		return -1;
	d->opened = 1;
	td_filesrc_source(&d->fs, &d->src);
	*k = detect(&d->src);
	if (*k != K_FLAT)
		return 0;
	td_filesrc_close(&d->fs);
	d->opened = 0;
	if (unflatten(d, path, fdpath, sizeof fdpath, e) < 0)
		return td_wrap(e, "rebuilding flattened %s (or run makedumpfile -R first)", path);
	if (td_filesrc_open(&d->fs, fdpath, 0, e) < 0)
		return -1;
	d->opened = 1;
	td_filesrc_source(&d->fs, &d->src);
	*k = detect(&d->src);
	return *k == K_FLAT ? td_fail(e, "%s: a flattened file inside a flattened file", path) : 0;
}

static int run(struct dm *d, const char *path, int sig, struct td_err *e)
{
	struct td_sink out = { NULL, out_write, NULL };
	enum kind k;

	if (open_src(d, path, &k, e) < 0)
		return -1;
	if (k == K_UNKNOWN)
		return td_fail(e, "%s is neither an ELF vmcore nor a kdump-compressed file", path);
	if (td_readstack_open(&d->rs, &d->src, k == K_KDUMP ? &d->kd : NULL, &d->walk, &d->warn, e) < 0)
		return td_wrap(e, "%s", path);
	if (sig) {
		if (td_crashsig_dump(&d->sig, &d->log, &d->rs.kread, &d->rs.vi, NULL, TD_CRASHSIG_LOG_MAX,
				     e) < 0)
			return td_wrap(e, "%s", path);
		printf("%s %s\n", d->sig.hex[0] ? d->sig.hex : "-", d->sig.text);
		return 0;
	}
	if (td_dmesg_write(&d->log, &d->rs.kread, &d->rs.vi, &out, e) < 0)
		return td_wrap(e, "%s", path);
	return 0;
}

int td_cmd_dmesg(int argc, char **argv)
{
	struct td_err e;
	struct dm *d;
	int rc;

	int sig = argc == 3 && !strcmp(argv[1], "--signature");

	if (argc != 2 + sig || argv[1 + sig][0] == '-') {
		fprintf(argc == 2 && !strcmp(argv[1], "--help") ? stdout : stderr,
			"usage: tinydump dmesg [--signature] FILE\n"
			"  print the kernel log of an ELF vmcore or a kdump-compressed dump,\n"
			"  in the format of makedumpfile --dump-dmesg; with --signature, its\n"
			"  crash signature and the text it hashes (docs/SIGNATURES.md)\n");
		return argc == 2 && !strcmp(argv[1], "--help") ? 0 : 2;
	}
	if (!(d = calloc(1, sizeof *d))) {
		td_log_fatal("dmesg: out of memory");
		return 1;
	}
	d->rebuilt = -1;
	rc = run(d, argv[1 + sig], sig, &e);
	if (rc < 0)
		td_log_fatal("dmesg: %s", e.msg);
	else if (d->log.garbage)
		td_log("dmesg: skipped %llu inconsistent log records", (unsigned long long)d->log.garbage);
	if (d->opened)
		td_filesrc_close(&d->fs);
	if (d->rebuilt >= 0)
		close(d->rebuilt);
	td_readstack_close(&d->rs);
	free(d);
	return rc < 0 ? 1 : 0;
}
