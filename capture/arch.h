/* The architecture seam: what capture/ knows about a CPU architecture, as
 * one row of constants and functions per architecture (arch_x86_64.c), and
 * a page-table walker that runs a row over caller-owned state.
 *
 * The row is chosen from the dump itself: the ELF e_machine of a vmcore
 * (vmcore.c) or the utsname machine of a kdump file (readstack.c). Nothing
 * outside the row's file knows an address, a page-table format or a
 * constant of its architecture. Another architecture is one new file
 * defining its row plus one line in the table (arch.c). */
#ifndef TD_ARCH_H
#define TD_ARCH_H

#include <stddef.h>
#include <stdint.h>

#include "kread.h"
#include "page.h"
#include "vmcoreinfo.h"

/* Room for the largest row's walker state (x86_64: about 33 KiB, most of
 * it a cache of page-table pages). */
#define TD_ARCH_STATE_MAX (34u << 10)

struct td_arch {
	const char *name;          /* uname -m, the kdump header's utsname machine */
	uint16_t elf_machine;      /* e_machine of its vmcores */
	uint32_t page_size;        /* the PAGESIZE its dumps must have (TD_PAGE_SIZE) */
	/* The kernel image map, pa = va - kimage_base + phys_base; its
	 * PT_LOAD is the kernel-text alias of a vmcore. kimage_size and
	 * physmem_bits are the defaults when VMCOREINFO has no
	 * NUMBER(KERNEL_IMAGE_SIZE) / NUMBER(MAX_PHYSMEM_BITS). */
	uint64_t kimage_base, kimage_size;
	unsigned physmem_bits;
	/* Set up the walk of the crashed kernel's page tables in st
	 * (TD_ARCH_STATE_MAX bytes) from VMCOREINFO; page_offset (the
	 * direct-map base) may be 0 when unknown. */
	int (*init)(void *st, struct td_physread *mem, const struct td_vmcoreinfo *vi,
		    uint64_t page_offset, struct td_err *e);
	/* Translate va by the page tables; the size of the mapping that holds
	 * it in *pgsize if not NULL. */
	int (*vtop)(void *st, uint64_t va, uint64_t *pa, uint64_t *pgsize, struct td_err *e);
};

/* The rows (arch_x86_64.c). */
extern const struct td_arch td_arch_x86_64;

/* By ELF e_machine / by utsname machine, or NULL. */
const struct td_arch *td_arch_by_machine(unsigned elf_machine);
const struct td_arch *td_arch_by_name(const char *uts_machine);
/* The supported names for messages: "x86_64". */
const char *td_arch_names(void);

/* Fail unless VMCOREINFO's PAGESIZE is the row's page size. */
int td_arch_check(const struct td_arch *a, const struct td_vmcoreinfo *vi, struct td_err *e);

/* A row's page-table walker with its state, caller-owned, no allocation. */
struct td_walker {
	const struct td_arch *arch;
	struct td_physread *mem;
	union {
		uint64_t align;
		unsigned char b[TD_ARCH_STATE_MAX];
	} st;
};

int td_walker_init(struct td_walker *w, const struct td_arch *a, struct td_physread *mem,
		   const struct td_vmcoreinfo *vi, uint64_t page_offset, struct td_err *e);
int td_walker_vtop(struct td_walker *w, uint64_t va, uint64_t *pa, uint64_t *pgsize,
		   struct td_err *e);
/* A td_kread over w: each piece up to the end of its mapping is translated
 * and read through w->mem. */
void td_walker_kread(struct td_walker *w, struct td_kread *kr);

#endif
