/* Network bring-up: reuse what the kernel configured, else links up,
 * carrier, then a static address or DHCP. Carrier is polled every 20 ms
 * (a netlink dump is cheap; a subscription would add a second code path). */
#include <net/if.h>
#include <net/if_arp.h>
#include <stdio.h>
#include <string.h>

/* glibc's net/if.h stops short of the kernel's RFC 2863 flags (musl's has
 * them); the value is the kernel ABI's (linux/if.h). */
#ifndef IFF_LOWER_UP
#define IFF_LOWER_UP 0x10000
#endif

#include "os/clock.h"
#include "os/log.h"
#include "dhcp.h"
#include "netlink.h"
#include "netup.h"

#define CARRIER_GRACE_MS 1000 /* after the first carrier, wait this for more */
/* DHCP and static set-up here are for Ethernet links (ARPHRD_ETHER) only. */

struct netup {
	const struct td_ipconf *ip;
	uint64_t t0, deadline;
	struct td_link links[TD_NL_MAX_LINKS];
	int n;
};

static int wanted(const struct netup *u, const struct td_link *l)
{
	if (l->type != ARPHRD_ETHER)
		return 0; /* loopback, tunnels (sit0), ... */
	return !u->ip->iface[0] || !strcmp(u->ip->iface, l->name);
}

static void names(const struct netup *u, char *buf, size_t cap)
{
	size_t used = 0;

	buf[0] = 0;
	for (int i = 0; i < u->n && used < cap; i++) {
		int w;

		if (u->links[i].type != ARPHRD_ETHER)
			continue;
		w = snprintf(buf + used, cap - used, "%s%s%s", used ? ", " : "",
				 u->links[i].name,
				 !(u->links[i].flags & IFF_UP) ? " (down)" :
				 u->links[i].flags & IFF_LOWER_UP ? "" : " (no carrier)");
		used += w > 0 ? (size_t)w : 0;
	}
	if (!buf[0])
		snprintf(buf, cap, "none");
}

static double secs(const struct netup *u)
{
	return (double)(td_mono_ms() - u->t0) / 1000.0;
}

/* An up link that already has an address, such as the kernel's ip= set. */
static int configured(struct netup *u, char *iface_out)
{
	char a[16];

	for (int i = 0; i < u->n; i++) {
		struct td_link *l = &u->links[i];

		if (!wanted(u, l) || !l->addr || !(l->flags & IFF_UP))
			continue;
		snprintf(iface_out, 16, "%s", l->name);
		td_log("network: using %s %s/%d as already configured%s", l->name,
		       td_ipv4_str(l->addr, a), l->prefix,
		       u->ip->mode == TD_IP_STATIC ? " (tinydump.ip is not applied)" : "");
		return 1;
	}
	return 0;
}

/* Set the wanted links up and wait for carrier on at least one of them,
 * then up to CARRIER_GRACE_MS for the others. Returns how many have it. */
static int carrier(struct netup *u, struct td_err *e)
{
	uint64_t first = 0;
	int have = 0, want = 0, i;

	for (i = 0; i < u->n; i++)
		if (wanted(u, &u->links[i]) && !(u->links[i].flags & IFF_UP) &&
		    td_nl_link_up(u->links[i].index, e))
			return -1;
	for (;;) {
		if (td_nl_links(u->links, TD_NL_MAX_LINKS, &u->n, e))
			return -1;
		for (have = want = i = 0; i < u->n; i++) {
			want += wanted(u, &u->links[i]);
			have += wanted(u, &u->links[i]) && (u->links[i].flags & IFF_LOWER_UP);
		}
		if (have && !first)
			first = td_mono_ms();
		if (have == want || td_mono_ms() >= u->deadline ||
		    (first && td_mono_ms() >= first + CARRIER_GRACE_MS))
			return have;
		td_sleep_ms(20);
	}
}

static int set_static(struct netup *u, const struct td_link *l, char *iface_out,
		      struct td_err *e)
{
	const struct td_ipconf *ip = u->ip;
	char a[16], g[16];

	if (td_nl_addr_add(l->index, ip->addr, ip->prefix, e) ||
	    (ip->gw && td_nl_route_default(l->index, ip->gw, ip->addr, ip->prefix, e)))
		return td_wrap(e, "configuring %s", l->name);
	snprintf(iface_out, 16, "%s", l->name);
	td_log("network: %s %s/%d gateway %s (static), up in %.2f s", l->name,
	       td_ipv4_str(ip->addr, a), ip->prefix, ip->gw ? td_ipv4_str(ip->gw, g) : "none",
	       secs(u));
	return 0;
}

static int run_dhcp(struct netup *u, char *iface_out, struct td_err *e)
{
	struct td_link c[TD_NL_MAX_LINKS];
	struct td_lease l;
	char a[16], g[16], s[16], f[16];
	int n = 0;

	for (int i = 0; i < u->n; i++)
		if (wanted(u, &u->links[i]) && (u->links[i].flags & IFF_LOWER_UP))
			c[n++] = u->links[i];
	if (td_dhcp_run(c, n, u->deadline, &l, e))
		return -1;
	if (td_nl_addr_add(l.index, l.addr, l.prefix, e) ||
	    (l.router && td_nl_route_default(l.index, l.router, l.addr, l.prefix, e)))
		return td_wrap(e, "configuring the DHCP lease on %s", l.iface);
	snprintf(iface_out, 16, "%s", l.iface);
	/* Any server on the link may answer first; its addresses go to the log
	 * so an operator can tell whose lease the capture kernel took. */
	td_log("network: %s %s/%d%s gateway %s (DHCP server %s, reply from %s, lease %u s%s%s), "
	       "up in %.2f s", l.iface, td_ipv4_str(l.addr, a), l.prefix,
	       l.prefix_guessed ? " (guessed)" : "", l.router ? td_ipv4_str(l.router, g) : "none",
	       td_ipv4_str(l.server, s), td_ipv4_str(l.from, f), l.lease,
	       l.ignored[0] ? "; ignored " : "", l.ignored, secs(u));
	return 0;
}

static int count_wanted(const struct netup *u)
{
	int n = 0;

	for (int i = 0; i < u->n; i++)
		n += wanted(u, &u->links[i]);
	return n;
}

static int first_with_carrier(const struct netup *u)
{
	for (int i = 0; i < u->n; i++)
		if (wanted(u, &u->links[i]) && (u->links[i].flags & IFF_LOWER_UP))
			return i;
	return -1;
}

int td_net_up(const struct td_ipconf *ip, unsigned timeout_s, char *iface_out, struct td_err *e)
{
	struct netup u = { .ip = ip, .t0 = td_mono_ms() };
	char seen[200];
	int have;

	u.deadline = u.t0 + (uint64_t)timeout_s * 1000;
	if (td_nl_links(u.links, TD_NL_MAX_LINKS, &u.n, e))
		return td_wrap(e, "bringing the network up");
	if (configured(&u, iface_out))
		return 0;
	if (!count_wanted(&u)) {
		names(&u, seen, sizeof seen);
		return td_fail(e, "bringing the network up: no Ethernet interface%s%s (links: %s)",
			       ip->iface[0] ? " named " : "", ip->iface, seen);
	}
	have = carrier(&u, e);
	if (have < 0)
		return td_wrap(e, "bringing the network up");
	names(&u, seen, sizeof seen);
	if (have == 0)
		return td_fail(e, "bringing the network up: no link %s%swith carrier after %u s "
			       "(links: %s); check the cable, and that the capture kernel has "
			       "the network card's driver", ip->iface[0] ? ip->iface : "",
			       ip->iface[0] ? " " : "", timeout_s, seen);
	if (ip->mode == TD_IP_STATIC) {
		if (set_static(&u, &u.links[first_with_carrier(&u)], iface_out, e))
			return td_wrap(e, "bringing the network up");
		return 0;
	}
	td_log("network: DHCP on %s", seen);
	if (run_dhcp(&u, iface_out, e))
		return td_wrap(e, "bringing the network up with DHCP (links: %s; without a DHCP "
			       "server, set tinydump.ip=ADDR/PREFIX,GW)", seen);
	return 0;
}
