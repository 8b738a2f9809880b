#include <stdio.h>
#include <string.h>

#include "os/log.h"
#include "net/netup.h"
#include "net/upload.h"
#include "targetloop.h"

static const struct td_target_env pid1_env = { 1, TD_TLS_CA_PATH, TD_TLS_CERT_PATH, TD_TLS_KEY_PATH };

const char *td_action_name(enum td_action a)
{
	static const char *const names[] = { "rebooting", "powering off", "halting", "starting a shell" };

	return (unsigned)a < 4 ? names[a] : "halting";
}

int td_try_network(struct td_try *c, struct td_err *e)
{
	if (c->net_up || !c->env->bring_up_network)
		return 0;
	if (td_net_up(&c->cfg->ip, c->cfg->timeout, c->iface, e) < 0)
		return td_wrap(e, "network");
	c->net_up = 1;
	return 0;
}

int td_targets_run(struct td_run *run, const struct td_config *cfg, const struct td_target_env *env,
		   char *landed, size_t cap)
{
	static struct td_try c;
	static struct td_attempt att[TD_MAX_TARGETS];
	struct td_err e;

	memset(&c, 0, sizeof c);
	c.env = env ? env : &pid1_env;
	c.run = run;
	c.cfg = cfg;
	c.failed = att;
	for (unsigned i = 0; i < cfg->ntarget; i++) {
		const struct td_target *t = &cfg->target[i];

		td_log("target %u of %u: %s", i + 1, cfg->ntarget, t->spec);
		c.target = t;
		c.index = i;
		c.landed[0] = '\0';
		run->dump.incomplete = 0;
		if (t->kind->deliver(&c, t, &e) == 0) {
			td_log("dump complete: %s (%llu bytes, %.1f s)", c.landed,
			       (unsigned long long)run->dump.bytes_written, run->seconds);
			if (landed)
				snprintf(landed, cap, "%s", c.landed);
			return 0;
		}
		td_log("target %s failed: %s", t->spec, e.msg);
		struct td_attempt *a = &att[c.nfailed++];
		snprintf(a->target, sizeof a->target, "%s", t->spec);
		snprintf(a->result, sizeof a->result, "%s", run->dump.incomplete ? "incomplete" : "failed");
		snprintf(a->error, sizeof a->error, "%s", e.msg);
	}
	return -1;
}
