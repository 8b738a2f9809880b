/* workload: test-only helper for the crashing system in QEMU tests.
 *
 *   workload fill [ANON_MIB] [DATADIR]
 *	Leaves every page class the dump filter must handle in memory, then
 *	keeps it alive in a background process until the machine dies:
 *	anonymous pages (recognisable pattern, random, zero-filled), tmpfs file
 *	data, ext4 page cache with buffer heads (a file written and synced in
 *	DATADIR), hugetlb pages (in use and free in the pool), a transparent
 *	huge page, and one page poisoned with MADV_HWPOISON. Free memory is
 *	whatever remains. Each step prints a "TD-MARK wl-..." line.
 *	The foreground process exits 0 once everything is in place (1 if a
 *	step that must work failed), so the caller's script can go on.
 *
 *   workload kexec KERNEL INITRD CMDLINE
 *	kexec_file_load(KEXEC_FILE_ON_CRASH) with no other logic. The saved
 *	vmcores are keyed by this file and the harness scripts only, so they
 *	must not depend on tinydump's own loader.
 *
 * Static musl binary; not part of the product. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/klog.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#define MIB (1024UL * 1024)
#define PAGE 4096UL
#define HPAGE (2 * MIB)
#define KEXEC_FILE_ON_CRASH_FLAG 0x2	/* linux/kexec.h KEXEC_FILE_ON_CRASH */

#define mark(...) do { printf("TD-MARK wl-" __VA_ARGS__); putchar('\n'); \
	fflush(stdout); } while (0)

static uint64_t rng = 0x9e3779b97f4a7c15ULL;

/* xorshift64*: incompressible enough for zlib, and cheap under TCG. */
static uint64_t next_rand(void)
{
	rng ^= rng >> 12;
	rng ^= rng << 25;
	rng ^= rng >> 27;
	return rng * 0x2545f4914f6cdd1dULL;
}

static void *map_anon(size_t len, int extra)
{
	void *p = mmap(NULL, len, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | extra, -1, 0);

	return p == MAP_FAILED ? NULL : p;
}

/* Each page starts with "TDWL <what> page N" and repeats it to the end, so a
 * page can be recognised in a dump by its first bytes. */
static void fill_pattern(char *p, size_t len, const char *what)
{
	size_t off, i, n;
	char tag[64];

	for (off = 0; off < len; off += PAGE) {
		n = (size_t)snprintf(tag, sizeof(tag), "TDWL %s page %zu\n",
				     what, off / PAGE);
		for (i = 0; i < PAGE; i++)
			p[off + i] = tag[i % n];
	}
}

static void fill_random(char *p, size_t len)
{
	uint64_t *q = (uint64_t *)(void *)p;
	size_t i;

	for (i = 0; i < len / 8; i++)
		q[i] = next_rand();
}

/* Anonymous memory: 3/8 pattern, 1/2 random, 1/8 written then zeroed (real
 * zero-filled pages, not the shared zero page). Small pages: MADV_NOHUGEPAGE
 * comes before the first touch (THP=always would otherwise fault 2 MiB pages);
 * do_thp() provides the huge ones. */
static int do_anon(size_t mib)
{
	size_t len = mib * MIB, pat = len / 8 * 3, rnd = len / 2;
	char *p = map_anon(len, 0);

	if (!p) {
		mark("anon FAILED mmap %zu MiB: %s", mib, strerror(errno));
		return -1;
	}
	madvise(p, len, MADV_NOHUGEPAGE);
	fill_pattern(p, pat, "anon");
	fill_random(p + pat, rnd);
	memset(p + pat + rnd, 0xa5, len - pat - rnd);
	memset(p + pat + rnd, 0, len - pat - rnd);
	mark("anon va=%p mib=%zu pattern=%zu random=%zu zero=%zu", (void *)p,
	     mib, pat / MIB, rnd / MIB, (len - pat - rnd) / MIB);
	return 0;
}

static int write_file(const char *path, size_t len, int sync)
{
	char *buf = malloc(MIB);
	size_t done;
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);

	if (fd < 0 || !buf) {
		free(buf);
		if (fd >= 0)
			close(fd);
		return -1;
	}
	for (done = 0; done < len; done += MIB) {
		fill_pattern(buf, MIB / 2, path);
		fill_random(buf + MIB / 2, MIB / 2);
		if (write(fd, buf, MIB) != (ssize_t)MIB)
			break;
	}
	free(buf);
	if (done < len || (sync && fsync(fd)) || close(fd))
		return -1;
	return 0;
}

/* tmpfs file data: shmem pages that are page cache, not anonymous memory. */
static int do_tmpfs(void)
{
	mkdir("/wl-tmpfs", 0755);
	if (mount("wl", "/wl-tmpfs", "tmpfs", 0, "size=64m")) {
		mark("tmpfs FAILED mount: %s", strerror(errno));
		return -1;
	}
	if (write_file("/wl-tmpfs/data", 16 * MIB, 0)) {
		mark("tmpfs FAILED write: %s", strerror(errno));
		return -1;
	}
	mark("tmpfs file=/wl-tmpfs/data mib=16");
	return 0;
}

/* ext4 buffered writes attach buffer heads to the page (PG_private); after
 * fsync the pages stay cached, clean, with their buffers. */
static int do_pagecache(const char *dir)
{
	char path[256];

	snprintf(path, sizeof(path), "%s/written-by-workload", dir);
	if (write_file(path, 8 * MIB, 1)) {
		mark("pagecache FAILED writing %s: %s", path, strerror(errno));
		return -1;
	}
	mark("pagecache file=%s mib=8 synced=yes", path);
	return 0;
}

static int write_str(const char *path, const char *s)
{
	int fd = open(path, O_WRONLY);
	ssize_t n = -1;

	if (fd >= 0) {
		n = write(fd, s, strlen(s));
		close(fd);
	}
	return n == (ssize_t)strlen(s) ? 0 : -1;
}

/* Pool of 8 huge pages, 4 of them mapped and touched: both in-use and free
 * hugetlb pages end up in the dump. */
static int do_hugetlb(void)
{
	size_t len = 4 * HPAGE;
	char *p;

	if (write_str("/proc/sys/vm/nr_hugepages", "8\n")) {
		mark("hugetlb FAILED setting nr_hugepages: %s", strerror(errno));
		return -1;
	}
	p = map_anon(len, MAP_HUGETLB);
	if (!p) {
		mark("hugetlb FAILED mmap: %s", strerror(errno));
		return -1;
	}
	fill_pattern(p, len / 2, "hugetlb");
	fill_random(p + len / 2, len / 2);
	mark("hugetlb va=%p pool=8 mapped=4 size=2M", (void *)p);
	return 0;
}

/* AnonHugePages of this process in KiB from /proc/self/smaps_rollup, or -1
 * when the kernel has no page monitor. */
static long anon_huge_kib(void)
{
	char line[256];
	long kib = -1;
	FILE *f = fopen("/proc/self/smaps_rollup", "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "AnonHugePages: %ld kB", &kib) == 1)
			break;
	fclose(f);
	return kib;
}

/* A 2 MiB-aligned region with MADV_HUGEPAGE, touched from its first byte so
 * the fault can be served by one huge page. Without madvise (a kernel with
 * no CONFIG_ADVISE_SYSCALLS) THP=always still applies. */
static int do_thp(void)
{
	size_t len = 3 * HPAGE;
	char *raw = map_anon(len, 0), *p;
	long before = anon_huge_kib();

	if (!raw) {
		mark("thp FAILED mmap: %s", strerror(errno));
		return -1;
	}
	p = (char *)(((uintptr_t)raw + HPAGE - 1) & ~(HPAGE - 1));
	if (madvise(p, HPAGE, MADV_HUGEPAGE))
		mark("thp WARNING madvise(MADV_HUGEPAGE): %s", strerror(errno));
	fill_pattern(p, HPAGE, "thp");
	mark("thp va=%p size=2M anon_huge_kib_before=%ld after=%ld", (void *)p,
	     before, anon_huge_kib());
	return 0;
}

/* Physical frame of a mapped page from /proc/self/pagemap (bits 0-54), or 0
 * when pagemap is not built in or hides frames. */
static uint64_t pagemap_pfn(const void *va)
{
	uint64_t ent = 0;
	int fd = open("/proc/self/pagemap", O_RDONLY);

	if (fd < 0)
		return 0;
	if (pread(fd, &ent, 8, (off_t)((uintptr_t)va / PAGE * 8)) != 8)
		ent = 0;
	close(fd);
	if (!(ent >> 63))
		return 0;
	return ent & ((1ULL << 55) - 1);
}

/* The kernel logs "Memory failure: 0xPFN: ..." for every poisoned page; take
 * the last such pfn from the log ring (needed when pagemap is absent). */
static uint64_t klog_pfn(void)
{
	static char buf[1 << 17];
	int n = klogctl(3, buf, sizeof(buf) - 1);	/* SYSLOG_ACTION_READ_ALL */
	uint64_t pfn = 0;
	char *s;

	if (n <= 0)
		return 0;
	buf[n] = '\0';
	for (s = buf; (s = strstr(s, "Memory failure: 0x")); s++)
		pfn = strtoull(s + 16, NULL, 16);
	return pfn;
}

/* One ordinary 4 KiB anonymous page, filled, then poisoned, in a child of
 * its own: from 6.12 on the kernel answers MADV_HWPOISON of a mapped page
 * by killing its owner with SIGBUS, and the owner must not be the process
 * holding the rest of the workload's memory. The child sends the page's
 * pfn (read before the poison) and its errno through a pipe; it ends with
 * status 0 or by SIGBUS when the page was poisoned. */
struct poisoned {
	uint64_t pfn;
	int err;
};

static int do_hwpoison(void)
{
	struct poisoned r = { 0, 0 };
	int fds[2], st;
	pid_t pid;

	if (pipe(fds) || (pid = fork()) < 0) {
		mark("hwpoison FAILED pipe/fork: %s", strerror(errno));
		return -1;
	}
	if (pid == 0) {
		char *p = map_anon(PAGE, 0);
		close(fds[0]);
		if (!p)
			_exit(3);
		madvise(p, PAGE, MADV_NOHUGEPAGE);
		fill_pattern(p, PAGE, "hwpoison");
		r.pfn = pagemap_pfn(p);
		r.err = madvise(p, PAGE, MADV_HWPOISON) ? errno : 0;
		if (write(fds[1], &r, sizeof r) != (ssize_t)sizeof r)
			_exit(3);
		_exit(r.err ? 2 : 0);
	}
	close(fds[1]);
	/* Killed before it could write: the pfn comes from the kernel log. */
	if (read(fds[0], &r, sizeof r) != (ssize_t)sizeof r)
		r = (struct poisoned){ 0, 0 };
	close(fds[0]);
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	if (!((WIFEXITED(st) && WEXITSTATUS(st) == 0) || (WIFSIGNALED(st) && WTERMSIG(st) == SIGBUS))) {
		mark("hwpoison FAILED madvise(MADV_HWPOISON): %s%s", strerror(r.err),
		     r.err == ENOSYS ? " (kernel lacks CONFIG_ADVISE_SYSCALLS)" : "");
		return -1;
	}
	if (!r.pfn)
		r.pfn = klog_pfn();
	if (r.pfn)
		mark("hwpoison pfn=0x%llx", (unsigned long long)r.pfn);
	else
		mark("hwpoison pfn=unknown");
	return 0;
}

/* The child builds the memory and stays alive; the parent returns as soon
 * as the child reports through the pipe, with the child's verdict. */
static int fill(size_t anon_mib, const char *datadir)
{
	int fds[2], bad = 0;
	char verdict = 1;
	pid_t pid;

	if (pipe(fds) || (pid = fork()) < 0) {
		perror("workload: fatal: pipe/fork");
		return 1;
	}
	if (pid > 0) {
		close(fds[1]);
		if (read(fds[0], &verdict, 1) != 1)
			verdict = 1;
		return verdict;
	}
	close(fds[0]);
	setsid();
	bad |= do_anon(anon_mib);
	bad |= do_tmpfs();
	if (datadir)
		bad |= do_pagecache(datadir);
	bad |= do_hugetlb();
	bad |= do_thp();
	bad |= do_hwpoison();
	mark("done status=%s", bad ? "partial" : "complete");
	verdict = bad ? 1 : 0;
	if (write(fds[1], &verdict, 1) != 1)
		_exit(1);
	close(fds[1]);
	for (;;)
		pause();
}

static int kexec_crash(const char *kernel, const char *initrd, const char *cmdline)
{
	int kfd = open(kernel, O_RDONLY | O_CLOEXEC);
	int ifd = open(initrd, O_RDONLY | O_CLOEXEC);

	if (kfd < 0 || ifd < 0) {
		fprintf(stderr, "workload: fatal: opening %s or %s: %s\n",
			kernel, initrd, strerror(errno));
		return 1;
	}
	if (syscall(SYS_kexec_file_load, kfd, ifd, strlen(cmdline) + 1,
		    cmdline, KEXEC_FILE_ON_CRASH_FLAG)) {
		fprintf(stderr, "workload: fatal: kexec_file_load %s: %s\n",
			kernel, strerror(errno));
		return 1;
	}
	mark("kexec loaded cmdline=%s", cmdline);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc >= 2 && !strcmp(argv[1], "fill") && argc <= 4)
		return fill(argc > 2 ? strtoul(argv[2], NULL, 10) : 64,
			    argc > 3 ? argv[3] : NULL);
	if (argc == 5 && !strcmp(argv[1], "kexec"))
		return kexec_crash(argv[2], argv[3], argv[4]);
	fprintf(stderr, "usage: workload fill [ANON_MIB] [DATADIR]\n"
		"       workload kexec KERNEL INITRD CMDLINE\n");
	return 2;
}
