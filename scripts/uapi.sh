#!/bin/sh
# Print the include directory of Linux UAPI headers for musl-gcc (linux/, asm/),
# installed once from linux-source with `make headers_install`.
set -eu
. "$(dirname "$0")/cache.sh"
ver=$(pkgver linux-source-6.1)
out="$CACHE/uapi-$ver"
if [ ! -f "$out/done" ]; then
	src=$("$(dirname "$0")/linux-src.sh")
	with_lock "$out"
	if [ ! -f "$out/done" ]; then
		log "installing UAPI headers $ver"
		rm -rf "$out" "$out.b" && mkdir -p "$out"
		make -s -C "$src" O="$out.b" ARCH=x86_64 INSTALL_HDR_PATH="$out" headers_install >/dev/null
		rm -rf "$out.b"
		touch "$out/done"
	fi
fi
echo "$out/include"
