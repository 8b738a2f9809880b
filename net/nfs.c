/* NFS mounts through the kernel's text options (fs/nfs/fs_context.c):
 *  - addr= is required: the kernel never resolves the name in the source;
 *  - vers=4.N picks the minor version; plain vers=4 would mean 4.0 only
 *    (mount.nfs does the 4.2 -> 4.1 -> 4.0 walk in userspace, so do we;
 *    a kernel without NFS_V4_1/NFS_V4_2 answers those with EINVAL);
 *  - clientaddr= is the address the server uses for NFSv4.0 callbacks; the
 *    kernel would guess it the same way, we pass it to log what is used;
 *  - soft,timeo=,retrans=: over TCP a call waits timeo, 2*timeo, 3*timeo
 *    (linear back-off) before failing, so with retrans=2 a dead server
 *    costs about 6*timeo; timeo is derived so that is about timeout_s;
 *  - v3: nolock (no rpc.statd here) and mountproto=tcp; the kernel asks
 *    the server's rpcbind for mountd's and nfsd's ports unless
 *    mountport= and port= are given.
 * The source ports are privileged (< 1024) by default; behind NAT (QEMU
 * user networking) the server sees others, and must allow them (ganesha:
 * PrivilegedPort = false, its default; knfsd: the "insecure" export). */
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <unistd.h>

#include "os/clock.h"
#include "os/file.h"
#include "os/log.h"
#include "os/parse.h"
#include "netlink.h"
#include "nfs.h"

int td_nfs_opts(char *buf, size_t cap, const char *addr, const char *clientaddr, int vers,
		int minor, const char *extra_opts, unsigned timeout_s, struct td_err *e)
{
	unsigned timeo = timeout_s * 10 / 6;
	char v[24];
	int n;

	if (timeo < 10)
		timeo = 10;
	if (timeo > 600)
		timeo = 600;
	if (minor >= 0)
		snprintf(v, sizeof v, "%d.%d", vers, minor);
	else
		snprintf(v, sizeof v, "%d", vers);
	n = snprintf(buf, cap, "vers=%s,addr=%s%s%s,proto=tcp,soft,timeo=%u,retrans=2%s%s%s", v,
		     addr, clientaddr && vers == 4 ? ",clientaddr=" : "",
		     clientaddr && vers == 4 ? clientaddr : "", timeo,
		     vers == 3 ? ",nolock,mountproto=tcp" : "",
		     extra_opts && extra_opts[0] ? "," : "", extra_opts ? extra_opts : "");
	if (n < 0 || (size_t)n >= cap)
		return td_fail(e, "NFS mount options longer than %zu bytes", cap);
	return 0;
}

/* The local address the kernel will use towards server (no packet sent). */
static int local_addr(uint32_t server, char *buf)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons(2049),
				  .sin_addr.s_addr = htonl(server) };
	socklen_t len = sizeof sa;
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0), rc = -1;

	if (fd < 0)
		return -1;
	if (connect(fd, (struct sockaddr *)&sa, sizeof sa) == 0 &&
	    getsockname(fd, (struct sockaddr *)&sa, &len) == 0) {
		td_ipv4_str(ntohl(sa.sin_addr.s_addr), buf);
		rc = 0;
	}
	close(fd);
	return rc;
}

static const char *plain(int err, int vers)
{
	switch (err) {
	case ECONNREFUSED:
		return "connection refused: nothing listens on the NFS port (is the server "
		       "running? for v3, is rpcbind?)";
	case ETIMEDOUT:
		return "the server did not answer in time";
	case EHOSTUNREACH:
	case ENETUNREACH:
		return "no route to the server (check the address and tinydump.ip)";
	case EACCES:
	case EPERM:
		return vers == 3 ? "access denied by the server (check the export's client "
				   "list; NFSv3 servers also say this for a path they do not "
				   "export)" :
				   "access denied by the server (check the export's client list "
				   "and root squashing)";
	case ENOENT:
		return "the path is not exported by the server (for v4, the export's "
		       "pseudo path)";
	case EPROTONOSUPPORT:
		return vers == 3 ? "the server does not speak NFSv3" :
				   "the server does not speak NFSv4";
	case ENODEV:
		return "this kernel has no NFS client (CONFIG_NFS_FS)";
	case EINVAL:
		return "the kernel refused the mount options (its log says which)";
	case EIO:
		/* what a soft mount returns when its calls time out */
		return "the server did not answer in time, or answered with garbage (I/O error)";
	}
	return strerror(err);
}

static int transient(int err)
{
	return err == ECONNREFUSED || err == EHOSTUNREACH || err == ENETUNREACH;
}

/* One mount(2), retried while the connection is refused or unroutable. */
static int try_mount(const char *src, const char *mnt, const char *opts, uint64_t deadline)
{
	int logged = 0;

	for (;;) {
		if (mount(src, mnt, "nfs", 0, opts) == 0)
			return 0;
		if (!transient(errno) || td_mono_ms() + 1000 >= deadline)
			return -1;
		if (!logged++)
			td_log("nfs: %s: %s; retrying until the timeout", src, strerror(errno));
		td_sleep_ms(1000);
	}
}

/* addr= takes the bare address: strip the brackets of an IPv6 literal. */
static int server_addr(const char *server, char *addr, size_t cap, uint32_t *v4,
		       struct td_err *e)
{
	size_t n = strlen(server);

	*v4 = 0;
	if (n >= 2 && server[0] == '[' && server[n - 1] == ']') {
		if (n - 2 >= cap)
			return td_fail(e, "server address %s is too long", server);
		memcpy(addr, server + 1, n - 2);
		addr[n - 2] = 0;
		return 0;
	}
	if (n >= cap || td_ipv4_parse(server, n, v4))
		return td_fail(e, "server %s is not an IP address", server);
	memcpy(addr, server, n + 1);
	return 0;
}

int td_nfs_mount(const char *server, const char *path, int vers, const char *extra_opts,
		 unsigned timeout_s, const char *mnt, struct td_err *e)
{
	uint64_t t0 = td_mono_ms(), deadline = t0 + (uint64_t)timeout_s * 1000;
	char src[320], opts[512], addr[64], local[16];
	int pinned = extra_opts && (strstr(extra_opts, "vers=") || strstr(extra_opts, "minorversion="));
	int minor = vers == 4 && !pinned ? 2 : -1;
	uint32_t v4;

	if (server_addr(server, addr, sizeof addr, &v4, e) || td_mkdirs(mnt, e))
		return td_wrap(e, "mounting nfs:%s:%s", server, path);
	if ((size_t)snprintf(src, sizeof src, "%s:%s", server, path) >= sizeof src)
		return td_fail(e, "mounting nfs:%s:%s: path too long", server, path);
	for (;;) {
		if (td_nfs_opts(opts, sizeof opts, addr, v4 && !local_addr(v4, local) ? local : NULL,
				vers, minor, extra_opts, timeout_s, e))
			return td_wrap(e, "mounting %s", src);
		if (try_mount(src, mnt, opts, deadline) == 0)
			break;
		/* The server refuses a minor version with EPROTONOSUPPORT; our
		 * kernel refuses one it was built without with EINVAL. */
		if ((errno == EPROTONOSUPPORT || errno == EINVAL) && minor > 0) {
			minor--;
			continue;
		}
		return td_fail(e, "unable to mount nfs %s on %s (%s): %s", src, mnt, opts,
			       plain(errno, vers));
	}
	td_log("nfs: mounted %s on %s (%s) in %.1f s", src, mnt, opts,
	       (double)(td_mono_ms() - t0) / 1000.0);
	return 0;
}
