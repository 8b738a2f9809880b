/* The pause between tries of a target (init/targetloop.c td_backoff_ms):
 * 2, 4, 8, 16, then 30 s, each scaled into [0.5, 1.5) by the random word,
 * so a fleet's retries spread instead of arriving in step. */
#define T_SUITE "retry"
#include "t.h"

#include "init/targetloop.h"

static void bounds(void)
{
	static const unsigned base[] = { 2000, 4000, 8000, 16000, 30000, 30000, 30000 };

	for (unsigned k = 0; k < sizeof base / sizeof base[0]; k++) {
		unsigned lo = td_backoff_ms(k, 0), hi = td_backoff_ms(k, UINT32_MAX);

		T_CHECK(lo == base[k] / 2, "retry %u: smallest %u ms, want %u", k, lo, base[k] / 2);
		T_CHECK(hi < base[k] * 3 / 2 && hi >= base[k] * 3 / 2 - 1, "retry %u: largest %u ms", k, hi);
	}
	T_CHECK(td_backoff_ms(1000, 1u << 31) == 30000, "huge retry numbers stay at 30 s");
}

/* The middle of the random range gives the base; values spread evenly. */
static void spread(void)
{
	unsigned hist[10] = { 0 };
	uint32_t x = 12345;

	T_CHECK(td_backoff_ms(0, 1u << 31) == 2000, "middle %u", td_backoff_ms(0, 1u << 31));
	for (int i = 0; i < 100000; i++) {
		x = x * 1664525u + 1013904223u;
		hist[(td_backoff_ms(0, x) - 1000) / 200]++;
	}
	for (int b = 0; b < 10; b++)
		T_CHECK(hist[b] > 9000 && hist[b] < 11000, "bucket %d holds %u of 100000", b, hist[b]);
}

int main(int argc, char **argv)
{
	T_ARGS(argc, argv);
	T_RUN(bounds);
	T_RUN(spread);
	T_END();
}
