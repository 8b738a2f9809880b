/* capture/dmesg.c against makedumpfile 1.7.2 --dump-dmesg, the real
 * oracle, on synthetic vmcores from tests/vmgen: the ELF files, and the
 * kdump files makedumpfile makes from them (where a direct-map ring is
 * reachable only through the page-table walker). Skipped when makedumpfile
 * is not installed. */
#define T_SUITE "dmesg_oracle"
#include <fcntl.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "capture/dmesg.h"
#include "capture/readstack.h"
#include "t.h"
#include "vmgen.c"

#define ID_MASK (~0ull >> 2)

static struct td_dmesg dm;
static struct td_err err;

struct out {
	char *buf;
	size_t cap, len;
};

static int out_write(void *ctx, uint64_t off, const void *buf, size_t len, struct td_err *e)
{
	struct out *o = ctx;

	if (off != o->len || len > o->cap - o->len)
		return td_fail(e, "test sink: write of %zu at %llu", len, (unsigned long long)off);
	memcpy(o->buf + o->len, buf, len);
	o->len += len;
	return 0;
}

static struct out out;

/* --- makedumpfile as the oracle, on vmgen vmcores ---
 * A 64 MiB machine whose 6.1 VMCOREINFO (vmgen's) puts SYMBOL(prb) in the
 * kernel image; phys_base moves the image to pa 0. The ring is static (in
 * the image) or dynamic (in the direct map, as with log_buf_len=). The
 * records cover escapes, 8-bit bytes, newlines, an empty text, NULs, a
 * reserved-looking committed record, data blocks that wrap and ids that
 * cross the 62-bit id mask. */
#define VG_PHYS_BASE (-0x3a000000ll)
#define VG_KVA(pa) (0xffffffff80000000ull + (pa) - (uint64_t)VG_PHYS_BASE)

struct vg_ring {
	struct vmgen *g;
	uint64_t count, size, descs, infos, data, head_lpos, next_id;
};

static void vg_add(struct vg_ring *r, uint64_t ts, const char *t, size_t len, unsigned state)
{
	uint64_t id = r->next_id, slot = id & (r->count - 1), blk = (8 + len + 7) & ~7ull;
	uint64_t begin = r->head_lpos, next = begin + blk;
	uint8_t in[88] = {0};

	vmgen_put64(r->g, r->data + (begin & (r->size - 1)), id);
	if (begin / r->size != next / r->size) {
		next = next / r->size * r->size + blk;
		vmgen_put64(r->g, r->data, id);
	}
	vmgen_write_phys(r->g, r->data + ((next - blk) & (r->size - 1)) + 8, t, len);
	vmgen_put64(r->g, r->descs + slot * 24, (uint64_t)state << 62 | id);
	vmgen_put64(r->g, r->descs + slot * 24 + 8, begin);
	vmgen_put64(r->g, r->descs + slot * 24 + 16, next);
	td_put_le64(in, id);
	td_put_le64(in + 8, ts);
	td_put_le16(in + 16, (uint16_t)len);
	vmgen_write_phys(r->g, r->infos + slot * 88, in, 88);
	r->head_lpos = next;
	r->next_id = (id + 1) & ID_MASK;
}

static const char *const vg_msgs[] = {
	"Linux version 6.1.192 (vmgen)", "tab\there, cr\r, vt\v, ff\f", "multi\nline\nmessage",
	"utf8 \xc3\xa9\xe2\x82\xac, ctl \x01\x1b[0m, del \x7f", "trailing newline\n", "",
	"nul \0 inside", "a longer message to push the data ring round its end aaaaaaaaaaaaaaaaaaaa",
	"x", "wrap me bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb",
	"another cccccccccccccccccccccccccccccccccccccccccccccccc", "sysrq: Trigger a crash",
};

/* Descriptors at pa `at` (infos +4 KiB, 512-byte data ring +12 KiB). */
static void vg_ring_build(struct vmgen *g, uint64_t prb_va, uint64_t ring_pa, uint64_t at, uint64_t at_va)
{
	struct vg_ring r = { g, 16, 512, at, at + 0x1000, at + 0x3000, 0, ID_MASK - 5 };
	uint64_t first = r.next_id, begins[12];
	uint8_t s[88] = {0};
	unsigned keep = 12;

	vmgen_put64(g, 0xffffffffbae33f90ull - VG_KVA(0), prb_va);     /* SYMBOL(prb) */
	for (uint64_t i = 0; i < r.count; i++)
		vmgen_put64(g, r.descs + i * 24, 3ull << 62 | ((i + 5) & ID_MASK));
	for (unsigned i = 0; i < 12; i++) {
		size_t len = i == 6 ? 13 : strlen(vg_msgs[i]);

		begins[i] = r.head_lpos;
		vg_add(&r, (uint64_t)i * 1234567891ull + 17, vg_msgs[i], len, i == 3 ? 1 : 2);
	}
	while (keep > 0 && r.head_lpos - begins[12 - keep] > r.size)
		keep--;
	td_put_le32(s, 4);
	td_put_le64(s + 8, at_va);
	td_put_le64(s + 16, at_va + 0x1000);
	td_put_le64(s + 24, (r.next_id - 1) & ID_MASK);
	td_put_le64(s + 32, (first + 12 - keep) & ID_MASK);
	td_put_le32(s + 48, 9);
	td_put_le64(s + 56, at_va + 0x3000);
	vmgen_write_phys(g, ring_pa, s, sizeof s);
}

static void vg_machine(const char *path, int dynamic)
{
	struct vmgen *g = vmgen_new();
	uint64_t uts = 0xffffffffbaec5f40ull - VG_KVA(0);

	g->phys_base = VG_PHYS_BASE;
	vmgen_ram(g, 0, 64 << 20);
	vmgen_kernel_text(g, 0, 32 << 20);
	vmgen_pool(g, 40 << 20, 8 << 20);
	vmgen_pt_init(g);
	vmgen_map_direct(g);
	vmgen_map(g, VG_KVA(0), 0, 32 << 20, 2 << 20);
	vmgen_sparse(g, 0, 16384, 2 << 20);
	vmgen_vmcoreinfo_std(g, 0);
	vmgen_write_phys(g, uts, "Linux", 6);
	vmgen_write_phys(g, uts + 130, "6.1.192", 8);
	vmgen_write_phys(g, uts + 260, "x86_64", 7);
	if (dynamic)     /* a log_buf_len= buffer: memblock memory, direct map */
		vg_ring_build(g, g->page_offset + (50 << 20), 50 << 20, (50 << 20) + 0x1000,
			      g->page_offset + (50 << 20) + 0x1000);
	else             /* printk_rb_static and its arrays in the image */
		vg_ring_build(g, 0xffffffffbae33fa0ull, 0xffffffffbae33fa0ull - VG_KVA(0), 0x1000000,
			      VG_KVA(0x1000000));
	vmgen_write(g, path);
	vmgen_free(g);
}

/* Everything `tinydump dmesg` does, in process, on a file: the same read
 * stack (capture/readstack.h). */
static struct td_readstack vg_rs;
static struct td_kdump vg_kd;
static struct td_walker vg_walk;

static int dmesg_file(const char *path)
{
	int fd = open(path, O_RDONLY), rc = -1;
	struct stat st;
	struct td_membuf mb;
	struct td_source src;
	struct td_warnings w = { 0 };
	uint8_t *map;

	if (fd < 0 || fstat(fd, &st) < 0 || (map = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0)) == MAP_FAILED)
		return td_fail(&err, "cannot map %s", path);
	mb.data = map;
	mb.size = (uint64_t)st.st_size;
	td_source_mem(&src, &mb);
	if (td_readstack_open(&vg_rs, &src, &vg_kd, &vg_walk, &w, &err) == 0) {
		out.len = 0;
		rc = td_dmesg_write(&dm, &vg_rs.kread, &vg_rs.vi, &(struct td_sink){ &out, out_write, NULL }, &err);
	}
	td_readstack_close(&vg_rs);
	munmap(map, (size_t)st.st_size);
	close(fd);
	return rc;
}

static int sh(const char *cmd)
{
	int rc = system(cmd);

	return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
}

/* makedumpfile --dump-dmesg FILE vs dmesg_file(FILE). */
static void oracle_one(const char *dir, const char *file, const char *what)
{
	char cmd[512], path[256], *want = malloc(1 << 20);
	FILE *f;
	size_t n = 0;

	snprintf(path, sizeof path, "%s/%s", dir, file);
	snprintf(cmd, sizeof cmd, "makedumpfile --dump-dmesg %s %s.md >/dev/null 2>&1", path, path);
	T_CHECK(sh(cmd) == 0, "%s: makedumpfile --dump-dmesg failed", what);
	snprintf(cmd, sizeof cmd, "%s.md", path);
	if ((f = fopen(cmd, "rb"))) {
		n = fread(want, 1, (1 << 20) - 1, f);
		fclose(f);
	}
	want[n] = '\0';
	if (!out.buf) {
		out.cap = 1u << 20;
		out.buf = malloc(out.cap);
	}
	T_CHECK(dmesg_file(path) == 0, "%s: %s", what, err.msg);
	T_CHECK(n > 200 && strstr(want, "sysrq: Trigger a crash") && strstr(want, "\\xffffffc3"),
		"%s: makedumpfile gave <%s>", what, want);
	T_CHECK(out.len == n && !memcmp(out.buf, want, n), "%s: differs from makedumpfile:\n<%.*s>\nwant\n<%s>",
		what, (int)out.len, out.buf, want);
	free(want);
}

static void makedumpfile_oracle(void)
{
	char dir[] = "/tmp/td-dmesg-XXXXXX", cmd[512];

	if (!mkdtemp(dir)) {
		T_CHECK(0, "mkdtemp failed");
		return;
	}
	for (int dyn = 0; dyn < 2; dyn++) {
		char elf[300];
		const char *tag = dyn ? "dynamic" : "static";

		snprintf(elf, sizeof elf, "%s/%s.elf", dir, tag);
		vg_machine(elf, dyn);
		oracle_one(dir, dyn ? "dynamic.elf" : "static.elf", dyn ? "ELF, dynamic ring" : "ELF, static ring");
		/* makedumpfile's kdump file: the direct map needs the walker */
		snprintf(cmd, sizeof cmd, "makedumpfile -c -d 31 %s %s/%s.kdump >/dev/null 2>&1", elf, dir, tag);
		T_CHECK(sh(cmd) == 0, "makedumpfile -c -d 31 failed on the %s machine", tag);
		oracle_one(dir, dyn ? "dynamic.kdump" : "static.kdump", dyn ? "kdump, dynamic ring" : "kdump, static ring");
	}
	snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
	sh(cmd);
}

int main(int argc, char **argv)
{
	T_ARGS(argc, argv);
	if (sh("command -v makedumpfile >/dev/null 2>&1") == 0)
		T_RUN(makedumpfile_oracle);
	else
		T_SKIP(makedumpfile_oracle, "makedumpfile not installed");
	T_END();
}
