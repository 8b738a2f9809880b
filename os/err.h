/* Error model of the pure library: a function that fails returns -1 (or NULL)
 * and leaves one human-readable message in the caller's td_err. Callers add
 * their own context in front with td_wrap(), giving messages chained from the
 * outer operation to the inner cause:
 *   "reading page table: pfn 0x1234 outside dump". */
#ifndef TD_ERR_H
#define TD_ERR_H

struct td_err {
	char msg[512];
};

/* Set the message. Always returns -1. */
int td_fail(struct td_err *e, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Prefix the existing message with "<context>: ". Always returns -1. */
int td_wrap(struct td_err *e, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#endif
