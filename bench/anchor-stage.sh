#!/bin/bash
# The guest half of bench/anchor.sh, run at boot by journey.service (the
# unit of qemu-tests/journey.service) in a copy of the journey's Debian 12
# image. /var/lib/journey/tool names the dumper: tinydump or kdump-tools.
#   setup   install it as an operator would (dpkg -i the package, or
#           apt-get install kdump-tools from the image's apt cache, offline)
#           and set kernel.panic_on_oops=1; power off
#   crash   after its service loaded the capture kernel, panic
#           (echo c > /proc/sysrq-trigger); the capture kernel's reboot
#           ends QEMU (-no-reboot)
set -u
J=/root/journey
STAGE=/var/lib/journey/stage
exec > /dev/ttyS0 2>&1
mark() { echo "TD-MARK $*"; }
out() {
	local rc
	"$@" > /tmp/anchor.out 2>&1
	rc=$?
	sed 's/^/TD-OUT /' /tmp/anchor.out
	return $rc
}
off() { mark "off $1"; systemctl poweroff; exit 0; }

tool=$(cat /var/lib/journey/tool 2>/dev/null)
stage=$(cat "$STAGE" 2>/dev/null)
mark "boot tool=$tool stage=$stage cmdline=$(cat /proc/cmdline)"
case $stage:$tool in
setup:tinydump)
	echo crash > "$STAGE"
	out dpkg -i "$J"/tinydump_*.deb
	mark "setup-rc $?"
	;;
setup:kdump-tools)
	echo crash > "$STAGE"
	export DEBIAN_FRONTEND=noninteractive
	out apt-get install -y --no-download kdump-tools
	mark "setup-rc $?"
	sed -i 's/^USE_KDUMP=.*/USE_KDUMP=1/' /etc/default/kdump-tools
	grep -q '^USE_KDUMP=1' /etc/default/kdump-tools || echo USE_KDUMP=1 >> /etc/default/kdump-tools
	# Its initramfs is built on the running machine (MODULES=dep) when it
	# first loads; once here, not in every measured boot.
	out kdump-config load
	mark "kdump-load-rc $?"
	out kdump-config show
	ls -l /var/lib/kdump/ | sed 's/^/TD-OUT /'
	kdump-config unload > /dev/null 2>&1
	;;
crash:*)
	mark "loaded $(cat /sys/kernel/kexec_crash_loaded) size=$(cat /sys/kernel/kexec_crash_size)"
	[ "$tool" != kdump-tools ] || out kdump-config show
	if [ "$(cat /sys/kernel/kexec_crash_loaded)" = 1 ]; then
		sync
		mark panic
		echo c > /proc/sysrq-trigger
		sleep 30
	fi
	off not-loaded
	;;
*)
	off "nothing-to-do"
	;;
esac
echo kernel.panic_on_oops=1 > /etc/sysctl.d/90-anchor.conf
sync
off setup
