/* synth: a synthetic, mostly free x86_64 machine as a sparse ELF vmcore,
 * for the scan benchmark of bench/run.sh.
 *
 *   synth PATH RAM_GIB
 *
 * The machine is test_membound's (tests/test_membound.c): RAM at
 * [1 MiB, min(RAM, 3 GiB)) and, for more than 3 GiB, [4 GiB, RAM + 1 GiB)
 * above a PCI hole; SPARSEMEM_VMEMMAP with 2 MiB vmemmap pages; the first
 * part (kernel, page tables, mem_section, vmemmap backing) in use, the rest
 * free in order-10 buddy blocks, except one page cache page and one anon
 * page every 64 MiB. The VMCOREINFO is Linux 6.1's (tests/vmgen.c).
 * Built from tests/vmgen.c; it keeps only touched pages in memory, so a
 * 256 GiB machine costs about RAM/1024 of memory and disk.
 *
 * Output on stdout: one line "max_pfn=N ram_pfns=N free_pfns=N
 * file_bytes=N" (ram_pfns: pages with a struct page, i.e. RAM). */
#include <stdio.h>
#include <stdlib.h>

#include "vmgen.c"

#define GIB (1ull << 30)
#define MIB (1ull << 20)

/* Every 64 MiB: a page cache and an anon page instead of a free block. */
static uint64_t fill_free(struct vmgen *g, uint64_t from, uint64_t to)
{
	uint64_t nfree = 0;

	for (uint64_t p = from; p < to; p += 1024) {
		if (p % (16 * 1024) == 0) {
			vmgen_set_page(g, p, 1ull << VMGEN_PG_lru, 0xffff888012340000ull, 0, 0);
			vmgen_set_page(g, p + 1, 1ull << VMGEN_PG_lru, 0xffff888012340001ull, 0, 0);
			continue;
		}
		vmgen_buddy(g, p, 10);
		nfree += 1024;
	}
	return nfree;
}

int main(int argc, char **argv)
{
	uint64_t ram, lo_end, top, vmemmap, used_end, nfree = 0, ram_pfns = 0, size;
	struct vmgen *g;

	if (argc != 3 || (ram = strtoull(argv[2], NULL, 10) * GIB) == 0) {
		fprintf(stderr, "usage: synth PATH RAM_GIB\n");
		return 2;
	}
	g = vmgen_new();
	lo_end = ram < 3 * GIB ? ram : 3 * GIB;
	top = ram > 3 * GIB ? ram + GIB : ram;
	vmemmap = (top >> 12) * 64;
	used_end = (16 * MIB + vmemmap + 64 * MIB) & ~(4 * MIB - 1);
	vmgen_ram(g, MIB, lo_end - MIB);
	if (top > lo_end)
		vmgen_ram(g, 4 * GIB, top - 4 * GIB);
	vmgen_pool(g, 16 * MIB, used_end - 16 * MIB);
	vmgen_pt_init(g);
	vmgen_map_direct(g);
	for (unsigned i = 0; i < g->nload; i++)
		vmgen_sparse(g, g->load[i].paddr >> 12, g->load[i].size >> 12, 2 * MIB);
	for (unsigned i = 0; i < g->nload; i++) {
		const struct vmgen_load *l = &g->load[i];
		uint64_t from = l->paddr > used_end ? l->paddr : used_end;
		nfree += fill_free(g, from >> 12, (l->paddr + l->size) >> 12);
		ram_pfns += l->size >> 12;
	}
	vmgen_vmcoreinfo_std(g, VMGEN_VI_HWPOISON | VMGEN_VI_HUGETLB);
	size = vmgen_write(g, argv[1]);
	printf("max_pfn=%llu ram_pfns=%llu free_pfns=%llu file_bytes=%llu\n",
	       (unsigned long long)(top >> 12), (unsigned long long)ram_pfns,
	       (unsigned long long)nfree, (unsigned long long)size);
	vmgen_free(g);
	return 0;
}
