/* Opening a dump for reading (see readstack.h). */
#include <stdlib.h>
#include <string.h>

#include "readstack.h"

static int open_elf(struct td_readstack *rs, struct td_source *src, uint64_t *vi_off,
		    uint64_t *vi_len, struct td_err *e)
{
	if (td_vmcore_open(&rs->vc, src, e) < 0)
		return -1;
	if (!(rs->notes = malloc(rs->vc.note_size)))
		return td_fail(e, "no memory for %llu bytes of notes", (unsigned long long)rs->vc.note_size);
	if (td_vmcore_load_notes(&rs->vc, rs->notes, e) < 0)
		return -1;
	*vi_off = rs->vc.vmcoreinfo_off;
	*vi_len = rs->vc.vmcoreinfo_size;
	rs->arch = rs->vc.arch;
	td_vmcore_physread(&rs->vc, &rs->phys);
	return 0;
}

static int open_kdump(struct td_readstack *rs, struct td_source *src, uint64_t *vi_off,
		      uint64_t *vi_len, struct td_err *e)
{
	uint64_t size;

	if (td_kdump_open(rs->kd, src, e) < 0)
		return -1;
	if (!(rs->arch = td_arch_by_name(rs->kd->uts[4])))
		return td_fail(e, "kdump file of a \"%.65s\" machine; tinydump reads %s dumps", rs->kd->uts[4],
			       td_arch_names());
	size = td_kdump_notes_size(rs->kd);
	if (!(rs->notes = malloc(size ? size : 1)))
		return td_fail(e, "no memory for %llu bytes of notes", (unsigned long long)size);
	if (td_kdump_load_notes(rs->kd, rs->notes, vi_off, vi_len, e) < 0)
		return -1;
	td_kdump_physread(rs->kd, &rs->phys);
	return 0;
}

static int is_kdump(struct td_source *src)
{
	struct td_err e;
	const uint8_t *p = src->size >= 8 ? src->get(src->ctx, 0, 8, &e) : NULL;

	return p && td_kdump_probe(p);
}

/* The kernel-virtual reader: linear rules first, page tables after. A
 * kdump file does not record the direct-map base, and its phys_base
 * fallback is the sub-header's. */
static void setup_kread(struct td_readstack *rs)
{
	uint64_t page_offset = rs->kd ? 0 : rs->vc.page_offset;
	struct td_err e;
	int64_t pb;

	if (rs->walk && td_walker_init(rs->walk, rs->arch, &rs->phys, &rs->vi, page_offset, &e) < 0)
		rs->walk = NULL;
	if (rs->walk)
		td_walker_kread(rs->walk, &rs->walk_kread);
	td_kaddr_init(&rs->kaddr, rs->arch, &rs->phys, &rs->vi, page_offset, rs->walk ? &rs->walk_kread : NULL);
	if (rs->kd && td_vi_number(&rs->vi, "phys_base", &pb) < 0)
		rs->kaddr.phys_base = (int64_t)rs->kd->phys_base;
	td_kaddr_kread(&rs->kaddr, &rs->kread);
}

int td_readstack_open(struct td_readstack *rs, struct td_source *src, struct td_kdump *kd,
		      struct td_walker *walk, struct td_warnings *warn, struct td_err *e)
{
	uint64_t vi_off = 0, vi_len = 0;
	int r;

	memset(rs, 0, sizeof *rs);
	rs->kd = kd && is_kdump(src) ? kd : NULL;
	rs->walk = walk;
	r = rs->kd ? open_kdump(rs, src, &vi_off, &vi_len, e) : open_elf(rs, src, &vi_off, &vi_len, e);
	if (r < 0)
		return -1;
	if (td_vmcoreinfo_parse(&rs->vi, (const char *)rs->notes + vi_off, vi_len, e) < 0 ||
	    td_arch_check(rs->arch, &rs->vi, e) < 0)
		return -1;
	if (rs->vi.dropped)
		td_warn(warn, "%s (and %u more)", rs->vi.warning, rs->vi.dropped - 1);
	setup_kread(rs);
	return 0;
}

void td_readstack_close(struct td_readstack *rs)
{
	free(rs->notes);
	rs->notes = NULL;
}
