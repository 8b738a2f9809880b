#!/bin/sh
# Run host unit-test binaries; each prints ok/FAIL/skip lines. A binary that
# dies without printing a verdict for itself is reported as a failure.
for t in "$@"; do
	"$(dirname "$0")/run-unit-case.sh" "$t"
done
