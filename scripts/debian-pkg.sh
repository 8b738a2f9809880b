#!/bin/bash
# Debian binary packages from other suites of this machine's own archive,
# downloaded into the cache and never installed: a private sources list and
# apt state directory per suite live under $CACHE/apt-SUITE; the system's
# apt configuration is read, never changed.
#
# Sourced (functions) or run:
#   scripts/debian-pkg.sh versions SUITE PKG       versions served, newest first
#   scripts/debian-pkg.sh get SUITE PKG[=VERSION]  path of the cached .deb
#   scripts/debian-pkg.sh unpack SUITE PKG[=VERSION]
#                                                  directory holding it unpacked
# SUITE is bookworm, trixie or sid (each with its -updates and -security
# suites where the machine has those). Without =VERSION, the newest served.
# Cache entries are keyed by package name and version:
#   $CACHE/debs/NAME_VERSION.deb   $CACHE/deb-x/NAME_VERSION/
set -eu
_dp_here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
. "$_dp_here/cache.sh"
. "$_dp_here/debian-uri.sh"

# Package lists older than this are fetched again.
DEBPKG_MAX_AGE_MIN=${DEBPKG_MAX_AGE_MIN:-1440}

# _dp_safe VERSION : a version as it may appear in a file name (epoch ':').
_dp_safe() { printf '%s' "$1" | sed 's/:/%3a/g'; }

_dp_update() {
	local dir=$1 suite=$2
	mkdir -p "$dir/lists/partial" "$dir/cache/archives/partial"
	debian_sources "$suite" > "$dir/sources.list.new"
	[ -s "$dir/sources.list.new" ] ||
		die "no deb entry with component main in /etc/apt/sources*: cannot derive $suite"
	if cmp -s "$dir/sources.list.new" "$dir/sources.list" &&
		[ -n "$(find "$dir/stamp" -mmin -"$DEBPKG_MAX_AGE_MIN" 2>/dev/null)" ]; then
		rm -f "$dir/sources.list.new"
		return 0
	fi
	mv "$dir/sources.list.new" "$dir/sources.list"
	apt-get "${DEBPKG_OPTS[@]}" -q update >"$dir/update.log" 2>&1 ||
		{ cat "$dir/update.log" >&2; die "apt-get update for $suite failed"; }
	touch "$dir/stamp"
}

# debpkg_apt SUITE : set DEBPKG_OPTS, the apt options that use SUITE's private
# list and state, fetching the lists when missing or stale.
debpkg_apt() {
	local dir="$CACHE/apt-$1"
	DEBPKG_OPTS=(-o "Dir::Etc::sourcelist=$dir/sources.list" -o Dir::Etc::sourceparts=-
		-o "Dir::State::Lists=$dir/lists" -o "Dir::Cache=$dir/cache"
		-o Dir::State::status=/dev/null -o APT::Sandbox::User=root)
	mkdir -p "$dir"
	( with_lock "$dir"; _dp_update "$dir" "$1" )
}

# debpkg_versions SUITE PKG : every version served, newest first.
debpkg_versions() {
	debpkg_apt "$1"
	apt-cache "${DEBPKG_OPTS[@]}" madison "$2" 2>/dev/null |
		awk -F'|' -v p="$2" '{ gsub(/ /, "", $1); gsub(/ /, "", $2) } $1 == p { print $2 }' |
		sort -u | _dp_sort_desc
}

# _dp_sort_desc : Debian versions on stdin, newest first (dpkg's ordering).
_dp_sort_desc() {
	local v out=()
	while read -r v; do
		local i=0
		while [ $i -lt ${#out[@]} ] && dpkg --compare-versions "${out[$i]}" ge "$v"; do i=$((i + 1)); done
		out=("${out[@]:0:$i}" "$v" "${out[@]:$i}")
	done
	[ ${#out[@]} -eq 0 ] || printf '%s\n' "${out[@]}"
}

_dp_download() {
	local out=$1 suite=$2 pkg=$3 ver=$4 tmp
	[ -f "$out" ] && return 0
	tmp="$out.tmp.d"
	rm -rf "$tmp" && mkdir -p "$tmp"
	log "downloading $pkg $ver from $suite"
	(cd "$tmp" && apt-get "${DEBPKG_OPTS[@]}" -q download "$pkg=$ver" >download.log 2>&1) ||
		{ cat "$tmp/download.log" >&2; rm -rf "$tmp"; die "apt-get download $pkg=$ver ($suite) failed"; }
	mv "$tmp"/*.deb "$out"
	rm -rf "$tmp"
}

# _dp_resolve SUITE PKG[=VERSION] : "PKG VERSION", the newest when not given.
_dp_resolve() {
	local pkg=${2%%=*} ver=
	[ "$pkg" = "$2" ] || ver=${2#*=}
	[ -n "$ver" ] || ver=$(debpkg_versions "$1" "$pkg" | head -1)
	[ -n "$ver" ] || die "$1 serves no package $pkg"
	echo "$pkg $ver"
}

# debpkg_get SUITE PKG VERSION : the cached .deb's path on stdout.
debpkg_get() {
	local out="$CACHE/debs/${2}_$(_dp_safe "$3").deb"
	debpkg_apt "$1"
	mkdir -p "$CACHE/debs"
	( with_lock "$out"; _dp_download "$out" "$1" "$2" "$3" )
	echo "$out"
}

# debpkg_unpack SUITE PKG VERSION : the directory it is unpacked in (dpkg-deb -x).
debpkg_unpack() {
	local deb dir="$CACHE/deb-x/${2}_$(_dp_safe "$3")"
	deb=$(debpkg_get "$@")
	mkdir -p "$CACHE/deb-x"
	( with_lock "$dir"
	  [ -f "$dir.done" ] && exit 0
	  rm -rf "$dir" && dpkg-deb -x "$deb" "$dir" && touch "$dir.done" ) ||
		die "unpacking $deb failed"
	echo "$dir"
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
	[ $# -eq 3 ] || die "usage: scripts/debian-pkg.sh versions|get|unpack SUITE PKG[=VERSION]"
	case $1 in
	versions) debpkg_versions "$2" "$3" ;;
	get) debpkg_get "$2" $(_dp_resolve "$2" "$3") ;;
	unpack) debpkg_unpack "$2" $(_dp_resolve "$2" "$3") ;;
	*) die "unknown action $1: versions, get or unpack" ;;
	esac
fi
