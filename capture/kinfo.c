#include <stdio.h>
#include <string.h>

#include "kinfo.h"

/* Kernel-image virtual address to physical. */
static uint64_t kimage_pa(const struct td_arch *a, int64_t phys_base, uint64_t va)
{
	return va - a->kimage_base + (uint64_t)phys_base;
}

/* NUMBER(phys_base), else derived from the kernel-text PT_LOAD as
 * makedumpfile does: p_paddr - (p_vaddr - the kernel image base). */
static int64_t phys_base(struct td_vmcore *vc, const struct td_vmcoreinfo *vi,
			 struct td_warnings *warn)
{
	int64_t pb;

	if (td_vi_number(vi, "phys_base", &pb) == 0)
		return pb;
	if (vc->ktext.memsz) {
		pb = (int64_t)(vc->ktext.paddr - (vc->ktext.vaddr - vc->arch->kimage_base));
		td_warn(warn, "VMCOREINFO has no NUMBER(phys_base); using %lld from the kernel-text PT_LOAD",
			(long long)pb);
		return pb;
	}
	td_warn(warn, "VMCOREINFO has no NUMBER(phys_base) and there is no kernel-text PT_LOAD; assuming 0");
	return 0;
}

static void terminate(char *s, size_t n)
{
	s[n - 1] = '\0';
	for (size_t i = 0; s[i]; i++)
		if ((unsigned char)s[i] < 0x20 || (unsigned char)s[i] > 0x7e)
			s[i] = '?';
}

void td_kinfo_read(struct td_kinfo *ki, struct td_vmcore *vc, const struct td_vmcoreinfo *vi,
		   struct td_warnings *warn)
{
	uint64_t uts, off = 0, t;
	struct td_err e;
	const char *rel = td_vi_string(vi, "OSRELEASE");

	memset(ki, 0, sizeof *ki);
	ki->phys_base = phys_base(vc, vi, warn);
	ki->crash_time = td_vi_u(vi, "CRASHTIME", &t) == 0 && t <= INT64_MAX ? (int64_t)t : -1;
	if (td_vi_symbol(vi, "init_uts_ns", &uts) == 0) {
		td_vi_offset(vi, "uts_namespace.name", &off);
		if (td_vmcore_read_phys(vc, kimage_pa(vc->arch, ki->phys_base, uts + off), ki->uts, sizeof ki->uts, &e) == 0)
			ki->have_uts = 1;
		else
			td_warn(warn, "init_uts_ns unreadable (%s): node name unknown", e.msg);
	} else {
		td_warn(warn, "VMCOREINFO has no SYMBOL(init_uts_ns): node name unknown");
	}
	for (int i = 0; i < 6; i++)
		terminate(ki->uts[i], sizeof ki->uts[i]);
	if (!ki->have_uts) {
		memset(ki->uts, 0, sizeof ki->uts);
		strcpy(ki->uts[0], "Linux");
		snprintf(ki->uts[2], sizeof ki->uts[2], "%s", rel ? rel : "");
		snprintf(ki->uts[4], sizeof ki->uts[4], "%s", vc->arch->name);
	}
}
