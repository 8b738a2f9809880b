#!/bin/bash
# tinydump capture --target: a saved vmcore delivered through the capture
# run's own target code, checked against --output of the same vmcore:
#  - dir:PATH holds <node>-<time>/{dmesg.txt,vmcore,tinydump.json}, the
#    directory 0700 and every file 0600;
#  - tls:127.0.0.1:PORT to `tinydump receive` with client certificates
#    required stores a byte-identical vmcore, the same dmesg.txt, and a
#    tinydump.json that says complete.
# Runs in a private network namespace (td_netns).
set -eu
. "$(dirname "$0")/tlslib.sh"
td_tls_setup capture-target
T=capture-target
td_saved_vmcore $T

"$TD" capture --input "$V/vmcore" --output "$W/ref.kdump" --level 31 > "$W/ref.log" 2>&1 || :
"$TD" dmesg "$V/vmcore" > "$W/ref-dmesg.txt" 2>/dev/null || :

# one directory below $1 holding a complete dump
landed() {
	local d
	d=$(find "$1" -mindepth 1 -maxdepth 1 -type d | head -1)
	[ -n "$d" ] && [ -f "$d/vmcore" ] && [ ! -e "$d/vmcore.incomplete" ] && echo "$d"
}

mkdir -p "$W/dir"
"$TD" capture --input "$V/vmcore" --target "dir:$W/dir" --level 31 > "$W/dir.log" 2>&1 || :
d=$(landed "$W/dir") || d=
if [ -n "$d" ] && cmp -s "$d/vmcore" "$W/ref.kdump" && cmp -s "$d/dmesg.txt" "$W/ref-dmesg.txt" &&
	grep -q '"complete": true' "$d/tinydump.json"; then
	td_ok $T/dir
else
	td_fail $T/dir "dir: target did not hold the same dump as --output" "$W/dir.log"
fi
# A dump holds the machine's secrets: the directory is 0700, every file 0600,
# whatever the umask.
if [ -n "$d" ]; then
	modes=$(cd "$d" && stat -c '%a %n' . * | sort | tr '\n' ' ')
	if [ "$modes" = "600 dmesg.txt 600 tinydump.json 600 vmcore 700 . " ]; then
		td_ok $T/dir-private-modes
	else
		td_fail $T/dir-private-modes "modes are: $modes"
	fi
fi

port=$(( 20000 + RANDOM % 20000 ))
td_rx_start "$port" "$W/rx" --client-ca "$C/client-ca.pem"
"$TD" capture --input "$V/vmcore" --target "tls:127.0.0.1:$port" --level 31 --timeout 30 \
	--ca "$C/ca.pem" --cert "$C/client.pem" --key "$C/client.key" > "$W/tls.log" 2>&1 || :
d=$(landed "$W/rx") || d=
if [ -n "$d" ] && cmp -s "$d/vmcore" "$W/ref.kdump" && cmp -s "$d/dmesg.txt" "$W/ref-dmesg.txt" &&
	grep -q '"complete": true' "$d/tinydump.json" && grep -q 'dump complete: delivered' "$W/tls.log"; then
	td_ok $T/tls-byte-identical
else
	td_fail $T/tls-byte-identical "the receiver did not store the same dump as --output" "$W/tls.log"
	sed 's/^/    rx: /' "$W/rx-$port.log" | tail -5
fi
