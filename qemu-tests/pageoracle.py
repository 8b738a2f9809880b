#!/usr/bin/python3
"""pageoracle.py: the pages a level-31 dump keeps, from the crashed kernel's
own verdicts, compared with the kept pages of a dump filter.

  pageoracle.py VMCORE PHYS BYTES KEPT ZERO [--plant N] [--tails-ok]

VMCORE  a level-0 ELF vmcore of the crash (every page present)
PHYS, BYTES  where qemu-tests/kmod/pageoracle put its record (its log line)
KEPT, ZERO   `tool_kdumpinfo --pfns` and `--zero-pfns` output for the
        filter's level-31 kdump file of the same vmcore ("pfns 0xA-0xB" and
        "zero 0xA-0xB" lines)
--plant N    test the test: before comparing, the filter's kept set gains
        the first N free pages and loses the first N kept slab pages
--tails-ok   tail pages on which the two differ are counted apart, with the
        class of their folio, not as differences: makedumpfile up to 1.7.9
        reads no page.compound_info and so takes the tails of 7.1 and later
        for pages of their own (docs/KERNELS.md)

The record holds one u32 per pfn: class bits (PO_* in pageoracle.c) and an
order in bits 16-23. makedumpfile's level-31 rules are applied to those
verdicts, pfn by pfn as makedumpfile walks mem_map: a tail page is skipped;
a free block (PageBuddy, its order) is dropped whole; a folio that is on the
LRU or in the swap cache (page cache, levels 2 and 4), or anonymous or
hugetlb (user data, level 8), or hwpoisoned or offline (any level), is
dropped with all its pages. Anonymous means bit 0 of the folio's mapping on
a folio that is not slab and carries no page type but hugetlb (the kernel's
mapping field means nothing else there). A page without a struct page
(outside the record, or not online) is kept. Of the kept pages, those whose
bytes in VMCORE are all zero are the zero pages (level 1: kept in the kdump
bitmap, stored as the shared zero page).

Prints the counts and, for each difference, up to 8 pfns with their bits.
Exit 0: the kept and zero sets are equal; 1: they differ; 2: bad input.
"""
import mmap
import struct
import sys

PAGE = 4096
BITS = ["valid", "tail", "head", "buddy", "free", "slab", "lru", "anon",
        "swapcache", "private", "hugetlb", "offline", "hwpoison",
        "unaccepted", "typed"]
B = {name: 1 << i for i, name in enumerate(BITS)}


def fail(msg):
    print("pageoracle.py: " + msg, file=sys.stderr)
    sys.exit(2)


def loads(m):
    """The PT_LOAD segments of an ELF64 little-endian vmcore: (paddr, off, filesz)."""
    if m[:4] != b"\x7fELF" or m[4] != 2 or m[5] != 1:
        fail("not an ELF64 little-endian file")
    phoff, = struct.unpack_from("<Q", m, 0x20)
    phentsize, phnum = struct.unpack_from("<HH", m, 0x36)
    out = []
    for i in range(phnum):
        p_type, _, off, _, paddr, filesz, _ = struct.unpack_from("<IIQQQQQ", m, phoff + i * phentsize)
        if p_type == 1 and filesz:
            out.append((paddr, off, filesz))
    return out


def phys_read(m, segs, addr, n):
    for paddr, off, filesz in segs:
        if paddr <= addr and addr + n <= paddr + filesz:
            return m[off + addr - paddr: off + addr - paddr + n]
    fail("phys 0x%x+%d is not inside one PT_LOAD with data" % (addr, n))


def ranges(path, word):
    out = set()
    with open(path) as f:
        for line in f:
            w = line.split()
            if len(w) == 2 and w[0] == word:
                a, b = w[1].split("-")
                out.update(range(int(a, 16), int(b, 16) + 1))
    return out


def verdicts(rec):
    """{pfn: reason} for every pfn the level-31 rules drop (zero pages aside)."""
    drop, npfn, pfn = {}, len(rec), 0
    while pfn < npfn:
        v = rec[pfn]
        if not v & B["valid"] or v & B["tail"]:
            pfn += 1
            continue
        n = 1 << (v >> 16 & 0xff) if v & B["head"] else 1
        anon = (v & B["anon"] and not v & B["slab"]
                and not (v & B["typed"] and not v & B["hugetlb"]))
        if v & B["buddy"]:
            why, n = "free", 1 << (v >> 16 & 0xff)
        elif v & (B["lru"] | B["swapcache"]) and not anon:
            why = "cache"
        elif anon or v & B["hugetlb"]:
            why = "user"
        elif v & B["hwpoison"]:
            why = "hwpoison"
        elif v & B["offline"]:
            why = "offline"
        else:
            pfn += 1
            continue
        for p in range(pfn, min(pfn + n, npfn)):
            drop[p] = why
        pfn += n
    return drop


def describe(rec, pfn):
    if pfn >= len(rec):
        return "0x%x (outside the record)" % pfn
    v = rec[pfn]
    names = [b for b in BITS if v & B[b]] or ["no struct page"]
    return "0x%x %s order %d" % (pfn, "|".join(names), v >> 16 & 0xff)


def heads(rec, tails):
    """' (their folios: slab N, ...)': the classes of the tails' head pages."""
    count = {}
    for p in tails:
        h = p
        while h > 0 and rec[h] & B["tail"]:
            h -= 1
        v = rec[h]
        name = "|".join(b for b in BITS if v & B[b] and b not in ("valid", "head")) or "no class"
        count[name] = count.get(name, 0) + 1
    return " (their folios: %s)" % ", ".join("%s %d" % kv for kv in sorted(count.items())) if count else ""


def main(argv):
    plant, tails_ok, args = 0, False, []
    i = 0
    while i < len(argv):
        if argv[i] == "--plant":
            plant = int(argv[i + 1])
            i += 2
        elif argv[i] == "--tails-ok":
            tails_ok, i = True, i + 1
        else:
            args.append(argv[i])
            i += 1
    if len(args) != 5:
        fail("usage: pageoracle.py VMCORE PHYS BYTES KEPT ZERO [--plant N] [--tails-ok]")
    vmcore, phys, nbytes, kept_path, zero_path = args
    phys, nbytes = int(phys, 0), int(nbytes, 0)
    if phys % PAGE or nbytes % 4 or not 0 < nbytes <= 1 << 26:
        fail("record phys 0x%x bytes %d: not a page-aligned record of u32s" % (phys, nbytes))
    with open(vmcore, "rb") as f:
        m = mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ)
    segs = loads(m)
    rec = struct.unpack("<%dI" % (nbytes // 4), phys_read(m, segs, phys, nbytes))
    if not any(v & B["valid"] for v in rec):
        fail("the record at 0x%x holds no page: wrong address, or the module never ran" % phys)
    ram = set()
    for paddr, off, filesz in segs:
        ram.update(range((paddr + PAGE - 1) // PAGE, (paddr + filesz) // PAGE))
    drop = verdicts(rec)
    kept = {p for p in ram if p not in drop}
    zero_page = bytes(PAGE)
    zero = {p for p in kept if phys_read(m, segs, p * PAGE, PAGE) == zero_page}
    theirs, theirs_zero = ranges(kept_path, "pfns"), ranges(zero_path, "zero")
    if not theirs:
        fail("%s has no 'pfns' line" % kept_path)
    if plant:
        theirs |= set(sorted(p for p in ram if drop.get(p) == "free")[:plant])
        theirs -= set(sorted(p for p in kept if rec[p] & B["slab"])[:plant])
    counts = {}
    for why in drop.values():
        counts[why] = counts.get(why, 0) + 1
    print("record: 0x%x, %d pfns; RAM pages %d; dropped: %s" % (
        phys, len(rec), len(ram),
        ", ".join("%s %d" % (k, counts.get(k, 0)) for k in ("free", "cache", "user", "hwpoison", "offline"))))
    print("oracle kept %d (zero %d); filter kept %d (zero %d)" % (len(kept), len(zero), len(theirs), len(theirs_zero)))
    only_ours, only_theirs = sorted(kept - theirs), sorted(theirs - kept)
    if tails_ok:
        for name, pfns in (("kept only by the oracle", only_ours), ("kept only by the filter", only_theirs)):
            tails = [p for p in pfns if p < len(rec) and rec[p] & B["tail"]]
            pfns[:] = [p for p in pfns if not (p < len(rec) and rec[p] & B["tail"])]
            print("tail pages %s (allowed): %d%s" % (name, len(tails), heads(rec, tails)))
    zdiff = sorted((zero ^ theirs_zero) & kept & theirs)
    for name, pfns in (("kept only by the oracle", only_ours), ("kept only by the filter", only_theirs),
                       ("zero in one set only", zdiff)):
        print("%s: %d" % (name, len(pfns)))
        for p in pfns[:8]:
            why = " (oracle: %s)" % drop[p] if p in drop else ""
            print("    " + describe(rec, p) + why)
    return 0 if not (only_ours or only_theirs or zdiff) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
