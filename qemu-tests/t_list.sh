#!/bin/bash
# tinydump list DIR over real dump directories: two dumps filed by
# `tinydump capture --target dir:` (the same crash twice: the second gets a
# suffix), one upload stored by `tinydump receive`, one cut short
# (vmcore.incomplete), one with a hostile node name, and a directory that is
# no dump. Checks the lines, --json (parsed by Python) and --by signature
# (the two captures of one crash under one signature).
set -u
. "$(dirname "$0")/tlslib.sh"
td_tls_setup list
td_saved_vmcore $T
D=$W/dumps
mkdir -p "$D/not-a-dump"
for i in 1 2; do
	"$TD" capture --input "$V/vmcore" --target "dir:$D" --level 31 > "$W/cap$i.log" 2>&1 ||
		{ td_fail $T/capture "capture --target dir: failed" "$W/cap$i.log"; exit 0; }
done
first=$(ls "$D" | grep -v not-a-dump | head -1)
cp -a "$D/$first" "$D/cut" && mv "$D/cut/vmcore" "$D/cut/vmcore.incomplete"
cp -a "$D/$first" "$D/evil" &&
	printf '{"node": "ev\\u001b[31mil\\nx", "kernel_release": "6.1", "crash_time": "2020-01-01-00:00:00"}\n' > "$D/evil/tinydump.json"
td_src_file "$W/src" 2
td_rx_start 9401 "$D" --client-ca "$C/client-ca.pem" || { td_fail $T/receiver "did not start"; exit 0; }
"$TT" upload --port 9401 --file "$W/src" --ca "$C/ca.pem" --cert "$C/client.pem" --key "$C/client.key" \
	--node rxhost > "$W/up.log" 2>&1 || { td_fail $T/upload "upload failed" "$W/up.log"; exit 0; }
td_rx_stop

"$TD" list "$D" > "$W/list.txt" 2> "$W/list.err"; rc=$?
lines=$(tail -n +2 "$W/list.txt" | wc -l)
if [ $rc = 0 ] && [ "$lines" = 5 ] && [ "$(grep -c ' complete ' "$W/list.txt")" = 4 ] &&
	[ "$(grep -c ' incomplete ' "$W/list.txt")" = 1 ] && grep -q '^rxhost ' "$W/list.txt" &&
	! grep -q not-a-dump "$W/list.txt"; then
	td_ok $T/one-line-per-dump
else
	td_fail $T/one-line-per-dump "rc $rc, $lines lines" "$W/list.txt"
fi
if grep -q "$(printf '\033')" "$W/list.txt"; then
	td_fail $T/hostile-names-escaped "an escape byte from a client's JSON reached the output"
else
	td_ok $T/hostile-names-escaped
fi
"$TD" list "$D" --json > "$W/list.json"
/usr/bin/python3 - "$W/list.json" "$D" "$first" > "$W/json.out" 2>&1 <<'PY'
import json, os, sys
v = json.load(open(sys.argv[1]))
by = {d["dir"]: d for d in v}
assert len(v) == 5, len(v)
f = by[sys.argv[3]]
assert f["complete"] and f["size"] == os.path.getsize(os.path.join(sys.argv[2], sys.argv[3], "vmcore")), f
assert not by["cut"]["complete"], by["cut"]
rx = [d for d in v if d["host"] == "rxhost"]
assert len(rx) == 1 and rx[0]["kernel_release"] == "6.1.0-test" and rx[0]["crash_time"] == "2023-11-14-22:13:20", rx
print("ok")
PY
if [ "$(tail -1 "$W/json.out")" = ok ]; then td_ok $T/json; else td_fail $T/json "--json output wrong" "$W/json.out"; fi
"$TD" list "$D" --by signature > "$W/by.txt"
sum=$(tail -n +2 "$W/by.txt" | awk '{s += $2} END {print s}')
if [ "$sum" = 5 ]; then td_ok $T/by-signature-counts-every-dump; else td_fail $T/by-signature-counts-every-dump "counts add up to $sum" "$W/by.txt"; fi
# The two captures of one crash (and the copy cut short) share the capture
# run's signature; the evil record and the upload (no dump: the receiver
# found no log in it) have none.
if grep -Eq '^[0-9a-f]{16} +3 +1 ' "$W/by.txt" && grep -Eq '^- +2 ' "$W/by.txt"; then
	td_ok $T/by-signature-groups-one-crash
else
	td_fail $T/by-signature-groups-one-crash "no signature with 3 dumps, or no '-' with 2" "$W/by.txt"
fi
