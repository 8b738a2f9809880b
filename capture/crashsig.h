/* The crash signature: from the kernel log, the report of the crash (its
 * reason line, the faulting function of its RIP line, the top frames of
 * its first call trace), stripped of what changes from boot to boot and
 * from task to task, hashed to 16 hex digits. Two crashes of the same bug
 * on one kernel build get the same signature whatever KASLR chose; the
 * rules are in docs/SIGNATURES.md and every one of them is here.
 *
 * The log is fed as text in the format of capture/dmesg.c (makedumpfile
 * --dump-dmesg: "[    1.234567] text", continuation lines indented), in
 * pieces of any size: the result does not depend on how it was cut. Lines
 * longer than TD_CRASHSIG_LINE are cut there. Memory is the caller's
 * struct, a few KiB; nothing is allocated. Pure. */
#ifndef TD_CRASHSIG_H
#define TD_CRASHSIG_H

#include <stddef.h>
#include <stdint.h>

#include "dmesg.h"

#define TD_CRASHSIG_LINE 512    /* bytes of one log line looked at */
#define TD_CRASHSIG_REASON 160  /* bytes of the normalized reason kept */
#define TD_CRASHSIG_NAME 80     /* bytes of one function name kept */
#define TD_CRASHSIG_FRAMES 3    /* call-trace frames in the signature */
#define TD_CRASHSIG_TEXT (TD_CRASHSIG_REASON + (TD_CRASHSIG_FRAMES + 1) * TD_CRASHSIG_NAME + 8)
#define TD_CRASHSIG_HEX 16      /* hex digits of the signature */
/* Bytes of a dump's log read for the signature, by the capture run (which
 * keeps as much in dmesg.txt) and by the receiver alike. */
#define TD_CRASHSIG_LOG_MAX (2u << 20)

/* The report being read: the last one opened before the crash point. */
struct td_crashsig_report {
	char reason[TD_CRASHSIG_REASON];
	char func[TD_CRASHSIG_NAME];    /* of the report's first RIP line, or "" */
	char frame[TD_CRASHSIG_FRAMES][TD_CRASHSIG_NAME];
	unsigned nframes;
	int rip_seen;       /* its first RIP line was read */
	int die_seen;       /* an "Oops: ... [#N]" style line joined it */
	int in_trace;       /* inside its first call trace */
	int trace_done;     /* that trace ended (or holds enough frames) */
};

struct td_crashsig {
	struct td_crashsig_report rep;
	int have;           /* a report was opened */
	int frozen;         /* the crash point (a panic line) passed */
	char line[TD_CRASHSIG_LINE];
	size_t len;         /* bytes of the current line held (cut at the cap) */
	/* td_crashsig_end's results */
	char text[TD_CRASHSIG_TEXT];   /* "reason|func|frame1|frame2|frame3" */
	char hex[TD_CRASHSIG_HEX + 1]; /* first 8 bytes of its SHA-256, or "" */
};

void td_crashsig_init(struct td_crashsig *s);

/* The next len bytes of the log. */
void td_crashsig_feed(struct td_crashsig *s, const char *buf, size_t len);

/* The log ended: fill s->text and s->hex. Returns 1 when the log holds a
 * crash report (a signature), 0 when it holds none (both empty). */
int td_crashsig_end(struct td_crashsig *s);

/* The log of a dump as capture/dmesg.c writes it (td_dmesg_write_max with
 * max_bytes) through the signature and, when out is not NULL, on into out.
 * Both the capture run and the receiver compute signatures through this
 * one function, so for the same dump they cannot differ. Fails as
 * td_dmesg_write_max does; s is then ended on what was read. */
int td_crashsig_dump(struct td_crashsig *s, struct td_dmesg *d, struct td_kread *kr,
		     const struct td_vmcoreinfo *vi, struct td_sink *out, uint64_t max_bytes,
		     struct td_err *e);

#endif
