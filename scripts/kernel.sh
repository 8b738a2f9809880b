#!/bin/sh
# Build (once) and print the paths of the test kernel: "BZIMAGE VMLINUX".
# One kernel serves as the crashing system kernel and as the capture kernel.
# Key: kconfig fragments, linux-source version, gcc version, this script.
# After olddefconfig every requested option is checked: olddefconfig drops
# options whose dependencies are unmet without a word.
set -eu
here=$(cd "$(dirname "$0")/.." && pwd)
. "$here/scripts/cache.sh"
frags="$here/kconfig/base.config $here/kconfig/disk.config $here/kconfig/net.config
  $here/kconfig/nfs.config $here/kconfig/qemu.config $here/kconfig/debug.config
  $here/kconfig/crash.config"
KEYEXTRA="$(pkgver linux-source-6.1) $(gcc --version | head -1)"
out="$CACHE/kernel-$(key $frags "$here/scripts/kernel.sh")"
if [ ! -f "$out/done" ]; then
	src=$("$here/scripts/linux-src.sh")
	with_lock "$out"
	if [ ! -f "$out/done" ]; then
		t0=$(date +%s)
		rm -rf "$out" && mkdir -p "$out/build"
		b="$out/build"
		log "configuring kernel in $b"
		make -s -C "$src" O="$b" ARCH=x86_64 tinyconfig >/dev/null
		(cd "$b" && "$src/scripts/kconfig/merge_config.sh" -m -O "$b" "$b/.config" $frags >/dev/null)
		make -s -C "$src" O="$b" ARCH=x86_64 olddefconfig >/dev/null
		bad=0
		for f in $frags; do
			grep -E '^CONFIG_[A-Z0-9_]+=' "$f" | while IFS= read -r line; do
				grep -qx "$line" "$b/.config" || { echo "$line (from $(basename "$f"))"; }
			done
		done > "$out/dropped"
		if [ -s "$out/dropped" ]; then
			sed 's/^/tinydump-build: fatal: kernel option dropped by olddefconfig: /' "$out/dropped" >&2
			exit 1
		fi
		log "building kernel (about 11 min cold on 2 cores)"
		make -s -C "$src" O="$b" ARCH=x86_64 -j"$(nproc)" bzImage >"$out/build.log" 2>&1 ||
			{ tail -30 "$out/build.log" >&2; die "kernel build failed; log in $out/build.log"; }
		cp "$b/arch/x86/boot/bzImage" "$b/vmlinux" "$b/.config" "$out/"
		mv "$out/.config" "$out/config"
		rm -rf "$b"
		echo "$(( $(date +%s) - t0 ))" > "$out/seconds"
		touch "$out/done"
		log "kernel built in $(cat "$out/seconds") s"
	fi
fi
echo "$out/bzImage $out/vmlinux"
