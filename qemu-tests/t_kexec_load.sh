#!/bin/bash
# Parity on a vmcore made the way most distributions load the capture
# kernel: kexec-tools' `kexec -p` (the kexec_load call), whose ELF headers
# are built in user space (save-vmcore.sh LOADER=kexec-tools):
#  - the layout is kexec-tools': a RAM PT_LOAD starts at 0x1000 and one ends
#    inside a page (0x9fc00 on a PC), which kexec_file_load never gives;
#  - at levels 1 2 4 8 16 31 the pfns we keep are makedumpfile -c -d N's
#    plus exactly the partly-RAM pages, and the log names each of them
#    (docs/DECISIONS.md "Partial pages": makedumpfile 1.7.2 and 1.7.8 leave
#    such a page out, we keep its RAM bytes);
#  - in our dump that page's RAM bytes are the vmcore's (crash `rd -p` on
#    both) and the part past the segment reads as zeros;
#  - crash and drgn open the level-31 dump.
set -eu
. "$(dirname "$0")/lib.sh"
T=kexec-load
TD=$TD_ROOT/build/tinydump
TOOL=$TD_ROOT/build/host/tool_filtercmp
V=$(LOADER=kexec-tools "$TD_ROOT/qemu-tests/save-vmcore.sh" 1024 2> /tmp/td-kexec-load-save.log | tail -1) || :
if [ -z "$V" ] || [ ! -f "$V/vmcore" ]; then
	td_fail $T/saved-vmcore "save-vmcore.sh LOADER=kexec-tools produced no vmcore" /tmp/td-kexec-load-save.log
	exit 0
fi
W=$(mktemp -d /tmp/td-kexec-load.XXXXXX)
trap 'rm -rf "$W"' EXIT

# The partly-RAM pages, from the program headers: "PFN EDGE" for each RAM
# PT_LOAD edge inside a page (the kernel-text alias is left out).
readelf -lW "$V/vmcore" | awk '$1 == "LOAD" && $3 !~ /^0xffffffff/ { print $4, $5 }' |
	while read -r pa fs; do
		end=$((pa + fs))
		if (( pa % 4096 )); then printf '0x%x 0x%x start\n' $((pa / 4096)) $((pa)); fi
		if (( end % 4096 )); then printf '0x%x 0x%x end\n' $((end / 4096)) $((end)); fi
	done > "$W/partial"
if grep -q ' end$' "$W/partial" && readelf -lW "$V/vmcore" | awk '$1 == "LOAD"' | grep -q ' 0x0000000000001000 '; then
	td_ok "$T/kexec-tools-layout-has-a-partial-page"
else
	td_fail "$T/kexec-tools-layout-has-a-partial-page" "no RAM PT_LOAD from 0x1000 ending inside a page: $(tr '\n' ' ' < "$W/partial")"
fi
read -r P EDGE _ < <(grep ' end$' "$W/partial" | head -1) || P=none
want=$(awk '{ print $1 }' "$W/partial" | sort -u | tr '\n' ' ')

for N in 1 2 4 8 16 31; do
	"$TD" capture --input "$V/vmcore" --output "$W/td$N" --level $N > "$W/td$N.log" 2>&1 || :
	makedumpfile -c -d $N "$V/vmcore" "$W/md$N" > "$W/md$N.log" 2>&1 || :
	"$TOOL" "$V/vmcore" "$W/md$N" > "$W/cmp$N.txt" 2>&1 || :
	only=$(awk '/dumpable only in tinydump/ { split($2, r, "-"); if (r[1] != r[2]) print "range:" $2; else print r[1] }' \
		"$W/cmp$N.txt" | sort -u | tr '\n' ' ')
	named=$(grep -o 'pfn 0x[0-9a-f]* is only partly RAM' "$W/td$N.log" | awk '{ print $2 }' | sort -u | tr '\n' ' ')
	if grep -q "^level $N .* only_mdf 0 " "$W/cmp$N.txt" && [ "$only" = "$want" ] && [ "$named" = "$want" ]; then
		td_ok "$T/level$N-makedumpfile-pfns-plus-partial-pages"
	else
		td_fail "$T/level$N-makedumpfile-pfns-plus-partial-pages" \
			"only in ours: '$only', partial pages: '$want', named in the log: '$named'; $(grep "^level" "$W/cmp$N.txt")" "$W/cmp$N.txt"
	fi
	[ $N = 31 ] || rm -f "$W/td$N" "$W/md$N"
done

# The partial page's bytes: RAM part as in the vmcore, the rest zeros.
if [ "$P" != none ]; then
	ram=$(( EDGE - (P << 12) ))
	printf 'rd -p -64 0x%x %d\nquit\n' $((P << 12)) $((ram / 8)) |
		timeout 300 crash --kaslr=auto -s "$V/vmlinux" "$V/vmcore" > "$W/rd.vmcore" 2>&1 || :
	printf 'rd -p -64 0x%x %d\nrd -p -64 0x%x %d\nquit\n' $((P << 12)) $((ram / 8)) "$EDGE" $(( (4096 - ram) / 8 )) |
		timeout 300 crash --kaslr=auto -s "$V/vmlinux" "$W/td31" > "$W/rd.td" 2>&1 || :
	grep -E '^ *[0-9a-f]+: ' "$W/rd.vmcore" > "$W/ram.vmcore" || :
	grep -E '^ *[0-9a-f]+: ' "$W/rd.td" | head -$((ram / 16)) > "$W/ram.td" || :
	tail=$(grep -E '^ *[0-9a-f]+: ' "$W/rd.td" | tail -n +$((ram / 16 + 1)) | awk '{ for (i = 2; i <= NF; i++) if (length($i) == 16 && $i ~ /^[0-9a-f]+$/ && $i !~ /^0+$/) n++ } END { print NR, n + 0 }')
	if [ -s "$W/ram.vmcore" ] && [ "$(wc -l < "$W/ram.vmcore")" = $((ram / 16)) ] && cmp -s "$W/ram.vmcore" "$W/ram.td" &&
		[ "$tail" = "$(( (4096 - ram) / 16 )) 0" ]; then
		td_ok "$T/partial-page-holds-its-ram-bytes-then-zeros"
	else
		td_fail "$T/partial-page-holds-its-ram-bytes-then-zeros" \
			"pfn $P: $(wc -l < "$W/ram.vmcore") lines from the vmcore, ours differ or the tail is not zero (lines, nonzero: $tail)" "$W/rd.td"
	fi
fi
td_dump_opens $T "$V/vmlinux" "$W" kdump "$W/td31"
