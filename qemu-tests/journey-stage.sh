#!/bin/bash
# The guest half of qemu-tests/t_journey.sh, run at every boot of the
# Debian image by journey.service. It does the next step of the journey,
# named in /var/lib/journey/stage, and prints what happened on the serial
# console as "TD-MARK WORD ..." lines (and other output with a "TD-OUT"
# prefix), which the host reads. Each step writes the next stage's name
# before it ends the boot, so a boot that dies half-way does not repeat it.
#   install   dpkg -i the tinydump package; power off (the host then boots
#             with the crashkernel= the package documents)
#   crash     panic_on_oops as the operator's guide says, tinydump status
#             (must exit 0), then echo c > /proc/sysrq-trigger
#   back      after the capture kernel's reboot: tinydump list /var/crash,
#             tinydump status, then a second kernel package (the upgrade),
#             whose hook must leave /var/lib/tinydump/initrd-RELEASE.img
set -u
J=/root/journey
STAGE=/var/lib/journey/stage
exec > /dev/ttyS0 2>&1

mark() { echo "TD-MARK $*"; }
# out CMD...: run CMD, its output prefixed; its exit status is returned.
out() {
	local rc
	"$@" > /tmp/journey.out 2>&1
	rc=$?
	sed 's/^/TD-OUT /' /tmp/journey.out
	return $rc
}
next() { echo "$1" > "$STAGE" && sync; }
now() { date -u +%s.%N | cut -c1-14; }
off() {
	mark "off $1 $(now)"
	systemctl poweroff
	exit 0
}

stage=$(cat "$STAGE" 2>/dev/null || echo none)
mark "boot stage=$stage uptime=$(cut -d' ' -f1 /proc/uptime) time=$(now) kernel=$(uname -r) cmdline=$(cat /proc/cmdline)"
case $stage in
install)
	next crash
	out dpkg -i "$J"/tinydump_*.deb
	mark "dpkg-install-rc $?"
	mark "service-enabled $(systemctl is-enabled tinydump.service 2>&1)"
	mark "grub-cfg $(grep -o 'crashkernel=[^ "]*' /etc/default/grub.d/tinydump.cfg | tail -1)"
	off install
	;;
crash)
	next back
	mark "service $(systemctl is-active tinydump.service) $(systemctl show -p ExecMainStatus --value tinydump.service)"
	out journalctl -b -u tinydump.service --no-pager -o cat
	mark "crash-size $(cat /sys/kernel/kexec_crash_size) loaded=$(cat /sys/kernel/kexec_crash_loaded)"
	# docs/OPERATORS.md section 4: an oops then dumps instead of limping on.
	echo kernel.panic_on_oops=1 > /etc/sysctl.d/90-tinydump.conf
	sysctl -q -p /etc/sysctl.d/90-tinydump.conf
	out tinydump status
	rc=$?
	mark "status-rc $rc"
	[ $rc = 0 ] || off "status-failed"
	sync
	mark "panic $(now)"
	echo c > /proc/sysrq-trigger
	sleep 60
	mark "still-alive"
	off crash
	;;
back)
	next upgraded
	out tinydump list /var/crash
	mark "list-rc $?"
	out tinydump status
	mark "status-after-rc $?"
	out dpkg -i "$J"/kernel2.deb
	mark "kernel2-rc $?"
	for f in /var/lib/tinydump/initrd-*.img; do
		mark "capture-initrd $(basename "$f") $(stat -c '%s %a' "$f")"
	done
	off back
	;;
*)
	mark "journey-nothing-to-do $stage"
	off none
	;;
esac
