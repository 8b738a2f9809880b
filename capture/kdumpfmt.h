/* Constants of the kdump-compressed format ("KDUMP   ", makedumpfile's
 * disk_dump_header version 6) that the writer (kdumpwrite.c) and the reader
 * (kdumpread.c) share: structure sizes, the block size, header status bits
 * and page_desc flags. The per-page codec flags are also the codec rows'
 * (codec.h). */
#ifndef TD_KDUMPFMT_H
#define TD_KDUMPFMT_H

#include "page.h"

#define TD_KDUMP_HDR_SIZE 464      /* disk_dump_header, 64-bit layout */
#define TD_KDUMP_SUBHDR_SIZE 104   /* kdump_sub_header v6 */
#define TD_KDUMP_DESC_SIZE 24      /* page_desc */
/* Header, sub-header and bitmaps are placed in blocks of the page size;
 * this is the one block size written and accepted. */
#define TD_KDUMP_BLOCK TD_PAGE_SIZE

/* page_desc.flags and header status bits */
#define TD_KDUMP_F_ZLIB 0x1
#define TD_KDUMP_F_LZO 0x2
#define TD_KDUMP_F_SNAPPY 0x4
#define TD_KDUMP_F_INCOMPLETE 0x8
#define TD_KDUMP_F_EXCL_VMEMMAP 0x10
#define TD_KDUMP_F_ZSTD 0x20

#endif
