#!/bin/bash
# The Debian package (make deb), on the host; no QEMU:
#   build     scripts/deb.sh builds build/tinydump_VERSION_ARCH.deb
#   lintian   no E: line (the two tags a static /init must carry are
#             overridden in debian/tinydump.lintian-overrides, with the reason)
#   version   the package's version is TD_VERSION, and its binary prints it
#   files     every path the package promises, with its mode and owner
#   conffiles the five files under /etc, and nothing else
#   units     tinydump.service and tinydump-receive.service say what the
#             package promises; systemd-analyze finds nothing wrong in them
#   scripts   the maintainer scripts enable tinydump.service, not the receiver
#   hook-*    the kernel hooks, run from the unpacked package against a
#             scratch state directory: postinst.d builds initrd-R.img (0600,
#             a cpio with /init and the configuration); a failed build, a
#             missing binary and a bad version all exit 0; postrm.d removes it
#   if-stale  tinydump initramfs --if-stale builds once, then is up to date
#             until the configuration changes
set -u
. "$(dirname "$0")/lib.sh"
T=deb
command -v dpkg-buildpackage >/dev/null && command -v dh >/dev/null ||
	{ td_skip $T "dpkg-buildpackage or debhelper missing (scripts/deps.sh deb)"; exit 0; }
W=$(mktemp -d /tmp/t_deb.XXXXXX)
[ -n "${TD_KEEP:-}" ] && echo "    keeping $W" || trap 'rm -rf "$W"' EXIT

# verdict NAME WHY [LOG]: ok when WHY is empty.
verdict() { if [ -z "$2" ]; then td_ok "$T/$1"; else td_fail "$T/$1" "$2" "${3:-}"; fi; }

deb=$("$TD_ROOT/scripts/deb.sh" 2> "$W/build.err" | tail -1)
if [ -z "$deb" ] || [ ! -f "$deb" ]; then
	td_fail $T/build "scripts/deb.sh made no package" "$W/build.err"
	exit 0
fi
td_ok $T/build

if command -v lintian >/dev/null; then
	lintian "$deb" > "$W/lintian.txt" 2>&1
	verdict lintian "$(grep '^E: ' "$W/lintian.txt" | head -3 | tr '\n' ' ')" "$W/lintian.txt"
else
	td_skip $T/lintian "lintian missing (scripts/deps.sh deb)"
fi

root=$W/root
dpkg-deb -x "$deb" "$root" && dpkg-deb -e "$deb" "$W/control" ||
	{ td_fail $T/unpack "dpkg-deb could not unpack $deb"; exit 0; }
want=$(sed -n 's/^#define TD_VERSION "\(.*\)"/\1/p' "$TD_ROOT/init/outcome.h")
why=
[ "$(dpkg-deb -f "$deb" Version)" = "$want" ] || why="package version $(dpkg-deb -f "$deb" Version), want $want"
[ "$("$root/usr/sbin/tinydump" --version)" = "tinydump $want" ] || why="${why:+$why; }binary says $("$root/usr/sbin/tinydump" --version)"
verdict version "$why"

# MODE PATH, one a line; units are under /lib or /usr/lib by debhelper's era.
dpkg-deb -c "$deb" | awk '{ print $1, $2, $6 }' | sed 's| \./| /|; s| /usr/lib/systemd/| /lib/systemd/|' > "$W/list"
why=
while read -r mode path; do
	grep -qx -- "$mode root/root $path" "$W/list" || why="$why $path($mode)"
done <<'FILES'
-rwxr-xr-x /usr/sbin/tinydump
-rw-r--r-- /etc/tinydump/tinydump.conf
-rwxr-xr-x /etc/kernel/postinst.d/tinydump
-rwxr-xr-x /etc/kernel/postrm.d/tinydump
-rw-r--r-- /etc/default/grub.d/tinydump.cfg
-rw-r--r-- /etc/default/tinydump-receive
-rw-r--r-- /lib/systemd/system/tinydump.service
-rw-r--r-- /lib/systemd/system/tinydump-receive.service
-rw-r--r-- /usr/share/man/man8/tinydump.8.gz
-rw-r--r-- /usr/share/man/man5/tinydump.conf.5.gz
-rw-r--r-- /usr/share/doc/tinydump/OPERATORS.md
-rw-r--r-- /usr/share/doc/tinydump/PROTOCOL.md
-rw-r--r-- /usr/share/doc/tinydump/RECEIVER.md
-rw-r--r-- /usr/share/doc/tinydump/copyright
FILES
verdict files "${why:+missing or wrong:$why}" "$W/list"

printf '%s\n' /etc/default/grub.d/tinydump.cfg /etc/default/tinydump-receive \
	/etc/kernel/postinst.d/tinydump /etc/kernel/postrm.d/tinydump /etc/tinydump/tinydump.conf > "$W/conffiles.want"
sort "$W/control/conffiles" 2>/dev/null | diff - "$W/conffiles.want" > "$W/conffiles.diff"
verdict conffiles "$([ -s "$W/conffiles.diff" ] && echo "conffiles differ from the five under /etc")" "$W/conffiles.diff"

# units: each line the package promises, and a clean systemd-analyze verify.
unit() { ls "$root"/lib/systemd/system/"$1" "$root"/usr/lib/systemd/system/"$1" 2>/dev/null | head -1; }
why=
svc=$(unit tinydump.service) rx=$(unit tinydump-receive.service)
while IFS='|' read -r file line; do
	f=$([ "$file" = svc ] && echo "$svc" || echo "$rx")
	grep -qxF -- "$line" "$f" 2>/dev/null || why="$why; $file: no '$line'"
done <<'UNITS'
svc|Type=oneshot
svc|RemainAfterExit=yes
svc|ConditionKernelCommandLine=crashkernel
svc|ExecStartPre=-/usr/sbin/tinydump initramfs --if-stale
svc|ExecStart=/usr/sbin/tinydump load
svc|ExecStop=/usr/sbin/tinydump unload
svc|CapabilityBoundingSet=CAP_SYS_BOOT CAP_DAC_READ_SEARCH
svc|StateDirectory=tinydump
svc|ProtectHome=yes
svc|PrivateTmp=yes
rx|EnvironmentFile=/etc/default/tinydump-receive
rx|User=_tinydump
rx|NoNewPrivileges=yes
rx|ProtectSystem=strict
rx|ReadWritePaths=/var/crash/tinydump
rx|PrivateTmp=yes
rx|ProtectHome=yes
rx|RestrictAddressFamilies=AF_INET AF_INET6 AF_UNIX
rx|CapabilityBoundingSet=
rx|SystemCallFilter=@system-service
rx|UMask=0077
UNITS
if command -v systemd-analyze >/dev/null; then
	# Outside a booted system it also complains of missing targets, man
	# pages and binaries; what counts is that every line parses.
	systemd-analyze verify "$svc" "$rx" > "$W/verify.txt" 2>&1
	bad=$(grep -iE 'unknown|invalid|failed to parse|ignoring|bad ' "$W/verify.txt" | head -3 | tr '\n' ' ')
	[ -z "$bad" ] || why="$why; systemd-analyze: $bad"
fi
verdict units "${why#; }" "$W/verify.txt"

# The receiver faces the network: systemd's own exposure score for its
# unit must stay at 2.0 or below (measured 1.7 "OK"). Offline analysis
# needs the unit under its installed name.
if command -v systemd-analyze >/dev/null && systemd-analyze security --help 2>/dev/null | grep -q -- --offline; then
	mkdir -p "$W/sa" && cp "$rx" "$W/sa/tinydump-receive.service"
	(cd "$W/sa" && systemd-analyze security --offline=yes --threshold=20 ./tinydump-receive.service) \
		> "$W/security.txt" 2>&1
	rc=$?
	score=$(grep -o 'Overall exposure level for tinydump-receive.service: [0-9.]*' "$W/security.txt" | awk '{ print $NF }')
	if [ $rc = 0 ] && [ -n "$score" ]; then
		td_ok "$T/receiver-unit-exposure"
		echo "    systemd-analyze security: $score"
	else
		td_fail "$T/receiver-unit-exposure" "exposure ${score:-?} (want <= 2.0)" "$W/security.txt"
	fi
else
	td_skip "$T/receiver-unit-exposure" "systemd-analyze has no --offline security check"
fi

why=
grep -q "deb-systemd-helper enable 'tinydump.service'" "$W/control/postinst" || why="tinydump.service not enabled"
grep -q "was-enabled 'tinydump-receive.service'" "$W/control/postinst" || why="$why; tinydump-receive.service enabled"
grep -q "deb-systemd-invoke stop 'tinydump.service'" "$W/control/prerm" || why="$why; tinydump.service not stopped on removal"
verdict scripts "${why#; }"

# The hooks run the unpacked binary through a wrapper that records its
# arguments and keeps it off this host's /etc/tinydump and devices.
state=$W/state
mkdir -p "$W/certs"
printf 'target=tls:192.0.2.7:7000\n' > "$W/hook.conf"
cat > "$W/td" <<WRAP
#!/bin/sh
echo "\$@" > "$W/args"
exec "$root/usr/sbin/tinydump" "\$@" --no-detect --conf "$W/hook.conf" --certs "$W/certs"
WRAP
chmod +x "$W/td"
hook() { TINYDUMP=$1 TINYDUMP_STATE=$state sh "$root/etc/kernel/$2.d/tinydump" "${@:3}"; }

hook "$W/td" postinst 9.9.9-t /boot/vmlinuz-9.9.9-t > "$W/hook.out" 2>&1; rc=$?
img=$state/initrd-9.9.9-t.img
why=
[ $rc = 0 ] || why="exit $rc"
[ "$(cat "$W/args" 2>/dev/null)" = "initramfs --kernel-release 9.9.9-t --output $img" ] ||
	why="$why; ran tinydump $(cat "$W/args" 2>/dev/null)"
[ "$(stat -c %a "$img" 2>/dev/null)" = 600 ] || why="$why; $img missing or not 0600"
zcat "$img" 2>/dev/null | cpio -it --quiet 2>/dev/null > "$W/cpio.list"
grep -qx init "$W/cpio.list" && grep -qx etc/tinydump.conf "$W/cpio.list" || why="$why; no init and etc/tinydump.conf in it"
verdict hook-builds "${why#; }" "$W/hook.out"

cat > "$W/td-bad" <<WRAP
#!/bin/sh
exec "$root/usr/sbin/tinydump" "\$@" --no-detect --conf "$W/missing.conf"
WRAP
chmod +x "$W/td-bad"
hook "$W/td-bad" postinst 9.9.9-bad > "$W/hook-bad.out" 2>&1; rc=$?
why=
[ $rc = 0 ] || why="exit $rc"
grep -q "tinydump initramfs failed (exit 1) for 9.9.9-bad" "$W/hook-bad.out" &&
	grep -q "missing.conf" "$W/hook-bad.out" || why="$why; the failure and its cause not named"
[ ! -e "$state/initrd-9.9.9-bad.img" ] || why="$why; an image was left"
verdict hook-failure-exits-0 "${why#; }" "$W/hook-bad.out"

why=
hook "$W/absent" postinst 9.9.9-x > "$W/hook-x.out" 2>&1 || why="missing binary: exit $?"
hook "$W/td" postinst ../evil > "$W/hook-v.out" 2>&1 || why="$why; bad version: exit $?"
hook "$W/td" postinst > "$W/hook-n.out" 2>&1 || why="$why; no version: exit $?"
[ -z "$(ls "$state" | grep -v '^initrd-9.9.9-t.img$')" ] || why="$why; made $(ls "$state" | tr '\n' ' ')"
verdict hook-odd-calls-exit-0 "${why#; }"

why=
hook "$W/td" postrm 9.9.9-t > "$W/hook-rm.out" 2>&1 || why="exit $?"
[ ! -e "$img" ] || why="$why; $img still there"
TINYDUMP_STATE=$W/nowhere sh "$root/etc/kernel/postrm.d/tinydump" 9.9.9-t > /dev/null 2>&1 || why="$why; no state dir: exit $?"
verdict hook-postrm "${why#; }" "$W/hook-rm.out"

st() { "$root/usr/sbin/tinydump" initramfs --if-stale --no-detect --conf "$W/hook.conf" --certs "$W/certs" \
	--output "$W/if.img" 2>&1 | head -1; }
why=
a=$(st) b=$(st)
sleep 0.01; touch "$W/hook.conf"; c=$(st)
case $a in "initramfs: building: $W/if.img does not exist") ;; *) why="first: $a" ;; esac
case $b in "initramfs: up to date: "*) ;; *) why="$why; second: $b" ;; esac
case $c in "initramfs: building: $W/hook.conf changed after $W/if.img was built") ;; *) why="$why; after touch: $c" ;; esac
verdict if-stale "${why#; }"
