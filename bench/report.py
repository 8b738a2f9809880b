"""Write docs/BENCHMARKS.md and its plot from bench/run.sh's results.

    bench/report.py RESULTS_DIR OUT.md OUT.png

RESULTS_DIR holds: machine.env; real-RAM-LEVEL.{json,kv} (hyperfine JSON
and key=value results of one real input at one level); scan-GIB.{json,kv};
perf-TOOL-LEVEL.{txt,dso} and perf.env; skipped.txt. Every number in the
page comes from there; the verdicts on the targets are computed.
Commands: "tinydump" (default: compression workers on every online CPU),
"tinydump-serial" (--threads 0) and "makedumpfile"; their key prefixes in
the .kv files are td, tds and md.
"""
import glob
import json
import os
import subprocess
import sys

TARGET_TIME = 0.5      # tinydump at most half of makedumpfile's wall time
TARGET_FLOOR = 1.15    # level 17: within 15 % of the zlib floor
# Issue 10's goals, one CPU, against makedumpfile -c: (what, level, command,
# time ratio, size ratio or None).
GOALS = (("zlib format, serial", 31, "tinydump-serial", 0.50, 1.00),
         ("zlib format, serial", 17, "tinydump-serial", 0.35, None),
         ("zstd, serial", 31, "td-zstd-serial", 0.30, 0.90))
TD, TDS, MD = "tinydump", "tinydump-serial", "makedumpfile"
PREFIX = {TD: "td", TDS: "tds", MD: "md"}


def read_kv(path):
    d = {}
    if os.path.exists(path):
        with open(path) as f:
            for line in f:
                if "=" in line:
                    k, v = line.rstrip("\n").split("=", 1)
                    d[k] = v
    return d


def num(d, k):
    try:
        return float(d[k])
    except (KeyError, ValueError):
        return None


def hyperfine(path):
    """{command: {min, mean, stddev, cpu, runs}} from a hyperfine export."""
    out = {}
    if os.path.exists(path):
        with open(path) as f:
            for r in json.load(f)["results"]:
                out[r["command"]] = {"min": r["min"], "mean": r["mean"], "stddev": r["stddev"] or 0.0,
                                     "cpu": r["user"] + r["system"], "runs": len(r["times"])}
    return out


def t(d, cmd, k="min"):
    """Best (or k) time of cmd; without hyperfine runs, the memwatch run."""
    if cmd in d["hf"]:
        return d["hf"][cmd][k]
    return num(d, PREFIX[cmd] + "_wall_s") if k in ("min", "mean") else None


def mb(b):
    return "–" if b is None else "%.1f MB" % (b / 1e6)


def kib(k):
    return "–" if k is None else ("%.1f MiB" % (k / 1024) if k >= 1024 else "%d KiB" % k)


def secs(x):
    return "–" if x is None else ("%.2f s" % x if x < 100 else "%.0f s" % x)


def ratio(a, b):
    return None if a is None or not b else a / b


def fr(r):
    return "–" if r is None else "%.2f" % r


def gib(d):
    return int(d["ram_mb"]) // 1024


def load(res):
    real, scan = [], []
    for p in glob.glob(os.path.join(res, "real-*.kv")):
        d = read_kv(p)
        d["hf"] = hyperfine(p[:-3] + ".json")
        real.append(d)
    for p in glob.glob(os.path.join(res, "scan-*.kv")):
        d = read_kv(p)
        d["hf"] = hyperfine(p[:-3] + ".json")
        scan.append(d)
    real.sort(key=lambda d: (-int(d["level"]), int(d["ram_mb"])))
    scan.sort(key=lambda d: int(d["gib"]))
    return real, scan


def cell(d, cmd):
    if t(d, cmd) is None:
        return "–"
    return "%s (%s ± %.2f)" % (secs(t(d, cmd)), secs(t(d, cmd, "mean")), t(d, cmd, "stddev") or 0)


def real_tables(real, level):
    rows = [d for d in real if d["level"] == str(level)]
    if not rows:
        return ["(no results at level %d)" % level, ""]
    out = ["Wall time, best of the runs (mean ± standard deviation):", "",
           "| input | vmcore | pages kept (zero) | tinydump | tinydump serial | makedumpfile "
           "| **td / md** | serial / md | CPU (user+sys) td / serial / md |",
           "|---|---|---|---|---|---|---|---|---|"]
    for d in rows:
        out.append("| %d GiB guest | %s | %d (%d) | %s | %s | %s | **%s** | %s | %s / %s / %s |" % (
            gib(d), mb(int(d["vmcore_bytes"])), int(d["kept"]), int(d["zero"]),
            cell(d, TD), cell(d, TDS), cell(d, MD), fr(ratio(t(d, TD), t(d, MD))),
            fr(ratio(t(d, TDS), t(d, MD))), secs(t(d, TD, "cpu")), secs(t(d, TDS, "cpu")),
            secs(t(d, MD, "cpu"))))
    out += ["", "The zlib floor (compressing exactly the kept, non-zero pages; see Method):", "",
            "| input | pages compressed | of which deflate cannot shrink | floor (best) "
            "| td / floor | serial / floor | md / floor | floor CPU | CPU serial / floor | CPU md / floor |",
            "|---|---|---|---|---|---|---|---|---|---|"]
    for d in rows:
        fl, flc = num(d, "floor_best_s"), num(d, "floor_best_cpu_s")
        out.append("| %d GiB guest | %s | %s | %s | %s | %s | %s | %s | %s | %s |" % (
            gib(d), d.get("floor_pages", "–"), d.get("floor_raw", "–"), secs(fl),
            fr(ratio(t(d, TD), fl)), fr(ratio(t(d, TDS), fl)), fr(ratio(t(d, MD), fl)), secs(flc),
            fr(ratio(t(d, TDS, "cpu"), flc)), fr(ratio(t(d, MD, "cpu"), flc))))
    out += ["", "(The CPU columns divide each command's mean CPU time by the floor's best CPU time; on a "
            "busy machine they are steadier than wall time.)"]
    out += ["", "Output and memory:", "",
            "| input | output td | output md | size td / md | same pages | zlib-exact byte-identical "
            "| peak anon td / serial / md | max RSS td / serial / md |",
            "|---|---|---|---|---|---|---|---|"]
    for d in rows:
        out.append("| %d GiB guest | %s | %s | %.4f | %s | %s | %s / %s / %s | %s / %s / %s |" % (
            gib(d), mb(int(d["td_bytes"])), mb(int(d["md_bytes"])),
            int(d["td_bytes"]) / int(d["md_bytes"]), d.get("same_pages", "–"), d.get("exact_identical", "–"),
            kib(num(d, "td_peak_anon_kb")), kib(num(d, "tds_peak_anon_kb")), kib(num(d, "md_peak_anon_kb")),
            kib(num(d, "td_hwm_kb")), kib(num(d, "tds_hwm_kb")), kib(num(d, "md_hwm_kb"))))
    return out + [""]


CODEC_ROWS = (("md-lzo", "makedumpfile -l"), ("md-zlib-2threads", "makedumpfile -c --num-threads 2"),
              ("td-zstd-serial", "tinydump zstd, serial"), ("td-zstd", "tinydump zstd, threaded"),
              ("td-lzo-serial", "tinydump lzo, serial"), ("td-zlib-exact-serial", "tinydump zlib-exact, serial"),
              ("md178-zstd", "makedumpfile 1.7.8 -z"))


def codec_tables(res, real, level):
    """The other codecs and makedumpfile's threads, against makedumpfile -c,
    and the floors of zlib, libdeflate, zstd and lzo on the same pages."""
    rows = [d for d in real if d["level"] == str(level)]
    out = []
    for d in rows:
        hf = hyperfine(os.path.join(res, "real-%s-%s-codecs.json" % (d["ram_mb"], d["level"])))
        if not hf:
            continue
        md_t, md_b = t(d, MD), num(d, "md_bytes")
        out += ["%s GiB, level %s: against makedumpfile -c (%s, %s)" % (gib(d), level, secs(md_t), mb(md_b)), "",
                "| command | best (mean) | time / md -c | output | size / md -c |", "|---|---|---|---|---|"]
        for key, what in CODEC_ROWS:
            if key in hf:
                b = num(d, "bytes_" + key)
                out.append("| %s | %s (%s) | %s | %s | %s |" % (what, secs(hf[key]["min"]), secs(hf[key]["mean"]),
                                                             fr(ratio(hf[key]["min"], md_t)), mb(b), fr(ratio(b, md_b))))
        out += ["", "| floor (same kept pages) | best | CPU | output |", "|---|---|---|---|"]
        for c, what in (("", "zlib level 1"), ("td_", "tinydump's deflate (the default zlib codec)"),
                        ("deflate1_", "libdeflate level 1"),
                        ("deflate5_", "libdeflate level 5"),
                        ("split_", "libdeflate split (level 5 on pages with 128+ zero words, else 1)"),
                        ("zstd_", "zstd level 1"), ("lzo_", "lzo1x_1")):
            if num(d, "floor_%sbest_s" % c) is not None:
                out.append("| %s | %s | %s | %s |" % (what, secs(num(d, "floor_%sbest_s" % c)),
                                                       secs(num(d, "floor_%sbest_cpu_s" % c)),
                                                       mb(num(d, "floor_%sout_bytes" % c))))
        out.append("")
    return out


def scan_table(scan):
    if not scan:
        return ["(no scan results)", ""]
    out = ["| RAM | max_pfn | struct pages (RAM) | free | kept (zero) | runs | tinydump | tinydump serial "
           "| makedumpfile | td / md | max_pfn/s td | struct pages/s td | filter alone | filter struct pages/s "
           "| output td / md | peak anon td / serial / md |",
           "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|"]
    for d in scan:
        td, md = t(d, TD), t(d, MD)
        maxpfn, ram = int(d["max_pfn"]), int(d["ram_pfns"])
        filt = num(d, "filter_pass2_s")
        runs = int(d.get("runs", "0"))
        out.append("| %s GiB | %d | %d | %d | %s | %s | %s | %s | %s | %s | %.2f M | %.2f M | %s | %s | %s / %s | %s / %s / %s |" % (
            d["gib"], maxpfn, ram, int(d["free_pfns"]),
            "%s (%s)" % (d["kept"], d["zero"]) if "kept" in d else "–",
            "best of %d" % runs if runs else "1 (memwatch)",
            secs(td), secs(t(d, TDS)), secs(md) if md is not None else "failed",
            fr(ratio(td, md)), maxpfn / td / 1e6, ram / td / 1e6,
            secs(filt), "%.1f M" % (ram / filt / 1e6) if filt else "–",
            mb(int(d["td_bytes"])), mb(int(d["md_bytes"])) if "md_bytes" in d else "–",
            kib(num(d, "td_peak_anon_kb")), kib(num(d, "tds_peak_anon_kb")), kib(num(d, "md_peak_anon_kb"))))
    for d in scan:
        if d.get("md_status", "ok") != "ok":
            out += ["", "makedumpfile on the %s GiB machine: %s" % (d["gib"], d["md_status"])]
    return out + [""]


def per_input(rows, f):
    return ", ".join("%d GiB %s" % (gib(d), f(d)) for d in rows)


def goal_verdicts(res, real):
    """Issue 10's one-CPU goals, per input, from the same runs."""
    out = []
    for what, level, cmd, tgoal, sgoal in GOALS:
        rs = []
        for d in real:
            if d["level"] != str(level) or not t(d, MD):
                continue
            if cmd == TDS:
                tm, b = t(d, TDS), num(d, "td_bytes")
            else:
                hf = hyperfine(os.path.join(res, "real-%s-%s-codecs.json" % (d["ram_mb"], d["level"])))
                tm, b = (hf[cmd]["min"], num(d, "bytes_" + cmd)) if cmd in hf else (None, None)
            if tm is not None:
                rs.append((d, tm / t(d, MD), b / num(d, "md_bytes") if b else None))
        if not rs:
            continue
        met = all(r <= tgoal and (sgoal is None or (sz is not None and sz <= sgoal)) for _, r, sz in rs)
        out.append("- **Goal, level %d, %s: %s.** Time ≤ %.2f × makedumpfile -c%s; measured %s." % (
            level, what, "met" if met else "not met", tgoal,
            ", size ≤ %.2f ×" % sgoal if sgoal else "",
            ", ".join("%d GiB %.2f%s" % (gib(d), r, " (size %.3f)" % sz if sz is not None else "")
                      for d, r, sz in rs)))
    return out


def verdicts(real):
    """Lines on the issue's targets, computed from the numbers."""
    out = []
    timed = [d for d in real if t(d, TD) and t(d, MD)]
    for level in (31, 17):
        rows = [d for d in timed if d["level"] == str(level)]
        if not rows:
            continue
        for cmd, what in ((TD, "tinydump as it runs by default (workers on every CPU)"),
                          (TDS, "serial tinydump (one CPU, as in the capture kernel)")):
            rs = [t(d, cmd) / t(d, MD) for d in rows]
            out.append("- **Time, level %d, %s: %s.** Target ≤ %.2f of makedumpfile's wall time; "
                       "measured %s (in CPU time: %s)." % (
                           level, what, "met" if all(r <= TARGET_TIME for r in rs) else "not met", TARGET_TIME,
                           per_input(rows, lambda d: "%.2f" % (t(d, cmd) / t(d, MD))),
                           per_input(rows, lambda d: fr(ratio(t(d, cmd, "cpu"), t(d, MD, "cpu"))))))
        fl = [d for d in rows if num(d, "floor_best_s")]
        if fl:
            share = [num(d, "floor_best_s") / t(d, MD) for d in fl]
            out.append("  - The zlib floor alone (zlib level 1 on the kept pages, one CPU) is %s of makedumpfile's "
                       "time; tinydump's own deflate on the same pages, %s.%s" % (
                per_input(fl, lambda d: "%.0f %%" % (100 * num(d, "floor_best_s") / t(d, MD))),
                per_input(fl, lambda d: "%.0f %%" % (100 * num(d, "floor_td_best_s") / t(d, MD))
                          if num(d, "floor_td_best_s") else "–"),
                " Where the zlib floor is over 50 %, one CPU running zlib on the same pages cannot reach "
                "the target: that is why the default zlib codec is tinydump's own deflate."
                if any(s > TARGET_TIME for s in share) else ""))
    rows = [d for d in real if "td_bytes" in d]
    if rows:
        big = [d for d in rows if int(d["td_bytes"]) > int(d["md_bytes"])]
        same = all(d["td_bytes"] == d["md_bytes"] for d in rows)
        detail = ("every output is the same size as makedumpfile's, and %d of %d are byte-identical" % (
            sum(d["identical"] == "yes" for d in rows), len(rows)) if same else
            "larger on %s" % ", ".join("%d GiB level %s" % (gib(d), d["level"]) for d in big) if big else
            "never larger (%s)" % per_input(rows, lambda d: "L%s %.3f" % (d.get("level", "31"),
                                                                          int(d["td_bytes"]) / int(d["md_bytes"]))))
        sp = [d for d in rows if "same_pages" in d]
        if sp:
            detail += ("; makedumpfile, refiltering each of our files at its level, writes its own file byte "
                       "for byte in %d of %d (the same pages, which it inflated); --compress zlib-exact is "
                       "byte-identical to makedumpfile -c in %d of %d" % (
                           sum(d["same_pages"] == "yes" for d in sp), len(sp),
                           sum(d.get("exact_identical") == "yes" for d in sp), len(sp)))
        out.append("- **Output size: %s.** Target: no larger than makedumpfile's; %s." % (
            "met" if not big else "not met", detail))
    rows = [d for d in timed if d["level"] == "17" and num(d, "floor_best_s")]
    if rows:
        for cmd, what in ((TD, "default"), (TDS, "serial")):
            rs = [t(d, cmd) / num(d, "floor_best_s") for d in rows]
            out.append("- **Level 17 against the floor, %s: %s.** Target ≤ %.2f × the floor; measured %s "
                       "(in CPU time: %s).%s" % (
                what, "met" if all(r <= TARGET_FLOOR for r in rs) else "not met", TARGET_FLOOR,
                per_input(rows, lambda d: "%.2f" % (t(d, cmd) / num(d, "floor_best_s"))),
                per_input(rows, lambda d: fr(ratio(t(d, cmd, "cpu"), num(d, "floor_best_cpu_s")))),
                " Below 1 means faster than zlib deflating every kept page: tinydump's own deflate "
                "(capture/deflate.c) is faster than zlib's, and by default it deflates on several CPUs."
                if any(r < 1 for r in rs) else ""))
    return out


def gnuplot_data(res, real, scan):
    path = os.path.join(res, "plot.dat")
    nan = lambda x: "NaN" if x is None else "%g" % x
    with open(path, "w") as f:
        for level in (31, 17):
            f.write("# level %d: ram_gib tinydump serial makedumpfile floor\n" % level)
            for d in [d for d in real if d["level"] == str(level)]:
                f.write("%g %s %s %s %s\n" % (int(d["ram_mb"]) / 1024, nan(t(d, TD)), nan(t(d, TDS)),
                                              nan(t(d, MD)), nan(num(d, "floor_best_s"))))
            f.write("\n\n")
        f.write("# scan: gib tinydump serial makedumpfile filter\n")
        for d in scan:
            f.write("%s %s %s %s %s\n" % (d["gib"], nan(t(d, TD)), nan(t(d, TDS)), nan(t(d, MD)),
                                          nan(num(d, "filter_pass2_s"))))
    return path


PLOT = """
set key below height 1
set bmargin 10
set grid
set ylabel "seconds (best)"
set xlabel "guest RAM (GiB)"
set multiplot layout {layout}
set title "real vmcores"
set xrange [0.5:4.5]
set yrange [0:*]
set xtics (1, 2, 4)
plot "{d}" index 0 using 1:2 with linespoints lw 2 pt 7 lc 1 title "tinydump, level 31", \\
     "{d}" index 0 using 1:3 with linespoints lw 1 pt 6 lc 1 title "tinydump serial, 31", \\
     "{d}" index 0 using 1:4 with linespoints lw 2 pt 5 lc 2 title "makedumpfile, 31", \\
     "{d}" index 1 using 1:2 with linespoints lw 2 pt 7 lc 3 title "tinydump, level 17", \\
     "{d}" index 1 using 1:3 with linespoints lw 1 pt 6 lc 3 title "tinydump serial, 17", \\
     "{d}" index 1 using 1:4 with linespoints lw 2 pt 5 lc 4 title "makedumpfile, 17", \\
     "{d}" index 1 using 1:5 with linespoints lw 1 pt 1 lc 7 dt 2 title "zlib floor, 17"
set title "synthetic mostly free machines, level 31 (log-log)"
set logscale xy 2
set autoscale xy
set xtics auto
set format y "%g"
plot "{d}" index 2 using 1:2 with linespoints lw 2 pt 7 lc 1 title "tinydump", \\
     "{d}" index 2 using 1:3 with linespoints lw 1 pt 6 lc 1 title "tinydump serial", \\
     "{d}" index 2 using 1:4 with linespoints lw 2 pt 5 lc 2 title "makedumpfile", \\
     "{d}" index 2 using 1:5 with linespoints lw 1 pt 1 lc 7 dt 2 title "page filter alone"
unset multiplot
"""


def plot(res, real, scan, png):
    dat = gnuplot_data(res, real, scan)
    try:
        subprocess.run(["gnuplot"], input='set terminal pngcairo size 1400,640\nset output "%s"\n%s' % (
            png, PLOT.format(d=dat, layout="1,2")), text=True, check=True, capture_output=True)
        ascii_ = subprocess.run(["gnuplot"], input="set terminal dumb size 110,60\nset key off\n" +
                                PLOT.format(d=dat, layout="2,1"), text=True, check=True,
                                capture_output=True).stdout
    except (OSError, subprocess.CalledProcessError) as e:
        return False, "(no plot: gnuplot failed: %s)" % e
    return True, ascii_


def perf_section(res):
    env = read_kv(os.path.join(res, "perf.env"))
    out = []
    scans = sorted(set(os.path.basename(p)[len("perf-%s-scan" % TD):-4]
                       for p in glob.glob(os.path.join(res, "perf-%s-scan*.txt" % TD))))
    runs = [(str(l), "level %d, on `%s`" % (l, env.get("input", "?"))) for l in (31, 17)]
    runs += [("scan" + g, "level 31, on the %s GiB synthetic machine" % g) for g in scans]
    for key, what in runs:
        for tool, how in ((TD, "tinydump --threads 0"), (MD, "makedumpfile")):
            p = os.path.join(res, "perf-%s-%s.txt" % (tool, key))
            if not os.path.exists(p):
                continue
            dso = os.path.join(res, "perf-%s-%s.dso" % (tool, key))
            out += ["`%s`, %s (perf record -F 2000, self time; by binary, then the top 15 "
                    "symbols):" % (how, what), "", "```"]
            if os.path.exists(dso):
                out += [l.rstrip() for l in open(dso)] + [""]
            out += [l.rstrip() for l in open(p)] + ["```", ""]
    if out:
        out = ["makedumpfile's libz is Debian's stripped shared library, so its symbols show as "
               "addresses; the by-binary lines give its share.", ""] + out
    return out


def header(m):
    return ["# Benchmarks: tinydump against makedumpfile", "",
            "Generated by `make bench` (bench/run.sh, bench/report.py) on %s from commit %s. "
            "Do not edit: rerun." % (m.get("date"), m.get("tinydump_commit")), "",
            "## Machine", "",
            "- %s, %s CPUs (`nproc`), %s GiB RAM, Linux %s. **A shared 2-core VM:** other engineers' "
            "QEMU guests and builds may run at the same time (load average %s at the start, %s at the "
            "end), so wall times are noisy. The CPU time (user + system) of each command is given too. "
            "tinydump's default run gains from its worker threads only when the other CPU is idle; when a "
            "neighbour holds it, it comes out like the serial run." % (
                m.get("cpu"), m.get("nproc"), m.get("mem_gib"), m.get("kernel"), m.get("load_start"),
                m.get("load_end")),
            "- makedumpfile %s (Debian), %s, %s. The whole run took %s s, of which %s s went to getting "
            "the saved vmcores (made once, then cached)." % (
                m.get("makedumpfile"), m.get("hyperfine"), m.get("gcc"), m.get("bench_seconds"),
                m.get("input_seconds", "?")), ""]


def method(m):
    return ["## Method", "",
            "- **Inputs.** Real: `/proc/vmcore` copies saved from crashed QEMU guests of 1, 2 and 4 GiB "
            "running the test workload (`qemu-tests/save-vmcore.sh`: anonymous, tmpfs, page cache, hugetlb "
            "and free pages). Synthetic: mostly free machines made by `bench/synth.c` (every struct page "
            "initialised, so the vmemmap is read, kept and compressed as on real hardware; free memory in "
            "buddy blocks; a page cache and an anon page every 64 MiB), as sparse files.",
            "- **Commands.** `tinydump capture --input V --output F --level N` as it runs by default "
            "(compression on worker threads, one per online CPU: %s here), the same with `--threads 0` "
            "(serial, as in a capture kernel booted with nr_cpus=1), and `makedumpfile -c -d N V F`. All "
            "three write kdump-compressed files with zlib-format pages: tinydump with its own deflate "
            "(capture/deflate.c, the default `zlib` codec), makedumpfile with zlib's level 1. "
            "`--compress zlib-exact` (zlib's level 1 in tinydump, byte-identical to makedumpfile) is timed "
            "among the other codecs." % m.get("nproc"),
            "- **Time.** `hyperfine -N` runs the three commands on the same file in the same run, 1 warm-up "
            "then %s timed runs each (fewer on large synthetic machines: see the runs column); the output "
            "is deleted before every run. *Best* is the minimum. The vmcore is in the page cache (the "
            "warm-up reads it), so this measures the tools, not the disk." % m.get("runs"),
            "- **Memory.** One more run of each command under `bench/memwatch.c`, which samples `RssAnon` "
            "in `/proc/PID/status` every 1 ms and once more at exit (the command runs under ptrace with "
            "`PTRACE_O_TRACEEXIT`, which stops it before its address space is torn down). *Peak anon* is "
            "the largest sample: heap, stacks, touched BSS, anonymous mmaps, not the file-backed mmap of "
            "the vmcore. A peak shorter than 1 ms that is gone by exit could be missed. *Max RSS* is "
            "`VmHWM` at exit, the number `time -f %M` reports; it includes file-backed pages (vmcore "
            "windows, shared libraries).",
            "- **Floor.** `bench/floor.c` takes the pages that makedumpfile's output says were dumped "
            "(`tool_kdumpinfo --pfns`), minus those sent to the shared zero block (neither tool "
            "compresses them), and copies them from the vmcore into memory. Only then does the clock "
            "start, while one reused zlib stream compresses each page the way makedumpfile does "
            "(level 1, deflateReset per page, zlib wrapper, compressBound output buffer). Best of %s "
            "passes, on one CPU, with no reading, filtering or writing. It links Debian's libz; tinydump "
            "links zlib of the same version built with musl at -O2. The same pages go through the other "
            "floors: tinydump's deflate (capture/deflate.c, without the hopeless-page test or anything "
            "else of the capture run), libdeflate, zstd and lzo." % m.get("runs"),
            "- **Scan.** Level 31 on the synthetic machines. *max_pfn/s* and *struct pages/s* are for the "
            "whole `tinydump capture` run. *Filter alone* is `build/host/membound`: the page filter over every "
            "cycle, without reading, compressing or writing pages (the time of its second pass).", ""]


def main():
    res, md, png = sys.argv[1:4]
    m = read_kv(os.path.join(res, "machine.env"))
    real, scan = load(res)
    sk = os.path.join(res, "skipped.txt")
    skipped = open(sk).read().splitlines() if os.path.exists(sk) else []
    ok, ascii_ = plot(res, real, scan, png)
    L = header(m) + method(m)
    L += ["## Level 31", ""] + real_tables(real, 31) + codec_tables(res, real, 31)
    L += ["## Level 17", ""] + real_tables(real, 17) + codec_tables(res, real, 17)
    L += ["## Scan throughput (synthetic machines, level 31)", ""] + scan_table(scan)
    L += ["## Time against RAM size", ""]
    if ok:
        L += ["![time against RAM size](%s)" % os.path.basename(png), "",
              "<details><summary>The same as text</summary>", "", "```", ascii_.rstrip("\n"), "```", "",
              "</details>", ""]
    else:
        L += [ascii_, ""]
    L += ["## Where we stand against the targets", ""] + verdicts(real) + goal_verdicts(res, real) + [""]
    perf = perf_section(res)
    if perf:
        L += ["## Where the time goes", "",
              "Inside the capture kernel, from the panic to PID 1 and from PID 1 to the first dump write: "
              "MEASUREMENTS.md (PID 1's timeline line). Here, on the host, by function:", ""] + perf
    if skipped:
        L += ["## Skipped", ""] + ["- " + s for s in skipped] + [""]
    with open(md, "w") as f:
        f.write("\n".join(L))


if __name__ == "__main__":
    main()
