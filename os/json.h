/* Writing a string, and reading the few fields we need out of a JSON object: our own
 * tinydump.json and receiver.json, which a fleet may hold by the hundred
 * thousand, and which a hostile client may have written. Strict and
 * bounded: the text must be one object; nested values are skipped (depth at
 * most 16); strings are decoded (\uXXXX outside ASCII becomes '?'). Pure. */
#ifndef TD_JSON_H
#define TD_JSON_H

#include <stddef.h>

#include "err.h"

enum td_json_type { TD_JSON_NONE, TD_JSON_STRING, TD_JSON_NUMBER, TD_JSON_BOOL, TD_JSON_NULL };

/* One wanted top-level key. On return, type says what was found (NONE if
 * the key is absent or its value an object or array) and val holds the
 * decoded string, the number's text, or "true"/"false"/"null", cut to fit
 * cap (including its NUL). */
struct td_json_field {
	const char *key;
	enum td_json_type type;
	char *val;
	size_t cap;
};

/* Scan the object in s[0..n) and fill the wanted fields. A text cut short
 * (a file read only in part) is fine as long as what was read is valid:
 * set partial to accept it. -1 when the text is not a JSON object. */
int td_json_fields(const char *s, size_t n, int partial, struct td_json_field *f, size_t nf,
		   struct td_err *e);

/* s as a JSON string, quotes included, into out: '"' and '\\' escaped,
 * every byte outside printable ASCII as \u00XX (the text may come from a
 * crashed kernel or a client). Needs 6 * strlen(s) + 3 bytes at most.
 * The length, or -1 when it does not fit (out then holds "" if cap >= 3). */
int td_json_quote(const char *s, char *out, size_t cap);

#endif
