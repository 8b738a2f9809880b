/* Host tests for the capture core: VMCOREINFO parsing, the ELF vmcore
 * parser (with negative fixtures), and the kdump writer, read back through
 * the independent kdump reader, plus the flattened round trip. */
#define T_SUITE "capture"
#include <stdlib.h>
#include <string.h>

#include "t.h"
#include "vmgen.c"

#include "capture/dump.h"
#include "capture/flat.h"
#include "capture/kdumpread.h"
#include "capture/arch.h"
#include "capture/codec.h"
#include "capture/pagezip.h"

#include <zlib.h>

#define SAMPLE "tests/fixtures/vmcoreinfo-6.1.192-tinyconfig.txt"

static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf = malloc(1 << 16);

	*len = f ? fread(buf, 1, (1 << 16) - 1, f) : 0;
	if (f)
		fclose(f);
	buf[*len] = '\0';
	return buf;
}

static void vmcoreinfo_sample(void)
{
	struct td_vmcoreinfo *vi = malloc(sizeof *vi);
	struct td_err e;
	size_t len;
	char *text = slurp(SAMPLE, &len);
	uint64_t u = 0;
	int64_t s = 0;

	T_REQUIRE(len > 1000, "sample %s not found", SAMPLE);
	T_REQUIRE(td_vmcoreinfo_parse(vi, text, len, &e) == 0, "%s", e.msg);
	T_CHECK(vi->dropped == 0, "%s", vi->warning);
	const char *rel = td_vi_string(vi, "OSRELEASE");
	T_CHECK(rel && !strcmp(rel, "6.1.192"), "release");
	T_CHECK(td_vi_symbol(vi, "init_top_pgt", &u) == 0 && u == 0xffffffffbae09000ull, "%llx",
		(unsigned long long)u);
	T_CHECK(td_vi_number(vi, "PAGE_BUDDY_MAPCOUNT_VALUE", &s) == 0 && s == -129, "%lld", (long long)s);
	T_CHECK(td_vi_number(vi, "phys_base", &s) == 0 && s == -73400320, "%lld", (long long)s);
	T_CHECK(td_vi_u(vi, "KERNELOFFSET", &u) == 0 && u == 0x39200000, "%llx", (unsigned long long)u);
	T_CHECK(td_vi_u(vi, "CRASHTIME", &u) == 0 && u == 1795327954, "crashtime");
	T_CHECK(td_vi_offset(vi, "page.compound_order", &u) == 0 && u == 17, "offset");
	T_CHECK(td_vi_length(vi, "zone.free_area", &u) == 0 && u == 11, "length");
	T_CHECK(td_vi_symbol(vi, "nonexistent", &u) < 0, "absent symbol found");
	free(vi);
	free(text);
}

static int parse_one(const char *text, struct td_vmcoreinfo *vi, struct td_err *e)
{
	return td_vmcoreinfo_parse(vi, text, strlen(text), e);
}

static void vmcoreinfo_strict(void)
{
	struct td_vmcoreinfo *vi = malloc(sizeof *vi);
	struct td_err e;
	uint64_t u;
	int64_t s;

	T_CHECK(parse_one("PAGESIZE=4096\n", vi, &e) < 0 && strstr(e.msg, "OSRELEASE"), "no release");
	T_CHECK(parse_one("OSRELEASE=6.1\n", vi, &e) < 0 && strstr(e.msg, "PAGESIZE"), "no pagesize");
	T_CHECK(parse_one("OSRELEASE=6.1\nPAGESIZE=16384\n", vi, &e) < 0 && strstr(e.msg, "16384"), "16k");
	const char *junk = "OSRELEASE=6.1\nPAGESIZE=4096\nSYMBOL(a)=ffffx\nSIZE(b)=12 \n"
			   "NUMBER(c)=--1\nOFFSET(d)=-4\nSYMBOL(e)=1ffffffffffffffff\n"
			   "NUMBER(f)=9223372036854775808\nNUMBER(g)=-9223372036854775808\nnoequals\n"
			   "SIZE(h)=18446744073709551616\nSIZE(ok)=18446744073709551615\n"
			   "NUMBER(VMALLOC_START)=0xff58452c40000000\nNUMBER(x1)=0x\nNUMBER(x2)=0x1ffffffffffffffff\n"
			   "NUMBER(x3)=-0x10\nNUMBER(x4)=0xfg\nNUMBER(x5)=0X10\nNUMBER(x6)=0x7f\n";
	T_CHECK(parse_one(junk, vi, &e) == 0, "%s", e.msg);
	T_CHECK(vi->dropped == 13, "dropped %u: %s", vi->dropped, vi->warning);
	T_CHECK(strstr(vi->warning, "SYMBOL(a)=ffffx"), "warning names the line: %s", vi->warning);
	T_CHECK(td_vi_symbol(vi, "a", &u) < 0 && td_vi_size(vi, "b", &u) < 0, "junk kept");
	T_CHECK(td_vi_number(vi, "g", &s) == 0 && s == INT64_MIN, "INT64_MIN");
	T_CHECK(td_vi_size(vi, "ok", &u) == 0 && u == UINT64_MAX, "UINT64_MAX");
	/* hex NUMBER lines (6.12 on): the 64 bits as written; 0x alone, more
	 * than 16 digits, a sign, a bad digit or 0X are dropped */
	T_CHECK(td_vi_number(vi, "VMALLOC_START", &s) == 0 && (uint64_t)s == 0xff58452c40000000ull,
		"hex NUMBER: %llx", (unsigned long long)s);
	T_CHECK(td_vi_number(vi, "x6", &s) == 0 && s == 0x7f, "small hex NUMBER");
	T_CHECK(td_vi_number(vi, "x1", &s) < 0 && td_vi_number(vi, "x3", &s) < 0 &&
			td_vi_number(vi, "x5", &s) < 0,
		"bad hex NUMBER kept");
	/* NUL padding ends the text, as in the kernel's note */
	char padded[64] = "OSRELEASE=6.1\nPAGESIZE=4096\n";
	T_CHECK(td_vmcoreinfo_parse(vi, padded, sizeof padded, &e) == 0 && vi->dropped == 0, "padding");
	free(vi);
}

/* A small machine: 64 MiB of RAM at 0, one data page, everything else zero. */
static struct vmgen *small_machine(void)
{
	struct vmgen *g = vmgen_new();

	g->nr_cpus = 2;
	vmgen_ram(g, 0, 32 << 20);
	vmgen_ram(g, 48 << 20, 16 << 20);  /* a hole from 32 to 48 MiB */
	vmgen_kernel_text(g, 16 << 20, 2 << 20);
	vmgen_pool(g, 8 << 20, 4 << 20);
	vmgen_pt_init(g);
	vmgen_vmcoreinfo_std(g, 0);
	for (int i = 0; i < 4096; i++)
		vmgen_phys(g, 0x100000 + 0x1000)[i] = (uint8_t)(i * 7);
	for (int i = 0; i < 4096; i++)
		vmgen_phys(g, 49 << 20)[i] = (uint8_t)rand();   /* incompressible */
	return g;
}

struct image {
	uint8_t *buf;
	size_t cap, len;
};

static int img_write(void *ctx, uint64_t off, const void *buf, size_t len, struct td_err *e)
{
	struct image *m = ctx;

	if (off + len > m->cap)
		return td_fail(e, "image full at %llu", (unsigned long long)(off + len));
	memcpy(m->buf + off, buf, len);
	if (off + len > m->len)
		m->len = off + len;
	return 0;
}

struct setup {
	uint8_t *vm;
	size_t vmlen;
	struct td_membuf mb;
	struct td_source src;
	struct td_vmcore vc;
	uint8_t notes[8192];
	struct td_vmcoreinfo vi;
	struct td_kinfo ki;
	struct td_filter f;
	struct td_warnings w;
};

static int setup(struct setup *s, struct vmgen *g, unsigned level, struct td_err *e)
{
	memset(s, 0, sizeof *s);
	vmgen_buffer(g, &s->vm, &s->vmlen);
	s->mb = (struct td_membuf){ s->vm, s->vmlen };
	td_source_mem(&s->src, &s->mb);
	if (td_vmcore_open(&s->vc, &s->src, e) < 0 || s->vc.note_size > sizeof s->notes ||
	    td_vmcore_load_notes(&s->vc, s->notes, e) < 0 ||
	    td_vmcoreinfo_parse(&s->vi, (char *)s->notes + s->vc.vmcoreinfo_off, s->vc.vmcoreinfo_size, e) < 0)
		return -1;
	td_kinfo_read(&s->ki, &s->vc, &s->vi, &s->w);
	return td_filter_init(&s->f, &s->vc, &s->vi, level, &s->w, e);
}

static void vmcore_parse(void)
{
	struct vmgen *g = small_machine();
	struct setup *s = malloc(sizeof *s);
	struct td_err e;

	T_CHECK(setup(s, g, 1, &e) == 0, "%s", e.msg);
	T_CHECK(s->vc.nload == 2, "RAM loads %u (the kernel-text alias is not RAM)", s->vc.nload);
	T_CHECK(s->vc.nr_cpus == 2, "cpus %u", s->vc.nr_cpus);
	T_CHECK(s->vc.max_pfn == (64 << 20) >> 12, "max_pfn %llu", (unsigned long long)s->vc.max_pfn);
	T_CHECK(s->vc.page_offset == VMGEN_PAGE_OFFSET_L4, "page_offset");
	T_CHECK(td_vmcore_pfn_present(&s->vc, 0x101) && !td_vmcore_pfn_present(&s->vc, (40 << 20) >> 12),
		"presence");
	const uint8_t *p = td_vmcore_page(&s->vc, 0x101, &e);
	T_CHECK(p && p[1] == 7 && p[4095] == (uint8_t)(4095 * 7), "page content");
	T_CHECK(!td_vmcore_page(&s->vc, (40 << 20) >> 12, &e) && strstr(e.msg, "not in the dump"), "%s", e.msg);
	/* negative fixtures: truncation at every interesting place, garbled headers */
	size_t cuts[] = { 0, 10, 63, 64, 100, 64 + 56 * 2, s->vmlen / 2, s->vmlen - 1 };
	for (size_t i = 0; i < sizeof cuts / sizeof cuts[0]; i++) {
		struct td_membuf m = { s->vm, cuts[i] };
		struct td_source src;
		struct td_vmcore *vc = malloc(sizeof *vc);
		td_source_mem(&src, &m);
		T_CHECK(td_vmcore_open(vc, &src, &e) < 0 && e.msg[0], "cut at %zu accepted", cuts[i]);
		free(vc);
	}
	uint8_t *bad = malloc(s->vmlen);
	const struct { size_t off; uint8_t val; const char *msg; } garble[] = {
		{ 0, 'X', "not an ELF" }, { 4, 1, "64-bit" }, { 18, 3, "not x86_64" },
		{ 16, 2, "ET_CORE" }, { 54, 32, "program header size" },
	};
	for (size_t i = 0; i < sizeof garble / sizeof garble[0]; i++) {
		memcpy(bad, s->vm, s->vmlen);
		bad[garble[i].off] = garble[i].val;
		struct td_membuf m = { bad, s->vmlen };
		struct td_source src;
		struct td_vmcore *vc = malloc(sizeof *vc);
		td_source_mem(&src, &m);
		T_CHECK(td_vmcore_open(vc, &src, &e) < 0 && strstr(e.msg, garble[i].msg), "%s: %s",
			garble[i].msg, e.msg);
		free(vc);
	}
	free(bad);
	free(s->vm);
	free(s);
	vmgen_free(g);
}

static void notes_garbage(void)
{
	uint8_t n[64];
	uint64_t pos = 0;
	struct td_note note;
	struct td_err e;

	memset(n, 0, sizeof n);
	td_put_le32(n, 5);
	td_put_le32(n + 4, 100); /* desc runs past the segment */
	T_CHECK(td_note_next(n, sizeof n, &pos, &note, &e) < 0 && strstr(e.msg, "past the end"), "%s", e.msg);
	pos = 0;
	td_put_le32(n, 0xffffffff);
	T_CHECK(td_note_next(n, sizeof n, &pos, &note, &e) < 0 && strstr(e.msg, "impossible"), "%s", e.msg);
	pos = 0;
	memset(n, 0, sizeof n);
	T_CHECK(td_note_next(n, sizeof n, &pos, &note, &e) == 0, "zero padding ends the notes");
}

/* Write a kdump file of the small machine with codec c, then read every
 * page back with the kdump reader and compare with the source. */
static void kdump_roundtrip_with(const struct td_codec *c)
{
	struct vmgen *g = small_machine();
	struct setup *s = malloc(sizeof *s);
	struct image img = { malloc(64 << 20), 64 << 20, 0 };
	struct td_sink sink = { &img, img_write, NULL };
	struct td_dump d;
	struct td_err e;

	T_CHECK(setup(s, g, 1, &e) == 0, "%s", e.msg);
	d = (struct td_dump){ .vc = &s->vc, .vi = &s->vi, .ki = &s->ki, .filter = &s->f, .out = &sink,
			      .format = TD_FMT_KDUMP, .codec = c };
	T_CHECK(td_dump_write(&d, &e) == 0, "%s: %s", c->name, e.msg);
	T_CHECK(d.st.total == (48 << 20) >> 12, "total %llu", (unsigned long long)d.st.total);
	T_CHECK(d.st.kept == d.st.total, "kept %llu", (unsigned long long)d.st.kept);
	T_CHECK(d.st.zero > 0 && d.st.zero < d.st.kept - 1, "zero %llu", (unsigned long long)d.st.zero);
	T_CHECK(d.bytes_written == img.len, "bytes %llu vs %zu", (unsigned long long)d.bytes_written, img.len);
	T_CHECK(!memcmp(img.buf, "KDUMP   ", 8) && td_le32(img.buf + 8) == 6, "signature/version");
	T_CHECK(td_le32(img.buf + 424) == c->kdump_flag, "%s: status %x", c->name, td_le32(img.buf + 424));
	T_CHECK(td_le32(img.buf + 416) == 0 && td_le32(img.buf + 412) == 0, "tv_usec must be 0");

	struct td_membuf m = { img.buf, img.len };
	struct td_source src;
	struct td_kdump *k = malloc(sizeof *k);
	td_source_mem(&src, &m);
	T_CHECK(td_kdump_open(k, &src, &e) == 0, "reader: %s", e.msg);
	uint64_t mism = 0, checked = 0;
	for (uint64_t pfn = 0; pfn < s->vc.max_pfn; pfn++) {
		int present = td_vmcore_pfn_present(&s->vc, pfn);
		T_CHECK(td_kdump_bit(k, 2, pfn, &e) == present, "pfn %llx bit2", (unsigned long long)pfn);
		if (!present)
			continue;
		const uint8_t *want = vmgen_peek(g, pfn << 12);
		const uint8_t *got = td_kdump_page(k, pfn, &e);
		static const uint8_t zero[4096];
		if (!got || memcmp(got, want ? want : zero, 4096))
			mism++;
		checked++;
	}
	T_CHECK(mism == 0 && checked == d.st.kept, "%s: %llu of %llu pages differ", c->name,
		(unsigned long long)mism, (unsigned long long)checked);
	free(k);
	free(img.buf);
	free(s->vm);
	free(s);
	vmgen_free(g);
}

static void kdump_roundtrip(void)
{
	kdump_roundtrip_with(&td_codec_zlib);
	kdump_roundtrip_with(&td_codec_zstd);
	kdump_roundtrip_with(&td_codec_lzo);
}

/* A write that fails mid-dump must leave the header marked incomplete. */
static int full_write(void *ctx, uint64_t off, const void *buf, size_t len, struct td_err *e)
{
	struct image *m = ctx;

	if (off >= 200000 && off > 8192)
		return td_fail(e, "disk full");
	return img_write(m, off, buf, len, e);
}

static void kdump_incomplete(void)
{
	struct vmgen *g = small_machine();
	struct setup *s = malloc(sizeof *s);
	struct image img = { malloc(64 << 20), 64 << 20, 0 };
	struct td_sink sink = { &img, full_write, NULL };
	struct td_dump d;
	struct td_err e;

	T_CHECK(setup(s, g, 0, &e) == 0, "%s", e.msg);
	d = (struct td_dump){ .vc = &s->vc, .vi = &s->vi, .ki = &s->ki, .filter = &s->f, .out = &sink,
			      .format = TD_FMT_KDUMP, .codec = &td_codec_none };
	T_CHECK(td_dump_write(&d, &e) < 0 && strstr(e.msg, "disk full"), "%s", e.msg);
	T_CHECK(d.incomplete && (td_le32(img.buf + 424) & TD_KDUMP_F_INCOMPLETE), "status %x",
		td_le32(img.buf + 424));
	free(img.buf);
	free(s->vm);
	free(s);
	vmgen_free(g);
}

/* The flattened stream, rebuilt, equals the direct kdump output. */
struct seq {
	struct image *img;
};

static int seq_write(void *ctx, uint64_t off, const void *buf, size_t len, struct td_err *e)
{
	return img_write(ctx, off, buf, len, e);
}

static int place(void *ctx, uint64_t off, const uint8_t *data, size_t len, struct td_err *e)
{
	return img_write(ctx, off, data, len, e);
}

static void flat_roundtrip(void)
{
	struct vmgen *g = small_machine();
	struct setup *s = malloc(sizeof *s);
	struct image direct = { calloc(1, 64 << 20), 64 << 20, 0 }, stream = { calloc(1, 64 << 20), 64 << 20, 0 };
	struct image rebuilt = { calloc(1, 64 << 20), 64 << 20, 0 };
	struct td_sink ds = { &direct, img_write, NULL }, ss = { &stream, seq_write, NULL };
	struct td_flat_writer fw;
	struct td_flat_reader fr;
	struct td_dump d;
	struct td_err e;
	size_t used;

	T_CHECK(setup(s, g, 31, &e) == 0, "%s", e.msg);
	d = (struct td_dump){ .vc = &s->vc, .vi = &s->vi, .ki = &s->ki, .filter = &s->f, .out = &ds,
			      .format = TD_FMT_KDUMP, .codec = &td_codec_zlib };
	T_CHECK(td_dump_write(&d, &e) == 0, "%s", e.msg);
	T_CHECK(td_flat_start(&fw, &ss, &e) == 0, "%s", e.msg);
	d.out = td_flat_sink(&fw);
	T_CHECK(td_dump_write(&d, &e) == 0 && td_flat_finish(&fw, &e) == 0, "%s", e.msg);
	td_flat_reader_init(&fr, 0, place, &rebuilt);
	T_CHECK(td_flat_feed(&fr, stream.buf, stream.len, &used, &e) == 0 && td_flat_done(&fr), "%s", e.msg);
	T_CHECK(rebuilt.len == direct.len && !memcmp(rebuilt.buf, direct.buf, direct.len),
		"rebuilt %zu bytes vs direct %zu", rebuilt.len, direct.len);
	free(direct.buf);
	free(stream.buf);
	free(rebuilt.buf);
	free(s->vm);
	free(s);
	vmgen_free(g);
}

/* deflate's verdict, as makedumpfile gets it: 1 if the page shrinks. */
static int shrinks(const uint8_t *page)
{
	uint8_t out[8192];
	uLongf n = sizeof out;

	return compress2(out, &n, page, 4096, 1) == Z_OK && n < 4096;
}

/* The hopeless-page test may only ever say "hopeless" for pages deflate
 * cannot shrink, whatever the page: random, random with repeats at every
 * distance, random with a run of one byte, low-entropy text. */
static void pagezip_never_skips_compressible(void)
{
	struct td_pagezip *pz = malloc(sizeof *pz);
	uint8_t page[4096];
	unsigned hopeless = 0, wrong = 0, random_skipped = 0;
	struct td_err e;

	T_CHECK(td_pagezip_init(pz, &e) == 0, "%s", e.msg);
	srand(7);
	for (int k = 0; k < 3000; k++) {
		for (int i = 0; i < 4096; i++)
			page[i] = (uint8_t)rand();
		int kind = k % 6, len = 8 + rand() % 600, at = rand() % 3000;
		if (kind == 1) /* one repeated block, at any distance */
			memmove(page + rand() % (4096 - len), page + rand() % (4096 - len), (size_t)len);
		else if (kind == 2) /* a run of one byte */
			memset(page + at, 0, (size_t)(len / 4));
		else if (kind == 3) /* many short repeats */
			for (int j = 0; j < 40; j++)
				memmove(page + rand() % 4000, page + rand() % 4000, 6);
		else if (kind == 4) /* 7 bits per byte */
			for (int i = 0; i < 4096; i++)
				page[i] &= 0x7f;
		int h = td_pagezip_hopeless(pz, page);
		hopeless += h;
		random_skipped += h && kind == 0;
		wrong += h && shrinks(page);
	}
	T_CHECK(wrong == 0, "%u pages called hopeless that deflate shrinks", wrong);
	T_CHECK(random_skipped > 400, "only %u of 500 random pages recognised", random_skipped);
	memset(page, 'a', sizeof page);
	T_CHECK(!td_pagezip_hopeless(pz, page) && td_pagezip_page(pz, page) > 0, "a text page must compress");
	td_pagezip_end(pz);
	free(pz);
}

/* The codec table: every row found by its name and by its kdump flag, the
 * names for messages, no row for a flag tinydump cannot read, and each
 * row's round trip of a text page, a sparse page and a random page (stored
 * raw). */
static void codec_table(void)
{
	static uint8_t page[3][TD_PAGE_SIZE], out[TD_PAGE_SIZE], back[TD_PAGE_SIZE];
	static struct td_codec_state cs;
	const struct td_codec *rows[] = { &td_codec_zlib, &td_codec_zstd, &td_codec_lzo, &td_codec_none };
	struct td_err e;

	T_CHECK(!strcmp(td_codec_names(), "zlib, zlib-exact, zstd, lzo or none"), "names: %s", td_codec_names());
	T_CHECK(td_codec_by_name("snappy") == NULL && td_codec_by_flag(0x4) == NULL &&
			td_codec_by_flag(0x8) == NULL && td_codec_by_flag(0x40) == NULL &&
			td_codec_by_flag(0x22) == NULL, "a row for a codec tinydump lacks");
	T_CHECK(td_codec_by_flag(0x1) == &td_codec_zlib && td_codec_by_flag(0) == &td_codec_none &&
			td_codec_by_flag(0x2) == &td_codec_lzo && td_codec_by_flag(0x20) == &td_codec_zstd,
		"kdump flags");
	srand(10);
	for (unsigned i = 0; i < TD_PAGE_SIZE; i++) {
		page[0][i] = (uint8_t)"tinydump codec table "[i % 21];
		page[1][i] = i % 512 < 8 ? (uint8_t)(i * 7) : 0;
		page[2][i] = (uint8_t)rand();
	}
	for (unsigned r = 0; r < sizeof rows / sizeof rows[0]; r++) {
		const struct td_codec *c = rows[r];
		T_CHECK(td_codec_by_name(c->name) == c && td_codec_by_flag(c->kdump_flag) == c, "%s", c->name);
		int ok = td_codec_init(&cs, c, &e) == 0;  /* T_REQUIRE evaluates twice */
		T_REQUIRE(ok, "%s: %s", c->name, e.msg);
		for (unsigned p = 0; p < 3; p++) {
			uint32_t n = td_codec_page(&cs, page[p], out);
			T_CHECK(c->kdump_flag && p < 2 ? n > 0 && n < TD_PAGE_SIZE / 4 : n == 0,
				"%s page %u: %u bytes", c->name, p, n);
			/* a page stored raw is read back by the none row */
			const struct td_codec *rd = n ? c : &td_codec_none;
			memset(back, 0, sizeof back);
			T_CHECK(rd->decompress(n ? out : page[p], n ? n : TD_PAGE_SIZE, back) == 0 &&
					!memcmp(back, page[p], TD_PAGE_SIZE), "%s page %u: round trip", c->name, p);
			if (n > 1)
				T_CHECK(c->decompress(out, n - 1, back) < 0, "%s: a cut page decoded", c->name);
		}
		T_CHECK(c->decompress(page[0], 100, back) < 0, "%s: 100 bytes taken for a page", c->name);
		td_codec_end(&cs);
	}
}

/* The architecture table, and the page size checked against the row. */
static void arch_table(void)
{
	static struct td_vmcoreinfo vi;
	struct td_err e;

	T_CHECK(td_arch_by_machine(62) == &td_arch_x86_64 && td_arch_by_name("x86_64") == &td_arch_x86_64,
		"x86_64 row");
	T_CHECK(td_arch_by_machine(183) == NULL && td_arch_by_name("aarch64") == NULL, "no arm64 row");
	T_CHECK(td_arch_x86_64.page_size == TD_PAGE_SIZE, "row page size %u", td_arch_x86_64.page_size);
	T_CHECK(parse_one("OSRELEASE=6.1\nPAGESIZE=8192\n", &vi, &e) < 0 &&
			strstr(e.msg, "PAGESIZE=8192: only 4096-byte pages are supported"), "%s", e.msg);
	int ok = parse_one("OSRELEASE=6.1\nPAGESIZE=4096\n", &vi, &e) == 0;
	T_REQUIRE(ok, "%s", e.msg);
	T_CHECK(td_arch_check(&td_arch_x86_64, &vi, &e) == 0, "%s", e.msg);
	/* a VMCOREINFO the parser would refuse, to see the row's own check */
	for (unsigned i = 0; i < vi.n; i++)
		if (!strcmp(vi.ent[i].key, "PAGESIZE"))
			vi.ent[i].u = 8192;
	T_CHECK(td_arch_check(&td_arch_x86_64, &vi, &e) < 0 &&
			strstr(e.msg, "PAGESIZE=8192: x86_64 dumps are read with 4096-byte pages only"), "%s", e.msg);
}

int main(int argc, char **argv)
{
	T_ARGS(argc, argv);
	T_RUN(vmcoreinfo_sample);
	T_RUN(vmcoreinfo_strict);
	T_RUN(vmcore_parse);
	T_RUN(notes_garbage);
	T_RUN(kdump_roundtrip);
	T_RUN(kdump_incomplete);
	T_RUN(flat_roundtrip);
	T_RUN(pagezip_never_skips_compressible);
	T_RUN(codec_table);
	T_RUN(arch_table);
	T_END();
}
