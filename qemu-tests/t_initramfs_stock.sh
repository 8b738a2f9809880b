#!/bin/bash
# `tinydump initramfs` on Debian's own kernel packages, host only (no QEMU):
#  - the module list for a virtio disk with ext4 is the one measured in
#    FACTS (Debian 12 generic needs crc32c_generic, a softdep of ext4 only);
#  - the same list, in a valid load order, with the depmod output and
#    without it (an unpacked package has no modules.dep: .modinfo is read
#    from each .ko, .ko.xz through xz);
#  - the same inputs give the same bytes; LIST names exactly the files;
#  - a module that does not exist is an error naming it;
#  - host-only detection on a made-up sysfs (virtio disk by label, NFS over
#    virtio-net) names the driver chain, ext4 and nfsv4;
#  - the initramfs's configuration pins disk:LABEL=crash to the UUID of the
#    one device labelled crash, keeps the label (and warns, naming both)
#    when a second device carries it, and --no-detect copies it as written;
#  - with no target configured and no device labelled crash, it gets the
#    root filesystem by UUID in /var/crash (and its disk's drivers); a
#    device labelled crash still wins.
set -eu
. "$(dirname "$0")/lib.sh"
T=initramfs-stock
TD=$TD_ROOT/build/tinydump
W=$(mktemp -d /tmp/td-initramfs-stock.XXXXXX)
trap 'rm -rf "$W"' EXIT
[ -x "$TD" ] || { td_skip $T "build/tinydump missing: run make"; exit 0; }
mkdir -p "$W/nocerts"
printf 'target=disk:LABEL=crash\n' > "$W/td.conf"

# build ROOT RELEASE OUT [ARGS...]: the module names, in LIST order, on stdout.
build() {
	local root=$1 rel=$2 out=$3
	shift 3
	"$TD" initramfs --root "$root" --kernel-release "$rel" --conf "$W/td.conf" \
		--certs "$W/nocerts" --output "$out" "$@" > "$out.log" 2>&1 || return 1
	zcat "$out" | (cd "$W" && rm -rf x && mkdir x && cd x && cpio -id --quiet)
	[ -f "$W/x/lib/modules/LIST" ] || return 0
	# Every LIST entry is in the archive, and every module file is listed.
	[ "$(sed 's|^/lib/modules/||' "$W/x/lib/modules/LIST" | sort)" = \
	  "$(ls "$W/x/lib/modules" | grep -v '^LIST$' | sort)" ] || { echo "LIST-MISMATCH"; return 0; }
	sed 's|.*/||; s/\.ko.*//; s/-/_/g' "$W/x/lib/modules/LIST"
}

# in_order ORDER MODDIR: each module of ORDER after all its modules.dep deps.
in_order() {
	awk -v order="$1" '
		BEGIN { n = split(order, o, " "); for (i = 1; i <= n; i++) pos[o[i]] = i }
		function name(p) { sub(/.*\//, "", p); sub(/\.ko.*/, "", p); gsub(/-/, "_", p); return p }
		{ m = name($1); if (!(m in pos)) next
		  for (i = 2; i <= NF; i++) { d = name($i); if (!(d in pos) || pos[d] > pos[m]) { print m " before " d; bad = 1 } } }
		END { exit bad }' "$2/modules.dep"
}

# nodep ROOT: a hard-linked copy of ROOT without depmod's output.
nodep() {
	local c=$W/nodep-$(basename "$1")
	cp -al "$1/." "$c/" 2>/dev/null || { mkdir -p "$c" && cp -al "$1/." "$c/"; }
	find "$c" -name 'modules.*' ! -name modules.builtin ! -name modules.builtin.modinfo \
		! -name modules.order -delete
	echo "$c"
}

# kernel NAME WANT...: the checks for one stock kernel.
kernel() {
	local k=$1 want root rel mods a b c
	shift
	want=$(printf '%s\n' "$@" | sort | tr '\n' ' ')
	if ! "$TD_ROOT/scripts/stock-kernel.sh" "$k" > "$W/$k.txt" 2> "$W/$k.err"; then
		td_skip "$T/$k" "scripts/stock-kernel.sh $k failed: $(tail -1 "$W/$k.err")"
		return
	fi
	root=$(sed -n 's/^root=//p' "$W/$k.txt") rel=$(sed -n 's/^release=//p' "$W/$k.txt")
	mods=$(sed -n 's/^modules=//p' "$W/$k.txt")
	a=$(build "$root" "$rel" "$W/$k-a.img" --no-detect --modules virtio_blk,virtio_pci,ext4) || a=FAILED
	b=$(build "$(nodep "$root")" "$rel" "$W/$k-b.img" --no-detect --modules virtio_blk,virtio_pci,ext4) || b=FAILED
	c=$(build "$root" "$rel" "$W/$k-c.img" --no-detect --modules virtio_blk,virtio_pci,ext4) || c=FAILED
	if [ "$(echo $a | tr ' ' '\n' | sort | tr '\n' ' ')" = "$want" ]; then
		td_ok "$T/$k-virtio-ext4-modules"
	else
		td_fail "$T/$k-virtio-ext4-modules" "got '$(echo $a)', want '$want'" "$W/$k-a.img.log"
	fi
	echo "    $(echo $a) ($(awk '/^modules:/ { print $3, $4 }' "$W/$k-a.img.log" | tr -d ,); initramfs $(stat -c %s "$W/$k-a.img") bytes)"
	if [ "$(echo $b | tr ' ' '\n' | sort | tr '\n' ' ')" = "$want" ] && in_order "$(echo $b)" "$mods" > "$W/order.txt" &&
		in_order "$(echo $a)" "$mods" >> "$W/order.txt"; then
		td_ok "$T/$k-same-without-modules-dep"
	else
		td_fail "$T/$k-same-without-modules-dep" "without modules.dep: '$(echo $b)' $(head -1 "$W/order.txt")" "$W/$k-b.img.log"
	fi
	if [ "$a" != FAILED ] && cmp -s "$W/$k-a.img" "$W/$k-c.img"; then
		td_ok "$T/$k-deterministic"
	else
		td_fail "$T/$k-deterministic" "two builds of the same inputs differ"
	fi
}

check_missing() {
	local root rel
	root=$(sed -n 's/^root=//p' "$W/deb12-cloud.txt" 2>/dev/null) || return 0
	[ -n "$root" ] || return 0
	rel=$(sed -n 's/^release=//p' "$W/deb12-cloud.txt")
	if ! build "$root" "$rel" "$W/m.img" --no-detect --modules virtio_blk,no_such_mod >/dev/null &&
		grep -q 'no_such_mod' "$W/m.img.log" && [ ! -e "$W/m.img" ]; then
		td_ok "$T/unknown-module-is-an-error"
	else
		td_fail "$T/unknown-module-is-an-error" "no error naming no_such_mod, or an output was left" "$W/m.img.log"
	fi
}

# fake_sysfs DIR: /sys, /dev and /proc of a QEMU guest with a virtio disk
# (vda1 labelled crash) and a virtio NIC eth0 holding the default route.
fake_sysfs() {
	local s=$1 pci=sys/devices/pci0000:00
	mkdir -p "$s/$pci/0000:00:04.0/virtio1/block/vda/vda1" "$s/$pci/0000:00:03.0/virtio0/net/eth0" \
		"$s/sys/bus/pci/drivers/virtio-pci" "$s/sys/bus/virtio/drivers/virtio_blk" \
		"$s/sys/bus/virtio/drivers/virtio_net" "$s/sys/module/virtio_pci" "$s/sys/module/virtio_blk" \
		"$s/sys/module/virtio_net" "$s/sys/class/block" "$s/sys/class/net" "$s/dev" "$s/proc/net"
	ln -s ../../../bus/pci/drivers/virtio-pci "$s/$pci/0000:00:04.0/driver"
	ln -s ../../../bus/pci/drivers/virtio-pci "$s/$pci/0000:00:03.0/driver"
	ln -s ../../../../bus/virtio/drivers/virtio_blk "$s/$pci/0000:00:04.0/virtio1/driver"
	ln -s ../../../../bus/virtio/drivers/virtio_net "$s/$pci/0000:00:03.0/virtio0/driver"
	ln -s ../../../../module/virtio_pci "$s/sys/bus/pci/drivers/virtio-pci/module"
	ln -s ../../../../module/virtio_blk "$s/sys/bus/virtio/drivers/virtio_blk/module"
	ln -s ../../../../module/virtio_net "$s/sys/bus/virtio/drivers/virtio_net/module"
	ln -s ../../../virtio1 "$s/$pci/0000:00:04.0/virtio1/block/vda/device"
	ln -s ../../../virtio0 "$s/$pci/0000:00:03.0/virtio0/net/eth0/device"
	ln -s ../../devices/pci0000:00/0000:00:04.0/virtio1/block/vda "$s/sys/class/block/vda"
	ln -s ../../devices/pci0000:00/0000:00:04.0/virtio1/block/vda/vda1 "$s/sys/class/block/vda1"
	ln -s ../../devices/pci0000:00/0000:00:03.0/virtio0/net/eth0 "$s/sys/class/net/eth0"
	echo 4096 > "$s/$pci/0000:00:04.0/virtio1/block/vda/size"
	echo 2048 > "$s/$pci/0000:00:04.0/virtio1/block/vda/vda1/size"
	echo 1 > "$s/$pci/0000:00:04.0/virtio1/block/vda/vda1/partition"
	mkfs.ext4 -q -F -L crash -U 5f0c3b1e-8d2a-4c6b-9e71-2a4b6c8d0e1f "$s/dev/vda1" 1M > /dev/null 2>&1
	printf 'Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT\n' > "$s/proc/net/route"
	printf 'eth0\t00000000\t0202000A\t0003\t0\t0\t0\t00000000\t0\t0\t0\n' >> "$s/proc/net/route"
	printf 'eth0\t0002000A\t00000000\t0001\t0\t0\t0\t00FFFFFF\t0\t0\t0\n' >> "$s/proc/net/route"
}

check_detect() {
	local root rel s got
	root=$(sed -n 's/^root=//p' "$W/deb12-cloud.txt" 2>/dev/null) || return 0
	[ -n "$root" ] || return 0
	rel=$(sed -n 's/^release=//p' "$W/deb12-cloud.txt")
	s=$(realpath "$W")/sysroot
	fake_sysfs "$s"
	printf 'target=disk:LABEL=crash\ntarget=nfs:10.0.2.2:/dumps\n' > "$W/td.conf"
	got=$(build "$root" "$rel" "$W/d.img" --sysroot "$s" | tr '\n' ' ') || got=FAILED
	if grep -q '^detected: virtio_blk,virtio_pci,ext4,virtio_net,nfsv4$' "$W/d.img.log" &&
		for m in virtio_blk virtio_pci virtio_net net_failover failover nfsv4 nfs sunrpc; do
			case " $got " in *" $m "*) ;; *) exit 1 ;; esac; done; then
		td_ok "$T/detects-disk-and-nfs-drivers"
	else
		td_fail "$T/detects-disk-and-nfs-drivers" "$(grep detected: "$W/d.img.log"); modules: $got" "$W/d.img.log"
	fi
	echo "    $(grep detected: "$W/d.img.log") -> $got($(awk '/^modules:/ { print $3, $4 }' "$W/d.img.log" | tr -d ,))"
	check_pin "$root" "$rel" "$s"
	check_root_default "$root" "$rel" "$s"
	printf 'target=disk:LABEL=crash\n' > "$W/td.conf"
}

# check_root_default ROOT RELEASE SYSROOT: with no target configured and no
# device labelled crash, the initramfs gets the root filesystem (vda1,
# mounted at / in the made-up mountinfo) by UUID, in /var/crash, and its
# disk's drivers.
check_root_default() {
	local root=$1 rel=$2 s=$3 conf
	e2label "$s/dev/vda1" root
	mkdir -p "$s/proc/self" "$s/sys/dev/block"
	printf '22 1 254:1 / / rw,relatime shared:1 - ext4 /dev/vda1 rw\n23 22 0:5 / /dev rw - devtmpfs udev rw\n' > "$s/proc/self/mountinfo"
	ln -sfn ../../devices/pci0000:00/0000:00:04.0/virtio1/block/vda/vda1 "$s/sys/dev/block/254:1"
	printf 'level=31\n' > "$W/td.conf"
	build "$root" "$rel" "$W/rd.img" --sysroot "$s" > /dev/null || :
	conf=$(cat "$W/x/etc/tinydump.conf" 2>/dev/null)
	if printf '%s\n' "$conf" | grep -qx 'target=disk:UUID=5f0c3b1e-8d2a-4c6b-9e71-2a4b6c8d0e1f:/var/crash' &&
		printf '%s\n' "$conf" | grep -qx 'level=31' &&
		grep -q '^default target: disk:UUID=5f0c3b1e-8d2a-4c6b-9e71-2a4b6c8d0e1f:/var/crash (the root filesystem, /dev/vda1; no device is labelled crash)$' "$W/rd.img.log" &&
		grep -q '^detected: virtio_blk,virtio_pci,ext4$' "$W/rd.img.log"; then
		td_ok "$T/no-target-root-var-crash"
	else
		td_fail "$T/no-target-root-var-crash" "initramfs conf: $(printf '%s' "$conf" | tr '\n' '|')" "$W/rd.img.log"
	fi
	e2label "$s/dev/vda1" crash
	build "$root" "$rel" "$W/rl.img" --sysroot "$s" > /dev/null || :
	if grep -qx 'target=disk:UUID=5f0c3b1e-8d2a-4c6b-9e71-2a4b6c8d0e1f' "$W/x/etc/tinydump.conf" 2>/dev/null &&
		grep -q '^pinned: disk:LABEL=crash -> ' "$W/rl.img.log"; then
		td_ok "$T/no-target-label-crash-wins"
	else
		td_fail "$T/no-target-label-crash-wins" "initramfs conf: $(tr '\n' '|' < "$W/x/etc/tinydump.conf")" "$W/rl.img.log"
	fi
	rm -rf "$s/proc/self" "$s/sys/dev"
}

# check_pin ROOT RELEASE SYSROOT: LABEL= pinned to UUID= (fake_sysfs has one
# ext4 vda1 labelled crash), and not when a second device has that label.
check_pin() {
	local root=$1 rel=$2 s=$3 pci=sys/devices/pci0000:00 conf
	printf '# dumps\ntarget=disk:LABEL=crash:/var/crash\nlevel=31\n' > "$W/td.conf"
	build "$root" "$rel" "$W/p.img" --sysroot "$s" > /dev/null || :
	conf=$(cat "$W/x/etc/tinydump.conf" 2>/dev/null)
	if printf '%s\n' "$conf" | grep -qx 'target=disk:UUID=5f0c3b1e-8d2a-4c6b-9e71-2a4b6c8d0e1f:/var/crash' &&
		! printf '%s\n' "$conf" | grep -q '^target=disk:LABEL' &&
		printf '%s\n' "$conf" | grep -qx 'level=31' &&
		grep -q '^pinned: disk:LABEL=crash:/var/crash -> disk:UUID=5f0c3b1e-8d2a-4c6b-9e71-2a4b6c8d0e1f:/var/crash (/dev/vda1)$' "$W/p.img.log"; then
		td_ok "$T/label-pinned-to-uuid"
	else
		td_fail "$T/label-pinned-to-uuid" "initramfs conf: $(printf '%s' "$conf" | tr '\n' '|')" "$W/p.img.log"
	fi
	build "$root" "$rel" "$W/q.img" --sysroot "$s" --no-detect --modules virtio_blk > /dev/null || :
	if [ "$(cat "$W/x/etc/tinydump.conf" 2>/dev/null)" = "$(cat "$W/td.conf")" ]; then
		td_ok "$T/no-detect-keeps-conf"
	else
		td_fail "$T/no-detect-keeps-conf" "--no-detect changed the configuration" "$W/q.img.log"
	fi
	# A USB stick labelled crash appears: vdb1.
	mkdir -p "$s/$pci/0000:00:05.0/usb1/block/vdb/vdb1"
	echo 4096 > "$s/$pci/0000:00:05.0/usb1/block/vdb/size"
	echo 2048 > "$s/$pci/0000:00:05.0/usb1/block/vdb/vdb1/size"
	echo 1 > "$s/$pci/0000:00:05.0/usb1/block/vdb/vdb1/partition"
	ln -s ../../devices/pci0000:00/0000:00:05.0/usb1/block/vdb "$s/sys/class/block/vdb"
	ln -s ../../devices/pci0000:00/0000:00:05.0/usb1/block/vdb/vdb1 "$s/sys/class/block/vdb1"
	mkfs.ext4 -q -F -L crash "$s/dev/vdb1" 1M > /dev/null 2>&1
	build "$root" "$rel" "$W/r.img" --sysroot "$s" > /dev/null || :
	if [ "$(cat "$W/x/etc/tinydump.conf" 2>/dev/null)" = "$(cat "$W/td.conf")" ] &&
		grep -q 'LABEL=crash matches 2 devices on this machine (/dev/vda1, /dev/vdb1)' "$W/r.img.log"; then
		td_ok "$T/two-labels-warned-not-pinned"
	else
		td_fail "$T/two-labels-warned-not-pinned" "conf: $(tr '\n' '|' < "$W/x/etc/tinydump.conf")" "$W/r.img.log"
	fi
	rm -rf "$s/sys/class/block/vdb" "$s/sys/class/block/vdb1" "$s/dev/vdb1"
}

kernel deb12-cloud virtio_ring virtio virtio_blk virtio_pci_legacy_dev virtio_pci_modern_dev virtio_pci
kernel deb12-generic virtio_ring virtio virtio_blk virtio_pci_legacy_dev virtio_pci_modern_dev virtio_pci \
	crc32c_generic crc16 mbcache jbd2 ext4
kernel deb13-cloud virtio_blk
check_missing
check_detect
