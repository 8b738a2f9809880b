/* DHCPv4 messages (RFC 2131, options RFC 2132): building the client's
 * DISCOVER and REQUEST and parsing the server's OFFER, ACK and NAK. Pure: no
 * system calls, no allocation; the caller owns every buffer. Addresses are
 * in host byte order here and written big-endian on the wire. */
#ifndef TD_DHCPMSG_H
#define TD_DHCPMSG_H

#include <stddef.h>
#include <stdint.h>

#include "os/err.h"

enum td_dhcp_type {
	TD_DHCP_DISCOVER = 1,
	TD_DHCP_OFFER = 2,
	TD_DHCP_REQUEST = 3,
	TD_DHCP_DECLINE = 4,
	TD_DHCP_ACK = 5,
	TD_DHCP_NAK = 6,
	TD_DHCP_RELEASE = 7,
};

/* Fixed BOOTP part (236 bytes) + magic cookie. */
#define TD_DHCP_FIXED 240
/* Room for any message we build; replies we accept may be up to 1500. */
#define TD_DHCP_MAX 1500

struct td_dhcp_req {
	int type;               /* TD_DHCP_DISCOVER or TD_DHCP_REQUEST */
	uint32_t xid;
	uint8_t mac[6];
	uint16_t secs;          /* seconds since the client started */
	uint32_t requested;     /* REQUEST: the offered address (option 50) */
	uint32_t server;        /* REQUEST: the chosen server (option 54) */
};

/* What the client needs from an OFFER or ACK. */
struct td_dhcp_reply {
	int type;               /* enum td_dhcp_type, from option 53 */
	uint32_t yiaddr;        /* the address offered/assigned */
	uint32_t server;        /* option 54; 0 when absent (only NAK may omit it) */
	uint32_t router;        /* first address of option 3; 0 when absent */
	int prefix;             /* from option 1; classful guess when absent */
	int prefix_guessed;     /* 1: option 1 was absent */
	uint32_t lease;         /* option 51, seconds; 0 when absent */
	char ignored[96];       /* what td_dhcp_parse refused to take, for the log */
};

/* Build a client message into buf (a BOOTREQUEST with the broadcast flag,
 * padded to the 300-byte BOOTP minimum). Returns its length, or -1 with e set
 * when cap is too small or the request is malformed. */
int td_dhcp_build(const struct td_dhcp_req *rq, uint8_t *buf, size_t cap, struct td_err *e);

/* Parse a server message of len bytes. It must be a BOOTREPLY for Ethernet
 * with our xid and our MAC in chaddr, carry the magic cookie, and have
 * well-formed options (every length inside the buffer, known options with
 * their RFC 2132 sizes, a subnet mask that is contiguous). OFFER and ACK
 * need a non-zero yiaddr and a server identifier. Returns 0, or -1 naming
 * the first problem (callers drop such packets and keep listening).
 * What a server could use to steer our traffic is not taken as sent: a
 * subnet mask of 0.0.0.0 (prefix 0: every address on-link) gives way to the
 * classful guess, and a router outside the leased subnet (or the lease's own
 * address, or its network or broadcast address) is dropped; `ignored` says
 * so for the log. */
int td_dhcp_parse(const uint8_t *buf, size_t len, uint32_t xid, const uint8_t mac[6],
		  struct td_dhcp_reply *out, struct td_err *e);

/* Prefix length of a netmask; -1 when it is not contiguous ones then zeros. */
int td_mask_prefix(uint32_t mask);

#endif
