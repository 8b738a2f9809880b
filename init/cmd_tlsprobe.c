/* `tinydump tls-probe HOST:PORT [--ca F] [--name N] [--cert C --key K]
 * [--timeout S]`: a handshake with a receiver and nothing else, to check
 * certificates and reachability by hand (and in the TLS tests). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "os/log.h"
#include "net/upload.h"
#include "commands.h"

struct probe_args {
	char host[48];
	uint16_t port;
	const char *ca, *name, *cert, *key;
	unsigned timeout;
};

static int parse_hostport(const char *s, char *host, size_t cap, uint16_t *port)
{
	const char *c = strrchr(s, ':');
	char *end;
	unsigned long v;

	if (!c || (size_t)(c - s) >= cap || c == s)
		return -1;
	errno = 0;
	v = strtoul(c + 1, &end, 10);
	if (*end || end == c + 1 || v == 0 || v > 65535 || errno)
		return -1;
	memcpy(host, s, (size_t)(c - s));
	host[c - s] = 0;
	*port = (uint16_t)v;
	return 0;
}

static int probe_parse(int argc, char **argv, struct probe_args *a)
{
	*a = (struct probe_args){ .ca = TD_TLS_CA_PATH, .name = "tinydump-receiver", .timeout = 10 };
	for (int i = 1; i < argc; i++) {
		const char *v = i + 1 < argc ? argv[i + 1] : NULL;

		if (argv[i][0] != '-') {
			if (parse_hostport(argv[i], a->host, sizeof a->host, &a->port) < 0)
				return -1;
			continue;
		}
		if (!v)
			return -1;
		if (!strcmp(argv[i], "--ca"))
			a->ca = v;
		else if (!strcmp(argv[i], "--name"))
			a->name = v;
		else if (!strcmp(argv[i], "--cert"))
			a->cert = v;
		else if (!strcmp(argv[i], "--key"))
			a->key = v;
		else if (!strcmp(argv[i], "--timeout"))
			a->timeout = (unsigned)strtoul(v, NULL, 10);
		else
			return -1;
		i++;
	}
	return a->port && a->timeout ? 0 : -1;
}

int td_cmd_tlsprobe(int argc, char **argv)
{
	struct probe_args a;
	struct td_err e = { { 0 } };
	char desc[128];

	if (probe_parse(argc, argv, &a) < 0) {
		td_log_fatal("usage: tinydump tls-probe HOST:PORT [--ca FILE] [--name NAME] "
			     "[--cert FILE --key FILE] [--timeout S]");
		return 2;
	}
	if (td_upload_probe(a.host, a.port, a.name, a.ca, a.cert, a.key, a.timeout, desc, sizeof desc,
			    &e) < 0) {
		td_log_fatal("tls-probe: %s", e.msg);
		return 1;
	}
	td_log("tls-probe: %s:%u: handshake OK (%s)", a.host, a.port, desc);
	return 0;
}
