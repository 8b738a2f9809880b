#!/bin/bash
# The receiver's free-space rules (docs/PROTOCOL.md), on small tmpfs disks
# in the test's private mount namespace, with real uploads (tool_tls):
#  - default-min-free: with no --min-free a receiver keeps 1 GiB free, so
#    on a 64 MiB disk an upload is refused at once (code 5, "free space"),
#    and nothing is created;
#  - inodes: a disk with too few free inodes refuses with a message naming
#    --min-free-inodes;
#  - concurrent: 8 uploads of 6 MiB at once onto a 40 MiB disk with
#    --min-free 8M: each one is either stored intact or refused for space,
#    and the disk never goes below 8 MiB free while they run (a sampler
#    watches it), because every upload counts the others' reservations.
set -u
. "$(dirname "$0")/tlslib.sh"
td_tls_setup rx-space
trap 'td_rx_stop; kill $TD_BG 2>/dev/null; umount "$W"/d* 2>/dev/null; [ -n "${KEEP:-}" ] || rm -rf "$W"' EXIT
up() { # up PORT FILE LOG
	"$TT" upload --port "$1" --file "$2" --ca "$C/ca.pem" --cert "$C/client.pem" \
		--key "$C/client.key" --timeout 30 > "$3" 2>&1
}
disk() { # disk DIR OPTS
	mkdir -p "$1" && mount -t tmpfs -o "$2" tmpfs "$1"
}
head -c $((6 << 20)) /dev/urandom > "$W/src"

disk "$W/d1" size=64m || { td_skip $T "cannot mount a tmpfs"; exit 0; }
td_rx_start 9501 "$W/d1" --client-ca "$C/client-ca.pem"
if ! up 9501 "$W/src" "$W/u1.log" && grep -q 'free space would fall below --min-free' "$W/u1.log" &&
	[ -z "$(ls -A "$W/d1")" ]; then
	td_ok $T/default-min-free
else
	td_fail $T/default-min-free "a 64 MiB disk was not refused with the default --min-free ($(ls -A "$W/d1" | tr '\n' ' '))" "$W/u1.log"
fi
td_rx_stop

disk "$W/d2" size=64m,nr_inodes=40
td_rx_start 9502 "$W/d2" --client-ca "$C/client-ca.pem" --min-free 1M --min-free-inodes 100
if ! up 9502 "$W/src" "$W/u2.log" && grep -q 'min-free-inodes' "$W/u2.log"; then
	td_ok $T/inodes
else
	td_fail $T/inodes "a disk with 40 inodes was not refused for inodes" "$W/u2.log"
fi
td_rx_stop

disk "$W/d3" size=40m
td_rx_start 9503 "$W/d3" --client-ca "$C/client-ca.pem" --min-free 8M
( while :; do df -B1 --output=avail "$W/d3" | tail -1; sleep 0.02; done ) > "$W/free.log" 2>/dev/null &
sampler=$!
TD_BG="$TD_BG $sampler"
pids=
for i in 1 2 3 4 5 6 7 8; do
	up 9503 "$W/src" "$W/c$i.log" & pids="$pids $!"
done
stored=0 refused=0 other=0
for p in $pids; do wait "$p"; done
kill "$sampler" 2>/dev/null
for i in 1 2 3 4 5 6 7 8; do
	if grep -q 'free space would fall below' "$W/c$i.log"; then
		refused=$((refused + 1))
	elif grep -q 'stored' "$W/c$i.log" || ! grep -qi 'fail' "$W/c$i.log"; then
		stored=$((stored + 1))
	else
		other=$((other + 1))
	fi
done
intact=0
for f in "$W"/d3/*/vmcore; do [ -f "$f" ] && cmp -s "$f" "$W/src" && intact=$((intact + 1)); done
low=$(sort -n "$W/free.log" | head -1)
echo "    concurrent: $stored stored ($intact intact), $refused refused for space, $other other; lowest free $low bytes"
if [ "$other" = 0 ] && [ "$stored" = "$intact" ] && [ $((stored + refused)) = 8 ] && [ "$stored" -ge 1 ] &&
	[ -n "$low" ] && [ "$low" -ge $((8 << 20)) ]; then
	td_ok $T/concurrent-reservations
else
	td_fail $T/concurrent-reservations "$stored stored, $intact intact, $refused refused, $other other, lowest free ${low:-?}" "$W/c1.log"
fi
