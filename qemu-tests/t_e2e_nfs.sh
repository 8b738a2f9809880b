#!/bin/bash
# Issue 4 end to end, NFS: a kernel crashed in QEMU is dumped by tinydump
# (PID 1 of the capture kernel, DHCP from QEMU's user network) onto
# nfs-ganesha (NFSv4, Graceless) serving 127.0.0.1 in a private network
# namespace; the guest reaches it as 10.0.2.2. The host then checks the
# export: <node>-<time>/{dmesg.txt,vmcore,tinydump.json}, no
# vmcore.incomplete, crash opens the vmcore (bt, log), dmesg.txt is what
# makedumpfile reads from it, tinydump.json names the NFS target.
# Environment: CRASHKERNEL (default 64M), TD_KEEP=1 keeps the work dir.
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
. "$here/netlib.sh"
td_netns "$0" "$@"
td_netns_setup
T=e2e-nfs
command -v ganesha.nfsd >/dev/null || { td_skip $T "ganesha.nfsd not installed (scripts/deps.sh)"; exit 0; }
command -v crash >/dev/null || { td_skip $T "crash not installed (scripts/deps.sh)"; exit 0; }
TD=${TD_TINYDUMP:-$TD_ROOT/build/tinydump}
[ -x "$TD" ] || { td_skip $T "$TD missing: run make"; exit 0; }
W=$(mktemp -d /tmp/td-e2e-nfs.XXXXXX)
GPID=
stop() {
	[ -z "$GPID" ] || { kill "$GPID" 2>/dev/null; wait "$GPID" 2>/dev/null; }
	GPID=
}
trap 'stop || :; [ -n "${TD_KEEP:-}" ] && echo "kept $W" >&2 || rm -rf "$W"' EXIT
SPEC=nfs:10.0.2.2:/crash
EXPORT=$W/g/export
LOG=$W/run/console.log

run() {
	td_kernel
	if ! td_ganesha "$W/g" 4; then
		td_fail $T/server "nfs-ganesha did not listen on 2049" "$W/g/ganesha.log"
		exit 0
	fi
	GPID=$TD_GANESHA_PID
	TD_NIC=$TD_E2E_NIC TD_CRASHKERNEL=${CRASHKERNEL:-64M} \
		td_crash_run "$W/run" 1024 "tinydump.target=$SPEC tinydump.final=poweroff"
	echo "e2e-nfs: crash-and-capture cycle took $TD_QEMU_SECONDS s (crashkernel=${CRASHKERNEL:-64M})" >&2
	stop # the files are on the host now; ganesha has synced them
}

# check_landed: sets D, the one dump directory in the export.
check_landed() {
	local dirs n f
	grep -q 'elfcorehdr=' "$LOG" ||
		{ td_fail $T/capture-kernel-boots "no elfcorehdr= on the console" "$LOG"; return 1; }
	td_ok $T/capture-kernel-boots
	dirs=$(td_e2e_dumpdirs "$EXPORT")
	n=$(printf '%s' "$dirs" | grep -c .)
	[ "$n" = 1 ] || { td_fail $T/dump-lands "want 1 dump directory in the export, found $n: $(ls "$EXPORT" | tr '\n' ' ')" "$LOG"; return 1; }
	D=$EXPORT/$dirs
	for f in dmesg.txt vmcore tinydump.json; do
		[ -s "$D/$f" ] || { td_fail $T/dump-lands "$dirs/$f missing or empty" "$LOG"; return 1; }
	done
	[ ! -e "$D/vmcore.incomplete" ] || { td_fail $T/dump-lands "vmcore.incomplete left next to vmcore"; return 1; }
	grep -q "tinydump: dump complete: /mnt/t0/$dirs " "$LOG" ||
		{ td_fail $T/dump-lands "no 'dump complete' console line for $dirs" "$LOG"; return 1; }
	td_ok $T/dump-lands
	echo "    dump: $dirs, vmcore $(stat -c %s "$D/vmcore") bytes"
}

check_crash() { td_e2e_check_crash $T "$D/vmcore" "$W"; }

check_dmesg() { td_e2e_check_dmesg $T "$D/vmcore" "$D/dmesg.txt" "$W"; }

check_json() {
	local got
	got=$(td_e2e_json "$D/tinydump.json" '(j["target"], j["complete"], len(j["attempts"]), j["bytes_written"])')
	if [ "$got" = "('$SPEC', True, 0, $(stat -c %s "$D/vmcore"))" ]; then
		td_ok $T/json-names-nfs-target
	else
		td_fail $T/json-names-nfs-target "(target, complete, attempts, bytes_written) = ${got:-unparsable}, want ('$SPEC', True, 0, size)" "$D/tinydump.json"
	fi
}

# The capture kernel's network bring-up time, as td_net_up logged it.
report_dhcp() {
	local l
	l=$(grep -a -m1 'tinydump: network: .*DHCP server.*up in' "$LOG" | sed 's/^.*tinydump: //')
	if [ -n "$l" ]; then
		td_ok $T/dhcp-logged
		echo "    $l"
	else
		td_fail $T/dhcp-logged "no DHCP bring-up line from the capture kernel" "$LOG"
	fi
}

run
if check_landed; then
	check_crash
	check_dmesg
	check_json
fi
report_dhcp
