# Sourced (bash) by the host-side TLS tests t_tls_*.sh. They run in a
# private network namespace (td_netns): servers on 127.0.0.1, nothing else
# reachable.
#
#   td_tls_setup NAME      work dir $W (removed on exit), certificates in $C
#                          (scripts/mkcerts.sh), $TD (build/tinydump) and $TT
#                          (build/host/tool_tls); skips the test when missing
#   td_listening PORT      wait (10 s) until something listens on 127.0.0.1:PORT
#   td_rx_start PORT DIR [ARGS...]   `tinydump receive` in the background with
#                          this server certificate; RX_PID, log $W/rx-PORT.log
#   td_rx_children PID     the receiver's per-connection processes
#   td_rx_stop             kill the receiver and its children
#   TD_BG                  other background PIDs to kill on exit (servers)
#   td_uploads N TIMEOUT   N concurrent tool_tls uploads of $W/src (with $W/dmesg)
#                          to port 7000, logs $W/uI.log; sets failed
#   td_src_file OUT MB     a test "dump": random data, its middle half zero
#   td_src_kdump OUT       a real kdump file (tinydump -l31 on a saved vmcore),
#                          or td_src_file when no vmcore can be had

# Sourcing this file also sources lib.sh and netlib.sh and moves the
# calling test into its private network namespace (td_netns re-runs it).
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
. "$(dirname "${BASH_SOURCE[0]}")/netlib.sh"
td_netns "$0" "$@"
td_netns_setup

td_tls_setup() {
	T=$1
	TD=$TD_ROOT/build/tinydump
	TT=${TD_TLS_TOOL:-$TD_ROOT/build/host/tool_tls} # another build of it for measurements
	if [ ! -x "$TD" ] || [ ! -x "$TT" ]; then
		td_skip "$T" "build/tinydump or build/host/tool_tls missing (make; make unit)"
		exit 0
	fi
	W=$(mktemp -d /tmp/td-$T.XXXXXX)
	TD_BG=
	# Under set -e a failing command ends a trap early: every step may fail.
	trap 'td_rx_stop || :; [ -z "$TD_BG" ] || kill $TD_BG 2>/dev/null || :; [ -n "${KEEP:-}" ] || rm -rf "$W"' EXIT
	C=$W/certs
	"$TD_ROOT/scripts/mkcerts.sh" "$C" > /dev/null || { td_fail "$T/certs" "mkcerts.sh failed"; exit 0; }
	RX_PID=
}

# td_listening PORT: netlib.sh's td_e2e_listening (10 s).
td_listening() { td_e2e_listening "$1"; }

td_rx_start() {
	local port=$1 dir=$2
	shift 2
	mkdir -p "$dir"
	"$TD" receive --listen 127.0.0.1:"$port" --dir "$dir" --cert "$C/server.pem" \
		--key "$C/server.key" "$@" > "$W/rx-$port.log" 2>&1 &
	RX_PID=$!
	disown "$RX_PID" # no "Killed" job notices when a test kills it
	td_listening "$port"
}

td_rx_children() { ps -o pid= --ppid "$1" 2>/dev/null; }

td_rx_stop() {
	[ -n "${RX_PID:-}" ] || return 0
	local kids i
	kids=$(td_rx_children "$RX_PID")
	kill -KILL "$RX_PID" $kids 2>/dev/null || : # some may have ended already
	for i in $(seq 1 40); do
		kill -0 "$RX_PID" 2>/dev/null || break
		sleep 0.05
	done
	RX_PID=
}

td_uploads() {
	local i p pids=
	for i in $(seq 1 "$1"); do
		timeout 300 "$TT" upload --port 7000 --file "$W/src" --dmesg "$W/dmesg" --ca "$C/ca.pem" \
			--cert "$C/client.pem" --key "$C/client.key" --timeout "$2" --seed "$i" \
			--node "node$i" > "$W/u$i.log" 2>&1 &
		pids="$pids $!"
	done
	failed=0
	for p in $pids; do
		wait "$p" || failed=$((failed + 1))
	done
}

td_src_file() {
	head -c $(( $2 * 1024 * 256 )) /dev/urandom > "$1"
	head -c $(( $2 * 1024 * 512 )) /dev/zero >> "$1"
	head -c $(( $2 * 1024 * 256 )) /dev/urandom >> "$1"
}

td_src_kdump() {
	local v
	v=$("$TD_ROOT/qemu-tests/save-vmcore.sh" 1024 2>/dev/null | tail -1) || v=
	if [ -n "$v" ] && [ -f "$v/vmcore" ] &&
		"$TD" capture --input "$v/vmcore" --output "$1" --level 31 > /dev/null 2>&1; then
		return 0
	fi
	td_src_file "$1" 16
}
