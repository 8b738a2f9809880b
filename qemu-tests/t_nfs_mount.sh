#!/bin/bash
# NFS mounts (net/nfs.c) from the test kernel against nfs-ganesha, inside a
# private network namespace; the guest gets its address by DHCP first.
#   v4          mount 10.0.2.2:/crash, write a file, read it back in the
#               guest, and find the same bytes in the export on the host
#   v3          the same over NFSv3 (rpcbind in the namespace finds mountd)
#   refused     nothing on port 2049: retried, then "connection refused"
#               once the timeout has passed
#   silent      a listener that accepts and never speaks: the soft mount
#               gives up, bounded by the timeout
#   notexported a path the server does not export: named as such
set -eu
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
. "$here/netlib.sh"
td_netns "$0" "$@"
T=t_nfs_mount
td_netns_setup
tmp=$(mktemp -d /tmp/t_nfs_mount.XXXXXX)
pids= rpcb=
stop() {
	local p
	for p in $pids; do kill "$p" 2>/dev/null && wait "$p" 2>/dev/null; done
	pids=
}
trap 'stop || :; [ -z "$rpcb" ] || kill $rpcb || :; [ -n "${TD_KEEP:-}" ] || rm -rf "$tmp"' EXIT
command -v ganesha.nfsd >/dev/null || { td_skip $T "ganesha.nfsd not installed (scripts/deps.sh)"; exit 0; }

td_kernel
TD_NET_INITRD=$tmp/net.cpio.gz
td_systool_initramfs "$TD_NET_INITRD"
NIC=user,model=virtio-net-pci
TEXT="hello from the guest over nfs"

# ganesha VERS: (re)start the server on a fresh export; fails the test
# named $1 when it does not come up.
ganesha() {
	stop
	rm -rf "$tmp/g" && mkdir -p "$tmp/g"
	if ! td_ganesha "$tmp/g" "$2"; then
		td_fail "$T.$1" "ganesha did not listen on 2049" "$tmp/g/ganesha.log"
		return 1
	fi
	pids=$TD_GANESHA_PID
}

check_rw() {
	local name=$1 vers=$2 log=$tmp/$1.log got
	td_qemu_net "$log" 90 "$NIC" "nfs 10.0.2.2 /crash $vers 20"
	got=$(td_marker "$log" readback) ||
		{ td_fail "$T.$name" "no readback: $(td_marker "$log" nfs-error || :)" "$log"; return 0; }
	[ "$got" = "$TEXT" ] || { td_fail "$T.$name" "guest read back '$got'" "$log"; return 0; }
	[ "$(cat "$tmp/g/export/hello.txt" 2>/dev/null)" = "$TEXT" ] ||
		{ td_fail "$T.$name" "export on the host does not hold the file" "$log"; return 0; }
	[ "$(stat -c %u "$tmp/g/export/hello.txt")" = 0 ] ||
		{ td_fail "$T.$name" "file not owned by root: root was squashed" "$log"; return 0; }
	td_marker "$log" umount >/dev/null || { td_fail "$T.$name" "umount failed" "$log"; return 0; }
	td_ok "$T.$name"
	echo "    $(grep -a -m1 'tinydump: nfs: mounted' "$log" | sed 's/^.*tinydump: //')"
}

check_v4() {
	ganesha v4 4 && check_rw v4 4
}

check_v3() {
	command -v rpcbind >/dev/null || { td_skip $T.v3 "rpcbind not installed"; return 0; }
	rpcbind -f -w &
	rpcb=$!
	td_wait_port 111 50 || { td_fail $T.v3 "rpcbind did not listen on 111"; return 0; }
	ganesha v3 "3, 4" || return 0
	check_rw v3 3
	stop
	kill $rpcb && wait $rpcb 2>/dev/null
	rpcb=
}

# expect_error NAME WORDS PATTERN MAXSECS: the mount fails with an error
# matching PATTERN, in at most MAXSECS seconds of guest time.
expect_error() {
	local name=$1 log=$tmp/$1.log err ms
	td_qemu_net "$log" 120 "$NIC" "$2"
	err=$(td_marker "$log" nfs-error) || { td_fail "$T.$name" "no nfs-error marker" "$log"; return 0; }
	ms=$(td_marker "$log" nfs-fail-ms)
	# shellcheck disable=SC2254
	case "$err" in
	$3) ;;
	*) td_fail "$T.$name" "unexpected error: $err" "$log"; return 0 ;;
	esac
	[ "$ms" -le $(($4 * 1000)) ] ||
		{ td_fail "$T.$name" "failing took $ms ms, more than $4 s" "$log"; return 0; }
	td_ok "$T.$name"
	echo "    ($ms ms) $err"
}

check_refused() {
	stop
	expect_error refused "nfs 10.0.2.2 /crash 4 5" '*connection\ refused*' 8
}

check_silent() {
	stop
	/usr/bin/python3 -c '
import socket, time
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", 2049)); s.listen(8); c = []
while True: c.append(s.accept())' &
	pids=$!
	td_wait_port 2049 50 || { td_fail $T.silent "silent listener did not start"; return 0; }
	expect_error silent "nfs 10.0.2.2 /crash 4 6" '*did\ not\ answer*' 30
}

check_notexported() {
	ganesha notexported 4 || return 0
	expect_error notexported "nfs 10.0.2.2 /nothere 4 10" '*not\ exported*' 12
}

check_v4
check_v3
check_refused
check_silent
check_notexported
