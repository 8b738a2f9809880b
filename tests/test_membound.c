/* Issue 3's memory bound for the page filter: a mostly free 64 GiB machine
 * and a 1 GiB one, as sparse vmcore files, filtered in cycles by
 * build/host/membound (no sanitizers). Peak anonymous memory (heap, stack,
 * touched BSS: RssAnon) must be at most 4 MiB and the same for both sizes.
 * The 4 MiB mmap window onto the vmcore is file-backed and reported apart.
 * Extend here when the writer's bound is measured (its bitmaps and zlib
 * state come on top). */
#define T_SUITE "membound"
#include "t.h"

#include <libgen.h>
#include <sys/wait.h>
#include <stdlib.h>
#include <unistd.h>

#include "vmgen.c"

#define GIB (1ull << 30)
#define MIB (1ull << 20)

struct result {
	unsigned long long max_pfn, free, unclassified;
	unsigned applied, warnings;
	long base_anon, peak_anon, peak_file;
	double secs;
	unsigned long long sp_bytes;
};

static char membound[4096];

/* A PC-like machine with ram bytes of RAM: [1 MiB, 3 GiB) and, above a
 * PCI hole, [4 GiB, ram + 1 GiB). The first part (kernel, page tables,
 * vmemmap) is in use, everything else is free in order-10 blocks, with a
 * page cache page and an anon page every 64 MiB. */
static uint64_t machine(const char *path, uint64_t ram, uint64_t *nfree)
{
	struct vmgen *g = vmgen_new();
	uint64_t lo_end = ram < 3 * GIB ? ram : 3 * GIB, top = ram > 3 * GIB ? ram + GIB : ram;
	uint64_t vmemmap = (top >> 12) * 64, used_end = (16 * MIB + vmemmap + 64 * MIB) & ~(4 * MIB - 1);

	vmgen_ram(g, MIB, lo_end - MIB);
	if (top > lo_end)
		vmgen_ram(g, 4 * GIB, top - 4 * GIB);
	vmgen_pool(g, 16 * MIB, used_end - 16 * MIB);
	vmgen_pt_init(g);
	vmgen_map_direct(g);
	for (unsigned i = 0; i < g->nload; i++)
		vmgen_sparse(g, g->load[i].paddr >> 12, g->load[i].size >> 12, 2 * MIB);
	*nfree = 0;
	for (unsigned i = 0; i < g->nload; i++) {
		uint64_t p = g->load[i].paddr > used_end ? g->load[i].paddr : used_end;
		for (p >>= 12; p < (g->load[i].paddr + g->load[i].size) >> 12; p += 1024) {
			if (p % (16 * 1024) == 0) {
				vmgen_set_page(g, p, 1ull << VMGEN_PG_lru, 0xffff888012340000ull, 0, 0);
				vmgen_set_page(g, p + 1, 1ull << VMGEN_PG_lru, 0xffff888012340001ull, 0, 0);
				continue;
			}
			vmgen_buddy(g, p, 10);
			*nfree += 1024;
		}
	}
	vmgen_vmcoreinfo_std(g, VMGEN_VI_HWPOISON | VMGEN_VI_HUGETLB);
	uint64_t size = vmgen_write(g, path);
	vmgen_free(g);
	return size;
}

static int measure(const char *path, unsigned level, const char *mode, struct result *r)
{
	char cmd[8300], out[1024];
	FILE *p;
	int ok;

	snprintf(cmd, sizeof cmd, "%s %s %u %s", membound, path, level, mode);
	p = popen(cmd, "r");
	if (!p)
		return -1;
	ok = fgets(out, sizeof out, p) != NULL;
	if (pclose(p) != 0 || !ok)
		return -1;
	printf("# %s level %u %s: %s", strrchr(path, '-') + 1, level, mode, out);
	return sscanf(out,
		      "max_pfn=%llu applied=%u free=%llu cache=%*u user=%*u unclassified=%llu warnings=%u "
		      "base_anon_kb=%ld peak_anon_kb=%ld peak_file_kb=%ld filter_struct_kb=%*u "
		      "pass2_s=%lf struct_page_bytes=%llu",
		      &r->max_pfn, &r->applied, &r->free, &r->unclassified, &r->warnings, &r->base_anon,
		      &r->peak_anon, &r->peak_file, &r->secs, &r->sp_bytes) == 10 ? 0 : -1;
}

/* Peak RssAnon of `tinydump capture` itself (writer included), serial as
 * in a one-CPU capture kernel, sampled every millisecond. */
static long capture_peak(const char *path, int use_read)
{
	char td[8200], out[128], status[64], line[256];
	long peak = -1;
	int st;
	pid_t pid;

	char *dir = strdup(membound);

	snprintf(td, sizeof td, "%s/../tinydump", dirname(dir));
	free(dir);
	snprintf(out, sizeof out, "%s.kdump", path);
	pid = fork();
	if (pid == 0) {
		freopen("/dev/null", "w", stderr);
		execl(td, "tinydump", "capture", "--threads", "0", "--level", "31", "--input", path,
		      "--output", out, use_read ? "--read" : NULL, (char *)NULL);
		_exit(127);
	}
	snprintf(status, sizeof status, "/proc/%d/status", (int)pid);
	while (waitpid(pid, &st, WNOHANG) == 0) {
		FILE *f = fopen(status, "r");
		int execd = 0; /* before exec the child is a copy of this ASan process */
		while (f && fgets(line, sizeof line, f)) {
			if (!strncmp(line, "Name:", 5))
				execd = strstr(line, "tinydump") != NULL;
			if (execd && !strncmp(line, "RssAnon:", 8) && strtol(line + 8, NULL, 10) > peak)
				peak = strtol(line + 8, NULL, 10);
		}
		if (f)
			fclose(f);
		usleep(1000);
	}
	unlink(out);
	return WIFEXITED(st) && WEXITSTATUS(st) == 0 ? peak : -1;
}

static void bound(void)
{
	long cap[2][2];
	static const uint64_t sizes[2] = { GIB, 64 * GIB };
	struct result r[2][2];
	char path[2][64];

	for (int i = 0; i < 2; i++) {
		uint64_t nfree, fsize;
		snprintf(path[i], sizeof path[i], "/tmp/tinydump-membound-%d-%llugib", (int)getpid(),
			 (unsigned long long)(sizes[i] / GIB));
		fsize = machine(path[i], sizes[i], &nfree);
		printf("# %s: %llu GiB sparse vmcore, %llu free pages\n", path[i],
		       (unsigned long long)(fsize / GIB), (unsigned long long)nfree);
		for (int m = 0; m < 2; m++) {
			T_CHECK(measure(path[i], 31, m ? "read" : "mmap", &r[i][m]) == 0, "running %s",
				membound);
			cap[i][m] = capture_peak(path[i], m);
			printf("# %llu GiB %s: tinydump capture peak RssAnon %ld KiB\n",
			       (unsigned long long)(sizes[i] / GIB), m ? "read" : "mmap", cap[i][m]);
			T_CHECK(r[i][m].free == nfree && r[i][m].applied == 31 && !r[i][m].unclassified &&
					!r[i][m].warnings,
				"%llu GiB: free %llu of %llu, applied %u, unclassified %llu",
				(unsigned long long)(sizes[i] / GIB), r[i][m].free,
				(unsigned long long)nfree, r[i][m].applied, r[i][m].unclassified);
		}
		if (!getenv("TD_KEEP")) unlink(path[i]);
	}
	/* mmap windows: the anonymous peak is the filter's and the harness's */
	for (int i = 0; i < 2; i++)
		T_CHECK(r[i][0].peak_anon > 0 && r[i][0].peak_anon <= 4096, "peak RssAnon %ld KiB",
			r[i][0].peak_anon);
	T_CHECK(labs(r[1][0].peak_anon - r[0][0].peak_anon) <= 64,
		"peak RssAnon 1 GiB %ld KiB vs 64 GiB %ld KiB", r[0][0].peak_anon, r[1][0].peak_anon);
	/* read(): the same plus the 1 MiB + 4 KiB read buffer, whatever the size */
	T_CHECK(labs(r[1][1].peak_anon - r[0][1].peak_anon) <= 64 &&
			labs(r[1][1].peak_anon - r[1][0].peak_anon - 1028) <= 64,
		"read(): peak RssAnon %ld / %ld KiB", r[0][1].peak_anon, r[1][1].peak_anon);
	/* the whole capture, writer and all: at most 4 MiB, the same at 1 and
	 * 64 GiB, with mmap windows and with the read() fallback */
	for (int m = 0; m < 2; m++)
		T_CHECK(cap[0][m] > 0 && cap[1][m] > 0 && cap[0][m] <= 4096 && cap[1][m] <= 4096 &&
				labs(cap[1][m] - cap[0][m]) <= 128,
			"tinydump capture (%s) peak RssAnon %ld KiB at 1 GiB, %ld KiB at 64 GiB",
			m ? "read" : "mmap", cap[0][m], cap[1][m]);
	printf("# 64 GiB: %llu pfns in %.3f s (%.0f Mpfn/s), %.0f M struct pages read/s\n",
	       r[1][0].max_pfn, r[1][0].secs, r[1][0].max_pfn / r[1][0].secs / 1e6,
	       r[1][0].sp_bytes / 64.0 / r[1][0].secs / 1e6);
}

int main(int argc, char **argv)
{
	T_ARGS(argc, argv);
	snprintf(membound, sizeof membound, "%s/membound", dirname(argv[0]));
	T_RUN(bound);
	T_END();
}
