PURE_SRCS += init/cmdline.c init/config.c init/target.c init/blkid.c
