/* rtnetlink, the few calls the capture run needs: list links with their
 * first IPv4 address, set a link up, add an IPv4 address and a default
 * route. Only syscalls; each call opens and closes its own socket. */
#ifndef TD_NETLINK_H
#define TD_NETLINK_H

#include <stdint.h>

#include "os/err.h"

#define TD_NL_MAX_LINKS 16

struct td_link {
	int index;
	char name[16];
	unsigned flags;   /* IFF_UP, IFF_LOOPBACK, IFF_LOWER_UP (carrier) ... */
	unsigned type;    /* ARPHRD_*: 1 Ethernet, 772 loopback, 776 sit ... */
	uint8_t mac[6];   /* zero when the link has no 6-byte hardware address */
	uint32_t addr;    /* first IPv4 address, host order; 0: none */
	int prefix;
};

/* Fill links[0..*n) with the system's links (at most max, in kernel order)
 * and their first IPv4 address. */
int td_nl_links(struct td_link *links, int max, int *n, struct td_err *e);

/* Set IFF_UP on the link. */
int td_nl_link_up(int index, struct td_err *e);

/* Add (or replace) addr/prefix on the link, with the subnet's broadcast. */
int td_nl_addr_add(int index, uint32_t addr, int prefix, struct td_err *e);

/* Add (or replace) the IPv4 default route via gw on the link. A gateway
 * outside addr/prefix (a /32 lease, say) is declared on-link. */
int td_nl_route_default(int index, uint32_t gw, uint32_t addr, int prefix, struct td_err *e);

/* "a.b.c.d" of a host-order address, in a caller buffer of >= 16 bytes. */
const char *td_ipv4_str(uint32_t a, char *buf);

#endif
