/* Where the crashed kernel's struct pages are: SPARSEMEM_EXTREME with
 * VMEMMAP, as on every x86_64 6.1 kernel (makedumpfile get_mm_sparsemem).
 * Virtual addresses go through the architecture's page-table walker
 * (arch.h), which the caller owns.
 *
 * SYMBOL(mem_section) is the root array of NR_SECTION_ROOTS pointers; each
 * root points to a page of struct mem_section, whose section_mem_map holds
 * flag bits 0..4 and the mem_map pointer pre-biased by -section_start_pfn.
 * Every read goes through the page-table walk; nothing is kept per section,
 * so memory does not depend on RAM size (one root page is cached). */
#ifndef TD_MEMMAP_H
#define TD_MEMMAP_H

#include <stdint.h>

#include "os/err.h"
#include "arch.h"
#include "page.h"
#include "vmcoreinfo.h"

/* The largest SIZE(page) accepted (6.1 x86_64: 64). */
#define TD_MEMMAP_MAX_PAGE 128u
/* struct pages read at a time (makedumpfile PGMM_CACHED). */
#define TD_MEMMAP_CHUNK 512u

struct td_memmap {
	struct td_walker *walk;
	uint64_t root_array;     /* SYMBOL(mem_section) */
	uint64_t nr_roots;       /* NR_SECTION_ROOTS */
	uint64_t per_root;       /* sections per root: page / SIZE(mem_section) */
	uint64_t sec_size;       /* SIZE(mem_section) */
	uint64_t map_off;        /* OFFSET(mem_section.section_mem_map) */
	uint64_t page_size;      /* SIZE(page) */
	unsigned sec_shift;      /* SECTION_SIZE_BITS - PAGE_SHIFT */
	/* the last root page read */
	uint64_t cached_root;    /* root index, or UINT64_MAX */
	int cached_state;        /* 1 read, 0 null root, -1 unreadable */
	char cached_err[200];
	uint8_t root[TD_PAGE_SIZE];
	/* the last vmemmap translation (a 2 MiB page covers 32768 struct
	 * pages): [last_va, last_va + last_size) -> last_pa */
	uint64_t last_va, last_pa, last_size;
};

/* From VMCOREINFO: SYMBOL(mem_section), LENGTH(mem_section),
 * SIZE(mem_section), OFFSET(mem_section.section_mem_map), SIZE(page),
 * NUMBER(SECTION_SIZE_BITS), NUMBER(MAX_PHYSMEM_BITS). Fails (with the
 * reason) if one is missing or implausible, or the layout is not
 * SPARSEMEM_EXTREME. */
int td_memmap_init(struct td_memmap *m, struct td_walker *walk, const struct td_vmcoreinfo *vi,
		   struct td_err *e);

/* The struct page array of section sec (pfns sec << sec_shift ...):
 * 1 with *map = virtual address of the section's first struct page;
 * 0 if the section is not present (no mem_map, as makedumpfile: its pfns
 * are not examined); -1 if the mem_section data cannot be read or is
 * implausible (e says why). */
int td_memmap_section(struct td_memmap *m, uint64_t sec, uint64_t *map, struct td_err *e);

/* The struct pages of pfns pfn .. pfn + TD_MEMMAP_CHUNK - 1, read one
 * vmemmap page at a time when first asked for: a scan that jumps over
 * free blocks reads only the pages it looks at. */
#define TD_MEMMAP_CHUNK_PAGES (TD_MEMMAP_CHUNK * TD_MEMMAP_MAX_PAGE / TD_PAGE_SIZE + 1)
struct td_memmap_chunk {
	uint64_t pfn;            /* UINT64_MAX: none */
	uint64_t va;             /* virtual address of pfn's struct page */
	char err[160];           /* why a page was unreadable, or "" */
	uint8_t state[TD_MEMMAP_CHUNK_PAGES];  /* 0 unread, 1 read, 2 unreadable */
	uint8_t data[TD_MEMMAP_CHUNK_PAGES * TD_PAGE_SIZE];
};

/* Start chunk cp (chunk-aligned) of the section that starts at pfn secpfn
 * and whose mem_map is at map. Reads nothing yet. */
void td_memmap_chunk(struct td_memmap *m, struct td_memmap_chunk *c, uint64_t map, uint64_t secpfn,
		     uint64_t cp);

/* The n struct pages from slot idx of the chunk (idx + n <= CHUNK), or NULL
 * if a byte of them cannot be read (c->err says why). Each vmemmap page is
 * translated and read once. */
const uint8_t *td_memmap_pages(struct td_memmap *m, struct td_memmap_chunk *c, unsigned idx,
			       unsigned n);

#endif
