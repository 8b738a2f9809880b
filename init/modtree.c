/* Reading a modules directory (modtree.h). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "os/file.h"
#include "modinfo.h"
#include "modtree.h"

#define MAX_MODULES 16384
#define MAX_FILE (64u << 20)

/* Output of "PROG -dc < path" into malloc'd memory: xz and zstd modules. */
static char *decompress(const char *prog, const char *path, size_t *len, struct td_err *e)
{
	int p[2], status;
	size_t cap = 1 << 20, got = 0;
	char *buf = malloc(cap);
	pid_t pid;
	ssize_t n;

	if (!buf || pipe(p) < 0)
		return free(buf), td_fail(e, "%s: %s", path, strerror(errno)), NULL;
	if ((pid = fork()) == 0) {
		int in = open(path, O_RDONLY);

		if (in < 0 || dup2(in, 0) < 0 || dup2(p[1], 1) < 0)
			_exit(126);
		close(p[0]);
		execlp(prog, prog, "-dc", (char *)NULL);
		_exit(127);
	}
	close(p[1]);
	while (pid > 0 && (n = read(p[0], buf + got, cap - got)) > 0) {
		got += (size_t)n;
		if (got == cap && cap < MAX_FILE) {
			char *nb = realloc(buf, cap *= 2);

			if (!nb)
				break;
			buf = nb;
		}
	}
	close(p[0]);
	if (pid < 0 || waitpid(pid, &status, 0) < 0 || !WIFEXITED(status) || WEXITSTATUS(status)) {
		free(buf);
		return td_fail(e, "%s: '%s -dc' failed (is %s installed? or run depmod to get "
			       "modules.dep)", path, prog, prog), NULL;
	}
	*len = got;
	return buf;
}

static char *module_image(const char *path, size_t *len, struct td_err *e)
{
	size_t n = strlen(path);

	if (n > 3 && !strcmp(path + n - 3, ".xz"))
		return decompress("xz", path, len, e);
	if (n > 4 && !strcmp(path + n - 4, ".zst"))
		return decompress("zstd", path, len, e);
	if (n > 3 && !strcmp(path + n - 3, ".gz"))
		return decompress("gzip", path, len, e);
	return td_read_file_alloc(path, MAX_FILE, len, e);
}

static int info_one(struct td_modtree *t, int i, struct td_err *e)
{
	char path[1024];
	const char *info;
	size_t len, n;
	char *img;
	int r;

	snprintf(path, sizeof path, "%s/%s", t->dir, t->db.mod[i].path);
	if (!(img = module_image(path, &len, e)))
		return -1;
	r = td_modinfo_find((const uint8_t *)img, len, &info, &n, e);
	if (r == 0)
		r = td_moddb_modinfo(&t->db, i, info, n, e);
	free(img);
	return r < 0 ? td_wrap(e, "%s", path) : 0;
}

/* The db's callback: one module's .modinfo, or all of them (i == -1). */
static int info_cb(void *ctx, struct td_moddb *db, int i, struct td_err *e)
{
	struct td_modtree *t = ctx;

	if (i >= 0)
		return info_one(t, i, e);
	for (unsigned k = 0; k < db->n; k++)
		if (db->mod[k].path[0] && !db->mod[k].known && info_one(t, (int)k, e) < 0)
			return -1;
	return 0;
}

int td_modtree_dir(const char *root, const char *release, char *dir, size_t cap, struct td_err *e)
{
	static const char *const where[] = { "lib/modules", "usr/lib/modules" };
	struct stat st;

	for (size_t i = 0; i < sizeof where / sizeof where[0]; i++) {
		if ((size_t)snprintf(dir, cap, "%s/%s/%s", strcmp(root, "/") ? root : "", where[i],
				     release) >= cap)
			return td_fail(e, "module directory name too long");
		if (stat(dir, &st) == 0 && S_ISDIR(st.st_mode))
			return 0;
	}
	return td_fail(e, "no lib/modules/%s or usr/lib/modules/%s under %s", release, release, root);
}

struct names {
	char **v;
	size_t n, cap;
};

static int is_module(const char *name)
{
	static const char *const ext[] = { ".ko", ".ko.xz", ".ko.zst", ".ko.gz" };
	size_t n = strlen(name);

	for (size_t i = 0; i < sizeof ext / sizeof ext[0]; i++)
		if (n > strlen(ext[i]) && !strcmp(name + n - strlen(ext[i]), ext[i]))
			return 1;
	return 0;
}

/* Every module file under dir/rel, into names (paths relative to dir).
 * Symlinks are not followed: build and source point into headers. */
static int walk(const char *dir, const char *rel, struct names *nm, struct td_err *e)
{
	char path[1024];
	struct dirent *d;
	DIR *dp;

	snprintf(path, sizeof path, "%s%s%s", dir, *rel ? "/" : "", rel);
	if (!(dp = opendir(path)))
		return td_fail(e, "%s: %s", path, strerror(errno));
	while ((d = readdir(dp))) {
		char sub[1024];

		if (d->d_name[0] == '.')
			continue;
		snprintf(sub, sizeof sub, "%s%s%s", rel, *rel ? "/" : "", d->d_name);
		if (d->d_type == DT_DIR) {
			if (walk(dir, sub, nm, e) < 0)
				return closedir(dp), -1;
		} else if (d->d_type == DT_REG && is_module(d->d_name)) {
			if (nm->n == nm->cap) {
				char **v = realloc(nm->v, (nm->cap = nm->cap ? nm->cap * 2 : 1024) * sizeof *v);

				if (!v)
					return closedir(dp), td_fail(e, "out of memory");
				nm->v = v;
			}
			if (!(nm->v[nm->n++] = strdup(sub)))
				return closedir(dp), td_fail(e, "out of memory");
		}
	}
	closedir(dp);
	return 0;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* An optional file of the modules directory, parsed by fn; 1 when read. */
static int optional(struct td_modtree *t, const char *file,
		    int (*fn)(struct td_moddb *, const char *, size_t, struct td_err *), struct td_err *e)
{
	char path[1024];
	size_t len;
	char *text;
	int r;

	snprintf(path, sizeof path, "%s/%s", t->dir, file);
	if (access(path, F_OK) < 0)
		return 0;
	if (!(text = td_read_file_alloc(path, MAX_FILE, &len, e)))
		return -1;
	r = fn(&t->db, text, len, e);
	free(text);
	return r < 0 ? td_wrap(e, "%s", path) : 1;
}

int td_modtree_open(struct td_modtree *t, const char *dir, struct td_err *e)
{
	struct names nm = { 0 };
	int r = -1;

	memset(t, 0, sizeof *t);
	snprintf(t->dir, sizeof t->dir, "%s", dir);
	t->db.cap = MAX_MODULES;
	t->db.info = info_cb;
	t->db.ctx = t;
	if (!(t->db.mod = calloc(MAX_MODULES, sizeof *t->db.mod)))
		return td_fail(e, "out of memory");
	if (walk(dir, "", &nm, e) < 0)
		goto out;
	/* Sorted, so a name found twice keeps the same path whatever
	 * readdir's order. */
	qsort(nm.v, nm.n, sizeof *nm.v, cmp_str);
	for (size_t i = 0; i < nm.n; i++)
		if (td_moddb_add(&t->db, nm.v[i], e) < 0)
			goto out;
	if ((t->have_builtin = optional(t, "modules.builtin", td_moddb_builtin, e)) < 0 ||
	    optional(t, "modules.builtin.modinfo", td_moddb_builtin_modinfo, e) < 0 ||
	    (t->have_dep = optional(t, "modules.dep", td_moddb_dep, e)) < 0 ||
	    optional(t, "modules.softdep", td_moddb_softdep, e) < 0 ||
	    optional(t, "modules.alias", td_moddb_alias, e) < 0)
		goto out;
	if (t->have_dep)	/* modules.alias holds every exact alias */
		t->db.all_info = 1;
	r = 0;
out:
	for (size_t i = 0; i < nm.n; i++)
		free(nm.v[i]);
	free(nm.v);
	if (r < 0)
		td_modtree_close(t);
	return r;
}

void td_modtree_close(struct td_modtree *t)
{
	free(t->db.mod);
	t->db.mod = NULL;
}
