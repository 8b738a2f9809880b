/* `tinydump status [--conf FILE] [--json]`: is this running machine ready
 * to capture a crash, and where did the last one go? What `kdump-config
 * show` tells on Debian: the reservation against what this kernel needs,
 * whether a capture kernel is loaded and from which files, the sysctls
 * that turn faults into dumps, every target with whether it is usable now
 * and the newest dump on it when this host can read it.
 *
 * Every finding is one line on stdout:
 *   "ok: <what is fine>"
 *   "problem: <what is wrong and what it costs>; fix: <command or change>"
 *   "advice: <a setting worth changing>; to change: <command>"
 *   "info: <a fact>"
 * and the last line is the verdict: "ready", or "not ready: N problem(s);
 * first fix: <the first problem's fix>". Ready (exit status 0) means
 * memory is reserved, a capture kernel is loaded, at least one target is
 * usable, and nothing else is a problem; an unusable fallback target is a
 * problem that does not block. --json prints the same as one object. */
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "os/file.h"
#include "os/json.h"
#include "commands.h"
#include "config.h"
#include "confpin.h"
#include "crashsize.h"
#include "dumplist.h"
#include "initrd.h"
#include "kexec.h"
#include "outcome.h"

enum { MAX_FINDINGS = 64, FINDING_LEN = 760 };

/* What makes a sysctl's value a problem, advice or only a fact. */
enum knob_weight { MUST, ADVICE, INFO };

static const struct knob {
	const char *name;
	enum knob_weight weight;
	long long want;
	const char *note;	/* MUST, ADVICE: the cost of another value; INFO: what it does */
} knobs[] = {
	{ "kernel.panic_on_oops", MUST, 1, "an oops will not trigger a dump" },
	{ "kernel.unknown_nmi_panic", ADVICE, 1, "an unknown NMI (NMI button, BMC) will not "
	  "trigger a dump" },
	{ "kernel.panic_on_unrecovered_nmi", ADVICE, 1, "an unrecovered NMI (memory error) will "
	  "not trigger a dump" },
	{ "kernel.panic_on_io_nmi", ADVICE, 1, "an I/O-check NMI will not trigger a dump" },
	{ "kernel.softlockup_panic", INFO, 1, "1 makes a soft lockup panic, and so dump" },
	{ "kernel.hung_task_panic", INFO, 1, "1 makes a task blocked too long panic, and so dump" },
	{ "vm.panic_on_oom", INFO, 1, "1 makes running out of memory panic, and so dump, instead "
	  "of killing a process" },
	{ "kernel.panic", INFO, 0, "seconds before a reboot after a panic that nothing captured; "
	  "0 waits forever" },
	{ "kernel.sysrq", ADVICE, 1, "sysrq-c from the console cannot force a dump of a hung "
	  "machine (echo c > /proc/sysrq-trigger still works)" },
};
#define NKNOBS (sizeof knobs / sizeof knobs[0])

struct finding {
	const char *kind;	/* "ok", "problem", "advice", "info" */
	char text[FINDING_LEN];
};

struct target_view {
	enum td_readiness ready;
	char dir[512];		/* where its dumps are on this host; "" unknown */
	size_t ndumps;
	struct td_listed last;	/* valid when ndumps > 0 */
};

struct capture_kernel {
	int loaded;		/* -1: this kernel has no crash kexec */
	int recorded;		/* TD_LOADED_FILE names the files */
	char kernel[PATH_MAX], initrd[PATH_MAX], cmdline[2048], when[24];
	int initrd_fresh;	/* 1, 0, or -1 when not checked */
};

struct status {
	const char *conf;
	int json;
	int problems, target_problems, usable;
	char first_fix[FINDING_LEN];
	struct finding f[MAX_FINDINGS];
	unsigned nf;
	char release[65];
	long long crash_size;	/* -1 when the kernel cannot reserve */
	struct td_crash_need need;
	struct capture_kernel ck;
	long long knob[NKNOBS];
	int have_knob[NKNOBS];
	char conf_text[65536];
	char cmdline[4096];
	struct td_config cfg;
	struct td_warnings warn;
	struct target_view tv[TD_MAX_TARGETS];
};

static void say(struct status *st, const char *kind, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void say(struct status *st, const char *kind, const char *fmt, ...)
{
	struct finding *f = &st->f[st->nf < MAX_FINDINGS ? st->nf : MAX_FINDINGS - 1];
	const char *fix;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(f->text, sizeof f->text, fmt, ap);
	va_end(ap);
	f->kind = kind;
	if (st->nf < MAX_FINDINGS)
		st->nf++;
	if (strcmp(kind, "problem"))
		return;
	if (!st->problems++ && (fix = strstr(f->text, "; fix: ")))
		snprintf(st->first_fix, sizeof st->first_fix, "%s", fix + 7);
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
	static const char *const kind[] = { "problem", "problem", "advice", "ok" };

	st->crash_size = -1;
	if (read_ll("/sys/kernel/kexec_crash_size", &st->crash_size)) {
		st->crash_size = -1;
		return say(st, "problem", "/sys/kernel/kexec_crash_size is missing: this kernel "
			   "cannot reserve memory for a capture kernel; fix: build it with "
			   "CONFIG_KEXEC_FILE=y and CONFIG_CRASH_DUMP=y");
	}
	td_crash_judge(st->release, st->crash_size, &st->need);
	say(st, kind[st->need.verdict], "%s", st->need.text);
}

/* TD_LOADED_FILE into ck, if `tinydump load` wrote it. */
static void read_record(struct capture_kernel *ck)
{
	char buf[32768];
	size_t n;
	struct td_err e;
	struct td_json_field f[] = {
		{ "kernel", 0, ck->kernel, sizeof ck->kernel },
		{ "initrd", 0, ck->initrd, sizeof ck->initrd },
		{ "cmdline", 0, ck->cmdline, sizeof ck->cmdline },
		{ "loaded_utc", 0, ck->when, sizeof ck->when },
	};

	ck->recorded = td_read_file(TD_LOADED_FILE, buf, sizeof buf, &n, &e) == 0 &&
		       td_json_fields(buf, n, 0, f, 4, &e) == 0 && f[0].type == TD_JSON_STRING &&
		       f[1].type == TD_JSON_STRING;
}

/* Is the initramfs the one `tinydump initramfs` makes by default, and is
 * it older than what it is made from? Other files are not checked: what
 * they were made from is not known. */
static void check_initrd(struct status *st, const char *fallback)
{
	struct capture_kernel *ck = &st->ck;
	struct td_initrd_src src = { fallback, "/", st->release, TD_INITRD_CONF, TD_INITRD_CERTS };
	char real[PATH_MAX], why[1200];

	if (strcmp(ck->initrd, fallback) && (!realpath(fallback, real) || strcmp(ck->initrd, real)))
		return say(st, "info", "initramfs %s was given to tinydump load; whether it is up to "
			   "date is not checked", ck->initrd);
	if (access(fallback, F_OK) < 0)
		return; /* the load problem names it */
	ck->initrd_fresh = !td_initrd_stale(&src, why, sizeof why);
	if (ck->initrd_fresh)
		return say(st, "ok", "the capture initramfs is up to date (%s)", why);
	say(st, "advice", "the capture initramfs is out of date: %s; to change: tinydump "
	    "initramfs && tinydump load (or: systemctl restart tinydump)", why);
}

static void check_loaded(struct status *st)
{
	struct capture_kernel *ck = &st->ck;
	char kernel[PATH_MAX], initrd[PATH_MAX];
	long long v;

	snprintf(kernel, sizeof kernel, "/boot/vmlinuz-%s", st->release);
	snprintf(initrd, sizeof initrd, TD_INITRD_DIR "/initrd-%s.img", st->release);
	ck->initrd_fresh = -1;
	read_record(ck);
	if (read_ll("/sys/kernel/kexec_crash_loaded", &v)) {
		ck->loaded = -1;
		return say(st, "problem", "/sys/kernel/kexec_crash_loaded is missing: this kernel "
			   "has no crash kexec; fix: build it with CONFIG_KEXEC_FILE=y and "
			   "CONFIG_CRASH_DUMP=y");
	}
	ck->loaded = v == 1;
	if (ck->loaded && ck->recorded) {
		say(st, "ok", "a capture kernel is loaded: %s with %s (tinydump load, %s UTC)",
		    ck->kernel, ck->initrd, ck->when);
	} else if (ck->loaded) {
		say(st, "ok", "a capture kernel is loaded, not by tinydump load (%s is missing): "
		    "which files is not known", TD_LOADED_FILE);
		return;
	} else {
		ck->recorded = 0;
		snprintf(ck->kernel, sizeof ck->kernel, "%s", kernel);
		snprintf(ck->initrd, sizeof ck->initrd, "%s", initrd);
		say(st, "problem", "no capture kernel is loaded, a crash would not be captured; "
		    "fix: %stinydump load (kernel %s%s, initramfs %s%s), or: systemctl start tinydump",
		    access(initrd, F_OK) ? "tinydump initramfs && " : "", kernel,
		    access(kernel, F_OK) ? " is missing: give --kernel" : "", initrd,
		    access(initrd, F_OK) ? ", to be built" : "");
	}
	check_initrd(st, initrd);
}

static void check_knobs(struct status *st)
{
	for (size_t i = 0; i < NKNOBS; i++) {
		const struct knob *k = &knobs[i];
		char path[96], *p;
		long long v;

		snprintf(path, sizeof path, "/proc/sys/%s", k->name);
		for (p = path + 10; *p; p++)
			if (*p == '.')
				*p = '/';
		if (read_ll(path, &v)) {
			if (k->weight == MUST)
				say(st, "problem", "cannot read %s (%s); fix: mount /proc", k->name, path);
			continue; /* the NMI knobs exist on x86 only */
		}
		st->knob[i] = v, st->have_knob[i] = 1;
		/* sysrq-c from a keyboard or serial console needs 1 or bit 8 */
		if (!strcmp(k->name, "kernel.sysrq") && (v == 1 || (v & 8)))
			say(st, "ok", "kernel.sysrq=%lld allows sysrq-c", v);
		else if (k->weight == INFO)
			say(st, "info", "%s=%lld: %s", k->name, v, k->note);
		else if (v == k->want)
			say(st, "ok", "%s=%lld", k->name, v);
		else
			say(st, k->weight == MUST ? "problem" : "advice", "%s=%lld: %s; %s sysctl -w %s=%lld",
			    k->name, v, k->note, k->weight == MUST ? "fix:" : "to change:", k->name, k->want);
	}
}

/* No target named: what `tinydump initramfs` writes on this host, the
 * root filesystem when no device is labelled crash (confpin.h). */
static void host_default(struct status *st)
{
	char spec[128], dev[64];
	struct td_err e;

	if (!st->cfg.defaulted_target || st->cfg.targets_given ||
	    !td_host_default("", spec, sizeof spec, dev, sizeof dev) ||
	    td_target_parse(&st->cfg.target[0], spec, &e) < 0)
		return;
	say(st, "info", "no target is configured and no device is labelled crash: the default "
	    "is the root filesystem (%s) by its UUID, directory /var/crash, as tinydump "
	    "initramfs writes it", dev);
}

static void load_config(struct status *st, int conf_given)
{
	size_t n;
	struct td_err e;

	td_config_defaults(&st->cfg);
	if (td_read_file(st->conf, st->conf_text, sizeof st->conf_text, &n, &e) == 0)
		td_config_file(&st->cfg, st->conf_text, n, &st->warn);
	else if (conf_given)
		say(st, "problem", "cannot read %s; fix: give an existing file", e.msg);
	else
		say(st, "ok", "no %s here: checking the defaults (and tinydump.* words in "
		    "/proc/cmdline, which are passed to the capture kernel)", st->conf);
	if (td_read_file("/proc/cmdline", st->cmdline, sizeof st->cmdline, &n, &e) == 0 && n)
		td_config_cmdline(&st->cfg, st->cmdline, n, &st->warn);
	td_config_finish(&st->cfg, &st->warn);
	host_default(st);
	for (unsigned i = 0; i < st->warn.n && i < TD_WARN_MAX; i++)
		say(st, "problem", "configuration: %s; fix: correct %s or the command line",
		    st->warn.line[i], st->conf);
}

/* The newest dump of target i, when this host can read its directory. */
static void last_dump(struct status *st, unsigned i)
{
	const struct td_target *t = &st->cfg.target[i];
	struct target_view *tv = &st->tv[i];
	struct td_listed *v;
	struct td_err e;

	if (t->kind->dumps_here(t, tv->dir, sizeof tv->dir, &e) < 0) {
		tv->dir[0] = '\0';
		return say(st, "info", "target %s: %s", t->spec, e.msg);
	}
	if (!(v = td_dumps_scan(tv->dir, &tv->ndumps, &e))) {
		tv->dir[0] = '\0';
		return say(st, "info", "target %s: no dumps listed: %s", t->spec, e.msg);
	}
	if (tv->ndumps) {
		const struct td_listed *d = &v[tv->ndumps - 1];

		tv->last = *d;
		say(st, "info", "target %s: last dump %s/%s: %s, crashed %s UTC, kernel %s, %llu "
		    "bytes%s (%zu dump%s there; tinydump list %s)", t->spec, tv->dir, d->name,
		    d->node, d->when, d->release, d->size, d->complete ? "" : ", incomplete",
		    tv->ndumps, tv->ndumps == 1 ? "" : "s", tv->dir);
	} else {
		say(st, "info", "target %s: no dumps in %s", t->spec, tv->dir);
	}
	free(v);
}

static void check_targets(struct status *st)
{
	static const char *const verdict[] = { "ok", "advice", "problem" };

	for (unsigned i = 0; i < st->cfg.ntarget; i++) {
		const struct td_target *t = &st->cfg.target[i];
		char msg[600];
		int before = st->problems;

		st->tv[i].ready = t->kind->ready(t, &st->cfg, msg, sizeof msg);
		say(st, verdict[st->tv[i].ready], "target %s: %s", t->spec, msg);
		st->target_problems += st->problems - before;
		st->usable += st->tv[i].ready != TD_READY_PROBLEM;
		if (st->tv[i].ready != TD_READY_PROBLEM)
			last_dump(st, i);
	}
}

static int ready(const struct status *st)
{
	return st->usable > 0 && st->problems == st->target_problems;
}

/* JSON output: "key": value pairs, strings quoted by td_json_quote. */
static void jstr(const char *key, const char *v, const char *sep)
{
	static char q[6 * PATH_MAX + 3]; /* the longest value: a path */

	if (!v) {
		printf("\"%s\": null%s", key, sep);
		return;
	}
	td_json_quote(v, q, sizeof q);
	printf("\"%s\": %s%s", key, q, sep);
}

static void json_reservation(const struct status *st)
{
	static const char *const verdict[] = { "none", "below", "tight", "ok" };
	const struct td_crash_need *n = &st->need;

	printf("  \"reservation\": {");
	if (st->crash_size < 0) {
		printf("\"bytes\": null, \"verdict\": \"unsupported\"},\n");
		return;
	}
	printf("\"bytes\": %lld, ", st->crash_size);
	jstr("verdict", verdict[n->verdict], ", ");
	jstr("kernel", n->floor ? n->floor->name : NULL, ", ");
	if (n->floor)
		printf("\"floor_mib\": %u, ", n->floor->mib);
	else
		printf("\"floor_mib\": null, ");
	printf("\"suggest_mib\": %u},\n", n->suggest_mib);
}

static void json_capture_kernel(const struct capture_kernel *ck)
{
	int known = ck->loaded == 0 || ck->recorded;

	printf("  \"capture_kernel\": {");
	if (ck->loaded < 0)
		printf("\"loaded\": null, ");
	else
		printf("\"loaded\": %s, ", ck->loaded ? "true" : "false");
	printf("\"recorded\": %s, ", ck->recorded ? "true" : "false");
	jstr("kernel", known ? ck->kernel : NULL, ", ");
	jstr("initrd", known ? ck->initrd : NULL, ", ");
	jstr("cmdline", ck->recorded ? ck->cmdline : NULL, ", ");
	jstr("loaded_utc", ck->recorded ? ck->when : NULL, ", ");
	printf("\"initrd_up_to_date\": %s},\n", ck->initrd_fresh < 0 ? "null" :
	       ck->initrd_fresh ? "true" : "false");
}

static void json_target(const struct status *st, unsigned i)
{
	static const char *const verdict[] = { "ok", "advice", "problem" };
	const struct target_view *tv = &st->tv[i];
	const struct td_listed *d = &tv->last;

	printf("%s\n    {", i ? "," : "");
	jstr("spec", st->cfg.target[i].spec, ", ");
	jstr("state", verdict[tv->ready], ", ");
	jstr("dumps_in", tv->dir[0] ? tv->dir : NULL, ", ");
	if (!tv->dir[0]) {
		printf("\"dumps\": null, \"last_dump\": null}");
		return;
	}
	printf("\"dumps\": %zu, \"last_dump\": ", tv->ndumps);
	if (!tv->ndumps) {
		printf("null}");
		return;
	}
	printf("{");
	jstr("dir", d->name, ", ");
	jstr("host", d->node, ", ");
	jstr("crash_time", d->when, ", ");
	jstr("kernel_release", d->release, ", ");
	printf("\"size\": %llu, \"complete\": %s}}", d->size, d->complete ? "true" : "false");
}

static void print_json(const struct status *st)
{
	printf("{\n  ");
	jstr("version", TD_VERSION, ",\n  ");
	printf("\"ready\": %s,\n  \"problems\": %d,\n  ", ready(st) ? "true" : "false", st->problems);
	jstr("first_fix", st->problems ? st->first_fix : NULL, ",\n  ");
	jstr("kernel_release", st->release, ",\n");
	json_reservation(st);
	json_capture_kernel(&st->ck);
	printf("  \"sysctl\": {");
	for (size_t i = 0; i < NKNOBS; i++) {
		printf("%s\"%s\": ", i ? ", " : "", knobs[i].name);
		if (st->have_knob[i])
			printf("%lld", st->knob[i]);
		else
			printf("null");
	}
	printf("},\n  ");
	jstr("conf", st->conf, ",\n");
	printf("  \"targets\": [");
	for (unsigned i = 0; i < st->cfg.ntarget; i++)
		json_target(st, i);
	printf("%s],\n  \"findings\": [", st->cfg.ntarget ? "\n  " : "");
	for (unsigned i = 0; i < st->nf; i++) {
		printf("%s\n    {", i ? "," : "");
		jstr("kind", st->f[i].kind, ", ");
		jstr("text", st->f[i].text, "}");
	}
	printf("%s]\n}\n", st->nf ? "\n  " : "");
}

static void print_text(const struct status *st)
{
	for (unsigned i = 0; i < st->nf; i++)
		printf("%s: %s\n", st->f[i].kind, st->f[i].text);
	if (ready(st) && st->problems)
		printf("ready: a target is usable, but %d fallback target%s not (see above)\n",
		       st->problems, st->problems == 1 ? " is" : "s are");
	else if (ready(st))
		printf("ready\n");
	else
		printf("not ready: %d problem%s; first fix: %s\n", st->problems,
		       st->problems == 1 ? "" : "s", st->first_fix[0] ? st->first_fix : "see above");
}

int td_cmd_status(int argc, char **argv)
{
	static struct status st;
	int conf_given = 0;
	struct utsname u;

	st.conf = TD_INITRD_CONF;
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--json")) {
			st.json = 1;
		} else if (!strcmp(argv[i], "--conf") && i + 1 < argc) {
			st.conf = argv[++i], conf_given = 1;
		} else {
			fprintf(stderr, "tinydump: fatal: status: unexpected '%s'; usage: tinydump "
				"status [--conf FILE] [--json]\n", argv[i]);
			return 2;
		}
	}
	snprintf(st.release, sizeof st.release, "%s", uname(&u) == 0 ? u.release : "unknown");
	check_reservation(&st);
	check_loaded(&st);
	check_knobs(&st);
	load_config(&st, conf_given);
	check_targets(&st);
	if (st.json)
		print_json(&st);
	else
		print_text(&st);
	fflush(stdout);
	return ready(&st) ? 0 : 1;
}
