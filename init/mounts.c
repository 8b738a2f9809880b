/* /proc/self/mountinfo, read (mounts.h); parsed by mountinfo.c. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include "os/file.h"
#include "mountinfo.h"
#include "mounts.h"

int td_mounted(const char *dev, const char *source, char *mnt, size_t cap, struct td_err *e)
{
	enum { MAX = 1 << 20 }; /* thousands of mounts; a longer table is read in part */
	struct stat st = { 0 };
	size_t len = 0;
	char *text;
	int r;

	if (dev && stat(dev, &st) < 0)
		return td_fail(e, "%s: %s", dev, strerror(errno));
	if (dev && !S_ISBLK(st.st_mode))
		return td_fail(e, "%s is not a block device", dev);
	if (!(text = malloc(MAX)))
		return td_fail(e, "out of memory");
	/* procfs files have no size: read to the end, not to st_size */
	if (td_read_file("/proc/self/mountinfo", text, MAX, &len, e) < 0 && errno != EFBIG) {
		free(text);
		return -1;
	}
	r = td_mountinfo_find(text, len, major(st.st_rdev), minor(st.st_rdev), dev ? NULL : source,
			      mnt, cap);
	free(text);
	if (r < 0)
		return td_fail(e, "%s is not mounted on this host", dev ? dev : source);
	return 0;
}
