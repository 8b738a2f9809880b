# tinydump: one static musl binary, its initramfs, the test kernel, tests.
#   make            build build/tinydump
#   make demo       crash a kernel in QEMU, capture it, open it in crash
#   make check      host unit tests + fuzz smoke + QEMU end-to-end tests
#   make journey    the Debian journey in QEMU: debootstrap, dpkg -i, crash, dump, upgrade
#   make test T=N   one of them by name (make test lists the names)
#   make bench      side-by-side benchmark against makedumpfile
#   make fuzz       run the fuzz targets long
#   make deb        the Debian package, build/tinydump_VERSION_ARCH.deb (scripts/deb.sh)
# Caches (kernel, musl builds of zlib/BearSSL/zstd/LZO/libdeflate) live in $TINYDUMP_CACHE
# (default ~/.cache/tinydump), keyed by their inputs.

B := build
.DEFAULT_GOAL := all
# Messages are cut to their buffers on purpose, so truncation is not an error.
WARN := -Wall -Wextra -Werror -Wvla -Wshadow -Wstrict-prototypes -Wmissing-prototypes -Wno-format-truncation
COMMON := -std=c11 -D_GNU_SOURCE -O2 -g $(WARN) -I.

# Product binary: static musl. The prefix comes from the cache script.
MUSLDEPS = $(shell scripts/musl-deps.sh)
TD_SRCS := $(wildcard os/*.c capture/*.c init/*.c net/*.c)
TD_OBJS := $(TD_SRCS:%.c=$(B)/musl/%.o)
MUSL_LIBS = $(addprefix $(MUSLDEPS)/lib/,libbearssl.a libzstd.a liblzo2.a libz.a)

# Pure sources: files that make no system calls (they read and write
# through td_source/td_sink or caller buffers). All of capture/, and these
# files of the other folders; this is the one list. tests/pure.sh checks
# that none of them includes a system-call header; `make print-pure`
# prints it. Host tests and fuzzers link libtd.a (every object but main's).
PURE_SRCS := os/err.c os/parse.c os/json.c os/strbuf.c $(wildcard capture/*.c) \
	init/cmdline.c init/config.c init/target.c init/blkid.c init/kexecmsg.c \
	init/cpio.c init/modclosure.c init/modinfo.c init/crashsize.c init/stale.c init/mountinfo.c \
	net/proto.c net/dhcpmsg.c net/clientid.c net/retain.c net/metrics.c
# Host tests: gcc + glibc + sanitizers, against Debian's zlib, BearSSL, zstd, LZO.
include tests/rules.mk
HOST_CFLAGS := $(COMMON) -fsanitize=address,undefined -fno-omit-frame-pointer -Itests
HOST_LIBS := -lz -lbearssl -lzstd -llzo2
TESTS := $(patsubst tests/%.c,$(B)/host/%,$(wildcard tests/test_*.c))
TOOLS := $(patsubst tests/%.c,$(B)/host/%,$(wildcard tests/tool_*.c))

# Objects are intermediate to several pattern rules: keep them.
.SECONDARY:
.PHONY: all print-pure print-lib deps demo check journey test unit bench fuzz initramfs kernel deb clean
all: $(B)/tinydump

$(B)/musl/%.o: %.c $(wildcard */*.h)
	@mkdir -p $(dir $@)
	@echo "  CC $<"; musl-gcc $(COMMON) -ffunction-sections -fdata-sections -I$(MUSLDEPS)/include -c $< -o $@

$(B)/tinydump: $(TD_OBJS)
	musl-gcc -static -Wl,--gc-sections -o $@ $(TD_OBJS) $(MUSL_LIBS)
	cp $@ $@.debug && strip $@
	@echo "tinydump: $$(stat -c %s $@) bytes (static, stripped)"

$(B)/host/%.o: %.c $(wildcard */*.h)
	@mkdir -p $(dir $@)
	@echo "  HOSTCC $<"; gcc $(HOST_CFLAGS) -c $< -o $@

# Every object but main's, in one archive: a test links what it uses.
HOST_LIB_SRCS := $(filter-out init/main.c,$(TD_SRCS))
$(B)/host/libtd.a: $(HOST_LIB_SRCS:%.c=$(B)/host/%.o)
	@rm -f $@; ar rcs $@ $^

$(B)/host/test_%: tests/test_%.c $(B)/host/libtd.a tests/t.h
	@mkdir -p $(dir $@)
	gcc $(HOST_CFLAGS) -o $@ $< $(B)/host/libtd.a $(HOST_LIBS)

$(B)/host/tool_%: tests/tool_%.c $(B)/host/libtd.a
	@mkdir -p $(dir $@)
	gcc $(HOST_CFLAGS) -o $@ $< $(B)/host/libtd.a $(HOST_LIBS)

$(B)/mkcpio: initramfs/mkcpio.c init/cpio.c os/err.c init/cpio.h
	@mkdir -p $(B)
	gcc $(COMMON) -o $@ $(filter %.c,$^)

print-pure:
	@echo $(PURE_SRCS)

print-lib:
	@echo $(HOST_LIB_SRCS)

deps:
	@scripts/deps.sh check

unit: $(TESTS) $(TOOLS)
	@tests/run-unit.sh $(TESTS)

initramfs: $(B)/tinydump $(B)/mkcpio
	@initramfs/build.sh $(B)/tinydump $(B)/capture.cpio.gz

kernel:
	@scripts/kernel.sh

check: deps
	@$(MAKE) -s all $(TESTS) $(TOOLS) $(B)/mkcpio
	@tests/run.sh

# The whole Debian journey (qemu-tests/t_journey.sh, docs/JOURNEY.md): about
# 5 to 7 minutes of QEMU on its own, so not part of make check; .ci/run runs both.
journey:
	@scripts/deps.sh journey
	@$(MAKE) -s all
	@tests/run-one.sh journey

# One test by name: make test T=filter/zero_pages, T=capture_disk, T=fuzz/fuzz_elf
test: deps
	@$(MAKE) -s all $(TESTS) $(TOOLS) $(B)/mkcpio
	@tests/run-one.sh $(T)

demo: deps
	@$(MAKE) -s all $(B)/mkcpio $(TOOLS)
	@qemu-tests/demo.sh

bench: deps
	@scripts/deps.sh all
	@$(MAKE) -s all $(TOOLS)
	@bench/run.sh

fuzz: deps
	@fuzz/run.sh long

deb:
	@scripts/deps.sh deb
	@scripts/deb.sh

clean:
	rm -rf $(B)
