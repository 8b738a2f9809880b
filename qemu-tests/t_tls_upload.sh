#!/bin/bash
# The TLS target against `tinydump receive`, host side, in a private netns.
# The client is td_upload (build/host/tool_tls upload) writing a real
# kdump file through the flattened sink in shuffled chunks, as the dump
# writer does; the receiver is the static binary. Checks:
#  - the stored vmcore is byte-identical to the source (holes included),
#    dmesg.txt and tinydump.json are what the client sent, receiver.json
#    says complete, no vmcore.incomplete is left, modes are private;
#  - the directory is named <client CN>-<UTC time>, or <peer address>
#    without --client-ca; a taken name gets a suffix and the existing
#    directory is left untouched;
#  - an RSA client certificate works;
#  - flattened streams of the same file rebuild byte-identically through
#    makedumpfile -R and through our reader (tool_tls unflat).
set -u
. "$(dirname "$0")/tlslib.sh"
td_tls_setup tls-upload

td_src_kdump "$W/src.kdump"
td_src_file "$W/sparse" 8
printf 'line one of the kernel log\nline two\n' > "$W/dmesg"

# stored_ok NAME DIR SRC: the upload directory holds exactly the source.
stored_ok() {
	local name=$1 d=$2 src=$3
	if [ ! -f "$d/vmcore" ] || [ -e "$d/vmcore.incomplete" ]; then
		td_fail "$T/$name" "no vmcore (or vmcore.incomplete left) in $d" "$W/rx.log"
	elif ! cmp -s "$d/vmcore" "$src"; then
		td_fail "$T/$name" "stored vmcore differs: $(cmp "$d/vmcore" "$src" 2>&1 | head -1)"
	elif ! cmp -s "$d/dmesg.txt" "$W/dmesg"; then
		td_fail "$T/$name" "dmesg.txt differs from what was sent"
	elif ! grep -q '"bytes_written"' "$d/tinydump.json" || ! grep -q '"complete": true' "$d/receiver.json"; then
		td_fail "$T/$name" "tinydump.json or receiver.json wrong" "$d/receiver.json"
	elif [ "$(stat -c %a "$d" "$d/vmcore" | tr '\n' ' ')" != "700 600 " ]; then
		td_fail "$T/$name" "modes $(stat -c %a "$d" "$d/vmcore" | tr '\n' ' '), want 700 600"
	else
		td_ok "$T/$name"
	fi
}

upload() { # LOG PORT FILE [args...]
	local log=$1 port=$2 file=$3
	shift 3
	timeout 60 "$TT" upload --port "$port" --file "$file" --dmesg "$W/dmesg" --ca "$C/ca.pem" \
		--timeout 10 "$@" > "$log" 2>&1
}

td_rx_start 7000 "$W/rx" --client-ca "$C/client-ca.pem" --timeout 10
cp "$W/rx-7000.log" /dev/null
if upload "$W/u1.log" 7000 "$W/src.kdump" --cert "$C/client.pem" --key "$C/client.key" &&
	grep -q "receiver stored the dump" "$W/u1.log"; then
	d=$(ls -d "$W"/rx/client1-* 2>/dev/null | head -1)
	if [[ "$(basename "${d:-none}")" =~ ^client1-[0-9]{4}-[0-9]{2}-[0-9]{2}-[0-9]{2}:[0-9]{2}:[0-9]{2}$ ]]; then
		td_ok "$T/dir-named-by-client-cn-and-utc-time"
	else
		td_fail "$T/dir-named-by-client-cn-and-utc-time" "got $(ls "$W/rx")"
	fi
	stored_ok stored-kdump-identical "$d" "$W/src.kdump"
else
	td_fail "$T/stored-kdump-identical" "upload failed" "$W/u1.log"
fi

# Taken names: pre-create the next seconds' directories with a marker,
# starting after the second of the first upload's own directory (so that
# every client1 name the next upload can get is a marked one), and far
# enough ahead for a slow machine.
sleep 1
now=$(date -u +%s)
for i in $(seq 0 20); do
	x="$W/rx/client1-$(date -u -d "@$((now + i))" +%Y-%m-%d-%H:%M:%S)"
	[ -d "$x" ] || { mkdir "$x" && echo keep > "$x/marker"; }
done
if upload "$W/u2.log" 7000 "$W/sparse" --cert "$C/client-rsa.pem" --key "$C/client-rsa.key" --node other; then
	d=$(ls -d "$W"/rx/client-rsa-* 2>/dev/null | head -1)
	stored_ok rsa-client-cert-upload "$d" "$W/sparse"
else
	td_fail "$T/rsa-client-cert-upload" "upload failed" "$W/u2.log"
fi
if upload "$W/u3.log" 7000 "$W/sparse" --cert "$C/client.pem" --key "$C/client.key"; then
	d=$(ls -d "$W"/rx/client1-*.1 2>/dev/null | head -1)
	if [ -n "$d" ] && [ "$(cat "$W"/rx/client1-*/marker | sort -u)" = keep ] &&
		[ -z "$(ls "$(dirname "$d")/$(basename "$d" .1)" | grep -v marker)" ]; then
		stored_ok taken-name-gets-suffix-and-existing-dir-untouched "$d" "$W/sparse"
	else
		td_fail "$T/taken-name-gets-suffix-and-existing-dir-untouched" "dirs: $(ls "$W/rx" | tr '\n' ' ')"
	fi
else
	td_fail "$T/taken-name-gets-suffix-and-existing-dir-untouched" "upload failed" "$W/u3.log"
fi
td_rx_stop

# Holes stay holes: the sparse source's zero middle is never sent.
d=$(ls -d "$W"/rx/client-rsa-* 2>/dev/null | head -1)
if [ -n "$d" ] && [ $(( $(stat -c %b "$d/vmcore") * 512 )) -lt $(( $(stat -c %s "$d/vmcore") * 3 / 4 )) ]; then
	td_ok "$T/holes-stay-holes"
else
	td_fail "$T/holes-stay-holes" "stored vmcore is not sparse"
fi

td_rx_start 7001 "$W/rx2" --timeout 10
if upload "$W/u4.log" 7001 "$W/sparse"; then
	d=$(ls -d "$W"/rx2/127.0.0.1-* 2>/dev/null | head -1)
	if [ -n "$d" ]; then
		stored_ok no-client-ca-identity-is-peer-address "$d" "$W/sparse"
	else
		td_fail "$T/no-client-ca-identity-is-peer-address" "got $(ls "$W/rx2")"
	fi
else
	td_fail "$T/no-client-ca-identity-is-peer-address" "upload failed" "$W/u4.log"
fi
td_rx_stop

# The flattened stream itself, against makedumpfile -R.
for f in src.kdump sparse; do
	"$TT" flat "$W/$f" "$W/$f.flat" --seed 7 &&
		makedumpfile -R "$W/$f.R" < "$W/$f.flat" > "$W/R.log" 2>&1 &&
		"$TT" unflat "$W/$f.flat" "$W/$f.U" 2> "$W/U.log"
	if cmp -s "$W/$f.R" "$W/$f" && cmp -s "$W/$f.U" "$W/$f"; then
		td_ok "$T/flat-$f-rebuilt-identical-by-makedumpfile-R-and-ours"
	else
		td_fail "$T/flat-$f-rebuilt-identical-by-makedumpfile-R-and-ours" \
			"$(cmp "$W/$f.R" "$W/$f" 2>&1 | head -1) $(cmp "$W/$f.U" "$W/$f" 2>&1 | head -1)" "$W/R.log"
	fi
done
