#!/bin/bash
# Many uploads at once to one `tinydump receive`, host side, in a private
# netns: TD_TLS_CLIENTS (default 32) clients upload the same kdump file,
# each in its own shuffled order, all at the same time. Every upload must
# succeed and be stored intact (the receiver checked the trailer's SHA-256;
# the rebuilt vmcore is compared with the source). Also prints, as
# indented lines, the aggregate throughput and the receiver's memory: peak
# RSS of one connection's process and of all of them together.
set -u
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/netlib.sh"
td_netns "$0" "$@"
td_netns_setup
. "$(dirname "$0")/tlslib.sh"
td_tls_setup tls-concurrency
N=${TD_TLS_CLIENTS:-32}

td_src_kdump "$W/src"
size=$(stat -c %s "$W/src")
printf 'kernel log\n' > "$W/dmesg"
td_rx_start 7000 "$W/rx" --client-ca "$C/client-ca.pem" --timeout 60 --max-clients 64

# Sample the receiver's processes: max VmHWM of one, max sum of VmRSS.
(
	one=0 all=0 most=0
	while kill -0 "$RX_PID" 2>/dev/null && [ ! -f "$W/stop" ]; do
		read -r h s n <<< "$(for p in $RX_PID $(td_rx_children "$RX_PID"); do
			cat /proc/"$p"/status 2>/dev/null; done |
			awk '/^VmHWM/{if ($2 > h) h = $2; n++} /^VmRSS/{s += $2} END {print h + 0, s + 0, n + 0}')"
		[ "$h" -gt "$one" ] && one=$h
		[ "$s" -gt "$all" ] && all=$s
		[ "$n" -gt "$most" ] && most=$n
		echo "$one $all $most" > "$W/rss"
		sleep 0.05
	done
) &
sampler=$!

t0=$(date +%s.%N)
pids=
for i in $(seq 1 "$N"); do
	"$TT" upload --port 7000 --file "$W/src" --dmesg "$W/dmesg" --ca "$C/ca.pem" \
		--cert "$C/client.pem" --key "$C/client.key" --timeout 60 --seed "$i" \
		--node "node$i" > "$W/u$i.log" 2>&1 &
	pids="$pids $!"
done
failed=0
for p in $pids; do
	wait "$p" || failed=$((failed + 1))
done
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
