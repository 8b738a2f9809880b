/* DHCPv4 message build and parse. The layout of the fixed part (RFC 2131
 * section 2, figure 1), all multi-byte fields big-endian:
 *   0 op  1 htype  2 hlen  3 hops  4 xid  8 secs  10 flags  12 ciaddr
 *   16 yiaddr  20 siaddr  24 giaddr  28 chaddr[16]  44 sname[64]
 *   108 file[128]  236 magic cookie 99.130.83.99  240 options
 * Options are code, length, value; 0 is a one-byte pad and 255 ends them.
 * We never parse sname/file, so option 52 (overload) is simply ignored:
 * everything we need is sent by servers in the options field proper. */
#include <stdio.h>
#include <string.h>

#include "dhcpmsg.h"

#define OP_REQUEST 1
#define OP_REPLY 2
#define HTYPE_ETHER 1
#define FLAG_BROADCAST 0x8000
#define BOOTP_MIN 300 /* RFC 1542: some relays drop shorter messages */

enum {
	OPT_PAD = 0,
	OPT_SUBNET = 1,
	OPT_ROUTER = 3,
	OPT_REQ_IP = 50,
	OPT_LEASE = 51,
	OPT_TYPE = 53,
	OPT_SERVER = 54,
	OPT_PARAMS = 55,
	OPT_MAXSIZE = 57,
	OPT_END = 255,
};

static const uint8_t cookie[4] = { 99, 130, 83, 99 };

static void put_be16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void put_be32(uint8_t *p, uint32_t v)
{
	put_be16(p, (uint16_t)(v >> 16));
	put_be16(p + 2, (uint16_t)v);
}

static uint32_t get_be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

int td_mask_prefix(uint32_t mask)
{
	int n = 0;

	while (n < 32 && (mask & (0x80000000u >> n)))
		n++;
	if (n < 32 && (mask << n) != 0)
		return -1;
	return n;
}

/* Append option code/len/value at *pos; the caller has checked room. */
static void put_opt(uint8_t *buf, size_t *pos, uint8_t code, const uint8_t *val, uint8_t len)
{
	buf[(*pos)++] = code;
	buf[(*pos)++] = len;
	memcpy(buf + *pos, val, len);
	*pos += len;
}

static void put_opt32(uint8_t *buf, size_t *pos, uint8_t code, uint32_t v)
{
	uint8_t b[4];

	put_be32(b, v);
	put_opt(buf, pos, code, b, 4);
}

int td_dhcp_build(const struct td_dhcp_req *rq, uint8_t *buf, size_t cap, struct td_err *e)
{
	static const uint8_t params[] = { OPT_SUBNET, OPT_ROUTER, OPT_LEASE, OPT_SERVER };
	uint8_t b[2] = { (uint8_t)rq->type, 0 };
	size_t pos = TD_DHCP_FIXED;

	if (rq->type != TD_DHCP_DISCOVER && rq->type != TD_DHCP_REQUEST)
		return td_fail(e, "building DHCP message: type %d is not DISCOVER or REQUEST",
			       rq->type);
	if (rq->type == TD_DHCP_REQUEST && (!rq->requested || !rq->server))
		return td_fail(e, "building DHCP REQUEST: no offered address or server");
	if (cap < BOOTP_MIN)
		return td_fail(e, "building DHCP message: buffer of %zu bytes, need %d",
			       cap, BOOTP_MIN);
	memset(buf, 0, BOOTP_MIN);
	buf[0] = OP_REQUEST;
	buf[1] = HTYPE_ETHER;
	buf[2] = 6;
	put_be32(buf + 4, rq->xid);
	put_be16(buf + 8, rq->secs);
	put_be16(buf + 10, FLAG_BROADCAST);
	memcpy(buf + 28, rq->mac, 6);
	memcpy(buf + 236, cookie, 4);
	/* At most 3+4+6+6+6+1 = 26 option bytes: fits in BOOTP_MIN - 240. */
	put_opt(buf, &pos, OPT_TYPE, b, 1);
	put_be16(b, TD_DHCP_MAX - 28); /* IP + UDP headers excluded */
	put_opt(buf, &pos, OPT_MAXSIZE, b, 2);
	if (rq->type == TD_DHCP_REQUEST) {
		put_opt32(buf, &pos, OPT_REQ_IP, rq->requested);
		put_opt32(buf, &pos, OPT_SERVER, rq->server);
	}
	put_opt(buf, &pos, OPT_PARAMS, params, sizeof params);
	buf[pos++] = OPT_END;
	return BOOTP_MIN;
}

/* One option's value, checked against the sizes RFC 2132 gives. */
static int take_opt(struct td_dhcp_reply *out, int *have_mask, uint8_t code,
		    const uint8_t *v, size_t len, struct td_err *e)
{
	switch (code) {
	case OPT_TYPE:
		if (len != 1)
			return td_fail(e, "option 53 (message type) has length %zu, want 1", len);
		out->type = v[0];
		return 0;
	case OPT_SUBNET:
		if (len != 4)
			return td_fail(e, "option 1 (subnet mask) has length %zu, want 4", len);
		out->prefix = td_mask_prefix(get_be32(v));
		if (out->prefix < 0)
			return td_fail(e, "option 1: subnet mask 0x%08x is not contiguous",
				       get_be32(v));
		*have_mask = 1;
		return 0;
	case OPT_ROUTER:
		if (len < 4 || len % 4)
			return td_fail(e, "option 3 (router) has length %zu, want 4*n", len);
		out->router = get_be32(v);
		return 0;
	case OPT_LEASE:
	case OPT_SERVER:
		if (len != 4)
			return td_fail(e, "option %u has length %zu, want 4", code, len);
		if (code == OPT_LEASE)
			out->lease = get_be32(v);
		else
			out->server = get_be32(v);
		return 0;
	}
	return 0; /* options we did not ask for are skipped */
}

static int parse_opts(const uint8_t *p, size_t len, struct td_dhcp_reply *out,
		      int *have_mask, struct td_err *e)
{
	size_t i = 0;

	while (i < len) {
		uint8_t code = p[i++];
		size_t olen;

		if (code == OPT_PAD)
			continue;
		if (code == OPT_END)
			return 0;
		if (i >= len)
			return td_fail(e, "option %u at offset %zu has no length byte",
				       code, TD_DHCP_FIXED + i - 1);
		olen = p[i++];
		if (olen > len - i)
			return td_fail(e, "option %u (length %zu) runs past the end of the packet",
				       code, olen);
		if (take_opt(out, have_mask, code, p + i, olen, e))
			return -1;
		i += olen;
	}
	return td_fail(e, "options have no end marker (255)");
}

static int classful_prefix(uint32_t a)
{
	if (a < 0x80000000u)
		return 8;
	if (a < 0xc0000000u)
		return 16;
	return 24;
}

static int check_fixed(const uint8_t *buf, size_t len, uint32_t xid, const uint8_t mac[6],
		       struct td_err *e)
{
	if (len < TD_DHCP_FIXED)
		return td_fail(e, "DHCP packet of %zu bytes is shorter than %d", len, TD_DHCP_FIXED);
	if (buf[0] != OP_REPLY || buf[1] != HTYPE_ETHER || buf[2] != 6)
		return td_fail(e, "not a BOOTREPLY for Ethernet (op %u htype %u hlen %u)",
			       buf[0], buf[1], buf[2]);
	if (get_be32(buf + 4) != xid)
		return td_fail(e, "xid 0x%08x is not ours (0x%08x)", get_be32(buf + 4), xid);
	if (memcmp(buf + 28, mac, 6))
		return td_fail(e, "chaddr is not our MAC address");
	if (memcmp(buf + 236, cookie, 4))
		return td_fail(e, "no DHCP magic cookie");
	return 0;
}

/* Refuse a prefix of 0 and a router we could not reach on-link. */
static void sanitise(struct td_dhcp_reply *r)
{
	uint32_t net, host;
	size_t n = 0;

	if (r->prefix == 0) {
		r->prefix = classful_prefix(r->yiaddr);
		r->prefix_guessed = 1;
		n += (size_t)snprintf(r->ignored, sizeof r->ignored, "subnet mask 0.0.0.0");
	}
	if (!r->router)
		return;
	net = r->prefix ? ~0u << (32 - r->prefix) : 0;
	host = r->router & ~net;
	if ((r->router & net) != (r->yiaddr & net) || r->router == r->yiaddr ||
	    (r->prefix < 31 && (host == 0 || host == ~net))) {
		snprintf(r->ignored + n, sizeof r->ignored - n, "%srouter %u.%u.%u.%u outside /%d",
			 n ? ", " : "", r->router >> 24, r->router >> 16 & 255, r->router >> 8 & 255,
			 r->router & 255, r->prefix);
		r->router = 0;
	}
}

int td_dhcp_parse(const uint8_t *buf, size_t len, uint32_t xid, const uint8_t mac[6],
		  struct td_dhcp_reply *out, struct td_err *e)
{
	int have_mask = 0;

	memset(out, 0, sizeof *out);
	if (check_fixed(buf, len, xid, mac, e))
		return -1;
	if (parse_opts(buf + TD_DHCP_FIXED, len - TD_DHCP_FIXED, out, &have_mask, e))
		return -1;
	out->yiaddr = get_be32(buf + 16);
	if (out->type != TD_DHCP_OFFER && out->type != TD_DHCP_ACK && out->type != TD_DHCP_NAK)
		return td_fail(e, "DHCP message type %d is not OFFER, ACK or NAK", out->type);
	if (out->type == TD_DHCP_NAK)
		return 0;
	if (!out->yiaddr || !out->server)
		return td_fail(e, "DHCP %s without %s", out->type == TD_DHCP_ACK ? "ACK" : "OFFER",
			       out->yiaddr ? "server identifier (option 54)" : "an address (yiaddr)");
	if (!have_mask) {
		out->prefix = classful_prefix(out->yiaddr);
		out->prefix_guessed = 1;
	}
	sanitise(out);
	return 0;
}
