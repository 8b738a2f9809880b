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
