#!/bin/bash
# Print the path of a static `kexec` (kexec-tools) built once from
# Debian's source package, for tests that need a capture kernel loaded the
# way most distributions load it: kexec -p, the kexec_load system call,
# with /proc/vmcore's ELF headers made in user space. Debian's binary links
# the Xen libraries; this one is built without Xen, zlib and LZMA (the
# initramfs the tests give it is not compressed by those), statically, so it
# runs in a busybox initramfs. Key: the source version and gcc's version.
set -eu
. "$(dirname "$0")/cache.sh"
ver=$(apt-cache showsrc kexec-tools 2>/dev/null | awk '/^Version:/ { print $2; exit }')
[ -n "$ver" ] || die "no kexec-tools source package (a deb-src entry is needed: scripts/deps.sh)"
out="$CACHE/kexec-tools-$(KEYEXTRA="$ver $(gcc --version | head -1)" key "$0")"
with_lock "$out"
if [ ! -x "$out/kexec" ]; then
	log "building kexec-tools $ver (static, no Xen)"
	rm -rf "$out" && mkdir -p "$out/src"
	(cd "$out/src" && apt-get source -q --download-only "kexec-tools=$ver" > ../fetch.log 2>&1 &&
		dpkg-source -q -x ./*.dsc > ../unpack.log 2>&1) ||
		die "apt-get source kexec-tools=$ver failed (see $out/fetch.log)"
	src=$(find "$out/src" -mindepth 1 -maxdepth 1 -type d -name 'kexec-tools-*' | head -1)
	[ -n "$src" ] || die "no unpacked kexec-tools source in $out/src"
	(cd "$src" && ./configure --without-xen --without-zlib --without-lzma \
		LDFLAGS=-static > "$out/build.log" 2>&1 && make -j"$(nproc)" >> "$out/build.log" 2>&1) ||
		die "building kexec-tools failed (see $out/build.log)"
	cp "$src/build/sbin/kexec" "$out/kexec.tmp" && mv "$out/kexec.tmp" "$out/kexec"
	rm -rf "$out/src"
fi
echo "$out/kexec"
