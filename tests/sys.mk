# Pure files of the system side (init/, net/) that host unit tests link.
PURE_SRCS += net/dhcpmsg.c
