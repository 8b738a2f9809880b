#!/bin/bash
# make test T=NAME: run one test and print its verdict lines, then the counts.
#   T=filter             every case of build/host/test_filter
#   T=filter/zero_pages  one case of it (a unit test binary takes a case name)
#   T=capture_disk       qemu-tests/t_capture_disk.sh (QEMU end to end)
#   T=fuzz/fuzz_elf      one fuzz target for 20 s (fuzz/run.sh smoke)
# Without T it lists what there is.
set -u
cd "$(dirname "$0")/.."
name=${1:-}
if [ -z "$name" ]; then
	echo "make test T=NAME, NAME one of:"
	for b in tests/test_*.c; do b=${b#tests/test_}; echo "  ${b%.c}  (unit; NAME/CASE for one case, build/host/test_${b%.c} --list)"; done
	for q in qemu-tests/t_*.sh; do q=${q#qemu-tests/t_}; echo "  ${q%.sh}  (QEMU or host end to end)"; done
	for f in fuzz/fuzz_*.c; do f=${f#fuzz/}; echo "  fuzz/${f%.c}"; done
	exit 2
fi
log=build/test-one.log
mkdir -p build
suite=${name%%/*}
case=${name#"$suite"}; case=${case#/}
{
	if [ "$suite" = fuzz ]; then
		fuzz/run.sh smoke "$case"
	elif [ -x "build/host/test_$suite" ]; then
		tests/run-unit-case.sh "build/host/test_$suite" "$case"
	elif [ -x "qemu-tests/t_$suite.sh" ]; then
		"qemu-tests/t_$suite.sh"
	else
		echo "FAIL $name: no unit test, QEMU test or fuzz target of that name (make test lists them)"
	fi
} 2>&1 | tee "$log" | grep --line-buffered -E '^(ok|FAIL|skip) |^    '
pass=$(grep -c '^ok ' "$log"); fail=$(grep -c '^FAIL ' "$log"); skip=$(grep -c '^skip ' "$log")
echo "$pass passed, $fail failed, $skip skipped"
[ "$fail" -eq 0 ] && [ $((pass + skip)) -gt 0 ]
