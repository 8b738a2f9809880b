/* The codec table (see codec.h). */
#include <string.h>

#include "codec.h"

/* In the order the names are listed to users; the first is the default. */
static const struct td_codec *const codecs[] = {
	&td_codec_zlib,
	&td_codec_zlib_exact,
	&td_codec_zstd,
	&td_codec_lzo,
	&td_codec_none,
};
#define NCODECS (sizeof codecs / sizeof codecs[0])

const struct td_codec *td_codec_by_name(const char *name)
{
	for (size_t i = 0; i < NCODECS; i++)
		if (!strcmp(codecs[i]->name, name))
			return codecs[i];
	return NULL;
}

const struct td_codec *td_codec_by_flag(uint32_t flag)
{
	for (size_t i = 0; i < NCODECS; i++)
		if (codecs[i]->kdump_flag == flag)
			return codecs[i];
	return NULL;
}

const char *td_codec_names(void)
{
	static char names[128];
	size_t n = 0;

	if (names[0])
		return names;
	for (size_t i = 0; i < NCODECS && n < sizeof names; i++) {
		const char *sep = i == 0 ? "" : i + 1 == NCODECS ? " or " : ", ";
		size_t len = strlen(sep) + strlen(codecs[i]->name);
		if (n + len >= sizeof names)
			break;
		memcpy(names + n, sep, strlen(sep));
		memcpy(names + n + strlen(sep), codecs[i]->name, strlen(codecs[i]->name) + 1);
		n += len;
	}
	return names;
}

int td_codec_init(struct td_codec_state *cs, const struct td_codec *c, struct td_err *e)
{
	cs->codec = c;
	return c->init ? c->init(cs->u.b, e) : 0;
}

void td_codec_end(struct td_codec_state *cs)
{
	if (cs->codec && cs->codec->end)
		cs->codec->end(cs->u.b);
	cs->codec = NULL;
}

uint32_t td_codec_page(struct td_codec_state *cs, const uint8_t *page, uint8_t *out)
{
	return cs->codec->compress ? cs->codec->compress(cs->u.b, page, out) : 0;
}

void td_codec_counts(const struct td_codec_state *cs, uint64_t *tried, uint64_t *skipped)
{
	*tried = *skipped = 0;
	if (cs->codec && cs->codec->counts)
		cs->codec->counts(cs->u.b, tried, skipped);
}
