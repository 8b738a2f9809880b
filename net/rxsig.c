/* The receiver's signature of a stored dump (rxsig.h). */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "capture/kdumpread.h"
#include "capture/readstack.h"
#include "rxsig.h"

/* What the child computes, and the parent reads in one piece. */
struct result {
	int ok;
	struct td_rxsig s;
	char msg[256];
};

/* The dump through pread: no mapping of a client's file. */
struct fdsrc {
	int fd;
	uint64_t size;
	uint8_t *buf;          /* TD_SOURCE_MAX_GET bytes */
};

static const uint8_t *fd_get(void *ctx, uint64_t off, size_t len, struct td_err *e)
{
	struct fdsrc *f = ctx;
	size_t got = 0;

	if (len > TD_SOURCE_MAX_GET || off > f->size || len > f->size - off) {
		td_fail(e, "read of %zu bytes at %llu outside the dump", len, (unsigned long long)off);
		return NULL;
	}
	while (got < len) {
		ssize_t n = pread(f->fd, f->buf + got, len - got, (off_t)(off + got));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			td_fail(e, "reading the dump: %s", n ? strerror(errno) : "short file");
			return NULL;
		}
		got += (size_t)n;
	}
	return f->buf;
}

struct work {
	struct fdsrc f;
	struct td_source src;
	struct td_readstack rs;
	struct td_kdump kd;
	struct td_walker walk;
	struct td_warnings warn;
	struct td_dmesg d;
	struct td_crashsig cs;
};

static int compute(struct work *w, struct result *r, struct td_err *e)
{
	const uint8_t *p;

	w->src = (struct td_source){ &w->f, w->f.size, fd_get };
	if (!(p = w->f.size >= 16 ? fd_get(&w->f, 0, 16, e) : NULL))
		return td_fail(e, "too short for a dump");
	if (memcmp(p, "\177ELF", 4) && !td_kdump_probe(p))
		return td_fail(e, "neither an ELF vmcore nor a kdump-compressed file");
	if (td_readstack_open(&w->rs, &w->src, memcmp(p, "\177ELF", 4) ? &w->kd : NULL, &w->walk,
			      &w->warn, e) < 0)
		return -1;
	if (td_crashsig_dump(&w->cs, &w->d, &w->rs.kread, &w->rs.vi, NULL, TD_CRASHSIG_LOG_MAX, e) < 0)
		return -1;
	memcpy(r->s.hex, w->cs.hex, sizeof r->s.hex);
	memcpy(r->s.text, w->cs.text, sizeof r->s.text);
	return 0;
}

static void child(int fd, uint64_t size, int out)
{
	struct rlimit cpu = { TD_RXSIG_CPU_S, TD_RXSIG_CPU_S };
	struct result r = { 0 };
	struct work *w = calloc(1, sizeof *w);
	struct td_err e;

	setrlimit(RLIMIT_CPU, &cpu);
	alarm(TD_RXSIG_WALL_S);
	if (!w || !(w->f.buf = malloc(TD_SOURCE_MAX_GET))) {
		td_fail(&e, "out of memory");
	} else {
		w->f.fd = fd;
		w->f.size = size;
		r.ok = compute(w, &r, &e) == 0;
		td_readstack_close(&w->rs);
	}
	if (!r.ok)
		memcpy(r.msg, e.msg, sizeof r.msg - 1);
	_exit(write(out, &r, sizeof r) == (ssize_t)sizeof r ? 0 : 1);
}

/* The child's result: all of it, or nothing. */
static int collect(int in, struct result *r)
{
	size_t got = 0;

	while (got < sizeof *r) {
		ssize_t n = read(in, (char *)r + got, sizeof *r - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		got += (size_t)n;
	}
	r->s.hex[sizeof r->s.hex - 1] = r->s.text[sizeof r->s.text - 1] = r->msg[sizeof r->msg - 1] = '\0';
	return 0;
}

int td_rxsig(int fd, uint64_t size, struct td_rxsig *s, struct td_err *e)
{
	struct result r = { 0 };
	int p[2], st = 0, got;
	pid_t pid;

	memset(s, 0, sizeof *s);
	if (pipe(p) < 0)
		return td_fail(e, "pipe: %s", strerror(errno));
	if ((pid = fork()) == 0) {
		close(p[0]);
		child(fd, size, p[1]);
	}
	close(p[1]);
	if (pid < 0) {
		close(p[0]);
		return td_fail(e, "fork: %s", strerror(errno));
	}
	got = collect(p[0], &r);
	close(p[0]);
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	if (got < 0 || !WIFEXITED(st))
		return td_fail(e, "the reader ended %s %d", WIFSIGNALED(st) ? "by signal" : "with status",
			       WIFSIGNALED(st) ? WTERMSIG(st) : WEXITSTATUS(st));
	if (!r.ok)
		return td_fail(e, "%s", r.msg);
	*s = r.s;
	return 0;
}
