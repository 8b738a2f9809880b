// SPDX-License-Identifier: GPL-2.0
/*
 * pageoracle: a test-only module. Loaded in the kernel that is about to
 * crash, it records, for every pfn of every online node, what the kernel's
 * own page helpers say about that page, then panics. The host reads the
 * record out of a level-0 dump of the same crash and derives from it the
 * pages a dump filter must drop (qemu-tests/pageoracle.py), independently
 * of tinydump's reading of struct page through VMCOREINFO.
 *
 * Record: one little-endian u32 per pfn, pfn 0 first. Low 16 bits are the
 * PO_* class bits below; bits 16-23 an order (the folio's on a head page,
 * the free block's on a buddy page). Interrupts are off from the first pfn
 * to the panic, and the guest has one CPU, so nothing changes in between.
 * The kernel log line "pageoracle: record phys 0x... bytes N pfns N" says
 * where the record is.
 */
#include <linux/module.h>
#include <linux/mm.h>
#include <linux/memory_hotplug.h>
#include <linux/mmzone.h>
#include <linux/nodemask.h>
#include <linux/page-flags.h>
#include <linux/pfn.h>
#include <linux/version.h>

/* 6.1 to 6.7 count orders up to MAX_ORDER, exclusive. */
#ifndef MAX_PAGE_ORDER
#define MAX_PAGE_ORDER (MAX_ORDER - 1)
#endif

#define PO_VALID	0x0001	/* pfn_to_online_page() gave a struct page */
#define PO_TAIL		0x0002	/* PageTail */
#define PO_HEAD		0x0004	/* PageHead */
#define PO_BUDDY	0x0008	/* PageBuddy: first page of a free block */
#define PO_FREE		0x0010	/* inside a free block (set by its buddy page) */
#define PO_SLAB		0x0020	/* folio_test_slab */
#define PO_LRU		0x0040	/* folio_test_lru */
#define PO_ANON		0x0080	/* folio_test_anon: bit 0 of the folio's mapping */
#define PO_SWAPCACHE	0x0100	/* folio_test_swapcache */
#define PO_PRIVATE	0x0200	/* folio_test_private */
#define PO_HUGETLB	0x0400	/* folio_test_hugetlb */
#define PO_OFFLINE	0x0800	/* PageOffline */
#define PO_HWPOISON	0x1000	/* PageHWPoison */
#define PO_UNACCEPTED	0x2000	/* PageUnaccepted (6.5 on) */
#define PO_TYPED	0x4000	/* page_has_type() on the folio's head */

static u32 classify(struct page *page)
{
	struct folio *folio = page_folio(page);
	u32 v = PO_VALID;

	if (PageTail(page))
		v |= PO_TAIL;
	if (PageHead(page))
		v |= PO_HEAD | (u32)folio_order(folio) << 16;
	if (PageBuddy(page))
		v |= PO_BUDDY | PO_FREE | (u32)(page_private(page) & 0xff) << 16;
	if (folio_test_slab(folio))
		v |= PO_SLAB;
	if (folio_test_lru(folio))
		v |= PO_LRU;
	if (folio_test_anon(folio))
		v |= PO_ANON;
	if (folio_test_swapcache(folio))
		v |= PO_SWAPCACHE;
	if (folio_test_private(folio))
		v |= PO_PRIVATE;
	if (folio_test_hugetlb(folio))
		v |= PO_HUGETLB;
	if (PageOffline(page))
		v |= PO_OFFLINE;
	if (PageHWPoison(page))
		v |= PO_HWPOISON;
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 5, 0)
	if (PageUnaccepted(page))
		v |= PO_UNACCEPTED;
#endif
	if (page_has_type(&folio->page))
		v |= PO_TYPED;
	return v;
}

/* The end of the highest online node: the record covers pfns below it. */
static unsigned long pfn_limit(void)
{
	unsigned long end = 0;
	int nid;

	for_each_online_node(nid)
		end = max(end, pgdat_end_pfn(NODE_DATA(nid)));
	return end;
}

/* Every pfn, then the free blocks spread over their pages. */
static void record(u32 *rec, unsigned long npfn)
{
	unsigned long pfn, i, n;
	struct page *page;

	for (pfn = 0; pfn < npfn; pfn++) {
		page = pfn_to_online_page(pfn);
		rec[pfn] = page ? classify(page) : 0;
	}
	for (pfn = 0; pfn < npfn; pfn++) {
		if (!(rec[pfn] & PO_BUDDY))
			continue;
		n = 1UL << ((rec[pfn] >> 16) & 0xff);
		for (i = 1; i < n && pfn + i < npfn; i++)
			rec[pfn + i] |= PO_FREE;
	}
}

static int __init pageoracle_init(void)
{
	unsigned long npfn = pfn_limit(), bytes = npfn * sizeof(u32);
	unsigned int order = get_order(bytes);
	struct page *buf;
	u32 *rec;

	if (order > MAX_PAGE_ORDER) {
		pr_err("pageoracle: %lu pfns need %lu bytes, more than one allocation\n", npfn, bytes);
		return -E2BIG;
	}
	buf = alloc_pages(GFP_KERNEL | __GFP_ZERO, order);
	if (!buf)
		return -ENOMEM;
	rec = page_address(buf);
	pr_emerg("pageoracle: record phys 0x%llx bytes %lu pfns %lu\n",
		 (unsigned long long)PFN_PHYS(page_to_pfn(buf)), bytes, npfn);
	local_irq_disable();
	record(rec, npfn);
	panic("pageoracle: %lu pfns recorded", npfn);
}

/* No exit function: init returns only on failure, so the module never stays. */
module_init(pageoracle_init);
MODULE_DESCRIPTION("tinydump test: the kernel's own page classes, for the dump filter oracle");
MODULE_LICENSE("GPL");
