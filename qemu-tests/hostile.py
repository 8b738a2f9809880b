#!/usr/bin/env python3
"""Hostile peers for t_tls_hostile.sh: IDLE sockets that connect and say
nothing (from 127.0.0.2) and DRIP sockets that send a valid ClientHello one
byte every 2 s (from 127.0.0.3). Runs for SECONDS, then writes one line per
socket to OUT: kind, seconds from connect until the receiver closed it (or
-1 if it never did)."""
import os, selectors, socket, struct, sys, time

port, idle, drip, secs, out = (int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]),
                               float(sys.argv[4]), sys.argv[5])

def client_hello():
    ext = b""
    ext += struct.pack(">HHH", 0x000a, 4, 2) + struct.pack(">H", 0x0017)   # P-256
    ext += struct.pack(">HHB", 0x000b, 2, 1) + b"\x00"                      # uncompressed
    ext += struct.pack(">HHH", 0x000d, 4, 2) + b"\x04\x03"                  # ecdsa sha256
    body = b"\x03\x03" + os.urandom(32) + b"\x00" + struct.pack(">H", 2) + b"\xc0\x2b"
    body += b"\x01\x00" + struct.pack(">H", len(ext)) + ext
    hs = b"\x01" + struct.pack(">I", len(body))[1:] + body
    return b"\x16\x03\x01" + struct.pack(">H", len(hs)) + hs

sel = selectors.DefaultSelector()
socks = []
for kind, n, src in (("idle", idle, "127.0.0.2"), ("drip", drip, "127.0.0.3")):
    for _ in range(n):
        s = socket.socket()
        s.bind((src, 0))
        s.setblocking(False)  # a full backlog must not stall us
        s.connect_ex(("127.0.0.1", port))
        rec = {"kind": kind, "s": s, "t0": time.monotonic(), "closed": -1.0,
               "hello": client_hello(), "sent": 0}
        socks.append(rec)
        sel.register(s, selectors.EVENT_READ, rec)
end = time.monotonic() + secs
next_drip = time.monotonic()
while time.monotonic() < end:
    for key, _ in sel.select(timeout=0.1):
        rec = key.data
        try:
            data = rec["s"].recv(4096)
        except (ConnectionResetError, BrokenPipeError):
            data = b""
        except BlockingIOError:
            continue
        if not data:
            rec["closed"] = time.monotonic() - rec["t0"]
            sel.unregister(rec["s"])
    if time.monotonic() >= next_drip:
        next_drip += 2
        for rec in socks:
            if rec["kind"] == "drip" and rec["closed"] < 0 and rec["sent"] < len(rec["hello"]):
                try:
                    rec["s"].send(rec["hello"][rec["sent"]:rec["sent"] + 1])
                    rec["sent"] += 1
                except OSError:
                    pass
with open(out, "w") as f:
    for rec in socks:
        f.write("%s %.2f\n" % (rec["kind"], rec["closed"]))
