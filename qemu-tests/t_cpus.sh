#!/bin/bash
# tinydump.cpus=2 end to end: on a 2-CPU QEMU machine (TCG), `tinydump load`
# gives the capture kernel nr_cpus=2, both CPUs come up, PID 1 compresses on
# 2 threads and the dump lands. Prints the dump's seconds beside those of a
# run with the default (one CPU), and the capture kernel's MemTotal, as
# measurements (the machine is shared: they are not pass/fail).
set -eu
. "$(dirname "$0")/lib.sh"
T=cpus
W=$(mktemp -d /tmp/td-cpus.XXXXXX)
trap 'rm -rf "$W"' EXIT

# run NAME APPEND: one crash-and-capture cycle on 2 CPUs, level 17 (the
# workload's user pages give compression something to do).
run() {
	mkdir -p "$W/$1"
	TD_SMP=2 TD_CRASHKERNEL=${TD_CRASHKERNEL:-64M} td_crash_run "$W/$1" 1024 "tinydump.level=17 $2"
	grep -o 'dump complete: [^(]*([0-9]* bytes, [0-9.]* s)' "$W/$1/console.log" | head -1 || :
}

one=$(run one "")
two=$(run two "tinydump.cpus=2")
log=$W/two/console.log
if grep -q 'Kernel command line:.*elfcorehdr=.*nr_cpus=2' "$log" ||
   grep -q 'Kernel command line:.*nr_cpus=2.*elfcorehdr=' "$log"; then
	td_ok $T/load-gives-nr_cpus-2
else
	td_fail $T/load-gives-nr_cpus-2 "no nr_cpus=2 on the capture kernel's command line" "$log"
fi
if grep -q 'compressing on 2 threads (tinydump.cpus=2)' "$log"; then
	td_ok $T/pid1-compresses-on-2-threads
else
	td_fail $T/pid1-compresses-on-2-threads "no 'compressing on 2 threads' line" "$log"
fi
if [ -n "$two" ] && [ -n "$one" ]; then
	td_ok $T/dump-lands-with-1-and-2-cpus
else
	td_fail $T/dump-lands-with-1-and-2-cpus "no 'dump complete' line (1 CPU: '${one}', 2 CPUs: '${two}')" "$log"
fi
mem() { grep -o 'Memory: [0-9]*K/[0-9]*K available' "$1" | tail -1; }
echo "    # 1 CPU: ${one:-none}; $(mem "$W/one/console.log")"
echo "    # 2 CPUs: ${two:-none}; $(mem "$log")"
