/* Reading mountinfo lines (mountinfo.h). A line is
 *   ID PARENT MAJ:MIN ROOT MOUNTPOINT OPTIONS [OPTIONAL...] - FSTYPE SOURCE SUPEROPTS
 * fields separated by one blank; blanks, tabs, newlines and backslashes in
 * paths are written as \ooo, so a field never holds a blank. */
#include <string.h>

#include "os/parse.h"
#include "mountinfo.h"

enum { MAX_FIELDS = 40 };

struct field {
	const char *p;
	size_t n;
};

static int octal(char c)
{
	return c >= '0' && c <= '7';
}

/* Decode the \ooo escapes of f into out; -1 when it does not fit. */
static int unescape(struct field f, char *out, size_t cap)
{
	size_t o = 0;

	for (size_t i = 0; i < f.n; i++) {
		char c = f.p[i];

		if (c == '\\' && i + 3 < f.n && octal(f.p[i + 1]) && octal(f.p[i + 2]) &&
		    octal(f.p[i + 3]) && f.p[i + 1] <= '3') {
			c = (char)((f.p[i + 1] - '0') << 6 | (f.p[i + 2] - '0') << 3 | (f.p[i + 3] - '0'));
			i += 3;
		}
		if (o + 1 >= cap)
			return -1;
		out[o++] = c;
	}
	out[o] = '\0';
	return 0;
}

/* Split line[0..n) at blanks; the number of fields (at most MAX_FIELDS). */
static size_t split(const char *line, size_t n, struct field *f)
{
	size_t k = 0, i = 0;

	while (i < n && k < MAX_FIELDS) {
		size_t j = i;

		while (j < n && line[j] != ' ')
			j++;
		f[k++] = (struct field){ line + i, j - i };
		i = j + 1;
	}
	return k;
}

static int is(struct field f, const char *s)
{
	return f.n == strlen(s) && !memcmp(f.p, s, f.n);
}

/* "MAJ:MIN" into major, minor. */
static int dev_of(struct field f, unsigned *major, unsigned *minor)
{
	const char *colon = memchr(f.p, ':', f.n);
	unsigned long ma, mi;

	if (!colon || td_dec_parse(f.p, (size_t)(colon - f.p), 0xffffffffu, &ma) < 0 ||
	    td_dec_parse(colon + 1, f.n - (size_t)(colon + 1 - f.p), 0xffffffffu, &mi) < 0)
		return -1;
	*major = (unsigned)ma, *minor = (unsigned)mi;
	return 0;
}

/* "MAJ:MIN" equals major:minor. */
static int same_dev(struct field f, unsigned major, unsigned minor)
{
	unsigned ma, mi;

	return dev_of(f, &ma, &mi) == 0 && ma == major && mi == minor;
}

/* Does this line's mount match? Fields after the "-" separator: FSTYPE SOURCE. */
static int wanted(const struct field *f, size_t k, unsigned major, unsigned minor, const char *source)
{
	size_t sep = 6;
	char src[512];

	if (k < 10 || !is(f[3], "/"))
		return 0;
	if (!source)
		return same_dev(f[2], major, minor);
	while (sep < k && !is(f[sep], "-"))
		sep++;
	return sep + 2 < k && unescape(f[sep + 2], src, sizeof src) == 0 && !strcmp(src, source);
}

int td_mountinfo_dev(const char *text, size_t len, const char *mnt, unsigned *major,
		     unsigned *minor)
{
	const char *p = text, *end = text + len;
	char at[512];
	int found = -1;

	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
		struct field f[MAX_FIELDS];
		size_t k = split(p, n, f);

		if (k >= 10 && unescape(f[4], at, sizeof at) == 0 && !strcmp(at, mnt) &&
		    dev_of(f[2], major, minor) == 0)
			found = 0;
		p += n + 1;
	}
	return found;
}

int td_mountinfo_find(const char *text, size_t len, unsigned major, unsigned minor,
		      const char *source, char *mnt, size_t cap)
{
	const char *p = text, *end = text + len;

	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
		struct field f[MAX_FIELDS];
		size_t k = split(p, n, f);

		if (wanted(f, k, major, minor, source))
			return unescape(f[4], mnt, cap);
		p += n + 1;
	}
	return -1;
}
