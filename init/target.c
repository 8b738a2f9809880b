/* The table of target kinds, and SPEC dispatch. See target.h. */
#include <stdio.h>
#include <string.h>

#include "cmdline.h"
#include "target.h"

static const struct td_target_kind *const kinds[] = {
	&td_target_disk,
	&td_target_nfs,
	&td_target_tls,
	&td_target_dir,
};

int td_target_parse(struct td_target *t, const char *spec, struct td_err *e)
{
	const char *colon = strchr(spec, ':');
	size_t n = colon ? (size_t)(colon - spec) : 0;

	memset(t, 0, sizeof *t);
	if (td_arg_copy(t->spec, sizeof t->spec, spec, strlen(spec), e) < 0)
		return -1;
	for (size_t i = 0; colon && i < sizeof kinds / sizeof kinds[0]; i++) {
		if (strlen(kinds[i]->prefix) == n && !memcmp(spec, kinds[i]->prefix, n)) {
			t->kind = kinds[i];
			return kinds[i]->parse(t, colon + 1, e);
		}
	}
	/* "a, b or c", from the kinds the capture kernel takes */
	char list[256] = "";
	size_t shown = 0, n_open = 0;
	for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++)
		n_open += !kinds[i]->host_only;
	for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++)
		if (!kinds[i]->host_only)
			snprintf(list + strlen(list), sizeof list - strlen(list), "%s%s",
				 !shown++ ? "" : shown == n_open ? " or " : ", ", kinds[i]->grammar);
	return td_fail(e, "'%.60s' is not %s", spec, list);
}
