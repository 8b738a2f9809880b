/* Module closure (modclosure.h). Names are compared with '-' and '_'
 * alike, as the kernel and kmod do. */
#include <stdio.h>
#include <string.h>

#include "modclosure.h"
#include "modinfo.h"

static int same_name(const char *a, const char *b, size_t bn)
{
	size_t i;

	for (i = 0; i < bn && a[i]; i++)
		if (a[i] != b[i] && !((a[i] == '-' || a[i] == '_') && (b[i] == '-' || b[i] == '_')))
			return 0;
	return i == bn && !a[i];
}

int td_modname(const char *path, char *name, size_t cap)
{
	static const char *const ext[] = { ".ko.xz", ".ko.zst", ".ko.gz", ".ko" };
	const char *b = strrchr(path, '/');
	size_t n;

	b = b ? b + 1 : path;
	n = strlen(b);
	for (size_t i = 0; i < sizeof ext / sizeof ext[0]; i++) {
		size_t el = strlen(ext[i]);

		if (n >= el && !strcmp(b + n - el, ext[i])) {
			n -= el;
			break;
		}
	}
	if (!n || n >= cap)
		return -1;
	for (size_t i = 0; i < n; i++)
		name[i] = b[i] == '-' ? '_' : b[i];
	name[n] = '\0';
	return 0;
}

static int find_n(const struct td_moddb *db, const char *name, size_t n)
{
	for (unsigned i = 0; i < db->n; i++)
		if (same_name(db->mod[i].name, name, n))
			return (int)i;
	return -1;
}

int td_moddb_find(const struct td_moddb *db, const char *name)
{
	return find_n(db, name, strlen(name));
}

/* The module named name, added (with no path) when new. */
static int named(struct td_moddb *db, const char *name, size_t n, struct td_err *e)
{
	int i = find_n(db, name, n);
	struct td_mod *m;

	if (i >= 0)
		return i;
	if (db->n == db->cap)
		return td_fail(e, "more than %u modules", db->cap);
	if (!n || n >= TD_MOD_NAME)
		return td_fail(e, "module name '%.*s' empty or too long", (int)(n > 64 ? 64 : n), name);
	m = &db->mod[db->n];
	memset(m, 0, sizeof *m);
	for (size_t k = 0; k < n; k++)
		m->name[k] = name[k] == '-' ? '_' : name[k];
	return (int)db->n++;
}

int td_moddb_add(struct td_moddb *db, const char *path, struct td_err *e)
{
	char name[TD_MOD_NAME];
	int i;

	if (td_modname(path, name, sizeof name) < 0)
		return td_fail(e, "%s: not a module file name", path);
	if ((i = named(db, name, strlen(name), e)) < 0)
		return -1;
	if (!db->mod[i].path[0]) {
		if (strlen(path) >= sizeof db->mod[i].path)
			return td_fail(e, "%s: path too long", path);
		strcpy(db->mod[i].path, path);
	}
	return i;
}

/* Append word w[0..n) to the blank-separated list s of size cap. */
static int append(char *s, size_t cap, const char *w, size_t n, const char *what, struct td_err *e)
{
	size_t len = strlen(s);

	if (len + (len > 0) + n + 1 > cap)
		return td_fail(e, "%s list longer than %zu bytes", what, cap - 1);
	if (len)
		s[len++] = ' ';
	memcpy(s + len, w, n);
	s[len + n] = '\0';
	return 0;
}

/* Walk the lines of text; fn gets each non-empty one without its '\n'. */
static int lines(struct td_moddb *db, const char *text, size_t n, const char *file,
		 int (*fn)(struct td_moddb *, const char *, size_t, struct td_err *), struct td_err *e)
{
	unsigned no = 0;

	for (const char *p = text, *end = text + n; p < end; no++) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t len = nl ? (size_t)(nl - p) : (size_t)(end - p);

		if (len && *p != '#' && fn(db, p, len, e) < 0)
			return td_wrap(e, "%s line %u", file, no + 1);
		p += len + 1;
	}
	return 0;
}

/* The next blank-separated word of s[*pos..n), or 0 at the end. */
static size_t word(const char *s, size_t n, size_t *pos, const char **w)
{
	size_t i = *pos, start;

	while (i < n && (s[i] == ' ' || s[i] == '\t' || s[i] == ','))
		i++;
	start = i;
	while (i < n && s[i] != ' ' && s[i] != '\t' && s[i] != ',')
		i++;
	*pos = i;
	*w = s + start;
	return i - start;
}

static int builtin_line(struct td_moddb *db, const char *s, size_t n, struct td_err *e)
{
	char path[192], name[TD_MOD_NAME];
	int i;

	if (n >= sizeof path)
		return td_fail(e, "path too long");
	memcpy(path, s, n);
	path[n] = '\0';
	if (td_modname(path, name, sizeof name) < 0)
		return td_fail(e, "'%s' is not a module path", path);
	if ((i = named(db, name, strlen(name), e)) < 0)
		return -1;
	db->mod[i].builtin = 1;
	db->mod[i].known = 1;
	return 0;
}

int td_moddb_builtin(struct td_moddb *db, const char *text, size_t n, struct td_err *e)
{
	return lines(db, text, n, "modules.builtin", builtin_line, e);
}

/* An alias with wildcards matches devices, not names: not kept. */
static int add_alias(struct td_mod *m, const char *a, size_t n, struct td_err *e)
{
	if (!n || memchr(a, '*', n) || memchr(a, '?', n) || memchr(a, '[', n) || memchr(a, ':', n))
		return 0;
	if (strlen(m->alias) + n + 2 > sizeof m->alias)
		return 0;	/* a module with many aliases: the rest are device ids */
	return append(m->alias, sizeof m->alias, a, n, "alias", e);
}

int td_moddb_builtin_modinfo(struct td_moddb *db, const char *text, size_t n, struct td_err *e)
{
	size_t pos = 0;

	while (pos < n) {
		const char *s = text + pos, *end = memchr(s, '\0', n - pos), *dot, *eq;
		size_t len = end ? (size_t)(end - s) : n - pos;
		int i;

		pos += len + 1;
		dot = memchr(s, '.', len);
		eq = dot ? memchr(dot, '=', len - (size_t)(dot - s)) : NULL;
		if (!eq)
			return td_fail(e, "modules.builtin.modinfo: entry '%.40s' is not name.key=value", s);
		if ((size_t)(eq - dot) != sizeof "alias" || memcmp(dot + 1, "alias", 5))
			continue;
		if ((i = named(db, s, (size_t)(dot - s), e)) < 0)
			return td_wrap(e, "modules.builtin.modinfo");
		db->mod[i].builtin = db->mod[i].known = 1;
		if (add_alias(&db->mod[i], eq + 1, len - (size_t)(eq + 1 - s), e) < 0)
			return -1;
	}
	return 0;
}

static int dep_line(struct td_moddb *db, const char *s, size_t n, struct td_err *e)
{
	const char *colon = memchr(s, ':', n), *w;
	char path[192], name[TD_MOD_NAME];
	size_t pos, wn;
	int i;

	if (!colon || (size_t)(colon - s) >= sizeof path)
		return td_fail(e, "expected 'PATH: DEPENDENCY ...'");
	memcpy(path, s, (size_t)(colon - s));
	path[colon - s] = '\0';
	if ((i = td_moddb_add(db, path, e)) < 0)
		return -1;
	db->mod[i].known = 1;
	for (pos = (size_t)(colon + 1 - s); (wn = word(s, n, &pos, &w));) {
		char dp[192];

		if (wn >= sizeof dp)
			return td_fail(e, "dependency path too long");
		memcpy(dp, w, wn);
		dp[wn] = '\0';
		if (td_modname(dp, name, sizeof name) < 0 ||
		    append(db->mod[i].deps, sizeof db->mod[i].deps, name, strlen(name), "dependency", e) < 0)
			return td_fail(e, "bad dependency '%s' of %s", dp, path);
		if (td_moddb_add(db, dp, e) < 0)
			return -1;
	}
	return 0;
}

int td_moddb_dep(struct td_moddb *db, const char *text, size_t n, struct td_err *e)
{
	return lines(db, text, n, "modules.dep", dep_line, e);
}

/* "pre: A B post: C" into m's pre and post lists. */
static int softdeps(struct td_mod *m, const char *s, size_t n, struct td_err *e)
{
	char *list = NULL;
	size_t pos = 0, wn, cap = 0;
	const char *w;

	while ((wn = word(s, n, &pos, &w))) {
		if (wn == 4 && !memcmp(w, "pre:", 4))
			list = m->pre, cap = sizeof m->pre;
		else if (wn == 5 && !memcmp(w, "post:", 5))
			list = m->post, cap = sizeof m->post;
		else if (!list)
			continue;	/* kmod ignores words before pre:/post: too ("softdep cifs gcm") */
		else if (append(list, cap, w, wn, "softdep", e) < 0)
			return -1;
	}
	return 0;
}

static int softdep_line(struct td_moddb *db, const char *s, size_t n, struct td_err *e)
{
	size_t pos = 0, wn;
	const char *w;
	int i;

	wn = word(s, n, &pos, &w);
	if (wn != 7 || memcmp(w, "softdep", 7) || !(wn = word(s, n, &pos, &w)))
		return td_fail(e, "expected 'softdep NAME pre: ... post: ...'");
	if ((i = named(db, w, wn, e)) < 0)
		return -1;
	return softdeps(&db->mod[i], s + pos, n - pos, e);
}

int td_moddb_softdep(struct td_moddb *db, const char *text, size_t n, struct td_err *e)
{
	return lines(db, text, n, "modules.softdep", softdep_line, e);
}

static int alias_line(struct td_moddb *db, const char *s, size_t n, struct td_err *e)
{
	size_t pos = 0, an, wn;
	const char *a, *w;
	int i;

	wn = word(s, n, &pos, &w);
	if (wn != 5 || memcmp(w, "alias", 5) || !(an = word(s, n, &pos, &a)) ||
	    !(wn = word(s, n, &pos, &w)))
		return td_fail(e, "expected 'alias PATTERN NAME'");
	if (memchr(a, '*', an) || memchr(a, '?', an) || memchr(a, '[', an) || memchr(a, ':', an))
		return 0;
	if ((i = find_n(db, w, wn)) < 0)
		return 0;	/* an alias of a module not in the tree */
	return add_alias(&db->mod[i], a, an, e);
}

int td_moddb_alias(struct td_moddb *db, const char *text, size_t n, struct td_err *e)
{
	return lines(db, text, n, "modules.alias", alias_line, e);
}

int td_moddb_modinfo(struct td_moddb *db, int i, const char *info, size_t n, struct td_err *e)
{
	struct td_mod *m = &db->mod[i];
	const char *v, *w;
	size_t pos = 0, vn, wn;

	m->deps[0] = '\0';
	if ((v = td_modinfo_next(info, n, &pos, "depends", &vn))) {
		for (size_t p = 0; (wn = word(v, vn, &p, &w));)
			if (append(m->deps, sizeof m->deps, w, wn, "dependency", e) < 0)
				return td_wrap(e, "module %s", m->name);
	}
	for (pos = 0; (v = td_modinfo_next(info, n, &pos, "softdep", &vn));)
		if (softdeps(m, v, vn, e) < 0)
			return -1;
	for (pos = 0; (v = td_modinfo_next(info, n, &pos, "alias", &vn));)
		if (add_alias(m, v, vn, e) < 0)
			return -1;
	m->known = 1;
	return 0;
}

static int has_word(const char *list, const char *w, size_t n)
{
	size_t pos = 0, wn, len = strlen(list);
	const char *x;

	while ((wn = word(list, len, &pos, &x)))
		if (wn == n && !memcmp(x, w, n))
			return 1;
	return 0;
}

/* A module or an alias: the module itself, else the alias's holder (a
 * built-in one first, else the first by name, so crc32c is crc32c_generic
 * rather than the CPU-specific crc32c_intel). -2 when nothing has it. */
static int by_alias(const struct td_moddb *db, const char *name, size_t n)
{
	int best = -1;

	for (unsigned i = 0; i < db->n; i++) {
		const struct td_mod *m = &db->mod[i];

		if ((!m->path[0] && !m->builtin) || !has_word(m->alias, name, n))
			continue;
		if (m->builtin)
			return (int)i;
		if (best < 0 || strcmp(m->name, db->mod[best].name) < 0)
			best = (int)i;
	}
	return best < 0 ? -2 : best;
}

static int resolve(struct td_moddb *db, const char *name, size_t n, struct td_err *e)
{
	int i = find_n(db, name, n);

	if (i >= 0 && (db->mod[i].path[0] || db->mod[i].builtin))
		return i;
	if ((i = by_alias(db, name, n)) >= 0 || db->all_info || !db->info)
		return i;
	if (db->info(db->ctx, db, -1, e) < 0)
		return -1;
	db->all_info = 1;
	return by_alias(db, name, n);
}

struct walk {
	int *out;
	unsigned cap, n;
};

static int visit(struct td_moddb *db, int i, struct walk *w, struct td_err *e);

/* Visit every name of list; a hard dependency that resolves to nothing is
 * an error, a soft one is skipped. */
static int visit_list(struct td_moddb *db, int from, const char *which, int hard,
		      struct walk *w, struct td_err *e)
{
	char list[512];
	size_t pos = 0, wn, len;
	const char *x;
	int r;

	/* A copy: resolve() may grow db->mod's contents, not move them, but the
	 * list is read while visits write other entries. */
	snprintf(list, sizeof list, "%s", which);
	len = strlen(list);
	while ((wn = word(list, len, &pos, &x))) {
		if ((r = resolve(db, x, wn, e)) == -1)
			return -1;
		if (r == -2 && hard)
			return td_fail(e, "%s needs %.*s, which is neither a module file nor built in",
				       db->mod[from].name, (int)wn, x);
		if (r >= 0 && visit(db, r, w, e) < 0)
			return td_wrap(e, "%s", db->mod[from].name);
	}
	return 0;
}

static int visit(struct td_moddb *db, int i, struct walk *w, struct td_err *e)
{
	struct td_mod *m = &db->mod[i];

	if (m->builtin || m->state)	/* done, or a cycle through softdeps */
		return 0;
	m->state = 1;
	if (!m->known && db->info && db->info(db->ctx, db, i, e) < 0)
		return -1;
	if (!m->path[0])
		return td_fail(e, "module %s has no file", m->name);
	if (visit_list(db, i, m->pre, 0, w, e) < 0 || visit_list(db, i, m->deps, 1, w, e) < 0)
		return -1;
	if (w->n == w->cap)
		return td_fail(e, "more than %u modules needed", w->cap);
	w->out[w->n++] = i;
	m->state = 2;
	return visit_list(db, i, m->post, 0, w, e);
}

int td_modclose(struct td_moddb *db, const char *const *want, unsigned nwant, int *out,
		unsigned cap, unsigned *nout, struct td_err *e)
{
	struct walk w = { out, cap, 0 };

	for (unsigned k = 0; k < nwant; k++) {
		int i = resolve(db, want[k], strlen(want[k]), e);

		if (i == -1)
			return -1;
		if (i == -2)
			return td_fail(e, "no module %s: neither a module file nor built in", want[k]);
		if (visit(db, i, &w, e) < 0)
			return -1;
	}
	*nout = w.n;
	return 0;
}
