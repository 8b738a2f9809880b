#!/bin/bash
# make demo: build tinydump, crash a 1 GiB QEMU guest running Debian 12's own
# cloud kernel with tinydump loaded, capture the dump to a virtio disk (the
# disk driver is a module, packed by `tinydump initramfs` and loaded by PID
# 1), open it in crash, and print the backtrace and a one-line summary.
# The kernel and its debug symbols are Debian's packages, downloaded once
# (about 310 MB) and cached; no kernel build is needed. TD_DEMO_KERNEL=test
# runs the demo on the test kernel we build instead (scripts/kernel.sh).
set -eu
. "$(dirname "$0")/lib.sh"
out=$TD_ROOT/build/demo
rm -rf "$out" "$out.results"

stock_demo() {
	echo "demo: fetching Debian 12's cloud kernel and its -dbg vmlinux (cached after the first run)"
	"$TD_ROOT/scripts/stock-kernel.sh" deb12-cloud --dbg > "$out.kernel" 2>&1 ||
		{ tail -3 "$out.kernel"; return 1; }
	echo "demo: crashing a 1 GiB guest and capturing it (about 30 s under TCG)"
	"$TD_ROOT/qemu-tests/t_stock_disk.sh" deb12-cloud --keep "$out" > "$out.results" 2>&1 || :
	VMLINUX=$(sed -n 's/^vmlinux=//p' "$out.kernel")
}

test_kernel_demo() {
	echo "demo: building the test kernel (cached after the first run) and the initramfs"
	td_kernel
	echo "demo: crashing a 1 GiB guest and capturing it (about 30 s under TCG)"
	TD_DEMO=1 "$TD_ROOT/qemu-tests/t_capture_disk.sh" --keep "$out" > "$out.results" 2>&1 || :
	VMLINUX=$TD_VMLINUX
}

mkdir -p "$(dirname "$out")"
if [ "${TD_DEMO_KERNEL:-stock}" = test ] || ! stock_demo; then
	[ "${TD_DEMO_KERNEL:-stock}" = test ] || echo "demo: no stock kernel; using the test kernel" >&2
	test_kernel_demo
fi
if [ ! -f "$out/vmcore" ]; then
	cat "$out.results"
	echo "demo: no dump landed; console log in $out" >&2
	exit 1
fi
echo "demo: crash --kaslr=auto vmlinux vmcore, command bt:"
printf 'bt\nquit\n' | crash --kaslr=auto -s "$VMLINUX" "$out/vmcore" 2>/dev/null | sed 's/^/    /'
secs=$(sed -n 's/.*"seconds": \([0-9.]*\).*/\1/p' "$out/tinydump.json")
printf 'demo: RAM 1024 MiB, kernel %s, dump %s bytes, written in %s s in the capture kernel; files in %s\n' \
	"$(sed -n 's/.*"kernel_release": "\(.*\)",/\1/p' "$out/tinydump.json")" \
	"$(stat -c %s "$out/vmcore")" "$secs" "$out"
grep -E '^(ok|FAIL|skip) ' "$out.results" | sed 's/^/demo: /'
# A demo that printed FAIL failed.
! grep -q '^FAIL ' "$out.results"
