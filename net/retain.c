/* The retention rule (retain.h): pure. */
#include <stdlib.h>
#include <string.h>

#include "os/dumpdir.h"
#include "os/parse.h"
#include "clientid.h"
#include "retain.h"

static int older(const void *a, const void *b)
{
	const struct td_retain_item *x = a, *y = b;

	if (x->time != y->time)
		return x->time < y->time ? -1 : 1;
	return strcmp(x->name, y->name);
}

/* Age first: what goes for age no longer counts towards max_bytes. */
static size_t by_age(struct td_retain_item *v, size_t n, unsigned days, int64_t now)
{
	size_t gone = 0;

	for (size_t i = 0; days && i < n; i++)
		if (!v[i].busy && v[i].time < now && (uint64_t)(now - v[i].time) >
		    (uint64_t)days * TD_RETAIN_DAY) {
			v[i].why = TD_RETAIN_AGE;
			gone++;
		}
	return gone;
}

static size_t by_size(struct td_retain_item *v, size_t n, uint64_t max)
{
	uint64_t total = 0;
	size_t gone = 0, newest = n;

	for (size_t i = 0; i < n; i++)
		if (v[i].complete && v[i].why == TD_RETAIN_KEEP) {
			total += v[i].bytes;
			newest = i;
		}
	for (size_t i = 0; i < newest && total > max; i++) {
		if (!v[i].complete || v[i].busy || v[i].why != TD_RETAIN_KEEP)
			continue;
		v[i].why = TD_RETAIN_SIZE;
		v[i].total = total;
		total -= v[i].bytes;
		gone++;
	}
	return gone;
}

size_t td_retain_pick(struct td_retain_item *v, size_t n, const struct td_retain_policy *p,
		      int64_t now)
{
	size_t gone;

	if (n > 1)
		qsort(v, n, sizeof *v, older);
	for (size_t i = 0; i < n; i++) {
		v[i].why = TD_RETAIN_KEEP;
		v[i].total = 0;
	}
	gone = by_age(v, n, p->keep_days, now);
	if (p->max_bytes)
		gone += by_size(v, n, p->max_bytes);
	return gone;
}

static int digits(const char *s, size_t n, unsigned *v)
{
	*v = 0;
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		*v = *v * 10 + (unsigned)(s[i] - '0');
	}
	return 0;
}

/* Days from 1970-01-01 to y-m-d in the proleptic Gregorian calendar
 * (H. Hinnant's days_from_civil). */
static int64_t days_from_civil(int64_t y, unsigned m, unsigned d)
{
	int64_t era;
	unsigned yoe, doy, doe;

	y -= m <= 2;
	era = y / 400;
	yoe = (unsigned)(y - era * 400);
	doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (int64_t)doe - 719468;
}

static unsigned month_days(unsigned y, unsigned m)
{
	static const unsigned char len[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;

	return len[m - 1] + (m == 2 && leap);
}

int td_retain_stamp(const char *s, size_t n, int64_t *t)
{
	/* YYYY-MM-DD-HH:MM:SS */
	static const char sep[] = "    -  -  -  :  :  ";
	unsigned y, mo, d, h, mi, se;

	if (n != sizeof sep - 1)
		return -1;
	for (size_t i = 0; i < n; i++)
		if (sep[i] != ' ' && s[i] != sep[i])
			return -1;
	if (digits(s, 4, &y) < 0 || digits(s + 5, 2, &mo) < 0 || digits(s + 8, 2, &d) < 0 ||
	    digits(s + 11, 2, &h) < 0 || digits(s + 14, 2, &mi) < 0 || digits(s + 17, 2, &se) < 0)
		return -1;
	if (y < 1970 || mo < 1 || mo > 12 || d < 1 || d > month_days(y, mo) || h > 23 || mi > 59 ||
	    se > 59)
		return -1;
	*t = days_from_civil(y, mo, d) * TD_RETAIN_DAY + h * 3600 + mi * 60 + se;
	return 0;
}

static int hexup(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'F');
}

/* td_ident_encode's alphabet (clientid.h); an IPv4 address is in it too. */
static int ident_ok(const char *s, size_t n)
{
	size_t chars = 0;

	if (!n || s[0] == '.')
		return 0;
	for (size_t i = 0; i < n; chars++) {
		char c = s[i];

		if (c == '%') {
			if (i + 2 >= n || !hexup(s[i + 1]) || !hexup(s[i + 2]))
				return 0;
			i += 3;
		} else if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
			   (c >= '0' && c <= '9') || c == '.' || c == '-') {
			i++;
		} else {
			return 0;
		}
	}
	return n <= TD_IDENT_MAX && chars > 0;
}

int td_retain_name_ok(const char *name)
{
	enum { STAMP = 19 };
	size_t len = strlen(name), base = len;
	const char *dot = strrchr(name, '.');
	unsigned long suffix;
	int64_t t;

	/* A ".N" suffix is digits after the last '.', with a stamp before it
	 * (an IPv4 identity has dots too, but never right after the stamp). */
	if (dot && (size_t)(dot - name) > STAMP &&
	    td_dec_parse(dot + 1, len - (size_t)(dot - name) - 1, TD_DUMPDIR_SUFFIX_MAX, &suffix) == 0 &&
	    suffix > 0)
		base = (size_t)(dot - name);
	if (base < STAMP + 2 || name[base - STAMP - 1] != '-')
		return 0;
	return td_retain_stamp(name + base - STAMP, STAMP, &t) == 0 &&
	       ident_ok(name, base - STAMP - 1);
}
