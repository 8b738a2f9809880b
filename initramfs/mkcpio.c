/* mkcpio: write a newc cpio archive to stdout from a spec on stdin.
 *
 * The spec follows the spirit of the kernel's gen_init_cpio, one entry a line:
 *   dir   PATH MODE UID GID
 *   file  PATH HOSTFILE MODE UID GID
 *   nod   PATH MODE UID GID c|b MAJ MIN
 *   slink PATH TARGET MODE UID GID
 * MODE is octal permission bits; blank lines and lines starting with '#' are
 * ignored.
 *
 * The output is deterministic: mtime is 0, inode numbers are assigned in spec
 * order starting at 1, and nothing of the host file except its bytes goes in
 * (not its mode, owner, times or inode). Same spec and same input bytes give
 * byte-identical archives, so compressed initramfs images can be cached and
 * compared. Any error names the spec line and exits 1 with no trailer
 * written, so a truncated archive is never mistaken for a good one. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "init/cpio.h"

#define MAX_FIELDS 9

static unsigned lineno;
static struct td_cpio out;

static void die(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
static void die(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "mkcpio: fatal: ");
	if (lineno)
		fprintf(stderr, "spec line %u: ", lineno);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

static int put_stdout(void *ctx, const void *p, size_t n, struct td_err *e)
{
	(void)ctx;
	if (fwrite(p, 1, n, stdout) != n)
		return td_fail(e, "writing archive to stdout: %s", strerror(errno));
	return 0;
}

static void put(const void *p, size_t n)
{
	struct td_err e;

	if (td_cpio_data(&out, p, n, &e) < 0)
		die("%s", e.msg);
}

static void pad(void)
{
	struct td_err e;

	if (td_cpio_pad(&out, &e) < 0)
		die("%s", e.msg);
}

static void put_header(const struct td_cpio_entry *en)
{
	struct td_err e;

	if (td_cpio_header(&out, en, &e) < 0)
		die("%s", e.msg);
}

static unsigned parse_num(const char *s, int base, const char *what)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, base);
	if (errno || end == s || *end || v > 0xffffffffUL || *s == '-')
		die("bad %s '%s': expected %s number", what, s,
		    base == 8 ? "an octal" : "a decimal");
	return (unsigned)v;
}

static unsigned parse_perm(const char *s)
{
	unsigned m = parse_num(s, 8, "mode");

	if (m & ~07777u)
		die("mode '%s' has bits beyond 07777; give permission bits only", s);
	return m;
}

/* Archive names are relative and have no trailing '/': "/init/" and "init"
 * both become "init". The field is trimmed in place. */
static const char *archive_name(char *path)
{
	size_t n;

	while (*path == '/')
		path++;
	n = strlen(path);
	while (n && path[n - 1] == '/')
		path[--n] = '\0';
	if (!n)
		die("empty path: the root directory is implicit");
	return path;
}

static void common(struct td_cpio_entry *en, char **f, unsigned type)
{
	en->name = archive_name(f[0]);
	en->mode = type | parse_perm(f[1]);
	en->uid = parse_num(f[2], 10, "uid");
	en->gid = parse_num(f[3], 10, "gid");
}

static void do_dir(char **f)
{
	struct td_cpio_entry en = { 0 };

	common(&en, f, S_IFDIR);
	put_header(&en);
}

static void do_nod(char **f)
{
	struct td_cpio_entry en = { 0 };
	unsigned type;

	if (!strcmp(f[4], "c"))
		type = S_IFCHR;
	else if (!strcmp(f[4], "b"))
		type = S_IFBLK;
	else
		die("device type '%s' must be c or b", f[4]);
	common(&en, f, type);
	en.rmaj = parse_num(f[5], 10, "major");
	en.rmin = parse_num(f[6], 10, "minor");
	put_header(&en);
}

static void do_slink(char **f)
{
	struct td_cpio_entry en = { 0 };
	char *g[4] = { f[0], f[2], f[3], f[4] };

	common(&en, g, S_IFLNK);
	en.size = strlen(f[1]);
	if (!en.size)
		die("empty symlink target");
	put_header(&en);
	put(f[1], en.size);
	pad();
}

/* Copies exactly the size seen by fstat; a file that changes length while it
 * is read is an error rather than a silently corrupt archive. */
static void copy_file(FILE *in, const char *host, unsigned long size)
{
	char buf[65536];
	unsigned long left = size;

	while (left) {
		size_t want = left < sizeof(buf) ? left : sizeof(buf);
		size_t got = fread(buf, 1, want, in);

		if (got != want)
			die("reading %s: %s", host, ferror(in) ?
			    strerror(errno) : "file shrank while being read");
		put(buf, got);
		left -= got;
	}
	if (fgetc(in) != EOF)
		die("reading %s: file grew while being read", host);
}

static void do_file(char **f)
{
	struct td_cpio_entry en = { 0 };
	char *g[4] = { f[0], f[2], f[3], f[4] };
	struct stat st;
	FILE *in;

	common(&en, g, S_IFREG);
	in = fopen(f[1], "rb");
	if (!in)
		die("opening host file %s: %s", f[1], strerror(errno));
	if (fstat(fileno(in), &st))
		die("stat %s: %s", f[1], strerror(errno));
	if (!S_ISREG(st.st_mode))
		die("host file %s is not a regular file", f[1]);
	if ((unsigned long long)st.st_size > 0xffffffffULL)
		die("host file %s is over 4 GiB, the newc size limit", f[1]);
	en.size = (unsigned long)st.st_size;
	put_header(&en);
	copy_file(in, f[1], en.size);
	fclose(in);
	pad();
}

struct kind {
	const char *name;
	int nfields;		/* fields after the keyword */
	void (*fn)(char **f);
	const char *usage;
};

static const struct kind kinds[] = {
	{ "dir", 4, do_dir, "dir PATH MODE UID GID" },
	{ "file", 5, do_file, "file PATH HOSTFILE MODE UID GID" },
	{ "nod", 7, do_nod, "nod PATH MODE UID GID c|b MAJ MIN" },
	{ "slink", 5, do_slink, "slink PATH TARGET MODE UID GID" },
};

/* Splits on blanks in place; returns the number of fields, or more than
 * MAX_FIELDS when there are too many to store. */
static int split(char *line, char **f)
{
	int n = 0;
	char *tok, *save;

	for (tok = strtok_r(line, " \t\r\n", &save); tok;
	     tok = strtok_r(NULL, " \t\r\n", &save)) {
		if (n == MAX_FIELDS)
			return MAX_FIELDS + 1;
		f[n++] = tok;
	}
	return n;
}

static void do_line(char *line)
{
	char *f[MAX_FIELDS];
	int n = split(line, f);
	size_t i;

	if (n == 0 || f[0][0] == '#')
		return;
	for (i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
		if (strcmp(f[0], kinds[i].name))
			continue;
		if (n - 1 != kinds[i].nfields)
			die("'%s' takes %d fields, got %d; usage: %s", f[0],
			    kinds[i].nfields, n - 1, kinds[i].usage);
		kinds[i].fn(f + 1);
		return;
	}
	die("unknown entry type '%s'; expected dir, file, nod or slink", f[0]);
}

static void put_trailer(void)
{
	struct td_err e;

	if (td_cpio_trailer(&out, &e) < 0)
		die("%s", e.msg);
}

int main(int argc, char **argv)
{
	char line[4096];

	(void)argv;
	out.put = put_stdout;
	if (argc != 1) {
		fprintf(stderr, "usage: mkcpio < SPEC > ARCHIVE.cpio\n");
		return 2;
	}
	while (fgets(line, sizeof(line), stdin)) {
		lineno++;
		if (!strchr(line, '\n') && !feof(stdin))
			die("line longer than %zu bytes", sizeof(line) - 2);
		do_line(line);
	}
	if (ferror(stdin))
		die("reading spec from stdin: %s", strerror(errno));
	lineno = 0;
	put_trailer();
	if (fflush(stdout))
		die("writing archive to stdout: %s", strerror(errno));
	return 0;
}
