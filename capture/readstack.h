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

/* What td_readstack_open accepts and sets up. */
enum {
	TD_RS_ELF = 1,      /* accept an ELF vmcore */
	TD_RS_KDUMP = 2,    /* accept a kdump-compressed file */
	TD_RS_WALK = 4,     /* kread falls back to the page tables */
};

struct td_readstack {
	int is_kdump;                /* which of the union is live */
	union {
		struct td_vmcore vc;
		struct td_kdump kd;
	};
	uint8_t *notes;              /* the notes (or bare VMCOREINFO), allocated */
	struct td_vmcoreinfo vi;
	const struct td_arch *arch;
	struct td_physread phys;
	struct td_walker walk;       /* with TD_RS_WALK, if the tables are usable */
	struct td_kread walk_kread;
	struct td_kaddr kaddr;
	struct td_kread kread;
};

/* Open src (which must outlive rs) as flags allow. Malformed VMCOREINFO
 * lines become a warning in warn. Errors say what is wrong with the file;
 * the caller adds its name. Call td_readstack_close even after a failure. */
int td_readstack_open(struct td_readstack *rs, struct td_source *src, int flags,
		      struct td_warnings *warn, struct td_err *e);
void td_readstack_close(struct td_readstack *rs);

#endif
