/* The ELF64 vmcore (/proc/vmcore or a saved copy): program headers, the
 * PT_NOTE segment with its VMCOREINFO and per-CPU PRSTATUS notes, and
 * physical-page access through the PT_LOAD table. Everything in the file is
 * untrusted: offsets and sizes are checked before use. */
#ifndef TD_VMCORE_H
#define TD_VMCORE_H

#include <stdint.h>

#include "arch.h"
#include "io.h"
#include "kread.h"
#include "page.h"

#define TD_MAX_LOADS 512
#define TD_MAX_NOTES (4u << 20) /* PT_NOTE bytes we accept (about 12k CPUs) */

struct td_load {
	uint64_t paddr, vaddr, off, filesz, memsz;
};

struct td_vmcore {
	struct td_source *src;
	const struct td_arch *arch;    /* by e_machine */
	struct td_load load[TD_MAX_LOADS];
	unsigned nload;
	uint64_t note_off, note_size;  /* the PT_NOTE segment in the file */
	const uint8_t *notes;          /* caller's copy of PT_NOTE */
	uint64_t vmcoreinfo_off;       /* VMCOREINFO text, offset inside notes */
	uint64_t vmcoreinfo_size;
	unsigned nr_cpus;              /* NT_PRSTATUS ("CORE") notes */
	uint64_t prstatus_off;         /* first NT_PRSTATUS descriptor in notes */
	uint64_t prstatus_size;
	uint64_t max_pfn;              /* ceil(highest RAM PT_LOAD end / page) */
	struct td_load ktext;          /* the kernel-text PT_LOAD, memsz 0 if none */
	/* Direct-map base from the RAM PT_LOADs (vaddr - paddr), 0 if none. */
	uint64_t page_offset;
	/* One page assembled by read when a page straddles a PT_LOAD edge. */
	uint8_t edge[TD_PAGE_SIZE];
};

/* Parse the ELF header and program headers of src; the architecture row
 * comes from e_machine (unsupported machines fail). Afterwards note_size
 * says how big a buffer td_vmcore_load_notes needs (at most TD_MAX_NOTES). */
int td_vmcore_open(struct td_vmcore *vc, struct td_source *src, struct td_err *e);

/* Copy the PT_NOTE segment into buf (note_size bytes, caller-owned, kept
 * for the life of vc) and parse it: VMCOREINFO, PRSTATUS count. */
int td_vmcore_load_notes(struct td_vmcore *vc, uint8_t *buf, struct td_err *e);

/* Is any byte of pfn backed by file data? (holes and p_filesz < p_memsz
 * tails are not). RAM PT_LOADs only; the kernel-text alias is ignored. */
int td_vmcore_pfn_present(const struct td_vmcore *vc, uint64_t pfn);

/* The TD_PAGE_SIZE bytes of pfn, valid until the next call on vc or its source.
 * Bytes of the page outside file data read as zero. NULL if no byte of the
 * page is present. */
const uint8_t *td_vmcore_page(struct td_vmcore *vc, uint64_t pfn, struct td_err *e);

/* Copy len bytes of physical memory at paddr. Fails on any byte not present. */
int td_vmcore_read_phys(struct td_vmcore *vc, uint64_t paddr, void *buf, uint64_t len,
			struct td_err *e);

/* A td_physread over vc (td_vmcore_read_phys). */
void td_vmcore_physread(struct td_vmcore *vc, struct td_physread *pr);

/* Iterate notes in vc->notes. *pos starts at 0. Returns 1 with the fields
 * filled, 0 at the end, -1 on a malformed note. */
struct td_note {
	const char *name;     /* not NUL-terminated */
	uint32_t namesz;      /* without trailing NUL */
	uint32_t type;
	const uint8_t *desc;
	uint32_t descsz;
	uint64_t desc_off;    /* offset of desc inside notes */
};
int td_note_next(const uint8_t *notes, uint64_t size, uint64_t *pos, struct td_note *n,
		 struct td_err *e);

#endif
