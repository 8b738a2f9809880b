/* Strict literals: what the kernel command line, the configuration and the
 * targets are made of. Pure. */
#ifndef TD_PARSE_H
#define TD_PARSE_H

#include <stddef.h>
#include <stdint.h>

/* A strict dotted-quad IPv4 literal: four decimal octets 0..255, no
 * leading zeros, nothing else. Host order into *addr. 0 or -1. */
int td_ipv4_parse(const char *s, size_t n, uint32_t *addr);

/* Decimal 0..max in exactly s[0..n): digits only, no sign, no leading
 * zero (so "010" is refused, not read as 8 or 10). 0 or -1. */
int td_dec_parse(const char *s, size_t n, unsigned long max, unsigned long *out);

#endif
