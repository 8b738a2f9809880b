/* The receiver's metrics endpoint (`--metrics ADDR:PORT`): the shared
 * counters of metrics.h, and the process that serves them over plain HTTP.
 * It runs apart from the parent, so a slow or hostile scraper costs at
 * most one scrape's TD_HTTP_TIMEOUT_MS and never an upload: it answers one
 * request per connection, one connection at a time. */
#ifndef TD_RXMETRICS_H
#define TD_RXMETRICS_H

#include <sys/types.h>

#include "metrics.h"

/* The counters, zeroed, in a mapping shared with every process forked
 * after this. NULL when mmap fails. */
struct td_rx_counts *td_rxmetrics_map(void);

/* In a child of the receiver (parent: its pid, taken before the fork):
 * serve GET /metrics on the listening socket fd until the receiver dies
 * (the process asks for SIGTERM then). dir is the dump directory whose
 * filesystem's free space is shown; retention says whether to show its
 * counters. */
__attribute__((noreturn)) void td_rxmetrics_serve(int fd, const struct td_rx_counts *c,
						   const char *dir, int retention, pid_t parent);

#endif
