#!/bin/bash
# Where the capture kernel's time goes, end to end: RUNS crash-and-capture
# cycles (default 3) of the test guest (RAM_MB, default 1024;
# crashkernel=64M, disk target, level 31, QEMU under TCG) and PID 1's
# timeline line from each: the kexec to PID 1, then PID 1 to the first
# dump write split into its steps, then PID 1 to the end.
#   bench/timeline.sh [RAM_MB]     RUNS=N to change the runs
set -eu
. "$(dirname "$0")/../qemu-tests/lib.sh"
ram=${1:-1024}
runs=${RUNS:-3}
W=$(mktemp -d /tmp/td-tl.XXXXXX)
trap 'rm -rf "$W"' EXIT
td_kernel
for (( r = 1; r <= runs; r++ )); do
	rm -rf "$W/run"
	TD_CRASHKERNEL=64M td_crash_run "$W/run" "$ram" "tinydump.final=poweroff" >/dev/null 2>&1 || :
	line=$(grep -a -m1 -o 'timeline: .*' "$W/run/console.log" | tr -d '\r' || :)
	[ -n "$line" ] || line="no timeline line; the console ended: $(tail -c 300 "$W/run/console.log" | tr -d '\r' | tr '\n' ' ')"
	echo "run $r: $line"
done
