#!/bin/sh
# /init of the test-only capture initramfs used by save-vmcore.sh (busybox
# sh, PID 1 of the capture kernel): copy /proc/vmcore with plain `cp` to the
# ext4 disk labelled "crash", with the capture kernel's dmesg, then end the
# VM. Nothing of tinydump is involved, so the saved vmcore does not depend on
# the code under test.
export PATH=/bin
mark() { echo "TD-MARK $*"; }
leave() {
	printf "\\$(printf %o "$1")" | dd of=/dev/port bs=1 seek=244 count=1 2>/dev/null
	poweroff -f
}

mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
mark "capture-init vmcore $(stat -c %s /proc/vmcore 2>/dev/null)"
dev=$(findfs LABEL=crash 2>/dev/null) || dev=/dev/vdb
mount -t ext4 "$dev" /mnt || { mark "capture-failed mounting $dev"; leave 3; }
t0=$(date +%s)
if cp /proc/vmcore /mnt/vmcore && sync; then
	mark "vmcore-copied $(stat -c %s /mnt/vmcore) bytes in $(( $(date +%s) - t0 )) s"
else
	mark "capture-failed cp /proc/vmcore"
fi
dmesg > /mnt/capture-dmesg.txt
umount /mnt && mark umounted
leave 2
