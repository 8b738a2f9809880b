#!/bin/bash
# bench/run.sh: tinydump against makedumpfile, side by side (issue 3's
# benchmark; `make bench`, not part of `make check`). Writes
# docs/BENCHMARKS.md and docs/bench-time.png from the numbers it measures.
#
#  1. Real inputs: saved /proc/vmcore copies of 1, 2 and 4 GiB guests
#     (qemu-tests/save-vmcore.sh, cached). Per input and level (31, 17):
#     hyperfine (best and mean of $TD_BENCH_RUNS) of `tinydump capture` as
#     it runs by default (compression workers on every online CPU), of
#     `tinydump capture --threads 0` (serial, as in a capture kernel booted
#     with nr_cpus=1) and of `makedumpfile -c -d`; output sizes, peak
#     anonymous memory (bench/memwatch.c, separate runs) and the floors
#     (bench/floor.c: zlib, libdeflate level 1, zstd and lzo on the same kept
#     pages; also libdeflate level 5 and a split of levels 1 and 5). Then
#     the other codecs side by side: makedumpfile -l, -c --num-threads 2
#     and unstable's makedumpfile 1.7.8 -z (scripts/oracle.sh, run by its
#     own loader), tinydump zstd (serial and threaded) and lzo.
#  2. Scan: synthetic, mostly free machines (bench/synth.c) of 1 to 256 GiB,
#     level 31, both tools, plus the page filter alone (build/host/membound).
#  3. perf profiles of serial tinydump and makedumpfile at both levels on
#     the smallest real input, and on one synthetic machine.
#
# Environment (all optional):
#   TD_BENCH_RAMS="1024 2048 4096"   guest sizes (MiB) of the real inputs
#   TD_BENCH_VMCORES="DIR..."        use these save-vmcore.sh directories
#                                    instead of calling save-vmcore.sh
#   TD_BENCH_RUNS=5                  timed runs per command (after 1 warm-up)
#   TD_BENCH_SCAN_GIB="1 4 16 64 256" synthetic machine sizes
#   TD_BENCH_BUDGET=900              seconds from when the inputs are ready;
#                                    later steps are skipped (and reported
#                                    as skipped) past this
#   TD_BENCH_PERF=1                  0 to skip the profiles
#   TD_BENCH_SCAN_PROFILE=16         the synthetic size to profile
# Work files go to build/bench/ (outputs are deleted as it goes; raw
# results stay in build/bench/results/).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
B=$ROOT/build/bench
W=$B/work
R=$B/results
RAMS=${TD_BENCH_RAMS:-1024 2048 4096}
RUNS=${TD_BENCH_RUNS:-5}
SCAN_GIB=${TD_BENCH_SCAN_GIB:-1 4 16 64 256}
SCAN_PROFILE=${TD_BENCH_SCAN_PROFILE:-16}
BUDGET=${TD_BENCH_BUDGET:-900}
TD=$ROOT/build/tinydump
KDINFO=$ROOT/build/host/tool_kdumpinfo
T0=$(date +%s)

log() { printf 'bench: %s\n' "$*" >&2; }
die() { printf 'bench: fatal: %s\n' "$*" >&2; exit 1; }
elapsed() { echo $(( $(date +%s) - T0 )); }
# The budget counts from when the inputs are ready (making the vmcores is
# a one-time cost: save-vmcore.sh caches them).
BT0=$T0
# kv FILE KEY VALUE: append one result.
kv() { printf '%s=%s\n' "$2" "$3" >> "$1"; }
skip() { log "skipped: $*"; echo "$*" >> "$R/skipped.txt"; }
# over_budget SECONDS: would a step of about SECONDS end past the budget?
over_budget() { [ $(( $(date +%s) - BT0 + $1 )) -gt "$BUDGET" ]; }

# Bench helpers: optimised and without sanitizers, unlike build/host/.
build_tools() {
	local warn="-Wall -Wextra -Werror -Wvla -Wshadow -Wstrict-prototypes -Wmissing-prototypes"
	local cc="gcc -std=c11 -D_GNU_SOURCE -O2 -g $warn"
	mkdir -p "$B"
	$cc -I. -o "$B/floor" bench/floor.c capture/deflate.c -lz -ldeflate -lzstd -llzo2
	$cc -o "$B/memwatch" bench/memwatch.c
	$cc -I. -o "$B/synth" bench/synth.c
	make -s build/host/membound >/dev/null
	[ -x "$TD" ] && [ -x "$KDINFO" ] || die "run 'make bench' (needs build/tinydump and $KDINFO)"
}

machine() {
	local f=$R/machine.env
	kv "$f" date "$(date -u '+%Y-%m-%d %H:%M UTC')"
	kv "$f" nproc "$(nproc)"
	kv "$f" cpu "$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)"
	kv "$f" mem_gib "$(awk '/^MemTotal/ { printf "%.1f", $2 / 1048576 }' /proc/meminfo)"
	kv "$f" kernel "$(uname -r)"
	kv "$f" load_start "$(cut -d' ' -f1-3 /proc/loadavg)"
	kv "$f" makedumpfile "$(makedumpfile -v 2>&1 | head -1 | sed 's/^makedumpfile: //')"
	kv "$f" hyperfine "$(hyperfine --version)"
	kv "$f" gcc "$(gcc --version | head -1)"
	kv "$f" tinydump_commit "$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)$(git -C "$ROOT" diff --quiet HEAD 2>/dev/null || echo +changes)"
	kv "$f" runs "$RUNS"
}

# memory PREFIX KVFILE CMD...: one run under memwatch; PREFIX_peak_anon_kb,
# PREFIX_hwm_kb, PREFIX_samples and PREFIX_wall_s into KVFILE.
memory() {
	local p=$1 f=$2 line
	shift 2
	"$B/memwatch" -i 1000 -- "$@" >/dev/null 2>"$W/memwatch.err" || {
		tail -3 "$W/memwatch.err" >&2
		die "$* failed under memwatch"
	}
	line=$(grep '^memwatch:' "$W/memwatch.err" | tail -1)
	for k in peak_anon_kb hwm_kb samples wall_s; do
		kv "$f" "${p}_$k" "$(sed -n "s/.* $k=\([^ ]*\).*/\1/p" <<<"$line")"
	done
}

# The three commands on input V at level L writing OUT: set CMD_td,
# CMD_tds (serial) and CMD_md.
commands() {
	local v=$1 l=$2 tdo=$3 mdo=$4
	CMD_td="$TD capture --input $v --output $tdo --level $l"
	CMD_tds="$TD capture --input $v --output $tdo --level $l --threads 0"
	CMD_md="makedumpfile -c -d $l $v $mdo"
}

# compare NAME RUNS WARMUP TDOUT MDOUT [md]: hyperfine tinydump, serial
# tinydump and (with "md") makedumpfile into $R/NAME.json. Every run
# starts from a deleted output (makedumpfile refuses to overwrite).
compare() {
	local name=$1 runs=$2 warm=$3 tdo=$4 mdo=$5 with_md=${6:-}
	local args=(--prepare "rm -f $tdo" -n tinydump "$CMD_td"
		--prepare "rm -f $tdo" -n tinydump-serial "$CMD_tds")
	[ -n "$with_md" ] && args+=(--prepare "rm -f $mdo" -n makedumpfile "$CMD_md")
	hyperfine -N --style basic --warmup "$warm" --runs "$runs" --export-json "$R/$name.json" \
		"${args[@]}" >"$W/hyperfine.log" 2>&1 || {
		tail -20 "$W/hyperfine.log" >&2
		die "hyperfine failed for $name"
	}
}

# codecs NAME V LEVEL KVFILE: the other codecs side by side, into
# $R/NAME-codecs.json: makedumpfile -l and -c --num-threads 2, tinydump
# serial and threaded with zstd and lzo; their output sizes into KVFILE.
CODECS="md-lzo:makedumpfile -l -d %L %V %O|md-zlib-2threads:makedumpfile -c --num-threads 2 -d %L %V %O"
CODECS="$CODECS|td-zstd-serial:%T capture --input %V --output %O --level %L --compress zstd --threads 0"
CODECS="$CODECS|td-zstd:%T capture --input %V --output %O --level %L --compress zstd"
CODECS="$CODECS|td-lzo-serial:%T capture --input %V --output %O --level %L --compress lzo --threads 0"
CODECS="$CODECS|td-zlib-exact-serial:%T capture --input %V --output %O --level %L --compress zlib-exact --threads 0"
# makedumpfile 1.7.8 (Debian 12's 1.7.2 has no zstd), when it can be had.
MD178=$(scripts/oracle.sh --command makedumpfile 2>/dev/null) && [ -n "$MD178" ] &&
	CODECS="$CODECS|md178-zstd:$MD178 -z -d %L %V %O" || log "no makedumpfile 1.7.8: its -z row is left out"
codecs() {
	local name=$1 v=$2 l=$3 f=$4 o=$W/codec.out args=() list c n cmd
	IFS='|' read -ra list <<<"$CODECS"
	for c in "${list[@]}"; do
		n=${c%%:*} cmd=${c#*:}
		cmd=${cmd//%L/$l}; cmd=${cmd//%V/$v}; cmd=${cmd//%O/$o}; cmd=${cmd//%T/$TD}
		args+=(--prepare "rm -f $o" -n "$n" "$cmd")
		rm -f "$o" && $cmd >/dev/null 2>&1 && kv "$f" "bytes_$n" "$(stat -c %s "$o")"
	done
	hyperfine -N --style basic --warmup 1 --runs "$RUNS" --export-json "$R/$name-codecs.json" \
		"${args[@]}" >"$W/hyperfine.log" 2>&1 || { tail -20 "$W/hyperfine.log" >&2; skip "codecs of $name: hyperfine failed"; }
	rm -f "$o"
}

# memory_all KVFILE TDOUT MDOUT [md]: one memwatch run of each command.
memory_all() {
	local f=$1 tdo=$2 mdo=$3 with_md=${4:-}
	rm -f "$tdo" && memory td "$f" $CMD_td
	rm -f "$tdo" && memory tds "$f" $CMD_tds
	[ -z "$with_md" ] || { rm -f "$mdo" && memory md "$f" $CMD_md; }
}

# outputs KVFILE TDOUT MDOUT V LEVEL: sizes, page counts, and whether the
# pages are makedumpfile's: same_pages when makedumpfile, refiltering our
# file at the same level, writes its own file byte for byte (it inflated
# every page); exact_identical when --compress zlib-exact is
# byte-identical to it.
outputs() {
	local f=$1 tdo=$2 mdo=$3 v=$4 l=$5
	kv "$f" td_bytes "$(stat -c %s "$tdo")"
	kv "$f" md_bytes "$(stat -c %s "$mdo")"
	kv "$f" identical "$(cmp -s "$tdo" "$mdo" && echo yes || echo no)"
	rm -f "$W/re.kdump" "$W/exact.kdump"
	makedumpfile -c -d "$l" "$tdo" "$W/re.kdump" > /dev/null 2>&1 || :
	kv "$f" same_pages "$(cmp -s "$W/re.kdump" "$mdo" && echo yes || echo no)"
	"$TD" capture --input "$v" --output "$W/exact.kdump" --level "$l" --compress zlib-exact > /dev/null 2>&1 || :
	kv "$f" exact_identical "$(cmp -s "$W/exact.kdump" "$mdo" && echo yes || echo no)"
	rm -f "$W/re.kdump" "$W/exact.kdump"
	"$KDINFO" "$mdo" > "$W/kdinfo.txt"
	kv "$f" max_mapnr "$(awk '$1 == "max_mapnr" { print $2 }' "$W/kdinfo.txt")"
	kv "$f" kept "$(awk '$1 == "bitmap2_set" { print $2 }' "$W/kdinfo.txt")"
	kv "$f" zero "$(awk '$1 == "zero_desc" { print $2 }' "$W/kdinfo.txt")"
}

# vmcore_dirs: set DIRS to the save-vmcore.sh directories, in RAM order
# (save-vmcore.sh makes them once per kernel and workload, then caches).
DIRS=
vmcore_dirs() {
	local d
	if [ -n "${TD_BENCH_VMCORES:-}" ]; then
		DIRS=$TD_BENCH_VMCORES
		return
	fi
	for ram in $RAMS; do
		d=$(qemu-tests/save-vmcore.sh "$ram") || die "save-vmcore.sh $ram failed"
		DIRS="$DIRS $d"
	done
}

real_one() {
	local dir=$1 level=$2 ram name f v=$1/vmcore tdo=$W/td.kdump mdo=$W/md.kdump
	ram=$(awk '$1 == "ram_mb" { print $2 }' "$dir/info")
	name=real-$ram-$level
	f=$R/$name.kv
	rm -f "$f"
	log "real input: ${ram} MiB, level $level ($(elapsed) s elapsed)"
	kv "$f" ram_mb "$ram"
	kv "$f" level "$level"
	kv "$f" vmcore "$v"
	kv "$f" vmcore_bytes "$(stat -L -c %s "$v")"
	commands "$v" "$level" "$tdo" "$mdo"
	compare "$name" "$RUNS" 1 "$tdo" "$mdo" md
	outputs "$f" "$tdo" "$mdo" "$v" "$level"
	memory_all "$f" "$tdo" "$mdo" md
	"$KDINFO" "$mdo" --pfns --zero-pfns > "$W/pfns.txt"
	"$B/floor" "$v" "$W/pfns.txt" "$RUNS" | tr ' ' '\n' | sed 's/^/floor_/' >> "$f"
	for c in td deflate1 deflate5 split zstd lzo; do
		"$B/floor" "$v" "$W/pfns.txt" "$RUNS" $c | tr ' ' '\n' | sed "s/^/floor_${c}_/" >> "$f"
	done
	rm -f "$tdo" "$mdo"
	codecs "$name" "$v" "$level" "$f"
}

real_inputs() {
	for level in 31 17; do
		for dir in $DIRS; do
			[ -f "$dir/vmcore" ] || die "no vmcore in $dir"
			# Level 17 on the largest input is the longest step.
			if [ "$level" = 17 ] && over_budget 120; then
				skip "real $(basename "$dir") level 17: over the ${BUDGET} s budget"
				continue
			fi
			real_one "$dir" "$level"
		done
	done
}

# feasible GIB: enough disk and memory for a synthetic machine of GIB?
# synth keeps RAM/64 of struct pages in memory and writes as much.
feasible() {
	local gib=$1 need_mb avail_disk avail_mem
	need_mb=$(( gib * 16 + 1024 ))
	avail_disk=$(df -Pm "$W" | awk 'NR == 2 { print $4 }')
	avail_mem=$(awk '/^MemAvailable/ { print int($2 / 1024) }' /proc/meminfo)
	if [ "$avail_disk" -lt $(( 2 * need_mb + 4096 )) ]; then
		skip "scan ${gib} GiB: needs about $(( 2 * need_mb )) MB of disk, $avail_disk MB free"
		return 1
	fi
	if [ "$avail_mem" -lt $(( 2 * need_mb + 2048 )) ]; then
		skip "scan ${gib} GiB: needs about $(( 2 * need_mb )) MB of memory, $avail_mem MB available"
		return 1
	fi
}

# scan_one GIB RUNS: RUNS 0 means one memwatch run per command as the
# only timing (the largest machines).
scan_one() {
	local gib=$1 runs=$2 f=$R/scan-$1.kv s=$W/synth-$1 tdo=$W/td.kdump mdo=$W/md.kdump md=
	rm -f "$f"
	log "scan: ${gib} GiB synthetic machine ($(elapsed) s elapsed)"
	kv "$f" gib "$gib"
	"$B/synth" "$s" "$gib" | tr ' ' '\n' >> "$f"
	kv "$f" disk_bytes $(( $(stat -c %b "$s") * $(stat -c %B "$s") ))
	commands "$s" 31 "$tdo" "$mdo"
	rm -f "$mdo"
	if $CMD_md >"$W/md.log" 2>&1; then
		md=md
		kv "$f" md_status ok
	else
		kv "$f" md_status "failed: $(tr '\r' '\n' < "$W/md.log" |
			grep -vE '^[[:space:]]*$|\[ *[0-9.]+ %\]' | head -3 | tr '\n' ' ')"
	fi
	kv "$f" runs "$runs"
	[ "$runs" -gt 0 ] && compare "scan-$gib" "$runs" 1 "$tdo" "$mdo" $md
	memory_all "$f" "$tdo" "$mdo" $md
	if [ -n "$md" ]; then
		outputs "$f" "$tdo" "$mdo" "$s" 31
	else
		kv "$f" td_bytes "$(stat -c %s "$tdo")"
	fi
	"$ROOT/build/host/membound" "$s" 31 | tr ' ' '\n' | sed 's/^/filter_/' >> "$f"
	if [ "$gib" = "$SCAN_PROFILE" ] && [ "${TD_BENCH_PERF:-1}" = 1 ] && command -v perf >/dev/null; then
		profile_one tinydump "scan$gib" "$tdo" "$ROOT/build/tinydump.debug" capture --threads 0 \
			--input "$s" --output "$tdo" --level 31 || :
		[ -z "$md" ] || profile_one makedumpfile "scan$gib" "$mdo" $CMD_md || :
	fi
	rm -f "$s" "$tdo" "$mdo"
}

scan() {
	local runs est
	for gib in $SCAN_GIB; do
		# A run takes about 0.15 s per GiB per command and making the
		# file about 0.2 s per GiB: above 4 GiB, fewer runs; above
		# 64 GiB, only the memory runs.
		runs=$RUNS
		[ "$gib" -gt 4 ] && runs=3
		[ "$gib" -gt 64 ] && runs=0
		est=$(( gib * (3 * (runs + 2) * 15 + 30) / 100 + 5 ))
		if over_budget "$est"; then
			skip "scan ${gib} GiB: about $est s, over the ${BUDGET} s budget"
			continue
		fi
		feasible "$gib" || continue
		scan_one "$gib" "$runs"
	done
}

# profile_one TOOL LEVEL OUT CMD...: perf's top 15 symbols (self time) of
# one run into $R/perf-TOOL-LEVEL.txt.
profile_one() {
	local tool=$1 level=$2 out=$3
	shift 3
	rm -f "$out"
	if ! perf record -q -F 2000 -o "$W/perf.data" "$@" >/dev/null 2>"$W/perf.err"; then
		skip "profile: perf record failed: $(tail -1 "$W/perf.err")"
		return 1
	fi
	perf report -i "$W/perf.data" --stdio --no-children --sort dso,symbol -q \
		>"$W/perf.txt" 2>/dev/null || :
	grep -v '^$' "$W/perf.txt" | sed -E 's/( +-)+ *$//' | head -15 > "$R/perf-$tool-$level.txt" || :
	perf report -i "$W/perf.data" --stdio --no-children --sort dso -q >"$W/perf.txt" 2>/dev/null || :
	grep -v '^$' "$W/perf.txt" | sed -E 's/( +-)+ *$//' | head -5 > "$R/perf-$tool-$level.dso" || :
	rm -f "$out" "$W/perf.data"
}

# profile: serial tinydump (as in an nr_cpus=1 capture kernel) and
# makedumpfile at both levels on the smallest real input
# (build/tinydump.debug is build/tinydump with its symbols).
profile() {
	local dir v o=$W/prof.kdump
	[ "${TD_BENCH_PERF:-1}" = 1 ] || return 0
	command -v perf >/dev/null || { skip "profile: no perf"; return 0; }
	dir=${DIRS%% *} v=$dir/vmcore
	for level in 31 17; do
		profile_one tinydump "$level" "$o" "$ROOT/build/tinydump.debug" capture --threads 0 \
			--input "$v" --output "$o" --level "$level" || return 0
		profile_one makedumpfile "$level" "$o" makedumpfile -c -d "$level" "$v" "$o" || return 0
	done
	kv "$R/perf.env" input "$(basename "$dir")"
}

main() {
	rm -rf "$R" "$W"
	mkdir -p "$R" "$W"
	build_tools
	vmcore_dirs
	DIRS=${DIRS# }
	BT0=$(date +%s)
	machine
	kv "$R/machine.env" input_seconds "$(elapsed)"
	real_inputs
	scan
	profile
	kv "$R/machine.env" load_end "$(cut -d' ' -f1-3 /proc/loadavg)"
	kv "$R/machine.env" bench_seconds "$(elapsed)"
	/usr/bin/python3 bench/report.py "$R" docs/BENCHMARKS.md docs/bench-time.png
	log "done in $(elapsed) s: docs/BENCHMARKS.md"
}

main "$@"
