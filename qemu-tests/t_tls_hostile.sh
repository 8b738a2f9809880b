#!/bin/bash
# Unauthenticated peers must not block uploads (issue 8, finding 1), host
# side in a private netns. While 200 idle sockets (from 127.0.0.2) and 20
# sockets dripping a ClientHello at one byte every 2 s (from 127.0.0.3) sit
# on the receiver, 16 real uploads with client certificates (from
# 127.0.0.1) must all be stored intact. The receiver must refuse
# connections over --max-per-peer at once and close every unfinished
# handshake within --handshake-timeout. Clients give up after 10 s without
# progress, while the hostile sockets stay for 20 s.
#   RX_OPTS   receiver options (default "--handshake-timeout 5"); an empty
#             value runs the receiver as it was before the fix
set -u
. "$(dirname "$0")/tlslib.sh"
td_tls_setup tls-hostile
N=16
HS=5
RX_OPTS=${RX_OPTS---handshake-timeout $HS}

td_src_file "$W/src" 4
printf 'kernel log\n' > "$W/dmesg"
# shellcheck disable=SC2086
td_rx_start 7000 "$W/rx" --client-ca "$C/client-ca.pem" --timeout 60 $RX_OPTS ||
	td_fail "$T/receiver-starts" "no listener on 7000" "$W/rx-7000.log"

python3 "$TD_ROOT/qemu-tests/hostile.py" 7000 200 20 $((HS + 15)) "$W/hostile" &
hostile=$!
sleep 2 # let the hostile sockets take what they can
td_uploads "$N" 10
wait "$hostile"

stored=0
for d in "$W"/rx/*/; do
	[ -f "$d/vmcore" ] && cmp -s "$d/vmcore" "$W/src" && stored=$((stored + 1))
done
if [ "$failed" = 0 ] && [ "$stored" = "$N" ]; then
	td_ok "$T/$N-uploads-stored-despite-220-hostile-sockets"
else
	td_fail "$T/$N-uploads-stored-despite-220-hostile-sockets" \
		"$failed of $N clients failed, $stored stored intact; first failure: $(cat "$W"/u*.log | grep -m1 -i fail)" \
		"$W/rx-7000.log"
fi

# Every dripping handshake is cut by the deadline (plus slack for a busy
# machine), not after the ClientHello's 80-odd bytes have trickled in.
late=$(awk -v max=$((HS + 3)) '$1 == "drip" && ($2 < 0 || $2 > max)' "$W/hostile" | wc -l)
if [ "$late" = 0 ]; then
	td_ok "$T/dripping-handshakes-cut-within-deadline"
else
	td_fail "$T/dripping-handshakes-cut-within-deadline" \
		"$late of 20 dripping sockets still open after $((HS + 3)) s" "$W/rx-7000.log"
fi
# Idle sockets: at most --max-per-peer (16) held, the rest refused at once.
fast=$(awk '$1 == "idle" && $2 >= 0 && $2 < 1.5' "$W/hostile" | wc -l)
open=$(awk -v max=$((HS + 3)) '$1 == "idle" && ($2 < 0 || $2 > max)' "$W/hostile" | wc -l)
if [ "$fast" -ge 184 ] && [ "$open" = 0 ] && grep -q "refused: too many connections from this address" "$W/rx-7000.log"; then
	td_ok "$T/idle-sockets-refused-at-once-or-cut-by-deadline"
else
	td_fail "$T/idle-sockets-refused-at-once-or-cut-by-deadline" \
		"$fast of 200 idle sockets closed within 1.5 s, $open still open after $((HS + 3)) s" "$W/rx-7000.log"
fi
