/* Which kernel modules a capture needs, in load order: the named modules
 * closed over their dependencies (modules.dep, or depends= of each .ko's
 * .modinfo) and soft dependencies (modules.softdep, or softdep=), minus
 * what the kernel has built in (modules.builtin). Pure: the caller reads
 * the files and hands over their text; a callback reads a module's
 * .modinfo when its dependencies are not known yet. */
#ifndef TD_MODCLOSURE_H
#define TD_MODCLOSURE_H

#include <stddef.h>

#include "os/err.h"

#define TD_MOD_NAME 64

struct td_mod {
	char name[TD_MOD_NAME];	/* normalised: '-' becomes '_' */
	char path[192];		/* relative to the modules directory; "" when only builtin */
	char deps[512];		/* names, blank-separated */
	char pre[160], post[160];	/* soft dependencies: names or aliases */
	char alias[256];	/* exact aliases (no wildcards), blank-separated */
	unsigned char known;	/* deps, softdeps and aliases filled */
	unsigned char builtin;
	unsigned char state;	/* closure walk: 0 new, 1 on the path, 2 done */
};

struct td_moddb {
	struct td_mod *mod;	/* caller-owned array of cap entries */
	unsigned n, cap;
	/* Fill db->mod[i] (set known) from the module's .modinfo, or with
	 * i == -1 every module's, to resolve an alias. 0, or -1 with e. */
	int (*info)(void *ctx, struct td_moddb *db, int i, struct td_err *e);
	void *ctx;
	int all_info;		/* info(-1) done */
};

/* The module name of a path: basename without .ko[.xz|.zst|.gz], '-' as '_'. */
int td_modname(const char *path, char *name, size_t cap);

/* Index of the module named name ('-' and '_' alike), or -1. */
int td_moddb_find(const struct td_moddb *db, const char *name);

/* Add the module at path (relative to the modules directory); a name
 * already present keeps its first path. Returns its index, or -1. */
int td_moddb_add(struct td_moddb *db, const char *path, struct td_err *e);

/* Parse the texts of modules.builtin ("kernel/fs/ext4/ext4.ko" lines),
 * modules.builtin.modinfo ("name.alias=value" NUL-separated), modules.dep
 * ("path: dep-path ...") and modules.softdep ("softdep NAME pre: A post: B")
 * into db. Unknown lines are errors naming the line. */
int td_moddb_builtin(struct td_moddb *db, const char *text, size_t n, struct td_err *e);
int td_moddb_builtin_modinfo(struct td_moddb *db, const char *text, size_t n, struct td_err *e);
int td_moddb_dep(struct td_moddb *db, const char *text, size_t n, struct td_err *e);
int td_moddb_softdep(struct td_moddb *db, const char *text, size_t n, struct td_err *e);
/* modules.alias: "alias PATTERN NAME"; exact patterns only. */
int td_moddb_alias(struct td_moddb *db, const char *text, size_t n, struct td_err *e);

/* Fill mod i from its .modinfo text (depends=, softdep=, alias=). */
int td_moddb_modinfo(struct td_moddb *db, int i, const char *info, size_t n, struct td_err *e);

/* The closure of the nwant names in load order: out[] gets indices into
 * db->mod, each after everything it depends on. Built-in modules are left
 * out, as are soft dependencies that name nothing this kernel has (modprobe
 * does the same).
 * A wanted name that is neither a module nor built in is an error. */
int td_modclose(struct td_moddb *db, const char *const *want, unsigned nwant, int *out,
		unsigned cap, unsigned *nout, struct td_err *e);

#endif
