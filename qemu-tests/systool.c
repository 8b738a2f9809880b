/* Guest /init for the system-side tests (t_net_dhcp.sh, t_nfs_mount.sh,
 * t_devices.sh): the real net/ and init/ code, driven by the words after
 * "--" on the kernel command line or in /etc/systool.cmds (several
 * commands separated by "+"),
 * reporting "TD-MARK WORD value" lines on the console:
 *   dhcp [TIMEOUT [PORT]]               td_net_up in DHCP mode
 *   static ADDR/PREFIX GW [TIMEOUT [PORT [IFACE]]]  td_net_up, static mode
 *     with PORT (not 0), then read a line from 10.0.2.2:PORT (proves the route)
 *   nfs SERVER PATH VERS TIMEOUT [OPTS] td_net_up (DHCP), then td_nfs_mount
 *                                       on /mnt, write and read back a file
 *   find SPEC TIMEOUT                   td_dev_find (marker find.N)
 *   mountfs DEV DIR                     td_sys_mount_fs, write/read a file
 *   final ACTION                        td_sys_final(ACTION): never returns
 * It always ends with td_sys_final(reboot); the test runs QEMU with
 * -no-reboot, so that exits QEMU. */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <unistd.h>

#include "os/clock.h"
#include "os/log.h"
#include "net/netlink.h"
#include "net/netup.h"
#include "net/nfs.h"
#include "init/devices.h"
#include "init/sys.h"
#include "os/parse.h"

static void mark(const char *word, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void mark(const char *word, const char *fmt, ...)
{
	char buf[600];
	va_list ap;
	int n = snprintf(buf, sizeof buf, "TD-MARK %s ", word);

	va_start(ap, fmt);
	vsnprintf(buf + n, sizeof buf - (size_t)n, fmt, ap);
	va_end(ap);
	dprintf(2, "%s\n", buf);
}

static void show_iface(const char *iface)
{
	struct td_link l[TD_NL_MAX_LINKS];
	struct td_err e;
	char a[16];
	int n;

	if (td_nl_links(l, TD_NL_MAX_LINKS, &n, &e))
		return mark("error", "%s", e.msg);
	for (int i = 0; i < n; i++)
		if (!strcmp(l[i].name, iface))
			mark("iface", "%s %s/%d", iface, td_ipv4_str(l[i].addr, a), l[i].prefix);
}

static void probe(int port)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port),
				  .sin_addr.s_addr = htonl(0x0a000202) };
	char buf[128] = { 0 };
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	ssize_t n;

	if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof sa) < 0)
		return mark("probe-error", "connect 10.0.2.2:%d: %s", port, strerror(errno));
	n = read(fd, buf, sizeof buf - 1);
	close(fd);
	if (n > 0 && buf[n - 1] == '\n')
		buf[n - 1] = 0;
	mark("probe", "%s", n > 0 ? buf : "(nothing)");
}

static int net(struct td_ipconf *ip, unsigned timeout)
{
	char iface[16];
	struct td_err e;
	uint64_t t0 = td_mono_ms();

	if (td_net_up(ip, timeout, iface, &e)) {
		mark("net-error", "%s", e.msg);
		return -1;
	}
	mark("net-ms", "%llu", (unsigned long long)(td_mono_ms() - t0));
	show_iface(iface);
	return 0;
}

/* Write a file on the mount, sync it, read it back. */
static int write_back(const char *text)
{
	char buf[256] = { 0 };
	int fd = open("/mnt/hello.txt", O_WRONLY | O_CREAT | O_TRUNC, 0644);

	if (fd < 0 || write(fd, text, strlen(text)) != (ssize_t)strlen(text) || fsync(fd))
		return mark("io-error", "write: %s", strerror(errno)), -1;
	close(fd);
	fd = open("/mnt/hello.txt", O_RDONLY);
	if (fd < 0 || read(fd, buf, sizeof buf - 1) < 0)
		return mark("io-error", "read: %s", strerror(errno)), -1;
	close(fd);
	mark("readback", "%s", buf);
	return 0;
}

static void nfs(int argc, char **argv)
{
	struct td_ipconf ip = { .mode = TD_IP_DHCP };
	unsigned timeout = argc > 5 ? (unsigned)atoi(argv[5]) : 30;
	struct td_err e;
	uint64_t t0;

	if (argc < 5 || net(&ip, timeout))
		return;
	t0 = td_mono_ms();
	if (td_nfs_mount(argv[2], argv[3], atoi(argv[4]), argc > 6 ? argv[6] : "", timeout,
			 "/mnt", &e)) {
		mark("nfs-error", "%s", e.msg);
		mark("nfs-fail-ms", "%llu", (unsigned long long)(td_mono_ms() - t0));
		return;
	}
	mark("nfs-ms", "%llu", (unsigned long long)(td_mono_ms() - t0));
	if (write_back("hello from the guest over nfs") == 0 && umount("/mnt") == 0)
		mark("umount", "ok");
}

static void static_ip(int argc, char **argv)
{
	struct td_ipconf ip = { .mode = TD_IP_STATIC };
	const char *slash = argc > 3 ? strchr(argv[2], '/') : NULL;

	if (!slash || td_ipv4_parse(argv[2], (size_t)(slash - argv[2]), &ip.addr) ||
	    td_ipv4_parse(argv[3], strlen(argv[3]), &ip.gw))
		return mark("usage", "static ADDR/PREFIX GW [TIMEOUT [PORT [IFACE]]]");
	ip.prefix = atoi(slash + 1);
	if (argc > 6)
		snprintf(ip.iface, sizeof ip.iface, "%s", argv[6]);
	if (net(&ip, argc > 4 ? (unsigned)atoi(argv[4]) : 30) == 0 && argc > 5 && atoi(argv[5]))
		probe(atoi(argv[5]));
}

/* Our log lines must also be in the kernel log (td_log_kmsg). */
static void count_kmsg(void)
{
	char rec[2048];
	int fd = open("/dev/kmsg", O_RDONLY | O_NONBLOCK), n = 0;
	ssize_t r;

	if (fd < 0)
		return mark("kmsg", "open: %s", strerror(errno));
	while ((r = read(fd, rec, sizeof rec - 1)) > 0 || (r < 0 && errno == EPIPE)) {
		if (r > 0) {
			rec[r] = 0;
			n += strstr(rec, ";tinydump: ") != NULL;
		}
	}
	close(fd);
	mark("kmsg-lines", "%d", n);
}

static void find(int n, int argc, char **argv)
{
	char path[64], w[24];
	struct td_err e;
	uint64_t t0 = td_mono_ms();

	if (argc < 3)
		return mark("usage", "find SPEC TIMEOUT");
	snprintf(w, sizeof w, "find.%d", n);
	if (td_dev_find(argv[1], (unsigned)atoi(argv[2]), path, sizeof path, &e))
		mark(w, "error %s", e.msg);
	else
		mark(w, "%s", path);
	snprintf(w, sizeof w, "find-ms.%d", n);
	mark(w, "%llu", (unsigned long long)(td_mono_ms() - t0));
}

/* Mount DEV on DIR with td_sys_mount_fs, write and read back a file. */
static void mountfs(int n, int argc, char **argv)
{
	char w[24], f[128], buf[64] = { 0 };
	struct td_err e;
	int fd;

	if (argc < 3)
		return mark("usage", "mountfs DEV DIR");
	snprintf(w, sizeof w, "mountfs.%d", n);
	if (td_sys_mount_fs(argv[1], argv[2], &e))
		return mark(w, "error %s", e.msg);
	snprintf(f, sizeof f, "%s/systool.txt", argv[2]);
	fd = open(f, O_RDWR | O_CREAT | O_TRUNC, 0644);
	if (fd < 0 || write(fd, argv[1], strlen(argv[1])) < 0 || fsync(fd) ||
	    pread(fd, buf, sizeof buf - 1, 0) < 0)
		return mark(w, "error io %s", strerror(errno));
	close(fd);
	umount(argv[2]);
	mark(w, "ok %s", buf);
}

/* One command: argv[0] is its name, like the words after "--". */
static void run(int n, int argc, char **argv)
{
	/* the net commands read their words from argv[1] on, as main's */
	char **v = argv - 1;

	mark("start", "%s", argv[0]);
	if (!strcmp(argv[0], "dhcp")) {
		struct td_ipconf ip = { .mode = TD_IP_DHCP };

		if (net(&ip, argc > 1 ? (unsigned)atoi(argv[1]) : 30) == 0 && argc > 2)
			probe(atoi(argv[2]));
	} else if (!strcmp(argv[0], "static")) {
		static_ip(argc + 1, v);
	} else if (!strcmp(argv[0], "nfs")) {
		nfs(argc + 1, v);
	} else if (!strcmp(argv[0], "find")) {
		find(n, argc, argv);
	} else if (!strcmp(argv[0], "mountfs")) {
		mountfs(n, argc, argv);
	} else if (!strcmp(argv[0], "final") && argc > 1) {
		static const char *const acts[] = { "reboot", "poweroff", "halt", "shell" };

		for (int a = 0; a < 4; a++)
			if (!strcmp(argv[1], acts[a]))
				td_sys_final((enum td_action)a);
		mark("usage", "final reboot|poweroff|halt|shell");
	} else {
		mark("usage", "unknown command %s", argv[0]);
	}
}

/* Without words after "--" (the kernel passes at most 32 to init), the
 * words come from /etc/systool.cmds, split at blanks. */
static int words_from_file(char **argv, int max)
{
	static char text[4096];
	int fd = open("/etc/systool.cmds", O_RDONLY), argc = 1;
	ssize_t n = fd < 0 ? -1 : read(fd, text, sizeof text - 1);
	char *save, *w;

	if (fd >= 0)
		close(fd);
	if (n <= 0)
		return 1;
	text[n] = 0;
	for (w = strtok_r(text, " \t\n", &save); w && argc < max - 1; w = strtok_r(NULL, " \t\n", &save))
		argv[argc++] = w;
	argv[argc] = NULL;
	return argc;
}

int main(int argc, char **argv)
{
	static char *file_argv[256] = { "init" };
	struct td_err e;
	int i, start, n = 0;

	td_sys_console();
	if (td_sys_mounts(&e))
		td_log("%s", e.msg);
	td_log_kmsg(1);
	td_sys_signals();
	if (argc == 1) {
		argc = words_from_file(file_argv, 256);
		argv = file_argv;
	}
	/* Commands are separated by "+" words. */
	for (start = i = 1; i <= argc; i++) {
		if (i < argc && strcmp(argv[i], "+"))
			continue;
		if (i > start)
			run(++n, i - start, argv + start);
		start = i + 1;
	}
	count_kmsg();
	mark("end", "%d", n);
	td_sys_final(TD_ACT_REBOOT);
}
