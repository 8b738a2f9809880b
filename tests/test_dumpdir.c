/* Dump directories (os/dumpdir.c) as the receiver makes them: named with
 * vmcore.incomplete already inside, never an existing name, and never one
 * name for two writers, however many race for it. On a local filesystem
 * (RENAME_NOREPLACE); the NFS case is qemu-tests/t_rx_haproxy.sh. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "os/dumpdir.h"
#include "t.h"

#define T_SUITE "dumpdir"
#define NAME "web7-2024-01-05-10:11:12"

static char root[64];

/* A fresh, empty parent directory under root. */
static const char *parent(const char *leaf)
{
	static char p[128];

	snprintf(p, sizeof p, "%s/%s", root, leaf);
	mkdir(p, 0700);
	return p;
}

/* Entries of dir, sorted, as "a b c"; hidden ones too. */
static void entries(const char *dir, char *out, size_t cap)
{
	struct dirent **v;
	int n = scandir(dir, &v, NULL, alphasort);
	size_t o = 0;

	out[0] = 0;
	if (n < 0)
		return;
	for (int i = 0; i < n; i++) {
		if (strcmp(v[i]->d_name, ".") && strcmp(v[i]->d_name, "..") && o + 1 < cap)
			o += (size_t)snprintf(out + o, cap - o, "%s%s", o ? " " : "", v[i]->d_name);
		free(v[i]);
	}
	free(v);
}

/* Make one; its name into out. 0 or -1. */
static int make(const char *p, char *out, size_t cap)
{
	struct td_err e;
	int fd, dfd = td_dumpdir_make_with(p, NAME, TD_VMCORE_PARTIAL, &fd, NULL, out, cap, &e);

	if (dfd < 0)
		return -1;
	close(fd);
	close(dfd);
	return 0;
}

static void named_with_the_file_inside(void)
{
	const char *p = parent("a");
	char got[256], sub[300], in[256];
	struct stat st;
	struct td_err e;
	int fd, dfd = td_dumpdir_make_with(p, NAME, TD_VMCORE_PARTIAL, &fd, NULL, got, sizeof got, &e);

	T_REQUIRE(dfd >= 0 && fd >= 0, "%s", e.msg);
	T_CHECK(!strcmp(got, NAME), "named %s", got);
	T_CHECK(write(fd, "x", 1) == 1, "the file is not writable");
	close(fd);
	close(dfd);
	entries(p, in, sizeof in);
	T_CHECK(!strcmp(in, NAME), "the parent holds '%s' (a temporary directory left?)", in);
	snprintf(sub, sizeof sub, "%s/%s", p, NAME);
	entries(sub, in, sizeof in);
	T_CHECK(!strcmp(in, TD_VMCORE_PARTIAL), "the directory holds '%s'", in);
	T_CHECK(stat(sub, &st) == 0 && (st.st_mode & 0777) == TD_DUMPDIR_MODE, "mode %o", st.st_mode & 0777);
}

/* A taken name, whatever holds it (a dump, a file, an empty directory),
 * is never replaced: the next suffix is taken. */
static void taken_names_skipped(void)
{
	const char *p = parent("b");
	char path[300], got[256], in[512];

	snprintf(path, sizeof path, "%s/" NAME, p);
	mkdir(path, 0700); /* empty: a plain rename would replace it */
	snprintf(path, sizeof path, "%s/" NAME ".1", p);
	close(open(path, O_CREAT | O_WRONLY, 0600));
	snprintf(path, sizeof path, "%s/" NAME ".2", p);
	mkdir(path, 0700);
	snprintf(path, sizeof path, "%s/" NAME ".2/vmcore", p);
	close(open(path, O_CREAT | O_WRONLY, 0600));
	T_REQUIRE(make(p, got, sizeof got) == 0, "make failed");
	T_CHECK(!strcmp(got, NAME ".3"), "named %s, want " NAME ".3", got);
	snprintf(path, sizeof path, "%s/" NAME, p);
	entries(path, in, sizeof in);
	T_CHECK(!strcmp(in, ""), "the empty directory now holds '%s'", in);
	snprintf(path, sizeof path, "%s/" NAME ".2", p);
	entries(path, in, sizeof in);
	T_CHECK(!strcmp(in, "vmcore"), "the old dump now holds '%s'", in);
}

/* 8 processes make 25 directories each under one name at once: 200
 * directories NAME, NAME.1 .. NAME.199, each with its file, nothing else. */
static void racing_writers_never_share(void)
{
	const char *p = parent("c");
	char want[256], in[256], path[300];
	int bad = 0, st;

	for (int k = 0; k < 8; k++)
		if (fork() == 0) {
			char got[256];

			for (int i = 0; i < 25; i++)
				if (make(p, got, sizeof got) < 0)
					_exit(1);
			_exit(0);
		}
	while (wait(&st) > 0)
		bad += !WIFEXITED(st) || WEXITSTATUS(st) != 0;
	T_CHECK(bad == 0, "%d writers failed", bad);
	for (int n = 0; n < 200; n++) {
		snprintf(want, sizeof want, n ? NAME ".%d" : NAME, n);
		snprintf(path, sizeof path, "%s/%s", p, want);
		entries(path, in, sizeof in);
		T_CHECK(!strcmp(in, TD_VMCORE_PARTIAL), "%s holds '%s'", want, in);
	}
	snprintf(path, sizeof path, "%s/" NAME ".200", p);
	T_CHECK(access(path, F_OK) != 0, "a 201st directory");
	entries(p, in, sizeof in);
	T_CHECK(!strstr(in, ".tinydump-new"), "a temporary directory was left");
}

struct told {
	const char *parent;
	int late;       /* a name was told after this directory had it */
	char last[300]; /* the last name told */
};

static void tell(void *ctx, const char *name)
{
	struct told *t = ctx;
	char path[300], in[256];

	snprintf(path, sizeof path, "%s/%s", t->parent, name);
	entries(path, in, sizeof in);
	t->late |= !strcmp(in, TD_VMCORE_PARTIAL);
	snprintf(t->last, sizeof t->last, "%s", name);
}

/* Retention's table gets each name before the directory takes it. */
static void naming_called_before_each_try(void)
{
	struct told t = { .parent = parent("d") };
	struct td_dumpdir_naming nm = { tell, &t };
	char path[300], got[256];
	struct td_err e;
	int fd, dfd;

	snprintf(path, sizeof path, "%s/" NAME, t.parent);
	mkdir(path, 0700);
	snprintf(path, sizeof path, "%s/" NAME "/x", t.parent);
	close(open(path, O_CREAT | O_WRONLY, 0600));
	dfd = td_dumpdir_make_with(t.parent, NAME, TD_VMCORE_PARTIAL, &fd, &nm, got, sizeof got, &e);
	T_REQUIRE(dfd >= 0, "%s", e.msg);
	close(fd);
	close(dfd);
	T_CHECK(!strcmp(got, NAME ".1"), "named %s", got);
	T_CHECK(!strcmp(t.last, NAME ".1"), "last told '%s'", t.last);
	T_CHECK(!t.late, "a name was told after the directory had it");
}

static void missing_parent_named(void)
{
	char got[256];
	struct td_err e;
	int fd, dfd = td_dumpdir_make_with("/nonexistent/td", NAME, TD_VMCORE_PARTIAL, &fd, NULL, got,
					   sizeof got, &e);

	T_CHECK(dfd < 0 && fd < 0, "made a directory under /nonexistent");
	T_CHECK(strstr(e.msg, "/nonexistent/td") != NULL, "message '%s'", e.msg);
}

int main(int argc, char **argv)
{
	T_ARGS(argc, argv);
	snprintf(root, sizeof root, "/tmp/td-dumpdir.XXXXXX");
	if (!t_list && !mkdtemp(root)) {
		printf("FAIL %s/setup: mkdtemp failed\n", T_SUITE);
		return 1;
	}
	T_RUN(named_with_the_file_inside);
	T_RUN(taken_names_skipped);
	T_RUN(racing_writers_never_share);
	T_RUN(naming_called_before_each_try);
	T_RUN(missing_parent_named);
	if (!t_list) {
		char cmd[128];

		snprintf(cmd, sizeof cmd, "rm -rf %s", root);
		if (system(cmd) != 0)
			printf("    could not remove %s\n", root);
	}
	T_END();
}
