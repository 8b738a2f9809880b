/* Strict literals: what the kernel command line, the configuration and the
 * targets are made of. Pure. */
#ifndef TD_PARSE_H
#define TD_PARSE_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"

/* A strict dotted-quad IPv4 literal: four decimal octets 0..255, no
 * leading zeros, nothing else. Host order into *addr. 0 or -1. */
int td_ipv4_parse(const char *s, size_t n, uint32_t *addr);

/* Decimal 0..max in exactly s[0..n): digits only, no sign, no leading
 * zero (so "010" is refused, not read as 8 or 10). 0 or -1. */
int td_dec_parse(const char *s, size_t n, unsigned long max, unsigned long *out);

/* The text of an IPv6 address as inet_pton() takes it (no zone). 1 or 0. */
int td_ipv6_ok(const char *s, size_t n);

/* 8-4-4-4-12 hex digits, either case. 1 or 0. */
int td_uuid_ok(const char *s);

/* An MBR partition id as root=PARTUUID= takes it: SSSSSSSS-PP. 1 or 0. */
int td_mbr_partuuid_ok(const char *s);

/* A control character (below 0x20, or DEL). */
int td_ctl(char c);

/* An absolute path without control characters or ".." components that
 * fits in cap with its NUL; the message names what is wrong. */
int td_path_check(const char *s, size_t cap, struct td_err *e);

#endif
