/* tls:HOST:PORT: stream the dump to a `tinydump receive` (net/upload.h). */
#include <stdio.h>
#include <string.h>

#include "os/log.h"
#include "os/parse.h"
#include "capture/writer.h"
#include "net/tcp.h"
#include "net/upload.h"
#include "config.h"
#include "rundir.h"
#include "target.h"

/* tls:HOST:PORT, HOST an IPv4 literal (no DNS in the capture kernel). */
static int parse(struct td_target *t, const char *s, struct td_err *e)
{
	const char *colon = strchr(s, ':');
	unsigned long port;
	uint32_t v4;

	if (s[0] == '[')
		return td_fail(e, "IPv6 hosts are not supported for tls yet");
	if (!colon)
		return td_fail(e, "'%.60s' is not HOST:PORT", s);
	if (td_ipv4_parse(s, (size_t)(colon - s), &v4) < 0)
		return td_fail(e, "host '%.*s' is not an IPv4 address", (int)(colon - s > 60 ? 60 : colon - s),
			       s);
	if (td_dec_parse(colon + 1, strlen(colon + 1), 65535, &port) < 0 || !port)
		return td_fail(e, "port '%.20s' is not a number from 1 to 65535", colon + 1);
	memcpy(t->where, s, (size_t)(colon - s)); /* at most 15 bytes: checked above */
	t->where[colon - s] = '\0';
	t->port = (uint16_t)port;
	return 0;
}

/* Payload callbacks: the run streams its kdump file and its JSON. */
static int pay_dump(void *ctx, struct td_sink *out, struct td_err *e)
{
	struct td_try *c = ctx;

	return td_run_dump(c->run, out, TD_FMT_KDUMP, c->cfg->codec, e);
}

static int pay_json(void *ctx, char *buf, size_t cap, struct td_err *e)
{
	struct td_try *c = ctx;
	long long when;
	int from_clock;
	char name[128];

	td_dump_name(c->run, name, sizeof name, &when, &from_clock);
	struct td_outcome o = {
		.run = c->run, .target = c->target->spec, .format = "kdump", .when = when,
		.crash_time_from_clock = from_clock, .attempts = c->failed, .nattempts = c->nfailed,
		.complete = !c->run->dump.incomplete,
	};
	if (td_outcome_json(&o, buf, cap) < 0)
		return td_fail(e, "outcome JSON longer than %zu bytes", cap);
	return 0;
}

static int deliver(struct td_try *c, const struct td_target *t, struct td_err *e)
{
	const struct td_run *r = c->run;
	struct td_payload p = {
		.node = r->ki.uts[1], .release = r->ki.uts[2], .format = "kdump",
		.crash_time = r->ki.crash_time > 0 ? r->ki.crash_time : 0,
		.dmesg = r->dmesg, .dmesg_len = r->dmesg_len,
		.dump = pay_dump, .json = pay_json, .ctx = c,
		.size_bound = td_kdump_size_bound(&r->rs.vc),
	};

	if (td_try_network(c, e) < 0)
		return -1;
	if (c->cfg->format)
		td_log("tinydump.format=elf does not apply to TLS targets; sending kdump");
	int rc = td_upload(&p, t->where, t->port, c->cfg->tls_name, c->env->ca, c->env->cert,
			   c->env->key, c->cfg->timeout, e);
	if (rc < 0)
		return rc; /* -2: the target loop does not retry */
	snprintf(c->landed, sizeof c->landed, "delivered to %s", t->spec);
	return 0;
}

static enum td_readiness ready(const struct td_target *t, const struct td_config *cfg, char *msg,
			       size_t cap)
{
	(void)cfg;
	return (enum td_readiness)td_tcp_ready(t->where, t->port, msg, cap);
}

static int dumps_here(const struct td_target *t, char *dir, size_t cap, struct td_err *e)
{
	(void)dir, (void)cap;
	return td_fail(e, "its dumps are on the receiver at %s (tinydump list DIR there)", t->where);
}

const struct td_target_kind td_target_tls = {
	"tls", "tls:HOST:PORT", 0, 1, parse, deliver, ready, dumps_here,
};
