/* .modinfo from a module's ELF image (modinfo.h). Only x86_64 modules are
 * read: ELF64, little-endian, fields decoded byte by byte. */
#include <string.h>

#include "modinfo.h"

static uint64_t le(const uint8_t *p, unsigned n)
{
	uint64_t v = 0;

	while (n--)
		v = v << 8 | p[n];
	return v;
}

/* off + size inside len, without overflow. */
static int inside(uint64_t off, uint64_t size, size_t len)
{
	return off <= len && size <= len - off;
}

int td_modinfo_find(const uint8_t *elf, size_t len, const char **info, size_t *n,
		    struct td_err *e)
{
	uint64_t shoff, shentsize, shnum, shstrndx, stroff, strsize;

	if (len < 64 || memcmp(elf, "\177ELF", 4))
		return td_fail(e, "not an ELF file");
	if (elf[4] != 2 || elf[5] != 1)
		return td_fail(e, "not a 64-bit little-endian ELF file (class %u, data %u)", elf[4], elf[5]);
	if (le(elf + 16, 2) != 1)
		return td_fail(e, "ELF type %u is not relocatable (ET_REL)", (unsigned)le(elf + 16, 2));
	shoff = le(elf + 40, 8), shentsize = le(elf + 58, 2);
	shnum = le(elf + 60, 2), shstrndx = le(elf + 62, 2);
	if (shentsize != 64 || !shnum || !inside(shoff, shnum * 64, len))
		return td_fail(e, "section table (%llu entries of %llu bytes at %llu) outside the file",
			       (unsigned long long)shnum, (unsigned long long)shentsize,
			       (unsigned long long)shoff);
	if (shstrndx >= shnum)
		return td_fail(e, "section-name table index %llu out of range", (unsigned long long)shstrndx);
	stroff = le(elf + shoff + shstrndx * 64 + 24, 8);
	strsize = le(elf + shoff + shstrndx * 64 + 32, 8);
	if (!inside(stroff, strsize, len))
		return td_fail(e, "section-name table outside the file");
	for (uint64_t i = 0; i < shnum; i++) {
		const uint8_t *sh = elf + shoff + i * 64;
		uint64_t name = le(sh, 4), off = le(sh + 24, 8), size = le(sh + 32, 8);

		if (name >= strsize || strsize - name < sizeof ".modinfo" ||
		    memcmp(elf + stroff + name, ".modinfo", sizeof ".modinfo"))
			continue;
		if (le(sh + 4, 4) == 8 /* SHT_NOBITS */ || !inside(off, size, len))
			return td_fail(e, ".modinfo section outside the file");
		*info = (const char *)elf + off;
		*n = (size_t)size;
		return 0;
	}
	return td_fail(e, "no .modinfo section (not a kernel module?)");
}

const char *td_modinfo_next(const char *info, size_t n, size_t *pos, const char *key,
			    size_t *vlen)
{
	size_t klen = strlen(key);

	while (*pos < n) {
		const char *s = info + *pos;
		const char *end = memchr(s, '\0', n - *pos);
		size_t slen = end ? (size_t)(end - s) : n - *pos;

		*pos += slen + 1;
		if (slen > klen && !memcmp(s, key, klen) && s[klen] == '=') {
			*vlen = slen - klen - 1;
			return s + klen + 1;
		}
	}
	return NULL;
}
