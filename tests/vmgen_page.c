/* vmgen: struct page contents and VMCOREINFO for each kernel generation
 * the filter knows (see vmgen.h, enum vmgen_gen). Included by vmgen.c.
 *
 * The writers take 6.1 terms (PG_slab in flags, PAGE_BUDDY_MAPCOUNT_VALUE
 * -129, PAGE_OFFLINE_MAPCOUNT_VALUE -257, a compound destructor) and write
 * what the generation's kernel would: a slab page type instead of PG_slab
 * from 6.10, type values of the generation, the hugetlb mark and the
 * compound order where that kernel keeps them, tails marked through
 * compound_info from 7.1. The values come from the kernels' page-flags.h
 * (newer-kernels notes); the page layout offsets stay 6.1's, which the
 * filter takes from VMCOREINFO anyway. */

#define VG_NOT 0x7fffffffll /* a type this generation does not have */
#define VG_TAIL_MASK 0xffffffffffffff81ull /* a 7.1 tail's compound_info, as seen on 7.2 */

enum { VG_HUGE_DTOR, VG_HUGE_FLAG, VG_HUGE_TYPE };

struct vg_gen {
	const char *osrelease;
	int folio;            /* order/dtor exported as folio._folio_* (6.3-6.5) */
	int order_in_flags;   /* order in page[1].flags' low byte (6.6 on) */
	int huge;             /* VG_HUGE_*: where a hugetlb head is marked */
	int pg_slab;          /* NUMBER(PG_slab); else slab is a page type */
	int info;             /* page.compound_info (7.1 on) */
	int64_t ty[VMGEN_TY_N];       /* _mapcount of each type, or VG_NOT */
	unsigned exported;    /* 1 << VMGEN_TY_x: NUMBER(PAGE_x_MAPCOUNT_VALUE) */
};

#define VG_OLD(b) (~(int64_t)(b))                   /* 6.1-6.11: a cleared bit */
#define VG_NEW(t) ((int64_t)(int32_t)((uint32_t)(t) << 24)) /* 6.12 on: top byte */
#define VG_EXP(t) (1u << VMGEN_TY_##t)

static const struct vg_gen vg_gens[VMGEN_GEN_N] = {
	[VMGEN_GEN_61] = { "6.1.192", 0, 0, VG_HUGE_DTOR, 1, 0,
			   { VG_OLD(0x80), VG_OLD(0x100), VG_NOT, VG_NOT, VG_NOT, VG_OLD(0x200) },
			   VG_EXP(BUDDY) | VG_EXP(OFFLINE) },
	[VMGEN_GEN_63] = { "6.3.13", 1, 0, VG_HUGE_DTOR, 1, 0,
			   { VG_OLD(0x80), VG_OLD(0x100), VG_NOT, VG_NOT, VG_NOT, VG_OLD(0x200) },
			   VG_EXP(BUDDY) | VG_EXP(OFFLINE) },
	[VMGEN_GEN_66] = { "6.6.58", 0, 1, VG_HUGE_FLAG, 1, 0,
			   { VG_OLD(0x80), VG_OLD(0x100), VG_NOT, VG_NOT, VG_NOT, VG_OLD(0x200) },
			   VG_EXP(BUDDY) | VG_EXP(OFFLINE) },
	[VMGEN_GEN_69] = { "6.9.12", 0, 1, VG_HUGE_TYPE, 1, 0,
			   { VG_OLD(0x80), VG_OLD(0x100), VG_NOT, VG_OLD(0x800), VG_NOT, VG_OLD(0x200) },
			   VG_EXP(BUDDY) | VG_EXP(OFFLINE) | VG_EXP(HUGETLB) },
	[VMGEN_GEN_610] = { "6.10.14", 0, 1, VG_HUGE_TYPE, 0, 0,
			    { VG_OLD(0x80), VG_OLD(0x100), VG_OLD(0x1000), VG_OLD(0x800), VG_NOT, VG_OLD(0x200) },
			    VG_EXP(BUDDY) | VG_EXP(OFFLINE) | VG_EXP(HUGETLB) | VG_EXP(SLAB) },
	[VMGEN_GEN_611] = { "6.11.11", 0, 1, VG_HUGE_TYPE, 0, 0,
			    { VG_OLD(0x40000000), VG_OLD(0x20000000), VG_OLD(0x02000000), VG_OLD(0x04000000),
			      VG_NOT, VG_OLD(0x10000000) },
			    VG_EXP(BUDDY) | VG_EXP(OFFLINE) | VG_EXP(HUGETLB) | VG_EXP(SLAB) },
	[VMGEN_GEN_612] = { "6.12.118+deb13-cloud-amd64", 0, 1, VG_HUGE_TYPE, 0, 0,
			    { VG_NEW(0xf0), VG_NEW(0xf1), VG_NEW(0xf5), VG_NEW(0xf4), VG_NEW(0xf7), VG_NEW(0xf2) },
			    VG_EXP(BUDDY) | VG_EXP(OFFLINE) | VG_EXP(HUGETLB) | VG_EXP(SLAB) },
	[VMGEN_GEN_616] = { "6.16.12", 0, 1, VG_HUGE_TYPE, 0, 0,
			    { VG_NEW(0xf0), VG_NEW(0xf1), VG_NEW(0xf5), VG_NEW(0xf4), VG_NEW(0xf7), VG_NEW(0xf2) },
			    VG_EXP(BUDDY) | VG_EXP(OFFLINE) | VG_EXP(HUGETLB) | VG_EXP(SLAB) |
				    VG_EXP(UNACCEPTED) },
	[VMGEN_GEN_71] = { "7.1.3", 0, 1, VG_HUGE_TYPE, 0, 1,
			   { VG_NEW(0xf0), VG_NEW(0xf1), VG_NEW(0xf5), VG_NEW(0xf4), VG_NEW(0xf7), VG_NEW(0xf2) },
			   VG_EXP(BUDDY) | VG_EXP(OFFLINE) | VG_EXP(HUGETLB) | VG_EXP(SLAB) |
				   VG_EXP(UNACCEPTED) },
};

static const struct vg_gen *vg_gen(const struct vmgen *g)
{
	if (g->gen < 0 || g->gen >= VMGEN_GEN_N)
		vg_die("unknown generation %d", g->gen);
	return &vg_gens[g->gen];
}

int32_t vmgen_type(const struct vmgen *g, int ty)
{
	int64_t v = vg_gen(g)->ty[ty];

	if (v == VG_NOT)
		vg_die("generation %s has no page type %d", vg_gen(g)->osrelease, ty);
	return (int32_t)v;
}

int vmgen_has_type(const struct vmgen *g, int ty)
{
	return vg_gen(g)->ty[ty] != VG_NOT;
}

/* --- struct pages --- */

static void vg_raw_page(struct vmgen *g, uint64_t pfn, uint64_t flags, uint64_t mapping, int32_t mapcount,
			uint64_t private_)
{
	uint8_t *p = vmgen_page(g, pfn);

	vg_le(p + VMGEN_OFF_FLAGS, flags, 8);
	vg_le(p + VMGEN_OFF_MAPPING, mapping, 8);
	vg_le(p + VMGEN_OFF_MAPCOUNT, (uint32_t)mapcount, 4);
	vg_le(p + VMGEN_OFF_PRIVATE, private_, 8);
}

void vmgen_set_page(struct vmgen *g, uint64_t pfn, uint64_t flags, uint64_t mapping,
		    int32_t mapcount, uint64_t private_)
{
	const struct vg_gen *gen = vg_gen(g);
	uint64_t slab = 1ull << VMGEN_PG_slab;

	if (mapcount == VMGEN_BUDDY_MAPCOUNT)
		mapcount = vmgen_type(g, VMGEN_TY_BUDDY);
	else if (mapcount == VMGEN_OFFLINE_MAPCOUNT)
		mapcount = vmgen_type(g, VMGEN_TY_OFFLINE);
	if (!gen->pg_slab && (flags & slab)) {
		flags &= ~slab;
		mapcount = vmgen_type(g, VMGEN_TY_SLAB);
	}
	vg_raw_page(g, pfn, flags, mapping, mapcount, private_);
}

void vmgen_buddy(struct vmgen *g, uint64_t pfn, unsigned order)
{
	/* Only the head: the other pages of a free block are never looked at
	 * (all-zero struct pages classify like _mapcount -1 ones), and leaving
	 * them untouched keeps a 64 GiB free machine small. */
	vmgen_set_page(g, pfn, 0, 0, VMGEN_BUDDY_MAPCOUNT, order);
}

/* The first tail, which holds the head's compound data. */
static void vg_first_tail(struct vmgen *g, uint8_t *p, unsigned order, unsigned dtor)
{
	const struct vg_gen *gen = vg_gen(g);

	if (!gen->order_in_flags) {
		/* 6.1 first tail: dtor, order, compound_mapcount at 20,
		 * compound_pincount at 24 and compound_nr at 28, so its
		 * "mapping" is pincount | nr << 32 (6.3's folio the same) */
		p[VMGEN_OFF_COMPOUND_DTOR] = (uint8_t)dtor;
		p[VMGEN_OFF_COMPOUND_ORDER] = (uint8_t)order;
		vg_le(p + 20, 0xffffffff, 4);
		vg_le(p + 28, 1u << order, 4);
		return;
	}
	/* 6.6 on: folio._flags_1 holds the order in its low byte (and
	 * PG_hugetlb in 6.6-6.8); bytes 16/17 are other data now, so put
	 * junk there that a wrong reader would take as order 90 */
	vg_le(p + VMGEN_OFF_FLAGS, order | (gen->huge == VG_HUGE_FLAG && dtor == VMGEN_DTOR_HUGETLB
						    ? 1ull << VMGEN_PG_hugetlb : 0), 8);
	p[VMGEN_OFF_COMPOUND_DTOR] = VMGEN_DTOR_HUGETLB;
	p[VMGEN_OFF_COMPOUND_ORDER] = 90;
	vg_le(p + 20, 0xffffffff, 4);
}

void vmgen_compound(struct vmgen *g, uint64_t pfn, unsigned order, unsigned dtor,
		    uint64_t flags, uint64_t mapping)
{
	const struct vg_gen *gen = vg_gen(g);
	uint64_t n = 1ull << order;
	int32_t mapcount = -1;

	if (gen->huge == VG_HUGE_TYPE && dtor == VMGEN_DTOR_HUGETLB)
		mapcount = vmgen_type(g, VMGEN_TY_HUGETLB);
	vmgen_set_page(g, pfn, flags | 1ull << VMGEN_PG_head, mapping, mapcount, 0);
	for (uint64_t i = 1; i < n; i++) {
		uint8_t *p = vmgen_page(g, pfn + i);
		memset(p, 0, VMGEN_SIZE_PAGE);
		vg_le(p + VMGEN_OFF_COMPOUND_HEAD, gen->info ? VG_TAIL_MASK : vmgen_page_va(g, pfn) | 1, 8);
		if (i == 1)
			vg_first_tail(g, p, order, dtor);
		else /* TAIL_MAPPING; 7.x leaves a value that looks anonymous */
			vg_le(p + VMGEN_OFF_MAPPING, gen->info ? 0xffffffff : 0x400, 8);
		vg_le(p + VMGEN_OFF_MAPCOUNT, 0xffffffff, 4);
	}
}

/* --- VMCOREINFO --- */

#include "vmgen_vi.h"

static const char *const vg_ty_name[VMGEN_TY_N] = { "BUDDY", "OFFLINE", "SLAB", "HUGETLB", "UNACCEPTED",
						      "TABLE" };

/* Append printf text to the note being built. */
static void vg_vi_add(char *t, size_t cap, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void vg_vi_add(char *t, size_t cap, const char *fmt, ...)
{
	size_t n = strlen(t);
	va_list ap;

	va_start(ap, fmt);
	if ((size_t)vsnprintf(t + n, cap - n, fmt, ap) >= cap - n)
		vg_die("VMCOREINFO text too long");
	va_end(ap);
}

/* What differs from 6.1 in the generation's note. */
static void vg_vi_gen(struct vmgen *g, char *t, size_t cap, unsigned vi_flags)
{
	const struct vg_gen *gen = vg_gen(g);

	vg_vi_add(t, cap, "OSRELEASE=%s\n", gen->osrelease);
	if (gen->folio)
		vg_vi_add(t, cap, "OFFSET(folio._folio_dtor)=%d\nOFFSET(folio._folio_order)=%d\n",
		       VMGEN_SIZE_PAGE + VMGEN_OFF_COMPOUND_DTOR, VMGEN_SIZE_PAGE + VMGEN_OFF_COMPOUND_ORDER);
	vg_vi_add(t, cap, "OFFSET(page.%s)=%d\n", gen->info ? "compound_info" : "compound_head",
	       VMGEN_OFF_COMPOUND_HEAD);
	if (gen->pg_slab)
		vg_vi_add(t, cap, "NUMBER(PG_slab)=%d\n", VMGEN_PG_slab);
	for (int ty = 0; ty < VMGEN_TY_N; ty++) {
		int huge_only = ty == VMGEN_TY_OFFLINE || ty == VMGEN_TY_HUGETLB;
		if (!(gen->exported & 1u << ty) || (huge_only && !(vi_flags & VMGEN_VI_HUGETLB)))
			continue;
		if (ty == VMGEN_TY_UNACCEPTED) /* as unsigned decimal: both forms must parse */
			vg_vi_add(t, cap, "NUMBER(PAGE_%s_MAPCOUNT_VALUE)=%u\n", vg_ty_name[ty],
			       (uint32_t)vmgen_type(g, ty));
		else
			vg_vi_add(t, cap, "NUMBER(PAGE_%s_MAPCOUNT_VALUE)=%d\n", vg_ty_name[ty], vmgen_type(g, ty));
	}
	if ((vi_flags & VMGEN_VI_HUGETLB) && gen->huge == VG_HUGE_DTOR)
		vg_vi_add(t, cap, "NUMBER(HUGETLB_PAGE_DTOR)=%d\n", VMGEN_DTOR_HUGETLB);
	if ((vi_flags & VMGEN_VI_HUGETLB) && gen->huge == VG_HUGE_FLAG)
		vg_vi_add(t, cap, "NUMBER(PG_hugetlb)=%d\n", VMGEN_PG_hugetlb);
	if (g->gen >= VMGEN_GEN_612) /* written with %#lx from 6.12 on */
		vg_vi_add(t, cap, "NUMBER(VMALLOC_START)=0xffffc90000000000\n");
}

void vmgen_vmcoreinfo_std(struct vmgen *g, unsigned vi_flags)
{
	const struct vg_gen *gen = vg_gen(g);
	size_t cap = sizeof vg_vi_fixed + 2048;
	char *t = vg_zalloc(cap);

	vg_vi_add(t, cap, "%s", vg_vi_fixed);
	if (!gen->folio && !gen->order_in_flags)
		vg_vi_add(t, cap, "OFFSET(page.compound_dtor)=%d\nOFFSET(page.compound_order)=%d\n",
		       VMGEN_OFF_COMPOUND_DTOR, VMGEN_OFF_COMPOUND_ORDER);
	vg_vi_gen(g, t, cap, vi_flags);
	vg_vi_add(t, cap,
	       "SYMBOL(swapper_pg_dir)=%llx\nSYMBOL(init_top_pgt)=%llx\n"
	       "SYMBOL(mem_section)=%llx\nLENGTH(mem_section)=%llu\n"
	       "NUMBER(MAX_PHYSMEM_BITS)=%u\nNUMBER(phys_base)=%lld\n"
	       "NUMBER(pgtable_l5_enabled)=%d\nNUMBER(sme_mask)=%llu\n",
	       (unsigned long long)vmgen_init_top_pgt(g), (unsigned long long)vmgen_init_top_pgt(g),
	       (unsigned long long)g->mem_section_va, (unsigned long long)vg_nr_roots(g), vg_physbits(g),
	       (long long)g->phys_base, g->levels == 5, (unsigned long long)g->sme_mask);
	if (vi_flags & VMGEN_VI_HWPOISON)
		vg_vi_add(t, cap, "NUMBER(PG_hwpoison)=%d\n", VMGEN_PG_hwpoison);
	free(g->vmcoreinfo);
	g->vmcoreinfo = t;
}

int vmgen_vmcoreinfo_drop(struct vmgen *g, const char *key)
{
	char *t = g->vmcoreinfo, *p = t;
	size_t kl = strlen(key);

	while (p && *p) {
		char *nl = strchr(p, '\n');
		char *next = nl ? nl + 1 : p + strlen(p);
		if (strncmp(p, key, kl) == 0) {
			memmove(p, next, strlen(next) + 1);
			return 1;
		}
		p = next;
	}
	return 0;
}

int vmgen_vmcoreinfo_set(struct vmgen *g, const char *key, const char *line)
{
	int had = vmgen_vmcoreinfo_drop(g, key);
	size_t n = strlen(g->vmcoreinfo), l = strlen(line);
	char *t = vg_zalloc(n + l + 2);

	memcpy(t, g->vmcoreinfo, n);
	memcpy(t + n, line, l);
	t[n + l] = '\n';
	free(g->vmcoreinfo);
	g->vmcoreinfo = t;
	return had;
}
