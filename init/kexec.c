/* `tinydump load --kernel K --initrd I [--append ARGS]` and
 * `tinydump unload`: load or unload the capture kernel with kexec_file_load
 * and KEXEC_FILE_ON_CRASH. kexec_file_load (unlike kexec_load) lets the
 * running kernel verify the image, so it works under lockdown.
 *
 * The capture command line is td_capture_cmdline() of /proc/cmdline and
 * --append (init/cmdline.h). Before the system call `load` checks what it
 * can explain better than an errno: a missing reservation, a file that is
 * not a bzImage, a command line the kernel would refuse as too long. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include <linux/kexec.h>

#include "os/err.h"
#include "os/file.h"
#include "os/json.h"
#include "os/log.h"
#include "cmdline.h"
#include "commands.h"
#include "kexec.h"

/* x86 COMMAND_LINE_SIZE; the bzImage header may say otherwise. */
#define CMDLINE_CAP 2048
/* The bzImage loader appends "elfcorehdr=0x<addr>K " and refuses the load
 * when that would not fit (MAX_ELFCOREHDR_STR_LEN in kexec-bzimage64.c). */
#define ELFCOREHDR_RESERVE 30

struct load_args {
	const char *kernel;
	const char *initrd;
	const char *append;
	char kernel_buf[300], initrd_buf[300]; /* the defaults, when not given */
};

struct image {
	int fd;
	long long bytes;
};

static int usage_load(void)
{
	fprintf(stderr, "usage: tinydump load [--kernel K] [--initrd I] [--append ARGS]\n"
		"  defaults: /boot/vmlinuz-RELEASE and " TD_INITRD_DIR "/initrd-RELEASE.img\n"
		"  (made by tinydump initramfs), RELEASE the running kernel's\n");
	return 2;
}

/* Accepts "--opt VALUE" and "--opt=VALUE". */
static int parse_load_args(int argc, char **argv, struct load_args *a)
{
	static const char *const names[] = { "--kernel", "--initrd", "--append" };
	const char **slots[] = { &a->kernel, &a->initrd, &a->append };

	for (int i = 1; i < argc; i++) {
		size_t k, n;

		for (k = 0; k < 3; k++) {
			n = strlen(names[k]);
			if (!strncmp(argv[i], names[k], n) &&
			    (argv[i][n] == '\0' || argv[i][n] == '='))
				break;
		}
		if (k == 3) {
			td_log_fatal("load: unknown argument '%s'", argv[i]);
			return -1;
		}
		if (argv[i][n] == '=')
			*slots[k] = argv[i] + n + 1;
		else if (i + 1 < argc)
			*slots[k] = argv[++i];
		else {
			td_log_fatal("load: %s needs a value", names[k]);
			return -1;
		}
	}
	if (!a->kernel || !a->initrd) {
		struct utsname u;

		if (uname(&u) < 0) {
			td_log_fatal("load: uname: %s; give --kernel and --initrd", strerror(errno));
			return -1;
		}
		snprintf(a->kernel_buf, sizeof a->kernel_buf, "/boot/vmlinuz-%s", u.release);
		snprintf(a->initrd_buf, sizeof a->initrd_buf, TD_INITRD_DIR "/initrd-%s.img", u.release);
		if (!a->kernel)
			a->kernel = a->kernel_buf;
		if (!a->initrd)
			a->initrd = a->initrd_buf;
	}
	return 0;
}

/* A small number from a sysfs/procfs file, or -1. */
static long long read_number(const char *path)
{
	char buf[64];
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	return strtoll(buf, NULL, 10);
}

/* /proc/cmdline without its trailing newline. */
static int read_running_cmdline(char *buf, size_t cap)
{
	int fd = open("/proc/cmdline", O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0) {
		td_log_fatal("load: cannot open /proc/cmdline: %s (is /proc mounted?)",
			     strerror(errno));
		return -1;
	}
	n = read(fd, buf, cap - 1);
	close(fd);
	if (n < 0) {
		td_log_fatal("load: reading /proc/cmdline: %s", strerror(errno));
		return -1;
	}
	while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == ' '))
		n--;
	buf[n] = '\0';
	return 0;
}

static int open_image(const char *path, const char *what, struct image *im)
{
	struct stat st;

	im->fd = open(path, O_RDONLY | O_CLOEXEC);
	if (im->fd < 0) {
		int missing_initrd = errno == ENOENT && !strncmp(path, TD_INITRD_DIR "/", strlen(TD_INITRD_DIR) + 1);

		td_log_fatal("load: cannot open %s %s: %s%s", what, path, strerror(errno),
			     missing_initrd ? "; build it with: tinydump initramfs" : "");
		return -1;
	}
	if (fstat(im->fd, &st) || !S_ISREG(st.st_mode)) {
		td_log_fatal("load: %s %s is not a regular file", what, path);
		close(im->fd);
		im->fd = -1;
		return -1;
	}
	im->bytes = (long long)st.st_size;
	return 0;
}

static int check_bzimage(const char *path, int fd, struct td_bzimage *bz)
{
	unsigned char hdr[TD_BZ_HDR_BYTES];
	const char *why = "";
	ssize_t n = pread(fd, hdr, sizeof(hdr), 0);

	if (td_bzimage_parse(hdr, n > 0 ? (size_t)n : 0, bz, &why)) {
		td_log_fatal("load: %s cannot be loaded: %s; give the kernel's "
			     "arch/x86/boot/bzImage", path, why);
		return -1;
	}
	return 0;
}

/* The capture command line into out, checked against the kernel's limit
 * so the error names the length instead of a bare EINVAL. */
static int build_cmdline(const struct load_args *a, const struct td_bzimage *bz,
			 char *out, size_t cap)
{
	char running[4096];
	struct td_err e = { { 0 } };
	size_t limit = bz->cmdline_size ? bz->cmdline_size : CMDLINE_CAP;

	if (read_running_cmdline(running, sizeof(running)))
		return -1;
	if (td_capture_cmdline(running, a->append, out, cap, &e)) {
		td_log_fatal("load: building the capture command line: %s", e.msg);
		return -1;
	}
	if (strlen(out) + 1 + ELFCOREHDR_RESERVE > limit) {
		td_log_fatal("load: the capture command line is %zu bytes; with "
			     "elfcorehdr= it exceeds the kernel's %zu: shorten "
			     "--append or the running command line", strlen(out), limit);
		return -1;
	}
	return 0;
}

static void report_failure(int err, const char *kernel, long long need)
{
	struct td_kexec_facts f = {
		.err = err,
		.root = geteuid() == 0,
		.load_disabled = (int)read_number("/proc/sys/kernel/kexec_load_disabled"),
		.crash_size = read_number("/sys/kernel/kexec_crash_size"),
		.need = need,
		.kernel = kernel,
	};
	char msg[512];

	td_kexec_explain(&f, msg, sizeof(msg));
	td_log_fatal("load: %s", msg);
}

/* "key": value, for a path or the command line; the bytes written, or cap
 * when it does not fit (so the caller's count reaches its end and stays). */
static size_t field(char *out, size_t cap, const char *key, const char *val, const char *sep)
{
	static char q[6 * PATH_MAX + 3];
	int r;

	td_json_quote(val, q, sizeof q);
	r = snprintf(out, cap, "\"%s\": %s%s", key, q, sep);
	return r < 0 || (size_t)r >= cap ? cap : (size_t)r;
}

/* TD_LOADED_FILE, written whole (a temporary file renamed over it). Only a
 * warning when it fails: the capture kernel is loaded all the same. */
static void record_load(const char *kernel, const char *initrd, const char *cmdline)
{
	static char buf[16 * PATH_MAX];
	char k[PATH_MAX], i[PATH_MAX], when[20], tmp[sizeof TD_LOADED_FILE + 4];
	struct td_err e;
	struct tm tm;
	time_t now = time(NULL);
	size_t n = 0;
	int fd, ok;

	strftime(when, sizeof when, "%Y-%m-%d-%H:%M:%S", gmtime_r(&now, &tm));
	n += (size_t)snprintf(buf, sizeof buf, "{");
	n += field(buf + n, sizeof buf - n, "kernel", realpath(kernel, k) ? k : kernel, ", ");
	n += field(buf + n, sizeof buf - n, "initrd", realpath(initrd, i) ? i : initrd, ", ");
	n += field(buf + n, sizeof buf - n, "cmdline", cmdline, ", ");
	n += field(buf + n, sizeof buf - n, "loaded_utc", when, "}\n");
	snprintf(tmp, sizeof tmp, "%s.tmp", TD_LOADED_FILE);
	ok = n < sizeof buf && td_mkdirs("/run/tinydump", &e) == 0;
	if (ok) {
		fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
		ok = fd >= 0 && td_write_all(fd, buf, n, -1) == 0;
		if (fd >= 0 && close(fd) < 0)
			ok = 0;
		ok = ok && rename(tmp, TD_LOADED_FILE) == 0;
	}
	if (!ok) {
		td_log("warning: could not record the load in %s: %s (tinydump status will not name "
		       "the files)", TD_LOADED_FILE, n >= sizeof buf ? "too long" : strerror(errno));
		unlink(tmp);
	}
}

static int do_load(const struct load_args *a, struct image *k, struct image *i)
{
	struct td_bzimage bz;
	char cmdline[CMDLINE_CAP];
	char msg[256];

	if (read_number("/sys/kernel/kexec_crash_size") == 0) {
		td_kexec_no_reservation(msg, sizeof(msg));
		td_log_fatal("load: %s", msg);
		return 1;
	}
	if (open_image(a->kernel, "kernel", k) || open_image(a->initrd, "initramfs", i) ||
	    check_bzimage(a->kernel, k->fd, &bz) ||
	    build_cmdline(a, &bz, cmdline, sizeof(cmdline)))
		return 1;
	if (syscall(SYS_kexec_file_load, k->fd, i->fd, strlen(cmdline) + 1, cmdline,
		    (unsigned long)KEXEC_FILE_ON_CRASH)) {
		report_failure(errno, a->kernel, (long long)bz.init_size + i->bytes);
		return 1;
	}
	record_load(a->kernel, a->initrd, cmdline);
	printf("tinydump: capture kernel loaded (kernel %lld bytes, initrd %lld "
	       "bytes, cmdline: %s)\n", k->bytes, i->bytes, cmdline);
	fflush(stdout);
	return 0;
}

int td_cmd_load(int argc, char **argv)
{
	struct load_args a = { 0 };
	struct image k = { -1, 0 }, i = { -1, 0 };
	int rc;

	if (parse_load_args(argc, argv, &a))
		return usage_load();
	rc = do_load(&a, &k, &i);
	if (k.fd >= 0)
		close(k.fd);
	if (i.fd >= 0)
		close(i.fd);
	return rc;
}

int td_cmd_unload(int argc, char **argv)
{
	struct td_kexec_facts f = { .kernel = "the capture kernel", .crash_size = -1,
				    .need = -1, .load_disabled = -1 };
	char msg[512];

	(void)argv;
	if (argc != 1) {
		fprintf(stderr, "usage: tinydump unload\n");
		return 2;
	}
	if (syscall(SYS_kexec_file_load, -1, -1, 0UL, NULL,
		    (unsigned long)(KEXEC_FILE_UNLOAD | KEXEC_FILE_ON_CRASH))) {
		f.err = errno;
		f.root = geteuid() == 0;
		td_kexec_explain(&f, msg, sizeof(msg));
		td_log_fatal("unload: %s", msg);
		return 1;
	}
	if (unlink(TD_LOADED_FILE) < 0 && errno != ENOENT)
		td_log("warning: could not remove %s: %s", TD_LOADED_FILE, strerror(errno));
	printf("tinydump: capture kernel unloaded\n");
	fflush(stdout);
	return 0;
}
