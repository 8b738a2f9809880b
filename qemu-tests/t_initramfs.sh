#!/bin/bash
# The capture initramfs is deterministic and holds exactly the layout
# DESIGN.md describes. Host only (no QEMU): builds it twice, with a changed
# mtime in between, and compares bytes; extracts it and compares contents.
set -eu
cd "$(dirname "$0")/.."
T=t_initramfs
tmp=$(mktemp -d /tmp/t_initramfs.XXXXXX)
trap 'rm -rf "$tmp"' EXIT

ok() { echo "ok $T.$1"; }
fail() { echo "FAIL $T.$1: $2"; }

[ -x build/mkcpio ] || make -s build/mkcpio >/dev/null 2>&1 ||
	{ echo "skip $T: build/mkcpio does not build"; exit 0; }
td=build/tinydump
[ -f "$td" ] || { td=$tmp/fake-tinydump; head -c 100000 /dev/urandom > "$td"; }

certs=$tmp/certs
mkdir "$certs" && echo ca > "$certs/ca.pem" && echo cert > "$certs/client.pem" &&
	echo key > "$certs/client.key"

check_deterministic() {
	initramfs/build.sh "$td" "$tmp/a.gz" "" "$certs" >/dev/null
	cp "$td" "$tmp/td-copy" && touch -d '2001-01-01' "$tmp/td-copy"
	sleep 1
	initramfs/build.sh "$tmp/td-copy" "$tmp/b.gz" "" "$certs" >/dev/null
	if cmp -s "$tmp/a.gz" "$tmp/b.gz"; then ok deterministic
	else fail deterministic "two builds of the same inputs differ ($tmp/a.gz vs b.gz)"; fi
}

check_layout() {
	local want got
	want='dev dev/console dev/null etc etc/tinydump etc/tinydump.conf
etc/tinydump/ca.pem etc/tinydump/client.key etc/tinydump/client.pem init mnt proc sys tmp'
	got=$(zcat "$tmp/a.gz" | cpio -it --quiet | sort | tr '\n' ' ' | sed 's/ $//')
	want=$(echo $want)
	if [ "$got" = "$want" ]; then ok layout; else fail layout "listing '$got', want '$want'"; fi
}

# Extract with GNU cpio (an independent reader) and compare file bytes/modes.
check_contents() {
	local x=$tmp/x why=
	mkdir "$x" && (cd "$x" && zcat "$tmp/a.gz" | cpio -id --quiet --no-absolute-filenames 2>/dev/null) || true
	cmp -s "$x/init" "$td" || why="init differs from $td"
	cmp -s "$x/etc/tinydump.conf" initramfs/tinydump.conf || why="$why; conf differs"
	[ "$(stat -c %a "$x/init")" = 755 ] || why="$why; /init mode $(stat -c %a "$x/init")"
	[ "$(stat -c %a "$x/etc/tinydump/client.key")" = 600 ] || why="$why; client.key not 0600"
	zcat "$tmp/a.gz" | cpio -itv --quiet 2>/dev/null | grep -q '^c.* 5, *1 .*dev/console$' ||
		why="$why; /dev/console is not c 5 1"
	if [ -z "$why" ]; then ok contents; else fail contents "${why#; }"; fi
}

# A bad spec line is named, and no archive is written.
check_errors() {
	local msg
	msg=$(printf 'dir /a 0755 0 0\nfile /b /nonexistent 0644 0 0\n' | build/mkcpio 2>&1 >/dev/null) &&
		{ fail errors "mkcpio accepted a missing host file"; return; }
	case "$msg" in *"line 2"*nonexistent*) ok errors ;;
	*) fail errors "message does not name line 2 and the file: $msg" ;; esac
}

check_deterministic
check_layout
check_contents
check_errors
