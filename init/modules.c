/* Loading the initramfs's kernel modules (modules.h). */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "os/clock.h"
#include "os/file.h"
#include "os/log.h"
#include "modules.h"

#define LIST_MAX 16384

/* include/uapi/linux/module.h, since Linux 5.17 (commit b1ae6dc41eaa,
 * "module: add in-kernel support for decompressing"). With
 * CONFIG_MODULE_DECOMPRESS a compressed file must come with this flag: a
 * plain finit_module of one fails with ENOEXEC. */
#define MODULE_INIT_COMPRESSED_FILE 4

/* Compressed modules are recognised by content, as the kernel does. */
static int compressed(int fd)
{
	static const struct { unsigned char m[6]; size_t n; } magic[] = {
		{ { 0x1f, 0x8b }, 2 },				/* gzip */
		{ { 0xfd, '7', 'z', 'X', 'Z', 0 }, 6 },		/* xz */
		{ { 0x28, 0xb5, 0x2f, 0xfd }, 4 },		/* zstd */
	};
	unsigned char head[6];
	ssize_t n = pread(fd, head, sizeof head, 0);

	for (size_t i = 0; n > 0 && i < sizeof magic / sizeof magic[0]; i++)
		if ((size_t)n >= magic[i].n && !memcmp(head, magic[i].m, magic[i].n))
			return 1;
	return 0;
}

/* The reason for a refused load, in words an operator can act on. */
static const char *reason(int err, int flags)
{
	switch (err) {
	case ENOENT: return "file missing from the initramfs";
	case EEXIST: return "already loaded or built in";
	case ENOEXEC: return "not a module for this kernel (bad ELF or unknown format)";
	case EKEYREJECTED: return "signature rejected (module signatures enforced)";
	case ENOKEY: return "signed with a key this kernel does not trust";
	case EPERM: return "not permitted (lockdown or modules disabled)";
	case ENODEV: return "no such device (hardware or CPU feature absent)";
	case ENOMEM: return "out of memory";
	case EINVAL:
		if (flags & MODULE_INIT_COMPRESSED_FILE)
			return "the kernel cannot decompress modules (no CONFIG_MODULE_DECOMPRESS or other format)";
		return "invalid module or parameters (version magic or symbol mismatch: see dmesg)";
	case ENOSYS: return "kernel without module support";
	}
	return strerror(err);
}

/* finit_module, then again with the decompress flag when the kernel
 * rejected a compressed file as not ELF. 0, or the errno. */
static int load_one(const char *path, int *flags)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC), err = 0;

	*flags = 0;
	if (fd < 0)
		return errno;
	if (syscall(SYS_finit_module, fd, "", 0) < 0) {
		err = errno;
		if (err == ENOEXEC && compressed(fd)) {
			*flags = MODULE_INIT_COMPRESSED_FILE;
			err = syscall(SYS_finit_module, fd, "", *flags) < 0 ? errno : 0;
		}
	}
	close(fd);
	return err;
}

static const char *base(const char *path)
{
	const char *s = strrchr(path, '/');

	return s ? s + 1 : path;
}

unsigned td_modules_load(const char *path)
{
	static char list[LIST_MAX];
	unsigned loaded = 0, failed = 0;
	uint64_t t0 = td_mono_ms();
	struct td_err e;
	size_t len;
	char *line, *next;

	if (access(path, F_OK) < 0)
		return 0;
	if (td_read_file(path, list, sizeof list, &len, &e) < 0) {
		td_log("modules: cannot read the list: %s", e.msg);
		return 1;
	}
	for (line = list; line < list + len; line = next) {
		char *nl = memchr(line, '\n', (size_t)(list + len - line));
		int flags, err;

		next = nl ? nl + 1 : list + len;
		if (nl)
			*nl = '\0';
		if (!*line || *line == '#')
			continue;
		if ((err = load_one(line, &flags))) {
			td_log("module %s: not loaded: %s", base(line), reason(err, flags));
			failed++;
			continue;
		}
		td_log("module %s: loaded%s", base(line), flags ? " (decompressed by the kernel)" : "");
		loaded++;
	}
	td_log("modules: %u loaded, %u not loaded, %llu ms", loaded, failed,
	       (unsigned long long)(td_mono_ms() - t0));
	return failed;
}
