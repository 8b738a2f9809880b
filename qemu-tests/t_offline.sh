#!/bin/bash
# tinydump capture on a real /proc/vmcore copy (made in the capture kernel
# by busybox cp, see save-vmcore.sh), checked against makedumpfile:
#  - at levels 1 2 4 8 16 17 31 the kdump file is byte-identical to
#    makedumpfile -c -d N;
#  - the read() fallback gives the same bytes as mmap windows;
#  - the flattened stream, rebuilt by makedumpfile -R, equals our file;
#  - the output file is 0600.
set -eu
. "$(dirname "$0")/lib.sh"
T=offline
TD=$TD_ROOT/build/tinydump
td_saved_vmcore $T
W=$(mktemp -d /tmp/td-offline.XXXXXX)
trap 'rm -rf "$W"' EXIT

# Byte identity with makedumpfile -c -d N at the issue's levels: the same
# pfns kept, the same pfns sent to the shared zero block, and the same page
# bytes (so the hopeless-page shortcut never stores raw what deflate shrinks).
for lvl in 1 2 4 8 16 17 31; do
	"$TD" capture --input "$V/vmcore" --output "$W/td$lvl" --level $lvl > "$W/td$lvl.log" 2>&1 || :
	makedumpfile -c -d $lvl "$V/vmcore" "$W/md$lvl" > "$W/md$lvl.log" 2>&1 || :
	if [ -s "$W/td$lvl" ] && cmp -s "$W/td$lvl" "$W/md$lvl"; then
		td_ok $T/level$lvl-byte-identical-to-makedumpfile
	else
		td_fail $T/level$lvl-byte-identical-to-makedumpfile \
			"tinydump and makedumpfile -c -d $lvl differ: $(cmp "$W/td$lvl" "$W/md$lvl" 2>&1 | head -1)" "$W/td$lvl.log"
	fi
	[ $lvl = 1 ] || rm -f "$W/md$lvl"
done

# A dump holds the machine's secrets: the file is 0600, even over an
# existing 0644 file and whatever the umask.
if [ "$(stat -c %a "$W/td31")" = 600 ] && install -m 0644 /dev/null "$W/old" &&
	(umask 0; "$TD" capture --input "$V/vmcore" --output "$W/old" --level 31 > "$W/old.log" 2>&1) &&
	[ "$(stat -c %a "$W/old")" = 600 ]; then
	td_ok $T/output-file-is-private
else
	td_fail $T/output-file-is-private "modes: new $(stat -c %a "$W/td31"), over an existing 0644 file $(stat -c %a "$W/old")" "$W/old.log"
fi
rm -f "$W/old"

"$TD" capture --input "$V/vmcore" --output "$W/td1r" --level 1 --read > "$W/td1r.log" 2>&1 || :
if [ -s "$W/td1r" ] && cmp -s "$W/td1" "$W/td1r"; then
	td_ok $T/read-fallback-same-output
else
	td_fail $T/read-fallback-same-output "--read output differs from the mmap output" "$W/td1r.log"
fi

"$TD" capture --input "$V/vmcore" --output - --format flat --level 31 > "$W/flat" 2> "$W/flat.log" || :
makedumpfile -R "$W/rebuilt" < "$W/flat" > "$W/R.log" 2>&1 || :
if [ -s "$W/rebuilt" ] && cmp -s "$W/rebuilt" "$W/td31"; then
	td_ok $T/flat-rebuilt-by-makedumpfile-R-identical
else
	td_fail $T/flat-rebuilt-by-makedumpfile-R-identical "makedumpfile -R of our flat stream differs from our kdump file" "$W/R.log"
fi

# crash and drgn open every output format at level 31: kdump, ELF, and the
# flattened stream (crash reads it directly; drgn 0.0.22's libkdumpfile
# cannot, so it gets the makedumpfile -R rebuild, as FACTS.md says).
"$TD" capture --input "$V/vmcore" --output "$W/elf31" --format elf --level 31 > "$W/elf31.log" 2>&1 || :
td_dump_opens $T "$V/vmlinux" "$W" kdump "$W/td31"
td_dump_opens $T "$V/vmlinux" "$W" elf "$W/elf31"
td_dump_opens $T "$V/vmlinux" "$W" flat "$W/flat" "$W/rebuilt"
