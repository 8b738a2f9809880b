# Host test binaries that need more than the pure objects.

# membound measures the page filter's memory without sanitizers (under ASan
# most anonymous memory is the sanitizer's); test_membound runs it on
# synthetic 1 GiB and 64 GiB vmcores.
MEMBOUND_SRCS := tests/membound.c $(filter-out init/% net/%,$(PURE_SRCS)) init/filesrc.c
$(B)/host/membound: $(MEMBOUND_SRCS) $(wildcard os/*.h capture/*.h init/*.h)
	@mkdir -p $(dir $@)
	gcc $(COMMON) -o $@ $(MEMBOUND_SRCS) $(HOST_LIBS)
$(B)/host/test_membound: $(B)/host/membound
