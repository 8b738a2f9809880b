/* How the pure library touches bytes: it reads the vmcore through a source
 * and writes output through a sink. Neither side makes system calls here;
 * init/ provides mmap- and file-backed ones, tests provide buffers. */
#ifndef TD_IO_H
#define TD_IO_H

#include <stddef.h>
#include <stdint.h>

#include "os/err.h"

/* The largest len a caller may pass to td_source.get. */
#define TD_SOURCE_MAX_GET (1u << 20)

struct td_source {
	void *ctx;
	uint64_t size; /* bytes in the vmcore file */
	/* Return a pointer to len (<= TD_SOURCE_MAX_GET) bytes at file offset
	 * off, valid until the next get on this source. Reads past size fail. */
	const uint8_t *(*get)(void *ctx, uint64_t off, size_t len, struct td_err *e);
};

/* An output. Writers call write() with regions that never overlap; a file
 * sink does pwrite, a stream sink (flattened format, network) accepts any
 * order. sync() makes everything durable; it may be NULL. */
struct td_sink {
	void *ctx;
	int (*write)(void *ctx, uint64_t off, const void *buf, size_t len, struct td_err *e);
	int (*sync)(void *ctx, struct td_err *e);
};

/* A source over a caller-owned buffer (tests, fuzzers, offline tools). */
struct td_membuf {
	const uint8_t *data;
	uint64_t size;
};
void td_source_mem(struct td_source *s, struct td_membuf *m);

/* Byte-order helpers for on-disk and wire formats. */
static inline uint16_t td_le16(const uint8_t *p) { return (uint16_t)(p[0] | p[1] << 8); }
static inline uint32_t td_le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}
static inline uint64_t td_le64(const uint8_t *p) { return td_le32(p) | (uint64_t)td_le32(p + 4) << 32; }
static inline void td_put_le16(uint8_t *p, uint16_t v) { p[0] = (uint8_t)v; p[1] = (uint8_t)(v >> 8); }
static inline void td_put_le32(uint8_t *p, uint32_t v)
{
	td_put_le16(p, (uint16_t)v);
	td_put_le16(p + 2, (uint16_t)(v >> 16));
}
static inline void td_put_le64(uint8_t *p, uint64_t v)
{
	td_put_le32(p, (uint32_t)v);
	td_put_le32(p + 4, (uint32_t)(v >> 32));
}
static inline uint64_t td_be64(const uint8_t *p)
{
	uint64_t v = 0;
	for (int i = 0; i < 8; i++)
		v = v << 8 | p[i];
	return v;
}
static inline void td_put_be64(uint8_t *p, uint64_t v)
{
	for (int i = 7; i >= 0; i--, v >>= 8)
		p[i] = (uint8_t)v;
}

#endif
