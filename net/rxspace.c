#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/statvfs.h>

#include "os/clock.h"
#include "rxspace.h"

int td_rxspace_init(struct td_rxspace *s, unsigned n)
{
	size_t len = (size_t)n * (sizeof *s->slot + sizeof *s->dir);
	uint8_t *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		return -1;
	s->slot = (uint64_t *)p;
	s->dir = (struct td_rxspace_dir *)(p + (size_t)n * sizeof *s->slot);
	s->n = n;
	return 0;
}

static uint64_t others(const struct td_rxspace *s, unsigned i)
{
	uint64_t sum = 0;

	for (unsigned j = 0; j < s->n; j++)
		if (j != i)
			sum += __atomic_load_n(&s->slot[j], __ATOMIC_SEQ_CST);
	return sum;
}

/* One try: 0, -1 refused (why filled), -2 statvfs failed. */
static int try_reserve(struct td_rxspace *s, unsigned i, int dirfd, uint64_t min_free,
		       uint64_t min_inodes, uint64_t bytes, unsigned files, char *why, size_t cap)
{
	struct statvfs sv;
	uint64_t avail, held;

	__atomic_store_n(&s->slot[i], bytes, __ATOMIC_SEQ_CST);
	if (fstatvfs(dirfd, &sv) < 0) {
		__atomic_store_n(&s->slot[i], 0, __ATOMIC_SEQ_CST);
		return -2;
	}
	avail = (uint64_t)sv.f_bavail * sv.f_frsize;
	held = others(s, i);
	if (sv.f_files && (uint64_t)sv.f_favail < min_inodes + files) {
		snprintf(why, cap, "refused: free inodes would fall below --min-free-inodes (%llu free, "
			 "minimum %llu)", (unsigned long long)sv.f_favail, (unsigned long long)min_inodes);
	} else if (avail < min_free || avail - min_free < held || avail - min_free - held < bytes) {
		snprintf(why, cap, "refused: free space would fall below --min-free (%llu bytes free, "
			 "%llu reserved by other uploads, %llu needed now, minimum %llu)",
			 (unsigned long long)avail, (unsigned long long)held, (unsigned long long)bytes,
			 (unsigned long long)min_free);
	} else {
		return 0;
	}
	__atomic_store_n(&s->slot[i], 0, __ATOMIC_SEQ_CST);
	return -1;
}

int td_rxspace_reserve(struct td_rxspace *s, unsigned i, int dirfd, uint64_t min_free,
		       uint64_t min_inodes, uint64_t bytes, unsigned files, char *why, size_t cap)
{
	int r = try_reserve(s, i, dirfd, min_free, min_inodes, bytes, files, why, cap);

	if (r == -1) {
		td_sleep_ms(50);
		r = try_reserve(s, i, dirfd, min_free, min_inodes, bytes, files, why, cap);
	}
	return r;
}

/* The name is written while named is 0 and published with a release
 * store; a reader that loads named 1 (acquire) sees the whole name. A
 * slot is named again only after its process was reaped and the slot
 * given to a new upload, whose directory is new: a reader racing with
 * that sees a torn name, which matches no directory it is asking about
 * (those it saw with a vmcore file, made after the publication). */
void td_rxspace_set_dir(struct td_rxspace *s, unsigned i, const char *name)
{
	if (!s->dir || i >= s->n)
		return;
	/* Named again with the next name an upload tries: unpublished
	 * meanwhile, which is safe as no directory has that name yet. */
	__atomic_store_n(&s->dir[i].named, 0, __ATOMIC_SEQ_CST);
	snprintf(s->dir[i].name, sizeof s->dir[i].name, "%s", name);
	__atomic_store_n(&s->dir[i].named, 1, __ATOMIC_SEQ_CST);
}

int td_rxspace_busy(const struct td_rxspace *s, const char *name)
{
	char copy[TD_RXSPACE_DIR_MAX];

	for (unsigned i = 0; s->dir && i < s->n; i++) {
		if (!__atomic_load_n(&s->dir[i].named, __ATOMIC_SEQ_CST))
			continue;
		memcpy(copy, s->dir[i].name, sizeof copy);
		copy[sizeof copy - 1] = 0;
		if (!strcmp(copy, name))
			return 1;
	}
	return 0;
}

void td_rxspace_release(struct td_rxspace *s, unsigned i)
{
	if (s->slot && i < s->n)
		__atomic_store_n(&s->slot[i], 0, __ATOMIC_SEQ_CST);
	if (s->dir && i < s->n)
		__atomic_store_n(&s->dir[i].named, 0, __ATOMIC_SEQ_CST);
}
