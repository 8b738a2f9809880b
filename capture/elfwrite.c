/* Filtered ELF output (tinydump.format=elf, makedumpfile -E's role):
 *
 *   ELF header | program headers: PT_NOTE, then one PT_LOAD per run of
 *   kept pages | the notes, copied | page data, run after run
 *
 * Segments follow makedumpfile's ELF files: within one source PT_LOAD,
 * excluded (and, at level bit 1, zero) stretches of 256 pages or more end
 * a segment, whose p_memsz then covers them without file data (readers
 * see zeros, never a hole); shorter stretches stay as data. The source loads
 * are the RAM PT_LOADs and the kernel-text alias, as /proc/vmcore has them:
 * crash derives phys_base from the latter.
 *
 * The program-header count must be known before any data, so a counting
 * walk runs first; the writing walk then streams data and writes each
 * program header when its run ends. Memory: two cycle bitmaps, one batch. */
#include <stdlib.h>
#include <string.h>

#include "dumpio.h"
#include "writer.h"

enum { EHDR = 64, PHDR = 56, BATCH = 256u << 10 };

struct elfw {
	struct td_dump *d;
	struct td_dumpio io;
	int writing;
	uint64_t nseg;               /* segments counted by the first walk */
	uint64_t seg;                /* segments ended so far */
	uint64_t data_off, data_pos;
	uint64_t cyc_start;          /* cycle held in io.bm2, UINT64_MAX if none */
	const struct td_load *load;  /* the source load being walked */
	int open;                    /* a segment is open: */
	uint64_t seg_pa, seg_end;    /*   [seg_pa, seg_end) has file data */
	uint64_t seg_data;           /*   at this file offset */
	uint64_t gap_pa, gap_end;    /* excluded bytes after it, not yet placed */
	uint8_t *buf;                /* BATCH bytes of pending data */
	size_t len;
};

/* Excluded stretches shorter than this stay in the file, as makedumpfile
 * does (PFN_EXCLUDED): fewer segments, and readers see the real bytes. */
#define SMALL_GAP (256ull << TD_PAGE_SHIFT)

static int flush(struct elfw *w, struct td_err *e)
{
	if (w->len && td_dumpio_write(&w->io, w->data_pos - w->len, w->buf, w->len, e) < 0)
		return td_wrap(e, "writing ELF page data");
	w->len = 0;
	return 0;
}

static void put_phdr(uint8_t *p, uint32_t type, uint64_t off, uint64_t va, uint64_t pa, uint64_t filesz,
		     uint64_t memsz)
{
	memset(p, 0, PHDR);
	td_put_le32(p, type);
	td_put_le32(p + 4, 7); /* RWX, as the kernel's vmcore headers say */
	td_put_le64(p + 8, off);
	td_put_le64(p + 16, va);
	td_put_le64(p + 24, pa);
	td_put_le64(p + 32, filesz);
	td_put_le64(p + 40, memsz);
}

/* Close the open segment; its memory size reaches mem_end (the excluded
 * tail reads as zeros). An empty segment covers a leading gap. */
static int end_seg(struct elfw *w, uint64_t pa, uint64_t file_end, uint64_t mem_end, struct td_err *e)
{
	uint8_t ph[PHDR];
	const struct td_load *l = w->load;

	if (w->writing) {
		put_phdr(ph, 1, file_end > pa ? w->seg_data : 0, l->vaddr + (pa - l->paddr), pa,
			 file_end - pa, mem_end - pa);
		if (td_dumpio_write(&w->io, EHDR + (1 + w->seg) * PHDR, ph, PHDR, e) < 0)
			return td_wrap(e, "writing an ELF program header");
	}
	w->seg++;
	w->open = 0;
	return 0;
}

static int append(struct elfw *w, const uint8_t *page, uint64_t a, uint64_t b, struct td_err *e)
{
	if (!w->open) {
		w->open = 1;
		w->seg_pa = w->seg_end = a;
		w->seg_data = w->data_pos;
	}
	w->seg_end = b;
	if (w->writing) {
		if (w->len + (b - a) > BATCH && flush(w, e) < 0)
			return -1;
		memcpy(w->buf + w->len, page + (a & (TD_PAGE_SIZE - 1)), b - a);
		w->len += b - a;
	}
	w->data_pos += b - a; /* after the flush: it writes at data_pos - len */
	return 0;
}

static void clip(const struct td_load *l, uint64_t pfn, uint64_t *a, uint64_t *b)
{
	*a = pfn << TD_PAGE_SHIFT;
	*b = *a + TD_PAGE_SIZE;
	*a = *a > l->paddr ? *a : l->paddr;
	*b = *b < l->paddr + l->filesz ? *b : l->paddr + l->filesz;
}

static const uint8_t *page_of(struct elfw *w, uint64_t pfn)
{
	struct td_err re;
	const uint8_t *p = td_vmcore_page(w->d->vc, pfn, &re);

	if (p)
		return p;
	if (w->writing)
		td_dumpio_unreadable(&w->io, pfn, re.msg);
	memset(w->d->vc->edge, 0, TD_PAGE_SIZE);
	return w->d->vc->edge;
}

/* Place the pending gap: small ones become data, large ones the open
 * segment's zero tail (or an empty segment of their own). */
static int place_gap(struct elfw *w, int at_end, struct td_err *e)
{
	uint64_t a, b;

	if (w->gap_end == w->gap_pa)
		return 0;
	if (!at_end && w->gap_end - w->gap_pa < SMALL_GAP) {
		for (uint64_t pfn = w->gap_pa >> TD_PAGE_SHIFT; pfn << TD_PAGE_SHIFT < w->gap_end; pfn++) {
			clip(w->load, pfn, &a, &b);
			if (append(w, page_of(w, pfn), a, b, e) < 0)
				return -1;
		}
	} else if (w->open) {
		if (end_seg(w, w->seg_pa, w->seg_end, w->gap_end, e) < 0)
			return -1;
	} else if (end_seg(w, w->gap_pa, w->gap_pa, w->gap_end, e) < 0) {
		return -1;
	}
	w->gap_pa = w->gap_end = 0;
	return 0;
}

static int dumpable(struct elfw *w, uint64_t pfn, int ram, struct td_err *e)
{
	uint64_t cs = pfn / TD_CYCLE_PFNS * TD_CYCLE_PFNS;
	struct td_dump *d = w->d;

	if (cs != w->cyc_start) {
		uint64_t end = (d->vc->max_pfn + 7) & ~7ull;
		uint64_t n = end - cs < TD_CYCLE_PFNS ? end - cs : TD_CYCLE_PFNS;
		/* statistics once: on the writing walk, for RAM loads (ascending) */
		if (td_filter_cycle(d->filter, cs, n, w->io.bm2, w->writing && ram ? &d->st : NULL, e) < 0)
			return -1;
		w->cyc_start = cs;
	}
	uint64_t i = pfn - cs;
	return w->io.bm2[i >> 3] >> (i & 7) & 1;
}

static int one_page(struct elfw *w, uint64_t pfn, int ram, struct td_err *e)
{
	struct td_dump *d = w->d;
	uint64_t a, b;
	int k = dumpable(w, pfn, ram, e);
	const uint8_t *page = NULL;

	if (k < 0)
		return -1;
	if (k) {
		page = page_of(w, pfn);
		if ((d->filter->level_applied & TD_LVL_ZERO) && td_page_is_zero(page)) {
			k = 0;
			d->st.zero += w->writing && ram;
		}
	}
	clip(w->load, pfn, &a, &b);
	if (!k) {
		if (w->gap_end != a)
			w->gap_pa = a;
		w->gap_end = b;
		return 0;
	}
	d->st.kept += w->writing && ram;
	if (place_gap(w, 0, e) < 0)
		return -1;
	return append(w, page, a, b, e);
}

static int walk_load(struct elfw *w, const struct td_load *l, int ram, struct td_err *e)
{
	if (!l->filesz)
		return 0;
	w->load = l;
	w->open = 0;
	w->gap_pa = w->gap_end = 0;
	for (uint64_t pfn = l->paddr >> TD_PAGE_SHIFT; pfn <= (l->paddr + l->filesz - 1) >> TD_PAGE_SHIFT; pfn++) {
		if (one_page(w, pfn, ram, e) < 0)
			return -1;
		if (ram && w->writing && w->d->progress && (pfn & 0xffff) == 0)
			w->d->progress(w->d->progress_ctx, pfn, w->d->vc->max_pfn);
	}
	if (place_gap(w, 1, e) < 0)
		return -1;
	return w->open ? end_seg(w, w->seg_pa, w->seg_end, w->seg_end, e) : 0;
}

/* The kernel-text alias first, as /proc/vmcore orders them: crash takes
 * phys_base from the first kernel-map PT_LOAD it meets. */
static int walk(struct elfw *w, struct td_err *e)
{
	const struct td_vmcore *vc = w->d->vc;

	w->seg = 0;
	w->cyc_start = UINT64_MAX;
	w->data_pos = w->data_off;
	if (walk_load(w, &vc->ktext, 0, e) < 0)
		return -1;
	w->cyc_start = UINT64_MAX; /* refill: this time with statistics */
	for (unsigned i = 0; i < vc->nload; i++)
		if (walk_load(w, &vc->load[i], 1, e) < 0)
			return -1;
	if (w->writing && w->d->progress)
		w->d->progress(w->d->progress_ctx, vc->max_pfn, vc->max_pfn);
	return 0;
}

static int write_head(struct elfw *w, struct td_err *e)
{
	const struct td_vmcore *vc = w->d->vc;
	uint8_t h[EHDR], ph[PHDR];
	uint64_t note_off = EHDR + (1 + w->nseg) * PHDR;

	if (1 + w->nseg > 0xfffe)
		return td_fail(e, "%llu ELF segments exceed the ELF limit of 65534; use format kdump",
			       (unsigned long long)w->nseg);
	memset(h, 0, EHDR);
	memcpy(h, "\177ELF\2\1\1", 7);
	td_put_le16(h + 16, 4);          /* ET_CORE */
	td_put_le16(h + 18, vc->arch->elf_machine);
	td_put_le32(h + 20, 1);
	td_put_le64(h + 32, EHDR);       /* e_phoff */
	td_put_le16(h + 52, EHDR);
	td_put_le16(h + 54, PHDR);
	td_put_le16(h + 56, (uint16_t)(1 + w->nseg));
	put_phdr(ph, 4, note_off, 0, 0, vc->note_size, vc->note_size);
	td_put_le32(ph + 4, 0);
	if (td_dumpio_write(&w->io, 0, h, EHDR, e) < 0 || td_dumpio_write(&w->io, EHDR, ph, PHDR, e) < 0 ||
	    td_dumpio_write(&w->io, note_off, vc->notes, vc->note_size, e) < 0)
		return td_wrap(e, "writing the ELF headers");
	return 0;
}

int td_elf_write(struct td_dump *d, struct td_err *e)
{
	struct elfw *w = calloc(1, sizeof *w);
	int r = -1;

	if (!w || !(w->buf = malloc(BATCH))) {
		td_fail(e, "no memory for the ELF writer");
		goto out;
	}
	w->d = d;
	if (td_dumpio_init(&w->io, d, w, e) < 0)
		goto out;
	w->data_off = TD_PAGE_SIZE; /* provisional: sizes only */
	if (walk(w, e) == 0) {
		w->nseg = w->seg;
		w->data_off = (EHDR + (1 + w->nseg) * PHDR + d->vc->note_size + TD_PAGE_SIZE - 1) & ~(uint64_t)(TD_PAGE_SIZE - 1);
		w->writing = 1;
		r = write_head(w, e);
		if (r == 0)
			r = walk(w, e);
		if (r == 0)
			r = flush(w, e);
		td_dumpio_flush_warnings(&w->io);
		d->st.total = td_dumpio_ram_total(&w->io);
		if (r == 0 && w->seg != w->nseg)
			r = td_fail(e, "ELF walk found %llu runs, then %llu", (unsigned long long)w->nseg,
				    (unsigned long long)w->seg);
	}
	if (r < 0)
		d->incomplete = 1;
	td_dumpio_free(&w->io);
out:
	if (w)
		free(w->buf);
	free(w);
	return r;
}
