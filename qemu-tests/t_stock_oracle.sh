#!/bin/bash
# Issue 11: the page filter checked against the crashed kernel's own verdict
# of every page, on a stock Debian kernel (default: unstable's, 7.2).
#   t_stock_oracle.sh [sid-cloud|deb13-cloud|deb12-cloud] [--keep DIR]
# qemu-tests/kmod/pageoracle, built against the kernel's headers package
# (scripts/kmod.sh), is loaded in the crashing system once the capture
# kernel is loaded: it records the kernel's classes of every pfn and panics.
# The capture kernel (tinydump, modules from the stock package) writes a
# level-0 ELF dump to disk. On the host, qemu-tests/pageoracle.py reads the
# record out of that dump, applies makedumpfile's level-31 rules to the
# kernel's verdicts, and compares the pages kept (and the zero pages) with
# `tinydump capture --level 31` on the same dump, and with makedumpfile's
# (1.7.2 for 6.1, unstable's 1.7.8 after: lib.sh td_readers). A planted
# error (free pages kept, slab pages dropped) must make the comparison fail.
# crash opens tinydump's level-31 dump with the -dbg vmlinux.
# docs/ORACLE.md says how the oracle works and what it found.
set -eu
. "$(dirname "$0")/lib.sh"

K=sid-cloud KEEP=
while [ $# -gt 0 ]; do
	case $1 in
	--keep) KEEP=$2; shift 2 ;;
	*) K=$1; shift ;;
	esac
done
T=stock-oracle-$K
RAM=1024
W=$(mktemp -d /tmp/td-oracle.XXXXXX)
trap '[ -z "$KEEP" ] || { mkdir -p "$KEEP" && cp -a "$W"/. "$KEEP"/; }; rm -rf "$W"' EXIT
INFO=$TD_ROOT/build/host/tool_kdumpinfo

module() {
	[ "$(id -u)" = 0 ] || { td_skip "$T" "building the module needs root (debootstrap, chroot)"; exit 0; }
	if KO=$("$TD_ROOT/scripts/kmod.sh" "$K" "$TD_ROOT/qemu-tests/kmod/pageoracle" 2> "$W/kmod.err"); then
		td_ok "$T/module-builds"
		echo "    $(modinfo -F vermagic "$KO" 2>/dev/null || echo "$KO")"
	else
		td_fail "$T/module-builds" "scripts/kmod.sh $K failed" "$W/kmod.err"
		exit 0
	fi
}

# The crashing system: busybox sh as /init loads the capture kernel, then
# insmods the oracle, which panics. The module rides in a second cpio
# appended to the system's initramfs (the kernel unpacks both).
boot() {
	local append="tinydump.level=0 tinydump.format=elf tinydump.final=poweroff"
	mkdir -p "$W/nocerts"
	printf 'target=disk:LABEL=crash\n' > "$W/td.conf"
	"$TD_ROOT/build/tinydump" initramfs --root "$S_root" --kernel-release "$S_release" --no-detect \
		--modules virtio_blk,virtio_pci,ext4 --conf "$W/td.conf" --certs "$W/nocerts" \
		--output "$W/capture.img" > "$W/initramfs.out" 2>&1 ||
		{ td_fail "$T/initramfs" "tinydump initramfs failed" "$W/initramfs.out"; exit 0; }
	# From 6.12 on the workload's own MADV_HWPOISON gets it a SIGBUS ("Memory
	# failure: ...: Sending SIGBUS to workload"), and its anonymous memory is
	# free by the crash; a shell holding a 16 MiB string keeps anonymous
	# pages alive for the oracle to judge.
	td_sys_conf TD_LOADER=none TD_CRASH=no TD_WL_ANON=64 TD_BEFORE_LOAD="
		( big=\$(busybox head -c 16777216 /dev/zero | busybox tr '\\000' a); : > /tmp/held
		  while :; do sleep 1000; done ) &
		n=0; while [ ! -e /tmp/held ] && [ \$n -lt 120 ]; do sleep 1; n=\$((n + 1)); done
		mark \"oracle-anon-held \$n s\"
		/bin/tinydump load --kernel /boot/bzImage --initrd /boot/capture.cpio.gz --append '$append'
		mark \"oracle-load-rc \$?\"; sync; mark oracle-insmod
		/bin/busybox insmod /lib/pageoracle.ko; mark \"oracle-insmod-returned \$?\"" > "$W/sys.conf"
	TD_BZIMAGE=$S_vmlinuz td_sys_initramfs "$W/sys.cpio.gz" "$W/sys.conf" "$W/capture.img" "$TD_ROOT/build/tinydump"
	printf 'dir /lib 0755 0 0\nfile /lib/pageoracle.ko %s 0644 0 0\n' "$KO" > "$W/ko.spec"
	"$TD_ROOT/build/mkcpio" < "$W/ko.spec" | gzip -n -1 >> "$W/sys.cpio.gz"
	td_disk_dump "$W/dump.img" $(( RAM + 256 ))
	TD_BZIMAGE=$S_vmlinuz td_qemu "$W/console.log" 1200 "$RAM" "$W/sys.cpio.gz" \
		"console=ttyS0 crashkernel=160M panic=1 printk.devkmsg=on" "$W/dump.img"
	echo "$T: crash-and-capture cycle took $TD_QEMU_SECONDS s in QEMU" >&2
}

# PID 1 of the capture kernel loaded every module tinydump initramfs packed.
check_modules() {
	local n
	n=$(grep -c '^  [a-z0-9_]* ' "$W/initramfs.out")
	if grep -aq "tinydump: modules: $n loaded, 0 not loaded" "$W/console.log"; then
		td_ok "$T/pid1-loads-modules"
		grep -a 'tinydump: module' "$W/console.log" | sed 's/^/    /'
	else
		td_fail "$T/pid1-loads-modules" "expected 'modules: $n loaded, 0 not loaded' on the console" "$W/console.log"
	fi
}

# The record's line, and the panic the module caused.
check_record() {
	local line
	line=$(grep -a -m1 'pageoracle: record phys 0x' "$W/console.log" || :)
	read -r PHYS BYTES <<< "$(sed -n 's/.*record phys \(0x[0-9a-f]*\) bytes \([0-9]*\) .*/\1 \2/p' <<< "$line")"
	if [ -n "${PHYS:-}" ] && grep -aq 'Kernel panic - not syncing: pageoracle: [0-9]* pfns recorded' "$W/console.log" &&
		[ "$(td_marker "$W/console.log" oracle-load-rc)" = 0 ]; then
		td_ok "$T/module-records-and-panics"
		echo "    ${line#*] }"
	else
		td_fail "$T/module-records-and-panics" "no record line or no pageoracle panic after a good load" "$W/console.log"
		exit 0
	fi
}

check_landed() {
	local d
	d=$(td_guest_names "$W/dump.img" / | head -1)
	if [ -n "$d" ] && td_guest_get "$W/dump.img" "/$d/vmcore" "$W/vmcore" &&
		grep -aq "tinydump: dump complete: /mnt/t0/$d" "$W/console.log"; then
		td_ok "$T/level-0-elf-lands"
		echo "    level-0 ELF vmcore: $(stat -c %s "$W/vmcore") bytes"
	else
		td_fail "$T/level-0-elf-lands" "no complete level-0 dump on the disk" "$W/console.log"
		exit 0
	fi
}

# pfnsets FILE NAME : NAME.kept and NAME.zero, the kept and zero-page runs.
pfnsets() {
	"$INFO" "$1" --pfns > "$W/$2.kept" && "$INFO" "$1" --zero-pfns > "$W/$2.zero"
}

# compare NAME OUT [ARGS] : the oracle against NAME's sets, the report in
# W/OUT; 0 when they are equal.
compare() {
	local name=$1 out=$2
	shift 2
	/usr/bin/python3 "$TD_ROOT/qemu-tests/pageoracle.py" "$W/vmcore" "$PHYS" "$BYTES" \
		"$W/$name.kept" "$W/$name.zero" "$@" > "$W/$out" 2>&1
}

check_tinydump() {
	"$TD_ROOT/build/tinydump" capture --input "$W/vmcore" --output "$W/td31" --level 31 > "$W/td31.log" 2>&1 &&
		pfnsets "$W/td31" td ||
		{ td_fail "$T/oracle-equals-tinydump" "tinydump capture --level 31 on the level-0 dump failed" "$W/td31.log"; return; }
	if compare td oracle-td.out; then
		td_ok "$T/oracle-equals-tinydump"
	else
		td_fail "$T/oracle-equals-tinydump" "the kept or zero pages differ" "$W/oracle-td.out"
	fi
	sed 's/^/    /' "$W/oracle-td.out" | grep -v '^     '
	echo "    tinydump level 31: $(stat -c %s "$W/td31") bytes"
	# The same comparison on a planted error must fail, naming each page.
	if ! compare td oracle-planted.out --plant 40 && grep -qx 'kept only by the oracle: 40' "$W/oracle-planted.out" &&
		grep -qx 'kept only by the filter: 40' "$W/oracle-planted.out"; then
		td_ok "$T/oracle-catches-planted-errors"
	else
		td_fail "$T/oracle-catches-planted-errors" "40 free pages kept and 40 slab pages dropped went unseen" "$W/oracle-planted.out"
	fi
}

# makedumpfile, the second witness. Before 1.7.10 it reads no
# page.compound_info: on 7.1 and later it keeps tails of dropped folios
# (docs/KERNELS.md), which the comparison then counts apart.
check_makedumpfile() {
	local ver tails= name
	TD_STOCK_RELEASE=$S_release td_readers
	ver=$("${TD_MDF_TOOL[@]}" -v 2>&1 | sed -n 's/^makedumpfile: version \([0-9.]*\).*/\1/p' | head -1)
	name=oracle-equals-makedumpfile-$ver
	case $S_release in 6.*) ;; *) tails=--tails-ok name=makedumpfile-$ver-differs-only-on-tails ;; esac
	"${TD_MDF_TOOL[@]}" -c -d 31 "$W/vmcore" "$W/md31" > "$W/md31.log" 2>&1 && pfnsets "$W/md31" md ||
		{ td_fail "$T/$name" "makedumpfile $ver -d 31 failed" "$W/md31.log"; return; }
	if compare md oracle-md.out $tails; then
		td_ok "$T/$name"
	else
		td_fail "$T/$name" "the kept or zero pages differ" "$W/oracle-md.out"
	fi
	sed 's/^/    /' "$W/oracle-md.out" | grep -v '^     '
	"$TD_ROOT/build/tinydump" capture --input "$W/vmcore" --output "$W/tx31" --level 31 --compress zlib-exact \
		> "$W/tx31.log" 2>&1 || :
	cmp -s "$W/tx31" "$W/md31" && echo "    tinydump's level-31 file with --compress zlib-exact is byte-identical to makedumpfile $ver's" ||
		echo "    tinydump's level-31 file with --compress zlib-exact: $(stat -c %s "$W/tx31" 2>/dev/null) bytes, not makedumpfile $ver's"
	echo "    level-31 sizes: tinydump $(stat -c %s "$W/td31") bytes (its own deflate), makedumpfile $ver $(stat -c %s "$W/md31")"
	rm -f "$W/tx31"
}

# crash_reads OUT [OPTION] : crash runs sys, bt, log, ps and kmem -i on
# tinydump's level-31 dump; 0 when bt goes through panic, the log has the
# module's panic, and ps and kmem -i print, with no read errors.
crash_reads() {
	local out=$1 rc=0
	shift
	timeout 600 "${TD_CRASH_TOOL[@]}" "$@" --kaslr=auto "$S_vmlinux" "$W/td31" < "$W/crash.cmd" > "$out" 2>&1 || rc=$?
	echo "crash exit status $rc" >> "$out"
	grep -q 'Kernel panic - not syncing: pageoracle: [0-9]* pfns recorded' "$out" &&
		grep -qE '^ *#[0-9]+ .* v?panic at ' "$out" &&
		grep -qE '^>? *[0-9]+ +[0-9]+ +[0-9]+ +[0-9a-f]{16} ' "$out" && grep -q 'TOTAL MEM' "$out" &&
		! grep -qE 'page excluded|read error|invalid kernel virtual address|do not match' "$out"
}

# crash 9.0.2 stops on 7.2 at the module list ("invalid structure member
# offset: module_num_gpl_syms"): that is a skip with crash's words, and the
# same commands run again with --no_modules.
check_crash() {
	local ver why
	ver=$("${TD_CRASH_TOOL[@]}" --version 2>/dev/null | awk 'NF { print $2; exit }')
	printf 'sys\nbt\nlog\nps\nkmem -i\nquit\n' > "$W/crash.cmd"
	if crash_reads "$W/crash.out"; then
		td_ok "$T/crash-bt-log-ps-kmem"
		grep -E 'RELEASE|PANIC|#[0-4] |TOTAL MEM|FREE  ' "$W/crash.out" | head -12 | sed 's/^/    /'
		return
	fi
	why=$(grep -m1 -E '^crash: ' "$W/crash.out" | cut -c1-160)
	[ -n "$why" ] || why=$(grep -m1 -iE 'error|invalid|cannot' "$W/crash.out" | cut -c1-160)
	if grep -q 'PANIC:' "$W/crash.out"; then
		td_fail "$T/crash-bt-log-ps-kmem" "crash $ver did not show bt through panic, log, ps and kmem -i" "$W/crash.out"
		return
	fi
	td_skip "$T/crash-bt-log-ps-kmem" "crash $ver cannot open $S_release: ${why:-no session}"
	if crash_reads "$W/crash-nomod.out" --no_modules; then
		td_ok "$T/crash-no-modules-bt-log-ps-kmem"
	else
		td_fail "$T/crash-no-modules-bt-log-ps-kmem" "crash $ver --no_modules did not show bt, log, ps and kmem -i" "$W/crash-nomod.out"
	fi
	grep -E 'RELEASE|PANIC|#[0-4] |TOTAL MEM|FREE  ' "$W/crash-nomod.out" | head -12 | sed 's/^/    /'
}

main() {
	td_stock "$T" "$K" "$W"
	[ -x "$TD_ROOT/build/tinydump" ] || { td_fail "$T/build" "build/tinydump missing: run make"; exit 1; }
	[ -x "$INFO" ] && [ -x "$TD_ROOT/build/mkcpio" ] ||
		make -s -C "$TD_ROOT" build/host/tool_kdumpinfo build/mkcpio >/dev/null ||
		{ td_fail "$T/build" "cannot build tool_kdumpinfo and mkcpio"; exit 1; }
	module
	boot
	check_record
	check_modules
	check_landed
	check_tinydump
	check_makedumpfile
	check_crash
}

main
