#!/bin/bash
# Issue 9: a stock Debian kernel, as Debian ships it, crashes in QEMU and is
# also the capture kernel. Its virtio disk driver is a module: the capture
# initramfs from `tinydump initramfs` carries it, PID 1 loads it, and the
# dump lands on a LABEL=crash ext4 virtio disk. On the host, crash (with the
# vmlinux of the matching -dbg package) and makedumpfile read the dump.
#   t_stock_disk.sh [deb12-cloud|deb13-cloud|deb12-generic] [--keep DIR]
#   (default deb12-cloud; --keep leaves the work files in DIR)
# Debian 12's crash 8.0.2 and makedumpfile 1.7.2 read 6.1 dumps; for 6.12,
# unstable's crash 9 and makedumpfile 1.7.8 run through scripts/oracle.sh.
set -eu
. "$(dirname "$0")/lib.sh"

K=deb12-cloud KEEP=
while [ $# -gt 0 ]; do
	case $1 in
	--keep) KEEP=$2; shift 2 ;;
	*) K=$1; shift ;;
	esac
done
T=stock-disk-$K
RAM=1024
CRASHKERNEL=${CRASHKERNEL:-160M}
W=$(mktemp -d /tmp/td-stock.XXXXXX)
trap '[ -z "$KEEP" ] || { mkdir -p "$KEEP" && cp -a "$W"/. "$KEEP"/; }; rm -rf "$W"' EXIT

# Readers of the dump: the host's for 6.1, unstable's for later kernels.
readers() {
	TD_STOCK_RELEASE=$S_release td_readers
	CRASH=("${TD_CRASH_TOOL[@]}") MAKEDUMPFILE=("${TD_MDF_TOOL[@]}")
}

build_initramfs() {
	mkdir -p "$W/nocerts"
	printf 'target=disk:LABEL=crash\nfinal=poweroff\n' > "$W/td.conf"
	if "$TD_ROOT/build/tinydump" initramfs --root "$S_root" --kernel-release "$S_release" \
		--no-detect --modules virtio_blk,virtio_pci,ext4 --conf "$W/td.conf" --certs "$W/nocerts" \
		--output "$W/capture.img" > "$W/initramfs.out" 2>&1 &&
		grep -q '^  virtio_blk ' "$W/initramfs.out"; then
		td_ok "$T/initramfs-has-modules"
		sed 's/^/    /' "$W/initramfs.out"
	else
		td_fail "$T/initramfs-has-modules" "tinydump initramfs failed or left virtio_blk out" "$W/initramfs.out"
		return 1
	fi
}

boot() {
	td_disk_dump "$W/dump.img" $(( RAM + 256 ))
	td_sys_conf TD_LOADER=tinydump TD_CRASH=yes TD_WL_ANON=64 TD_APPEND="tinydump.final=poweroff" > "$W/sys.conf"
	td_sys_initramfs "$W/sys.cpio.gz" "$W/sys.conf" "$W/capture.img" "$TD_ROOT/build/tinydump"
	td_qemu "$W/console.log" 600 "$RAM" "$W/sys.cpio.gz" \
		"console=ttyS0 crashkernel=$CRASHKERNEL panic=1 printk.devkmsg=on" "$W/dump.img"
	echo "$T: crash-and-capture cycle took $TD_QEMU_SECONDS s in QEMU" >&2
}

check_modules() {
	local n
	n=$(grep -c '^  [a-z0-9_]* ' "$W/initramfs.out")
	if grep -q "tinydump: modules: $n loaded, 0 not loaded" "$W/console.log"; then
		td_ok "$T/pid1-loads-modules"
	else
		td_fail "$T/pid1-loads-modules" "expected 'modules: $n loaded, 0 not loaded' on the console" "$W/console.log"
	fi
	grep -a 'tinydump: module' "$W/console.log" | sed 's/^/    /'
}

check_landed() {
	local d f
	d=$(td_guest_ls "$W/dump.img" / | awk '{print $NF}' | grep -E -- '-[0-9]{4}-[0-9]{2}-[0-9]{2}-' | head -1)
	for f in vmcore dmesg.txt tinydump.json; do
		[ -n "$d" ] && td_guest_get "$W/dump.img" "/$d/$f" "$W/$f" ||
			{ td_fail "$T/dump-lands" "no /$d/$f on the dump disk" "$W/console.log"; return 1; }
	done
	grep -q "tinydump: dump complete: /mnt/t0/$d" "$W/console.log" ||
		{ td_fail "$T/dump-lands" "no 'dump complete' console line" "$W/console.log"; return 1; }
	td_ok "$T/dump-lands"
	echo "    vmcore $(stat -c %s "$W/vmcore") bytes"
	grep -a 'tinydump: ' "$W/console.log" | grep -E 'level|pages|kept|complete' | head -5 | sed 's/^/    /'
}

check_crash() {
	local out=$W/crash.out rc
	printf 'sys\nbt\nlog\nps\nkmem -i\nquit\n' > "$W/crash.cmd"
	# Not -s: when crash gives up it may print nothing else, and its
	# progress lines then show where ("gathering task table data").
	rc=0
	timeout 600 "${CRASH[@]}" --kaslr=auto "$S_vmlinux" "$W/vmcore" < "$W/crash.cmd" > "$out" 2>&1 || rc=$?
	echo "crash exit status $rc" >> "$out"
	if grep -q 'sysrq_handle_crash' "$out" && grep -q 'sysrq: Trigger a crash' "$out" &&
		grep -qE '^>? *[0-9]+ +[0-9]+ +[0-9]+ +[0-9a-f]{16} ' "$out" &&
		grep -q 'TOTAL MEM' "$out" &&
		! grep -qE 'page excluded|read error|invalid kernel virtual address|do not match' "$out"; then
		td_ok "$T/crash-bt-log-ps-kmem"
	else
		td_fail "$T/crash-bt-log-ps-kmem" "crash did not show bt through sysrq_handle_crash, log, ps and kmem -i" "$out"
	fi
	grep -E 'RELEASE|PANIC|#[0-4] |TOTAL MEM|FREE  ' "$out" | head -12 | sed 's/^/    /'
}

check_dmesg() {
	rm -f "$W/md-dmesg.txt"
	if "${MAKEDUMPFILE[@]}" --dump-dmesg "$W/vmcore" "$W/md-dmesg.txt" > "$W/md.out" 2>&1 &&
		grep -q 'sysrq: Trigger a crash' "$W/md-dmesg.txt"; then
		td_ok "$T/makedumpfile-dump-dmesg"
	else
		td_fail "$T/makedumpfile-dump-dmesg" "makedumpfile --dump-dmesg failed or lacks the crash" "$W/md.out"
	fi
	# makedumpfile 1.7.8 adds the printk caller ("[    0.000000] [      T0] ");
	# the kernel's own console and 1.7.2 do not: compare without it.
	sed -E 's/^(\[ *[0-9]+\.[0-9]+\]) \[ *[TC][0-9]+\]/\1/' "$W/md-dmesg.txt" > "$W/md-dmesg.plain"
	if cmp -s "$W/md-dmesg.plain" "$W/dmesg.txt"; then
		td_ok "$T/dmesg-txt-equals-makedumpfile"
	else
		td_fail "$T/dmesg-txt-equals-makedumpfile" "dmesg.txt differs from makedumpfile --dump-dmesg"
	fi
}

# The level applied must be the one asked for (31); when the filter does not
# know how this kernel marks a page class, it keeps those pages and says so.
check_level() {
	local req app note
	req=$(sed -n 's/^ *"level_requested": \([0-9]*\).*/\1/p' "$W/tinydump.json")
	app=$(sed -n 's/^ *"level_applied": \([0-9]*\).*/\1/p' "$W/tinydump.json")
	note=$(sed -n 's/^ *"level_note": "\(.*\)",$/\1/p' "$W/tinydump.json")
	if [ -n "$req" ] && [ "$req" = "$app" ]; then
		td_ok "$T/level-$req-applied"
	else
		td_fail "$T/level-${req:-?}-applied" "level ${app:-?} applied: $note"
	fi
}

# Kept-page parity: makedumpfile re-filters our level-31 dump at level 31;
# if it drops any page we kept, our filter kept pages it should not. (Pages
# we dropped and it would keep show up as crash errors instead.)
check_kept() {
	local info=$TD_ROOT/build/host/tool_kdumpinfo ours theirs
	[ -x "$info" ] || make -s -C "$TD_ROOT" build/host/tool_kdumpinfo >/dev/null 2>&1 ||
		{ td_fail "$T/kept-set-survives-makedumpfile-refilter" "cannot build tool_kdumpinfo"; return; }
	rm -f "$W/md31"
	"${MAKEDUMPFILE[@]}" -d 31 "$W/vmcore" "$W/md31" > "$W/md31.out" 2>&1 ||
		{ td_fail "$T/kept-set-survives-makedumpfile-refilter" "makedumpfile -d 31 on our dump failed" "$W/md31.out"; return; }
	ours=$("$info" "$W/vmcore" | awk '$1 == "bitmap2_set" { print $2 }')
	theirs=$("$info" "$W/md31" | awk '$1 == "bitmap2_set" { print $2 }')
	rm -f "$W/md31"
	if [ -n "$ours" ] && [ "$ours" = "$theirs" ]; then
		td_ok "$T/kept-set-survives-makedumpfile-refilter"
	else
		td_fail "$T/kept-set-survives-makedumpfile-refilter" "tinydump kept ${ours:-?} pages; $("${MAKEDUMPFILE[@]}" -v 2>&1 | head -1 | cut -c1-40) keeps ${theirs:-?} of them at level 31"
	fi
}

# drgn (Debian 12's) finds the crashed thread and its stack in our dump,
# with the -dbg vmlinux.
check_drgn() {
	if td_drgn_trace "$W/vmcore" "$S_vmlinux" "$W/drgn.out"; then
		td_ok "$T/drgn-crashed-thread"
	elif grep -q 'unknown ORC entry type' "$W/drgn.out" && grep -q '^crashed thread: pid' "$W/drgn.out" &&
		grep -qx "release: $S_release" "$W/drgn.out"; then
		# The dump reads (release, the crashed task); the unwinder is drgn's.
		td_skip "$T/drgn-crashed-thread" "drgn $(dpkg-query -W -f='${Version}' python3-drgn 2>/dev/null) reads this dump (release, $(grep -m1 '^crashed thread' "$W/drgn.out")) but cannot unwind $S_release's ORC data ('unknown ORC entry type'); that needs a newer drgn"
	else
		td_fail "$T/drgn-crashed-thread" "drgn's crashed_thread().stack_trace() lacks sysrq_handle_crash" "$W/drgn.out"
	fi
	sed -n '1,4p' "$W/drgn.out" | sed 's/^/    /'
}

main() {
	td_stock "$T" "$K" "$W"
	TD_BZIMAGE=$S_vmlinuz
	readers
	[ -x "$TD_ROOT/build/tinydump" ] || { td_fail "$T/build" "build/tinydump missing: run make"; exit 1; }
	build_initramfs || exit 1
	boot
	check_modules
	check_landed || exit 1
	check_crash
	check_drgn
	check_dmesg
	check_level
	check_kept
}

main
