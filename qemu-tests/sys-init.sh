#!/bin/sh
# /init of the crashing system in QEMU tests (busybox sh, PID 1).
# Settings come from /etc/td-test.conf (written by td_sys_conf in lib.sh):
#   TD_LOADER           tinydump | workload | kexec-tools | none: how to load the
#                       capture kernel (kexec-tools: kexec -p, the kexec_load call)
#   TD_APPEND           --append words for `tinydump load`
#   TD_CAPTURE_CMDLINE  full capture command line for `workload kexec`
#   TD_CRASH            yes: crash once loaded; no: power off
#   TD_CRASH_KIND       how: sysrq (echo c > /proc/sysrq-trigger, the default),
#                       null (a NULL pointer write), bug (BUG()), softlockup,
#                       hungtask (LKDTM, with panic_on_oops, softlockup_panic or
#                       hung_task_panic set), oom (tmpfs filled, panic_on_oom=1)
#   TD_WL_ANON          MiB of anonymous memory for the workload; 0: no workload
#   TD_BEFORE_LOAD      shell commands run (eval) just before the load step
# Every step prints a "TD-MARK ..." line that the host-side test reads.
export PATH=/bin
TD_LOADER=tinydump TD_APPEND= TD_CAPTURE_CMDLINE= TD_CRASH=yes TD_CRASH_KIND=sysrq TD_WL_ANON=64
TD_BEFORE_LOAD=

mark() { echo "TD-MARK $*"; }

# leave CODE: end the VM through isa-debug-exit (QEMU exits (CODE<<1)|1);
# power off if the port is not there.
leave() {
	printf "\\$(printf %o "$1")" | dd of=/dev/port bs=1 seek=244 count=1 2>/dev/null
	poweroff -f
}

mounts() {
	mount -t proc proc /proc
	mount -t sysfs sys /sys
	mount -t devtmpfs dev /dev
	mount -t tmpfs tmp /tmp
}

# The data disk (LABEL=data) is read so its files sit in page cache.
read_data() {
	dev=$(findfs LABEL=data 2>/dev/null) || return 0
	mount -t ext4 "$dev" /data || { mark "data-mount-failed $dev"; return 0; }
	cat /data/files/* > /dev/null && mark "data-read $dev"
}

load() {
	case "$TD_LOADER" in
	tinydump)
		/bin/tinydump load --kernel /boot/bzImage --initrd /boot/capture.cpio.gz \
			--append "$TD_APPEND"
		rc=$? ;;
	workload)
		/bin/workload kexec /boot/bzImage /boot/capture.cpio.gz "$TD_CAPTURE_CMDLINE"
		rc=$? ;;
	kexec-tools)
		/bin/kexec -p /boot/bzImage --initrd=/boot/capture.cpio.gz --append="$TD_CAPTURE_CMDLINE"
		rc=$? ;;
	*) rc=0 ;;
	esac
	mark "load-rc $rc"
}

# lkdtm WHAT: provoke a crash through LKDTM (the test kernel has it built in).
lkdtm() {
	mount -t debugfs debugfs /sys/kernel/debug 2>/dev/null
	echo "$1" > /sys/kernel/debug/provoke-crash/DIRECT
}

# provoke: crash the way TD_CRASH_KIND says. A detector (soft lockup, hung
# task) needs a few seconds, so wait for it before giving up.
provoke() {
	case "$TD_CRASH_KIND" in
	sysrq) echo c > /proc/sysrq-trigger ;;
	null) echo 1 > /proc/sys/kernel/panic_on_oops && lkdtm EXCEPTION ;;
	bug) echo 1 > /proc/sys/kernel/panic_on_oops && lkdtm BUG ;;
	softlockup)
		echo 1 > /proc/sys/kernel/softlockup_panic && echo 1 > /proc/sys/kernel/watchdog_thresh &&
			lkdtm SOFTLOCKUP ;;
	hungtask)
		echo 1 > /proc/sys/kernel/hung_task_panic && echo 2 > /proc/sys/kernel/hung_task_timeout_secs &&
			{ lkdtm HUNG_TASK & } ;;
	oom)
		echo 1 > /proc/sys/vm/panic_on_oom && mount -t tmpfs -o size=100% oom /mnt &&
			cat /dev/zero > /mnt/fill ;;
	*) mark "unknown TD_CRASH_KIND $TD_CRASH_KIND" ;;
	esac
	[ "$TD_CRASH_KIND" = sysrq ] || sleep 60
}

mounts
. /etc/td-test.conf
mark "init $(uname -r)"
read_data
if [ "$TD_WL_ANON" != 0 ]; then
	/bin/workload fill "$TD_WL_ANON" /data
	mark "workload-rc $?"
fi
[ -z "$TD_BEFORE_LOAD" ] || eval "$TD_BEFORE_LOAD"
load
loaded=$(cat /sys/kernel/kexec_crash_loaded 2>/dev/null)
mark "crash-loaded ${loaded:-unknown} size $(cat /sys/kernel/kexec_crash_size 2>/dev/null)"
if [ "$TD_CRASH" = yes ] && [ "$loaded" = 1 ]; then
	sync
	mark "crashing $TD_CRASH_KIND"
	provoke
	mark "crash-returned"
fi
mark "not-crashing"
leave 1
