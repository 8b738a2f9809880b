/* net/dhcpmsg.c: client messages have the RFC 2131 layout byte for byte;
 * server replies are accepted only when well-formed and addressed to us. */
#define T_SUITE "dhcpmsg"
#include <stdint.h>
#include <stdlib.h>

#include "net/dhcpmsg.h"
#include "t.h"

static const uint8_t mac[6] = { 0x52, 0x54, 0x00, 0x12, 0x34, 0x56 };
#define XID 0x1badcafeu

static uint32_t be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* Find option code in a built message; returns its value or NULL. */
static const uint8_t *find_opt(const uint8_t *b, size_t len, uint8_t code, int *olen)
{
	size_t i = 240;

	while (i < len && b[i] != 255) {
		if (b[i] == 0) {
			i++;
			continue;
		}
		if (b[i] == code) {
			*olen = b[i + 1];
			return b + i + 2;
		}
		i += 2 + b[i + 1];
	}
	return NULL;
}

static void build_discover(void)
{
	struct td_dhcp_req rq = { .type = TD_DHCP_DISCOVER, .xid = XID, .secs = 3 };
	uint8_t b[TD_DHCP_MAX];
	struct td_err e;
	const uint8_t *v;
	int n, olen = -1;

	memcpy(rq.mac, mac, 6);
	n = td_dhcp_build(&rq, b, sizeof b, &e);
	T_CHECK(n == 300, "length %d", n);
	T_CHECK(b[0] == 1 && b[1] == 1 && b[2] == 6 && b[3] == 0, "op/htype/hlen/hops");
	T_CHECK(be32(b + 4) == XID, "xid %08x", be32(b + 4));
	T_CHECK(b[8] == 0 && b[9] == 3, "secs");
	T_CHECK(b[10] == 0x80 && b[11] == 0, "broadcast flag");
	T_CHECK(be32(b + 12) == 0 && be32(b + 16) == 0, "ciaddr/yiaddr zero");
	T_CHECK(!memcmp(b + 28, mac, 6), "chaddr");
	T_CHECK(b[236] == 99 && b[237] == 130 && b[238] == 83 && b[239] == 99, "cookie");
	T_CHECK(b[240] == 53 && b[241] == 1 && b[242] == 1, "option 53 first, DISCOVER");
	v = find_opt(b, (size_t)n, 55, &olen);
	T_CHECK(v && olen == 4 && v[0] == 1 && v[1] == 3 && v[2] == 51 && v[3] == 54,
		"parameter list");
	T_CHECK(!find_opt(b, (size_t)n, 50, &olen), "DISCOVER has no option 50");
}

static void build_request(void)
{
	struct td_dhcp_req rq = { .type = TD_DHCP_REQUEST, .xid = XID,
				  .requested = 0x0a00020f, .server = 0x0a000202 };
	uint8_t b[TD_DHCP_MAX];
	struct td_err e;
	const uint8_t *v;
	int n, olen = -1;

	memcpy(rq.mac, mac, 6);
	n = td_dhcp_build(&rq, b, sizeof b, &e);
	T_CHECK(n == 300, "length %d", n);
	T_CHECK(b[242] == 3, "type REQUEST");
	v = find_opt(b, (size_t)n, 50, &olen);
	T_CHECK(v && olen == 4 && be32(v) == 0x0a00020f, "requested address");
	v = find_opt(b, (size_t)n, 54, &olen);
	T_CHECK(v && olen == 4 && be32(v) == 0x0a000202, "server id");
	T_CHECK(be32(b + 12) == 0, "ciaddr stays 0 in SELECTING state");
}

static void build_errors(void)
{
	struct td_dhcp_req rq = { .type = TD_DHCP_REQUEST, .xid = XID };
	uint8_t b[TD_DHCP_MAX];
	struct td_err e;

	T_CHECK(td_dhcp_build(&rq, b, sizeof b, &e) == -1, "REQUEST without address accepted");
	rq.type = TD_DHCP_ACK;
	T_CHECK(td_dhcp_build(&rq, b, sizeof b, &e) == -1, "ACK accepted as client type");
	rq.type = TD_DHCP_DISCOVER;
	T_CHECK(td_dhcp_build(&rq, b, 299, &e) == -1, "299-byte buffer accepted");
	T_CHECK(strstr(e.msg, "299") != NULL, "message names the size: %.200s", e.msg);
}

/* A server reply like slirp's: OFFER of 10.0.2.15/24, router 10.0.2.2. */
static size_t make_reply(uint8_t *b, int type)
{
	static const uint8_t opts[] = { 53, 1, 0, 54, 4, 10, 0, 2, 2, 0, 0,
					1, 4, 255, 255, 255, 0, 3, 4, 10, 0, 2, 2,
					51, 4, 0, 1, 0x51, 0x80, 6, 4, 10, 0, 2, 3, 255 };

	memset(b, 0, 400);
	b[0] = 2, b[1] = 1, b[2] = 6;
	b[4] = 0x1b, b[5] = 0xad, b[6] = 0xca, b[7] = 0xfe;
	b[16] = 10, b[17] = 0, b[18] = 2, b[19] = 15;
	memcpy(b + 28, mac, 6);
	b[236] = 99, b[237] = 130, b[238] = 83, b[239] = 99;
	memcpy(b + 240, opts, sizeof opts);
	b[242] = (uint8_t)type;
	return 240 + sizeof opts;
}

static void parse_offer(void)
{
	uint8_t b[400];
	size_t n = make_reply(b, TD_DHCP_OFFER);
	struct td_dhcp_reply r;
	struct td_err e = { "" };

	T_CHECK(td_dhcp_parse(b, n, XID, mac, &r, &e) == 0, "%.200s", e.msg);
	T_CHECK(r.type == TD_DHCP_OFFER, "type %d", r.type);
	T_CHECK(r.yiaddr == 0x0a00020f, "yiaddr %08x", r.yiaddr);
	T_CHECK(r.server == 0x0a000202, "server %08x", r.server);
	T_CHECK(r.router == 0x0a000202, "router %08x", r.router);
	T_CHECK(r.prefix == 24 && !r.prefix_guessed, "prefix %d", r.prefix);
	T_CHECK(r.lease == 86400, "lease %u", r.lease);
	make_reply(b, TD_DHCP_ACK);
	T_CHECK(td_dhcp_parse(b, n, XID, mac, &r, &e) == 0 && r.type == TD_DHCP_ACK, "ACK");
}

/* A mask of 0.0.0.0 and routers off the leased subnet are not taken. */
static void parse_refuses_steering(void)
{
	static const uint8_t routers[][4] = { { 192, 168, 1, 1 }, { 10, 0, 2, 15 }, { 10, 0, 2, 0 },
					      { 10, 0, 2, 255 }, { 0, 0, 0, 1 } };
	uint8_t b[400];
	size_t n = make_reply(b, TD_DHCP_ACK);
	struct td_dhcp_reply r;
	struct td_err e = { "" };

	memset(b + 253, 0, 4); /* subnet mask 0.0.0.0 */
	T_REQUIRE(td_dhcp_parse(b, n, XID, mac, &r, &e) == 0, "%.200s", e.msg);
	T_CHECK(r.prefix == 8 && r.prefix_guessed, "prefix %d installed", r.prefix);
	T_CHECK(r.router == 0x0a000202 && strstr(r.ignored, "subnet mask 0.0.0.0"), "%s", r.ignored);
	memcpy(b + 253, "\xff\xff\xff\0", 4);
	for (size_t i = 0; i < sizeof routers / sizeof routers[0]; i++) {
		memcpy(b + 259, routers[i], 4);
		T_REQUIRE(td_dhcp_parse(b, n, XID, mac, &r, &e) == 0, "%.200s", e.msg);
		T_CHECK(r.router == 0 && strstr(r.ignored, "router") && r.prefix == 24,
			"router %u.%u.%u.%u taken", routers[i][0], routers[i][1], routers[i][2],
			routers[i][3]);
	}
	memcpy(b + 259, "\x0a\x00\x02\xfe", 4); /* inside: kept */
	T_REQUIRE(td_dhcp_parse(b, n, XID, mac, &r, &e) == 0, "%.200s", e.msg);
	T_CHECK(r.router == 0x0a0002fe && !r.ignored[0], "router %08x, ignored %s", r.router, r.ignored);
}

static void parse_not_ours(void)
{
	uint8_t b[400];
	size_t n = make_reply(b, TD_DHCP_OFFER);
	struct td_dhcp_reply r;
	struct td_err e;

	T_CHECK(td_dhcp_parse(b, n, XID + 1, mac, &r, &e) == -1, "other xid accepted");
	T_CHECK(strstr(e.msg, "xid") != NULL, "%.200s", e.msg);
	b[33] ^= 1;
	T_CHECK(td_dhcp_parse(b, n, XID, mac, &r, &e) == -1, "other chaddr accepted");
	b[33] ^= 1, b[0] = 1;
	T_CHECK(td_dhcp_parse(b, n, XID, mac, &r, &e) == -1, "BOOTREQUEST accepted");
	b[0] = 2, b[239] = 0;
	T_CHECK(td_dhcp_parse(b, n, XID, mac, &r, &e) == -1, "missing cookie accepted");
	T_CHECK(td_dhcp_parse(b, 239, XID, mac, &r, &e) == -1, "short packet accepted");
}

static void parse_bad_options(void)
{
	uint8_t b[400];
	size_t n = make_reply(b, TD_DHCP_OFFER);
	struct td_dhcp_reply r;
	struct td_err e;

	b[n - 1] = 0; /* end marker becomes pad: no end */
	T_CHECK(td_dhcp_parse(b, n, XID, mac, &r, &e) == -1, "no end marker accepted");
	n = make_reply(b, TD_DHCP_OFFER);
	b[244] = 0xfe; /* option 54 length 254: past the end */
	T_CHECK(td_dhcp_parse(b, n, XID, mac, &r, &e) == -1 && strstr(e.msg, "past the end"),
		"overlong option: %.200s", e.msg);
	n = make_reply(b, TD_DHCP_OFFER);
	b[253] = 0, b[254] = 255; /* mask 0.255.255.0 */
	T_CHECK(td_dhcp_parse(b, n, XID, mac, &r, &e) == -1 && strstr(e.msg, "contiguous"),
		"bad mask: %.200s", e.msg);
	n = make_reply(b, TD_DHCP_OFFER);
	b[241] = 2; /* type option length 2 */
	T_CHECK(td_dhcp_parse(b, n, XID, mac, &r, &e) == -1, "type of length 2 accepted");
	n = make_reply(b, TD_DHCP_OFFER);
	b[244] = 3; /* server id length 3 */
	T_CHECK(td_dhcp_parse(b, n, XID, mac, &r, &e) == -1, "server id of length 3 accepted");
	n = make_reply(b, TD_DHCP_OFFER);
	b[242] = TD_DHCP_DISCOVER;
	T_CHECK(td_dhcp_parse(b, n, XID, mac, &r, &e) == -1, "DISCOVER accepted as a reply");
}

static void parse_missing_fields(void)
{
	uint8_t b[400];
	size_t n = make_reply(b, TD_DHCP_OFFER);
	struct td_dhcp_reply r;
	struct td_err e;

	memset(b + 243, 0, 6);
	T_CHECK(td_dhcp_parse(b, n, XID, mac, &r, &e) == -1 && strstr(e.msg, "54"),
		"OFFER without server id: %.200s", e.msg);
	make_reply(b, TD_DHCP_NAK);
	memset(b + 243, 0, 6);
	b[19] = 0;
	T_CHECK(td_dhcp_parse(b, n, XID, mac, &r, &e) == 0 && r.type == TD_DHCP_NAK,
		"NAK without server id or address refused");
	make_reply(b, TD_DHCP_OFFER);
	memset(b + 249, 0, 8); /* drop the subnet mask */
	T_CHECK(td_dhcp_parse(b, n, XID, mac, &r, &e) == 0 && r.prefix == 8 && r.prefix_guessed,
		"classful guess for 10.0.2.15: %d", r.prefix);
	make_reply(b, TD_DHCP_OFFER);
	b[19] = 0, b[18] = 0, b[17] = 0, b[16] = 0;
	T_CHECK(td_dhcp_parse(b, n, XID, mac, &r, &e) == -1, "OFFER of 0.0.0.0 accepted");
}

static void mask_prefix(void)
{
	T_CHECK(td_mask_prefix(0) == 0, "0");
	T_CHECK(td_mask_prefix(0xffffffffu) == 32, "32");
	T_CHECK(td_mask_prefix(0xffffff00u) == 24, "24");
	T_CHECK(td_mask_prefix(0xfffffffeu) == 31, "31");
	T_CHECK(td_mask_prefix(0xff00ff00u) == -1, "holes");
	T_CHECK(td_mask_prefix(0x00ffffffu) == -1, "reversed");
}

/* Every truncation and random corruption of a valid reply is handled
 * without reading out of bounds (ASan would abort the run). */
static void parse_never_overreads(void)
{
	uint8_t b[400];
	size_t n = make_reply(b, TD_DHCP_OFFER), cut;
	struct td_dhcp_reply r;
	struct td_err e;
	int accepted = 0;

	for (cut = 0; cut <= n; cut++) {
		uint8_t *h = malloc(cut ? cut : 1);

		memcpy(h, b, cut);
		accepted += td_dhcp_parse(h, cut, XID, mac, &r, &e) == 0;
		free(h);
	}
	T_CHECK(accepted == 1, "%d truncations accepted, want only the full packet", accepted);
	srand(7);
	for (int i = 0; i < 20000; i++) {
		uint8_t h[400];

		memcpy(h, b, n);
		h[240 + rand() % (int)(n - 240)] = (uint8_t)rand();
		h[240 + rand() % (int)(n - 240)] = (uint8_t)rand();
		(void)td_dhcp_parse(h, n, XID, mac, &r, &e);
	}
}

int main(int argc, char **argv)
{
	T_ARGS(argc, argv);
	T_RUN(build_discover);
	T_RUN(build_request);
	T_RUN(build_errors);
	T_RUN(parse_offer);
	T_RUN(parse_refuses_steering);
	T_RUN(parse_not_ours);
	T_RUN(parse_bad_options);
	T_RUN(parse_missing_fields);
	T_RUN(mask_prefix);
	T_RUN(parse_never_overreads);
	T_END();
}
