#!/bin/bash
# Build an out-of-tree kernel module against a stock Debian kernel's headers
# package, with the compiler that kernel was built with.
# Usage: scripts/kmod.sh STOCK-NAME MODULE-DIR      (prints the .ko's path)
#   STOCK-NAME  a row of scripts/stock-kernel.sh (deb12-cloud, sid-cloud ...)
#   MODULE-DIR  a directory with a Kbuild file and the module's sources; the
#               module is named after the directory (MODULE-DIR/NAME.c)
# A kernel's headers package names its compiler (sid's 7.2 wants gcc-16,
# CONFIG_CC_VERSION_TEXT), and kbuild's fixdep and modpost come prebuilt
# for that suite's libc: neither runs on an older host. So the module is
# built in a minimal chroot of the kernel's own suite, made once with
# debootstrap from this machine's own archive (scripts/debian-uri.sh) and
# holding only make and linux-headers-RELEASE with its dependencies (the
# compiler among them), installed by apt in the chroot. Cached, keyed by
# the inputs:
#   $CACHE/kmod-root-SUITE-RELEASE_VERSION/      the chroot (480 to 600 MB)
#   $CACHE/kmod-NAME-KEY/NAME.ko                 KEY: the sources + the chroot
# Cold cost: 1.5 to 3.5 minutes for a chroot, 2 to 5 s per module.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
. "$here/debian-uri.sh"
. "$here/cache.sh"

# make_root DIR SUITE RELEASE VERSION : debootstrap DIR (minbase and make),
# then apt in the chroot, with the suite's -updates and -security entries
# too (Debian 12's kernels come from bookworm-security), installs
# linux-headers-RELEASE=VERSION and so the compiler it depends on.
make_root() {
	local dir=$1 suite=$2 rel=$3 ver=$4 src uri ring valid
	[ -f "$dir/.done" ] && return 0
	command -v debootstrap >/dev/null || die "debootstrap not found: run scripts/deps.sh check"
	[ "$(id -u)" = 0 ] || die "building a module needs root (debootstrap, chroot)"
	src=$(debian_sources "$suite")
	[ -n "$src" ] || die "no deb entry with component main in /etc/apt/sources*: cannot derive $suite"
	uri=$(head -1 <<< "$src" | awk '{ print $(NF - 2) }')
	ring=$(head -1 <<< "$src" | sed -n 's/.*\[signed-by=\([^] ]*\)\].*/\1/p')
	rm -rf "$dir" && mkdir -p "$dir"
	log "debootstrap $suite, then linux-headers-$rel $ver, into $dir"
	debootstrap --variant=minbase --include=make ${ring:+--keyring="$ring"} "$suite" "$dir" "$uri" \
		> "$dir.log" 2>&1 || { tail -5 "$dir.log" >&2; die "debootstrap $suite failed (log: $dir.log)"; }
	printf '%s\n' "$src" > "$dir/etc/apt/sources.list"
	if [ -n "$ring" ] && [ ! -f "$dir$ring" ]; then
		mkdir -p "$dir$(dirname "$ring")" && cp "$ring" "$dir$ring"
	fi
	# The host's own Check-Valid-Until holds in the chroot too (a machine
	# served a snapshot of the archive turns it off).
	valid=$(apt-config dump | sed -n 's/^Acquire::Check-Valid-Until "\(.*\)";$/\1/p')
	in_root "$dir" sh -c "apt-get -q ${valid:+-o Acquire::Check-Valid-Until=$valid} update &&
		DEBIAN_FRONTEND=noninteractive apt-get -q -y --no-install-recommends \
		install linux-headers-$rel=$ver && apt-get clean" >> "$dir.log" 2>&1 ||
		{ tail -5 "$dir.log" >&2; die "installing linux-headers-$rel $ver in the $suite chroot failed (log: $dir.log)"; }
	[ -d "$dir/usr/src/linux-headers-$rel" ] || die "no /usr/src/linux-headers-$rel in the $suite chroot"
	touch "$dir/.done"
}

# in_root DIR CMD... : CMD chrooted in DIR with /proc mounted (objtool and
# apt read it), in a private mount namespace, so nothing stays mounted.
in_root() {
	unshare -m sh -c 'd=$1; shift; mount -t proc proc "$d/proc" && exec chroot "$d" "$@"' sh "$@"
}

# build ROOT RELEASE SRC OUT NAME : NAME.ko from SRC, built in ROOT, into OUT.
build() {
	local root=$1 rel=$2 src=$3 out=$4 name=$5 b
	[ -f "$out/$name.ko" ] && return 0
	b=/build/$name
	rm -rf "$root$b" && mkdir -p "$root$b" && cp "$src"/* "$root$b"/
	in_root "$root" make -C "/usr/src/linux-headers-$rel" M="$b" modules > "$root$b.log" 2>&1 ||
		{ tail -15 "$root$b.log" >&2; die "building $name against $rel failed"; }
	# A warning in our own module is an error here.
	! grep -q 'warning:' "$root$b.log" || { grep 'warning:' "$root$b.log" >&2; die "$name: compiler warnings"; }
	mkdir -p "$out" && cp "$root$b/$name.ko" "$out/$name.ko.tmp" && mv "$out/$name.ko.tmp" "$out/$name.ko"
}

main() {
	local kernel=${1:-} src=${2:-} info suite rel ver root name out
	[ $# -eq 2 ] && [ -f "$src/Kbuild" ] || die "usage: scripts/kmod.sh STOCK-NAME MODULE-DIR (with a Kbuild file)"
	src=$(cd "$src" && pwd) name=$(basename "$src")
	[ -f "$src/$name.c" ] || die "$src has no $name.c"
	info=$("$here/stock-kernel.sh" "$kernel") || die "scripts/stock-kernel.sh $kernel failed"
	suite=$(sed -n 's/^suite=//p' <<< "$info") rel=$(sed -n 's/^release=//p' <<< "$info")
	ver=$(sed -n 's/^version=//p' <<< "$info")
	root="$CACHE/kmod-root-$suite-${rel}_$(printf %s "$ver" | tr -c 'A-Za-z0-9.+\n-' _)"
	( with_lock "$root"; make_root "$root" "$suite" "$rel" "$ver" )
	out="$CACHE/kmod-$name-$(KEYEXTRA="$root" key "$src"/*)"
	( with_lock "$out"; build "$root" "$rel" "$src" "$out" "$name" )
	echo "$out/$name.ko"
}

main "$@"
