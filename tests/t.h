/* A tiny unit-test harness. Each test is a function; T_RUN prints one line
 * per test: "ok NAME" or "FAIL NAME: file:line: what". tests/run.sh counts
 * the lines. A test binary exits 1 if any test failed.
 *
 * main starts with T_ARGS(argc, argv): `build/host/test_x CASE` runs only
 * the case named CASE (or SUITE/CASE), `--list` prints the case names, and
 * a name that matches no case is a failure. */
#ifndef TD_T_H
#define TD_T_H

#include <stdio.h>
#include <string.h>

static int t_failed_now, t_failed_any, t_ran, t_list;
static const char *t_only;
static char t_first[512];

/* Record a failure of the check written as text, unless ok. */
#define T_CHECK_AS(ok, text, ...)                                                   \
	do {                                                                        \
		if (!(ok)) {                                                        \
			if (!t_failed_now++) {                                      \
				int n_ = snprintf(t_first, sizeof t_first, "%s:%d: %s: ", \
						  __FILE__, __LINE__, text);        \
				snprintf(t_first + n_, sizeof t_first - n_, __VA_ARGS__); \
			}                                                           \
		}                                                                   \
	} while (0)

#define T_CHECK(cond, ...) T_CHECK_AS(cond, #cond, __VA_ARGS__)

/* T_CHECK, then leave the case: for a check the rest of the case relies on.
 * cond is evaluated once. */
#define T_REQUIRE(cond, ...)                                                        \
	do {                                                                        \
		int t_ok_ = !!(cond);                                               \
		T_CHECK_AS(t_ok_, #cond, __VA_ARGS__);                              \
		if (!t_ok_)                                                         \
			return;                                                     \
	} while (0)

#define T_ARGS(argc, argv)                                                          \
	do {                                                                        \
		if ((argc) > 1 && !strcmp((argv)[1], "--list"))                     \
			t_list = 1;                                                 \
		else if ((argc) > 1)                                                \
			t_only = (argv)[1];                                         \
	} while (0)

#define T_SELECTED(fn) (!t_only || !strcmp(t_only, #fn) || !strcmp(t_only, T_SUITE "/" #fn))

#define T_RUN(fn)                                                                   \
	do {                                                                        \
		if (t_list) {                                                       \
			printf("%s/%s\n", T_SUITE, #fn);                            \
			break;                                                      \
		}                                                                   \
		if (!T_SELECTED(fn))                                                \
			break;                                                      \
		t_ran++;                                                            \
		t_failed_now = 0;                                                   \
		fn();                                                               \
		if (t_failed_now) {                                                 \
			t_failed_any = 1;                                           \
			printf("FAIL %s/%s: %s\n", T_SUITE, #fn, t_first);          \
		} else {                                                            \
			printf("ok %s/%s\n", T_SUITE, #fn);                         \
		}                                                                   \
		fflush(stdout);                                                     \
	} while (0)

#define T_SKIP(fn, why)                                                             \
	do {                                                                        \
		if (t_list)                                                         \
			printf("%s/%s\n", T_SUITE, #fn);                            \
		else if (T_SELECTED(fn))                                            \
			printf("skip %s/%s: %s\n", T_SUITE, #fn, why), t_ran++;     \
	} while (0)

#define T_END()                                                                     \
	do {                                                                        \
		if (t_only && !t_ran) {                                             \
			printf("FAIL %s/%s: no such case (--list names them)\n", T_SUITE, t_only); \
			return 1;                                                   \
		}                                                                   \
		return t_failed_any;                                                \
	} while (0)

#endif
