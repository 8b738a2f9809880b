/* The receiver's metrics (`tinydump receive --metrics ADDR:PORT`): how a
 * connection can end, the counters the receiver's processes share, the
 * Prometheus text format (version 0.0.4) they are served in, and the one
 * HTTP request the endpoint answers. Pure; net/rxmetrics.c maps the
 * counters and serves them.
 *
 * Counts only: no host, client, certificate or file name ever appears in
 * the text (a dump holds secrets, and the endpoint is plain HTTP). The
 * reason labels come from the fixed table in metrics.c. */
#ifndef TD_METRICS_H
#define TD_METRICS_H

#include <stddef.h>
#include <stdint.h>

/* How one accepted connection ended. The first eight follow the reply
 * codes of the protocol (proto.h; docs/PROTOCOL.md), the rest end without
 * a reply. */
enum td_rx_outcome {
	TD_RXO_STORED = 0,        /* code 0: stored complete (a completed upload) */
	TD_RXO_INCOMPLETE,        /* code 1: kept as vmcore.incomplete, as the client said */
	TD_RXO_SPACE,             /* code 2: --min-free, --min-free-inodes, or disk full */
	TD_RXO_PROTOCOL,          /* code 3: malformed message, HELO, stream or JSON */
	TD_RXO_CHECKSUM,          /* code 4: byte count or SHA-256 differ from the trailer */
	TD_RXO_RECEIVER_ERROR,    /* code 5: the receiver could not store it */
	TD_RXO_VERSION,           /* code 6: protocol version not supported */
	TD_RXO_SIZE_BOUND,        /* code 7: a record beyond the HELO size bound */
	TD_RXO_HANDSHAKE,         /* the TLS handshake failed (certificate, suites, garbage) */
	TD_RXO_HANDSHAKE_TIMEOUT, /* the handshake did not end within --handshake-timeout */
	TD_RXO_TIMEOUT,           /* after the handshake, --timeout passed without a byte */
	TD_RXO_DISCONNECTED,      /* the client closed or broke the connection mid-upload */
	TD_RXO_REFUSED,           /* closed at once: --max-clients or --max-per-peer */
	TD_RXO_CRASHED,           /* the session process died without saying how it ended */
	TD_RXO_N
};

/* The reason label of an outcome ("space"); "stored" for TD_RXO_STORED. */
const char *td_rx_outcome_name(unsigned o);

/* The outcome of a reply code (0..TD_R_MAX_CODE); others are receiver errors. */
enum td_rx_outcome td_rx_outcome_of_reply(unsigned code);

/* The counters, in a mapping all the receiver's processes share. Who
 * writes what (net/receive.c): the parent alone counts connections and
 * how they ended, from each session process's exit status; a session adds
 * the bytes it receives as they arrive; the retention process adds what
 * it deletes. Updates are atomic adds and stores (td_count); readers
 * copy with td_rx_counts_copy. */
struct td_rx_counts {
	uint64_t started;          /* connections accepted */
	uint64_t ended[TD_RXO_N];  /* connections ended, by outcome */
	uint64_t bytes;            /* application bytes received from clients */
	uint64_t active;           /* connections being served now (a gauge) */
	uint64_t deleted;          /* dumps deleted by retention */
	uint64_t deleted_bytes;    /* their bytes on disk */
};

static inline void td_count(uint64_t *c, uint64_t n)
{
	__atomic_fetch_add(c, n, __ATOMIC_RELAXED);
}

static inline void td_count_set(uint64_t *c, uint64_t v)
{
	__atomic_store_n(c, v, __ATOMIC_RELAXED);
}

void td_rx_counts_copy(const struct td_rx_counts *shared, struct td_rx_counts *out);

/* What one scrape shows: the counters, the free space of the dump
 * directory's filesystem at scrape time (statvfs: f_bavail * f_frsize, as
 * --min-free counts it; f_favail, left out when the filesystem has no
 * inode limit), and whether retention is on (its counters shown). */
struct td_metrics_view {
	struct td_rx_counts c;
	int have_free;
	uint64_t free_bytes;
	int have_inodes;
	uint64_t free_inodes;
	int retention;
};

#define TD_METRICS_TEXT_MAX 8192
#define TD_METRICS_CONTENT_TYPE "text/plain; version=0.0.4; charset=utf-8"

/* The exposition text: # HELP and # TYPE for each family, every reason of
 * uploads_failed_total present (zeros too, so a rate() has a series from
 * the first scrape). Returns its length, or 0 if cap is too small. */
size_t td_metrics_text(const struct td_metrics_view *v, char *buf, size_t cap);

/* The endpoint's limits: one request per connection, its head at most
 * TD_HTTP_REQUEST_MAX bytes, read within TD_HTTP_TIMEOUT_MS. */
#define TD_HTTP_REQUEST_MAX 4096
#define TD_HTTP_TIMEOUT_MS 2000

/* A request head in buf[0..len). Returns 0 while it may still become valid
 * (no blank line yet), else the status to answer: 200 for GET or HEAD of
 * /metrics (a query string is ignored; *head set for HEAD), 404 for
 * another path, 405 for another method, 400 for anything malformed (a
 * request line that is not METHOD SP /TARGET SP HTTP/1.0 or HTTP/1.1, a
 * header line without a name and ':', control bytes). The caller answers
 * 400 when the head fills TD_HTTP_REQUEST_MAX without ending. */
unsigned td_http_request(const char *buf, size_t len, int *head);

/* The response head for status with a body of body_len bytes (the
 * metrics' content type for 200, plain text otherwise; Connection: close).
 * Returns its length (cap of 256 is enough). */
size_t td_http_head(unsigned status, size_t body_len, char *out, size_t cap);

/* A one-line plain-text body for an error status. */
const char *td_http_error_body(unsigned status);

#endif
