/* The receiver's metrics (net/metrics.c): the Prometheus text, the
 * outcome table, and the strict parser of the one request it answers. */
#include <stdint.h>
#include <stdlib.h>

#include "net/metrics.h"
#include "net/proto.h"
#include "t.h"

#define T_SUITE "metrics"

/* Every line is "# HELP name text", "# TYPE name counter|gauge" or a
 * sample "name[{reason="x"}] digits" whose family was typed just before;
 * the text ends with a newline. Returns the first bad line, or NULL. */
static const char *bad_line(char *text)
{
	static char fam[128];
	char *save = NULL;

	if (!*text || text[strlen(text) - 1] != '\n')
		return "(no final newline)";
	fam[0] = 0;
	for (char *l = strtok_r(text, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
		char name[128], rest[256];

		if (sscanf(l, "# HELP %127s %255[^\n]", name, rest) == 2) {
			snprintf(fam, sizeof fam, "%s", name);
			continue;
		}
		if (sscanf(l, "# TYPE %127s %255s", name, rest) == 2) {
			if (strcmp(name, fam) || (strcmp(rest, "counter") && strcmp(rest, "gauge")))
				return l;
			continue;
		}
		size_t n = strcspn(l, "{ ");
		if (n != strlen(fam) || strncmp(l, fam, n))
			return l;
		const char *v = l + n;
		if (*v == '{') {
			const char *end = strstr(v, "\"} ");
			if (strncmp(v, "{reason=\"", 9) || !end)
				return l;
			v = end + 2;
		}
		if (*v++ != ' ' || !*v || strspn(v, "0123456789") != strlen(v))
			return l;
	}
	return NULL;
}

static void text_is_strict_and_complete(void)
{
	struct td_metrics_view v = { .have_free = 1, .free_bytes = 123, .have_inodes = 1,
				     .free_inodes = 45, .retention = 1 };
	char buf[TD_METRICS_TEXT_MAX], copy[TD_METRICS_TEXT_MAX];
	size_t n;
	const char *bad;

	v.c.started = 9;
	v.c.ended[TD_RXO_STORED] = 2;
	v.c.ended[TD_RXO_SPACE] = 3;
	v.c.bytes = 77;
	v.c.deleted = 4;
	n = td_metrics_text(&v, buf, sizeof buf);
	T_REQUIRE(n > 0 && n < sizeof buf, "no text");
	buf[n] = 0;
	memcpy(copy, buf, n + 1);
	bad = bad_line(copy);
	T_CHECK(!bad, "bad line: %s", bad);
	T_CHECK(strstr(buf, "\ntinydump_receiver_uploads_started_total 9\n"), "started");
	T_CHECK(strstr(buf, "\ntinydump_receiver_uploads_completed_total 2\n"), "completed");
	T_CHECK(strstr(buf, "\ntinydump_receiver_uploads_failed_total{reason=\"space\"} 3\n"), "space");
	T_CHECK(strstr(buf, "\ntinydump_receiver_bytes_received_total 77\n"), "bytes");
	T_CHECK(strstr(buf, "\ntinydump_receiver_free_bytes 123\n"), "free bytes");
	T_CHECK(strstr(buf, "\ntinydump_receiver_free_inodes 45\n"), "free inodes");
	T_CHECK(strstr(buf, "\ntinydump_receiver_retention_deleted_total 4\n"), "deleted");
	T_CHECK(strstr(buf, "\ntinydump_receiver_retention_deleted_bytes_total 0\n"), "deleted bytes");
	for (unsigned o = TD_RXO_STORED + 1; o < TD_RXO_N; o++) {
		char want[128];

		snprintf(want, sizeof want, "{reason=\"%s\"} ", td_rx_outcome_name(o));
		T_CHECK(strstr(buf, want), "no series for %s", want);
	}
	T_CHECK(!strstr(buf, "reason=\"stored\""), "completed uploads listed as failed");
}

static void optional_families(void)
{
	struct td_metrics_view v = { .have_free = 0 };
	char buf[TD_METRICS_TEXT_MAX], copy[TD_METRICS_TEXT_MAX];
	size_t n = td_metrics_text(&v, buf, sizeof buf);
	const char *bad;

	T_REQUIRE(n > 0, "no text");
	buf[n] = 0;
	memcpy(copy, buf, n + 1);
	bad = bad_line(copy);
	T_CHECK(!bad, "bad line: %s", bad);
	T_CHECK(!strstr(buf, "retention"), "retention shown when off");
	T_CHECK(!strstr(buf, "free_bytes") && !strstr(buf, "free_inodes"), "free space without statvfs");
}

static void fits_at_the_largest_values(void)
{
	struct td_metrics_view v;
	char buf[TD_METRICS_TEXT_MAX];

	memset(&v, 0xff, sizeof v);
	v.have_free = v.have_inodes = v.retention = 1;
	size_t n = td_metrics_text(&v, buf, sizeof buf);
	T_CHECK(n > 0 && n < sizeof buf, "%zu bytes", n);
	T_CHECK(strstr(buf, " 18446744073709551615\n"), "largest value not printed");
	T_CHECK(td_metrics_text(&v, buf, 100) == 0, "a cut text was returned");
}

static void outcomes_follow_reply_codes(void)
{
	T_CHECK(td_rx_outcome_of_reply(TD_R_STORED) == TD_RXO_STORED, "0");
	T_CHECK(td_rx_outcome_of_reply(TD_R_STORED_INCOMPLETE) == TD_RXO_INCOMPLETE, "1");
	T_CHECK(td_rx_outcome_of_reply(TD_R_REFUSED_SPACE) == TD_RXO_SPACE, "2");
	T_CHECK(td_rx_outcome_of_reply(TD_R_BAD_REQUEST) == TD_RXO_PROTOCOL, "3");
	T_CHECK(td_rx_outcome_of_reply(TD_R_CHECKSUM) == TD_RXO_CHECKSUM, "4");
	T_CHECK(td_rx_outcome_of_reply(TD_R_SERVER_ERROR) == TD_RXO_RECEIVER_ERROR, "5");
	T_CHECK(td_rx_outcome_of_reply(TD_R_VERSION) == TD_RXO_VERSION, "6");
	T_CHECK(td_rx_outcome_of_reply(TD_R_BEYOND_SIZE) == TD_RXO_SIZE_BOUND, "7");
	T_CHECK(td_rx_outcome_of_reply(99) == TD_RXO_RECEIVER_ERROR, "99");
	T_CHECK(!strcmp(td_rx_outcome_name(TD_RXO_N), "unknown"), "out of range");
	for (unsigned o = 0; o < TD_RXO_N; o++) {
		const char *s = td_rx_outcome_name(o);

		T_CHECK(s && *s && strspn(s, "abcdefghijklmnopqrstuvwxyz_") == strlen(s),
			"label %u: '%s'", o, s ? s : "(null)");
	}
}

static unsigned req(const char *s, int *head)
{
	return td_http_request(s, strlen(s), head);
}

static void requests(void)
{
	static const struct {
		const char *req;
		unsigned want;
	} cases[] = {
		{ "GET /metrics HTTP/1.1\r\nHost: x\r\nAccept: */*\r\n\r\n", 200 },
		{ "GET /metrics HTTP/1.0\r\n\r\n", 200 },
		{ "GET /metrics HTTP/1.0\n\n", 200 },
		{ "GET /metrics?x=1 HTTP/1.1\r\n\r\n", 200 },
		{ "GET / HTTP/1.1\r\n\r\n", 404 },
		{ "GET /metrics/ HTTP/1.1\r\n\r\n", 404 },
		{ "GET /metricsx HTTP/1.1\r\n\r\n", 404 },
		{ "GET /%2e%2e/etc/passwd HTTP/1.1\r\n\r\n", 404 },
		{ "POST /metrics HTTP/1.1\r\nContent-Length: 0\r\n\r\n", 405 },
		{ "get /metrics HTTP/1.1\r\n\r\n", 405 },
		{ "GET /metrics HTTP/2.0\r\n\r\n", 400 },
		{ "GET /metrics\r\n\r\n", 400 },
		{ "GET  /metrics HTTP/1.1\r\n\r\n", 400 },
		{ "GET metrics HTTP/1.1\r\n\r\n", 400 },
		{ "GET /metrics HTTP/1.1 \r\n\r\n", 400 },
		{ " GET /metrics HTTP/1.1\r\n\r\n", 400 },
		{ "G(T /metrics HTTP/1.1\r\n\r\n", 400 },
		{ "GET /metrics HTTP/1.1\r\nno colon\r\n\r\n", 400 },
		{ "GET /metrics HTTP/1.1\r\n: empty name\r\n\r\n", 400 },
		{ "GET /metrics HTTP/1.1\r\nName : space\r\n\r\n", 400 },
		{ "GET /metrics HTTP/1.1\r\n folded\r\n\r\n", 400 },
		{ "\x16\x03\x01\x02\x00", 400 }, /* a TLS ClientHello: refused at once */
		{ "GET /metrics HTTP/1.1\r\nX: \x01\r\n\r\n", 400 },
		{ "GET /metrics HTTP/1.1\r\n", 0 },
		{ "GET /metrics HTTP/1.1\r\nHost: x\r\n", 0 },
		{ "GET /met", 0 },
		{ "", 0 },
	};
	int head = 1;

	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		unsigned got = req(cases[i].req, &head);

		T_CHECK(got == cases[i].want, "case %zu: %u, want %u", i, got, cases[i].want);
	}
	T_CHECK(req("HEAD /metrics HTTP/1.1\r\n\r\n", &head) == 200 && head == 1, "HEAD");
	T_CHECK(req("GET /metrics HTTP/1.1\r\n\r\n", &head) == 200 && head == 0, "GET is not HEAD");
	/* a NUL inside is refused, not read as the end */
	static const char nul[] = "GET /metrics HTTP/1.1\r\n\0\r\n\r\n";
	T_CHECK(td_http_request(nul, sizeof nul - 1, &head) == 400, "NUL");
}

static void response_heads(void)
{
	char h[256];
	size_t n = td_http_head(200, 1234, h, sizeof h);

	T_REQUIRE(n > 0, "no head");
	T_CHECK(!strncmp(h, "HTTP/1.1 200 OK\r\n", 17), "%s", h);
	T_CHECK(strstr(h, "\r\nContent-Type: text/plain; version=0.0.4; charset=utf-8\r\n"), "%s", h);
	T_CHECK(strstr(h, "\r\nContent-Length: 1234\r\n"), "%s", h);
	T_CHECK(n > 4 && !strcmp(h + n - 4, "\r\n\r\n"), "no blank line");
	n = td_http_head(405, 3, h, sizeof h);
	T_CHECK(n && strstr(h, "405 Method Not Allowed") && strstr(h, "Allow: GET, HEAD"), "%s", h);
	T_CHECK(td_http_head(404, 0, h, sizeof h) && strstr(h, "404 Not Found"), "%s", h);
	T_CHECK(td_http_head(999, 0, h, sizeof h) && strstr(h, "500 "), "%s", h);
	T_CHECK(td_http_head(200, 0, h, 10) == 0, "a cut head was returned");
	T_CHECK(strstr(td_http_error_body(404), "/metrics"), "404 body");
}

int main(int argc, char **argv)
{
	T_ARGS(argc, argv);
	T_RUN(text_is_strict_and_complete);
	T_RUN(optional_families);
	T_RUN(fits_at_the_largest_values);
	T_RUN(outcomes_follow_reply_codes);
	T_RUN(requests);
	T_RUN(response_heads);
	T_END();
}
