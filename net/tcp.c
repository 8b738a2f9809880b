#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "os/parse.h"
#include "tcp.h"

enum { CONNECT_MS = 3000 };

/* A TCP connect within CONNECT_MS; 0, or an errno. */
static int try_connect(uint32_t addr, uint16_t port)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons(port),
				  .sin_addr.s_addr = htonl(addr) };
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0), err = 0;
	struct pollfd p = { .fd = fd, .events = POLLOUT };
	socklen_t len = sizeof err;

	if (fd < 0)
		return errno;
	if (connect(fd, (struct sockaddr *)&sa, sizeof sa) < 0) {
		if (errno != EINPROGRESS)
			err = errno;
		else if (poll(&p, 1, CONNECT_MS) <= 0)
			err = ETIMEDOUT;
		else
			getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len);
	}
	close(fd);
	return err;
}

int td_tcp_ready(const char *host, uint16_t port, char *msg, size_t cap)
{
	uint32_t a;
	int err;

	if (td_ipv4_parse(host, strlen(host), &a)) {
		snprintf(msg, cap, "%s is not checked (IPv4 only here)", host);
		return 1;
	}
	err = try_connect(a, port);
	if (err) {
		snprintf(msg, cap, "cannot connect to %s port %u from here (%s); fix: start the server "
			 "or correct the target", host, port, strerror(err));
		return 2;
	}
	snprintf(msg, cap, "%s port %u accepts connections", host, port);
	return 0;
}
