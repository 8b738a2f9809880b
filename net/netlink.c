/* rtnetlink over a NETLINK_ROUTE socket. Requests carry NLM_F_ACK (or are
 * dumps), so every exchange ends in an NLMSG_ERROR (0 = success) or an
 * NLMSG_DONE; replies with another sequence number are ignored. Messages
 * from the kernel are trusted for layout (it is the kernel), but every
 * length is still checked with the NLMSG_OK/RTA_OK macros before use. */
#include <errno.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <linux/netlink.h>
#include <linux/rtnetlink.h>

#include "netlink.h"

struct nl_req {
	struct nlmsghdr h;
	union {
		struct ifinfomsg ifi;
		struct ifaddrmsg ifa;
		struct rtmsg rt;
		struct rtgenmsg gen;
	} u;
	char attrs[128];
};

typedef void (*nl_cb)(struct nlmsghdr *h, void *arg);

const char *td_ipv4_str(uint32_t a, char *buf)
{
	snprintf(buf, 16, "%u.%u.%u.%u", a >> 24, (a >> 16) & 255, (a >> 8) & 255, a & 255);
	return buf;
}

static int nl_open(struct td_err *e)
{
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };
	int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);

	if (fd < 0)
		return td_fail(e, "netlink socket: %s", strerror(errno));
	if (bind(fd, (struct sockaddr *)&sa, sizeof sa) < 0) {
		td_fail(e, "netlink bind: %s", strerror(errno));
		close(fd);
		return -1;
	}
	return fd;
}

static void add_attr(struct nl_req *r, unsigned short type, const void *data, size_t len)
{
	struct rtattr *a = (struct rtattr *)((char *)r + NLMSG_ALIGN(r->h.nlmsg_len));

	a->rta_type = type;
	a->rta_len = (unsigned short)RTA_LENGTH(len);
	memcpy(RTA_DATA(a), data, len);
	r->h.nlmsg_len = NLMSG_ALIGN(r->h.nlmsg_len) + RTA_ALIGN(a->rta_len);
}

static void add_attr_be32(struct nl_req *r, unsigned short type, uint32_t host)
{
	uint8_t b[4] = { (uint8_t)(host >> 24), (uint8_t)(host >> 16), (uint8_t)(host >> 8),
			 (uint8_t)host };

	add_attr(r, type, b, 4);
}

/* Handle one batch of replies. 1: exchange finished, 0: read more, -1. */
static int nl_batch(char *buf, size_t n, unsigned seq, nl_cb cb, void *arg, struct td_err *e)
{
	struct nlmsghdr *h;
	size_t len = n;

	for (h = (struct nlmsghdr *)buf; NLMSG_OK(h, len); h = NLMSG_NEXT(h, len)) {
		if (h->nlmsg_seq != seq)
			continue;
		if (h->nlmsg_type == NLMSG_DONE)
			return 1;
		if (h->nlmsg_type == NLMSG_ERROR) {
			struct nlmsgerr *err = NLMSG_DATA(h);

			if (h->nlmsg_len < NLMSG_LENGTH(sizeof *err))
				return td_fail(e, "truncated netlink error message");
			if (err->error == 0)
				return 1;
			errno = -err->error;
			return td_fail(e, "%s", strerror(-err->error));
		}
		if (cb)
			cb(h, arg);
	}
	return 0;
}

/* Send r and consume replies until the ack or the end of the dump. */
static int nl_talk(struct nl_req *r, nl_cb cb, void *arg, struct td_err *e)
{
	static unsigned seq;
	char buf[16384] __attribute__((aligned(4)));
	int fd = nl_open(e), rc = 0;

	if (fd < 0)
		return -1;
	r->h.nlmsg_seq = ++seq;
	if (send(fd, r, r->h.nlmsg_len, 0) < 0)
		rc = td_fail(e, "netlink send: %s", strerror(errno));
	while (rc == 0) {
		ssize_t n = recv(fd, buf, sizeof buf, 0);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			rc = td_fail(e, "netlink receive: %s", n ? strerror(errno) : "socket closed");
			break;
		}
		rc = nl_batch(buf, (size_t)n, r->h.nlmsg_seq, cb, arg, e);
	}
	close(fd);
	return rc < 0 ? -1 : 0;
}

struct link_list {
	struct td_link *links;
	int max, n;
};

static void on_link(struct nlmsghdr *h, void *arg)
{
	struct link_list *l = arg;
	struct ifinfomsg *ifi = NLMSG_DATA(h);
	int len = (int)h->nlmsg_len - (int)NLMSG_LENGTH(sizeof *ifi);
	struct td_link *k;
	struct rtattr *a;

	if (h->nlmsg_type != RTM_NEWLINK || len < 0 || l->n >= l->max)
		return;
	k = &l->links[l->n++];
	memset(k, 0, sizeof *k);
	k->index = ifi->ifi_index;
	k->flags = ifi->ifi_flags;
	k->type = ifi->ifi_type;
	for (a = IFLA_RTA(ifi); RTA_OK(a, len); a = RTA_NEXT(a, len)) {
		size_t alen = RTA_PAYLOAD(a);

		if (a->rta_type == IFLA_IFNAME && alen > 0)
			snprintf(k->name, sizeof k->name, "%.*s", (int)alen, (char *)RTA_DATA(a));
		else if (a->rta_type == IFLA_ADDRESS && alen == 6)
			memcpy(k->mac, RTA_DATA(a), 6);
	}
}

static void on_addr(struct nlmsghdr *h, void *arg)
{
	struct link_list *l = arg;
	struct ifaddrmsg *ifa = NLMSG_DATA(h);
	int len = (int)h->nlmsg_len - (int)NLMSG_LENGTH(sizeof *ifa);
	struct rtattr *a;

	if (h->nlmsg_type != RTM_NEWADDR || len < 0 || ifa->ifa_family != AF_INET)
		return;
	for (int i = 0; i < l->n; i++) {
		struct td_link *k = &l->links[i];

		if (k->index != (int)ifa->ifa_index || k->addr)
			continue;
		for (a = IFA_RTA(ifa); RTA_OK(a, len); a = RTA_NEXT(a, len)) {
			const uint8_t *p = RTA_DATA(a);

			if (a->rta_type != IFA_LOCAL || RTA_PAYLOAD(a) != 4)
				continue;
			k->addr = (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
				  (uint32_t)p[2] << 8 | p[3];
			k->prefix = ifa->ifa_prefixlen;
		}
	}
}

static int dump(int type, nl_cb cb, struct link_list *l, struct td_err *e)
{
	struct nl_req r;

	memset(&r, 0, sizeof r);
	r.h.nlmsg_len = NLMSG_LENGTH(sizeof r.u.gen);
	r.h.nlmsg_type = (unsigned short)type;
	r.h.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	r.u.gen.rtgen_family = type == RTM_GETADDR ? AF_INET : AF_UNSPEC;
	return nl_talk(&r, cb, l, e);
}

int td_nl_links(struct td_link *links, int max, int *n, struct td_err *e)
{
	struct link_list l = { links, max, 0 };

	if (dump(RTM_GETLINK, on_link, &l, e) < 0)
		return td_wrap(e, "listing network links");
	if (dump(RTM_GETADDR, on_addr, &l, e) < 0)
		return td_wrap(e, "listing IPv4 addresses");
	*n = l.n;
	return 0;
}

int td_nl_link_up(int index, struct td_err *e)
{
	struct nl_req r;

	memset(&r, 0, sizeof r);
	r.h.nlmsg_len = NLMSG_LENGTH(sizeof r.u.ifi);
	r.h.nlmsg_type = RTM_NEWLINK;
	r.h.nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
	r.u.ifi.ifi_family = AF_UNSPEC;
	r.u.ifi.ifi_index = index;
	r.u.ifi.ifi_flags = IFF_UP;
	r.u.ifi.ifi_change = IFF_UP;
	if (nl_talk(&r, NULL, NULL, e) < 0)
		return td_wrap(e, "setting link %d up", index);
	return 0;
}

static uint32_t prefix_mask(int prefix)
{
	return prefix <= 0 ? 0 : 0xffffffffu << (32 - prefix);
}

int td_nl_addr_add(int index, uint32_t addr, int prefix, struct td_err *e)
{
	struct nl_req r;
	char a[16];

	memset(&r, 0, sizeof r);
	r.h.nlmsg_len = NLMSG_LENGTH(sizeof r.u.ifa);
	r.h.nlmsg_type = RTM_NEWADDR;
	r.h.nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | NLM_F_REPLACE;
	r.u.ifa.ifa_family = AF_INET;
	r.u.ifa.ifa_prefixlen = (unsigned char)prefix;
	r.u.ifa.ifa_scope = RT_SCOPE_UNIVERSE;
	r.u.ifa.ifa_index = (unsigned)index;
	add_attr_be32(&r, IFA_LOCAL, addr);
	add_attr_be32(&r, IFA_ADDRESS, addr);
	if (prefix < 31)
		add_attr_be32(&r, IFA_BROADCAST, addr | ~prefix_mask(prefix));
	if (nl_talk(&r, NULL, NULL, e) < 0)
		return td_wrap(e, "adding address %s/%d", td_ipv4_str(addr, a), prefix);
	return 0;
}

int td_nl_route_default(int index, uint32_t gw, uint32_t addr, int prefix, struct td_err *e)
{
	struct nl_req r;
	uint32_t oif = (uint32_t)index;
	char a[16];

	memset(&r, 0, sizeof r);
	r.h.nlmsg_len = NLMSG_LENGTH(sizeof r.u.rt);
	r.h.nlmsg_type = RTM_NEWROUTE;
	r.h.nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | NLM_F_REPLACE;
	r.u.rt.rtm_family = AF_INET;
	r.u.rt.rtm_table = RT_TABLE_MAIN;
	r.u.rt.rtm_protocol = RTPROT_BOOT;
	r.u.rt.rtm_scope = RT_SCOPE_UNIVERSE;
	r.u.rt.rtm_type = RTN_UNICAST;
	if ((gw & prefix_mask(prefix)) != (addr & prefix_mask(prefix)))
		r.u.rt.rtm_flags = RTNH_F_ONLINK;
	add_attr_be32(&r, RTA_GATEWAY, gw);
	add_attr(&r, RTA_OIF, &oif, sizeof oif);
	if (nl_talk(&r, NULL, NULL, e) < 0)
		return td_wrap(e, "adding default route via %s", td_ipv4_str(gw, a));
	return 0;
}
