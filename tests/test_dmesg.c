/* capture/dmesg.c against synthetic printk ringbuffers built in a plain
 * buffer of "kernel virtual memory" (struct img), read through a td_kread
 * stub. The layout is Linux 6.1's, given to the reader only through a
 * VMCOREINFO text (the lines of the real 6.1.192 sample). Expected outputs
 * are written out by hand in makedumpfile 1.7.2's format. */
#define T_SUITE "dmesg"
#include <stdlib.h>

#include "capture/dmesg.h"
#include "capture/kaddr.h"
#include "prb_vi.h"
#include "t.h"

#define BASE 0xffff888000100000ull
#define ID_MASK (~0ull >> 2)

static const char vi_printk[] = "OSRELEASE=6.1.192\nPAGESIZE=4096\n" TD_PRB_VMCOREINFO;

/* A region of kernel virtual memory [BASE, BASE + size). */
struct img {
	uint8_t *mem;
	uint64_t size;
	/* the ring */
	unsigned cbits, sbits;
	uint64_t prb, descs, infos, data;  /* virtual addresses */
	uint64_t first_id, next_id, head_lpos;
	uint64_t last_begin, last_next;    /* lpos of the last block */
};

static int img_read(void *ctx, uint64_t va, void *buf, size_t len, struct td_err *e)
{
	struct img *m = ctx;

	if (va < BASE || va - BASE > m->size || len > m->size - (va - BASE))
		return td_fail(e, "test image: no memory at 0x%llx", (unsigned long long)va);
	memcpy(buf, m->mem + (va - BASE), len);
	return 0;
}

static uint8_t *at(struct img *m, uint64_t va) { return m->mem + (va - BASE); }

/* Lay out prb pointer, ring struct, descs, infos and data ring. */
static void img_new(struct img *m, unsigned cbits, unsigned sbits, uint64_t first_id)
{
	uint64_t count = 1ull << cbits;

	memset(m, 0, sizeof *m);
	m->cbits = cbits;
	m->sbits = sbits;
	m->prb = BASE + 0x100;
	m->descs = BASE + 0x1000;
	m->infos = m->descs + ((count * 24 + 4095) & ~4095ull);
	m->data = m->infos + ((count * 88 + 4095) & ~4095ull);
	m->size = m->data - BASE + (1ull << sbits);
	m->mem = calloc(1, m->size);
	m->first_id = m->next_id = first_id & ID_MASK;
	m->head_lpos = 0;
	td_put_le64(at(m, BASE), m->prb);
	td_put_le32(at(m, m->prb + 0), cbits);
	td_put_le64(at(m, m->prb + 8), m->descs);
	td_put_le64(at(m, m->prb + 16), m->infos);
	td_put_le32(at(m, m->prb + 48), sbits);
	td_put_le64(at(m, m->prb + 56), m->data);
	/* every slot reusable with an id that never matches */
	for (uint64_t i = 0; i < count; i++)
		td_put_le64(at(m, m->descs + i * 24), 3ull << 62 | ((i + 7) & ID_MASK));
}

static void img_set_ids(struct img *m, uint64_t tail, uint64_t head)
{
	td_put_le64(at(m, m->prb + 24), head);
	td_put_le64(at(m, m->prb + 32), tail);
}

/* Allocate a data block the way the 6.1 kernel does (data_alloc,
 * get_next_lpos): a block that would cross the ring end is placed at
 * offset 0 and its next lpos is in the following wrap. */
static void alloc_blk(struct img *m, uint64_t id, uint64_t len, uint64_t *begin, uint64_t *next)
{
	uint64_t size = 1ull << m->sbits, blk = (8 + len + 7) & ~7ull;

	*begin = m->head_lpos;
	*next = *begin + blk;
	td_put_le64(at(m, m->data + (*begin & (size - 1))), id);
	if (*begin / size != *next / size) {
		*next = (*next / size) * size + blk;
		td_put_le64(at(m, m->data), id);
	}
	m->head_lpos = *next;
}

/* Append a record; returns its id. state 1 committed, 2 finalized, ... */
static uint64_t add(struct img *m, uint64_t ts, const char *text, size_t len, unsigned state,
		    int text_len)
{
	uint64_t id = m->next_id, count = 1ull << m->cbits, size = 1ull << m->sbits;
	uint64_t slot = id & (count - 1), begin, next;
	uint8_t *d = at(m, m->descs + slot * 24), *in = at(m, m->infos + slot * 88);

	alloc_blk(m, id, len, &begin, &next);
	m->last_begin = begin;
	m->last_next = next;
	memcpy(at(m, m->data + ((next - ((8 + len + 7) & ~7ull)) & (size - 1)) + 8), text, len);
	td_put_le64(d, (uint64_t)state << 62 | id);
	td_put_le64(d + 8, begin);
	td_put_le64(d + 16, next);
	memset(in, 0, 88);
	td_put_le64(in, id);
	td_put_le64(in + 8, ts);
	td_put_le16(in + 16, (uint16_t)(text_len >= 0 ? text_len : (int)len));
	m->next_id = (id + 1) & ID_MASK;
	img_set_ids(m, m->first_id, id);
	return id;
}

static uint64_t add_s(struct img *m, uint64_t ts, const char *text)
{
	return add(m, ts, text, strlen(text), 2, -1);
}

/* Output collector: a sink that insists on consecutive offsets. */
struct out {
	char *buf;
	size_t cap, len;
	int bad_off;
};

static int out_write(void *ctx, uint64_t off, const void *buf, size_t len, struct td_err *e)
{
	struct out *o = ctx;

	if (off != o->len)
		o->bad_off = 1;
	if (len > o->cap - 1 - o->len)
		return td_fail(e, "test sink full");
	memcpy(o->buf + o->len, buf, len);
	o->len += len;
	o->buf[o->len] = '\0';
	return 0;
}

static struct td_vmcoreinfo vi;
static struct td_dmesg dm;
static struct out out;
static char vitext[8192];
static struct td_err err;

/* Run the extraction over m with the printk VMCOREINFO, its line starting
 * with `from` (if any) replaced by `to`. */
static int run_vi(struct img *m, const char *from, const char *to)
{
	struct td_kread kr = { m, img_read };
	struct td_sink s = { &out, out_write, NULL };
	const char *cut = from ? strstr(vi_printk, from) : NULL;
	int n = cut ? (int)(cut - vi_printk) : (int)strlen(vi_printk);

	snprintf(vitext, sizeof vitext, "%.*s%s%sSYMBOL(prb)=%llx\n", n, vi_printk, cut ? to : "",
		 cut ? strchr(cut, '\n') + 1 : "", (unsigned long long)BASE);
	if (!out.buf) {
		out.cap = 16u << 20;
		out.buf = malloc(out.cap);
	}
	out.len = 0;
	out.bad_off = 0;
	out.buf[0] = '\0';
	err.msg[0] = '\0';
	if (td_vmcoreinfo_parse(&vi, vitext, strlen(vitext), &err) < 0)
		return -2;
	return td_dmesg_write(&dm, &kr, &vi, &s, &err);
}

static int run(struct img *m)
{
	return run_vi(m, NULL, NULL);
}

static void basic(void)
{
	struct img m;

	img_new(&m, 4, 10, 0);
	add_s(&m, 0, "Linux version 6.1.192");
	add_s(&m, 1500000, "second");
	add_s(&m, 123456789012345ull, "big");
	T_CHECK(run(&m) == 0, "%s", err.msg);
	T_CHECK(!strcmp(out.buf, "[    0.000000] Linux version 6.1.192\n"
				 "[    0.001500] second\n"
				 "[123456.789012] big\n"), "got <%s>", out.buf);
	T_CHECK(dm.records == 3 && dm.bytes == out.len && !out.bad_off, "%llu records",
		(unsigned long long)dm.records);
	free(m.mem);
}

static void escapes(void)
{
	static const char t[] = "a\x01\x7f\xe9\x80\xff\t\r\v\f z";
	struct img m;

	img_new(&m, 4, 10, 0);
	add(&m, 2000000000, t, sizeof t - 1, 1, -1);
	add(&m, 3000000000ull, "nul\0x", 5, 2, -1);
	T_CHECK(run(&m) == 0, "%s", err.msg);
	T_CHECK(!strcmp(out.buf, "[    2.000000] a\\x01\\x7f\\xffffffe9\\xffffff80\\xffffffff\t\r\v\f z\n"
				 "[    3.000000] nul\\x00x\n"), "got <%s>", out.buf);
	free(m.mem);
}

static void multiline(void)
{
	struct img m;

	img_new(&m, 4, 10, 0);
	add_s(&m, 5000, "first\nsecond\n");
	add_s(&m, 100000000000000ull, "x\ny");
	T_CHECK(run(&m) == 0, "%s", err.msg);
	T_CHECK(!strcmp(out.buf, "[    0.000005] first\n"
				 "               second\n"
				 "               \n"
				 "[100000.000000] x\n"
				 "                y\n"), "got <%s>", out.buf);
	free(m.mem);
}

/* Only committed (1) and finalized (2) records with a matching id print. */
static void states(void)
{
	struct img m;
	uint64_t id;

	img_new(&m, 4, 10, 0);
	add(&m, 1000, "reserved", 8, 0, -1);
	add(&m, 2000, "committed", 9, 1, -1);
	add(&m, 3000, "finalized", 9, 2, -1);
	add(&m, 4000, "reusable", 8, 3, -1);
	id = add_s(&m, 5000, "stale id");
	td_put_le64(at(&m, m.descs + (id & 15) * 24), 2ull << 62 | (id + 16));
	add_s(&m, 6000, "");                    /* empty text: an 8-byte block */
	T_CHECK(run(&m) == 0, "%s", err.msg);
	T_CHECK(!strcmp(out.buf, "[    0.000002] committed\n"
				 "[    0.000003] finalized\n"
				 "[    0.000006] \n"), "got <%s>", out.buf);
	T_CHECK(dm.skipped == 3, "skipped %llu", (unsigned long long)dm.skipped);
	free(m.mem);
}

/* text_len larger than the block: clamped to the block, padding included,
 * as makedumpfile does; text_len smaller: only that much. */
static void clamping(void)
{
	struct img m;
	uint64_t id;

	img_new(&m, 4, 10, 0);
	add(&m, 0, "abc", 3, 2, 100);           /* block 16: 8 text bytes */
	add(&m, 0, "abcdef", 6, 2, 2);
	id = add_s(&m, 0, "gone");              /* begin == next: no data */
	td_put_le64(at(&m, m.descs + (id & 15) * 24 + 16), td_le64(at(&m, m.descs + (id & 15) * 24 + 8)));
	T_CHECK(run(&m) == 0, "%s", err.msg);
	T_CHECK(!strcmp(out.buf, "[    0.000000] abc\\x00\\x00\\x00\\x00\\x00\n"
				 "[    0.000000] ab\n"), "got <%s>", out.buf);
	free(m.mem);
}

/* The ids whose data the newest block has not overwritten: tail is the
 * oldest of them (begins[] holds each record's begin lpos, by index). */
static uint64_t keep_from(const struct img *m, const uint64_t *begins, unsigned n)
{
	unsigned i = n;

	while (i > 0 && m->head_lpos - begins[i - 1] <= (1ull << m->sbits))
		i--;
	return i;
}

static const char pad[] = "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
			  "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
			  "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx";

/* A 256-byte ring: blocks that cross the end live at offset 0. */
static void wrapped(void)
{
	struct img m;
	char want[4096] = "", line[128], text[64];
	uint64_t begins[20], tail;
	int wraps = 0;

	img_new(&m, 3, 8, ID_MASK - 3);         /* ids also wrap past the mask */
	for (int i = 0; i < 20; i++) {
		snprintf(text, sizeof text, "record %02d %.*s", i, i * 3, pad);
		add_s(&m, (uint64_t)i * 1000000000, text);
		begins[i] = m.last_begin;
		wraps += (m.last_begin & 255) > (m.last_next & 255);
	}
	tail = keep_from(&m, begins, 20);
	if (tail < 20 - 8)                      /* 8 descriptors */
		tail = 20 - 8;
	for (uint64_t i = tail; i < 20; i++) {
		snprintf(text, sizeof text, "record %02d %.*s", (int)i, (int)i * 3, pad);
		snprintf(line, sizeof line, "[%5d.000000] %s\n", (int)i, text);
		strcat(want, line);
	}
	T_CHECK(wraps >= 2 && tail < 18, "wraps %d, tail %llu", wraps, (unsigned long long)tail);
	img_set_ids(&m, (m.next_id - (20 - tail)) & ID_MASK, (m.next_id - 1) & ID_MASK);
	T_CHECK(run(&m) == 0, "%s", err.msg);
	T_CHECK(!strcmp(out.buf, want), "got <%s>\nwant <%s>", out.buf, want);
	free(m.mem);
}

/* Garbage: impossible geometry fails; a tail..head span larger than the
 * ring or lpos values that leave no room are survived. */
static void garbage(void)
{
	struct img m;
	uint64_t id;

	img_new(&m, 4, 10, 0);
	add_s(&m, 0, "one");
	id = add_s(&m, 0, "two");
	td_put_le32(at(&m, m.prb), 200);
	T_CHECK(run(&m) == -1 && strstr(err.msg, "count_bits 200"), "%s", err.msg);
	td_put_le32(at(&m, m.prb), 4);
	td_put_le32(at(&m, m.prb + 48), 0);
	T_CHECK(run(&m) == -1 && strstr(err.msg, "size_bits 0"), "%s", err.msg);
	td_put_le32(at(&m, m.prb + 48), 10);
	img_set_ids(&m, id + 12345, id);        /* tail "after" head */
	T_CHECK(run(&m) == 0 && dm.clamped, "%s", err.msg);
	T_CHECK(!strcmp(out.buf, "[    0.000000] one\n[    0.000000] two\n"), "got <%s>", out.buf);
	/* next 4 bytes after begin: no room for the owner id */
	td_put_le64(at(&m, m.descs + (id & 15) * 24 + 16), td_le64(at(&m, m.descs + (id & 15) * 24 + 8)) + 4);
	T_CHECK(run(&m) == 0 && dm.garbage == 1, "%s", err.msg);
	T_CHECK(!strcmp(out.buf, "[    0.000000] one\n"), "got <%s>", out.buf);
	/* the descriptor array pointer leads nowhere: an error, not a crash */
	td_put_le64(at(&m, m.prb + 8), 0x1000);
	T_CHECK(run(&m) == -1 && strstr(err.msg, "descriptors"), "%s", err.msg);
	free(m.mem);
}

/* The ring's far end is not in the dump: records still print, read one
 * by one once the window read fails. */
static void partial_ring(void)
{
	struct img m;

	img_new(&m, 4, 10, 0);
	add_s(&m, 0, "one");
	add_s(&m, 1000, "two");
	td_put_le32(at(&m, m.prb + 48), 14);    /* 16 KiB ring, 1 KiB of it readable */
	T_CHECK(run(&m) == 0, "%s", err.msg);
	T_CHECK(!strcmp(out.buf, "[    0.000000] one\n[    0.000001] two\n"), "got <%s>", out.buf);
	free(m.mem);
}

static void vmcoreinfo_keys(void)
{
	struct img m;
	struct td_kread kr;
	struct td_sink s = { &out, out_write, NULL };
	static const char old[] = "OSRELEASE=4.19.0\nPAGESIZE=4096\nSYMBOL(log_buf)=ffffffff81000000\n";
	static const char bad[] = "OSRELEASE=6.1\nPAGESIZE=4096\nSYMBOL(prb)=ffff888000100000\n"
				  "SIZE(printk_ringbuffer)=88\n";

	img_new(&m, 4, 10, 0);
	kr.ctx = &m;
	kr.read = img_read;
	T_CHECK(td_vmcoreinfo_parse(&vi, old, sizeof old - 1, &err) == 0, "%s", err.msg);
	T_CHECK(td_dmesg_write(&dm, &kr, &vi, &s, &err) == -1 && strstr(err.msg, "5.10"), "%s", err.msg);
	T_CHECK(td_vmcoreinfo_parse(&vi, bad, sizeof bad - 1, &err) == 0, "%s", err.msg);
	T_CHECK(td_dmesg_write(&dm, &kr, &vi, &s, &err) == -1 &&
		strstr(err.msg, "OFFSET(printk_ringbuffer.desc_ring)"), "%s", err.msg);
	/* an offset that does not fit its struct */
	T_CHECK(run_vi(&m, "OFFSET(printk_info.ts_nsec)=", "OFFSET(printk_info.ts_nsec)=84\n") == -1 &&
		strstr(err.msg, "fit"), "%s", err.msg);
	T_CHECK(run_vi(&m, "SIZE(prb_desc)=", "SIZE(prb_desc)=0\n") == -1 &&
		strstr(err.msg, "implausible"), "%s", err.msg);
	free(m.mem);
}

/* A 4 MiB ring with 128 Ki descriptors: many window reloads, wraps, and
 * the working area stays the fixed td_dmesg. */
#define NLARGE 40000u

static int large_text(unsigned i, char *buf, size_t size)
{
	return snprintf(buf, size, "line %u %.*s", i, (int)(i * 7919 % 250), pad);
}

static void large(void)
{
	static uint64_t begins[NLARGE];
	struct img m;
	char text[400];
	size_t wl = 0;
	uint64_t tail;
	char *want = malloc(16u << 20);

	img_new(&m, 17, 22, 12345);
	for (unsigned i = 0; i < NLARGE; i++) {
		large_text(i, text, sizeof text);
		add_s(&m, (uint64_t)i * 1000, text);
		begins[i] = m.last_begin;
	}
	tail = keep_from(&m, begins, NLARGE);
	img_set_ids(&m, (m.next_id - (NLARGE - tail)) & ID_MASK, (m.next_id - 1) & ID_MASK);
	for (unsigned i = (unsigned)tail; i < NLARGE; i++) {
		wl += (size_t)sprintf(want + wl, "[%5u.%06u] ", i / 1000000, i % 1000000);
		wl += (size_t)large_text(i, want + wl, 400);
		want[wl++] = '\n';
	}
	T_CHECK(tail > 0 && NLARGE - tail > 20000, "%llu records fit", (unsigned long long)(NLARGE - tail));
	T_CHECK(run(&m) == 0, "%s", err.msg);
	T_CHECK(dm.records == NLARGE - tail, "%llu records, want %llu", (unsigned long long)dm.records,
		(unsigned long long)(NLARGE - tail));
	T_CHECK(out.len == wl && !memcmp(out.buf, want, wl), "output differs (%zu vs %zu bytes)",
		out.len, wl);
	T_CHECK(!out.bad_off, "non-consecutive sink offsets");
	free(want);
	free(m.mem);
}

/* Reads through this count the bytes read. */
static uint64_t read_bytes;

static int counting_read(void *ctx, uint64_t va, void *buf, size_t len, struct td_err *e)
{
	read_bytes += len;
	return img_read(ctx, va, buf, len, e);
}

/* With a cap, the walk stops there: the rest of a large ring is not read
 * (a corrupt ring could otherwise cost 2^26 descriptors for text nobody
 * keeps), and the cut falls after a whole line. */
static void cap_stops_walk(void)
{
	struct img m;
	char text[400];
	struct td_kread kr = { &m, counting_read };
	struct td_sink s = { &out, out_write, NULL };
	uint64_t all;
	int rc;

	img_new(&m, 17, 22, 0);
	for (unsigned i = 0; i < NLARGE; i++) {
		large_text(i, text, sizeof text);
		add_s(&m, (uint64_t)i * 1000, text);
	}
	img_set_ids(&m, 0, (m.next_id - 1) & ID_MASK);
	T_REQUIRE(run(&m) == 0, "%s", err.msg);
	T_CHECK(!dm.truncated, "truncated without a cap");
	read_bytes = 0;
	out.len = 0;
	rc = td_dmesg_write(&dm, &kr, &vi, &s, &err); /* T_REQUIRE evaluates twice */
	T_REQUIRE(rc == 0, "%s", err.msg);
	all = read_bytes;
	read_bytes = 0;
	out.len = 0;
	rc = td_dmesg_write_max(&dm, &kr, &vi, &s, 4096, &err);
	T_REQUIRE(rc == 0, "%s", err.msg);
	T_CHECK(dm.truncated && dm.records > 10 && dm.records < 100, "%llu records, truncated %d",
		(unsigned long long)dm.records, dm.truncated);
	T_CHECK(out.len >= 4096 && out.len < 4096 + 400 && out.buf[out.len - 1] == '\n',
		"%zu bytes", out.len);
	T_CHECK(read_bytes < all / 20, "read %llu bytes of %llu for 4 KiB of log",
		(unsigned long long)read_bytes, (unsigned long long)all);
	free(m.mem);
}

/* kaddr: kernel-image and direct-map rules over a physical buffer, and
 * the fallback for other addresses. */
static uint8_t phys[1 << 16];

static int phys_read(void *ctx, uint64_t pa, void *buf, size_t len, struct td_err *e)
{
	(void)ctx;
	if (pa > sizeof phys || len > sizeof phys - pa)
		return td_fail(e, "no RAM at 0x%llx", (unsigned long long)pa);
	memcpy(buf, phys + pa, len);
	return 0;
}

static int other_read(void *ctx, uint64_t va, void *buf, size_t len, struct td_err *e)
{
	(void)ctx;
	(void)e;
	memset(buf, 0x5a, len);
	return va == 0xffffc90000000000ull || va == 0xffffc90000001000ull ? 0 : -1;
}

static void kaddr(void)
{
	static const char t[] = "OSRELEASE=6.1\nPAGESIZE=4096\nNUMBER(phys_base)=-4096\n"
				"NUMBER(KERNEL_IMAGE_SIZE)=1073741824\n";
	struct td_physread pr = { NULL, phys_read };
	struct td_kread other = { NULL, other_read }, kr;
	struct td_kaddr k;
	uint8_t b[8200];
	uint64_t pa;

	for (size_t i = 0; i < sizeof phys; i++)
		phys[i] = (uint8_t)(i * 31 + 7);
	T_CHECK(td_vmcoreinfo_parse(&vi, t, sizeof t - 1, &err) == 0, "%s", err.msg);
	td_kaddr_init(&k, &td_arch_x86_64, &pr, &vi, 0xffff888000000000ull, NULL);
	td_kaddr_kread(&k, &kr);
	T_CHECK(td_kaddr_vtop(&k, 0xffffffff80002000ull, &pa, &err) == 0 && pa == 0x1000, "pa %llx",
		(unsigned long long)pa);
	T_CHECK(td_kaddr_vtop(&k, 0xffff888000003000ull, &pa, &err) == 0 && pa == 0x3000, "pa %llx",
		(unsigned long long)pa);
	T_CHECK(kr.read(kr.ctx, 0xffff888000000ffcull, b, 8200, &err) == 0 && !memcmp(b, phys + 0xffc, 8200),
		"%s", err.msg);
	T_CHECK(kr.read(kr.ctx, 0xffffffff80001100ull, b, 100, &err) == 0 && !memcmp(b, phys + 0x100, 100),
		"%s", err.msg);
	T_CHECK(kr.read(kr.ctx, 0xffffc90000000000ull, b, 8, &err) == -1 && strstr(err.msg, "outside"),
		"%s", err.msg);
	T_CHECK(kr.read(kr.ctx, 0xffffffffc0000000ull, b, 8, &err) == -1, "module area is not image");
	td_kaddr_init(&k, &td_arch_x86_64, &pr, &vi, 0xffff888000000000ull, &other);
	T_CHECK(kr.read(kr.ctx, 0xffffc90000000ff0ull, b, 0x20, &err) == -1, "fallback pages");
	T_CHECK(kr.read(kr.ctx, 0xffffc90000000000ull, b, 0x2000, &err) == 0 && b[0x1fff] == 0x5a,
		"%s", err.msg);
	T_CHECK(kr.read(kr.ctx, 0xffff888000fffff0ull, b, 8, &err) == -1 && strstr(err.msg, "no RAM"),
		"%s", err.msg);
}

int main(int argc, char **argv)
{
	T_ARGS(argc, argv);
	T_RUN(basic);
	T_RUN(cap_stops_walk);
	T_RUN(escapes);
	T_RUN(multiline);
	T_RUN(states);
	T_RUN(clamping);
	T_RUN(wrapped);
	T_RUN(garbage);
	T_RUN(partial_ring);
	T_RUN(vmcoreinfo_keys);
	T_RUN(large);
	T_RUN(kaddr);
	T_END();
}
