/* Module closure for `tinydump initramfs` (init/modclosure.c, init/modinfo.c)
 * and the newc writer (init/cpio.c), against texts shaped like Debian's. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "t.h"
#define T_SUITE "modclosure"

#include "init/cpio.h"
#include "init/modclosure.h"
#include "init/modinfo.h"

static struct td_mod mods[64];

static void db_init(struct td_moddb *db)
{
	memset(db, 0, sizeof *db);
	db->mod = mods;
	db->cap = 64;
}

/* The order as "a b c". */
static void order(const struct td_moddb *db, const int *out, unsigned n, char *s, size_t cap)
{
	s[0] = '\0';
	for (unsigned i = 0; i < n; i++)
		snprintf(s + strlen(s), cap - strlen(s), "%s%s", i ? " " : "", db->mod[out[i]].name);
}

/* Debian 12 generic: ext4 needs jbd2, mbcache, crc16; crc32c only as a
 * softdep, which is an alias of crc32c_generic (and of crc32c_intel). */
static const char dep[] =
	"kernel/fs/ext4/ext4.ko: kernel/fs/jbd2/jbd2.ko kernel/fs/mbcache.ko kernel/lib/crc16.ko\n"
	"kernel/fs/jbd2/jbd2.ko:\n"
	"kernel/fs/mbcache.ko:\n"
	"kernel/lib/crc16.ko:\n"
	"kernel/crypto/crc32c_generic.ko:\n"
	"kernel/arch/x86/crypto/crc32c-intel.ko:\n"
	"kernel/drivers/virtio/virtio_blk.ko: kernel/drivers/virtio/virtio.ko kernel/drivers/virtio/virtio_ring.ko\n"
	"kernel/drivers/virtio/virtio.ko: kernel/drivers/virtio/virtio_ring.ko\n"
	"kernel/drivers/virtio/virtio_ring.ko:\n";
static const char softdep[] =
	"# Soft dependencies extracted from modules themselves.\n"
	"softdep ext4 pre: crc32c\n"
	"softdep cifs gcm\n";
static const char alias[] =
	"alias crypto-crc32c crc32c_generic\nalias crc32c crc32c_generic\n"
	"alias crc32c crc32c_intel\nalias cpu:type:x86*feature:*0094* crc32c_intel\n"
	"alias virtio:d00000002v* virtio_blk\n";

static void load_generic(struct td_moddb *db)
{
	struct td_err e;

	db_init(db);
	T_CHECK(td_moddb_dep(db, dep, sizeof dep - 1, &e) == 0, "%s", e.msg);
	T_CHECK(td_moddb_softdep(db, softdep, sizeof softdep - 1, &e) == 0, "%s", e.msg);
	T_CHECK(td_moddb_alias(db, alias, sizeof alias - 1, &e) == 0, "%s", e.msg);
	db->all_info = 1;
}

static void modname_rules(void)
{
	char n[64];

	T_CHECK(td_modname("kernel/arch/x86/crypto/crc32c-intel.ko", n, sizeof n) == 0 &&
		!strcmp(n, "crc32c_intel"), "got %s", n);
	T_CHECK(td_modname("kernel/drivers/block/virtio_blk.ko.xz", n, sizeof n) == 0 &&
		!strcmp(n, "virtio_blk"), "got %s", n);
	T_CHECK(td_modname("nvme-core.ko.zst", n, sizeof n) == 0 && !strcmp(n, "nvme_core"), "got %s", n);
	T_CHECK(td_modname(".ko", n, sizeof n) < 0, "empty name accepted");
}

static void ext4_gets_softdep(void)
{
	static struct td_moddb db;
	const char *want[] = { "ext4", "virtio-blk" };
	int out[16];
	unsigned n = 0;
	char s[256];
	struct td_err e;

	load_generic(&db);
	int r = td_modclose(&db, want, 2, out, 16, &n, &e);

	T_REQUIRE(r == 0, "%s", e.msg);
	order(&db, out, n, s, sizeof s);
	/* crc32c resolves to crc32c_generic (first by name), loaded before ext4. */
	T_CHECK(!strcmp(s, "crc32c_generic jbd2 mbcache crc16 ext4 virtio_ring virtio virtio_blk"),
		"order '%s' n %u", s, n);
}

static void builtins_skipped(void)
{
	static struct td_moddb db;
	static const char builtin[] = "kernel/fs/ext4/ext4.ko\nkernel/fs/jbd2/jbd2.ko\n";
	static const char bmodinfo[] = "crc32c_generic.alias=crc32c\0crc32c_generic.license=GPL\0";
	const char *want[] = { "ext4", "virtio_blk" };
	int out[16];
	unsigned n = 0;
	char s[256];
	struct td_err e;

	db_init(&db);
	T_CHECK(td_moddb_builtin(&db, builtin, sizeof builtin - 1, &e) == 0, "%s", e.msg);
	T_CHECK(td_moddb_builtin_modinfo(&db, bmodinfo, sizeof bmodinfo - 1, &e) == 0, "%s", e.msg);
	T_CHECK(td_moddb_dep(&db, "kernel/drivers/virtio/virtio_blk.ko:\n", 36, &e) == 0, "%s", e.msg);
	T_CHECK(td_moddb_softdep(&db, "softdep virtio_blk pre: crc32c\n", 31, &e) == 0, "%s", e.msg);
	db.all_info = 1;
	int r = td_modclose(&db, want, 2, out, 16, &n, &e);

	T_REQUIRE(r == 0, "%s", e.msg);
	order(&db, out, n, s, sizeof s);
	T_CHECK(!strcmp(s, "virtio_blk"), "order %s (built-ins and built-in aliases left out)", s);
}

static void missing_is_an_error(void)
{
	static struct td_moddb db;
	const char *want[] = { "nvme" };
	int out[16];
	unsigned n;
	struct td_err e;

	load_generic(&db);
	T_CHECK(td_modclose(&db, want, 1, out, 16, &n, &e) < 0 && strstr(e.msg, "nvme"), "no error");
	db_init(&db);
	T_CHECK(td_moddb_dep(&db, "a.ko: b.ko\n", 11, &e) == 0, "%s", e.msg);
	db.mod[td_moddb_find(&db, "b")].path[0] = '\0';
	want[0] = "a";
	T_CHECK(td_modclose(&db, want, 1, out, 16, &n, &e) < 0 && strstr(e.msg, "b"), "missing dependency accepted");
	T_CHECK(td_moddb_dep(&db, "no colon here\n", 14, &e) < 0 && strstr(e.msg, "line 1"), "bad line accepted");
}

/* A minimal ELF64 relocatable with a .modinfo section. */
static size_t mkelf(uint8_t *b, const char *info, size_t ilen)
{
	static const char shstr[] = "\0.modinfo\0.shstrtab";
	size_t off_info = 64, off_str = off_info + ilen, shoff = (off_str + sizeof shstr + 7) & ~7ul;
	uint8_t *sh = b + shoff;

	memset(b, 0, shoff + 3 * 64);
	memcpy(b, "\177ELF\2\1\1", 7);
	b[16] = 1, b[18] = 62;
	memcpy(b + 40, &shoff, 8);
	b[58] = 64, b[60] = 3, b[62] = 2;
	memcpy(b + off_info, info, ilen);
	memcpy(b + off_str, shstr, sizeof shstr);
	sh[64 + 0] = 1, sh[64 + 4] = 1;
	memcpy(sh + 64 + 24, &off_info, 8), memcpy(sh + 64 + 32, &ilen, 8);
	sh[128 + 0] = 10, sh[128 + 4] = 3;
	size_t sl = sizeof shstr;
	memcpy(sh + 128 + 24, &off_str, 8), memcpy(sh + 128 + 32, &sl, 8);
	return shoff + 3 * 64;
}

static void modinfo_from_elf(void)
{
	static const char info[] = "license=GPL\0depends=jbd2,mbcache,crc16\0softdep=pre: crc32c\0"
				   "alias=fs-ext4\0alias=ext3\0alias=devname:foo*\0";
	static uint8_t elf[1024];
	static struct td_moddb db;
	size_t len = mkelf(elf, info, sizeof info - 1), n, vn, pos = 0;
	const char *mi, *v;
	struct td_err e;
	int i;

	int r = td_modinfo_find(elf, len, &mi, &n, &e);

	T_REQUIRE(r == 0, "%s", e.msg);
	T_CHECK((v = td_modinfo_next(mi, n, &pos, "depends", &vn)) && vn == 18 && !memcmp(v, "jbd2,", 5),
		"depends not found");
	db_init(&db);
	i = td_moddb_add(&db, "kernel/fs/ext4/ext4.ko", &e);
	r = i < 0 ? -1 : td_moddb_modinfo(&db, i, mi, n, &e);
	T_REQUIRE(r == 0, "%s", e.msg);
	T_CHECK(!strcmp(db.mod[i].deps, "jbd2 mbcache crc16"), "deps '%s'", db.mod[i].deps);
	T_CHECK(!strcmp(db.mod[i].pre, "crc32c"), "pre '%s'", db.mod[i].pre);
	T_CHECK(!strcmp(db.mod[i].alias, "fs-ext4 ext3"), "aliases '%s' (wildcards dropped)", db.mod[i].alias);
	/* Strictness: every truncation is refused, never read past. */
	for (size_t cut = 0; cut < len; cut += 7)
		T_CHECK(td_modinfo_find(elf, cut, &mi, &n, &e) < 0, "truncated at %zu accepted", cut);
	elf[4] = 1;
	T_CHECK(td_modinfo_find(elf, len, &mi, &n, &e) < 0 && strstr(e.msg, "64-bit"), "ELF32 accepted");
}

/* Without modules.dep: the callback fills dependencies from .modinfo. */
static int fake_info(void *ctx, struct td_moddb *db, int i, struct td_err *e)
{
	static const char a[] = "depends=b\0softdep=post: c\0", b[] = "depends=\0", c[] = "alias=cee\0";
	const char *t = i < 0 ? NULL : db->mod[i].name;

	(*(int *)ctx)++;
	if (i < 0) {
		for (unsigned k = 0; k < db->n; k++)
			if (!db->mod[k].known && fake_info(ctx, db, (int)k, e) < 0)
				return -1;
		return 0;
	}
	if (!strcmp(t, "a"))
		return td_moddb_modinfo(db, i, a, sizeof a - 1, e);
	return td_moddb_modinfo(db, i, !strcmp(t, "b") ? b : c, !strcmp(t, "b") ? sizeof b - 1 : sizeof c - 1, e);
}

static void without_modules_dep(void)
{
	static struct td_moddb db;
	const char *want[] = { "a" };
	int out[8], calls = 0;
	unsigned n;
	char s[64];
	struct td_err e;

	db_init(&db);
	db.info = fake_info, db.ctx = &calls;
	T_CHECK(td_moddb_add(&db, "x/a.ko", &e) >= 0, "%s", e.msg);
	T_CHECK(td_moddb_add(&db, "x/b.ko", &e) >= 0, "%s", e.msg);
	T_CHECK(td_moddb_add(&db, "y/cmod.ko.xz", &e) >= 0, "%s", e.msg);
	db.mod[2].known = 0;
	/* c is reachable only through the alias "cee" of cmod. */
	strcpy(db.mod[0].name, "a");
	int r = td_modclose(&db, want, 1, out, 8, &n, &e);

	T_REQUIRE(r == 0, "%s", e.msg);
	order(&db, out, n, s, sizeof s);
	T_CHECK(!strcmp(s, "b a"), "order %s (post softdep c names nothing: skipped)", s);
}

static int put_buf(void *ctx, const void *p, size_t n, struct td_err *e)
{
	struct { uint8_t b[512]; size_t n; } *o = ctx;

	if (o->n + n > sizeof o->b)
		return td_fail(e, "full");
	memcpy(o->b + o->n, p, n);
	o->n += n;
	return 0;
}

static void cpio_known_bytes(void)
{
	static struct { uint8_t b[512]; size_t n; } o;
	struct td_cpio c = { .put = put_buf, .ctx = &o };
	struct td_cpio_entry f = { .name = "/init/", .mode = 0100755 };
	struct td_err e;

	static const char want[] = "07070100000001000081ED0000000000000000000000010000000000000002"
				   "000000000000000000000000000000000000000500000000init\0\0ab\0\0";
	int r = td_cpio_entry(&c, &f, "ab", 2, &e);

	r = r ? r : td_cpio_trailer(&c, &e);
	T_REQUIRE(r == 0, "%s", e.msg);
	/* 110-byte header, "init\0" padded to 116, 2 data bytes padded to 120. */
	T_CHECK(sizeof want - 1 == 120 && !memcmp(o.b, want, 120), "header bytes");
	T_CHECK(o.n % 4 == 0 && !memcmp(o.b + 120 + 110, "TRAILER!!!", 10), "trailer at %zu", o.n);
}

int main(int argc, char **argv)
{
	T_ARGS(argc, argv);
	T_RUN(modname_rules);
	T_RUN(ext4_gets_softdep);
	T_RUN(builtins_skipped);
	T_RUN(missing_is_an_error);
	T_RUN(modinfo_from_elf);
	T_RUN(without_modules_dep);
	T_RUN(cpio_known_bytes);
	T_END();
}
