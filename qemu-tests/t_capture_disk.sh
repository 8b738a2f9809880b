#!/bin/bash
# Issue 2 end to end: a kernel crashed in QEMU becomes a dump on a local
# disk that crash, makedumpfile and drgn open. One crash serves every check;
# then a second run with a malformed option and a first target that never
# appears must still land the dump on the second target.
#   t_capture_disk.sh [--keep DIR]   (make demo keeps the work directory)
set -eu
. "$(dirname "$0")/lib.sh"

T=e2e-disk
RAM=1024
CRASHKERNEL=${CRASHKERNEL:-40M}
W=$(mktemp -d /tmp/td-e2e.XXXXXX)
KEEP=
[ "${1:-}" = --keep ] && KEEP=$2
trap '[ -n "$KEEP" ] || rm -rf "$W"' EXIT

# boot NAME CAPTURE_APPEND: crash the system kernel with tinydump loaded.
boot() {
	local name=$1 append=$2
	td_sys_conf TD_LOADER=tinydump TD_CRASH=yes TD_WL_ANON=64 TD_APPEND="$append" > "$W/$name.conf"
	td_sys_initramfs "$W/$name-sys.cpio.gz" "$W/$name.conf" "$W/capture.cpio.gz" "$TD_ROOT/build/tinydump"
	td_qemu "$W/$name.log" 300 "$RAM" "$W/$name-sys.cpio.gz" \
		"console=ttyS0 crashkernel=$CRASHKERNEL panic=1 printk.devkmsg=on" "$W/data.img" "$W/dump.img"
}

# dumpdir IMG: the one dump directory on the disk's root.
dumpdir() {
	td_guest_ls "$1" / | awk '{print $NF}' | grep -E -- '-[0-9]{4}-[0-9]{2}-[0-9]{2}-' | head -1
}

fetch() {
	local d=$1 f
	for f in dmesg.txt vmcore tinydump.json; do
		td_guest_get "$W/dump.img" "/$d/$f" "$W/$f" || return 1
	done
}

check_landed() {
	local d
	grep -q 'elfcorehdr=' "$W/main.log" || { td_fail $T/capture-kernel-boots "no elfcorehdr= on the console" "$W/main.log"; return 1; }
	td_ok $T/capture-kernel-boots
	d=$(dumpdir "$W/dump.img")
	if [ -z "$d" ] || ! fetch "$d"; then
		td_fail $T/dump-lands "no complete dump directory on the disk" "$W/main.log"
		return 1
	fi
	if td_guest_ls "$W/dump.img" "/$d" | grep -q vmcore.incomplete; then
		td_fail $T/dump-lands "vmcore.incomplete left next to vmcore"
		return 1
	fi
	grep -q "tinydump: dump complete: /mnt/t0/$d" "$W/main.log" ||
		{ td_fail $T/dump-lands "no 'dump complete' console line for $d" "$W/main.log"; return 1; }
	td_ok $T/dump-lands
	echo "$d" > "$W/dirname"
}

check_crash() {
	local out=$W/crash.out
	printf 'sys\nbt\nlog\nps\nquit\n' > "$W/crash.cmd"
	timeout 300 crash --kaslr=auto -s "$TD_VMLINUX" "$W/vmcore" < "$W/crash.cmd" > "$out" 2>&1 || :
	if grep -q 'sysrq_handle_crash' "$out" && grep -q 'sysrq: Trigger a crash' "$out" &&
		grep -q 'PANIC: "Kernel panic - not syncing: sysrq triggered crash"' "$out" &&
		grep -qE '^>? *[0-9]+ +[0-9]+ +[0-9]+ +[0-9a-f]{16} ' "$out" &&
		! grep -qE 'page excluded|read error|invalid kernel virtual address' "$out"; then
		td_ok $T/crash-bt-log-sys-ps
	else
		td_fail $T/crash-bt-log-sys-ps "crash did not show the sysrq backtrace, log, sys and ps" "$out"
	fi
}

# The dump's log must hold the kernel lines the crashed system printed on
# its console, in order, up to and including the sysrq line.
check_dmesg() {
	local m=$W/md-dmesg.txt
	rm -f "$m"
	if ! makedumpfile --dump-dmesg "$W/vmcore" "$m" > "$W/md.out" 2>&1; then
		td_fail $T/makedumpfile-dmesg "makedumpfile --dump-dmesg failed" "$W/md.out"
		return
	fi
	sed -n '1,/sysrq: Trigger a crash/p' "$W/main.log" | grep -aE '^\[ *[0-9]+\.[0-9]{6}\] ' |
		tail -n 30 > "$W/console-tail.txt"
	if [ "$(wc -l < "$W/console-tail.txt")" -lt 10 ]; then
		td_fail $T/makedumpfile-dmesg "too few kernel lines on the console to compare" "$W/main.log"
	elif ! grep -qF -f "$W/console-tail.txt" "$m" ||
		[ "$(grep -cxF -f "$W/console-tail.txt" "$m")" -lt "$(wc -l < "$W/console-tail.txt")" ]; then
		td_fail $T/makedumpfile-dmesg "console lines missing from the dump's log" "$W/console-tail.txt"
	else
		td_ok $T/makedumpfile-dmesg
	fi
	if cmp -s "$m" "$W/dmesg.txt"; then
		td_ok $T/dmesg-txt-equals-makedumpfile
	else
		td_fail $T/dmesg-txt-equals-makedumpfile "dmesg.txt differs from makedumpfile --dump-dmesg"
	fi
}

check_drgn() {
	if td_drgn_trace "$W/vmcore" "$TD_VMLINUX" "$W/drgn.out"; then
		td_ok $T/drgn-stack-trace
	else
		td_fail $T/drgn-stack-trace "drgn's crashed_thread().stack_trace() lacks sysrq_handle_crash" "$W/drgn.out"
	fi
}

# tinydump.json against the file itself: counts from the bitmaps and the
# descriptors (tool_kdumpinfo), the byte count against the size, levels.
check_json() {
	local info=$W/kdumpinfo.txt
	"$TD_ROOT/build/host/tool_kdumpinfo" "$W/vmcore" > "$info" 2>&1 || {
		td_fail $T/json-matches-file "tool_kdumpinfo failed" "$info"; return; }
	/usr/bin/python3 - "$W/tinydump.json" "$info" "$(stat -c %s "$W/vmcore")" > "$W/json.out" 2>&1 <<'EOF'
import json, sys
j = json.load(open(sys.argv[1]))
info = dict(l.split(None, 1) for l in open(sys.argv[2]) if len(l.split(None, 1)) == 2)
num = lambda k: int(info[k].split()[0])
size = int(sys.argv[3])
errs = []
def want(what, a, b):
    if a != b: errs.append("%s: json %r, file %r" % (what, a, b))
want("bytes_written", j["bytes_written"], size)
want("pages.kept", j["pages"]["kept"], num("bitmap2_set"))
want("pages.zero", j["pages"]["zero"], num("zero_desc"))
want("pages.total", j["pages"]["total"], num("bitmap1_set"))
want("desc_errors", num("desc_errors"), 0)
want("level_applied", j["level_applied"], num("dump_level"))
want("complete", j["complete"], True)
excluded = sum(j["pages"][k] for k in ("cache", "cache_private", "user", "free", "hwpoison", "offline"))
want("kept + excluded", j["pages"]["kept"] + excluded, j["pages"]["total"])
want("level_requested", j["level_requested"], 31)
for k in ("version", "kernel_release", "node", "crash_time", "target", "format", "seconds", "attempts", "warnings"):
    if k not in j: errs.append("missing key " + k)
print("\n".join(errs) or "consistent")
sys.exit(1 if errs else 0)
EOF
	if [ $? = 0 ]; then td_ok $T/json-matches-file; else td_fail $T/json-matches-file "tinydump.json disagrees with the dump" "$W/json.out"; fi
}

# Malformed option + a first target that never appears: the dump must land
# on the second target and the console must name both problems.
check_fallback() {
	local n=fallback
	td_disk_dump "$W/dump.img" 512
	boot $n "tinydump.level=3x tinydump.timeout=3 tinydump.target=disk:LABEL=missing tinydump.target=disk:LABEL=crash tinydump.final=poweroff"
	local d
	d=$(dumpdir "$W/dump.img")
	if [ -n "$d" ] && td_guest_get "$W/dump.img" "/$d/vmcore" "$W/fb-vmcore" &&
		td_guest_get "$W/dump.img" "/$d/tinydump.json" "$W/fb.json" &&
		grep -q '"LABEL=missing\|disk:LABEL=missing' "$W/fb.json"; then
		td_ok $T/fallback-second-target
	else
		td_fail $T/fallback-second-target "no dump on the second target (or attempts not recorded)" "$W/$n.log"
	fi
	if grep -q 'tinydump: config: .*tinydump.level=3x' "$W/$n.log" &&
		grep -q 'tinydump: target disk:LABEL=missing failed: .*LABEL=missing' "$W/$n.log"; then
		td_ok $T/fallback-console-names-problems
	else
		td_fail $T/fallback-console-names-problems "console does not name the bad option and the missing device" "$W/$n.log"
	fi
}

main() {
	td_kernel
	"$TD_ROOT/initramfs/build.sh" "$TD_ROOT/build/tinydump" "$W/capture.cpio.gz" > "$W/initramfs.out"
	td_disk_data "$W/data.img"
	td_disk_dump "$W/dump.img" 512
	boot main "tinydump.final=poweroff"
	echo "e2e: crash-and-capture cycle took $TD_QEMU_SECONDS s in QEMU" >&2
	if check_landed; then
		check_crash
		check_dmesg
		check_drgn
		check_json
	fi
	[ -z "$KEEP" ] || { mkdir -p "$KEEP"; cp -a "$W"/. "$KEEP"/; }
	[ -n "${TD_DEMO:-}" ] || check_fallback
}
main
