/* `tinydump status`: is this (running) machine ready to capture a crash?
 * Every check prints one line on stdout:
 *   "ok: <what is fine>"
 *   "problem: <what is wrong and what it costs>; fix: <command or change>"
 *   "advice: <a setting worth changing>; to change: <command>"
 * and the last line is "ready" or "not ready: N problem(s)". The exit
 * status is 0 only when there is no problem (advice does not count). */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "os/file.h"
#include "commands.h"
#include "config.h"

#define MiB (1024ll * 1024)
/* The capture kernel keeps about 24 MB for itself (FACTS.md); the kernel
 * image, the initramfs and the capture run come on top. */
#define MIN_CRASH_MB 32

struct status {
	int problems;
	char conf_text[65536];
	char cmdline[4096];
	struct td_config cfg;
	struct td_warnings warn;
};

static void say(struct status *st, const char *kind, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void say(struct status *st, const char *kind, const char *fmt, ...)
{
	va_list ap;

	if (!strcmp(kind, "problem"))
		st->problems++;
	printf("%s: ", kind);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
}

static int read_ll(const char *path, long long *v)
{
	char buf[64];
	char *end;
	size_t n;
	struct td_err e;

	if (td_read_file(path, buf, sizeof buf, &n, &e) < 0 || !n)
		return -1;
	errno = 0;
	*v = strtoll(buf, &end, 10);
	return errno || end == buf ? -1 : 0;
}

static void check_reservation(struct status *st)
{
	long long size;

	if (read_ll("/sys/kernel/kexec_crash_size", &size))
		return say(st, "problem", "/sys/kernel/kexec_crash_size is missing: this kernel "
			   "cannot reserve memory for a capture kernel; fix: build it with "
			   "CONFIG_KEXEC_FILE=y and CONFIG_CRASH_DUMP=y");
	if (size == 0)
		return say(st, "problem", "no memory is reserved for a capture kernel "
			   "(kexec_crash_size=0); fix: boot with crashkernel=64M");
	if (size < MIN_CRASH_MB * MiB)
		return say(st, "problem", "only %lld MiB reserved for the capture kernel (it "
			   "keeps about 24 MB for itself, plus its image and initramfs); fix: "
			   "boot with crashkernel=64M", size / MiB);
	say(st, "ok", "%lld MiB reserved for the capture kernel (crashkernel=)", size / MiB);
}

static void check_loaded(struct status *st)
{
	long long v;

	if (read_ll("/sys/kernel/kexec_crash_loaded", &v))
		return say(st, "problem", "/sys/kernel/kexec_crash_loaded is missing: this kernel "
			   "has no crash kexec; fix: build it with CONFIG_KEXEC_FILE=y and "
			   "CONFIG_CRASH_DUMP=y");
	if (v != 1)
		return say(st, "problem", "no capture kernel is loaded, a crash would not be "
			   "captured; fix: tinydump load --kernel /boot/vmlinuz-$(uname -r) "
			   "--initrd CAPTURE.cpio.gz");
	say(st, "ok", "a capture kernel is loaded");
}

/* kernel.NAME; must: a problem unless it is want, else advice. */
static void check_sysctl(struct status *st, const char *name, long long want, int must,
			 const char *cost)
{
	char path[96];
	long long v;

	snprintf(path, sizeof path, "/proc/sys/kernel/%s", name);
	if (read_ll(path, &v)) {
		if (must)
			say(st, "problem", "cannot read kernel.%s (%s)", name, path);
		return; /* the NMI knobs exist on x86 only */
	}
	if (v == want)
		return say(st, "ok", "kernel.%s=%lld", name, v);
	say(st, must ? "problem" : "advice", "kernel.%s=%lld: %s; %s sysctl -w kernel.%s=%lld",
	    name, v, cost, must ? "fix:" : "to change:", name, want);
}

/* sysrq-c from a keyboard or serial console needs bit 8 (dumps) or 1;
 * writes to /proc/sysrq-trigger work whatever the value. */
static void check_sysrq(struct status *st)
{
	long long v;

	if (read_ll("/proc/sys/kernel/sysrq", &v))
		return;
	if (v == 1 || (v & 8))
		return say(st, "ok", "kernel.sysrq=%lld allows sysrq-c", v);
	say(st, "advice", "kernel.sysrq=%lld: sysrq-c from the console cannot force a dump of "
	    "a hung machine (echo c > /proc/sysrq-trigger still works); to change: "
	    "sysctl -w kernel.sysrq=1", v);
}

static void load_config(struct status *st, const char *conf, int conf_given)
{
	size_t n;
	struct td_err e;

	td_config_defaults(&st->cfg);
	if (td_read_file(conf, st->conf_text, sizeof st->conf_text, &n, &e) == 0)
		td_config_file(&st->cfg, st->conf_text, n, &st->warn);
	else if (conf_given)
		say(st, "problem", "cannot read %s; fix: give an existing file", e.msg);
	else
		say(st, "ok", "no %s here: checking the defaults (and tinydump.* words in "
		    "/proc/cmdline, which are passed to the capture kernel)", conf);
	if (td_read_file("/proc/cmdline", st->cmdline, sizeof st->cmdline, &n, &e) == 0 && n)
		td_config_cmdline(&st->cfg, st->cmdline, n, &st->warn);
	td_config_finish(&st->cfg, &st->warn);
	for (unsigned i = 0; i < st->warn.n && i < TD_WARN_MAX; i++)
		say(st, "problem", "configuration: %s; fix: correct %s or the command line",
		    st->warn.line[i], conf);
}

static void check_targets(struct status *st)
{
	for (unsigned i = 0; i < st->cfg.ntarget; i++) {
		static const char *const verdict[] = { "ok", "advice", "problem" };
		const struct td_target *t = &st->cfg.target[i];
		char msg[600];
		enum td_readiness v = t->kind->ready(t, &st->cfg, msg, sizeof msg);

		say(st, verdict[v], "target %s: %s", t->spec, msg);
	}
}

int td_cmd_status(int argc, char **argv)
{
	static struct status st;
	const char *conf = "/etc/tinydump.conf";

	if (argc == 3 && !strcmp(argv[1], "--conf")) {
		conf = argv[2];
	} else if (argc != 1) {
		fprintf(stderr, "usage: tinydump status [--conf FILE]\n");
		return 2;
	}
	check_reservation(&st);
	check_loaded(&st);
	check_sysctl(&st, "panic_on_oops", 1, 1, "an oops will not trigger a dump");
	check_sysctl(&st, "unknown_nmi_panic", 1, 0, "an unknown NMI (NMI button, BMC) "
		     "will not trigger a dump");
	check_sysctl(&st, "panic_on_unrecovered_nmi", 1, 0, "an unrecovered NMI (memory "
		     "error) will not trigger a dump");
	check_sysctl(&st, "panic_on_io_nmi", 1, 0, "an I/O-check NMI will not trigger a dump");
	check_sysrq(&st);
	load_config(&st, conf, argc == 3);
	check_targets(&st);
	if (st.problems)
		printf("not ready: %d problem%s\n", st.problems, st.problems == 1 ? "" : "s");
	else
		printf("ready\n");
	fflush(stdout);
	return st.problems ? 1 : 0;
}
