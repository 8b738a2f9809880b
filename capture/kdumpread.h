/* Reading kdump-compressed files ("KDUMP   ", makedumpfile's format and
 * ours): header versions 1..6, the sub-header, the copied ELF notes (and so
 * VMCOREINFO), both bitmaps, page descriptors by rank, and page data stored
 * with any codec of the codec table (codec.h: raw or zlib today); a page
 * whose flag no row has (LZO, snappy, zstd) fails with a clear
 * "unsupported compression flag" error. The flattened format is not read
 * here.
 *
 * Memory is the caller's td_kdump (about 80 KiB) whatever the dump size:
 * bitmap blocks and descriptors are read on demand into one-block caches,
 * and the rank of a pfn (its descriptor index) comes from prefix counts
 * kept per group of bitmap blocks. Everything in the file is untrusted:
 * each offset and size is checked, and errors name the pfn. */
#ifndef TD_KDUMPREAD_H
#define TD_KDUMPREAD_H

#include <stdint.h>

#include "io.h"
#include "kdumpfmt.h"
#include "kread.h"

#define TD_KDUMP_RANK_SLOTS 8192   /* prefix counts; 1 TiB at one per block */

struct td_kdump_desc {
	uint64_t offset;         /* absolute file offset of the data */
	uint32_t size, flags;
	uint64_t page_flags;
};

struct td_kdump {
	struct td_source *src;
	/* disk_dump_header */
	char signature[9];
	int32_t header_version;
	char uts[6][66];         /* NUL-terminated copies of the 65-byte fields */
	uint64_t tv_sec, tv_usec;
	uint32_t status, block_size, sub_hdr_size, bitmap_blocks, max_mapnr32;
	int32_t nr_cpus;
	/* kdump_sub_header; fields newer than header_version are 0 */
	uint64_t phys_base;
	int32_t dump_level, split;
	uint64_t start_pfn, end_pfn;
	uint64_t offset_vmcoreinfo, size_vmcoreinfo, offset_note, size_note;
	uint64_t offset_eraseinfo, size_eraseinfo;
	uint64_t start_pfn_64, end_pfn_64, max_mapnr_64;
	/* derived */
	uint64_t max_mapnr;      /* max_mapnr_64 (v6+) or max_mapnr32 */
	uint64_t bitmap_off[2];  /* 1st and 2nd bitmap; equal if only one */
	uint64_t bitmap_len;     /* bytes of each bitmap */
	uint64_t desc_off;       /* descriptor table */
	uint64_t dumpable;       /* set 2nd-bitmap bits below max_mapnr */
	uint64_t data_off;       /* desc_off + 24 * dumpable: first page data */
	/* rank index: rank[i] = set 2nd-bitmap bits before block i * rank_step */
	uint64_t rank[TD_KDUMP_RANK_SLOTS];
	uint64_t rank_step;
	/* caches */
	uint64_t bm_blk[2];      /* block held in bm[], UINT64_MAX if none */
	uint8_t bm[2][TD_KDUMP_BLOCK];
	uint64_t rank_blk;       /* 2nd-bitmap block whose start rank is... */
	uint64_t rank_at;        /* ...this, UINT64_MAX if none */
	uint64_t dc_first, dc_n; /* descriptors [dc_first, + dc_n) in dc[] */
	uint8_t dc[TD_KDUMP_DESC_SIZE * 170];
	uint64_t page_pfn;       /* pfn held in page[], UINT64_MAX if none */
	uint8_t page[TD_PAGE_SIZE];
};

/* Parse and check the headers (the notes must lie in the file and be at
 * most TD_MAX_NOTES bytes), and scan the 2nd bitmap once to build the
 * rank index. src must outlive k. */
int td_kdump_open(struct td_kdump *k, struct td_source *src, struct td_err *e);

/* Is pfn set in bitmap which (1 = RAM, 2 = dumpable)? 0/1, -1 on error.
 * pfns at or past max_mapnr are 0. */
int td_kdump_bit(struct td_kdump *k, int which, uint64_t pfn, struct td_err *e);

/* The descriptor of pfn: 1 and *d, 0 if pfn is excluded (no descriptor),
 * -1 on error (the descriptor table is cut short, read error). */
int td_kdump_desc(struct td_kdump *k, uint64_t pfn, struct td_kdump_desc *d, struct td_err *e);

/* The page of pfn, decompressed and checked; valid until the next call on
 * k. NULL with an error naming the pfn if it is excluded, lost or corrupt. */
const uint8_t *td_kdump_page(struct td_kdump *k, uint64_t pfn, struct td_err *e);

/* A td_physread over k (reads may span pages). */
void td_kdump_physread(struct td_kdump *k, struct td_physread *pr);

/* Bytes td_kdump_load_notes needs: the notes (v4+) or else the bare
 * VMCOREINFO text (v3); 0 if the file has neither. At most TD_MAX_NOTES. */
uint64_t td_kdump_notes_size(const struct td_kdump *k);

/* Copy the notes (or the v3 VMCOREINFO) into buf (td_kdump_notes_size
 * bytes) and find the VMCOREINFO text in it: buf + *vi_off, *vi_len bytes. */
int td_kdump_load_notes(struct td_kdump *k, uint8_t *buf, uint64_t *vi_off, uint64_t *vi_len,
			struct td_err *e);

/* Does the file start with a diskdump-family signature ("KDUMP   ", or
 * "DISKDUMP", which td_kdump_open rejects by name)? p holds 8 bytes. */
int td_kdump_probe(const uint8_t *p);

#endif
