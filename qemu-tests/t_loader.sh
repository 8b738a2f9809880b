#!/bin/bash
# End-to-end checks of `tinydump load` / `tinydump unload` in QEMU:
#   loaded    after load, /sys/kernel/kexec_crash_loaded is 1 and the load
#             line names sizes and the capture command line
#   badimage  loading a file that is not a bzImage fails, naming bzImage
#   unload    unload brings kexec_crash_loaded back to 0
#   defaults  `tinydump load` with no arguments takes /boot/vmlinuz-RELEASE
#             and /var/lib/tinydump/initrd-RELEASE.img; without the initrd
#             it says to run `tinydump initramfs`
#   boots     the crash boots the capture kernel (a second "Linux version"
#             banner, elfcorehdr= on its command line) with our words
#   noreserve without crashkernel= the error names crashkernel=
#   small     with a too small reservation the error says "too small"
# Three QEMU boots, no workload (fast); one at a time.
set -eu
. "$(dirname "$0")/lib.sh"
T=t_loader
W=$(mktemp -d /tmp/t_loader.XXXXXX)
[ -n "${TD_KEEP:-}" ] && echo "    keeping $W" || trap 'rm -rf "$W"' EXIT

# The unload case reloads afterwards, so the crash still has a kernel.
BEFORE='/bin/tinydump load --kernel /boot/capture.cpio.gz --initrd /boot/capture.cpio.gz
echo "TD-MARK bad-kernel-rc $?"
cp /boot/bzImage /boot/vmlinuz-$(uname -r)
/bin/tinydump load; echo "TD-MARK default-noinitrd-rc $?"
mkdir -p /var/lib/tinydump && cp /boot/capture.cpio.gz /var/lib/tinydump/initrd-$(uname -r).img
/bin/tinydump load >/dev/null; echo "TD-MARK default-load-rc $? loaded=$(cat /sys/kernel/kexec_crash_loaded)"
/bin/tinydump unload >/dev/null
/bin/tinydump load --kernel /boot/bzImage --initrd /boot/capture.cpio.gz >/dev/null &&
	echo "TD-MARK before-unload loaded=$(cat /sys/kernel/kexec_crash_loaded)"
/bin/tinydump unload; echo "TD-MARK unload-rc $? loaded=$(cat /sys/kernel/kexec_crash_loaded)"'

prepare() {
	td_kernel
	[ -x "$TD_ROOT/build/tinydump" ] || { td_skip "$T" "build/tinydump missing: run make"; exit 0; }
	"$TD_ROOT/initramfs/build.sh" "$TD_ROOT/build/tinydump" "$W/capture.cpio.gz" >/dev/null
	td_sys_conf TD_LOADER=tinydump TD_WL_ANON=0 TD_CRASH=yes \
		TD_APPEND="tinydump.timeout=1 tinydump.failure=poweroff tdtest.word=42" \
		TD_BEFORE_LOAD="$BEFORE" > "$W/crash.conf"
	td_sys_conf TD_LOADER=tinydump TD_WL_ANON=0 TD_CRASH=no > "$W/nocrash.conf"
	td_sys_initramfs "$W/crash.cpio.gz" "$W/crash.conf" "$W/capture.cpio.gz" "$TD_ROOT/build/tinydump"
	td_sys_initramfs "$W/nocrash.cpio.gz" "$W/nocrash.conf" "$W/capture.cpio.gz" "$TD_ROOT/build/tinydump"
}

check_loaded() {
	local c=$1 m
	m=$(td_marker "$c" crash-loaded) || { td_fail "$T.loaded" "no crash-loaded marker" "$c"; return; }
	case "$m" in
	1\ *) if grep -q 'tinydump: capture kernel loaded (kernel [0-9]* bytes, initrd [0-9]* bytes, cmdline: .*irqpoll' "$c"
		then td_ok "$T.loaded"
		else td_fail "$T.loaded" "kexec_crash_loaded is 1 but the load line is missing or wrong" "$c"; fi ;;
	*) td_fail "$T.loaded" "kexec_crash_loaded after load: $m" "$c" ;;
	esac
}

check_badimage() {
	local c=$1
	if [ "$(td_marker "$c" bad-kernel-rc)" = 1 ] && grep -q 'tinydump: fatal: load: .*bzImage' "$c"; then
		td_ok "$T.badimage"
	else
		td_fail "$T.badimage" "loading a cpio as kernel did not fail with a bzImage message" "$c"
	fi
}

check_defaults() {
	local c=$1
	if [ "$(td_marker "$c" default-noinitrd-rc)" = 1 ] &&
		grep -q 'tinydump: fatal: load: cannot open initramfs /var/lib/tinydump/initrd-.*build it with: tinydump initramfs' "$c" &&
		[ "$(td_marker "$c" default-load-rc)" = "0 loaded=1" ]; then
		td_ok "$T.defaults"
	else
		td_fail "$T.defaults" "load with no arguments: '$(td_marker "$c" default-noinitrd-rc)' '$(td_marker "$c" default-load-rc)'" "$c"
	fi
}

check_unload() {
	local c=$1
	if [ "$(td_marker "$c" before-unload)" = loaded=1 ] &&
		[ "$(td_marker "$c" unload-rc)" = "0 loaded=0" ]; then td_ok "$T.unload"
	else td_fail "$T.unload" "before/after unload: '$(td_marker "$c" before-unload)' '$(td_marker "$c" unload-rc)'" "$c"; fi
}

# The capture kernel's banner and its command line: elfcorehdr= added by the
# loader, our fixed words and --append in, crashkernel= out.
check_boots() {
	local c=$1 n cl
	n=$(grep -c 'Linux version' "$c" || :)
	cl=$(grep -m1 'Kernel command line: elfcorehdr=' "$c" || :)
	if [ "$n" -lt 2 ] || [ -z "$cl" ]; then
		td_fail "$T.boots" "capture kernel did not boot ($n banners, elfcorehdr: ${cl:-none})" "$c"
	elif ! echo "$cl" | grep -q 'reset_devices' || ! echo "$cl" | grep -q 'tdtest.word=42' ||
		echo "$cl" | grep -q 'crashkernel='; then
		td_fail "$T.boots" "unexpected capture command line: $cl" "$c"
	else
		td_ok "$T.boots"
	fi
}

check_error() {
	local name=$1 c=$2 want=$3
	if grep -q "tinydump: fatal: load: .*$want" "$c" && [ "$(td_marker "$c" load-rc)" = 1 ] &&
		[ "$(td_marker "$c" crash-loaded | cut -d' ' -f1)" = 0 ]; then
		td_ok "$T.$name"
	else
		td_fail "$T.$name" "no failed load naming '$want'" "$c"
	fi
}

run_crash() {
	td_qemu "$W/crash.log" 150 1024 "$W/crash.cpio.gz" \
		"console=ttyS0 crashkernel=64M panic=1 printk.devkmsg=on"
	echo "    crash boot: QEMU $TD_QEMU_SECONDS s"
	check_loaded "$W/crash.log"
	check_badimage "$W/crash.log"
	check_defaults "$W/crash.log"
	check_unload "$W/crash.log"
	check_boots "$W/crash.log"
}

run_errors() {
	td_qemu "$W/nores.log" 90 1024 "$W/nocrash.cpio.gz" "console=ttyS0 panic=1"
	echo "    no-reservation boot: QEMU $TD_QEMU_SECONDS s"
	check_error noreserve "$W/nores.log" 'crashkernel= is missing'
	td_qemu "$W/small.log" 90 1024 "$W/nocrash.cpio.gz" "console=ttyS0 crashkernel=8M panic=1"
	echo "    small-reservation boot: QEMU $TD_QEMU_SECONDS s"
	check_error small "$W/small.log" 'too small'
}

prepare
run_crash
run_errors
