/* nfsfuse: an NFS export mounted through FUSE, for host tests on kernels
 * that have no NFS client (CONFIG_NFS_FS unset, as on the Firecracker
 * kernel these tests run on; such a kernel answers `mount -t nfs4` with
 * "unknown filesystem type"). Test support, not product code.
 *
 *   nfsfuse SERVER EXPORT MOUNTPOINT
 *
 * Each instance is its own NFS client (libnfs, NFSv3 over TCP; the server
 * needs rpcbind for MOUNT), so two
 * instances on one export behave as two hosts: whether a mkdir or an
 * O_EXCL create wins is decided by the server. Nothing is cached here:
 * entry, attribute and negative timeouts are 0, I/O is direct, so every
 * lookup, mkdir, write and fsync the receiver makes is one or more NFS
 * calls. fsync of a directory is a no-op, as in Linux's NFS client: the
 * server commits directory changes before it answers them.
 *
 * Not NFSv4: libnfs 4.0 (Debian 12) fails to encode a v4 WRITE of more than
 * about 3.5 KB ("ZDR error: Failed to encode COMPOUND4args").
 *
 * Runs in the foreground, single-threaded (a libnfs context is not
 * thread-safe), until unmounted or killed. Errors are libnfs's -errno. */
#define FUSE_USE_VERSION 31
#include <errno.h>
#include <fcntl.h>
#include <fuse.h>
#include <nfsc/libnfs.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>

static struct nfs_context *nfs;

static struct nfsfh *fh_of(const struct fuse_file_info *fi) { return (struct nfsfh *)(uintptr_t)fi->fh; }

static void *nx_init(struct fuse_conn_info *conn, struct fuse_config *cfg)
{
	(void)conn;
	cfg->entry_timeout = cfg->attr_timeout = cfg->negative_timeout = 0;
	cfg->direct_io = 1;
	cfg->hard_remove = 1;
	cfg->use_ino = 1;
	return NULL;
}

static int nx_getattr(const char *path, struct stat *st, struct fuse_file_info *fi)
{
	struct nfs_stat_64 s;
	int rc = fi ? nfs_fstat64(nfs, fh_of(fi), &s) : nfs_stat64(nfs, path, &s);

	if (rc < 0)
		return rc;
	memset(st, 0, sizeof *st);
	st->st_dev = s.nfs_dev;
	st->st_ino = s.nfs_ino;
	st->st_mode = s.nfs_mode;
	st->st_nlink = s.nfs_nlink;
	st->st_uid = s.nfs_uid;
	st->st_gid = s.nfs_gid;
	st->st_rdev = s.nfs_rdev;
	st->st_size = s.nfs_size;
	st->st_blksize = s.nfs_blksize;
	st->st_blocks = s.nfs_blocks;
	st->st_atim = (struct timespec){ s.nfs_atime, s.nfs_atime_nsec };
	st->st_mtim = (struct timespec){ s.nfs_mtime, s.nfs_mtime_nsec };
	st->st_ctim = (struct timespec){ s.nfs_ctime, s.nfs_ctime_nsec };
	return 0;
}

static int nx_mkdir(const char *path, mode_t mode) { return nfs_mkdir2(nfs, path, mode); }
static int nx_rmdir(const char *path) { return nfs_rmdir(nfs, path); }
static int nx_unlink(const char *path) { return nfs_unlink(nfs, path); }

static int nx_rename(const char *from, const char *to, unsigned int flags)
{
	return flags ? -EINVAL : nfs_rename(nfs, from, to); /* no RENAME_NOREPLACE over NFS */
}

static int nx_truncate(const char *path, off_t len, struct fuse_file_info *fi)
{
	return fi ? nfs_ftruncate(nfs, fh_of(fi), len) : nfs_truncate(nfs, path, len);
}

static int nx_open(const char *path, struct fuse_file_info *fi)
{
	struct nfsfh *fh;
	int rc = nfs_open(nfs, path, fi->flags & (O_ACCMODE | O_TRUNC | O_APPEND | O_SYNC), &fh);

	if (rc == 0)
		fi->fh = (uintptr_t)fh;
	return rc;
}

static int nx_create(const char *path, mode_t mode, struct fuse_file_info *fi)
{
	struct nfsfh *fh;
	int rc = nfs_create(nfs, path, fi->flags & (O_ACCMODE | O_EXCL | O_TRUNC | O_APPEND | O_SYNC),
			    mode, &fh);

	if (rc == 0)
		fi->fh = (uintptr_t)fh;
	return rc;
}

static int nx_read(const char *path, char *buf, size_t len, off_t off, struct fuse_file_info *fi)
{
	(void)path;
	return nfs_pread(nfs, fh_of(fi), off, len, buf);
}

static int nx_write(const char *path, const char *buf, size_t len, off_t off, struct fuse_file_info *fi)
{
	size_t done = 0;

	(void)path;
	while (done < len) {
		int n = nfs_pwrite(nfs, fh_of(fi), off + done, len - done, buf + done);

		if (n < 0)
			return n;
		if (n == 0)
			return -EIO;
		done += (size_t)n;
	}
	return (int)done;
}

static int nx_fsync(const char *path, int datasync, struct fuse_file_info *fi)
{
	(void)path, (void)datasync;
	return nfs_fsync(nfs, fh_of(fi));
}

static int nx_release(const char *path, struct fuse_file_info *fi)
{
	(void)path;
	return nfs_close(nfs, fh_of(fi));
}

static int nx_statfs(const char *path, struct statvfs *sv)
{
	struct nfs_statvfs_64 s;
	int rc = nfs_statvfs64(nfs, path, &s);

	if (rc < 0)
		return rc;
	memset(sv, 0, sizeof *sv);
	sv->f_bsize = s.f_bsize;
	sv->f_frsize = s.f_frsize;
	sv->f_blocks = s.f_blocks;
	sv->f_bfree = s.f_bfree;
	sv->f_bavail = s.f_bavail;
	sv->f_files = s.f_files;
	sv->f_ffree = s.f_ffree;
	sv->f_favail = s.f_favail;
	sv->f_namemax = s.f_namemax;
	return 0;
}

static int nx_opendir(const char *path, struct fuse_file_info *fi)
{
	struct nfsdir *d;
	int rc = nfs_opendir(nfs, path, &d);

	if (rc == 0)
		fi->fh = (uintptr_t)d;
	return rc;
}

static int nx_readdir(const char *path, void *buf, fuse_fill_dir_t fill, off_t off,
		      struct fuse_file_info *fi, enum fuse_readdir_flags flags)
{
	struct nfsdir *d = (struct nfsdir *)(uintptr_t)fi->fh;
	struct nfsdirent *ent;

	(void)path, (void)off, (void)flags;
	nfs_rewinddir(nfs, d);
	while ((ent = nfs_readdir(nfs, d)))
		if (fill(buf, ent->name, NULL, 0, 0))
			break;
	return 0;
}

static int nx_releasedir(const char *path, struct fuse_file_info *fi)
{
	(void)path;
	nfs_closedir(nfs, (struct nfsdir *)(uintptr_t)fi->fh);
	return 0;
}

static int nx_fsyncdir(const char *path, int datasync, struct fuse_file_info *fi)
{
	(void)path, (void)datasync, (void)fi;
	return 0;
}

static const struct fuse_operations ops = {
	.init = nx_init, .getattr = nx_getattr, .mkdir = nx_mkdir, .rmdir = nx_rmdir,
	.unlink = nx_unlink, .rename = nx_rename, .truncate = nx_truncate, .open = nx_open,
	.create = nx_create, .read = nx_read, .write = nx_write, .fsync = nx_fsync,
	.release = nx_release, .statfs = nx_statfs, .opendir = nx_opendir,
	.readdir = nx_readdir, .releasedir = nx_releasedir, .fsyncdir = nx_fsyncdir,
};

int main(int argc, char **argv)
{
	char fsname[300];
	int rc;

	if (argc != 4) {
		fprintf(stderr, "usage: nfsfuse SERVER EXPORT MOUNTPOINT\n");
		return 2;
	}
	if (!(nfs = nfs_init_context())) {
		fprintf(stderr, "nfsfuse: no libnfs context with NFSv4\n");
		return 1;
	}
	if ((rc = nfs_mount(nfs, argv[1], argv[2])) < 0) {
		fprintf(stderr, "nfsfuse: mounting %s:%s: %s\n", argv[1], argv[2], nfs_get_error(nfs));
		return 1;
	}
	snprintf(fsname, sizeof fsname, "fsname=%s:%s,subtype=nfsfuse", argv[1], argv[2]);
	char *fargv[] = { argv[0], "-f", "-s", "-o", fsname, argv[3], NULL };
	rc = fuse_main(6, fargv, &ops, NULL);
	nfs_destroy_context(nfs);
	return rc;
}
