/* Destinations (disk, NFS, TLS) and the strict literals they are made of:
 * decimal numbers, IPv4 and IPv6 addresses, UUIDs, paths. See target.h. */
#include <string.h>

#include "cmdline.h"
#include "target.h"

/* ---- small strict scanners ---- */



static int td_isxdigit(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

/* The text of an IPv6 address as inet_pton() takes it: eight groups of
 * 1..4 hex digits, one "::" standing for one or more zero groups, and an
 * IPv4 literal in place of the last two groups. No zone ("%eth0"). */
static int td_ipv6_ok(const char *s, size_t n)
{
	size_t i = 0, start;
	int groups = 0, dc = 0;
	uint32_t v4;

	if (n >= 2 && s[0] == ':' && s[1] == ':') {
		dc = 1;
		i = 2;
	}
	while (i < n) {
		for (start = i; i < n && td_isxdigit(s[i]) && i - start < 5; i++)
			;
		if (i < n && s[i] == '.') {
			if (td_ipv4_parse(s + start, n - start, &v4) < 0)
				return 0;
			groups += 2;
			break;
		}
		if (i == start || i - start > 4)
			return 0;
		groups++;
		if (i == n)
			break;
		if (s[i++] != ':' || i == n)
			return 0;
		if (s[i] == ':') {
			if (dc)
				return 0;
			dc = 1;
			if (++i == n)
				break;
		}
	}
	return dc ? groups <= 7 : groups == 8;
}

/* 8-4-4-4-12 hex digits, either case. */
static int td_uuid_ok(const char *s)
{
	size_t i;

	if (strlen(s) != 36)
		return 0;
	for (i = 0; i < 36; i++) {
		if (i == 8 || i == 13 || i == 18 || i == 23) {
			if (s[i] != '-')
				return 0;
		} else if (!td_isxdigit(s[i])) {
			return 0;
		}
	}
	return 1;
}

/* The MBR form the kernel's root=PARTUUID= takes: SSSSSSSS-PP. */
static int td_mbr_partuuid_ok(const char *s)
{
	size_t i;

	if (strlen(s) != 11 || s[8] != '-')
		return 0;
	for (i = 0; i < 11; i++)
		if (i != 8 && !td_isxdigit(s[i]))
			return 0;
	return 1;
}

static int td_ctl(char c)
{
	return (unsigned char)c < 0x20 || c == 0x7f;
}

/* An absolute path without control characters or ".." components, that
 * fits in cap with its NUL. */
static int td_path_check(const char *s, size_t cap, struct td_err *e)
{
	const char *p;
	size_t n = strlen(s);

	if (s[0] != '/')
		return td_fail(e, "'%.60s' is not an absolute path", s);
	if (n >= cap)
		return td_fail(e, "path '%.40s...' is longer than %zu bytes", s, cap - 1);
	for (p = s; *p; p++)
		if (td_ctl(*p))
			return td_fail(e, "path '%.60s' has a control character", s);
	for (p = s; (p = strstr(p, "..")); p += 2)
		if (p[-1] == '/' && (p[2] == '/' || !p[2]))
			return td_fail(e, "path '%.60s' has a '..' component", s);
	return 0;
}

/* ---- targets ---- */

static int td_dev_name_ok(const char *s)
{
	const char *p;

	for (p = s; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		      (*p >= '0' && *p <= '9') || strchr("._+-/", *p)))
			return 0;
	return *s && p[-1] != '/';
}

static int td_dev_check(const char *d, struct td_err *e)
{
	struct td_err pe;

	if (!strncmp(d, "/dev/", 5)) {
		if (!td_dev_name_ok(d + 5) || td_path_check(d, 128, &pe) < 0)
			return td_fail(e, "device '%.60s' is not a /dev/NAME", d);
	} else if (!strncmp(d, "LABEL=", 6)) {
		if (!d[6] || strlen(d + 6) > 16)
			return td_fail(e, "label '%.60s' is not 1 to 16 bytes", d + 6);
		for (const char *p = d + 6; *p; p++)
			if (td_ctl(*p))
				return td_fail(e, "label '%.60s' has a control character", d + 6);
	} else if (!strncmp(d, "UUID=", 5)) {
		if (!td_uuid_ok(d + 5))
			return td_fail(e, "UUID '%.60s' is not 8-4-4-4-12 hex digits", d + 5);
	} else if (!strncmp(d, "PARTUUID=", 9)) {
		if (!td_uuid_ok(d + 9) && !td_mbr_partuuid_ok(d + 9))
			return td_fail(e, "PARTUUID '%.60s' is neither 8-4-4-4-12 nor SSSSSSSS-PP hex digits",
				       d + 9);
	} else {
		return td_fail(e, "device '%.60s' is not /dev/NAME, LABEL=x, UUID=x or PARTUUID=x", d);
	}
	return 0;
}

/* disk:DEVICE[:DIR]. DEVICE ends at the first ':' (labels with ':' are not
 * supported: a relative DIR typed by mistake must not become a label). */
static int td_disk_parse(struct td_target *t, const char *s, struct td_err *e)
{
	const char *colon = strchr(s, ':');
	const char *dir = colon ? colon + 1 : "/";

	if (td_arg_copy(t->dev, sizeof t->dev, s, colon ? (size_t)(colon - s) : strlen(s), e) < 0)
		return td_wrap(e, "device");
	if (td_dev_check(t->dev, e) < 0)
		return -1;
	if (td_path_check(dir, sizeof t->dir, e) < 0)
		return td_wrap(e, "directory");
	strcpy(t->dir, dir);
	return 0;
}

/* nfs:SERVER:/PATH, SERVER an IPv4 literal or [IPv6]. */
static int td_nfs_parse(struct td_target *t, const char *s, struct td_err *e)
{
	const char *end = s[0] == '[' ? strchr(s, ']') : strchr(s, ':');
	uint32_t v4;
	size_t n;

	if (s[0] == '[' && end)
		end++;
	if (!end || *end != ':')
		return td_fail(e, "'%.60s' is not SERVER:/PATH", s);
	n = (size_t)(end - s);
	if (s[0] == '[' ? !td_ipv6_ok(s + 1, n - 2) : td_ipv4_parse(s, n, &v4) < 0)
		return td_fail(e, "server '%.*s' is not an IPv4 address or [IPv6 address]",
			       (int)(n > 60 ? 60 : n), s);
	if (td_arg_copy(t->server, sizeof t->server, s, n, e) < 0)
		return td_wrap(e, "server");
	if (td_path_check(end + 1, sizeof t->path, e) < 0)
		return td_wrap(e, "NFS export");
	strcpy(t->path, end + 1);
	return 0;
}

/* tls:HOST:PORT, HOST an IPv4 literal (no DNS in the capture kernel). */
static int td_tls_parse(struct td_target *t, const char *s, struct td_err *e)
{
	const char *colon = strchr(s, ':');
	unsigned long port;
	uint32_t v4;

	if (s[0] == '[')
		return td_fail(e, "IPv6 hosts are not supported for tls yet");
	if (!colon)
		return td_fail(e, "'%.60s' is not HOST:PORT", s);
	if (td_ipv4_parse(s, (size_t)(colon - s), &v4) < 0)
		return td_fail(e, "host '%.*s' is not an IPv4 address", (int)(colon - s > 60 ? 60 : colon - s),
			       s);
	if (td_dec_parse(colon + 1, strlen(colon + 1), 65535, &port) < 0 || !port)
		return td_fail(e, "port '%.20s' is not a number from 1 to 65535", colon + 1);
	memcpy(t->host, s, (size_t)(colon - s)); /* at most 15 bytes: checked above */
	t->host[colon - s] = '\0';
	t->port = (uint16_t)port;
	return 0;
}

int td_target_parse(struct td_target *t, const char *spec, struct td_err *e)
{
	memset(t, 0, sizeof *t);
	if (td_arg_copy(t->spec, sizeof t->spec, spec, strlen(spec), e) < 0)
		return -1;
	if (!strncmp(spec, "disk:", 5)) {
		t->kind = TD_TGT_DISK;
		return td_disk_parse(t, spec + 5, e);
	}
	if (!strncmp(spec, "nfs:", 4)) {
		t->kind = TD_TGT_NFS;
		return td_nfs_parse(t, spec + 4, e);
	}
	if (!strncmp(spec, "tls:", 4)) {
		t->kind = TD_TGT_TLS;
		return td_tls_parse(t, spec + 4, e);
	}
	return td_fail(e, "'%.60s' is not disk:DEVICE[:DIR], nfs:SERVER:/PATH or tls:HOST:PORT", spec);
}
