/* mkseeds DIR: write the generated seed inputs of the fuzz targets into
 * DIR/<target>/ (fuzz/run.sh runs it; checked-in seeds live in
 * fuzz/corpus/<target>/). Deterministic; every seed is small:
 *   fuzz_elf         a vmgen vmcore with 2 pages of RAM, 2 CPUs, 6.1 VMCOREINFO
 *   fuzz_vmcoreinfo  vmgen's 6.1 VMCOREINFO text
 *   fuzz_dmesg       a memory image with an 8-record printk ring (wrapped
 *                    block, escapes, multi-line) at FUZZ_BASE
 *   fuzz_kdump       kdump files holding that ring in the kernel image
 *                    (static) and in the direct map behind page tables
 *                    (dynamic), zlib pages
 *   fuzz_flat        the static kdump seed as a flattened stream, and an
 *                    empty stream
 *   fuzz_dhcp        a slirp-like ACK (10.0.2.15/24, router 10.0.2.2)
 *   fuzz_proto       a HELO body, an RPLY body, a TRLR-shaped input
 *   fuzz_config      a config file and a kernel command line
 *   fuzz_filter      a few pages: buddy, compound, a slab page, a table entry
 *   fuzz_blkid       an MBR with two partitions and a protective MBR */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <zlib.h>

#include "capture/flat.h"
#include "tests/prb_vi.h"
#include "tests/vmgen.h"

#define ID_MASK (~0ull >> 2)
#define FUZZ_BASE 0xffffffff82000000ull   /* fuzz_dmesg.c */
#define KMAP 0xffffffff80000000ull
#define DMAP 0xffff888000000000ull

static const char *outdir;

static void die(const char *what)
{
	perror(what);
	exit(1);
}

static void put(const char *target, const char *name, const void *p, size_t n)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof path, "%s/%s", outdir, target);
	mkdir(path, 0755);
	snprintf(path, sizeof path, "%s/%s/%s", outdir, target, name);
	if (!(f = fopen(path, "wb")) || fwrite(p, 1, n, f) != n || fclose(f))
		die(path);
}

/* --- a printk ring in one 4 KiB page whose virtual address is va --- */
static const char ring_vi[] = TD_PRB_VMCOREINFO;

enum { R_STRUCT = 0x10, R_DESCS = 0x80, R_INFOS = 0x140, R_DATA = 0x400, R_END = 0x500 };

static void le64(uint8_t *p, uint64_t v)
{
	for (int i = 0; i < 8; i++)
		p[i] = (uint8_t)(v >> 8 * i);
}

/* ring at page offset 0: the prb pointer (to va + R_STRUCT), then the
 * struct, 8 descriptors, 8 infos and a 256-byte data ring. */
static void ring(uint8_t *pg, uint64_t va)
{
	static const char *const msg[] = {
		"Linux version 6.1.192", "tab\there", "two\nlines", "8bit \xc3\xa9 \x01",
		"a longer one to wrap the small data ring aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
		"", "wrapping bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb", "sysrq: Trigger a crash",
	};
	uint64_t lpos = 0, id = ID_MASK - 2, size = 256;

	memset(pg, 0, 4096);
	le64(pg, va + R_STRUCT);
	for (int i = 0; i < 8; i++, id = (id + 1) & ID_MASK) {
		size_t len = strlen(msg[i]);
		uint64_t blk = (8 + len + 7) & ~7ull, begin = lpos, next = lpos + blk, at;
		uint8_t *d = pg + R_DESCS + (id & 7) * 24, *in = pg + R_INFOS + (id & 7) * 88;

		if (begin / size != next / size)
			next = next / size * size + blk;
		at = (next - blk) & (size - 1);
		le64(pg + R_DATA + at, id);
		memcpy(pg + R_DATA + at + 8, msg[i], len);
		le64(d, 2ull << 62 | id);
		le64(d + 8, begin);
		le64(d + 16, next);
		le64(in + 8, (uint64_t)i * 1000000123);
		in[16] = (uint8_t)len;
		lpos = next;
	}
	pg[R_STRUCT] = 3;                                  /* count_bits */
	le64(pg + R_STRUCT + 8, va + R_DESCS);
	le64(pg + R_STRUCT + 16, va + R_INFOS);
	le64(pg + R_STRUCT + 24, (id - 1) & ID_MASK);      /* head */
	le64(pg + R_STRUCT + 32, (id - 4) & ID_MASK);      /* tail: the last 4 fit */
	pg[R_STRUCT + 48] = 8;                             /* size_bits */
	le64(pg + R_STRUCT + 56, va + R_DATA);
}

/* --- a minimal kdump-compressed file: header v6, notes with VMCOREINFO,
 * 64 pfns, the given pages zlib-compressed --- */
struct kpage {
	uint64_t pfn;
	const uint8_t *data;
};

static size_t note(uint8_t *p, const char *name, uint32_t type, const void *desc, uint32_t dlen)
{
	uint32_t nl = (uint32_t)strlen(name) + 1, np = (nl + 3) & ~3u;

	memcpy(p, &nl, 4);
	memcpy(p + 4, &dlen, 4);
	memcpy(p + 8, &type, 4);
	memcpy(p + 12, name, nl);
	memcpy(p + 12 + np, desc, dlen);
	return 12 + np + ((dlen + 3) & ~3u);
}

static size_t kdump(uint8_t *f, const char *vi, const struct kpage *pg, unsigned n)
{
	uint64_t desc = 4 * 4096, data = desc + 24 * n, vioff;
	uint8_t prstatus[336] = {0};
	size_t nl;

	memset(f, 0, data);
	memcpy(f, "KDUMP   ", 8);
	f[8] = 6;
	memcpy(f + 12 + 130, "6.1.192", 7);
	memcpy(f + 12 + 260, "x86_64", 6);
	f[424] = 1;
	f[429] = 0x10;                                     /* block_size 4096 */
	f[432] = 1;                                        /* sub_hdr_size */
	f[436] = 2;                                        /* bitmap_blocks */
	f[440] = 64;                                       /* max_mapnr */
	f[460] = 1;
	nl = note(f + 4200, "CORE", 1, prstatus, sizeof prstatus);
	vioff = 4200 + nl + 24;
	nl += note(f + 4200 + nl, "VMCOREINFO", 0, vi, (uint32_t)strlen(vi));
	f[4096 + 8] = 31;                                  /* dump_level */
	le64(f + 4096 + 32, vioff);
	le64(f + 4096 + 40, strlen(vi));
	le64(f + 4096 + 48, 4200);
	le64(f + 4096 + 56, nl);
	le64(f + 4096 + 96, 64);
	for (unsigned i = 0; i < n; i++) {
		uLongf zl = 8192;

		f[2 * 4096 + pg[i].pfn / 8] |= (uint8_t)(1 << (pg[i].pfn & 7));
		f[3 * 4096 + pg[i].pfn / 8] |= (uint8_t)(1 << (pg[i].pfn & 7));
		if (compress2(f + data, &zl, pg[i].data, 4096, 9) != Z_OK)
			die("compress2");
		le64(f + desc + 24 * i, data);
		le64(f + desc + 24 * i + 8, zl | (uint64_t)1 << 32);   /* size, flags zlib */
		data += zl;
	}
	return data;
}

static void kdump_seeds(uint8_t *file, size_t *static_len, uint8_t *scratch)
{
	static uint8_t ringpg[4096], prbpg[4096], pt[4][4096];
	char vi[4096];
	size_t n;

	/* static: the ring page is pfn 1, kernel image va KMAP + 0x1000 */
	ring(ringpg, KMAP + 0x1000);
	snprintf(vi, sizeof vi, "OSRELEASE=6.1.192\nPAGESIZE=4096\nSYMBOL(prb)=%llx\n"
		 "NUMBER(phys_base)=0\nSYMBOL(init_top_pgt)=%llx\n%s", KMAP + 0x1000, KMAP + 0x2000, ring_vi);
	n = kdump(file, vi, (struct kpage[]){ { 1, ringpg } }, 1);
	put("fuzz_kdump", "static-ring.kdump", file, n);
	*static_len = n;
	/* dynamic: prb (pfn 1) points into the direct map at pa 0x8000, which
	 * only the page tables (pfns 2..5) translate in a kdump file */
	ring(ringpg, DMAP + 0x8000);
	memset(prbpg, 0, sizeof prbpg);
	le64(prbpg, DMAP + 0x8000 + R_STRUCT);
	memset(ringpg, 0, 8);
	le64(pt[0] + 273 * 8, 0x3000 | 0x63);              /* PGD[273] -> PUD */
	le64(pt[1], 0x4000 | 0x63);                        /* PUD[0] -> PMD */
	le64(pt[2], 0x5000 | 0x63);                        /* PMD[0] -> PT */
	le64(pt[3] + 8 * 8, 0x8000 | 0x63);                /* PTE[8] -> 0x8000 */
	n = kdump(scratch, vi, (struct kpage[]){ { 1, prbpg }, { 2, pt[0] }, { 3, pt[1] }, { 4, pt[2] },
						 { 5, pt[3] }, { 8, ringpg } }, 6);
	put("fuzz_kdump", "dynamic-ring.kdump", scratch, n);
	/* and the bare image for fuzz_dmesg */
	ring(ringpg, FUZZ_BASE);
	put("fuzz_dmesg", "ring.img", ringpg, R_END);
}

/* --- flattened streams --- */
struct buf {
	uint8_t *p;
	size_t n, cap;
};

static int buf_write(void *ctx, uint64_t off, const void *p, size_t len, struct td_err *e)
{
	struct buf *b = ctx;

	(void)e;
	if (off != b->n || b->n + len > b->cap)
		die("flat stream");
	memcpy(b->p + b->n, p, len);
	b->n += len;
	return 0;
}

static void flat_seeds(const uint8_t *file, size_t len)
{
	struct buf b = { malloc(len * 2 + 65536), 0, len * 2 + 65536 };
	struct td_sink seq = { &b, buf_write, NULL };
	struct td_flat_writer w;
	struct td_err e;
	struct td_sink *s;
	/* out of order, as makedumpfile writes: header, notes, sub-header, rest */
	static const size_t cut[][2] = { { 0, 464 }, { 4200, 0 }, { 4096, 104 } };

	if (td_flat_start(&w, &seq, &e) < 0 || td_flat_finish(&w, &e) < 0)
		die("td_flat empty");
	put("fuzz_flat", "empty.flat", b.p, b.n);
	b.n = 0;
	s = td_flat_start(&w, &seq, &e) < 0 ? NULL : td_flat_sink(&w);
	for (unsigned i = 0; s && i < 3; i++) {
		size_t at = cut[i][0], n = cut[i][1] ? cut[i][1] : 8192 - 4200;

		if (s->write(s->ctx, at, file + at, n, &e) < 0)
			die("td_flat write");
	}
	if (!s || s->write(s->ctx, 8192, file + 8192, len - 8192, &e) < 0 || td_flat_finish(&w, &e) < 0)
		die("td_flat");
	put("fuzz_flat", "static-ring.flat", b.p, b.n);
	free(b.p);
}

/* --- vmgen: ELF and VMCOREINFO --- */
static void elf_seeds(void)
{
	struct vmgen *g = vmgen_new();
	uint8_t *buf;
	size_t n;

	g->nr_cpus = 2;
	vmgen_ram(g, 0x1000, 0x2000);
	vmgen_kernel_text(g, 0x1000, 0x1000);
	vmgen_vmcoreinfo_std(g, 0);
	memcpy(vmgen_phys(g, 0x1000), "kernel text", 11);
	memcpy(vmgen_phys(g, 0x2ff8), "last8byt", 8);
	vmgen_buffer(g, &buf, &n);
	put("fuzz_elf", "vmgen-2pages.elf", buf, n);
	put("fuzz_vmcoreinfo", "vmgen-6.1.txt", g->vmcoreinfo, strlen(g->vmcoreinfo));
	free(buf);
	vmgen_free(g);
}

/* Small hand-made seeds for the parsers' targets. */
static void parser_seeds(void)
{
	static const uint8_t dhcp_opts[] = { 53, 1, 5, 54, 4, 10, 0, 2, 2, 1, 4, 255, 255, 255, 0,
					     3, 4, 10, 0, 2, 2, 51, 4, 0, 1, 0x51, 0x80, 255 };
	static const char hello[] = "\0\0\0\0\x65\x53\xf1\x00\0\0\0\0\0\x10\0\0\5\5\5\0"
				    "node16.1.0kdump";
	static const char reply[] = "\0\0\0\0stored as node1-2026-01-01-00:00:00/vmcore";
	static const char conf[] = "\x60target=tls:10.0.2.2:7000\nlevel=31\ntimeout=30\n"
				   "ip=dhcp\nroot=/dev/vda console=ttyS0 tinydump.target=\"disk:LABEL=crash\" "
				   "tinydump.level=17 -- init args\n";
	static const uint8_t filter_ops[] = { 0x04, 31,
		1, 0x00, 0x01, 3, 0, 0, 0, 0, 0, 0, 0, 0,
		2, 0x40, 0x00, 2, 0x10, 0, 0, 0, 0x01, 0x90, 0x88, 0xff,
		4, 0x10, 0x00, 0, 0x00, 0x02, 0, 0, 0xff, 0xff, 0xff, 0xff,
		3, 0x20, 0x00, 1, 0x63, 0x10, 0x20, 0, 0, 0, 0, 0 };
	uint8_t b[600];

	memset(b, 0, sizeof b);
	b[0] = 2, b[1] = 1, b[2] = 6;
	b[4] = 0x1b, b[5] = 0xad, b[6] = 0xca, b[7] = 0xfe;
	b[16] = 10, b[17] = 0, b[18] = 2, b[19] = 15;
	memcpy(b + 28, "\x52\x54\0\x12\x34\x56", 6);
	memcpy(b + 236, "\x63\x82\x53\x63", 4);
	memcpy(b + 240, dhcp_opts, sizeof dhcp_opts);
	put("fuzz_dhcp", "ack", b, 240 + sizeof dhcp_opts);
	put("fuzz_proto", "hello", hello, sizeof hello - 1);
	put("fuzz_proto", "reply", reply, sizeof reply - 1);
	put("fuzz_config", "conf", conf, sizeof conf - 1);
	put("fuzz_filter", "ops", filter_ops, sizeof filter_ops);
	memset(b, 0, sizeof b);
	b[0] = 2; /* fuzz_blkid: MBR */
	memcpy(b + 1 + 440, "\xd4\xc3\xb2\xa1", 4);
	memcpy(b + 1 + 446, "\x00\x20\x21\x00\x83\x8a\x08\x82\x00\x08\0\0\x00\x00\x01\0", 16);
	memcpy(b + 1 + 462, "\x00\x8a\x09\x82\x83\xfe\xff\xff\x00\x08\x01\0\x00\x00\x01\0", 16);
	b[1 + 510] = 0x55, b[1 + 511] = 0xaa;
	put("fuzz_blkid", "mbr", b, 513);
	b[1 + 446 + 4] = 0xee;
	put("fuzz_blkid", "protective", b, 513);
}

int main(int argc, char **argv)
{
	static uint8_t file[1 << 16], scratch[1 << 16];
	size_t n;

	if (argc != 2) {
		fprintf(stderr, "usage: mkseeds DIR\n");
		return 2;
	}
	outdir = argv[1];
	mkdir(outdir, 0755);
	elf_seeds();
	kdump_seeds(file, &n, scratch);
	flat_seeds(file, n);
	parser_seeds();
	return 0;
}
