/* x86_64 page-table walk against hand-written tables. Physical memory is a
 * handful of 4 KiB pages at chosen addresses; everything else is "outside
 * the dump". Entry bits: 0x1 present, 0x2 rw, 0x20 accessed, 0x40 dirty,
 * 0x80 PSE (large page), bit 12 PAT in a large-page entry. */
#define T_SUITE "x86_64"
#include "t.h"

#include "capture/io.h"
#include "capture/vmcoreinfo.h"
#include "capture/arch_x86_64.h"

#define DIRECT 0xffff888000000000ull /* 4-level direct map, PGD index 273 */
#define L5_DIRECT 0xff11000000000000ull /* 5-level direct map, PGD index 34 */

struct fakemem {
	unsigned n, reads;
	uint64_t pa[16];
	uint8_t page[16][4096];
};

static uint8_t *fm_page(struct fakemem *m, uint64_t pa)
{
	for (unsigned i = 0; i < m->n; i++)
		if (m->pa[i] == (pa & ~4095ull))
			return m->page[i] + (pa & 4095);
	if (m->n == 16)
		return NULL;
	m->pa[m->n] = pa & ~4095ull;
	memset(m->page[m->n], 0, 4096);
	return m->page[m->n++] + (pa & 4095);
}

static void fm_set(struct fakemem *m, uint64_t table, unsigned idx, uint64_t v)
{
	td_put_le64(fm_page(m, table) + 8 * idx, v);
}

/* A td_physread: every byte must lie in a page that exists. */
static int fm_read(void *ctx, uint64_t pa, void *buf, size_t len, struct td_err *e)
{
	struct fakemem *m = ctx;
	uint8_t *b = buf;

	m->reads++;
	for (size_t i = 0; i < len; i++) {
		unsigned j;
		for (j = 0; j < m->n && m->pa[j] != ((pa + i) & ~4095ull); j++)
			;
		if (j == m->n)
			return td_fail(e, "pa 0x%llx is not in the dump", (unsigned long long)(pa + i));
		b[i] = m->page[j][(pa + i) & 4095];
	}
	return 0;
}

static struct fakemem mem;
static struct td_physread pr = { &mem, fm_read };
static struct td_vmcoreinfo vi;
static struct td_x86 x;

/* init_top_pgt = 0xffffffff81010000 with phys_base -0x1000000 puts the root
 * at pa 0x10000 (root = sym - 0xffffffff80000000 + phys_base). */
static int setup(int l5, const char *sme)
{
	char text[512];
	struct td_err e;

	snprintf(text, sizeof text,
		 "OSRELEASE=6.1.0\nPAGESIZE=4096\nSYMBOL(init_top_pgt)=ffffffff81010000\n"
		 "NUMBER(phys_base)=-16777216\nNUMBER(pgtable_l5_enabled)=%d\n%s", l5, sme);
	memset(&mem, 0, sizeof mem);
	if (td_vmcoreinfo_parse(&vi, text, strlen(text), &e) < 0 ||
	    td_x86_init(&x, &pr, &vi, 0, &e) < 0) {
		printf("# setup: %s\n", e.msg);
		return -1;
	}
	return 0;
}

static int vtop(uint64_t va, uint64_t *pa, uint64_t *size, char *msg)
{
	struct td_err e;
	int r = td_x86_vtop(&x, va, pa, size, &e);

	if (r < 0 && msg)
		memcpy(msg, e.msg, sizeof e.msg);
	return r;
}

/* 4-level tables used by several tests:
 *   root 0x10000  PGD[273] = 0x11063    -> PUD page 0x11000
 *   0x11000       PUD[0]   = 0x12063    -> PMD page 0x12000
 *                 PUD[1]   = 0x800000e3 -> 1 GiB page at 0x80000000 (PSE)
 *   0x12000       PMD[0x91] = 0x13063   -> PTE page 0x13000
 *                 PMD[0x92] = 0x400010e3 -> 2 MiB page at 0x40000000, PAT bit 12 set
 *   0x13000       PTE[0x145] = 0x7777063 -> 4 KiB page at 0x7777000 */
static void tables4(uint64_t c)
{
	fm_set(&mem, 0x10000, 273, 0x11063 | c);
	fm_set(&mem, 0x11000, 0, 0x12063 | c);
	fm_set(&mem, 0x11000, 1, 0x800000e3 | c);
	fm_set(&mem, 0x12000, 0x91, 0x13063 | c);
	fm_set(&mem, 0x12000, 0x92, 0x400010e3 | c);
	fm_set(&mem, 0x13000, 0x145, 0x7777063 | c);
}

static void four_level(void)
{
	uint64_t pa = 0, size = 0;

	T_CHECK(setup(0, "") == 0, "setup");
	T_CHECK(x.root_pa == 0x10000 && x.levels == 4, "root 0x%llx levels %d",
		(unsigned long long)x.root_pa, x.levels);
	tables4(0);
	/* 0x12345678 = PUD 0, PMD 0x91, PTE 0x145, offset 0x678 */
	T_CHECK(vtop(DIRECT + 0x12345678, &pa, &size, NULL) == 0 && pa == 0x7777678 && size == 4096,
		"4K: pa 0x%llx size 0x%llx", (unsigned long long)pa, (unsigned long long)size);
	/* 0x12401234 = PMD 0x92 (2 MiB page), offset 0x1234: PAT bit dropped */
	T_CHECK(vtop(DIRECT + 0x12401234, &pa, &size, NULL) == 0 && pa == 0x40001234 &&
			size == 2u << 20, "2M: pa 0x%llx size 0x%llx", (unsigned long long)pa,
		(unsigned long long)size);
	/* 0x40123456 = PUD 1 (1 GiB page), offset 0x123456 */
	T_CHECK(vtop(DIRECT + 0x40123456, &pa, &size, NULL) == 0 && pa == 0x80123456 &&
			size == 1u << 30, "1G: pa 0x%llx size 0x%llx", (unsigned long long)pa,
		(unsigned long long)size);
}

/* 5-level: the PGD index is bits 48..56, then a P4D level.
 *   root 0x10000  PGD[0x111] = 0x14063 -> P4D page 0x14000
 *                 (0xff11000000000000 >> 48 = 0xff11; & 511 = 0x111)
 *   0x14000       P4D[0]     = 0x11063 -> the PUD page of tables4 */
static void five_level(void)
{
	uint64_t pa = 0, size = 0;

	T_CHECK(setup(1, "") == 0, "setup");
	T_CHECK(x.levels == 5, "levels %d", x.levels);
	tables4(0);
	fm_set(&mem, 0x10000, 0x111, 0x14063);
	fm_set(&mem, 0x14000, 0, 0x11063);
	T_CHECK(vtop(L5_DIRECT + 0x12345678, &pa, &size, NULL) == 0 && pa == 0x7777678,
		"4K: pa 0x%llx", (unsigned long long)pa);
	T_CHECK(vtop(L5_DIRECT + 0x40123456, &pa, &size, NULL) == 0 && pa == 0x80123456 &&
			size == 1u << 30, "1G: pa 0x%llx", (unsigned long long)pa);
	/* the 4-level direct-map base has PGD index 0x1ff here: not present */
	T_CHECK(vtop(DIRECT, &pa, &size, NULL) < 0, "4-level va translated under 5-level");
}

/* SME: every entry carries the C-bit 47; NUMBER(sme_mask) removes it. */
static void sme(void)
{
	uint64_t pa = 0, c = 1ull << 47;

	T_CHECK(setup(0, "NUMBER(sme_mask)=140737488355328\n") == 0, "setup");
	tables4(c);
	T_CHECK(vtop(DIRECT + 0x12345678, &pa, NULL, NULL) == 0 && pa == 0x7777678,
		"4K: pa 0x%llx", (unsigned long long)pa);
	T_CHECK(vtop(DIRECT + 0x12401234, &pa, NULL, NULL) == 0 && pa == 0x40001234,
		"2M: pa 0x%llx", (unsigned long long)pa);
	/* without the mask the C-bit leaks into the address: the walk then
	 * reads the PUD page at 0x800000011000, which is not in the dump */
	T_CHECK(setup(0, "") == 0, "setup");
	tables4(c);
	T_CHECK(vtop(DIRECT + 0x12345678, &pa, NULL, NULL) < 0, "C-bit ignored without sme_mask");
}

static void not_present(void)
{
	static const struct {
		uint64_t table;
		unsigned idx;
		const char *level;
	} cut[] = {
		{ 0x10000, 273, "PGD" }, { 0x11000, 0, "PUD" }, { 0x12000, 0x91, "PMD" },
		{ 0x13000, 0x145, "PTE" },
	};
	char msg[512];
	uint64_t pa;

	for (unsigned i = 0; i < 4; i++) {
		T_CHECK(setup(0, "") == 0, "setup");
		tables4(0);
		/* clear only the present bit: the rest of the entry stays */
		fm_set(&mem, cut[i].table, cut[i].idx, 0x12062);
		msg[0] = 0;
		T_CHECK(vtop(DIRECT + 0x12345678, &pa, NULL, msg) < 0, "%s: translated", cut[i].level);
		T_CHECK(strstr(msg, cut[i].level) && strstr(msg, "not present") &&
				strstr(msg, "0xffff888012345678"),
			"message \"%s\" should name %s and the va", msg, cut[i].level);
	}
}

/* PMD[0x93] = 0x900000063: a PTE page at 36 GiB, outside the dump. */
static void table_outside_dump(void)
{
	char msg[512] = "";
	uint64_t pa;

	T_CHECK(setup(0, "") == 0, "setup");
	tables4(0);
	fm_set(&mem, 0x12000, 0x93, 0x900000063);
	T_CHECK(vtop(DIRECT + 0x12600000, &pa, NULL, msg) < 0, "translated through a missing table");
	T_CHECK(strstr(msg, "PTE entry at pa 0x900000000 unreadable") &&
			strstr(msg, "not in the dump"),
		"message: %s", msg);
	/* the root itself outside the dump */
	T_CHECK(setup(0, "") == 0, "setup");
	T_CHECK(vtop(DIRECT, &pa, NULL, msg) < 0 && strstr(msg, "PGD entry at pa 0x10888"),
		"message: %s", msg);
}

static void kread_across_pages(void)
{
	struct td_kread kr;
	struct td_err e;
	uint8_t buf[16];

	T_CHECK(setup(0, "") == 0, "setup");
	tables4(0);
	/* PTE[0x146] -> 0x5555000: va ...346ff8 spans pa 0x7777ff8 and 0x5555000 */
	fm_set(&mem, 0x13000, 0x146, 0x5555063);
	memcpy(fm_page(&mem, 0x7777ff8), "01234567", 8);
	memcpy(fm_page(&mem, 0x5555000), "89abcdef", 8);
	/* through the architecture row, as the rest of capture/ reads */
	static struct td_walker w;
	T_CHECK(td_walker_init(&w, &td_arch_x86_64, &pr, &vi, 0, &e) == 0, "%s", e.msg);
	td_walker_kread(&w, &kr);
	T_CHECK(kr.read(kr.ctx, DIRECT + 0x12345ff8, buf, 16, &e) == 0 &&
			memcmp(buf, "0123456789abcdef", 16) == 0,
		"cross-page read: %.200s", e.msg);
	/* into PTE[0x147], not present */
	T_CHECK(kr.read(kr.ctx, DIRECT + 0x12346ff8, buf, 16, &e) < 0, "read of unmapped page");
}

static void caching(void)
{
	uint64_t pa;

	T_CHECK(setup(0, "") == 0, "setup");
	tables4(0);
	mem.reads = 0;
	for (int i = 0; i < 1000; i++)
		vtop(DIRECT + 0x12345000 + (uint64_t)(i % 2) * 0x100000, &pa, NULL, NULL);
	T_CHECK(mem.reads <= 4, "%u reads of table pages for 1000 walks", mem.reads);
}

static void bad_vmcoreinfo(void)
{
	static const char *const texts[] = {
		"OSRELEASE=6.1\nPAGESIZE=4096\nNUMBER(phys_base)=0\n",                 /* no root */
		"OSRELEASE=6.1\nPAGESIZE=4096\nSYMBOL(init_top_pgt)=ffffffff81010000\n", /* no phys_base */
		"OSRELEASE=6.1\nPAGESIZE=4096\nSYMBOL(init_top_pgt)=ffff888001010000\nNUMBER(phys_base)=0\n",
		"OSRELEASE=6.1\nPAGESIZE=4096\nSYMBOL(init_top_pgt)=ffffffff81010008\nNUMBER(phys_base)=0\n",
	};
	struct td_err e;

	for (unsigned i = 0; i < 4; i++) {
		T_CHECK(td_vmcoreinfo_parse(&vi, texts[i], strlen(texts[i]), &e) == 0, "parse");
		T_CHECK(td_x86_init(&x, &pr, &vi, 0, &e) < 0, "text %u accepted", i);
	}
	T_CHECK(setup(0, "") == 0, "setup");
	uint64_t pa;
	char msg[512] = "";
	T_CHECK(vtop(0x0000900000000000ull, &pa, NULL, msg) < 0 && strstr(msg, "canonical"),
		"non-canonical va: %s", msg);
}

int main(int argc, char **argv)
{
	T_ARGS(argc, argv);
	T_RUN(four_level);
	T_RUN(five_level);
	T_RUN(sme);
	T_RUN(not_present);
	T_RUN(table_outside_dump);
	T_RUN(kread_across_pages);
	T_RUN(caching);
	T_RUN(bad_vmcoreinfo);
	T_END();
}
