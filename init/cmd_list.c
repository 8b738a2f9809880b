/* `tinydump list DIR [--by signature] [--json]`: the dumps in a receiver's
 * or a disk target's directory (init/dumplist.c reads them), one line
 * each, or grouped by crash signature. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "os/json.h"
#include "os/log.h"
#include "commands.h"
#include "dumplist.h"

static void json_str(const char *k, const char *s, const char *sep)
{
	char q[6 * sizeof ((struct td_listed *)0)->name + 3];

	td_json_quote(s, q, sizeof q);
	printf("\"%s\": %s%s", k, q, sep);
}

static void print_dumps(const struct td_listed *v, size_t n, int json)
{
	if (json) {
		printf("[");
		for (size_t i = 0; i < n; i++) {
			printf("%s\n  {", i ? "," : "");
			json_str("dir", v[i].name, ", ");
			json_str("host", v[i].node, ", ");
			json_str("crash_time", v[i].when, ", ");
			json_str("kernel_release", v[i].release, ", ");
			json_str("signature", v[i].sig, ", ");
			printf("\"size\": %llu, \"complete\": %s}", v[i].size, v[i].complete ? "true" : "false");
		}
		printf("\n]\n");
		return;
	}
	printf("%-20s %-19s %-24s %-16s %12s %-10s %s\n", "HOST", "CRASH TIME (UTC)", "KERNEL",
	       "SIGNATURE", "SIZE", "STATE", "DIRECTORY");
	for (size_t i = 0; i < n; i++)
		printf("%-20s %-19s %-24s %-16s %12llu %-10s %s\n", v[i].node, v[i].when, v[i].release,
		       v[i].sig, v[i].size, v[i].complete ? "complete" : "incomplete", v[i].name);
}

static int by_sig(const void *a, const void *b)
{
	const struct td_listed *x = a, *y = b;
	int c = strcmp(x->sig, y->sig);

	if (!c)
		c = strcmp(x->when, y->when);
	return c ? c : strcmp(x->name, y->name);
}

static int by_host(const void *a, const void *b)
{
	return strcmp(((const struct td_listed *)a)->node, ((const struct td_listed *)b)->node);
}

/* Distinct hosts of v[0..n), which this sorts by host. */
static size_t hosts(struct td_listed *v, size_t n)
{
	size_t h = 0;

	qsort(v, n, sizeof *v, by_host);
	for (size_t i = 0; i < n; i++)
		h += i == 0 || strcmp(v[i].node, v[i - 1].node);
	return h;
}

static void print_groups(struct td_listed *v, size_t n, int json)
{
	size_t a = 0, g = 0;

	qsort(v, n, sizeof *v, by_sig);
	printf(json ? "[" : "%-16s %7s %6s %-19s %-19s %s\n", "SIGNATURE", "DUMPS", "HOSTS",
	       "FIRST SEEN (UTC)", "LAST SEEN (UTC)", "LAST HOST");
	while (a < n) {
		size_t b = a;
		while (b < n && !strcmp(v[b].sig, v[a].sig))
			b++;
		char first[24], last[24], lasthost[65];
		snprintf(first, sizeof first, "%s", v[a].when);
		snprintf(last, sizeof last, "%s", v[b - 1].when);
		snprintf(lasthost, sizeof lasthost, "%s", v[b - 1].node);
		size_t h = hosts(v + a, b - a);
		if (json) {
			printf("%s\n  {", g++ ? "," : "");
			json_str("signature", v[a].sig, ", ");
			printf("\"dumps\": %zu, \"hosts\": %zu, ", b - a, h);
			json_str("first_seen", first, ", ");
			json_str("last_seen", last, ", ");
			json_str("last_host", lasthost, "}");
		} else {
			printf("%-16s %7zu %6zu %-19s %-19s %s\n", v[a].sig, b - a, h, first, last, lasthost);
		}
		a = b;
	}
	if (json)
		printf("\n]\n");
}

int td_cmd_list(int argc, char **argv)
{
	const char *dir = NULL;
	int json = 0, group = 0;
	struct td_listed *v;
	struct td_err e;
	size_t n;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--json"))
			json = 1;
		else if (!strcmp(argv[i], "--by") && i + 1 < argc && !strcmp(argv[i + 1], "signature"))
			group = 1, i++;
		else if (argv[i][0] != '-' && !dir)
			dir = argv[i];
		else {
			td_log_fatal("list: unexpected '%s'; usage: tinydump list DIR [--by signature] [--json]",
				     argv[i]);
			return 2;
		}
	}
	if (!dir) {
		td_log_fatal("list: which directory? usage: tinydump list DIR [--by signature] [--json]");
		return 2;
	}
	if (!(v = td_dumps_scan(dir, &n, &e))) {
		td_log_fatal("list: %s", e.msg);
		return 1;
	}
	if (group)
		print_groups(v, n, json);
	else
		print_dumps(v, n, json);
	free(v);
	return 0;
}
