#!/bin/bash
# Faults of the TLS target and the receiver, host side, in a private netns:
#  - the receiver killed mid-upload: the client fails and says so; the
#    receiver leaves vmcore.incomplete, never vmcore;
#  - the receiver stopped (SIGSTOP) mid-upload: the client gives up within
#    its timeout (a stall), with the reason;
#  - an upload slower than the timeout in total but never pausing that long
#    is not cut (client and receiver timeouts 1 s);
#  - a server that accepts and never speaks: the client times out;
#  - nothing listening: the client fails at once;
#  - --min-free: refused before anything is stored, and mid-stream on a
#    small filesystem with vmcore.incomplete left; the client logs the
#    receiver's reason;
#  - the client's dump fails part way: the receiver keeps vmcore.incomplete
#    and the JSON, answers "stored incomplete", the client reports failure.
set -u
. "$(dirname "$0")/tlslib.sh"
td_tls_setup tls-faults

td_src_file "$W/src" 32

upload() { # LOG PORT [args...]: an upload in the foreground, its exit status
	local log=$1 port=$2
	shift 2
	timeout 60 "$TT" upload --port "$port" --file "$W/src" --ca "$C/ca.pem" "$@" > "$log" 2>&1
}

# wait_file PATTERN: until a file matching the glob exists and is not empty.
wait_file() {
	local i f
	for i in $(seq 1 100); do
		for f in $1; do
			[ -s "$f" ] && return 0
		done
		sleep 0.05
	done
	return 1
}

# killed mid-upload
td_rx_start 7000 "$W/k" --timeout 10
upload "$W/k.log" 7000 --timeout 10 --pace-ms 10 &
up=$!
wait_file "$W/k/*/vmcore.incomplete"
td_rx_stop
wait "$up"
rc=$?
if [ $rc != 0 ] && grep -q "upload failed: .*127.0.0.1:7000" "$W/k.log" &&
	ls "$W"/k/*/vmcore.incomplete > /dev/null 2>&1 && ! ls "$W"/k/*/vmcore > /dev/null 2>&1; then
	td_ok "$T/receiver-killed-client-fails-incomplete-left"
else
	td_fail "$T/receiver-killed-client-fails-incomplete-left" \
		"client exit $rc; files: $(ls "$W"/k/* 2>&1 | tr '\n' ' ')" "$W/k.log"
fi

# receiver stopped mid-upload: the stall timeout (2 s) ends it
td_rx_start 7001 "$W/s" --timeout 30
upload "$W/s.log" 7001 --timeout 2 --pace-ms 5 &
up=$!
wait_file "$W/s/*/vmcore.incomplete"
kids=$(td_rx_children "$RX_PID")
kill -STOP $kids
t0=$(date +%s.%N)
wait "$up"
rc=$?
dt=$(echo "$(date +%s.%N) - $t0" | bc)
td_rx_stop
if [ $rc != 0 ] && grep -q "no progress with 127.0.0.1:7001 for 2 s" "$W/s.log" &&
	[ "$(echo "$dt < 4" | bc)" = 1 ]; then
	td_ok "$T/stalled-receiver-client-times-out"
	echo "    tls: stalled receiver detected after $dt s (timeout 2 s)"
else
	td_fail "$T/stalled-receiver-client-times-out" "client exit $rc after $dt s" "$W/s.log"
fi

# slow but moving: several times the timeout in all, never a 1 s pause
td_rx_start 7007 "$W/slow" --timeout 1
t0=$(date +%s.%N)
upload "$W/slow.log" 7007 --timeout 1 --pace-ms 40
rc=$?
dt=$(echo "$(date +%s.%N) - $t0" | bc)
td_rx_stop
if [ $rc = 0 ] && [ "$(echo "$dt > 3" | bc)" = 1 ] && cmp -s "$W"/slow/*/vmcore "$W/src"; then
	td_ok "$T/slow-moving-upload-not-cut-by-timeout"
else
	td_fail "$T/slow-moving-upload-not-cut-by-timeout" "client exit $rc after $dt s" "$W/slow.log"
fi

# a server that accepts and never speaks
/usr/bin/python3 -c '
import socket, time
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", 7002)); s.listen(4)
c = s.accept(); time.sleep(60)' &
py=$!
TD_BG="$TD_BG $py"
td_listening 7002
t0=$(date +%s.%N)
upload "$W/q.log" 7002 --timeout 2
rc=$?
dt=$(echo "$(date +%s.%N) - $t0" | bc)
kill "$py" 2>/dev/null
if [ $rc != 0 ] && grep -q "TLS handshake with 127.0.0.1:7002 failed.*nothing received" "$W/q.log" &&
	[ "$(echo "$dt >= 2 && $dt < 4" | bc)" = 1 ]; then
	td_ok "$T/silent-server-client-times-out"
else
	td_fail "$T/silent-server-client-times-out" "client exit $rc after $dt s" "$W/q.log"
fi

t0=$(date +%s.%N)
upload "$W/n.log" 7003 --timeout 5
rc=$?
dt=$(echo "$(date +%s.%N) - $t0" | bc)
if [ $rc != 0 ] && grep -q "connecting to 127.0.0.1:7003: Connection refused" "$W/n.log" &&
	[ "$(echo "$dt < 2" | bc)" = 1 ]; then
	td_ok "$T/no-listener-fails-at-once"
else
	td_fail "$T/no-listener-fails-at-once" "client exit $rc after $dt s" "$W/n.log"
fi

# --min-free larger than the disk: refused before anything is stored
td_rx_start 7004 "$W/m" --min-free 1000T
upload "$W/m.log" 7004 --timeout 10
rc=$?
td_rx_stop
if [ $rc != 0 ] && grep -q "answered refused (free space): refused: free space would fall below --min-free" "$W/m.log" &&
	[ -z "$(ls -A "$W/m")" ]; then
	td_ok "$T/min-free-refuses-before-storing"
else
	td_fail "$T/min-free-refuses-before-storing" "client exit $rc; files: $(ls -A "$W/m")" "$W/m.log"
fi

# ... and mid-stream, on a 24 MiB filesystem with 8 MiB kept free
mkdir -p "$W/small"
mount -t tmpfs -o size=24m tmpfs "$W/small"
td_rx_start 7005 "$W/small/d" --min-free 8M
upload "$W/ms.log" 7005 --timeout 10
rc=$?
td_rx_stop
if [ $rc != 0 ] && grep -q "refused (free space)" "$W/ms.log" &&
	ls "$W"/small/d/*/vmcore.incomplete > /dev/null 2>&1 && ! ls "$W"/small/d/*/vmcore > /dev/null 2>&1 &&
	[ "$(df --output=avail -B1 "$W/small" | tail -1)" -ge $((8 << 20)) ]; then
	td_ok "$T/min-free-refuses-mid-stream-incomplete-left"
else
	td_fail "$T/min-free-refuses-mid-stream-incomplete-left" \
		"client exit $rc; files: $(ls "$W"/small/d/* 2>&1 | tr '\n' ' ')" "$W/ms.log"
fi
umount "$W/small"

# the client's own dump fails part way
td_rx_start 7006 "$W/f"
upload "$W/f.log" 7006 --timeout 10 --fail-at 3000000
rc=$?
td_rx_stop
d=$(ls -d "$W"/f/* 2>/dev/null | head -1)
if [ $rc != 0 ] && grep -q "receiver .* answered stored incomplete" "$W/f.log" && [ -n "$d" ] &&
	[ -s "$d/vmcore.incomplete" ] && [ ! -e "$d/vmcore" ] && grep -q '"complete": false' "$d/receiver.json" &&
	grep -q bytes_written "$d/tinydump.json"; then
	td_ok "$T/client-dump-failure-stored-incomplete"
else
	td_fail "$T/client-dump-failure-stored-incomplete" "client exit $rc; files: $(ls "$d" 2>&1 | tr '\n' ' ')" "$W/f.log"
fi
