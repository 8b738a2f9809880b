#!/bin/sh
# Install the Debian packages tinydump needs to build, test and benchmark.
# As root: apt-get installs them. Otherwise: print the exact command and fail.
# Usage: scripts/deps.sh [build|deb|check|journey|bench|all]   (default: all)
set -eu

build_pkgs="build-essential musl-tools flex bison bc libelf-dev libssl-dev cpio xz-utils
  dpkg-dev linux-source-6.1 kmod e2fsprogs rsync zlib1g-dev libbearssl-dev
  libzstd-dev liblzo2-dev libdeflate-dev"
test_pkgs="qemu-system-x86 crash makedumpfile python3-drgn python3-cryptography nfs-ganesha nfs-ganesha-vfs
  openssl socat iproute2 clang-14 libclang-rt-14-dev util-linux fdisk debootstrap
  haproxy rpcbind fuse3 libfuse3-dev libnfs-dev"
# make deb (and its test, qemu-tests/t_deb.sh): dpkg-buildpackage with debhelper, lintian.
deb_pkgs="debhelper lintian"
# make journey: a Debian 12 root filesystem (scripts/debian-image.sh).
journey_pkgs="debootstrap"
bench_pkgs="hyperfine time gnuplot-nox linux-perf"

case "${1:-all}" in
build) want="$build_pkgs" ;;
deb) want="$build_pkgs $deb_pkgs" ;;
check|demo) want="$build_pkgs $test_pkgs $deb_pkgs" ;;
journey) want="$build_pkgs $test_pkgs $deb_pkgs $journey_pkgs" ;;
*) want="$build_pkgs $test_pkgs $deb_pkgs $journey_pkgs $bench_pkgs" ;;
esac

missing=
for p in $want; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' || missing="$missing $p"
done

# A deb-src entry is needed for `apt-get source zlib bearssl`.
need_src=0
grep -rqs '^Types:.*deb-src' /etc/apt/sources.list.d/ 2>/dev/null ||
	grep -qs '^deb-src ' /etc/apt/sources.list 2>/dev/null || need_src=1

# The machine's own archive URI (no archive host is written into this repo).
. "$(dirname "$0")/debian-uri.sh"
codename=$(debian_codename)

[ -z "$missing" ] && [ "$need_src" = 0 ] && exit 0

uri=
[ "$need_src" = 1 ] && { uri=$(debian_uri); [ -n "$uri" ] ||
	{ echo "tinydump: no 'deb' entry for $codename main in /etc/apt/sources*; add one, with a matching deb-src entry" >&2; exit 1; }; }
if [ "$(id -u)" != 0 ]; then
	echo "tinydump: missing Debian packages:$missing" >&2
	[ "$need_src" = 1 ] && echo "tinydump: and a deb-src entry: add /etc/apt/sources.list.d/tinydump-src.sources with 'Types: deb-src', 'URIs: $uri', 'Suites: $codename', 'Components: main'" >&2
	echo "tinydump: run: sudo apt-get update && sudo apt-get install -y --no-install-recommends$missing" >&2
	exit 1
fi

if [ "$need_src" = 1 ]; then
	cat > /etc/apt/sources.list.d/tinydump-src.sources <<SRC
Types: deb-src
URIs: $uri
Suites: $codename
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SRC
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -q >/dev/null
[ -n "$missing" ] && apt-get install -y -q --no-install-recommends $missing >/dev/null
echo "tinydump: installed:$missing"
