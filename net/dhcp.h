/* A small DHCPv4 client: DISCOVER, OFFER, REQUEST, ACK on every given link
 * at once; the first lease wins. It only obtains the lease; the caller
 * configures the address (net/netup.c). No renewal: the capture run is
 * over long before any sane lease expires. */
#ifndef TD_DHCP_H
#define TD_DHCP_H

#include <stdint.h>

#include "os/err.h"
#include "netlink.h"

struct td_lease {
	int index;          /* the link that got it */
	char iface[16];
	uint32_t addr;      /* host order */
	int prefix;
	int prefix_guessed; /* the server sent no subnet mask */
	uint32_t router;    /* 0: none offered */
	uint32_t server;    /* option 54, the server identifier */
	uint32_t from;      /* the IPv4 source of the ACK (may differ: a relay) */
	uint32_t lease;     /* seconds */
	char ignored[96];   /* what the ACK offered that we did not take */
};

/* Run the exchange on links[0..n) (up, with a MAC address) until one link
 * has an ACK or until deadline_ms on the td_mono_ms() clock. Retries back
 * off from 1 s to 4 s. A NAK restarts that link's exchange. The error, on
 * timeout, says per link what was sent and what came back. */
int td_dhcp_run(const struct td_link *links, int n, uint64_t deadline_ms, struct td_lease *out,
		struct td_err *e);

#endif
