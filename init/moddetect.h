/* Host-only module detection, as dracut's hostonly mode: which modules
 * this machine's capture targets need, read from sysfs. For a disk
 * target, the driver of the block device and of each parent device
 * (virtio_blk -> virtio_pci, nvme, ahci, sd_mod ...) and the filesystem
 * module (ext4, the only one the capture mounts); for NFS and TLS targets,
 * the driver of the interface that routes to the server, and for NFS the
 * NFS client modules. Drivers built into the kernel name no module and are
 * left out. */
#ifndef TD_MODDETECT_H
#define TD_MODDETECT_H

#include <stddef.h>

#include "os/err.h"

/* Comma-separated module names into out ("" when none), from the targets
 * of the configuration text[len] (the default target when it names none;
 * `tinydump initramfs` passes the text with its targets pinned).
 * A target whose device cannot be found is reported on stderr and skipped:
 * --modules can still name its drivers. sysroot prefixes /sys, /dev and
 * /proc ("" on a real machine; tests pass a made-up tree). */
int td_moddetect(const char *text, size_t len, const char *sysroot, char *out, size_t cap);

#endif
