/* Clocks for timeouts and progress. */
#ifndef TD_CLOCK_H
#define TD_CLOCK_H

#include <stdint.h>

/* CLOCK_MONOTONIC in milliseconds. */
uint64_t td_mono_ms(void);

/* Sleep ms milliseconds (restarted after signals). */
void td_sleep_ms(unsigned ms);

#endif
