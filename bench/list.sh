#!/bin/bash
# tinydump list over N synthetic dump directories (default 100,000): each
# with a tinydump.json as the capture run writes it (16 KiB, the reserved
# size), a receiver.json for half of them, and an empty vmcore. Prints the
# wall time of `tinydump list` and of `--by signature`, twice each (the
# first run may read from disk, the second from the page cache).
#   bench/list.sh [N] [DIR]
set -eu
cd "$(dirname "$0")/.."
n=${1:-100000}
dir=${2:-$(mktemp -d /var/tmp/td-list.XXXXXX)}
/usr/bin/python3 - "$dir" "$n" <<'PY'
import os, sys
d, n = sys.argv[1], int(sys.argv[2])
sigs = ["%016x" % (i * 0x9e3779b97f4a7c15 % (1 << 64)) for i in range(40)]
for i in range(n):
    p = os.path.join(d, "host%05d-2026-11-%02d-12:00:%02d" % (i % 5000, 1 + i % 28, i % 60))
    if os.path.exists(p):
        p += ".%d" % i
    os.mkdir(p, 0o700)
    j = ('{\n  "version": "0.1.0",\n  "kernel_release": "6.1.0-57-amd64",\n  "node": "host%05d",\n'
         '  "crash_time": "2026-11-%02d-12:00:%02d",\n  "signature": "%s",\n  "complete": true\n}\n'
         % (i % 5000, 1 + i % 28, i % 60, sigs[i % 40 if i % 1000 else 39]))
    open(os.path.join(p, "tinydump.json"), "w").write(j.ljust(16384 - 1) + "\n")
    if i % 2:
        open(os.path.join(p, "receiver.json"), "w").write(
            '{"identity": "host%05d", "node": "host%05d", "kernel_release": "6.1.0-57-amd64", "crash_time": %d}\n'
            % (i % 5000, i % 5000, 1793000000 + i))
    open(os.path.join(p, "vmcore" if i % 7 else "vmcore.incomplete"), "w").close()
PY
for args in "" "--by signature"; do
	for run in 1 2; do
		t0=$(date +%s.%N)
		build/tinydump list "$dir" $args > /dev/null
		echo "tinydump list $args over $n dumps, run $run: $(echo "$(date +%s.%N) - $t0" | bc) s"
	done
done
[ -n "${2:-}" ] || rm -rf "$dir"
