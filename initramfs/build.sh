#!/bin/sh
# Build the capture initramfs: tinydump as /init, its configuration, and
# optional TLS certificates. Nothing else goes in: no shell, no libraries.
# Usage: initramfs/build.sh TINYDUMP OUT.cpio.gz [CONF] [CERTDIR]
#   CONF     defaults to initramfs/tinydump.conf (all defaults, commented)
#   CERTDIR  may hold ca.pem, client.pem, client.key; those present go to
#            /etc/tinydump/
# The archive is deterministic (mkcpio writes no host metadata, gzip -n drops
# the name and time): the same inputs give the same bytes.
# MKCPIO overrides the cpio writer (default build/mkcpio).
set -eu
here=$(cd "$(dirname "$0")/.." && pwd)

die() { printf 'initramfs: fatal: %s\n' "$*" >&2; exit 1; }

# spec TINYDUMP CONF CERTDIR : the mkcpio spec on stdout.
spec() {
	for d in /dev /proc /sys /mnt /tmp /etc; do
		echo "dir $d 0755 0 0"
	done
	echo "nod /dev/console 0600 0 0 c 5 1"
	echo "nod /dev/null 0666 0 0 c 1 3"
	echo "file /init $1 0755 0 0"
	echo "file /etc/tinydump.conf $2 0644 0 0"
	[ -n "$3" ] || return 0
	echo "dir /etc/tinydump 0755 0 0"
	for c in ca.pem client.pem; do
		[ -f "$3/$c" ] && echo "file /etc/tinydump/$c $3/$c 0644 0 0"
	done
	[ -f "$3/client.key" ] && echo "file /etc/tinydump/client.key $3/client.key 0600 0 0"
	return 0
}

main() {
	[ $# -ge 2 ] && [ $# -le 4 ] ||
		die "usage: initramfs/build.sh TINYDUMP OUT.cpio.gz [CONF] [CERTDIR]"
	td=$1 out=$2 conf=${3:-$here/initramfs/tinydump.conf} certs=${4:-}
	mkcpio=${MKCPIO:-$here/build/mkcpio}
	[ -x "$mkcpio" ] || die "$mkcpio not found: run 'make build/mkcpio'"
	[ -f "$td" ] || die "tinydump binary $td not found: run 'make'"
	[ -f "$conf" ] || die "configuration $conf not found"
	[ -z "$certs" ] || [ -d "$certs" ] || die "certificate directory $certs not found"
	case "$td$conf$certs" in *[[:space:]]*)
		die "paths with blanks are not supported: $td $conf $certs" ;;
	esac
	if [ -n "$certs" ]; then
		[ -f "$certs/client.pem" ] && [ ! -f "$certs/client.key" ] &&
			die "$certs has client.pem but no client.key; add the key or remove both"
		[ -f "$certs/client.key" ] && [ ! -f "$certs/client.pem" ] &&
			die "$certs has client.key but no client.pem; add the certificate or remove both"
	fi
	# Plain sh has no pipefail: each stage writes a file so a failure stops us.
	tmp="$out.tmp.$$"
	trap 'rm -f "$tmp" "$tmp.cpio" "$tmp.spec"' EXIT
	spec "$td" "$conf" "$certs" > "$tmp.spec"
	"$mkcpio" < "$tmp.spec" > "$tmp.cpio"
	rm -f "$tmp.spec"
	gzip -n -9 < "$tmp.cpio" > "$tmp"
	rm -f "$tmp.cpio"
	mv "$tmp" "$out"
	trap - EXIT
	echo "capture initramfs: $out $(stat -c %s "$out") bytes"
}

main "$@"
