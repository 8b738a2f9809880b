/* ELF output: not built yet (issue 3). */
#include "dumpio.h"

int td_elf_write(struct td_dump *d, struct td_err *e)
{
	(void)d;
	return td_fail(e, "ELF output is not implemented yet; use format kdump");
}
