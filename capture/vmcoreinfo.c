/* Strict VMCOREINFO parsing (kernel/crash_core.c is the producer).
 * Value kinds by key: SYMBOL(x) and KERNELOFFSET are hex without 0x;
 * SIZE/OFFSET/LENGTH, PAGESIZE and CRASHTIME unsigned decimal; NUMBER(x)
 * signed decimal (PAGE_BUDDY_MAPCOUNT_VALUE=-129, phys_base may be
 * negative) or, from 6.12 on for some keys, "0x" and 1 to 16 hex digits
 * (NUMBER(VMALLOC_START)=0xff58452c40000000, written with %#lx by the arch
 * code), kept as the same 64 bits; anything else (OSRELEASE, BUILD-ID) is
 * kept as text. */
#include <stdio.h>
#include <string.h>

#include "page.h"
#include "vmcoreinfo.h"

enum kind { K_TEXT, K_HEX, K_UDEC, K_SDEC };

static enum kind kind_of(const char *key)
{
	if (!strncmp(key, "SYMBOL(", 7) || !strcmp(key, "KERNELOFFSET"))
		return K_HEX;
	if (!strncmp(key, "NUMBER(", 7))
		return K_SDEC;
	if (!strncmp(key, "SIZE(", 5) || !strncmp(key, "OFFSET(", 7) || !strncmp(key, "LENGTH(", 7) ||
	    !strcmp(key, "PAGESIZE") || !strcmp(key, "CRASHTIME"))
		return K_UDEC;
	return K_TEXT;
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static int parse_hex(const char *s, uint64_t *v)
{
	uint64_t x = 0;
	size_t n = 0;

	for (; s[n]; n++) {
		int d = hexval(s[n]);
		if (d < 0 || n == 16)
			return -1;
		x = x << 4 | (uint64_t)d;
	}
	*v = x;
	return n ? 0 : -1;
}

static int parse_udec(const char *s, uint64_t *v)
{
	uint64_t x = 0;
	size_t n = 0;

	for (; s[n]; n++) {
		if (s[n] < '0' || s[n] > '9')
			return -1;
		uint64_t d = (uint64_t)(s[n] - '0');
		if (x > (UINT64_MAX - d) / 10)
			return -1;
		x = x * 10 + d;
	}
	*v = x;
	return n ? 0 : -1;
}

static int parse_sdec(const char *s, int64_t *v)
{
	int neg = *s == '-';
	uint64_t x;

	if (s[0] == '0' && s[1] == 'x') {
		if (parse_hex(s + 2, &x) < 0)
			return -1;
		*v = (int64_t)x; /* the bits as written: 0xff58... is an address */
		return 0;
	}
	if (parse_udec(s + neg, &x) < 0)
		return -1;
	if (neg ? x > (uint64_t)INT64_MAX + 1 : x > (uint64_t)INT64_MAX)
		return -1;
	*v = neg ? (int64_t)(0 - x) : (int64_t)x;
	return 0;
}

static struct td_vi_entry *slot(struct td_vmcoreinfo *vi, const char *key)
{
	for (unsigned i = 0; i < vi->n; i++)
		if (!strcmp(vi->ent[i].key, key))
			return &vi->ent[i]; /* a repeated key: the last one wins */
	return vi->n < TD_VI_MAX ? &vi->ent[vi->n++] : NULL;
}

static void reject(struct td_vmcoreinfo *vi, const char *line, size_t len, const char *why)
{
	if (!vi->dropped++) {
		int l = len > 80 ? 80 : (int)len;
		snprintf(vi->warning, sizeof vi->warning, "VMCOREINFO line \"%.*s\" ignored: %s", l,
			 line, why);
	}
}

static void parse_line(struct td_vmcoreinfo *vi, const char *line, size_t len)
{
	const char *eq = memchr(line, '=', len);
	struct td_vi_entry ent;

	memset(&ent, 0, sizeof ent);
	if (!eq || eq == line)
		return reject(vi, line, len, "no key=value");
	size_t klen = (size_t)(eq - line), vlen = len - klen - 1;
	if (klen >= sizeof ent.key || vlen >= sizeof ent.text)
		return reject(vi, line, len, "too long");
	memcpy(ent.key, line, klen);
	memcpy(ent.text, eq + 1, vlen);
	if (memchr(ent.key, '\0', klen) || memchr(ent.text, '\0', vlen))
		return reject(vi, line, len, "NUL byte");
	int bad = 0;
	switch (kind_of(ent.key)) {
	case K_HEX: bad = parse_hex(ent.text, &ent.u); break;
	case K_UDEC: bad = parse_udec(ent.text, &ent.u); break;
	case K_SDEC: bad = parse_sdec(ent.text, &ent.s); break;
	case K_TEXT: break;
	}
	if (bad)
		return reject(vi, line, len, "value out of range or trailing junk");
	struct td_vi_entry *s = slot(vi, ent.key);
	if (!s)
		return reject(vi, line, len, "too many entries");
	*s = ent;
}

int td_vmcoreinfo_parse(struct td_vmcoreinfo *vi, const char *text, uint64_t len,
			struct td_err *e)
{
	const char *nul = memchr(text, '\0', len);
	uint64_t page;

	memset(vi, 0, sizeof *vi);
	if (nul)
		len = (uint64_t)(nul - text); /* the note is NUL-padded */
	while (len) {
		const char *nl = memchr(text, '\n', len);
		size_t l = nl ? (size_t)(nl - text) : len;
		if (l)
			parse_line(vi, text, l);
		text += l + (nl != NULL);
		len -= l + (nl != NULL);
	}
	if (!td_vi_string(vi, "OSRELEASE"))
		return td_fail(e, "VMCOREINFO has no OSRELEASE");
	if (td_vi_u(vi, "PAGESIZE", &page) < 0)
		return td_fail(e, "VMCOREINFO has no valid PAGESIZE");
	if (page != TD_PAGE_SIZE)
		return td_fail(e, "VMCOREINFO PAGESIZE=%llu: only %u-byte pages are supported",
			       (unsigned long long)page, TD_PAGE_SIZE);
	return 0;
}

static const struct td_vi_entry *find(const struct td_vmcoreinfo *vi, const char *key)
{
	for (unsigned i = 0; i < vi->n; i++)
		if (!strcmp(vi->ent[i].key, key))
			return &vi->ent[i];
	return NULL;
}

static int find_u(const struct td_vmcoreinfo *vi, const char *kind, const char *name, uint64_t *v)
{
	char key[TD_VI_KEYLEN];
	const struct td_vi_entry *ent;

	if (snprintf(key, sizeof key, "%s(%s)", kind, name) >= (int)sizeof key)
		return -1;
	if (!(ent = find(vi, key)))
		return -1;
	*v = ent->u;
	return 0;
}

int td_vi_symbol(const struct td_vmcoreinfo *vi, const char *name, uint64_t *v)
{
	return find_u(vi, "SYMBOL", name, v);
}

int td_vi_size(const struct td_vmcoreinfo *vi, const char *name, uint64_t *v)
{
	return find_u(vi, "SIZE", name, v);
}

int td_vi_offset(const struct td_vmcoreinfo *vi, const char *name, uint64_t *v)
{
	return find_u(vi, "OFFSET", name, v);
}

int td_vi_length(const struct td_vmcoreinfo *vi, const char *name, uint64_t *v)
{
	return find_u(vi, "LENGTH", name, v);
}

int td_vi_number(const struct td_vmcoreinfo *vi, const char *name, int64_t *v)
{
	char key[TD_VI_KEYLEN];
	const struct td_vi_entry *ent;

	if (snprintf(key, sizeof key, "NUMBER(%s)", name) >= (int)sizeof key)
		return -1;
	if (!(ent = find(vi, key)))
		return -1;
	*v = ent->s;
	return 0;
}

const char *td_vi_string(const struct td_vmcoreinfo *vi, const char *key)
{
	const struct td_vi_entry *ent = find(vi, key);

	return ent ? ent->text : NULL;
}

int td_vi_u(const struct td_vmcoreinfo *vi, const char *key, uint64_t *v)
{
	const struct td_vi_entry *ent = find(vi, key);

	if (!ent || kind_of(key) == K_TEXT || kind_of(key) == K_SDEC)
		return -1;
	*v = ent->u;
	return 0;
}
