/* tinydump: PID 1 of a kdump capture kernel, and the tools around it. */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "commands.h"
#include "outcome.h"

static const struct {
	const char *name;
	int (*fn)(int, char **);
	const char *usage;
} faces[] = {
	{ "capture", td_cmd_capture, "capture --input FILE (--output FILE | --target SPEC) [--level N] [--format kdump|elf|flat]\n"
	  "                   [--compress zlib|zlib-exact|zstd|lzo|none] [--threads N] [--read] [--ca F --cert F --key F --tls-name N --timeout S --retries N]\n"
	  "                   SPEC: dir:PATH, disk:DEVICE[:DIR], nfs:SERVER:/PATH, tls:HOST:PORT" },
	{ "load", td_cmd_load, "load [--kernel K] [--initrd I] [--append ARGS]   (default: the running kernel and its initramfs)" },
	{ "unload", td_cmd_unload, "unload" },
	{ "status", td_cmd_status, "status [--conf FILE] [--json]   is this machine ready to capture? (exit 0: ready)" },
	{ "dmesg", td_cmd_dmesg, "dmesg [--signature] FILE" },
	{ "list", td_cmd_list, "list DIR [--by signature] [--json]          the dumps a receiver or disk target holds" },
	{ "initramfs", td_cmd_initramfs, "initramfs [--output FILE] [--kernel-release R] [--root DIR] [--conf FILE]\n"
	  "                   [--certs DIR] [--modules NAME[,NAME...]] [--no-detect] [--sysroot DIR] [--if-stale]" },
	{ "receive", td_cmd_receive, "receive --listen ADDR:PORT --dir DIR --cert C --key K [--client-ca CA] [--min-free BYTES]\n"
	  "                   [--min-free-inodes N] [--timeout S] [--max-clients N] [--max-per-peer N] [--handshake-timeout S]\n"
	  "                   [--keep-days N] [--max-bytes SIZE] [--metrics ADDR:PORT]   (sizes take K, M, G or T)\n"
	  "                   nothing is deleted without --keep-days or --max-bytes; docs/RECEIVER.md" },
	{ "tls-probe", td_cmd_tlsprobe, "tls-probe HOST:PORT [--ca FILE] [--name NAME] [--cert FILE --key FILE] [--timeout S]" },
};

static int usage(FILE *f)
{
	fprintf(f, "usage: tinydump COMMAND ...   (as PID 1: the capture run)\n");
	for (size_t i = 0; i < sizeof faces / sizeof faces[0]; i++)
		fprintf(f, "  tinydump %s\n", faces[i].usage);
	fprintf(f, "  tinydump --version\n"
		   "Every command takes --help. The capture run's settings (tinydump.target=, ...) are in\n"
		   "docs/CONFIG.md.\n");
	return 2;
}

int main(int argc, char **argv)
{
	if (getpid() == 1)
		return td_pid1();
	if (argc < 2)
		return usage(stderr);
	if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help"))
		return usage(stdout), 0;
	if (!strcmp(argv[1], "--version"))
		return printf("tinydump %s\n", TD_VERSION), 0;
	for (size_t i = 0; i < sizeof faces / sizeof faces[0]; i++) {
		if (strcmp(argv[1], faces[i].name))
			continue;
		if (argc == 3 && (!strcmp(argv[2], "--help") || !strcmp(argv[2], "-h")))
			return printf("usage: tinydump %s\n", faces[i].usage), 0;
		if (!faces[i].fn) {
			fprintf(stderr, "tinydump: fatal: '%s' is not built into this binary\n", argv[1]);
			return 2;
		}
		return faces[i].fn(argc - 1, argv + 1);
	}
	fprintf(stderr, "tinydump: fatal: unknown command '%s'\n", argv[1]);
	return usage(stderr);
}
