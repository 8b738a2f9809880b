#include <string.h>

#include "json.h"

enum { MAX_DEPTH = 16 };

struct js {
	const char *p, *end;
	int partial;
	struct td_err *e;
};

static void ws(struct js *j)
{
	while (j->p < j->end && (*j->p == ' ' || *j->p == '\t' || *j->p == '\n' || *j->p == '\r'))
		j->p++;
}

/* The text ended: fine only for a partial read. */
static int ended(struct js *j)
{
	return j->partial ? 1 : td_fail(j->e, "JSON text ends early");
}

static int hexval(char c)
{
	return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 :
	       c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

/* A string at j->p (after its opening quote), decoded into out (may be
 * NULL), cut to cap. 0, 1 at the end of a partial text, -1. */
static int string(struct js *j, char *out, size_t cap)
{
	size_t n = 0;

	while (j->p < j->end && *j->p != '"') {
		unsigned char c = (unsigned char)*j->p++;

		if (c < 0x20)
			return td_fail(j->e, "control byte 0x%02x in a JSON string", c);
		if (c == '\\') {
			if (j->p >= j->end)
				return ended(j);
			c = (unsigned char)*j->p++;
			switch (c) {
			case '"': case '\\': case '/': break;
			case 'b': c = '\b'; break;
			case 'f': c = '\f'; break;
			case 'n': c = '\n'; break;
			case 'r': c = '\r'; break;
			case 't': c = '\t'; break;
			case 'u': {
				int v = 0;
				if (j->end - j->p < 4)
					return ended(j);
				for (int i = 0; i < 4; i++) {
					int h = hexval(j->p[i]);
					if (h < 0)
						return td_fail(j->e, "bad \\u escape in a JSON string");
					v = v << 4 | h;
				}
				j->p += 4;
				c = v > 0 && v < 0x80 ? (unsigned char)v : '?';
				break;
			}
			default:
				return td_fail(j->e, "bad escape \\%c in a JSON string", c);
			}
		}
		if (out && n + 1 < cap)
			out[n++] = (char)c;
	}
	if (out && cap)
		out[n] = '\0';
	if (j->p >= j->end)
		return ended(j);
	j->p++;
	return 0;
}

static int word(struct js *j, const char *w)
{
	size_t n = strlen(w), have = (size_t)(j->end - j->p);

	if (memcmp(j->p, w, have < n ? have : n))
		return td_fail(j->e, "unexpected '%c' in JSON", *j->p);
	if (have < n)
		return ended(j);
	j->p += n;
	return 0;
}

static int number(struct js *j)
{
	const char *s = j->p;

	if (j->p < j->end && *j->p == '-')
		j->p++;
	while (j->p < j->end && strchr("0123456789.eE+-", *j->p))
		j->p++;
	if (j->p == s || (j->p - s == 1 && *s == '-'))
		return td_fail(j->e, "bad number in JSON");
	return j->p >= j->end ? ended(j) : 0;
}

static int value(struct js *j, int depth, struct td_json_field *f);

/* An object or array at j->p (its opening bracket). */
static int container(struct js *j, int depth, struct td_json_field *f, size_t nf)
{
	char close = *j->p == '{' ? '}' : ']';
	int obj = close == '}', first = 1, r;

	if (depth >= MAX_DEPTH)
		return td_fail(j->e, "JSON nested deeper than %d", MAX_DEPTH);
	j->p++;
	for (;;) {
		ws(j);
		if (j->p >= j->end)
			return ended(j);
		if (*j->p == close) {
			j->p++;
			return 0;
		}
		if (!first && *j->p++ != ',')
			return td_fail(j->e, "expected ',' in JSON");
		first = 0;
		ws(j);
		struct td_json_field *hit = NULL;
		if (obj) {
			char key[64];
			if (j->p >= j->end)
				return ended(j);
			if (*j->p++ != '"')
				return td_fail(j->e, "expected a key in a JSON object");
			if ((r = string(j, key, sizeof key)) != 0)
				return r;
			for (size_t i = 0; depth == 0 && i < nf; i++)
				if (!strcmp(f[i].key, key))
					hit = &f[i];
			ws(j);
			if (j->p >= j->end)
				return ended(j);
			if (*j->p++ != ':')
				return td_fail(j->e, "expected ':' in a JSON object");
		}
		if ((r = value(j, depth + 1, hit)) != 0)
			return r;
	}
}

static void copy(struct td_json_field *f, enum td_json_type t, const char *s, size_t n)
{
	if (!f)
		return;
	f->type = t;
	n = n < f->cap - 1 ? n : f->cap - 1;
	memcpy(f->val, s, n);
	f->val[n] = '\0';
}

static int value(struct js *j, int depth, struct td_json_field *f)
{
	const char *s;
	int r;

	ws(j);
	if (j->p >= j->end)
		return ended(j);
	s = j->p;
	switch (*j->p) {
	case '{': case '[':
		return container(j, depth, NULL, 0);
	case '"':
		j->p++;
		r = string(j, f ? f->val : NULL, f ? f->cap : 0);
		if (r == 0 && f)
			f->type = TD_JSON_STRING;
		return r;
	case 't': case 'f': case 'n':
		r = word(j, *s == 't' ? "true" : *s == 'f' ? "false" : "null");
		if (r == 0)
			copy(f, *s == 'n' ? TD_JSON_NULL : TD_JSON_BOOL, s, (size_t)(j->p - s));
		return r;
	default:
		r = number(j);
		if (r == 0)
			copy(f, TD_JSON_NUMBER, s, (size_t)(j->p - s));
		return r;
	}
}

int td_json_fields(const char *s, size_t n, int partial, struct td_json_field *f, size_t nf,
		   struct td_err *e)
{
	struct js j = { s, s + n, partial, e };

	for (size_t i = 0; i < nf; i++) {
		f[i].type = TD_JSON_NONE;
		if (f[i].cap)
			f[i].val[0] = '\0';
	}
	ws(&j);
	if (j.p >= j.end || *j.p != '{')
		return td_fail(e, "not a JSON object");
	if (container(&j, 0, f, nf) < 0)
		return -1;
	ws(&j);
	if (j.p < j.end)
		return td_fail(e, "text after the JSON object");
	return 0;
}

int td_json_quote(const char *s, char *out, size_t cap)
{
	static const char hex[] = "0123456789abcdef";
	size_t n = 0;

	if (cap < 3)
		return cap ? (out[0] = '\0', -1) : -1;
	out[n++] = '"';
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (n + 7 >= cap) { /* the longest escape and the closing quote */
			memcpy(out, "\"\"", 3);
			return -1;
		}
		if (c == '"' || c == '\\') {
			out[n++] = '\\';
			out[n++] = (char)c;
		} else if (c < 0x20 || c > 0x7e) {
			memcpy(out + n, "\\u00", 4);
			out[n + 4] = hex[c >> 4];
			out[n + 5] = hex[c & 15];
			n += 6;
		} else {
			out[n++] = (char)c;
		}
	}
	out[n++] = '"';
	out[n] = '\0';
	return (int)n;
}
