#!/bin/sh
# Build the libraries tinydump links (zlib, BearSSL, zstd, LZO, libdeflate)
# with musl-gcc from Debian source packages (once) and print the prefix
# holding include/ and lib/. Key: source versions, the musl and gcc versions,
# this script. The UAPI headers are linked into include/.
set -eu
here=$(cd "$(dirname "$0")/.." && pwd)
. "$here/scripts/cache.sh"
command -v musl-gcc >/dev/null || die "musl-gcc not found; run scripts/deps.sh"
# Source packages, in build order. The archive serves only the current version
# of each, so the versions it serves now are part of the key.
srcs="zlib bearssl libzstd lzo2 libdeflate"
srcver() { apt-cache showsrc "$1" 2>/dev/null | awk '/^Version:/{print $2; exit}'; }
vers=
for s in $srcs; do
	v=$(srcver "$s")
	[ -n "$v" ] || die "no deb-src entry for $s; run scripts/deps.sh"
	vers="$vers $s=$v"
done
KEYEXTRA="$vers musl $(pkgver musl-tools) $(gcc --version | head -1)"
out="$CACHE/musl-deps-$(key "$here/scripts/musl-deps.sh")"

# srcdir GLOB : the one unpacked source tree matching GLOB.
srcdir() { find "$out/src" -maxdepth 1 -type d -name "$1" | head -1; }

# One function per library: build it in its tree ($1), install into $out.
build_zlib() {
	(cd "$1" && CC=musl-gcc CFLAGS="-O2 -fPIC" ./configure --static >/dev/null && make -s libz.a >/dev/null 2>&1) || return 1
	cp "$1/libz.a" "$out/lib/" && cp "$1/zlib.h" "$1/zconf.h" "$out/include/"
}
build_bearssl() {
	(cd "$1" && make -s CC=musl-gcc LD=musl-gcc LDDLL=musl-gcc CFLAGS="-W -Wall -O2 -fPIC" lib >/dev/null 2>&1) || return 1
	cp "$1/build/libbearssl.a" "$out/lib/" && cp "$1"/inc/*.h "$out/include/"
}
# Single-threaded, no dictionary builder or legacy formats: tinydump
# compresses one page per call and decodes only what it wrote.
build_libzstd() {
	(cd "$1/lib" && make -s CC=musl-gcc CFLAGS="-O2 -fPIC -ffunction-sections -fdata-sections" \
		ZSTD_LIB_DICTBUILDER=0 ZSTD_LIB_DEPRECATED=0 ZSTD_LEGACY_SUPPORT=0 libzstd.a >/dev/null 2>&1) || return 1
	cp "$1/lib/libzstd.a" "$out/lib/" && cp "$1/lib/zstd.h" "$1/lib/zstd_errors.h" "$out/include/"
}
build_lzo2() {
	(cd "$1" && CC=musl-gcc CFLAGS="-O2 -fPIC -ffunction-sections -fdata-sections" \
		./configure --disable-shared --enable-static >/dev/null && make -s src/liblzo2.la >/dev/null 2>&1) || return 1
	cp "$1/src/.libs/liblzo2.a" "$out/lib/" && mkdir -p "$out/include/lzo" && cp "$1"/include/lzo/*.h "$out/include/lzo/"
}
build_libdeflate() {
	(cd "$1" && make -s CC=musl-gcc CFLAGS="-O2 -fPIC -ffunction-sections -fdata-sections" libdeflate.a >/dev/null 2>&1) || return 1
	cp "$1/libdeflate.a" "$out/lib/" && cp "$1/libdeflate.h" "$out/include/"
}

if [ ! -f "$out/done" ]; then
	uapi=$("$here/scripts/uapi.sh")
	with_lock "$out"
	if [ ! -f "$out/done" ]; then
		rm -rf "$out" && mkdir -p "$out/src" "$out/lib" "$out/include"
		log "building with musl-gcc:$vers"
		(cd "$out/src" && apt-get source -q --download-only $vers >/dev/null 2>&1 &&
			for d in *.dsc; do dpkg-source -q -x "$d" >/dev/null 2>&1; done) ||
			die "apt-get source$vers failed (network or deb-src entry?)"
		for s in $srcs; do
			d=$(srcdir "$s-*")
			[ -n "$d" ] || die "no unpacked source for $s in $out/src"
			"build_$s" "$d" || die "$s build failed in $d"
		done
		ln -s "$uapi/linux" "$uapi/asm" "$uapi/asm-generic" "$out/include/"
		printf '%s\n' $vers > "$out/versions"
		rm -rf "$out/src"
		touch "$out/done"
	fi
fi
echo "$out"
