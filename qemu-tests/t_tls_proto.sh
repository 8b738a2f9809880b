#!/bin/bash
# The receiver against an independent client: Python's ssl module speaking
# the protocol as docs/PROTOCOL.md describes it, correctly and not. In a
# private netns. Checks the reply code for each case and what is (not)
# stored:
#  - a correct upload is stored (the document is enough to interoperate);
#  - a wrong SHA-256 or byte count: code 4, vmcore.incomplete, no vmcore;
#  - a bad HELO, a zero-size flattened record, a non-object JSON: code 3;
#  - protocol version 1 (before HELO declared a size bound) and 3: code 6;
#  - a sparse-file bomb (8 KiB declared, a record at 16 TiB): code 7, and
#    nothing beyond the declared size is written;
#  - a hostile node name never becomes a path and is escaped in receiver.json;
#  - a session cut mid-stream leaves vmcore.incomplete.
set -u
. "$(dirname "$0")/tlslib.sh"
td_tls_setup tls-proto

cat > "$W/client.py" <<'PY'
import hashlib, socket, ssl, struct, sys
mode, port, ca = sys.argv[1], int(sys.argv[2]), sys.argv[3]
data = bytes(range(256)) * 400                      # the "vmcore": 102400 bytes

def flat(records):
    out = b"makedumpfile".ljust(16, b"\0") + struct.pack(">qq", 1, 1)
    out = out.ljust(4096, b"\0")
    for off, chunk in records:
        out += struct.pack(">qq", off, len(chunk)) + chunk
    return out + b"\xff" * 16

def msg(tag, body, length=None):
    return tag + struct.pack(">Q", len(body) if length is None else length) + body

node = b"../../evil" if mode == "evilname" else b"pynode"
release = b'6.1 "quoted" \\' if mode == "evilname" else b"6.1.0"
if mode == "badhello":
    node = b"bad\x01node"
bound = 8192 if mode == "sparsebomb" else len(data)
hello = (struct.pack(">qQBBBB", 1700000000, bound, len(node), len(release), 5, 0) + node +
         release + b"kdump")
records = [(50000, data[50000:]), (0, data[:50000])]
if mode == "sparsebomb":
    records = [(0, data[:4096]), (16 << 40, data[:4096])]
if mode == "zerorecord":
    records.insert(1, (7, b""))
stream = flat(records)
sha = hashlib.sha256(stream).digest()
count = len(stream)
if mode == "badsha":
    sha = bytes(32)
if mode == "badcount":
    count += 1
js = b"[1, 2]" if mode == "badjson" else b'{"version": "py"}\n'
version = {"version1": 1, "version3": 3}.get(mode, 2)
wire = (b"TINYDUMP" + struct.pack(">II", version, 0) + msg(b"HELO", hello) +
        msg(b"DMSG", b"log line\n") + msg(b"DUMP", b"", 2**64 - 1) + stream +
        msg(b"TRLR", struct.pack(">IIQ", 0, 0, count) + sha + js))
if mode == "cut":
    wire = wire[: 16 + 12 + len(hello) + 12 + 9 + 12 + 4096 + 16 + 20000]

ctx = ssl.create_default_context(cafile=ca)
ctx.minimum_version = ssl.TLSVersion.TLSv1_2
with socket.create_connection(("127.0.0.1", port), 10) as raw:
    with ctx.wrap_socket(raw, server_hostname="tinydump-receiver") as s:
        try:
            s.sendall(wire)
        except OSError:
            pass
        if mode == "cut":
            sys.exit(0)
        buf = b""
        while len(buf) < 12 or len(buf) < 12 + struct.unpack(">Q", buf[4:12])[0]:
            b = s.recv(4096)
            if not b:
                break
            buf += b
        assert buf[:4] == b"RPLY", buf[:4]
        code = struct.unpack(">H", buf[12:14])[0]
        print("code %d: %s" % (code, buf[16:].decode()))
PY

td_rx_start 7000 "$W/rx" --timeout 5
n=0
# case MODE WANT_CODE PATTERN STORED(none|incomplete|vmcore)
case_() {
	local mode=$1 code=$2 pat=$3 stored=$4 before after d
	before=$(ls "$W/rx" | sort)
	timeout 20 /usr/bin/python3 "$W/client.py" "$mode" 7000 "$C/ca.pem" > "$W/$mode.log" 2>&1
	sleep 0.3
	after=$(ls "$W/rx" | sort)
	d=$(comm -13 <(echo "$before") <(echo "$after") | head -1)
	local got=none
	[ -n "$d" ] && got=dir && [ -f "$W/rx/$d/vmcore.incomplete" ] && got=incomplete
	[ -n "$d" ] && [ -f "$W/rx/$d/vmcore" ] && got=vmcore
	if [ "$mode" != cut ] && ! grep -q "^code $code: .*$pat" "$W/$mode.log"; then
		td_fail "$T/$mode" "want code $code with \"$pat\"" "$W/$mode.log"
	elif [ "$mode" = cut ] && ! grep -Eq "failed \(partial upload left in .*\): reading the upload: .*closed the connection|ended the session" "$W/rx-7000.log"; then
		td_fail "$T/$mode" "receiver did not log the cut session" "$W/rx-7000.log"
	elif [ "$got" != "$stored" ]; then
		td_fail "$T/$mode" "stored: $got, want $stored ($d)"
	else
		td_ok "$T/$mode"
	fi
	LAST=$d
}
case_ good 0 "stored as 127.0.0.1-" vmcore
if [ -n "$LAST" ] && cmp -s "$W/rx/$LAST/vmcore" <(/usr/bin/python3 -c \
	'import sys; sys.stdout.buffer.write(bytes(range(256)) * 400)'); then
	td_ok "$T/good-vmcore-rebuilt-from-out-of-order-records"
else
	td_fail "$T/good-vmcore-rebuilt-from-out-of-order-records" "vmcore differs"
fi
case_ badsha 4 "SHA-256 differs" incomplete
case_ badcount 4 "trailer says" incomplete
case_ badhello 3 "HELO: node name byte 3 is not printable" none
case_ zerorecord 3 "record header: size is 0" incomplete
case_ badjson 3 "outcome JSON: not an object" incomplete
case_ version1 6 "protocol version 1 not supported" none
case_ version3 6 "protocol version 3 not supported" none
case_ sparsebomb 7 "record at offset 17592186044416 (4096 bytes) ends beyond the 8192 bytes" incomplete
if [ -n "$LAST" ] && [ "$(stat -c %s "$W/rx/$LAST/vmcore.incomplete")" -le 8192 ]; then
	td_ok "$T/sparsebomb-nothing-written-beyond-declared-size"
else
	td_fail "$T/sparsebomb-nothing-written-beyond-declared-size" \
		"vmcore.incomplete is $(stat -c %s "$W/rx/$LAST/vmcore.incomplete" 2>&1) bytes"
fi
case_ evilname 0 "stored as 127.0.0.1-" vmcore
if [ -n "$LAST" ] && /usr/bin/python3 -c '
import json, sys
j = json.load(open(sys.argv[1]))
assert j["node"] == "../../evil" and j["kernel_release"] == "6.1 \"quoted\" \\", j' \
	"$W/rx/$LAST/receiver.json" && [ ! -e "$W/evil" ] && [ "$(ls "$W/rx" | grep -c evil)" = 0 ]; then
	td_ok "$T/hostile-node-name-not-a-path-and-escaped"
else
	td_fail "$T/hostile-node-name-not-a-path-and-escaped" "see receiver.json" "$W/rx/$LAST/receiver.json"
fi
case_ cut 0 "" incomplete
