#!/bin/bash
# Run Debian unstable's makedumpfile or crash on this (older) machine.
# Usage: scripts/oracle.sh makedumpfile|crash [ARGS...]
#        scripts/oracle.sh --version-of makedumpfile|crash   the cached version
#        scripts/oracle.sh --command makedumpfile|crash      the command line that
#                                  runs it, for timing without this script
# Unstable's binaries need a newer libc than the host's. They run through
# unstable's own loader, with the program and the libraries it depends on
# unpacked (never installed) into a private root:
#   ROOT/usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2 --library-path
#   ROOT/usr/lib/x86_64-linux-gnu ROOT/usr/bin/PROGRAM
# ROOT is $CACHE/oracle-PACKAGE_VERSION/, keyed by the package version; it
# holds the package and, recursively, those of its Depends that are
# libraries (perl and binutils, which the programs only shell out to, stay
# out).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
. "$here/debian-pkg.sh"
# ORACLE_SUITE=trixie runs that suite's build instead (Debian 13's own
# makedumpfile 1.7.6, for the benchmark of what it keeps on 6.12).
suite=${ORACLE_SUITE:-sid}

# deps PKG : direct Depends and Pre-Depends (first of each alternative).
deps() {
	apt-cache "${DEBPKG_OPTS[@]}" depends --no-recommends --no-suggests --no-conflicts \
		--no-breaks --no-replaces --no-enhances "$1" 2>/dev/null |
		awk '/^ *\|?(Pre)?Depends:/ && !alt { print $2 } { alt = ($1 ~ /^\|/) }' |
		grep -v '^<' | sed 's/:any$//' | sort -u
}

# closure PKG : PKG and its library dependencies, recursively.
closure() {
	local todo=("$1") seen=" " p d
	while [ ${#todo[@]} -gt 0 ]; do
		p=${todo[0]} todo=("${todo[@]:1}")
		case $seen in *" $p "*) continue ;; esac
		seen="$seen$p "
		echo "$p"
		for d in $(deps "$p"); do
			case $d in lib*|zlib*|gcc-*-base) todo+=("$d") ;; esac
		done
	done
}

build_root() {
	local dir=$1 prog=$2 p v deb
	[ -f "$dir/done" ] && return 0
	rm -rf "$dir/root" && mkdir -p "$dir/root"
	for p in $(closure "$prog"); do
		v=$(debpkg_versions "$suite" "$p" | head -1)
		[ -n "$v" ] || die "$suite has no package $p (a dependency of $prog)"
		deb=$(debpkg_get "$suite" "$p" "$v")
		dpkg-deb -x "$deb" "$dir/root" || die "unpacking $deb failed"
		echo "$p $v" >> "$dir/packages"
	done
	touch "$dir/done"
}

main() {
	local prog=${1:-} ver dir lib print=
	[ "$prog" = --version-of ] && { debpkg_versions "$suite" "$2" | head -1; return; }
	[ "$prog" = --command ] && { print=1; shift; prog=${1:-}; }
	case $prog in makedumpfile|crash) ;; *)
		die "usage: scripts/oracle.sh makedumpfile|crash [ARGS...]" ;;
	esac
	shift
	debpkg_apt "$suite"
	ver=$(debpkg_versions "$suite" "$prog" | head -1)
	[ -n "$ver" ] || die "$suite serves no $prog"
	dir="$CACHE/oracle-${prog}_$(_dp_safe "$ver")"
	[ "$suite" = sid ] || dir="$CACHE/oracle-$suite-${prog}_$(_dp_safe "$ver")"
	mkdir -p "$dir"
	( with_lock "$dir"; build_root "$dir" "$prog" ) >&2
	lib="$dir/root/usr/lib/x86_64-linux-gnu"
	[ -z "$print" ] || { echo "$lib/ld-linux-x86-64.so.2 --library-path $lib $dir/root/usr/bin/$prog"; return; }
	exec "$lib/ld-linux-x86-64.so.2" --library-path "$lib" "$dir/root/usr/bin/$prog" "$@"
}

main "$@"
