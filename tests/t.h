/* A tiny unit-test harness. Each test is a function; T_RUN prints one line
 * per test: "ok NAME" or "FAIL NAME: file:line: what". tests/run.sh counts
 * the lines. A test binary exits 1 if any test failed. */
#ifndef TD_T_H
#define TD_T_H

#include <stdio.h>
#include <string.h>

static int t_failed_now, t_failed_any;
static char t_first[512];

#define T_CHECK(cond, ...)                                                          \
	do {                                                                        \
		if (!(cond)) {                                                      \
			if (!t_failed_now++) {                                      \
				int n_ = snprintf(t_first, sizeof t_first, "%s:%d: %s: ", \
						  __FILE__, __LINE__, #cond);       \
				snprintf(t_first + n_, sizeof t_first - n_, __VA_ARGS__); \
			}                                                           \
		}                                                                   \
	} while (0)

#define T_RUN(fn)                                                                   \
	do {                                                                        \
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

#define T_SKIP(fn, why) printf("skip %s/%s: %s\n", T_SUITE, #fn, why)

#define T_END() return t_failed_any

#endif
