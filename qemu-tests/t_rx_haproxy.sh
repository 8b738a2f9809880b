#!/bin/bash
# Two receivers behind HAProxy writing into one NFS directory, and one of
# them killed mid-run (issue 13, item 1). Host side, in a private netns, no
# QEMU:
#  - nfs-ganesha exports $W/g/export; each receiver's --dir is its own NFS
#    mount of it: the kernel's NFS client when the kernel has one, else
#    qemu-tests/nfsfuse.c (libnfs, NFSv3, through FUSE: one NFS client per
#    mount, as two hosts would have). The first verdict line says which.
#  - HAProxy (Debian's package), mode tcp: TLS passes through, so the
#    receivers see each client's certificate; health checks ask each
#    receiver's --metrics endpoint; a connection refused is redispatched.
#  - same-name-race: TD_RACE (16) captures with one certificate at once:
#    both receivers make names from the same CN and second; every upload
#    lands in a directory of its own, complete and intact.
#  - killed-receiver: TD_CLIENTS (64) `tinydump capture --target tls:`
#    processes, started in four waves a second apart, each with its own
#    certificate (CN=hostNN). When 8 dumps are stored and rx1 is writing 4
#    uploads, rx1 and its upload processes get SIGKILL. Every capture must
#    exit 0; every host has exactly one complete dump (two only where rx1
#    died between storing and answering), whose vmcore's SHA-256 is the
#    reference's (`capture --output` of the same vmcore writes the same
#    bytes); every other directory holds vmcore.incomplete and no vmcore,
#    beside a retry of its host; each dump rx1 acknowledged (in the race
#    and before the kill) is there intact. The numbers are printed as
#    indented lines.
# The source is one synthetic 1 GiB ELF vmcore (bench/synth.c): 1.2 MB of
# kdump at level 31. KEEP=1 keeps the work directory.
set -u
T=rx-haproxy
here=$(cd "$(dirname "$0")" && pwd)
N=${TD_CLIENTS:-64}
NRACE=${TD_RACE:-16}

# Debian's packages, installed before the test moves into its netns (which
# has no route to the archive): scripts/deps.sh check lists them.
need() {
	command -v haproxy >/dev/null && command -v ganesha.nfsd >/dev/null && command -v rpcbind >/dev/null &&
		[ -f /usr/include/fuse3/fuse.h ] && [ -f /usr/include/nfsc/libnfs.h ]
}
if [ "${TD_IN_NETNS:-}" != 1 ] && ! need; then
	[ "$(id -u)" = 0 ] && "$here/../scripts/deps.sh" check > /dev/null 2>&1
	need || { echo "skip $T: haproxy, nfs-ganesha, rpcbind, libfuse3-dev or libnfs-dev missing (scripts/deps.sh check)"; exit 0; }
fi
. "$here/tlslib.sh"
td_tls_setup "$T"
RX1= RX2= HAP= RPC= GAN= MNT= NFP=
cleanup() {
	local p
	for p in $HAP $RX1 $RX2; do kill -KILL -- "-$p" 2>/dev/null; done
	for p in $MNT; do umount -l "$p" 2>/dev/null; done
	for p in $NFP $GAN $RPC; do kill "$p" 2>/dev/null; done
	wait 2>/dev/null
	[ -n "${KEEP:-}" ] && echo "kept $W" >&2 || rm -rf "$W"
}
trap cleanup EXIT

gcc -std=c11 -D_GNU_SOURCE -O2 -I"$TD_ROOT" -o "$W/synth" "$TD_ROOT/bench/synth.c" 2> "$W/build.err" &&
	"$W/synth" "$W/vmcore" 1 > /dev/null &&
	gcc -std=c11 -D_GNU_SOURCE -O2 -Wall -Wextra -Werror -I/usr/include/fuse3 -o "$W/nfsfuse" \
		"$here/nfsfuse.c" -lfuse3 -lpthread -lnfs 2>> "$W/build.err" ||
	{ td_fail $T/setup "bench/synth.c or qemu-tests/nfsfuse.c did not build or run" "$W/build.err"; exit 0; }
"$TD" capture --input "$W/vmcore" --output "$W/ref" --level 31 --threads 0 > "$W/ref.log" 2>&1 ||
	{ td_fail $T/setup "the reference capture failed" "$W/ref.log"; exit 0; }
REF=$(sha256sum < "$W/ref" | cut -d' ' -f1)

# --- the shared directory ---
EXPORT=$W/g/export
rpcbind -f -w &
RPC=$!
td_wait_port 111 50 || { td_fail $T/setup "rpcbind did not listen on 111"; exit 0; }
td_ganesha "$W/g" 3,4 2>> "$W/ganesha.err" || { td_fail $T/setup "nfs-ganesha did not listen on 2049" "$W/g/ganesha.log"; exit 0; }
GAN=$TD_GANESHA_PID
sleep 1 # ganesha registers MOUNT and NFS with rpcbind after it listens

# mount_nfs DIR: the kernel's client if it has one, else nfsfuse.
mount_nfs() {
	mkdir -p "$1"
	if [ "$HOW" = kernel ]; then
		mount -t nfs -o vers=3,nosharecache,actimeo=0,nolock 127.0.0.1:/crash "$1" 2>> "$W/mount.err"
	else
		"$W/nfsfuse" 127.0.0.1 /crash "$1" >> "$W/mount.err" 2>&1 &
		NFP="$NFP $!"
		local i
		for i in $(seq 1 100); do
			mountpoint -q "$1" && break
			sleep 0.1
		done
	fi
	mountpoint -q "$1" && MNT="$MNT $1"
}
HOW=kernel
mkdir -p "$W/probe"
if mount -t nfs -o vers=3,nolock 127.0.0.1:/crash "$W/probe" 2> "$W/probe.err"; then
	umount "$W/probe"
	why="the kernel's NFS client"
else
	HOW=fuse
	why="qemu-tests/nfsfuse.c (libnfs NFSv3 over FUSE): the kernel cannot mount NFS: $(tr -d '\n' < "$W/probe.err")"
	grep -qw nfs /proc/filesystems || why="$why (no nfs in /proc/filesystems)"
fi
if mount_nfs "$W/m1" && mount_nfs "$W/m2"; then
	td_ok "$T/shared-nfs-dir"
	echo "    receivers' --dir: two mounts of 127.0.0.1:/crash through $why"
else
	td_fail $T/shared-nfs-dir "mounting 127.0.0.1:/crash ($HOW) failed" "$W/mount.err"
	exit 0
fi

# --- two receivers and HAProxy ---
# rx_start I: receiver I on 700I, metrics on 910I, in a process group of its
# own so that one kill takes it and its upload processes at once.
rx_start() {
	setsid "$TD" receive --listen 127.0.0.1:700"$1" --dir "$W/m$1" --cert "$C/server.pem" \
		--key "$C/server.key" --client-ca "$C/client-ca.pem" --max-clients 128 --max-per-peer 128 \
		--timeout 60 --metrics 127.0.0.1:910"$1" > "$W/rx$1.log" 2>&1 &
	eval "RX$1=$!"
	disown $! # no "Killed" job notice when the test kills it
	td_listening 700"$1" && td_listening 910"$1"
}
rx_start 1 && rx_start 2 || { td_fail $T/setup "a receiver did not start" "$W/rx1.log"; exit 0; }
cat > "$W/haproxy.cfg" <<EOF
global
	maxconn 1024
	log stdout format raw daemon
defaults
	mode tcp
	log global
	timeout connect 2s
	timeout client 120s
	timeout server 120s
	retries 3
	option redispatch 1
	timeout check 3s
frontend tinydump
	bind 127.0.0.1:7000
	default_backend receivers
backend receivers
	balance roundrobin
	option httpchk GET /metrics
	http-check expect status 200
	default-server inter 1s fall 3 rise 2
	server rx1 127.0.0.1:7001 check port 9101
	server rx2 127.0.0.1:7002 check port 9102
EOF
haproxy -c -f "$W/haproxy.cfg" > "$W/haproxy-c.log" 2>&1 ||
	{ td_fail $T/setup "haproxy -c refused the configuration" "$W/haproxy-c.log"; exit 0; }
setsid haproxy -db -f "$W/haproxy.cfg" > "$W/haproxy.log" 2>&1 &
HAP=$!
disown $HAP
td_listening 7000 || { td_fail $T/setup "haproxy did not listen on 7000" "$W/haproxy.log"; exit 0; }
sleep 2.2 # both servers checked up (rise 2, inter 1 s)

# cap NAME CERT [ARGS]: one capture run to the HAProxy frontend.
cap() {
	local name=$1 cert=$2
	shift 2
	timeout 150 "$TD" capture --input "$W/vmcore" --target tls:127.0.0.1:7000 --ca "$C/ca.pem" \
		--cert "$cert.pem" --key "$cert.key" --timeout 30 --threads 0 "$@" > "$W/$name.log" 2>&1
}

# intact D: D holds a complete dump with the reference's bytes.
intact() { [ -f "$1/vmcore" ] && [ ! -e "$1/vmcore.incomplete" ] && [ "$(sha256sum < "$1/vmcore" | cut -d' ' -f1)" = "$REF" ]; }

# --- same-name race: one certificate, NRACE captures at once ---
pids=
for i in $(seq 1 "$NRACE"); do
	cap race$i "$C/client" &
	pids="$pids $!"
done
bad=0
for p in $pids; do wait "$p" || bad=$((bad + 1)); done
dirs=$(ls "$EXPORT" | grep -c '^client1-')
good=0
for d in "$EXPORT"/client1-*; do intact "$d" && good=$((good + 1)); done
# names each receiver stored; a base name (CN and second) both used
grep -ho 'stored [^ ]*' "$W/rx1.log" | sed 's|.*/||' > "$W/race1"
grep -ho 'stored [^ ]*' "$W/rx2.log" | sed 's|.*/||' > "$W/race2"
shared=$(comm -12 <(sed 's/\.[0-9]*$//' "$W/race1" | sort -u) <(sed 's/\.[0-9]*$//' "$W/race2" | sort -u) | wc -l)
if [ "$bad" = 0 ] && [ "$dirs" = "$NRACE" ] && [ "$good" = "$NRACE" ] &&
	[ "$(cat "$W/race1" "$W/race2" | sort | uniq -d | wc -l)" = 0 ]; then
	td_ok "$T/same-name-race-distinct-dirs"
else
	td_fail "$T/same-name-race-distinct-dirs" "$bad captures failed, $dirs directories, $good intact of $NRACE" "$W/rx2.log"
fi
sfx() { sed -E 's/.*:[0-9]{2}\.?//; s/^$/0/' "$1" | sort -n | tr '\n' ' '; }
echo "    race: $NRACE uploads as CN=client1, $shared base name(s) (CN and second) used by both receivers;" \
	"suffixes rx1 took: $(sfx "$W/race1")rx2: $(sfx "$W/race2")(0: none)"

# --- 64 hosts, rx1 killed mid-run ---
printf 'basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=clientAuth\n' > "$W/client.ext"
for i in $(seq -w 1 "$N"); do
	openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$W/host$i.key" 2>/dev/null &&
		openssl req -new -key "$W/host$i.key" -subj "/CN=host$i" 2>/dev/null |
		openssl x509 -req -CA "$C/client-ca.pem" -CAkey "$C/client-ca.key" -CAcreateserial \
			-days 2 -extfile "$W/client.ext" -out "$W/host$i.pem" 2>/dev/null ||
		{ td_fail $T/setup "openssl failed for host$i"; exit 0; }
done
t0=$(date +%s.%N)
pids=
# Kill rx1 (its process group: the listener, its upload processes, its
# metrics process) once 8 dumps are stored and 4 of rx1's upload processes
# hold an open vmcore.incomplete in a named directory (not yet complete, no
# longer in its hidden .tinydump-new-* one: /proc/PID/fd follows renames).
# Counting the hidden ones too let a kill find all of them before naming,
# under load: no named leftover, nothing to check (a CI run did).
# poll_kill TIMES: look every 50 ms, TIMES times or until rx1 is killed.
held=0 live=0 stored_then=0 acked= tk=$t0 most=0 polls=0
# rx1_writing: "WRITING ALIVE": rx1's upload processes with vmcore.incomplete
# open, and all its children less the metrics process.
rx1_writing() {
	local c n=0 a=-1
	for c in $(ps -o pid= --ppid "$RX1"); do
		a=$((a + 1))
		ls -l "/proc/$c/fd" 2>/dev/null | grep '/vmcore\.incomplete$' |
			grep -qv '/\.tinydump-new-[^/]*/vmcore\.incomplete$' && n=$((n + 1))
	done
	echo "$n $a"
}
poll_kill() {
	local k writing alive
	for k in $(seq 1 "$1"); do
		[ "$held" = 0 ] || return 0
		polls=$((polls + 1))
		stored_then=$(ls "$EXPORT"/host*/vmcore 2>/dev/null | wc -l)
		if [ "$stored_then" -ge 8 ]; then
			read -r writing alive < <(rx1_writing)
			[ "$writing" -le "$most" ] || most=$writing
			if [ "$writing" -ge 4 ]; then
				kill -KILL -- "-$RX1"
				held=$writing live=$alive
				tk=$(date +%s.%N)
				RX1=
				return 0
			fi
		fi
		sleep 0.05
	done
}
# Four waves of N/4, a second apart, so that the kill finds uploads at
# every stage (handshake, streaming, storing), not one batch in lockstep.
for i in $(seq -w 1 "$N"); do
	cap host$i "$W/host$i" &
	pids="$pids $!"
	[ $((10#$i % ((N + 3) / 4))) != 0 ] || poll_kill 20
done
while [ "$held" = 0 ] && kill -0 $pids 2>/dev/null; do
	poll_kill 1
done
acked=$(grep -o 'CN=host[0-9]*: stored [^ ]*' "$W/rx1.log" | sed 's|.*/||')
failed=0
for p in $pids; do wait "$p" || failed=$((failed + 1)); done
t1=$(date +%s.%N)

# Per host: one intact complete dump; a second one only where rx1 died
# between storing a dump and answering (the client, never told, retried);
# a vmcore.incomplete leftover only beside a retry. (A capture cut before
# its HELO leaves no directory, so there may be more retries than leftovers.)
once=0 dup=0 notonce= leftover=0 lbytes=0 unmarked= bytes=0
for i in $(seq -w 1 "$N"); do
	n=0 left=0
	for d in "$EXPORT"/host$i-*; do
		[ -d "$d" ] || continue
		if [ -f "$d/vmcore" ]; then
			intact "$d" && n=$((n + 1)) || notonce="$notonce $(basename "$d")(bad)"
			bytes=$((bytes + $(stat -c %s "$d/vmcore")))
		elif [ -f "$d/vmcore.incomplete" ]; then
			leftover=$((leftover + 1)) left=1
			lbytes=$((lbytes + $(stat -c %s "$d/vmcore.incomplete")))
		else
			unmarked="$unmarked $(basename "$d")"
		fi
	done
	if [ "$left" = 1 ] && ! grep -q 'failed (try 1 of' "$W/host$i.log"; then
		notonce="$notonce host$i(a leftover but no retry)"
	elif [ "$n" = 1 ]; then
		once=$((once + 1))
	elif [ "$n" = 2 ] && grep -q 'failed (try 1 of' "$W/host$i.log"; then
		dup=$((dup + 1))
	else
		notonce="$notonce host$i($n)"
	fi
done
# what rx1 acknowledged: in this run before the kill, and in the race
hidden=$(ls -a "$EXPORT" | grep -c '^\.tinydump-new-')
lost=
for a in $acked $(cat "$W/race1"); do intact "$EXPORT/$a" || lost="$lost $a"; done
cut=$(grep -l 'failed (try 1 of' "$W"/host*.log 2>/dev/null | wc -l)
twice=$(grep -l 'failed (try 2 of' "$W"/host*.log 2>/dev/null | wc -l)
if [ "$held" = 0 ]; then
	td_fail "$T/killed-receiver" "rx1 never held 4 uploads in flight with 8 dumps stored ($stored_then stored, at most $most in flight on rx1, $polls polls)" "$W/rx1.log"
elif [ "$failed" = 0 ] && [ $((once + dup)) = "$N" ] && [ -z "$notonce" ] && [ -z "$unmarked" ] && [ -z "$lost" ] &&
	[ $((leftover + dup)) -ge 1 ]; then
	td_ok "$T/killed-receiver-$N-uploads-each-complete-once"
else
	why="$failed captures failed; $once of $N hosts with one intact dump, $dup with two;"
	why="$why${notonce:+ not once:$notonce;}${unmarked:+ unmarked leftovers:$unmarked;}"
	why="$why${lost:+ acknowledged but lost:$lost;} $leftover incomplete leftovers, $cut captures retried"
	td_fail "$T/killed-receiver-$N-uploads-each-complete-once" "$why" "$W/rx2.log"
fi
# the retried attempts, from each stored dump's tinydump.json
tries=$(for f in "$EXPORT"/host*/tinydump.json; do
	[ -f "$(dirname "$f")/vmcore" ] && td_e2e_json "$f" 'j["attempts_total"]'
done | sort -n | uniq -c | awk '{ printf "%s%s with %s failed tries", n++ ? ", " : "", $1, $2 }')
delays=$(grep -ho 'trying again in [0-9.]* s' "$W"/host*.log | awk '{ s = $4; if (n == 0 || s < lo) lo = s; if (s > hi) hi = s; n++ }
	END { if (n) printf "%d backoffs of %.1f to %.1f s", n, lo, hi }')
echo "    $N uploads of $(stat -c %s "$W/ref") bytes in $(echo "$t1 - $t0" | bc | cut -c1-5) s through HAProxy" \
	"($bytes bytes of vmcore stored, sha256 ${REF:0:12}... each); rx1 SIGKILLed $(echo "$tk - $t0" | bc | cut -c1-4) s in," \
	"when $held of its $live upload processes had vmcore.incomplete open in a named directory; it had acknowledged" \
	"$(echo "$acked" | grep -c .) dumps in this run and $(wc -l < "$W/race1") in the race (all intact after);" \
	"the last retry landed $(echo "$t1 - $tk" | bc | cut -c1-4) s after the kill"
echo "    leftovers: $leftover directories with vmcore.incomplete ($lbytes bytes), what rx1 held unacknowledged; $hidden hidden .tinydump-new-* (cut before naming); $dup stored but" \
	"never acknowledged (a second complete copy); $cut captures cut and retried, $twice of them twice; $delays;" \
	"tinydump.json: $tries"
echo "    rx2 stored $(grep -c 'CN=host[0-9]*: stored' "$W/rx2.log"), rx1 $(echo "$acked" | grep -c .); haproxy" \
	"marked rx1 down $(grep -c '^Server receivers/rx1 is DOWN' "$W/haproxy.log") time(s), rx2" \
	"$(grep -c '^Server receivers/rx2 is DOWN' "$W/haproxy.log")"
