/* Block-device identification against images made by the real tools:
 * mke2fs (e2fsprogs) for ext2/3/4, sfdisk (fdisk) for GPT and MBR, with
 * blkid/partx (util-linux) as a second opinion; then corrupted copies. */
#define T_SUITE "blkid"
#include "t.h"

#include <stdint.h>
#include <stdlib.h>
#include <unistd.h>

#include "capture/io.h"
#include "init/blkid.h"

static char dir[64];
static char tool_missing[128];

/* Run a shell command; 0 when it exited 0. */
static int sh(const char *fmt, const char *a, const char *b)
{
	char cmd[1024];

	snprintf(cmd, sizeof cmd, fmt, a, b);
	return system(cmd);
}

static int read_at(const char *name, long off, uint8_t *buf, size_t len)
{
	char path[128];
	FILE *f;
	size_t got;

	snprintf(path, sizeof path, "%s/%s", dir, name);
	f = fopen(path, "rb");
	if (!f)
		return -1;
	got = fseek(f, off, SEEK_SET) ? 0 : fread(buf, 1, len, f);
	fclose(f);
	return got == len ? 0 : -1;
}

/* The value of KEY= in `blkid -p -o export` of an image, or "". */
static const char *blkid_says(const char *name, const char *key)
{
	static char val[128];
	char cmd[256], line[256];
	size_t kl = strlen(key);
	FILE *p;

	val[0] = '\0';
	snprintf(cmd, sizeof cmd, "blkid -p -o export %s/%s", dir, name);
	p = popen(cmd, "r");
	if (!p)
		return val;
	while (fgets(line, sizeof line, p))
		if (!strncmp(line, key, kl) && line[kl] == '=') {
			size_t j = 0;

			/* export quotes shell specials with a backslash */
			line[strcspn(line, "\n")] = '\0';
			for (char *q = line + kl + 1; *q && j < sizeof val - 1; q++) {
				if (*q == '\\' && q[1])
					q++;
				val[j++] = *q;
			}
			val[j] = '\0';
		}
	pclose(p);
	return val;
}

/* `partx -g -o NR,UUID` of an image: "N uuid\n" lines, spaces squeezed. */
static const char *partx_says(const char *name)
{
	static char out[1024];
	char cmd[256];
	size_t n = 0;
	FILE *p;
	unsigned num;
	char uuid[64];

	out[0] = '\0';
	snprintf(cmd, sizeof cmd, "partx -g -o NR,UUID %s/%s", dir, name);
	p = popen(cmd, "r");
	if (!p)
		return out;
	while (fscanf(p, "%u %63s", &num, uuid) == 2 && n < sizeof out - 80)
		n += (size_t)snprintf(out + n, sizeof out - n, "%u %s\n", num, uuid);
	pclose(p);
	return out;
}

static const char *parts_text(const struct td_part *pt, size_t n)
{
	static char out[1024];
	size_t len = 0;

	out[0] = '\0';
	for (size_t i = 0; i < n && len < sizeof out - 80; i++)
		len += (size_t)snprintf(out + len, sizeof out - len, "%u %s\n", pt[i].num, pt[i].partuuid);
	return out;
}

static void test_crc32(void)
{
	const uint8_t v[] = "123456789";

	T_CHECK(td_crc32(0, v, 9) == 0xcbf43926, "crc32 check value: 0x%08x", td_crc32(0, v, 9));
	T_CHECK(td_crc32(td_crc32(0, v, 4), v + 4, 5) == 0xcbf43926, "crc32 in two steps");
	T_CHECK(td_crc32(0, v, 0) == 0, "empty");
}

static void test_uuid_eq(void)
{
	T_CHECK(td_uuid_eq("0B1C2D3E-AAAA-4bbb-8ccc-0123456789ab", "0b1c2d3e-aaaa-4BBB-8CCC-0123456789AB"), "case");
	T_CHECK(td_uuid_eq("a1b2c3d4-02", "A1B2C3D4-02"), "mbr");
	T_CHECK(!td_uuid_eq("a1b2c3d4-02", "a1b2c3d4-03"), "differs");
	T_CHECK(!td_uuid_eq("a1b2c3d4-02", "a1b2c3d4-0"), "prefix");
	T_CHECK(!td_uuid_eq("", "a"), "empty");
	T_CHECK(!td_uuid_eq("@", "`"), "only letters fold");
}

/* Make an ext filesystem with mke2fs and check what we read from it. */
static void check_ext(const char *type, const char *opts, const char *label, const char *uuid_in,
		      const char *uuid_want)
{
	char args[256];
	uint8_t sb[TD_EXT_SB_SIZE];
	struct td_fsid id;
	struct td_err e;

	snprintf(args, sizeof args, "-t %s %s -L '%s' -U %s", type, opts, label, uuid_in);
	if (sh("cd %s && rm -f fs.img && mke2fs -q -F %s fs.img 4M >/dev/null 2>&1", dir, args)) {
		T_CHECK(0, "mke2fs %.100s failed", args);
		return;
	}
	T_CHECK(read_at("fs.img", TD_EXT_SB_OFF, sb, sizeof sb) == 0, "read superblock");
	T_CHECK(td_blkid_ext(sb, sizeof sb, &id, &e) == 0, "%s: %.200s", type, e.msg);
	T_CHECK(!strcmp(id.type, type), "type %s, want %s", id.type, type);
	T_CHECK(!strcmp(id.label, label), "label '%s', want '%s'", id.label, label);
	T_CHECK(!strcmp(id.uuid, uuid_want), "uuid %s, want %s", id.uuid, uuid_want);
	/* blkid agrees */
	T_CHECK(!strcmp(blkid_says("fs.img", "TYPE"), id.type), "blkid TYPE=%.40s", blkid_says("fs.img", "TYPE"));
	T_CHECK(!strcmp(blkid_says("fs.img", "UUID"), id.uuid), "blkid UUID=%.40s", blkid_says("fs.img", "UUID"));
	T_CHECK(!strcmp(blkid_says("fs.img", "LABEL"), id.label), "blkid LABEL=%.40s",
		blkid_says("fs.img", "LABEL"));
}

static void test_ext_real(void)
{
	check_ext("ext4", "", "crash", "0B1C2D3E-aaaa-4bbb-8ccc-0123456789ab",
		  "0b1c2d3e-aaaa-4bbb-8ccc-0123456789ab");
	check_ext("ext4", "-b 4096", "0123456789abcdef", "ffffffff-0000-4000-8000-00000000000f",
		  "ffffffff-0000-4000-8000-00000000000f");
	check_ext("ext4", "-O ^metadata_csum", "a b", "12345678-1234-4234-9234-123456789abc",
		  "12345678-1234-4234-9234-123456789abc");
	check_ext("ext3", "", "j", "22345678-1234-4234-9234-123456789abc", "22345678-1234-4234-9234-123456789abc");
	check_ext("ext2", "", "", "32345678-1234-4234-9234-123456789abc", "32345678-1234-4234-9234-123456789abc");
}

/* A label with control bytes and '\\' is shown escaped; the raw label
 * still matches LABEL=. */
static void test_ext_label_escaped(void)
{
	uint8_t sb[TD_EXT_SB_SIZE];
	struct td_fsid id;
	struct td_err e;

	if (sh("cd %s && rm -f fs.img && mke2fs -q -F -t ext4 -O ^metadata_csum -L x fs.img 4M "
	       ">/dev/null 2>&1", dir, "") || read_at("fs.img", TD_EXT_SB_OFF, sb, sizeof sb)) {
		T_CHECK(0, "mke2fs failed");
		return;
	}
	memcpy(sb + 120, "\x1b[2J\x07\\a\xe9\r\n\x7fzzzzz", 16);
	T_REQUIRE(td_blkid_ext(sb, sizeof sb, &id, &e) == 0, "%s", e.msg);
	T_CHECK(!memcmp(id.label, "\x1b[2J", 4) && strlen(id.label) == 16, "raw label kept");
	T_CHECK(!strcmp(id.label_shown, "\\x1b[2J\\x07\\x5ca\\xe9\\x0d\\x0a\\x7fzzzzz"),
		"shown as %s", id.label_shown);
}

static void test_ext_bad(void)
{
	uint8_t sb[TD_EXT_SB_SIZE], bad[TD_EXT_SB_SIZE];
	struct td_fsid id;
	struct td_err e;

	if (sh("cd %s && rm -f fs.img && mke2fs -q -F -t ext4 -L x fs.img 4M >/dev/null 2>&1", dir, "") ||
	    read_at("fs.img", TD_EXT_SB_OFF, sb, sizeof sb)) {
		T_CHECK(0, "mke2fs failed");
		return;
	}
	T_CHECK(td_blkid_ext(sb, sizeof sb - 1, &id, &e) == -1 &&
			!strcmp(e.msg, "ext superblock: 1023 bytes, need 1024"), "%.200s", e.msg);
	T_CHECK(td_blkid_ext(sb, 0, &id, &e) == -1, "empty");
	memset(bad, 0, sizeof bad);
	T_CHECK(td_blkid_ext(bad, sizeof bad, &id, &e) == -1 &&
			!strcmp(e.msg, "no ext2/3/4 filesystem (magic 0x0000, not 0xef53)"), "%.200s", e.msg);
	memcpy(bad, sb, sizeof bad);
	bad[120] ^= 1; /* the label changes, the checksum does not */
	T_CHECK(td_blkid_ext(bad, sizeof bad, &id, &e) == -1 && strstr(e.msg, "checksum") &&
			strstr(e.msg, "corrupt"), "%.200s", e.msg);
	memcpy(bad, sb, sizeof bad);
	bad[0x175] = 2;
	T_CHECK(td_blkid_ext(bad, sizeof bad, &id, &e) == -1 && strstr(e.msg, "checksum type 2"), "%.200s", e.msg);
	/* geometry garbage, with the checksum made right so the check is reached */
	memcpy(bad, sb, sizeof bad);
	td_put_le32(bad + 24, 30);
	td_put_le32(bad + 100, td_le32(bad + 100) & ~0x400u);
	T_CHECK(td_blkid_ext(bad, sizeof bad, &id, &e) == -1 && strstr(e.msg, "block size 2^40"), "%.200s", e.msg);
	memcpy(bad, sb, sizeof bad);
	td_put_le32(bad + 100, td_le32(bad + 100) & ~0x400u);
	td_put_le32(bad + 40, 0);
	T_CHECK(td_blkid_ext(bad, sizeof bad, &id, &e) == -1 && strstr(e.msg, "zero inodes"), "%.200s", e.msg);
	memcpy(bad, sb, sizeof bad);
	td_put_le32(bad + 100, td_le32(bad + 100) & ~0x400u);
	td_put_le32(bad + 76, 7);
	T_CHECK(td_blkid_ext(bad, sizeof bad, &id, &e) == -1 && strstr(e.msg, "revision 7"), "%.200s", e.msg);
	memcpy(bad, sb, sizeof bad);
	td_put_le32(bad + 100, td_le32(bad + 100) & ~0x400u);
	td_put_le32(bad + 96, td_le32(bad + 96) | 0x8);
	T_CHECK(td_blkid_ext(bad, sizeof bad, &id, &e) == -1 && strstr(e.msg, "external ext journal"),
		"%.200s", e.msg);
}

static const char gpt_script[] =
	"label: gpt\n"
	"label-id: 11111111-2222-3333-4444-555555555555\n"
	"first-lba: 2048\n"
	"disk.img1 : start=2048, size=2048, type=0FC63DAF-8483-4772-8E79-3D69D8477DE4, uuid=AABBCCDD-EEFF-4011-8233-445566778899\n"
	"disk.img3 : start=8192, size=4096, type=0FC63DAF-8483-4772-8E79-3D69D8477DE4, uuid=0b1c2d3e-aaaa-4bbb-8ccc-0123456789ab\n"
	"disk.img4 : start=12288, size=2048, type=C12A7328-F81F-11D2-BA4B-00A0C93EC93B, uuid=00000000-0000-0000-0000-000000000001\n";

static uint8_t g_hdr[512], g_ents[1 << 16];
static struct td_gpt g;

static int make_gpt(void)
{
	struct td_err e;

	if (sh("cd %s && rm -f disk.img && truncate -s 16M disk.img && printf '%s' | sfdisk -q disk.img >/dev/null 2>&1",
	       dir, gpt_script))
		return -1;
	if (read_at("disk.img", 512, g_hdr, sizeof g_hdr) || td_gpt_header(g_hdr, sizeof g_hdr, &g, &e) < 0 ||
	    td_gpt_array_size(&g) > sizeof g_ents ||
	    read_at("disk.img", (long)g.entries_lba * 512, g_ents, td_gpt_array_size(&g)))
		return -1;
	return 0;
}

static void test_gpt_real(void)
{
	struct td_part pt[TD_MAX_PARTS];
	struct td_err e;
	size_t n;
	const char *want = "1 aabbccdd-eeff-4011-8233-445566778899\n"
			   "3 0b1c2d3e-aaaa-4bbb-8ccc-0123456789ab\n"
			   "4 00000000-0000-0000-0000-000000000001\n";

	if (make_gpt()) {
		T_CHECK(0, "sfdisk or reading its GPT failed");
		return;
	}
	T_CHECK(g.entries_lba == 2 && g.nentries == 128 && g.entry_size == 128, "lba %llu n %u size %u",
		(unsigned long long)g.entries_lba, g.nentries, g.entry_size);
	T_CHECK(!strcmp(g.disk_guid, "11111111-2222-3333-4444-555555555555"), "disk guid %s", g.disk_guid);
	T_CHECK(td_gpt_parts(&g, g_ents, td_gpt_array_size(&g), pt, TD_MAX_PARTS, &n, &e) == 0, "%.200s", e.msg);
	T_CHECK(!strcmp(parts_text(pt, n), want), "got\n%.200s", parts_text(pt, n));
	T_CHECK(!strcmp(partx_says("disk.img"), want), "partx says\n%.200s", partx_says("disk.img"));
	T_CHECK(!strcmp(blkid_says("disk.img", "PTUUID"), g.disk_guid), "blkid PTUUID");
	T_CHECK(td_gpt_parts(&g, g_ents, td_gpt_array_size(&g), pt, 2, &n, &e) == -1 &&
			!strcmp(e.msg, "more than 2 partitions"), "%.200s", e.msg);

	/* the protective MBR says "GPT" */
	uint8_t s0[512];
	int gpt;

	T_CHECK(read_at("disk.img", 0, s0, sizeof s0) == 0, "read sector 0");
	T_CHECK(td_mbr_parts(s0, sizeof s0, pt, TD_MAX_PARTS, &n, &gpt, &e) == 0 && gpt && n == 0,
		"protective MBR: gpt %d n %zu", gpt, n);
}

/* Set a header field, then make the header CRC right again. */
static void gpt_poke32(uint8_t *h, size_t off, uint32_t v)
{
	td_put_le32(h + off, v);
	td_put_le32(h + 16, 0);
	td_put_le32(h + 16, td_crc32(0, h, td_le32(h + 12)));
}

static void gpt_poke64(uint8_t *h, size_t off, uint64_t v)
{
	td_put_le64(h + off, v);
	gpt_poke32(h, 16, 0);
}

static int gpt_fails(const uint8_t *h, const char *want, char *got, size_t cap)
{
	struct td_gpt x;
	struct td_err e;

	if (td_gpt_header(h, 512, &x, &e) == 0) {
		snprintf(got, cap, "(accepted)");
		return 0;
	}
	snprintf(got, cap, "%.150s", e.msg);
	return strstr(e.msg, want) != NULL;
}

static void test_gpt_bad(void)
{
	uint8_t h[512];
	struct td_part pt[TD_MAX_PARTS];
	struct td_gpt x;
	struct td_err e;
	char got[200];
	size_t n;

	if (make_gpt()) {
		T_CHECK(0, "sfdisk or reading its GPT failed");
		return;
	}
#define GPT_BAD(poke, want)                                              \
	do {                                                             \
		memcpy(h, g_hdr, sizeof h);                              \
		poke;                                                    \
		T_CHECK(gpt_fails(h, want, got, sizeof got), "%s: got '%.120s'", #poke, got); \
	} while (0)
	GPT_BAD(h[0] = 'X', "no GPT (no \"EFI PART\" signature at LBA 1)");
	GPT_BAD(h[60] ^= 1, "GPT header CRC32");              /* disk GUID changed */
	GPT_BAD(gpt_poke32(h, 8, 0x00020000), "GPT revision 0x00020000 is not 1.x");
	GPT_BAD(gpt_poke32(h, 12, 91), "GPT header size 91 is not 92 to 512 bytes");
	GPT_BAD(td_put_le32(h + 12, 513), "GPT header size 513 is not 92 to 512 bytes");
	GPT_BAD(gpt_poke64(h, 24, 2), "GPT header at LBA 1 says it is at LBA 2");
	GPT_BAD(gpt_poke32(h, 84, 0), "GPT entry size 0 is not 128 << n");
	GPT_BAD(gpt_poke32(h, 84, 192), "GPT entry size 192 is not 128 << n");
	GPT_BAD(gpt_poke32(h, 80, 0), "GPT has 0 entries");
	GPT_BAD(gpt_poke32(h, 80, 0x02000000), "GPT has 33554432 entries of 128 bytes");
	GPT_BAD(gpt_poke64(h, 72, 1), "GPT entry array at LBA 1 (32 sectors) is not between");
	GPT_BAD(gpt_poke64(h, 72, 2040), "GPT entry array at LBA 2040 (32 sectors) is not between");
	GPT_BAD(gpt_poke64(h, 72, 0xffffffffffffffffull), "is not between");
	GPT_BAD(gpt_poke64(h, 40, 40000), "GPT usable area 40000..32734 is empty");
	/* h[100] is outside the CRC, so that one was accepted: check the
	 * helper really reports acceptance */
	memcpy(h, g_hdr, sizeof h);
	h[100] ^= 1;
	T_CHECK(!gpt_fails(h, "", got, sizeof got) && !strcmp(got, "(accepted)"), "%s", got);
	T_CHECK(td_gpt_header(g_hdr, 511, &x, &e) == -1 && strstr(e.msg, "511 bytes"), "%.200s", e.msg);
	T_CHECK(td_gpt_header(g_hdr, 768, &x, &e) == -1, "768 is not a sector size");

	/* the entry array: CRC and length */
	g_ents[16 + 128 * 2] ^= 0x10; /* entry 3's unique GUID */
	T_CHECK(td_gpt_parts(&g, g_ents, td_gpt_array_size(&g), pt, TD_MAX_PARTS, &n, &e) == -1 &&
			strstr(e.msg, "GPT entry array CRC32") && strstr(e.msg, "corrupt") && n == 0,
		"%.200s", e.msg);
	g_ents[16 + 128 * 2] ^= 0x10;
	T_CHECK(td_gpt_parts(&g, g_ents, td_gpt_array_size(&g) - 1, pt, TD_MAX_PARTS, &n, &e) == -1 &&
			!strcmp(e.msg, "GPT entry array is 16383 bytes, need 16384"), "%.200s", e.msg);
	T_CHECK(td_gpt_parts(&g, g_ents, td_gpt_array_size(&g), pt, TD_MAX_PARTS, &n, &e) == 0 && n == 3,
		"restored: %.200s", e.msg);
}

static void test_mbr_real(void)
{
	static const char script[] = "label: dos\nlabel-id: 0xa1b2c3d4\n"
				     "start=2048, size=2048, type=83\n"
				     "start=4096, size=2048, type=83, bootable\n"
				     "start=8192, size=16384, type=5\n"
				     "start=10240, size=2048, type=83\n";
	struct td_part pt[TD_MAX_PARTS];
	struct td_err e;
	uint8_t s0[512];
	size_t n;
	int gpt;

	if (sh("cd %s && rm -f mbr.img && truncate -s 16M mbr.img && printf '%s' | sfdisk -q mbr.img >/dev/null 2>&1",
	       dir, script) || read_at("mbr.img", 0, s0, sizeof s0)) {
		T_CHECK(0, "sfdisk dos failed");
		return;
	}
	T_CHECK(td_mbr_parts(s0, sizeof s0, pt, TD_MAX_PARTS, &n, &gpt, &e) == 0 && !gpt, "%.200s", e.msg);
	/* the extended container (3) and its logical partition (5) are not listed */
	T_CHECK(!strcmp(parts_text(pt, n), "1 a1b2c3d4-01\n2 a1b2c3d4-02\n"), "%.200s", parts_text(pt, n));
	T_CHECK(strstr(partx_says("mbr.img"), "1 a1b2c3d4-01\n2 a1b2c3d4-02\n"), "partx: %.200s",
		partx_says("mbr.img"));
	T_CHECK(td_uuid_eq(pt[1].partuuid, "A1B2C3D4-02"), "match");

	T_CHECK(td_mbr_parts(s0, 511, pt, TD_MAX_PARTS, &n, &gpt, &e) == -1 && strstr(e.msg, "511 bytes"),
		"%.200s", e.msg);
	s0[446 + 16] = 0x81;
	T_CHECK(td_mbr_parts(s0, sizeof s0, pt, TD_MAX_PARTS, &n, &gpt, &e) == -1 &&
			!strcmp(e.msg, "no MBR partition table (entry 2 has boot flag 0x81)"), "%.200s", e.msg);
	s0[446 + 16] = 0x80;
	s0[511] = 0;
	T_CHECK(td_mbr_parts(s0, sizeof s0, pt, TD_MAX_PARTS, &n, &gpt, &e) == -1 &&
			strstr(e.msg, "no partition table"), "%.200s", e.msg);
	s0[511] = 0xaa;
	T_CHECK(td_mbr_parts(s0, sizeof s0, pt, 1, &n, &gpt, &e) == -1 && !strcmp(e.msg, "more than 1 partitions"),
		"%.200s", e.msg);
	/* a whole-disk ext4 has no table */
	if (!sh("cd %s && rm -f fs.img && mke2fs -q -F -t ext4 fs.img 4M >/dev/null 2>&1", dir, "") &&
	    !read_at("fs.img", 0, s0, sizeof s0))
		T_CHECK(td_mbr_parts(s0, sizeof s0, pt, TD_MAX_PARTS, &n, &gpt, &e) == -1, "ext4 is no MBR");
}

static int tools_present(void)
{
	static const char *const tools[] = { "mke2fs", "sfdisk", "blkid", "partx", "truncate" };
	char cmd[128];

	for (size_t i = 0; i < sizeof tools / sizeof tools[0]; i++) {
		snprintf(cmd, sizeof cmd, "command -v %s >/dev/null 2>&1", tools[i]);
		if (system(cmd)) {
			snprintf(tool_missing, sizeof tool_missing,
				 "%s not found: install e2fsprogs, fdisk, util-linux (scripts/deps.sh)", tools[i]);
			return 0;
		}
	}
	return 1;
}

static void test_tools(void)
{
	T_CHECK(tool_missing[0] == '\0', "%s", tool_missing);
}

int main(int argc, char **argv)
{
	T_ARGS(argc, argv);
	const char *path = getenv("PATH");
	char newpath[1024];

	snprintf(newpath, sizeof newpath, "%s:/sbin:/usr/sbin", path ? path : "/bin:/usr/bin");
	setenv("PATH", newpath, 1);
	T_RUN(test_crc32);
	T_RUN(test_uuid_eq);
	if (!tools_present()) {
		T_RUN(test_tools); /* a failure, never a silent skip */
		T_END();
	}
	snprintf(dir, sizeof dir, "/tmp/td-blkid-XXXXXX");
	if (!mkdtemp(dir)) {
		printf("FAIL %s/setup: mkdtemp failed\n", T_SUITE);
		return 1;
	}
	T_RUN(test_ext_real);
	T_RUN(test_ext_bad);
	T_RUN(test_ext_label_escaped);
	T_RUN(test_gpt_real);
	T_RUN(test_gpt_bad);
	T_RUN(test_mbr_real);
	sh("rm -rf %s%s", dir, "");
	T_END();
}
