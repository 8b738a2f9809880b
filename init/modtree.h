/* A kernel's modules directory (ROOT/lib/modules/R or ROOT/usr/lib/modules/R)
 * read into a td_moddb: every module file found, and modules.builtin,
 * modules.builtin.modinfo, modules.dep, modules.softdep and modules.alias
 * when present. Without modules.dep (an unpacked kernel package), each
 * module's .modinfo is read from the file itself; compressed ones through
 * xz or zstd. For `tinydump initramfs`, on the machine, not in the capture. */
#ifndef TD_MODTREE_H
#define TD_MODTREE_H

#include "os/err.h"
#include "modclosure.h"

struct td_modtree {
	char dir[512];		/* the modules directory */
	struct td_moddb db;
	int have_dep;		/* modules.dep was read */
	int have_builtin;	/* modules.builtin was read */
};

/* The modules directory of release under root: lib/modules/R, else
 * usr/lib/modules/R. -1 with a message when neither exists. */
int td_modtree_dir(const char *root, const char *release, char *dir, size_t cap, struct td_err *e);

int td_modtree_open(struct td_modtree *t, const char *dir, struct td_err *e);
void td_modtree_close(struct td_modtree *t);

#endif
