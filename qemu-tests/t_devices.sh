#!/bin/bash
# Block-device discovery (init/devices.c) and target mounts (init/sys.c)
# in the test kernel, against disks made on the host; the expected UUIDs
# and PARTUUIDs come from blkid and sfdisk, not from our code:
#   vda  whole-disk ext4, LABEL=crash
#   vdb  GPT: vdb1 ext4 LABEL=gptfs, vdb2 no filesystem
#   vdc  MBR (disk id 0x1234abcd): vdc1 ext4 LABEL=mbrfs
# Cases: label, uuid (upper case), gpt-label, gpt-partuuid, mbr-partuuid,
# devname, notfound (error lists what was seen, after the timeout),
# mount (write a file, found on the host), mount-nofs, gpt-partuuid-nofs.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
. "$here/netlib.sh"
T=t_devices
W=$(mktemp -d /tmp/t_devices.XXXXXX)
[ -n "${TD_KEEP:-}" ] && echo "    keeping $W" || trap 'rm -rf "$W"' EXIT

mkfs() { rm -f "$2" && truncate -s "$3" "$2" && mke2fs -q -F -t ext4 -L "$1" -N 64 -E lazy_itable_init=0,lazy_journal_init=0 "$2"; }

make_disks() {
	td_disk_dump "$W/a.img" 16
	truncate -s 32M "$W/b.img"
	printf 'label: gpt\nstart=2048, size=16384\nsize=8192\n' | sfdisk -q "$W/b.img" >/dev/null
	mkfs gptfs "$W/p.img" 8M
	dd if="$W/p.img" of="$W/b.img" bs=512 seek=2048 conv=notrunc status=none
	head -c 4194304 /dev/zero | dd of="$W/b.img" bs=512 seek=18432 conv=notrunc status=none
	truncate -s 16M "$W/c.img"
	printf 'label: dos\nlabel-id: 0x1234abcd\nstart=2048, type=83\n' | sfdisk -q "$W/c.img" >/dev/null
	mkfs mbrfs "$W/p.img" 7M
	dd if="$W/p.img" of="$W/c.img" bs=512 seek=2048 conv=notrunc status=none
	UUID_A=$(blkid -p -o value -s UUID "$W/a.img")
	PU_B1=$(sfdisk --part-uuid "$W/b.img" 1)
	PU_B2=$(sfdisk --part-uuid "$W/b.img" 2)
	PU_C1=$(blkid -p -o value -s PTUUID "$W/c.img")-01
	[ -n "$UUID_A" ] && [ -n "$PU_B1" ] && [ -n "$PU_B2" ] && [ "$PU_C1" = 1234abcd-01 ] ||
		{ td_fail $T "host tools gave no UUIDs: '$UUID_A' '$PU_B1' '$PU_B2' '$PU_C1'"; exit 0; }
}

up() { printf %s "$1" | tr a-f A-F; }

# want NAME N VALUE: marker find.N or mountfs.N must be VALUE (or match it
# as a glob when VALUE contains '*').
want() {
	local got
	got=$(td_marker "$log" "$2") || { td_fail "$T.$1" "no $2 marker" "$log"; return 1; }
	# shellcheck disable=SC2053
	[[ "$got" == $3 ]] || { td_fail "$T.$1" "$2 is '$got', want '$3'" "$log"; return 1; }
}

td_kernel
make_disks
# More words than the kernel passes to init: they go in /etc/systool.cmds.
echo "find LABEL=crash 0 + find UUID=$(up "$UUID_A") 0 +
 find LABEL=gptfs 0 + find PARTUUID=$PU_B1 0 + find PARTUUID=$PU_C1 0 + find /dev/vdc1 0 +
 find LABEL=nothere 1 + mountfs /dev/vdb1 /mnt + mountfs /dev/vdb2 /mnt2 +
 find PARTUUID=$(up "$PU_B2") 0" > "$W/cmds"
TD_NET_INITRD=$W/sys.cpio.gz
td_systool_initramfs "$TD_NET_INITRD" "$W/cmds"
log=$W/devices.log
td_qemu_net "$log" 120 none "" "$W/a.img" "$W/b.img" "$W/c.img"

want label find.1 /dev/vda && td_ok $T.label
want uuid find.2 /dev/vda && td_ok $T.uuid
want gpt-label find.3 /dev/vdb1 && td_ok $T.gpt-label
want gpt-partuuid find.4 /dev/vdb1 && td_ok $T.gpt-partuuid
want mbr-partuuid find.5 /dev/vdc1 && td_ok $T.mbr-partuuid
want devname find.6 /dev/vdc1 && td_ok $T.devname
if want notfound find.7 "error LABEL=nothere not found after 1 s; block devices seen: vda (ext4 LABEL=crash), vdb (GPT partition table), vdb1 (ext4 LABEL=gptfs), vdb2 (no filesystem), vdc (MBR partition table), vdc1 (ext4 LABEL=mbrfs)"; then
	ms=$(td_marker "$log" find-ms.7)
	if [ "$ms" -ge 1000 ] && [ "$ms" -lt 5000 ] && grep -aq 'tinydump: waiting up to 1 s for LABEL=nothere' "$log"; then
		td_ok $T.notfound
	else
		td_fail $T.notfound "waited $ms ms for a 1 s timeout, or no 'waiting' line" "$log"
	fi
fi
if want mount mountfs.8 "ok /dev/vdb1"; then
	dd if="$W/b.img" of="$W/p1.img" bs=512 skip=2048 count=16384 status=none
	got=$(debugfs -R "cat /systool.txt" "$W/p1.img" 2>/dev/null)
	if [ "$got" = /dev/vdb1 ]; then td_ok $T.mount
	else td_fail $T.mount "file on the host's copy of vdb1 holds '$got'" "$log"; fi
fi
want mount-nofs mountfs.9 "error mounting /dev/vdb2: */dev/vdb2: no ext2/3/4 filesystem*" && td_ok $T.mount-nofs
want gpt-partuuid-nofs find.10 /dev/vdb2 && td_ok $T.gpt-partuuid-nofs
