/* tool_kdumpinfo: describe a kdump-compressed file, for parity checks
 * against makedumpfile and for checking tinydump.json.
 *
 *   build/host/tool_kdumpinfo FILE [--pfns] [--zero-pfns] [--verify VMCORE]
 *
 * Output: "key value" lines, in this order, values decimal unless shown
 * with 0x:
 *   signature (trailing blanks dropped) header_version release machine
 *   timestamp status(0x)
 *   block_size sub_hdr_size bitmap_blocks max_mapnr nr_cpus phys_base(0x)
 *   dump_level split offset_vmcoreinfo size_vmcoreinfo offset_note
 *   size_note offset_eraseinfo size_eraseinfo start_pfn end_pfn
 *   bitmap1_offset bitmap2_offset bitmap_bytes desc_offset data_offset
 *   bitmap1_set   pfns set in the 1st bitmap (RAM)
 *   bitmap2_set   pfns set in the 2nd bitmap (dumpable; one descriptor each)
 *   zero_desc     descriptors for the shared zero block: offset ==
 *                 data_offset, size 4096, flags 0, and those 4096 bytes
 *                 all zero
 *   desc_errors   dumpable pfns whose descriptor could not be read
 *                 (the first error follows as "desc_error_first MESSAGE")
 * With --pfns, then one "pfns 0xFIRST-0xLAST" line per run of consecutive
 * dumpable pfns (inclusive); with --zero-pfns, "zero 0xFIRST-0xLAST" runs
 * of pfns using the shared zero block. With --verify VMCORE (the ELF the
 * dump was made from), every dumpable page is decompressed and compared
 * with the vmcore's: "verify_pages N", "verify_mismatch N" and, if any,
 * "verify_first_mismatch 0xPFN WHY"; the exit status is then 3.
 * Exit status 0, or 1 with "tool_kdumpinfo: MESSAGE" on stderr if the file
 * cannot be opened as a kdump file. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "capture/kdumpread.h"
#include "capture/vmcore.h"

struct runs {
	const char *tag;
	int on;
	uint64_t first, last;
	int open;
};

static void run_add(struct runs *r, uint64_t pfn)
{
	if (r->open && pfn == r->last + 1) {
		r->last = pfn;
		return;
	}
	if (r->open)
		printf("%s 0x%llx-0x%llx\n", r->tag, (unsigned long long)r->first,
		       (unsigned long long)r->last);
	r->first = r->last = pfn;
	r->open = 1;
}

static void run_end(struct runs *r)
{
	if (r->open)
		printf("%s 0x%llx-0x%llx\n", r->tag, (unsigned long long)r->first,
		       (unsigned long long)r->last);
}

static void print_header(const struct td_kdump *k)
{
	printf("signature %.*s\nheader_version %d\nrelease %s\nmachine %s\ntimestamp %llu.%06llu\n",
	       (int)strcspn(k->signature, " "), k->signature, k->header_version, k->uts[2], k->uts[4],
	       (unsigned long long)k->tv_sec, (unsigned long long)k->tv_usec);
	printf("status 0x%x\nblock_size %u\nsub_hdr_size %u\nbitmap_blocks %u\nmax_mapnr %llu\n"
	       "nr_cpus %d\nphys_base 0x%llx\ndump_level %d\nsplit %d\n",
	       k->status, k->block_size, k->sub_hdr_size, k->bitmap_blocks,
	       (unsigned long long)k->max_mapnr, k->nr_cpus, (unsigned long long)k->phys_base,
	       k->dump_level, k->split);
	printf("offset_vmcoreinfo %llu\nsize_vmcoreinfo %llu\noffset_note %llu\nsize_note %llu\n"
	       "offset_eraseinfo %llu\nsize_eraseinfo %llu\nstart_pfn %llu\nend_pfn %llu\n",
	       (unsigned long long)k->offset_vmcoreinfo, (unsigned long long)k->size_vmcoreinfo,
	       (unsigned long long)k->offset_note, (unsigned long long)k->size_note,
	       (unsigned long long)k->offset_eraseinfo, (unsigned long long)k->size_eraseinfo,
	       (unsigned long long)k->start_pfn_64, (unsigned long long)k->end_pfn_64);
	printf("bitmap1_offset %llu\nbitmap2_offset %llu\nbitmap_bytes %llu\ndesc_offset %llu\n"
	       "data_offset %llu\n",
	       (unsigned long long)k->bitmap_off[0], (unsigned long long)k->bitmap_off[1],
	       (unsigned long long)k->bitmap_len, (unsigned long long)k->desc_off,
	       (unsigned long long)k->data_off);
}

/* Is the block at data_offset a 4096-byte run of zeros in the file? */
static int zero_block(struct td_kdump *k)
{
	struct td_err e;
	const uint8_t *p = k->src->get(k->src->ctx, k->data_off, TD_KDUMP_BLOCK, &e);

	if (!p)
		return 0;
	for (unsigned i = 0; i < TD_KDUMP_BLOCK; i++)
		if (p[i])
			return 0;
	return 1;
}

/* One pass over all pfns. With r == NULL: count and print the totals;
 * else print r's runs (dumpable pfns, or zero-block pfns if zero_only). */
static int scan(struct td_kdump *k, struct runs *r, int zero_only)
{
	uint64_t set1 = 0, set2 = 0, zero = 0, errs = 0;
	int zb = zero_block(k);
	char first[sizeof ((struct td_err *)0)->msg] = "";
	struct td_kdump_desc d;
	struct td_err e;

	for (uint64_t pfn = 0; pfn < k->max_mapnr; pfn++) {
		int b1 = td_kdump_bit(k, 1, pfn, &e), b2 = td_kdump_bit(k, 2, pfn, &e), got;

		if (b1 < 0 || b2 < 0) {
			fprintf(stderr, "tool_kdumpinfo: %s\n", e.msg);
			return -1;
		}
		set1 += (uint64_t)b1;
		if (!b2)
			continue;
		set2++;
		if (r && !zero_only)
			run_add(r, pfn);
		got = td_kdump_desc(k, pfn, &d, &e);
		if (got < 0 && !errs++)
			snprintf(first, sizeof first, "%s", e.msg);
		if (got > 0 && zb && d.offset == k->data_off && d.size == TD_KDUMP_BLOCK && d.flags == 0) {
			zero++;
			if (r && zero_only)
				run_add(r, pfn);
		}
	}
	if (r) {
		run_end(r);
		return 0;
	}
	printf("bitmap1_set %llu\nbitmap2_set %llu\nzero_desc %llu\ndesc_errors %llu\n",
	       (unsigned long long)set1, (unsigned long long)set2, (unsigned long long)zero,
	       (unsigned long long)errs);
	if (errs)
		printf("desc_error_first %s\n", first);
	return 0;
}

/* mmap path read-only into *m. */
static int map_file(const char *path, struct td_membuf *m)
{
	struct stat st;
	void *map;
	int fd = open(path, O_RDONLY);

	if (fd < 0 || fstat(fd, &st) < 0) {
		fprintf(stderr, "tool_kdumpinfo: %s: %s\n", path, strerror(errno));
		return -1;
	}
	map = st.st_size ? mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0) : NULL;
	close(fd);
	if (map == MAP_FAILED) {
		fprintf(stderr, "tool_kdumpinfo: mmap %s: %s\n", path, strerror(errno));
		return -1;
	}
	m->data = map;
	m->size = (uint64_t)st.st_size;
	return 0;
}

/* Compare every dumpable page with the ELF vmcore's. 1 if any differ. */
static int verify(struct td_kdump *k, const char *elf)
{
	static struct td_vmcore vc;
	static uint8_t page[TD_KDUMP_BLOCK];
	struct td_membuf m;
	struct td_source src;
	struct td_err e;
	uint64_t n = 0, bad = 0;
	char first[600] = "";

	if (map_file(elf, &m) < 0)
		return -1;
	td_source_mem(&src, &m);
	if (td_vmcore_open(&vc, &src, &e) < 0) {
		fprintf(stderr, "tool_kdumpinfo: %s: %s\n", elf, e.msg);
		return -1;
	}
	for (uint64_t pfn = 0; pfn < k->max_mapnr; pfn++) {
		const uint8_t *p, *q;
		const char *why = NULL;

		if (td_kdump_bit(k, 2, pfn, &e) != 1)
			continue;
		n++;
		if (!(p = td_kdump_page(k, pfn, &e)))
			why = e.msg;
		else if (memcpy(page, p, sizeof page), !(q = td_vmcore_page(&vc, pfn, &e)))
			why = "not in the vmcore";
		else if (memcmp(page, q, sizeof page))
			why = "contents differ";
		if (why && !bad++)
			snprintf(first, sizeof first, "0x%llx %s", (unsigned long long)pfn, why);
	}
	printf("verify_pages %llu\nverify_mismatch %llu\n", (unsigned long long)n, (unsigned long long)bad);
	if (bad)
		printf("verify_first_mismatch %s\n", first);
	return bad != 0;
}

int main(int argc, char **argv)
{
	static struct td_kdump k;
	struct runs pfns = { "pfns", 0, 0, 0, 0 }, zeros = { "zero", 0, 0, 0, 0 };
	struct td_membuf m;
	struct td_source src;
	struct td_err e;
	const char *path = NULL, *elf = NULL;
	int bad = 0, rc;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--pfns"))
			pfns.on = 1;
		else if (!strcmp(argv[i], "--zero-pfns"))
			zeros.on = 1;
		else if (!strcmp(argv[i], "--verify") && i + 1 < argc)
			elf = argv[++i];
		else if (!path && argv[i][0] != '-')
			path = argv[i];
		else
			bad = 1;
	}
	if (!path || bad) {
		fprintf(stderr, "usage: tool_kdumpinfo FILE [--pfns] [--zero-pfns] [--verify VMCORE]\n");
		return 2;
	}
	if (map_file(path, &m) < 0)
		return 1;
	td_source_mem(&src, &m);
	if (td_kdump_open(&k, &src, &e) < 0) {
		fprintf(stderr, "tool_kdumpinfo: %s: %s\n", path, e.msg);
		return 1;
	}
	print_header(&k);
	if (scan(&k, NULL, 0) < 0 || (pfns.on && scan(&k, &pfns, 0) < 0) ||
	    (zeros.on && scan(&k, &zeros, 1) < 0))
		return 1;
	if (elf && (rc = verify(&k, elf)) != 0)
		return rc < 0 ? 1 : 3;
	return 0;
}
