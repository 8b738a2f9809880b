/* Block-device identification from caller-read bytes. See blkid.h.
 * Layouts: ext4 superblock (fs/ext4/ext4.h), GPT (UEFI spec 2.10, 5.3,
 * and block/partitions/efi.c), MBR (block/partitions/msdos.c). */
#include <stdio.h>
#include <string.h>

#include "blkid.h"
#include "io.h"

/* Reflected CRC, one bit at a time: the inputs here are a few KB. */
static uint32_t td_crc_refl(uint32_t poly, uint32_t crc, const uint8_t *p, size_t n)
{
	int k;

	while (n--) {
		crc ^= *p++;
		for (k = 0; k < 8; k++)
			crc = crc >> 1 ^ (poly & (0u - (crc & 1)));
	}
	return crc;
}

uint32_t td_crc32(uint32_t crc, const uint8_t *p, size_t n)
{
	return ~td_crc_refl(0xedb88320u, ~crc, p, n);
}

/* ext4's crc32c: seed ~0 and no final inversion (ext4_chksum()). */
static uint32_t td_ext4_crc32c(const uint8_t *p, size_t n)
{
	return td_crc_refl(0x82f63b78u, 0xffffffffu, p, n);
}

/* 16 bytes in order, as ext4 and the MBR-less world print UUIDs. */
static void td_uuid_text(const uint8_t *u, char out[37])
{
	snprintf(out, 37, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
		 u[0], u[1], u[2], u[3], u[4], u[5], u[6], u[7], u[8], u[9], u[10], u[11], u[12],
		 u[13], u[14], u[15]);
}

/* An EFI GUID: the first three fields are little-endian. */
static void td_guid_text(const uint8_t *g, char out[37])
{
	uint8_t u[16] = { g[3], g[2], g[1], g[0], g[5], g[4], g[7], g[6] };

	memcpy(u + 8, g + 8, 8);
	td_uuid_text(u, out);
}

static int td_zero(const uint8_t *p, size_t n)
{
	while (n--)
		if (*p++)
			return 0;
	return 1;
}

int td_uuid_eq(const char *a, const char *b)
{
	for (; *a && *b; a++, b++) {
		char x = *a >= 'A' && *a <= 'Z' ? (char)(*a + 32) : *a;
		char y = *b >= 'A' && *b <= 'Z' ? (char)(*b + 32) : *b;

		if (x != y)
			return 0;
	}
	return *a == *b;
}

/* ---- ext2/3/4 ---- */

enum {
	TD_EXT_MAGIC = 0xef53,
	TD_EXT_COMPAT_HAS_JOURNAL = 0x4,
	TD_EXT_INCOMPAT_JOURNAL_DEV = 0x8,
	TD_EXT_INCOMPAT_64BIT = 0x80,
	TD_EXT_RO_COMPAT_METADATA_CSUM = 0x400,
	/* What ext2/ext3 know (libblkid's EXT3_FEATURE_*_SUPP): anything
	 * else makes the filesystem ext4. */
	TD_EXT3_INCOMPAT = 0x2 | 0x4 | 0x10,  /* filetype, recover, meta_bg */
	TD_EXT3_RO_COMPAT = 0x1 | 0x2 | 0x4,  /* sparse_super, large_file, btree_dir */
};

static int td_ext_geometry(const uint8_t *sb, struct td_err *e)
{
	uint64_t blocks = td_le32(sb + 4);
	uint32_t log_bs = td_le32(sb + 24), rev = td_le32(sb + 76);

	if (td_le32(sb + 96) & TD_EXT_INCOMPAT_64BIT)
		blocks |= (uint64_t)td_le32(sb + 0x150) << 32;
	if (log_bs > 6)
		return td_fail(e, "ext superblock: block size 2^%u is over 64 KiB", 10 + log_bs);
	if (rev > 1)
		return td_fail(e, "ext superblock: revision %u is unknown", rev);
	if (!td_le32(sb + 0) || !blocks || !td_le32(sb + 32) || !td_le32(sb + 40))
		return td_fail(e, "ext superblock: zero inodes, blocks or group sizes");
	if (td_le32(sb + 20) >= blocks)
		return td_fail(e, "ext superblock: first data block %u is past the %llu blocks",
			       td_le32(sb + 20), (unsigned long long)blocks);
	return 0;
}

static int td_ext_csum(const uint8_t *sb, struct td_err *e)
{
	uint32_t want, got;

	if (!(td_le32(sb + 100) & TD_EXT_RO_COMPAT_METADATA_CSUM))
		return 0;
	if (sb[0x175] != 1)
		return td_fail(e, "ext superblock: checksum type %u is not crc32c", sb[0x175]);
	want = td_le32(sb + 0x3fc);
	got = td_ext4_crc32c(sb, 0x3fc);
	if (want != got)
		return td_fail(e, "ext superblock: checksum 0x%08x does not match its content (0x%08x); corrupt",
			       want, got);
	return 0;
}

int td_blkid_ext(const uint8_t *sb, size_t len, struct td_fsid *id, struct td_err *e)
{
	uint32_t compat, incompat, ro;

	if (len < TD_EXT_SB_SIZE)
		return td_fail(e, "ext superblock: %zu bytes, need %d", len, TD_EXT_SB_SIZE);
	if (td_le16(sb + 56) != TD_EXT_MAGIC)
		return td_fail(e, "no ext2/3/4 filesystem (magic 0x%04x, not 0xef53)", td_le16(sb + 56));
	if (td_ext_geometry(sb, e) < 0 || td_ext_csum(sb, e) < 0)
		return -1;
	compat = td_le32(sb + 92);
	incompat = td_le32(sb + 96);
	ro = td_le32(sb + 100);
	if (incompat & TD_EXT_INCOMPAT_JOURNAL_DEV)
		return td_fail(e, "an external ext journal, not a filesystem");
	if ((incompat & ~(uint32_t)TD_EXT3_INCOMPAT) || (ro & ~(uint32_t)TD_EXT3_RO_COMPAT))
		memcpy(id->type, "ext4", 5);
	else
		memcpy(id->type, compat & TD_EXT_COMPAT_HAS_JOURNAL ? "ext3" : "ext2", 5);
	memcpy(id->label, sb + 120, 16);
	id->label[16] = '\0';
	/* blkid reports no UUID for an all-zero one */
	if (td_zero(sb + 104, 16))
		id->uuid[0] = '\0';
	else
		td_uuid_text(sb + 104, id->uuid);
	return 0;
}
