#!/bin/bash
# tinydump capture on a real /proc/vmcore copy (made in the capture kernel
# by busybox cp, see save-vmcore.sh), checked against makedumpfile:
#  - at levels 1 2 4 8 16 17 31, --compress zlib-exact is byte-identical
#    to makedumpfile -c -d N, and the default holds the same pages (as
#    makedumpfile reads them back) in no more bytes;
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

# At each level, against makedumpfile -c -d N of the same vmcore:
#  - zlib-exact (zlib's level 1, as makedumpfile) is byte-identical: the
#    same pfns kept, the same sent to the shared zero block, the same page
#    bytes (so the hopeless-page shortcut never stores raw what deflate
#    shrinks);
#  - the default (tinydump's own deflate, capture/deflate.c) is not
#    byte-identical, so makedumpfile itself reads it back: refiltering our
#    file at the same level (it inflates every page with zlib and
#    compresses it again as it does) must give its own file byte for
#    byte: the same kept pfns, zero pfns and page contents. And it is not
#    larger.
for lvl in 1 2 4 8 16 17 31; do
	"$TD" capture --input "$V/vmcore" --output "$W/td$lvl" --level $lvl > "$W/td$lvl.log" 2>&1 || :
	"$TD" capture --input "$V/vmcore" --output "$W/tx$lvl" --level $lvl --compress zlib-exact > "$W/tx$lvl.log" 2>&1 || :
	makedumpfile -c -d $lvl "$V/vmcore" "$W/md$lvl" > "$W/md$lvl.log" 2>&1 || :
	makedumpfile -c -d $lvl "$W/td$lvl" "$W/re$lvl" > "$W/re$lvl.log" 2>&1 || :
	if [ -s "$W/tx$lvl" ] && cmp -s "$W/tx$lvl" "$W/md$lvl"; then
		td_ok $T/level$lvl-zlib-exact-byte-identical-to-makedumpfile
	else
		td_fail $T/level$lvl-zlib-exact-byte-identical-to-makedumpfile \
			"tinydump --compress zlib-exact and makedumpfile -c -d $lvl differ: $(cmp "$W/tx$lvl" "$W/md$lvl" 2>&1 | head -1)" "$W/tx$lvl.log"
	fi
	td_size=$(stat -c %s "$W/td$lvl" 2>/dev/null || echo 0) md_size=$(stat -c %s "$W/md$lvl" 2>/dev/null || echo 0)
	if [ -s "$W/re$lvl" ] && cmp -s "$W/re$lvl" "$W/md$lvl" && [ "$td_size" -le "$md_size" ]; then
		td_ok $T/level$lvl-default-same-pages-as-makedumpfile-not-larger
		echo "    level $lvl: $td_size bytes, makedumpfile -c $md_size ($(echo "scale=4; $td_size / $md_size" | bc))"
	else
		td_fail $T/level$lvl-default-same-pages-as-makedumpfile-not-larger \
			"makedumpfile -c -d $lvl of our file: $(cmp "$W/re$lvl" "$W/md$lvl" 2>&1 | head -1 | cut -c1-200); $td_size bytes, makedumpfile's $md_size" "$W/re$lvl.log"
	fi
	rm -f "$W/md$lvl" "$W/re$lvl" "$W/tx$lvl"
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
