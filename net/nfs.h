/* Mounting an NFS export for an nfs: target, with mount(2) alone: the
 * kernel's NFS client takes text options, so no mount.nfs is needed. */
#ifndef TD_NFS_H
#define TD_NFS_H

#include <stddef.h>

#include "os/err.h"

/* Mount SERVER:PATH on mnt (created if missing). server is an IPv4
 * literal (an "[IPv6]" literal is passed on without brackets as addr=).
 * vers 4: NFSv4.2, falling back to 4.1 and 4.0 when the server does not
 * speak the newer minor version; vers 3: NFSv3, which needs the server's
 * rpcbind (port 111) to find mountd and nfsd, unless extra_opts gives
 * port= and mountport=. extra_opts ("" or NULL for none) is appended last,
 * so it overrides anything we chose (a "vers=" there disables fallback).
 * The mount is soft with timeo/retrans derived from timeout_s, so a dead
 * server turns into an error instead of a hang; a refused or unroutable
 * connection is retried until timeout_s has passed. Errors say in plain
 * words what went wrong (refused, no answer, not exported, access denied,
 * version not supported) and what to check. */
int td_nfs_mount(const char *server, const char *path, int vers, const char *extra_opts,
		 unsigned timeout_s, const char *mnt, struct td_err *e);

/* The option text td_nfs_mount passes to mount(2) for one attempt
 * (minor -1: none). Exposed for logging and for tests. */
int td_nfs_opts(char *buf, size_t cap, const char *addr, const char *clientaddr, int vers,
		int minor, const char *extra_opts, unsigned timeout_s, struct td_err *e);

#endif
