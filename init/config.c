/* Configuration keys (DESIGN.md "Kernel command line"): parsing, checking
 * and precedence. See config.h for the contracts. */
#include <stdio.h>
#include <string.h>

#include "os/parse.h"
#include "cmdline.h"
#include "config.h"
#include "target.h"

#define TD_NELEM(x) (sizeof(x) / sizeof((x)[0]))

static const char td_default_target[] = TD_DEFAULT_TARGET;

/* ---- keys ---- */

/* A setter parses v into c and returns NULL, or returns why v is not
 * valid and leaves c alone. show() prints the value in force. */
struct td_key {
	const char *name;
	const char *(*set)(struct td_config *c, const char *v);
	void (*show)(const struct td_config *c, char *buf, size_t cap);
};

static const char *td_set_level(struct td_config *c, const char *v)
{
	unsigned long n;

	if (td_dec_parse(v, strlen(v), 31, &n) < 0)
		return "is not a number from 0 to 31";
	c->level = (unsigned)n;
	return NULL;
}

static void td_show_level(const struct td_config *c, char *b, size_t n)
{
	snprintf(b, n, "%u", c->level);
}

static const char *td_set_cpus(struct td_config *c, const char *v)
{
	unsigned long n;

	if (td_dec_parse(v, strlen(v), TD_CPUS_MAX, &n) < 0 || !n)
		return "is not a number of CPUs from 1 to 8";
	c->cpus = (unsigned)n;
	return NULL;
}

static void td_show_cpus(const struct td_config *c, char *b, size_t n)
{
	snprintf(b, n, "%u", c->cpus);
}

static const char *td_set_timeout(struct td_config *c, const char *v)
{
	unsigned long n;

	if (td_dec_parse(v, strlen(v), 86400, &n) < 0 || !n)
		return "is not a number of seconds from 1 to 86400";
	c->timeout = (unsigned)n;
	return NULL;
}

static void td_show_timeout(const struct td_config *c, char *b, size_t n)
{
	snprintf(b, n, "%u", c->timeout);
}

static const char *td_set_retries(struct td_config *c, const char *v)
{
	unsigned long n;

	if (td_dec_parse(v, strlen(v), TD_RETRIES_MAX, &n) < 0)
		return "is not a number of retries from 0 to 5";
	c->retries = (unsigned)n;
	return NULL;
}

static void td_show_retries(const struct td_config *c, char *b, size_t n)
{
	snprintf(b, n, "%u", c->retries);
}

static const char *td_set_nfsvers(struct td_config *c, const char *v)
{
	if (strcmp(v, "3") && strcmp(v, "4"))
		return "is not 3 or 4";
	c->nfsvers = v[0] - '0';
	return NULL;
}

static void td_show_nfsvers(const struct td_config *c, char *b, size_t n)
{
	snprintf(b, n, "%d", c->nfsvers);
}

/* Index of v in the NULL-terminated names, or -1. */
static int td_pick(const char *v, const char *const *names)
{
	int i;

	for (i = 0; names[i]; i++)
		if (!strcmp(v, names[i]))
			return i;
	return -1;
}

static const char *const td_formats[] = { "kdump", "elf", NULL };
/* In enum td_action order. */
static const char *const td_actions[] = { "reboot", "poweroff", "halt", "shell", NULL };

static const char *td_set_format(struct td_config *c, const char *v)
{
	int i = td_pick(v, td_formats);

	if (i < 0)
		return "is not kdump or elf";
	c->format = i;
	return NULL;
}

static void td_show_format(const struct td_config *c, char *b, size_t n)
{
	snprintf(b, n, "%s", td_formats[c->format ? 1 : 0]);
}

static const char *td_set_compress(struct td_config *c, const char *v)
{
	static char why[160];
	const struct td_codec *codec = td_codec_by_name(v);

	if (!codec) {
		snprintf(why, sizeof why, "is not %s", td_codec_names());
		return why;
	}
	c->codec = codec;
	return NULL;
}

static void td_show_compress(const struct td_config *c, char *b, size_t n)
{
	snprintf(b, n, "%s", c->codec->name);
}

static const char *td_set_final(struct td_config *c, const char *v)
{
	int i = td_pick(v, td_actions);

	if (i < 0)
		return "is not reboot, poweroff, halt or shell";
	c->final = (enum td_action)i;
	return NULL;
}

static void td_show_final(const struct td_config *c, char *b, size_t n)
{
	snprintf(b, n, "%s", td_actions[c->final]);
}

static const char *td_set_failure(struct td_config *c, const char *v)
{
	int i = td_pick(v, td_actions);

	if (i < 0)
		return "is not reboot, poweroff, halt or shell";
	c->failure = (enum td_action)i;
	return NULL;
}

static void td_show_failure(const struct td_config *c, char *b, size_t n)
{
	snprintf(b, n, "%s", td_actions[c->failure]);
}

static int td_alnum(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

/* name[=value] items joined by ','; names [A-Za-z0-9_], values printable
 * without blanks, commas or quotes. Empty: no extra options. */
static const char *td_set_nfsopts(struct td_config *c, const char *v)
{
	const char *p = v;

	while (*p) {
		const char *name = p;

		while (td_alnum(*p) || *p == '_')
			p++;
		if (p == name)
			return "is not a list of NFS mount options name[=value],...";
		if (*p == '=') {
			const char *val = ++p;

			while (*p > ' ' && *p < 0x7f && *p != ',' && *p != '"')
				p++;
			if (p == val)
				return "is not a list of NFS mount options name[=value],...";
		}
		if (*p == ',' && p[1])
			p++;
		else if (*p)
			return "is not a list of NFS mount options name[=value],...";
	}
	strcpy(c->nfsopts, v); /* v fits: callers bound values to 255 bytes */
	return NULL;
}

static void td_show_nfsopts(const struct td_config *c, char *b, size_t n)
{
	snprintf(b, n, "%s", c->nfsopts[0] ? c->nfsopts : "none");
}

/* A DNS name: dot-separated labels of 1..63 letters, digits and '-', not
 * starting or ending with '-'; 253 bytes at most. */
static const char *td_set_tls_name(struct td_config *c, const char *v)
{
	size_t len = strlen(v), lab = 0, i;

	for (i = 0; i <= len && len <= 253; i++) {
		if (i == len || v[i] == '.') {
			if (!lab || v[i - 1] == '-')
				break;
			lab = 0;
		} else if (td_alnum(v[i]) || (v[i] == '-' && lab)) {
			if (++lab > 63)
				break;
		} else {
			break;
		}
	}
	if (i <= len || !len || len > 253)
		return "is not a DNS name";
	strcpy(c->tls_name, v);
	return NULL;
}

static void td_show_tls_name(const struct td_config *c, char *b, size_t n)
{
	snprintf(b, n, "%s", c->tls_name);
}

/* An interface name the kernel accepts (dev_valid_name()): 1..15 bytes,
 * no '/', ':' or blanks, not "." or "..". */
static int td_iface_ok(const char *s, size_t n)
{
	size_t i;

	if (!n || n > 15 || (n == 1 && s[0] == '.') || (n == 2 && !memcmp(s, "..", 2)))
		return 0;
	for (i = 0; i < n; i++)
		if (s[i] <= ' ' || s[i] >= 0x7f || s[i] == '/' || s[i] == ':')
			return 0;
	return 1;
}

/* ADDR/PREFIX[,GW[,IFACE]]; an empty GW means none. */
static const char *td_ip_static(struct td_ipconf *ip, const char *v)
{
	const char *slash = strchr(v, '/'), *c1 = strchr(v, ','), *c2, *end = v + strlen(v);
	unsigned long prefix;

	if (!c1)
		c1 = end;
	c2 = *c1 ? strchr(c1 + 1, ',') : NULL;
	if (!c2)
		c2 = end;
	if (*c2 && strchr(c2 + 1, ','))
		return "has more than ADDR/PREFIX,GW,IFACE";
	if (!slash || slash > c1)
		return "is not dhcp or ADDR/PREFIX[,GW[,IFACE]]";
	if (td_ipv4_parse(v, (size_t)(slash - v), &ip->addr) < 0 || !ip->addr)
		return "does not start with an IPv4 address";
	if (td_dec_parse(slash + 1, (size_t)(c1 - slash - 1), 32, &prefix) < 0)
		return "has a prefix length that is not a number from 0 to 32";
	ip->prefix = (int)prefix;
	if (*c1 && c2 > c1 + 1 && td_ipv4_parse(c1 + 1, (size_t)(c2 - c1 - 1), &ip->gw) < 0)
		return "has a gateway that is not an IPv4 address";
	if (*c2 && !td_iface_ok(c2 + 1, (size_t)(end - c2 - 1)))
		return "has an interface name that is not 1 to 15 bytes without '/', ':' or blanks";
	if (*c2)
		memcpy(ip->iface, c2 + 1, (size_t)(end - c2)); /* with its NUL */
	ip->mode = TD_IP_STATIC;
	return NULL;
}

static const char *td_set_ip(struct td_config *c, const char *v)
{
	struct td_ipconf ip = { TD_IP_DHCP, 0, 0, 0, "" };
	const char *why = strcmp(v, "dhcp") ? td_ip_static(&ip, v) : NULL;

	if (!why)
		c->ip = ip;
	return why;
}

static void td_show_ip(const struct td_config *c, char *b, size_t n)
{
	const struct td_ipconf *ip = &c->ip;
	int k;

	if (ip->mode == TD_IP_UNSET) {
		snprintf(b, n, "the default (dhcp when a network target exists)");
		return;
	}
	if (ip->mode == TD_IP_DHCP) {
		snprintf(b, n, "dhcp");
		return;
	}
	k = snprintf(b, n, "%u.%u.%u.%u/%d", ip->addr >> 24, ip->addr >> 16 & 255,
		     ip->addr >> 8 & 255, ip->addr & 255, ip->prefix);
	if (ip->gw && k > 0 && (size_t)k < n)
		k += snprintf(b + k, n - (size_t)k, ",%u.%u.%u.%u", ip->gw >> 24, ip->gw >> 16 & 255,
			      ip->gw >> 8 & 255, ip->gw & 255);
	else if (ip->iface[0] && k > 0 && (size_t)k < n)
		k += snprintf(b + k, n - (size_t)k, ",");
	if (ip->iface[0] && k > 0 && (size_t)k < n)
		snprintf(b + k, n - (size_t)k, ",%s", ip->iface);
}

static const struct td_key td_keys[] = {
	{ "nfsvers", td_set_nfsvers, td_show_nfsvers },
	{ "nfsopts", td_set_nfsopts, td_show_nfsopts },
	{ "tls_name", td_set_tls_name, td_show_tls_name },
	{ "level", td_set_level, td_show_level },
	{ "format", td_set_format, td_show_format },
	{ "compress", td_set_compress, td_show_compress },
	{ "cpus", td_set_cpus, td_show_cpus },
	{ "ip", td_set_ip, td_show_ip },
	{ "timeout", td_set_timeout, td_show_timeout },
	{ "retries", td_set_retries, td_show_retries },
	{ "final", td_set_final, td_show_final },
	{ "failure", td_set_failure, td_show_failure },
};

/* ---- applying key=value from the file or the command line ---- */

/* Where settings come from, for applying them and for the warnings. */
struct td_origin {
	struct td_config *c;
	struct td_warnings *w;
	char where[40];      /* "" or "tinydump.conf line 12: " */
	const char *prefix;  /* how keys are written there: "tinydump." or "" */
	struct td_target *list; /* targets go here ... */
	unsigned *nlist;        /* ... counted here */
	unsigned given;         /* target entries seen */
	unsigned line;          /* file line being read; 0 elsewhere */
};

static void td_add_target(struct td_origin *o, const char *v)
{
	struct td_err e;

	if (*o->nlist == TD_MAX_TARGETS) {
		td_warn(o->w, "%s%starget=%.80s dropped: more than %d targets", o->where, o->prefix, v,
			TD_MAX_TARGETS);
		return;
	}
	if (td_target_parse(&o->list[*o->nlist], v, &e) < 0) {
		td_warn(o->w, "%s%starget=%.80s dropped: %s", o->where, o->prefix, v, e.msg);
		return;
	}
	if (o->list[*o->nlist].kind->host_only) {
		td_warn(o->w, "%s%starget=%.80s dropped: %s targets are for tinydump capture on a "
			"running host, not for the capture kernel", o->where, o->prefix, v,
			o->list[*o->nlist].kind->prefix);
		return;
	}
	o->list[(*o->nlist)++].line = o->line;
}

static const struct td_key *td_key_find(const char *k, size_t n)
{
	size_t i;

	for (i = 0; i < TD_NELEM(td_keys); i++)
		if (td_param_eq(k, n, td_keys[i].name))
			return &td_keys[i];
	return NULL;
}

/* Apply key (k, n) = val; val NULL for a word without '=', vlen its
 * length (values over 255 bytes are refused, never cut). */
static void td_apply(struct td_origin *o, const char *k, size_t n, const char *val, size_t vlen)
{
	const struct td_key *key = td_key_find(k, n);
	const char *why = NULL;
	char v[256], cur[96];

	if (!key && !td_param_eq(k, n, "target")) {
		td_warn(o->w, "%sunknown option %s%.*s%s%.*s; ignored", o->where, o->prefix, (int)n, k,
			val ? "=" : "", val ? (int)(vlen > 60 ? 60 : vlen) : 0, val ? val : "");
		return;
	}
	if (!key) {
		o->given++;
		o->c->targets_given++;
	}
	if (!val)
		why = "has no value";
	else if (vlen >= sizeof v || memchr(val, '\0', vlen))
		why = vlen >= sizeof v ? "is longer than 255 bytes" : "has a NUL byte";
	if (!why) {
		memcpy(v, val, vlen);
		v[vlen] = '\0';
		if (!key) {
			td_add_target(o, v);
			return;
		}
		why = key->set(o->c, v);
	}
	if (!why)
		return;
	if (key)
		key->show(o->c, cur, sizeof cur);
	else
		snprintf(cur, sizeof cur, "the other targets");
	td_warn(o->w, "%s%s%.*s%s%.*s%s %s; using %s", o->where, o->prefix, (int)n, k, val ? "=" : "",
		val ? (int)(vlen > 60 ? 60 : vlen) : 0, val ? val : "", val && vlen > 60 ? "..." : "",
		why, cur);
}

void td_config_defaults(struct td_config *c)
{
	memset(c, 0, sizeof *c);
	c->nfsvers = 4;
	snprintf(c->tls_name, sizeof c->tls_name, "tinydump-receiver");
	c->level = 31;
	c->cpus = 1;
	c->format = 0;
	c->codec = TD_CODEC_DEFAULT;
	c->ip.mode = TD_IP_UNSET;
	c->timeout = 60;
	c->retries = 2;
	c->final = TD_ACT_REBOOT;
	c->failure = TD_ACT_REBOOT;
}

static int td_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f';
}

static void td_trim(const char **s, const char **end)
{
	while (*s < *end && td_blank(**s))
		++*s;
	while (*end > *s && td_blank((*end)[-1]))
		--*end;
}

/* One line of the file, [s, end) without its newline. */
static void td_file_line(struct td_origin *o, const char *s, const char *end)
{
	const char *p, *eq, *v;

	for (p = s; p < end; p++)
		if (*p == '#' && (p == s || td_blank(p[-1])))
			end = p;
	td_trim(&s, &end);
	if (s == end)
		return;
	eq = memchr(s, '=', (size_t)(end - s));
	if (!eq || memchr(s, '\0', (size_t)(end - s))) {
		td_warn(o->w, "%s'%.*s' is not key=value; ignored", o->where,
			(int)(end - s > 60 ? 60 : end - s), s);
		return;
	}
	v = eq + 1;
	td_trim(&v, &end);
	p = eq;
	td_trim(&s, &p);
	if (end - v >= 2 && v[0] == '"' && end[-1] == '"') {
		v++;
		end--;
	}
	if (p - s > 9 && !memcmp(s, "tinydump.", 9))
		s += 9; /* tolerated: the key as written on the command line */
	td_apply(o, s, (size_t)(p - s), v, (size_t)(end - v));
}

void td_config_file(struct td_config *c, const char *text, size_t len, struct td_warnings *w)
{
	struct td_origin o = { c, w, "", "", c->target, &c->ntarget, 0, 0 };
	const char *p = text, *end = text + len, *nl;
	unsigned line = 1;

	for (; p < end; p = nl + 1, line++) {
		nl = memchr(p, '\n', (size_t)(end - p));
		if (!nl)
			nl = end;
		o.line = line;
		snprintf(o.where, sizeof o.where, "tinydump.conf line %u: ", line);
		td_file_line(&o, p, nl);
	}
}

void td_config_cmdline(struct td_config *c, const char *text, size_t len, struct td_warnings *w)
{
	struct td_target list[TD_MAX_TARGETS];
	unsigned n = 0;
	struct td_origin o = { c, w, "", "tinydump.", list, &n, 0, 0 };
	const char *p = text, *end = text + len;
	struct td_arg a;

	if (end > p && end[-1] == '\n')
		end--; /* /proc/cmdline adds it; the kernel never saw it */
	while ((p = td_cmdline_next(p, end, &a)))
		if (a.plen >= 9 && !memcmp(a.param, "tinydump.", 9))
			td_apply(&o, a.param + 9, a.plen - 9, a.val, a.vlen);
	if (n) {
		memcpy(c->target, list, n * sizeof list[0]);
		c->ntarget = n;
	} else if (o.given && c->ntarget) {
		td_warn(w, "no valid tinydump.target on the command line; keeping the %u target%s of tinydump.conf",
			c->ntarget, c->ntarget == 1 ? "" : "s");
	}
}

void td_config_finish(struct td_config *c, struct td_warnings *w)
{
	struct td_err e;

	if (c->ntarget)
		return;
	if (td_target_parse(&c->target[0], td_default_target, &e) < 0)
		return; /* cannot happen: the default is a valid spec */
	c->ntarget = 1;
	c->defaulted_target = 1;
	if (c->targets_given)
		td_warn(w, "no valid target; using the default %s", td_default_target);
}
