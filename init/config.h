/* tinydump's configuration: the keys of DESIGN.md "Kernel command line",
 * read from /etc/tinydump.conf and then from the kernel command line, which
 * wins key by key. Pure: callers read the text; nothing here allocates.
 *
 * Nothing here fails: a bad option must never cost the dump. An unknown key
 * or a malformed value becomes a warning (td_warn) that quotes the text and
 * says what is used instead, and the key keeps its previous value. */
#ifndef TD_CONFIG_H
#define TD_CONFIG_H

#include <stddef.h>
#include <stdint.h>

#include "os/err.h"
#include "capture/codec.h"
#include "capture/stats.h"
#include "net/netup.h"
#include "target.h"

enum td_action { TD_ACT_REBOOT, TD_ACT_POWEROFF, TD_ACT_HALT, TD_ACT_SHELL };

struct td_config {
	struct td_target target[TD_MAX_TARGETS];
	unsigned ntarget;
	int nfsvers;        /* 3 or 4 */
	char nfsopts[256];  /* extra mount options, "" for none */
	char tls_name[256]; /* DNS name the server certificate must carry */
	unsigned level;     /* makedumpfile dump level 0..31 */
	int format;         /* 0 kdump-compressed, 1 ELF */
	const struct td_codec *codec; /* page codec (capture/codec.h) */
	struct td_ipconf ip;
	unsigned timeout;   /* seconds, 1..86400 */
	unsigned retries;   /* more tries of a failed tls: target, 0..TD_RETRIES_MAX */
	unsigned cpus;      /* capture kernel CPUs (nr_cpus=) and compression threads, 1..TD_CPUS_MAX */
	enum td_action final, failure;
	int defaulted_target; /* set by td_config_finish: the default is used */
	unsigned targets_given; /* target entries seen, valid or not */
};

/* The target of a configuration that names none. On a host, where disks
 * can be seen, `tinydump initramfs` and `tinydump status` use the root
 * filesystem instead when no device carries the label (confpin.h). */
#define TD_DEFAULT_TARGET "disk:LABEL=crash"

/* tinydump.retries= at most. */
#define TD_RETRIES_MAX 5

/* tinydump.cpus= at most: the compression threads PID 1 can run. */
#define TD_CPUS_MAX 8

void td_config_defaults(struct td_config *c);

/* /etc/tinydump.conf: one key=value per line (keys as on the command line
 * without "tinydump.", which is tolerated), blanks around key and value
 * ignored, a value may be wrapped in double quotes, '#' starts a comment at
 * the start of a line or after a blank. Each target line adds a target. */
void td_config_file(struct td_config *c, const char *text, size_t len, struct td_warnings *w);

/* The whole kernel command line (/proc/cmdline text), tokenised by the
 * kernel's rules (a final newline, which /proc/cmdline adds, is dropped);
 * only tinydump.* words are looked at, '-' and '_' equal in keys. If it names any valid target, its targets replace the file's;
 * if all it names are malformed, the file's stay (a typo must never cost
 * the dump) and a warning says so. */
void td_config_cmdline(struct td_config *c, const char *text, size_t len, struct td_warnings *w);

/* After file and command line: with no valid target, use disk:LABEL=crash
 * (warning when targets were given but all were dropped). */
void td_config_finish(struct td_config *c, struct td_warnings *w);

#endif
