/* SPARSEMEM_EXTREME + VMEMMAP section lookup (see memmap.h). The kernel
 * side is mm/sparse.c: sparse_encode_mem_map() stores mem_map - start_pfn,
 * and the low bits of section_mem_map are flags (bit 0 present; 6.1 uses
 * bits 0..4; makedumpfile masks 5 bits, so do we). */
#include <stdio.h>
#include <string.h>

#include "io.h"
#include "memmap.h"

#define SECTION_MARKED_PRESENT 1ull
#define SECTION_MAP_MASK (~31ull)
#define KERNEL_HALF (1ull << 63) /* 4- and 5-level kernel addresses */

static int need(const struct td_vmcoreinfo *vi, int (*get)(const struct td_vmcoreinfo *, const char *,
							     uint64_t *),
		const char *kind, const char *name, uint64_t *v, struct td_err *e)
{
	if (get(vi, name, v) < 0)
		return td_fail(e, "VMCOREINFO has no %s(%s)", kind, name);
	return 0;
}

static int need_number(const struct td_vmcoreinfo *vi, const char *name, unsigned lo, unsigned hi,
		       unsigned *v, struct td_err *e)
{
	int64_t n;

	if (td_vi_number(vi, name, &n) < 0)
		return td_fail(e, "VMCOREINFO has no NUMBER(%s)", name);
	if (n < lo || n > hi)
		return td_fail(e, "NUMBER(%s)=%lld is not in %u..%u", name, (long long)n, lo, hi);
	*v = (unsigned)n;
	return 0;
}

static int check_layout(struct td_memmap *m, const struct td_vmcoreinfo *vi, unsigned secbits,
			unsigned physbits, struct td_err *e)
{
	uint64_t len;

	if (m->sec_size < 8 || m->sec_size > TD_PAGE_SIZE || (m->sec_size & (m->sec_size - 1)))
		return td_fail(e, "SIZE(mem_section)=%llu is not a power of two in 8..%u",
			       (unsigned long long)m->sec_size, TD_PAGE_SIZE);
	if (m->map_off > m->sec_size - 8)
		return td_fail(e, "OFFSET(mem_section.section_mem_map)=%llu is outside the struct",
			       (unsigned long long)m->map_off);
	if (m->page_size < 32 || m->page_size > TD_MEMMAP_MAX_PAGE || m->page_size % 8)
		return td_fail(e, "SIZE(page)=%llu is not a multiple of 8 in 32..%u",
			       (unsigned long long)m->page_size, TD_MEMMAP_MAX_PAGE);
	if (m->root_array < KERNEL_HALF)
		return td_fail(e, "SYMBOL(mem_section)=%llx is not a kernel address",
			       (unsigned long long)m->root_array);
	m->per_root = TD_PAGE_SIZE / m->sec_size;
	m->nr_roots = ((1ull << (physbits - secbits)) + m->per_root - 1) / m->per_root;
	/* makedumpfile is_sparsemem_extreme(): LENGTH(mem_section) is
	 * NR_SECTION_ROOTS, or absent */
	if (td_vi_length(vi, "mem_section", &len) == 0 && len != m->nr_roots)
		return td_fail(e, "LENGTH(mem_section)=%llu is not %llu: not SPARSEMEM_EXTREME, which is all this filter reads",
			       (unsigned long long)len, (unsigned long long)m->nr_roots);
	return 0;
}

int td_memmap_init(struct td_memmap *m, struct td_walker *walk, const struct td_vmcoreinfo *vi,
		   struct td_err *e)
{
	unsigned secbits, physbits;

	memset(m, 0, sizeof *m);
	m->walk = walk;
	m->cached_root = UINT64_MAX;
	if (need(vi, td_vi_symbol, "SYMBOL", "mem_section", &m->root_array, e) < 0 ||
	    need(vi, td_vi_size, "SIZE", "mem_section", &m->sec_size, e) < 0 ||
	    need(vi, td_vi_offset, "OFFSET", "mem_section.section_mem_map", &m->map_off, e) < 0 ||
	    need(vi, td_vi_size, "SIZE", "page", &m->page_size, e) < 0 ||
	    need_number(vi, "SECTION_SIZE_BITS", 21, 40, &secbits, e) < 0 ||
	    need_number(vi, "MAX_PHYSMEM_BITS", secbits + 1, 52, &physbits, e) < 0)
		return -1;
	m->sec_shift = secbits - TD_PAGE_SHIFT;
	return check_layout(m, vi, secbits, physbits, e);
}

static int kread(struct td_memmap *m, uint64_t va, void *buf, size_t len, struct td_err *e)
{
	struct td_kread kr;

	td_walker_kread(m->walk, &kr);
	return kr.read(kr.ctx, va, buf, len, e);
}

/* Make root r the cached one: its pointer from the root array, then the
 * page of mem_section structs it points to. */
static void load_root(struct td_memmap *m, uint64_t r)
{
	struct td_err e;
	uint8_t b[8];
	uint64_t ptr;

	m->cached_root = r;
	m->cached_state = -1;
	if (kread(m, m->root_array + 8 * r, b, 8, &e) < 0) {
		snprintf(m->cached_err, sizeof m->cached_err, "mem_section root %llu pointer: %.150s",
			 (unsigned long long)r, e.msg);
		return;
	}
	ptr = td_le64(b);
	if (ptr == 0) {
		m->cached_state = 0;
		return;
	}
	if (kread(m, ptr, m->root, sizeof m->root, &e) < 0) {
		snprintf(m->cached_err, sizeof m->cached_err, "mem_section root %llu at 0x%llx: %.150s",
			 (unsigned long long)r, (unsigned long long)ptr, e.msg);
		return;
	}
	m->cached_state = 1;
}

int td_memmap_section(struct td_memmap *m, uint64_t sec, uint64_t *map, struct td_err *e)
{
	uint64_t r = sec / m->per_root, v;

	if (r >= m->nr_roots)
		return 0;
	if (r != m->cached_root)
		load_root(m, r);
	if (m->cached_state <= 0) {
		if (m->cached_state < 0)
			td_fail(e, "%s", m->cached_err);
		return m->cached_state;
	}
	v = td_le64(m->root + (sec % m->per_root) * m->sec_size + m->map_off);
	if (!(v & SECTION_MARKED_PRESENT))
		return 0;
	*map = (v & SECTION_MAP_MASK) + (sec << m->sec_shift) * m->page_size;
	if (*map < KERNEL_HALF)
		return td_fail(e, "section %llu: mem_map 0x%llx (section_mem_map 0x%llx) is not a kernel address",
			       (unsigned long long)sec, (unsigned long long)*map, (unsigned long long)v);
	return 1;
}

/* --- struct page chunks --- */

void td_memmap_chunk(struct td_memmap *m, struct td_memmap_chunk *c, uint64_t map, uint64_t secpfn,
		     uint64_t cp)
{
	c->pfn = cp;
	c->va = map + (cp - secpfn) * m->page_size;
	c->err[0] = '\0';
	memset(c->state, 0, sizeof c->state);
}

enum { PAGE = TD_PAGE_SIZE };

/* Read vmemmap page k of the chunk (the page holding byte k * PAGE -
 * (va % PAGE) of the chunk's data, which starts at data + va % PAGE). */
static void load_page(struct td_memmap *m, struct td_memmap_chunk *c, unsigned k)
{
	uint64_t va = (c->va & ~(uint64_t)(PAGE - 1)) + (uint64_t)PAGE * k, pa;
	struct td_physread *mem = m->walk->mem;
	struct td_err e;

	c->state[k] = 2;
	if (va >= m->last_va && va - m->last_va < m->last_size) {
		pa = m->last_pa + (va - m->last_va);
	} else if (td_walker_vtop(m->walk, va, &pa, &m->last_size, &e) < 0) {
		m->last_size = 0;
		td_wrap(&e, "vmemmap");
		goto bad;
	} else {
		m->last_va = va & ~(m->last_size - 1);
		m->last_pa = pa & ~(m->last_size - 1);
	}
	if (mem->read(mem->ctx, pa, c->data + (uint64_t)PAGE * k, PAGE, &e) < 0) {
		td_wrap(&e, "struct pages at pa 0x%llx", (unsigned long long)pa);
		goto bad;
	}
	c->state[k] = 1;
	return;
bad:
	if (!c->err[0])
		snprintf(c->err, sizeof c->err, "%.159s", e.msg);
}

const uint8_t *td_memmap_pages(struct td_memmap *m, struct td_memmap_chunk *c, unsigned idx,
			       unsigned n)
{
	uint64_t first = (c->va & (PAGE - 1)) + (uint64_t)idx * m->page_size;
	uint64_t last = first + (uint64_t)n * m->page_size - 1;

	for (unsigned k = (unsigned)(first / PAGE); k <= last / PAGE; k++) {
		if (!c->state[k])
			load_page(m, c, k);
		if (c->state[k] != 1)
			return NULL;
	}
	return c->data + first;
}
