/* Strict literal parsers shared by the configuration, the targets and the
 * network code. */
#include <string.h>

#include "parse.h"

int td_dec_parse(const char *s, size_t n, unsigned long max, unsigned long *out)
{
	unsigned long v = 0;
	size_t i;

	if (!n || (s[0] == '0' && n > 1))
		return -1;
	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (unsigned long)(s[i] - '0');
		if (v > max)
			return -1;
	}
	*out = v;
	return 0;
}

int td_ipv4_parse(const char *s, size_t n, uint32_t *addr)
{
	const char *end = s + n, *dot;
	unsigned long oct;
	uint32_t v = 0;
	int i;

	for (i = 0; i < 4; i++) {
		dot = memchr(s, '.', (size_t)(end - s));
		if ((i < 3) != (dot != NULL))
			return -1;
		if (!dot)
			dot = end;
		if (dot - s > 3 || td_dec_parse(s, (size_t)(dot - s), 255, &oct) < 0)
			return -1;
		v = v << 8 | (uint32_t)oct;
		s = dot + 1;
	}
	*addr = v;
	return 0;
}

static int hexdigit(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

/* The text of an IPv6 address as inet_pton() takes it: eight groups of
 * 1..4 hex digits, one "::" standing for one or more zero groups, and an
 * IPv4 literal in place of the last two groups. No zone ("%eth0"). */
int td_ipv6_ok(const char *s, size_t n)
{
	size_t i = 0, start;
	int groups = 0, dc = 0;
	uint32_t v4;

	if (n >= 2 && s[0] == ':' && s[1] == ':') {
		dc = 1;
		i = 2;
	}
	while (i < n) {
		for (start = i; i < n && hexdigit(s[i]) && i - start < 5; i++)
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
int td_uuid_ok(const char *s)
{
	size_t i;

	if (strlen(s) != 36)
		return 0;
	for (i = 0; i < 36; i++) {
		if (i == 8 || i == 13 || i == 18 || i == 23) {
			if (s[i] != '-')
				return 0;
		} else if (!hexdigit(s[i])) {
			return 0;
		}
	}
	return 1;
}

/* The MBR form the kernel's root=PARTUUID= takes: SSSSSSSS-PP. */
int td_mbr_partuuid_ok(const char *s)
{
	size_t i;

	if (strlen(s) != 11 || s[8] != '-')
		return 0;
	for (i = 0; i < 11; i++)
		if (i != 8 && !hexdigit(s[i]))
			return 0;
	return 1;
}

int td_ctl(char c)
{
	return (unsigned char)c < 0x20 || c == 0x7f;
}

/* An absolute path without control characters or ".." components, that
 * fits in cap with its NUL. */
int td_path_check(const char *s, size_t cap, struct td_err *e)
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
