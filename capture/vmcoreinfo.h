/* VMCOREINFO: the kernel's key=value description of itself. Parsed strictly:
 * each value kind is checked for range and trailing junk, and the keys that
 * every dump needs are checked after parsing. Missing optional keys are not
 * errors; the caller asks and decides. */
#ifndef TD_VMCOREINFO_H
#define TD_VMCOREINFO_H

#include <stdint.h>

#include "os/err.h"

#define TD_VI_MAX 320
#define TD_VI_KEYLEN 64

struct td_vi_entry {
	char key[TD_VI_KEYLEN];  /* e.g. "SYMBOL(prb)", "OSRELEASE" */
	char text[72];           /* raw value text, NUL-terminated */
	uint64_t u;              /* parsed value for SYMBOL/SIZE/OFFSET/LENGTH/
				    PAGESIZE/KERNELOFFSET/CRASHTIME */
	int64_t s;               /* parsed value for NUMBER */
};

struct td_vmcoreinfo {
	struct td_vi_entry ent[TD_VI_MAX];
	unsigned n;
	unsigned dropped;        /* lines rejected as malformed (see warning) */
	char warning[256];       /* first rejected line, for the log */
};

/* Parse len bytes of VMCOREINFO text. Fails if a required key is missing
 * (OSRELEASE, PAGESIZE) or PAGESIZE is not TD_PAGE_SIZE (page.h). Malformed lines of other
 * keys are dropped and counted, never fatal. */
int td_vmcoreinfo_parse(struct td_vmcoreinfo *vi, const char *text, uint64_t len,
			struct td_err *e);

/* Look up by the parenthesised name; 0 if present, -1 if absent. */
int td_vi_symbol(const struct td_vmcoreinfo *vi, const char *name, uint64_t *v);
int td_vi_size(const struct td_vmcoreinfo *vi, const char *name, uint64_t *v);
int td_vi_offset(const struct td_vmcoreinfo *vi, const char *name, uint64_t *v);
int td_vi_length(const struct td_vmcoreinfo *vi, const char *name, uint64_t *v);
int td_vi_number(const struct td_vmcoreinfo *vi, const char *name, int64_t *v);
/* Plain keys: OSRELEASE, BUILD-ID (string); PAGESIZE, CRASHTIME,
 * KERNELOFFSET (td_vi_u). */
const char *td_vi_string(const struct td_vmcoreinfo *vi, const char *key);
int td_vi_u(const struct td_vmcoreinfo *vi, const char *key, uint64_t *v);

#endif
