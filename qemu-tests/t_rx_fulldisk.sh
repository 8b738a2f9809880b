#!/bin/bash
# The receiver on a disk that fills up at the very end of an upload: the
# vmcore fits, the client's tinydump.json does not. What must hold:
#  - the client is told the upload failed (code: no space);
#  - no file named vmcore exists: a complete-looking dump never sits beside
#    a missing or truncated tinydump.json (everything is written and synced
#    before the rename);
#  - no half-written JSON file is left behind.
# A tmpfs of 4 MiB in the test's private mount namespace is the disk.
set -u
. "$(dirname "$0")/tlslib.sh"
td_tls_setup rx-fulldisk
D=$W/full
mkdir -p "$D" && mount -t tmpfs -o size=4m tmpfs "$D" || { td_skip $T "cannot mount a tmpfs"; exit 0; }
TD_BG=
trap 'td_rx_stop || :; umount "$D" 2>/dev/null || :; [ -n "${KEEP:-}" ] || rm -rf "$W"' EXIT
head -c $((3900 * 1024)) /dev/urandom > "$W/src"
td_rx_start 9301 "$D" --client-ca "$C/client-ca.pem" --min-free 0 || { td_fail $T "receiver did not start" "$W/rx-9301.log"; exit 0; }
"$TT" upload --port 9301 --file "$W/src" --ca "$C/ca.pem" --cert "$C/client.pem" --key "$C/client.key" \
	--json-pad 250000 > "$W/up.log" 2>&1
up=$?
sleep 0.5
dir=$(ls -d "$D"/*/ 2>/dev/null | head -1)
if [ $up = 0 ]; then
	td_fail $T/client-told-failure "the upload was acknowledged although the disk was full" "$W/up.log"
elif grep -qi 'space' "$W/up.log"; then
	td_ok $T/client-told-failure
else
	td_fail $T/client-told-failure "the client's error does not say the disk is full" "$W/up.log"
fi
if [ -z "$dir" ]; then
	td_ok $T/no-vmcore-beside-broken-json
elif [ -e "$dir/vmcore" ]; then
	/usr/bin/python3 -c 'import json,sys; json.load(open(sys.argv[1]))' "$dir/tinydump.json" 2> "$W/json.err" &&
		td_ok $T/no-vmcore-beside-broken-json ||
		td_fail $T/no-vmcore-beside-broken-json "vmcore is there, but tinydump.json is missing or truncated ($(ls -l "$dir" | tr '\n' ' '))" "$W/json.err"
else
	td_ok $T/no-vmcore-beside-broken-json
fi
if [ -n "$dir" ] && [ -e "$dir/tinydump.json" ] &&
	! /usr/bin/python3 -c 'import json,sys; json.load(open(sys.argv[1]))' "$dir/tinydump.json" 2>/dev/null; then
	td_fail $T/no-half-written-json "a truncated tinydump.json was left: $(ls -l "$dir" | tr '\n' ' ')"
else
	td_ok $T/no-half-written-json
fi
