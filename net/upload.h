/* The TLS target (DESIGN.md `tls:HOST:PORT`): stream one dump to a
 * `tinydump receive` over TLS 1.2 with the protocol of proto.h. */
#ifndef TD_UPLOAD_H
#define TD_UPLOAD_H

#include <stddef.h>
#include <stdint.h>

#include "os/err.h"
#include "capture/io.h"

/* What a target delivers, produced on demand. */
struct td_payload {
	const char *node, *release;  /* from the crashed kernel (cut to 64, made printable) */
	const char *format;          /* "kdump" (TLS always sends kdump) */
	int64_t crash_time;          /* seconds since 1970 UTC */
	/* No write of dump() ends beyond this offset (declared in HELO; the
	 * receiver refuses records beyond it). 0: unknown, declared as
	 * TD_FLAT_MAX_END. */
	uint64_t size_bound;
	const char *dmesg;           /* kernel log text, may be NULL when dmesg_len is 0 */
	size_t dmesg_len;            /* <= 64 MiB */
	/* Write the kdump file through out (random offsets, non-overlapping,
	 * as td_dump_write does). -1 on failure: if out itself failed, the
	 * upload is over; otherwise the stream is ended and sent as
	 * incomplete, and the receiver keeps it as vmcore.incomplete. */
	int (*dump)(void *ctx, struct td_sink *out, struct td_err *e);
	/* The outcome JSON (tinydump.json), called after dump(): a NUL-terminated
	 * JSON object in buf (cap is TD_UPLOAD_JSON_CAP). If it fails, a small
	 * {"error": ...} object is sent instead. */
	int (*json)(void *ctx, char *buf, size_t cap, struct td_err *e);
	void *ctx;
};

#define TD_UPLOAD_JSON_CAP (256u << 10)

/* Default files (DESIGN.md). */
#define TD_TLS_CA_PATH "/etc/tinydump/ca.pem"
#define TD_TLS_CERT_PATH "/etc/tinydump/client.pem"
#define TD_TLS_KEY_PATH "/etc/tinydump/client.key"

/* Connect to host:port (IPv4 literal), check the server certificate against
 * ca_path and the DNS name tls_name, present the client certificate when
 * cert_path exists (then key_path must too; NULL: none), stream the dump
 * and wait for the receiver's answer. timeout_s bounds the connect and
 * every stall (never a transfer that moves). Memory: about 100 KiB plus the
 * JSON buffer, whatever the dump size; nothing of the dump is buffered.
 * Returns 0 only when the receiver acknowledged the dump as stored and
 * fsynced; otherwise -1 with e saying why (the receiver's own text when it
 * answered with an error), or -2 when sending the same again cannot help
 * (our credentials do not load; the receiver refused the request itself;
 * the dump is incomplete). Logs one line on connect and one on the end. */
int td_upload(const struct td_payload *p, const char *host, uint16_t port,
	      const char *tls_name, const char *ca_path, const char *cert_path,
	      const char *key_path, unsigned timeout_s, struct td_err *e);

/* A handshake only (what `tinydump tls-probe` shows): connect, check as
 * td_upload does, send one line, close. The negotiated version and suite
 * go to desc. 0 or -1. */
int td_upload_probe(const char *host, uint16_t port, const char *tls_name, const char *ca_path,
		    const char *cert_path, const char *key_path, unsigned timeout_s, char *desc,
		    size_t cap, struct td_err *e);

#endif
