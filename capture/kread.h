/* Reading the crashed kernel's memory by physical or kernel-virtual address.
 * Producers: the ELF vmcore (td_vmcore_physread), the kdump-file reader, the
 * architecture's page-table walker (arch.h), the linear maps (kaddr.h).
 * Consumers: the mem_map scan, dmesg, kinfo. Also the one helper that cuts
 * a read at page or mapping boundaries. */
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

/* Read len bytes at addr piece by piece: piece() reads at most len bytes
 * at addr into buf and sets *n to how many (at least 1), typically up to
 * the next page or mapping boundary (td_span). Stops at the first error. */
typedef int td_piece_fn(void *ctx, uint64_t addr, uint8_t *buf, size_t len, size_t *n,
			struct td_err *e);
int td_read_pieces(td_piece_fn *piece, void *ctx, uint64_t addr, void *buf, size_t len,
		   struct td_err *e);

/* Bytes from addr up to the next multiple of size (a power of two), at most
 * len. */
static inline size_t td_span(uint64_t addr, uint64_t size, size_t len)
{
	uint64_t room = size - (addr & (size - 1));

	return room < len ? (size_t)room : len;
}

#endif
