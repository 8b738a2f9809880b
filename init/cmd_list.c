/* `tinydump list DIR [--by signature] [--json]`: the dumps in a receiver's
 * or a disk target's directory, one line each, or grouped by crash
 * signature. What a dump is comes from the files themselves (vmcore or
 * vmcore.incomplete); who and when from receiver.json when the receiver
 * wrote one (it is the receiver's own record), else from the first 4 KiB of
 * tinydump.json, where our writer puts those keys. Fast at 100,000 dumps:
 * two small reads and two stats per directory. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "os/dumpdir.h"
#include "os/json.h"
#include "os/log.h"
#include "commands.h"

enum { HEAD_BYTES = 4096 };

struct dump {
	char name[128];
	char node[65], release[65], when[24], sig[24];
	unsigned long long size;
	int complete;
};

/* Up to HEAD_BYTES of dir/file into buf; bytes read, or -1. */
static ssize_t head(int dirfd, const char *file, char *buf)
{
	int fd = openat(dirfd, file, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = read(fd, buf, HEAD_BYTES);
	close(fd);
	return n;
}

/* "1700000000" (receiver.json) or a stamp (tinydump.json) as the stamp. */
static void stamp(char *out, size_t cap, const char *v)
{
	char *end;
	long long t = strtoll(v, &end, 10);

	if (*v && !*end) {
		struct tm tm;
		time_t tt = (time_t)t;
		strftime(out, cap, "%Y-%m-%d-%H:%M:%S", gmtime_r(&tt, &tm));
	} else {
		snprintf(out, cap, "%s", *v ? v : "-");
	}
}

static void read_record(int dirfd, struct dump *d)
{
	char buf[HEAD_BYTES], when[32] = "", sig[sizeof d->sig] = "";
	struct td_json_field f[] = {
		{ "node", 0, d->node, sizeof d->node },
		{ "kernel_release", 0, d->release, sizeof d->release },
		{ "crash_time", 0, when, sizeof when },
		{ "signature", 0, sig, sizeof sig },
	};
	struct td_err e;
	ssize_t n = head(dirfd, "receiver.json", buf);
	int from_rx = n > 0;

	if (!from_rx)
		n = head(dirfd, "tinydump.json", buf);
	if (n <= 0 || td_json_fields(buf, (size_t)n, 1, f, 4, &e) < 0)
		f[0].type = f[1].type = f[2].type = TD_JSON_NONE;
	if (from_rx) { /* the signature is the client's record's */
		struct td_json_field s = { "signature", 0, sig, sizeof sig };
		n = head(dirfd, "tinydump.json", buf);
		if (n <= 0 || td_json_fields(buf, (size_t)n, 1, &s, 1, &e) < 0)
			sig[0] = '\0';
	}
	if (!d->node[0])
		snprintf(d->node, sizeof d->node, "-");
	if (!d->release[0])
		snprintf(d->release, sizeof d->release, "-");
	stamp(d->when, sizeof d->when, when);
	snprintf(d->sig, sizeof d->sig, "%s", sig[0] ? sig : "-");
}

static int one(int base, const char *name, struct dump *d)
{
	struct stat st;
	int dirfd = openat(base, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (dirfd < 0)
		return -1;
	memset(d, 0, sizeof *d);
	snprintf(d->name, sizeof d->name, "%s", name);
	if (fstatat(dirfd, TD_VMCORE_DONE, &st, 0) == 0) {
		d->complete = 1;
	} else if (fstatat(dirfd, TD_VMCORE_PARTIAL, &st, 0) < 0) {
		close(dirfd);
		return -1; /* not a dump directory */
	}
	d->size = (unsigned long long)st.st_size;
	read_record(dirfd, d);
	close(dirfd);
	return 0;
}

static int by_time(const void *a, const void *b)
{
	const struct dump *x = a, *y = b;
	int c = strcmp(x->when, y->when);

	return c ? c : strcmp(x->name, y->name);
}

/* Every dump directory below dir, sorted by crash time; *n of them. */
static struct dump *scan(const char *dir, size_t *n)
{
	DIR *dp = opendir(dir);
	struct dump *v = NULL;
	size_t cap = 0;
	struct dirent *de;

	*n = 0;
	if (!dp) {
		td_log_fatal("list: cannot open %s: %s", dir, strerror(errno));
		return NULL;
	}
	while ((de = readdir(dp))) {
		if (de->d_name[0] == '.' || strlen(de->d_name) >= sizeof v->name)
			continue;
		if (*n == cap) {
			struct dump *nv = realloc(v, (cap = cap ? 2 * cap : 256) * sizeof *v);
			if (!nv)
				break;
			v = nv;
		}
		*n += one(dirfd(dp), de->d_name, &v[*n]) == 0;
	}
	closedir(dp);
	qsort(v, *n, sizeof *v, by_time);
	return v ? v : calloc(1, sizeof *v);
}

/* Text from a client may hold anything: print it safely. */
static void safe(char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x21 || (unsigned char)*s > 0x7e)
			*s = '?';
}

static void json_str(const char *k, const char *s, const char *sep)
{
	printf("\"%s\": \"", k);
	for (; *s; s++)
		if (*s == '"' || *s == '\\')
			printf("\\%c", *s);
		else if ((unsigned char)*s < 0x20 || (unsigned char)*s > 0x7e)
			printf("\\u%04x", (unsigned char)*s);
		else
			putchar(*s);
	printf("\"%s", sep);
}

static void print_dumps(const struct dump *v, size_t n, int json)
{
	if (json) {
		printf("[");
		for (size_t i = 0; i < n; i++) {
			printf("%s\n  {", i ? "," : "");
			json_str("dir", v[i].name, ", ");
			json_str("host", v[i].node, ", ");
			json_str("crash_time", v[i].when, ", ");
			json_str("kernel_release", v[i].release, ", ");
			json_str("signature", v[i].sig, ", ");
			printf("\"size\": %llu, \"complete\": %s}", v[i].size, v[i].complete ? "true" : "false");
		}
		printf("\n]\n");
		return;
	}
	printf("%-20s %-19s %-24s %-16s %12s %-10s %s\n", "HOST", "CRASH TIME (UTC)", "KERNEL",
	       "SIGNATURE", "SIZE", "STATE", "DIRECTORY");
	for (size_t i = 0; i < n; i++)
		printf("%-20s %-19s %-24s %-16s %12llu %-10s %s\n", v[i].node, v[i].when, v[i].release,
		       v[i].sig, v[i].size, v[i].complete ? "complete" : "incomplete", v[i].name);
}

static int by_sig(const void *a, const void *b)
{
	const struct dump *x = a, *y = b;
	int c = strcmp(x->sig, y->sig);

	return c ? c : by_time(a, b);
}

static int by_host(const void *a, const void *b)
{
	return strcmp(((const struct dump *)a)->node, ((const struct dump *)b)->node);
}

/* Distinct hosts of v[0..n), which this sorts by host. */
static size_t hosts(struct dump *v, size_t n)
{
	size_t h = 0;

	qsort(v, n, sizeof *v, by_host);
	for (size_t i = 0; i < n; i++)
		h += i == 0 || strcmp(v[i].node, v[i - 1].node);
	return h;
}

static void print_groups(struct dump *v, size_t n, int json)
{
	size_t a = 0, g = 0;

	qsort(v, n, sizeof *v, by_sig);
	printf(json ? "[" : "%-16s %7s %6s %-19s %-19s %s\n", "SIGNATURE", "DUMPS", "HOSTS",
	       "FIRST SEEN (UTC)", "LAST SEEN (UTC)", "LAST HOST");
	while (a < n) {
		size_t b = a;
		while (b < n && !strcmp(v[b].sig, v[a].sig))
			b++;
		char first[24], last[24], lasthost[65];
		snprintf(first, sizeof first, "%s", v[a].when);
		snprintf(last, sizeof last, "%s", v[b - 1].when);
		snprintf(lasthost, sizeof lasthost, "%s", v[b - 1].node);
		size_t h = hosts(v + a, b - a);
		if (json) {
			printf("%s\n  {", g++ ? "," : "");
			json_str("signature", v[a].sig, ", ");
			printf("\"dumps\": %zu, \"hosts\": %zu, ", b - a, h);
			json_str("first_seen", first, ", ");
			json_str("last_seen", last, ", ");
			json_str("last_host", lasthost, "}");
		} else {
			printf("%-16s %7zu %6zu %-19s %-19s %s\n", v[a].sig, b - a, h, first, last, lasthost);
		}
		a = b;
	}
	if (json)
		printf("\n]\n");
}

int td_cmd_list(int argc, char **argv)
{
	const char *dir = NULL;
	int json = 0, group = 0;
	struct dump *v;
	size_t n;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--json"))
			json = 1;
		else if (!strcmp(argv[i], "--by") && i + 1 < argc && !strcmp(argv[i + 1], "signature"))
			group = 1, i++;
		else if (argv[i][0] != '-' && !dir)
			dir = argv[i];
		else {
			td_log_fatal("list: unexpected '%s'; usage: tinydump list DIR [--by signature] [--json]",
				     argv[i]);
			return 2;
		}
	}
	if (!dir) {
		td_log_fatal("list: which directory? usage: tinydump list DIR [--by signature] [--json]");
		return 2;
	}
	if (!(v = scan(dir, &n)))
		return 1;
	for (size_t i = 0; i < n; i++) {
		safe(v[i].node);
		safe(v[i].release);
		safe(v[i].sig);
	}
	if (group)
		print_groups(v, n, json);
	else
		print_dumps(v, n, json);
	free(v);
	return 0;
}
