/* The target loop of the capture run: each target in order gets a full
 * attempt through its kind (target.h); a failure is logged with its cause,
 * recorded for tinydump.json, and the next target is tried. */
#ifndef TD_TARGETLOOP_H
#define TD_TARGETLOOP_H

#include "config.h"
#include "outcome.h"
#include "run.h"

/* Where the loop runs: PID 1 brings the network up itself and finds the
 * TLS files in /etc/tinydump; `tinydump capture --target` on a running
 * host uses its network as it is and may name other files. */
struct td_target_env {
	int bring_up_network;
	const char *ca, *cert, *key;
};

/* One attempt, as a kind's deliver() sees it. */
struct td_try {
	struct td_run *run;
	const struct td_config *cfg;
	const struct td_target_env *env;
	const struct td_target *target;
	unsigned index;                  /* of the target, for mount points */
	const struct td_attempt *failed; /* the earlier attempts, for the JSON */
	unsigned nfailed;
	int net_up;                      /* the network is configured */
	char iface[16];
	char landed[512];                /* out: where the dump is */
};

/* 0 when one target holds a complete dump (its place in landed, which may
 * be NULL), -1 when all failed. env NULL: the capture kernel's defaults. */
int td_targets_run(struct td_run *run, const struct td_config *cfg, const struct td_target_env *env,
		   char *landed, size_t cap);

/* For network kinds: bring the network up once per run (PID 1 only). */
int td_try_network(struct td_try *c, struct td_err *e);

const char *td_action_name(enum td_action a);

/* The pause before retry number retry+1 (0-based) of a target: 2, 4, 8,
 * 16, then 30 s, each scaled by a factor from [0.5, 1.5) that rnd (uniform
 * over 32 bits) picks. */
unsigned td_backoff_ms(unsigned retry, uint32_t rnd);

#endif
