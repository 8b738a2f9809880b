/* The page filter on each kernel generation from 6.1 to 7.1 (vmgen_page.c
 * writes each generation's struct pages and VMCOREINFO; filter_rig.c holds
 * the machine and its ground truth): every level, with and without the
 * hugetlb and hwpoison extras; then marks of an unknown encoding or
 * missing, which must keep the pages concerned and say why. */
#define T_SUITE "filtergen"
#include "t.h"

#include "filter_rig.c"

static const char *const gen_name[VMGEN_GEN_N] = {
	"6.1", "6.3", "6.6", "6.9", "6.10", "6.11", "6.12", "6.16", "7.1",
};

/* Without the extras (no hugetlb, offline or hwpoison marks), the levels
 * that differ; with them, every level. */
static void gens(int first, int last)
{
	static const unsigned some[] = { 0, 8, 16, 31 };
	unsigned vi = VMGEN_VI_HWPOISON | VMGEN_VI_HUGETLB;

	for (int gen = first; gen <= last; gen++) {
		use_gen = gen;
		struct dump *d = build(0, NULL);
		printf("# Linux %s\n", gen_name[gen]);
		for (unsigned i = 0; i < sizeof some / sizeof some[0]; i++)
			one_level(0, d, TD_CYCLE_PFNS, some[i]);
		close_dump(d);
		d = build(vi, NULL);
		all_levels(vi, d, TD_CYCLE_PFNS);
		close_dump(d);
	}
	use_gen = 0;
}

/* compound_dtor/order (6.1-6.2), folio._folio_* (6.3-6.5), order and
 * PG_hugetlb in page[1].flags (6.6-6.8); types are cleared bits. */
static void gen_6_1_to_6_8(void)
{
	gens(VMGEN_GEN_61, VMGEN_GEN_66);
}

/* hugetlb a type (6.9), slab a type and no PG_slab (6.10), type bits
 * moved up (6.11): still cleared bits, compared whole. */
static void gen_6_9_to_6_11(void)
{
	gens(VMGEN_GEN_69, VMGEN_GEN_611);
}

/* One type per page in the top byte, owner data below it; unaccepted
 * blocks (6.16); hex NUMBER lines. */
static void gen_6_12_on(void)
{
	gens(VMGEN_GEN_612, VMGEN_GEN_616);
}

/* page.compound_info: tails hold a mask and an odd "mapping". */
static void gen_7_1_compound_info(void)
{
	gens(VMGEN_GEN_71, VMGEN_GEN_71);
}

/* The version string is not consulted: a 6.12 layout that calls itself
 * 6.1 (or nonsense) is filtered as 6.12. */
static void no_version_table(void)
{
	use_gen = VMGEN_GEN_612;
	missing_set("OSRELEASE=", "OSRELEASE=6.1.0", 0, 0, 0, "");
	missing_set("OSRELEASE=", "OSRELEASE=99.0-unknown", 0, 0, 0, "");
	use_gen = 0;
}

/* A mark that is missing or of no known encoding: its class is kept and
 * the run says why; everything else is still exact. */
static void unknown_marks(void)
{
	const char *buddy = "NUMBER(PAGE_BUDDY_MAPCOUNT_VALUE)=";

	use_gen = VMGEN_GEN_612;
	/* 0xf0000001: neither one cleared bit nor a bare top byte */
	missing_set(buddy, "NUMBER(PAGE_BUDDY_MAPCOUNT_VALUE)=-268435455", 16, 0, 0, "no known encoding");
	missing_set(buddy, "NUMBER(PAGE_BUDDY_MAPCOUNT_VALUE)=0x100000000", 16, 0, 0, "no known encoding");
	missing_set(buddy, NULL, 16, 0, 0, "PAGE_BUDDY_MAPCOUNT_VALUE) absent");
	missing_set("NUMBER(PAGE_SLAB_MAPCOUNT_VALUE)=", "NUMBER(PAGE_SLAB_MAPCOUNT_VALUE)=-1", 8, 0, 0,
		    "level 8 (user) not applied");
	missing_set("NUMBER(PAGE_OFFLINE_MAPCOUNT_VALUE)=", "NUMBER(PAGE_OFFLINE_MAPCOUNT_VALUE)=255", 0, 0,
		    T_OFF_KEPT, "offline pages cannot be recognised");
	missing_set("NUMBER(PAGE_HUGETLB_MAPCOUNT_VALUE)=", "NUMBER(PAGE_HUGETLB_MAPCOUNT_VALUE)=7", 0, 8,
		    T_HUGE_KEPT, "hugetlb pages kept");
	/* a value of the other encoding than the buddy's */
	use_gen = VMGEN_GEN_616;
	missing_set("NUMBER(PAGE_UNACCEPTED_MAPCOUNT_VALUE)=", "NUMBER(PAGE_UNACCEPTED_MAPCOUNT_VALUE)=-9", 0, 16,
		    T_UNACC_KEPT, "unaccepted pages kept");
	missing_set("NUMBER(PAGE_UNACCEPTED_MAPCOUNT_VALUE)=", "NUMBER(PAGE_UNACCEPTED_MAPCOUNT_VALUE)=-16777215", 0, 16,
		    T_UNACC_KEPT, "unaccepted pages kept");
	use_gen = 0;
}

/* Fields a generation needs for a class, missing. */
static void missing_marks(void)
{
	/* no slab mark where types are cleared bits: free, user and offline
	 * cannot rule slab pages out */
	use_gen = VMGEN_GEN_61;
	missing_set("NUMBER(PG_slab)=", NULL, 24, 0, T_OFF_KEPT, "slab");
	use_gen = VMGEN_GEN_611;
	missing_set("NUMBER(PAGE_SLAB_MAPCOUNT_VALUE)=", NULL, 24, 0, T_OFF_KEPT, "slab");
	use_gen = VMGEN_GEN_63;
	missing_set("OFFSET(folio._folio_dtor)=", NULL, 0, 8, T_HUGE_KEPT, "hugetlb pages kept");
	use_gen = VMGEN_GEN_66;
	missing_set("NUMBER(PG_hugetlb)=", "NUMBER(PG_hugetlb)=64", 0, 8, T_HUGE_KEPT, "hugetlb pages kept");
	use_gen = VMGEN_GEN_71;
	missing_set("OFFSET(page.compound_info)=", NULL, 30, 0, 0, "compound_info");
	/* without _mapcount no type can be read: no free, no user (a slab or
	 * other typed page could look anonymous), no offline */
	missing_set("OFFSET(page._mapcount)=", NULL, 24, 0, T_OFF_KEPT, "_mapcount");
	use_gen = 0;
}

/* --- the real VMCOREINFO of two kernels, as the format reader sees it --- */

static int fixture_fmt(const char *path, struct td_vmcoreinfo *vi, struct td_pagefmt *pf)
{
	static char text[8192];
	FILE *f = fopen(path, "rb");
	size_t len = f ? fread(text, 1, sizeof text - 1, f) : 0;
	struct td_err e;

	if (f)
		fclose(f);
	T_CHECK(len > 1000, "fixture %s not found", path);
	if (len <= 1000 || td_vmcoreinfo_parse(vi, text, len, &e) < 0)
		return -1;
	T_CHECK(vi->dropped == 0, "%s: %s", path, vi->warning);
	return td_pagefmt_init(pf, vi, 64, &e);
}

/* A struct page of the 6.1/6.12 layout (both kernels: flags 0,
 * compound_head 8, mapping 24, private 40, _mapcount 48). */
static void decode(const struct td_pagefmt *pf, uint64_t flags, uint64_t mapping, uint32_t mapcount,
		   struct td_spage *sp)
{
	uint8_t p[128] = { 0 };

	vg_le(p, flags, 8);
	vg_le(p + 24, mapping, 8);
	vg_le(p + 48, mapcount, 4);
	td_spage_decode(pf, p, p + 64, sp);
}

/* Debian 13's 6.12.118 (saved from a QEMU crash): hex NUMBER lines, one
 * type per page, no PG_slab, the order in page[1].flags. */
static void real_6_12_vmcoreinfo(void)
{
	static struct td_vmcoreinfo vi;
	struct td_pagefmt pf;
	struct td_spage sp;
	int64_t v;

	T_REQUIRE(fixture_fmt("tests/fixtures/vmcoreinfo-6.12.118-deb13-cloud.txt", &vi, &pf) == 0,
		  "format");
	T_CHECK(td_vi_number(&vi, "VMALLOC_START", &v) == 0 && (uint64_t)v == 0xffffcc9b80000000ull,
		"hex VMALLOC_START");
	T_CHECK(pf.buddy.enc == TD_PT_VALUE && pf.buddy.v == 0xf0000000u, "buddy %d %x", pf.buddy.enc,
		pf.buddy.v);
	T_CHECK(pf.offline.enc == TD_PT_VALUE && pf.slab_type.enc == TD_PT_VALUE && !pf.slab,
		"offline and slab are values, no PG_slab");
	T_CHECK(pf.hugetlb_by == TD_HUGE_TYPE && !pf.huge_why[0] && pf.order1 == TD_PF_ABSENT,
		"hugetlb by type, order from page[1].flags");
	T_CHECK(td_pf_knows_slab(&pf) && pf.typed_lo == 0xf0, "slab known, types from 0xf0");
	decode(&pf, 0, 1, 0xf5000000u, &sp);
	T_CHECK(td_spage_slab(&pf, &sp) && !td_spage_anon(&pf, &sp), "slab with mapping 1 is not anon");
	decode(&pf, 0, 0, 0xf0000000u, &sp);
	T_CHECK(td_spage_buddy(&pf, &sp) && !td_spage_slab(&pf, &sp), "buddy");
	decode(&pf, 0, 0, 0xf2000000u, &sp);
	T_CHECK(!td_spage_buddy(&pf, &sp), "a page table is not free (the makedumpfile#16 bug)");
	decode(&pf, 64, 0, 0xf4000000u, &sp);
	T_CHECK(sp.hugetlb && sp.order == 0, "hugetlb head");
}

/* Debian 12's tinyconfig 6.1.192: types are cleared bits, PG_slab, the
 * destructor and order bytes. */
static void real_6_1_vmcoreinfo(void)
{
	static struct td_vmcoreinfo vi;
	struct td_pagefmt pf;
	struct td_spage sp;

	T_REQUIRE(fixture_fmt("tests/fixtures/vmcoreinfo-6.1.192-tinyconfig.txt", &vi, &pf) == 0, "format");
	T_CHECK(pf.buddy.enc == TD_PT_BITS && pf.buddy.v == 0xffffff7fu && pf.slab, "buddy ~0x80, PG_slab");
	T_CHECK(pf.hugetlb_by == TD_HUGE_NONE && pf.order1 == 17 && pf.typed_lo == 0,
		"no hugetlb (tinyconfig), order byte 17");
	decode(&pf, 0, 0, 0xffffff7fu, &sp);
	T_CHECK(td_spage_buddy(&pf, &sp), "buddy");
	decode(&pf, 0, 0, 0xffffff7eu, &sp);
	T_CHECK(!td_spage_buddy(&pf, &sp), "whole _mapcount compared");
}

int main(int argc, char **argv)
{
	T_ARGS(argc, argv);
	T_RUN(gen_6_1_to_6_8);
	T_RUN(gen_6_9_to_6_11);
	T_RUN(gen_6_12_on);
	T_RUN(gen_7_1_compound_info);
	T_RUN(no_version_table);
	T_RUN(unknown_marks);
	T_RUN(missing_marks);
	T_RUN(real_6_12_vmcoreinfo);
	T_RUN(real_6_1_vmcoreinfo);
	T_END();
}
