/* Page codecs: how one page is stored in a kdump-compressed file. One row
 * per codec (zlib, zstd, lzo, none): its name as in tinydump.compress=, its kdump flag
 * (page_desc.flags and the header status bit; 0 for none), and functions to
 * compress and decompress one page. Compression state is the caller's
 * td_codec_state, fixed in size and set up once: nothing is allocated in the
 * page loop. The config parser, the writer, the compression batches and the
 * reader all go through this table; a new codec is one file defining its
 * row plus one line in the table (codec.c). */
#ifndef TD_CODEC_H
#define TD_CODEC_H

#include <stddef.h>
#include <stdint.h>

#include "os/err.h"

/* Room for the largest codec's compression state: LZO's work memory and
 * output buffer (codec_lzo.c); zstd's level-1 context needs 72 KiB, zlib's
 * row 21 KiB beside the deflate state zlib allocates itself. */
#define TD_CODEC_STATE_MAX (136u << 10)

struct td_codec {
	const char *name;
	uint32_t kdump_flag;
	/* Set up / release the state in st (TD_CODEC_STATE_MAX bytes); NULL
	 * when the codec has none. */
	int (*init)(void *st, struct td_err *e);
	void (*end)(void *st);
	/* Compress one TD_PAGE_SIZE page into out (TD_PAGE_SIZE bytes of
	 * room): the compressed size, below TD_PAGE_SIZE, or 0 to store the
	 * page raw. NULL: every page is stored raw. */
	uint32_t (*compress)(void *st, const uint8_t *page, uint8_t *out);
	/* Decode len bytes into page: 0 if they give exactly TD_PAGE_SIZE
	 * bytes, else -1. */
	int (*decompress)(const uint8_t *in, uint32_t len, uint8_t *page);
	/* Pages given to the compressor / stored raw without trying; NULL
	 * when not counted. */
	void (*counts)(const void *st, uint64_t *tried, uint64_t *skipped);
};

/* The rows (codec_none.c, codec_deflate.c, pagezip.c, codec_zstd.c,
 * codec_lzo.c). Two rows write zlib pages: zlib (our deflate, the
 * default) and zlib-exact (zlib's, byte-identical to makedumpfile -c);
 * by flag, the reader gets the first. */
extern const struct td_codec td_codec_none, td_codec_zlib, td_codec_zlib_exact, td_codec_zstd, td_codec_lzo;
#define TD_CODEC_DEFAULT (&td_codec_zlib)

/* By tinydump.compress= name, or NULL. */
const struct td_codec *td_codec_by_name(const char *name);
/* By kdump page flag (0: none), or NULL if no row has it. */
const struct td_codec *td_codec_by_flag(uint32_t flag);
/* The names for messages: "zlib or none". */
const char *td_codec_names(void);

/* One compressor's state, caller-owned. */
struct td_codec_state {
	const struct td_codec *codec;
	union {
		uint64_t align;
		unsigned char b[TD_CODEC_STATE_MAX];
	} u;
};

int td_codec_init(struct td_codec_state *cs, const struct td_codec *c, struct td_err *e);
void td_codec_end(struct td_codec_state *cs);
/* The codec's compress (0 when it has none): see struct td_codec. */
uint32_t td_codec_page(struct td_codec_state *cs, const uint8_t *page, uint8_t *out);
void td_codec_counts(const struct td_codec_state *cs, uint64_t *tried, uint64_t *skipped);

#endif
