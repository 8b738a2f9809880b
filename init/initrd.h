/* The capture initramfs on this host: where `tinydump initramfs` writes it
 * by default, what it is built from, and whether it is older than that
 * (`initramfs --if-stale`, `status`). */
#ifndef TD_INITRD_H
#define TD_INITRD_H

#include <stddef.h>

#include "kexec.h"

#define TD_INITRD_CONF "/etc/tinydump/tinydump.conf"
#define TD_INITRD_CERTS "/etc/tinydump"

/* What an initramfs was built from. root is where the modules live ("/"
 * for this host); conf and certs as `tinydump initramfs` takes them. */
struct td_initrd_src {
	const char *output, *root, *release, *conf, *certs;
};

/* Is output missing, or older than any of: the kernel's modules directory
 * (ROOT/lib/modules/R, whose mtime depmod moves), conf, the certificate
 * directory and its ca.pem, client.pem and client.key, and the tinydump
 * binary running now? 1 stale, 0 up to date; why says which and why. */
int td_initrd_stale(const struct td_initrd_src *s, char *why, size_t cap);

#endif
