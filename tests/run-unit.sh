#!/bin/sh
# Run host unit-test binaries; each prints ok/FAIL/skip lines. A binary that
# dies without printing a verdict for itself is reported as a failure.
for t in "$@"; do
	out=$("$t" 2>&1); rc=$?
	printf '%s\n' "$out" | grep -E '^(ok|FAIL|skip) '
	if [ $rc -ne 0 ] && ! printf '%s\n' "$out" | grep -q '^FAIL '; then
		echo "FAIL $(basename "$t"): exited $rc"
		printf '%s\n' "$out" | tail -20 | sed 's/^/    /'
	elif printf '%s\n' "$out" | grep -q '^FAIL '; then
		printf '%s\n' "$out" | grep -v -E '^(ok|FAIL|skip) ' | tail -20 | sed 's/^/    /'
	fi
done
