#!/bin/sh
# Run one unit-test binary, or one case of it (CASE may be empty), with the
# same rule as run-unit.sh: a binary that dies without a verdict failed.
t=$1; c=${2:-}
out=$(if [ -n "$c" ]; then "$t" "$c"; else "$t"; fi 2>&1); rc=$?
printf '%s\n' "$out" | grep -E '^(ok|FAIL|skip) '
if [ $rc -ne 0 ] && ! printf '%s\n' "$out" | grep -q '^FAIL '; then
	echo "FAIL $(basename "$t")${c:+/$c}: exited $rc"
	printf '%s\n' "$out" | tail -20 | sed 's/^/    /'
elif printf '%s\n' "$out" | grep -q '^FAIL '; then
	printf '%s\n' "$out" | grep -v -E '^(ok|FAIL|skip) ' | tail -20 | sed 's/^/    /'
fi
