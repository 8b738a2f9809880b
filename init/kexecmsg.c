/* Pure helpers of `tinydump load`: the bzImage setup header and plain-word
 * explanations of kexec_file_load failures. No system calls.
 *
 * Where the errors come from (Linux 6.1, kernel/kexec_file.c and
 * arch/x86/kernel/kexec-bzimage64.c):
 *   EPERM   no CAP_SYS_BOOT, kexec_load_disabled=1, or lockdown refusing an
 *           unsigned image (Secure Boot);
 *   EKEYREJECTED, EBADMSG, ENOKEY, ENOPKG, ENODATA
 *           signature verification (KEXEC_SIG) failed;
 *   ENOEXEC no image loader accepted the file;
 *   EADDRNOTAVAIL, ENOMEM
 *           no hole in the crashkernel reservation for a segment, or no
 *           reservation at all;
 *   EINVAL  bad command line, or the image failed the loader's checks;
 *   EBUSY   another kexec load or unload is running;
 *   ENOSYS  the kernel was built without CONFIG_KEXEC_FILE. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "kexec.h"

#define MIB (1024LL * 1024)

static uint16_t le16(const unsigned char *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static uint32_t le32(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

int td_bzimage_parse(const unsigned char *buf, size_t n, struct td_bzimage *bz,
		     const char **why)
{
	memset(bz, 0, sizeof(*bz));
	if (n < TD_BZ_HDR_BYTES || memcmp(buf + 0x202, "HdrS", 4)) {
		*why = "no bzImage setup header (is it vmlinux, or not a kernel?)";
		return -1;
	}
	bz->version = le16(buf + 0x206);
	if (bz->version < 0x020c) {
		*why = "boot protocol older than 2.12, which kexec_file_load needs";
		return -1;
	}
	bz->xloadflags = le16(buf + 0x236);
	bz->cmdline_size = le32(buf + 0x238);
	bz->init_size = le32(buf + 0x260);
	if (!(bz->xloadflags & 1)) {
		*why = "no 64-bit entry point (not an x86_64 kernel)";
		return -1;
	}
	return 0;
}

static long long mib_up(long long bytes)
{
	return (bytes + MIB - 1) / MIB;
}

void td_kexec_no_reservation(char *out, size_t cap)
{
	snprintf(out, cap, "no memory is reserved for a capture kernel: "
		 "crashkernel= is missing: add crashkernel=64M to the kernel "
		 "command line and reboot");
}

static void explain_eperm(const struct td_kexec_facts *f, char *out, size_t cap)
{
	if (!f->root)
		snprintf(out, cap, "loading a kernel needs CAP_SYS_BOOT: run "
			 "tinydump load as root");
	else if (f->load_disabled == 1)
		snprintf(out, cap, "kexec is disabled until reboot "
			 "(/proc/sys/kernel/kexec_load_disabled is 1): reboot "
			 "and load before anything sets it");
	else
		snprintf(out, cap, "the kernel refused %s (EPERM): under lockdown "
			 "or Secure Boot the capture kernel must be signed with a "
			 "key the running kernel trusts", f->kernel);
}

/* No hole in the reservation: either none exists or it is too small. The
 * suggestion leaves room for the capture kernel's own use (about 24 MiB
 * with our tiny initramfs, FACTS.md) on top of the images. */
static void explain_space(const struct td_kexec_facts *f, char *out, size_t cap)
{
	long long have = f->crash_size, need = f->need, want;

	if (have == 0) {
		td_kexec_no_reservation(out, cap);
		return;
	}
	want = (mib_up(need) + 32 + 15) / 16 * 16;
	if (want < 64)
		want = 64;
	if (have > 0 && need > 0)
		snprintf(out, cap, "the %lld MiB reservation is too small for "
			 "kernel+initramfs of %lld MiB: raise crashkernel= (for "
			 "example crashkernel=%lldM) and reboot", have / MIB,
			 mib_up(need), want);
	else
		snprintf(out, cap, "no room in the crashkernel reservation for "
			 "the kernel and initramfs (%s): raise crashkernel= and "
			 "reboot", strerror(f->err));
}

void td_kexec_explain(const struct td_kexec_facts *f, char *out, size_t cap)
{
	switch (f->err) {
	case EPERM:
		explain_eperm(f, out, cap);
		break;
	case EKEYREJECTED: case EBADMSG: case ENOKEY: case ENOPKG: case ENODATA:
		snprintf(out, cap, "the signature of %s was not accepted (%s): "
			 "sign the capture kernel with a trusted key, or boot "
			 "without kexec signature enforcement", f->kernel,
			 strerror(f->err));
		break;
	case ENOMEM: case EADDRNOTAVAIL:
		explain_space(f, out, cap);
		break;
	case ENOEXEC: case ENOENT: case EINVAL:
		snprintf(out, cap, "the kernel rejected %s or its command line "
			 "(%s): give an x86_64 bzImage (arch/x86/boot/bzImage, "
			 "not vmlinux); the kernel log (dmesg) says which check "
			 "failed", f->kernel, strerror(f->err));
		break;
	case EBUSY:
		snprintf(out, cap, "another kexec load or unload is running: "
			 "wait for it and retry");
		break;
	case ENOSYS:
		snprintf(out, cap, "this kernel has no kexec_file_load: build it "
			 "with CONFIG_KEXEC_FILE=y (and CONFIG_CRASH_DUMP=y)");
		break;
	default:
		snprintf(out, cap, "kexec_file_load of %s failed: %s", f->kernel,
			 strerror(f->err));
	}
}
