/* Logging: "tinydump: ..." lines to stderr (the console when we are PID 1)
 * and, once enabled, one write per line to /dev/kmsg.
 *
 * No allocation: each line is formatted into a stack buffer and written with
 * a single write(), so lines from one process never interleave mid-line.
 *
 * The /dev/kmsg copy gets a level that keeps the kernel from echoing it to
 * the console a second time: printk shows a record on the console only when
 * its level is below console_loglevel. We use <5> (notice) when the console
 * would not show it, else <7> (debug); with loglevel=8 or ignore_loglevel
 * the line appears twice, which is harmless. The capture command line sets
 * printk.devkmsg=on, so these writes are not rate-limited. */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "file.h"
#include "log.h"

#define LINE_MAX_BYTES 1024
#define KMSG_MAX 976

static int kmsg_fd = -1;
static char kmsg_level = '5';
static int progress_open; /* a "\r" line is on the console without its "\n" */


/* console_loglevel is the first number in /proc/sys/kernel/printk. */
static char pick_kmsg_level(void)
{
	char buf[32] = { 0 };
	int fd = open("/proc/sys/kernel/printk", O_RDONLY | O_CLOEXEC);
	int lvl;

	if (fd < 0)
		return '7';
	if (read(fd, buf, sizeof buf - 1) <= 0)
		buf[0] = 0;
	close(fd);
	if (sscanf(buf, "%d", &lvl) != 1)
		return '7';
	return lvl <= 5 ? '5' : '7';
}

void td_log_kmsg(int on)
{
	if (on && kmsg_fd < 0) {
		kmsg_fd = open("/dev/kmsg", O_WRONLY | O_CLOEXEC | O_NOCTTY);
		kmsg_level = pick_kmsg_level();
	} else if (!on && kmsg_fd >= 0) {
		close(kmsg_fd);
		kmsg_fd = -1;
	}
}

/* Format "<L>tinydump: [tag]message\n" into buf; returns the offset where
 * the console text (without "<L>") starts, and the total length in *len. */
static size_t format_line(char *buf, size_t cap, size_t *len, const char *tag,
			  const char *fmt, va_list ap)
{
	int n = snprintf(buf, cap, "<%c>tinydump: %s", kmsg_level, tag);
	int m;

	if (n < 0)
		n = 0;
	m = vsnprintf(buf + n, cap - (size_t)n, fmt, ap);
	if (m < 0)
		m = 0;
	if ((size_t)(n + m) > cap - 2)
		m = (int)(cap - 2) - n; /* truncated: keep room for '\n' */
	*len = (size_t)(n + m);
	while (*len > 3 && buf[*len - 1] == '\n')
		(*len)--;
	buf[(*len)++] = '\n';
	return 3;
}

static void vlog(const char *tag, const char *fmt, va_list ap)
{
	char buf[LINE_MAX_BYTES];
	size_t len, start;
	int saved = errno;

	start = format_line(buf, sizeof buf, &len, tag, fmt, ap);
	if (progress_open) {
		(void)td_write_all(2, "\n", 1, -1);
		progress_open = 0;
	}
	(void)td_write_all(2, buf + start, len - start, -1);
	if (kmsg_fd >= 0) {
		/* /dev/kmsg refuses (EINVAL) a write over LOG_LINE_MAX (976 with
		 * PRINTK_CALLER): shorten the kernel's copy instead of losing it. */
		if (len > KMSG_MAX) {
			len = KMSG_MAX;
			buf[len - 1] = '\n';
		}
		(void)td_write_all(kmsg_fd, buf, len, -1);
	}
	errno = saved;
}

void td_log(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog("", fmt, ap);
	va_end(ap);
}

void td_log_fatal(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog("fatal: ", fmt, ap);
	va_end(ap);
}

void td_log_progress(const char *fmt, ...)
{
	char buf[LINE_MAX_BYTES];
	int n = snprintf(buf, sizeof buf, "\rtinydump: ");
	int m;
	va_list ap;
	int saved = errno;

	va_start(ap, fmt);
	m = vsnprintf(buf + n, sizeof buf - (size_t)n, fmt, ap);
	va_end(ap);
	if (m < 0)
		m = 0;
	if ((size_t)(n + m) >= sizeof buf)
		m = (int)sizeof buf - 1 - n;
	/* Pad so a shorter line fully covers the previous one. */
	while (n + m < 79 && (size_t)(n + m) < sizeof buf - 1)
		buf[n + m++] = ' ';
	(void)td_write_all(2, buf, (size_t)(n + m), -1);
	progress_open = 1;
	errno = saved;
}

void td_log_progress_end(void)
{
	if (progress_open)
		(void)td_write_all(2, "\n", 1, -1);
	progress_open = 0;
}
