# Host test binaries that need more than the pure objects.

# membound measures the page filter's memory without sanitizers (under ASan
# most anonymous memory is the sanitizer's); test_membound runs it on
# synthetic 1 GiB and 64 GiB vmcores.
MEMBOUND_SRCS := tests/membound.c $(filter-out init/% net/%,$(PURE_SRCS)) init/filesrc.c
$(B)/host/membound: $(MEMBOUND_SRCS) $(wildcard os/*.h capture/*.h init/*.h)
	@mkdir -p $(dir $@)
	gcc $(COMMON) -o $@ $(MEMBOUND_SRCS) -lz -lbearssl
$(B)/host/test_membound: $(B)/host/membound

# tool_tls links the system side of the TLS target and the receiver (not
# pure: sockets, fork, files), so only it gets these objects.
TLS_TOOL_OBJS := $(patsubst %.c,$(B)/host/%.o,os/err.c os/log.c os/file.c os/clock.c capture/flat.c \
	net/proto.c net/tls.c net/tlscred.c net/upload.c net/receive.c net/rxsession.c)
$(B)/host/tool_tls: tests/tool_tls.c $(TLS_TOOL_OBJS)
	@mkdir -p $(dir $@)
	gcc $(HOST_CFLAGS) -o $@ $< $(TLS_TOOL_OBJS) -lbearssl
