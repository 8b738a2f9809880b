#include <stdio.h>
#include <string.h>
#include <sys/random.h>

#include "os/clock.h"
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

unsigned td_backoff_ms(unsigned retry, uint32_t rnd)
{
	unsigned base = retry < 4 ? 2000u << retry : 30000;

	if (base > 30000)
		base = 30000;
	/* uniform in [base/2, base*3/2): receivers behind one address that a
	 * whole fleet reaches at once must not see the retries in step */
	return base / 2 + (unsigned)((uint64_t)rnd * base >> 32);
}

/* Randomness for the jitter: the kernel's, or (early in a capture kernel's
 * boot, when it may not be ready) the clock's low bits mixed with the
 * crashed machine's name. Not for secrets. */
static uint32_t jitter_seed(const struct td_run *run)
{
	uint32_t r, h = 2166136261u;

	if (getrandom(&r, sizeof r, GRND_NONBLOCK) == (ssize_t)sizeof r)
		return r;
	for (const char *p = run->ki.uts[1]; *p; p++)
		h = (h ^ (unsigned char)*p) * 16777619u;
	return h ^ (uint32_t)td_mono_ms() * 2654435761u;
}

int td_targets_run(struct td_run *run, const struct td_config *cfg, const struct td_target_env *env,
		   char *landed, size_t cap)
{
	static struct td_try c;
	static struct td_attempt att[TD_MAX_TARGETS * (TD_RETRIES_MAX + 1)];
	struct td_err e;

	memset(&c, 0, sizeof c);
	c.env = env ? env : &pid1_env;
	c.run = run;
	c.cfg = cfg;
	c.failed = att;
	for (unsigned i = 0; i < cfg->ntarget; i++) {
		const struct td_target *t = &cfg->target[i];
		unsigned tries = t->kind->retry ? 1 + cfg->retries : 1;

		td_log("target %u of %u: %s", i + 1, cfg->ntarget, t->spec);
		c.target = t;
		c.index = i;
		for (unsigned k = 0; k < tries; k++) {
			int rc;

			c.landed[0] = '\0';
			run->dump.incomplete = 0;
			if ((rc = t->kind->deliver(&c, t, &e)) == 0) {
				td_log("dump complete: %s (%llu bytes, %.1f s)", c.landed,
				       (unsigned long long)run->dump.bytes_written, run->seconds);
				if (landed)
					snprintf(landed, cap, "%s", c.landed);
				return 0;
			}
			struct td_attempt *a = &att[c.nfailed++];
			snprintf(a->target, sizeof a->target, "%s", t->spec);
			snprintf(a->result, sizeof a->result, "%s", run->dump.incomplete ? "incomplete" : "failed");
			snprintf(a->error, sizeof a->error, "%s", e.msg);
			if (rc == -2 || k + 1 == tries) {
				td_log("target %s failed%s: %s", t->spec,
				       rc == -2 && k + 1 < tries ? " (not retried: trying again cannot help)" : "",
				       e.msg);
				break;
			}
			unsigned ms = td_backoff_ms(k, jitter_seed(run));
			td_log("target %s failed (try %u of %u): %s; trying again in %u.%u s", t->spec, k + 1,
			       tries, e.msg, ms / 1000, ms % 1000 / 100);
			td_sleep_ms(ms);
		}
	}
	return -1;
}
