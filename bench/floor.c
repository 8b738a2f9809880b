/* floor: the compression floor of a dump level, for bench/run.sh.
 *
 *   floor VMCORE PFNLIST [RUNS [CODEC]]
 *
 * CODEC (default zlib): zlib (level 1, as makedumpfile -c), deflate1 to
 * deflate9 (libdeflate's zlib format at that level: pages any zlib reader
 * decodes), split (libdeflate level 5 on pages holding 128 or more
 * zero 8-byte words, level 1 on the rest: a probe of what a zlib-format
 * writer that gives up byte identity could reach), td (tinydump's own
 * page deflate, capture/deflate.c: the default zlib codec, without its
 * caller), zstd (level 1, as makedumpfile -z), lzo (lzo1x_1, as
 * makedumpfile -l). FLOOR_VERIFY=1 inflates every zlib-format page once
 * more, untimed, and stops if one does not give its page back.
 *
 * PFNLIST is tool_kdumpinfo's "--pfns --zero-pfns" output for a dump of
 * VMCORE: "pfns 0xA-0xB" runs are the dumpable pages, "zero 0xA-0xB" runs
 * those sent to the shared zero block (no compression in either tool), so
 * they are left out. Every other line is ignored.
 *
 * The floor is the time to compress exactly those pages the way
 * makedumpfile does (zlib wrapper, level 1, one deflate stream reused with
 * deflateReset per page, output buffer of compressBound(4096)), with the
 * pages already in memory: no reading, no writing, no filtering. Pages are
 * copied out of the ELF file (its PT_LOADs, by physical address) before
 * the clock starts. Best and mean of RUNS (default 5) passes, in wall time
 * and in CPU time (the latter is what to compare on a busy machine).
 *
 * Output, one line of key=value: pages, raw (pages deflate could not
 * shrink below 4096 bytes, which makedumpfile stores raw), out_bytes (what
 * the page data would take: compressed size, or 4096 for raw pages),
 * best_s, mean_s, best_cpu_s, mb_s (input MB/s at best wall time).
 * Bench support, not product code: errors print a message and exit 2. */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <libdeflate.h>
#include <lzo/lzo1x.h>
#include <zlib.h>
#include <zstd.h>

#include "capture/deflate.h"

enum { PAGE = 4096, MAXLOAD = 256 };

struct load {
	uint64_t paddr, filesz, memsz, off;
};

static struct load loads[MAXLOAD];
static unsigned nload;

static void die(const char *what, const char *why)
{
	fprintf(stderr, "floor: %s: %s\n", what, why);
	exit(2);
}

static uint64_t le(const uint8_t *p, int n)
{
	uint64_t v = 0;

	while (n--)
		v = v << 8 | p[n];
	return v;
}

static void xpread(int fd, void *buf, size_t len, uint64_t off, const char *what)
{
	ssize_t got = pread(fd, buf, len, (off_t)off);

	if (got != (ssize_t)len)
		die(what, got < 0 ? strerror(errno) : "short read");
}

/* The PT_LOADs of an ELF64 little-endian core file. */
static void read_loads(int fd)
{
	uint8_t eh[64], ph[56];
	uint64_t phoff;
	unsigned phnum, phentsize;

	xpread(fd, eh, sizeof eh, 0, "ELF header");
	if (memcmp(eh, "\177ELF\2\1", 6) || le(eh + 16, 2) != 4 /* ET_CORE */)
		die("vmcore", "not an ELF64 little-endian core file");
	phoff = le(eh + 32, 8);
	phentsize = (unsigned)le(eh + 54, 2);
	phnum = (unsigned)le(eh + 56, 2);
	if (phentsize != sizeof ph)
		die("vmcore", "unexpected program header size");
	for (unsigned i = 0; i < phnum; i++) {
		xpread(fd, ph, sizeof ph, phoff + (uint64_t)i * sizeof ph, "program header");
		if (le(ph, 4) != 1 /* PT_LOAD */)
			continue;
		if (nload == MAXLOAD)
			die("vmcore", "too many PT_LOADs");
		loads[nload++] = (struct load){ .off = le(ph + 8, 8), .paddr = le(ph + 24, 8),
						.filesz = le(ph + 32, 8), .memsz = le(ph + 40, 8) };
	}
}

/* Copy physical page pfn into dst (zeros past p_filesz, as in the dump). */
static void get_page(int fd, uint64_t pfn, uint8_t *dst)
{
	uint64_t pa = pfn * PAGE;

	for (unsigned i = 0; i < nload; i++) {
		const struct load *l = &loads[i];
		if (pa < l->paddr || pa - l->paddr >= l->memsz)
			continue;
		uint64_t in = pa - l->paddr, n = in < l->filesz ? l->filesz - in : 0;
		n = n > PAGE ? PAGE : n;
		memset(dst + n, 0, PAGE - n);
		if (n)
			xpread(fd, dst, n, l->off + in, "page");
		return;
	}
	die("pfn list", "a dumpable pfn is in no PT_LOAD of the vmcore");
}

struct runs {
	uint64_t (*r)[2];
	size_t n, cap;
};

static void add_run(struct runs *rs, uint64_t a, uint64_t b)
{
	if (rs->n == rs->cap) {
		rs->cap = rs->cap ? rs->cap * 2 : 256;
		rs->r = realloc(rs->r, rs->cap * sizeof *rs->r);
		if (!rs->r)
			die("pfn list", "out of memory");
	}
	rs->r[rs->n][0] = a;
	rs->r[rs->n++][1] = b;
}

static int in_runs(const struct runs *rs, uint64_t pfn)
{
	size_t lo = 0, hi = rs->n;

	while (lo < hi) { /* runs are sorted and disjoint */
		size_t mid = (lo + hi) / 2;
		if (pfn < rs->r[mid][0])
			hi = mid;
		else if (pfn > rs->r[mid][1])
			lo = mid + 1;
		else
			return 1;
	}
	return 0;
}

static void read_list(const char *path, struct runs *keep, struct runs *zero)
{
	char line[256];
	unsigned long long a, b;
	FILE *f = fopen(path, "r");

	if (!f)
		die(path, strerror(errno));
	while (fgets(line, sizeof line, f)) {
		if (sscanf(line, "pfns 0x%llx-0x%llx", &a, &b) == 2 && a <= b)
			add_run(keep, a, b);
		else if (sscanf(line, "zero 0x%llx-0x%llx", &a, &b) == 2 && a <= b)
			add_run(zero, a, b);
	}
	fclose(f);
}

/* The kept, non-zero pages of the list, copied into one buffer. */
static uint8_t *preload(int fd, const struct runs *keep, const struct runs *zero, size_t *npages)
{
	size_t n = 0, cap = 0;
	uint8_t *buf = NULL;

	for (size_t i = 0; i < keep->n; i++)
		for (uint64_t pfn = keep->r[i][0]; pfn <= keep->r[i][1]; pfn++) {
			if (in_runs(zero, pfn))
				continue;
			if (n == cap) {
				cap = cap ? cap * 2 : 4096;
				buf = realloc(buf, cap * PAGE);
				if (!buf)
					die("preloading pages", "out of memory");
			}
			get_page(fd, pfn, buf + n * PAGE);
			n++;
		}
	*npages = n;
	return buf;
}

static double now(clockid_t c)
{
	struct timespec t;

	clock_gettime(c, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* The codecs: each sets up once, then compresses one page into out
 * (room for PAGE + 1024 bytes) and returns the size, or >= PAGE when the
 * page would be stored raw. */
static z_stream zs;
static struct libdeflate_compressor *ld;
static ZSTD_CCtx *zc;
static uint64_t lzo_wrk[LZO1X_1_MEM_COMPRESS / 8];

static size_t zlib_page(const uint8_t *page, uint8_t *out)
{
	if (deflateReset(&zs) != Z_OK)
		die("zlib", "deflateReset failed");
	zs.next_in = (Bytef *)page;
	zs.avail_in = PAGE;
	zs.next_out = out;
	zs.avail_out = (uInt)compressBound(PAGE);
	if (deflate(&zs, Z_FINISH) != Z_STREAM_END)
		die("zlib", "deflate did not finish");
	return zs.total_out;
}

static size_t deflate_page(const uint8_t *page, uint8_t *out)
{
	size_t n = libdeflate_zlib_compress(ld, page, PAGE, out, PAGE - 1);

	return n ? n : PAGE;
}

/* split: the zero-word count picks the level (docs/DECISIONS.md). */
static struct libdeflate_compressor *ld5;

static size_t split_page(const uint8_t *page, uint8_t *out)
{
	const uint8_t *w = page;
	unsigned zeros = 0;
	uint64_t v;

	for (; w < page + PAGE; w += 8) {
		memcpy(&v, w, 8);
		zeros += !v;
	}
	size_t n = libdeflate_zlib_compress(zeros >= 128 ? ld5 : ld, page, PAGE, out, PAGE - 1);

	return n ? n : PAGE;
}

/* td: tinydump's own page deflate (capture/deflate.c) */
static struct td_deflate tdd;

static size_t td_page(const uint8_t *page, uint8_t *out)
{
	size_t n = td_deflate_zlib(&tdd, page, PAGE, out, PAGE - 1);

	return n ? n : PAGE;
}

static size_t zstd_page(const uint8_t *page, uint8_t *out)
{
	size_t n = ZSTD_compressCCtx(zc, out, PAGE - 1, page, PAGE, 1);

	return ZSTD_isError(n) ? PAGE : n;
}

static size_t lzo_page(const uint8_t *page, uint8_t *out)
{
	lzo_uint n = 0;

	if (lzo1x_1_compress(page, PAGE, out, &n, lzo_wrk) != LZO_E_OK)
		die("lzo", "lzo1x_1_compress failed");
	return n;
}

static size_t (*setup(const char *codec))(const uint8_t *, uint8_t *)
{
	if (!strcmp(codec, "zlib")) {
		if (deflateInit(&zs, Z_BEST_SPEED) != Z_OK)
			die("zlib", "deflateInit failed");
		return zlib_page;
	}
	if (!strncmp(codec, "deflate", 7) && codec[7] >= '1' && codec[7] <= '9' && !codec[8]) {
		if (!(ld = libdeflate_alloc_compressor(codec[7] - '0')))
			die("libdeflate", "out of memory");
		return deflate_page;
	}
	if (!strcmp(codec, "split")) {
		if (!(ld = libdeflate_alloc_compressor(1)) || !(ld5 = libdeflate_alloc_compressor(5)))
			die("libdeflate", "out of memory");
		return split_page;
	}
	if (!strcmp(codec, "td")) {
		td_deflate_init(&tdd);
		return td_page;
	}
	if (!strcmp(codec, "zstd")) {
		if (!(zc = ZSTD_createCCtx()))
			die("zstd", "out of memory");
		return zstd_page;
	}
	if (!strcmp(codec, "lzo")) {
		if (lzo_init() != LZO_E_OK)
			die("lzo", "lzo_init failed");
		return lzo_page;
	}
	die(codec, "not zlib, deflate1 to deflate9, split, td, zstd or lzo");
	return NULL;
}

/* One pass: compress every page. Returns the wall time; *cpu gets the CPU
 * time. */
__attribute__((noinline)) static double pass(size_t (*page)(const uint8_t *, uint8_t *), const uint8_t *pages, size_t n,
		   uint64_t *raw, uint64_t *out, double *cpu)
{
	static uint8_t obuf[PAGE + 1024];
	double t0 = now(CLOCK_MONOTONIC), c0 = now(CLOCK_PROCESS_CPUTIME_ID);

	*raw = *out = 0;
	for (size_t i = 0; i < n; i++) {
		size_t got = page(pages + i * PAGE, obuf);
		if (got < PAGE) {
			*out += got;
		} else {
			*out += PAGE;
			(*raw)++;
		}
	}
	*cpu = now(CLOCK_PROCESS_CPUTIME_ID) - c0;
	return now(CLOCK_MONOTONIC) - t0;
}

/* FLOOR_VERIFY=1: inflate every zlib-format page and compare (untimed). */
static void verify(size_t (*page)(const uint8_t *, uint8_t *), const uint8_t *pages, size_t n)
{
	static uint8_t obuf[PAGE + 1024], back[PAGE];

	for (size_t i = 0; i < n; i++) {
		size_t got = page(pages + i * PAGE, obuf);
		uLongf bl = PAGE;

		if (got >= PAGE)
			continue;
		if (uncompress(back, &bl, obuf, got) != Z_OK || bl != PAGE || memcmp(back, pages + i * PAGE, PAGE))
			die("verify", "a page did not inflate to itself");
	}
	fprintf(stderr, "floor: verify: %zu pages inflate to themselves\n", n);
}

int main(int argc, char **argv)
{
	struct runs keep = { 0 }, zero = { 0 };
	int runs = argc > 3 ? atoi(argv[3]) : 5, fd;
	double best = 1e30, best_cpu = 1e30, sum = 0;
	uint64_t raw = 0, out = 0;
	size_t n;
	const char *codec = argc > 4 ? argv[4] : "zlib";
	uint8_t *pages;
	size_t (*page)(const uint8_t *, uint8_t *);

	if (argc < 3 || runs < 1) {
		fprintf(stderr, "usage: floor VMCORE PFNLIST [RUNS [zlib|deflateN|split|td|zstd|lzo]]\n");
		return 2;
	}
	if ((fd = open(argv[1], O_RDONLY)) < 0)
		die(argv[1], strerror(errno));
	read_loads(fd);
	read_list(argv[2], &keep, &zero);
	pages = preload(fd, &keep, &zero, &n);
	page = setup(codec);
	for (int i = 0; i < runs; i++) {
		double cpu, t = pass(page, pages, n, &raw, &out, &cpu);
		best = t < best ? t : best;
		best_cpu = cpu < best_cpu ? cpu : best_cpu;
		sum += t;
	}
	if (getenv("FLOOR_VERIFY") && (page == zlib_page || page == td_page || page == deflate_page || page == split_page))
		verify(page, pages, n);
	printf("codec=%s pages=%zu raw=%llu out_bytes=%llu best_s=%.4f mean_s=%.4f best_cpu_s=%.4f mb_s=%.1f "
	       "zlib=%s\n", codec, n, (unsigned long long)raw, (unsigned long long)out, best, sum / runs, best_cpu,
	       best > 0 ? (double)n * PAGE / best / 1e6 : 0.0, zlibVersion());
	return 0;
}
