/* The VMCOREINFO lines that describe Linux 6.1's lockless printk
 * ringbuffer on x86_64 (sizes and offsets as in
 * tests/fixtures/vmcoreinfo-6.1.192-tinyconfig.txt), for tests and
 * fuzzers that build a ringbuffer by hand. Callers add OSRELEASE, PAGESIZE
 * and SYMBOL(prb) themselves. */
#ifndef TD_PRB_VI_H
#define TD_PRB_VI_H

#define TD_PRB_VMCOREINFO                                                   \
	"SIZE(printk_ringbuffer)=88\n"                                      \
	"OFFSET(printk_ringbuffer.desc_ring)=0\n"                           \
	"OFFSET(printk_ringbuffer.text_data_ring)=48\n"                     \
	"OFFSET(prb_desc_ring.count_bits)=0\n"                              \
	"OFFSET(prb_desc_ring.descs)=8\n"                                   \
	"OFFSET(prb_desc_ring.infos)=16\n"                                  \
	"OFFSET(prb_desc_ring.head_id)=24\n"                                \
	"OFFSET(prb_desc_ring.tail_id)=32\n"                                \
	"SIZE(prb_desc)=24\n"                                               \
	"OFFSET(prb_desc.state_var)=0\n"                                    \
	"OFFSET(prb_desc.text_blk_lpos)=8\n"                                \
	"OFFSET(prb_data_blk_lpos.begin)=0\n"                               \
	"OFFSET(prb_data_blk_lpos.next)=8\n"                                \
	"SIZE(printk_info)=88\n"                                            \
	"OFFSET(printk_info.seq)=0\n"                                       \
	"OFFSET(printk_info.ts_nsec)=8\n"                                   \
	"OFFSET(printk_info.text_len)=16\n"                                 \
	"OFFSET(prb_data_ring.size_bits)=0\n"                               \
	"OFFSET(prb_data_ring.data)=8\n"                                    \
	"OFFSET(atomic_long_t.counter)=0\n"

#endif
