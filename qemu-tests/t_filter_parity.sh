#!/bin/bash
# Page filter parity on a real /proc/vmcore copy (qemu-tests/save-vmcore.sh):
#  - for N in 1 2 4 8 16 31, the pfns our filter keeps at level N equal the
#    2nd bitmap of makedumpfile -c -d N (tool_filtercmp);
#    (t_offline.sh checks that the whole files are byte-identical);
#  - our page-table walk gives crash's `vtop` answer for kernel text, data,
#    direct-map and mem_map addresses.
# Usage: qemu-tests/t_filter_parity.sh [RAM_MB]   (default 1024; needs
# build/host/tool_filtercmp, build/tinydump, makedumpfile, crash)
set -eu
. "$(dirname "$0")/lib.sh"
T=filter-parity
TOOL=$TD_ROOT/build/host/tool_filtercmp
TD=$TD_ROOT/build/tinydump
V=$("$TD_ROOT/qemu-tests/save-vmcore.sh" "${1:-1024}" 2>/dev/null | tail -1) || :
if [ -z "$V" ] || [ ! -f "$V/vmcore" ]; then
	td_fail $T/saved-vmcore "save-vmcore.sh produced no vmcore"
	exit 0
fi
W=$(mktemp -d /tmp/td-filter-parity.XXXXXX)
trap 'rm -rf "$W"' EXIT

for N in 1 2 4 8 16 31; do
	makedumpfile -c -d $N "$V/vmcore" "$W/md$N" > "$W/md$N.log" 2>&1 || :
	if "$TOOL" "$V/vmcore" "$W/md$N" > "$W/cmp$N.txt" 2>&1; then
		td_ok "$T/level$N-same-pfns-as-makedumpfile"
	else
		td_fail "$T/level$N-same-pfns-as-makedumpfile" "$(head -1 "$W/cmp$N.txt")" "$W/cmp$N.txt"
	fi
	rm -f "$W/md$N"
done

"$TOOL" "$V/vmcore" --samples > "$W/samples" 2>&1 || :
{ cat "$W/samples"; echo quit; } | crash --kaslr=auto -s "$V/vmlinux" "$V/vmcore" > "$W/crash.txt" 2>&1 || :
awk '/^VIRTUAL +PHYSICAL/ { getline; print $1, $2 }' "$W/crash.txt" > "$W/crash.pairs"
"$TOOL" "$V/vmcore" --vtop $(sed 's/^vtop //' "$W/samples") | awk '{ print $1, $2 }' > "$W/td.pairs"
n=$(wc -l < "$W/samples")
if [ "$n" -gt 10 ] && cmp -s "$W/crash.pairs" "$W/td.pairs"; then
	td_ok "$T/vtop-agrees-with-crash-$n-addresses"
else
	diff "$W/crash.pairs" "$W/td.pairs" > "$W/vtop.diff" 2>&1 || :
	td_fail "$T/vtop-agrees-with-crash" "$n samples; crash and tool_filtercmp differ" "$W/vtop.diff"
fi
