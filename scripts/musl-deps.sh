#!/bin/sh
# Build zlib and BearSSL with musl-gcc from Debian source packages (once) and
# print the prefix holding include/ and lib/. Key: source versions, the musl
# and gcc versions, this script. The UAPI headers are linked into include/.
set -eu
here=$(cd "$(dirname "$0")/.." && pwd)
. "$here/scripts/cache.sh"
command -v musl-gcc >/dev/null || die "musl-gcc not found; run scripts/deps.sh"
# Versions the archive serves now (apt-get source only ever serves the current one).
srcver() { apt-cache showsrc "$1" 2>/dev/null | awk '/^Version:/{print $2; exit}'; }
zver=$(srcver zlib); bver=$(srcver bearssl)
[ -n "$zver" ] && [ -n "$bver" ] || die "no deb-src entry for zlib/bearssl; run scripts/deps.sh"
KEYEXTRA="zlib $zver bearssl $bver musl $(pkgver musl-tools) $(gcc --version | head -1)"
out="$CACHE/musl-deps-$(key "$here/scripts/musl-deps.sh")"
if [ ! -f "$out/done" ]; then
	uapi=$("$here/scripts/uapi.sh")
	with_lock "$out"
	if [ ! -f "$out/done" ]; then
		rm -rf "$out" && mkdir -p "$out/src" "$out/lib" "$out/include"
		log "building zlib $zver and bearssl $bver with musl-gcc"
		(cd "$out/src" && apt-get source -q --download-only zlib="$zver" bearssl="$bver" >/dev/null 2>&1 &&
			for d in *.dsc; do dpkg-source -q -x "$d" >/dev/null 2>&1; done) ||
			die "apt-get source zlib bearssl failed (network or deb-src entry?)"
		z=$(find "$out/src" -maxdepth 1 -type d -name 'zlib-*' | head -1)
		b=$(find "$out/src" -maxdepth 1 -type d -name 'bearssl-*' | head -1)
		(cd "$z" && CC=musl-gcc CFLAGS="-O2 -fPIC" ./configure --static >/dev/null && make -s libz.a >/dev/null 2>&1) ||
			die "zlib build failed in $z"
		cp "$z/libz.a" "$out/lib/" && cp "$z/zlib.h" "$z/zconf.h" "$out/include/"
		(cd "$b" && make -s CC=musl-gcc LD=musl-gcc LDDLL=musl-gcc CFLAGS="-W -Wall -O2 -fPIC" lib >/dev/null 2>&1) ||
			die "bearssl build failed in $b"
		cp "$b/build/libbearssl.a" "$out/lib/" && cp "$b"/inc/*.h "$out/include/"
		ln -s "$uapi/linux" "$uapi/asm" "$uapi/asm-generic" "$out/include/"
		printf 'zlib %s\nbearssl %s\n' "$zver" "$bver" > "$out/versions"
		rm -rf "$out/src"
		touch "$out/done"
	fi
fi
echo "$out"
