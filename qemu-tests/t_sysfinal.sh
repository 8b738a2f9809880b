#!/bin/bash
# PID 1's ending (init/sys.c td_sys_final) in the test kernel:
#   poweroff  logs "powering off" and the kernel powers the VM down
#   noshell   "shell" without /bin/sh logs that and halts; the VM stays
#             halted (QEMU is killed after the halt is seen)
set -eu
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
. "$here/netlib.sh"
T=t_sysfinal
W=$(mktemp -d /tmp/t_sysfinal.XXXXXX)
[ -n "${TD_KEEP:-}" ] && echo "    keeping $W" || trap 'rm -rf "$W"' EXIT

td_kernel
TD_NET_INITRD=$W/sys.cpio.gz
td_systool_initramfs "$TD_NET_INITRD"

log=$W/poweroff.log
td_qemu_net "$log" 60 none "final poweroff"
if grep -aq '^tinydump: powering off' "$log" && grep -aq 'reboot: Power down' "$log"; then
	td_ok $T.poweroff
else
	td_fail $T.poweroff "no 'powering off' line or no kernel power-down" "$log"
fi

log=$W/noshell.log
td_qemu_net "$log" 12 none "final shell"
if grep -aq '^tinydump: no shell in this initramfs; halting' "$log" &&
	grep -aq 'reboot: System halted' "$log"; then
	td_ok $T.noshell
else
	td_fail $T.noshell "no 'no shell ... halting' line or no kernel halt" "$log"
fi
