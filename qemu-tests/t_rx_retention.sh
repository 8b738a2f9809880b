#!/bin/bash
# Retention on the receiver (--keep-days, --max-bytes; docs/RECEIVER.md),
# host side in a private netns, over synthetic dump directories laid out as
# the receiver makes them (ages set through receiver.json's received_utc
# and touch -d) and real uploads (tool_tls):
#  - off: without the options nothing is deleted, however old or large;
#  - bad-values: --keep-days 0x, --keep-days 0 and --max-bytes 12Q are
#    refused with messages naming the value;
#  - keep-days: at start, exactly the dumps older than 30 days go: complete
#    ones by received_utc (or the directory's mtime without receiver.json),
#    a stale vmcore.incomplete by its mtime, and a .deleting- leftover of an
#    interrupted pass is finished. Kept: a dump received 10 days ago in a
#    directory touched 40 days ago, an incomplete one written now, one
#    holding a subdirectory, a name not the receiver's, a directory without
#    a vmcore, and a symlink named like a dump to an old dump on the same
#    filesystem (neither followed nor its target touched); a .tinydump-new-
#    directory (an upload's, its receiver died before naming it) goes when
#    older than 30 days, a young one stays;
#  - max-bytes: the oldest complete dumps go until the complete ones take at
#    most --max-bytes, at start and after a completed upload; a large old
#    vmcore.incomplete neither counts nor goes; and an upload in progress
#    (slow, its directory and vmcore.incomplete touched 60 days old all the
#    while) is not deleted by the pass its neighbour's completion starts, and
#    is stored intact;
#  - each deletion is one log line naming the directory, its bytes and why.
set -u
. "$(dirname "$0")/tlslib.sh"
td_tls_setup rx-retention
trap 'td_rx_stop || :; kill $TD_BG 2>/dev/null || :; umount "$W"/d* 2>/dev/null || :; [ -n "${KEEP:-}" ] || rm -rf "$W"' EXIT
ago() { date -u -d "$1" +%Y-%m-%d-%H:%M:%S; }

# mkdump DIR NAME complete|incomplete MB RECEIVED_UTC|- [TOUCH_DATE]
mkdump() {
	local d=$1/$2 core=vmcore
	[ "$3" = complete ] || core=vmcore.incomplete
	mkdir -m 0700 -p "$d"
	head -c $(($4 << 20)) /dev/urandom > "$d/$core"
	printf 'kernel log\n' > "$d/dmesg.txt"
	printf '{"node": "n", "crash_time": 0}\n' > "$d/tinydump.json"
	[ "$5" = - ] || printf '{\n  "identity": "client1",\n  "received_utc": "%s",\n  "complete": %s\n}\n' \
		"$5" "$([ "$3" = complete ] && echo true || echo false)" > "$d/receiver.json"
	[ -z "${6:-}" ] || touch -d "$6" "$d"/* "$d"
}
disk() { mkdir -p "$1" && mount -t tmpfs -o size=64m tmpfs "$1"; }
# wait_log PORT REGEX SECONDS: until the receiver's log has a matching line
wait_log() {
	local i
	for i in $(seq 1 $(($3 * 10))); do
		grep -qE "$2" "$W/rx-$1.log" && return 0
		sleep 0.1
	done
	return 1
}
up() { # up PORT FILE LOG [ARGS...]
	local port=$1 file=$2 log=$3
	shift 3
	"$TT" upload --port "$port" --file "$file" --ca "$C/ca.pem" --cert "$C/client.pem" \
		--key "$C/client.key" --timeout 30 "$@" > "$log" 2>&1
}
# gone DIR NAME...: the names missing from DIR (empty when all are there)
missing() {
	local d=$1 n out=
	shift
	for n in "$@"; do [ -e "$d/$n" ] || [ -L "$d/$n" ] || out="$out $n"; done
	echo "${out# }"
}
# logged PORT DIR WHY NAME...: the names without a deletion line giving WHY
unlogged() {
	local port=$1 dir=$2 why=$3 n out=
	shift 3
	for n in "$@"; do
		grep -F "retention: deleted $dir/$n (" "$W/rx-$port.log" | grep -qF -- "$why" || out="$out $n"
	done
	echo "${out# }"
}
head -c $((2 << 20)) /dev/urandom > "$W/src2"
head -c $((1 << 20)) /dev/urandom > "$W/src1"
OLD=$(ago '40 days ago')

# ---- off: nothing is deleted without --keep-days or --max-bytes ----
disk "$W/d1" || { td_skip $T "cannot mount a tmpfs"; exit 0; }
R=$W/d1
mkdump "$R" "10.0.0.1-2001-01-01-00:00:00" complete 2 "2001-01-01-00:00:00" "2001-01-01"
mkdump "$R" "client1-$OLD" complete 2 "$OLD" "40 days ago"
mkdump "$R" "client1-$OLD.1" incomplete 2 - "40 days ago"
mkdump "$R" "client1-$OLD.2" complete 2 - "40 days ago"
before=$(ls -A "$R" | sort)
td_rx_start 9601 "$R" --client-ca "$C/client-ca.pem" --min-free 1M ||
	{ td_fail $T/off "receiver did not start" "$W/rx-9601.log"; exit 0; }
up 9601 "$W/src2" "$W/off-up.log" || td_fail $T/off "upload failed" "$W/off-up.log"
sleep 1
td_rx_stop
after=$(ls -A "$R" | grep -vxF "$(printf '%s\n' $before)" | wc -l)
if [ "$(ls -A "$R" | sort | grep -cxF "$before")" = 4 ] && [ "$after" = 1 ] &&
	! grep -q 'retention:' "$W/rx-9601.log" && grep -q 'nothing is deleted' "$W/rx-9601.log"; then
	td_ok $T/off-nothing-deleted
else
	td_fail $T/off-nothing-deleted "dumps went or the log talks of retention: $(ls -A "$R" | tr '\n' ' ')" "$W/rx-9601.log"
fi

# ---- bad values are refused, naming them ----
bad=
for args in "--keep-days 0x" "--keep-days 0" "--max-bytes 12Q" "--max-bytes 0" "--metrics 127.0.0.1"; do
	# shellcheck disable=SC2086
	"$TD" receive --listen 127.0.0.1:9602 --dir "$R" --cert "$C/server.pem" --key "$C/server.key" \
		$args > "$W/bad.log" 2>&1
	rc=$?
	val=${args#* }
	if [ $rc != 2 ] || ! grep -q "^tinydump: fatal: receive: ${args% *} '\{0,1\}$val'\{0,1\} " "$W/bad.log"; then
		bad="$bad [$args: rc $rc, $(head -1 "$W/bad.log")]"
	fi
done
grep -q "is not a whole number of days" <("$TD" receive --listen 127.0.0.1:9602 --dir "$R" \
	--cert "$C/server.pem" --key "$C/server.key" --keep-days 0x 2>&1) || bad="$bad [wording]"
if [ -z "$bad" ]; then td_ok $T/bad-values-refused; else td_fail $T/bad-values-refused "$bad"; fi

# ---- keep-days ----
disk "$W/d2"
R=$W/d2
GONE_AGE="10.0.0.1-2001-01-01-00:00:00 client2-$OLD client3-$OLD"
mkdump "$R" "10.0.0.1-2001-01-01-00:00:00" complete 1 "2001-01-01-00:00:00"   # received long ago
mkdump "$R" "client2-$OLD" complete 1 - "40 days ago"                         # no receiver.json: mtime
mkdump "$R" "client3-$OLD" incomplete 1 - "40 days ago"                       # a stale partial upload
mkdump "$R" "client8-2001-01-01-00:00:00" complete 1 "2001-01-01-00:00:00"
mv "$R/client8-2001-01-01-00:00:00" "$R/.deleting-client8-2001-01-01-00:00:00" # an interrupted pass
KEPT="client1-$(ago '10 days ago') client4-$OLD client5-$OLD notadump-old client6-2001-01-01-00:00:00 client7-$OLD keep"
mkdump "$R" "client1-$(ago '10 days ago')" complete 1 "$(ago '10 days ago')" "40 days ago"
mkdump "$R" "client4-$OLD" incomplete 1 "$OLD" "40 days ago"
touch "$R/client4-$OLD/vmcore.incomplete"                                     # written just now
mkdump "$R" "client5-$OLD" complete 1 "$OLD" "40 days ago"
mkdir "$R/client5-$OLD/extra"                                                 # not as we make them
mkdump "$R" "notadump-old" complete 1 "$OLD" "40 days ago"                    # not our name
mkdir "$R/keep" && mkdump "$R/keep" "client6-2001-01-01-00:00:00" complete 1 "2001-01-01-00:00:00"
ln -s "$R/keep/client6-2001-01-01-00:00:00" "$R/client6-2001-01-01-00:00:00" # a symlink, same fs
mkdir -m 0700 "$R/client7-$OLD" && printf 'x\n' > "$R/client7-$OLD/dmesg.txt" && touch -d '40 days ago' "$R/client7-$OLD"/* "$R/client7-$OLD"
# temporary directories of uploads whose receiver died before naming them
mkdir -m 0700 "$R/.tinydump-new-11-0-5" "$R/.tinydump-new-12-0-6"
: > "$R/.tinydump-new-11-0-5/vmcore.incomplete" && touch -d '40 days ago' "$R/.tinydump-new-11-0-5"/* "$R/.tinydump-new-11-0-5"
: > "$R/.tinydump-new-12-0-6/vmcore.incomplete"
td_rx_start 9603 "$R" --client-ca "$C/client-ca.pem" --min-free 1M --keep-days 30 ||
	{ td_fail $T/keep-days "receiver did not start" "$W/rx-9603.log"; exit 0; }
wait_log 9603 'retention: [0-9]+ dumps in' 20 || td_fail $T/keep-days "no retention pass within 20 s" "$W/rx-9603.log"
sleep 0.5
td_rx_stop
# shellcheck disable=SC2086
still=$(for n in $GONE_AGE; do [ -e "$R/$n" ] && echo -n "$n "; done)
# shellcheck disable=SC2086
lost=$(missing "$R" $KEPT)
if [ -z "$still" ] && [ -z "$lost" ] && [ ! -e "$R/.deleting-client8-2001-01-01-00:00:00" ] &&
	[ -f "$R/keep/client6-2001-01-01-00:00:00/vmcore" ]; then
	td_ok $T/keep-days-deletes-exactly-the-old
else
	td_fail $T/keep-days-deletes-exactly-the-old "still there: ${still:-none}; wrongly deleted: ${lost:-none}; in dir: $(ls -A "$R" | tr '\n' ' ')" "$W/rx-9603.log"
fi
if [ ! -e "$R/.tinydump-new-11-0-5" ] && [ -f "$R/.tinydump-new-12-0-6/vmcore.incomplete" ] &&
	grep -qF "retention: removed $R/.tinydump-new-11-0-5, the temporary directory of an upload whose receiver died before naming it: older than --keep-days 30" "$W/rx-9603.log"; then
	td_ok $T/keep-days-stale-temporary-directory-removed-young-one-kept
else
	td_fail $T/keep-days-stale-temporary-directory-removed-young-one-kept "in dir: $(ls -A "$R" | tr '\n' ' ')" "$W/rx-9603.log"
fi
# shellcheck disable=SC2086
nolog=$(unlogged 9603 "$R" "older than --keep-days 30" $GONE_AGE)
if [ -z "$nolog" ] && grep -q "finished deleting $R/client8-2001-01-01-00:00:00 (" "$W/rx-9603.log" &&
	grep -q "retention: deleted $R/client3-$OLD (stale partial upload" "$W/rx-9603.log" &&
	[ "$(grep -c 'retention: deleted' "$W/rx-9603.log")" = 3 ]; then
	td_ok $T/keep-days-each-deletion-logged
else
	td_fail $T/keep-days-each-deletion-logged "no line for: ${nolog:-(finished / count)}" "$W/rx-9603.log"
fi

# ---- max-bytes, and an upload in progress ----
disk "$W/d3"
R=$W/d3
M1="client1-$(ago '3 days ago')" M2="client1-$(ago '2 days ago')" M3="client1-$(ago '1 day ago')"
P1="client9-$(ago '4 days ago')"
mkdump "$R" "$M1" complete 2 "$(ago '3 days ago')"
mkdump "$R" "$M2" complete 2 "$(ago '2 days ago')"
mkdump "$R" "$M3" complete 2 "$(ago '1 day ago')"
mkdump "$R" "$P1" incomplete 4 - "4 days ago"
# 5.5 MiB: three complete dumps of 2 MiB (and their small files) are too many, two are not.
td_rx_start 9604 "$R" --client-ca "$C/client-ca.pem" --min-free 1M --max-bytes 5632K --keep-days 30 ||
	{ td_fail $T/max-bytes "receiver did not start" "$W/rx-9604.log"; exit 0; }
wait_log 9604 'retention: [0-9]+ dumps in' 20
sleep 0.5
start_lost=$(missing "$R" "$M2" "$M3" "$P1")
start_still=$([ -e "$R/$M1" ] && echo "$M1")
# The slow upload: 1 MiB in about 7 chunks, 1.5 s apart.
up 9604 "$W/src1" "$W/slow.log" --pace-ms 1500 --seed 7 &
slow=$!
live=
for i in $(seq 1 100); do
	live=$(cd "$R" && ls -d client1-*/vmcore.incomplete 2>/dev/null | head -1)
	[ -n "$live" ] && break
	sleep 0.1
done
live=${live%/vmcore.incomplete}
( while :; do touch -c -d '60 days ago' "$R/$live/vmcore.incomplete" "$R/$live" 2>/dev/null; sleep 0.02; done ) &
toucher=$!
TD_BG="$TD_BG $toucher $slow"
up 9604 "$W/src2" "$W/fast.log" || td_fail $T/max-bytes "the fast upload failed" "$W/fast.log"
wait_log 9604 "retention: deleted $R/$M2 " 20
sleep 0.5
pass_while_live=$(kill -0 $slow 2>/dev/null && echo yes)
kill $toucher
wait $slow
slow_rc=$?
sleep 0.5
td_rx_stop
if [ -z "$start_lost" ] && [ -z "$start_still" ] && [ ! -e "$R/$M2" ] && [ -e "$R/$M3" ] && [ -e "$R/$P1" ] &&
	[ "$(ls "$R" | wc -l)" = 4 ]; then
	td_ok $T/max-bytes-oldest-complete-first
else
	td_fail $T/max-bytes-oldest-complete-first "at start lost '${start_lost}' kept '${start_still}'; at the end: $(ls -A "$R" | tr '\n' ' ')" "$W/rx-9604.log"
fi
if [ "$(unlogged 9604 "$R" "over --max-bytes 5767168" "$M1" "$M2")" = "" ] &&
	[ "$(grep -c 'retention: deleted' "$W/rx-9604.log")" = 2 ]; then
	td_ok $T/max-bytes-each-deletion-logged
else
	td_fail $T/max-bytes-each-deletion-logged "want two lines, for $M1 and $M2, saying over --max-bytes" "$W/rx-9604.log"
fi
if [ -z "$live" ] || [ "$pass_while_live" != yes ]; then
	td_fail $T/upload-in-progress-kept "the test did not work: live dir '${live}', upload still running at the pass: ${pass_while_live:-no}" "$W/slow.log"
elif [ $slow_rc = 0 ] && cmp -s "$R/$live/vmcore" "$W/src1"; then
	td_ok $T/upload-in-progress-kept
else
	td_fail $T/upload-in-progress-kept "the upload in $live: rc $slow_rc, vmcore $(ls "$R/$live" 2>&1 | tr '\n' ' ')" "$W/rx-9604.log"
fi
