/* Identifying a block device from bytes the caller read from it, as blkid
 * and the kernel's root=PARTUUID= do: ext2/3/4 label and UUID, GPT and MBR
 * partition UUIDs. Pure: no system calls, no allocation. Every length and
 * field is checked; garbage gives an error, never a guess. */
#ifndef TD_BLKID_H
#define TD_BLKID_H

#include <stddef.h>
#include <stdint.h>

#include "os/err.h"

/* ---- ext2/3/4: the superblock, TD_EXT_SB_SIZE bytes at TD_EXT_SB_OFF ---- */
#define TD_EXT_SB_OFF 1024
#define TD_EXT_SB_SIZE 1024

struct td_fsid {
	char type[5];   /* "ext2", "ext3" or "ext4", by features as blkid says */
	char label[17]; /* the volume name, NUL-terminated; may be "" */
	/* label for logs and messages: bytes outside printable ASCII, and '\',
	 * as \xNN, so a hostile label cannot drive the console */
	char label_shown[16 * 4 + 1];
	char uuid[37];  /* canonical lowercase 8-4-4-4-12 */
};

/* Fails unless sb holds a plausible ext superblock: magic 0xEF53, sane
 * geometry, and a valid checksum when metadata_csum is on. */
int td_blkid_ext(const uint8_t *sb, size_t len, struct td_fsid *id, struct td_err *e);

/* ---- partition tables ---- */

/* One partition: its 1-based number (sda1 is 1) and PARTUUID text: the
 * GPT unique partition GUID in lowercase 8-4-4-4-12, or "SSSSSSSS-PP" for
 * MBR (disk signature, partition number; what root=PARTUUID= takes). */
struct td_part {
	unsigned num;
	char partuuid[37];
};
#define TD_MAX_PARTS 128

/* GPT, first step: the header sector (LBA 1; pass the whole logical
 * sector). Checks signature, revision, header size, header CRC32, that it
 * is the primary header, and the entry array's geometry. */
struct td_gpt {
	uint64_t entries_lba;  /* where the entry array starts, in sectors */
	uint32_t nentries;
	uint32_t entry_size;   /* 128 << n */
	uint32_t entries_crc;
	char disk_guid[37];
};
int td_gpt_header(const uint8_t *hdr, size_t len, struct td_gpt *g, struct td_err *e);

/* Bytes the caller reads at entries_lba: nentries * entry_size (at most
 * 1 MiB: td_gpt_header refuses more). */
static inline size_t td_gpt_array_size(const struct td_gpt *g)
{
	return (size_t)g->nentries * g->entry_size;
}

/* GPT, second step: check the entry array's CRC32 and list the used
 * entries (type GUID not zero), at most cap (more is an error). */
int td_gpt_parts(const struct td_gpt *g, const uint8_t *ents, size_t len, struct td_part *out,
		 size_t cap, size_t *n, struct td_err *e);

/* MBR: sector 0 (at least 512 bytes). Lists the primary partitions with a
 * size, except extended containers (their logical partitions live in
 * other sectors and are not read). *gpt is set when the table is a
 * protective MBR (type 0xee): the caller should then read the GPT. */
int td_mbr_parts(const uint8_t *s0, size_t len, struct td_part *out, size_t cap, size_t *n, int *gpt,
		 struct td_err *e);

/* UUID / PARTUUID text equality, ignoring ASCII case. Labels compare
 * exactly (strcmp), as blkid does. */
int td_uuid_eq(const char *a, const char *b);

/* CRC-32 (IEEE 802.3, the GPT and zlib one): td_crc32(0, buf, len). */
uint32_t td_crc32(uint32_t crc, const uint8_t *p, size_t n);

#endif
