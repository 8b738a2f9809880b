/* The dump formats, one row each: the tinydump.format= name and the
 * function that writes the whole dump. td_dump_write (dump.h) picks the row;
 * a new format is one file with its write function plus one row here.
 *
 * The flattened format (flat.h) is not a row: it is a sink wrapper that
 * carries any writer's random-offset output over a stream, so it combines
 * with every format instead of being one (the command line's "flat" means
 * kdump through that wrapper). Internal to capture/. */
#ifndef TD_WRITER_H
#define TD_WRITER_H

#include "dump.h"

struct td_writer {
	enum td_format format;
	const char *name;           /* as in tinydump.format= */
	int (*write)(struct td_dump *d, struct td_err *e);
};

/* The row of format f, or NULL. */
const struct td_writer *td_writer_of(enum td_format f);

/* The writers themselves (kdumpwrite.c, elfwrite.c). */
int td_kdump_write(struct td_dump *d, struct td_err *e);

/* The largest kdump file vc can give: its header, both bitmaps, and every
 * pfn dumpable and stored raw. What a TLS upload declares it will not pass. */
uint64_t td_kdump_size_bound(const struct td_vmcore *vc);
int td_elf_write(struct td_dump *d, struct td_err *e);

#endif
