/* The TLS target: connect, handshake, then preamble, HELO, DMSG, DUMP (the
 * flattened stream, hashed as it goes), TRLR, and wait for RPLY. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "os/log.h"
#include "capture/flat.h"
#include "proto.h"
#include "tls.h"
#include "upload.h"

struct upload {
	struct td_tls *t;
	br_sha256_context sha;
	uint64_t flat_bytes;
	int net_failed;      /* the connection failed: nothing more can be sent */
	int spoke;           /* the receiver replied early */
	int permanent;       /* trying again cannot help (td_upload returns -2) */
	struct td_err net_err;
	char reply[TD_PROTO_TEXT_MAX + 1]; /* the receiver's text */
};

/* Send on the connection; a failure is remembered as the upload's fate. */
static int up_send(struct upload *u, const void *buf, size_t len, struct td_err *e)
{
	if (u->net_failed)
		return td_fail(e, "%s", u->net_err.msg);
	if (td_tls_write(u->t, buf, len, &u->spoke, e) < 0) {
		u->net_failed = 1;
		u->net_err = *e;
		return -1;
	}
	return 0;
}

/* The flattened stream's sequential sink: count, hash, send. */
static int seq_write(void *ctx, uint64_t off, const void *buf, size_t len, struct td_err *e)
{
	struct upload *u = ctx;

	if (off != u->flat_bytes)
		return td_fail(e, "flattened stream out of order (offset %llu, expected %llu)",
			       (unsigned long long)off, (unsigned long long)u->flat_bytes);
	if (up_send(u, buf, len, e) < 0)
		return -1;
	br_sha256_update(&u->sha, buf, len);
	u->flat_bytes += len;
	return 0;
}

static int send_msg(struct upload *u, const char *tag, uint64_t len, const void *body,
		    size_t blen, struct td_err *e)
{
	uint8_t h[TD_PROTO_MSGHDR_SIZE];

	td_msghdr_encode(h, tag, len);
	if (up_send(u, h, sizeof h, e) < 0 || (blen && up_send(u, body, blen, e) < 0))
		return td_wrap(e, "sending %s", tag);
	return 0;
}

static int send_head(struct upload *u, const struct td_payload *p, struct td_err *e)
{
	uint8_t pre[TD_PROTO_PREAMBLE_SIZE], hello[TD_PROTO_HELLO_MAX];
	struct td_hello h = { .crash_time = p->crash_time,
			      .size_bound = p->size_bound ? p->size_bound : TD_FLAT_MAX_END };
	size_t n;

	snprintf(h.node, sizeof h.node, "%s", p->node ? p->node : "");
	snprintf(h.release, sizeof h.release, "%s", p->release ? p->release : "");
	snprintf(h.format, sizeof h.format, "%s", p->format ? p->format : "kdump");
	td_proto_preamble(pre);
	n = td_hello_encode(&h, hello);
	if (p->dmesg_len > TD_PROTO_DMESG_MAX)
		return td_fail(e, "kernel log of %zu bytes is over the protocol's limit", p->dmesg_len);
	if (up_send(u, pre, sizeof pre, e) < 0 || send_msg(u, TD_TAG_HELLO, n, hello, n, e) < 0 ||
	    send_msg(u, TD_TAG_DMESG, p->dmesg_len, p->dmesg, p->dmesg_len, e) < 0)
		return -1;
	return 0;
}

/* Stream the dump; *status says whether the writer finished. */
static int send_dump(struct upload *u, const struct td_payload *p, uint32_t *status,
		     struct td_err *dump_err, struct td_err *e)
{
	struct td_sink seq = { .ctx = u, .write = seq_write };
	struct td_flat_writer w;

	if (send_msg(u, TD_TAG_DUMP, TD_PROTO_STREAM_LEN, NULL, 0, e) < 0)
		return -1;
	br_sha256_init(&u->sha);
	if (td_flat_start(&w, &seq, e) < 0)
		return -1;
	*status = TD_DUMP_COMPLETE;
	if (p->dump(p->ctx, td_flat_sink(&w), dump_err) < 0) {
		if (u->net_failed) {
			*e = *dump_err;
			return -1;
		}
		*status = TD_DUMP_INCOMPLETE;
		td_log("tls:%s: the dump failed (%s); sending what was written as incomplete",
		       u->t->peer, dump_err->msg);
	}
	return td_flat_finish(&w, e);
}

/* The outcome JSON, or a stand-in naming why it is missing. */
static size_t outcome_json(const struct td_payload *p, char *buf)
{
	struct td_err je = { { 0 } };
	size_t n = 0;

	if (p->json && p->json(p->ctx, buf, TD_UPLOAD_JSON_CAP, &je) == 0) {
		n = strnlen(buf, TD_UPLOAD_JSON_CAP);
		if (td_json_text_check((const uint8_t *)buf, n, &je) == 0)
			return n;
	}
	for (char *c = je.msg; *c; c++)
		if (*c == '"' || *c == '\\' || (unsigned char)*c < 0x20)
			*c = '\'';
	n = (size_t)snprintf(buf, TD_UPLOAD_JSON_CAP, "{\"error\": \"outcome JSON unavailable: %s\"}\n",
			     je.msg[0] ? je.msg : "no json callback");
	return n;
}

static int send_trailer(struct upload *u, const struct td_payload *p, uint32_t status,
			struct td_err *e)
{
	struct td_trailer tr = { .status = status, .flat_bytes = u->flat_bytes };
	uint8_t fixed[TD_PROTO_TRAILER_FIXED];
	char *json = malloc(TD_UPLOAD_JSON_CAP + 1);
	size_t n;
	int rc;

	if (!json)
		return td_fail(e, "out of memory for the outcome JSON");
	n = outcome_json(p, json);
	br_sha256_out(&u->sha, tr.sha256);
	td_trailer_encode(&tr, fixed);
	rc = send_msg(u, TD_TAG_TRAILER, sizeof fixed + n, fixed, sizeof fixed, e);
	if (rc == 0)
		rc = up_send(u, json, n, e);
	free(json);
	if (rc == 0 && td_tls_flush(u->t, e) < 0)
		rc = -1;
	return rc;
}

/* Read the receiver's RPLY. */
static int read_reply(struct upload *u, struct td_reply *r, struct td_err *e)
{
	uint8_t h[TD_PROTO_MSGHDR_SIZE], body[TD_PROTO_REPLY_FIXED + TD_PROTO_TEXT_MAX];
	uint64_t len;

	if (td_tls_read_full(u->t, h, sizeof h, e) < 0 ||
	    td_msghdr_decode(h, TD_TAG_REPLY, TD_PROTO_REPLY_FIXED, sizeof body, &len, e) < 0 ||
	    td_tls_read_full(u->t, body, (size_t)len, e) < 0 ||
	    td_reply_decode(body, (size_t)len, r, e) < 0)
		return td_wrap(e, "reading the receiver's answer");
	return 0;
}

static int judge_reply(struct upload *u, const struct td_reply *r, struct td_err *e)
{
	if (r->code == TD_R_STORED)
		return 0;
	/* Another try sends the same bytes: a bad request, an old version or a
	 * record past the size bound would be refused again, and an incomplete
	 * dump (our reads failed) would be as incomplete. Space, checksums and
	 * the receiver's own errors may be different next time, or elsewhere
	 * behind a load balancer. */
	u->permanent = r->code == TD_R_STORED_INCOMPLETE || r->code == TD_R_BAD_REQUEST ||
		       r->code == TD_R_VERSION || r->code == TD_R_BEYOND_SIZE;
	return td_fail(e, "receiver %s answered %s: %s", u->t->peer, td_reply_name(r->code),
		       r->text);
}

/* After a send failure: the receiver may have said why before closing
 * (not when it is stuck: then there is nothing to wait for). */
static int failure_reason(struct upload *u, struct td_err *e)
{
	struct td_reply r;
	struct td_err re;

	if (u->t->timed_out)
		return -1;
	if (!u->spoke)
		u->t->timeout_s = 1; /* a reply, if any, is already on its way */
	if (read_reply(u, &r, &re) == 0 && r.code != TD_R_STORED)
		return judge_reply(u, &r, e);
	return -1;
}

static int run_upload(struct upload *u, const struct td_payload *p, struct td_err *e)
{
	struct td_err dump_err = { { 0 } };
	struct td_reply r;
	uint32_t status;

	if (send_head(u, p, e) < 0 || send_dump(u, p, &status, &dump_err, e) < 0 ||
	    send_trailer(u, p, status, e) < 0) {
		if (u->spoke || u->net_failed)
			failure_reason(u, e);
		return -1;
	}
	if (read_reply(u, &r, e) < 0 || judge_reply(u, &r, e) < 0)
		return -1;
	snprintf(u->reply, sizeof u->reply, "%s", r.text);
	if (status != TD_DUMP_COMPLETE) {
		u->permanent = 1;
		return td_fail(e, "the receiver stored an incomplete dump: %s", dump_err.msg);
	}
	return 0;
}

struct creds {
	struct td_tls_anchors ca;
	struct td_tls_ident id;
	int have_id;
};

static int load_creds(struct creds *c, const char *ca_path, const char *cert_path,
		      const char *key_path, struct td_err *e)
{
	memset(c, 0, sizeof *c);
	if (td_tls_anchors_load(&c->ca, ca_path, e) < 0)
		return td_wrap(e, "loading the CA certificates");
	if (cert_path && access(cert_path, F_OK) == 0) {
		if (!key_path || td_tls_ident_load(&c->id, cert_path, key_path, e) < 0) {
			if (!key_path)
				td_fail(e, "%s exists but no key file was given", cert_path);
			td_tls_anchors_free(&c->ca);
			return td_wrap(e, "loading the client certificate");
		}
		c->have_id = 1;
	}
	return 0;
}

static void free_creds(struct creds *c)
{
	td_tls_anchors_free(&c->ca);
	if (c->have_id)
		td_tls_ident_free(&c->id);
}

/* Load credentials, connect and handshake; t is ready to use on success. */
static int open_session(struct td_tls *t, struct creds *c, const char *host, uint16_t port,
			const char *tls_name, const char *ca_path, unsigned timeout_s,
			struct td_err *e)
{
	struct td_tls_client_cfg cfg = {
		.name = tls_name, .ca = &c->ca, .ca_path = ca_path,
		.ident = c->have_id ? &c->id : NULL, .timeout_s = timeout_s,
	};
	char peer[48];
	int fd;

	snprintf(peer, sizeof peer, "%s:%u", host, port);
	if (td_tcp_connect(host, port, timeout_s, &fd, e) < 0)
		return -1;
	if (td_tls_client(t, fd, peer, &cfg, e) < 0) {
		td_tls_close(t);
		return -1;
	}
	return 0;
}

int td_upload(const struct td_payload *p, const char *host, uint16_t port,
		   const char *tls_name, const char *ca_path, const char *cert_path,
		   const char *key_path, unsigned timeout_s, struct td_err *e)
{
	struct upload u = { 0 };
	struct creds c;
	char desc[96];
	struct timespec t0, t1;
	double secs;
	int rc;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	if (load_creds(&c, ca_path, cert_path, key_path, e) < 0)
		return -2;
	u.t = malloc(sizeof *u.t);
	rc = u.t ? open_session(u.t, &c, host, port, tls_name, ca_path, timeout_s, e)
		 : td_fail(e, "out of memory");
	if (rc == 0) {
		td_tls_describe(u.t, desc, sizeof desc);
		td_log("tls:%s:%u: connected (%s%s)", host, port, desc,
		       c.have_id ? ", with client certificate" : "");
		rc = run_upload(&u, p, e);
		td_tls_close(u.t);
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	secs = (double)(t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9;
	if (rc == 0)
		td_log("tls:%s:%u: receiver stored the dump (%s): %llu bytes streamed in %.1f s, "
		       "%.1f MB/s", host, port, u.reply, (unsigned long long)u.flat_bytes, secs,
		       secs > 0 ? u.flat_bytes / secs / 1e6 : 0.0);
	free(u.t);
	free_creds(&c);
	return rc < 0 && u.permanent ? -2 : rc;
}

int td_upload_probe(const char *host, uint16_t port, const char *tls_name, const char *ca_path,
		    const char *cert_path, const char *key_path, unsigned timeout_s, char *desc,
		    size_t cap, struct td_err *e)
{
	static const char hello[] = "tinydump tls-probe\n";
	struct creds c;
	struct td_tls *t;
	int spoke, rc;

	if (load_creds(&c, ca_path, cert_path, key_path, e) < 0)
		return -1;
	t = malloc(sizeof *t);
	rc = t ? open_session(t, &c, host, port, tls_name, ca_path, timeout_s, e) : td_fail(e, "out of memory");
	if (rc == 0) {
		td_tls_describe(t, desc, cap);
		if (c.have_id)
			snprintf(desc + strlen(desc), cap - strlen(desc), ", with client certificate");
		if (td_tls_write(t, hello, sizeof hello - 1, &spoke, e) < 0 || td_tls_flush(t, e) < 0)
			rc = -1;
		td_tls_close(t);
	}
	free(t);
	free_creds(&c);
	return rc;
}
