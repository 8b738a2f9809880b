/* Bringing the network up for a network target (DESIGN.md tinydump.ip). */
#ifndef TD_NETUP_H
#define TD_NETUP_H

#include <stdint.h>

#include "os/err.h"

enum { TD_IP_UNSET, TD_IP_DHCP, TD_IP_STATIC };

/* tinydump.ip. UNSET means not configured: the network code uses DHCP
 * when a network target exists, and an interface the kernel's ip= already
 * set up as it is. */
struct td_ipconf {
	int mode;
	uint32_t addr, gw; /* host order; gw 0: none */
	int prefix;        /* 0..32 */
	char iface[16];    /* "": any */
};


/* Make IPv4 work within timeout_s seconds and put the interface used in
 * iface_out (at least 16 bytes):
 *  - a non-loopback interface that is up and already has an IPv4 address
 *    (the kernel's ip=, or an earlier call) is used as it is, whatever the
 *    mode;
 *  - TD_IP_STATIC: ip->addr/prefix on ip->iface or the first non-loopback
 *    link, and a default route via ip->gw when it is set;
 *  - TD_IP_DHCP and TD_IP_UNSET: DHCP on every link with carrier (or on
 *    ip->iface only, when named); the first lease wins.
 * Logs the interface, address, gateway and how long it took. */
int td_net_up(const struct td_ipconf *ip, unsigned timeout_s, char *iface_out, struct td_err *e);

#endif
