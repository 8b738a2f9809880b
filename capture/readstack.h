/* Opening a dump for reading, the stack every reader needs: through a
 * td_source, an ELF vmcore or a kdump-compressed file is parsed, its notes
 * copied and VMCOREINFO parsed, its architecture row chosen and checked
 * against PAGESIZE, and readers by physical address (phys) and by kernel-
 * virtual address (kread: the linear maps first, then optionally the page
 * tables) set up. `tinydump capture` and PID 1 (init/run.c) and
 * `tinydump dmesg` (init/cmd_dmesg.c) open dumps this way. Pure. */
#ifndef TD_READSTACK_H
#define TD_READSTACK_H

#include "arch.h"
#include "kaddr.h"
#include "kdumpread.h"
#include "stats.h"
#include "vmcore.h"
#include "vmcoreinfo.h"

struct td_readstack {
	struct td_vmcore vc;         /* an ELF vmcore, when kd is NULL */
	struct td_kdump *kd;         /* a kdump file, or NULL */
	uint8_t *notes;              /* the notes (or bare VMCOREINFO), allocated */
	struct td_vmcoreinfo vi;
	const struct td_arch *arch;
	struct td_physread phys;
	struct td_walker *walk;      /* the page-table fallback, or NULL */
	struct td_kread walk_kread;
	struct td_kaddr kaddr;
	struct td_kread kread;
};

/* Open src (which must outlive rs). The caller owns the big optional
 * parts: with kd (about 80 KiB) a kdump-compressed file is accepted as
 * well as an ELF vmcore; with walk (about 34 KiB) kread falls back to the
 * page tables where the linear maps end (unless they are unusable: then
 * rs->walk is NULL). Malformed VMCOREINFO lines become a warning in warn.
 * Errors say what is wrong with the file; the caller adds its name. Call
 * td_readstack_close even after a failure. */
int td_readstack_open(struct td_readstack *rs, struct td_source *src, struct td_kdump *kd,
		      struct td_walker *walk, struct td_warnings *warn, struct td_err *e);
void td_readstack_close(struct td_readstack *rs);

#endif
