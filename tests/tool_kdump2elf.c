/* tool_kdump2elf: turn a kdump-compressed file back into an ELF vmcore, so
 * the filter (which reads ELF vmcores) can run on a dump saved at a low
 * level, e.g. a kept 6.12 dump, and be compared with makedumpfile's
 * re-filter of the same file (tool_filtercmp ELF KDUMP).
 *
 *   tool_kdump2elf KDUMP ELF
 *
 * The ELF has the kdump's notes as its PT_NOTE and one PT_LOAD per run of
 * RAM pfns (1st bitmap), p_vaddr = 0xffff888000000000 + paddr (only the
 * page tables are used to find struct pages). Pages the kdump excluded
 * read as zero: the file is sparse there. Test tool: not product code. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "capture/kdumpread.h"

#define MAXLOAD 512

static struct td_kdump kd;
static uint64_t run_a[MAXLOAD], run_b[MAXLOAD];
static unsigned nrun;

static void le(uint8_t *p, uint64_t v, int n)
{
	for (int i = 0; i < n; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

/* Runs of RAM pfns from the 1st bitmap. */
static int runs(struct td_err *e)
{
	int in = 0;

	for (uint64_t pfn = 0; pfn <= kd.max_mapnr; pfn++) {
		int b = pfn < kd.max_mapnr ? td_kdump_bit(&kd, 1, pfn, e) : 0;
		if (b < 0)
			return -1;
		if (b && !in) {
			if (nrun == MAXLOAD)
				return td_fail(e, "more than %d RAM runs", MAXLOAD);
			run_a[nrun] = pfn;
		} else if (!b && in) {
			run_b[nrun++] = pfn;
		}
		in = b;
	}
	return 0;
}

static int write_all(int fd, const uint8_t *notes, uint64_t nsz, struct td_err *e)
{
	uint64_t hdr = 64 + 56 * (1 + (uint64_t)nrun), pos = (hdr + nsz + 4095) & ~4095ull;
	uint8_t *h = calloc(1, hdr);

	memcpy(h, "\177ELF\2\1\1", 7);
	le(h + 16, 4, 2);
	le(h + 18, 62, 2);
	le(h + 20, 1, 4);
	le(h + 32, 64, 8);
	le(h + 52, 64, 2);
	le(h + 54, 56, 2);
	le(h + 56, 1 + nrun, 2);
	le(h + 64, 4, 4);
	le(h + 64 + 8, hdr, 8);
	le(h + 64 + 32, nsz, 8);
	le(h + 64 + 40, nsz, 8);
	for (unsigned i = 0; i < nrun; i++) {
		uint8_t *ph = h + 64 + 56 * (i + 1);
		uint64_t pa = run_a[i] << 12, sz = (run_b[i] - run_a[i]) << 12;
		le(ph, 1, 4);
		le(ph + 4, 7, 4);
		le(ph + 8, pos, 8);
		le(ph + 16, 0xffff888000000000ull + pa, 8);
		le(ph + 24, pa, 8);
		le(ph + 32, sz, 8);
		le(ph + 40, sz, 8);
		for (uint64_t pfn = run_a[i]; pfn < run_b[i]; pfn++) {
			int b = td_kdump_bit(&kd, 2, pfn, e);
			const uint8_t *p;
			if (b < 0)
				return -1;
			if (b && (!(p = td_kdump_page(&kd, pfn, e)) ||
				  pwrite(fd, p, 4096, (off_t)(pos + ((pfn - run_a[i]) << 12))) != 4096))
				return -1;
		}
		pos += sz;
	}
	if (pwrite(fd, h, hdr, 0) != (ssize_t)hdr || pwrite(fd, notes, nsz, (off_t)hdr) != (ssize_t)nsz ||
	    ftruncate(fd, (off_t)pos) < 0)
		return td_fail(e, "writing failed");
	free(h);
	return 0;
}

int main(int argc, char **argv)
{
	struct td_membuf m;
	struct td_source src;
	struct td_err e;
	struct stat st;
	uint64_t vo, vl, nsz;
	uint8_t *notes;
	int fd;

	if (argc != 3) {
		fprintf(stderr, "usage: tool_kdump2elf KDUMP ELF\n");
		return 2;
	}
	fd = open(argv[1], O_RDONLY);
	if (fd < 0 || fstat(fd, &st) < 0)
		return perror(argv[1]), 2;
	m.data = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
	m.size = (uint64_t)st.st_size;
	close(fd);
	td_source_mem(&src, &m);
	if (td_kdump_open(&kd, &src, &e) < 0 || !(nsz = td_kdump_notes_size(&kd)) ||
	    !(notes = malloc(nsz)) || td_kdump_load_notes(&kd, notes, &vo, &vl, &e) < 0 ||
	    runs(&e) < 0)
		goto fail;
	fd = open(argv[2], O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd < 0 || write_all(fd, notes, nsz, &e) < 0 || close(fd) < 0)
		goto fail;
	printf("%u RAM runs, notes %llu bytes\n", nrun, (unsigned long long)nsz);
	free(notes);
	return 0;
fail:
	fprintf(stderr, "tool_kdump2elf: %s\n", e.msg);
	return 1;
}
