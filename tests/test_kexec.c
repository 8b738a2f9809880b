/* `tinydump load`'s pure helpers: bzImage setup-header checks, and the
 * plain-word explanation of every kexec_file_load failure. */
#define T_SUITE "kexec"
#include "t.h"

#include <errno.h>

#include "init/kexec.h"

static unsigned char hdr[TD_BZ_HDR_BYTES];

/* A setup header as a 6.1 x86_64 bzImage has it. */
static void make_hdr(unsigned version, unsigned xloadflags)
{
	memset(hdr, 0, sizeof hdr);
	memcpy(hdr + 0x202, "HdrS", 4);
	hdr[0x206] = version & 0xff, hdr[0x207] = version >> 8;
	hdr[0x236] = xloadflags & 0xff, hdr[0x237] = xloadflags >> 8;
	hdr[0x238] = 0xff, hdr[0x239] = 0x07;		/* cmdline_size 2047 */
	hdr[0x260] = 0x00, hdr[0x261] = 0x00, hdr[0x262] = 0x40, hdr[0x263] = 0x01;
}

static void test_bzimage_ok(void)
{
	struct td_bzimage bz;
	const char *why = NULL;

	make_hdr(0x020f, 0x7f);
	T_CHECK(td_bzimage_parse(hdr, sizeof hdr, &bz, &why) == 0, "%s", why);
	T_CHECK(bz.version == 0x020f, "version %#x", bz.version);
	T_CHECK(bz.cmdline_size == 2047, "cmdline_size %u", bz.cmdline_size);
	T_CHECK(bz.init_size == 0x1400000, "init_size %#x", bz.init_size);
}

static void test_bzimage_rejects(void)
{
	struct td_bzimage bz;
	const char *why = "";

	make_hdr(0x020f, 0x7f);
	T_CHECK(td_bzimage_parse(hdr, 0x200, &bz, &why) == -1, "short file accepted");
	hdr[0x202] = 0x7f;				/* an ELF vmlinux has no HdrS */
	T_CHECK(td_bzimage_parse(hdr, sizeof hdr, &bz, &why) == -1 && strstr(why, "vmlinux"),
		"%s", why);
	make_hdr(0x020b, 0x7f);
	T_CHECK(td_bzimage_parse(hdr, sizeof hdr, &bz, &why) == -1 && strstr(why, "2.12"),
		"%s", why);
	make_hdr(0x020f, 0x7e);
	T_CHECK(td_bzimage_parse(hdr, sizeof hdr, &bz, &why) == -1 && strstr(why, "64-bit"),
		"%s", why);
}

static const char *explain(int err, int root, int disabled, long long have, long long need)
{
	static char out[512];
	struct td_kexec_facts f = { err, root, disabled, have, need, "/boot/bzImage" };

	td_kexec_explain(&f, out, sizeof out);
	return out;
}

#define T_SAYS(msg, want) T_CHECK(strstr(msg, want), "'%s' lacks '%s'", msg, want)

static void test_explain_eperm(void)
{
	T_SAYS(explain(EPERM, 0, 0, -1, -1), "as root");
	T_SAYS(explain(EPERM, 1, 1, -1, -1), "kexec_load_disabled");
	T_SAYS(explain(EPERM, 1, 0, -1, -1), "signed");
	T_SAYS(explain(EKEYREJECTED, 1, 0, -1, -1), "signature");
}

static void test_explain_space(void)
{
	T_SAYS(explain(EADDRNOTAVAIL, 1, 0, 0, 20 << 20), "crashkernel= is missing: add crashkernel=64M");
	T_SAYS(explain(ENOMEM, 1, 0, 48LL << 20, 60LL << 20),
	       "the 48 MiB reservation is too small for kernel+initramfs of 60 MiB");
	T_SAYS(explain(ENOMEM, 1, 0, 48LL << 20, 60LL << 20), "crashkernel=96M");
	T_SAYS(explain(ENOMEM, 1, 0, 8LL << 20, 21LL << 20), "crashkernel=64M");
	T_SAYS(explain(ENOMEM, 1, 0, -1, -1), "raise crashkernel=");
}

static void test_explain_other(void)
{
	T_SAYS(explain(ENOEXEC, 1, 0, -1, -1), "bzImage");
	T_SAYS(explain(EINVAL, 1, 0, -1, -1), "/boot/bzImage");
	T_SAYS(explain(ENOSYS, 1, 0, -1, -1), "CONFIG_KEXEC_FILE");
	T_SAYS(explain(EBUSY, 1, 0, -1, -1), "retry");
	T_SAYS(explain(EIO, 1, 0, -1, -1), "failed");
}

static void test_explain_truncates(void)
{
	char small[16];
	struct td_kexec_facts f = { ENOSYS, 1, 0, -1, -1, "k" };

	td_kexec_explain(&f, small, sizeof small);
	T_CHECK(strlen(small) == 15, "len %zu", strlen(small));
}

int main(int argc, char **argv)
{
	T_ARGS(argc, argv);
	T_RUN(test_bzimage_ok);
	T_RUN(test_bzimage_rejects);
	T_RUN(test_explain_eperm);
	T_RUN(test_explain_space);
	T_RUN(test_explain_other);
	T_RUN(test_explain_truncates);
	T_END();
}
