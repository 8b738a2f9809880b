/* tinydump capture: the capture run's filter and writers on a saved vmcore,
 * into one file (--output) or delivered like the capture run (--target). */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "os/log.h"
#include "capture/flat.h"
#include "net/upload.h"
#include "commands.h"
#include "filesink.h"
#include "targetloop.h"

struct opts {
	const char *input, *output, *target;
	unsigned level;
	int format;          /* TD_FMT_KDUMP, TD_FMT_ELF, or FMT_FLAT */
	const struct td_codec *codec;
	int force_read;
	int threads;         /* -1: one per online CPU */
	struct td_target_env env;
	const char *tls_name;
	unsigned timeout;
	unsigned retries;    /* UINT_MAX: the configuration's default */
};
enum { FMT_FLAT = 100 };

static int bad(const char *opt, const char *val, const char *want)
{
	td_log_fatal("%s %s: %s", opt, val ? val : "(missing)", want);
	return -1;
}

static const char *codec_want(void)
{
	static char want[160];

	snprintf(want, sizeof want, "want %s", td_codec_names());
	return want;
}

/* A decimal number from 0 to max. */
static int parse_num(const char *s, unsigned long max, unsigned *v)
{
	char *end;
	unsigned long l;

	errno = 0;
	l = strtoul(s, &end, 10);
	if (!*s || *s == '-' || *end || errno || l > max)
		return -1;
	*v = (unsigned)l;
	return 0;
}

static int parse(int argc, char **argv, struct opts *o)
{
	*o = (struct opts){ .level = 31, .format = TD_FMT_KDUMP, .codec = TD_CODEC_DEFAULT, .threads = -1,
			    .env = { 0, TD_TLS_CA_PATH, TD_TLS_CERT_PATH, TD_TLS_KEY_PATH },
			    .retries = UINT_MAX };
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
		int used = 1;
		if (!strcmp(a, "--input") && v)
			o->input = v;
		else if (!strcmp(a, "--output") && v)
			o->output = v;
		else if (!strcmp(a, "--target") && v)
			o->target = v;
		else if (!strcmp(a, "--level"))
			used = v && !parse_num(v, 31, &o->level) ? 1 : bad(a, v, "want a dump level from 0 to 31");
		else if (!strcmp(a, "--format"))
			used = !v ? bad(a, v, "want kdump, elf or flat")
			       : !strcmp(v, "kdump") ? (o->format = TD_FMT_KDUMP, 1)
			       : !strcmp(v, "elf") ? (o->format = TD_FMT_ELF, 1)
			       : !strcmp(v, "flat") ? (o->format = FMT_FLAT, 1)
			       : bad(a, v, "want kdump, elf or flat");
		else if (!strcmp(a, "--compress"))
			used = v && (o->codec = td_codec_by_name(v)) ? 1 : bad(a, v, codec_want());
		else if (!strcmp(a, "--threads"))
			used = v && !parse_num(v, 8, (unsigned *)&o->threads)
				       ? 1 : bad(a, v, "want a number of compression threads from 0 to 8");
		else if (!strcmp(a, "--ca") && v)
			o->env.ca = v;
		else if (!strcmp(a, "--cert") && v)
			o->env.cert = v;
		else if (!strcmp(a, "--key") && v)
			o->env.key = v;
		else if (!strcmp(a, "--tls-name") && v)
			o->tls_name = v;
		else if (!strcmp(a, "--timeout"))
			used = v && !parse_num(v, 86400, &o->timeout) && o->timeout
				       ? 1 : bad(a, v, "want seconds from 1 to 86400");
		else if (!strcmp(a, "--retries"))
			used = v && !parse_num(v, TD_RETRIES_MAX, &o->retries)
				       ? 1 : bad(a, v, "want a number of retries from 0 to 5");
		else if (!strcmp(a, "--read"))
			used = (o->force_read = 1, 0);
		else
			return bad(a, v, "unknown option or missing value (see tinydump --help)");
		if (used < 0)
			return -1;
		i += used;
	}
	if (!o->input || !o->output == !o->target)
		return bad("capture", NULL, "needs --input FILE and one of --output FILE or --target SPEC");
	return 0;
}

/* Flattened output goes to a stream; everything else to a seekable file,
 * 0600 as every file that holds a dump (an existing one is narrowed too). */
static int to_file(struct td_run *r, const struct opts *o, struct td_err *e)
{
	int stdout_ = !strcmp(o->output, "-");
	int fd = stdout_ ? 1 : open(o->output, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	struct td_filesink fs;
	struct td_sink file;
	struct td_flat_writer fw;
	struct stat st;
	int rc;

	if (fd < 0)
		return td_fail(e, "cannot create %s: %s", o->output, strerror(errno));
	if (!stdout_ && fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && (st.st_mode & 077) &&
	    fchmod(fd, 0600) < 0)
		td_log("warning: %s is readable by others and chmod 0600 failed: %s", o->output,
		       strerror(errno));
	td_filesink_init(&fs, &file, fd, o->format == FMT_FLAT, stdout_ ? "standard output" : o->output);
	if (o->format == FMT_FLAT) {
		rc = td_flat_start(&fw, &file, e);
		if (rc == 0)
			rc = td_run_dump(r, td_flat_sink(&fw), TD_FMT_KDUMP, o->codec, e);
		if (rc == 0)
			rc = td_flat_finish(&fw, e);
	} else {
		rc = td_run_dump(r, &file, o->format, o->codec, e);
	}
	if (!stdout_)
		close(fd);
	return rc;
}

/* Any target kind through the loop PID 1 uses, with this host's network
 * as it is: dir:PATH files the dump on this host. Prints where it landed. */
static int to_target(struct td_run *r, const struct opts *o, struct td_err *e)
{
	static struct td_config cfg;
	char landed[512];

	td_config_defaults(&cfg);
	if (td_target_parse(&cfg.target[0], o->target, e) < 0)
		return td_wrap(e, "--target");
	cfg.ntarget = 1;
	cfg.level = o->level;
	cfg.format = o->format == TD_FMT_ELF;
	cfg.codec = o->codec;
	if (o->tls_name)
		snprintf(cfg.tls_name, sizeof cfg.tls_name, "%s", o->tls_name);
	if (o->timeout)
		cfg.timeout = o->timeout;
	if (o->retries != UINT_MAX)
		cfg.retries = o->retries;
	if (td_targets_run(r, &cfg, &o->env, landed, sizeof landed) < 0)
		return td_fail(e, "target %s failed (see above)", o->target);
	if (cfg.target[0].kind == &td_target_dir)
		printf("%s\n", landed);
	return 0;
}

int td_cmd_capture(int argc, char **argv)
{
	struct opts o;
	struct td_run *r = calloc(1, sizeof *r);
	struct td_err e;
	int rc = 1;

	if (!r || parse(argc, argv, &o) < 0)
		goto out;
	if (td_run_open(r, o.input, o.force_read, o.level, &e) < 0) {
		td_log_fatal("%s", e.msg);
		goto out;
	}
	r->threads = o.threads;
	if (r->filter.why[0])
		td_log("dump level %u requested, %u applied: %s", r->filter.level_requested,
		       r->filter.level_applied, r->filter.why);
	td_run_dmesg(r);
	if ((o.output ? to_file(r, &o, &e) : to_target(r, &o, &e)) < 0) {
		td_log_fatal("%s", e.msg);
		goto out;
	}
	for (unsigned i = 0; i < r->warn.n; i++)
		td_log("warning: %s", r->warn.line[i]);
	td_log("%llu of %llu pages kept (%llu zero), %llu bytes in %.2f s",
	       (unsigned long long)r->dump.st.kept, (unsigned long long)r->dump.st.total,
	       (unsigned long long)r->dump.st.zero, (unsigned long long)r->dump.bytes_written, r->seconds);
	rc = 0;
out:
	if (r)
		td_run_close(r);
	free(r);
	return rc;
}
