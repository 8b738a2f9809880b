#!/bin/bash
# make check: host unit tests, fuzz smoke runs, then QEMU end-to-end tests.
# Every test prints "ok NAME", "FAIL NAME: why" or "skip NAME: why"; this
# script prints them and ends with "N passed, N failed, N skipped".
set -u
cd "$(dirname "$0")/.."
log=build/check.log
mkdir -p build
: > "$log"
t0=$(date +%s)
{
	tests/layers.sh
	tests/run-unit.sh build/host/test_*
	[ -x fuzz/run.sh ] && fuzz/run.sh smoke
	for t in qemu-tests/t_*.sh; do
		[ -x "$t" ] || continue
		# The Debian journey runs on its own: make journey (docs/JOURNEY.md).
		[ "$t" != qemu-tests/t_journey.sh ] || continue
		"$t"
	done
} 2>&1 | tee -a "$log" | grep --line-buffered -E '^(ok|FAIL|skip) |^    '
pass=$(grep -c '^ok ' "$log"); fail=$(grep -c '^FAIL ' "$log"); skip=$(grep -c '^skip ' "$log")
echo "check took $(( $(date +%s) - t0 )) s; full log in $log"
echo "$pass passed, $fail failed, $skip skipped"
[ "$fail" -eq 0 ]
