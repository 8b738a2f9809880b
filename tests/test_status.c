/* The pure pieces of `tinydump status` and `tinydump initramfs --if-stale`:
 * the reservation verdict against the measured floors, the staleness
 * verdict, the mountinfo reader, and JSON string quoting. */
#define T_SUITE "status"
#include "t.h"

#include "os/json.h"
#include "init/crashsize.h"
#include "init/mountinfo.h"
#include "init/stale.h"

#define MiB (1024ll * 1024)

static void floors_match_releases(void)
{
	static const struct { const char *release, *name; } cases[] = {
		{ "6.1.0-57-cloud-amd64", "Debian 12 cloud" },
		{ "6.1.0-9-amd64", "Debian 12 generic" },
		{ "6.12.118+deb13-cloud-amd64", "Debian 13 cloud" },
		{ "6.1.192", "tinydump's test kernel" },
		{ "6.1.0-57-rt-amd64", NULL },		/* not measured */
		{ "6.12.118+deb13-amd64", NULL },
		{ "6.1.0--amd64", NULL },		/* '#' needs a digit */
		{ "6.1.0-57-cloud-amd64x", NULL },	/* the whole release */
		{ "6.1.192-custom", NULL },
		{ "", NULL },
	};

	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		const struct td_crash_floor *f = td_crash_floor_of(cases[i].release);

		if (cases[i].name)
			T_CHECK(f && !strcmp(f->name, cases[i].name), "%s: %s", cases[i].release,
				f ? f->name : "no floor");
		else
			T_CHECK(!f, "%s: matched %s", cases[i].release, f ? f->name : "");
	}
}

static void floors_are_sorted(void)
{
	size_t n;
	const struct td_crash_floor *f = td_crash_floors(&n);

	T_REQUIRE(n == 4, "%zu floors", n);
	for (size_t i = 1; i < n; i++)
		T_CHECK(f[i - 1].mib < f[i].mib, "%s before %s", f[i - 1].name, f[i].name);
	T_CHECK(f[n - 1].mib == 88 && f[0].mib == 32, "%u .. %u", f[0].mib, f[n - 1].mib);
}

static void verdict_known_kernel(void)
{
	struct td_crash_need n;

	td_crash_judge("6.1.0-57-amd64", 0, &n);
	T_CHECK(n.verdict == TD_CRASH_NONE && n.suggest_mib == 104, "%d %u", n.verdict, n.suggest_mib);
	T_CHECK(strstr(n.text, "no memory is reserved for a capture kernel") &&
		strstr(n.text, "fix: boot with crashkernel=104M"), "%s", n.text);
	td_crash_judge("6.1.0-57-amd64", 84 * MiB, &n);
	T_CHECK(n.verdict == TD_CRASH_BELOW && strstr(n.text, "only 84 MiB") &&
		strstr(n.text, "Debian 12 generic") && strstr(n.text, "needed 88 MiB"), "%s", n.text);
	td_crash_judge("6.1.0-57-amd64", 88 * MiB, &n);
	T_CHECK(n.verdict == TD_CRASH_TIGHT && strstr(n.text, "to change: crashkernel=104M"), "%s",
		n.text);
	td_crash_judge("6.1.0-57-amd64", 104 * MiB - 1, &n);
	T_CHECK(n.verdict == TD_CRASH_TIGHT && n.have_mib == 103, "%d %u", n.verdict, n.have_mib);
	td_crash_judge("6.1.0-57-amd64", 104 * MiB, &n);
	T_CHECK(n.verdict == TD_CRASH_OK, "%s", n.text);
	/* t_status.sh reads this line from the test kernel with crashkernel=64M */
	td_crash_judge("6.1.192", 64 * MiB, &n);
	T_CHECK(n.verdict == TD_CRASH_OK && !strncmp(n.text, "64 MiB reserved", 15), "%s", n.text);
	td_crash_judge("6.12.118+deb13-cloud-amd64", 72 * MiB, &n);
	T_CHECK(n.verdict == TD_CRASH_TIGHT && n.suggest_mib == 80, "%s", n.text);
}

static void verdict_unknown_kernel(void)
{
	struct td_crash_need n;

	td_crash_judge("6.9.0-custom", 16 * MiB, &n);
	T_CHECK(n.verdict == TD_CRASH_BELOW && !n.floor, "%s", n.text);
	T_CHECK(strstr(n.text, "unknown kernel 6.9.0-custom: measured floors are 32M (tinydump's "
			       "test kernel), 64M (Debian 13 cloud), 72M (Debian 12 cloud), 88M "
			       "(Debian 12 generic)"), "%s", n.text);
	td_crash_judge("6.9.0-custom", 96 * MiB, &n);
	T_CHECK(n.verdict == TD_CRASH_TIGHT && strstr(n.text, "to be safe: crashkernel=104M"), "%s",
		n.text);
	td_crash_judge("6.9.0-custom", 128 * MiB, &n);
	T_CHECK(n.verdict == TD_CRASH_OK && !strstr(n.text, "crashkernel=1") &&
		strstr(n.text, "measured floors are"), "%s", n.text);
	td_crash_judge("6.9.0-custom", -1, &n);
	T_CHECK(n.verdict == TD_CRASH_NONE, "%d", n.verdict);
}

static struct td_stamp at(const char *path, long long sec, long nsec)
{
	return (struct td_stamp){ path, sec, nsec, 0 };
}

static void stale_verdicts(void)
{
	struct td_stamp out = at("/var/lib/tinydump/initrd-R.img", 1000, 500);
	struct td_stamp in[3] = { at("/lib/modules/R", 900, 0), at("/etc/tinydump/tinydump.conf", 1000, 499),
				  { "/etc/tinydump/ca.pem", 5000, 0, 1 } };
	char why[256];

	T_CHECK(td_stale(&out, in, 3, why, sizeof why) == 0, "%s", why);
	T_CHECK(strstr(why, "newer than its inputs"), "%s", why);
	in[1].nsec = 501;	/* nanoseconds count: a file saved in the same second */
	T_CHECK(td_stale(&out, in, 3, why, sizeof why) == 1 &&
		!strcmp(why, "/etc/tinydump/tinydump.conf changed after "
			     "/var/lib/tinydump/initrd-R.img was built"), "%s", why);
	in[1].nsec = 500;	/* equal is up to date: written after it was read */
	T_CHECK(td_stale(&out, in, 3, why, sizeof why) == 0, "%s", why);
	in[2].missing = 0;	/* a certificate added since */
	T_CHECK(td_stale(&out, in, 3, why, sizeof why) == 1 && strstr(why, "ca.pem"), "%s", why);
	out.missing = 1;
	T_CHECK(td_stale(&out, in, 0, why, sizeof why) == 1 && strstr(why, "does not exist"), "%s", why);
}

static const char mountinfo[] =
	"22 1 0:21 / /proc rw,nosuid,nodev,noexec,relatime shared:12 - proc proc rw\n"
	"28 1 254:1 / / rw,relatime shared:1 - ext4 /dev/vda1 rw\n"
	"40 28 254:16 /dumps /srv/bind rw,relatime shared:20 - ext4 /dev/vdb rw\n"
	"41 28 254:16 / /mnt/crash\\040disk rw,relatime shared:21 - ext4 /dev/vdb rw\n"
	"50 28 0:45 / /mnt/nfs rw,relatime shared:30 master:2 - nfs4 192.0.2.7:/crash rw,vers=4.2\n"
	"51 28 0:46 / /mnt/v6 rw,relatime - nfs4 [2001:db8::7]:/crash rw\n"
	"52 28 7:0 / /mnt/short rw\n";

static void mountinfo_by_device(void)
{
	char mnt[64];
	size_t n = sizeof mountinfo - 1;

	/* the bind mount of /dumps comes first and is passed over */
	T_CHECK(td_mountinfo_find(mountinfo, n, 254, 16, NULL, mnt, sizeof mnt) == 0 &&
		!strcmp(mnt, "/mnt/crash disk"), "%s", mnt);
	T_CHECK(td_mountinfo_find(mountinfo, n, 254, 1, NULL, mnt, sizeof mnt) == 0 &&
		!strcmp(mnt, "/"), "%s", mnt);
	T_CHECK(td_mountinfo_find(mountinfo, n, 254, 2, NULL, mnt, sizeof mnt) == -1, "found %s", mnt);
	T_CHECK(td_mountinfo_find(mountinfo, n, 7, 0, NULL, mnt, sizeof mnt) == -1,
		"a line without its separator matched: %s", mnt);
	T_CHECK(td_mountinfo_find(mountinfo, n, 254, 16, NULL, mnt, 8) == -1, "cut to %s", mnt);
	/* the text may end without a newline */
	T_CHECK(td_mountinfo_find(mountinfo, 120, 254, 1, NULL, mnt, sizeof mnt) == 0, "cut text");
	T_CHECK(td_mountinfo_find(mountinfo, 0, 254, 1, NULL, mnt, sizeof mnt) == -1, "empty text");
}

static void mountinfo_by_source(void)
{
	char mnt[64];
	size_t n = sizeof mountinfo - 1;

	T_CHECK(td_mountinfo_find(mountinfo, n, 0, 0, "192.0.2.7:/crash", mnt, sizeof mnt) == 0 &&
		!strcmp(mnt, "/mnt/nfs"), "%s", mnt);
	T_CHECK(td_mountinfo_find(mountinfo, n, 0, 0, "[2001:db8::7]:/crash", mnt, sizeof mnt) == 0 &&
		!strcmp(mnt, "/mnt/v6"), "%s", mnt);
	T_CHECK(td_mountinfo_find(mountinfo, n, 0, 0, "192.0.2.7:/crash/", mnt, sizeof mnt) == -1,
		"found %s", mnt);
	T_CHECK(td_mountinfo_find(mountinfo, n, 0, 0, "192.0.2.7", mnt, sizeof mnt) == -1,
		"found %s", mnt);
}

/* The device of a mount point: the root's, escapes decoded, the last of
 * two mounts at one place, none where nothing is mounted. */
static void mountinfo_device_at(void)
{
	static const char over[] = "28 1 254:1 / / rw - ext4 /dev/vda1 rw\n"
				   "60 28 254:17 / / rw - ext4 /dev/vdb1 rw\n"
				   "61 28 x:1 / /bad rw - ext4 /dev/vdc rw";
	size_t n = sizeof mountinfo - 1;
	unsigned ma = 0, mi = 0;

	T_CHECK(td_mountinfo_dev(mountinfo, n, "/", &ma, &mi) == 0 && ma == 254 && mi == 1,
		"%u:%u", ma, mi);
	T_CHECK(td_mountinfo_dev(mountinfo, n, "/mnt/crash disk", &ma, &mi) == 0 && ma == 254 &&
		mi == 16, "%u:%u", ma, mi);
	T_CHECK(td_mountinfo_dev(mountinfo, n, "/mnt", &ma, &mi) == -1, "found %u:%u", ma, mi);
	T_CHECK(td_mountinfo_dev(mountinfo, n, "/mnt/short", &ma, &mi) == -1,
		"a line without its separator matched");
	T_CHECK(td_mountinfo_dev(over, sizeof over - 1, "/", &ma, &mi) == 0 && ma == 254 && mi == 17,
		"%u:%u", ma, mi);
	T_CHECK(td_mountinfo_dev(over, sizeof over - 1, "/bad", &ma, &mi) == -1, "bad MAJ:MIN taken");
	T_CHECK(td_mountinfo_dev(mountinfo, 0, "/", &ma, &mi) == -1, "empty text");
}

static void json_quote(void)
{
	char out[64];

	T_CHECK(td_json_quote("a\"b\\c", out, sizeof out) == 9 && !strcmp(out, "\"a\\\"b\\\\c\""),
		"%s", out);
	T_CHECK(td_json_quote("\t\x7f\xc3", out, sizeof out) == 20 &&
		!strcmp(out, "\"\\u0009\\u007f\\u00c3\""), "%s", out);
	T_CHECK(td_json_quote("", out, sizeof out) == 2 && !strcmp(out, "\"\""), "%s", out);
	/* 6 * strlen + 3 is always enough; less may not be */
	T_CHECK(td_json_quote("\x01\x02", out, 15) == 14, "%s", out);
	T_CHECK(td_json_quote("\x01\x02", out, 14) == -1 && !strcmp(out, "\"\""), "%s", out);
	T_CHECK(td_json_quote("x", out, 2) == -1 && !out[0], "%s", out);
}

int main(int argc, char **argv)
{
	T_ARGS(argc, argv);
	T_RUN(floors_match_releases);
	T_RUN(floors_are_sorted);
	T_RUN(verdict_known_kernel);
	T_RUN(verdict_unknown_kernel);
	T_RUN(stale_verdicts);
	T_RUN(mountinfo_by_device);
	T_RUN(mountinfo_by_source);
	T_RUN(mountinfo_device_at);
	T_RUN(json_quote);
	T_END();
}
