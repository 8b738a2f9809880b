/* Dump destinations as written in tinydump.target=SPEC and --target SPEC,
 * and the strict literals they are made of. Pure: no system calls. */
#ifndef TD_TARGET_H
#define TD_TARGET_H

#include <stddef.h>
#include <stdint.h>

#include "os/err.h"
#include "os/parse.h"

enum td_tkind { TD_TGT_DISK, TD_TGT_NFS, TD_TGT_TLS };

/* One destination, from a SPEC:
 *   disk:DEVICE[:DIR]  DEVICE "/dev/NAME" | "LABEL=x" (1..16 bytes) |
 *                      "UUID=x" (8-4-4-4-12 hex) | "PARTUUID=x" (GPT form,
 *                      or MBR "SSSSSSSS-PP"); DIR absolute, default "/".
 *                      DEVICE ends at the first ':' (so a label cannot
 *                      hold ':', and a relative DIR typo is refused).
 *   nfs:SERVER:/PATH   SERVER an IPv4 literal or "[IPv6]" (kept with its
 *                      brackets); PATH absolute.
 *   tls:HOST:PORT      HOST an IPv4 literal, PORT 1..65535.
 * Only the fields of the target's kind are set; the others are empty.
 * Paths hold no ".." component and no control characters. */
struct td_target {
	enum td_tkind kind;
	char spec[256];   /* as given */
	char dev[128];    /* disk */
	char dir[128];    /* disk */
	char server[64];  /* nfs */
	char path[192];   /* nfs */
	char host[64];    /* tls */
	uint16_t port;    /* tls */
};
#define TD_MAX_TARGETS 8

/* Parse one SPEC (see struct td_target). Fails with a message that names
 * the offending part; also used by `tinydump capture --target`. */
int td_target_parse(struct td_target *t, const char *spec, struct td_err *e);


#endif
