#!/bin/bash
# Issue 12 item 4, the anchor: tinydump against Debian's own kdump-tools
# (kdump-tools 1.8.1 with makedumpfile 1.7.2 and kexec-tools), each installed
# as an operator would in a copy of the journey's Debian 12 image
# (scripts/debian-image.sh; kdump-tools comes from the image's apt cache,
# offline), the same 1 GiB QEMU guest (TCG, one vCPU), Debian 12's cloud
# kernel, the same dump (level 31, zlib: kdump-tools' MAKEDUMP_ARGS default
# "-c -d 31", tinydump's default) to /var/crash of the root filesystem.
#
# For each: the smallest crashkernel= (in STEP MiB, bisected between LOW and
# HIGH) with which the dump completes, and at that size and at HIGH the time
# from the panic to the dump being complete and to the capture kernel's
# reboot, by the host's clock on console lines as they arrive.
#   bench/anchor.sh [tinydump|kdump-tools|both] [LOW HIGH STEP]
#                   (default both 32 320 8; results and console logs in
#                   build/bench/anchor/, as bench/run.sh keeps its own in build/)
#   ANCHOR_AT="72 128" bench/anchor.sh ...   no search: one timed trial at
#                   each of those sizes (MiB) per tool
# Not part of make check: each trial is one boot and crash under TCG.
set -u
here=$(cd "$(dirname "$0")/.." && pwd)
. "$here/qemu-tests/lib.sh"
WHICH=${1:-both} LOW=${2:-32} HIGH=${3:-320} STEP=${4:-8}
RAM=1024
OUT=$here/build/bench/anchor
W=$(mktemp -d /tmp/td-anchor.XXXXXX)
trap 'rm -rf "$W"' EXIT
mkdir -p "$OUT"
STAMP=$(date -u +%Y%m%d-%H%M)
RES=$OUT/anchor-$STAMP.txt

say() { echo "$*" | tee -a "$RES"; }

# qemu_ts LOG SECONDS APPEND IMG: boot the image's kernel; each console line
# is prefixed with the host's time when it arrived. Nothing may buffer
# between QEMU and the loop (a tr there held lines back by seconds).
qemu_ts() {
	local log=$1 secs=$2 append=$3 img=$4
	timeout -s KILL "$secs" qemu-system-x86_64 -machine pc -accel tcg -m "${RAM}M" -smp 1 -nic none \
		-device virtio-rng-pci -no-reboot -display none -serial stdio -monitor none \
		-kernel "$W/vmlinuz" -initrd "$W/initrd.img" -append "$append" \
		-drive "file=$img,format=raw,if=virtio,cache=unsafe" < /dev/null 2>&1 |
		while IFS= read -r l; do printf '%s %s\n' "$EPOCHREALTIME" "${l%$'\r'}"; done > "$log"
}

# setup TOOL: W/TOOL.img, the image with TOOL installed (one boot).
setup() {
	local tool=$1 args=() img=$W/$1.img
	[ "$tool" = kdump-tools ] && args=(--download kdump-tools)
	"$here/scripts/debian-image.sh" "${args[@]}" > "$W/$tool.image" || die "scripts/debian-image.sh failed"
	cp --sparse=always "$(sed -n 's/^image=//p' "$W/$tool.image")" "$img"
	UUID=$(sed -n 's/^uuid=//p' "$W/$tool.image")
	echo setup > "$W/stage"
	echo "$tool" > "$W/tool"
	{
		echo "mkdir /root/journey"
		[ "$tool" = tinydump ] && echo "write $DEB /root/journey/$(basename "$DEB")"
		echo "write $here/bench/anchor-stage.sh /usr/local/sbin/journey-stage"
		echo "write $here/qemu-tests/journey.service /etc/systemd/system/journey.service"
		echo "symlink /etc/systemd/system/multi-user.target.wants/journey.service /etc/systemd/system/journey.service"
		echo "symlink /etc/systemd/system/serial-getty@ttyS0.service /dev/null"
		echo "mkdir /var/lib/journey"
		echo "write $W/stage /var/lib/journey/stage"
		echo "write $W/tool /var/lib/journey/tool"
	} > "$W/debugfs.cmd"
	debugfs -w -f "$W/debugfs.cmd" "$img" > "$W/debugfs.out" 2>&1
	td_guest_get "$img" "$(sed -n 's/^vmlinuz=//p' "$W/$tool.image")" "$W/vmlinuz" &&
		td_guest_get "$img" "$(sed -n 's/^initrd=//p' "$W/$tool.image")" "$W/initrd.img" ||
		die "debugfs could not read the kernel from the image"
	qemu_ts "$W/$tool-setup.log" 1200 "root=UUID=$UUID ro console=ttyS0 crashkernel=${HIGH}M" "$img"
	grep -a 'TD-MARK setup-rc 0' "$W/$tool-setup.log" > /dev/null && grep -aq 'TD-MARK off setup' "$W/$tool-setup.log" ||
		{ cp "$W/$tool-setup.log" "$OUT/anchor-$STAMP-$tool-setup.log"; die "$tool setup failed: $OUT/anchor-$STAMP-$tool-setup.log"; }
	grep -a 'TD-OUT\|TD-MARK' "$W/$tool-setup.log" | cut -d' ' -f2- | sed 's/^/    /' >> "$RES"
}

# trial TOOL MIB: 0 when a complete dump landed; sets T_DUMP, T_END, T_REBOOT
# (seconds from the panic, host clock) and T_SIZE.
trial() {
	local tool=$1 mib=$2 img=$W/trial.img log=$W/$1-$2.log p d e r f
	cp --sparse=always "$W/$tool.img" "$img"
	# 300 s: a trial that completes takes under 2 minutes; a capture kernel
	# out of memory panics and, without panic=, waits for ever.
	qemu_ts "$log" 300 "root=UUID=$UUID ro console=ttyS0 crashkernel=${mib}M" "$img"
	cp "$log" "$OUT/anchor-$STAMP-$tool-${mib}M.log"
	T_DUMP= T_REBOOT= T_SIZE=
	p=$(grep -a 'TD-MARK panic' "$log" | head -1 | cut -d' ' -f1)
	r=$(grep -a 'reboot: Restarting system' "$log" | tail -1 | cut -d' ' -f1)
	[ -n "$p" ] || return 1
	if [ "$tool" = tinydump ]; then
		e=$(grep -a 'tinydump: dump complete:' "$log" | head -1 | cut -d' ' -f1)
		d=$(td_guest_names "$img" /var/crash | grep -v '^tinydump$' | head -1)
		f=$d/vmcore
	else
		e=$(grep -a 'saved vmcore in' "$log" | head -1 | cut -d' ' -f1)
		d=$(td_guest_names "$img" /var/crash | grep -E '^[0-9]{12}$' | head -1)
		f=$d/$(td_guest_names "$img" "/var/crash/$d" | grep '^dump\.' | head -1)
	fi
	[ -n "$d" ] && [ -n "$e" ] && td_guest_get "$img" "/var/crash/$f" "$W/dump" || return 1
	T_SIZE=$(stat -c %s "$W/dump")
	rm -f "$W/dump"
	T_DUMP=$(awk -v a="$p" -v b="$e" 'BEGIN { printf "%.1f", b - a }')
	[ -z "$r" ] || T_REBOOT=$(awk -v a="$p" -v b="$r" 'BEGIN { printf "%.1f", b - a }')
	return 0
}

# smallest TOOL: bisect LOW..HIGH in STEP MiB.
smallest() {
	local tool=$1 lo=$LOW hi=$HIGH mid
	trial "$tool" "$hi" || { say "$tool: no complete dump even at ${hi}M"; return 1; }
	say "$tool ${hi}M: complete, ${T_SIZE} bytes, panic to dump complete ${T_DUMP} s, to reboot ${T_REBOOT:-?} s"
	while [ $(( hi - lo )) -gt "$STEP" ]; do
		mid=$(( (lo + hi) / 2 / STEP * STEP ))
		[ "$mid" -gt "$lo" ] || mid=$(( lo + STEP ))
		if trial "$tool" "$mid"; then
			say "$tool ${mid}M: complete, ${T_SIZE} bytes, panic to dump complete ${T_DUMP} s, to reboot ${T_REBOOT:-?} s"
			hi=$mid
		else
			say "$tool ${mid}M: no complete dump ($(grep -aE 'Kernel panic|Out of memory|oom|not loaded|TD-MARK off|deadlocked' "$W/$tool-$mid.log" | head -2 | cut -d' ' -f2- | tr '\n' ' '))"
			lo=$mid
		fi
	done
	say "$tool: smallest crashkernel= with a complete dump: ${hi}M (${STEP}M steps; ${lo}M failed or is the floor searched)"
}

main() {
	[ "$(id -u)" = 0 ] || die "bench/anchor.sh needs root (debootstrap)"
	DEB=$("$here/scripts/deb.sh" 2> "$W/deb.err" | tail -1)
	[ -f "$DEB" ] || die "scripts/deb.sh made no package: $(tail -3 "$W/deb.err")"
	say "anchor $STAMP: 1 GiB guest, TCG, $(qemu-system-x86_64 --version | head -1), $(nproc) host CPUs, load $(cut -d' ' -f1-3 /proc/loadavg)"
	for tool in tinydump kdump-tools; do
		[ "$WHICH" = both ] || [ "$WHICH" = "$tool" ] || continue
		setup "$tool"
		if [ -z "${ANCHOR_AT:-}" ]; then
			smallest "$tool"
			continue
		fi
		for mib in $ANCHOR_AT; do
			if trial "$tool" "$mib"; then
				say "$tool ${mib}M: complete, ${T_SIZE} bytes, panic to dump complete ${T_DUMP} s, to reboot ${T_REBOOT:-?} s"
			else
				say "$tool ${mib}M: no complete dump"
			fi
		done
	done
	echo "results: $RES"
}

main
