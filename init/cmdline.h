/* The kernel command line, tokenised by the kernel's own rules, and the
 * command line `tinydump load` gives the capture kernel. Pure: no system
 * calls, no allocation. */
#ifndef TD_CMDLINE_H
#define TD_CMDLINE_H

#include <stddef.h>

#include "os/err.h"

/* One word, as spans into the caller's text (nothing is copied). The rules
 * are those of next_arg() in the kernel's lib/cmdline.c:
 *  - words are separated by kernel whitespace (space, \t \n \v \f \r, 0xa0);
 *  - a double quote toggles "inside quotes", where whitespace does not split;
 *  - param is the text before the first '=' (an '=' as the very first
 *    character does not count); without '=', val is NULL;
 *  - a quote opening the word, a quote opening the value, and then a quote
 *    closing the word are removed; quotes elsewhere stay; no escapes.
 * So `"a b"`, `foo="a b"` and `"foo=a b"` give a b / foo,a b / foo,a b.
 * raw/rawlen is the whole word as written (quotes included); unterminated
 * is set when the word ended inside quotes (it then ran to the end of the
 * text, as it does in the kernel). */
struct td_arg {
	const char *param;
	size_t plen;
	const char *val; /* NULL: a flag word, no '=' */
	size_t vlen;
	const char *raw;
	size_t rawlen;
	int unterminated;
};

/* Parse the word at or after p in the text [p, end); a NUL byte also ends
 * the text. Returns where the next word starts (whitespace skipped), or
 * NULL when no word is left (a is then untouched). */
const char *td_cmdline_next(const char *p, const char *end, struct td_arg *a);

/* Copy n bytes at s to dst as a C string. Fails, naming the text, when it
 * does not fit in cap (nothing is truncated silently). */
int td_arg_copy(char *dst, size_t cap, const char *s, size_t n, struct td_err *e);

/* Is [s, s+n) equal to the C string name, with '-' and '_' equal as the
 * kernel's parameq() treats them? */
int td_param_eq(const char *s, size_t n, const char *name);

/* The capture kernel's command line (DESIGN.md, `tinydump load`), into out:
 *  1. the words of running (the text of /proc/cmdline), minus crashkernel=,
 *     quiet and the options in cmdline.c's removal list (each one listed
 *     with its reason), and minus anything after a bare "--" (arguments of
 *     the running system's init);
 *  2. then "irqpoll nr_cpus=N reset_devices printk.devkmsg=on panic=10",
 *     N from the last tinydump.cpus=N (1 to 8) of parts 1 and 3, else 1
 *     (a bad value fails);
 *  3. then the words of append (may be NULL); words after a "--" in append
 *     go, in order, after a "--" at the very end (arguments for our init).
 * Later words win: of words with the same key (the param, '-' equal to
 * '_'), only the last is kept, at its place. console= and tinydump.target=
 * are lists: all of them from the last of the three parts that has any are
 * kept. Words are written in a canonical form (values with whitespace are
 * quoted again) separated by one space, with no trailing newline.
 * Fails when the result (with its NUL) does not fit in cap, or when a word
 * cannot be quoted so that the kernel reads it back the same. */
int td_capture_cmdline(const char *running, const char *append, char *out, size_t cap,
		       struct td_err *e);

#endif
