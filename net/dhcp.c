/* DHCP over plain UDP sockets, one per link: SO_BINDTODEVICE pins the
 * socket to its link (so several can bind port 68 at once) and makes a
 * send to 255.255.255.255 leave through that link even though it has no
 * address yet (the kernel routes limited broadcast by the bound device,
 * with source 0.0.0.0). We set the broadcast flag, so servers answer to
 * 255.255.255.255, which the kernel delivers to a socket bound to
 * INADDR_ANY:68 on an address-less link. No AF_PACKET needed. */
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <unistd.h>

#include "os/clock.h"
#include "dhcp.h"
#include "dhcpmsg.h"

#define BACKOFF_FIRST_MS 1000
#define BACKOFF_MAX_MS 4000
#define REQUEST_TRIES 3

struct client {
	const struct td_link *link;
	int fd;
	int state;            /* TD_DHCP_DISCOVER or TD_DHCP_REQUEST */
	uint32_t xid;
	uint32_t offered, server;
	int tries;            /* sends in the current state */
	unsigned backoff;
	uint64_t next;        /* when to (re)send */
	unsigned sent, offers, naks, dropped;
	char why[160];        /* the last problem on this link */
};

static uint32_t new_xid(const struct td_link *l)
{
	uint32_t x;

	/* Never wait for entropy: the xid only has to differ from other
	 * clients', and the MAC plus the clock does that. */
	if (getrandom(&x, sizeof x, GRND_NONBLOCK) == (ssize_t)sizeof x)
		return x;
	x = (uint32_t)td_mono_ms() * 2654435761u;
	return x ^ ((uint32_t)l->mac[2] << 24 | (uint32_t)l->mac[3] << 16 |
		    (uint32_t)l->mac[4] << 8 | l->mac[5]);
}

static int open_socket(struct client *c)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons(68) };
	int one = 1;

	c->fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (c->fd < 0)
		return snprintf(c->why, sizeof c->why, "socket: %s", strerror(errno)), -1;
	if (setsockopt(c->fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) < 0 ||
	    setsockopt(c->fd, SOL_SOCKET, SO_BROADCAST, &one, sizeof one) < 0 ||
	    setsockopt(c->fd, SOL_SOCKET, SO_BINDTODEVICE, c->link->name,
		       (socklen_t)strlen(c->link->name) + 1) < 0 ||
	    bind(c->fd, (struct sockaddr *)&sa, sizeof sa) < 0) {
		snprintf(c->why, sizeof c->why, "UDP port 68: %s", strerror(errno));
		close(c->fd);
		c->fd = -1;
		return -1;
	}
	return 0;
}

static void restart(struct client *c, uint64_t now)
{
	c->state = TD_DHCP_DISCOVER;
	c->xid = new_xid(c->link);
	c->tries = 0;
	c->backoff = BACKOFF_FIRST_MS;
	c->next = now;
}

static void send_msg(struct client *c, uint64_t now, uint64_t start)
{
	struct sockaddr_in to = { .sin_family = AF_INET, .sin_port = htons(67),
				  .sin_addr.s_addr = htonl(INADDR_BROADCAST) };
	struct td_dhcp_req rq = { .type = c->state, .xid = c->xid,
				  .secs = (uint16_t)((now - start) / 1000),
				  .requested = c->offered, .server = c->server };
	uint8_t buf[TD_DHCP_MAX];
	struct td_err e;
	int n;

	if (c->state == TD_DHCP_REQUEST && c->tries >= REQUEST_TRIES) {
		snprintf(c->why, sizeof c->why, "no ACK to %d REQUESTs", REQUEST_TRIES);
		restart(c, now);
	}
	memcpy(rq.mac, c->link->mac, 6);
	n = td_dhcp_build(&rq, buf, sizeof buf, &e);
	if (n > 0 && sendto(c->fd, buf, (size_t)n, 0, (struct sockaddr *)&to, sizeof to) < 0)
		snprintf(c->why, sizeof c->why, "send: %s", strerror(errno));
	else
		c->sent++;
	c->tries++;
	/* +-12.5 % jitter so clients started together spread out. */
	c->next = now + c->backoff - c->backoff / 8 + (c->xid ^ (uint32_t)now) % (c->backoff / 4);
	if (c->backoff < BACKOFF_MAX_MS)
		c->backoff *= 2;
}

/* Handle one reply. Returns 1 when c holds an ACKed lease. */
static int on_reply(struct client *c, const uint8_t *buf, size_t n, uint64_t now,
		    struct td_dhcp_reply *r)
{
	struct td_err e;

	if (td_dhcp_parse(buf, n, c->xid, c->link->mac, r, &e)) {
		c->dropped++;
		snprintf(c->why, sizeof c->why, "dropped a reply: %.120s", e.msg);
		return 0;
	}
	if (c->state == TD_DHCP_DISCOVER && r->type == TD_DHCP_OFFER) {
		c->offers++;
		c->offered = r->yiaddr;
		c->server = r->server;
		c->state = TD_DHCP_REQUEST;
		c->tries = 0;
		c->backoff = BACKOFF_FIRST_MS;
		c->next = now;
		return 0;
	}
	if (c->state != TD_DHCP_REQUEST || (r->server && r->server != c->server))
		return 0; /* a late OFFER, or another server's answer */
	if (r->type == TD_DHCP_NAK) {
		c->naks++;
		snprintf(c->why, sizeof c->why, "server NAKed our REQUEST");
		restart(c, now);
		return 0;
	}
	return r->type == TD_DHCP_ACK && r->yiaddr == c->offered;
}

static void receive(struct client *c, uint64_t now, struct td_lease *out, int *done)
{
	uint8_t buf[TD_DHCP_MAX];
	struct td_dhcp_reply r;
	struct sockaddr_in from;
	socklen_t fl = sizeof from;
	ssize_t n;

	while ((n = recvfrom(c->fd, buf, sizeof buf, 0, (struct sockaddr *)&from, &fl)) > 0 &&
	       !*done) {
		fl = sizeof from;
		if (!on_reply(c, buf, (size_t)n, now, &r))
			continue;
		out->index = c->link->index;
		snprintf(out->iface, sizeof out->iface, "%s", c->link->name);
		out->addr = r.yiaddr;
		out->prefix = r.prefix;
		out->prefix_guessed = r.prefix_guessed;
		out->router = r.router;
		out->server = c->server;
		out->from = ntohl(from.sin_addr.s_addr);
		out->lease = r.lease;
		snprintf(out->ignored, sizeof out->ignored, "%s", r.ignored);
		*done = 1;
	}
}

/* Wait for replies until the earliest resend or the deadline. */
static void wait_replies(struct client *cs, int n, uint64_t deadline, uint64_t start,
			 struct td_lease *out, int *done)
{
	struct pollfd pf[TD_NL_MAX_LINKS];
	uint64_t now = td_mono_ms(), wake = deadline;
	int i;

	for (i = 0; i < n; i++) {
		pf[i].fd = cs[i].fd;
		pf[i].events = POLLIN;
		if (cs[i].fd >= 0 && cs[i].next <= now)
			send_msg(&cs[i], now, start);
		if (cs[i].fd >= 0 && cs[i].next < wake)
			wake = cs[i].next;
	}
	if (poll(pf, (nfds_t)n, wake > now ? (int)(wake - now) : 0) <= 0)
		return;
	now = td_mono_ms();
	for (i = 0; i < n && !*done; i++)
		if (pf[i].revents & POLLIN)
			receive(&cs[i], now, out, done);
}

static void report(struct client *cs, int n, unsigned secs, struct td_err *e)
{
	char buf[sizeof e->msg];
	size_t used = 0;

	buf[0] = 0;
	for (int i = 0; i < n && used < sizeof buf; i++) {
		int w = snprintf(buf + used, sizeof buf - used, "%s%s: %u sent, %u offers, %u NAKs%s%s",
				 i ? "; " : "", cs[i].link->name, cs[i].sent, cs[i].offers,
				 cs[i].naks, cs[i].why[0] ? ", " : "", cs[i].why);
		used += w > 0 ? (size_t)w : 0;
	}
	td_fail(e, "no DHCP lease after %u s (%s)", secs, buf);
}

int td_dhcp_run(const struct td_link *links, int n, uint64_t deadline_ms, struct td_lease *out,
		struct td_err *e)
{
	struct client cs[TD_NL_MAX_LINKS];
	uint64_t start = td_mono_ms();
	int done = 0, nopen = 0, i;

	if (n > TD_NL_MAX_LINKS)
		n = TD_NL_MAX_LINKS;
	memset(cs, 0, sizeof cs);
	for (i = 0; i < n; i++) {
		cs[i].link = &links[i];
		nopen += open_socket(&cs[i]) == 0;
		restart(&cs[i], start);
	}
	while (nopen && !done && td_mono_ms() < deadline_ms)
		wait_replies(cs, n, deadline_ms, start, out, &done);
	if (!done)
		report(cs, n, (unsigned)((td_mono_ms() - start + 500) / 1000), e);
	for (i = 0; i < n; i++)
		if (cs[i].fd >= 0)
			close(cs[i].fd);
	return done ? 0 : -1;
}
