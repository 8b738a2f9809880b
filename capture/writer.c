/* The format table and the entry point that runs a row (see writer.h). */
#include <string.h>

#include "writer.h"

static const struct td_writer writers[] = {
	{ TD_FMT_KDUMP, "kdump", td_kdump_write },
	{ TD_FMT_ELF, "elf", td_elf_write },
};

const struct td_writer *td_writer_of(enum td_format f)
{
	for (size_t i = 0; i < sizeof writers / sizeof writers[0]; i++)
		if (writers[i].format == f)
			return &writers[i];
	return NULL;
}

int td_dump_write(struct td_dump *d, struct td_err *e)
{
	const struct td_writer *w = td_writer_of(d->format);

	memset(&d->st, 0, sizeof d->st);
	d->bytes_written = 0;
	d->incomplete = 0;
	if (!w)
		return td_fail(e, "dump format %d has no writer", (int)d->format);
	return w->write(d, e);
}
