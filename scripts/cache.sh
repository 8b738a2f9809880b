# Sourced by the build scripts: where caches live and how keys are made.
# Caches sit outside the clone, keyed by every input that changes the result.
CACHE=${TINYDUMP_CACHE:-$HOME/.cache/tinydump}
mkdir -p "$CACHE"

# key FILES... : a short hash of the named files' contents and of the strings
# given in $KEYEXTRA (versions of compilers and source packages).
key() {
	{ cat "$@"; printf '%s\n' "${KEYEXTRA:-}"; } | sha256sum | cut -c1-16
}

# pkgver PKG : installed version of a Debian package, or "none".
pkgver() { dpkg-query -W -f='${Version}' "$1" 2>/dev/null || echo none; }

log() { printf 'tinydump-build: %s\n' "$*" >&2; }
die() { printf 'tinydump-build: fatal: %s\n' "$*" >&2; exit 1; }

# with_lock DIR : serialise builders of the same cache entry (parallel make).
with_lock() { exec 9>"$1.lock"; flock 9; }
