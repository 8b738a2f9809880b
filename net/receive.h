/* `tinydump receive`: the TLS receiver run on the collecting host.
 *
 *   tinydump receive --listen ADDR:PORT --dir DIR --cert C --key K
 *                    [--client-ca CA] [--min-free BYTES] [--timeout S]
 *                    [--max-clients N] [--max-per-peer N] [--handshake-timeout S]
 *                    [--keep-days N] [--max-bytes SIZE] [--metrics ADDR:PORT]
 *
 * One process per connection (fork), up to --max-clients (default 128) at
 * once and --max-per-peer (default 16) from one IPv4 address; a connection
 * over either limit is closed at once. The whole TLS handshake must end
 * within --handshake-timeout (default 15 s), however the peer paces it. Each upload is stored as
 *   DIR/<identity>-<receipt time UTC YYYY-MM-DD-HH:MM:SS>[.N]/
 *       dmesg.txt, vmcore, tinydump.json (the client's), receiver.json
 * where identity is the client certificate's CN (with --client-ca; bytes
 * outside [A-Za-z0-9.-] and a leading '.' as %XX, clientid.h) or the peer's
 * IPv4 address. Nothing the client sends
 * becomes part of a path. vmcore is rebuilt from the flattened stream as
 * vmcore.incomplete and renamed only after the stream's byte count and
 * SHA-256 match the trailer; the client is acknowledged only after all
 * files and the directory are fsynced. Nothing existing is ever
 * overwritten, and nothing is deleted unless the operator asks for
 * retention: --keep-days and --max-bytes (rxretain.h, retain.h). An upload
 * that would bring free space below --min-free (default 1 GiB; K, M, G, T
 * suffixes) is refused with a reply the client logs. --timeout (default
 * 600 s) bounds each wait for the client, including the silence while its
 * dump writer counts pages before streaming. --metrics serves counters in
 * the Prometheus text format over plain HTTP (rxmetrics.h). */
#ifndef TD_RECEIVE_H
#define TD_RECEIVE_H

#include <stdint.h>

#include "metrics.h"
#include "rxspace.h"
#include "tlscred.h"

struct td_rx_opts {
	char listen_host[48];
	uint16_t port;
	const char *dir;
	const char *cert, *key, *client_ca;
	uint64_t min_free;      /* bytes kept free (default 1 GiB; 0: no checks) */
	uint64_t min_free_inodes; /* inodes kept free (default 1024) */
	struct td_rxspace *space; /* the uploads' shared reservations */
	unsigned space_slot;    /* this upload's slot in it (set in the child) */
	unsigned timeout_s;
	unsigned max_clients;
	unsigned max_per_peer;  /* connections from one IPv4 address */
	unsigned handshake_s;   /* deadline for the whole TLS handshake */
	unsigned keep_days;     /* retention: delete dumps older than this (0: never) */
	uint64_t max_bytes;     /* retention: complete dumps' bytes on disk (0: no limit) */
	char metrics_host[48];  /* --metrics ADDR:PORT; port 0: no metrics */
	uint16_t metrics_port;
	struct td_rx_counts *counts; /* the shared counters (metrics.h), or NULL */
};

/* Parse the command line (argv[0] is "receive"); fails with a message. */
int td_rx_parse(struct td_rx_opts *o, int argc, char **argv, struct td_err *e);

/* Serve one accepted connection to the end, logging one line for it.
 * Returns how it ended: TD_RXO_STORED (0) when the upload was stored
 * complete and acknowledged. */
enum td_rx_outcome td_rx_serve(int fd, const char *peer, const struct td_rx_opts *o,
			       const struct td_tls_ident *id,
			       const struct td_tls_anchors *client_ca);

/* The command: exit status (runs until killed). */
int td_cmd_receive(int argc, char **argv);

#endif
