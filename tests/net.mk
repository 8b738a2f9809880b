# The flattened format (capture/flat.c) is pure and already in PURE_SRCS.
# The upload protocol's encoders and decoders are pure too.
PURE_SRCS += net/proto.c

# tool_tls links the system side of the TLS target and the receiver (not
# pure: sockets, fork, files), so only it gets these objects.
TLS_TOOL_OBJS := $(patsubst %.c,$(B)/host/%.o,capture/flat.c capture/err.c net/proto.c \
	net/tls.c net/tlscred.c net/upload.c net/receive.c net/rxsession.c init/log.c)
$(B)/host/tool_tls: tests/tool_tls.c $(TLS_TOOL_OBJS)
	@mkdir -p $(dir $@)
	gcc $(HOST_CFLAGS) -o $@ $< $(TLS_TOOL_OBJS) -lbearssl
