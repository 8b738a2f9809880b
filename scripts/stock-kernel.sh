#!/bin/bash
# A stock Debian kernel, as its packages ship it, unpacked in the cache.
# Usage: scripts/stock-kernel.sh NAME [--dbg]
#   NAME   deb12-cloud | deb12-generic | deb13-cloud | sid-cloud (unstable's
#          newest cloud kernel, 7.2 in December 2026)
#   --dbg  also extract the DWARF vmlinux from the -dbg package (281 MB for
#          cloud, 855 MB for generic: only when asked)
# Prints KEY=VALUE lines: name suite package version release root vmlinuz modules
# config, and vmlinux with --dbg. The version is the newest the archive serves
# for which the image and its -dbg package both exist with that version, so a
# dump is always readable with matching symbols.
# The .debs carry no modules.dep; depmod -b runs once on the unpacked tree
# (tinydump initramfs also works without it). Cached, keyed by package version:
#   $CACHE/deb-x/PACKAGE_VERSION/          the unpacked image package
#   $CACHE/vmlinux-PACKAGE_VERSION/vmlinux  from PACKAGE-dbg
set -eu
here=$(cd "$(dirname "$0")" && pwd)
. "$here/debian-pkg.sh"

# One row per kernel: NAME SUITE PACKAGE-NAME-REGEX
kernels='
deb12-cloud   bookworm ^linux-image-6\.1\.0-[0-9]+-cloud-amd64$
deb12-generic bookworm ^linux-image-6\.1\.0-[0-9]+-amd64$
deb13-cloud   trixie   ^linux-image-6\.12\.[0-9]+\+deb13(\.[0-9]+)?-cloud-amd64$
sid-cloud     sid      ^linux-image-[0-9]+\.[0-9]+\.[0-9]+\+deb[0-9]+-cloud-amd64$
'

# pick SUITE REGEX : "PACKAGE VERSION", newest with a -dbg of the same version.
# Two madison calls over every matching name, not two per name.
pick() {
	local suite=$1 re=$2 names p v best= bestv=
	debpkg_apt "$suite"
	names=$(apt-cache "${DEBPKG_OPTS[@]}" pkgnames linux-image- | grep -E "$re" || :)
	[ -n "$names" ] || die "$suite serves no package matching $re"
	apt-cache "${DEBPKG_OPTS[@]}" madison $(printf '%s-dbg ' $names) 2>/dev/null |
		awk -F'|' '{ gsub(/ /, ""); sub(/-dbg$/, "", $1); print $1, $2 }' | sort -u > "$tmp.dbg"
	apt-cache "${DEBPKG_OPTS[@]}" madison $names 2>/dev/null |
		awk -F'|' '{ gsub(/ /, ""); print $1, $2 }' | sort -u > "$tmp.img"
	while read -r p v; do
		if [ -z "$bestv" ] || dpkg --compare-versions "$v" gt "$bestv"; then
			best=$p bestv=$v
		fi
	done < <(comm -12 "$tmp.img" "$tmp.dbg")
	rm -f "$tmp.img" "$tmp.dbg"
	[ -n "$best" ] || die "$suite serves no package matching $re with a -dbg of the same version"
	echo "$best $bestv"
}

# depmod_once ROOT RELEASE : modules.dep for the unpacked tree. depmod -b
# looks under ROOT/lib/modules; Debian 13 ships usr/lib/modules.
depmod_once() {
	local root=$1 rel=$2
	[ -f "$root/.depmod.done" ] && return 0
	[ -e "$root/lib" ] || ln -s usr/lib "$root/lib"
	depmod -b "$root" "$rel" || die "depmod -b $root $rel failed"
	touch "$root/.depmod.done"
}

# vmlinux_once SUITE PACKAGE VERSION RELEASE : extract only the vmlinux from
# the -dbg package; the .deb is deleted afterwards (it is large).
vmlinux_once() {
	local suite=$1 pkg=$2 ver=$3 rel=$4 dir deb f
	dir="$CACHE/vmlinux-${pkg}_$(_dp_safe "$ver")"
	[ -f "$dir/vmlinux" ] && { echo "$dir/vmlinux"; return; }
	deb=$(debpkg_get "$suite" "$pkg-dbg" "$ver")
	( with_lock "$dir"
	  [ -f "$dir/vmlinux" ] && exit 0
	  rm -rf "$dir.tmp" && mkdir -p "$dir.tmp"
	  # Debian 14's boot/vmlinux-R is a link to lib/modules/R/vmlinux: take
	  # both names (tar complains about the one that is absent).
	  dpkg-deb --fsys-tarfile "$deb" | tar -x -C "$dir.tmp" "./usr/lib/debug/boot/vmlinux-$rel" \
		"./usr/lib/debug/lib/modules/$rel/vmlinux" 2>/dev/null || :
	  f=$(readlink -f "$dir.tmp/usr/lib/debug/boot/vmlinux-$rel") && [ -f "$f" ] ||
		die "no usr/lib/debug/boot/vmlinux-$rel (or the file it links to) in $deb"
	  mkdir -p "$dir" && mv "$f" "$dir/vmlinux" && rm -rf "$dir.tmp" )
	echo "$(stat -c %s "$deb") bytes downloaded for $pkg-dbg $ver" >&2
	rm -f "$deb"
	echo "$dir/vmlinux"
}

# split_once SUITE ROOT RELEASE VERSION : from Debian 14 on, linux-image-R is
# an empty package depending on linux-binary-R (vmlinuz), linux-modules-R and
# linux-base-R (config, System.map); those of the same version are unpacked
# into the image's own directory so that ROOT looks as before.
split_once() {
	local suite=$1 root=$2 rel=$3 ver=$4 p
	[ -f "$root/.split.done" ] && return 0
	for p in linux-binary linux-modules linux-base; do
		dpkg-deb -x "$(debpkg_get "$suite" "$p-$rel" "$ver")" "$root" || die "unpacking $p-$rel $ver failed"
	done
	touch "$root/.split.done"
}

main() {
	local name=${1:-} dbg=${2:-} suite re pkg ver rel root mods vmlinuz config
	read -r suite re <<< "$(echo "$kernels" | awk -v n="$name" '$1 == n { print $2, $3 }')"
	[ -n "$suite" ] || die "usage: scripts/stock-kernel.sh deb12-cloud|deb12-generic|deb13-cloud|sid-cloud [--dbg]"
	[ -z "$dbg" ] || [ "$dbg" = --dbg ] || die "unknown option $dbg: only --dbg"
	tmp=$(mktemp)
	trap 'rm -f "$tmp" "$tmp".*' EXIT
	read -r pkg ver <<< "$(pick "$suite" "$re")"
	rel=${pkg#linux-image-}
	root=$(debpkg_unpack "$suite" "$pkg" "$ver")
	[ -d "$root/boot" ] || [ -d "$root/usr/lib/modules" ] || ( with_lock "$root"; split_once "$suite" "$root" "$rel" "$ver" )
	mods="$root/usr/lib/modules/$rel"
	[ -d "$mods" ] || mods="$root/lib/modules/$rel"
	[ -d "$mods" ] || die "$pkg $ver has no lib/modules/$rel"
	( with_lock "$root"; depmod_once "$root" "$rel" )
	# Debian 14 keeps vmlinuz and config in the modules directory.
	vmlinuz=$root/boot/vmlinuz-$rel config=$root/boot/config-$rel
	[ -f "$vmlinuz" ] || vmlinuz=$mods/vmlinuz
	[ -f "$config" ] || config=$mods/config
	printf '%s=%s\n' name "$name" suite "$suite" package "$pkg" version "$ver" release "$rel" root "$root" \
		vmlinuz "$vmlinuz" modules "$mods" config "$config"
	[ -z "$dbg" ] || echo "vmlinux=$(vmlinux_once "$suite" "$pkg" "$ver" "$rel")"
}

main "$@"
