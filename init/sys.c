/* PID 1 set-up and ending. The shape follows s6-linux-init: assume nothing
 * (create mount points, fall back when the console is missing), and end
 * with reboot(2) in a way that cannot return. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/reboot.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "os/file.h"
#include "os/log.h"
#include "devices.h"
#include "sys.h"




static int mount_one(const char *src, const char *dir, const char *type, unsigned long fl,
		     const char *data, struct td_err *e)
{
	if (td_mkdirs(dir, e))
		return -1;
	if (mount(src, dir, type, fl, data) == 0 || errno == EBUSY)
		return 0;
	return td_fail(e, "unable to mount %s on %s: %s", type, dir, strerror(errno));
}

int td_sys_mounts(struct td_err *e)
{
	if (mount_one("devtmpfs", "/dev", "devtmpfs", MS_NOSUID, "mode=0755", e) ||
	    mount_one("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL, e) ||
	    mount_one("sysfs", "/sys", "sysfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL, e))
		return -1;
	return 0;
}

int td_sys_console(void)
{
	static const char *const paths[] = { "/dev/console", "/dev/ttyS0", "/dev/null" };
	int fd = -1;
	size_t i;

	for (i = 0; i < sizeof paths / sizeof paths[0] && fd < 0; i++)
		fd = open(paths[i], O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	for (int t = 0; t < 3; t++)
		if (fd != t)
			dup2(fd, t); /* dup2 clears FD_CLOEXEC on the copy */
	if (fd > 2)
		close(fd);
	return i == 3 ? -1 : 0;
}

void td_sys_signals(void)
{
	sigset_t all;

	sigfillset(&all);
	sigprocmask(SIG_BLOCK, &all, NULL);
}

void td_sys_reap(void)
{
	int st;

	while (waitpid(-1, &st, WNOHANG) > 0)
		;
}

/* The debug shell runs as a child with the console as its controlling
 * terminal, so ctrl-C works in it and PID 1 outlives it. */
static void run_shell(void)
{
	sigset_t all;
	pid_t pid;
	int st;

	pid = fork();
	if (pid == 0) {
		sigfillset(&all);
		sigprocmask(SIG_UNBLOCK, &all, NULL);
		setsid();
		ioctl(0, TIOCSCTTY, 1);
		execl("/bin/sh", "sh", (char *)NULL);
		_exit(127);
	}
	if (pid < 0) {
		td_log("cannot start /bin/sh: %s", strerror(errno));
		return;
	}
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	td_log("shell exited; rebooting");
}

_Noreturn void td_sys_final(enum td_action action)
{
	static const char *const names[] = { "rebooting", "powering off", "halting" };
	int how = RB_AUTOBOOT;

	if (action == TD_ACT_SHELL) {
		if (access("/bin/sh", X_OK) == 0) {
			run_shell();
		} else {
			td_log("no shell in this initramfs; halting");
			how = RB_HALT_SYSTEM;
		}
	} else {
		if (action == TD_ACT_POWEROFF)
			how = RB_POWER_OFF;
		else if (action == TD_ACT_HALT)
			how = RB_HALT_SYSTEM;
		td_log("%s", (unsigned)action < 3 ? names[action] : names[0]);
	}
	td_log_progress_end();
	sync();
	reboot(how);
	td_log_fatal("reboot(2) failed: %s; waiting forever", strerror(errno));
	for (;;)
		pause();
}

int td_sys_mount_fs(const char *dev, const char *dir, struct td_err *e)
{
	struct td_fsid id;
	const char *type = id.type;

	if (td_dev_probe(dev, &id, e))
		return td_wrap(e, "mounting %s", dev);
	if (td_mkdirs(dir, e))
		return td_wrap(e, "mounting %s", dev);
	if (mount(dev, dir, "ext4", MS_NOATIME, NULL) < 0)
		return td_fail(e, "unable to mount %s (%s) on %s: %s%s", dev, type, dir,
			       strerror(errno), errno == EINVAL ?
			       " (filesystem damaged or features this kernel lacks; run e2fsck)" : "");
	return 0;
}
