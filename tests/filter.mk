# membound measures the page filter's memory without sanitizers (under ASan
# most anonymous memory is the sanitizer's); test_membound runs it on
# synthetic 1 GiB and 64 GiB vmcores.
MEMBOUND_SRCS := tests/membound.c $(wildcard capture/*.c) init/filesrc.c
$(B)/host/membound: $(MEMBOUND_SRCS) $(wildcard capture/*.h init/*.h)
	@mkdir -p $(dir $@)
	gcc $(COMMON) -o $@ $(MEMBOUND_SRCS) -lz -lbearssl
$(B)/host/test_membound: $(B)/host/membound
