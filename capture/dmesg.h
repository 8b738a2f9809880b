/* The crashed kernel's log, from the lockless printk ringbuffer (Linux
 * 5.10+), printed exactly as makedumpfile 1.7.2 --dump-dmesg prints it:
 *   "[%5llu.%06lu] " + text + "\n" per record, where in the text a newline
 *   becomes "\n" plus spaces to the prefix width, bytes that are neither
 *   printable ASCII nor C-locale whitespace become "\xNN" -- and bytes
 *   0x80..0xff become "\xffffffNN", because makedumpfile formats a signed
 *   char with %02x; we reproduce that so the outputs compare byte for byte.
 * Every layout fact comes from VMCOREINFO; nothing is hard-coded. Memory is
 * the caller's td_dmesg (about 200 KiB) whatever log_buf_len was: the
 * descriptor arrays and the text ring are read in bounded pieces. All of it
 * is untrusted: a garbage descriptor is skipped and counted, never fatal. */
#ifndef TD_DMESG_H
#define TD_DMESG_H

#include <stdint.h>

#include "io.h"
#include "kread.h"
#include "vmcoreinfo.h"

#define TD_DMESG_DESC_BUF (16u << 10)
#define TD_DMESG_INFO_BUF (32u << 10)
#define TD_DMESG_TEXT_WIN (128u << 10)  /* > the longest record text, 64 KiB */
#define TD_DMESG_OUT_BUF 4096

struct td_dmesg {
	/* results */
	uint64_t records;        /* records printed */
	uint64_t skipped;        /* reserved/reusable/stale slots, data-less records */
	uint64_t garbage;        /* inconsistent descriptors skipped */
	int clamped;             /* tail..head spanned more ids than the ring holds */
	int truncated;           /* stopped at max_bytes (td_dmesg_write_max) */
	uint64_t bytes;          /* bytes written to the sink */
	uint64_t max_bytes;      /* 0: no limit */
	/* working area */
	uint8_t descs[TD_DMESG_DESC_BUF];
	uint8_t infos[TD_DMESG_INFO_BUF];
	uint8_t text[TD_DMESG_TEXT_WIN];
	uint64_t text_off, text_len;   /* ring range held in text[] */
	char out[TD_DMESG_OUT_BUF];
	size_t out_len;
};

/* Write the log to out at offsets 0, 1, ... (a text stream). Fails when
 * the ringbuffer cannot be located or read (missing VMCOREINFO keys, an
 * implausible ring geometry, unreadable memory) or on a sink error; what
 * was written before a failure stays written. */
int td_dmesg_write(struct td_dmesg *d, struct td_kread *kr, const struct td_vmcoreinfo *vi,
		   struct td_sink *out, struct td_err *e);

/* The same, but stop walking the ring once max_bytes (0: no limit) have
 * been produced: a corrupt ring cannot make us read 2^26 descriptors for a
 * log nobody keeps. The cut falls after the record that reached the cap
 * (so up to one record, at most 640 KiB escaped, more may be written; a
 * caller keeping exactly max_bytes cuts it). d->truncated says whether
 * records were left out. */
int td_dmesg_write_max(struct td_dmesg *d, struct td_kread *kr, const struct td_vmcoreinfo *vi,
		       struct td_sink *out, uint64_t max_bytes, struct td_err *e);

#endif
