#include "kaddr.h"
#include "vmcore.h"

#define KIMAGE_SIZE_DEFAULT (1ull << 30)
#define PHYSMEM_BITS_DEFAULT 46

void td_kaddr_init(struct td_kaddr *k, struct td_physread *mem, const struct td_vmcoreinfo *vi,
		   uint64_t page_offset, struct td_kread *other)
{
	int64_t n;

	k->mem = mem;
	k->other = other;
	k->page_offset = page_offset;
	k->phys_base = 0;
	if (td_vi_number(vi, "phys_base", &n) == 0)
		k->phys_base = n;
	k->kimage_size = KIMAGE_SIZE_DEFAULT;
	/* The image range must stay inside the top 2 GiB it lives in. */
	if (td_vi_number(vi, "KERNEL_IMAGE_SIZE", &n) == 0 && n > 0 && n <= (1ll << 31))
		k->kimage_size = (uint64_t)n;
	k->dmap_size = 1ull << PHYSMEM_BITS_DEFAULT;
	if (td_vi_number(vi, "MAX_PHYSMEM_BITS", &n) == 0 && n >= 32 && n <= 52)
		k->dmap_size = 1ull << n;
}

/* The linear rules: 1 and *pa, *room (bytes left in the region) if va is
 * covered, else 0. */
static int linear(const struct td_kaddr *k, uint64_t va, uint64_t *pa, uint64_t *room)
{
	if (va >= TD_START_KERNEL_MAP && va - TD_START_KERNEL_MAP < k->kimage_size) {
		*pa = va - TD_START_KERNEL_MAP + (uint64_t)k->phys_base;
		*room = k->kimage_size - (va - TD_START_KERNEL_MAP);
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
 * the end of the 4 KiB page through the fallback. *n is the piece size. */
static int piece(struct td_kaddr *k, uint64_t va, uint8_t *p, size_t len, size_t *n,
		 struct td_err *e)
{
	uint64_t pa, room;

	if (linear(k, va, &pa, &room)) {
		*n = room < len ? (size_t)room : len;
		return k->mem->read(k->mem->ctx, pa, p, *n, e);
	}
	if (!k->other)
		return td_kaddr_vtop(k, va, &pa, e);
	room = TD_PAGE_SIZE - (va & (TD_PAGE_SIZE - 1));
	*n = room < len ? (size_t)room : len;
	return k->other->read(k->other->ctx, va, p, *n, e);
}

static int kaddr_read(void *ctx, uint64_t va, void *buf, size_t len, struct td_err *e)
{
	uint8_t *p = buf;
	uint64_t at = va;
	size_t left = len, n = 0;

	while (left) {
		if (piece(ctx, at, p, left, &n, e) < 0)
			return td_wrap(e, "reading %zu bytes at virtual 0x%llx", len,
				       (unsigned long long)va);
		at += n;
		p += n;
		left -= n;
	}
	return 0;
}

void td_kaddr_kread(struct td_kaddr *k, struct td_kread *kr)
{
	kr->ctx = k;
	kr->read = kaddr_read;
}
