#!/bin/bash
# Issue 12 item 3: the whole Debian journey, in QEMU (TCG).
#
# A Debian 12 root filesystem made by debootstrap (scripts/debian-image.sh:
# systemd, initramfs-tools, Debian's cloud kernel, root mounted by UUID by
# the distribution's own initramfs) boots from a virtio disk. A systemd unit
# in the image (journey.service) runs qemu-tests/journey-stage.sh at every
# boot; it prints TD-MARK lines on the serial console. Two QEMU runs:
#   1. install    dpkg -i the package (made by scripts/deb.sh) in the guest;
#                 the guest powers off.
#   2. crash      booted with the crashkernel= the package documents
#                 (/etc/default/grub.d/tinydump.cfg; there is no boot
#                 loader, so the test passes it as update-grub would):
#                 tinydump.service built the capture initramfs and loaded
#                 it; tinydump status exits 0; echo c > /proc/sysrq-trigger.
#                 The capture kernel writes the dump to the root filesystem,
#                 found by UUID, in /var/crash, and reboots; QEMU boots the
#                 same kernel and command line again.
#      back       tinydump list /var/crash shows the dump; then a second
#                 kernel package (Debian 12's generic flavour) is installed,
#                 and its kernel hook leaves a capture initramfs for it.
# On the host, from the disk image (debugfs): the dump, which crash opens
# with the -dbg vmlinux, and the new kernel's capture initramfs (its
# modules and its configuration, pinned to the root's UUID).
# Verdicts come from the console and the disk, never QEMU's exit status.
#   t_journey.sh [--keep DIR]     (--keep: the work files, image included)
# Prints each step's console excerpt and the times (docs/JOURNEY.md).
set -u
. "$(dirname "$0")/lib.sh"
T=journey
KEEP=
[ "${1:-}" != --keep ] || KEEP=${2:?--keep DIR}
RAM=1024
W=$(mktemp -d /tmp/td-journey.XXXXXX)
trap '[ -z "$KEEP" ] || { mkdir -p "$KEEP" && cp -a --sparse=always "$W"/. "$KEEP"/; }; rm -rf "$W"' EXIT
T0=$(date +%s)

verdict() { if [ -z "$2" ]; then td_ok "$T/$1"; else td_fail "$T/$1" "$2" "${3:-}"; fi; }
# kv FILE KEY: the value of a KEY=VALUE line.
kv() { sed -n "s/^$2=//p" "$1"; }
# excerpt LOG: the journey's own console lines, indented.
excerpt() { grep -a -E 'TD-MARK|TD-OUT|tinydump' "$1" | grep -av 'systemd\[' | sed 's/^/    /'; }
elapsed() { echo "$(( $(date +%s) - T0 )) s"; }

# kernel2: the kernel package of the upgrade, as KEY=VALUE lines package,
# version, release, deb. JOURNEY_KERNEL2=cloud (default): the newest Debian
# 12 cloud kernel of another ABI than the image's (a package of its own, as
# an ABI bump is); =generic: Debian 12's generic kernel (stock-kernel.sh),
# whose initramfs-tools run alone takes about 15 minutes under TCG.
JOURNEY_KERNEL2=${JOURNEY_KERNEL2:-cloud}
kernel2() {
	local img_rel=$1
	bash -c '
		. "$1/scripts/debian-pkg.sh"
		if [ "$2" = generic ]; then
			s=$("$1/scripts/stock-kernel.sh" deb12-generic) || exit 1
			p=$(echo "$s" | sed -n "s/^package=//p") v=$(echo "$s" | sed -n "s/^version=//p")
		else
			debpkg_apt bookworm
			p=$(apt-cache "${DEBPKG_OPTS[@]}" pkgnames linux-image-6.1.0- |
				grep -E "^linux-image-6\.1\.0-[0-9]+-cloud-amd64\$" | grep -vx "linux-image-$3" | sort -V | tail -1)
			[ -n "$p" ] || die "no other Debian 12 cloud kernel than $3"
			v=$(debpkg_versions bookworm "$p" | head -1)
		fi
		d=$(debpkg_get bookworm "$p" "$v") || exit 1
		printf "%s=%s\n" package "$p" version "$v" release "${p#linux-image-}" deb "$d"
	' _ "$TD_ROOT" "$JOURNEY_KERNEL2" "$img_rel"
}

# The inputs: the image, the package, the second kernel and the -dbg vmlinux.
inputs() {
	"$TD_ROOT/scripts/debian-image.sh" deb12-cloud > "$W/image.txt" 2> "$W/image.err" ||
		{ td_fail "$T/image" "scripts/debian-image.sh failed" "$W/image.err"; return 1; }
	"$TD_ROOT/scripts/stock-kernel.sh" deb12-cloud --dbg > "$W/k1.txt" 2> "$W/k1.err" ||
		{ td_fail "$T/image" "scripts/stock-kernel.sh deb12-cloud failed" "$W/k1.err"; return 1; }
	kernel2 "$(kv "$W/image.txt" release)" > "$W/k2.txt" 2> "$W/k2.err" && K2DEB=$(kv "$W/k2.txt" deb) && [ -f "$K2DEB" ] ||
		{ td_fail "$T/image" "no second kernel package ($JOURNEY_KERNEL2)" "$W/k2.err"; return 1; }
	DEB=$("$TD_ROOT/scripts/deb.sh" 2> "$W/deb.err" | tail -1)
	[ -f "$DEB" ] || { td_fail "$T/image" "scripts/deb.sh made no package" "$W/deb.err"; return 1; }
	UUID=$(kv "$W/image.txt" uuid) REL=$(kv "$W/image.txt" release) REL2=$(kv "$W/k2.txt" release)
	VMLINUX=$(kv "$W/k1.txt" vmlinux)
	[ "$REL" = "$(kv "$W/k1.txt" release)" ] ||
		{ td_fail "$T/image" "the image's kernel $REL is not stock-kernel.sh's $(kv "$W/k1.txt" release)"; return 1; }
	# crashkernel= as the package documents it (update-grub would add it).
	dpkg-deb --fsys-tarfile "$DEB" | tar -xO ./etc/default/grub.d/tinydump.cfg > "$W/grub.cfg"
	CK=$(grep -o 'crashkernel=[^ "]*' "$W/grub.cfg" | tail -1)
	[ -n "$CK" ] || { td_fail "$T/image" "no crashkernel= in the package's grub.d file"; return 1; }
	echo "    image $(kv "$W/image.txt" image): kernel $REL, root UUID=$UUID"
	echo "    package $(basename "$DEB"); upgrade to $(basename "$K2DEB"); $CK"
}

# The per-run copy of the image with the journey's files, and the kernel
# and initramfs from its /boot. No getty on the serial console: its
# vhangup() would cut the stage script's writes to it.
prepare() {
	local img=$W/root.img
	cp --sparse=always "$(kv "$W/image.txt" image)" "$img"
	cat > "$W/debugfs.cmd" <<CMDS
mkdir /root/journey
write $DEB /root/journey/$(basename "$DEB")
write $K2DEB /root/journey/kernel2.deb
write $TD_ROOT/qemu-tests/journey-stage.sh /usr/local/sbin/journey-stage
write $TD_ROOT/qemu-tests/journey.service /etc/systemd/system/journey.service
symlink /etc/systemd/system/multi-user.target.wants/journey.service /etc/systemd/system/journey.service
symlink /etc/systemd/system/serial-getty@ttyS0.service /dev/null
mkdir /var/lib/journey
write $W/stage /var/lib/journey/stage
CMDS
	echo install > "$W/stage"
	debugfs -w -f "$W/debugfs.cmd" "$img" > "$W/debugfs.out" 2>&1
	td_guest_get "$img" "$(kv "$W/image.txt" vmlinuz)" "$W/vmlinuz" &&
		td_guest_get "$img" "$(kv "$W/image.txt" initrd)" "$W/initrd.img" &&
		td_guest_get "$img" /usr/local/sbin/journey-stage "$W/stage.check" ||
		{ td_fail "$T/image" "debugfs could not write or read the image" "$W/debugfs.out"; return 1; }
	TD_BZIMAGE=$W/vmlinuz
}

run1() {
	local log=$W/run1.log why=
	td_qemu "$log" 900 "$RAM" "$W/initrd.img" "root=UUID=$UUID ro console=ttyS0" "$W/root.img"
	RUN1=$TD_QEMU_SECONDS
	echo "    run 1 (boot, dpkg -i, power off): $RUN1 s"
	excerpt "$log"
	[ "$(td_marker "$log" boot)" ] || why="the image did not reach journey.service"
	[ "$(td_marker "$log" dpkg-install-rc)" = 0 ] || why="${why:+$why; }dpkg -i exit $(td_marker "$log" dpkg-install-rc || echo none)"
	[ "$(td_marker "$log" service-enabled)" = enabled ] || why="${why:+$why; }tinydump.service not enabled"
	td_marker "$log" off | grep -q '^install ' || why="${why:+$why; }no power-off after the install"
	verdict install-in-guest "$why" "$log"
	[ -z "$why" ]
}

run2() {
	local log=$W/run2.log
	TD_QEMU_REBOOT=1 td_qemu "$log" 2400 "$RAM" "$W/initrd.img" "root=UUID=$UUID ro console=ttyS0 $CK" "$W/root.img"
	RUN2=$TD_QEMU_SECONDS
	echo "    run 2 (boot with $CK, status, crash, capture, reboot, list, kernel upgrade): $RUN2 s"
	excerpt "$log"
}

check_crash_stage() {
	local log=$W/run2.log why=
	td_marker "$log" boot | grep -q "stage=crash .*$CK" || why="no boot with $CK into the crash stage"
	td_marker "$log" service | grep -q '^active 0' || why="${why:+$why; }tinydump.service not active with status 0"
	grep -aq "TD-OUT ok: target disk:UUID=$UUID:/var/crash: " "$log" ||
		why="${why:+$why; }status did not name disk:UUID=$UUID:/var/crash as a usable target"
	[ "$(td_marker "$log" status-rc)" = 0 ] || why="${why:+$why; }tinydump status exit $(td_marker "$log" status-rc || echo none)"
	verdict status-ready "$why" "$log"
	[ -z "$why" ]
}

check_capture() {
	local log=$W/run2.log why= d
	grep -aq 'capture run starting' "$log" || why="the capture kernel's tinydump did not start"
	d=$(grep -ao 'tinydump: dump complete: /mnt/t0/var/crash/[^ ]*' "$log" | head -1)
	[ -n "$d" ] || why="${why:+$why; }no 'dump complete' in /var/crash of the root filesystem"
	td_marker "$log" boot | grep -q 'stage=crash' && ! grep -aq 'TD-MARK still-alive' "$log" &&
		grep -aq 'TD-MARK boot stage=back ' "$log" || why="${why:+$why; }no reboot into the normal system after the capture"
	verdict capture-to-root-var-crash "$why" "$log"
	DUMPDIR=${d#tinydump: dump complete: /mnt/t0}
	[ -z "$why" ]
}

check_list() {
	local log=$W/run2.log why= name=${DUMPDIR##*/}
	[ "$(td_marker "$log" list-rc)" = 0 ] || why="tinydump list exit $(td_marker "$log" list-rc || echo none)"
	grep -a '^TD-OUT ' "$log" | grep -a -- "$name" | grep -awq complete || why="${why:+$why; }tinydump list /var/crash does not show $name complete"
	verdict list-shows-dump "$why" "$log"
}

check_disk() {
	local img=$W/root.img f
	for f in vmcore dmesg.txt tinydump.json; do
		td_guest_get "$img" "$DUMPDIR/$f" "$W/$f" ||
			{ td_fail "$T/dump-on-disk" "no $DUMPDIR/$f in the image"; return 1; }
	done
	td_ok "$T/dump-on-disk"
	echo "    $DUMPDIR/vmcore: $(stat -c %s "$W/vmcore") bytes"
	printf 'bt\nlog\nquit\n' | timeout 600 crash -s "$VMLINUX" "$W/vmcore" > "$W/crash.out" 2>&1
	if grep -q sysrq_handle_crash "$W/crash.out" && grep -q 'sysrq: Trigger a crash' "$W/crash.out" &&
		! grep -qE 'page excluded|read error' "$W/crash.out"; then
		td_ok "$T/crash-opens-dump"
	else
		td_fail "$T/crash-opens-dump" "crash: no sysrq backtrace or log" "$W/crash.out"
	fi
	grep -E '^ *#[0-3] ' "$W/crash.out" | head -4 | sed 's/^/    /'
}

check_upgrade() {
	local log=$W/run2.log img=$W/root.img why= x=$W/k2
	[ "$(td_marker "$log" kernel2-rc)" = 0 ] || why="dpkg -i of the second kernel exit $(td_marker "$log" kernel2-rc || echo none)"
	grep -a "TD-MARK capture-initrd initrd-$REL2.img " "$log" | grep -q ' 600$' || why="${why:+$why; }no /var/lib/tinydump/initrd-$REL2.img (0600) after the upgrade"
	grep -aq "TD-OUT tinydump: capture initramfs for $REL2: " "$log" || why="${why:+$why; }the kernel hook did not say it built it"
	if td_guest_get "$img" "/var/lib/tinydump/initrd-$REL2.img" "$W/k2.img"; then
		rm -rf "$x" && mkdir -p "$x" && (cd "$x" && zcat "$W/k2.img" | cpio -id --quiet 2>/dev/null)
		[ -x "$x/init" ] || why="${why:+$why; }no /init in it"
		grep -q "^target=disk:UUID=$UUID:/var/crash$" "$x/etc/tinydump.conf" 2>/dev/null ||
			why="${why:+$why; }its tinydump.conf has no target=disk:UUID=$UUID:/var/crash"
		grep -q '/virtio_blk\.ko' "$x/lib/modules/LIST" 2>/dev/null || why="${why:+$why; }its module list lacks virtio_blk"
		# ext4 is built into the cloud kernels, a module of the generic one.
		! dpkg-deb -c "$K2DEB" | grep -q '/ext4\.ko' || grep -q '/ext4\.ko' "$x/lib/modules/LIST" ||
			why="${why:+$why; }its module list lacks ext4, a module of $REL2"
		echo "    initrd-$REL2.img: $(stat -c %s "$W/k2.img") bytes, modules: $(sed 's|.*/||' "$x/lib/modules/LIST" 2>/dev/null | tr '\n' ' ')"
	else
		why="${why:+$why; }cannot read it from the image"
	fi
	td_marker "$log" off | grep -q '^back ' || why="${why:+$why; }the guest did not power off at the end"
	verdict upgrade-hook-initramfs "$why" "$log"
}

# times: from the guest's clock (the RTC is the host's, UTC), the steps of
# run 2: panic to the capture's end (its own timeline) and to the normal
# system's journey-stage, and the upgrade.
times() {
	local log=$W/run2.log panic back off
	panic=$(td_marker "$log" panic)
	back=$(grep -ao 'TD-MARK boot stage=back .* time=[0-9.]*' "$log" | sed 's/.*time=//')
	off=$(td_marker "$log" off | awk '{ print $2 }')
	[ -n "$panic" ] && [ -n "$back" ] && [ -n "$off" ] || return 0
	echo "    panic to the normal system's journey-stage: $(awk -v a="$panic" -v b="$back" 'BEGIN { printf "%.1f", b - a }') s;" \
		"capture: $(grep -ao 'timeline: .*' "$log" | head -1)"
	echo "    journey-stage up to power-off after list, status and the kernel upgrade: $(awk -v a="$back" -v b="$off" 'BEGIN { printf "%.1f", b - a }') s"
}

main() {
	command -v debugfs >/dev/null && command -v crash >/dev/null ||
		{ td_skip $T "debugfs or crash missing (scripts/deps.sh check)"; exit 0; }
	[ "$(id -u)" = 0 ] || { td_skip $T "needs root (debootstrap and chroot build the image)"; exit 0; }
	inputs && prepare || exit 0
	echo "    inputs ready after $(elapsed)"
	run1 || { echo "    total $(elapsed)"; exit 0; }
	run2
	check_crash_stage || { echo "    total $(elapsed)"; exit 0; }
	if check_capture; then
		check_list
		check_disk
	fi
	check_upgrade
	times
	echo "    total $(elapsed) (run 1 $RUN1 s, run 2 $RUN2 s)"
}

main
