/* Kernel-virtual reads without page tables, by the two linear maps that
 * cover what dmesg and kinfo need, with the constants of the architecture
 * row (arch.h):
 *   kernel image  [kimage_base, + KERNEL_IMAGE_SIZE):
 *                 pa = va - kimage_base + phys_base
 *   direct map    [page_offset, + 2^MAX_PHYSMEM_BITS):  pa = va - page_offset
 * Anything else (vmalloc, vmemmap, modules) goes to an optional fallback
 * reader, normally the page-table walker (td_walker_kread). Because the
 * linear rules come first, a dump whose page tables are corrupt still
 * yields its log buffer and kernel data. */
#ifndef TD_KADDR_H
#define TD_KADDR_H

#include <stdint.h>

#include "arch.h"
#include "kread.h"
#include "vmcoreinfo.h"

struct td_kaddr {
	struct td_physread *mem;
	uint64_t kimage_base;    /* the row's */
	int64_t phys_base;
	uint64_t kimage_size;    /* NUMBER(KERNEL_IMAGE_SIZE), else the row's */
	uint64_t page_offset;    /* direct-map base; 0 = unknown */
	uint64_t dmap_size;      /* 2^MAX_PHYSMEM_BITS */
	struct td_kread *other;  /* fallback for other addresses, may be NULL */
};

/* phys_base, KERNEL_IMAGE_SIZE and MAX_PHYSMEM_BITS come from vi (with the
 * row's defaults when absent); page_offset from the caller (the ELF
 * PT_LOADs know it, a kdump file does not: pass 0). other may be NULL. */
void td_kaddr_init(struct td_kaddr *k, const struct td_arch *a, struct td_physread *mem,
		   const struct td_vmcoreinfo *vi, uint64_t page_offset, struct td_kread *other);

/* Translate va by the linear rules only; -1 if neither covers it. */
int td_kaddr_vtop(const struct td_kaddr *k, uint64_t va, uint64_t *pa, struct td_err *e);

/* A td_kread over k. A read may span regions: each piece goes to the
 * linear rule that covers it or, page by page, to the fallback. */
void td_kaddr_kread(struct td_kaddr *k, struct td_kread *kr);

#endif
