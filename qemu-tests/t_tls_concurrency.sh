#!/bin/bash
# Many uploads at once to one `tinydump receive`, host side, in a private
# netns: TD_TLS_CLIENTS (default 32) clients upload the same kdump file,
# each in its own shuffled order, all at the same time. Every upload must
# succeed and be stored intact (the receiver checked the trailer's SHA-256;
# the rebuilt vmcore is compared with the source). Also prints, as
# indented lines, the aggregate throughput and the receiver's memory: peak
# RSS of one connection's process and of all of them together.
set -u
. "$(dirname "$0")/tlslib.sh"
td_tls_setup tls-concurrency
N=${TD_TLS_CLIENTS:-32}

td_src_kdump "$W/src"
size=$(stat -c %s "$W/src")
printf 'kernel log\n' > "$W/dmesg"
# All clients come from 127.0.0.1: lift the per-address limit with the total.
td_rx_start 7000 "$W/rx" --client-ca "$C/client-ca.pem" --timeout 60 --max-clients 64 \
	--max-per-peer 64

# Sample the receiver's processes every 20 ms: the largest VmHWM of one,
# the largest sum of VmRSS, the most processes at once.
/usr/bin/python3 - "$RX_PID" "$W/stop" "$W/rss" <<'PY' &
import os, sys, time
rx, stop, out = int(sys.argv[1]), sys.argv[2], sys.argv[3]
one = total = most = 0
def status(pid):
    d = {}
    try:
        for line in open("/proc/%d/status" % pid):
            k, _, v = line.partition(":")
            d[k] = v.split()
    except OSError:
        pass
    return d
while not os.path.exists(stop):
    pids = [rx]
    for p in os.listdir("/proc"):
        if p.isdigit():
            s = status(int(p))
            if s.get("PPid", ["0"])[0] == str(rx):
                pids.append(int(p))
    rss = 0
    for p in pids:
        s = status(p)
        one = max(one, int(s.get("VmHWM", ["0"])[0]))
        rss += int(s.get("VmRSS", ["0"])[0])
    total, most = max(total, rss), max(most, len(pids))
    time.sleep(0.02)
open(out, "w").write("%d %d %d\n" % (one, total, most))
PY
sampler=$!

t0=$(date +%s.%N)
td_uploads "$N" 60
dt=$(echo "$(date +%s.%N) - $t0" | bc)
touch "$W/stop"
wait "$sampler"

stored=0 bad=
for d in "$W"/rx/*/; do
	if [ -f "$d/vmcore" ] && cmp -s "$d/vmcore" "$W/src" && grep -q '"complete": true' "$d/receiver.json"; then
		stored=$((stored + 1))
	else
		bad="$bad $(basename "$d")"
	fi
done
nodes=$(grep -ho '"node": "node[0-9]*"' "$W"/rx/*/receiver.json | sort -u | wc -l)
if [ "$failed" = 0 ] && [ "$stored" = "$N" ] && [ "$nodes" = "$N" ] && [ -z "$bad" ]; then
	td_ok "$T/$N-simultaneous-uploads-stored-intact"
else
	td_fail "$T/$N-simultaneous-uploads-stored-intact" \
		"$failed clients failed, $stored of $N stored intact, $nodes nodes; bad:$bad" "$W/rx-7000.log"
fi
read -r one all most < "$W/rss"
echo "    tls: $N uploads of $size bytes in $dt s: $(echo "scale=1; $N * $size / $dt / 1000000" | bc) MB/s aggregate" \
	"($(basename "$TT") clients); receiver peak RSS $one KiB per connection, $all KiB all processes (up to $most at once)"
