/* The receiver's metrics text and its HTTP request (metrics.h): pure. */
#include <stdio.h>
#include <string.h>

#include "os/strbuf.h"
#include "metrics.h"
#include "proto.h"

static const char *const outcome_names[TD_RXO_N] = {
	[TD_RXO_STORED] = "stored",
	[TD_RXO_INCOMPLETE] = "incomplete",
	[TD_RXO_SPACE] = "space",
	[TD_RXO_PROTOCOL] = "protocol",
	[TD_RXO_CHECKSUM] = "checksum",
	[TD_RXO_RECEIVER_ERROR] = "receiver_error",
	[TD_RXO_VERSION] = "version",
	[TD_RXO_SIZE_BOUND] = "size_bound",
	[TD_RXO_HANDSHAKE] = "handshake",
	[TD_RXO_HANDSHAKE_TIMEOUT] = "handshake_timeout",
	[TD_RXO_TIMEOUT] = "timeout",
	[TD_RXO_DISCONNECTED] = "disconnected",
	[TD_RXO_REFUSED] = "too_many_connections",
	[TD_RXO_CRASHED] = "crashed",
};

const char *td_rx_outcome_name(unsigned o)
{
	return o < TD_RXO_N ? outcome_names[o] : "unknown";
}

enum td_rx_outcome td_rx_outcome_of_reply(unsigned code)
{
	static const unsigned char of_reply[TD_R_MAX_CODE + 1] = {
		[TD_R_STORED] = TD_RXO_STORED,
		[TD_R_STORED_INCOMPLETE] = TD_RXO_INCOMPLETE,
		[TD_R_REFUSED_SPACE] = TD_RXO_SPACE,
		[TD_R_BAD_REQUEST] = TD_RXO_PROTOCOL,
		[TD_R_CHECKSUM] = TD_RXO_CHECKSUM,
		[TD_R_SERVER_ERROR] = TD_RXO_RECEIVER_ERROR,
		[TD_R_VERSION] = TD_RXO_VERSION,
		[TD_R_BEYOND_SIZE] = TD_RXO_SIZE_BOUND,
	};

	return code <= TD_R_MAX_CODE ? (enum td_rx_outcome)of_reply[code] : TD_RXO_RECEIVER_ERROR;
}

void td_rx_counts_copy(const struct td_rx_counts *s, struct td_rx_counts *out)
{
	out->started = __atomic_load_n(&s->started, __ATOMIC_RELAXED);
	for (unsigned i = 0; i < TD_RXO_N; i++)
		out->ended[i] = __atomic_load_n(&s->ended[i], __ATOMIC_RELAXED);
	out->bytes = __atomic_load_n(&s->bytes, __ATOMIC_RELAXED);
	out->active = __atomic_load_n(&s->active, __ATOMIC_RELAXED);
	out->deleted = __atomic_load_n(&s->deleted, __ATOMIC_RELAXED);
	out->deleted_bytes = __atomic_load_n(&s->deleted_bytes, __ATOMIC_RELAXED);
}

/* ---- the exposition text ---- */

#define PFX "tinydump_receiver_"

/* One family's # HELP and # TYPE lines. */
static void family(struct td_strbuf *t, const char *name, const char *type, const char *help)
{
	td_strbuf_put(t, "# HELP " PFX "%s %s\n# TYPE " PFX "%s %s\n", name, help, name, type);
}

static void one(struct td_strbuf *t, const char *name, const char *type, const char *help,
		uint64_t v)
{
	family(t, name, type, help);
	td_strbuf_put(t, PFX "%s %llu\n", name, (unsigned long long)v);
}

size_t td_metrics_text(const struct td_metrics_view *v, char *buf, size_t cap)
{
	struct td_strbuf t = { buf, cap, 0, 0 };
	const struct td_rx_counts *c = &v->c;

	one(&t, "uploads_started_total", "counter",
	    "Connections accepted; each ends as completed or failed.", c->started);
	one(&t, "uploads_completed_total", "counter",
	    "Uploads stored complete and acknowledged (reply code 0).", c->ended[TD_RXO_STORED]);
	family(&t, "uploads_failed_total", "counter",
	       "Connections that ended without a complete dump stored, by reason.");
	for (unsigned o = TD_RXO_STORED + 1; o < TD_RXO_N; o++)
		td_strbuf_put(&t, PFX "uploads_failed_total{reason=\"%s\"} %llu\n", outcome_names[o],
		    (unsigned long long)c->ended[o]);
	one(&t, "bytes_received_total", "counter",
	    "Bytes of uploads received from clients (TLS application data).", c->bytes);
	one(&t, "active_connections", "gauge", "Connections being served now.", c->active);
	if (v->have_free)
		one(&t, "free_bytes", "gauge",
		    "Bytes free on the dump directory's filesystem (statvfs f_bavail * f_frsize).",
		    v->free_bytes);
	if (v->have_inodes)
		one(&t, "free_inodes", "gauge",
		    "Inodes free on the dump directory's filesystem (statvfs f_favail).",
		    v->free_inodes);
	if (v->retention) {
		one(&t, "retention_deleted_total", "counter",
		    "Dump directories deleted by retention (--keep-days, --max-bytes).", c->deleted);
		one(&t, "retention_deleted_bytes_total", "counter",
		    "Bytes on disk (allocated blocks) freed by retention.", c->deleted_bytes);
	}
	return t.over || cap == 0 ? 0 : t.len;
}

/* ---- the request ---- */

/* RFC 9110 token characters. */
static int tchar(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       (c && strchr("!#$%&'*+-.^_`|~", c));
}

/* The line s[0..n) without its CR. */
static size_t unline(const char *s, size_t n)
{
	return n && s[n - 1] == '\r' ? n - 1 : n;
}

static unsigned request_line(const char *s, size_t n, int *head)
{
	const char *sp1 = memchr(s, ' ', n), *sp2, *path;
	size_t mlen, plen;

	if (!sp1 || sp1 == s)
		return 400;
	mlen = (size_t)(sp1 - s);
	sp2 = memchr(sp1 + 1, ' ', n - mlen - 1);
	if (!sp2 || sp2 == sp1 + 1 || sp1[1] != '/')
		return 400;
	if ((size_t)(s + n - sp2 - 1) != 8 ||
	    (memcmp(sp2 + 1, "HTTP/1.0", 8) && memcmp(sp2 + 1, "HTTP/1.1", 8)))
		return 400;
	for (size_t i = 0; i < mlen; i++)
		if (!tchar(s[i]))
			return 400;
	path = sp1 + 1;
	plen = (size_t)(sp2 - path);
	for (size_t i = 0; i < plen; i++)
		if ((unsigned char)path[i] <= 0x20 || (unsigned char)path[i] >= 0x7f)
			return 400;
	*head = mlen == 4 && !memcmp(s, "HEAD", 4);
	if (!*head && !(mlen == 3 && !memcmp(s, "GET", 3)))
		return 405;
	if (memchr(path, '?', plen))
		plen = (size_t)((const char *)memchr(path, '?', plen) - path);
	return plen == 8 && !memcmp(path, "/metrics", 8) ? 200 : 404;
}

/* "Name: value": a token, then ':' at once. */
static int header_ok(const char *s, size_t n)
{
	const char *colon = memchr(s, ':', n);

	if (!colon || colon == s)
		return 0;
	for (const char *p = s; p < colon; p++)
		if (!tchar(*p))
			return 0;
	return 1;
}

unsigned td_http_request(const char *buf, size_t len, int *head)
{
	size_t at = 0;
	unsigned status = 0;

	*head = 0;
	for (size_t i = 0; i < len; i++) /* no control bytes but CR, LF and tab, nor NUL */
		if (((unsigned char)buf[i] < 0x20 && buf[i] != '\r' && buf[i] != '\n' &&
		     buf[i] != '\t') || buf[i] == 0x7f)
			return 400;
	for (unsigned line = 0;; line++) {
		const char *lf = memchr(buf + at, '\n', len - at);
		size_t n;

		if (!lf)
			return 0; /* the head has not ended yet */
		n = unline(buf + at, (size_t)(lf - buf - at));
		if (line == 0)
			status = request_line(buf, n, head);
		else if (n == 0)
			return status;
		else if (!header_ok(buf + at, n))
			return 400;
		at = (size_t)(lf - buf) + 1;
	}
}

static const struct {
	unsigned status;
	const char *reason, *body;
} statuses[] = {
	{ 200, "OK", "" },
	{ 400, "Bad Request", "bad request: want GET /metrics HTTP/1.1\n" },
	{ 404, "Not Found", "not found: the metrics are at /metrics\n" },
	{ 405, "Method Not Allowed", "method not allowed: GET or HEAD\n" },
	{ 408, "Request Timeout", "request timeout\n" },
	{ 500, "Internal Server Error", "internal error\n" },
};

static unsigned find(unsigned status)
{
	unsigned i = 0;

	while (i + 1 < sizeof statuses / sizeof statuses[0] && statuses[i].status != status)
		i++;
	return i; /* an unknown status reads as 500, the last */
}

const char *td_http_error_body(unsigned status)
{
	return statuses[find(status)].body;
}

size_t td_http_head(unsigned status, size_t body_len, char *out, size_t cap)
{
	unsigned i = find(status);
	int n = snprintf(out, cap, "HTTP/1.1 %u %s\r\nContent-Type: %s\r\nContent-Length: %zu\r\n"
			 "%sConnection: close\r\n\r\n", statuses[i].status, statuses[i].reason,
			 statuses[i].status == 200 ? TD_METRICS_CONTENT_TYPE
						   : "text/plain; charset=utf-8",
			 body_len, statuses[i].status == 405 ? "Allow: GET, HEAD\r\n" : "");

	return n < 0 || (size_t)n >= cap ? 0 : (size_t)n;
}
