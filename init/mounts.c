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
	struct stat st = { 0 };
	size_t len;
	char *text;
	int r;

	if (dev && stat(dev, &st) < 0)
		return td_fail(e, "%s: %s", dev, strerror(errno));
	if (dev && !S_ISBLK(st.st_mode))
		return td_fail(e, "%s is not a block device", dev);
	if (!(text = td_read_file_alloc("/proc/self/mountinfo", 4u << 20, &len, e)))
		return -1;
	r = td_mountinfo_find(text, len, major(st.st_rdev), minor(st.st_rdev), dev ? NULL : source,
			      mnt, cap);
	free(text);
	if (r < 0)
		return td_fail(e, "%s is not mounted on this host", dev ? dev : source);
	return 0;
}
