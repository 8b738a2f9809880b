/* Kernel command-line tokenising (lib/cmdline.c next_arg() rules) and the
 * capture kernel's command line built by `tinydump load`. */
#define T_SUITE "cmdline"
#include "t.h"

#include "init/cmdline.h"

/* The words of s as "[param]" or "[param=val]", "[param=val]!" when the word
 * ended inside quotes. */
static const char *words(const char *s, size_t n)
{
	static char buf[1024];
	const char *p = s, *end = s + n;
	struct td_arg a;
	size_t len = 0;

	buf[0] = '\0';
	while ((p = td_cmdline_next(p, end, &a))) {
		if (a.val)
			len += snprintf(buf + len, sizeof buf - len, "[%.*s=%.*s]", (int)a.plen,
					a.param, (int)a.vlen, a.val);
		else
			len += snprintf(buf + len, sizeof buf - len, "[%.*s]", (int)a.plen, a.param);
		if (a.unterminated)
			len += snprintf(buf + len, sizeof buf - len, "!");
	}
	return buf;
}

#define W(s) words(s, strlen(s))
#define T_WORDS(s, want) T_CHECK(!strcmp(W(s), want), "%s -> %s, want %s", s, W(s), want)

static void test_plain_words(void)
{
	T_WORDS("", "");
	T_WORDS("   \t \n", "");
	T_WORDS("a", "[a]");
	T_WORDS("  root=/dev/vda1   ro\tquiet\n", "[root=/dev/vda1][ro][quiet]");
	T_WORDS("a=b=c x=", "[a=b=c][x=]");
	T_WORDS("a\vb\fc\rd", "[a][b][c][d]");
	T_WORDS("a\xa0" "b", "[a][b]"); /* the kernel's isspace() includes 0xa0 */
	/* an '=' as the very first character does not split (next_arg quirk) */
	T_WORDS("=x =a=b", "[=x][=a=b]");
	T_WORDS("foo-bar=1", "[foo-bar=1]");
}

static void test_quotes(void)
{
	T_WORDS("foo=\"a b\" c", "[foo=a b][c]");
	T_WORDS("\"foo=a b\" c", "[foo=a b][c]");
	T_WORDS("\"a b\"", "[a b]");
	T_WORDS("foo=\"\"", "[foo=]");
	T_WORDS("\"foo=\"", "[foo=]");
	T_WORDS("\"\"", "[]");
	/* quotes inside a word stay; only opening/closing ones go */
	T_WORDS("a\"b c\"d e", "[a\"b c\"d][e]");
	T_WORDS("foo=x\"y z\"", "[foo=x\"y z\"]");
	T_WORDS("foo=\"a\"b x", "[foo=a\"b][x]");
	/* unterminated: runs to the end, whitespace included */
	T_WORDS("x foo=\"a b c", "[x][foo=a b c]!");
	T_WORDS("foo=\"a b\n", "[foo=a b\n]!");
	T_WORDS("\"a  b", "[a  b]!");
	T_WORDS("\"", "[]!");
}

static void test_bounds(void)
{
	const char text[] = "abc def\0ghi";
	struct td_arg a;
	struct td_err e;
	char small[4];
	const char *p;

	/* a NUL ends the text even inside [p, end) */
	T_CHECK(!strcmp(words(text, sizeof text - 1), "[abc][def]"), "%s", words(text, sizeof text - 1));
	/* the end bound is honoured: no reading past it */
	T_CHECK(!strcmp(words("abcdef", 3), "[abc]"), "%s", words("abcdef", 3));
	T_CHECK(!strcmp(words("foo=\"ab", 6), "[foo=a]!"), "%s", words("foo=\"ab", 6));
	p = td_cmdline_next("ab cd", "ab cd" + 5, &a);
	T_CHECK(p && !strcmp(p, "cd") && a.rawlen == 2, "next word at %s", p ? p : "(null)");
	T_CHECK(td_arg_copy(small, sizeof small, "abc", 3, &e) == 0 && !strcmp(small, "abc"), "fits");
	T_CHECK(td_arg_copy(small, sizeof small, "abcd", 4, &e) == -1, "must not truncate");
	T_CHECK(strstr(e.msg, "'abcd' is 4 bytes, longer than the 3 allowed"), "%.200s", e.msg);
	T_CHECK(td_param_eq("log-buf_len", 11, "log_buf-len") && !td_param_eq("log", 3, "log_buf_len"),
		"dash and underscore are equal");
}

static const char *cap_line(const char *running, const char *append)
{
	static char out[2048];
	struct td_err e;

	if (td_capture_cmdline(running, append, out, sizeof out, &e) < 0)
		snprintf(out, sizeof out, "ERROR %s", e.msg);
	return out;
}

#define FIXED "irqpoll nr_cpus=1 reset_devices printk.devkmsg=on panic=10"
#define T_CAP(r, a, want) \
	T_CHECK(!strcmp(cap_line(r, a), want), "got '%s', want '%s'", cap_line(r, a), want)

static void test_capture_basic(void)
{
	T_CAP("", NULL, FIXED);
	T_CAP("BOOT_IMAGE=/vmlinuz root=UUID=1234 ro quiet crashkernel=256M\n", NULL,
	      "BOOT_IMAGE=/vmlinuz root=UUID=1234 ro " FIXED);
	T_CAP("console=ttyS0 tinydump.target=disk:LABEL=x\n", "tinydump.level=1",
	      "console=ttyS0 tinydump.target=disk:LABEL=x " FIXED " tinydump.level=1");
}

static void test_capture_removal(void)
{
	T_CAP("a hugepages=4 hugepagesz=1G default_hugepagesz=1G hugetlb_cma=4G cma=64M b", NULL,
	      "a b " FIXED);
	T_CAP("transparent_hugepage=always log_buf_len=16M log-buf-len=1M swiotlb=65536 c", NULL,
	      "c " FIXED);
	T_CAP("kmemleak=on slub_debug=FZPU page_owner=on debug_pagealloc=on trace_buf_size=1M d", NULL,
	      "d " FIXED);
	T_CAP("mem=4G memmap=exactmap kernelcore=10G movablecore=20% panic_on_warn=1 rdinit=/sbin/init e",
	      NULL, "e " FIXED);
	T_CAP("crashkernel=1G-4G:192M,4G-:512M crashkernel=64M,low quiet QUIET", NULL, "QUIET " FIXED);
	/* what the user appends is kept even if it is on the removal list */
	T_CAP("log_buf_len=16M", "log_buf_len=1M", FIXED " log_buf_len=1M");
	/* words kept and removed by the same key; near-miss keys stay */
	T_CAP("memory=1 mem_sleep_default=deep", NULL, "memory=1 mem_sleep_default=deep " FIXED);
}

static void test_capture_later_wins(void)
{
	T_CAP("panic=0 nr_cpus=64 irqpoll", NULL, FIXED);
	T_CAP("a=1 b a=2 c", "a=3", "b c " FIXED " a=3");
	T_CAP("a=1 b a=2 c", NULL, "b a=2 c " FIXED);
	T_CAP("", "nr_cpus=2 panic=0", "irqpoll reset_devices printk.devkmsg=on nr_cpus=2 panic=0");
	T_CAP("", "x x=1 x", "irqpoll nr_cpus=1 reset_devices printk.devkmsg=on panic=10 x");
	/* tinydump.cpus=N becomes nr_cpus=N; the word itself goes on to PID 1 */
	T_CAP("", "tinydump.cpus=2", "irqpoll nr_cpus=2 reset_devices printk.devkmsg=on panic=10 tinydump.cpus=2");
	T_CAP("tinydump.cpus=4", "tinydump.cpus=3",
	      "irqpoll nr_cpus=3 reset_devices printk.devkmsg=on panic=10 tinydump.cpus=3");
	T_CAP("tinydump.cpus=2", "nr_cpus=1", "tinydump.cpus=2 irqpoll reset_devices printk.devkmsg=on panic=10 nr_cpus=1");
	T_CAP("foo-bar=1", "foo_bar=2", FIXED " foo_bar=2");
	/* lists: console= and tinydump.target= keep every entry of the last part naming them */
	T_CAP("console=tty0 console=ttyS0,115200", NULL, "console=tty0 console=ttyS0,115200 " FIXED);
	T_CAP("console=tty0 console=ttyS0", "console=ttyS1", FIXED " console=ttyS1");
	T_CAP("tinydump.target=disk:/dev/vdb tinydump.target=nfs:10.0.0.1:/x", "tinydump.level=1",
	      "tinydump.target=disk:/dev/vdb tinydump.target=nfs:10.0.0.1:/x " FIXED " tinydump.level=1");
	T_CAP("tinydump.target=disk:/dev/vdb", "tinydump.target=tls:10.0.0.2:9000",
	      FIXED " tinydump.target=tls:10.0.0.2:9000");
}

static void test_capture_quoting(void)
{
	T_CAP("foo=\"a b\" \"bar=c d\" \"x y\" e=\"\"", NULL,
	      "foo=\"a b\" bar=\"c d\" \"x y\" e= " FIXED);
	T_CAP("a\"b c\"d", NULL, "a\"b c\"d " FIXED);
	/* an unterminated quote at the end of the running line is closed */
	T_CAP("x foo=\"a b\n", NULL, "x foo=\"a b\" " FIXED);
	T_CAP("x \"a b\n", NULL, "x \"a b\" " FIXED);
	T_CAP("x \"\" y", NULL, "x y " FIXED);
	T_CAP("x foo=\"a\"b c", NULL, "x foo=\"a\"b c " FIXED);
	T_CHECK(strstr(cap_line("x foo=\"a\"b\" c", NULL), "cannot pass on the word 'foo=\"a\"b\" c'"),
		"%s", cap_line("x foo=\"a\"b\" c", NULL));
	T_CAP("", "foo=\"a  b\"", FIXED " foo=\"a  b\"");
}

static void test_capture_dashdash(void)
{
	T_CAP("ro -- single x=1", NULL, "ro " FIXED);
	T_CAP("ro", "tinydump.level=1 -- a b=c", "ro " FIXED " tinydump.level=1 -- a b=c");
	T_CAP("ro -- init-arg", "z -- a a", "ro " FIXED " z -- a a");
	T_CAP("", "x --", FIXED " x");
}

static void test_capture_overflow(void)
{
	char out[sizeof FIXED + 2];
	struct td_err e;

	T_CHECK(td_capture_cmdline("", NULL, out, sizeof FIXED, &e) == 0 && !strcmp(out, FIXED),
		"exact fit: %s", out);
	T_CHECK(td_capture_cmdline("", NULL, out, sizeof FIXED - 1, &e) == -1, "one byte short must fail");
	T_CHECK(strstr(e.msg, "needs 59 bytes, more than the 58 available"), "%.200s", e.msg);
	memset(out, 'Z', sizeof out);
	T_CHECK(td_capture_cmdline("abcdef", NULL, out, 10, &e) == -1, "overflow");
	T_CHECK(out[10] == 'Z', "wrote past cap");
	T_CHECK(td_capture_cmdline("", NULL, out, 0, &e) == -1, "cap 0");
	T_CHECK(td_capture_cmdline("", "tinydump.cpus=9", out, sizeof out, &e) == -1 &&
			strstr(e.msg, "'tinydump.cpus=9' is not a number of CPUs from 1 to 8"), "%s", e.msg);
	T_CHECK(td_capture_cmdline("tinydump.cpus=0", NULL, out, sizeof out, &e) == -1, "cpus=0 taken");
}

static void test_capture_roundtrip(void)
{
	/* whatever we write, the tokeniser reads back as the same words */
	const char *in = "a=\"x y\" \"p q=r s\" t=\"\" u\"v w\"z -- ignored";
	const char *out = cap_line(in, "k=\"1 2\"");

	T_CHECK(!strcmp(W(out), "[a=x y][p q=r s][t=][u\"v w\"z][irqpoll][nr_cpus=1][reset_devices]"
			       "[printk.devkmsg=on][panic=10][k=1 2]"),
		"%s -> %s", out, W(out));
}

int main(int argc, char **argv)
{
	T_ARGS(argc, argv);
	T_RUN(test_plain_words);
	T_RUN(test_quotes);
	T_RUN(test_bounds);
	T_RUN(test_capture_basic);
	T_RUN(test_capture_removal);
	T_RUN(test_capture_later_wins);
	T_RUN(test_capture_quoting);
	T_RUN(test_capture_dashdash);
	T_RUN(test_capture_overflow);
	T_RUN(test_capture_roundtrip);
	T_END();
}
