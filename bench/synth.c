/* synth: a synthetic, mostly free x86_64 machine as a sparse ELF vmcore,
 * for the scan benchmark of bench/run.sh.
 *
 *   synth PATH RAM_GIB
 *
 * The machine follows test_membound's (tests/test_membound.c): RAM at
 * [1 MiB, min(RAM, 3 GiB)) and, for more than 3 GiB, [4 GiB, RAM + 1 GiB)
 * above a PCI hole; SPARSEMEM_VMEMMAP with 2 MiB vmemmap pages; the first
 * part (kernel image, page tables, mem_section, vmemmap backing; the last
 * three at 4 GiB when they do not fit below 3 GiB) in use, everything else
 * free in buddy blocks, except a page cache page and an anon page every
 * 64 MiB. The VMCOREINFO is Linux 6.1's (tests/vmgen.c).
 *
 * Two things make it closer to a real machine than the unit tests need:
 *  - every struct page is filled as the kernel leaves it (zone bits in
 *    flags, _mapcount -1; reserved pages with PG_reserved and a
 *    reference), so the vmemmap is not a hole: it is read by the filter
 *    and, being in use, dumped and compressed, as on real hardware. This
 *    costs RAM/64 of memory and disk (4 GiB for 256 GiB).
 *  - the kernel image is mapped at its VMCOREINFO addresses with the
 *    few variables makedumpfile reads before filtering (init_uts_ns,
 *    node_online_map), so makedumpfile can be tried on the same file.
 *
 * Output on stdout: one line "max_pfn=N ram_pfns=N free_pfns=N
 * file_bytes=N" (ram_pfns: pages with a struct page, i.e. RAM). */
#include <stdio.h>
#include <stdlib.h>

#include "tests/vmgen.c"

#define GIB (1ull << 30)
#define MIB (1ull << 20)

/* The kernel image: _text of the 6.1 VMCOREINFO sample at KIMG_PA. */
#define KIMG_VA 0xffffffffba200000ull
#define KIMG_PA (16 * MIB)
#define KIMG_SIZE (32 * MIB)
#define SYM_UTS 0xffffffffbaec5f40ull    /* SYMBOL(init_uts_ns) */
#define SYM_NODES 0xffffffffbaec9ce8ull  /* SYMBOL(node_online_map) */
#define ZONE_NORMAL_FLAGS (2ull << 62)   /* page_zonenum() == ZONE_NORMAL */

static uint64_t kimg_pa(uint64_t va)
{
	return va - KIMG_VA + KIMG_PA;
}

static void kernel_image(struct vmgen *g)
{
	static const char *uts[6] = { "Linux", "synth", "6.1.192", "#1 SMP", "x86_64", "(none)" };
	uint64_t one = 1;

	g->phys_base = (int64_t)KIMG_PA - (int64_t)(KIMG_VA - VMGEN_KMAP);
	vmgen_kernel_text(g, KIMG_PA, KIMG_SIZE);
	vmgen_map(g, KIMG_VA, KIMG_PA, KIMG_SIZE, 2 * MIB);
	for (int i = 0; i < 6; i++) /* struct new_utsname: 6 x 65 bytes */
		vmgen_write_phys(g, kimg_pa(SYM_UTS) + 65 * (uint64_t)i, uts[i], strlen(uts[i]) + 1);
	vmgen_write_phys(g, kimg_pa(SYM_NODES), &one, sizeof one);
}

/* The in-use part of the machine: [1 MiB, low_end) and, when the pool
 * (page tables, mem_section, vmemmap backing) does not fit below the PCI
 * hole, [4 GiB, high_end) for it, as a big machine's memblock would. */
struct layout {
	uint64_t low_end, high_end, pool, pool_size;
};

static int used(const struct layout *m, uint64_t pa)
{
	return pa < m->low_end || (pa >= 4 * GIB && pa < m->high_end);
}

/* struct pages of [pfn, pfn + n) as the kernel initialises them. */
static void struct_pages(struct vmgen *g, uint64_t pfn, uint64_t n, const struct layout *m)
{
	for (uint64_t p = pfn; p < pfn + n; p += 64) {
		uint64_t pa;
		if (vmgen_vtop(g, vmgen_page_va(g, p), &pa) < 0)
			abort();
		uint8_t *sp = vmgen_phys(g, pa & ~(VMGEN_PAGE - 1));
		for (unsigned i = 0; i < 64; i++) {
			uint64_t flags = ZONE_NORMAL_FLAGS;
			uint8_t *s = sp + i * VMGEN_SIZE_PAGE;
			int u = used(m, (p + i) << 12);
			if (u)
				flags |= 1ull << VMGEN_PG_reserved;
			vg_le(s + VMGEN_OFF_FLAGS, flags, 8);
			vg_le(s + VMGEN_OFF_MAPCOUNT, 0xffffffff, 4);
			vg_le(s + VMGEN_OFF_REFCOUNT, (uint64_t)u, 4);
		}
	}
}

/* Free memory in order-10 buddy blocks; every 64 MiB, a page cache and
 * an anon page, with the rest of that block free in blocks of order 1 to 9
 * (as the buddy allocator would hold it). */
static uint64_t fill_free(struct vmgen *g, uint64_t from, uint64_t to)
{
	uint64_t nfree = 0;

	for (uint64_t p = from; p + 1024 <= to; p += 1024) {
		if (p % (16 * 1024)) {
			vmgen_buddy(g, p, 10);
			nfree += 1024;
			continue;
		}
		vmgen_set_page(g, p, ZONE_NORMAL_FLAGS | 1ull << VMGEN_PG_lru, 0xffff888012340000ull, 0, 0);
		vmgen_set_page(g, p + 1, ZONE_NORMAL_FLAGS | 1ull << VMGEN_PG_lru, 0xffff888012340001ull, 0, 0);
		for (unsigned o = 1; o < 10; o++) {
			vmgen_buddy(g, p + (1u << o), o);
			nfree += 1u << o;
		}
	}
	return nfree;
}

static void plan(struct layout *m, uint64_t lo_end, uint64_t top)
{
	m->pool_size = ((top >> 12) * 64 + 64 * MIB + 4 * MIB - 1) & ~(4 * MIB - 1);
	m->pool = KIMG_PA + KIMG_SIZE;
	m->low_end = m->pool + m->pool_size;
	m->high_end = 0;
	if (m->low_end > lo_end - 64 * MIB) {
		m->pool = 4 * GIB;
		m->low_end = KIMG_PA + KIMG_SIZE;
		m->high_end = m->pool + m->pool_size;
	}
}

int main(int argc, char **argv)
{
	uint64_t ram, lo_end, top, nfree = 0, ram_pfns = 0, size;
	struct layout m;
	unsigned nram;
	struct vmgen *g;

	if (argc != 3 || (ram = strtoull(argv[2], NULL, 10) * GIB) == 0) {
		fprintf(stderr, "usage: synth PATH RAM_GIB\n");
		return 2;
	}
	g = vmgen_new();
	lo_end = ram < 3 * GIB ? ram : 3 * GIB;
	top = ram > 3 * GIB ? ram + GIB : ram;
	plan(&m, lo_end, top);
	vmgen_ram(g, MIB, lo_end - MIB);
	if (top > lo_end)
		vmgen_ram(g, 4 * GIB, top - 4 * GIB);
	nram = g->nload;
	/* init_top_pgt is in the kernel image (its symbol must be a kernel
	 * image address); every other table comes from the pool. */
	vmgen_pool(g, KIMG_PA + KIMG_SIZE - 2 * MIB, 2 * MIB);
	vmgen_pt_init(g);
	vmgen_pool(g, m.pool, m.pool_size);
	vmgen_map_direct(g);
	kernel_image(g);
	for (unsigned i = 0; i < nram; i++) {
		const struct vmgen_load *l = &g->load[i];
		vmgen_sparse(g, l->paddr >> 12, l->size >> 12, 2 * MIB);
		struct_pages(g, l->paddr >> 12, l->size >> 12, &m);
	}
	for (unsigned i = 0; i < nram; i++) {
		const struct vmgen_load *l = &g->load[i];
		uint64_t from = !used(&m, l->paddr) ? l->paddr : l->paddr < 4 * GIB ? m.low_end : m.high_end;
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
