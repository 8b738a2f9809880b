/* The makedumpfile flattened format (`makedumpfile -F`), used where the
 * output cannot seek (the TLS wire). A stream is:
 *   - a 4096-byte start header: "makedumpfile" padded with NULs to 16 bytes,
 *     type = 1 and version = 1 as big-endian int64, zeros to 4096;
 *   - records: a 16-byte header, offset and size as big-endian int64, then
 *     size bytes to be placed at that offset of the rebuilt file;
 *   - an end marker: offset = size = -1 (16 bytes of 0xff).
 * `makedumpfile -R out < stream` (or td_flat_reader) rebuilds the file; the
 * parts no record covers stay holes. Pure: no system calls. */
#ifndef TD_FLAT_H
#define TD_FLAT_H

#include <stddef.h>
#include <stdint.h>

#include "os/err.h"
#include "io.h"

#define TD_FLAT_HEADER_SIZE 4096
#define TD_FLAT_RECHDR_SIZE 16
/* The writer splits larger writes into records of at most this many bytes
 * (makedumpfile flushes 64 KiB; crash's direct reader indexes every record). */
#define TD_FLAT_RECORD_MAX (64u << 10)
/* Records must end at or below this file offset unless the reader is told
 * otherwise: far beyond any real dump, small enough that off + size never
 * overflows. */
#define TD_FLAT_MAX_END (1ull << 50)

/* Writer. Its sink (td_flat_sink) takes the dump writer's random-offset
 * writes and turns each into records, passed on to `seq`, a sink that must
 * accept strictly consecutive offsets starting at 0 (a file written in
 * order, or a network stream that ignores the offset). Nothing is buffered:
 * a record header and the caller's data go to seq as two writes.
 * Zero-length writes produce no record. The sink's sync calls seq's.
 * Use: td_flat_start, dump through td_flat_sink(), td_flat_finish. */
struct td_flat_writer {
	struct td_sink *seq;
	uint64_t pos;      /* stream bytes passed to seq so far */
	uint64_t records;  /* data records written */
	int finished;
	struct td_sink sink;
};

/* Write the start header. */
int td_flat_start(struct td_flat_writer *w, struct td_sink *seq, struct td_err *e);
/* The random-offset side, valid while w lives. */
struct td_sink *td_flat_sink(struct td_flat_writer *w);
/* Write the end marker; later writes fail. */
int td_flat_finish(struct td_flat_writer *w, struct td_err *e);

/* Incremental reader: feed any chunking of a stream; it checks the header
 * (signature, type 1, version 1, zero padding) and every record header
 * (offset >= 0, size > 0, offset + size <= max_end) and calls place() for
 * each piece of record data, in stream order (a record may arrive in
 * several pieces). It stops right after the end marker. */
struct td_flat_reader {
	int (*place)(void *ctx, uint64_t off, const uint8_t *data, size_t len, struct td_err *e);
	void *ctx;
	uint64_t max_end;    /* limit on off + size */
	/* progress, readable by the caller */
	uint64_t pos;        /* stream bytes consumed */
	uint64_t records;    /* data records seen (complete or not) */
	uint64_t file_end;   /* largest off + size seen: the rebuilt file's size */
	/* internal */
	int phase;
	uint8_t hdr[32];     /* header bytes being collected */
	size_t have;
	uint64_t rec_off, rec_left;
};

/* max_end 0 means TD_FLAT_MAX_END. */
void td_flat_reader_init(struct td_flat_reader *r, uint64_t max_end,
			 int (*place)(void *ctx, uint64_t off, const uint8_t *data, size_t len,
				      struct td_err *e),
			 void *ctx);

/* Consume bytes from buf; *used is how many (less than len only when the
 * end marker came first: the rest belongs to whatever follows the stream).
 * Errors name the stream byte: "flattened stream byte 4112: record header:
 * size is 0". After an error the reader stays failed. */
int td_flat_feed(struct td_flat_reader *r, const uint8_t *buf, size_t len, size_t *used,
		 struct td_err *e);

/* 1 once the end marker has been read. */
int td_flat_done(const struct td_flat_reader *r);

#endif
