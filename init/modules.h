/* Kernel modules in the capture run. A distribution kernel has its disk,
 * network and filesystem drivers as modules; `tinydump initramfs` puts the
 * ones a capture needs into the initramfs with a list, and PID 1 loads them
 * before it looks for targets. */
#ifndef TD_MODULES_H
#define TD_MODULES_H

/* Where the initramfs keeps the list: one absolute path of a .ko, .ko.xz,
 * .ko.zst or .ko.gz a line, in dependency order (a module after everything
 * it needs). Blank lines and lines starting with '#' are ignored. */
#define TD_MODULES_LIST "/lib/modules/LIST"

/* Load every module of the list at path with finit_module(2), in order.
 * A compressed module is loaded with MODULE_INIT_COMPRESSED_FILE, which
 * needs a kernel built with CONFIG_MODULE_DECOMPRESS. Every load is logged;
 * a failure is logged with its reason in words ("already loaded or built
 * in", "signature rejected" ...) and the next module is tried: a module
 * problem must not cost the dump when another target may still work. No
 * list is not an error (a kernel with its drivers built in needs none).
 * Returns the number of modules that failed to load. */
unsigned td_modules_load(const char *path);

#endif
