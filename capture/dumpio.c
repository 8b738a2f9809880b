#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dumpio.h"

enum { PROGRESS_STEP = 1u << 16 };

/* Not with zeros: the compiler turns malloc + memset(0) into calloc, which
 * touches nothing. */
void td_own(void *p, size_t n)
{
	memset(p, 0xa5, n);
}

int td_dumpio_init(struct td_dumpio *io, struct td_dump *d, void *ctx, struct td_err *e)
{
	memset(io, 0, sizeof *io);
	io->d = d;
	io->ctx = ctx;
	io->bm1 = malloc(TD_CYCLE_PFNS / 8);
	io->bm2 = malloc(TD_CYCLE_PFNS / 8);
	if (!io->bm1 || !io->bm2) {
		td_dumpio_free(io);
		return td_fail(e, "no memory for two %llu KiB bitmaps",
			       (unsigned long long)(TD_CYCLE_PFNS / 8 >> 10));
	}
	/* Touch them now: the memory is really ours from the start, so a short
	 * capture kernel fails here and not mid-dump, and the footprint is the
	 * same whatever the machine's size. Every cycle rewrites both. */
	td_own(io->bm1, TD_CYCLE_PFNS / 8);
	td_own(io->bm2, TD_CYCLE_PFNS / 8);
	return 0;
}

void td_dumpio_free(struct td_dumpio *io)
{
	free(io->bm1);
	free(io->bm2);
	io->bm1 = io->bm2 = NULL;
}

static uint64_t cycle_len(const struct td_dump *d, uint64_t start)
{
	uint64_t end = (d->vc->max_pfn + 7) & ~7ull;

	return end - start < TD_CYCLE_PFNS ? end - start : TD_CYCLE_PFNS;
}

static uint64_t popcount_bytes(const uint8_t *bm, uint64_t len)
{
	uint64_t n = 0;

	for (uint64_t i = 0; i < len; i++)
		n += (uint64_t)__builtin_popcount(bm[i]);
	return n;
}

int td_dumpio_count(struct td_dumpio *io, uint64_t *ndumpable, struct td_err *e)
{
	struct td_dump *d = io->d;

	*ndumpable = 0;
	for (uint64_t s = 0; s < d->vc->max_pfn; s += TD_CYCLE_PFNS) {
		uint64_t n = cycle_len(d, s);
		if (td_filter_cycle(d->filter, s, n, io->bm2, NULL, e) < 0)
			return td_wrap(e, "filtering pfns 0x%llx-0x%llx", (unsigned long long)s,
				       (unsigned long long)(s + n - 1));
		*ndumpable += popcount_bytes(io->bm2, n / 8);
	}
	return 0;
}

static void set_bits(uint8_t *bm, uint64_t from, uint64_t to)
{
	for (; from < to && (from & 7); from++)
		bm[from >> 3] |= (uint8_t)(1u << (from & 7));
	if (to - from >= 8) {
		memset(bm + (from >> 3), 0xff, (to - from) >> 3);
		from += (to - from) & ~7ull;
	}
	for (; from < to; from++)
		bm[from >> 3] |= (uint8_t)(1u << (from & 7));
}

/* 1st bitmap: pfns inside a RAM PT_LOAD's memory size. */
static void ram_bitmap(const struct td_vmcore *vc, uint64_t start, uint64_t n, uint8_t *bm)
{
	memset(bm, 0, n / 8);
	for (unsigned i = 0; i < vc->nload; i++) {
		uint64_t a = vc->load[i].paddr >> TD_PAGE_SHIFT;
		uint64_t b = (vc->load[i].paddr + vc->load[i].memsz + TD_PAGE_SIZE - 1) >> TD_PAGE_SHIFT;
		a = a > start ? a : start;
		b = b < start + n ? b : start + n;
		if (a < b)
			set_bits(bm, a - start, b - start);
	}
}

void td_dumpio_flush_warnings(struct td_dumpio *io)
{
	if (!io->bad_msg[0])
		return;
	td_warn(io->d->filter->warn, "pfns 0x%llx-0x%llx unreadable in the vmcore, written as zeros: %s",
		(unsigned long long)io->bad_first, (unsigned long long)io->bad_last, io->bad_msg);
	io->bad_msg[0] = '\0';
}

void td_dumpio_unreadable(struct td_dumpio *io, uint64_t pfn, const char *why)
{
	if (io->bad_msg[0] && pfn == io->bad_last + 1) {
		io->bad_last = pfn;
		return;
	}
	td_dumpio_flush_warnings(io);
	io->bad_first = io->bad_last = pfn;
	snprintf(io->bad_msg, sizeof io->bad_msg, "%s", why);
}

uint64_t td_dumpio_ram_total(struct td_dumpio *io)
{
	const struct td_dump *d = io->d;
	uint64_t total = 0;

	for (uint64_t s = 0; s < d->vc->max_pfn; s += TD_CYCLE_PFNS) {
		uint64_t n = cycle_len(d, s);
		ram_bitmap(d->vc, s, n, io->bm1);
		total += popcount_bytes(io->bm1, n / 8);
	}
	return total;
}

int td_dumpio_cycles(struct td_dumpio *io, struct td_err *e)
{
	struct td_dump *d = io->d;
	int r = 0;

	for (uint64_t s = 0; s < d->vc->max_pfn && r == 0; s += TD_CYCLE_PFNS) {
		uint64_t n = cycle_len(d, s);
		ram_bitmap(d->vc, s, n, io->bm1);
		d->st.total += popcount_bytes(io->bm1, n / 8);
		if (td_filter_cycle(d->filter, s, n, io->bm2, &d->st, e) < 0)
			r = td_wrap(e, "filtering pfns 0x%llx-0x%llx", (unsigned long long)s,
				    (unsigned long long)(s + n - 1));
		else
			r = io->cycle(io, s, n, e);
	}
	td_dumpio_flush_warnings(io);
	if (d->progress)
		d->progress(d->progress_ctx, d->vc->max_pfn, d->vc->max_pfn);
	return r;
}

int td_dumpio_each_set(struct td_dumpio *io, uint64_t start, uint64_t n,
		       int (*fn)(void *ctx, uint64_t pfn, struct td_err *e), void *ctx,
		       struct td_err *e)
{
	struct td_dump *d = io->d;

	for (uint64_t w = 0; w < n / 64; w++) {
		uint64_t bits;
		memcpy(&bits, io->bm2 + w * 8, 8); /* little-endian host: bit i = pfn i */
		for (; bits; bits &= bits - 1)
			if (fn(ctx, start + w * 64 + (uint64_t)__builtin_ctzll(bits), e) < 0)
				return -1;
		if (d->progress && start + w * 64 >= io->next_progress) {
			io->next_progress = start + w * 64 + PROGRESS_STEP;
			d->progress(d->progress_ctx, start + w * 64, d->vc->max_pfn);
		}
	}
	for (uint64_t i = n & ~63ull; i < n; i++)
		if ((io->bm2[i >> 3] >> (i & 7) & 1) && fn(ctx, start + i, e) < 0)
			return -1;
	return 0;
}

int td_dumpio_write(struct td_dumpio *io, uint64_t off, const void *buf, size_t len,
		    struct td_err *e)
{
	struct td_sink *s = io->d->out;

	if (s->write(s->ctx, off, buf, len, e) < 0)
		return -1;
	if (off + len > io->d->bytes_written)
		io->d->bytes_written = off + len;
	return 0;
}
