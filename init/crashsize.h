/* How much memory a capture kernel needs, and a verdict on the
 * reservation (crashkernel=, /sys/kernel/kexec_crash_size) against it.
 *
 * The floors are measurements, not estimates: the smallest crashkernel=,
 * in 4 MiB steps, with which tinydump's capture of a 1 GiB guest to a
 * disk target completed (docs/STOCK-KERNELS.md, docs/MEASUREMENTS.md).
 * Below a floor the capture kernel runs out of memory while it boots. Pure. */
#ifndef TD_CRASHSIZE_H
#define TD_CRASHSIZE_H

#include <stddef.h>

/* Above a floor, what a reservation should add: network targets pack more
 * modules (8 MiB more on Debian 12 cloud with NFS), and KASLR moves the
 * floor by about one 4 MiB step. */
#define TD_CRASH_MARGIN_MIB 16

struct td_crash_floor {
	const char *release;	/* uname -r; '#' stands for one or more digits */
	const char *name;	/* "Debian 12 cloud" */
	unsigned mib;		/* the smallest crashkernel= that captured */
};

enum td_crash_verdict {
	TD_CRASH_NONE,		/* nothing reserved */
	TD_CRASH_BELOW,		/* under the floor: the capture would fail */
	TD_CRASH_TIGHT,		/* less than the margin above it */
	TD_CRASH_OK,
};

struct td_crash_need {
	enum td_crash_verdict verdict;
	const struct td_crash_floor *floor;	/* NULL: a kernel not measured */
	unsigned have_mib;			/* the reservation, rounded down */
	unsigned suggest_mib;			/* floor + margin (the largest floor's when unknown) */
	char text[480];	/* one sentence, with the fix when the verdict is not OK */
};

/* The measured floors, smallest first; *n of them. */
const struct td_crash_floor *td_crash_floors(size_t *n);

/* The floor of a kernel release, or NULL. */
const struct td_crash_floor *td_crash_floor_of(const char *release);

/* Judge a reservation of bytes for the kernel release. An unknown kernel
 * is below when under the smallest floor, tight when under the largest
 * floor plus the margin; the text lists the floors. */
void td_crash_judge(const char *release, long long bytes, struct td_crash_need *need);

#endif
