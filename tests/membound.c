/* membound VMCORE LEVEL [read]: run the page filter over every cycle of a
 * vmcore the way the dump writer does (a count pass, then a pass with
 * stats) and print its memory and speed as key=value pairs.
 *
 * Built without sanitizers (tests/filter.mk): under ASan most anonymous
 * memory is the sanitizer's. Anonymous memory (heap + stack + touched BSS)
 * is RssAnon from /proc/self/status, sampled after every cycle; the vmcore
 * is read through init/filesrc.c's 4 MiB mmap windows, which are
 * file-backed (RssFile), or with "read" through its 4 MiB read() buffer,
 * which is anonymous. test_membound runs this and checks the numbers. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "capture/dump.h"
#include "capture/filter.h"
#include "init/filesrc.h"

static long status_kb(const char *key)
{
	char line[256];
	long v = -1;
	size_t kl = strlen(key);
	FILE *f = fopen("/proc/self/status", "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof line, f))
		if (!strncmp(line, key, kl) && line[kl] == ':')
			v = strtol(line + kl + 1, NULL, 10);
	fclose(f);
	return v;
}

static long peak_anon, peak_file;

static void sample(void)
{
	long a = status_kb("RssAnon"), f = status_kb("RssFile");

	peak_anon = a > peak_anon ? a : peak_anon;
	peak_file = f > peak_file ? f : peak_file;
}

/* Count what the filter reads through its physread (struct pages and
 * page tables). */
static struct td_physread inner;
static unsigned long long bytes_read;

static int counting_read(void *ctx, uint64_t pa, void *buf, size_t len, struct td_err *e)
{
	(void)ctx;
	bytes_read += len;
	return inner.read(inner.ctx, pa, buf, len, e);
}

static double now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static struct td_filesrc fs;
static struct td_source src;
static struct td_vmcore vc;
static struct td_vmcoreinfo vi;
static struct td_filter filt;
static struct td_warnings warn;
static uint8_t bm[TD_CYCLE_PFNS / 8];

static int passes(struct td_pagestats *st, double *secs, struct td_err *e)
{
	for (int pass = 0; pass < 2; pass++) {
		double t0 = now();
		for (uint64_t s = 0; s < vc.max_pfn; s += TD_CYCLE_PFNS) {
			uint64_t end = (vc.max_pfn + 7) & ~7ull;
			uint64_t n = end - s < TD_CYCLE_PFNS ? end - s : TD_CYCLE_PFNS;
			if (td_filter_cycle(&filt, s, n, bm, pass ? st : NULL, e) < 0)
				return -1;
			sample();
		}
		secs[pass] = now() - t0;
	}
	return 0;
}

int main(int argc, char **argv)
{
	long base = status_kb("RssAnon");
	struct td_pagestats st = { 0 };
	struct td_err e;
	double secs[2];
	uint8_t *notes;

	if (argc < 3) {
		fprintf(stderr, "usage: membound VMCORE LEVEL [read]\n");
		return 2;
	}
	if (td_filesrc_open(&fs, argv[1], argc > 3 && !strcmp(argv[3], "read"), &e) < 0)
		goto fail;
	td_filesrc_source(&fs, &src);
	if (td_vmcore_open(&vc, &src, &e) < 0 || !(notes = malloc(vc.note_size)) ||
	    td_vmcore_load_notes(&vc, notes, &e) < 0 ||
	    td_vmcoreinfo_parse(&vi, (const char *)notes + vc.vmcoreinfo_off, vc.vmcoreinfo_size, &e) < 0 ||
	    td_filter_init(&filt, &vc, &vi, (unsigned)atoi(argv[2]), &warn, &e) < 0)
		goto fail;
	memset(bm, 0xff, sizeof bm); /* the writer's cycle bitmap: all of it, always */
	inner = filt.mem;
	filt.mem.read = counting_read;
	if (passes(&st, secs, &e) < 0)
		goto fail;
	printf("max_pfn=%llu applied=%u free=%llu cache=%llu user=%llu unclassified=%llu warnings=%u "
	       "base_anon_kb=%ld peak_anon_kb=%ld peak_file_kb=%ld filter_struct_kb=%zu "
	       "pass2_s=%.3f struct_page_bytes=%llu\n",
	       (unsigned long long)vc.max_pfn, filt.level_applied, (unsigned long long)st.free,
	       (unsigned long long)st.cache, (unsigned long long)st.user,
	       (unsigned long long)st.unclassified, warn.n, base, peak_anon, peak_file,
	       sizeof filt / 1024, secs[1], bytes_read / 2);
	return 0;
fail:
	fprintf(stderr, "membound: %s\n", e.msg);
	return 1;
}
