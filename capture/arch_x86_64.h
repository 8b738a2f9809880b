/* The x86_64 row of the architecture table (td_arch_x86_64, arch.h) and its
 * walker state. Only arch_x86_64.c and tests include this header; the rest
 * of capture/ sees x86_64 through the row.
 *
 * x86_64 kernel virtual-to-physical translation by a software walk of the
 * crashed kernel's own page tables (init_top_pgt), 4- and 5-level, with
 * 1 GiB and 2 MiB pages and the SME mask. It sees memory only through a
 * td_physread, so it is tested on the host with hand-written tables.
 * Every address is walked, as makedumpfile does; there is no linear
 * shortcut or fallback here (kaddr.h puts the kernel-image and direct-map
 * rules in front of this walk for the readers that want them). */
#ifndef TD_ARCH_X86_64_H
#define TD_ARCH_X86_64_H

#include <stdint.h>

#include "arch.h"

struct td_x86 {
	struct td_physread *mem;
	uint64_t root_pa;        /* physical address of init_top_pgt */
	int levels;              /* 4 or 5 */
	uint64_t pte_mask;       /* bits 12..51 without sme_mask */
	int64_t phys_base;
	uint64_t page_offset;    /* direct-map base, 0 if unknown */
	/* small cache of page-table pages, so a vmemmap scan does not re-read
	 * the same PMD page for every struct page */
	uint64_t cache_pa[8];
	uint8_t cache[8][4096];  /* page-table pages are 4 KiB */
	unsigned cache_next;
};

/* From VMCOREINFO: SYMBOL(init_top_pgt), NUMBER(phys_base),
 * NUMBER(pgtable_l5_enabled), NUMBER(sme_mask). page_offset may be 0. */
int td_x86_init(struct td_x86 *x, struct td_physread *mem, const struct td_vmcoreinfo *vi,
		uint64_t page_offset, struct td_err *e);

/* Translate va. Page size of the mapping in *pgsize if not NULL. */
int td_x86_vtop(struct td_x86 *x, uint64_t va, uint64_t *pa, uint64_t *pgsize, struct td_err *e);

#endif
