/* `tinydump status`: is this (running) machine ready to capture a crash?
 * Every check prints one line on stdout:
 *   "ok: <what is fine>"
 *   "problem: <what is wrong and what it costs>; fix: <command or change>"
 *   "advice: <a setting worth changing>; to change: <command>"
 * and the last line is "ready" or "not ready: N problem(s)". The exit
 * status is 0 only when there is no problem (advice does not count). */
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "commands.h"
#include "config.h"
#include "devices.h"

#define MiB (1024ll * 1024)
/* The capture kernel keeps about 24 MB for itself (FACTS.md); the kernel
 * image, the initramfs and the capture run come on top. */
#define MIN_CRASH_MB 32
#define CONNECT_MS 3000

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

/* Read a small file into buf (NUL-terminated). Returns bytes, or -1. */
static ssize_t slurp(const char *path, char *buf, size_t cap)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	size_t used = 0;
	ssize_t n = 0;

	if (fd < 0)
		return -1;
	while (used < cap - 1 && (n = read(fd, buf + used, cap - 1 - used)) > 0)
		used += (size_t)n;
	close(fd);
	buf[used] = 0;
	return n < 0 ? -1 : (ssize_t)used;
}

static int read_ll(const char *path, long long *v)
{
	char buf[64];
	char *end;

	if (slurp(path, buf, sizeof buf) <= 0)
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

static void check_disk(struct status *st, const struct td_target *t)
{
	const char *label = !strncmp(t->dev, "LABEL=", 6) ? t->dev + 6 : NULL;
	char path[64];
	struct td_fsid id;
	struct td_err e;
	int rc = td_dev_find(t->dev, 0, path, sizeof path, &e);

	if (rc && label)
		return say(st, "problem", "target %s: %s; fix: mkfs.ext4 -L %s DEVICE (or "
			   "e2label DEVICE %s), or correct the target", t->spec, e.msg, label,
			   label);
	if (rc)
		return say(st, "problem", "target %s: %s; fix: attach that device, or correct "
			   "the target", t->spec, e.msg);
	if (td_dev_probe(path, &id, &e))
		return say(st, "problem", "target %s: %s; fix: mkfs.ext4 on it, or another target",
			   t->spec, e.msg);
	say(st, "ok", "target %s: %s (%s, LABEL=%s)", t->spec, path, id.type, id.label);
}

/* A TCP connect within CONNECT_MS; 0, or an errno. */
static int try_connect(uint32_t addr, uint16_t port)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons(port),
				  .sin_addr.s_addr = htonl(addr) };
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0), err = 0;
	struct pollfd p = { .fd = fd, .events = POLLOUT };
	socklen_t len = sizeof err;

	if (fd < 0)
		return errno;
	if (connect(fd, (struct sockaddr *)&sa, sizeof sa) < 0) {
		if (errno != EINPROGRESS)
			err = errno;
		else if (poll(&p, 1, CONNECT_MS) <= 0)
			err = ETIMEDOUT;
		else
			getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len);
	}
	close(fd);
	return err;
}

static void check_net(struct status *st, const struct td_target *t)
{
	const char *host = t->kind == TD_TGT_NFS ? t->server : t->host;
	uint16_t port = t->kind == TD_TGT_TLS ? t->port : st->cfg.nfsvers == 3 ? 111 : 2049;
	uint32_t a;
	int err;

	if (td_ipv4_parse(host, strlen(host), &a))
		return say(st, "advice", "target %s: %s is not checked (IPv4 only here)", t->spec,
			   host);
	err = try_connect(a, port);
	if (err)
		return say(st, "problem", "target %s: cannot connect to %s port %u from here (%s); "
			   "fix: start the server or correct the target", t->spec, host, port,
			   strerror(err));
	say(st, "ok", "target %s: %s port %u accepts connections", t->spec, host, port);
}

static void load_config(struct status *st, const char *conf, int conf_given)
{
	ssize_t n;

	td_config_defaults(&st->cfg);
	n = slurp(conf, st->conf_text, sizeof st->conf_text);
	if (n >= 0)
		td_config_file(&st->cfg, st->conf_text, (size_t)n, &st->warn);
	else if (conf_given)
		say(st, "problem", "cannot read %s: %s; fix: give an existing file", conf,
		    strerror(errno));
	else
		say(st, "ok", "no %s here: checking the defaults (and tinydump.* words in "
		    "/proc/cmdline, which are passed to the capture kernel)", conf);
	n = slurp("/proc/cmdline", st->cmdline, sizeof st->cmdline);
	if (n > 0)
		td_config_cmdline(&st->cfg, st->cmdline, (size_t)n, &st->warn);
	td_config_finish(&st->cfg, &st->warn);
	for (unsigned i = 0; i < st->warn.n && i < TD_WARN_MAX; i++)
		say(st, "problem", "configuration: %s; fix: correct %s or the command line",
		    st->warn.line[i], conf);
}

static void check_targets(struct status *st)
{
	for (unsigned i = 0; i < st->cfg.ntarget; i++) {
		const struct td_target *t = &st->cfg.target[i];

		if (t->kind == TD_TGT_DISK)
			check_disk(st, t);
		else
			check_net(st, t);
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
