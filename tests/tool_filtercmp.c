/* tool_filtercmp: check the page filter and the page-table walk against the
 * real tools on a saved /proc/vmcore.
 *
 *   tool_filtercmp VMCORE KDUMP      compare the filter at KDUMP's dump
 *                                    level with KDUMP's 2nd bitmap (a file
 *                                    from makedumpfile -d N)
 *   tool_filtercmp VMCORE --samples  print "vtop VA" lines for crash: kernel
 *                                    text, data, direct map, vmemmap
 *   tool_filtercmp VMCORE --vtop VA...   print "VA PA PAGESIZE" per VA
 *
 * The comparison prints "level N mdf_dumpable A td_dumpable B only_mdf C
 * only_td D" and then, for each differing run of pfns (up to 20), the run
 * and the struct page of its first pfn, so a difference can be explained
 * from the kernel data. Exit status 0 only if the bitmaps are equal. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "capture/dump.h"
#include "capture/filter.h"
#include "capture/kdumpread.h"

static int map_file(const char *path, struct td_membuf *m, struct td_source *s)
{
	struct stat st;
	int fd = open(path, O_RDONLY);

	if (fd < 0 || fstat(fd, &st) < 0)
		return -1;
	m->data = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
	close(fd);
	if (m->data == MAP_FAILED)
		return -1;
	m->size = (uint64_t)st.st_size;
	td_source_mem(s, m);
	return 0;
}

static struct td_membuf vm_buf, kd_buf;
static struct td_source vm_src, kd_src;
static struct td_vmcore vc;
static struct td_vmcoreinfo vi;
static struct td_filter filt;
static struct td_warnings warn;
static struct td_kdump kd;
static uint8_t bm[TD_CYCLE_PFNS / 8];

static int open_vmcore(const char *path, unsigned level, struct td_err *e)
{
	uint8_t *notes;

	if (map_file(path, &vm_buf, &vm_src) < 0)
		return td_fail(e, "cannot map %s", path);
	if (td_vmcore_open(&vc, &vm_src, e) < 0 || !(notes = malloc(vc.note_size)) ||
	    td_vmcore_load_notes(&vc, notes, e) < 0 ||
	    td_vmcoreinfo_parse(&vi, (const char *)notes + vc.vmcoreinfo_off, vc.vmcoreinfo_size, e) < 0)
		return -1;
	return td_filter_init(&filt, &vc, &vi, level, &warn, e);
}

/* The struct page of pfn, as the filter reads it. */
static void show_page(uint64_t pfn)
{
	uint64_t map, sec = pfn >> filt.mm.sec_shift;
	uint8_t p[2 * TD_MEMMAP_MAX_PAGE];
	struct td_kread kr;
	struct td_err e;
	const struct td_pagefmt *pf = &filt.pf;

	td_walker_kread(&filt.walk, &kr);
	if (td_memmap_section(&filt.mm, sec, &map, &e) != 1 ||
	    kr.read(kr.ctx, map + (pfn - (sec << filt.mm.sec_shift)) * pf->size, p, 2 * pf->size, &e) < 0) {
		printf("    struct page unreadable\n");
		return;
	}
	struct td_spage sp;
	td_spage_decode(pf, p, p + pf->size, &sp);
	printf("    flags 0x%llx mapping 0x%llx _mapcount 0x%x private 0x%llx %s 0x%llx; as a head: order %u hugetlb %d; next flags 0x%llx\n",
	       (unsigned long long)sp.flags, (unsigned long long)sp.mapping, sp.mapcount,
	       (unsigned long long)sp.private_, pf->info_name, (unsigned long long)sp.info, sp.order,
	       sp.hugetlb, (unsigned long long)td_le64(p + pf->size + pf->flags));
}

static int compare(struct td_err *e)
{
	uint64_t end = kd.max_mapnr > vc.max_pfn ? kd.max_mapnr : vc.max_pfn;
	uint64_t n_mdf = 0, n_td = 0, only_mdf = 0, only_td = 0, run_first = 0, shown = 0;
	int run_kind = 0;
	struct td_pagestats st = { 0 };

	for (uint64_t s = 0; s < end; s += TD_CYCLE_PFNS) {
		uint64_t n = ((end + 7) & ~7ull) - s;
		n = n < TD_CYCLE_PFNS ? n : TD_CYCLE_PFNS;
		if (td_filter_cycle(&filt, s, n, bm, &st, e) < 0)
			return -1;
		for (uint64_t i = 0; i <= n; i++) {
			int td = i < n && (bm[i >> 3] >> (i & 7) & 1);
			int mdf = i < n ? td_kdump_bit(&kd, 2, s + i, e) : td;
			int kind = td == mdf ? 0 : td ? 2 : 1;
			if (mdf < 0)
				return -1;
			n_mdf += i < n && mdf;
			n_td += td;
			only_mdf += kind == 1;
			only_td += kind == 2;
			if (kind == run_kind)
				continue;
			if (run_kind && shown++ < 20) {
				printf("  pfns 0x%llx-0x%llx dumpable only in %s\n", (unsigned long long)run_first,
				       (unsigned long long)(s + i - 1), run_kind == 2 ? "tinydump" : "makedumpfile");
				show_page(run_first);
			}
			run_kind = kind;
			run_first = s + i;
		}
	}
	printf("level %d mdf_dumpable %llu td_dumpable %llu only_mdf %llu only_td %llu\n", kd.dump_level,
	       (unsigned long long)n_mdf, (unsigned long long)n_td, (unsigned long long)only_mdf,
	       (unsigned long long)only_td);
	printf("td_stats free %llu cache %llu cache_private %llu user %llu hwpoison %llu offline %llu unclassified %llu applied %u\n",
	       (unsigned long long)st.free, (unsigned long long)st.cache,
	       (unsigned long long)st.cache_private, (unsigned long long)st.user,
	       (unsigned long long)st.hwpoison, (unsigned long long)st.offline,
	       (unsigned long long)st.unclassified, filt.level_applied);
	for (unsigned i = 0; i < warn.n; i++)
		printf("warning %s\n", warn.line[i]);
	return only_mdf || only_td;
}

static void samples(void)
{
	static const char *const syms[] = { "_stext", "init_uts_ns", "prb", "init_top_pgt",
					    "node_online_map", "vmap_area_list" };
	uint64_t v, map;
	struct td_err e;

	for (unsigned i = 0; i < sizeof syms / sizeof syms[0]; i++)
		if (td_vi_symbol(&vi, syms[i], &v) == 0)
			printf("vtop %llx\n", (unsigned long long)v);
	td_vi_symbol(&vi, "mem_section", &v);
	printf("vtop %llx\n", (unsigned long long)v);
	for (uint64_t pa = 0x1000; pa < vc.max_pfn << 12; pa = pa * 3 + 0x123000)
		if (td_vmcore_pfn_present(&vc, pa >> 12))
			printf("vtop %llx\n", (unsigned long long)(vc.page_offset + pa));
	for (uint64_t pfn = 1; pfn < vc.max_pfn; pfn = pfn * 5 + 77) {
		uint64_t sec = pfn >> filt.mm.sec_shift;
		if (td_memmap_section(&filt.mm, sec, &map, &e) == 1)
			printf("vtop %llx\n",
			       (unsigned long long)(map + (pfn - (sec << filt.mm.sec_shift)) * filt.pf.size));
	}
}

int main(int argc, char **argv)
{
	struct td_err e;

	if (argc < 3) {
		fprintf(stderr, "usage: tool_filtercmp VMCORE (KDUMP | --samples | --vtop VA...)\n");
		return 2;
	}
	if (!strcmp(argv[2], "--samples") || !strcmp(argv[2], "--vtop")) {
		if (open_vmcore(argv[1], 31, &e) < 0)
			goto fail;
		if (argv[2][2] == 's')
			samples();
		for (int i = 3; i < argc; i++) {
			uint64_t va = strtoull(argv[i], NULL, 16), pa, size;
			if (td_walker_vtop(&filt.walk, va, &pa, &size, &e) < 0)
				printf("%llx error %s\n", (unsigned long long)va, e.msg);
			else
				printf("%llx %llx %llx\n", (unsigned long long)va, (unsigned long long)pa,
				       (unsigned long long)size);
		}
		return 0;
	}
	if (map_file(argv[2], &kd_buf, &kd_src) < 0 || td_kdump_open(&kd, &kd_src, &e) < 0 ||
	    open_vmcore(argv[1], (unsigned)kd.dump_level, &e) < 0)
		goto fail;
	int r = compare(&e);
	if (r < 0)
		goto fail;
	return r;
fail:
	fprintf(stderr, "tool_filtercmp: %s\n", e.msg);
	return 2;
}
