#!/bin/bash
# Produce (once) a real /proc/vmcore copy from a crashed QEMU guest and print
# the directory holding it. Test input for the host-side capture code.
# Usage: qemu-tests/save-vmcore.sh [RAM_MB]     (default 1024)
#   WL_ANON=MiB  anonymous memory the workload fills (default 64)
#   LOADER=workload | kexec-tools   how the capture kernel is loaded: the
#                workload's kexec_file_load (default), or kexec-tools'
#                kexec -p (kexec_load: the ELF headers are made in user space,
#                and the first RAM segment ends mid-page at 0x9fc00)
#
# The system kernel runs the workload (every page class), loads a test-only
# busybox capture initramfs with `workload kexec` (not tinydump: the copy
# must not depend on the code under test) and crashes with sysrq-c. The
# capture kernel copies /proc/vmcore to an ext4 disk with busybox cp; the
# copy is read back with debugfs.
#
# Output: $CACHE/vmcores/<key>-<RAM>M/
#   vmcore          the ELF /proc/vmcore copy
#   vmlinux         symlink to the matching DWARF vmlinux (and bzImage)
#   kernel          "BZIMAGE VMLINUX" paths
#   console.log     both kernels' console, \r stripped
#   system-log.txt  the system kernel's console up to the crash
#   markers.txt     TD-MARK lines (workload layout, hwpoison pfn, timings)
#   capture-dmesg.txt  the capture kernel's dmesg
#   info            RAM, crashkernel, sizes and seconds
# Key: kernel key, busybox version, RAM, WL_ANON and the guest-side files
# (workload.c, sys-init.sh, cap-init.sh, this script).
set -eu
. "$(dirname "$0")/lib.sh"

RAM=${1:-1024}
WL_ANON=${WL_ANON:-64}
LOADER=${LOADER:-workload}
CRASHKERNEL=${CRASHKERNEL:-96M}
CAPTURE_CMDLINE="console=ttyS0 irqpoll nr_cpus=1 reset_devices printk.devkmsg=on panic=1"

vmcore_key() {
	local q=$TD_ROOT/qemu-tests bbver
	bbver=$(cat "$(dirname "$(td_busybox)")/version")
	KEYEXTRA="$TD_KERNEL_KEY busybox $bbver ram $RAM anon $WL_ANON ck $CRASHKERNEL loader $LOADER ${TD_KEXEC:-}" \
		key "$q/workload.c" "$q/sys-init.sh" "$q/cap-init.sh" "$q/save-vmcore.sh"
}

# boot_and_copy WORK: one crash-and-copy cycle; leaves WORK/console.log and
# WORK/dump.img.
boot_and_copy() {
	local w=$1 secs
	td_sys_conf TD_LOADER="$LOADER" TD_CRASH=yes TD_WL_ANON="$WL_ANON" \
		TD_CAPTURE_CMDLINE="$CAPTURE_CMDLINE" > "$w/test.conf"
	td_busybox_initramfs "$w/capture.cpio.gz" "$TD_ROOT/qemu-tests/cap-init.sh"
	td_sys_initramfs "$w/sys.cpio.gz" "$w/test.conf" "$w/capture.cpio.gz"
	td_disk_data "$w/data.img"
	td_disk_dump "$w/dump.img" $(( RAM + RAM / 8 + 256 ))
	# Boot and workload ~30 s, then cp at ~5 s/GiB under TCG, plus slack.
	secs=$(( 240 + RAM * 30 / 1024 ))
	log "booting a ${RAM} MiB guest (timeout $secs s)"
	td_qemu "$w/console.log" "$secs" "$RAM" "$w/sys.cpio.gz" \
		"console=ttyS0 crashkernel=$CRASHKERNEL panic=1 printk.devkmsg=on" \
		"$w/data.img" "$w/dump.img"
	echo "$TD_QEMU_SECONDS" > "$w/qemu-seconds"
	log "QEMU ran $TD_QEMU_SECONDS s"
}

# check_console WORK: fail with the reason unless the copy really happened.
check_console() {
	local c=$1/console.log
	td_marker "$c" crashing >/dev/null || die "system never reached the crash; see $c"
	grep -q 'elfcorehdr=' "$c" || die "capture kernel did not boot (no elfcorehdr= in $c)"
	td_marker "$c" vmcore-copied >/dev/null || die "vmcore copy failed; see $c"
}

collect() {
	local w=$1 out=$2 t0
	t0=$(date +%s)
	td_guest_get "$w/dump.img" /vmcore "$w/vmcore" || die "no /vmcore on the dump disk $w/dump.img"
	td_guest_get "$w/dump.img" /capture-dmesg.txt "$w/capture-dmesg.txt" || :
	log "debugfs extracted $(stat -c %s "$w/vmcore") bytes in $(( $(date +%s) - t0 )) s"
	grep -a 'TD-MARK' "$w/console.log" | sed 's/.*TD-MARK /TD-MARK /' > "$w/markers.txt"
	sed -n '1,/TD-MARK crashing/p' "$w/console.log" > "$w/system-log.txt"
	echo "$TD_BZIMAGE $TD_VMLINUX" > "$w/kernel"
	ln -sf "$TD_VMLINUX" "$w/vmlinux"
	ln -sf "$TD_BZIMAGE" "$w/bzImage"
	{
		echo "ram_mb $RAM"
		echo "crashkernel $CRASHKERNEL"
		echo "workload_anon_mb $WL_ANON"
		echo "vmcore_bytes $(stat -c %s "$w/vmcore")"
		echo "qemu_seconds $(cat "$w/qemu-seconds")"
		echo "copy $(td_marker "$w/console.log" vmcore-copied)"
		echo "hwpoison $(td_marker "$w/console.log" wl-hwpoison || echo none)"
		echo "capture_cmdline $CAPTURE_CMDLINE"
		echo "loader $LOADER"
	} > "$w/info"
	rm -f "$w"/*.img "$w"/*.cpio.gz "$w/test.conf" "$w/qemu-seconds"
	mv "$w" "$out"
}

build() {
	local out=$1 w
	[ -f "$out/vmcore" ] && return 0
	w="$out.tmp"
	rm -rf "$w" && mkdir -p "$w"
	boot_and_copy "$w"
	check_console "$w"
	collect "$w" "$out"
}

main() {
	local out
	case "$RAM" in ''|*[!0-9]*) die "usage: save-vmcore.sh [RAM_MB]" ;; esac
	case "$LOADER" in
	workload) ;;
	kexec-tools) TD_KEXEC=$("$TD_ROOT/scripts/kexec-tools.sh") || die "scripts/kexec-tools.sh failed"
		export TD_KEXEC ;;
	*) die "LOADER=$LOADER: use workload or kexec-tools" ;;
	esac
	td_kernel
	mkdir -p "$CACHE/vmcores"
	out="$CACHE/vmcores/$(vmcore_key)-${RAM}M"
	td_locked "$out.lock" build "$out"
	[ -f "$out/vmcore" ] || die "no vmcore produced for $out"
	echo "$out"
}

main "$@"
