/* The architecture table and the generic half of the walker (see arch.h). */
#include <string.h>

#include "arch.h"

static const struct td_arch *const arches[] = {
	&td_arch_x86_64,
};
#define NARCHES (sizeof arches / sizeof arches[0])

const struct td_arch *td_arch_by_machine(unsigned elf_machine)
{
	for (size_t i = 0; i < NARCHES; i++)
		if (arches[i]->elf_machine == elf_machine)
			return arches[i];
	return NULL;
}

const struct td_arch *td_arch_by_name(const char *uts_machine)
{
	for (size_t i = 0; i < NARCHES; i++)
		if (!strcmp(arches[i]->name, uts_machine))
			return arches[i];
	return NULL;
}

const char *td_arch_names(void)
{
	static char names[128];
	size_t n = 0;

	if (names[0])
		return names;
	for (size_t i = 0; i < NARCHES; i++) {
		size_t len = strlen(arches[i]->name);
		if (n + len + 3 > sizeof names)
			break;
		if (i)
			names[n++] = ' ';
		memcpy(names + n, arches[i]->name, len + 1);
		n += len;
	}
	return names;
}

int td_arch_check(const struct td_arch *a, const struct td_vmcoreinfo *vi, struct td_err *e)
{
	uint64_t page = 0;

	if (td_vi_u(vi, "PAGESIZE", &page) < 0 || page != a->page_size)
		return td_fail(e, "VMCOREINFO PAGESIZE=%llu: %s dumps are read with %u-byte pages only",
			       (unsigned long long)page, a->name, a->page_size);
	return 0;
}

int td_walker_init(struct td_walker *w, const struct td_arch *a, struct td_physread *mem,
		   const struct td_vmcoreinfo *vi, uint64_t page_offset, struct td_err *e)
{
	w->arch = a;
	w->mem = mem;
	return a->init(w->st.b, mem, vi, page_offset, e);
}

int td_walker_vtop(struct td_walker *w, uint64_t va, uint64_t *pa, uint64_t *pgsize,
		   struct td_err *e)
{
	return w->arch->vtop(w->st.b, va, pa, pgsize, e);
}

static int walk_piece(void *ctx, uint64_t va, uint8_t *buf, size_t len, size_t *n, struct td_err *e)
{
	struct td_walker *w = ctx;
	uint64_t pa, size;

	if (td_walker_vtop(w, va, &pa, &size, e) < 0)
		return -1;
	*n = td_span(va, size, len);
	if (w->mem->read(w->mem->ctx, pa, buf, *n, e) < 0)
		return td_wrap(e, "reading va 0x%llx (pa 0x%llx)", (unsigned long long)va,
			       (unsigned long long)pa);
	return 0;
}

static int walk_read(void *ctx, uint64_t va, void *buf, size_t len, struct td_err *e)
{
	return td_read_pieces(walk_piece, ctx, va, buf, len, e);
}

void td_walker_kread(struct td_walker *w, struct td_kread *kr)
{
	kr->ctx = w;
	kr->read = walk_read;
}
