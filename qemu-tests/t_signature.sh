#!/bin/bash
# Crash signatures (capture/crashsig.c, docs/SIGNATURES.md) on real crashes:
# six kinds (sysrq, NULL pointer write, BUG(), soft lockup panic, hung task
# panic, OOM panic; qemu-tests/sys-init.sh TD_CRASH_KIND), each crashed on
# two boots of the test kernel (KASLR on: the two kernel offsets, read from
# each dump's VMCOREINFO, are compared) and captured by tinydump to a disk.
# Checks, from tinydump.json and dmesg.txt on the dump disk: each dump has
# a signature and the report of its kind in its log; the two boots of a kind
# share one signature; the six kinds have six signatures; `tinydump dmesg
# --signature` on each dump file gives the capture run's. Then one dump is
# uploaded to `tinydump receive` by a client that lies (its tinydump.json
# claims another signature): receiver.json holds the signature the capture
# run computed, recomputed from the stored dump, and `tinydump list` shows
# that one.
#   t_signature.sh [--fixtures DIR] [KIND...]
#     --fixtures DIR: copy each boot's dmesg.txt to DIR/KIND-BOOT.txt (the
#     unit test's fixtures, tests/fixtures/crashsig)
set -u
. "$(dirname "$0")/tlslib.sh"
td_tls_setup signature
FIX=
if [ "${1:-}" = --fixtures ]; then FIX=$2; shift 2; fi
KINDS=${*:-sysrq null bug softlockup hungtask oom}
RAM=256
CK=${CRASHKERNEL:-40M}

# What each kind's log must show.
report() {
	case $1 in
	sysrq) echo 'Kernel panic - not syncing: sysrq triggered crash' ;;
	null) echo 'BUG: kernel NULL pointer dereference' ;;
	bug) echo 'kernel BUG at drivers/misc/lkdtm/bugs.c' ;;
	softlockup) echo 'watchdog: BUG: soft lockup' ;;
	hungtask) echo 'blocked for more than 2 seconds' ;;
	oom) echo 'invoked oom-killer' ;;
	esac
}

td_kernel
"$TD_ROOT/initramfs/build.sh" "$TD" "$W/capture.cpio.gz" > /dev/null || { td_fail $T/initramfs "initramfs/build.sh failed"; exit 0; }

# boot KIND N: crash that way on a fresh dump disk; the dump's files in
# $W/KIND-N/ (console.log, tinydump.json, dmesg.txt, vmcore).
boot() {
	local w=$W/$1-$2 d f
	mkdir -p "$w"
	td_sys_conf TD_LOADER=tinydump TD_CRASH=yes TD_CRASH_KIND="$1" TD_WL_ANON=0 \
		TD_APPEND="tinydump.final=poweroff" > "$w/test.conf"
	td_sys_initramfs "$w/sys.cpio.gz" "$w/test.conf" "$W/capture.cpio.gz" "$TD"
	td_disk_dump "$w/dump.img" $(( RAM + 256 ))
	td_qemu "$w/console.log" 300 "$RAM" "$w/sys.cpio.gz" \
		"console=ttyS0 crashkernel=$CK panic=1 printk.devkmsg=on" "$w/dump.img"
	d=$(td_guest_names "$w/dump.img" / | grep -E -- '-[0-9]{4}-[0-9]{2}-[0-9]{2}-' | head -1)
	[ -n "$d" ] || return 1
	for f in tinydump.json dmesg.txt vmcore; do
		td_guest_get "$w/dump.img" "/$d/$f" "$w/$f" || return 1
	done
	rm -f "$w/dump.img" "$w/sys.cpio.gz"
}

declare -A SIG
for k in $KINDS; do
	for n in 1 2; do
		w=$W/$k-$n
		if ! boot "$k" "$n"; then
			td_fail "$T/$k-$n-captured" "no dump with tinydump.json, dmesg.txt and vmcore on the disk" "$w/console.log"
			continue
		fi
		SIG[$k-$n]=$(td_e2e_json "$w/tinydump.json" "j['signature']")
		text=$(td_e2e_json "$w/tinydump.json" "j['signature_text']")
		off=$(grep -a -m1 -o 'KERNELOFFSET=[0-9a-f]*' "$w/vmcore" | head -1)
		echo "$k-$n: ${off:-no KERNELOFFSET} signature ${SIG[$k-$n]:-none}: $text" >> "$W/table.txt"
		echo "${off#KERNELOFFSET=}" > "$w/offset"
		if [ -n "$FIX" ]; then
			mkdir -p "$FIX" && cp "$w/dmesg.txt" "$FIX/$k-$n.txt"
		fi
		if ! grep -q "$(report "$k")" "$w/dmesg.txt"; then
			td_fail "$T/$k-$n-captured" "the dump's log has no '$(report "$k")'" "$w/dmesg.txt"
		elif ! [[ ${SIG[$k-$n]} =~ ^[0-9a-f]{16}$ ]]; then
			td_fail "$T/$k-$n-captured" "tinydump.json's signature is '${SIG[$k-$n]}'" "$w/tinydump.json"
		else
			td_ok "$T/$k-$n-captured"
		fi
	done
	[ -n "${SIG[$k-1]:-}" ] && [ -n "${SIG[$k-2]:-}" ] || continue
	if [ "$(cat "$W/$k-1/offset")" = "$(cat "$W/$k-2/offset")" ]; then
		td_skip "$T/$k-kaslr-differs" "both boots at KERNELOFFSET=$(cat "$W/$k-1/offset") (KASLR chose the same slot, or none)"
	else
		td_ok "$T/$k-kaslr-differs"
	fi
	if [ "${SIG[$k-1]}" = "${SIG[$k-2]}" ]; then
		td_ok "$T/$k-one-signature-for-two-boots"
	else
		td_fail "$T/$k-one-signature-for-two-boots" "${SIG[$k-1]} and ${SIG[$k-2]}" "$W/table.txt"
	fi
done
cat "$W/table.txt" 2>/dev/null | sed 's/^/# /'

# The same function on the host, over each dump file (tinydump dmesg --signature).
bad=
for k in $KINDS; do
	for n in 1 2; do
		[ -n "${SIG[$k-$n]:-}" ] || continue
		got=$("$TD" dmesg --signature "$W/$k-$n/vmcore" 2>&1 | cut -d' ' -f1)
		[ "$got" = "${SIG[$k-$n]}" ] || bad="$bad $k-$n:$got"
	done
done
if [ -z "$bad" ]; then td_ok "$T/dmesg-signature-agrees"; else td_fail "$T/dmesg-signature-agrees" "differs:$bad"; fi

# Every kind its own signature.
firsts=$(for k in $KINDS; do echo "${SIG[$k-1]:-}"; done | grep -c .)
distinct=$(for k in $KINDS; do echo "${SIG[$k-1]:-}"; done | grep . | sort -u | wc -l)
if [ "$firsts" -lt 2 ]; then
	td_skip "$T/kinds-differ" "fewer than two kinds captured"
elif [ "$firsts" = "$distinct" ]; then
	td_ok "$T/kinds-differ"
else
	td_fail "$T/kinds-differ" "$distinct distinct signatures among $firsts kinds" "$W/table.txt"
fi

# The receiver's own signature, from the stored dump, not the client's.
k=$(for k in $KINDS; do [ -n "${SIG[$k-1]:-}" ] && echo "$k"; done | head -1)
[ -n "$k" ] || exit 0
lie=0123456789abcdef
td_rx_start 9402 "$W/rx" || { td_fail "$T/receiver-recomputes" "the receiver did not start"; exit 0; }
"$TT" upload --port 9402 --file "$W/$k-1/vmcore" --dmesg /dev/null --ca "$C/ca.pem" --signature "$lie" \
	--node liar > "$W/up.log" 2>&1 || { td_fail "$T/receiver-recomputes" "upload failed" "$W/up.log"; exit 0; }
# A file that is no dump is stored all the same, without a signature.
head -c 1048576 /dev/urandom > "$W/junk"
"$TT" upload --port 9402 --file "$W/junk" --ca "$C/ca.pem" --signature "$lie" --node junk \
	> "$W/up-junk.log" 2>&1 || { td_fail "$T/receiver-no-signature-for-junk" "upload failed" "$W/up-junk.log"; }
td_rx_stop
d=$(grep -l '"node": "liar"' "$W"/rx/*/receiver.json | head -1)
d=$(basename "$(dirname "$d")")
j=$(grep -l '"node": "junk"' "$W"/rx/*/receiver.json | head -1)
if [ -n "$j" ] && [ "$(td_e2e_json "$j" "j['signature']")" = "" ] && [ -f "$(dirname "$j")/vmcore" ] &&
	grep -q 'no crash signature (neither an ELF vmcore nor a kdump-compressed file)' "$W/rx-9402.log"; then
	td_ok "$T/receiver-no-signature-for-junk"
else
	td_fail "$T/receiver-no-signature-for-junk" "receiver.json ${j:-missing}" "$W/rx-9402.log"
fi
rx=$(td_e2e_json "$W/rx/$d/receiver.json" "j['signature']")
listed=$("$TD" list "$W/rx" --json | /usr/bin/python3 -c 'import json, sys
print([d["signature"] for d in json.load(sys.stdin) if d["host"] == "liar"][0])')
if [ "$rx" = "${SIG[$k-1]}" ] && [ "$listed" = "$rx" ] && grep -q "\"signature\": \"$lie\"" "$W/rx/$d/tinydump.json"; then
	td_ok "$T/receiver-recomputes"
else
	td_fail "$T/receiver-recomputes" "capture run ${SIG[$k-1]}, receiver '$rx', list '$listed' (client claimed $lie)" "$W/rx-9402.log"
fi
