/* Measured capture-kernel floors and the reservation verdict (crashsize.h). */
#include <stdio.h>
#include <string.h>

#include "crashsize.h"

/* Smallest first. The patterns do not overlap: Debian's flavours end the
 * release ("-cloud-amd64", "-amd64"; "-rt-amd64" is not measured), and the
 * test kernel (scripts/kernel.sh) has no suffix at all. */
static const struct td_crash_floor floors[] = {
	{ "6.1.#", "tinydump's test kernel", 32 },
	{ "6.12.#+deb13-cloud-amd64", "Debian 13 cloud", 64 },
	{ "6.1.0-#-cloud-amd64", "Debian 12 cloud", 72 },
	{ "6.1.0-#-amd64", "Debian 12 generic", 88 },
};
#define NFLOORS (sizeof floors / sizeof floors[0])

const struct td_crash_floor *td_crash_floors(size_t *n)
{
	*n = NFLOORS;
	return floors;
}

static int digit(char c)
{
	return c >= '0' && c <= '9';
}

/* s matches pat exactly, '#' matching one or more digits. */
static int match(const char *pat, const char *s)
{
	for (; *pat; pat++) {
		if (*pat == '#') {
			if (!digit(*s))
				return 0;
			while (digit(*s))
				s++;
		} else if (*s++ != *pat) {
			return 0;
		}
	}
	return !*s;
}

const struct td_crash_floor *td_crash_floor_of(const char *release)
{
	for (size_t i = 0; i < NFLOORS; i++)
		if (match(floors[i].release, release))
			return &floors[i];
	return NULL;
}

/* "32M (tinydump's test kernel ...), 64M (Debian 13 cloud), ..." */
static void list_floors(char *out, size_t cap)
{
	size_t len = 0;

	out[0] = '\0';
	for (size_t i = 0; i < NFLOORS && len < cap; i++)
		len += (size_t)snprintf(out + len, cap - len, "%s%uM (%s)", i ? ", " : "",
					floors[i].mib, floors[i].name);
}

static void judge_known(const char *release, const struct td_crash_floor *f,
			struct td_crash_need *n)
{
	unsigned have = n->have_mib;

	n->suggest_mib = f->mib + TD_CRASH_MARGIN_MIB;
	if (have < f->mib) {
		n->verdict = TD_CRASH_BELOW;
		snprintf(n->text, sizeof n->text, "only %u MiB reserved for the capture kernel, and "
			 "%s (%s) needed %u MiB in tests: the capture kernel would run out of memory "
			 "while it boots; fix: boot with crashkernel=%uM", have, release, f->name,
			 f->mib, n->suggest_mib);
	} else if (have < n->suggest_mib) {
		n->verdict = TD_CRASH_TIGHT;
		snprintf(n->text, sizeof n->text, "%u MiB reserved for the capture kernel, less than "
			 "%u MiB above the %u MiB %s (%s) needed in tests; network targets load more "
			 "modules; to change: crashkernel=%uM", have, TD_CRASH_MARGIN_MIB, f->mib,
			 release, f->name, n->suggest_mib);
	} else {
		n->verdict = TD_CRASH_OK;
		snprintf(n->text, sizeof n->text, "%u MiB reserved for the capture kernel "
			 "(crashkernel=); %s (%s) needed %u MiB in tests", have, release, f->name, f->mib);
	}
}

static void judge_unknown(const char *release, struct td_crash_need *n)
{
	char list[240];
	unsigned least = floors[0].mib, most = floors[NFLOORS - 1].mib;

	list_floors(list, sizeof list);
	n->suggest_mib = most + TD_CRASH_MARGIN_MIB;
	if (n->have_mib < least) {
		n->verdict = TD_CRASH_BELOW;
		snprintf(n->text, sizeof n->text, "only %u MiB reserved for the capture kernel, less "
			 "than any kernel measured needed (unknown kernel %s: measured floors are %s); "
			 "fix: boot with crashkernel=%uM", n->have_mib, release, list, n->suggest_mib);
	} else {
		char fix[64] = "";

		n->verdict = n->have_mib < n->suggest_mib ? TD_CRASH_TIGHT : TD_CRASH_OK;
		if (n->verdict == TD_CRASH_TIGHT)
			snprintf(fix, sizeof fix, "; to be safe: crashkernel=%uM", n->suggest_mib);
		snprintf(n->text, sizeof n->text, "%u MiB reserved for the capture kernel "
			 "(crashkernel=); unknown kernel %s: measured floors are %s%s", n->have_mib,
			 release, list, fix);
	}
}

void td_crash_judge(const char *release, long long bytes, struct td_crash_need *n)
{
	long long mib = bytes > 0 ? bytes / (1024 * 1024) : 0;

	memset(n, 0, sizeof *n);
	n->have_mib = mib > 0xffffff ? 0xffffff : (unsigned)mib;
	n->floor = td_crash_floor_of(release);
	if (bytes <= 0) {
		n->verdict = TD_CRASH_NONE;
		n->suggest_mib = (n->floor ? n->floor->mib : floors[NFLOORS - 1].mib) + TD_CRASH_MARGIN_MIB;
		snprintf(n->text, sizeof n->text, "no memory is reserved for a capture kernel "
			 "(kexec_crash_size=0); fix: boot with crashkernel=%uM (the package's "
			 "/etc/default/grub.d/tinydump.cfg sets it: update-grub, reboot)", n->suggest_mib);
		return;
	}
	if (n->floor)
		judge_known(release, n->floor, n);
	else
		judge_unknown(release, n);
}
