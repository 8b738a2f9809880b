#!/bin/sh
# Build the capture initramfs without kernel modules, for kernels with their
# drivers built in (the test kernel): a thin wrapper around
# `tinydump initramfs --no-detect`, which does the work (see docs).
# Usage: initramfs/build.sh TINYDUMP OUT.cpio.gz [CONF] [CERTDIR]
#   CONF     defaults to initramfs/tinydump.conf (all defaults, commented)
#   CERTDIR  may hold ca.pem, client.pem, client.key; those present go to
#            /etc/tinydump/ (none when not given)
# The archive is deterministic: the same inputs give the same bytes.
set -eu
here=$(cd "$(dirname "$0")/.." && pwd)

die() { printf 'initramfs: fatal: %s\n' "$*" >&2; exit 1; }

[ $# -ge 2 ] && [ $# -le 4 ] || die "usage: initramfs/build.sh TINYDUMP OUT.cpio.gz [CONF] [CERTDIR]"
td=$1 out=$2 conf=${3:-$here/initramfs/tinydump.conf} certs=${4:-}
[ -f "$td" ] || die "tinydump binary $td not found: run 'make'"
[ -f "$conf" ] || die "configuration $conf not found"
[ -z "$certs" ] || [ -d "$certs" ] || die "certificate directory $certs not found"
empty=
if [ -z "$certs" ]; then
	empty=$(mktemp -d) && certs=$empty
	trap 'rmdir "$empty"' EXIT
fi
"$td" initramfs --no-detect --conf "$conf" --certs "$certs" --output "$out" >/dev/null ||
	die "tinydump initramfs failed"
echo "capture initramfs: $out $(stat -c %s "$out") bytes"
