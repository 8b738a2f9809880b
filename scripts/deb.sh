#!/bin/sh
# make deb: build tinydump's Debian package with dpkg-buildpackage.
#
# It builds in a copy of this tree, build/deb-src/tinydump-VERSION (the
# working tree as it is, without build/ and .git), so that the package's
# clean step cannot touch this tree's build/. debian/changelog is written
# there from TD_VERSION in init/outcome.h, the one source of the version.
# The .deb, .buildinfo and .changes land in build/; the last line printed is
# the .deb's path.
#
# DEB_BUILD_OPTIONS defaults to nocheck here: `make unit` and `make check`
# are the tests; DEB_BUILD_OPTIONS= make deb runs `make unit` inside.
#
# Usage: scripts/deb.sh            build the package
#        scripts/deb.sh changelog  only write debian/changelog in this tree
#                                  (for dpkg-buildpackage run by hand)
set -eu
here=$(cd "$(dirname "$0")/.." && pwd)
. "$here/scripts/cache.sh"

version=$(sed -n 's/^#define TD_VERSION "\(.*\)"/\1/p' "$here/init/outcome.h")
[ -n "$version" ] || die "no TD_VERSION in init/outcome.h"

# changelog DIR: DIR/debian/changelog for this version. Its date is the last
# commit's, so the same tree makes the same package (dpkg-buildpackage sets
# SOURCE_DATE_EPOCH from it).
changelog() {
	maint=$(sed -n 's/^Maintainer: //p' "$here/debian/control")
	date=$(git -C "$here" log -1 --format=%cD 2>/dev/null) || date=$(date -R)
	cat > "$1/debian/changelog" <<CHANGELOG
tinydump ($version) unstable; urgency=medium

  * tinydump $version. This entry is written by scripts/deb.sh from
    TD_VERSION in init/outcome.h; the changes are in the git history.

 -- $maint  $date
CHANGELOG
}

if [ "${1:-}" = changelog ]; then
	changelog "$here"
	echo "$here/debian/changelog: $version"
	exit 0
fi
[ $# = 0 ] || die "usage: scripts/deb.sh [changelog]"
command -v dpkg-buildpackage >/dev/null && command -v dh >/dev/null ||
	die "dpkg-buildpackage or debhelper missing; run scripts/deps.sh deb"

arch=$(dpkg --print-architecture)
stage=$here/build/deb-src
src=$stage/tinydump-$version
log=$here/build/deb.log
rm -rf "$stage" && mkdir -p "$src"
tar -C "$here" --exclude=./build --exclude=./.git -cf - . | tar -C "$src" -xf -
changelog "$src"
log "dpkg-buildpackage -us -uc -b in $src (log: $log)"
if ! (cd "$src" && TINYDUMP_CACHE=$CACHE DEB_BUILD_OPTIONS=${DEB_BUILD_OPTIONS-nocheck} \
	dpkg-buildpackage -us -uc -b) > "$log" 2>&1; then
	tail -n 30 "$log" >&2
	die "dpkg-buildpackage failed; the whole log is $log"
fi
for f in tinydump_${version}_$arch.deb tinydump_${version}_$arch.buildinfo tinydump_${version}_$arch.changes; do
	mv "$stage/$f" "$here/build/$f"
done
rm -rf "$stage"
echo "$here/build/tinydump_${version}_$arch.deb"
