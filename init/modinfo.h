/* The .modinfo section of a kernel module (.ko), read from its ELF image
 * directly, so `tinydump initramfs` needs neither modinfo(8) nor a
 * modules.dep. Pure. */
#ifndef TD_MODINFO_H
#define TD_MODINFO_H

#include <stddef.h>
#include <stdint.h>

#include "os/err.h"

/* Find .modinfo in the ELF64 little-endian image elf[0..len). Strict: the
 * header, the section table, the section-name table and the section must
 * all lie inside the image. On success *info points into elf. */
int td_modinfo_find(const uint8_t *elf, size_t len, const char **info, size_t *n,
		    struct td_err *e);

/* The next value for key in info[0..n) (NUL-separated "key=value"
 * strings) at or after *pos; *pos moves past it. NULL when there is none.
 * The value is NUL-terminated inside info when info ends with a NUL, and
 * its length is in *vlen either way. */
const char *td_modinfo_next(const char *info, size_t n, size_t *pos, const char *key,
			    size_t *vlen);

#endif
