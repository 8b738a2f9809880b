/* capture/kdumpread.c on kdump-compressed files written by hand here, the
 * way makedumpfile 1.7.2 lays them out (header v6, sub-header at 4096,
 * notes at 4200, two bitmaps, descriptors by rank, packed data with a
 * shared zero block first), plus negative fixtures: each must fail with a
 * clear message and never crash (the tests run under ASan/UBSan). */
#define T_SUITE "kdumpread"
#include <stdlib.h>
#include <lzo/lzo1x.h>
#include <zlib.h>

#include "capture/kdumpread.h"
#include "capture/readstack.h"
#include "capture/vmcore.h"
#include "t.h"

enum kind { RAW, ZLIB, ZERO, LZO, EXCL };

struct spec {
	uint64_t pfn;
	enum kind kind;
};

/* A file under construction, and where its parts went. */
struct gen {
	uint8_t *buf;
	size_t len;
	int version;
	uint64_t max_mapnr;
	uint64_t bm_off, bm_len, desc_off, data_off, note_off, note_len, vi_off;
	uint64_t desc_of[16];       /* file offset of spec i's descriptor */
};

static const char vmcoreinfo[] = "OSRELEASE=6.1.192\nPAGESIZE=4096\nSYMBOL(prb)=ffffffff82a33f90\n";

static void pattern(uint64_t pfn, uint8_t *p)
{
	for (unsigned i = 0; i < 4096; i++)
		p[i] = (uint8_t)(pfn * 7 + i * 13 + (i >> 8));
}

static size_t note(uint8_t *p, const char *name, uint32_t type, const void *desc, uint32_t dlen)
{
	uint32_t nl = (uint32_t)strlen(name) + 1, np = (nl + 3) & ~3u, dp = (dlen + 3) & ~3u;

	memset(p, 0, 12 + np + dp);
	td_put_le32(p, nl);
	td_put_le32(p + 4, dlen);
	td_put_le32(p + 8, type);
	memcpy(p + 12, name, nl);
	memcpy(p + 12 + np, desc, dlen);
	return 12 + np + dp;
}

static void put_header(struct gen *g, uint64_t sub_blocks, uint64_t bm_blocks)
{
	uint8_t *h = g->buf, *s = g->buf + 4096;

	memcpy(h, "KDUMP   ", 8);
	td_put_le32(h + 8, (uint32_t)g->version);
	memcpy(h + 12 + 65 * 2, "6.1.192", 7);
	memcpy(h + 12 + 65 * 4, "x86_64", 6);
	td_put_le64(h + 408, 1795327954);
	td_put_le32(h + 424, TD_KDUMP_F_ZLIB);
	td_put_le32(h + 428, 4096);
	td_put_le32(h + 432, (uint32_t)sub_blocks);
	td_put_le32(h + 436, (uint32_t)bm_blocks);
	td_put_le32(h + 440, (uint32_t)g->max_mapnr);
	td_put_le32(h + 460, 1);
	td_put_le64(s, 0x1000000);
	td_put_le32(s + 8, 31);
	if (g->version >= 3) {
		td_put_le64(s + 32, g->vi_off);
		td_put_le64(s + 40, sizeof vmcoreinfo - 1);
	}
	if (g->version >= 4) {
		td_put_le64(s + 48, g->note_off);
		td_put_le64(s + 56, g->note_len);
	}
	if (g->version >= 6)
		td_put_le64(s + 96, g->max_mapnr);
}

/* Notes at 4200 (v4+: PRSTATUS + VMCOREINFO; v3: the bare text). */
static uint64_t put_notes(struct gen *g, uint8_t *tmp)
{
	uint8_t prstatus[336] = {0};
	size_t n = 0;

	g->vi_off = 4200;
	if (g->version >= 4) {
		n += note(tmp, "CORE", 1, prstatus, sizeof prstatus);
		g->vi_off = 4200 + n + 12 + 12;   /* header, "VMCOREINFO\0" padded */
		n += note(tmp + n, "VMCOREINFO", 0, vmcoreinfo, sizeof vmcoreinfo - 1);
	} else {
		memcpy(tmp, vmcoreinfo, sizeof vmcoreinfo - 1);
		n = sizeof vmcoreinfo - 1;
	}
	g->note_off = 4200;
	g->note_len = n;
	return n;
}

static void set_bit(uint8_t *bm, uint64_t pfn)
{
	bm[pfn / 8] |= (uint8_t)(1u << (pfn & 7));
}

/* Write page data for spec s at *data; fill the descriptor at d. */
static void put_page(struct gen *g, const struct spec *s, uint8_t *d, uint64_t *data, int zero_blk)
{
	uint8_t page[4096], z[8192];
	uLongf zl = sizeof z;
	uint32_t size = 4096, flags = 0;

	pattern(s->pfn, page);
	if (s->kind == ZERO && zero_blk) {
		td_put_le64(d, g->data_off);
		td_put_le32(d + 8, 4096);
		return;
	}
	if (s->kind == ZLIB || s->kind == LZO) {
		static uint64_t wrk[LZO1X_1_MEM_COMPRESS / 8];
		lzo_uint ll = 0;
		if (s->kind == ZLIB)
			compress2(z, &zl, page, 4096, 1);
		else
			lzo1x_1_compress(page, 4096, z, &ll, wrk), zl = ll;
		size = (uint32_t)zl;
		flags = s->kind == ZLIB ? TD_KDUMP_F_ZLIB : TD_KDUMP_F_LZO;
		memcpy(g->buf + *data, z, size);
	} else {
		memcpy(g->buf + *data, page, 4096);
	}
	td_put_le64(d, *data);
	td_put_le32(d + 8, size);
	td_put_le32(d + 12, flags);
	*data += size;
}

/* Build a file from specs sorted by pfn. bm_blocks 0: as makedumpfile
 * sizes it (two bitmaps of whole blocks). */
static void build(struct gen *g, int version, uint64_t max_mapnr, const struct spec *sp, unsigned n,
		  uint64_t bm_blocks)
{
	uint8_t notes[1024];
	uint64_t half = ((max_mapnr + 7) / 8 + 4095) / 4096 * 4096, nd = 0, data;
	uint64_t sub_blocks, nlen, second;
	int zero_blk = 0;

	memset(g, 0, sizeof *g);
	g->version = version;
	g->max_mapnr = max_mapnr;
	nlen = put_notes(g, notes);
	sub_blocks = (104 + nlen + 4095) / 4096;
	if (!bm_blocks)
		bm_blocks = 2 * half / 4096;
	g->bm_off = (1 + sub_blocks) * 4096;
	/* two bitmaps if the file has room for them, else one (old diskdump) */
	second = (max_mapnr + 7) / 8 <= bm_blocks * 4096 / 2 ? bm_blocks * 4096 / 2 : 0;
	g->bm_len = second ? second : bm_blocks * 4096;
	g->desc_off = g->bm_off + bm_blocks * 4096;
	for (unsigned i = 0; i < n; i++) {
		nd += sp[i].kind != EXCL;
		zero_blk |= sp[i].kind == ZERO;
	}
	g->data_off = g->desc_off + nd * 24;
	g->buf = calloc(1, g->data_off + 4096 + n * 8192);
	put_header(g, sub_blocks, bm_blocks);
	memcpy(g->buf + 4200, notes, nlen);
	data = g->data_off + (zero_blk ? 4096 : 0);    /* the shared zero block is zeros */
	for (unsigned i = 0, r = 0; i < n; i++) {
		set_bit(g->buf + g->bm_off, sp[i].pfn);
		if (sp[i].kind == EXCL)
			continue;
		set_bit(g->buf + g->bm_off + second, sp[i].pfn);
		g->desc_of[i] = g->desc_off + 24 * r++;
		put_page(g, &sp[i], g->buf + g->desc_of[i], &data, zero_blk);
	}
	g->len = data;
}

static struct td_kdump k;
static struct td_err err;
static struct td_membuf mem;
static struct td_source src;

static int open_gen(const struct gen *g, size_t len)
{
	mem.data = g->buf;
	mem.size = len;
	td_source_mem(&src, &mem);
	err.msg[0] = '\0';
	return td_kdump_open(&k, &src, &err);
}

static const struct spec std[] = {
	{0, ZLIB}, {1, EXCL}, {5, RAW}, {6, ZERO}, {7, ZLIB}, {64, ZERO}, {65, LZO}, {99, RAW},
};
#define NSTD (sizeof std / sizeof std[0])

static void pages(void)
{
	struct gen g;
	uint8_t want[4096], got[6000];
	const uint8_t *p;
	struct td_physread pr;

	build(&g, 6, 100, std, NSTD, 0);
	T_CHECK(open_gen(&g, g.len) == 0, "%s", err.msg);
	T_CHECK(k.max_mapnr == 100 && k.dumpable == 7 && k.data_off == g.data_off &&
		k.desc_off == g.desc_off && k.bitmap_off[1] == g.bm_off + 4096, "layout");
	T_CHECK(td_kdump_bit(&k, 1, 1, &err) == 1 && td_kdump_bit(&k, 2, 1, &err) == 0 &&
		td_kdump_bit(&k, 2, 99, &err) == 1 && td_kdump_bit(&k, 2, 100, &err) == 0, "bits");
	for (unsigned i = 0; i < NSTD; i++) {
		if (std[i].kind == EXCL)
			continue;
		pattern(std[i].pfn, want);
		if (std[i].kind == ZERO)
			memset(want, 0, 4096);
		p = td_kdump_page(&k, std[i].pfn, &err);
		T_CHECK(p && !memcmp(p, want, 4096), "pfn %llu: %s", (unsigned long long)std[i].pfn, err.msg);
	}
	T_CHECK(!td_kdump_page(&k, 1, &err) && strstr(err.msg, "not in the dump"), "%s", err.msg);
	T_CHECK(!td_kdump_page(&k, 3, &err) && strstr(err.msg, "pfn 0x3"), "%s", err.msg);
	T_CHECK(!td_kdump_page(&k, 1000, &err), "beyond max_mapnr");
	/* physread across pfn 5 -> 6 (zero) -> 7 */
	td_kdump_physread(&k, &pr);
	T_CHECK(pr.read(pr.ctx, 5 * 4096 + 100, got, 6000, &err) == 0, "%s", err.msg);
	pattern(5, want);
	T_CHECK(!memcmp(got, want + 100, 3996) && got[3996] == 0 && got[5999] == 0, "physread data");
	T_CHECK(pr.read(pr.ctx, 7 * 4096 - 8, got, 16, &err) == 0, "%s", err.msg);
	pattern(7, want);
	T_CHECK(!memcmp(got + 8, want, 8), "physread 6/7");
	T_CHECK(pr.read(pr.ctx, 4 * 4096 + 4000, got, 200, &err) == -1 && strstr(err.msg, "pfn 0x4"),
		"%s", err.msg);
	/* stray bits past max_mapnr count for nothing */
	g.buf[g.bm_off + 4096 + 12] |= 0xf0;          /* pfns 100..103 */
	T_CHECK(open_gen(&g, g.len) == 0 && k.dumpable == 7 && k.data_off == g.data_off, "%s", err.msg);
	T_CHECK(td_kdump_bit(&k, 2, 101, &err) == 0, "bit past max_mapnr");
	free(g.buf);
}

static void notes(void)
{
	struct gen g;
	uint8_t buf[2048];
	uint64_t off, len;

	for (int v = 3; v <= 6; v++) {
		build(&g, v, 100, std, NSTD, 0);
		T_CHECK(open_gen(&g, g.len) == 0, "v%d: %s", v, err.msg);
		T_CHECK(td_kdump_notes_size(&k) == g.note_len, "v%d size %llu", v,
			(unsigned long long)td_kdump_notes_size(&k));
		T_CHECK(td_kdump_load_notes(&k, buf, &off, &len, &err) == 0, "v%d: %s", v, err.msg);
		T_CHECK(len == sizeof vmcoreinfo - 1 && !memcmp(buf + off, vmcoreinfo, len), "v%d text", v);
		free(g.buf);
	}
	build(&g, 6, 100, std, NSTD, 0);
	/* the VMCOREINFO note renamed: no VMCOREINFO */
	memcpy(g.buf + 4200 + 12 + 8 + 336 + 12, "VMCOREINFX", 10);
	T_CHECK(open_gen(&g, g.len) == 0, "%s", err.msg);
	T_CHECK(td_kdump_load_notes(&k, buf, &off, &len, &err) == -1 && strstr(err.msg, "no VMCOREINFO"),
		"%s", err.msg);
	/* notes claimed past the end of the file, or huge */
	td_put_le64(g.buf + 4096 + 56, g.len);
	T_CHECK(open_gen(&g, g.len) == -1 && strstr(err.msg, "notes") && strstr(err.msg, "past the end"),
		"%s", err.msg);
	td_put_le64(g.buf + 4096 + 56, 1ull << 40);
	T_CHECK(open_gen(&g, g.len) == -1 && strstr(err.msg, "implausibly large"), "%s", err.msg);
	/* a note whose size runs past the notes */
	td_put_le64(g.buf + 4096 + 56, g.note_len);
	td_put_le32(g.buf + 4200 + 4, 5000);
	T_CHECK(open_gen(&g, g.len) == 0, "%s", err.msg);
	T_CHECK(td_kdump_load_notes(&k, buf, &off, &len, &err) == -1, "bad note accepted");
	free(g.buf);
}

/* Corrupt one thing at a time; each must give its own clear error. */
static void corrupt(void)
{
	struct gen g;

	build(&g, 6, 100, std, NSTD, 0);
	T_CHECK(open_gen(&g, 300) == -1 && strstr(err.msg, "too short"), "%s", err.msg);
	T_CHECK(open_gen(&g, 5000) == -1 && strstr(err.msg, "past the end"), "%s", err.msg);
	T_CHECK(open_gen(&g, g.bm_off + 100) == -1 && strstr(err.msg, "bitmaps"), "%s", err.msg);
	g.buf[0] = 'X';
	T_CHECK(open_gen(&g, g.len) == -1 && strstr(err.msg, "signature"), "%s", err.msg);
	memcpy(g.buf, "DISKDUMP", 8);
	T_CHECK(open_gen(&g, g.len) == -1 && strstr(err.msg, "DISKDUMP"), "%s", err.msg);
	memcpy(g.buf, "KDUMP   ", 8);
	td_put_le32(g.buf + 8, 7);
	T_CHECK(open_gen(&g, g.len) == -1 && strstr(err.msg, "version 7"), "%s", err.msg);
	td_put_le32(g.buf + 8, 6);
	td_put_le32(g.buf + 428, 8192);
	T_CHECK(open_gen(&g, g.len) == -1 && strstr(err.msg, "block size 8192"), "%s", err.msg);
	td_put_le32(g.buf + 428, 4096);
	td_put_le64(g.buf + 4096 + 96, 1ull << 40);
	T_CHECK(open_gen(&g, g.len) == -1 && strstr(err.msg, "too small"), "%s", err.msg);
	td_put_le64(g.buf + 4096 + 96, 0);
	T_CHECK(open_gen(&g, g.len) == -1 && strstr(err.msg, "empty bitmap"), "%s", err.msg);
	td_put_le64(g.buf + 4096 + 96, 100);
	td_put_le32(g.buf + 432, 0x7fffffff);
	T_CHECK(open_gen(&g, g.len) == -1, "huge sub_hdr_size accepted");
	td_put_le32(g.buf + 432, 1);
	T_CHECK(open_gen(&g, g.len) == 0, "%s", err.msg);
	free(g.buf);
}

/* Reopen g (fresh caches) and read pfn: it must fail with both needles. */
static int page_fails(const struct gen *g, size_t len, uint64_t pfn, const char *n1, const char *n2)
{
	if (open_gen(g, len) < 0)
		return 0;
	return !td_kdump_page(&k, pfn, &err) && strstr(err.msg, n1) && strstr(err.msg, n2);
}

/* Descriptor-level damage: reported per pfn when the page is read. */
static void bad_desc(void)
{
	struct gen g;
	uint8_t *d;

	build(&g, 6, 100, std, NSTD, 0);
	d = g.buf + g.desc_of[0];                     /* pfn 0, zlib */
	/* cut inside the descriptor table: pfn 99's descriptor and every
	 * page's data are past EOF */
	T_CHECK(page_fails(&g, g.desc_of[7] + 10, 99, "pfn 0x63", "descriptor"), "%s", err.msg);
	T_CHECK(page_fails(&g, g.desc_of[7] + 10, 0, "pfn 0x0", "page data"), "%s", err.msg);
	td_put_le32(d + 8, 4097);
	T_CHECK(page_fails(&g, g.len, 0, "pfn 0x0", "corrupt descriptor"), "%s", err.msg);
	td_put_le32(d + 8, 0);
	T_CHECK(page_fails(&g, g.len, 0, "pfn 0x0", "corrupt descriptor"), "%s", err.msg);
	td_put_le32(d + 8, 100);
	td_put_le64(d, g.len - 50);
	T_CHECK(page_fails(&g, g.len, 0, "pfn 0x0", "past the end"), "%s", err.msg);
	td_put_le64(d, 0);
	T_CHECK(page_fails(&g, g.len, 0, "pfn 0x0", "page lost"), "%s", err.msg);
	td_put_le64(d, g.data_off + 4096);            /* pfn 5's raw bytes as zlib */
	T_CHECK(page_fails(&g, g.len, 0, "pfn 0x0", "zlib"), "%s", err.msg);
	td_put_le32(d + 12, 0);                       /* raw but not 4096 bytes */
	T_CHECK(page_fails(&g, g.len, 0, "pfn 0x0", "uncompressed page of 100"), "%s", err.msg);
	td_put_le32(d + 12, 0x40);
	T_CHECK(page_fails(&g, g.len, 0, "pfn 0x0", "unsupported compression flag 0x40 (unknown); tinydump reads zlib, zlib-exact, zstd, lzo or none pages"), "%s", err.msg);
	td_put_le32(d + 12, TD_KDUMP_F_SNAPPY);
	T_CHECK(page_fails(&g, g.len, 0, "pfn 0x0", "unsupported compression flag 0x4 (snappy)"), "%s", err.msg);
	td_put_le32(d + 12, TD_KDUMP_F_ZSTD);          /* pfn 5's raw bytes as zstd */
	T_CHECK(page_fails(&g, g.len, 0, "pfn 0x0", "zstd data at"), "%s", err.msg);
	td_put_le32(d + 12, TD_KDUMP_F_LZO);
	T_CHECK(page_fails(&g, g.len, 0, "pfn 0x0", "lzo data at"), "%s", err.msg);
	free(g.buf);
}

/* zlib data that decompresses to less than a page. */
static void short_zlib(void)
{
	struct gen g;
	uint8_t half[2048] = {1}, z[4096];
	uLongf zl = sizeof z;

	build(&g, 6, 100, std, NSTD, 0);
	compress2(z, &zl, half, sizeof half, 1);
	memcpy(g.buf + g.len, z, zl);
	td_put_le64(g.buf + g.desc_of[0], g.len);
	td_put_le32(g.buf + g.desc_of[0] + 8, (uint32_t)zl);
	T_CHECK(open_gen(&g, g.len + zl) == 0, "%s", err.msg);
	T_CHECK(!td_kdump_page(&k, 0, &err) && strstr(err.msg, "does not give 4096"), "%s", err.msg);
	free(g.buf);
}

/* Older layouts: v1 (max_mapnr from the main header, no notes) and one
 * bitmap only (old diskdump). */
static void old_layouts(void)
{
	struct gen g;
	uint8_t buf[64];
	uint64_t off, len;

	build(&g, 1, 100, std, NSTD, 0);
	T_CHECK(open_gen(&g, g.len) == 0 && k.max_mapnr == 100, "%s", err.msg);
	T_CHECK(td_kdump_notes_size(&k) == 0 &&
		td_kdump_load_notes(&k, buf, &off, &len, &err) == -1 && strstr(err.msg, "no notes"),
		"%s", err.msg);
	T_CHECK(td_kdump_page(&k, 99, &err) != NULL, "%s", err.msg);
	free(g.buf);
	static const struct spec one[] = { {0, ZLIB}, {5, RAW}, {7, ZLIB} };
	build(&g, 6, 40000, one, 3, 2);               /* 5000 bytes: one bitmap */
	T_CHECK(open_gen(&g, g.len) == 0 && k.bitmap_off[0] == k.bitmap_off[1], "%s", err.msg);
	T_CHECK(td_kdump_page(&k, 7, &err) != NULL && td_kdump_bit(&k, 2, 5, &err) == 1 &&
		td_kdump_bit(&k, 1, 5, &err) == 1 && td_kdump_bit(&k, 2, 6, &err) == 0, "%s", err.msg);
	free(g.buf);
}

/* More bitmap blocks than rank slots: prefix counts per group of blocks. */
#define BIG ((uint64_t)(TD_KDUMP_RANK_SLOTS + 1) * 32768)
static void big_rank(void)
{
	static const struct spec sp[] = {
		{3, RAW}, {40000, ZLIB}, {150000000, ZERO}, {150000001, RAW}, {BIG - 1, ZLIB},
	};
	struct gen g;
	uint8_t want[4096];
	const uint8_t *p;

	build(&g, 6, BIG, sp, 5, 0);                  /* 8193 blocks a bitmap */
	T_CHECK(open_gen(&g, g.len) == 0, "%s", err.msg);
	T_CHECK(k.rank_step == 2 && k.dumpable == 5, "step %llu dumpable %llu",
		(unsigned long long)k.rank_step, (unsigned long long)k.dumpable);
	for (int round = 0; round < 2; round++)
		for (int i = 4; i >= 0; i--) {
			pattern(sp[i].pfn, want);
			if (sp[i].kind == ZERO)
				memset(want, 0, 4096);
			p = td_kdump_page(&k, sp[i].pfn, &err);
			T_CHECK(p && !memcmp(p, want, 4096), "pfn %llu: %s", (unsigned long long)sp[i].pfn,
				err.msg);
		}
	free(g.buf);
}

/* The read stack picks a kdump file's architecture row by its utsname
 * machine, and refuses a machine no row has. */
static void readstack_arch(void)
{
	static struct td_readstack rs;
	static struct td_kdump kd;
	struct td_warnings w = { 0 };
	struct gen g;

	build(&g, 6, 100, std, NSTD, 0);
	mem.data = g.buf;
	mem.size = g.len;
	td_source_mem(&src, &mem);
	T_CHECK(td_readstack_open(&rs, &src, &kd, NULL, &w, &err) == 0 && rs.kd == &kd &&
			rs.arch == &td_arch_x86_64, "%s", err.msg);
	td_readstack_close(&rs);
	T_CHECK(td_readstack_open(&rs, &src, NULL, NULL, &w, &err) == -1 && strstr(err.msg, "ELF"),
		"ELF only, kdump given: %s", err.msg);
	td_readstack_close(&rs);
	memcpy(g.buf + 12 + 65 * 4, "aarch64", 8);
	T_CHECK(td_readstack_open(&rs, &src, &kd, NULL, &w, &err) == -1 &&
			strstr(err.msg, "kdump file of a \"aarch64\" machine; tinydump reads x86_64 dumps"),
		"%s", err.msg);
	td_readstack_close(&rs);
	free(g.buf);
}

int main(int argc, char **argv)
{
	T_ARGS(argc, argv);
	T_RUN(pages);
	T_RUN(notes);
	T_RUN(corrupt);
	T_RUN(bad_desc);
	T_RUN(short_zlib);
	T_RUN(old_layouts);
	T_RUN(big_rank);
	T_RUN(readstack_arch);
	T_END();
}
