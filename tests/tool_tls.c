/* Test tool for the flattened format, the TLS target and the receiver.
 *   tool_tls receive ARGS...         td_cmd_receive (as `tinydump receive`)
 *   tool_tls probe ARGS...           td_cmd_tlsprobe
 *   tool_tls upload --host H --port P --file KDUMP [--dmesg F] [--ca F] [--cert F --key F]
 *            [--name N] [--timeout S] [--seed N] [--fail-at BYTES] [--node N] [--pace-ms MS]
 *            [--signature S]  (tinydump.json claims this crash signature)
 *            [--json-pad BYTES]  (a tinydump.json of about that size, for full-disk tests)
 *            [--size-bound BYTES]   (declared in HELO; default the file's size)
 *       td_upload with a payload whose dump() writes FILE through the sink
 *       in shuffled chunks of random size (zero chunks skipped, except the
 *       last, so the rebuilt file has holes exactly there)
 *   tool_tls flat IN OUT [--seed N]  the same chunks through td_flat_writer into OUT
 *   tool_tls unflat IN OUT            rebuild with td_flat_reader (fed in random pieces)
 * Exit status 0 on success. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "os/log.h"
#include "capture/flat.h"
#include "net/receive.h"
#include "net/upload.h"
#include "init/commands.h"

struct chunk {
	uint64_t off;
	uint32_t len;
};

struct src {
	const uint8_t *data;
	uint64_t size;
	struct chunk *c;
	size_t n;
	uint64_t fail_at; /* 0: never */
	unsigned pace_ms; /* sleep between chunks (slow uploads for fault tests) */
	size_t json_pad;  /* pad tinydump.json to about this many bytes */
	const char *sig;  /* the signature tinydump.json claims, or NULL */
};

static uint64_t rng = 88172645463325252ull;

static uint64_t next(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static int map_file(const char *path, struct src *s)
{
	int fd = open(path, O_RDONLY);
	struct stat st;

	if (fd < 0 || fstat(fd, &st) < 0) {
		fprintf(stderr, "%s: %s\n", path, strerror(errno));
		return -1;
	}
	s->size = (uint64_t)st.st_size;
	s->data = s->size ? mmap(NULL, s->size, PROT_READ, MAP_PRIVATE, fd, 0) : NULL;
	close(fd);
	return s->size && s->data == MAP_FAILED ? -1 : 0;
}

static int all_zero(const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i])
			return 0;
	return 1;
}

/* Random-size chunks, zero ones dropped (but never the last), shuffled. */
static void make_chunks(struct src *s)
{
	uint64_t off = 0;
	size_t cap = 0;

	s->c = NULL;
	s->n = 0;
	while (off < s->size) {
		uint32_t len = (uint32_t)(next() % (300u << 10)) + 1;

		if (s->n == cap) {
			cap = cap ? 2 * cap : 1024;
			s->c = realloc(s->c, cap * sizeof *s->c);
		}

		if (len > s->size - off)
			len = (uint32_t)(s->size - off);
		if (off + len == s->size || !all_zero(s->data + off, len))
			s->c[s->n++] = (struct chunk){ off, len };
		off += len;
	}
	for (size_t i = s->n; i > 1; i--) {
		size_t j = next() % i;
		struct chunk t = s->c[i - 1];

		s->c[i - 1] = s->c[j];
		s->c[j] = t;
	}
}

static int dump_cb(void *ctx, struct td_sink *out, struct td_err *e)
{
	struct src *s = ctx;
	uint64_t done = 0;

	for (size_t i = 0; i < s->n; i++) {
		if (s->fail_at && done + s->c[i].len > s->fail_at)
			return td_fail(e, "test: simulated dump failure after %llu bytes",
				       (unsigned long long)done);
		if (out->write(out->ctx, s->c[i].off, s->data + s->c[i].off, s->c[i].len, e) < 0)
			return -1;
		if (s->pace_ms)
			usleep(s->pace_ms * 1000);
		done += s->c[i].len;
	}
	return out->sync ? out->sync(out->ctx, e) : 0;
}

static int json_cb(void *ctx, char *buf, size_t cap, struct td_err *e)
{
	struct src *s = ctx;

	size_t pad = s->json_pad < cap - 128 ? s->json_pad : cap - 128;

	(void)e;
	int n = snprintf(buf, cap, "{\n  \"version\": \"test\",\n%s%s%s  \"bytes_written\": %llu,\n  \"pad\": \"",
			 s->sig ? "  \"signature\": \"" : "", s->sig ? s->sig : "", s->sig ? "\",\n" : "",
			 (unsigned long long)s->size);
	memset(buf + n, 'p', pad);
	snprintf(buf + n + pad, cap - n - pad, "\"\n}\n");
	return 0;
}

static const char *arg(int argc, char **argv, const char *k, const char *def)
{
	for (int i = 1; i + 1 < argc; i++)
		if (!strcmp(argv[i], k))
			return argv[i + 1];
	return def;
}

static char *slurp(const char *path, size_t *len)
{
	static char buf[1 << 20];
	int fd = open(path, O_RDONLY);
	ssize_t n = fd < 0 ? -1 : read(fd, buf, sizeof buf);

	if (fd >= 0)
		close(fd);
	*len = n > 0 ? (size_t)n : 0;
	return buf;
}

static int cmd_upload(int argc, char **argv)
{
	struct src s = { 0 };
	struct td_payload p = { .node = arg(argc, argv, "--node", "testnode"),
				.release = "6.1.0-test", .format = "kdump",
				.crash_time = 1700000000, .dump = dump_cb, .json = json_cb, .ctx = &s };
	struct td_err e = { { 0 } };
	const char *dm = arg(argc, argv, "--dmesg", NULL);

	rng += strtoull(arg(argc, argv, "--seed", "1"), NULL, 0);
	s.fail_at = strtoull(arg(argc, argv, "--fail-at", "0"), NULL, 0);
	s.pace_ms = (unsigned)atoi(arg(argc, argv, "--pace-ms", "0"));
	s.json_pad = strtoull(arg(argc, argv, "--json-pad", "0"), NULL, 0);
	s.sig = arg(argc, argv, "--signature", NULL);
	if (map_file(arg(argc, argv, "--file", ""), &s) < 0)
		return 2;
	make_chunks(&s);
	/* The file's size is the bound, unless --size-bound says otherwise. */
	p.size_bound = strtoull(arg(argc, argv, "--size-bound", "0"), NULL, 0);
	if (!p.size_bound)
		p.size_bound = s.size ? s.size : 1;
	if (dm)
		p.dmesg = slurp(dm, &p.dmesg_len);
	if (td_upload(&p, arg(argc, argv, "--host", "127.0.0.1"),
			   (uint16_t)atoi(arg(argc, argv, "--port", "0")),
			   arg(argc, argv, "--name", "tinydump-receiver"),
			   arg(argc, argv, "--ca", TD_TLS_CA_PATH), arg(argc, argv, "--cert", NULL),
			   arg(argc, argv, "--key", NULL),
			   (unsigned)atoi(arg(argc, argv, "--timeout", "10")), &e) < 0) {
		td_log("upload failed: %s", e.msg);
		free(s.c);
		return 1;
	}
	free(s.c);
	return 0;
}

/* A sequential file sink: offsets must be consecutive. */
static int seq_write(void *ctx, uint64_t off, const void *buf, size_t len, struct td_err *e)
{
	FILE *f = ctx;

	if ((uint64_t)ftello(f) != off)
		return td_fail(e, "non-sequential write at %llu", (unsigned long long)off);
	return fwrite(buf, 1, len, f) == len ? 0 : td_fail(e, "write: %s", strerror(errno));
}

static int cmd_flat(int argc, char **argv)
{
	struct src s = { 0 };
	FILE *f;
	struct td_sink seq;
	struct td_flat_writer w;
	struct td_err e = { { 0 } };

	if (argc < 3 || map_file(argv[1], &s) < 0 || !(f = fopen(argv[2], "w")))
		return 2;
	rng += strtoull(arg(argc, argv, "--seed", "1"), NULL, 0);
	make_chunks(&s);
	seq = (struct td_sink){ .ctx = f, .write = seq_write };
	if (td_flat_start(&w, &seq, &e) < 0 || dump_cb(&s, td_flat_sink(&w), &e) < 0 ||
	    td_flat_finish(&w, &e) < 0 || fclose(f) != 0) {
		fprintf(stderr, "flat: %s\n", e.msg);
		free(s.c);
		return 1;
	}
	free(s.c);
	return 0;
}

static int place(void *ctx, uint64_t off, const uint8_t *data, size_t len, struct td_err *e)
{
	int fd = *(int *)ctx;

	return pwrite(fd, data, len, (off_t)off) == (ssize_t)len ? 0
		: td_fail(e, "pwrite: %s", strerror(errno));
}

static int cmd_unflat(int argc, char **argv)
{
	struct src s = { 0 };
	struct td_flat_reader r;
	struct td_err e = { { 0 } };
	uint64_t off = 0;
	int fd;

	if (argc < 3 || map_file(argv[1], &s) < 0 ||
	    (fd = open(argv[2], O_WRONLY | O_CREAT | O_EXCL, 0644)) < 0)
		return 2;
	td_flat_reader_init(&r, 0, place, &fd);
	while (off < s.size && !td_flat_done(&r)) {
		size_t len = (size_t)(next() % 100000) + 1, used;

		if (len > s.size - off)
			len = (size_t)(s.size - off);
		if (td_flat_feed(&r, s.data + off, len, &used, &e) < 0) {
			fprintf(stderr, "unflat: %s\n", e.msg);
			return 1;
		}
		off += used;
	}
	if (!td_flat_done(&r) || off != s.size) {
		fprintf(stderr, "unflat: %s\n", td_flat_done(&r) ? "data after the end marker"
								: "stream ends before its end marker");
		return 1;
	}
	return close(fd) == 0 ? 0 : 1;
}

int main(int argc, char **argv)
{
	if (argc < 2)
		return 2;
	if (!strcmp(argv[1], "receive"))
		return td_cmd_receive(argc - 1, argv + 1);
	if (!strcmp(argv[1], "probe"))
		return td_cmd_tlsprobe(argc - 1, argv + 1);
	if (!strcmp(argv[1], "upload"))
		return cmd_upload(argc - 1, argv + 1);
	if (!strcmp(argv[1], "flat"))
		return cmd_flat(argc - 1, argv + 1);
	if (!strcmp(argv[1], "unflat"))
		return cmd_unflat(argc - 1, argv + 1);
	return 2;
}
