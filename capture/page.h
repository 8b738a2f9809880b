/* The page size: the one constant every page-sized buffer in capture/ is
 * sized by. The run's page size comes from VMCOREINFO PAGESIZE, which must
 * equal it (vmcoreinfo.c refuses anything else, and each architecture row
 * declares the same size, arch.h); a larger page would mean growing these
 * buffers, not changing code. */
#ifndef TD_PAGE_H
#define TD_PAGE_H

#include <stdint.h>

#define TD_PAGE_SIZE 4096u
#define TD_PAGE_SHIFT 12

/* 1 if the TD_PAGE_SIZE bytes at page are all zero. */
int td_page_is_zero(const uint8_t *page);

#endif
