/* Page-sized deflate (deflate.h). */
#include <emmintrin.h>
#include <string.h>

#include "deflate.h"

enum {
	MIN_MATCH = 3,
	MAX_MATCH = 258,
	CHAIN = 4,      /* candidates tried per position */
	NICE = 32,      /* a match this long ends the search */
	MAX_INSERT = 4, /* matches up to this long put their inner positions in the table */
	SKIP_SHIFT = 5, /* after 32 literals in a row, look at every 2nd position, ... */
	NONE = 0xffff, /* end of a hash chain */
	GEN = 1u << 16, /* base steps by this per call: above any position */
	LL_SYMS = 286,
	D_SYMS = 30,
	CL_SYMS = 19,
	END_BLOCK = 256,
};

static const uint16_t len_base[29] = { 3,  4,  5,  6,  7,  8,  9,  10, 11,  13,  15,  17,  19,  23, 27,
				       31, 35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195, 227, 258 };
static const uint8_t len_extra[29] = { 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2,
				       2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0 };
static const uint16_t dist_base[30] = { 1,   2,   3,   4,   5,   7,    9,    13,   17,   25,
					33,  49,  65,  97,  129, 193,  257,  385,  513,  769,
					1025, 1537, 2049, 3073, 4097, 6145, 8193, 12289, 16385, 24577 };
static const uint8_t dist_extra[30] = { 0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6,
					6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13 };
static const uint8_t cl_order[CL_SYMS] = { 16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15 };

static void huff_codes(const uint8_t *lens, unsigned n, uint16_t *codes);

void td_deflate_init(struct td_deflate *d)
{
	for (unsigned s = 0; s < 288; s++)
		d->fixed.llen[s] = s < 144 ? 8 : s < 256 ? 9 : s < 280 ? 7 : 8;
	for (unsigned s = 0; s < 32; s++)
		d->fixed.dlen[s] = 5;
	huff_codes(d->fixed.llen, 288, d->fixed.lcodes);
	huff_codes(d->fixed.dlen, 32, d->fixed.dcodes);
	memset(d->head, 0, sizeof d->head);
	d->base = GEN;
	for (unsigned c = 0; c < 29; c++)
		for (unsigned l = len_base[c]; l < len_base[c] + (1u << len_extra[c]) && l <= MAX_MATCH; l++)
			d->lcode[l - MIN_MATCH] = (uint8_t)c;
	d->lcode[MAX_MATCH - MIN_MATCH] = 28; /* 258 has a code of its own */
	for (unsigned c = 0; c < D_SYMS; c++)
		for (unsigned x = dist_base[c]; x < dist_base[c] + (1u << dist_extra[c]) && x <= TD_DEFLATE_MAX_IN; x++)
			d->dcode[x - 1] = (uint8_t)c;
}

static inline uint32_t load32(const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, 4);
	return v;
}

static inline uint64_t load64(const uint8_t *p)
{
	uint64_t v;

	memcpy(&v, p, 8);
	return v;
}

static inline uint32_t hash3(uint32_t v)
{
	return ((v & 0xffffff) * 0x9e3779b1u) >> (32 - TD_DEFLATE_HBITS);
}

/* How many bytes from a and b agree, up to max. */
static inline unsigned extend(const uint8_t *a, const uint8_t *b, unsigned max)
{
	unsigned n = 0;

	while (n + 8 <= max) {
		uint64_t x = load64(a + n) ^ load64(b + n);
		if (x)
			return n + (unsigned)__builtin_ctzll(x) / 8;
		n += 8;
	}
	while (n < max && a[n] == b[n])
		n++;
	return n;
}

/* Adler-32 (RFC 1950) of p[0, n), n <= TD_DEFLATE_MAX_IN, 16 bytes a step
 * with SSE2 (every x86_64 has it). For a run of bytes x[0..n), a is 1 plus
 * their sum and b is the sum of (n - i) * x[i] plus n; with k steps of 16,
 * byte t of step j weighs 16 * (k - 1 - j) + (16 - t): the first term
 * comes from s2 (the running sum of earlier steps' sums), the second from
 * the multiply-add by 16..1. No sum can reach 2^32 below 5552 bytes. */
static uint32_t adler32_page(const uint8_t *p, size_t n)
{
	const __m128i zero = _mm_setzero_si128(), w_lo = _mm_setr_epi16(16, 15, 14, 13, 12, 11, 10, 9),
		      w_hi = _mm_setr_epi16(8, 7, 6, 5, 4, 3, 2, 1);
	__m128i s1 = zero, s2 = zero, m = zero;
	size_t k = n / 16;
	uint64_t a = 1, b, t1[2], t2[2];
	uint32_t m4[4];

	for (size_t j = 0; j < k; j++, p += 16) {
		__m128i v = _mm_loadu_si128((const __m128i *)p);
		s2 = _mm_add_epi32(s2, s1);
		s1 = _mm_add_epi32(s1, _mm_sad_epu8(v, zero));
		m = _mm_add_epi32(m, _mm_add_epi32(_mm_madd_epi16(_mm_unpacklo_epi8(v, zero), w_lo),
						   _mm_madd_epi16(_mm_unpackhi_epi8(v, zero), w_hi)));
	}
	_mm_storeu_si128((__m128i *)t1, s1); /* psadbw: two 64-bit sums */
	_mm_storeu_si128((__m128i *)t2, s2);
	_mm_storeu_si128((__m128i *)m4, m);
	b = 16 * k + 16 * (t2[0] + t2[1]) + (uint64_t)m4[0] + m4[1] + m4[2] + m4[3];
	a += t1[0] + t1[1];
	for (size_t i = 16 * k; i < n; i++) {
		a += *p++;
		b += a;
	}
	return (uint32_t)((b % 65521) << 16 | (a % 65521));
}

/* ---- parse: the symbols and their frequencies ---- */

static inline void insert(struct td_deflate *d, const uint8_t *in, unsigned i)
{
	uint32_t h = hash3(load32(in + i)), c = d->head[h];

	d->prev[i] = c >= d->base ? (uint16_t)(c - d->base) : NONE;
	d->head[h] = d->base + i;
}

/* Greedy: the longest of CHAIN candidates at each position, else a
 * literal. Returns the number of symbols. */
static unsigned parse(struct td_deflate *d, const uint8_t *in, unsigned len)
{
	unsigned i = 0, n = 0, miss = 0;

	memset(d->lfreq, 0, sizeof d->lfreq);
	memset(d->dfreq, 0, sizeof d->dfreq);
	while (i + 4 <= len) {
		uint32_t v = load32(in + i), h = hash3(v), c = d->head[h];
		unsigned best = 0, bdist = 0, max = len - i < MAX_MATCH ? len - i : MAX_MATCH;

		d->head[h] = d->base + i;
		if (c >= d->base) {
			unsigned p = c - d->base;

			d->prev[i] = (uint16_t)p;
			for (unsigned k = CHAIN;;) {
				if (!((load32(in + p) ^ v) & 0xffffff)) {
					unsigned m = MIN_MATCH + extend(in + p + MIN_MATCH, in + i + MIN_MATCH, max - MIN_MATCH);
					if (m > best) {
						best = m;
						bdist = i - p;
						if (m >= NICE || m == max)
							break;
					}
				}
				if (!--k || d->prev[p] == NONE)
					break;
				p = d->prev[p];
			}
		} else {
			d->prev[i] = NONE;
		}
		if (best) {
			d->sym[n++] = (uint32_t)best << 16 | bdist;
			d->lfreq[257 + d->lcode[best - MIN_MATCH]]++;
			d->dfreq[d->dcode[bdist - 1]]++;
			if (best <= MAX_INSERT) {
				for (unsigned j = i + 1; j < i + best && j + 4 <= len; j++)
					insert(d, in, j);
			}
			i += best;
			miss = 0;
		} else {
			/* after a long run without a match, search only every
			 * (miss >> SKIP_SHIFT)+1-th position: incompressible
			 * stretches cost less, matches are found a little late */
			unsigned step = 1 + (++miss >> SKIP_SHIFT), e = i + step < len - 3 ? i + step : len - 3;
			for (; i < e; i++) {
				d->sym[n++] = (uint32_t)in[i] << 16;
				d->lfreq[in[i]]++;
			}
		}
	}
	for (; i < len; i++) {
		d->sym[n++] = (uint32_t)in[i] << 16;
		d->lfreq[in[i]]++;
	}
	d->lfreq[END_BLOCK] = 1;
	return n;
}

/* ---- Huffman code lengths ---- */

static void assign_codes(const uint8_t *lens, const uint32_t *syms, unsigned nsyms, const unsigned *count,
			 uint16_t *codes);

/* Code lengths, at most limit bits, for the n symbols of freq, into lens
 * (0: no code), how many have each length into count[16], the symbols
 * that have one into bysym, ascending (for assign_codes), and their
 * number returned. At least two symbols get a code (zlib's own rule, so that every
 * reader accepts the code: a lone symbol gets a partner of frequency 0). */
static unsigned huff_build(const uint16_t *freq, unsigned n, unsigned limit, uint8_t *lens, unsigned *count,
			   uint32_t *bysym)
{
	uint32_t a[LL_SYMS], order[LL_SYMS], tmp[LL_SYMS];
	unsigned cnt[128], used = 0, maxf = 0;

	memset(count, 0, 16 * sizeof *count);
	memset(lens, 0, n);
	for (unsigned s = 0; s < n; s++) { /* without a branch: which are used is random */
		order[used] = s;
		used += freq[s] != 0;
		maxf |= freq[s];
	}
	for (unsigned s = 0; used < 2; s++)
		if (!freq[s] && (used == 0 || order[0] != s))
			order[used++] = s;
	if (order[0] > order[1] && used == 2) { /* a partner added below its symbol */
		uint32_t t = order[0];
		order[0] = order[1];
		order[1] = t;
	}
	memcpy(bysym, order, used * sizeof *order);
	/* stable sort by frequency, ascending: insertion for a few symbols,
	 * else radix passes of 7 bits, one per 7 bits the largest needs */
	if (used <= 16) {
		for (unsigned i = 1; i < used; i++) {
			unsigned v = order[i], j = i;
			for (; j > 0 && freq[order[j - 1]] > freq[v]; j--)
				order[j] = order[j - 1];
			order[j] = v;
		}
		maxf = 0;
	}
	for (unsigned shift = 0; maxf >> shift; shift += 7) {
		memset(cnt, 0, sizeof cnt);
		for (unsigned i = 0; i < used; i++)
			cnt[(freq[order[i]] >> shift) & 127]++;
		for (unsigned i = 0, sum = 0; i < 128; i++) {
			unsigned c = cnt[i];
			cnt[i] = sum;
			sum += c;
		}
		for (unsigned i = 0; i < used; i++)
			tmp[cnt[(freq[order[i]] >> shift) & 127]++] = order[i];
		memcpy(order, tmp, used * sizeof *order);
	}
	/* Moffat and Katajainen's in-place minimum-redundancy lengths */
	for (unsigned i = 0; i < used; i++)
		a[i] = freq[order[i]];
	{
		unsigned root = 0, leaf = 2, next;
		int r;

		a[0] += a[1];
		for (next = 1; next + 1 < used; next++) {
			if (leaf >= used || a[root] < a[leaf]) {
				a[next] = a[root];
				a[root++] = next;
			} else {
				a[next] = a[leaf++];
			}
			if (leaf >= used || (root < next && a[root] < a[leaf])) {
				a[next] += a[root];
				a[root++] = next;
			} else {
				a[next] += a[leaf++];
			}
		}
		a[used - 2] = 0;
		for (r = (int)used - 3; r >= 0; r--)
			a[r] = a[a[r]] + 1;
		unsigned avail = 1, u = 0, depth = 0;
		r = (int)used - 2;
		next = used;
		while (avail > 0) {
			while (r >= 0 && a[r] == depth) {
				u++;
				r--;
			}
			while (avail > u) {
				a[--next] = depth;
				avail--;
			}
			avail = 2 * u;
			depth++;
			u = 0;
		}
	}
	/* a[i] is now the length of order[i], longest first; cap at limit and
	 * restore Kraft's equality by moving leaves down from shorter lengths */
	for (unsigned i = 0; i < used; i++)
		count[a[i] > limit ? limit : a[i]]++;
	if (a[0] > limit) {
		uint32_t total = 0;

		for (unsigned l = 1; l <= limit; l++)
			total += count[l] << (limit - l);
		while (total > (1u << limit)) {
			count[limit]--;
			for (unsigned l = limit - 1; l > 0; l--)
				if (count[l]) {
					count[l]--;
					count[l + 1] += 2;
					break;
				}
			total--;
		}
	}
	/* the least frequent symbols take the longest codes */
	for (unsigned l = limit, i = 0; l > 0; l--)
		for (unsigned k = count[l]; k; k--)
			lens[order[i++]] = (uint8_t)l;
	return used;
}

/* Canonical codes (RFC 1951 3.2.2), bit-reversed for LSB-first output,
 * for the nsyms symbols syms (in ascending order) of lens; count[l]: how
 * many have length l. */
static void assign_codes(const uint8_t *lens, const uint32_t *syms, unsigned nsyms, const unsigned *count,
			 uint16_t *codes)
{
	unsigned next[16];

	next[1] = 0;
	for (unsigned l = 2; l < 16; l++)
		next[l] = (next[l - 1] + count[l - 1]) << 1;
	for (unsigned i = 0; i < nsyms; i++) {
		unsigned s = syms[i], l = lens[s], c, r;

		c = next[l]++;
		r = (c & 0x5555) << 1 | (c >> 1 & 0x5555);
		r = (r & 0x3333) << 2 | (r >> 2 & 0x3333);
		r = (r & 0x0f0f) << 4 | (r >> 4 & 0x0f0f);
		r = (r & 0x00ff) << 8 | (r >> 8 & 0x00ff);
		codes[s] = (uint16_t)(r >> (16 - l));
	}
}

/* The same for every symbol of lens that has a length (the fixed codes). */
static void huff_codes(const uint8_t *lens, unsigned n, uint16_t *codes)
{
	uint32_t syms[288];
	unsigned count[16] = { 0 }, k = 0;

	for (unsigned s = 0; s < n; s++)
		if (lens[s]) {
			count[lens[s]]++;
			syms[k++] = s;
		}
	assign_codes(lens, syms, k, count, codes);
}

/* ---- bits out ---- */

struct bits {
	uint8_t *p;
	uint64_t buf;
	unsigned cnt;
};

static inline void put(struct bits *b, uint32_t v, unsigned n)
{
	b->buf |= (uint64_t)v << b->cnt;
	b->cnt += n;
	if (b->cnt >= 32) {
		uint32_t w = (uint32_t)b->buf;
		memcpy(b->p, &w, 4); /* little-endian machines only (x86_64) */
		b->p += 4;
		b->buf >>= 32;
		b->cnt -= 32;
	}
}

static void put_end(struct bits *b)
{
	while (b->cnt > 0) {
		*b->p++ = (uint8_t)b->buf;
		b->buf >>= 8;
		b->cnt = b->cnt > 8 ? b->cnt - 8 : 0;
	}
}

/* ---- the block ---- */

#define codes td_deflate_codes

/* Run-length code lens (RFC 1951 3.2.7) into c->cl, counting into freq. */
static void rle_lengths(struct codes *c, const uint8_t *lens, unsigned n, uint16_t *freq)
{
	c->ncl = 0;
	for (unsigned i = 0; i < n;) {
		unsigned l = lens[i], run = 1;

		while (i + run < n && lens[i + run] == l)
			run++;
		i += run;
		if (l == 0) {
			while (run >= 11) {
				unsigned k = run > 138 ? 138 : run;
				c->cl[c->ncl++] = (uint16_t)(18 | (k - 11) << 8);
				freq[18]++;
				run -= k;
			}
			if (run >= 3) {
				c->cl[c->ncl++] = (uint16_t)(17 | (run - 3) << 8);
				freq[17]++;
				run = 0;
			}
		} else {
			c->cl[c->ncl++] = (uint16_t)l;
			freq[l]++;
			run--;
			while (run >= 3) {
				unsigned k = run > 6 ? 6 : run;
				c->cl[c->ncl++] = (uint16_t)(16 | (k - 3) << 8);
				freq[16]++;
				run -= k;
			}
		}
		while (run--) {
			c->cl[c->ncl++] = (uint16_t)l;
			freq[l]++;
		}
	}
}

static const uint8_t cl_extra[CL_SYMS] = { [16] = 2, [17] = 3, [18] = 7 };

/* Bits of the dynamic block's header, and its codes in c. */
static uint64_t dynamic_header(const struct td_deflate *d, struct codes *c)
{
	uint8_t lens[LL_SYMS + D_SYMS];
	uint16_t clfreq[CL_SYMS] = { 0 };
	uint64_t bits;

	c->nlsyms = huff_build(d->lfreq, LL_SYMS, 15, c->llen, c->lcount, c->lsyms);
	c->ndsyms = huff_build(d->dfreq, D_SYMS, 15, c->dlen, c->dcount, c->dsyms);
	for (c->nlit = LL_SYMS; c->nlit > 257 && !c->llen[c->nlit - 1]; c->nlit--)
		;
	for (c->ndist = D_SYMS; c->ndist > 1 && !c->dlen[c->ndist - 1]; c->ndist--)
		;
	memcpy(lens, c->llen, c->nlit);
	memcpy(lens + c->nlit, c->dlen, c->ndist);
	rle_lengths(c, lens, c->nlit + c->ndist, clfreq);
	c->nclsyms = huff_build(clfreq, CL_SYMS, 7, c->cllen, c->clcount, c->clsyms);
	for (c->nclen = CL_SYMS; c->nclen > 4 && !c->cllen[cl_order[c->nclen - 1]]; c->nclen--)
		;
	bits = 5 + 5 + 4 + 3 * c->nclen;
	for (unsigned s = 0; s < CL_SYMS; s++)
		bits += (uint64_t)clfreq[s] * (c->cllen[s] + cl_extra[s]);
	return bits;
}


/* Bits of the symbols under the codes of dyn and of the fixed codes,
 * extra bits included (the same in both). */
static void body_bits(const struct td_deflate *d, const struct codes *dyn, uint64_t *dbits, uint64_t *fbits)
{
	const struct codes *fix = &d->fixed;
	uint64_t db = 0, fb = 0, extra = 0;

	/* only symbols with a code can have a frequency */
	for (unsigned i = 0; i < dyn->nlsyms; i++) {
		unsigned s = dyn->lsyms[i], f = d->lfreq[s];

		db += (uint64_t)f * dyn->llen[s];
		fb += (uint64_t)f * fix->llen[s];
		if (s > 256)
			extra += (uint64_t)f * len_extra[s - 257];
	}
	for (unsigned i = 0; i < dyn->ndsyms; i++) {
		unsigned s = dyn->dsyms[i], f = d->dfreq[s];

		db += (uint64_t)f * dyn->dlen[s];
		fb += (uint64_t)f * 5;
		extra += (uint64_t)f * dist_extra[s];
	}
	*dbits += db + extra;
	*fbits = fb + extra;
}

static void put_symbols(struct bits *b, const struct td_deflate *d, const struct codes *c, unsigned n)
{
	for (unsigned i = 0; i < n; i++) {
		uint32_t s = d->sym[i], dist = s & 0xffff, v = s >> 16;

		if (!dist) {
			put(b, c->lcodes[v], c->llen[v]);
			continue;
		}
		unsigned lc = d->lcode[v - MIN_MATCH], dc = d->dcode[dist - 1];
		put(b, c->lcodes[257 + lc] | (v - len_base[lc]) << c->llen[257 + lc],
		    c->llen[257 + lc] + len_extra[lc]);
		put(b, c->dcodes[dc] | (dist - dist_base[dc]) << c->dlen[dc], c->dlen[dc] + dist_extra[dc]);
	}
	put(b, c->lcodes[END_BLOCK], c->llen[END_BLOCK]);
}

size_t td_deflate_zlib(struct td_deflate *d, const uint8_t *in, size_t len, uint8_t *out, size_t cap)
{
	struct codes dyn;
	struct bits b = { out + 2, 0, 0 };
	uint64_t dbits, fbits;
	size_t size;
	unsigned n;
	uint32_t adler;

	if (len > TD_DEFLATE_MAX_IN)
		return 0;
	if (d->base > UINT32_MAX - 2 * GEN) { /* generations used up: clear once */
		memset(d->head, 0, sizeof d->head);
		d->base = GEN;
	}
	n = parse(d, in, (unsigned)len);
	d->base += GEN;
	dbits = dynamic_header(d, &dyn);
	body_bits(d, &dyn, &dbits, &fbits);
	size = 2 + (3 + (dbits < fbits ? dbits : fbits) + 7) / 8 + 4;
	if (size > cap)
		return 0;
	out[0] = 0x78; /* deflate, 32 KiB window */
	out[1] = 0x01; /* fastest; (0x78 << 8 | 0x01) % 31 == 0 */
	if (dbits < fbits) { /* the codes only now: most pages that will not fit never get here */
		assign_codes(dyn.llen, dyn.lsyms, dyn.nlsyms, dyn.lcount, dyn.lcodes);
		assign_codes(dyn.dlen, dyn.dsyms, dyn.ndsyms, dyn.dcount, dyn.dcodes);
		assign_codes(dyn.cllen, dyn.clsyms, dyn.nclsyms, dyn.clcount, dyn.clcodes);
		put(&b, 1 | 2 << 1, 3); /* last block, dynamic */
		put(&b, dyn.nlit - 257, 5);
		put(&b, dyn.ndist - 1, 5);
		put(&b, dyn.nclen - 4, 4);
		for (unsigned i = 0; i < dyn.nclen; i++)
			put(&b, dyn.cllen[cl_order[i]], 3);
		for (unsigned i = 0; i < dyn.ncl; i++) {
			unsigned s = dyn.cl[i] & 0xff;
			put(&b, dyn.clcodes[s] | (uint32_t)(dyn.cl[i] >> 8) << dyn.cllen[s], dyn.cllen[s] + cl_extra[s]);
		}
		put_symbols(&b, d, &dyn, n);
	} else {
		put(&b, 1 | 1 << 1, 3); /* last block, fixed */
		put_symbols(&b, d, &d->fixed, n);
	}
	put_end(&b);
	adler = adler32_page(in, len);
	b.p[0] = (uint8_t)(adler >> 24);
	b.p[1] = (uint8_t)(adler >> 16);
	b.p[2] = (uint8_t)(adler >> 8);
	b.p[3] = (uint8_t)adler;
	return (size_t)(b.p + 4 - out);
}
