#!/bin/bash
# Issue 4 end to end, TLS: a kernel crashed in QEMU is streamed by tinydump
# (PID 1 of the capture kernel, DHCP, BearSSL with the CA and a client
# certificate from its initramfs) to `tinydump receive` on 127.0.0.1 in a
# private network namespace, which requires client certificates. The guest
# reaches it as 10.0.2.2. The host then checks the receiver's directory:
# the rebuilt vmcore opens in crash (bt, log), its dmesg.txt equals
# makedumpfile --dump-dmesg of that vmcore, tinydump.json says complete,
# and the receiver logged exactly one line for the upload.
# Environment: CRASHKERNEL (default 64M), TD_KEEP=1 keeps the work dir,
# TD_TINYDUMP (default build/tinydump: both the guest's and the receiver).
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
. "$here/netlib.sh"
td_netns "$0" "$@"
td_netns_setup
T=e2e-tls
TD=${TD_TINYDUMP:-$TD_ROOT/build/tinydump}
[ -x "$TD" ] || { td_skip $T "$TD missing: run make"; exit 0; }
command -v crash >/dev/null || { td_skip $T "crash not installed (scripts/deps.sh)"; exit 0; }
W=$(mktemp -d /tmp/td-e2e-tls.XXXXXX)
RXPID=
stop() {
	[ -n "$RXPID" ] || return 0
	kill -KILL $(ps -o pid= --ppid "$RXPID" 2>/dev/null) "$RXPID" 2>/dev/null
	wait "$RXPID" 2>/dev/null
	RXPID=
}
trap 'stop || :; [ -n "${TD_KEEP:-}" ] && echo "kept $W" >&2 || rm -rf "$W"' EXIT
PORT=7411
SPEC=tls:10.0.2.2:$PORT
C=$W/certs
RX=$W/rx
RXLOG=$W/rx.log
LOG=$W/run/console.log

run() {
	td_kernel
	"$TD_ROOT/scripts/mkcerts.sh" "$C" > "$W/mkcerts.out" 2>&1 ||
		{ td_fail $T/certs "scripts/mkcerts.sh failed" "$W/mkcerts.out"; exit 0; }
	mkdir -p "$RX"
	"$TD" receive --listen 127.0.0.1:$PORT --dir "$RX" --cert "$C/server.pem" --key "$C/server.key" \
		--client-ca "$C/client-ca.pem" --timeout 30 > "$RXLOG" 2>&1 &
	RXPID=$!
	td_e2e_listening $PORT || { td_fail $T/receiver "tinydump receive did not listen on $PORT" "$RXLOG"; exit 0; }
	# initramfs/build.sh takes ca.pem, client.pem and client.key from $C.
	TD_NIC=$TD_E2E_NIC TD_CRASHKERNEL=${CRASHKERNEL:-64M} \
		td_crash_run "$W/run" 1024 "tinydump.target=$SPEC tinydump.final=poweroff" "" "$C"
	echo "e2e-tls: crash-and-capture cycle took $TD_QEMU_SECONDS s (crashkernel=${CRASHKERNEL:-64M})" >&2
	sleep 0.5 # the receiver's child may still be closing the session
	stop
}

# check_landed: sets D, the one upload directory.
check_landed() {
	local dirs n f
	grep -q 'elfcorehdr=' "$LOG" ||
		{ td_fail $T/capture-kernel-boots "no elfcorehdr= on the console" "$LOG"; return 1; }
	td_ok $T/capture-kernel-boots
	dirs=$(ls -1 "$RX")
	n=$(printf '%s' "$dirs" | grep -c .)
	[ "$n" = 1 ] || { td_fail $T/dump-stored "want 1 upload directory, found $n: $(echo $dirs)" "$RXLOG"; return 1; }
	D=$RX/$dirs
	[[ "$dirs" =~ ^client1-[0-9]{4}-[0-9]{2}-[0-9]{2}-[0-9]{2}:[0-9]{2}:[0-9]{2}$ ]] ||
		{ td_fail $T/dump-stored "directory $dirs is not client1-<UTC time>"; return 1; }
	for f in dmesg.txt vmcore tinydump.json; do
		[ -s "$D/$f" ] || { td_fail $T/dump-stored "$dirs/$f missing or empty: $(ls "$D" | tr '\n' ' ')" "$RXLOG"; return 1; }
	done
	[ ! -e "$D/vmcore.incomplete" ] || { td_fail $T/dump-stored "vmcore.incomplete left next to vmcore"; return 1; }
	grep -q "tinydump: dump complete: delivered to $SPEC " "$LOG" ||
		{ td_fail $T/dump-stored "no 'dump complete: delivered' console line" "$LOG"; return 1; }
	td_ok $T/dump-stored
	echo "    stored: $dirs, vmcore $(stat -c %s "$D/vmcore") bytes"
	grep -a -m1 "tinydump: tls:.*receiver stored" "$LOG" | sed 's/^.*tinydump: /    /'
}

check_crash() { td_e2e_check_crash $T "$D/vmcore" "$W"; }

check_dmesg() { td_e2e_check_dmesg $T "$D/vmcore" "$D/dmesg.txt" "$W"; }

check_json() {
	local got
	got=$(td_e2e_json "$D/tinydump.json" '(j["target"], j["complete"], len(j["attempts"]))')
	if [ "$got" = "('$SPEC', True, 0)" ]; then
		td_ok $T/json-complete
	else
		td_fail $T/json-complete "(target, complete, attempts) = ${got:-unparsable}, want ('$SPEC', True, 0)" "$D/tinydump.json"
	fi
}

# Besides its "listening" line, the receiver logs one line per upload.
check_rxlog() {
	local lines
	lines=$(grep -v 'receive: listening on' "$RXLOG")
	if [ "$(printf '%s' "$lines" | grep -c .)" = 1 ] &&
		printf '%s' "$lines" | grep -q "receive: 127.0.0.1:[0-9]* CN=client1: stored $RX/$(basename "$D") "; then
		td_ok $T/receiver-one-line
		echo "    ${lines#tinydump: }"
	else
		td_fail $T/receiver-one-line "want one 'stored' line for the upload" "$RXLOG"
	fi
}

run
if check_landed; then
	check_crash
	check_dmesg
	check_json
	check_rxlog
fi
