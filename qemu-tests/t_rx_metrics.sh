#!/bin/bash
# The receiver's metrics (--metrics ADDR:PORT; docs/RECEIVER.md), host side
# in a private netns, scraped over bash's /dev/tcp (no HTTP client needed):
#  - format: 200, Content-Type text/plain; version=0.0.4, a Content-Length
#    that is the body's, and a body a strict awk check accepts (every
#    family has # HELP then # TYPE, samples follow their TYPE, counters end
#    in _total, no series twice, whole-number values);
#  - counters: from zero, one stored upload moves started and completed by
#    one and bytes_received by exactly the bytes the client sent (preamble,
#    messages and stream); one client without a certificate moves
#    failed{reason="handshake"}, one record beyond its HELO size bound
#    failed{reason="size_bound"}, nothing else; active goes back to 0;
#    a session process killed mid-upload counts as failed{reason="crashed"};
#    started = completed + failed + active;
#  - free space: free_bytes and free_inodes are statvfs's of the dump
#    directory at scrape time;
#  - retention: an old dump deleted at start shows in retention_deleted_total
#    and _bytes_total (its allocated bytes);
#  - no names: the body holds no CN, node name, kernel release or path;
#  - requests: another path 404, another method 405, garbage 400, HEAD has
#    no body; a peer that sends nothing gets 408 within the 2 s deadline,
#    and an upload while it waits is stored at once.
set -u
. "$(dirname "$0")/tlslib.sh"
td_tls_setup rx-metrics
trap 'td_rx_stop || :; kill $TD_BG 2>/dev/null || :; umount "$W"/d 2>/dev/null || :; [ -n "${KEEP:-}" ] || rm -rf "$W"' EXIT
P=9701 MP=9702
R=$W/d
mkdir -p "$R" && mount -t tmpfs -o size=64m,nr_inodes=4000 tmpfs "$R" || { td_skip $T "cannot mount a tmpfs"; exit 0; }

# scrape PATH NAME [METHOD]: $W/NAME.head (status line and headers) and $W/NAME.body
scrape() {
	exec 3<>"/dev/tcp/127.0.0.1/$MP" || return 1
	printf '%s %s HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: */*\r\n\r\n' "${3:-GET}" "$1" >&3
	timeout 5 cat <&3 > "$W/$2.http"
	exec 3<&-
	sed '/^\r$/q' "$W/$2.http" > "$W/$2.head"
	sed '1,/^\r$/d' "$W/$2.http" > "$W/$2.body"
}
# raw BYTES NAME: send BYTES (printf format) as they are; the answer in $W/NAME.http
raw() {
	exec 3<>"/dev/tcp/127.0.0.1/$MP" || return 1
	printf "$1" >&3
	timeout 5 cat <&3 > "$W/$2.http"
	exec 3<&-
}
# val NAME SERIES: a sample's value ("" when absent)
val() { awk -v k="$2" '$1 == k { print $2 }' "$W/$1.body"; }
# strict SCRAPE: the body against the text format, version 0.0.4
strict() {
	awk '
	function bad(why) { printf "line %d: %s: %s\n", NR, why, $0; ok = 0 }
	BEGIN { ok = 1 }
	/^# HELP / { if (NF < 4) bad("HELP without text"); if ($3 in help) bad("HELP twice"); help[$3] = 1; next }
	/^# TYPE / {
		if (NF != 4 || ($4 != "counter" && $4 != "gauge")) bad("bad TYPE")
		if (!($3 in help)) bad("TYPE without HELP before it")
		if ($3 in type) bad("TYPE twice")
		type[$3] = $4; last = $3; next
	}
	/^#/ { bad("stray comment"); next }
	{
		if (!match($0, /^[a-zA-Z_:][a-zA-Z0-9_:]*(\{[a-zA-Z_][a-zA-Z0-9_]*="[^"\\]*"\})? [0-9]+$/))
			bad("not a sample")
		name = $0; sub(/[{ ].*/, "", name)
		if (name != last) bad("sample outside its family")
		if (type[name] == "counter" && name !~ /_total$/) bad("counter without _total")
		if ($1 in seen) bad("series twice")
		seen[$1] = 1; n++
	}
	END { if (n == 0) { print "no samples"; ok = 0 } exit !ok }' "$W/$1.body"
}
# settle NAME: scrape until no connection is active (the parent reaps within 200 ms)
settle() {
	local i
	for i in $(seq 1 50); do
		scrape /metrics "$1" && [ "$(val "$1" tinydump_receiver_active_connections)" = 0 ] && return 0
		sleep 0.1
	done
	return 1
}
# failures NAME: the reasons with a nonzero count, as "reason=N ..." (sorted)
failures() {
	sed -n 's/^tinydump_receiver_uploads_failed_total{reason="\([a-z_]*\)"} \([0-9]*\)$/\1=\2/p' "$W/$1.body" |
		grep -v '=0$' | sort | tr '\n' ' '
}

# An old dump for retention to delete at start; its allocated bytes.
old=$R/client1-2001-01-01-00:00:00
mkdir -m 0700 "$old"
head -c $((1 << 20)) /dev/urandom > "$old/vmcore"
printf '{"received_utc": "2001-01-01-00:00:00"}\n' > "$old/receiver.json"
old_bytes=$(find "$old" -type f -printf '%b\n' | awk '{ s += $1 * 512 } END { print s }')
head -c $((1 << 20)) /dev/urandom > "$W/src"
printf 'a kernel log line\n' > "$W/dmesg"

td_rx_start $P "$R" --client-ca "$C/client-ca.pem" --min-free 1M --metrics 127.0.0.1:$MP --keep-days 30 ||
	{ td_fail $T/receiver-starts "no listener on $P" "$W/rx-$P.log"; exit 0; }
td_listening $MP || { td_fail $T/metrics-listens "no listener on $MP" "$W/rx-$P.log"; exit 0; }
for i in $(seq 1 50); do grep -q 'retention: [0-9]* dumps in' "$W/rx-$P.log" && break; sleep 0.1; done

# ---- format, and the first values ----
settle s0
clen=$(sed -n 's/^Content-Length: \([0-9]*\)\r$/\1/p' "$W/s0.head")
if head -1 "$W/s0.head" | grep -q '^HTTP/1.1 200 OK' &&
	grep -q '^Content-Type: text/plain; version=0.0.4' "$W/s0.head" &&
	[ "$clen" = "$(wc -c < "$W/s0.body")" ] && strict s0 > "$W/strict.out"; then
	td_ok $T/text-format-0.0.4
else
	cat "$W/s0.head" >> "$W/strict.out"
	td_fail $T/text-format-0.0.4 "status, Content-Type, Content-Length ($clen) or the body is wrong" "$W/strict.out"
fi
set -- $(stat -f -c '%a %S %d' "$R")
if [ "$(val s0 tinydump_receiver_free_bytes)" = $(($1 * $2)) ] &&
	[ "$(val s0 tinydump_receiver_free_inodes)" = "$3" ]; then
	td_ok $T/free-space-at-scrape-time
else
	td_fail $T/free-space-at-scrape-time "free_bytes $(val s0 tinydump_receiver_free_bytes), want $(($1 * $2)); free_inodes $(val s0 tinydump_receiver_free_inodes), want $3" "$W/s0.body"
fi
if [ "$(val s0 tinydump_receiver_retention_deleted_total)" = 1 ] &&
	[ "$(val s0 tinydump_receiver_retention_deleted_bytes_total)" = "$old_bytes" ] && [ ! -e "$old" ]; then
	td_ok $T/retention-counted
else
	td_fail $T/retention-counted "deleted $(val s0 tinydump_receiver_retention_deleted_total), bytes $(val s0 tinydump_receiver_retention_deleted_bytes_total) (want 1, $old_bytes)" "$W/rx-$P.log"
fi

# ---- one stored upload ----
"$TT" upload --port $P --file "$W/src" --dmesg "$W/dmesg" --ca "$C/ca.pem" --cert "$C/client.pem" \
	--key "$C/client.key" --node secretnode > "$W/ok.log" 2>&1 || td_fail $T/upload "the good upload failed" "$W/ok.log"
settle s1
d=$(ls -d "$R"/client1-*/ | grep -v 2001 | head -1)
stream=$(td_e2e_json "$d/receiver.json" "j['stream_bytes']")
json=$(stat -c %s "$d/tinydump.json")
dm=$(stat -c %s "$d/dmesg.txt")
helo=$((20 + 10 + 10 + 5)) # node "secretnode", release "6.1.0-test", format "kdump"
want=$((16 + 12 + helo + 12 + dm + 12 + stream + 12 + 48 + json))
s1="started $(val s1 tinydump_receiver_uploads_started_total) completed $(val s1 tinydump_receiver_uploads_completed_total) bytes $(val s1 tinydump_receiver_bytes_received_total) failed: $(failures s1)"
if [ "$s1" = "started 1 completed 1 bytes $want failed: " ]; then
	td_ok $T/stored-upload-counted
else
	td_fail $T/stored-upload-counted "$s1; want started 1 completed 1 bytes $want" "$W/s1.body"
fi

# ---- refused: no client certificate, then a record beyond the size bound ----
"$TT" upload --port $P --file "$W/src" --ca "$C/ca.pem" > "$W/nocert.log" 2>&1 &&
	td_fail $T/refusals "an upload without a certificate was stored" "$W/nocert.log"
settle s2
"$TT" upload --port $P --file "$W/src" --ca "$C/ca.pem" --cert "$C/client.pem" --key "$C/client.key" \
	--size-bound 4096 > "$W/bound.log" 2>&1 && td_fail $T/refusals "an upload beyond its size bound was stored" "$W/bound.log"
settle s3
s2="started $(val s2 tinydump_receiver_uploads_started_total) completed $(val s2 tinydump_receiver_uploads_completed_total) bytes $(val s2 tinydump_receiver_bytes_received_total) failed: $(failures s2)"
s3="started $(val s3 tinydump_receiver_uploads_started_total) completed $(val s3 tinydump_receiver_uploads_completed_total) failed: $(failures s3)"
b3=$(val s3 tinydump_receiver_bytes_received_total)
if [ "$s2" = "started 2 completed 1 bytes $want failed: handshake=1 " ] &&
	[ "$s3" = "started 3 completed 1 failed: handshake=1 size_bound=1 " ] && [ "$b3" -gt "$want" ]; then
	td_ok $T/refusals-counted-by-reason
else
	td_fail $T/refusals-counted-by-reason "after no-cert: $s2; after size-bound: $s3, bytes $b3 (want > $want)" "$W/s3.body"
fi

# ---- a session process that dies is counted as crashed ----
before=$(td_rx_children "$RX_PID" | tr -d ' ' | sort)
"$TT" upload --port $P --file "$W/src" --ca "$C/ca.pem" --cert "$C/client.pem" --key "$C/client.key" \
	--pace-ms 500 > "$W/killed.log" 2>&1 &
slow=$!
TD_BG="$TD_BG $slow"
for i in $(seq 1 50); do
	active=$(scrape /metrics s4 && val s4 tinydump_receiver_active_connections)
	[ "$active" = 1 ] && break
	sleep 0.1
done
session=$(td_rx_children "$RX_PID" | tr -d ' ' | sort | grep -vxF "$before")
[ -n "$session" ] && kill -KILL $session
wait $slow
settle s4
s4="started $(val s4 tinydump_receiver_uploads_started_total) completed $(val s4 tinydump_receiver_uploads_completed_total) failed: $(failures s4)"
if [ -n "$session" ] && [ "$s4" = "started 4 completed 1 failed: crashed=1 handshake=1 size_bound=1 " ] &&
	grep -q "session process $session ended by signal 9" "$W/rx-$P.log"; then
	td_ok $T/killed-session-counted-as-crashed
else
	td_fail $T/killed-session-counted-as-crashed "session '$session'; $s4" "$W/rx-$P.log"
fi
sum=$(awk 'index($1, "tinydump_receiver_uploads_failed_total{") == 1 || $1 == "tinydump_receiver_uploads_completed_total" || $1 == "tinydump_receiver_active_connections" { s += $2 } END { print s }' "$W/s4.body")
if [ "$sum" = "$(val s4 tinydump_receiver_uploads_started_total)" ]; then
	td_ok $T/every-connection-counted-once
else
	td_fail $T/every-connection-counted-once "completed + failed + active = $sum, started $(val s4 tinydump_receiver_uploads_started_total)" "$W/s4.body"
fi
if grep -qE 'client1|secretnode|testnode|6\.1\.0-test|/tmp|127\.0\.0\.1' "$W"/s[0-4].body "$W"/s[0-4].head; then
	td_fail $T/no-names-in-metrics "a name reached the metrics: $(grep -hE 'client1|secretnode|testnode|6\.1\.0-test|/tmp|127\.0\.0\.1' "$W"/s[0-4].body | head -1)"
else
	td_ok $T/no-names-in-metrics
fi

# ---- other requests ----
scrape /nothing-here e404
scrape /metrics e405 POST
scrape /metrics head HEAD
raw 'BLAH\r\n\r\n' e400a
raw '\026\003\001\002\000\001\000\001\374\003\003' e400b # the start of a TLS ClientHello
got="$(head -1 "$W/e404.head" | tr -d '\r') / $(head -1 "$W/e405.head" | tr -d '\r') / $(head -1 "$W/e400a.http" | tr -d '\r') / $(head -1 "$W/e400b.http" | tr -d '\r') / HEAD body $(wc -c < "$W/head.body") bytes"
if [ "$got" = "HTTP/1.1 404 Not Found / HTTP/1.1 405 Method Not Allowed / HTTP/1.1 400 Bad Request / HTTP/1.1 400 Bad Request / HEAD body 0 bytes" ] &&
	grep -q '^HTTP/1.1 200 OK' "$W/head.head"; then
	td_ok $T/404-405-400-head
else
	td_fail $T/404-405-400-head "$got"
fi

# ---- a silent peer: 408 within the deadline; uploads go on meanwhile ----
t0=$(date +%s%N)
exec 4<>"/dev/tcp/127.0.0.1/$MP"
"$TT" upload --port $P --file "$W/src" --ca "$C/ca.pem" --cert "$C/client.pem" --key "$C/client.key" \
	> "$W/during.log" 2>&1
up_rc=$?
t1=$(date +%s%N)
timeout 6 cat <&4 > "$W/silent.http"
exec 4<&-
t2=$(date +%s%N)
ms_up=$(((t1 - t0) / 1000000)) ms_408=$(((t2 - t0) / 1000000))
if [ $up_rc = 0 ] && [ $ms_up -lt 1900 ] && head -1 "$W/silent.http" | grep -q '^HTTP/1.1 408' &&
	[ $ms_408 -ge 1900 ] && [ $ms_408 -lt 4000 ]; then
	td_ok $T/silent-scraper-cut-uploads-unhindered
	echo "    upload stored in $ms_up ms while a silent scraper waited; it got 408 after $ms_408 ms"
else
	td_fail $T/silent-scraper-cut-uploads-unhindered "upload rc $up_rc in $ms_up ms; silent peer got '$(head -1 "$W/silent.http")' after $ms_408 ms" "$W/rx-$P.log"
fi
