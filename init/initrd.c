/* The capture initramfs's inputs, stat'ed (initrd.h); the verdict is
 * td_stale (stale.h). */
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include "os/err.h"
#include "initrd.h"
#include "modtree.h"
#include "stale.h"

enum { NIN = 7 };

static void stamp(struct td_stamp *s, const char *path, int input)
{
	struct stat st;

	s->path = path;
	s->missing = stat(path, &st) < 0;
	if (s->missing)
		return;
	s->sec = (long long)st.st_mtim.tv_sec;
	s->nsec = st.st_mtim.tv_nsec;
	if (input && (st.st_ctim.tv_sec > s->sec ||
		      (st.st_ctim.tv_sec == s->sec && st.st_ctim.tv_nsec > s->nsec))) {
		s->sec = (long long)st.st_ctim.tv_sec;
		s->nsec = st.st_ctim.tv_nsec;
	}
}

int td_initrd_stale(const struct td_initrd_src *s, char *why, size_t cap)
{
	static const char *const certs[] = { "ca.pem", "client.pem", "client.key" };
	char moddir[512], cert[3][512], exe[512];
	struct td_stamp out, in[NIN];
	struct td_err e;
	size_t n = 0;
	ssize_t len;

	stamp(&out, s->output, 0);
	if (td_modtree_dir(s->root, s->release, moddir, sizeof moddir, &e) == 0)
		stamp(&in[n++], moddir, 1);
	stamp(&in[n++], s->conf, 1);
	stamp(&in[n++], s->certs, 1);
	for (size_t i = 0; i < 3; i++) {
		snprintf(cert[i], sizeof cert[i], "%s/%s", s->certs, certs[i]);
		stamp(&in[n++], cert[i], 1);
	}
	/* The binary that goes in as /init is this one. */
	if ((len = readlink("/proc/self/exe", exe, sizeof exe - 1)) > 0) {
		exe[len] = '\0';
		stamp(&in[n++], exe, 1);
	}
	return td_stale(&out, in, n, why, cap);
}
