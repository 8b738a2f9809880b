#!/bin/bash
# Network bring-up (net/netup.c, dhcp.c, netlink.c) in the test kernel under
# QEMU user networking, inside a private network namespace:
#   lease    DHCP from slirp: 10.0.2.15/24 via 10.0.2.2, a TCP connection to
#            a host listener works, and our log lines reach /dev/kmsg
#   static   10.0.2.20/24 via 10.0.2.2 set with netlink; the listener answers
#   noserver a link with carrier but no DHCP server: bounded by the timeout,
#            and the error says what was sent and what came back
#   nolink   no network card at all: the error names the links seen
#   badiface static on a named interface that does not exist: named at once
set -eu
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
. "$here/netlib.sh"
td_netns "$0" "$@"
T=t_net_dhcp
td_netns_setup
tmp=$(mktemp -d /tmp/t_net_dhcp.XXXXXX)
pids=
trap 'for p in $pids; do kill $p 2>/dev/null || :; done; [ -n "${TD_KEEP:-}" ] || rm -rf "$tmp"' EXIT

td_kernel
TD_NET_INITRD=$tmp/net.cpio.gz
td_systool_initramfs "$TD_NET_INITRD"
socat TCP-LISTEN:7001,bind=127.0.0.1,reuseaddr,fork SYSTEM:'echo hello-from-host' &
pids="$pids $!"
td_wait_port 7001 50 || { td_fail $T "socat listener on 127.0.0.1:7001 did not start"; exit 0; }

# check NAME LOG WORD WANT: the marker WORD must equal WANT.
want() {
	local got
	got=$(td_marker "$2" "$3") || { td_fail "$T.$1" "no '$3' marker" "$2"; return 1; }
	[ "$got" = "$4" ] || { td_fail "$T.$1" "$3 is '$got', want '$4'" "$2"; return 1; }
}

check_lease() {
	local log=$tmp/lease.log ms
	td_qemu_net "$log" 60 user,model=virtio-net-pci "dhcp 20 7001"
	want lease "$log" iface "eth0 10.0.2.15/24" || return 0
	grep -aq 'tinydump: network: eth0 10.0.2.15/24 gateway 10.0.2.2 (DHCP server 10.0.2.2' "$log" ||
		{ td_fail $T.lease "no log line naming interface, address and gateway" "$log"; return 0; }
	want lease "$log" probe hello-from-host || return 0
	[ "$(td_marker "$log" kmsg-lines)" -ge 2 ] 2>/dev/null ||
		{ td_fail $T.lease "log lines missing from /dev/kmsg" "$log"; return 0; }
	ms=$(td_marker "$log" net-ms)
	td_ok $T.lease
	echo "    DHCP bring-up in the guest: $ms ms (TCG, slirp)"
}

check_static() {
	local log=$tmp/static.log
	td_qemu_net "$log" 60 user,model=virtio-net-pci "static 10.0.2.20/24 10.0.2.2 20 7001"
	want static "$log" iface "eth0 10.0.2.20/24" || return 0
	want static "$log" probe hello-from-host || return 0
	td_ok $T.static
}

check_noserver() {
	local log=$tmp/noserver.log err t0 t1
	t0=$(date +%s)
	# A socket netdev with no peer: the link has carrier, nothing answers.
	td_qemu_net "$log" 60 socket,model=virtio-net-pci,listen=127.0.0.1:7010 "dhcp 4"
	t1=$(date +%s)
	err=$(td_marker "$log" net-error) || { td_fail $T.noserver "no net-error marker" "$log"; return 0; }
	case "$err" in
	*"no DHCP lease after 4 s (eth0: "*" sent, 0 offers"*) ;;
	*) td_fail $T.noserver "unexpected error: $err" "$log"; return 0 ;;
	esac
	[ $((t1 - t0)) -lt 30 ] || { td_fail $T.noserver "took $((t1 - t0)) s for a 4 s timeout"; return 0; }
	td_ok $T.noserver
}

check_nolink() {
	local log=$tmp/nolink.log err
	td_qemu_net "$log" 60 none "dhcp 2"
	err=$(td_marker "$log" net-error) || { td_fail $T.nolink "no net-error marker" "$log"; return 0; }
	case "$err" in
	*"no Ethernet interface (links: none)"*) td_ok $T.nolink ;;
	*) td_fail $T.nolink "unexpected error: $err" "$log" ;;
	esac
}

check_badiface() {
	local log=$tmp/badiface.log err
	td_qemu_net "$log" 60 user,model=virtio-net-pci "static 10.0.2.20/24 10.0.2.2 20 0 eth7"
	err=$(td_marker "$log" net-error) || { td_fail $T.badiface "no net-error marker" "$log"; return 0; }
	case "$err" in
	*"no Ethernet interface named eth7 (links: eth0 (down))"*) td_ok $T.badiface ;;
	*) td_fail $T.badiface "unexpected error: $err" "$log" ;;
	esac
}

check_lease
check_static
check_badiface
check_noserver
check_nolink
