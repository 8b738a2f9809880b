#include <stdio.h>
#include <string.h>
#include <time.h>

#include "os/strbuf.h"
#include "outcome.h"


static void str(struct td_strbuf *j, const char *s)
{
	td_strbuf_put(j, "\"");
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c == '"' || c == '\\')
			td_strbuf_put(j, "\\%c", c);
		else if (c < 0x20 || c > 0x7e)
			td_strbuf_put(j, "\\u%04x", c);
		else
			td_strbuf_put(j, "%c", c);
	}
	td_strbuf_put(j, "\"");
}

static void kv_str(struct td_strbuf *j, const char *k, const char *v, int comma)
{
	td_strbuf_put(j, "  \"%s\": ", k);
	str(j, v);
	td_strbuf_put(j, comma ? ",\n" : "\n");
}

void td_utc_stamp(long long t, char out[20])
{
	struct tm tm;
	time_t tt = (time_t)t;

	gmtime_r(&tt, &tm);
	strftime(out, 20, "%Y-%m-%d-%H:%M:%S", &tm);
}

static void pages(struct td_strbuf *j, const struct td_pagestats *s)
{
	td_strbuf_put(j, "  \"pages\": {\"total\": %llu, \"kept\": %llu, \"zero\": %llu, \"cache\": %llu, "
	       "\"cache_private\": %llu, \"user\": %llu, \"free\": %llu, \"hwpoison\": %llu, "
	       "\"offline\": %llu, \"unclassified\": %llu},\n",
	    (unsigned long long)s->total, (unsigned long long)s->kept, (unsigned long long)s->zero,
	    (unsigned long long)s->cache, (unsigned long long)s->cache_private,
	    (unsigned long long)s->user, (unsigned long long)s->free,
	    (unsigned long long)s->hwpoison, (unsigned long long)s->offline,
	    (unsigned long long)s->unclassified);
}

/* The failed tries before this one: the last TD_MAX_ATTEMPTS of them (so the
 * record fits the space reserved for it whatever tinydump.retries= says),
 * and how many there were. */
static void attempts(struct td_strbuf *j, const struct td_outcome *o)
{
	unsigned first = o->nattempts > TD_MAX_ATTEMPTS ? o->nattempts - TD_MAX_ATTEMPTS : 0;

	td_strbuf_put(j, "  \"attempts_total\": %u,\n", o->nattempts);
	td_strbuf_put(j, "  \"attempts\": [");
	for (unsigned i = first; i < o->nattempts; i++) {
		td_strbuf_put(j, "%s\n    {\"target\": ", i > first ? "," : "");
		str(j, o->attempts[i].target);
		td_strbuf_put(j, ", \"result\": ");
		str(j, o->attempts[i].result);
		td_strbuf_put(j, ", \"error\": ");
		str(j, o->attempts[i].error);
		td_strbuf_put(j, "}");
	}
	td_strbuf_put(j, "%s],\n", o->nattempts ? "\n  " : "");
}

static void warnings(struct td_strbuf *j, const struct td_warnings *w)
{
	td_strbuf_put(j, "  \"warnings\": [");
	for (unsigned i = 0; i < w->n; i++) {
		td_strbuf_put(j, "%s\n    ", i ? "," : "");
		str(j, w->line[i]);
	}
	if (w->dropped)
		td_strbuf_put(j, ",\n    \"... and %u more warnings\"", w->dropped);
	td_strbuf_put(j, "%s]\n", w->n ? "\n  " : "");
}

int td_outcome_json(const struct td_outcome *o, char *buf, size_t cap)
{
	const struct td_run *r = o->run;
	struct td_strbuf j = { buf, cap, 0, 0 };
	char when[20];

	td_utc_stamp(o->when, when);
	td_strbuf_put(&j, "{\n");
	kv_str(&j, "version", TD_VERSION, 1);
	kv_str(&j, "kernel_release", r->ki.uts[2], 1);
	kv_str(&j, "node", r->ki.uts[1], 1);
	kv_str(&j, "crash_time", when, 1);
	kv_str(&j, "crash_time_source", o->crash_time_from_clock ? "capture clock (no CRASHTIME)" : "CRASHTIME", 1);
	kv_str(&j, "signature", r->sig, 1);
	kv_str(&j, "signature_text", r->sig_text, 1);
	kv_str(&j, "target", o->target, 1);
	kv_str(&j, "format", o->format, 1);
	td_strbuf_put(&j, "  \"complete\": %s,\n", o->complete ? "true" : "false");
	td_strbuf_put(&j, "  \"level_requested\": %u,\n  \"level_applied\": %u,\n", r->filter.level_requested,
	    r->filter.level_applied);
	kv_str(&j, "level_note", r->filter.why, 1);
	pages(&j, &r->dump.st);
	td_strbuf_put(&j, "  \"bytes_written\": %llu,\n  \"seconds\": %.3f,\n",
	    (unsigned long long)r->dump.bytes_written, r->seconds);
	td_strbuf_put(&j, "  \"dmesg_bytes\": %zu,\n", r->dmesg_len);
	attempts(&j, o);
	warnings(&j, &r->warn);
	td_strbuf_put(&j, "}\n");
	if (j.over) {
		snprintf(buf, cap, "{\"version\": \"%s\", \"error\": \"outcome too long\"}\n", TD_VERSION);
		return -1;
	}
	return (int)j.len;
}
