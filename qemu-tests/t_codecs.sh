#!/bin/bash
# Every page codec on a real /proc/vmcore copy (see save-vmcore.sh), read by
# the real readers:
#  - crash 8.0.2 (`bt`, `log`) and drgn open a level-31 dump in each codec
#    (zlib, the default, is tinydump's own deflate; zlib-exact is zlib's);
#  - makedumpfile 1.7.2 (built with LZO only) reads both zlib dumps and lzo:
#    --dump-dmesg gives the log tinydump dmesg gives, and -R rebuilds our
#    flattened stream into our file, byte for byte;
#  - tinydump dmesg and the kdump reader (tool_kdumpinfo --verify) read
#    every codec: the log, and every dumpable page as the vmcore has it;
#  - lzo at level 31 is byte-identical to makedumpfile -l (the same lzo1x_1),
#    and zstd to makedumpfile 1.7.8 -z (unstable's, scripts/oracle.sh; the
#    same one frame per page at zstd level 1); makedumpfile 1.7.8 also reads
#    the zstd dump (--dump-dmesg).
# Sizes and times go to build/codecs.txt, for the README's codec table.
set -eu
. "$(dirname "$0")/lib.sh"
T=codecs
TD=$TD_ROOT/build/tinydump
INFO=$TD_ROOT/build/host/tool_kdumpinfo
td_saved_vmcore $T
W=$(mktemp -d /tmp/td-codecs.XXXXXX)
trap 'rm -rf "$W"' EXIT
table=$TD_ROOT/build/codecs.txt
printf '# codec level seconds bytes (tinydump capture, one thread, %s)\n' "$(date -u +%FT%TZ)" > "$table"

# same NAME WANT GOT LOG: ok if both files are non-empty and equal.
same() {
	if [ -s "$2" ] && [ -s "$3" ] && cmp -s "$2" "$3"; then
		td_ok "$T/$1"
	else
		td_fail "$T/$1" "$(basename "$3") differs from $(basename "$2"): $(cmp "$2" "$3" 2>&1 | head -1)" "$4"
	fi
}
rm -f "$W/ref.txt"
makedumpfile --dump-dmesg "$V/vmcore" "$W/ref.txt" > /dev/null 2>&1 || :

for c in zlib zlib-exact zstd lzo; do
	s0=$(date +%s.%N)
	"$TD" capture --input "$V/vmcore" --output "$W/$c" --level 31 --compress $c --threads 0 > "$W/$c.log" 2>&1 || :
	s1=$(date +%s.%N)
	printf '%s 31 %.2f %s\n' $c "$(echo "$s1 - $s0" | bc)" "$(stat -c %s "$W/$c" 2>/dev/null || echo 0)" >> "$table"
	td_dump_opens $T "$V/vmlinux" "$W" $c "$W/$c"
	"$TD" dmesg "$W/$c" > "$W/$c.txt" 2> "$W/$c.dmesg.log" || :
	same $c-tinydump-dmesg "$W/ref.txt" "$W/$c.txt" "$W/$c.dmesg.log"
	if "$INFO" "$W/$c" --verify "$V/vmcore" > "$W/$c.verify" 2>&1; then
		td_ok $T/$c-pages-match-vmcore
	else
		td_fail $T/$c-pages-match-vmcore "$(grep -m1 'verify_first\|tool_kdumpinfo:' "$W/$c.verify")"
	fi
	[ $c = zstd ] && continue
	rm -f "$W/$c.md.txt"
	makedumpfile --dump-dmesg "$W/$c" "$W/$c.md.txt" > "$W/$c.md.log" 2>&1 || :
	same $c-makedumpfile-dump-dmesg "$W/ref.txt" "$W/$c.md.txt" "$W/$c.md.log"
	"$TD" capture --input "$V/vmcore" --output - --format flat --level 31 --compress $c --threads 0 \
		2> "$W/$c.flat.log" | makedumpfile -R "$W/$c.R" > "$W/$c.R.log" 2>&1 || :
	same $c-flat-makedumpfile-R "$W/$c" "$W/$c.R" "$W/$c.R.log"
	rm -f "$W/$c.R"
done

makedumpfile -l -d 31 "$V/vmcore" "$W/md-lzo" > "$W/md-lzo.log" 2>&1 || :
same lzo-level31-byte-identical-to-makedumpfile-l "$W/md-lzo" "$W/lzo" "$W/lzo.log"

# makedumpfile 1.7.8, built with zstd: the same bytes, and it reads ours
# (its log lines carry the printk caller, so its own reading of the vmcore
# is the reference).
rm -f "$W/md-zstd" "$W/zstd.md.txt" "$W/ref178.txt"
"$TD_ROOT/scripts/oracle.sh" makedumpfile --dump-dmesg "$V/vmcore" "$W/ref178.txt" > /dev/null 2>&1 || :
"$TD_ROOT/scripts/oracle.sh" makedumpfile -z -d 31 "$V/vmcore" "$W/md-zstd" > "$W/md-zstd.log" 2>&1 || :
same zstd-level31-byte-identical-to-makedumpfile-1.7.8-z "$W/md-zstd" "$W/zstd" "$W/md-zstd.log"
"$TD_ROOT/scripts/oracle.sh" makedumpfile --dump-dmesg "$W/zstd" "$W/zstd.md.txt" > "$W/zstd.md.log" 2>&1 || :
same zstd-makedumpfile-1.7.8-dump-dmesg "$W/ref178.txt" "$W/zstd.md.txt" "$W/zstd.md.log"
