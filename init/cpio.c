/* newc cpio writer (cpio.h). */
#include <string.h>

#include "cpio.h"

#define CPIO_ALIGN 4

int td_cpio_data(struct td_cpio *c, const void *p, size_t n, struct td_err *e)
{
	if (n && c->put(c->ctx, p, n, e) < 0)
		return -1;
	c->off += n;
	return 0;
}

int td_cpio_pad(struct td_cpio *c, struct td_err *e)
{
	static const char zeros[CPIO_ALIGN];

	return td_cpio_data(c, zeros, (CPIO_ALIGN - c->off % CPIO_ALIGN) % CPIO_ALIGN, e);
}

/* Fields are exactly 8 upper-case hex digits. */
static void hex8(char *s, uint32_t v)
{
	static const char digits[] = "0123456789ABCDEF";

	for (int i = 7; i >= 0; i--, v >>= 4)
		s[i] = digits[v & 15];
}

static int header(struct td_cpio *c, const struct td_cpio_entry *en, const char *name,
		  size_t namelen, unsigned ino, struct td_err *e)
{
	/* ino mode uid gid nlink mtime filesize devmajor devminor rdevmajor
	 * rdevminor namesize check */
	const uint32_t f[13] = {
		ino, en->mode, en->uid, en->gid, (en->mode & 0170000) == 0040000 ? 2 : 1,
		0, (uint32_t)en->size, 0, 0, en->rmaj, en->rmin, (uint32_t)namelen + 1, 0,
	};
	char h[6 + 13 * 8];

	memcpy(h, "070701", 6);
	for (int i = 0; i < 13; i++)
		hex8(h + 6 + 8 * i, f[i]);
	if (td_cpio_data(c, h, sizeof h, e) < 0 || td_cpio_data(c, name, namelen, e) < 0 ||
	    td_cpio_data(c, "", 1, e) < 0)
		return -1;
	return td_cpio_pad(c, e);
}

int td_cpio_header(struct td_cpio *c, const struct td_cpio_entry *en, struct td_err *e)
{
	const char *name = en->name;
	size_t n;

	while (*name == '/')
		name++;
	n = strlen(name);
	while (n && name[n - 1] == '/')
		n--;
	if (!n)
		return td_fail(e, "cpio entry with an empty name (the root is implicit)");
	if (n > 4096)
		return td_fail(e, "cpio entry name of %zu bytes is too long", n);
	if (en->size > 0xffffffffu)
		return td_fail(e, "%.*s: %llu bytes is over the newc limit of 4 GiB", (int)n, name,
			       (unsigned long long)en->size);
	if (!c->next_ino)
		c->next_ino = 1;
	return header(c, en, name, n, c->next_ino++, e);
}

int td_cpio_entry(struct td_cpio *c, const struct td_cpio_entry *en, const void *data,
		  size_t n, struct td_err *e)
{
	struct td_cpio_entry x = *en;

	x.size = n;
	if (td_cpio_header(c, &x, e) < 0 || td_cpio_data(c, data, n, e) < 0)
		return -1;
	return td_cpio_pad(c, e);
}

int td_cpio_trailer(struct td_cpio *c, struct td_err *e)
{
	static const struct td_cpio_entry t = { .name = "TRAILER!!!" };

	return header(c, &t, t.name, strlen(t.name), 0, e);
}
