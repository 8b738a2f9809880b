#!/bin/bash
# What Debian 13's own makedumpfile (1.7.6, which predates 6.12's page
# types) costs its users, on one 6.12 vmcore: Debian 13's stock cloud
# kernel crashes in QEMU and its capture kernel writes, with tinydump, an
# ELF dump at level 0 (every page: the whole vmcore). On the host, the same
# file is filtered at level 31 by Debian 13's makedumpfile 1.7.6, by
# unstable's 1.7.8 (scripts/oracle.sh) and by `tinydump capture`; the sizes
# and kept pages are printed side by side.
#   bench/deb13-makedumpfile.sh [RAM_MB]     (default 1024)
set -eu
. "$(dirname "$0")/../qemu-tests/lib.sh"
ram=${1:-1024}
export TD_STOCK=deb13-cloud
W=$(mktemp -d /tmp/td-deb13md.XXXXXX)
trap 'rm -rf "$W"' EXIT
td_kernel
TD_CRASHKERNEL=160M TD_TIMEOUT=$(( 300 + ram * 120 / 1024 )) td_crash_run "$W/run" "$ram" \
	"tinydump.format=elf tinydump.level=0 tinydump.final=poweroff" > /dev/null 2>&1 || :
d=$(td_guest_names "$W/run/dump.img" / | head -1)
[ -n "$d" ] && td_guest_get "$W/run/dump.img" "/$d/vmcore" "$W/vmcore" ||
	die "no level-0 ELF dump landed (see $W/run/console.log)"
kept() { "$TD_ROOT/build/host/tool_kdumpinfo" "$1" | awk '$1 == "bitmap2_set" { print $2 }'; }
[ -x "$TD_ROOT/build/host/tool_kdumpinfo" ] || make -s -C "$TD_ROOT" build/host/tool_kdumpinfo
ORACLE_SUITE=trixie "$TD_ROOT/scripts/oracle.sh" makedumpfile -c -d 31 "$W/vmcore" "$W/md176" > "$W/md176.log" 2>&1 ||
	die "makedumpfile 1.7.6 failed: $(tail -1 "$W/md176.log")"
"$TD_ROOT/scripts/oracle.sh" makedumpfile -c -d 31 "$W/vmcore" "$W/md178" > "$W/md178.log" 2>&1 ||
	die "makedumpfile 1.7.8 failed: $(tail -1 "$W/md178.log")"
"$TD_ROOT/build/tinydump" capture --input "$W/vmcore" --output "$W/td" --level 31 > "$W/td.log" 2>&1 ||
	die "tinydump capture failed: $(tail -1 "$W/td.log")"
echo "# Debian 13 cloud ($(sed -n 's/^release=//p' <<< "$("$TD_ROOT/scripts/stock-kernel.sh" deb13-cloud)")), ${ram} MiB guest, level 31 (zlib), $(date -u +%F)"
printf '%-28s %14s %12s\n' "" "bytes" "pages kept"
printf '%-28s %14s %12s\n' "level-0 ELF vmcore (input)" "$(stat -c %s "$W/vmcore")" ""
printf '%-28s %14s %12s\n' "makedumpfile 1.7.6 (trixie)" "$(stat -c %s "$W/md176")" "$(kept "$W/md176")"
printf '%-28s %14s %12s\n' "makedumpfile 1.7.8 (sid)" "$(stat -c %s "$W/md178")" "$(kept "$W/md178")"
printf '%-28s %14s %12s\n' "tinydump" "$(stat -c %s "$W/td")" "$(kept "$W/td")"
cmp -s "$W/td" "$W/md178" && echo "tinydump's file is byte-identical to makedumpfile 1.7.8's" ||
	echo "tinydump's file differs from makedumpfile 1.7.8's: $(cmp "$W/td" "$W/md178" 2>&1 | head -1)"
