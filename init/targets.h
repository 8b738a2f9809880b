/* The target loop of the capture run: each target in order gets a full
 * attempt (wait for its device or network, then dmesg.txt and the dump);
 * a failure is logged with its cause and the next target is tried. */
#ifndef TD_TARGETS_H
#define TD_TARGETS_H

#include "config.h"
#include "run.h"

/* 0 when one target holds a complete dump, -1 when all failed. */
int td_targets_run(struct td_run *run, const struct td_config *cfg);

const char *td_action_name(enum td_action a);

#endif
