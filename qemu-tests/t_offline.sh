#!/bin/bash
# tinydump capture on a real /proc/vmcore copy (made in the capture kernel
# by busybox cp, see save-vmcore.sh), checked against makedumpfile:
#  - at level 1 the kdump file is byte-identical to makedumpfile -c -d 1;
#  - the read() fallback gives the same bytes as mmap windows;
#  - the flattened stream, rebuilt by makedumpfile -R, equals our file.
set -eu
. "$(dirname "$0")/lib.sh"
T=offline
TD=$TD_ROOT/build/tinydump
V=$("$TD_ROOT/qemu-tests/save-vmcore.sh" 1024 2>/dev/null | tail -1) || :
if [ -z "$V" ] || [ ! -f "$V/vmcore" ]; then
	td_fail $T/saved-vmcore "save-vmcore.sh produced no vmcore"
	exit 0
fi
W=$(mktemp -d /tmp/td-offline.XXXXXX)
trap 'rm -rf "$W"' EXIT

"$TD" capture --input "$V/vmcore" --output "$W/td1" --level 1 > "$W/td1.log" 2>&1 || :
makedumpfile -c -d 1 "$V/vmcore" "$W/md1" > "$W/md1.log" 2>&1 || :
if [ -s "$W/td1" ] && cmp -s "$W/td1" "$W/md1"; then
	td_ok $T/level1-byte-identical-to-makedumpfile
else
	td_fail $T/level1-byte-identical-to-makedumpfile \
		"tinydump -l1 and makedumpfile -c -d 1 differ: $(cmp "$W/td1" "$W/md1" 2>&1 | head -1)" "$W/td1.log"
fi

"$TD" capture --input "$V/vmcore" --output "$W/td1r" --level 1 --read > "$W/td1r.log" 2>&1 || :
if [ -s "$W/td1r" ] && cmp -s "$W/td1" "$W/td1r"; then
	td_ok $T/read-fallback-same-output
else
	td_fail $T/read-fallback-same-output "--read output differs from the mmap output" "$W/td1r.log"
fi

"$TD" capture --input "$V/vmcore" --output - --format flat --level 31 > "$W/flat" 2> "$W/flat.log" || :
"$TD" capture --input "$V/vmcore" --output "$W/td31" --level 31 > "$W/td31.log" 2>&1 || :
makedumpfile -R "$W/rebuilt" < "$W/flat" > "$W/R.log" 2>&1 || :
if [ -s "$W/rebuilt" ] && cmp -s "$W/rebuilt" "$W/td31"; then
	td_ok $T/flat-rebuilt-by-makedumpfile-R-identical
else
	td_fail $T/flat-rebuilt-by-makedumpfile-R-identical "makedumpfile -R of our flat stream differs from our kdump file" "$W/R.log"
fi
