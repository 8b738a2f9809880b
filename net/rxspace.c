#include <errno.h>
#include <stdio.h>
#include <sys/mman.h>
#include <sys/statvfs.h>

#include "os/clock.h"
#include "rxspace.h"

int td_rxspace_init(struct td_rxspace *s, unsigned n)
{
	void *p = mmap(NULL, (size_t)n * sizeof *s->slot, PROT_READ | PROT_WRITE,
		       MAP_SHARED | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		return -1;
	s->slot = p;
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

void td_rxspace_release(struct td_rxspace *s, unsigned i)
{
	if (s->slot && i < s->n)
		__atomic_store_n(&s->slot[i], 0, __ATOMIC_SEQ_CST);
}
