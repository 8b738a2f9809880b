#!/bin/bash
# A tls: target is tried again, with backoff and jitter, before the next
# target (tinydump.retries=, default 2; `tinydump capture --retries N`):
#  - late-receiver: nothing listens at first; the receiver starts once the
#    first try has failed; a later try lands one complete dump, the log says
#    "try 1 of 3 ... trying again in X s", and tinydump.json lists the
#    refused tries (attempts_total 1, or 2 on a slow machine);
#  - all-tries-fail: a receiver that refuses for free space gets exactly
#    three tries, each logged, then the target fails;
#  - not-retried: a client key that does not load fails once, "not
#    retried", without waiting;
#  - retries-0: --retries 0 means one try.
# The input is a synthetic 1 GiB ELF vmcore (bench/synth.c).
set -u
. "$(dirname "$0")/tlslib.sh"
td_tls_setup tls-retry
gcc -std=c11 -D_GNU_SOURCE -O2 -I"$TD_ROOT" -o "$W/synth" "$TD_ROOT/bench/synth.c" 2> "$W/synth.err" &&
	"$W/synth" "$W/vmcore" 1 > /dev/null ||
	{ td_fail $T/synthetic-vmcore "bench/synth.c did not build or run" "$W/synth.err"; exit 0; }
cap() { # cap PORT LOG [ARGS...]
	local port=$1 log=$2
	shift 2
	timeout 120 "$TD" capture --input "$W/vmcore" --target "tls:127.0.0.1:$port" --ca "$C/ca.pem" \
		--cert "$C/client.pem" --key "$C/client.key" --timeout 5 "$@" > "$log" 2>&1
}

# late-receiver
mkdir -p "$W/d1"
cap 9601 "$W/c1.log" &
pid=$!
for i in $(seq 1 600); do
	grep -q 'failed (try 1 of 3)' "$W/c1.log" 2>/dev/null && break
	sleep 0.1
done
td_rx_start 9601 "$W/d1" --client-ca "$C/client-ca.pem" --min-free 0
wait $pid
rc=$?
dirs=$(find "$W/d1" -mindepth 2 -maxdepth 2 -name vmcore | wc -l)
json=$(find "$W/d1" -mindepth 2 -maxdepth 2 -name tinydump.json | head -1)
if [ $rc = 0 ] && [ "$dirs" = 1 ] && grep -q 'failed (try 1 of 3).*trying again in [0-9.]* s' "$W/c1.log" &&
	[ -n "$json" ] && [ "$(td_e2e_json "$json" 'j["attempts_total"] in (1, 2)')" = True ] &&
	td_e2e_json "$json" 'j["attempts"][0]["error"]' | grep -qi 'refused'; then
	td_ok $T/late-receiver
else
	td_fail $T/late-receiver "rc $rc, $dirs complete dumps, json ${json:-none}" "$W/c1.log"
fi
grep -E 'try 1 of 3|dump complete' "$W/c1.log" | sed 's/^/    /'
td_rx_stop

# all-tries-fail: a disk too small for the default --min-free (1 GiB)
mkdir -p "$W/d2" && mount -t tmpfs -o size=64m tmpfs "$W/d2" || { td_skip $T/all-tries-fail "no tmpfs"; }
if mountpoint -q "$W/d2"; then
	td_rx_start 9602 "$W/d2" --client-ca "$C/client-ca.pem"
	t0=$(date +%s.%N)
	cap 9602 "$W/c2.log"
	rc=$?
	t1=$(date +%s.%N)
	n=$(grep -c 'free space' "$W/c2.log")
	if [ $rc != 0 ] && grep -q 'failed (try 1 of 3)' "$W/c2.log" && grep -q 'failed (try 2 of 3)' "$W/c2.log" &&
		! grep -q 'try 3 of 3' "$W/c2.log" && [ "$(grep -c 'connected' "$W/c2.log")" = 3 ] &&
		awk -v a="$t0" -v b="$t1" 'BEGIN { exit !(b - a >= 3) }'; then
		td_ok $T/all-tries-fail
	else
		td_fail $T/all-tries-fail "rc $rc, $(grep -c connected "$W/c2.log") connections, $n free-space lines" "$W/c2.log"
	fi
	td_rx_stop
	umount "$W/d2"
fi

# not-retried: the client key does not load
t0=$(date +%s)
timeout 60 "$TD" capture --input "$W/vmcore" --target tls:127.0.0.1:9603 --ca "$C/ca.pem" \
	--cert "$C/client.pem" --key "$W/no-such.key" --timeout 5 > "$W/c3.log" 2>&1
rc=$?
if [ $rc != 0 ] && grep -q 'not retried' "$W/c3.log" && ! grep -q 'trying again in' "$W/c3.log" &&
	[ $(( $(date +%s) - t0 )) -lt 5 ]; then
	td_ok $T/not-retried
else
	td_fail $T/not-retried "rc $rc, $(( $(date +%s) - t0 )) s" "$W/c3.log"
fi

# retries-0: one try
cap 9604 "$W/c4.log" --retries 0
rc=$?
if [ $rc != 0 ] && ! grep -q 'trying again in' "$W/c4.log" && grep -q 'target tls:127.0.0.1:9604 failed' "$W/c4.log"; then
	td_ok $T/retries-0
else
	td_fail $T/retries-0 "rc $rc" "$W/c4.log"
fi
if cap 9604 "$W/c5.log" --retries 9; then
	td_fail $T/retries-bad-value "--retries 9 was accepted" "$W/c5.log"
elif grep -q -- "--retries 9: want a number of retries from 0 to 5" "$W/c5.log"; then
	td_ok $T/retries-bad-value
else
	td_fail $T/retries-bad-value "no message naming --retries 9" "$W/c5.log"
fi
