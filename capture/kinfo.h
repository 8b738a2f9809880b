/* Facts about the crashed kernel that name and label a dump: its utsname
 * (from init_uts_ns; the machine from the architecture row when that is
 * unreadable), the crash time (CRASHTIME) and phys_base. */
#ifndef TD_KINFO_H
#define TD_KINFO_H

#include <stdint.h>

#include "stats.h"
#include "vmcore.h"
#include "vmcoreinfo.h"

struct td_kinfo {
	/* new_utsname: sysname, nodename, release, version, machine,
	 * domainname; 65 bytes each, always NUL-terminated here. */
	char uts[6][65];
	int64_t crash_time;      /* seconds since the epoch, -1 if absent */
	int64_t phys_base;
	int have_uts;            /* 0: init_uts_ns unreadable, uts from OSRELEASE */
};

/* Never fails for missing data: what cannot be read is filled from
 * VMCOREINFO (release) or left empty, and a warning is added. */
void td_kinfo_read(struct td_kinfo *ki, struct td_vmcore *vc, const struct td_vmcoreinfo *vi,
		   struct td_warnings *warn);

#endif
