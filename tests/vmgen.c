/* vmgen: synthetic x86_64 vmcores (see vmgen.h). Test support: failures
 * abort, memory is malloc'd freely. */
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "vmgen.h"

#define VG_PTE_MASK 0x000ffffffffff000ull
#define VG_PRESENT 0x1ull
#define VG_PSE 0x80ull
#define VG_TABLE_BITS 0x63ull /* present, rw, accessed, dirty */

static void vg_die(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
static void vg_die(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "vmgen: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\n");
	abort();
}

static void *vg_zalloc(size_t n)
{
	void *p = calloc(1, n ? n : 1);

	if (!p)
		vg_die("out of memory (%zu bytes)", n);
	return p;
}

struct vmgen *vmgen_new(void)
{
	struct vmgen *g = vg_zalloc(sizeof *g);

	g->levels = 4;
	g->page_offset = VMGEN_PAGE_OFFSET_L4;
	g->vmemmap_base = VMGEN_VMEMMAP_L4;
	g->nr_cpus = 1;
	g->cap = 1024;
	g->keys = vg_zalloc(g->cap * sizeof *g->keys);
	g->pages = vg_zalloc(g->cap * sizeof *g->pages);
	return g;
}

void vmgen_free(struct vmgen *g)
{
	if (!g)
		return;
	for (size_t i = 0; i < g->cap; i++)
		free(g->pages[i]);
	free(g->keys);
	free(g->pages);
	free(g->vmcoreinfo);
	free(g);
}

/* --- sparse physical memory --- */

static size_t vg_slot(const struct vmgen *g, uint64_t pfn)
{
	size_t i = (size_t)((pfn * 0x9E3779B97F4A7C15ull) >> 20) & (g->cap - 1);

	while (g->keys[i] && g->keys[i] != pfn + 1)
		i = (i + 1) & (g->cap - 1);
	return i;
}

static void vg_grow(struct vmgen *g)
{
	uint64_t *keys = g->keys;
	uint8_t **pages = g->pages;
	size_t cap = g->cap;

	g->cap *= 2;
	g->keys = vg_zalloc(g->cap * sizeof *g->keys);
	g->pages = vg_zalloc(g->cap * sizeof *g->pages);
	for (size_t i = 0; i < cap; i++) {
		if (!keys[i])
			continue;
		size_t j = vg_slot(g, keys[i] - 1);
		g->keys[j] = keys[i];
		g->pages[j] = pages[i];
	}
	free(keys);
	free(pages);
}

uint8_t *vmgen_phys(struct vmgen *g, uint64_t pa)
{
	uint64_t pfn = pa / VMGEN_PAGE;
	size_t i = vg_slot(g, pfn);

	if (!g->keys[i]) {
		if (2 * (g->used + 1) > g->cap) {
			vg_grow(g);
			i = vg_slot(g, pfn);
		}
		g->keys[i] = pfn + 1;
		g->pages[i] = vg_zalloc(VMGEN_PAGE);
		g->used++;
	}
	return g->pages[i] + pa % VMGEN_PAGE;
}

const uint8_t *vmgen_peek(const struct vmgen *g, uint64_t pa)
{
	size_t i = vg_slot(g, pa / VMGEN_PAGE);

	return g->keys[i] ? g->pages[i] + pa % VMGEN_PAGE : NULL;
}

void vmgen_write_phys(struct vmgen *g, uint64_t pa, const void *buf, size_t len)
{
	const uint8_t *b = buf;

	while (len) {
		size_t n = VMGEN_PAGE - pa % VMGEN_PAGE;
		if (n > len)
			n = len;
		memcpy(vmgen_phys(g, pa), b, n);
		pa += n;
		b += n;
		len -= n;
	}
}

void vmgen_put64(struct vmgen *g, uint64_t pa, uint64_t v)
{
	uint8_t b[8];

	for (int i = 0; i < 8; i++)
		b[i] = (uint8_t)(v >> (8 * i));
	vmgen_write_phys(g, pa, b, 8);
}

uint64_t vmgen_get64(const struct vmgen *g, uint64_t pa)
{
	uint64_t v = 0;

	for (int i = 7; i >= 0; i--) {
		const uint8_t *p = vmgen_peek(g, pa + i);
		v = v << 8 | (p ? *p : 0);
	}
	return v;
}

/* --- loads and notes --- */

static void vg_add_load(struct vmgen *g, uint64_t paddr, uint64_t size, int kimage)
{
	if (paddr % VMGEN_PAGE || size % VMGEN_PAGE || !size)
		vg_die("load 0x%llx+0x%llx is not page-aligned", (unsigned long long)paddr,
		       (unsigned long long)size);
	if (g->nload == sizeof g->load / sizeof g->load[0])
		vg_die("too many loads");
	g->load[g->nload++] = (struct vmgen_load){ paddr, size, kimage };
}

void vmgen_ram(struct vmgen *g, uint64_t paddr, uint64_t size)
{
	vg_add_load(g, paddr, size, 0);
}

void vmgen_kernel_text(struct vmgen *g, uint64_t paddr, uint64_t size)
{
	vg_add_load(g, paddr, size, 1);
}

void vmgen_vmcoreinfo(struct vmgen *g, const char *text)
{
	free(g->vmcoreinfo);
	g->vmcoreinfo = strdup(text);
	if (!g->vmcoreinfo)
		vg_die("out of memory");
}

static void vg_le(uint8_t *p, uint64_t v, int n)
{
	for (int i = 0; i < n; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

enum { VG_PRSTATUS = 336 };

static size_t vg_note(uint8_t *p, const char *name, uint32_t type, const void *desc, uint32_t dsz)
{
	uint32_t nsz = (uint32_t)strlen(name) + 1, npad = (nsz + 3) & ~3u, dpad = (dsz + 3) & ~3u;

	if (p) {
		vg_le(p, nsz, 4);
		vg_le(p + 4, dsz, 4);
		vg_le(p + 8, type, 4);
		memcpy(p + 12, name, nsz);
		memcpy(p + 12 + npad, desc, dsz);
	}
	return 12 + npad + dpad;
}

static size_t vg_notes(const struct vmgen *g, uint8_t *p)
{
	uint8_t prs[VG_PRSTATUS];
	const char *vi = g->vmcoreinfo ? g->vmcoreinfo : "";
	size_t n = 0;

	for (unsigned c = 0; c < g->nr_cpus; c++) {
		memset(prs, 0, sizeof prs);
		vg_le(prs + 32, c + 1, 4); /* pr_pid */
		n += vg_note(p ? p + n : NULL, "CORE", 1, prs, sizeof prs);
	}
	n += vg_note(p ? p + n : NULL, "VMCOREINFO", 0, vi, (uint32_t)strlen(vi));
	return n;
}

static int vg_load_cmp(const void *a, const void *b)
{
	const struct vmgen_load *x = a, *y = b;

	if (x->kimage != y->kimage)
		return y->kimage - x->kimage; /* the alias first, as kexec does */
	return x->paddr < y->paddr ? -1 : x->paddr > y->paddr;
}

/* Headers + notes in a malloc'd buffer; file offset of each load's data in
 * off[] (after sorting g->load); returns the total file size. */
static uint64_t vg_layout(struct vmgen *g, uint8_t **hdr, size_t *hdrlen, uint64_t *off)
{
	unsigned phnum = 1 + g->nload;
	size_t notes = vg_notes(g, NULL), nstart = 64 + 56 * (size_t)phnum;
	size_t len = nstart + notes;
	uint8_t *h = vg_zalloc(len);
	uint64_t pos = (len + VMGEN_PAGE - 1) & ~(VMGEN_PAGE - 1);

	qsort(g->load, g->nload, sizeof g->load[0], vg_load_cmp);
	memcpy(h, "\177ELF\2\1\1", 7);
	vg_le(h + 16, 4, 2);   /* ET_CORE */
	vg_le(h + 18, 62, 2);  /* EM_X86_64 */
	vg_le(h + 20, 1, 4);
	vg_le(h + 32, 64, 8);  /* e_phoff */
	vg_le(h + 52, 64, 2);
	vg_le(h + 54, 56, 2);
	vg_le(h + 56, phnum, 2);
	uint8_t *ph = h + 64;
	vg_le(ph, 4, 4);       /* PT_NOTE */
	vg_le(ph + 8, nstart, 8);
	vg_le(ph + 32, notes, 8);
	vg_le(ph + 40, notes, 8);
	vg_notes(g, h + nstart);
	for (unsigned i = 0; i < g->nload; i++) {
		const struct vmgen_load *l = &g->load[i];
		uint64_t va = l->kimage ? VMGEN_KMAP + l->paddr - (uint64_t)g->phys_base
					: g->page_offset + l->paddr;
		ph = h + 64 + 56 * (i + 1);
		vg_le(ph, 1, 4); /* PT_LOAD */
		vg_le(ph + 4, 7, 4);
		vg_le(ph + 8, pos, 8);
		vg_le(ph + 16, va, 8);
		vg_le(ph + 24, l->paddr, 8);
		vg_le(ph + 32, l->size, 8);
		vg_le(ph + 40, l->size, 8);
		off[i] = pos;
		pos += l->size;
	}
	*hdr = h;
	*hdrlen = len;
	return pos;
}

static int vg_zero(const uint8_t *p)
{
	for (size_t i = 0; i < VMGEN_PAGE; i++)
		if (p[i])
			return 0;
	return 1;
}

/* Call put(ctx, file offset, page) for every non-zero stored page. */
static void vg_each_page(const struct vmgen *g, const uint64_t *off,
			 void (*put)(void *ctx, uint64_t off, const uint8_t *page), void *ctx)
{
	for (unsigned i = 0; i < g->nload; i++) {
		const struct vmgen_load *l = &g->load[i];
		for (size_t s = 0; s < g->cap; s++) {
			uint64_t pa;
			if (!g->keys[s])
				continue;
			pa = (g->keys[s] - 1) * VMGEN_PAGE;
			if (pa >= l->paddr && pa - l->paddr < l->size && !vg_zero(g->pages[s]))
				put(ctx, off[i] + pa - l->paddr, g->pages[s]);
		}
	}
}

static void vg_put_buf(void *ctx, uint64_t off, const uint8_t *page)
{
	memcpy((uint8_t *)ctx + off, page, VMGEN_PAGE);
}

void vmgen_buffer(struct vmgen *g, uint8_t **buf, size_t *len)
{
	uint64_t off[64];
	uint8_t *h;
	size_t hl;
	uint64_t total = vg_layout(g, &h, &hl, off);
	uint8_t *b = vg_zalloc(total);

	memcpy(b, h, hl);
	free(h);
	vg_each_page(g, off, vg_put_buf, b);
	*buf = b;
	*len = total;
}

static void vg_put_fd(void *ctx, uint64_t off, const uint8_t *page)
{
	if (pwrite(*(int *)ctx, page, VMGEN_PAGE, (off_t)off) != (ssize_t)VMGEN_PAGE)
		vg_die("pwrite failed");
}

uint64_t vmgen_write(struct vmgen *g, const char *path)
{
	uint64_t off[64];
	uint8_t *h;
	size_t hl;
	uint64_t total = vg_layout(g, &h, &hl, off);
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);

	if (fd < 0)
		vg_die("cannot create %s", path);
	if (pwrite(fd, h, hl, 0) != (ssize_t)hl)
		vg_die("writing %s failed", path);
	free(h);
	vg_each_page(g, off, vg_put_fd, &fd);
	if (ftruncate(fd, (off_t)total) < 0 || close(fd) < 0)
		vg_die("finishing %s failed", path);
	return total;
}

/* --- page tables --- */

void vmgen_pool(struct vmgen *g, uint64_t pa, uint64_t size)
{
	g->pool_next = pa;
	g->pool_end = pa + size;
}

uint64_t vmgen_alloc(struct vmgen *g, uint64_t size, uint64_t align)
{
	uint64_t pa = (g->pool_next + align - 1) & ~(align - 1);

	if (pa + size > g->pool_end || pa + size < pa)
		vg_die("pool exhausted (need 0x%llx)", (unsigned long long)size);
	g->pool_next = pa + size;
	return pa;
}

static uint64_t vg_table(struct vmgen *g)
{
	uint64_t pa = vmgen_alloc(g, VMGEN_PAGE, VMGEN_PAGE);

	memset(vmgen_phys(g, pa), 0, VMGEN_PAGE);
	return pa;
}

void vmgen_pt_init(struct vmgen *g)
{
	g->root_pa = vg_table(g);
}

uint64_t vmgen_init_top_pgt(const struct vmgen *g)
{
	return VMGEN_KMAP + g->root_pa - (uint64_t)g->phys_base;
}

static unsigned vg_idx(uint64_t va, int level)
{
	return (unsigned)(va >> (12 + 9 * (level - 1))) & 511;
}

static uint64_t vg_mask(const struct vmgen *g)
{
	return VG_PTE_MASK & ~g->sme_mask;
}

uint64_t vmgen_entry_pa(const struct vmgen *g, uint64_t va, int level)
{
	uint64_t table = g->root_pa;

	for (int l = g->levels; l > level; l--) {
		uint64_t e = vmgen_get64(g, table + 8 * vg_idx(va, l));
		if (!(e & VG_PRESENT) || (l <= 3 && (e & VG_PSE)))
			return 0;
		table = e & vg_mask(g);
	}
	return table + 8 * vg_idx(va, level);
}

int vmgen_vtop(const struct vmgen *g, uint64_t va, uint64_t *pa)
{
	uint64_t table = g->root_pa;

	for (int l = g->levels; l >= 1; l--) {
		uint64_t e = vmgen_get64(g, table + 8 * vg_idx(va, l));
		uint64_t span = 1ull << (12 + 9 * (l - 1));
		if (!(e & VG_PRESENT))
			return -1;
		if (l == 1 || (l <= 3 && (e & VG_PSE))) {
			*pa = (e & vg_mask(g) & ~(span - 1)) + (va & (span - 1));
			return 0;
		}
		table = e & vg_mask(g);
	}
	return -1;
}

static void vg_map_one(struct vmgen *g, uint64_t va, uint64_t pa, int leaf)
{
	uint64_t table = g->root_pa;

	if (!table)
		vg_die("vmgen_pt_init not called");
	for (int l = g->levels; l > leaf; l--) {
		uint64_t epa = table + 8 * vg_idx(va, l), e = vmgen_get64(g, epa);
		if (!(e & VG_PRESENT)) {
			e = vg_table(g) | VG_TABLE_BITS | g->sme_mask;
			vmgen_put64(g, epa, e);
		} else if (l <= 3 && (e & VG_PSE)) {
			vg_die("va 0x%llx is already mapped by a large page", (unsigned long long)va);
		}
		table = e & vg_mask(g);
	}
	vmgen_put64(g, table + 8 * vg_idx(va, leaf),
		    pa | VG_TABLE_BITS | (leaf > 1 ? VG_PSE : 0) | g->sme_mask);
}

void vmgen_map(struct vmgen *g, uint64_t va, uint64_t pa, uint64_t size, uint64_t pgsize)
{
	int leaf = pgsize == 1ull << 30 ? 3 : pgsize == 1ull << 21 ? 2 : 1;

	if (pgsize != 1ull << (12 + 9 * (leaf - 1)) || va % pgsize || pa % pgsize || size % pgsize)
		vg_die("vmgen_map: bad alignment or page size");
	for (uint64_t o = 0; o < size; o += pgsize)
		vg_map_one(g, va + o, pa + o, leaf);
}

void vmgen_map_direct(struct vmgen *g)
{
	for (unsigned i = 0; i < g->nload; i++) {
		const struct vmgen_load *l = &g->load[i];
		uint64_t pa = l->paddr, end = l->paddr + l->size;
		if (l->kimage)
			continue;
		while (pa < end) {
			uint64_t sz = 1ull << 30;
			while (pa % sz || end - pa < sz)
				sz >>= 9;
			vmgen_map(g, g->page_offset + pa, pa, sz, sz);
			pa += sz;
		}
	}
}

/* --- sparsemem / vmemmap / struct page --- */

static unsigned vg_physbits(const struct vmgen *g)
{
	return g->levels == 5 ? 52 : 46;
}

static uint64_t vg_nr_roots(const struct vmgen *g)
{
	return (1ull << (vg_physbits(g) - VMGEN_SECTION_BITS)) / (VMGEN_PAGE / 16);
}

uint64_t vmgen_page_va(const struct vmgen *g, uint64_t pfn)
{
	return g->vmemmap_base + pfn * VMGEN_SIZE_PAGE;
}

static void vg_section(struct vmgen *g, uint64_t sec)
{
	uint64_t root_pa = g->mem_section_va - g->page_offset + 8 * (sec / 256);
	uint64_t root = vmgen_get64(g, root_pa);

	if (!root) {
		root = g->page_offset + vg_table(g);
		vmgen_put64(g, root_pa, root);
	}
	/* sparse_encode_mem_map: mem_map - section_start_pfn, i.e. vmemmap
	 * itself; flags present | has_mem_map | online | early. */
	vmgen_put64(g, root - g->page_offset + 16 * (sec % 256), g->vmemmap_base | 0xf);
}

void vmgen_sparse(struct vmgen *g, uint64_t pfn, uint64_t n, uint64_t pgsize)
{
	uint64_t pa;

	if (!g->mem_section_va) {
		uint64_t sz = vg_nr_roots(g) * 8;
		pa = vmgen_alloc(g, sz, VMGEN_PAGE);
		for (uint64_t o = 0; o < sz; o += VMGEN_PAGE)
			memset(vmgen_phys(g, pa + o), 0, VMGEN_PAGE);
		g->mem_section_va = g->page_offset + pa;
	}
	for (uint64_t s = pfn / VMGEN_SECTION_PFNS; s <= (pfn + n - 1) / VMGEN_SECTION_PFNS; s++)
		vg_section(g, s);
	uint64_t va = vmgen_page_va(g, pfn) & ~(pgsize - 1);
	for (; va < vmgen_page_va(g, pfn + n); va += pgsize) {
		if (vmgen_vtop(g, va, &pa) == 0)
			continue;
		pa = vmgen_alloc(g, pgsize, pgsize);
		vmgen_map(g, va, pa, pgsize, pgsize);
	}
}

uint8_t *vmgen_page(struct vmgen *g, uint64_t pfn)
{
	uint64_t pa;

	if (vmgen_vtop(g, vmgen_page_va(g, pfn), &pa) < 0)
		vg_die("struct page of pfn 0x%llx is not mapped", (unsigned long long)pfn);
	return vmgen_phys(g, pa);
}

/* struct page contents and VMCOREINFO, per kernel generation */
#include "vmgen_page.c"
