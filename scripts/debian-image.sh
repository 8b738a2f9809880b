#!/bin/bash
# A Debian 12 root filesystem as an ext4 disk image, for the journey test
# (qemu-tests/t_journey.sh): debootstrap from this machine's own archive
# (scripts/debian-uri.sh), systemd, initramfs-tools, and the stock kernel
# scripts/stock-kernel.sh picks (deb12-cloud by default: the one whose -dbg
# vmlinux is cached), installed with dpkg in the chroot so that its
# postinst makes the initramfs (MODULES=most: virtio_blk is a module, and
# the initramfs mounts root by UUID, as /etc/fstab says). No boot loader:
# the test boots /boot/vmlinuz and /boot/initrd.img of the image directly.
#
# Usage: scripts/debian-image.sh [KERNEL] [--download PKG[,PKG...]]
#   KERNEL as stock-kernel.sh names it (default deb12-cloud). --download
#   leaves PKGS and their dependencies in the image's apt cache, with the
#   package lists, so that `apt-get install --no-download PKGS` works in the
#   guest, offline, as an operator's `apt install` would (bench/anchor.sh:
#   kdump-tools, whose initramfs must be built on the running machine).
# Prints KEY=VALUE lines: image (raw ext4, no partition table), uuid (its
# filesystem UUID), release (the kernel), vmlinuz and initrd (their paths
# inside the image), manifest (every package and version installed).
# Cached under $CACHE/debian-image-KEY, KEY from the suite, the package
# list, the kernel package and version, this script, and the debootstrap
# and e2fsprogs versions. Callers copy the image before booting it.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
. "$here/cache.sh"
. "$here/debian-uri.sh"

SUITE=bookworm
# minbase plus what boots a systemd machine from a disk by UUID, and what
# the tinydump package depends on (adduser).
PKGS="systemd-sysv,udev,kmod,initramfs-tools,zstd,linux-base,adduser,procps"
SIZE_MB=3072

kernel_name=deb12-cloud
DOWNLOAD=
while [ $# -gt 0 ]; do
	case $1 in
	--download) [ -n "${2:-}" ] || die "--download needs a package list"; DOWNLOAD=$2; shift 2 ;;
	-*) die "unknown option $1: scripts/debian-image.sh [KERNEL] [--download PKG[,PKG...]]" ;;
	*) kernel_name=$1; shift ;;
	esac
done
command -v debootstrap >/dev/null || {
	[ "$(id -u)" = 0 ] || die "debootstrap missing: apt-get install debootstrap"
	DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends debootstrap >/dev/null ||
		die "apt-get install debootstrap failed"
}
[ "$(id -u)" = 0 ] || die "building the Debian image needs root (debootstrap, chroot)"

stock=$("$here/stock-kernel.sh" "$kernel_name") || die "scripts/stock-kernel.sh $kernel_name failed"
kpkg=$(sed -n 's/^package=//p' <<< "$stock") kver=$(sed -n 's/^version=//p' <<< "$stock")
krel=$(sed -n 's/^release=//p' <<< "$stock")
. "$here/debian-pkg.sh"
kdeb=$(debpkg_get "$SUITE" "$kpkg" "$kver")

dir="$CACHE/debian-image-$(KEYEXTRA="$SUITE $PKGS $DOWNLOAD $SIZE_MB $kpkg $kver $(pkgver debootstrap) $(pkgver e2fsprogs)" key "$0")"

# build: debootstrap into DIR/root, the kernel, then mke2fs -d (no mount).
build() {
	local root=$dir/root uri uuid
	uri=$(debian_uri)
	[ -n "$uri" ] || die "no deb entry with component main in /etc/apt/sources*"
	rm -rf "$dir" && mkdir -p "$dir"
	log "debootstrap $SUITE from the machine's archive (log: $dir/debootstrap.log)"
	debootstrap --variant=minbase --include="$PKGS" "$SUITE" "$root" "$uri" > "$dir/debootstrap.log" 2>&1 ||
		{ tail -n 20 "$dir/debootstrap.log" >&2; die "debootstrap failed"; }
	uuid=$(cat /proc/sys/kernel/random/uuid)
	printf 'UUID=%s / ext4 errors=remount-ro 0 1\n' "$uuid" > "$root/etc/fstab"
	echo journey > "$root/etc/hostname"
	printf '127.0.0.1 localhost\n127.0.1.1 journey\n' > "$root/etc/hosts"
	echo RESUME=none > "$root/etc/initramfs-tools/conf.d/resume"
	# The image boots with no network: no unit waits for one.
	mkdir -p "$root/var/crash"
	cp "$kdeb" "$root/tmp/kernel.deb"
	mount -t proc proc "$root/proc"
	DEBIAN_FRONTEND=noninteractive chroot "$root" dpkg -i /tmp/kernel.deb > "$dir/kernel.log" 2>&1 || {
		umount "$root/proc"; tail -n 20 "$dir/kernel.log" >&2; die "dpkg -i $kpkg in the chroot failed"; }
	umount "$root/proc"
	rm -f "$root/tmp/kernel.deb"
	[ -f "$root/boot/initrd.img-$krel" ] || die "the kernel's postinst made no /boot/initrd.img-$krel"
	chroot "$root" dpkg-query -W -f '${Package} ${Version}\n' > "$dir/manifest"
	chroot "$root" apt-get clean
	if [ -n "$DOWNLOAD" ]; then
		cp /etc/resolv.conf "$root/etc/resolv.conf"
		chroot "$root" sh -c "apt-get -q update && apt-get -q -y -d install $(echo "$DOWNLOAD" | tr , ' ')" \
			> "$dir/download.log" 2>&1 || { tail -n 20 "$dir/download.log" >&2; die "apt-get -d install $DOWNLOAD failed"; }
		rm -f "$root/etc/resolv.conf"
	fi
	truncate -s "${SIZE_MB}M" "$dir/root.img.tmp"
	mke2fs -q -F -t ext4 -U "$uuid" -E lazy_itable_init=0,lazy_journal_init=0 \
		-d "$root" "$dir/root.img.tmp" || die "mke2fs -d failed"
	mv "$dir/root.img.tmp" "$dir/root.img"
	echo "$uuid" > "$dir/uuid"
	echo "$krel" > "$dir/release"
	rm -rf "$root"
	touch "$dir/done"
}

if [ ! -f "$dir/done" ]; then
	( with_lock "$dir"; [ -f "$dir/done" ] || build )
fi
[ -f "$dir/done" ] || die "no image in $dir"
printf '%s=%s\n' image "$dir/root.img" uuid "$(cat "$dir/uuid")" release "$(cat "$dir/release")" \
	vmlinuz "/boot/vmlinuz-$(cat "$dir/release")" initrd "/boot/initrd.img-$(cat "$dir/release")" \
	manifest "$dir/manifest"
