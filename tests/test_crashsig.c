/* capture/crashsig.c: the signature rules on hand-written logs in the
 * format of `tinydump dmesg`, and on the real logs of crashes made in QEMU
 * (tests/fixtures/crashsig/KIND-BOOT.txt, the dmesg.txt that the capture
 * run wrote; qemu-tests/t_signature.sh made them): two boots of a kind get
 * one signature, and its normalized text is the one written here and in
 * docs/SIGNATURES.md; different kinds get different signatures. */
#define T_SUITE "crashsig"
#include <stdio.h>
#include <stdlib.h>

#include "capture/crashsig.h"
#include "t.h"

static struct td_crashsig sig;

/* The signature of log fed in pieces of step bytes (0: at once). */
static int of(const char *log, size_t step)
{
	size_t n = strlen(log);

	td_crashsig_init(&sig);
	if (!step)
		td_crashsig_feed(&sig, log, n);
	for (size_t i = 0; step && i < n; i += step)
		td_crashsig_feed(&sig, log + i, n - i < step ? n - i : step);
	return td_crashsig_end(&sig);
}

/* A NULL pointer write, as 6.1 prints it, at one KASLR offset. */
static const char null_a[] =
	"[    0.000000] Linux version 6.1.192 (gcc 12) #1 SMP\n"
	"[   12.345678] BUG: kernel NULL pointer dereference, address: 0000000000000000\n"
	"[   12.345900] #PF: supervisor write access in kernel mode\n"
	"[   12.346000] #PF: error_code(0x0002) - not-present page\n"
	"[   12.346100] PGD 0 P4D 0 \n"
	"[   12.346200] Oops: 0002 [#1] SMP PTI\n"
	"[   12.346300] CPU: 0 PID: 1 Comm: init Not tainted 6.1.192 #1\n"
	"[   12.346400] Hardware name: QEMU Standard PC (i440FX + PIIX, 1996)\n"
	"[   12.346500] RIP: 0010:lkdtm_EXCEPTION+0x9/0x10\n"
	"[   12.346600] Code: cc cc 0f 1f 44 00 00 c7 04 25 00 00 00 00 00 00 00 00\n"
	"[   12.346700] RSP: 0018:ffffc90000013e00 EFLAGS: 00010246\n"
	"[   12.346800] Call Trace:\n"
	"[   12.346900]  <TASK>\n"
	"[   12.347000]  ? __die_body.cold+0x1a/0x1f\n"
	"[   12.347100]  lkdtm_do_action+0x16/0x30\n"
	"[   12.347200]  direct_entry.isra.0+0xd4/0x120\n"
	"[   12.347300]  full_proxy_write+0x5a/0x80\n"
	"[   12.347400]  vfs_write+0xce/0x3e0\n"
	"[   12.347500]  </TASK>\n"
	"[   12.347600] Modules linked in:\n"
	"[   12.347700] CR2: 0000000000000000\n"
	"[   12.347800] ---[ end trace 0000000000000000 ]---\n";

/* The same crash on another boot: other addresses, offsets, times, task. */
static const char null_b[] =
	"[    0.000000] Linux version 6.1.192 (gcc 12) #1 SMP\n"
	"[    3.100000] random: crng init done\n"
	"[   14.000001] BUG: kernel NULL pointer dereference, address: 0000000000000000\n"
	"[   14.000002] #PF: supervisor write access in kernel mode\n"
	"[   14.000003] #PF: error_code(0x0002) - not-present page\n"
	"[   14.000004] PGD 0 P4D 0 \n"
	"[   14.000005] Oops: 0002 [#1] SMP PTI\n"
	"[   14.000006] CPU: 0 PID: 77 Comm: sh Not tainted 6.1.192 #1\n"
	"[   14.000007] RIP: 0010:lkdtm_EXCEPTION+0x9/0x10\n"
	"[   14.000008] RSP: 0018:ffffc90000247e08 EFLAGS: 00010282\n"
	"[   14.000009] Call Trace:\n"
	"[   14.000010]  <TASK>\n"
	"[   14.000011]  lkdtm_do_action+0x16/0x30\n"
	"[   14.000012]  ? lkdtm_do_action+0x5/0x30\n"
	"[   14.000013]  direct_entry.isra.1+0xd4/0x120\n"
	"[   14.000014]  full_proxy_write+0x5a/0x80\n"
	"[   14.000015]  </TASK>\n";

#define NULL_TEXT "BUG: kernel NULL pointer dereference, address:|lkdtm_EXCEPTION|lkdtm_do_action|direct_entry|full_proxy_write"

static void null_pointer(void)
{
	char hex[sizeof sig.hex];

	T_REQUIRE(of(null_a, 0) == 1, "no signature");
	T_CHECK(!strcmp(sig.text, NULL_TEXT), "text %s", sig.text);
	T_CHECK(strlen(sig.hex) == 16 && strspn(sig.hex, "0123456789abcdef") == 16, "hex %s", sig.hex);
	memcpy(hex, sig.hex, sizeof hex);
	T_REQUIRE(of(null_b, 0) == 1, "no signature for the second boot");
	T_CHECK(!strcmp(sig.text, NULL_TEXT), "second boot: text %s", sig.text);
	T_CHECK(!strcmp(sig.hex, hex), "second boot: %s, first %s", sig.hex, hex);
}

/* The hash is SHA-256 of the text, its first 8 bytes in hex. */
static void known_hash(void)
{
	T_REQUIRE(of("[    1.000000] Kernel panic - not syncing: x\n", 0) == 1, "no signature");
	T_CHECK(!strcmp(sig.text, "Kernel panic - not syncing: x||||"), "text %s", sig.text);
	/* printf 'Kernel panic - not syncing: x||||' | sha256sum | cut -c1-16 */
	T_CHECK(!strcmp(sig.hex, "8ffbf8951cc0671a"), "hex %s", sig.hex);
}

static void any_pieces(void)
{
	char text[sizeof sig.text], hex[sizeof sig.hex];
	static const size_t steps[] = { 1, 2, 3, 7, 64, 4096 };

	of(null_a, 0);
	memcpy(text, sig.text, sizeof text);
	memcpy(hex, sig.hex, sizeof hex);
	for (size_t i = 0; i < sizeof steps / sizeof steps[0]; i++) {
		of(null_a, steps[i]);
		T_CHECK(!strcmp(sig.text, text) && !strcmp(sig.hex, hex), "in pieces of %zu: %s", steps[i],
			sig.text);
	}
	/* no final newline */
	T_CHECK(of("[    1.000000] BUG: x", 0) == 1 && !strcmp(sig.text, "BUG: x||||"), "%s", sig.text);
}

static void no_report(void)
{
	T_CHECK(of("", 0) == 0 && !sig.text[0] && !sig.hex[0], "empty log: %s", sig.text);
	T_CHECK(of("[    0.000000] Linux version 6.1.192\n[    1.000000] Call Trace:\n"
		   "[    1.000000]  foo+0x1/0x2\n", 0) == 0, "a trace alone: %s", sig.text);
}

/* A BUG(): the die line joins its opener; FILE:LINE stays in the reason. */
static void bug_on(void)
{
	T_REQUIRE(of("[    5.000000] kernel BUG at drivers/misc/lkdtm/bugs.c:76!\n"
		     "[    5.000000] invalid opcode: 0000 [#1] SMP PTI\n"
		     "[    5.000000] CPU: 0 PID: 1 Comm: init Not tainted 6.1.192 #1\n"
		     "[    5.000000] RIP: 0010:lkdtm_BUG+0x5/0x10\n"
		     "[    5.000000] Call Trace:\n"
		     "[    5.000000]  <TASK>\n"
		     "[    5.000000]  lkdtm_do_action+0x16/0x30\n"
		     "[    5.000000]  </TASK>\n"
		     "[    5.000000]  ---[ end trace 0000000000000000 ]---\n", 0) == 1, "none");
	T_CHECK(!strcmp(sig.text, "kernel BUG at drivers/misc/lkdtm/bugs.c:76!|lkdtm_BUG|lkdtm_do_action||"),
		"%s", sig.text);
	/* A die line with no opener before it is the reason. */
	T_REQUIRE(of("[    5.000000] general protection fault, probably for non-canonical address "
		     "0xdead000000000100: 0000 [#1] PREEMPT SMP\n"
		     "[    5.000000] RIP: 0010:list_del+0x5/0x10\n", 0) == 1, "none");
	T_CHECK(!strcmp(sig.text, "general protection fault, probably for non-canonical address "
			"PREEMPT SMP|list_del|||"), "%s", sig.text);
}

/* A panic after a report is its consequence; the panic's own trace does
 * not count. A panic with no report of its own before it is the report. */
static void panics(void)
{
	static const char lockup[] =
		"[   20.000000] watchdog: BUG: soft lockup - CPU#0 stuck for 22s! [init:1]\n"
		"[   20.000000] Modules linked in:\n"
		"[   20.000000] RIP: 0010:lkdtm_SOFTLOCKUP+0x10/0x20\n"
		"[   20.000000] Call Trace:\n"
		"[   20.000000]  <TASK>\n"
		"[   20.000000]  lkdtm_do_action+0x16/0x30\n"
		"[   20.000000]  </TASK>\n"
		"[   20.000000] Kernel panic - not syncing: softlockup: hung tasks\n"
		"[   20.000000] CPU: 0 PID: 1 Comm: init Tainted: G             L     6.1.192 #1\n"
		"[   20.000000] Call Trace:\n"
		"[   20.000000]  <IRQ>\n"
		"[   20.000000]  dump_stack_lvl+0x1/0x2\n"
		"[   20.000000]  panic+0x1/0x2\n"
		"[   20.000000]  watchdog_timer_fn.cold+0x1/0x2\n";
	static const char sysrq[] =
		"[    9.000000] WARNING: CPU: 0 PID: 1 at kernel/foo.c:12 foo+0x1/0x2\n"
		"[    9.000000] RIP: 0010:foo+0x1/0x2\n"
		"[    9.000000] ---[ end trace 0000000000000000 ]---\n"
		"[   10.000000] sysrq: Trigger a crash\n"
		"[   10.000000] Kernel panic - not syncing: sysrq triggered crash\n"
		"[   10.000000] CPU: 0 PID: 1 Comm: init Tainted: G        W          6.1.192 #1\n"
		"[   10.000000] Call Trace:\n"
		"[   10.000000]  <TASK>\n"
		"[   10.000000]  dump_stack_lvl+0x44/0x5c\n"
		"[   10.000000]  panic+0x118/0x2e8\n"
		"[   10.000000]  sysrq_handle_crash+0x16/0x20\n"
		"[   10.000000]  __handle_sysrq.cold+0x43/0x11b\n"
		"[   10.000000]  write_sysrq_trigger+0x24/0x40\n"
		"[   10.000000]  proc_reg_write+0x1/0x2\n"
		"[   10.000000]  </TASK>\n"
		"[   10.000000] BUG: later\n";

	T_REQUIRE(of(lockup, 0) == 1, "none");
	T_CHECK(!strcmp(sig.text, "watchdog: BUG: soft lockup - stuck for|lkdtm_SOFTLOCKUP|lkdtm_do_action||"),
		"soft lockup: %s", sig.text);
	T_REQUIRE(of(sysrq, 0) == 1, "none");
	T_CHECK(!strcmp(sig.text, "Kernel panic - not syncing: sysrq triggered crash||sysrq_handle_crash|"
			"__handle_sysrq|write_sysrq_trigger"), "sysrq: %s", sig.text);
}

/* Task names and pids, durations: gone from the reason. */
static void tasks_dropped(void)
{
	char hex[sizeof sig.hex];

	T_REQUIRE(of("[  1.0] INFO: task sh:95 blocked for more than 2 seconds.\n", 0), "none");
	T_CHECK(!strcmp(sig.text, "INFO: task blocked for more than seconds.||||"), "%s", sig.text);
	T_REQUIRE(of("[  1.0] cat invoked oom-killer: gfp_mask=0x140dca(GFP_HIGHUSER_MOVABLE|__GFP_COMP), "
		     "order=0, oom_score_adj=0\n", 0), "none");
	T_CHECK(!strcmp(sig.text, "invoked oom-killer:||||"), "%s", sig.text);
	memcpy(hex, sig.hex, sizeof hex);
	of("[  2.0] my-daemon invoked oom-killer: gfp_mask=0x1(GFP_KERNEL), order=3, oom_score_adj=-1000\n", 0);
	T_CHECK(!strcmp(sig.hex, hex), "another task: %s", sig.text);
	T_REQUIRE(of("[  1.0] BUG: a|b (GFP_KERNEL|x)\n", 0), "none");
	T_CHECK(!strcmp(sig.text, "BUG: a/b (GFP_KERNEL/x)||||"), "'|' kept: %s", sig.text);
}

/* Old kernels' "[<address>]" frames; a caller id after the stamp; too
 * long a line and too long a name are cut, not overrun. */
static void odd_forms(void)
{
	char big[2000];

	T_REQUIRE(of("[    1.000000] [T77] BUG: x\n"
		     "[    1.000000] [T77] Call Trace:\n"
		     "[    1.000000] [T77]  [<ffffffff81234567>] ? foo+0x1/0x2\n"
		     "[    1.000000] [T77]  [<ffffffff81234567>] bar.constprop.0+0x1/0x2 [mod]\n", 0), "none");
	T_CHECK(!strcmp(sig.text, "BUG: x||bar||"), "%s", sig.text);
	/* 300 words (the reason keeps 78: 158 bytes), a 450-byte name (79 kept) */
	for (int i = 0; i < 300; i++)
		memcpy(big + 2 * i, "w ", 2);
	memcpy(big, "BUG: ", 5);
	memcpy(big + 600, "\nRIP: 0010:", 11);
	memset(big + 611, 'f', 450);
	memcpy(big + 1061, "+0x1/0x2\n", 10);
	T_REQUIRE(of(big, 0), "none");
	T_CHECK(strlen(sig.text) == 158 + 1 + 79 + 3 && sig.text[158] == '|' && sig.text[159] == 'f',
		"%zu bytes: %s", strlen(sig.text), sig.text);
	/* a line over TD_CRASHSIG_LINE: the rest is not a new line */
	memset(big, 'x', sizeof big - 1);
	big[sizeof big - 1] = '\0';
	memcpy(big + 600, "BUG: y", 6);
	T_CHECK(of(big, 0) == 0, "%s", sig.text);
}

/* ---- real logs ---- */

struct kind {
	const char *name;
	const char *text;
};

/* The normalized texts of the test kernel's crashes (docs/SIGNATURES.md). */
static const struct kind kinds[] = {
#include "fixtures/crashsig/expected.h"
};

static char *slurp(const char *path, size_t *n)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	long len;

	if (f && fseek(f, 0, SEEK_END) == 0 && (len = ftell(f)) >= 0 && fseek(f, 0, SEEK_SET) == 0 &&
	    (buf = malloc((size_t)len + 1)) && fread(buf, 1, (size_t)len, f) == (size_t)len) {
		buf[len] = '\0';
		*n = (size_t)len;
	} else {
		free(buf);
		buf = NULL;
	}
	if (f)
		fclose(f);
	return buf;
}

static void real_logs(void)
{
	char hex[sizeof kinds / sizeof kinds[0]][sizeof sig.hex];
	size_t nk = sizeof kinds / sizeof kinds[0];

	T_REQUIRE(nk >= 6, "%zu kinds", nk);
	for (size_t k = 0; k < nk; k++) {
		for (int boot = 1; boot <= 2; boot++) {
			char path[128];
			size_t n;
			char *log;

			snprintf(path, sizeof path, "tests/fixtures/crashsig/%s-%d.txt", kinds[k].name, boot);
			log = slurp(path, &n);
			T_REQUIRE(log, "cannot read %s", path);
			td_crashsig_init(&sig);
			td_crashsig_feed(&sig, log, n);
			free(log);
			T_CHECK(td_crashsig_end(&sig) == 1, "%s: no signature", path);
			T_CHECK(!strcmp(sig.text, kinds[k].text), "%s: text %s", path, sig.text);
			if (boot == 1)
				memcpy(hex[k], sig.hex, sizeof sig.hex);
			else
				T_CHECK(!strcmp(hex[k], sig.hex), "%s: %s, boot 1 %s", path, sig.hex, hex[k]);
		}
		for (size_t j = 0; j < k; j++)
			T_CHECK(strcmp(hex[j], hex[k]), "%s and %s share %s", kinds[j].name, kinds[k].name,
				hex[k]);
	}
}

int main(int argc, char **argv)
{
	T_ARGS(argc, argv);
	T_RUN(null_pointer);
	T_RUN(known_hash);
	T_RUN(any_pieces);
	T_RUN(no_report);
	T_RUN(bug_on);
	T_RUN(panics);
	T_RUN(tasks_dropped);
	T_RUN(odd_forms);
	T_RUN(real_logs);
	T_END();
}
