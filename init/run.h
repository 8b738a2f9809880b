/* One capture run: the vmcore opened and understood (ELF, notes,
 * VMCOREINFO, kernel facts, filter), the kernel log extracted, and the dump
 * written to any sink, as many times as there are targets. PID 1 and
 * `tinydump capture` share it. */
#ifndef TD_RUN_H
#define TD_RUN_H

#include <time.h>

#include "capture/crashsig.h"
#include "capture/dump.h"
#include "capture/readstack.h"
#include "filesrc.h"

#define TD_DMESG_MAX TD_CRASHSIG_LOG_MAX /* kernel-log text kept in memory */

struct td_run {
	struct td_filesrc fs;
	struct td_source src;
	struct td_readstack rs;      /* the vmcore, its VMCOREINFO, readers */
	struct td_kinfo ki;
	struct td_filter filter;
	struct td_warnings warn;
	char *dmesg;                 /* TD_DMESG_MAX bytes */
	size_t dmesg_len;
	int dmesg_ok;
	/* the crash signature of that log (capture/crashsig.h); "" if none */
	char sig[TD_CRASHSIG_HEX + 1];
	char sig_text[TD_CRASHSIG_TEXT];
	/* the last dump written */
	struct td_dump dump;
	double seconds;
	/* progress */
	struct timespec t0, last;
	uint64_t last_pfn;
	int read_noted;
	int threads;                 /* compression workers; -1: one per online CPU */
	uint64_t first_dump_ms;      /* td_mono_ms() when the first dump began; 0: none yet */
};

/* Open path (force_read: use read(), not mmap), parse it and set up the
 * filter for level. Fails only when the file is not a usable vmcore. */
int td_run_open(struct td_run *r, const char *path, int force_read, unsigned level,
		struct td_err *e);

/* Extract the kernel log into r->dmesg, and its crash signature (of what
 * could be read) into r->sig and r->sig_text. Never fails the run: a
 * failure is logged and recorded as a warning, and r->dmesg_ok stays 0. */
void td_run_dmesg(struct td_run *r);

/* Write the dump through out. Progress goes to the log once a second. */
int td_run_dump(struct td_run *r, struct td_sink *out, enum td_format format,
		const struct td_codec *codec,
		struct td_err *e);

void td_run_close(struct td_run *r);

#endif
