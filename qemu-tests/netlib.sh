# Sourced (bash) by the network tests t_net_*.sh and t_nfs*.sh, after
# lib.sh. Every networked test runs in a private network namespace (and a
# private mount namespace, so rpcbind's /run files stay ours): servers on
# 127.0.0.1 there, the guest reaches them as 10.0.2.2, nothing else exists.
#
#   td_netns "$0" "$@"      re-exec the calling script inside the namespaces
#   td_nettool_initramfs OUT  qemu-tests/nettool.c (the real net/ code, built
#                           static with musl) as /init; cached by sources
#   td_qemu_net LOG SECONDS NIC WORDS  boot TD_BZIMAGE with that -nic and
#                           "-- WORDS" for nettool; console to LOG
#   td_ganesha DIR VERS     start nfs-ganesha exporting DIR/export as
#                           /crash (VERS "4" or "3,4"); sets TD_GANESHA_PID
#   td_wait_port PORT [TRIES]  wait for a TCP listener on 127.0.0.1:PORT

td_netns() {
	local self=$1
	shift
	[ "${TD_IN_NETNS:-}" = 1 ] && return 0
	command -v unshare >/dev/null && [ "$(id -u)" = 0 ] ||
		{ echo "skip $(basename "$self" .sh): needs root and unshare for a private netns"; exit 0; }
	exec env TD_IN_NETNS=1 unshare -n -m --propagation private bash "$self" "$@"
}

# Inside the namespace: loopback up, a private /run.
td_netns_setup() {
	ip link set lo up
	mount -t tmpfs tmpfs /run
}

_td_nettool_build() {
	local dir=$1 m r=$TD_ROOT
	[ -f "$dir/done" ] && return 0
	mkdir -p "$dir"
	m=$("$r/scripts/musl-deps.sh") || return 1
	musl-gcc -static -std=c11 -D_GNU_SOURCE -O2 -Wall -Wextra -Werror -Wvla -Wshadow \
		-Wstrict-prototypes -Wmissing-prototypes -I"$r/capture" -I"$r/init" -I"$r/net" \
		-I"$m/include" -o "$dir/nettool" "$r/qemu-tests/nettool.c" $(_td_nettool_srcs) &&
		strip "$dir/nettool" && touch "$dir/done"
}

_td_nettool_srcs() {
	local r=$TD_ROOT f
	for f in capture/err.c init/log.c init/sys.c init/target.c init/cmdline.c \
		net/netlink.c net/dhcp.c net/dhcpmsg.c net/netup.c net/nfs.c; do
		echo "$r/$f"
	done
}

td_nettool_initramfs() {
	local out=$1 dir
	dir="$CACHE/nettool-$(KEYEXTRA="$(pkgver musl-tools)" key "$TD_ROOT/qemu-tests/nettool.c" \
		$(_td_nettool_srcs) "$TD_ROOT"/init/*.h "$TD_ROOT"/net/*.h "$TD_ROOT"/capture/err.h)"
	td_locked "$dir.lock" _td_nettool_build "$dir" || die "building qemu-tests/nettool.c failed"
	printf '%s\n' "dir /dev 0755 0 0" "dir /proc 0755 0 0" "dir /sys 0755 0 0" \
		"dir /mnt 0755 0 0" "nod /dev/console 0600 0 0 c 5 1" \
		"file /init $dir/nettool 0755 0 0" > "$out.spec"
	_td_pack "$out.spec" "$out"
	rm -f "$out.spec"
}

# td_qemu_net LOG SECONDS NIC WORDS: like td_qemu (lib.sh), with a NIC.
td_qemu_net() {
	local log=$1 secs=$2 nic=$3 words=$4
	[ -n "${TD_BZIMAGE:-}" ] || td_kernel
	timeout -s KILL "$secs" qemu-system-x86_64 -machine pc -accel tcg -m 256M -smp 1 \
		-nic "$nic" -device virtio-rng-pci -no-reboot -display none -serial stdio \
		-monitor none -kernel "$TD_BZIMAGE" -initrd "$TD_NET_INITRD" \
		-append "console=ttyS0 panic=-1 -- $words" < /dev/null 2>&1 | tr -d '\r' > "$log" || :
}

td_wait_port() {
	local i
	for i in $(seq 1 "${2:-100}"); do
		/usr/bin/python3 -c "import socket; socket.create_connection(('127.0.0.1', $1), 1)" \
			2>/dev/null && return 0
		sleep 0.2
	done
	return 1
}

# td_ganesha DIR VERS: NFSv4 (or v3+v4 with "3,4") per FACTS.md: Graceless,
# VFS FSAL, pseudo path /crash, RW, no root squash, NLM and RQUOTA off.
# PrivilegedPort stays false (its default): QEMU's NAT uses high ports.
td_ganesha() {
	local dir=$1 vers=$2
	mkdir -p "$dir/export" "$dir/recovery"
	cat > "$dir/ganesha.conf" <<-EOF
	NFS_CORE_PARAM {
		Protocols = $vers;
		Enable_NLM = false;
		Enable_RQUOTA = false;
		NFS_Port = 2049;
		# v3 clients mount the pseudo path too, as v4 ones do
		Mount_Path_Pseudo = true;
	}
	NFSv4 { Graceless = true; RecoveryBackend = fs; RecoveryRoot = $dir/recovery; }
	EXPORT {
		Export_Id = 1;
		Path = $dir/export;
		Pseudo = /crash;
		Access_Type = RW;
		Squash = No_Root_Squash;
		Protocols = $vers;
		Transports = TCP;
		SecType = sys;
		PrivilegedPort = false;
		FSAL { Name = VFS; }
	}
	EOF
	ganesha.nfsd -F -f "$dir/ganesha.conf" -L "$dir/ganesha.log" -p "$dir/ganesha.pid" &
	TD_GANESHA_PID=$!
	td_wait_port 2049 100
}
