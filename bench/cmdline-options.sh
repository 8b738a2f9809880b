#!/bin/bash
# What each of RHEL's kdump command-line defaults buys a stock kernel in the
# capture kernel: one crash-and-capture cycle per variant, the capture
# command line being ours plus the variant's words (tinydump load --append),
# and the MemAvailable PID 1 logs as it starts ("tinydump: memory at start").
#   TD_STOCK=deb12-generic bench/cmdline-options.sh [CRASHKERNEL_MB] [RAM_MB]
# (default deb12-generic, 160M, 1024). Prints one line per variant: the
# words, MemAvailable in kB, its gain over ours alone, and whether the dump
# completed.
set -eu
. "$(dirname "$0")/../qemu-tests/lib.sh"
export TD_STOCK=${TD_STOCK:-deb12-generic}
ck=${1:-160}
ram=${2:-1024}
W=$(mktemp -d /tmp/td-cmdopts.XXXXXX)
trap 'rm -rf "$W"' EXIT
td_kernel

variants=("" "cgroup_disable=memory" "mce=off" "numa=off" "transparent_hugepage=never"
	"novmcoredd" "cma=0" "hugetlb_cma=0"
	"cgroup_disable=memory mce=off numa=off transparent_hugepage=never novmcoredd cma=0 hugetlb_cma=0")
base=
echo "# $TD_STOCK, crashkernel=${ck}M, ${ram} MiB guest, $(date -u +%F)"
for v in "${variants[@]}"; do
	rm -rf "$W/run"
	TD_CRASHKERNEL=${ck}M td_crash_run "$W/run" "$ram" "tinydump.final=poweroff $v" > /dev/null 2>&1 || :
	avail=$(grep -a -m1 'tinydump: memory at start' "$W/run/console.log" | sed 's/.*MemAvailable \([0-9]*\) kB.*/\1/')
	d=$(td_guest_ls "$W/run/dump.img" / | awk '{print $NF}' | grep -E -- '-[0-9]{4}-' | head -1)
	done_=no
	[ -n "$d" ] && td_guest_ls "$W/run/dump.img" "/$d" | grep -qw vmcore && done_=yes
	[ -n "$base" ] || base=${avail:-0}
	printf '%-40s MemAvailable %6s kB  %+6d kB  dump %s\n' "${v:-(ours only)}" "${avail:-?}" \
		$(( ${avail:-0} - base )) "$done_"
done
