/* x86_64 page-table walk (makedumpfile arch/x86_64.c __vtop4_x86_64, same
 * rules): the root is init_top_pgt by the kernel-image rule, entries need
 * _PAGE_PRESENT, PSE stops the walk at PUD (1 GiB) or PMD (2 MiB), and the
 * next address is bits 12..51 of the entry without the SME C-bit.
 *
 * There is deliberately no linear shortcut here, not even for the kernel
 * image or the direct map: the mem_map scan must see the vmemmap exactly as
 * the crashed kernel mapped it, and callers that want the linear rules
 * first (dmesg, kinfo) use capture/kaddr.c, which falls back to this walk.
 * Every byte is read through the td_physread; table pages are cached.
 *
 * The row at the end gives the rest of capture/ x86_64's constants: ELF
 * machine 62, the kernel image map at __START_KERNEL_map with its default
 * size (KERNEL_IMAGE_SIZE, 1 GiB) and MAX_PHYSMEM_BITS (46). */
#include <string.h>

#include "arch_x86_64.h"
#include "io.h"

#define PAGE_PRESENT 0x1ull
#define PAGE_PSE 0x80ull
#define ENTRY_MASK 0x000ffffffffff000ull /* bits 12..51 */
#define START_KERNEL_MAP 0xffffffff80000000ull
#define EM_X86_64 62
#define KIMAGE_SIZE_DEFAULT (1ull << 30)
#define PHYSMEM_BITS_DEFAULT 46
#define TABLE_SIZE 4096 /* a page-table page */

static const char *level_name(const struct td_x86 *x, int level)
{
	static const char *const names[] = { "", "PTE", "PMD", "PUD", "P4D", "PGD" };

	return level == x->levels ? "PGD" : names[level];
}

int td_x86_init(struct td_x86 *x, struct td_physread *mem, const struct td_vmcoreinfo *vi,
		uint64_t page_offset, struct td_err *e)
{
	uint64_t top;
	int64_t l5 = 0, sme = 0;

	memset(x, 0, sizeof *x);
	x->mem = mem;
	x->page_offset = page_offset;
	memset(x->cache_pa, 0xff, sizeof x->cache_pa);
	if (td_vi_symbol(vi, "init_top_pgt", &top) < 0 &&
	    td_vi_symbol(vi, "init_level4_pgt", &top) < 0)
		return td_fail(e, "VMCOREINFO has no SYMBOL(init_top_pgt): cannot find the kernel page tables");
	if (td_vi_number(vi, "phys_base", &x->phys_base) < 0)
		return td_fail(e, "VMCOREINFO has no NUMBER(phys_base): cannot locate init_top_pgt");
	if (top < START_KERNEL_MAP || top % TABLE_SIZE)
		return td_fail(e, "SYMBOL(init_top_pgt)=%llx is not a page in the kernel image map",
			       (unsigned long long)top);
	x->root_pa = top - START_KERNEL_MAP + (uint64_t)x->phys_base;
	if (x->root_pa >= (1ull << 52))
		return td_fail(e, "init_top_pgt at pa 0x%llx (phys_base %lld) is outside physical memory",
			       (unsigned long long)x->root_pa, (long long)x->phys_base);
	/* makedumpfile: 5-level only when the number exists and is not 0 */
	td_vi_number(vi, "pgtable_l5_enabled", &l5);
	td_vi_number(vi, "sme_mask", &sme);
	x->levels = l5 ? 5 : 4;
	x->pte_mask = ENTRY_MASK & ~(uint64_t)sme;
	return 0;
}

/* The cached 4 KiB table page at pa (page-aligned), or NULL if it cannot be
 * read whole (then the caller reads the one entry directly). */
static const uint8_t *table_page(struct td_x86 *x, uint64_t pa)
{
	struct td_err ignored;
	unsigned i;

	for (i = 0; i < 8; i++)
		if (x->cache_pa[i] == pa)
			return x->cache[i];
	i = x->cache_next;
	x->cache_pa[i] = ~0ull;
	if (x->mem->read(x->mem->ctx, pa, x->cache[i], TABLE_SIZE, &ignored) < 0)
		return NULL;
	x->cache_pa[i] = pa;
	x->cache_next = (i + 1) % 8;
	return x->cache[i];
}

static int read_entry(struct td_x86 *x, uint64_t table, unsigned idx, uint64_t *v,
		      struct td_err *e)
{
	const uint8_t *page = table_page(x, table);
	uint8_t b[8];

	if (page) {
		*v = td_le64(page + 8 * idx);
		return 0;
	}
	if (x->mem->read(x->mem->ctx, table + 8 * idx, b, 8, e) < 0)
		return -1;
	*v = td_le64(b);
	return 0;
}

static int canonical(const struct td_x86 *x, uint64_t va)
{
	int bits = x->levels == 5 ? 57 : 48;
	uint64_t top = va >> (bits - 1);

	return top == 0 || top == (~0ull >> (bits - 1));
}

int td_x86_vtop(struct td_x86 *x, uint64_t va, uint64_t *pa, uint64_t *pgsize, struct td_err *e)
{
	uint64_t table = x->root_pa, ent;

	if (!canonical(x, va))
		return td_fail(e, "va 0x%llx is not a canonical %d-level address",
			       (unsigned long long)va, x->levels);
	for (int level = x->levels; level >= 1; level--) {
		unsigned shift = 12 + 9 * (unsigned)(level - 1);
		unsigned idx = (unsigned)(va >> shift) & 511;
		uint64_t epa = table + 8ull * idx;
		if (read_entry(x, table, idx, &ent, e) < 0)
			return td_wrap(e, "translating va 0x%llx: %s entry at pa 0x%llx unreadable",
				       (unsigned long long)va, level_name(x, level),
				       (unsigned long long)epa);
		if (!(ent & PAGE_PRESENT))
			return td_fail(e, "translating va 0x%llx: %s entry 0x%llx at pa 0x%llx not present",
				       (unsigned long long)va, level_name(x, level),
				       (unsigned long long)ent, (unsigned long long)epa);
		if (level == 1 || (level <= 3 && (ent & PAGE_PSE))) {
			uint64_t size = 1ull << shift;
			*pa = (ent & x->pte_mask & ~(size - 1)) + (va & (size - 1));
			if (pgsize)
				*pgsize = size;
			return 0;
		}
		table = ent & x->pte_mask;
	}
	return td_fail(e, "translating va 0x%llx: no level", (unsigned long long)va); /* unreachable */
}

static int x86_init(void *st, struct td_physread *mem, const struct td_vmcoreinfo *vi,
		    uint64_t page_offset, struct td_err *e)
{
	return td_x86_init(st, mem, vi, page_offset, e);
}

static int x86_vtop(void *st, uint64_t va, uint64_t *pa, uint64_t *pgsize, struct td_err *e)
{
	return td_x86_vtop(st, va, pa, pgsize, e);
}

_Static_assert(sizeof(struct td_x86) <= TD_ARCH_STATE_MAX, "TD_ARCH_STATE_MAX too small for x86_64");

const struct td_arch td_arch_x86_64 = {
	.name = "x86_64",
	.elf_machine = EM_X86_64,
	.page_size = 4096,
	.kimage_base = START_KERNEL_MAP,
	.kimage_size = KIMAGE_SIZE_DEFAULT,
	.physmem_bits = PHYSMEM_BITS_DEFAULT,
	.init = x86_init,
	.vtop = x86_vtop,
};
