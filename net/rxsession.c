/* One upload on the receiver: TLS handshake, the protocol of proto.h, and
 * the files of the upload directory (receive.h). Runs in its own process.
 * Every step that fails sets the reply code the client will see. */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <time.h>
#include <unistd.h>

#include "os/dumpdir.h"
#include "os/file.h"
#include "os/json.h"
#include "os/log.h"
#include "capture/flat.h"
#include "clientid.h"
#include "proto.h"
#include "rxsig.h"
#include "rxspace.h"
#include "receive.h"
#include "tls.h"

#define INBUF (64u << 10)
#define SPACE_STEP (8ull << 20) /* re-check free space after this many bytes */

struct rx {
	const struct td_rx_opts *o;
	struct td_tls *t;
	char peer[48];
	char ident[TD_IDENT_MAX + 1];
	char stamp[32];             /* receipt time of the HELO, UTC */
	struct timespec t0;
	char name[TD_IDENT_MAX + 48]; /* the upload directory's name under o->dir */
	int dirfd, vfd;
	unsigned code;              /* reply code of the failure */
	char reply[TD_PROTO_TEXT_MAX + 1]; /* its text, before callers add context */
	struct td_hello hello;
	struct td_trailer tr;
	br_sha256_context sha;
	uint64_t flat_bytes, dmesg_bytes, written_since_check;
	struct td_flat_reader fr;
	uint8_t in[INBUF];          /* bytes read ahead of the protocol parser */
	size_t in_off, in_len;
	uint8_t *json;
	struct td_rxsig sig;        /* ours, from the stored dump */
	char signote[160];          /* for the upload's log line: the signature or why none */
};

static int rfail(struct rx *r, unsigned code, struct td_err *e, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* Set the message (which may be formatted from e->msg itself) and code. */
static int rfail(struct rx *r, unsigned code, struct td_err *e, const char *fmt, ...)
{
	char msg[sizeof e->msg];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	memcpy(e->msg, msg, sizeof msg);
	snprintf(r->reply, sizeof r->reply, "%s", msg);
	r->code = code;
	return -1;
}

/* ---- input ---- */

/* Take up to max bytes that have arrived (reading more when none are
 * buffered). A clean close here is an error: the protocol is not over. */
static int in_some(struct rx *r, const uint8_t **p, size_t max, size_t *n, struct td_err *e)
{
	if (r->in_off == r->in_len) {
		size_t got;

		r->in_off = r->in_len = 0;
		if (td_tls_read(r->t, r->in, sizeof r->in, &got, e) < 0)
			return td_wrap(e, "reading the upload");
		if (got == 0)
			return td_fail(e, "the client ended the session in the middle of the upload");
		r->in_len = got;
		if (r->o->counts)
			td_count(&r->o->counts->bytes, got);
	}
	*n = r->in_len - r->in_off < max ? r->in_len - r->in_off : max;
	*p = r->in + r->in_off;
	return 0;
}

static int in_full(struct rx *r, void *dst, size_t len, struct td_err *e)
{
	uint8_t *d = dst;

	while (len > 0) {
		const uint8_t *p = NULL;
		size_t n = 0;

		if (in_some(r, &p, len, &n, e) < 0)
			return -1;
		memcpy(d, p, n);
		r->in_off += n;
		d += n;
		len -= n;
	}
	return 0;
}

static int in_msghdr(struct rx *r, const char *tag, uint64_t min, uint64_t max, uint64_t *len,
		     struct td_err *e)
{
	uint8_t h[TD_PROTO_MSGHDR_SIZE];

	if (in_full(r, h, sizeof h, e) < 0)
		return -1;
	if (td_msghdr_decode(h, tag, min, max, len, e) < 0)
		return rfail(r, TD_R_BAD_REQUEST, e, "%s", e->msg);
	return 0;
}

/* ---- space and files ---- */

/* Reserve upcoming bytes for this upload (net/rxspace.h): refused when the
 * disk would keep less than --min-free bytes or --min-free-inodes inodes
 * beyond what the other uploads hold. --min-free 0 turns the checks off. */
static int space_ok(struct rx *r, uint64_t upcoming, struct td_err *e)
{
	char why[TD_PROTO_TEXT_MAX];
	int fd = r->dirfd, rc;

	if (r->o->min_free == 0 || !r->o->space)
		return 0;
	if (fd < 0 && (fd = open(r->o->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
		return rfail(r, TD_R_SERVER_ERROR, e, "%s: %s", r->o->dir, strerror(errno));
	rc = td_rxspace_reserve(r->o->space, r->o->space_slot, fd, r->o->min_free,
				r->o->min_free_inodes, upcoming, 5, why, sizeof why);
	if (fd != r->dirfd)
		close(fd);
	if (rc == -2)
		return rfail(r, TD_R_SERVER_ERROR, e, "statvfs %s: %s", r->o->dir, strerror(errno));
	if (rc < 0)
		return rfail(r, TD_R_REFUSED_SPACE, e, "%s", why);
	return 0;
}

/* What the vmcore may write before its first check: one step, or less
 * when the client declared a smaller file. */
static uint64_t first_step(const struct rx *r)
{
	return r->hello.size_bound < SPACE_STEP ? r->hello.size_bound : SPACE_STEP;
}

/* Account for bytes about to be written; every SPACE_STEP, check space and
 * start writeback of the vmcore so far, so that the final fsync (which the
 * client waits for) has little left to do. */
static int space_use(struct rx *r, uint64_t n, struct td_err *e)
{
	r->written_since_check += n;
	if (r->written_since_check < SPACE_STEP)
		return 0;
	r->written_since_check = 0;
	if (r->vfd >= 0)
		sync_file_range(r->vfd, 0, 0, SYNC_FILE_RANGE_WRITE);
	return space_ok(r, SPACE_STEP, e);
}

static int create_file(struct rx *r, const char *name, struct td_err *e)
{
	int fd = td_dumpdir_create(r->dirfd, name, e);

	if (fd < 0)
		rfail(r, TD_R_SERVER_ERROR, e, "%s/%s: %s", r->o->dir, r->name, e->msg);
	return fd;
}

static int write_fail(struct rx *r, const char *file, struct td_err *e)
{
	unsigned code = errno == ENOSPC || errno == EDQUOT ? TD_R_REFUSED_SPACE : TD_R_SERVER_ERROR;

	return rfail(r, code, e, "writing %s/%s/%s: %s", r->o->dir, r->name, file, strerror(errno));
}

/* A whole small file, created, written and fsynced; removed if that fails. */
static int store_file(struct rx *r, const char *name, const void *buf, size_t len,
		      struct td_err *e)
{
	if (td_dumpdir_store(r->dirfd, name, buf, len, e) == 0)
		return 0;
	return write_fail(r, name, e);
}

/* Each name goes into the uploads' table before the directory takes it,
 * so retention never deletes the directory while the upload runs
 * (rxspace.h). */
static void naming(void *ctx, const char *name)
{
	const struct rx *r = ctx;

	td_rxspace_set_dir(r->o->space, r->o->space_slot, name);
}

/* DIR/<identity>-<stamp>[.N] (os/dumpdir.h), holding an empty
 * vmcore.incomplete from the moment it has that name: concurrent uploads,
 * other receivers sharing DIR (over NFS too) and existing dumps never
 * collide, and a receiver that dies at any point leaves a directory marked
 * incomplete, never one that `tinydump list` and retention do not count
 * as a dump. */
static int make_dir(struct rx *r, struct td_err *e)
{
	struct td_dumpdir_naming nm = { naming, r };
	char name[TD_IDENT_MAX + 40];

	snprintf(name, sizeof name, "%s-%s", r->ident, r->stamp);
	r->dirfd = td_dumpdir_make_with(r->o->dir, name, TD_VMCORE_PARTIAL, &r->vfd,
					r->o->space ? &nm : NULL, r->name, sizeof r->name, e);
	if (r->dirfd < 0)
		return rfail(r, TD_R_SERVER_ERROR, e, "%s", e->msg);
	return 0;
}

/* ---- protocol steps ---- */

static int rx_hello(struct rx *r, struct td_err *e)
{
	uint8_t pre[TD_PROTO_PREAMBLE_SIZE], body[TD_PROTO_HELLO_MAX];
	uint64_t len;
	time_t now;
	struct tm tm;

	if (in_full(r, pre, sizeof pre, e) < 0)
		return -1;
	if (td_proto_preamble_check(pre, e) < 0)
		return rfail(r, memcmp(pre, "TINYDUMP", 8) ? TD_R_BAD_REQUEST : TD_R_VERSION, e,
			     "%s", e->msg);
	if (in_msghdr(r, TD_TAG_HELLO, TD_PROTO_HELLO_FIXED, TD_PROTO_HELLO_MAX, &len, e) < 0 ||
	    in_full(r, body, (size_t)len, e) < 0)
		return -1;
	if (td_hello_decode(body, (size_t)len, &r->hello, e) < 0)
		return rfail(r, TD_R_BAD_REQUEST, e, "%s", e->msg);
	now = time(NULL);
	strftime(r->stamp, sizeof r->stamp, "%Y-%m-%d-%H:%M:%S", gmtime_r(&now, &tm));
	return 0;
}

static int rx_dmesg(struct rx *r, struct td_err *e)
{
	uint64_t len, off = 0;
	int fd, rc = 0;

	if (in_msghdr(r, TD_TAG_DMESG, 0, TD_PROTO_DMESG_MAX, &len, e) < 0 ||
	    space_ok(r, len + first_step(r), e) < 0 || (fd = create_file(r, "dmesg.txt", e)) < 0)
		return -1;
	while (rc == 0 && off < len) {
		const uint8_t *p = NULL;
		size_t n = 0;

		if ((rc = in_some(r, &p, len - off, &n, e)) < 0)
			break;
		if ((rc = space_use(r, n, e)) < 0)
			break;
		if (td_write_all(fd, p, n, (int64_t)off) < 0)
			rc = write_fail(r, "dmesg.txt", e);
		r->in_off += n;
		off += n;
	}
	if (rc == 0 && fsync(fd) < 0)
		rc = write_fail(r, "dmesg.txt", e);
	close(fd);
	if (rc < 0)
		unlinkat(r->dirfd, "dmesg.txt", 0); /* no half-written file beside a dump */
	r->dmesg_bytes = len;
	return rc;
}

/* Every piece of record data must lie below the size HELO declared, so a
 * few bytes cannot make a file of terabytes (holes cost no disk, but every
 * tool that reads the vmcore would walk them). */
static int place(void *ctx, uint64_t off, const uint8_t *data, size_t len, struct td_err *e)
{
	struct rx *r = ctx;

	if (off >= r->hello.size_bound || len > r->hello.size_bound - off)
		return rfail(r, TD_R_BEYOND_SIZE, e, "refused: a record at offset %llu (%zu bytes) "
			     "ends beyond the %llu bytes the client declared in HELO",
			     (unsigned long long)off, len, (unsigned long long)r->hello.size_bound);

	if (space_use(r, len, e) < 0)
		return -1;
	if (td_write_all(r->vfd, data, len, (int64_t)off) < 0)
		return write_fail(r, TD_VMCORE_PARTIAL, e);
	return 0;
}

static int rx_dump(struct rx *r, struct td_err *e)
{
	uint64_t len;

	if (in_msghdr(r, TD_TAG_DUMP, 0, TD_PROTO_STREAM_LEN, &len, e) < 0)
		return -1;
	br_sha256_init(&r->sha);
	td_flat_reader_init(&r->fr, 0, place, r);
	while (!td_flat_done(&r->fr)) {
		const uint8_t *p = NULL;
		size_t n = 0, used;

		if (in_some(r, &p, SIZE_MAX, &n, e) < 0)
			return -1;
		if (td_flat_feed(&r->fr, p, n, &used, e) < 0)
			return r->code ? -1 : rfail(r, TD_R_BAD_REQUEST, e, "%s", e->msg);
		br_sha256_update(&r->sha, p, used);
		r->in_off += used;
	}
	r->flat_bytes = r->fr.pos;
	return 0;
}

static int rx_trailer(struct rx *r, struct td_err *e)
{
	uint8_t fixed[TD_PROTO_TRAILER_FIXED], sha[32];
	uint64_t len;

	if (in_msghdr(r, TD_TAG_TRAILER, TD_PROTO_TRAILER_FIXED + 1,
		      TD_PROTO_TRAILER_FIXED + TD_PROTO_JSON_MAX, &len, e) < 0 ||
	    in_full(r, fixed, sizeof fixed, e) < 0)
		return -1;
	if (td_trailer_decode(fixed, len, &r->tr, e) < 0)
		return rfail(r, TD_R_BAD_REQUEST, e, "%s", e->msg);
	r->json = malloc(r->tr.json_len);
	if (!r->json)
		return rfail(r, TD_R_SERVER_ERROR, e, "out of memory for %u bytes of JSON",
			     r->tr.json_len);
	if (in_full(r, r->json, r->tr.json_len, e) < 0)
		return -1;
	if (td_json_text_check(r->json, r->tr.json_len, e) < 0)
		return rfail(r, TD_R_BAD_REQUEST, e, "%s", e->msg);
	br_sha256_out(&r->sha, sha);
	if (r->tr.flat_bytes != r->flat_bytes || memcmp(sha, r->tr.sha256, sizeof sha) != 0)
		return rfail(r, TD_R_CHECKSUM, e,
			     "dump stream does not match the trailer (%llu bytes received, "
			     "trailer says %llu; SHA-256 %s)", (unsigned long long)r->flat_bytes,
			     (unsigned long long)r->tr.flat_bytes,
			     memcmp(sha, r->tr.sha256, sizeof sha) ? "differs" : "matches");
	return 0;
}

/* ---- storing ---- */

/* s is printable ASCII (checked by the decoder); escape '"' and '\'. */
static void json_str(char *out, size_t cap, const char *s)
{
	size_t n = 0;

	for (; *s && n + 3 < cap; s++) {
		if (*s == '"' || *s == '\\')
			out[n++] = '\\';
		out[n++] = *s;
	}
	out[n] = 0;
}

static double seconds_since(const struct timespec *t0)
{
	struct timespec t1;

	clock_gettime(CLOCK_MONOTONIC, &t1);
	return (double)(t1.tv_sec - t0->tv_sec) + (t1.tv_nsec - t0->tv_nsec) / 1e9;
}

static int receiver_json(struct rx *r, struct td_err *e)
{
	char node[2 * TD_PROTO_NAME_MAX + 1], rel[2 * TD_PROTO_NAME_MAX + 1], fmt[40];
	char sha[65], sigtext[6 * TD_CRASHSIG_TEXT + 3], buf[6144];
	int n;

	json_str(node, sizeof node, r->hello.node);
	json_str(rel, sizeof rel, r->hello.release);
	json_str(fmt, sizeof fmt, r->hello.format);
	td_json_quote(r->sig.text, sigtext, sizeof sigtext);
	for (int i = 0; i < 32; i++)
		snprintf(sha + 2 * i, 3, "%02x", r->tr.sha256[i]);
	n = snprintf(buf, sizeof buf,
		     "{\n  \"identity\": \"%s\",\n  \"peer\": \"%s\",\n"
		     "  \"client_certificate\": %s,\n  \"received_utc\": \"%s\",\n"
		     "  \"node\": \"%s\",\n  \"kernel_release\": \"%s\",\n"
		     "  \"crash_time\": %lld,\n  \"signature\": \"%s\",\n  \"signature_text\": %s,\n"
		     "  \"format\": \"%s\",\n  \"complete\": %s,\n"
		     "  \"dmesg_bytes\": %llu,\n  \"stream_bytes\": %llu,\n"
		     "  \"vmcore_bytes\": %llu,\n  \"stream_sha256\": \"%s\",\n"
		     "  \"seconds\": %.3f\n}\n",
		     r->ident, r->peer, r->o->client_ca ? "true" : "false", r->stamp, node, rel,
		     (long long)r->hello.crash_time, r->sig.hex, sigtext, fmt,
		     r->tr.status == TD_DUMP_COMPLETE ? "true" : "false",
		     (unsigned long long)r->dmesg_bytes, (unsigned long long)r->flat_bytes,
		     (unsigned long long)r->fr.file_end, sha, seconds_since(&r->t0));
	if (n < 0 || (size_t)n >= sizeof buf)
		return rfail(r, TD_R_SERVER_ERROR, e, "receiver.json longer than %zu bytes", sizeof buf);
	return store_file(r, "receiver.json", buf, (size_t)n, e);
}

/* Our signature of the stored dump (rxsig.h); none, said on the upload's
 * one log line, if the dump's log cannot be read: the upload is stored all
 * the same. */
static void signature(struct rx *r)
{
	struct td_err e;
	int fd = openat(r->dirfd, TD_VMCORE_PARTIAL, O_RDONLY | O_CLOEXEC);

	if (fd < 0 || td_rxsig(fd, r->fr.file_end, &r->sig, &e) < 0)
		snprintf(r->signote, sizeof r->signote, "no crash signature (%s)",
			 fd < 0 ? strerror(errno) : e.msg);
	else if (r->sig.hex[0])
		snprintf(r->signote, sizeof r->signote, "crash signature %s", r->sig.hex);
	else
		snprintf(r->signote, sizeof r->signote, "no crash signature (no crash report in its log)");
	if (fd >= 0)
		close(fd);
}

/* Make every file durable, then (if the client's dump was complete) name
 * the vmcore complete and fsync the directory. Only then may the client be
 * told it is stored: a full disk leaves vmcore.incomplete and no half
 * written JSON file, never a vmcore beside a truncated record. */
static int rx_store(struct rx *r, struct td_err *e)
{
	if (fsync(r->vfd) < 0)
		return write_fail(r, TD_VMCORE_PARTIAL, e);
	signature(r);
	if (store_file(r, "tinydump.json", r->json, r->tr.json_len, e) < 0 ||
	    receiver_json(r, e) < 0)
		return -1;
	if (r->tr.status != TD_DUMP_COMPLETE)
		return fsync(r->dirfd) < 0 ? write_fail(r, ".", e) : 0;
	if (td_dumpdir_complete(r->dirfd, e) < 0)
		return write_fail(r, TD_VMCORE_PARTIAL, e);
	return 0;
}

static void send_reply(struct rx *r, unsigned code, const char *text)
{
	uint8_t h[TD_PROTO_MSGHDR_SIZE], body[TD_PROTO_REPLY_FIXED + TD_PROTO_TEXT_MAX];
	size_t n = td_reply_encode(code, text, body);
	struct td_err e;
	int spoke;

	td_msghdr_encode(h, TD_TAG_REPLY, n);
	td_tls_ignore_input(r->t); /* the client may still be streaming */
	if (td_tls_write(r->t, h, sizeof h, &spoke, &e) == 0 &&
	    td_tls_write(r->t, body, n, &spoke, &e) == 0)
		td_tls_flush(r->t, &e);
}

/* The directory name's identity: with --client-ca the certificate's CN
 * (checked during the handshake: never empty, at most TD_CN_MAX bytes, no
 * NUL) in its injective directory-name form; without, the peer address. */
static void set_identity(struct rx *r, const char *cn, const char *addr)
{
	if (*cn)
		td_ident_encode(cn, r->ident, sizeof r->ident);
	else
		snprintf(r->ident, sizeof r->ident, "%s", addr);
}

static int rx_run(struct rx *r, struct td_err *e)
{
	if (rx_hello(r, e) < 0 ||
	    space_ok(r, first_step(r), e) < 0 ||
	    make_dir(r, e) < 0 ||
	    rx_dmesg(r, e) < 0 || rx_dump(r, e) < 0 || rx_trailer(r, e) < 0 || rx_store(r, e) < 0)
		return -1;
	return 0;
}

static void log_outcome(struct rx *r, int rc, const struct td_err *e)
{
	double s = seconds_since(&r->t0);
	const char *cn = *td_tls_peer_cn(r->t) ? r->ident : ""; /* sanitised */

	if (rc == 0)
		td_log("receive: %s%s%s: stored %s/%s (node %s, %s): vmcore %llu bytes, "
		       "dmesg %llu bytes, %.1f s, %.1f MB/s, %s%s", r->peer, *cn ? " CN=" : "", cn,
		       r->o->dir, r->name, r->hello.node, r->hello.release,
		       (unsigned long long)r->fr.file_end, (unsigned long long)r->dmesg_bytes, s,
		       s > 0 ? r->flat_bytes / s / 1e6 : 0.0, r->signote,
		       r->tr.status == TD_DUMP_COMPLETE ? "" : " (client: dump incomplete; "
		       "kept as vmcore.incomplete)");
	else
		td_log("receive: %s%s%s: failed%s%s%s: %s", r->peer, *cn ? " CN=" : "", cn,
		       r->name[0] ? " (partial upload left in " : "", r->name[0] ? r->name : "",
		       r->name[0] ? ")" : "", e->msg);
}

/* How the session ended, for the metrics (metrics.h). */
static enum td_rx_outcome outcome(const struct rx *r, int rc)
{
	if (rc == 0)
		return r->tr.status == TD_DUMP_COMPLETE ? TD_RXO_STORED : TD_RXO_INCOMPLETE;
	if (!r->t->established)
		return r->t->timed_out ? TD_RXO_HANDSHAKE_TIMEOUT : TD_RXO_HANDSHAKE;
	if (r->code)
		return td_rx_outcome_of_reply(r->code);
	return r->t->timed_out ? TD_RXO_TIMEOUT : TD_RXO_DISCONNECTED;
}

enum td_rx_outcome td_rx_serve(int fd, const char *peer, const struct td_rx_opts *o,
			       const struct td_tls_ident *id, const struct td_tls_anchors *client_ca)
{
	enum td_rx_outcome how;
	struct td_tls_server_cfg cfg = { .ident = id, .client_ca = client_ca,
					 .client_ca_path = o->client_ca, .timeout_s = o->timeout_s,
					 .handshake_s = o->handshake_s };
	struct rx *r = calloc(1, sizeof *r);
	struct td_err e = { { 0 } };
	char addr[48], *colon;
	int rc;

	if (!r || !(r->t = malloc(sizeof *r->t))) {
		td_log("receive: %s: out of memory", peer);
		close(fd);
		free(r);
		return TD_RXO_RECEIVER_ERROR;
	}
	r->o = o;
	r->dirfd = r->vfd = -1;
	snprintf(r->peer, sizeof r->peer, "%s", peer);
	clock_gettime(CLOCK_MONOTONIC, &r->t0);
	rc = td_tls_server(r->t, fd, peer, &cfg, &e);
	if (rc == 0) {
		snprintf(addr, sizeof addr, "%s", peer);
		if ((colon = strrchr(addr, ':')))
			*colon = 0;
		set_identity(r, td_tls_peer_cn(r->t), addr);
		rc = rx_run(r, &e);
		if (rc == 0 && r->tr.status == TD_DUMP_COMPLETE)
			snprintf(r->reply, sizeof r->reply, "stored as %s/vmcore", r->name);
		else if (rc == 0)
			snprintf(r->reply, sizeof r->reply, "kept as %s/vmcore.incomplete, as the "
				 "client's dump was incomplete", r->name);
		if (rc == 0 || r->code)
			send_reply(r, rc ? r->code : r->tr.status == TD_DUMP_COMPLETE ? TD_R_STORED
				   : TD_R_STORED_INCOMPLETE, r->reply);
	}
	log_outcome(r, rc, &e);
	how = outcome(r, rc);
	td_tls_close(r->t);
	if (r->vfd >= 0)
		close(r->vfd);
	if (r->dirfd >= 0)
		close(r->dirfd);
	free(r->json);
	free(r->t);
	free(r);
	return how;
}
