/* `tinydump load` / `tinydump unload` (init/kexec.c) and the pure pieces they
 * rest on (init/kexecmsg.c): reading an x86 bzImage's setup header, and
 * turning a failed kexec_file_load into plain words with the fix. The pure
 * pieces make no system calls, so host tests exercise every message. */
#ifndef TD_KEXEC_H
#define TD_KEXEC_H

#include <stddef.h>
#include <stdint.h>

/* Where `tinydump initramfs` writes initrd-RELEASE.img and `load` finds it. */
#define TD_INITRD_DIR "/var/lib/tinydump"

/* What `tinydump load` loaded, for `tinydump status`: one JSON object
 * with kernel, initrd (absolute paths), cmdline and loaded_utc
 * (YYYY-MM-DD-HH:MM:SS). `unload` removes it; /run empties at boot, as the
 * kernel forgets what was loaded. */
#define TD_LOADED_FILE "/run/tinydump/loaded"

/* Bytes of the kernel image read to parse its setup header. */
#define TD_BZ_HDR_BYTES 0x270

/* The x86 boot protocol fields `load` checks (Documentation/x86/boot.rst). */
struct td_bzimage {
	uint16_t version;	/* boot protocol, e.g. 0x020f */
	uint16_t xloadflags;	/* bit 0: 64-bit entry point (XLF_KERNEL_64) */
	uint32_t cmdline_size;	/* longest command line the kernel takes */
	uint32_t init_size;	/* memory the kernel needs to boot in place */
};

/* Parse the first n bytes of a kernel image. Returns 0 when it is a bzImage
 * kexec_file_load can boot (setup header magic "HdrS", boot protocol 2.12 or
 * later, a 64-bit entry point); otherwise -1 with why set to a phrase such
 * as "no bzImage header (is it vmlinux?)". */
int td_bzimage_parse(const unsigned char *buf, size_t n, struct td_bzimage *bz,
		     const char **why);

/* What `load` knew when kexec_file_load failed. Unknown numbers are -1. */
struct td_kexec_facts {
	int err;			/* errno of kexec_file_load */
	int root;			/* effective uid is 0 */
	int load_disabled;		/* /proc/sys/kernel/kexec_load_disabled */
	long long crash_size;		/* /sys/kernel/kexec_crash_size, bytes */
	long long need;			/* kernel init_size + initrd bytes */
	const char *kernel;		/* path of the kernel, for messages */
};

/* One sentence for "tinydump: fatal: ...": what failed, the likely cause
 * from the facts, and what to do. Always NUL-terminates out (cap > 0). */
void td_kexec_explain(const struct td_kexec_facts *f, char *out, size_t cap);

/* The message for a missing or empty reservation, shared by the pre-check
 * in `load` and by td_kexec_explain. */
void td_kexec_no_reservation(char *out, size_t cap);

#endif
