#include "kaddr.h"

void td_kaddr_init(struct td_kaddr *k, const struct td_arch *a, struct td_physread *mem,
		   const struct td_vmcoreinfo *vi, uint64_t page_offset, struct td_kread *other)
{
	int64_t n;

	k->mem = mem;
	k->other = other;
	k->page_offset = page_offset;
	k->kimage_base = a->kimage_base;
	k->phys_base = 0;
	if (td_vi_number(vi, "phys_base", &n) == 0)
		k->phys_base = n;
	k->kimage_size = a->kimage_size;
	/* The image range must stay inside the top of the address space it
	 * lives in (x86_64: 2 GiB). */
	if (td_vi_number(vi, "KERNEL_IMAGE_SIZE", &n) == 0 && n > 0 && (uint64_t)n <= 0 - a->kimage_base)
		k->kimage_size = (uint64_t)n;
	k->dmap_size = 1ull << a->physmem_bits;
	if (td_vi_number(vi, "MAX_PHYSMEM_BITS", &n) == 0 && n >= 32 && n <= 52)
		k->dmap_size = 1ull << n;
}

/* The linear rules: 1 and *pa, *room (bytes left in the region) if va is
 * covered, else 0. */
static int linear(const struct td_kaddr *k, uint64_t va, uint64_t *pa, uint64_t *room)
{
	if (va >= k->kimage_base && va - k->kimage_base < k->kimage_size) {
		*pa = va - k->kimage_base + (uint64_t)k->phys_base;
		*room = k->kimage_size - (va - k->kimage_base);
		return 1;
	}
	if (k->page_offset && va >= k->page_offset && va - k->page_offset < k->dmap_size) {
		*pa = va - k->page_offset;
		*room = k->dmap_size - *pa;
		return 1;
	}
	return 0;
}

int td_kaddr_vtop(const struct td_kaddr *k, uint64_t va, uint64_t *pa, struct td_err *e)
{
	uint64_t room;

	if (linear(k, va, pa, &room))
		return 0;
	return td_fail(e, "virtual address 0x%llx is outside the kernel image%s",
		       (unsigned long long)va, k->page_offset ? " and the direct map" : "");
}

/* Read one piece at va: as much as the linear region allows, else up to
 * the end of the page through the fallback. *n is the piece size. */
static int piece(void *ctx, uint64_t va, uint8_t *p, size_t len, size_t *n, struct td_err *e)
{
	struct td_kaddr *k = ctx;
	uint64_t pa, room;

	if (linear(k, va, &pa, &room)) {
		*n = room < len ? (size_t)room : len;
		return k->mem->read(k->mem->ctx, pa, p, *n, e);
	}
	if (!k->other)
		return td_kaddr_vtop(k, va, &pa, e);
	*n = td_span(va, TD_PAGE_SIZE, len);
	return k->other->read(k->other->ctx, va, p, *n, e);
}

static int kaddr_read(void *ctx, uint64_t va, void *buf, size_t len, struct td_err *e)
{
	if (td_read_pieces(piece, ctx, va, buf, len, e) < 0)
		return td_wrap(e, "reading %zu bytes at virtual 0x%llx", len, (unsigned long long)va);
	return 0;
}

void td_kaddr_kread(struct td_kaddr *k, struct td_kread *kr)
{
	kr->ctx = k;
	kr->read = kaddr_read;
}
