#!/bin/bash
# make demo: build everything, crash a 1 GiB QEMU guest with tinydump
# loaded, capture the dump to a virtio disk, open it in crash, and print the
# backtrace and a one-line summary.
set -eu
. "$(dirname "$0")/lib.sh"
out=$TD_ROOT/build/demo
rm -rf "$out"
echo "demo: building the kernel (cached after the first run) and the initramfs"
td_kernel
echo "demo: crashing a 1 GiB guest and capturing it (about 30 s under TCG)"
TD_DEMO=1 "$TD_ROOT/qemu-tests/t_capture_disk.sh" --keep "$out" > "$out.results" 2>&1 || :
if [ ! -f "$out/vmcore" ]; then
	cat "$out.results"
	echo "demo: no dump landed; console log: $out/main.log" >&2
	exit 1
fi
echo "demo: crash --kaslr=auto vmlinux vmcore, command bt:"
printf 'bt\nquit\n' | crash --kaslr=auto -s "$TD_VMLINUX" "$out/vmcore" 2>/dev/null | sed 's/^/    /'
secs=$(sed -n 's/.*"seconds": \([0-9.]*\).*/\1/p' "$out/tinydump.json")
cycle=$(grep -o 'cycle took [0-9.]* s' "$out.results" | head -1 || :)
printf 'demo: RAM 1024 MiB, dump %s bytes (%s), written in %s s in the capture kernel; files in %s\n' \
	"$(stat -c %s "$out/vmcore")" "$(cat "$out/dirname")" "$secs" "$out"
grep -E '^(ok|FAIL|skip) ' "$out.results" | sed 's/^/demo: /'
# A demo that printed FAIL failed.
! grep -q '^FAIL ' "$out.results"
