/* The receiver's retention rule (net/retain.c): which dumps go, given
 * their times, sizes, completeness and whether an upload is writing them;
 * the directory-name scheme; the stamp parser. */
#include "net/retain.h"
#include "t.h"

#define T_SUITE "retain"

#define NOW 1700000000 /* 2023-11-14 22:13:20 UTC */
#define DAY TD_RETAIN_DAY
#define MB (1ull << 20)

/* A fresh set of five dumps, given in no particular order:
 *   a: 40 days old, complete, 3 MB      b: 20 days old, complete, 2 MB
 *   c: 35 days old, incomplete, 5 MB    d: 1 day old, complete, 4 MB
 *   e: 2 days old, incomplete, 1 MB */
static size_t five(struct td_retain_item *v)
{
	const struct td_retain_item init[] = {
		{ .name = "d", .time = NOW - 1 * DAY, .bytes = 4 * MB, .complete = 1 },
		{ .name = "a", .time = NOW - 40 * DAY, .bytes = 3 * MB, .complete = 1 },
		{ .name = "e", .time = NOW - 2 * DAY, .bytes = 1 * MB, .complete = 0 },
		{ .name = "c", .time = NOW - 35 * DAY, .bytes = 5 * MB, .complete = 0 },
		{ .name = "b", .time = NOW - 20 * DAY, .bytes = 2 * MB, .complete = 1 },
	};

	memcpy(v, init, sizeof init);
	return sizeof init / sizeof init[0];
}

/* The names that go, oldest first, as "a:age c:size". */
static void gone(const struct td_retain_item *v, size_t n, char *out, size_t cap)
{
	size_t o = 0;

	out[0] = 0;
	for (size_t i = 0; i < n; i++)
		if (v[i].why != TD_RETAIN_KEEP && o + 1 < cap)
			o += (size_t)snprintf(out + o, cap - o, "%s%s:%s", o ? " " : "", v[i].name,
					      v[i].why == TD_RETAIN_AGE ? "age" : "size");
}

static void nothing_without_a_policy(void)
{
	struct td_retain_item v[8];
	struct td_retain_policy p = { 0, 0 };
	size_t n = five(v);
	char g[128];

	T_CHECK(td_retain_pick(v, n, &p, NOW) == 0, "a dump went without --keep-days or --max-bytes");
	gone(v, n, g, sizeof g);
	T_CHECK(!strcmp(g, ""), "gone: %s", g);
	T_CHECK(!strcmp(v[0].name, "a") && !strcmp(v[4].name, "d"), "not sorted oldest first: %s .. %s",
		v[0].name, v[4].name);
}

static void age_takes_complete_and_stale_incomplete(void)
{
	struct td_retain_item v[8];
	struct td_retain_policy p = { 30, 0 };
	size_t n = five(v);
	char g[128];

	T_CHECK(td_retain_pick(v, n, &p, NOW) == 2, "wrong count");
	gone(v, n, g, sizeof g);
	T_CHECK(!strcmp(g, "a:age c:age"), "gone: %s", g);
}

static void age_boundary_is_strict(void)
{
	struct td_retain_item v[] = {
		{ .name = "exactly", .time = NOW - 7 * DAY, .complete = 1 },
		{ .name = "older", .time = NOW - 7 * DAY - 1, .complete = 1 },
		{ .name = "future", .time = NOW + 365 * DAY, .complete = 1 },
		{ .name = "epoch", .time = 0, .complete = 1 },
	};
	struct td_retain_policy p = { 7, 0 };
	char g[128];

	td_retain_pick(v, 4, &p, NOW);
	gone(v, 4, g, sizeof g);
	T_CHECK(!strcmp(g, "epoch:age older:age"), "gone: %s", g);
}

static void busy_never_goes(void)
{
	struct td_retain_item v[8];
	struct td_retain_policy p = { 1, 1 };
	size_t n = five(v);
	char g[128];

	for (size_t i = 0; i < n; i++)
		v[i].busy = 1;
	T_CHECK(td_retain_pick(v, n, &p, NOW) == 0, "a busy dump went");
	n = five(v);
	v[3].busy = 1; /* c: old and incomplete, but being written */
	v[1].busy = 1; /* a */
	td_retain_pick(v, n, &p, NOW);
	gone(v, n, g, sizeof g);
	T_CHECK(!strcmp(g, "b:age e:age"), "gone: %s", g);
}

static void size_takes_oldest_complete_only(void)
{
	struct td_retain_item v[8];
	struct td_retain_policy p = { 0, 6 * MB };
	size_t n = five(v);
	char g[128];

	/* complete: a 3 + b 2 + d 4 = 9 MB; a goes (6 MB left, not above) */
	T_CHECK(td_retain_pick(v, n, &p, NOW) == 1, "wrong count");
	gone(v, n, g, sizeof g);
	T_CHECK(!strcmp(g, "a:size"), "gone: %s", g);
	T_CHECK(v[0].total == 9 * MB, "total before a went: %llu", (unsigned long long)v[0].total);
	p.max_bytes = 6 * MB - 1;
	n = five(v);
	td_retain_pick(v, n, &p, NOW);
	gone(v, n, g, sizeof g);
	T_CHECK(!strcmp(g, "a:size b:size"), "gone: %s", g);
	T_CHECK(v[2].total == 6 * MB, "total before b went: %llu", (unsigned long long)v[2].total);
}

static void newest_complete_kept_whatever_its_size(void)
{
	struct td_retain_item v[8];
	struct td_retain_policy p = { 0, 1 };
	size_t n = five(v);
	char g[128];

	td_retain_pick(v, n, &p, NOW);
	gone(v, n, g, sizeof g);
	T_CHECK(!strcmp(g, "a:size b:size"), "gone: %s", g);
	struct td_retain_item one = { .name = "x", .time = NOW, .bytes = 100 * MB, .complete = 1 };
	T_CHECK(td_retain_pick(&one, 1, &p, NOW) == 0, "the only dump went for size");
}

static void busy_complete_counts_but_stays(void)
{
	struct td_retain_item v[8];
	struct td_retain_policy p = { 0, 5 * MB };
	size_t n = five(v);
	char g[128];

	v[1].busy = 1; /* a, the oldest */
	td_retain_pick(v, n, &p, NOW);
	gone(v, n, g, sizeof g);
	/* 9 MB: a cannot go, b goes (7 MB), still above but d is the newest */
	T_CHECK(!strcmp(g, "b:size"), "gone: %s", g);
}

static void age_then_size(void)
{
	struct td_retain_item v[8];
	struct td_retain_policy p = { 30, 4 * MB };
	size_t n = five(v);
	char g[128];

	/* a goes for age; b 2 + d 4 = 6 MB > 4: b goes for size */
	T_CHECK(td_retain_pick(v, n, &p, NOW) == 3, "wrong count");
	gone(v, n, g, sizeof g);
	T_CHECK(!strcmp(g, "a:age c:age b:size"), "gone: %s", g);
}

static void incomplete_ignored_by_size(void)
{
	struct td_retain_item v[] = {
		{ .name = "huge-partial", .time = NOW - 3 * DAY, .bytes = 1000 * MB },
		{ .name = "old", .time = NOW - 2 * DAY, .bytes = 1 * MB, .complete = 1 },
		{ .name = "new", .time = NOW - 1 * DAY, .bytes = 1 * MB, .complete = 1 },
		{ .name = "newer-partial", .time = NOW, .bytes = 1000 * MB },
	};
	struct td_retain_policy p = { 0, 2 * MB };

	T_CHECK(td_retain_pick(v, 4, &p, NOW) == 0, "incomplete dumps pushed a complete one out");
}

static void equal_times_by_name(void)
{
	struct td_retain_item v[] = {
		{ .name = "h-2023-01-01-00:00:00.2", .time = 5, .bytes = 1, .complete = 1 },
		{ .name = "h-2023-01-01-00:00:00.1", .time = 5, .bytes = 1, .complete = 1 },
		{ .name = "h-2023-01-01-00:00:00", .time = 5, .bytes = 1, .complete = 1 },
	};
	struct td_retain_policy p = { 0, 2 };
	char g[128];

	td_retain_pick(v, 3, &p, NOW);
	gone(v, 3, g, sizeof g);
	T_CHECK(!strcmp(g, "h-2023-01-01-00:00:00:size"), "gone: %s", g);
	T_CHECK(td_retain_pick(v, 0, &p, NOW) == 0, "empty set");
}

static void names(void)
{
	static const char *good[] = {
		"10.0.2.15-2024-02-29-23:59:59",
		"node%2Fa-2023-11-14-22:13:20",
		"%2Ehidden-2023-11-14-22:13:20.1",
		"a-b.c-1970-01-01-00:00:00.9999",
		"x-2023-11-14-22:13:20.10",
	};
	static const char *bad[] = {
		"", "-2023-11-14-22:13:20", ".x-2023-11-14-22:13:20", "..-2023-11-14-22:13:20",
		".deleting-x-2023-11-14-22:13:20",
		"x-2023-11-14-22:13:20.0", "x-2023-11-14-22:13:20.01", "x-2023-11-14-22:13:20.10000",
		"x-2023-11-14-22:13:20.", "x-2023-11-14-22:13:20.1.2", "x-2023-11-14-22:13:20x",
		"x_y-2023-11-14-22:13:20", "x y-2023-11-14-22:13:20", "x/y-2023-11-14-22:13:20",
		"x%2f-2023-11-14-22:13:20", "x%2-2023-11-14-22:13:20", "x%-2023-11-14-22:13:20",
		"x-2023-02-29-00:00:00", "x-2023-13-01-00:00:00", "x-2023-11-14-24:00:00",
		"x-2023-11-14 22:13:20", "x-2023-1-14-22:13:20", "x-1969-12-31-23:59:59",
		"x2023-11-14-22:13:20", "2023-11-14-22:13:20", "not-a-dump", "lost+found",
	};
	char long_ok[256], long_bad[256];

	for (size_t i = 0; i < sizeof good / sizeof good[0]; i++)
		T_CHECK(td_retain_name_ok(good[i]), "refused %s", good[i]);
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		T_CHECK(!td_retain_name_ok(bad[i]), "accepted '%s'", bad[i]);
	memset(long_ok, 'a', 200);
	strcpy(long_ok + 200, "-2023-11-14-22:13:20.9999");
	T_CHECK(td_retain_name_ok(long_ok), "refused a 200-character identity");
	memset(long_bad, 'a', 201);
	strcpy(long_bad + 201, "-2023-11-14-22:13:20");
	T_CHECK(!td_retain_name_ok(long_bad), "accepted a 201-character identity");
}

static void stamps(void)
{
	int64_t t = -1;

	T_CHECK(td_retain_stamp("1970-01-01-00:00:00", 19, &t) == 0 && t == 0, "epoch: %lld", (long long)t);
	T_CHECK(td_retain_stamp("2023-11-14-22:13:20", 19, &t) == 0 && t == NOW, "%lld", (long long)t);
	T_CHECK(td_retain_stamp("2000-02-29-00:00:00", 19, &t) == 0 && t == 951782400, "%lld", (long long)t);
	T_CHECK(td_retain_stamp("2100-03-01-00:00:00", 19, &t) == 0 && t == 4107542400, "%lld", (long long)t);
	T_CHECK(td_retain_stamp("1900-02-29-00:00:00", 19, &t) < 0, "1900 accepted");
	T_CHECK(td_retain_stamp("2100-02-29-00:00:00", 19, &t) < 0, "2100-02-29 accepted");
	T_CHECK(td_retain_stamp("2023-11-14-22:13:2", 18, &t) < 0, "short accepted");
	T_CHECK(td_retain_stamp("2023-11-14-22:13:20", 18, &t) < 0, "cut length accepted");
	T_CHECK(td_retain_stamp("2023-11-14T22:13:20", 19, &t) < 0, "T accepted");
	T_CHECK(td_retain_stamp("2023-11-14-22:60:20", 19, &t) < 0, "minute 60 accepted");
	T_CHECK(td_retain_stamp("+023-11-14-22:13:20", 19, &t) < 0, "sign accepted");
}

int main(int argc, char **argv)
{
	T_ARGS(argc, argv);
	T_RUN(nothing_without_a_policy);
	T_RUN(age_takes_complete_and_stale_incomplete);
	T_RUN(age_boundary_is_strict);
	T_RUN(busy_never_goes);
	T_RUN(size_takes_oldest_complete_only);
	T_RUN(newest_complete_kept_whatever_its_size);
	T_RUN(busy_complete_counts_but_stays);
	T_RUN(age_then_size);
	T_RUN(incomplete_ignored_by_size);
	T_RUN(equal_times_by_name);
	T_RUN(names);
	T_RUN(stamps);
	T_END();
}
