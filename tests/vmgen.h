/* vmgen: synthetic x86_64 Linux vmcores for host tests.
 *
 * Builds what kexec and /proc/vmcore present to a capture kernel: an ELF64
 * ET_CORE file with one PT_NOTE (n "CORE"/NT_PRSTATUS notes and a
 * "VMCOREINFO" note) and PT_LOADs for RAM (p_vaddr = page_offset + paddr)
 * plus the kernel-text alias PT_LOAD (p_vaddr in the kernel image map).
 * Physical memory is stored sparsely, one 4 KiB page per touched page, so a
 * mostly empty 64 GiB machine costs only what the test writes; vmgen_write
 * makes a sparse file (zero pages are holes).
 *
 * On top of that, builders for what the page filter reads: page tables
 * (4/5-level, 4K/2M/1G pages), the SPARSEMEM_EXTREME mem_section tree, a
 * VMEMMAP struct page array, struct page contents (buddy blocks, compound
 * pages, flags) and a VMCOREINFO text matching Linux 6.1.
 *
 * Use: #include "vmgen.c" from one test file (it is not in PURE_SRCS), or
 * add tests/vmgen.c to your test's link. Errors (allocation, bad arguments)
 * abort the test program: this is test support, not product code. */
#ifndef TD_VMGEN_H
#define TD_VMGEN_H

#include <stddef.h>
#include <stdint.h>

#define VMGEN_PAGE 4096ull
#define VMGEN_KMAP 0xffffffff80000000ull        /* __START_KERNEL_map */
#define VMGEN_PAGE_OFFSET_L4 0xffff888000000000ull
#define VMGEN_PAGE_OFFSET_L5 0xff11000000000000ull
#define VMGEN_VMEMMAP_L4 0xffffea0000000000ull
#define VMGEN_VMEMMAP_L5 0xffd4000000000000ull

/* Linux 6.1 x86_64 struct page layout and flag numbers, as in its VMCOREINFO
 * (shared/research/vmcoreinfo-6.1.192-x86_64-tinyconfig.txt). */
enum {
	VMGEN_SIZE_PAGE = 64,
	VMGEN_OFF_FLAGS = 0,
	VMGEN_OFF_LRU = 8,
	VMGEN_OFF_COMPOUND_HEAD = 8,
	VMGEN_OFF_COMPOUND_DTOR = 16,
	VMGEN_OFF_COMPOUND_ORDER = 17,
	VMGEN_OFF_MAPPING = 24,
	VMGEN_OFF_PRIVATE = 40,
	VMGEN_OFF_MAPCOUNT = 48,
	VMGEN_OFF_REFCOUNT = 52,
	VMGEN_PG_lru = 4,
	VMGEN_PG_slab = 9,
	VMGEN_PG_swapcache = 10,
	VMGEN_PG_reserved = 12, /* not in VMCOREINFO; used as "kernel page" */
	VMGEN_PG_private = 13,
	VMGEN_PG_head = 16,
	VMGEN_PG_swapbacked = 19,
	VMGEN_PG_hwpoison = 23,
	VMGEN_PG_hugetlb = 14,  /* 6.6-6.8, in page[1].flags (above the order byte) */
	VMGEN_BUDDY_MAPCOUNT = -129,   /* PAGE_BUDDY_MAPCOUNT_VALUE */
	VMGEN_OFFLINE_MAPCOUNT = -257, /* PAGE_OFFLINE_MAPCOUNT_VALUE */
	VMGEN_DTOR_COMPOUND = 1,
	VMGEN_DTOR_HUGETLB = 2,
	VMGEN_DTOR_THP = 3,
	VMGEN_SECTION_BITS = 27,       /* SECTION_SIZE_BITS */
	VMGEN_SECTION_PFNS = 1 << (27 - 12),
};

/* Kernel generations: how struct pages mark types, compound pages and
 * hugetlb (vmgen_page.c has the table). */
enum vmgen_gen {
	VMGEN_GEN_61,   /* default. page.compound_dtor/order; types are cleared bits */
	VMGEN_GEN_63,   /* folio._folio_dtor/_folio_order */
	VMGEN_GEN_66,   /* order in page[1].flags, NUMBER(PG_hugetlb) there */
	VMGEN_GEN_69,   /* hugetlb a page type (PAGE_HUGETLB_MAPCOUNT_VALUE) */
	VMGEN_GEN_610,  /* slab a page type; no NUMBER(PG_slab) */
	VMGEN_GEN_611,  /* type bits moved to 24-30 (buddy ~0x40000000) */
	VMGEN_GEN_612,  /* one type per page, a value in the top byte; hex NUMBERs */
	VMGEN_GEN_616,  /* PAGE_UNACCEPTED_MAPCOUNT_VALUE */
	VMGEN_GEN_71,   /* page.compound_info; tails hold a mask */
	VMGEN_GEN_N
};

/* Page types (vmgen_type gives the generation's _mapcount value). */
enum { VMGEN_TY_BUDDY, VMGEN_TY_OFFLINE, VMGEN_TY_SLAB, VMGEN_TY_HUGETLB, VMGEN_TY_UNACCEPTED,
       VMGEN_TY_TABLE, VMGEN_TY_N };

/* Extra VMCOREINFO lines for vmgen_vmcoreinfo_std (CONFIG_MEMORY_FAILURE,
 * CONFIG_HUGETLB_PAGE; the tinyconfig sample has neither). */
enum {
	VMGEN_VI_HWPOISON = 1,  /* NUMBER(PG_hwpoison)=23 */
	VMGEN_VI_HUGETLB = 2,   /* the generation's hugetlb mark (6.1:
				   NUMBER(HUGETLB_PAGE_DTOR)=2) and
				   PAGE_OFFLINE_MAPCOUNT_VALUE (6.1: -257) */
};

struct vmgen_load {
	uint64_t paddr, size;
	int kimage;              /* the kernel-text alias */
};

struct vmgen {
	/* Configuration: set by vmgen_new; change before adding content. */
	int levels;              /* 4 or 5 */
	uint64_t page_offset;    /* direct-map base */
	uint64_t vmemmap_base;
	int64_t phys_base;       /* NUMBER(phys_base) */
	uint64_t sme_mask;       /* set in every table entry vmgen writes */
	unsigned nr_cpus;
	int gen;                 /* enum vmgen_gen, VMGEN_GEN_61 by default */

	/* What was built (read-only for callers). */
	struct vmgen_load load[64];
	unsigned nload;
	char *vmcoreinfo;        /* text of the VMCOREINFO note */
	uint64_t root_pa;        /* init_top_pgt, 0 before vmgen_pt_init */
	uint64_t mem_section_va; /* SYMBOL(mem_section), 0 before vmgen_sparse */
	uint64_t pool_next, pool_end;

	/* Sparse physical memory: pfn -> 4 KiB page (open addressing). */
	uint64_t *keys;          /* pfn + 1; 0 = empty slot */
	uint8_t **pages;
	size_t cap, used;
};

/* Defaults: 4-level, page_offset/vmemmap at the 6.1 non-KASLR bases,
 * phys_base 0, 1 CPU, no RAM. */
struct vmgen *vmgen_new(void);
void vmgen_free(struct vmgen *g);

/* Add a RAM PT_LOAD (page-aligned). Loads may be added in any order. */
void vmgen_ram(struct vmgen *g, uint64_t paddr, uint64_t size);
/* Add the kernel-text alias PT_LOAD for [paddr, paddr + size): p_vaddr =
 * __START_KERNEL_map + paddr - phys_base, as kexec writes it. Its file
 * region is a second copy of those RAM bytes, as in /proc/vmcore. */
void vmgen_kernel_text(struct vmgen *g, uint64_t paddr, uint64_t size);
/* The VMCOREINFO note text (copied). */
void vmgen_vmcoreinfo(struct vmgen *g, const char *text);

/* Writable pointer to physical memory at pa, valid up to the end of that
 * 4 KiB page (the page is created zero-filled on first use). */
uint8_t *vmgen_phys(struct vmgen *g, uint64_t pa);
/* Readable pointer, or NULL if the page was never touched (reads as 0). */
const uint8_t *vmgen_peek(const struct vmgen *g, uint64_t pa);
void vmgen_write_phys(struct vmgen *g, uint64_t pa, const void *buf, size_t len);
void vmgen_put64(struct vmgen *g, uint64_t pa, uint64_t v);
uint64_t vmgen_get64(const struct vmgen *g, uint64_t pa);

/* Output. vmgen_buffer returns a malloc'd image (caller frees); it is the
 * full file size, so use it only for small machines. vmgen_write makes a
 * sparse file and returns its size. */
void vmgen_buffer(struct vmgen *g, uint8_t **buf, size_t *len);
uint64_t vmgen_write(struct vmgen *g, const char *path);

/* --- kernel data builders --- */

/* A bump allocator of physical memory (page tables, mem_section, vmemmap
 * backing). The pool should lie in RAM so the filter can read it. */
void vmgen_pool(struct vmgen *g, uint64_t pa, uint64_t size);
uint64_t vmgen_alloc(struct vmgen *g, uint64_t size, uint64_t align);

/* Allocate the top-level table (init_top_pgt) from the pool. */
void vmgen_pt_init(struct vmgen *g);
/* SYMBOL(init_top_pgt) for the root: __START_KERNEL_map + root - phys_base. */
uint64_t vmgen_init_top_pgt(const struct vmgen *g);
/* Map [va, va + size) to [pa, ...) with pages of pgsize (4K, 2M or 1G);
 * va, pa and size must be pgsize-aligned. Missing tables are allocated. */
void vmgen_map(struct vmgen *g, uint64_t va, uint64_t pa, uint64_t size, uint64_t pgsize);
/* Physical address of the table entry for va at level (5=PGD on 5-level,
 * 4 = PGD/P4D, 3 = PUD, 2 = PMD, 1 = PTE), or 0 if the walk stops earlier.
 * For corrupting tables in tests. */
uint64_t vmgen_entry_pa(const struct vmgen *g, uint64_t va, int level);
/* Translate with vmgen's own walk (independent of capture/x86_64.c);
 * returns 0 and sets *pa, or -1. */
int vmgen_vtop(const struct vmgen *g, uint64_t va, uint64_t *pa);
/* Direct map of every RAM load with the largest fitting pages. */
void vmgen_map_direct(struct vmgen *g);

/* SPARSEMEM_EXTREME + VMEMMAP for pfns [pfn, pfn + n): mem_section roots and
 * entries (present|has_mem_map|online), vmemmap backing from the pool mapped
 * with 2 MiB pages (pgsize 2M) or 4 KiB pages. Sets mem_section_va. */
void vmgen_sparse(struct vmgen *g, uint64_t pfn, uint64_t n, uint64_t pgsize);
/* Virtual and physical address of pfn's struct page. */
uint64_t vmgen_page_va(const struct vmgen *g, uint64_t pfn);
uint8_t *vmgen_page(struct vmgen *g, uint64_t pfn);  /* 64 writable bytes */

/* struct page writers (6.1 layout). They take 6.1 terms: PG_slab in
 * flags, mapcount VMGEN_BUDDY_MAPCOUNT or VMGEN_OFFLINE_MAPCOUNT, a
 * VMGEN_DTOR_*, and write what g->gen's kernel would (a slab page type
 * from 6.10, the generation's type values, its hugetlb mark and order
 * place, 7.1 tails). */
int32_t vmgen_type(const struct vmgen *g, int ty);  /* aborts if g->gen has none */
int vmgen_has_type(const struct vmgen *g, int ty);
void vmgen_set_page(struct vmgen *g, uint64_t pfn, uint64_t flags, uint64_t mapping,
		    int32_t mapcount, uint64_t private_);
/* A free buddy block: head _mapcount = PAGE_BUDDY_MAPCOUNT_VALUE,
 * private = order; the rest have _mapcount -1. */
void vmgen_buddy(struct vmgen *g, uint64_t pfn, unsigned order);
/* A compound page: head gets flags | PG_head and mapping; tails get
 * compound_head = head va | 1 (7.1: a mask) and TAIL_MAPPING (7.1:
 * 0xffffffff); the first tail holds dtor, order and compound_nr (6.1 and
 * 6.3 layout) or order and PG_hugetlb in its flags (6.6 on). */
void vmgen_compound(struct vmgen *g, uint64_t pfn, unsigned order, unsigned dtor,
		    uint64_t flags, uint64_t mapping);

/* The VMCOREINFO of g->gen (6.1: the tinyconfig sample) with this generator's
 * init_top_pgt, mem_section, phys_base, levels, sme_mask, plus the extras
 * in vi_flags (VMGEN_VI_*). Sets the note text. */
void vmgen_vmcoreinfo_std(struct vmgen *g, unsigned vi_flags);
/* Remove the line starting with key (e.g. "NUMBER(PG_slab)=") from the
 * note text; returns 1 if one was removed. */
int vmgen_vmcoreinfo_drop(struct vmgen *g, const char *key);
/* Replace the line starting with key by line (appended; no newline in
 * line); returns 1 if there was one. */
int vmgen_vmcoreinfo_set(struct vmgen *g, const char *key, const char *line);

#endif
