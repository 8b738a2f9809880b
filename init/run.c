#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "os/clock.h"
#include "os/log.h"
#include "capture/dmesg.h"
#include "run.h"
#include "zippool.h"

static double since(const struct timespec *a, const struct timespec *b)
{
	return (double)(b->tv_sec - a->tv_sec) + (double)(b->tv_nsec - a->tv_nsec) / 1e9;
}

int td_run_open(struct td_run *r, const char *path, int force_read, unsigned level,
		struct td_err *e)
{
	memset(r, 0, sizeof *r);
	r->threads = -1;
	if (td_filesrc_open(&r->fs, path, force_read, e) < 0)
		return -1;
	td_filesrc_source(&r->fs, &r->src);
	if (td_readstack_open(&r->rs, &r->src, NULL, NULL, &r->warn, e) < 0)
		return td_wrap(e, "%s", path);
	if (!(r->dmesg = malloc(TD_DMESG_MAX)))
		return td_fail(e, "no memory for the kernel log (%u bytes)", TD_DMESG_MAX);
	td_kinfo_read(&r->ki, &r->rs.vc, &r->rs.vi, &r->warn);
	return td_filter_init(&r->filter, &r->rs.vc, &r->rs.vi, level, &r->warn, e);
}

struct membuf {
	char *buf;
	size_t cap, len;
	int truncated;
};

static int mem_write(void *ctx, uint64_t off, const void *buf, size_t len, struct td_err *e)
{
	struct membuf *m = ctx;

	(void)e;
	if (off >= m->cap) {
		m->truncated = 1;
		return 0;
	}
	if (len > m->cap - off) {
		len = m->cap - off;
		m->truncated = 1;
	}
	memcpy(m->buf + off, buf, len);
	if (off + len > m->len)
		m->len = off + len;
	return 0;
}

/* The log and the signature in one pass, through the function the
 * receiver uses too (td_crashsig_dump): they agree on the same dump. */
struct logwork {
	struct td_dmesg d;
	struct td_crashsig s;
};

void td_run_dmesg(struct td_run *r)
{
	struct membuf m = { r->dmesg, TD_DMESG_MAX, 0, 0 };
	struct td_sink s = { &m, mem_write, NULL };
	struct logwork *w = malloc(sizeof *w);
	struct td_err e;

	if (!w) {
		td_warn(&r->warn, "kernel log not extracted: out of memory");
		return;
	}
	if (td_crashsig_dump(&w->s, &w->d, &r->rs.kread, &r->rs.vi, &s, TD_DMESG_MAX, &e) < 0) {
		td_log("kernel log extraction failed: %s", e.msg);
		td_warn(&r->warn, "kernel log extraction failed: %s", e.msg);
	} else {
		r->dmesg_ok = 1;
		td_log("kernel log: %llu records, %zu bytes", (unsigned long long)w->d.records, m.len);
	}
	if (m.truncated || w->d.truncated)
		td_warn(&r->warn, "kernel log truncated to its first %u bytes", TD_DMESG_MAX);
	r->dmesg_len = m.len;
	memcpy(r->sig, w->s.hex, sizeof r->sig);
	memcpy(r->sig_text, w->s.text, sizeof r->sig_text);
	if (r->sig[0])
		td_log("crash signature %s: %s", r->sig, r->sig_text);
	else
		td_log("crash signature: none (no crash report in the kernel log)");
	free(w);
}

static void progress(void *ctx, uint64_t done, uint64_t total)
{
	struct td_run *r = ctx;
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	if (done < total && since(&r->last, &now) < 1.0)
		return;
	double el = since(&r->t0, &now);
	double mb = (double)r->dump.bytes_written / 1e6;
	double frac = total ? (double)done / (double)total : 1;
	double left = frac > 0.01 ? el / frac - el : 0;
	td_log_progress("dumping %3.0f%%  %.1f MB written  %.1f MB/s  elapsed %.0f s  remaining %.0f s",
			frac * 100, mb, el > 0 ? mb / el : 0, el, left);
	r->last = now;
	r->last_pfn = done;
}

/* Compression on worker threads when more than one CPU is online (the
 * capture kernel usually has one: nr_cpus=1) and compression applies. */
static int dump_with_workers(struct td_run *r, struct td_dump *d, struct td_err *e)
{
	unsigned n = r->threads >= 0 ? (unsigned)r->threads : td_zippool_workers();
	struct td_zippool *pool;
	struct td_zipper z;
	int rc;

	if (n > TD_ZIPPOOL_MAX)
		n = TD_ZIPPOOL_MAX;
	if (n == 0 || d->format != TD_FMT_KDUMP || !d->codec->compress || !(pool = malloc(sizeof *pool)))
		return td_dump_write(d, e);
	if (td_zippool_start(pool, n, d->codec, &z, e) < 0) {
		td_log("compression workers not started (%s); compressing serially", e->msg);
		free(pool);
		return td_dump_write(d, e);
	}
	d->zipper = &z;
	rc = td_dump_write(d, e);
	td_zippool_stop(pool);
	free(pool);
	d->zipper = NULL;
	return rc;
}

int td_run_dump(struct td_run *r, struct td_sink *out, enum td_format format,
		const struct td_codec *codec,
		struct td_err *e)
{
	struct td_dump *d = &r->dump;
	struct timespec end;
	int rc;

	if (!r->first_dump_ms)
		r->first_dump_ms = td_mono_ms();
	memset(d, 0, sizeof *d);
	d->vc = &r->rs.vc;
	d->vi = &r->rs.vi;
	d->ki = &r->ki;
	d->filter = &r->filter;
	d->out = out;
	d->format = format;
	d->codec = codec;
	d->progress = progress;
	d->progress_ctx = r;
	clock_gettime(CLOCK_MONOTONIC, &r->t0);
	r->last = r->t0;
	rc = dump_with_workers(r, d, e);
	td_log_progress_end();
	if (rc == 0 && out->sync && out->sync(out->ctx, e) < 0)
		rc = -1;
	clock_gettime(CLOCK_MONOTONIC, &end);
	r->seconds = since(&r->t0, &end);
	if (r->fs.use_read && !r->read_noted) {
		r->read_noted = 1;
		if (r->fs.mmap_errno)
			td_warn(&r->warn, "mmap of %s failed (%s); read it with read(), which is slower",
				r->fs.path, strerror(r->fs.mmap_errno));
		td_log("%s was read with read()%s", r->fs.path, r->fs.mmap_errno ? " after mmap failed" : "");
	}
	return rc;
}

void td_run_close(struct td_run *r)
{
	td_filesrc_close(&r->fs);
	td_readstack_close(&r->rs);
	free(r->dmesg);
	r->dmesg = NULL;
}
