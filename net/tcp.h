/* Is a TCP server reachable from this running system? For `tinydump
 * status`, which checks network targets before any crash. */
#ifndef TD_TCP_H
#define TD_TCP_H

#include <stddef.h>
#include <stdint.h>

/* Connect to host (an IPv4 literal) on port within three seconds. The verdict
 * as target.h's readiness (0 ok, 1 advice, 2 problem), with a sentence in msg. */
int td_tcp_ready(const char *host, uint16_t port, char *msg, size_t cap);

#endif
