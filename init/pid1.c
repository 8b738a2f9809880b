/* The capture run, as PID 1 of the capture kernel (DESIGN.md "The capture
 * run"). main() reads as the list of phases; every failure is logged and
 * turns into a fallback, never into a lost dump or a return from PID 1. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "os/clock.h"
#include "os/file.h"
#include "os/log.h"
#include "commands.h"
#include "config.h"
#include "modules.h"
#include "outcome.h"
#include "sys.h"
#include "targetloop.h"
#include "zippool.h"

#define CONF_MAX 16384

/* A config source: a missing file is normal; any other failure is said,
 * and a cut text (a file over the buffer) is still used. */
static size_t source(const char *path, char *buf, size_t cap)
{
	struct td_err e;
	size_t n = 0;

	if (td_read_file(path, buf, cap, &n, &e) < 0 && errno != ENOENT)
		td_log("config: %s%s", e.msg, n ? "; using the first part" : "");
	return n;
}

static void read_config(struct td_config *c)
{
	static char text[CONF_MAX];
	struct td_warnings w;
	size_t n;

	memset(&w, 0, sizeof w);
	td_config_defaults(c);
	if ((n = source("/etc/tinydump.conf", text, sizeof text)))
		td_config_file(c, text, n, &w);
	if ((n = source("/proc/cmdline", text, sizeof text)))
		td_config_cmdline(c, text, n, &w);
	td_config_finish(c, &w);
	for (unsigned i = 0; i < w.n; i++)
		td_log("config: %s", w.line[i]);
	if (w.dropped)
		td_log("config: ... and %u more problems", w.dropped);
	for (unsigned i = 0; i < c->ntarget; i++)
		td_log("target %u: %s%s", i + 1, c->target[i].spec,
		       c->defaulted_target ? " (default)" : "");
}

static void early(void)
{
	struct td_err e;

	td_sys_signals();
	if (td_sys_mounts(&e) < 0) {
		td_sys_console();
		td_log("early mounts: %s", e.msg);
	} else {
		td_sys_console();
	}
	td_log_kmsg(1);
}

/* The capture kernel's memory as PID 1 starts and after the modules: what
 * crashkernel= left once the kernel booted (bench/cmdline-options.sh and
 * bench/crashkernel.sh read these lines). */
static void log_memory(const char *when)
{
	static char text[4096];
	unsigned long long total = 0, avail = 0;
	struct td_err e;
	size_t len;
	char *p;

	if (td_read_file("/proc/meminfo", text, sizeof text - 1, &len, &e) < 0)
		return;
	text[len] = '\0';
	if ((p = strstr(text, "MemTotal:")))
		total = strtoull(p + 9, NULL, 10);
	if ((p = strstr(text, "MemAvailable:")))
		avail = strtoull(p + 13, NULL, 10);
	td_log("memory %s: MemTotal %llu kB, MemAvailable %llu kB", when, total, avail);
}

int td_pid1(void)
{
	static struct td_config cfg;
	struct td_run *run;
	struct td_err e;
	uint64_t t0, t_open, t_vmcore, t_dmesg;
	int ok;

	early();
	/* CLOCK_MONOTONIC starts with this kernel: the time since the kexec
	 * that followed the panic. */
	t0 = td_mono_ms();
	td_log("tinydump %s: capture run starting, %llu ms after the capture kernel started",
	       TD_VERSION, (unsigned long long)t0);
	log_memory("at start");
	read_config(&cfg);
	td_modules_load(TD_MODULES_LIST);
	if (access(TD_MODULES_LIST, F_OK) == 0)
		log_memory("after the modules");
	t_open = td_mono_ms();
	run = calloc(1, sizeof *run);
	if (!run || td_run_open(run, "/proc/vmcore", 0, cfg.level, &e) < 0) {
		td_log_fatal("cannot use /proc/vmcore: %s", run ? e.msg : "out of memory");
		td_sys_final(cfg.failure);
	}
	t_vmcore = td_mono_ms();
	td_log("crashed kernel %s on %s, %llu MiB of RAM, %u CPUs", run->ki.uts[2], run->ki.uts[1],
	       (unsigned long long)(run->rs.vc.max_pfn >> 8), run->rs.vc.nr_cpus);
	/* tinydump.cpus=N: `load` gave this kernel nr_cpus=N; compress on
	 * N threads, or fewer if fewer CPUs came online. */
	run->threads = 0;
	if (cfg.cpus > 1) {
		unsigned online = td_zippool_workers();
		run->threads = (int)(online < cfg.cpus ? online : cfg.cpus);
	}
	if (run->threads)
		td_log("compressing on %d threads (tinydump.cpus=%u)", run->threads, cfg.cpus);
	if (run->filter.why[0])
		td_log("dump level %u requested, %u applied: %s", run->filter.level_requested,
		       run->filter.level_applied, run->filter.why);
	td_run_dmesg(run);
	t_dmesg = td_mono_ms();
	ok = td_targets_run(run, &cfg, NULL, NULL, 0) == 0;
	/* Where the time to the first write went: the configuration and
	 * modules, /proc/vmcore's headers and filter set-up, the kernel log,
	 * then the target (device, mount, directory, file). */
	if (run->first_dump_ms)
		td_log("timeline: kernel start to PID 1 %llu ms, PID 1 to the first dump write %llu ms "
		       "(configuration and modules %llu, /proc/vmcore %llu, kernel log %llu, target %llu), "
		       "PID 1 to the end %llu ms",
		       (unsigned long long)t0, (unsigned long long)(run->first_dump_ms - t0),
		       (unsigned long long)(t_open - t0), (unsigned long long)(t_vmcore - t_open),
		       (unsigned long long)(t_dmesg - t_vmcore),
		       (unsigned long long)(run->first_dump_ms - t_dmesg),
		       (unsigned long long)(td_mono_ms() - t0));
	td_log(ok ? "done; %s" : "every target failed; %s",
	       td_action_name(ok ? cfg.final : cfg.failure));
	td_sys_final(ok ? cfg.final : cfg.failure);
}
