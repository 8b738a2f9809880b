/* The receiver's own crash signature of an upload (receive.h): computed
 * from the dump it stored, never taken from the client's record, so a
 * client cannot file its crash under another's signature. The log is read
 * by the code the capture run uses (td_crashsig_dump, at most
 * TD_CRASHSIG_LOG_MAX bytes of it), in a child process limited to
 * TD_RXSIG_CPU_S seconds of CPU time and TD_RXSIG_WALL_S of wall time: the
 * dump is the client's, and one built to make the reader slow or crash it
 * costs that child only, never the upload. */
#ifndef TD_RXSIG_H
#define TD_RXSIG_H

#include <stdint.h>

#include "os/err.h"
#include "capture/crashsig.h"

#define TD_RXSIG_CPU_S 10
#define TD_RXSIG_WALL_S 30

struct td_rxsig {
	char hex[TD_CRASHSIG_HEX + 1];  /* "" when the log holds no report */
	char text[TD_CRASHSIG_TEXT];
};

/* The signature of the dump in fd (an ELF vmcore or a kdump-compressed
 * file of size bytes). 0, or -1 with a message when the log could not be
 * read or the child did not finish; s is then empty. */
int td_rxsig(int fd, uint64_t size, struct td_rxsig *s, struct td_err *e);

#endif
