/* The configuration the capture initramfs carries: disk:LABEL= targets
 * pinned to the UUID of the one device on this machine with that label.
 * A label is not an identity: any disk plugged in with it (a USB stick
 * labelled "crash") would receive the machine's memory. Host only. */
#ifndef TD_CONFPIN_H
#define TD_CONFPIN_H

#include <stddef.h>

#include "os/err.h"

/* text[len] is tinydump.conf as written (len 0: there is none). Each
 * target line disk:LABEL=x[:DIR] whose label exactly one ext device on this
 * machine carries becomes a comment and disk:UUID=u[:DIR]; with no target
 * line, the default target is pinned the same way, or becomes the root
 * filesystem (td_host_default, under sysroot). Labels found on no
 * device or on several stay as written, with a warning on stderr. Other
 * lines are copied unchanged. The result goes to out[cap]; returns its
 * length, or -1 when it does not fit. What was pinned is printed. */
long td_conf_pin(const char *text, size_t len, const char *sysroot, char *out, size_t cap,
		 struct td_err *e);

/* The default target on this host, for a configuration that names none.
 * TD_DEFAULT_TARGET (disk:LABEL=crash) when a device here carries the
 * label (or the disks cannot be read): returns 0. Otherwise the root
 * filesystem, when it is ext2/3/4 on a block device, by its UUID, in
 * /var/crash, as kdump-tools writes there: spec[cap] becomes
 * "disk:UUID=u:/var/crash", dev[dcap] its device, and it returns 1. A
 * capture that finds no disk loses the dump; the root filesystem is the
 * one disk every installed machine has. The root is the mount at "/" in
 * SYSROOT/proc/self/mountinfo, its disk SYSROOT/sys/dev/block/MAJ:MIN
 * (sysroot "" on a real machine; devices as td_dev_root set). */
int td_host_default(const char *sysroot, char *spec, size_t cap, char *dev, size_t dcap);

#endif
