/* libFuzzer target: an ELF vmcore from untrusted bytes. Program headers,
 * PT_NOTE copy and note iteration, then page and physical reads. */
#include <stdlib.h>
#include <string.h>

#include "capture/vmcore.h"

static struct td_vmcore vc;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct td_membuf m = { data, size };
	struct td_source src;
	struct td_err e;
	struct td_note n;
	uint64_t pos = 0;
	uint8_t *notes, buf[64];

	td_source_mem(&src, &m);
	if (td_vmcore_open(&vc, &src, &e) < 0)
		return 0;
	if (vc.note_size > TD_MAX_NOTES)
		__builtin_trap();    /* the contract: open bounds note_size */
	notes = malloc(vc.note_size ? vc.note_size : 1);
	if (td_vmcore_load_notes(&vc, notes, &e) == 0) {
		if (vc.vmcoreinfo_off > vc.note_size || vc.vmcoreinfo_size > vc.note_size - vc.vmcoreinfo_off)
			__builtin_trap();
		while (td_note_next(notes, vc.note_size, &pos, &n, &e) == 1)
			if (n.desc_off + n.descsz > vc.note_size)
				__builtin_trap();
	}
	for (unsigned i = 0; i < vc.nload && i < 8; i++) {
		uint64_t pfn = vc.load[i].paddr / TD_PAGE_SIZE;
		const uint8_t *p;

		td_vmcore_pfn_present(&vc, pfn);
		p = td_vmcore_page(&vc, pfn, &e);
		if (p)
			buf[0] = p[TD_PAGE_SIZE - 1];
		td_vmcore_read_phys(&vc, vc.load[i].paddr + vc.load[i].memsz - 32, buf, 64, &e);
	}
	free(notes);
	return 0;
}
