/* ELF64 vmcore parsing and physical-page access.
 *
 * /proc/vmcore (and a saved copy) is an ET_CORE file: one PT_NOTE holding
 * every note the kernel merged (per-CPU PRSTATUS, VMCOREINFO, ...), and one
 * PT_LOAD per RAM range with p_vaddr = __va(p_paddr), plus one more PT_LOAD
 * for the kernel text whose p_vaddr is in the kernel image map and whose
 * physical range aliases RAM. Page access uses only the RAM PT_LOADs. */
#include <string.h>

#include "vmcore.h"

enum {
	EHDR_SIZE = 64,
	PHDR_SIZE = 56,
	PT_LOAD = 1,
	PT_NOTE = 4,
	ET_CORE = 4,
	NT_PRSTATUS = 1,
	NOTE_NAME_MAX = 4096,   /* far beyond "VMCOREINFO" and "CORE" */
};

static int check_ehdr(struct td_vmcore *vc, const uint8_t *h, struct td_err *e)
{
	if (memcmp(h, "\177ELF", 4) != 0)
		return td_fail(e, "not an ELF file (no \\177ELF magic)");
	if (h[4] != 2 || h[5] != 1)
		return td_fail(e, "not a 64-bit little-endian ELF file (class %u, data %u)", h[4], h[5]);
	if (td_le16(h + 16) != ET_CORE)
		return td_fail(e, "ELF type %u is not ET_CORE", td_le16(h + 16));
	if (!(vc->arch = td_arch_by_machine(td_le16(h + 18))))
		return td_fail(e, "ELF machine %u is not %s", td_le16(h + 18), td_arch_names());
	if (td_le16(h + 54) != PHDR_SIZE)
		return td_fail(e, "program header size %u is not %u", td_le16(h + 54), PHDR_SIZE);
	return 0;
}

static int is_kimage(const struct td_vmcore *vc, uint64_t vaddr)
{
	return vaddr >= vc->arch->kimage_base;
}

static int add_load(struct td_vmcore *vc, const uint8_t *p, unsigned idx, struct td_err *e)
{
	struct td_load l = {
		.off = td_le64(p + 8),
		.vaddr = td_le64(p + 16),
		.paddr = td_le64(p + 24),
		.filesz = td_le64(p + 32),
		.memsz = td_le64(p + 40),
	};

	if (l.filesz > l.memsz)
		return td_fail(e, "PT_LOAD %u: p_filesz 0x%llx > p_memsz 0x%llx", idx,
			       (unsigned long long)l.filesz, (unsigned long long)l.memsz);
	if (l.off > vc->src->size || l.filesz > vc->src->size - l.off)
		return td_fail(e, "PT_LOAD %u: file range 0x%llx+0x%llx is past the end of the file (%llu bytes; truncated copy?)",
			       idx, (unsigned long long)l.off, (unsigned long long)l.filesz,
			       (unsigned long long)vc->src->size);
	if (l.paddr + l.memsz < l.paddr || l.paddr + l.memsz > (1ull << 52))
		return td_fail(e, "PT_LOAD %u: physical range 0x%llx+0x%llx is impossible", idx,
			       (unsigned long long)l.paddr, (unsigned long long)l.memsz);
	if (is_kimage(vc, l.vaddr)) {
		vc->ktext = l; /* the kernel-text alias; RAM covers it */
		return 0;
	}
	if (l.memsz == 0)
		return 0;
	if (vc->nload == TD_MAX_LOADS)
		return td_fail(e, "more than %u PT_LOAD segments", TD_MAX_LOADS);
	if (vc->nload && l.paddr < vc->load[vc->nload - 1].paddr + vc->load[vc->nload - 1].memsz)
		return td_fail(e, "PT_LOAD %u: physical range 0x%llx overlaps or precedes the one before",
			       idx, (unsigned long long)l.paddr);
	vc->load[vc->nload++] = l;
	vc->page_offset = l.vaddr - l.paddr;
	return 0;
}

static int read_phdrs(struct td_vmcore *vc, uint64_t phoff, unsigned phnum, struct td_err *e)
{
	int nnote = 0;

	for (unsigned i = 0; i < phnum; i++) {
		const uint8_t *p = vc->src->get(vc->src->ctx, phoff + (uint64_t)i * PHDR_SIZE, PHDR_SIZE, e);
		if (!p)
			return td_wrap(e, "reading program header %u", i);
		uint32_t type = td_le32(p);
		if (type == PT_NOTE) {
			if (nnote++)
				return td_fail(e, "more than one PT_NOTE segment (not a /proc/vmcore layout)");
			vc->note_off = td_le64(p + 8);
			vc->note_size = td_le64(p + 32);
		} else if (type == PT_LOAD && add_load(vc, p, i, e) < 0) {
			return -1;
		}
	}
	if (!nnote)
		return td_fail(e, "no PT_NOTE segment: no VMCOREINFO or CPU registers");
	if (vc->note_size == 0 || vc->note_size > TD_MAX_NOTES)
		return td_fail(e, "PT_NOTE size %llu is not in 1..%u", (unsigned long long)vc->note_size,
			       TD_MAX_NOTES);
	if (vc->note_off > vc->src->size || vc->note_size > vc->src->size - vc->note_off)
		return td_fail(e, "PT_NOTE is past the end of the file");
	if (!vc->nload)
		return td_fail(e, "no RAM PT_LOAD segments");
	return 0;
}

int td_vmcore_open(struct td_vmcore *vc, struct td_source *src, struct td_err *e)
{
	const uint8_t *h;

	memset(vc, 0, sizeof *vc);
	vc->src = src;
	h = src->get(src->ctx, 0, EHDR_SIZE, e);
	if (!h)
		return td_wrap(e, "reading ELF header");
	if (check_ehdr(vc, h, e) < 0)
		return -1;
	uint64_t phoff = td_le64(h + 32);
	unsigned phnum = td_le16(h + 56);
	if (phnum == 0 || phnum == 0xffff)
		return td_fail(e, "ELF e_phnum %u is not supported", phnum);
	if (phoff > src->size || (uint64_t)phnum * PHDR_SIZE > src->size - phoff)
		return td_fail(e, "program headers at 0x%llx are past the end of the file",
			       (unsigned long long)phoff);
	if (read_phdrs(vc, phoff, phnum, e) < 0)
		return -1;
	const struct td_load *last = &vc->load[vc->nload - 1];
	vc->max_pfn = (last->paddr + last->memsz + TD_PAGE_SIZE - 1) >> TD_PAGE_SHIFT;
	return 0;
}

static uint32_t pad4(uint32_t n)
{
	return (n + 3u) & ~3u;
}

int td_note_next(const uint8_t *notes, uint64_t size, uint64_t *pos, struct td_note *n,
		 struct td_err *e)
{
	uint64_t p = *pos;

	if (size - p < 12)
		return 0; /* trailing padding too short for a header ends the list */
	uint32_t namesz = td_le32(notes + p), descsz = td_le32(notes + p + 4);
	if (namesz == 0 && descsz == 0 && td_le32(notes + p + 8) == 0)
		return 0; /* zero padding after the last note */
	if (namesz > NOTE_NAME_MAX || descsz > TD_MAX_NOTES)
		return td_fail(e, "note at offset %llu: sizes %u/%u are impossible", (unsigned long long)p,
			       namesz, descsz);
	uint64_t need = 12 + (uint64_t)pad4(namesz) + pad4(descsz);
	if (need > size - p)
		return td_fail(e, "note at offset %llu runs past the end of PT_NOTE", (unsigned long long)p);
	n->name = (const char *)notes + p + 12;
	n->namesz = namesz && n->name[namesz - 1] == '\0' ? namesz - 1 : namesz;
	n->type = td_le32(notes + p + 8);
	n->desc_off = p + 12 + pad4(namesz);
	n->desc = notes + n->desc_off;
	n->descsz = descsz;
	*pos = p + need;
	return 1;
}

static int note_is(const struct td_note *n, const char *name)
{
	return n->namesz == strlen(name) && memcmp(n->name, name, n->namesz) == 0;
}

int td_vmcore_load_notes(struct td_vmcore *vc, uint8_t *buf, struct td_err *e)
{
	uint64_t pos = 0, off = 0;
	struct td_note n;
	int r;

	while (off < vc->note_size) {
		uint64_t len = vc->note_size - off;
		if (len > TD_SOURCE_MAX_GET)
			len = TD_SOURCE_MAX_GET;
		const uint8_t *p = vc->src->get(vc->src->ctx, vc->note_off + off, len, e);
		if (!p)
			return td_wrap(e, "reading PT_NOTE");
		memcpy(buf + off, p, len);
		off += len;
	}
	vc->notes = buf;
	while ((r = td_note_next(buf, vc->note_size, &pos, &n, e)) == 1) {
		if (note_is(&n, "VMCOREINFO") && !vc->vmcoreinfo_size) {
			vc->vmcoreinfo_off = n.desc_off;
			vc->vmcoreinfo_size = n.descsz;
		} else if (note_is(&n, "CORE") && n.type == NT_PRSTATUS) {
			if (!vc->nr_cpus++) {
				vc->prstatus_off = n.desc_off;
				vc->prstatus_size = n.descsz;
			}
		}
	}
	if (r < 0)
		return td_wrap(e, "parsing PT_NOTE");
	if (!vc->vmcoreinfo_size)
		return td_fail(e, "no VMCOREINFO note: this is not a Linux kdump vmcore");
	return 0;
}

/* Index of the RAM PT_LOAD whose [paddr, paddr + memsz) holds pa, or -1. */
static int find_load(const struct td_vmcore *vc, uint64_t pa)
{
	unsigned lo = 0, hi = vc->nload;

	while (lo < hi) {
		unsigned mid = (lo + hi) / 2;
		const struct td_load *l = &vc->load[mid];
		if (pa < l->paddr)
			hi = mid;
		else if (pa - l->paddr >= l->memsz)
			lo = mid + 1;
		else
			return (int)mid;
	}
	return -1;
}

int td_vmcore_pfn_present(const struct td_vmcore *vc, uint64_t pfn)
{
	uint64_t pa = pfn << TD_PAGE_SHIFT;
	int i = find_load(vc, pa);

	if (i >= 0)
		return pa - vc->load[i].paddr < vc->load[i].filesz;
	/* a PT_LOAD may start inside this page */
	i = find_load(vc, pa + TD_PAGE_SIZE - 1);
	return i >= 0 && vc->load[i].paddr > pa && vc->load[i].filesz > 0;
}

/* Index of the first RAM PT_LOAD that ends above pa (nload if none). */
static unsigned first_load_after(const struct td_vmcore *vc, uint64_t pa)
{
	unsigned lo = 0, hi = vc->nload;

	while (lo < hi) {
		unsigned mid = (lo + hi) / 2;
		if (vc->load[mid].paddr + vc->load[mid].memsz <= pa)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* Copy the file-backed bytes of [pa, pa + len) that exist into buf; the
 * rest stays as the caller left it. Returns the number of bytes found. */
static uint64_t copy_present(struct td_vmcore *vc, uint64_t pa, uint8_t *buf, uint64_t len,
			     struct td_err *e, int *err)
{
	uint64_t found = 0;

	for (unsigned i = first_load_after(vc, pa); i < vc->nload && !*err; i++) {
		const struct td_load *l = &vc->load[i];
		if (l->paddr >= pa + len)
			break;
		uint64_t s = pa > l->paddr ? pa : l->paddr;
		uint64_t end = pa + len < l->paddr + l->filesz ? pa + len : l->paddr + l->filesz;
		for (; s < end && !*err;) {
			uint64_t chunk = end - s > TD_SOURCE_MAX_GET ? TD_SOURCE_MAX_GET : end - s;
			const uint8_t *p = vc->src->get(vc->src->ctx, l->off + (s - l->paddr), chunk, e);
			if (!p) {
				*err = 1;
				break;
			}
			memcpy(buf + (s - pa), p, chunk);
			found += chunk;
			s += chunk;
		}
	}
	return found;
}

const uint8_t *td_vmcore_page(struct td_vmcore *vc, uint64_t pfn, struct td_err *e)
{
	uint64_t pa = pfn << TD_PAGE_SHIFT;
	int i = find_load(vc, pa), err = 0;

	if (i >= 0) {
		const struct td_load *l = &vc->load[i];
		uint64_t rel = pa - l->paddr;
		if (rel + TD_PAGE_SIZE <= l->filesz) {
			const uint8_t *p = vc->src->get(vc->src->ctx, l->off + rel, TD_PAGE_SIZE, e);
			if (!p)
				td_wrap(e, "reading pfn 0x%llx", (unsigned long long)pfn);
			return p;
		}
	}
	memset(vc->edge, 0, sizeof vc->edge);
	if (!copy_present(vc, pa, vc->edge, TD_PAGE_SIZE, e, &err)) {
		if (!err)
			td_fail(e, "pfn 0x%llx is not in the dump", (unsigned long long)pfn);
		return NULL;
	}
	if (err) {
		td_wrap(e, "reading pfn 0x%llx", (unsigned long long)pfn);
		return NULL;
	}
	return vc->edge;
}

int td_vmcore_read_phys(struct td_vmcore *vc, uint64_t paddr, void *buf, uint64_t len,
			struct td_err *e)
{
	int err = 0;

	if (paddr + len < paddr)
		return td_fail(e, "physical range 0x%llx+%llu wraps", (unsigned long long)paddr,
			       (unsigned long long)len);
	if (copy_present(vc, paddr, buf, len, e, &err) != len || err) {
		if (!err)
			td_fail(e, "physical range 0x%llx+%llu is not (wholly) in the dump",
				(unsigned long long)paddr, (unsigned long long)len);
		return -1;
	}
	return 0;
}

static int physread(void *ctx, uint64_t pa, void *buf, size_t len, struct td_err *e)
{
	return td_vmcore_read_phys(ctx, pa, buf, len, e);
}

void td_vmcore_physread(struct td_vmcore *vc, struct td_physread *pr)
{
	pr->ctx = vc;
	pr->read = physread;
}
