/* Kernel command-line words (lib/cmdline.c next_arg() rules) and the capture
 * kernel's command line. See cmdline.h for the contracts. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "cmdline.h"
#include "os/parse.h"

/* The kernel's isspace(): lib/ctype.c marks \t..\r, space and 0xa0. */
static int td_kspace(char c)
{
	unsigned char u = (unsigned char)c;

	return u == ' ' || (u >= '\t' && u <= '\r') || u == 0xa0;
}

static const char *td_skip_spaces(const char *p, const char *end)
{
	while (p < end && td_kspace(*p))
		p++;
	return p;
}

/* Where the word of w[0..n) ends, following next_arg(): whitespace outside
 * quotes ends it; *eq gets the first '=' not at index 0 (0: none). */
static size_t td_word_scan(const char *w, size_t n, int inq, size_t *eq, int *inq_out)
{
	size_t i;

	*eq = 0;
	for (i = 0; i < n; i++) {
		if (td_kspace(w[i]) && !inq)
			break;
		if (!*eq && w[i] == '=')
			*eq = i;
		if (w[i] == '"')
			inq = !inq;
	}
	*inq_out = inq;
	return i;
}

const char *td_cmdline_next(const char *p, const char *end, struct td_arg *a)
{
	const char *nul = memchr(p, '\0', (size_t)(end - p));
	const char *w;
	size_t i, eq, vs, ve;
	int quoted = 0, inq;

	if (nul)
		end = nul;
	p = td_skip_spaces(p, end);
	if (p == end)
		return NULL;
	a->raw = p;
	if (*p == '"') {
		p++;
		quoted = 1;
	}
	w = p;
	i = td_word_scan(w, (size_t)(end - w), quoted, &eq, &inq);
	a->unterminated = inq;
	a->rawlen = (size_t)(w + i - a->raw);
	/* A quote opening the word is matched by a quote ending it. */
	ve = quoted && i > 0 && w[i - 1] == '"' ? i - 1 : i;
	a->param = w;
	if (!eq) {
		a->plen = ve;
		a->val = NULL;
		a->vlen = 0;
	} else {
		a->plen = eq;
		vs = eq + 1;
		if (vs < i && w[vs] == '"') {
			vs++;
			ve = w[i - 1] == '"' ? i - 1 : i;
		}
		if (ve < vs)
			ve = vs; /* `foo="`: the one quote opened the value */
		a->val = w + vs;
		a->vlen = ve - vs;
	}
	return td_skip_spaces(w + i, end);
}

int td_arg_copy(char *dst, size_t cap, const char *s, size_t n, struct td_err *e)
{
	if (n >= cap)
		return td_fail(e, "'%.*s%s' is %zu bytes, longer than the %zu allowed",
			       n > 40 ? 40 : (int)n, s, n > 40 ? "..." : "", n,
			       cap ? cap - 1 : 0);
	memcpy(dst, s, n);
	dst[n] = '\0';
	return 0;
}

static char td_dash2underscore(char c)
{
	return c == '-' ? '_' : c;
}

static int td_span_eq(const char *a, size_t an, const char *b, size_t bn)
{
	size_t i;

	if (an != bn)
		return 0;
	for (i = 0; i < an; i++)
		if (td_dash2underscore(a[i]) != td_dash2underscore(b[i]))
			return 0;
	return 1;
}

int td_param_eq(const char *s, size_t n, const char *name)
{
	return td_span_eq(s, n, name, strlen(name));
}

/* Options of the running system that the capture kernel must not inherit.
 * It runs in the crashkernel= reservation, typically 64-512 MB, so anything
 * that allocates at boot in proportion to the big machine can leave it no
 * memory. Options not listed pass through; e.g. numa_balancing= or
 * isolcpus= only cost CPU time, and that matters little with nr_cpus=1. */
static const char *const td_drop[] = {
	"crashkernel",          /* the running kernel's reservation */
	"quiet",                /* capture-kernel messages are how failures are diagnosed */
	"hugepages",            /* preallocate huge pages at boot ... */
	"hugepagesz",           /* ... in the sizes given here ... */
	"default_hugepagesz",   /* ... (a pool size without its page size is wrong too) */
	"hugetlb_cma",          /* reserves CMA for huge pages at boot */
	"cma",                  /* reserves a contiguous area at boot */
	"transparent_hugepage", /* "always" makes faults and khugepaged want 2 MB pages */
	"log_buf_len",          /* allocates a larger printk buffer at boot */
	"swiotlb",              /* sizes the DMA bounce-buffer pool allocated at boot */
	"trace_buf_size",       /* per-CPU ftrace ring buffers of this size */
	"kmemleak",             /* tracking metadata for every allocation */
	"slub_debug",           /* red zones and tracking in every slab object */
	"slab_debug",           /* the same, newer name */
	"page_owner",           /* page_ext memory for every page */
	"debug_pagealloc",      /* page_ext memory, and splits the direct map */
	"mem",                  /* limits memory by the big machine's layout; the */
	"memmap",               /* capture kernel's map comes from kexec instead */
	"kernelcore",           /* ZONE_MOVABLE sized for the big machine can leave */
	"movablecore",          /* the kernel itself nothing to allocate from */
	"panic_on_warn",        /* a warning in some capture-kernel driver must not cost the dump */
	"rdinit",               /* names the running system's init; the capture initramfs runs /init */
};

/* Keys whose words form a list: within one part all are kept. */
static const char *const td_lists[] = { "console", "tinydump.target" };

static int td_in(const char *const *tab, size_t n, const struct td_arg *a)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (td_param_eq(a->param, a->plen, tab[i]))
			return 1;
	return 0;
}

#define TD_NELEM(x) (sizeof(x) / sizeof((x)[0]))

/* The capture command line is assembled from parts, earlier to later. */
enum { TD_PART_RUNNING, TD_PART_FIXED, TD_PART_APPEND, TD_NPART };

struct td_part {
	const char *p, *end;
};

/* The fixed part; nr_cpus= is tinydump.cpus= (1 unless set). */
static const char td_fixed_fmt[] = "irqpoll nr_cpus=%lu reset_devices printk.devkmsg=on panic=10";
#define TD_CPUS_MAX 8 /* as init/config.h: PID 1's compression threads */

/* Inputs are scanned once per word (see td_overridden), so bound them. Real
 * command lines are at most a few KB (COMMAND_LINE_SIZE). */
#define TD_CMDLINE_INPUT_MAX 16384

/* Where the kernel's words of [p, end) stop: at a bare "--", after which
 * the words are init's arguments (kernel/params.c parse_args()). *rest is
 * where those start, or NULL when there is no "--". */
static const char *td_split_dashdash(const char *p, const char *end, const char **rest)
{
	const char *next;
	struct td_arg a;

	*rest = NULL;
	for (; (next = td_cmdline_next(p, end, &a)); p = next) {
		if (!a.val && a.plen == 2 && !memcmp(a.param, "--", 2)) {
			*rest = next;
			return a.raw;
		}
	}
	return end;
}

static int td_dropped(int part, const struct td_arg *a)
{
	return part == TD_PART_RUNNING && td_in(td_drop, TD_NELEM(td_drop), a);
}

/* Does a later word (after next in part k, or in a later part) take the
 * place of a? A list key is only replaced by a later part. */
static int td_overridden(const struct td_part *parts, int k, const char *next,
			 const struct td_arg *a)
{
	int list = td_in(td_lists, TD_NELEM(td_lists), a);
	const char *p;
	struct td_arg b;
	int j;

	for (j = list ? k + 1 : k; j < TD_NPART; j++) {
		p = j == k ? next : parts[j].p;
		for (; (p = td_cmdline_next(p, parts[j].end, &b));) {
			if (!td_dropped(j, &b) && td_span_eq(a->param, a->plen, b.param, b.plen))
				return 1;
		}
	}
	return 0;
}

struct td_out {
	char *buf;
	size_t cap, len; /* len counts on past cap, to report the size needed */
};

static void td_put(struct td_out *o, const char *s, size_t n)
{
	if (o->len < o->cap && n < o->cap - o->len)
		memcpy(o->buf + o->len, s, n);
	o->len += n;
}

static int td_has_space(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (td_kspace(s[i]))
			return 1;
	return 0;
}

/* param[=val], quoting the value, or the whole word when the param itself
 * has whitespace; only for words without quote characters. */
static void td_put_canonical(struct td_out *o, const struct td_arg *a)
{
	int wq = td_has_space(a->param, a->plen);
	int vq = !wq && a->val && td_has_space(a->val, a->vlen);

	if (wq)
		td_put(o, "\"", 1);
	td_put(o, a->param, a->plen);
	if (a->val) {
		td_put(o, vq ? "=\"" : "=", vq ? 2 : 1);
		td_put(o, a->val, a->vlen);
		if (vq)
			td_put(o, "\"", 1);
	}
	if (wq)
		td_put(o, "\"", 1);
}

/* The kernel must read the written word back as exactly a. */
static int td_same_word(const char *s, size_t n, const struct td_arg *a)
{
	struct td_arg b;
	const char *next = td_cmdline_next(s, s + n, &b);

	if (!next || td_cmdline_next(next, s + n, &b) || b.plen != a->plen ||
	    memcmp(b.param, a->param, a->plen) || !b.val != !a->val)
		return 0;
	return !a->val || (b.vlen == a->vlen && !memcmp(b.val, a->val, a->vlen));
}

static int td_emit(struct td_out *o, const struct td_arg *a, struct td_err *e)
{
	int quotes = memchr(a->param, '"', a->plen) || (a->val && memchr(a->val, '"', a->vlen));
	size_t start;

	if (!a->plen && !a->val)
		return 0; /* an empty "" word carries nothing */
	if (o->len)
		td_put(o, " ", 1);
	start = o->len;
	if (!quotes)
		td_put_canonical(o, a);
	else if (!a->unterminated)
		td_put(o, a->raw, a->rawlen); /* as written: it reads back the same */
	else
		start = SIZE_MAX;
	if (start == SIZE_MAX || (o->len < o->cap && !td_same_word(o->buf + start, o->len - start, a)))
		return td_fail(e, "cannot pass on the word '%.*s': it has quotes inside and an unterminated quote; remove it from the command line",
			       (int)(a->rawlen > 60 ? 60 : a->rawlen), a->raw);
	return 0;
}

/* The words of one part that survive removal and later-wins. */
static int td_emit_part(struct td_out *o, const struct td_part *parts, int k, struct td_err *e)
{
	const char *p = parts[k].p, *next;
	struct td_arg a;

	for (; (next = td_cmdline_next(p, parts[k].end, &a)); p = next) {
		if (td_dropped(k, &a) || td_overridden(parts, k, next, &a))
			continue;
		if (td_emit(o, &a, e) < 0)
			return -1;
	}
	return 0;
}

/* Words after "--" in append: init's arguments, passed on in order. */
static int td_emit_init_args(struct td_out *o, const char *p, const char *end, struct td_err *e)
{
	const char *next;
	struct td_arg a;

	if (!p || !td_cmdline_next(p, end, &a))
		return 0;
	td_put(o, o->len ? " --" : "--", o->len ? 3 : 2);
	for (; (next = td_cmdline_next(p, end, &a)); p = next)
		if (td_emit(o, &a, e) < 0)
			return -1;
	return 0;
}

/* The last tinydump.cpus= of the kernel words of [p, end) into *cpus. */
static int td_find_cpus(const char *p, const char *end, unsigned long *cpus, struct td_err *e)
{
	const char *next;
	struct td_arg a;

	for (; (next = td_cmdline_next(p, end, &a)); p = next) {
		if (!td_param_eq(a.param, a.plen, "tinydump.cpus"))
			continue;
		if (!a.val || td_dec_parse(a.val, a.vlen, TD_CPUS_MAX, cpus) < 0 || !*cpus)
			return td_fail(e, "'%.*s' is not a number of CPUs from 1 to %d", (int)(a.rawlen > 60 ? 60 : a.rawlen),
				       a.raw, TD_CPUS_MAX);
	}
	return 0;
}

int td_capture_cmdline(const char *running, const char *append, char *out, size_t cap,
		       struct td_err *e)
{
	char td_fixed[sizeof td_fixed_fmt + 8];
	unsigned long cpus = 1;
	size_t rlen = strlen(running), alen = append ? strlen(append) : 0;
	struct td_out o = { out, cap, 0 };
	struct td_part parts[TD_NPART];
	const char *rest, *init_args; /* rest: the running init's arguments, dropped */
	int k;

	if (rlen > TD_CMDLINE_INPUT_MAX || alen > TD_CMDLINE_INPUT_MAX)
		return td_fail(e, "building the capture command line: input of %zu bytes is over the %d allowed",
			       rlen > alen ? rlen : alen, TD_CMDLINE_INPUT_MAX);
	/* /proc/cmdline adds a newline the kernel never saw. */
	if (rlen && running[rlen - 1] == '\n')
		rlen--;
	parts[TD_PART_RUNNING].p = running;
	parts[TD_PART_RUNNING].end = td_split_dashdash(running, running + rlen, &rest);
	parts[TD_PART_APPEND].p = append ? append : "";
	parts[TD_PART_APPEND].end = td_split_dashdash(parts[TD_PART_APPEND].p,
						      parts[TD_PART_APPEND].p + alen, &init_args);
	if (td_find_cpus(parts[TD_PART_RUNNING].p, parts[TD_PART_RUNNING].end, &cpus, e) < 0 ||
	    td_find_cpus(parts[TD_PART_APPEND].p, parts[TD_PART_APPEND].end, &cpus, e) < 0)
		return td_wrap(e, "building the capture command line");
	parts[TD_PART_FIXED].p = td_fixed;
	parts[TD_PART_FIXED].end = td_fixed + snprintf(td_fixed, sizeof td_fixed, td_fixed_fmt, cpus);
	for (k = 0; k < TD_NPART; k++)
		if (td_emit_part(&o, parts, k, e) < 0)
			return td_wrap(e, "building the capture command line");
	if (td_emit_init_args(&o, init_args, parts[TD_PART_APPEND].p + alen, e) < 0)
		return td_wrap(e, "building the capture command line");
	if (o.len >= cap)
		return td_fail(e, "the capture command line needs %zu bytes, more than the %zu available; shorten --append or the running command line",
			       o.len + 1, cap);
	out[o.len] = '\0';
	return 0;
}
