/* The system side of PID 1: early mounts, the console, mounting a target
 * filesystem, the final action, and a few small helpers the rest of init/
 * and net/ share (monotonic time, sleeping, reaping). */
#ifndef TD_SYS_H
#define TD_SYS_H

#include <stdint.h>

#include "os/err.h"
#include "config.h"

/* Mount devtmpfs on /dev (already mounted is fine: the kernel's
 * CONFIG_DEVTMPFS_MOUNT does it for a disk root, never for an initramfs),
 * proc on /proc and sysfs on /sys, creating the directories if missing. */
int td_sys_mounts(struct td_err *e);

/* Make fds 0, 1, 2 the console: /dev/console, else /dev/ttyS0, else
 * /dev/null. Returns 0 when a terminal was opened, -1 when only /dev/null
 * (or nothing) was. */
int td_sys_console(void);

/* End PID 1: sync(), then reboot(2) with RB_AUTOBOOT / RB_POWER_OFF /
 * RB_HALT_SYSTEM; TD_ACT_SHELL execs /bin/sh when there is one, else logs
 * that and halts. Never returns: if everything fails it waits forever. */
_Noreturn void td_sys_final(enum td_action action);

/* As PID 1, block the signals the kernel may send us (SIGCHLD, SIGTERM,
 * SIGINT from ctrl-alt-del, SIGHUP...) so they neither kill nor interrupt
 * the capture; td_sys_reap() then collects exited children without ever
 * blocking. We fork only for the debug shell. */
void td_sys_signals(void);
void td_sys_reap(void);

/* Mount the filesystem on dev at dir (created if missing). The type comes
 * from the superblock (td_dev_probe: ext2/3/4 today); all of them are
 * mounted as "ext4", the only driver the capture kernel has, which serves
 * ext2 and ext3 too. The error names the device, the type seen and the
 * errno in words ("no ext2/3/4 filesystem (magic ...)" for anything else). */
int td_sys_mount_fs(const char *dev, const char *dir, struct td_err *e);

#endif
