/* Reading the crashed kernel's memory by physical or kernel-virtual address.
 * Producers: the ELF vmcore (td_vmcore_physread), the kdump-file reader, the
 * x86_64 page-table walker. Consumers: the mem_map scan, dmesg, kinfo. */
#ifndef TD_KREAD_H
#define TD_KREAD_H

#include <stddef.h>
#include <stdint.h>

#include "os/err.h"

struct td_physread {
	void *ctx;
	/* Copy len bytes at physical address pa; -1 if any byte is absent. */
	int (*read)(void *ctx, uint64_t pa, void *buf, size_t len, struct td_err *e);
};

struct td_kread {
	void *ctx;
	/* Copy len bytes at kernel virtual address va; -1 if untranslatable
	 * or absent. */
	int (*read)(void *ctx, uint64_t va, void *buf, size_t len, struct td_err *e);
};

#endif
