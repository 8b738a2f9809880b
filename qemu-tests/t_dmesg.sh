#!/bin/bash
# tinydump dmesg against makedumpfile --dump-dmesg (1.7.2), the real
# oracle, on a real /proc/vmcore copy (see save-vmcore.sh). Byte-identical
# output from: the ELF vmcore; our kdump and filtered ELF files (and
# makedumpfile reading them gives the same); makedumpfile's kdump files
# (zlib, LZO, uncompressed); flattened files (ours, makedumpfile -F). A
# clear failure for a cut flattened file.
set -eu
. "$(dirname "$0")/lib.sh"
T=dmesg
TD=$TD_ROOT/build/tinydump
V=$("$TD_ROOT/qemu-tests/save-vmcore.sh" 1024 2>/dev/null | tail -1) || :
if [ -z "$V" ] || [ ! -f "$V/vmcore" ]; then
	td_fail $T/saved-vmcore "save-vmcore.sh produced no vmcore"
	exit 0
fi
if ! command -v makedumpfile >/dev/null; then
	td_skip $T/makedumpfile-parity "makedumpfile not installed"
	exit 0
fi
W=$(mktemp -d /tmp/td-dmesg.XXXXXX)
trap 'rm -rf "$W"' EXIT

# same NAME WANT GOT LOG: ok if both files exist, are non-empty and equal.
same() {
	if [ -s "$2" ] && [ -s "$3" ] && cmp -s "$2" "$3"; then
		td_ok "$T/$1"
	else
		td_fail "$T/$1" "$(basename "$3") differs from $(basename "$2"): $(cmp "$2" "$3" 2>&1 | head -1)" "$4"
	fi
}

# md_dmesg FILE OUT: makedumpfile --dump-dmesg (it refuses an existing OUT).
md_dmesg() { rm -f "$2"; makedumpfile --dump-dmesg "$1" "$2" >> "$W/md.log" 2>&1 || :; }

md_dmesg "$V/vmcore" "$W/ref.txt"
"$TD" dmesg "$V/vmcore" > "$W/elf.txt" 2> "$W/elf.log" || :
same elf-vmcore-identical-to-makedumpfile "$W/ref.txt" "$W/elf.txt" "$W/elf.log"
if grep -q 'sysrq: Trigger a crash' "$W/elf.txt" 2>/dev/null; then
	td_ok $T/log-ends-with-the-crash
else
	td_fail $T/log-ends-with-the-crash "no 'sysrq: Trigger a crash' line in the extracted log"
fi

# Our kdump file: tinydump and makedumpfile must both read the same log.
"$TD" capture --input "$V/vmcore" --output "$W/td31" --level 31 > "$W/cap.log" 2>&1 || :
"$TD" dmesg "$W/td31" > "$W/td31.txt" 2> "$W/td31.log" || :
md_dmesg "$W/td31" "$W/td31.md.txt"
same our-kdump-tinydump-dmesg "$W/ref.txt" "$W/td31.txt" "$W/td31.log"
same our-kdump-makedumpfile-dmesg "$W/ref.txt" "$W/td31.md.txt" "$W/md.log"

# Our filtered ELF file, likewise.
"$TD" capture --input "$V/vmcore" --output "$W/td31.elf" --format elf --level 31 > "$W/cap.log" 2>&1 || :
"$TD" dmesg "$W/td31.elf" > "$W/td31.elf.txt" 2> "$W/td31.elf.log" || :
md_dmesg "$W/td31.elf" "$W/td31.elf.md.txt"
same our-elf-tinydump-dmesg "$W/ref.txt" "$W/td31.elf.txt" "$W/td31.elf.log"
same our-elf-makedumpfile-dmesg "$W/ref.txt" "$W/td31.elf.md.txt" "$W/md.log"
rm -f "$W/td31.elf"

# verify NAME FILE: the kdump reader gives every dumpable page of FILE
# exactly as the vmcore has it (tool_kdumpinfo --verify).
INFO=$TD_ROOT/build/host/tool_kdumpinfo
verify() {
	if [ ! -x "$INFO" ]; then
		td_skip "$T/$1-pages-match-vmcore" "build/host/tool_kdumpinfo not built"
	elif "$INFO" "$2" --verify "$V/vmcore" > "$W/$1.verify" 2>&1; then
		td_ok "$T/$1-pages-match-vmcore"
	else
		td_fail "$T/$1-pages-match-vmcore" "$(grep -m1 'verify_first\|tool_kdumpinfo:' "$W/$1.verify")"
	fi
}
verify our-kdump "$W/td31"

# makedumpfile's kdump files: zlib (-c), LZO (-l) and uncompressed.
for f in "c -d 31:md-zlib31" "l -d 31:md-lzo31" "d 1:md-raw1"; do
	opt=${f%%:*} name=${f#*:}
	makedumpfile -$opt "$V/vmcore" "$W/$name" > "$W/$name.mk.log" 2>&1 || :
	"$TD" dmesg "$W/$name" > "$W/$name.txt" 2> "$W/$name.log" || :
	same "makedumpfile-$name-tinydump-dmesg" "$W/ref.txt" "$W/$name.txt" "$W/$name.log"
	verify "makedumpfile-$name" "$W/$name"
	rm -f "$W/$name"
done

# Flattened files are rebuilt on the fly: makedumpfile's and ours.
makedumpfile -F -c -d 31 "$V/vmcore" > "$W/md.flat" 2> /dev/null || :
"$TD" dmesg "$W/md.flat" > "$W/md.flat.txt" 2> "$W/md.flat.log" || :
same makedumpfile-flat-tinydump-dmesg "$W/ref.txt" "$W/md.flat.txt" "$W/md.flat.log"
"$TD" capture --input "$V/vmcore" --output - --format flat --level 31 > "$W/td.flat" 2> "$W/cap.log" || :
"$TD" dmesg "$W/td.flat" > "$W/td.flat.txt" 2> "$W/td.flat.log" || :
same our-flat-tinydump-dmesg "$W/ref.txt" "$W/td.flat.txt" "$W/td.flat.log"
head -c 100000 "$W/td.flat" > "$W/cut.flat"
if ! "$TD" dmesg "$W/cut.flat" > /dev/null 2> "$W/cut.log" && grep -q 'truncated' "$W/cut.log"; then
	td_ok $T/truncated-flat-clear-error
else
	td_fail $T/truncated-flat-clear-error "no clear failure for a cut flattened file" "$W/cut.log"
fi
