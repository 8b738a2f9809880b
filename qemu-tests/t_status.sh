#!/bin/bash
# `tinydump status` on a running system in QEMU (busybox userspace, a disk
# labelled "crash"):
#   notready  with crashkernel=64M but nothing loaded and panic_on_oops=0:
#             exit 1, both problems named with their fix, the reservation
#             and the default target disk:LABEL=crash (/dev/vda) found, with
#             advice to name it by UUID (a label is not an identity)
#   badtarget --conf naming LABEL=nothere: exit 1, the error lists the
#             block devices seen
#   ready     after `tinydump load` and panic_on_oops=1: exit 0, "ready"
#   noreserve booted without crashkernel=: "no memory is reserved"
set -eu
. "$(dirname "$0")/lib.sh"
T=t_status
W=$(mktemp -d /tmp/t_status.XXXXXX)
[ -n "${TD_KEEP:-}" ] && echo "    keeping $W" || trap 'rm -rf "$W"' EXIT

# Each status run's output is printed with a prefix (S1..S3) so the host
# can tell the runs apart in the console log.
BEFORE='/bin/tinydump status > /tmp/s 2>&1; echo "TD-MARK s1-rc $?"; sed "s/^/S1 /" /tmp/s
echo target=disk:LABEL=nothere > /etc/bad.conf
/bin/tinydump status --conf /etc/bad.conf > /tmp/s 2>&1; echo "TD-MARK s2-rc $?"; sed "s/^/S2 /" /tmp/s
/bin/tinydump load --kernel /boot/bzImage --initrd /boot/capture.cpio.gz > /dev/null 2>&1
echo 1 > /proc/sys/kernel/panic_on_oops
/bin/tinydump status > /tmp/s 2>&1; echo "TD-MARK s3-rc $?"; sed "s/^/S3 /" /tmp/s'

prepare() {
	td_kernel
	[ -x "$TD_ROOT/build/tinydump" ] || { td_skip "$T" "build/tinydump missing: run make"; exit 0; }
	"$TD_ROOT/initramfs/build.sh" "$TD_ROOT/build/tinydump" "$W/capture.cpio.gz" >/dev/null
	td_sys_conf TD_LOADER=none TD_WL_ANON=0 TD_CRASH=no TD_BEFORE_LOAD="$BEFORE" > "$W/sys.conf"
	td_sys_initramfs "$W/sys.cpio.gz" "$W/sys.conf" "$W/capture.cpio.gz" "$TD_ROOT/build/tinydump"
	td_disk_dump "$W/dump.img" 32
}

# has LOG PREFIX TEXT: a line "PREFIX ...TEXT..." is in the log.
has() { grep -a "^$2 " "$1" | grep -qF -- "$3"; }

check_run() {
	local name=$1 log=$2 n=$3 rc=$4 why=
	shift 4
	[ "$(td_marker "$log" "s$n-rc")" = "$rc" ] || why="exit status $(td_marker "$log" "s$n-rc" || echo none), want $rc"
	for text in "$@"; do
		has "$log" "S$n" "$text" || why="${why:+$why; }no line with '$text'"
	done
	if [ -z "$why" ]; then td_ok "$T.$name"; else td_fail "$T.$name" "$why" "$log"; fi
}

prepare
log=$W/status.log
td_qemu "$log" 120 512 "$W/sys.cpio.gz" "console=ttyS0 crashkernel=64M panic=-1" "$W/dump.img"
check_run notready "$log" 1 1 \
	"problem: no capture kernel is loaded" \
	"problem: kernel.panic_on_oops=0: an oops will not trigger a dump; fix: sysctl -w kernel.panic_on_oops=1" \
	"ok: 64 MiB reserved" \
	"advice: target disk:LABEL=crash: /dev/vda (ext4, LABEL=crash) is found by its label, so any disk labelled crash that appears first would receive this machine's memory; to change: target=disk:UUID=" \
	"not ready: 2 problems"
check_run badtarget "$log" 2 1 \
	"LABEL=nothere not found after 0 s; block devices seen: vda (ext4 LABEL=crash); fix: mkfs.ext4 -L nothere DEVICE"
check_run ready "$log" 3 0 "ok: a capture kernel is loaded" "ok: kernel.panic_on_oops=1" "ready"

log=$W/noreserve.log
td_qemu "$log" 120 512 "$W/sys.cpio.gz" "console=ttyS0 panic=-1" "$W/dump.img"
check_run noreserve "$log" 1 1 "problem: no memory is reserved for a capture kernel"
