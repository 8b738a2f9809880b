/* Crash signatures (crashsig.h). The rules, with the logs they were made
 * on, are in docs/SIGNATURES.md; this file and that page must agree.
 *
 * A report opens at a line of the openers table, a panic line, or an
 * "Oops: ... [#N]" style line (a die line) that does not just follow an
 * opener. The crash point is the first panic line ("Kernel panic - not
 * syncing: MSG"), or the end of the log. The signature describes the last
 * report opened before the crash point: a panic whose MSG is in the
 * followers table is the consequence of that report; any other panic is
 * the report itself. Of the report, the signature keeps its reason line
 * (normalized), the function of its first RIP line, and the first
 * TD_CRASHSIG_FRAMES reliable frames of its first call trace that are not
 * in the skipped table. */
#include <bearssl.h>
#include <stdio.h>
#include <string.h>

#include "os/strbuf.h"
#include "crashsig.h"

#define PANIC "Kernel panic - not syncing: "

/* Lines that open a report. The text starts the line; in an infix row it
 * may appear anywhere, and what comes before it (a task name) is dropped. */
static const struct opener {
	const char *text;
	int infix;
} openers[] = {
	{ "BUG: ", 0 },                 /* NULL pointer, page fault, KASAN, ... */
	{ "watchdog: BUG: ", 0 },       /* soft lockup */
	{ "kernel BUG at ", 0 },        /* BUG(), BUG_ON() */
	{ "WARNING: ", 0 },
	{ "INFO: ", 0 },                /* hung task */
	{ "rcu: INFO: ", 0 },           /* RCU stall */
	{ "watchdog: Watchdog detected hard LOCKUP", 0 },
	{ "Unable to handle kernel ", 0 }, /* arm64's page faults */
	{ "invoked oom-killer: ", 1 },
};

/* Panic messages that are the consequence of the report before them. */
static const char *const followers[] = {
	"Fatal exception",              /* an oops ("... in interrupt" too) */
	"softlockup: hung tasks",
	"hung_task: blocked tasks",
	"Out of memory",                /* panic_on_oom */
	"System is deadlocked on memory",
	"Hard LOCKUP",
	"panic_on_warn set",
	"RCU Stall",
};

/* Frames that say how the crash was reported, or that a task waits, not
 * where it went wrong. */
static const char *const skipped[] = {
	"dump_stack", "dump_stack_lvl", "panic", "__schedule", "schedule",
};

#define N(a) (sizeof(a) / sizeof((a)[0]))

static int starts(const char *s, const char *p) { return !strncmp(s, p, strlen(p)); }
static int digit(char c) { return c >= '0' && c <= '9'; }

/* The text of a log line: without the "[   12.345678] " stamp, a caller
 * id ("[T123] ", "[C0] ") after it, and leading blanks. */
static const char *body(const char *s)
{
	const char *p = s;

	if (*p == '[') {
		for (p++; *p == ' ' || *p == '.' || digit(*p); p++)
			;
		if (*p == ']')
			s = p + 1;
	}
	s += strspn(s, " ");
	if (s[0] == '[' && (s[1] == 'T' || s[1] == 'C') && digit(s[2])) {
		for (p = s + 2; digit(*p); p++)
			;
		if (*p == ']')
			s = p + 1 + strspn(p + 1, " ");
	}
	return s;
}

/* FILE:LINE as BUG() and WARN() print it ("mm/slub.c:123!"). */
static int file_line(const char *t, size_t n)
{
	static const char *const ext[] = { ".c:", ".h:", ".S:", ".rs:" };

	for (size_t i = 0; i < N(ext); i++) {
		size_t k = strlen(ext[i]);
		for (size_t j = 0; j + k < n; j++)
			if (!memcmp(t + j, ext[i], k) && digit(t[j + k]))
				return 1;
	}
	return 0;
}

/* The reason: the words of s without those holding a digit (addresses,
 * CPU and task numbers, durations, error codes, "comm:pid"), except
 * FILE:LINE; single spaces; '|' as '/'; cut to fit. */
static void reason(char out[TD_CRASHSIG_REASON], const char *s)
{
	size_t len = 0;

	out[0] = '\0';
	while (*s) {
		size_t n;
		int keep = 1;

		s += strspn(s, " ");
		n = strcspn(s, " ");
		for (size_t i = 0; i < n; i++)
			keep &= !digit(s[i]);
		if (n && (keep || file_line(s, n))) {
			if (len + !!len + n >= TD_CRASHSIG_REASON)
				break;
			if (len)
				out[len++] = ' ';
			for (size_t i = 0; i < n; i++)
				out[len++] = s[i] == '|' ? '/' : s[i];
			out[len] = '\0';
		}
		s += n;
	}
}

/* The function of "name+0xOFF/0xSIZE" at s: the name up to its first '.'
 * (GCC's clones: .isra.N, .constprop.N, .part.N, .cold), cut to fit.
 * 0 when s does not start with such a token. */
static int func_name(const char *s, char out[TD_CRASHSIG_NAME])
{
	size_t n = strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.$");
	const char *dot = memchr(s, '.', n);

	if (!n || !starts(s + n, "+0x"))
		return 0;
	if (dot)
		n = (size_t)(dot - s);
	if (!n)
		return 0;
	if (n >= TD_CRASHSIG_NAME)
		n = TD_CRASHSIG_NAME - 1;
	memcpy(out, s, n);
	out[n] = '\0';
	return 1;
}

/* A call-trace frame: "[<ADDR>] " (old kernels), "? " (a frame the
 * unwinder is unsure of), then name+0xOFF/0xSIZE and maybe " [module]". */
static int frame(const char *s, char out[TD_CRASHSIG_NAME], int *unsure)
{
	*unsure = 0;
	if (starts(s, "[<")) {
		const char *q = strstr(s, ">] ");
		if (!q)
			return 0;
		s = q + 3;
	}
	if (starts(s, "? ")) {
		*unsure = 1;
		s += 2;
	}
	return func_name(s, out);
}

/* "<IRQ>", "</TASK>", "<NMI>", "<#DF>": stack boundaries inside a trace. */
static int marker(const char *s)
{
	size_t n = strlen(s);

	return n >= 3 && n < 16 && s[0] == '<' && s[n - 1] == '>' && !strchr(s, ' ');
}

/* "Oops: 0002 [#1] ...", "invalid opcode: 0000 [#1] ...". */
static int die_line(const char *s)
{
	const char *p = strstr(s, " [#");

	if (!p || !digit(p[3]))
		return 0;
	for (p += 3; digit(*p); p++)
		;
	return *p == ']';
}

/* The report text of an opener line, or NULL. */
static const char *opener(const char *s)
{
	for (size_t i = 0; i < N(openers); i++) {
		const char *p = openers[i].infix ? strstr(s, openers[i].text) : s;
		if (p && starts(p, openers[i].text))
			return p;
	}
	return NULL;
}

static int follows(const char *msg)
{
	for (size_t i = 0; i < N(followers); i++)
		if (starts(msg, followers[i]))
			return 1;
	return 0;
}

static int skip_frame(const char *f)
{
	for (size_t i = 0; i < N(skipped); i++)
		if (!strcmp(f, skipped[i]))
			return 1;
	return 0;
}

static void open_report(struct td_crashsig *s, const char *text)
{
	memset(&s->rep, 0, sizeof s->rep);
	s->have = 1;
	reason(s->rep.reason, text);
}

static void rip(struct td_crashsig_report *r, const char *s)
{
	r->rip_seen = 1;
	for (const char *p = s; *p; p++)
		if ((p == s || p[-1] == ' ' || p[-1] == ':') && func_name(p, r->func))
			return;
}

static void trace_line(struct td_crashsig_report *r, const char *s)
{
	char f[TD_CRASHSIG_NAME];
	int unsure;

	if (marker(s))
		return;
	if (!frame(s, f, &unsure)) {
		r->in_trace = 0;
		r->trace_done = 1;
		return;
	}
	if (unsure || skip_frame(f))
		return;
	memcpy(r->frame[r->nframes++], f, sizeof f);
	if (r->nframes == TD_CRASHSIG_FRAMES) {
		r->in_trace = 0;
		r->trace_done = 1;
	}
}

/* Lines before the crash point: do they open a report or pass it? */
static int opens(struct td_crashsig *s, const char *l)
{
	struct td_crashsig_report *r = &s->rep;
	const char *p;

	if (starts(l, PANIC)) {
		s->frozen = 1;
		if (s->have && follows(l + strlen(PANIC)))
			r->rip_seen = r->trace_done = 1, r->in_trace = 0;
		else
			open_report(s, l);
		return 1;
	}
	if ((p = opener(l))) {
		open_report(s, p);
		return 1;
	}
	if (die_line(l)) {
		/* right after its opener (before registers or a trace) it is
		 * part of that report; anywhere else it is a report itself */
		if (!s->have || r->die_seen || r->rip_seen || r->in_trace || r->trace_done)
			open_report(s, l);
		s->rep.die_seen = 1;
		return 1;
	}
	return 0;
}

static void line(struct td_crashsig *s, const char *raw)
{
	struct td_crashsig_report *r = &s->rep;
	const char *l = body(raw);

	if (!s->frozen && opens(s, l))
		return;
	if (!s->have || r->trace_done)
		return;
	if (r->in_trace)
		trace_line(r, l);
	else if (starts(l, "RIP: ") && !r->rip_seen)
		rip(r, l + 5);
	else if (starts(l, "Call Trace:"))
		r->in_trace = 1;
}

void td_crashsig_init(struct td_crashsig *s)
{
	memset(s, 0, sizeof *s);
}

void td_crashsig_feed(struct td_crashsig *s, const char *buf, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		if (buf[i] == '\n') {
			s->line[s->len] = '\0';
			line(s, s->line);
			s->len = 0;
		} else if (s->len < sizeof s->line - 1) {
			s->line[s->len++] = buf[i];
		}
	}
}

int td_crashsig_end(struct td_crashsig *s)
{
	struct td_strbuf t = { s->text, sizeof s->text, 0, 0 };
	const struct td_crashsig_report *r = &s->rep;
	br_sha256_context h;
	uint8_t sum[32];

	if (s->len)
		td_crashsig_feed(s, "\n", 1);
	s->text[0] = s->hex[0] = '\0';
	if (!s->have)
		return 0;
	td_strbuf_put(&t, "%s|%s", r->reason, r->func);
	for (unsigned i = 0; i < TD_CRASHSIG_FRAMES; i++)
		td_strbuf_put(&t, "|%s", i < r->nframes ? r->frame[i] : "");
	br_sha256_init(&h);
	br_sha256_update(&h, s->text, t.len);
	br_sha256_out(&h, sum);
	for (unsigned i = 0; i < TD_CRASHSIG_HEX / 2; i++)
		snprintf(s->hex + 2 * i, 3, "%02x", sum[i]);
	return 1;
}

struct tee {
	struct td_crashsig *s;
	struct td_sink *out;
};

static int tee_write(void *ctx, uint64_t off, const void *buf, size_t len, struct td_err *e)
{
	struct tee *t = ctx;

	td_crashsig_feed(t->s, buf, len);
	return t->out ? t->out->write(t->out->ctx, off, buf, len, e) : 0;
}

int td_crashsig_dump(struct td_crashsig *s, struct td_dmesg *d, struct td_kread *kr,
		     const struct td_vmcoreinfo *vi, struct td_sink *out, uint64_t max_bytes,
		     struct td_err *e)
{
	struct tee t = { s, out };
	struct td_sink sink = { &t, tee_write, NULL };
	int rc;

	td_crashsig_init(s);
	rc = td_dmesg_write_max(d, kr, vi, &sink, max_bytes, e);
	td_crashsig_end(s);
	return rc;
}
