/* memwatch: peak anonymous memory of a command, for bench/run.sh.
 *
 *   memwatch [-i MICROSECONDS] -- COMMAND [ARGS...]
 *
 * Linux keeps a high-water mark only for the whole RSS (VmHWM: anonymous,
 * file-backed and shmem pages together, what `time -f %M` reports), not
 * for its anonymous part. So memwatch samples RssAnon from
 * /proc/PID/status every -i microseconds (default 1000) while the command
 * runs, and reads it once more at the very end: the command runs under
 * ptrace with PTRACE_O_TRACEEXIT, which stops it in exit() before its
 * address space is torn down, so the final sample and VmHWM are those of
 * the complete run. A peak that lasts less than the interval and is gone
 * by exit can be missed; the number of samples is reported so the
 * resolution is known. Only the command itself is watched, not children
 * it forks. Sampling costs memwatch about 20-40 us of CPU per sample.
 *
 * Output on stderr, after the command ends: one line
 *   memwatch: peak_anon_kb=N exit_anon_kb=N hwm_kb=N samples=N interval_us=N wall_s=X status=N
 * Exit status: the command's (128 + signal if it was killed).
 * Bench support, not product code. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static long field_kb(const char *status, const char *key)
{
	const char *p = strstr(status, key);

	return p ? strtol(p + strlen(key), NULL, 10) : -1;
}

struct watch {
	pid_t pid;
	int fd;                 /* /proc/PID/status, opened once */
	long peak_anon, exit_anon, hwm;
	unsigned long samples;
};

/* Read the status file; 0 and fill *anon (and *hwm if asked), or -1. */
static int sample(struct watch *w, long *anon, long *hwm)
{
	char buf[4096];
	ssize_t n = pread(w->fd, buf, sizeof buf - 1, 0);

	if (n <= 0)
		return -1;
	buf[n] = 0;
	*anon = field_kb(buf, "\nRssAnon:");
	if (hwm)
		*hwm = field_kb(buf, "\nVmHWM:");
	if (*anon < 0)
		return -1; /* a zombie has no memory lines */
	w->samples++;
	if (*anon > w->peak_anon)
		w->peak_anon = *anon;
	return 0;
}

static double now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static pid_t start(char **argv)
{
	pid_t pid = fork();

	if (pid == 0) {
		ptrace(PTRACE_TRACEME, 0, NULL, NULL);
		raise(SIGSTOP);
		execvp(argv[0], argv);
		fprintf(stderr, "memwatch: cannot run %s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	return pid;
}

/* Handle one ptrace stop; returns the signal to pass on. */
static int on_stop(struct watch *w, int st, int *exec_seen)
{
	long anon;

	if (st >> 8 == (SIGTRAP | PTRACE_EVENT_EXIT << 8)) {
		if (sample(w, &anon, &w->hwm) == 0)
			w->exit_anon = anon;
		return 0;
	}
	if (WSTOPSIG(st) == SIGTRAP && !*exec_seen) {
		*exec_seen = 1; /* the SIGTRAP after execve */
		return 0;
	}
	return WSTOPSIG(st);
}

static int watch(struct watch *w, long interval_us)
{
	struct timespec gap = { interval_us / 1000000, interval_us % 1000000 * 1000 };
	int st, exec_seen = 0;
	long anon;

	for (;;) {
		pid_t r = waitpid(w->pid, &st, WNOHANG | __WALL);
		if (r < 0)
			return -1;
		if (r == 0) {
			if (exec_seen)
				sample(w, &anon, NULL);
			nanosleep(&gap, NULL);
			continue;
		}
		if (WIFEXITED(st))
			return WEXITSTATUS(st);
		if (WIFSIGNALED(st))
			return 128 + WTERMSIG(st);
		ptrace(PTRACE_CONT, w->pid, NULL, (void *)(long)on_stop(w, st, &exec_seen));
	}
}

int main(int argc, char **argv)
{
	struct watch w = { 0 };
	long interval = 1000;
	char path[64];
	int st, i = 1, rc;
	double t0;

	if (i + 1 < argc && !strcmp(argv[i], "-i"))
		interval = atol(argv[i + 1]), i += 2;
	if (i < argc && !strcmp(argv[i], "--"))
		i++;
	if (i >= argc || interval < 1) {
		fprintf(stderr, "usage: memwatch [-i MICROSECONDS] -- COMMAND [ARGS...]\n");
		return 2;
	}
	t0 = now();
	w.pid = start(argv + i);
	if (w.pid < 0 || waitpid(w.pid, &st, __WALL) < 0 || !WIFSTOPPED(st)) {
		fprintf(stderr, "memwatch: cannot start %s\n", argv[i]);
		return 2;
	}
	snprintf(path, sizeof path, "/proc/%d/status", (int)w.pid);
	w.fd = open(path, O_RDONLY | O_CLOEXEC);
	if (w.fd < 0 || ptrace(PTRACE_SETOPTIONS, w.pid, NULL,
			       (void *)(long)(PTRACE_O_TRACEEXIT | PTRACE_O_EXITKILL)) < 0) {
		fprintf(stderr, "memwatch: cannot trace %s: %s\n", argv[i], strerror(errno));
		kill(w.pid, SIGKILL);
		return 2;
	}
	ptrace(PTRACE_CONT, w.pid, NULL, NULL);
	rc = watch(&w, interval);
	fprintf(stderr,
		"memwatch: peak_anon_kb=%ld exit_anon_kb=%ld hwm_kb=%ld samples=%lu interval_us=%ld "
		"wall_s=%.3f status=%d\n",
		w.peak_anon, w.exit_anon, w.hwm, w.samples, interval, now() - t0, rc);
	return rc < 0 ? 2 : rc;
}
