#!/bin/bash
# fuzz/run.sh smoke|long [TARGET...]
# libFuzzer targets (clang-14, -fsanitize=fuzzer,address,undefined) over the
# pure sources (`make print-pure`). smoke: ~20 s per target (11 targets) (tests/run.sh calls
# this); long: 10 min per target (make fuzz). One target runs at a time.
# Prints "ok fuzz/T (N execs in S s, ...)", "FAIL fuzz/T: CRASH-FILE", or
# "skip fuzz/T: why". FUZZ_SECS overrides the time per target.
# Builds go to build/fuzz/; the corpus that grows is build/fuzz/corpus/T,
# seeded from fuzz/corpus/T (checked in) and build/fuzz/seeds/T (made by
# fuzz/mkseeds.c). Reproduce a crash: build/fuzz/T CRASH-FILE
set -u
cd "$(dirname "$0")/.."
mode=${1:-smoke}
shift || :
case $mode in
smoke) secs=20 ;;
long) secs=600 ;;
*) echo "usage: fuzz/run.sh smoke|long [TARGET...]" >&2; exit 2 ;;
esac
secs=${FUZZ_SECS:-$secs}
all="fuzz_elf fuzz_vmcoreinfo fuzz_kdump fuzz_dmesg fuzz_flat fuzz_filter fuzz_dhcp fuzz_proto fuzz_crashsig fuzz_deflate
	fuzz_config fuzz_blkid"
targets=${*:-$all}
B=build/fuzz
CC=${FUZZ_CC:-clang-14}
CFLAGS="-std=c11 -D_GNU_SOURCE -g -O1 -fno-omit-frame-pointer -I.
	-fsanitize=address,undefined -fno-sanitize-recover=all"

skip_all() {
	for t in $targets; do echo "skip fuzz/$t: $1"; done
	exit 0
}

command -v "$CC" >/dev/null || skip_all "$CC not found (apt-get install clang-14 libclang-rt-14-dev)"
mkdir -p "$B/obj" "$B/corpus" "$B/seeds"
printf 'int LLVMFuzzerTestOneInput(const unsigned char *d, unsigned long n);\nint LLVMFuzzerTestOneInput(const unsigned char *d, unsigned long n) { (void)d; (void)n; return 0; }\n' > "$B/probe.c"
"$CC" -fsanitize=fuzzer "$B/probe.c" -o "$B/probe" 2> "$B/probe.log" ||
	skip_all "$CC cannot link libFuzzer (libclang-rt-14-dev missing?)"

# Objects of every source but main.c, rebuilt when it or any header is
# newer, in one archive: a target links what it uses.
objs=()
for src in $(make -s print-lib); do
	o=$B/obj/${src%.c}.o
	mkdir -p "$(dirname "$o")"
	if [ ! -f "$o" ] || [ -n "$(find "$src" os/*.h capture/*.h init/*.h net/*.h -newer "$o" 2>/dev/null | head -1)" ]; then
		# shellcheck disable=SC2086
		"$CC" $CFLAGS -fsanitize=fuzzer-no-link -c "$src" -o "$o" 2>> "$B/build.log" ||
			skip_all "$src does not compile with $CC (see $B/build.log)"
	fi
	objs+=("$o")
done
rm -f "$B/libtd.a" && ar rcs "$B/libtd.a" "${objs[@]}"
if [ ! -x "$B/mkseeds" ] || [ -n "$(find fuzz/mkseeds.c tests/vmgen.c tests/vmgen_page.c capture/flat.c -newer "$B/mkseeds" | head -1)" ]; then
	gcc -std=c11 -D_GNU_SOURCE -O1 -I. -o "$B/mkseeds" fuzz/mkseeds.c tests/vmgen.c \
		capture/flat.c capture/io.c os/err.c -lz 2>> "$B/build.log" ||
		skip_all "fuzz/mkseeds.c does not build (see $B/build.log)"
fi
rm -rf "$B/seeds" && "$B/mkseeds" "$B/seeds" || skip_all "mkseeds failed"

for t in $targets; do
	if [ ! -f "fuzz/$t.c" ]; then
		echo "FAIL fuzz/$t: no fuzz/$t.c"
		continue
	fi
	# shellcheck disable=SC2086
	if ! "$CC" $CFLAGS -fsanitize=fuzzer "fuzz/$t.c" "$B/libtd.a" -lz -lbearssl -lzstd -llzo2 -o "$B/$t" 2>> "$B/build.log"; then
		echo "FAIL fuzz/$t: does not build (see $B/build.log)"
		continue
	fi
	mkdir -p "$B/corpus/$t"
	dirs=("$B/corpus/$t")
	for d in "fuzz/corpus/$t" "$B/seeds/$t"; do
		[ -d "$d" ] && dirs+=("$d")
	done
	rm -f "$B/$t".crash-* 2>/dev/null
	"$B/$t" -max_total_time="$secs" -timeout=20 -rss_limit_mb=2048 -max_len=65536 \
		-print_final_stats=1 -artifact_prefix="$B/$t." "${dirs[@]}" > "$B/$t.log" 2>&1
	rc=$?
	crash=$(ls -t "$B/$t".crash-* "$B/$t".leak-* "$B/$t".timeout-* "$B/$t".oom-* 2>/dev/null | head -1)
	stats=$(awk '/stat::number_of_executed_units/ { x = $2 } /stat::peak_rss_mb/ { r = $2 }
		END { if (x != "") printf " (%d execs in %d s, peak %s MB", x, '"$secs"', r }' "$B/$t.log")
	[ -n "$stats" ] && stats="$stats, corpus $(ls "$B/corpus/$t" | wc -l) files)"
	if [ $rc -eq 0 ] && [ -z "$crash" ]; then
		echo "ok fuzz/$t$stats"
	else
		echo "FAIL fuzz/$t: ${crash:-exit status $rc, see $B/$t.log}$stats"
		grep -m1 -A8 'ERROR:\|runtime error' "$B/$t.log" | sed 's/^/    /'
	fi
done
exit 0
