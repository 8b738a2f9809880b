# Sourced (bash) by every QEMU test, save-vmcore.sh and `make demo`.
# Builds the crashing system's userspace, makes guest disks, runs QEMU the
# one way FACTS.md describes, reads guest disks back, and prints verdicts.
# Verdicts come from console marker lines ("TD-MARK ...") and from files on
# guest disks, never from QEMU's exit status.
#
#   td_kernel                 set TD_BZIMAGE TD_VMLINUX TD_KERNEL_KEY
#   td_stock T K W            a stock kernel's paths (S_release, S_vmlinux ...)
#   td_busybox                print the busybox-static binary (cached)
#   td_workload               print the static workload helper (cached)
#   td_sys_initramfs OUT CONF [CAPTURE_INITRD [TINYDUMP]]
#                             the crashing system's initramfs
#   td_busybox_initramfs OUT INIT_SCRIPT
#                             a busybox-only initramfs (test captures)
#   td_sys_conf KEY=VALUE...  the system /init's settings file, on stdout
#   td_disk_dump IMG MB       empty ext4 disk labelled "crash"
#   td_disk_data IMG          ext4 disk labelled "data" with files for page cache
#   td_qemu LOG SECONDS RAM_MB INITRD APPEND [DISK...]
#   td_crash_run WORK RAM_MB APPEND [CONF [CERTDIR]]
#                             the whole cycle with tinydump as the capture /init
#   td_guest_ls IMG DIR / td_guest_get IMG PATH OUT / td_guest_names IMG DIR
#   td_marker LOG WORD        print the text after "TD-MARK WORD" (first match)
#   td_ok NAME / td_fail NAME WHY [LOG] / td_skip NAME WHY
TD_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
. "$TD_ROOT/scripts/cache.sh"

# Busybox applets the test scripts use; each becomes a /bin symlink.
TD_APPLETS="sh ash cat cp dd date dmesg echo findfs grep head ls mkdir mount
 poweroff printf reboot sleep stat sync umount uname"

td_ok() { echo "ok $1"; }
td_skip() { echo "skip $1: $2"; }

# td_fail NAME WHY [LOG]: the verdict, then the log's last lines, indented
# (tests/run.sh shows indented lines under a FAIL).
td_fail() {
	echo "FAIL $1: $2"
	if [ -n "${3:-}" ] && [ -f "$3" ]; then
		echo "    --- last lines of $3"
		tail -n 25 "$3" | sed 's/^/    /'
	fi
}

# td_locked LOCKFILE CMD...: run CMD holding an exclusive lock, so parallel
# callers build a cache entry once. A subshell keeps fd 9 private.
td_locked() {
	local lock=$1
	shift
	( flock 9 && "$@" ) 9>"$lock"
}

# td_kernel: the test kernel; or, with TD_STOCK=deb12-cloud|deb12-generic|
# deb13-cloud, that stock Debian kernel and its -dbg vmlinux
# (scripts/stock-kernel.sh), also setting TD_STOCK_ROOT and TD_STOCK_RELEASE
# for td_crash_run's capture initramfs.
# td_stock T K W: the paths of stock kernel K (scripts/stock-kernel.sh K
# --dbg) as S_name S_version S_release S_root S_vmlinuz S_modules S_config
# S_vmlinux S_suite; when they cannot be had, T is skipped and the test ends.
td_stock() {
	local line
	if "$TD_ROOT/scripts/stock-kernel.sh" "$2" --dbg > "$3/stock.txt" 2> "$3/stock.err"; then
		while IFS= read -r line; do
			case $line in
			name=*|version=*|release=*|root=*|vmlinuz=*|modules=*|config=*|vmlinux=*|suite=*)
				printf -v "S_${line%%=*}" %s "${line#*=}" ;;
			esac
		done < "$3/stock.txt"
		[ -f "${S_vmlinuz:-}" ] && [ -f "${S_vmlinux:-}" ] && return 0
	fi
	td_skip "$1" "scripts/stock-kernel.sh $2 failed: $(tail -1 "$3/stock.err")"
	exit 0
}

# td_saved_vmcore T: V is the directory of a saved 1 GiB /proc/vmcore copy
# (save-vmcore.sh, cached); without one, T/saved-vmcore fails and the test ends.
td_saved_vmcore() {
	V=$("$TD_ROOT/qemu-tests/save-vmcore.sh" 1024 2>/dev/null | tail -1) || V=
	[ -n "$V" ] && [ -f "$V/vmcore" ] && return 0
	td_fail "$1/saved-vmcore" "save-vmcore.sh produced no vmcore"
	exit 0
}

# td_readers: crash and makedumpfile that read this kernel's dumps, as
# arrays TD_CRASH_TOOL and TD_MDF_TOOL: Debian 12's for 6.1 (the test kernel
# and Debian 12's), unstable's through scripts/oracle.sh for later kernels.
td_readers() {
	case ${TD_STOCK_RELEASE:-6.1.} in
	6.1.*) TD_CRASH_TOOL=(crash) TD_MDF_TOOL=(makedumpfile) ;;
	*) TD_CRASH_TOOL=("$TD_ROOT/scripts/oracle.sh" crash)
	   TD_MDF_TOOL=("$TD_ROOT/scripts/oracle.sh" makedumpfile) ;;
	esac
}

td_kernel() {
	local paths
	if [ -n "${TD_STOCK:-}" ]; then
		paths=$("$TD_ROOT/scripts/stock-kernel.sh" "$TD_STOCK" --dbg) || die "scripts/stock-kernel.sh $TD_STOCK failed"
		TD_BZIMAGE=$(sed -n 's/^vmlinuz=//p' <<< "$paths") TD_VMLINUX=$(sed -n 's/^vmlinux=//p' <<< "$paths")
		TD_STOCK_ROOT=$(sed -n 's/^root=//p' <<< "$paths") TD_STOCK_RELEASE=$(sed -n 's/^release=//p' <<< "$paths")
		TD_KERNEL_KEY=stock-$TD_STOCK
		return 0
	fi
	paths=$("$TD_ROOT/scripts/kernel.sh") || die "kernel build failed (scripts/kernel.sh)"
	read -r TD_BZIMAGE TD_VMLINUX <<< "$paths"
	TD_KERNEL_KEY=$(basename "$(dirname "$TD_BZIMAGE")")
	[ -f "$TD_BZIMAGE" ] && [ -f "$TD_VMLINUX" ] || die "scripts/kernel.sh printed missing paths: $paths"
}

# busybox-static is downloaded and unpacked, never installed: it conflicts
# with the dynamic busybox that other packages pull in (FACTS.md).
_td_busybox_fetch() {
	local dir=$1 ver=$2
	[ -f "$dir/done" ] && return 0
	rm -rf "$dir" && mkdir -p "$dir/deb"
	(cd "$dir/deb" && apt-get download -q "busybox-static=$ver" >/dev/null 2>&1) ||
		{ rm -rf "$dir"; return 1; }
	dpkg-deb -x "$dir"/deb/*.deb "$dir/x" && cp "$dir/x/bin/busybox" "$dir/busybox" || return 1
	rm -rf "$dir/deb" "$dir/x"
	echo "$ver" > "$dir/version"
	touch "$dir/done"
}

td_busybox() {
	local ver dir old
	ver=$(apt-cache policy busybox-static 2>/dev/null | awk '/Candidate:/{print $2}')
	if [ -n "$ver" ] && [ "$ver" != "(none)" ]; then
		dir="$CACHE/busybox-static-$(printf %s "$ver" | tr -c 'A-Za-z0-9.+\n-' _)"
		td_locked "$dir.lock" _td_busybox_fetch "$dir" "$ver" && { echo "$dir/busybox"; return; }
		log "apt-get download busybox-static=$ver failed"
	fi
	# Offline or an old package list: any version fetched before will do.
	old=$(ls -d "$CACHE"/busybox-static-*/done 2>/dev/null | tail -1)
	[ -n "$old" ] || die "cannot get busybox-static: run 'apt-get update' (needs the Debian archive)"
	echo "$(dirname "$old")/busybox"
}

_td_workload_build() {
	local dir=$1
	[ -f "$dir/done" ] && return 0
	mkdir -p "$dir"
	musl-gcc -static -std=c11 -D_GNU_SOURCE -O2 -Wall -Wextra -Werror -o "$dir/workload" \
		"$TD_ROOT/qemu-tests/workload.c" && strip "$dir/workload" && touch "$dir/done"
}

td_workload() {
	local dir
	command -v musl-gcc >/dev/null || die "musl-gcc not found: run scripts/deps.sh"
	dir="$CACHE/workload-$(KEYEXTRA="$(pkgver musl-tools)" key "$TD_ROOT/qemu-tests/workload.c")"
	td_locked "$dir.lock" _td_workload_build "$dir" || die "building qemu-tests/workload.c failed"
	echo "$dir/workload"
}

# _td_busybox_spec BUSYBOX: dirs, device nodes and busybox with its links.
_td_busybox_spec() {
	local d a
	for d in /bin /dev /proc /sys /tmp /mnt /data /boot /etc /root; do
		echo "dir $d 0755 0 0"
	done
	echo "nod /dev/console 0600 0 0 c 5 1"
	echo "nod /dev/null 0666 0 0 c 1 3"
	echo "file /bin/busybox $1 0755 0 0"
	for a in $TD_APPLETS; do
		echo "slink /bin/$a busybox 0777 0 0"
	done
}

# _td_pack SPEC OUT: mkcpio + gzip -1 (speed matters more than size here).
_td_pack() {
	local mk="$TD_ROOT/build/mkcpio"
	[ -x "$mk" ] || make -s -C "$TD_ROOT" build/mkcpio >/dev/null || die "cannot build build/mkcpio"
	"$mk" < "$1" > "$2.cpio" || die "mkcpio failed on spec $1"
	gzip -n -1 < "$2.cpio" > "$2" && rm -f "$2.cpio"
}

# td_sys_conf KEY=VALUE...: settings for sys-init.sh, one shell assignment a
# line, values single-quoted. Keys: TD_LOADER (tinydump|workload|none),
# TD_APPEND (tinydump load --append), TD_CAPTURE_CMDLINE (workload kexec),
# TD_CRASH (yes|no), TD_CRASH_KIND (sysrq|null|bug|softlockup|hungtask|oom,
# see sys-init.sh), TD_WL_ANON (MiB of anonymous memory, 0 = no workload),
# TD_BEFORE_LOAD (shell commands run just before the load step).
td_sys_conf() {
	local kv
	for kv in "$@"; do
		printf "%s='%s'\n" "${kv%%=*}" "$(printf %s "${kv#*=}" | sed "s/'/'\\\\''/g")"
	done
}

# td_sys_initramfs OUT CONF [CAPTURE_INITRD [TINYDUMP]]: the crashing
# system: busybox, sys-init.sh as /init, the workload helper, the kernel and
# capture initramfs to load (/boot/bzImage, /boot/capture.cpio.gz), and
# tinydump as /bin/tinydump when given.
td_sys_initramfs() {
	local out=$1 conf=$2 cap=${3:-} td=${4:-} spec bb wl
	bb=$(td_busybox) && wl=$(td_workload) || exit 1
	[ -n "${TD_BZIMAGE:-}" ] || td_kernel
	spec="$out.spec"
	{
		_td_busybox_spec "$bb"
		echo "file /init $TD_ROOT/qemu-tests/sys-init.sh 0755 0 0"
		echo "file /etc/td-test.conf $conf 0644 0 0"
		echo "file /bin/workload $wl 0755 0 0"
		echo "file /boot/bzImage $TD_BZIMAGE 0644 0 0"
		[ -z "$cap" ] || echo "file /boot/capture.cpio.gz $cap 0644 0 0"
		[ -z "$td" ] || echo "file /bin/tinydump $td 0755 0 0"
		[ -z "${TD_KEXEC:-}" ] || echo "file /bin/kexec $TD_KEXEC 0755 0 0"
	} > "$spec"
	_td_pack "$spec" "$out"
	rm -f "$spec"
}

# td_busybox_initramfs OUT INIT_SCRIPT: busybox and a script as /init; the
# test-only capture initramfs of save-vmcore.sh.
td_busybox_initramfs() {
	local out=$1 init=$2 bb
	bb=$(td_busybox) || exit 1
	{
		_td_busybox_spec "$bb"
		echo "file /init $init 0755 0 0"
	} > "$out.spec"
	_td_pack "$out.spec" "$out"
	rm -f "$out.spec"
}

# td_disk_dump IMG MB: a sparse raw image with an empty ext4 labelled
# "crash". Few inodes and no lazy init: the guest kernel must not spend TCG
# time zeroing inode tables in the background.
td_disk_dump() {
	rm -f "$1" && truncate -s "$2M" "$1"
	mke2fs -q -F -t ext4 -L crash -N 128 -E lazy_itable_init=0,lazy_journal_init=0 "$1" ||
		die "mke2fs on $1 failed"
}

# td_disk_data IMG: ext4 labelled "data" (64 MiB) with files under /files
# for the system to read into page cache: text, random data, a binary.
td_disk_data() {
	local img=$1 root="$1.root"
	rm -rf "$root" "$img" && mkdir -p "$root/files"
	cat /usr/share/common-licenses/* > "$root/files/licenses.txt" 2>/dev/null || :
	head -c 4194304 /dev/urandom > "$root/files/random.bin"
	cp "$(td_busybox)" "$root/files/busybox.bin"
	truncate -s 64M "$img"
	mke2fs -q -F -t ext4 -L data -N 128 -E lazy_itable_init=0,lazy_journal_init=0 \
		-d "$root" "$img" || die "mke2fs -d on $img failed"
	rm -rf "$root"
}

# td_qemu LOG SECONDS RAM_MB INITRD APPEND [DISK...]: boot TD_BZIMAGE with
# the FACTS.md command shape. The console goes to LOG with \r stripped.
# Sets TD_QEMU_SECONDS (wall time) and TD_QEMU_KILLED (1 if the timeout hit).
# Environment: TD_SMP, the CPUs (default 1); TD_NIC, the -nic argument (default "none"); networked tests
# set it to "user,model=virtio-net-pci" and must run inside td_netns.
# TD_QEMU_REBOOT=1 lets a guest reboot (QEMU boots -kernel with -append again)
# instead of ending QEMU; the guest must then power off to end it.
td_qemu() {
	local log=$1 secs=$2 ram=$3 initrd=$4 append=$5 d t0 rc
	local -a drives=() noreboot=(-no-reboot)
	[ -z "${TD_QEMU_REBOOT:-}" ] || noreboot=()
	shift 5
	for d in "$@"; do
		drives+=(-drive "file=$d,format=raw,if=virtio,cache=unsafe")
	done
	[ -n "${TD_BZIMAGE:-}" ] || td_kernel
	t0=$(date +%s.%N)
	# The group keeps QEMU's status out of the caller's errexit.
	{
		rc=0
		timeout -s KILL "$secs" qemu-system-x86_64 -machine pc -accel tcg -m "${ram}M" -smp "${TD_SMP:-1}" \
			-nic "${TD_NIC:-none}" -device virtio-rng-pci -device isa-debug-exit,iobase=0xf4,iosize=0x04 \
			"${noreboot[@]}" -display none -serial stdio -monitor none \
			-kernel "$TD_BZIMAGE" -initrd "$initrd" -append "$append" "${drives[@]}" || rc=$?
		echo "$rc" > "$log.rc"
	} < /dev/null 2>&1 | tr -d '\r' > "$log"
	rc=$(cat "$log.rc") && rm -f "$log.rc"
	TD_QEMU_SECONDS=$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')
	TD_QEMU_KILLED=0
	[ "$rc" != 137 ] || { TD_QEMU_KILLED=1; echo "QEMU killed after $secs s (timeout)" >> "$log"; }
	return 0
}

# _td_stock_initramfs TINYDUMP WORK CONF CERTDIR: WORK/capture.cpio.gz for
# the stock kernel, with the modules of TD_STOCK_MODULES (default: a virtio
# disk with ext4).
_td_stock_initramfs() {
	local td=$1 w=$2 conf=${3:-$TD_ROOT/initramfs/tinydump.conf} certs=${4:-}
	[ -n "${TD_STOCK_ROOT:-}" ] || td_kernel
	[ -n "$certs" ] || { certs=$w/nocerts; mkdir -p "$certs"; }
	"$td" initramfs --root "$TD_STOCK_ROOT" --kernel-release "$TD_STOCK_RELEASE" --no-detect \
		--modules "${TD_STOCK_MODULES:-virtio_blk,virtio_pci,ext4}" --conf "$conf" --certs "$certs" \
		--output "$w/capture.cpio.gz" > "$w/initramfs.out" || die "tinydump initramfs failed"
}

# td_crash_run WORK RAM_MB APPEND [CONF [CERTDIR]]: one crash-and-capture
# cycle with build/tinydump: the capture initramfs from initramfs/build.sh
# (CONF, CERTDIR as there), the system runs the workload, loads it with
# `tinydump load --append APPEND` and crashes. Disks: WORK/data.img (vda) and
# WORK/dump.img (vdb, LABEL=crash, RAM + 256 MiB). Console: WORK/console.log.
# Environment: TD_CRASHKERNEL (64M), TD_TIMEOUT (seconds), TD_WL_ANON (64),
# TD_SYS_CMDLINE (extra words for the system kernel), TD_NIC (see td_qemu),
# TD_EXTRA_DISKS (more disk images, after dump.img), TD_TINYDUMP (the binary,
# default build/tinydump; pin a copy while others rebuild), TD_CAPTURE_INITRD
# (a capture initramfs made beforehand, e.g. with modules for a stock kernel,
# instead of initramfs/build.sh's).
td_crash_run() {
	local w=$1 ram=$2 append=$3 conf=${4:-} certs=${5:-} secs td=${TD_TINYDUMP:-$TD_ROOT/build/tinydump}
	mkdir -p "$w"
	[ -x "$td" ] || die "$td missing: run make"
	if [ -n "${TD_CAPTURE_INITRD:-}" ]; then
		cp "$TD_CAPTURE_INITRD" "$w/capture.cpio.gz"
	elif [ -n "${TD_STOCK:-}" ]; then
		_td_stock_initramfs "$td" "$w" "$conf" "$certs"
	else
		"$TD_ROOT/initramfs/build.sh" "$td" "$w/capture.cpio.gz" \
			"$conf" "$certs" >/dev/null || die "initramfs/build.sh failed"
	fi
	td_sys_conf TD_LOADER=tinydump TD_CRASH=yes TD_WL_ANON="${TD_WL_ANON:-64}" \
		TD_APPEND="$append" > "$w/test.conf"
	td_sys_initramfs "$w/sys.cpio.gz" "$w/test.conf" "$w/capture.cpio.gz" "$td"
	td_disk_data "$w/data.img"
	td_disk_dump "$w/dump.img" $(( ram + 256 ))
	secs=${TD_TIMEOUT:-$(( 180 + ram * 60 / 1024 ))}
	td_qemu "$w/console.log" "$secs" "$ram" "$w/sys.cpio.gz" \
		"console=ttyS0 crashkernel=${TD_CRASHKERNEL:-64M} panic=1 printk.devkmsg=on ${TD_SYS_CMDLINE:-}" \
		"$w/data.img" "$w/dump.img" ${TD_EXTRA_DISKS:-}
}

# The guest may stop without unmounting: replay the ext4 journal first, or
# debugfs (which ignores the journal) could miss the newest files.
_td_guest_replay() {
	e2fsck -y -E journal_only "$1" >/dev/null 2>&1 || :
}

td_guest_ls() {
	_td_guest_replay "$1"
	debugfs -R "ls -l $2" "$1" 2>/dev/null
}

# td_guest_names IMG DIR: the entries of DIR, one a line, without ".",
# ".." and lost+found.
td_guest_names() {
	_td_guest_replay "$1"
	debugfs -R "ls -p $2" "$1" 2>/dev/null | awk -F/ 'NF >= 6 && $6 != "." && $6 != ".." && $6 != "lost+found" { print $6 }'
}

# td_guest_get IMG PATH OUT: copy a guest file out; fails when it is absent.
td_guest_get() {
	rm -f "$3"
	_td_guest_replay "$1"
	debugfs -R "dump $2 $3" "$1" >/dev/null 2>&1 && [ -f "$3" ] || return 1
	# debugfs creates OUT even for a missing file, but then prints an error:
	debugfs -R "stat $2" "$1" 2>&1 | grep -q 'File not found' && { rm -f "$3"; return 1; }
	return 0
}

# td_marker LOG WORD: the rest of the first "TD-MARK WORD ..." line; fails
# if there is none. Kernel output may share the line, so match anywhere.
td_marker() {
	local line
	line=$(grep -a -m1 "TD-MARK $2\( \|\$\)" "$1") || return 1
	line=${line#*TD-MARK $2}
	echo "${line# }"
}

# td_dump_opens T VMLINUX WORK NAME FILE [DRGNFILE]: crash 8.0.2 (`bt`, `log`)
# and drgn (the crashed thread's stack) open FILE (drgn DRGNFILE: 0.0.22's
# libkdumpfile cannot read flattened files) with VMLINUX and show the sysrq
# crash; prints ok/FAIL lines T/crash-opens-NAME, T/drgn-stack-trace-NAME.
# td_drgn_trace DUMP VMLINUX OUT: drgn prints the crashed thread's stack to
# OUT; 0 when it runs through sysrq_handle_crash.
td_drgn_trace() {
	/usr/bin/python3 - "$1" "$2" > "$3" 2>&1 <<'PY' || :
import sys, drgn
p = drgn.Program()
p.set_core_dump(sys.argv[1])
p.load_debug_info([sys.argv[2]])
print("release:", p["init_uts_ns"].name.release.string_().decode())
t = p.crashed_thread()
print("crashed thread: pid", t.tid, t.object.comm.string_().decode())
print(t.stack_trace())
PY
	grep -q sysrq_handle_crash "$3"
}

td_dump_opens() {
	local t=$1 vmlinux=$2 w=$3 name=$4 file=$5 drgnfile=${6:-$5}
	printf 'bt\nlog\nquit\n' | timeout 300 crash --kaslr=auto -s "$vmlinux" "$file" > "$w/$name.crash" 2>&1 || :
	if grep -q sysrq_handle_crash "$w/$name.crash" && grep -q 'sysrq: Trigger a crash' "$w/$name.crash" &&
		! grep -qE 'page excluded|read error' "$w/$name.crash"; then
		td_ok "$t/crash-opens-$name"
	else
		td_fail "$t/crash-opens-$name" "crash: no sysrq backtrace or log" "$w/$name.crash"
	fi
	if td_drgn_trace "$drgnfile" "$vmlinux" "$w/$name.drgn"; then
		td_ok "$t/drgn-stack-trace-$name"
	else
		td_fail "$t/drgn-stack-trace-$name" "drgn: no sysrq_handle_crash in the crashed thread's stack" "$w/$name.drgn"
	fi
}
