#!/bin/sh
# Print the path of an unpacked Debian linux-source-6.1 tree in the cache,
# unpacking it on first use.
set -eu
. "$(dirname "$0")/cache.sh"
ver=$(pkgver linux-source-6.1)
[ "$ver" = none ] && die "linux-source-6.1 is not installed; run scripts/deps.sh"
src="$CACHE/linux-src-$ver"
with_lock "$src"
if [ ! -f "$src/.unpacked" ]; then
	log "unpacking linux-source $ver"
	rm -rf "$src" && mkdir -p "$src"
	tar -xJf /usr/src/linux-source-6.1.tar.xz -C "$src" --strip-components=1
	touch "$src/.unpacked"
fi
echo "$src"
