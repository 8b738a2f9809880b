#!/bin/bash
# Issue 4 end to end, faults: each failing target ends with the dump on the
# next target, and nothing is marked complete that is not. Two crash runs
# in a private network namespace (servers on 127.0.0.1, the guest sees
# them as 10.0.2.2), with tinydump.timeout=5:
#   run a: tls to a receiver whose certificate comes from another CA,
#          tls to a listener that accepts and never speaks,
#          nfs with nothing listening on 2049,
#          disk:LABEL=small, an ext4 disk too small for the dump,
#          then disk:LABEL=crash;
#   run b: tls to a receiver killed once its vmcore.incomplete grows,
#          then disk:LABEL=crash.
# Every fault gets its own verdict: the console names the target and the
# cause, the fallback disk's tinydump.json "attempts" records the same
# cause, and what the failed target kept is not marked complete. The
# fallback dump itself must be complete and open in crash.
# Environment: CRASHKERNEL (default 64M), TD_KEEP=1 keeps the work dir,
# TD_TINYDUMP (default build/tinydump: the guest's and the receivers').
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
. "$here/netlib.sh"
td_netns "$0" "$@"
td_netns_setup
T=e2e-faults
TD=${TD_TINYDUMP:-$TD_ROOT/build/tinydump}
KDI=${TD_KDUMPINFO:-$TD_ROOT/build/host/tool_kdumpinfo}
[ -x "$TD" ] || { td_skip $T "$TD missing: run make"; exit 0; }
[ -x "$KDI" ] || { td_skip $T "$KDI missing: run make unit"; exit 0; }
command -v crash >/dev/null || { td_skip $T "crash not installed (scripts/deps.sh)"; exit 0; }
W=$(mktemp -d /tmp/td-e2e-faults.XXXXXX)
PIDS=
stop() {
	local p
	for p in $PIDS; do
		kill -KILL $(ps -o pid= --ppid "$p" 2>/dev/null) "$p" 2>/dev/null
		wait "$p" 2>/dev/null
	done
	PIDS=
}
trap 'stop || :; [ -n "${TD_KEEP:-}" ] && echo "kept $W" >&2 || rm -rf "$W"' EXIT
C=$W/certs
P_WRONGCA=7421 P_SILENT=7422 P_KILL=7423
S_WRONGCA=tls:10.0.2.2:$P_WRONGCA
S_SILENT=tls:10.0.2.2:$P_SILENT
S_NFS=nfs:10.0.2.2:/crash
S_SMALL=disk:LABEL=small
S_KILL=tls:10.0.2.2:$P_KILL
S_GOOD=disk:LABEL=crash
# retries=0: each fault moves straight to the next target (t_tls_retry.sh
# tests the retries).
COMMON="tinydump.timeout=5 tinydump.retries=0 tinydump.final=poweroff"

# receiver PORT DIR CERTNAME: `tinydump receive` requiring client certs.
receiver() {
	mkdir -p "$2"
	# Started from a subshell, so killing it is no job of ours ("Killed").
	( "$TD" receive --listen 127.0.0.1:"$1" --dir "$2" --cert "$C/$3.pem" --key "$C/$3.key" \
		--client-ca "$C/client-ca.pem" --timeout 30 > "$W/rx-$1.log" 2>&1 &
	  echo $! > "$W/rx-$1.pid" )
	RXPID=$(cat "$W/rx-$1.pid")
	PIDS="$PIDS $RXPID"
	td_e2e_listening "$1" || { td_fail $T/setup "receiver on $1 did not listen" "$W/rx-$1.log"; exit 0; }
}

# silent PORT: accepts connections, logs them, and never sends a byte.
silent() {
	/usr/bin/python3 -u -c 'import socket, sys
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", int(sys.argv[1])))
s.listen(8)
held = []
while True:
    c, a = s.accept()
    held.append(c)
    print("accepted", a[0], a[1])' "$1" > "$W/silent-$1.log" 2>&1 &
	PIDS="$PIDS $!"
	td_e2e_listening "$1" || { td_fail $T/setup "silent listener on $1 did not listen" "$W/silent-$1.log"; exit 0; }
}

# killer DIR PID: SIGKILL receiver PID (and its per-upload children) as soon
# as a vmcore.incomplete under DIR holds data; writes its size to
# $W/killed-at. Bounded: gives up after 300 s.
killer() {
	local dir=$1 pid=$2 f sz i
	for i in $(seq 1 6000); do
		for f in "$dir"/*/vmcore.incomplete; do
			[ -f "$f" ] || continue
			sz=$(stat -c %s "$f" 2>/dev/null) || continue
			[ "$sz" -gt 0 ] || continue
			kill -KILL $(ps -o pid= --ppid "$pid" 2>/dev/null) "$pid" 2>/dev/null
			echo "$sz" > "$W/killed-at"
			return 0
		done
		sleep 0.05
	done
}

# small IMG: 4 MiB ext4 (no journal) labelled "small"; the dump is ~10 MB.
small_disk() {
	rm -f "$1" && truncate -s 4M "$1"
	mke2fs -q -F -t ext4 -L small -N 32 -O ^has_journal -E lazy_itable_init=0 "$1" ||
		die "mke2fs on $1 failed"
}

run_a() {
	receiver $P_WRONGCA "$W/rx-wrongca" other-server
	silent $P_SILENT
	[ -z "$(ss -Hltn 'sport = :2049')" ] || { td_fail $T/setup "something listens on 2049"; exit 0; }
	mkdir -p "$W/a" && small_disk "$W/a/small.img"
	TD_NIC=$TD_E2E_NIC TD_CRASHKERNEL=${CRASHKERNEL:-64M} TD_EXTRA_DISKS="$W/a/small.img" \
		td_crash_run "$W/a" 1024 "$COMMON tinydump.target=$S_WRONGCA tinydump.target=$S_SILENT \
tinydump.target=$S_NFS tinydump.target=$S_SMALL tinydump.target=$S_GOOD" "" "$C"
	echo "e2e-faults: run a (4 faults, then disk) took $TD_QEMU_SECONDS s" >&2
	stop
}

run_b() {
	local kpid
	receiver $P_KILL "$W/rx-kill" server
	killer "$W/rx-kill" "$RXPID" &
	kpid=$!
	PIDS="$PIDS $kpid"
	TD_NIC=$TD_E2E_NIC TD_CRASHKERNEL=${CRASHKERNEL:-64M} \
		td_crash_run "$W/b" 1024 "$COMMON tinydump.target=$S_KILL tinydump.target=$S_GOOD" "" "$C"
	echo "e2e-faults: run b (receiver killed, then disk) took $TD_QEMU_SECONDS s" >&2
	stop
}

# cause LOG SPEC: the cause the console gave for SPEC's failure.
cause() {
	grep -a -m1 -F "tinydump: target $2 failed: " "$1" | sed 's/^.*tinydump: target [^ ]* failed: //'
}

# attempt JSON SPEC: "RESULT<TAB>ERROR" of SPEC's entry in "attempts".
attempt() {
	/usr/bin/python3 -c 'import json, sys
j = json.load(open(sys.argv[1]))
for a in j["attempts"]:
    if a["target"] == sys.argv[2]:
        print(a["result"] + "\t" + a["error"])
        break' "$1" "$2" 2>/dev/null
}

# fallback RUN: fetch the fallback disk's complete dump into $W/RUN/fb/;
# one verdict for it (complete, json complete, kdump status clean, crash).
fallback() {
	local r=$1 img=$W/$1/dump.img log=$W/$1/console.log d f st
	mkdir -p "$W/$r/fb"
	d=$(td_guest_names "$img" / | head -1)
	if [ -z "$d" ]; then
		td_fail $T/$r-fallback-disk-complete "no dump directory on LABEL=crash" "$log"
		return 1
	fi
	for f in dmesg.txt vmcore tinydump.json; do
		td_guest_get "$img" "/$d/$f" "$W/$r/fb/$f" ||
			{ td_fail $T/$r-fallback-disk-complete "$d/$f missing on LABEL=crash" "$log"; return 1; }
	done
	if td_guest_names "$img" "/$d" | grep -qx vmcore.incomplete; then
		td_fail $T/$r-fallback-disk-complete "vmcore.incomplete left next to vmcore"
		return 1
	fi
	st=$("$KDI" "$W/$r/fb/vmcore" 2>&1 | awk '$1 == "status" { print $2 }')
	if [ "$(td_e2e_json "$W/$r/fb/tinydump.json" '(j["target"], j["complete"])')" != "('$S_GOOD', True)" ]; then
		td_fail $T/$r-fallback-disk-complete "tinydump.json does not say complete on $S_GOOD" "$W/$r/fb/tinydump.json"
	elif [ -z "$st" ] || (( st & 8 )); then
		td_fail $T/$r-fallback-disk-complete "kdump header status '${st:-none}' (want bit 0x8 clear)"
	elif ! td_e2e_crash "$W/$r/fb/vmcore" "$W/$r/crash.out"; then
		td_fail $T/$r-fallback-disk-complete "crash did not open the fallback dump (bt, log)" "$W/$r/crash.out"
	elif ! grep -q "tinydump: dump complete: /mnt/t[0-9]/$d " "$log"; then
		td_fail $T/$r-fallback-disk-complete "no 'dump complete' console line for $d" "$log"
	else
		td_ok $T/$r-fallback-disk-complete
		return 0
	fi
	return 1
}

# fault NAME RUN SPEC PATTERN [FALLBACK_OK]: the console names SPEC's
# failure with a cause matching PATTERN (grep -E), and the fallback disk's
# attempts record that cause. Prints nothing on success; the caller adds
# the target-specific evidence and the verdict. Sets CAUSE and RESULT.
fault() {
	local name=$1 r=$2 spec=$3 pat=$4 fb=$5 log=$W/$2/console.log a
	CAUSE=$(cause "$log" "$spec") RESULT=
	if [ -z "$CAUSE" ]; then
		WHY="no 'target $spec failed' line on the console"; return 1
	fi
	echo "    $name: $CAUSE"
	if ! printf '%s' "$CAUSE" | grep -qE "$pat"; then
		WHY="console cause does not match /$pat/: $CAUSE"; return 1
	fi
	[ "$fb" = 1 ] || { WHY="the fallback disk has no complete dump"; return 1; }
	a=$(attempt "$W/$r/fb/tinydump.json" "$spec")
	if [ -z "$a" ]; then
		WHY="fallback tinydump.json has no attempt for $spec"; return 1
	fi
	RESULT=${a%%$'\t'*}
	if [ "${a#*$'\t'}" != "$CAUSE" ]; then
		WHY="attempt error '${a#*$'\t'}' differs from the console's cause"; return 1
	fi
	return 0
}

verdict() { # NAME RC [LOG]
	if [ "$2" = 0 ]; then td_ok "$T/$1"; else td_fail "$T/$1" "$WHY" "${3:-}"; fi
}

check_wrongca() {
	local rc=0
	fault wrong-ca a "$S_WRONGCA" 'not trusted' "$1" || rc=1
	if [ $rc = 0 ] && [ -n "$(ls -A "$W/rx-wrongca")" ]; then
		WHY="the receiver stored something: $(ls "$W/rx-wrongca")"; rc=1
	fi
	verdict wrong-ca $rc "$W/a/console.log"
}

check_silent() {
	local rc=0
	fault silent-server a "$S_SILENT" 'no progress .* for 5 s' "$1" || rc=1
	if [ $rc = 0 ] && ! grep -q '^accepted' "$W/silent-$P_SILENT.log"; then
		WHY="the listener never saw a connection"; rc=1
	fi
	verdict silent-server $rc "$W/a/console.log"
}

check_nfs() {
	local rc=0
	fault nfs-absent a "$S_NFS" '[Cc]onnection refused' "$1" || rc=1
	verdict nfs-absent $rc "$W/a/console.log"
}

# The small disk keeps dmesg.txt and vmcore.incomplete (header status bit
# 0x8), never a vmcore; a tinydump.json there, if it fit, says incomplete.
check_small() {
	local rc=0 img=$W/a/small.img d st names
	fault disk-too-small a "$S_SMALL" 'is full|No space left on device' "$1" || rc=1
	d=$(td_guest_names "$img" / | head -1)
	names=$(td_guest_names "$img" "/$d" 2>/dev/null | tr '\n' ' ')
	if [ $rc = 1 ]; then
		:
	elif [ -z "$d" ]; then
		WHY="no dump directory on LABEL=small"; rc=1
	elif [[ " $names " == *" vmcore "* ]] || [[ " $names " != *" vmcore.incomplete "* ]] ||
		[[ " $names " != *" dmesg.txt "* ]]; then
		WHY="LABEL=small holds '$names' (want dmesg.txt and vmcore.incomplete, no vmcore)"; rc=1
	elif ! td_guest_get "$img" "/$d/vmcore.incomplete" "$W/a/small-vmcore"; then
		WHY="cannot read vmcore.incomplete from LABEL=small"; rc=1
	else
		st=$("$KDI" "$W/a/small-vmcore" 2>"$W/a/small-kdi.err" | awk '$1 == "status" { print $2 }')
		echo "    disk-too-small: vmcore.incomplete $(stat -c %s "$W/a/small-vmcore") bytes, status ${st:-?}, attempt result $RESULT"
		if [ -z "$st" ] || ! (( st & 8 )); then
			WHY="vmcore.incomplete header status '${st:-unreadable}' lacks bit 0x8"; rc=1
		elif [ "$RESULT" != incomplete ]; then
			WHY="attempt result '$RESULT', want incomplete"; rc=1
		elif td_guest_get "$img" "/$d/tinydump.json" "$W/a/small.json" &&
			[ "$(td_e2e_json "$W/a/small.json" 'j["complete"]')" != False ]; then
			WHY="LABEL=small's tinydump.json does not say complete: false"; rc=1
		fi
	fi
	verdict disk-too-small $rc "$W/a/console.log"
}

# The killed receiver's directory holds vmcore.incomplete and no vmcore.
check_kill() {
	local rc=0 d
	if [ ! -f "$W/killed-at" ]; then
		WHY="the receiver was never killed (no vmcore.incomplete with data appeared)"
		verdict receiver-killed 1 "$W/rx-$P_KILL.log"
		return
	fi
	fault receiver-killed b "$S_KILL" 'reset|closed|Broken pipe|ended|no progress' "$1" || rc=1
	d=$(ls -d "$W/rx-kill"/*/ 2>/dev/null | head -1)
	if [ $rc = 0 ]; then
		if [ -z "$d" ] || [ ! -f "$d/vmcore.incomplete" ] || [ -e "$d/vmcore" ]; then
			WHY="receiver directory holds '$(ls "$d" 2>/dev/null | tr '\n' ' ')' (want vmcore.incomplete, no vmcore)"; rc=1
		else
			echo "    receiver-killed: killed at $(cat "$W/killed-at") bytes; kept vmcore.incomplete $(stat -c %s "$d/vmcore.incomplete") bytes"
		fi
	fi
	verdict receiver-killed $rc "$W/b/console.log"
}

td_kernel
"$TD_ROOT/scripts/mkcerts.sh" "$C" > "$W/mkcerts.out" 2>&1 ||
	{ td_fail $T/setup "scripts/mkcerts.sh failed" "$W/mkcerts.out"; exit 0; }
run_a
fb=0
fallback a && fb=1
check_wrongca $fb
check_silent $fb
check_nfs $fb
check_small $fb
run_b
fb=0
fallback b && fb=1
check_kill $fb
