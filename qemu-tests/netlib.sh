# Sourced (bash) by the network tests t_net_*.sh and t_nfs*.sh, after
# lib.sh. Every networked test runs in a private network namespace (and a
# private mount namespace, so rpcbind's /run files stay ours): servers on
# 127.0.0.1 there, the guest reaches them as 10.0.2.2, nothing else exists.
#
#   td_netns "$0" "$@"      re-exec the calling script inside the namespaces
#   td_systool_initramfs OUT [CMDS]  qemu-tests/systool.c (the real init/
#                           and net/ code, built static with musl) as /init,
#                           and CMDS (a file of its words) as /etc/systool.cmds
#   td_qemu_net LOG SECONDS NIC WORDS [DISK...]  boot TD_BZIMAGE (initrd
#                           TD_NET_INITRD) with that -nic, virtio disks and
#                           "-- WORDS" for systool; console to LOG
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

_td_systool_build() {
	local dir=$1 m r=$TD_ROOT
	[ -f "$dir/done" ] && return 0
	mkdir -p "$dir"
	m=$("$r/scripts/musl-deps.sh") || return 1
	musl-gcc -static -std=c11 -D_GNU_SOURCE -O2 -Wall -Wextra -Werror -Wvla -Wshadow \
		-Wstrict-prototypes -Wmissing-prototypes -I"$r" -I"$m/include" -o "$dir/systool" "$r/qemu-tests/systool.c" $(_td_systool_srcs) &&
		strip "$dir/systool" && touch "$dir/done"
}

_td_systool_srcs() {
	local r=$TD_ROOT f
	for f in os/err.c os/log.c os/clock.c os/file.c os/parse.c init/sys.c init/cmdline.c \
		init/devices.c init/blkid.c net/netlink.c net/dhcp.c net/dhcpmsg.c net/netup.c net/nfs.c; do
		echo "$r/$f"
	done
}

td_systool_initramfs() {
	local out=$1 cmds=${2:-} dir
	dir="$CACHE/systool-$(KEYEXTRA="$(pkgver musl-tools)" key "$TD_ROOT/qemu-tests/systool.c" \
		$(_td_systool_srcs) "$TD_ROOT"/init/*.h "$TD_ROOT"/net/*.h "$TD_ROOT"/os/*.h)"
	td_locked "$dir.lock" _td_systool_build "$dir" || die "building qemu-tests/systool.c failed"
	printf '%s\n' "dir /dev 0755 0 0" "dir /proc 0755 0 0" "dir /sys 0755 0 0" \
		"dir /mnt 0755 0 0" "nod /dev/console 0600 0 0 c 5 1" \
		"file /init $dir/systool 0755 0 0" > "$out.spec"
	[ -z "$cmds" ] || printf '%s\n' "dir /etc 0755 0 0" \
		"file /etc/systool.cmds $cmds 0644 0 0" >> "$out.spec"
	_td_pack "$out.spec" "$out"
	rm -f "$out.spec"
}

# td_qemu_net LOG SECONDS NIC WORDS [DISK...]: like td_qemu (lib.sh), with a NIC.
td_qemu_net() {
	local log=$1 secs=$2 nic=$3 words=$4 d
	local -a drives=()
	shift 4
	for d in "$@"; do
		drives+=(-drive "file=$d,format=raw,if=virtio,cache=unsafe")
	done
	[ -n "${TD_BZIMAGE:-}" ] || td_kernel
	timeout -s KILL "$secs" qemu-system-x86_64 -machine pc -accel tcg -m 256M -smp 1 \
		-nic "$nic" -device virtio-rng-pci -no-reboot -display none -serial stdio \
		-monitor none -kernel "$TD_BZIMAGE" -initrd "$TD_NET_INITRD" \
		-append "console=ttyS0 panic=-1 -- $words" "${drives[@]}" < /dev/null 2>&1 | tr -d '\r' > "$log" || :
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

# --- end-to-end capture runs over the network (t_e2e_*.sh) ---
#
#   TD_E2E_NIC              the -nic for td_crash_run (export it as TD_NIC)
#   td_e2e_crash VMCORE OUT crash --kaslr=auto opens VMCORE: bt shows
#                           sysrq_handle_crash and log the sysrq line
#   td_e2e_dumpdirs DIR     the <node>-<YYYY-MM-DD-HH:MM:SS>[.N] entries of DIR
#   td_e2e_listening PORT   wait (10 s) for a listener on 127.0.0.1:PORT
#                           without connecting (servers log every connection)
#   td_e2e_json FILE EXPR   evaluate a Python expression on the parsed JSON
#                           (variable j); prints its value, fails on an error
TD_E2E_NIC=user,model=virtio-net-pci

td_e2e_crash() {
	td_readers
	printf 'bt\nlog\nquit\n' > "$2.cmd"
	timeout 300 "${TD_CRASH_TOOL[@]}" --kaslr=auto -s "$TD_VMLINUX" "$1" < "$2.cmd" > "$2" 2>&1 || :
	grep -q 'sysrq_handle_crash' "$2" && grep -q 'sysrq: Trigger a crash' "$2" &&
		! grep -qE 'page excluded|read error|invalid kernel virtual address|do not match' "$2"
}

td_e2e_dumpdirs() {
	ls -1 "$1" 2>/dev/null | grep -E -- '-[0-9]{4}-[0-9]{2}-[0-9]{2}-[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]+)?$'
}

td_e2e_json() {
	/usr/bin/python3 -c 'import json, sys
j = json.load(open(sys.argv[1]))
print(eval(sys.argv[2]))' "$1" "$2" 2>/dev/null
}

td_e2e_listening() {
	local i
	for i in $(seq 1 100); do
		[ -n "$(ss -Hltn "sport = :$1" 2>/dev/null)" ] && return 0
		sleep 0.1
	done
	return 1
}

# td_e2e_check_crash T VMCORE WORK / td_e2e_check_dmesg T VMCORE DMESG WORK:
# the verdict lines shared by the network end-to-end tests.
td_e2e_check_crash() {
	if td_e2e_crash "$2" "$3/crash.out"; then
		td_ok "$1/crash-bt-log"
	else
		td_fail "$1/crash-bt-log" "crash did not show sysrq_handle_crash in bt and the sysrq line in log" "$3/crash.out"
	fi
}

td_e2e_check_dmesg() {
	td_readers
	rm -f "$4/md-dmesg.txt"
	if ! "${TD_MDF_TOOL[@]}" --dump-dmesg "$2" "$4/md-dmesg.txt" > "$4/md.out" 2>&1; then
		td_fail "$1/dmesg-txt-equals-makedumpfile" "makedumpfile --dump-dmesg failed on $2" "$4/md.out"
	# makedumpfile 1.7.8 adds the printk caller ("[    0.000000] [      T0] ");
	# the kernel's console and 1.7.2 do not: compare without it.
	elif ! sed -E 's/^(\[ *[0-9]+\.[0-9]+\]) \[ *[TC][0-9]+\]/\1/' "$4/md-dmesg.txt" | cmp -s - "$3"; then
		td_fail "$1/dmesg-txt-equals-makedumpfile" "dmesg.txt differs from makedumpfile --dump-dmesg"
	else
		td_ok "$1/dmesg-txt-equals-makedumpfile"
	fi
}
