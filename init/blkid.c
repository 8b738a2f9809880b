/* Block-device identification from caller-read bytes. See blkid.h.
 * Layouts: ext4 superblock (fs/ext4/ext4.h), GPT (UEFI spec 2.10, 5.3,
 * and block/partitions/efi.c), MBR (block/partitions/msdos.c). */
#include <stdio.h>
#include <string.h>

#include "capture/io.h"
#include "blkid.h"

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

/* 16 bytes in order (RFC 4122 byte order), as ext4 stores s_uuid. */
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

/* \xNN for anything a terminal could take as a control sequence. */
static void shown(char *out, const char *s)
{
	static const char hex[] = "0123456789abcdef";

	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c >= 0x20 && c <= 0x7e && c != '\\') {
			*out++ = (char)c;
			continue;
		}
		*out++ = '\\';
		*out++ = 'x';
		*out++ = hex[c >> 4];
		*out++ = hex[c & 15];
	}
	*out = '\0';
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
	shown(id->label_shown, id->label);
	/* blkid reports no UUID for an all-zero one */
	if (td_zero(sb + 104, 16))
		id->uuid[0] = '\0';
	else
		td_uuid_text(sb + 104, id->uuid);
	return 0;
}

/* ---- GPT ---- */

/* The header CRC is taken with its own field (bytes 16..19) zero. */
static uint32_t td_gpt_header_crc(const uint8_t *h, uint32_t size)
{
	static const uint8_t zero[4];
	uint32_t crc = td_crc32(0, h, 16);

	crc = td_crc32(crc, zero, 4);
	return td_crc32(crc, h + 20, size - 20);
}

/* Where the entry array sits: after the header, before the usable area,
 * and no bigger than 1 MiB (128 entries of 128 bytes is 16 KiB). */
static int td_gpt_geometry(const uint8_t *h, size_t sector, struct td_gpt *g, struct td_err *e)
{
	uint64_t first = td_le64(h + 40), last = td_le64(h + 48), bytes, sectors;

	g->entries_lba = td_le64(h + 72);
	g->nentries = td_le32(h + 80);
	g->entry_size = td_le32(h + 84);
	g->entries_crc = td_le32(h + 88);
	if (g->entry_size < 128 || g->entry_size > 4096 || (g->entry_size & (g->entry_size - 1)))
		return td_fail(e, "GPT entry size %u is not 128 << n", g->entry_size);
	bytes = (uint64_t)g->nentries * g->entry_size;
	if (!g->nentries || bytes > 1u << 20)
		return td_fail(e, "GPT has %u entries of %u bytes: not 1 to 1 MiB of them", g->nentries,
			       g->entry_size);
	if (first > last)
		return td_fail(e, "GPT usable area %llu..%llu is empty", (unsigned long long)first,
			       (unsigned long long)last);
	sectors = (bytes + sector - 1) / sector;
	if (g->entries_lba < 2 || g->entries_lba > first || first - g->entries_lba < sectors)
		return td_fail(e, "GPT entry array at LBA %llu (%llu sectors) is not between the header and the usable area at LBA %llu",
			       (unsigned long long)g->entries_lba, (unsigned long long)sectors,
			       (unsigned long long)first);
	return 0;
}

int td_gpt_header(const uint8_t *h, size_t len, struct td_gpt *g, struct td_err *e)
{
	uint32_t size, want, got;

	if (len < 512 || len > 4096 || (len & (len - 1)))
		return td_fail(e, "GPT header sector is %zu bytes, not 512 to 4096 (a power of two)", len);
	if (memcmp(h, "EFI PART", 8))
		return td_fail(e, "no GPT (no \"EFI PART\" signature at LBA 1)");
	if (td_le32(h + 8) >> 16 != 1)
		return td_fail(e, "GPT revision 0x%08x is not 1.x", td_le32(h + 8));
	size = td_le32(h + 12);
	if (size < 92 || size > len)
		return td_fail(e, "GPT header size %u is not 92 to %zu bytes", size, len);
	want = td_le32(h + 16);
	got = td_gpt_header_crc(h, size);
	if (want != got)
		return td_fail(e, "GPT header CRC32 0x%08x does not match its content (0x%08x); corrupt",
			       want, got);
	if (td_le64(h + 24) != 1)
		return td_fail(e, "GPT header at LBA 1 says it is at LBA %llu",
			       (unsigned long long)td_le64(h + 24));
	if (td_gpt_geometry(h, len, g, e) < 0)
		return -1;
	td_guid_text(h + 56, g->disk_guid);
	return 0;
}

static int td_add_part(struct td_part *out, size_t cap, size_t *n, unsigned num, const char *uuid,
		       struct td_err *e)
{
	if (*n == cap)
		return td_fail(e, "more than %zu partitions", cap);
	out[*n].num = num;
	memcpy(out[*n].partuuid, uuid, 37);
	++*n;
	return 0;
}

int td_gpt_parts(const struct td_gpt *g, const uint8_t *ents, size_t len, struct td_part *out,
		 size_t cap, size_t *n, struct td_err *e)
{
	size_t need = td_gpt_array_size(g);
	char uuid[37];
	uint32_t i, crc;

	*n = 0;
	if (len < need)
		return td_fail(e, "GPT entry array is %zu bytes, need %zu", len, need);
	crc = td_crc32(0, ents, need);
	if (crc != g->entries_crc)
		return td_fail(e, "GPT entry array CRC32 0x%08x does not match the header's 0x%08x; corrupt",
			       crc, g->entries_crc);
	for (i = 0; i < g->nentries; i++) {
		const uint8_t *p = ents + (size_t)i * g->entry_size;

		/* Unused: a zero type GUID; an entry ending before it starts
		 * is no partition either. */
		if (td_zero(p, 16) || td_le64(p + 32) > td_le64(p + 40))
			continue;
		td_guid_text(p + 16, uuid);
		if (td_add_part(out, cap, n, i + 1, uuid, e) < 0)
			return -1;
	}
	return 0;
}

/* ---- MBR ---- */

static int td_mbr_extended(uint8_t type)
{
	return type == 0x05 || type == 0x0f || type == 0x85;
}

int td_mbr_parts(const uint8_t *s0, size_t len, struct td_part *out, size_t cap, size_t *n, int *gpt,
		 struct td_err *e)
{
	char uuid[37];
	int i;

	*n = 0;
	*gpt = 0;
	if (len < 512)
		return td_fail(e, "MBR sector is %zu bytes, need 512", len);
	if (s0[510] != 0x55 || s0[511] != 0xaa)
		return td_fail(e, "no partition table (no 0x55aa signature in sector 0)");
	/* As msdos_partition(): a boot flag other than 0 or 0x80 means this
	 * is some boot sector, not a partition table. */
	for (i = 0; i < 4; i++)
		if (s0[446 + 16 * i] & 0x7f)
			return td_fail(e, "no MBR partition table (entry %d has boot flag 0x%02x)", i + 1,
				       s0[446 + 16 * i]);
	for (i = 0; i < 4; i++)
		if (s0[446 + 16 * i + 4] == 0xee)
			*gpt = 1;
	if (*gpt)
		return 0;
	for (i = 0; i < 4; i++) {
		const uint8_t *p = s0 + 446 + 16 * i;

		if (!td_le32(p + 12) || td_mbr_extended(p[4]))
			continue;
		snprintf(uuid, sizeof uuid, "%08x-%02x", td_le32(s0 + 440), i + 1);
		if (td_add_part(out, cap, n, (unsigned)i + 1, uuid, e) < 0)
			return -1;
	}
	return 0;
}
