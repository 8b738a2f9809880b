# The pure half of `tinydump load` (bzImage header, error explanations).
PURE_SRCS += init/kexecmsg.c
