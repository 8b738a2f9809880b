/* The target loop of the capture run: each target in order gets a full
 * attempt (wait for its device or network, then dmesg.txt and the dump);
 * a failure is logged with its cause and the next target is tried. */
#ifndef TD_TARGETS_H
#define TD_TARGETS_H

#include "config.h"
#include "run.h"

/* Where the loop runs: PID 1 brings the network up itself and finds the
 * TLS files in /etc/tinydump; `tinydump capture --target` on a running
 * host uses its network as it is and may name other files. */
struct td_target_env {
	int bring_up_network;
	const char *ca, *cert, *key;
};

/* 0 when one target holds a complete dump, -1 when all failed. env NULL
 * means the capture kernel's defaults. */
int td_targets_run(struct td_run *run, const struct td_config *cfg, const struct td_target_env *env);

const char *td_action_name(enum td_action a);

#endif
