#!/bin/bash
# The smallest crashkernel= (4 MiB steps) with which a guest's dump still
# completes with tinydump at level 31: RUNS crash-and-capture cycles per
# size (default 3: KASLR moves the kernel, so one lucky run proves little),
# from START down; a size passes only when every run completes. It stops
# after two sizes in a row with a failure. Prints one line per size and
# the verdict.
#   bench/crashkernel.sh [START_MB] [RAM_MB]     RUNS=N to change the runs
# TD_STOCK=deb12-cloud|deb12-generic|deb13-cloud measures a stock Debian
# kernel (scripts/stock-kernel.sh) as both kernels instead of the test
# kernel, with the capture initramfs of `tinydump initramfs` carrying its
# virtio disk and ext4 modules.
set -eu
. "$(dirname "$0")/../qemu-tests/lib.sh"
start=${1:-40}
ram=${2:-1024}
runs=${RUNS:-3}
W=$(mktemp -d /tmp/td-ck.XXXXXX)
trap 'rm -rf "$W"' EXIT
td_kernel

# try MB: 0 when a complete vmcore landed on the dump disk.
try() {
	local mb=$1 d
	rm -rf "$W/run"
	TD_CRASHKERNEL=${mb}M TD_TIMEOUT=$(( 200 + ram * 60 / 1024 )) td_crash_run "$W/run" "$ram" "tinydump.final=poweroff" >/dev/null 2>&1 || return 1
	d=$(td_guest_ls "$W/run/dump.img" / | awk '{print $NF}' | grep -E -- '-[0-9]{4}-' | head -1)
	[ -n "$d" ] && td_guest_ls "$W/run/dump.img" "/$d" | grep -qw vmcore
}

smallest=
fails=0
for (( mb = start; mb >= 8 && fails < 2; mb -= 4 )); do
	ok=0 why= avail=
	for (( r = 1; r <= runs; r++ )); do
		if try "$mb"; then
			ok=$((ok + 1))
			avail=$(grep -a -m1 'tinydump: memory at start' "$W/run/console.log" | sed 's/.*MemAvailable //')
		else
			# The reason comes from the capture kernel's part of the console.
			why=$(sed -n '/elfcorehdr=/,$p' "$W/run/console.log" |
				grep -a -m1 -E 'Out of memory|deadlocked|Kernel panic|Cannot|fatal' | cut -c1-100 || :)
			why=${why:-see console}
		fi
	done
	if [ $ok = "$runs" ]; then
		echo "crashkernel=${mb}M: $ok of $runs dumps complete (MemAvailable at PID 1 start: ${avail:-?})"
		smallest=$mb
		fails=0
	else
		echo "crashkernel=${mb}M: $ok of $runs dumps complete (last failure: $why)"
		fails=$((fails + 1))
	fi
done
echo "smallest crashkernel for a ${ram} MiB guest${TD_STOCK:+ on $TD_STOCK}: ${smallest:-none}M ($runs runs per size)"
