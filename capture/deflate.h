/* A deflate encoder for one page at a time (RFC 1950 zlib streams holding
 * one RFC 1951 block), written for kdump pages: every page is its own
 * stream of at most 4 KiB, so the state is sized for that, and nothing is
 * cleared between pages (hash-table entries carry a generation in their
 * high bits). Any zlib inflate reads the output: crash, makedumpfile, drgn.
 * Greedy parse with a short hash chain, one block, dynamic or fixed Huffman
 * codes, whichever is shorter. docs/DECISIONS.md says why it exists. */
#ifndef TD_DEFLATE_H
#define TD_DEFLATE_H

#include <stddef.h>
#include <stdint.h>

enum {
	TD_DEFLATE_MAX_IN = 4096, /* the largest input of one call */
	TD_DEFLATE_HBITS = 14,
};

/* One block's Huffman codes (deflate.c). */
struct td_deflate_codes {
	uint8_t llen[288], dlen[32];
	uint16_t lcodes[288], dcodes[32];
	/* the code-length sequence, run-length coded: symbol | extra << 8 */
	uint16_t cl[286 + 30];
	unsigned ncl, nlit, ndist, nclen;
	uint8_t cllen[19];
	uint16_t clcodes[19];
	/* the symbols that have a code, ascending, and how many per length */
	uint32_t lsyms[288], dsyms[32], clsyms[19];
	unsigned nlsyms, ndsyms, nclsyms;
	unsigned lcount[16], dcount[16], clcount[16];
};

struct td_deflate {
	uint32_t head[1u << TD_DEFLATE_HBITS]; /* base + position; below base: empty */
	uint32_t base;
	uint16_t prev[TD_DEFLATE_MAX_IN];      /* hash chains, valid for this call */
	uint32_t sym[TD_DEFLATE_MAX_IN + 1];   /* literal (dist 0) or match: len << 16 | dist */
	uint16_t lfreq[288], dfreq[32];
	uint8_t dcode[TD_DEFLATE_MAX_IN];      /* distance - 1 -> distance code */
	uint8_t lcode[256];                    /* length - 3 -> length code - 257 */
	struct td_deflate_codes fixed;         /* RFC 1951 3.2.6 */
};

/* Sets up d (about 94 KiB); nothing to free. */
void td_deflate_init(struct td_deflate *d);

/* The zlib stream of in[0, len), len <= TD_DEFLATE_MAX_IN, into out when
 * it takes at most cap bytes: its size; else 0 and out holds garbage (the
 * caller stores the page raw). */
size_t td_deflate_zlib(struct td_deflate *d, const uint8_t *in, size_t len, uint8_t *out, size_t cap);

#endif
