/* Configuration: every key valid and invalid, file + command-line
 * precedence, target lists and the default target, warning texts. */
#define T_SUITE "config"
#include "t.h"

#include "init/config.h"

static struct td_config c;
static struct td_warnings w;

static void reset(void)
{
	td_config_defaults(&c);
	memset(&w, 0, sizeof w);
}

static void cmdline(const char *s)
{
	td_config_cmdline(&c, s, strlen(s), &w);
}

static void file(const char *s)
{
	td_config_file(&c, s, strlen(s), &w);
}

/* One warning, exactly this text. */
#define T_ONE_WARN(text) \
	T_CHECK(w.n == 1 && !strcmp(w.line[0], text), "%u warnings, first '%.80s', want '%.80s'", \
		w.n, w.n ? w.line[0] : "", text)
#define T_NO_WARN() T_CHECK(w.n == 0, "unexpected warning '%.80s'", w.line[0])

static void test_defaults(void)
{
	reset();
	td_config_finish(&c, &w);
	T_NO_WARN();
	T_CHECK(c.level == 31 && c.timeout == 60 && c.nfsvers == 4 && c.format == 0 && c.codec == &td_codec_zlib,
		"level %u timeout %u nfsvers %d format %d compress %s", c.level, c.timeout, c.nfsvers,
		c.format, c.codec->name);
	T_CHECK(!strcmp(c.tls_name, "tinydump-receiver") && !c.nfsopts[0], "names");
	T_CHECK(c.ip.mode == TD_IP_UNSET && c.final == TD_ACT_REBOOT && c.failure == TD_ACT_REBOOT, "actions");
	T_CHECK(c.ntarget == 1 && c.defaulted_target && c.target[0].kind == &td_target_disk &&
			!strcmp(c.target[0].where, "LABEL=crash") && !strcmp(c.target[0].path, "/"),
		"default target %u %.80s", c.ntarget, c.target[0].where);
}

/* tinydump.retries=: 0..5, default 2; a bad value keeps the old one. */
static void test_retries(void)
{
	reset();
	T_CHECK(c.retries == 2, "default retries %u", c.retries);
	cmdline("tinydump.retries=0");
	T_NO_WARN();
	T_CHECK(c.retries == 0, "retries %u", c.retries);
	file("retries=5\n");
	T_NO_WARN();
	T_CHECK(c.retries == 5, "retries %u", c.retries);
	cmdline("tinydump.retries=6");
	T_ONE_WARN("tinydump.retries=6 is not a number of retries from 0 to 5; using 5");
	T_CHECK(c.retries == 5, "retries %u after a bad value", c.retries);
}

static void test_keys_valid(void)
{
	reset();
	cmdline("ro tinydump.level=0 tinydump.timeout=86400 tinydump.nfsvers=3 tinydump.format=elf "
		"tinydump.compress=none tinydump.final=poweroff tinydump.failure=shell "
		"tinydump.nfsopts=port=2049,timeo=600,nolock tinydump.tls_name=rx-1.example.com\n");
	T_NO_WARN();
	T_CHECK(c.level == 0 && c.timeout == 86400 && c.nfsvers == 3 && c.format == 1 && c.codec == &td_codec_none,
		"level %u timeout %u nfsvers %d format %d compress %s", c.level, c.timeout, c.nfsvers,
		c.format, c.codec->name);
	T_CHECK(c.final == TD_ACT_POWEROFF && c.failure == TD_ACT_SHELL, "actions %d %d", c.final, c.failure);
	T_CHECK(!strcmp(c.nfsopts, "port=2049,timeo=600,nolock"), "%.80s", c.nfsopts);
	T_CHECK(!strcmp(c.tls_name, "rx-1.example.com"), "%.80s", c.tls_name);
	cmdline("tinydump.level=31 tinydump.timeout=1 tinydump.nfsvers=4 tinydump.final=halt "
		"tinydump.failure=reboot tinydump.format=kdump tinydump.compress=zlib tinydump.level=17");
	T_NO_WARN();
	T_CHECK(c.level == 17 && c.timeout == 1 && c.nfsvers == 4 && c.final == TD_ACT_HALT &&
			c.failure == TD_ACT_REBOOT && c.format == 0 && c.codec == &td_codec_zlib,
		"second pass");
	T_CHECK(c.cpus == 1, "default cpus %u", c.cpus);
	cmdline("tinydump.compress=zstd tinydump.cpus=2");
	T_NO_WARN();
	T_CHECK(c.codec == &td_codec_zstd && c.cpus == 2, "compress %s cpus %u", c.codec->name, c.cpus);
	cmdline("tinydump.compress=lzo tinydump.cpus=9");
	T_CHECK(c.codec == &td_codec_lzo && c.cpus == 2 && w.n == 1 &&
			!strcmp(w.line[0], "tinydump.cpus=9 is not a number of CPUs from 1 to 8; using 2"),
		"cpus %u: '%s'", c.cpus, w.n ? w.line[0] : "");
	memset(&w, 0, sizeof w);
	/* '-' and '_' are the same in keys, as in the kernel */
	cmdline("tinydump.tls-name=a tinydump.nfsopts=");
	T_NO_WARN();
	T_CHECK(!strcmp(c.tls_name, "a") && !c.nfsopts[0], "%.80s / %.80s", c.tls_name, c.nfsopts);
}

static void test_ip(void)
{
	reset();
	cmdline("tinydump.ip=dhcp");
	T_CHECK(c.ip.mode == TD_IP_DHCP, "dhcp");
	cmdline("tinydump.ip=10.0.2.15/24,10.0.2.2,eth0");
	T_NO_WARN();
	T_CHECK(c.ip.mode == TD_IP_STATIC && c.ip.addr == 0x0a00020f && c.ip.prefix == 24 &&
			c.ip.gw == 0x0a000202 && !strcmp(c.ip.iface, "eth0"),
		"static %08x/%d %08x %.80s", c.ip.addr, c.ip.prefix, c.ip.gw, c.ip.iface);
	cmdline("tinydump.ip=192.168.1.2/32");
	T_CHECK(c.ip.addr == 0xc0a80102 && c.ip.prefix == 32 && !c.ip.gw && !c.ip.iface[0], "no gw");
	cmdline("tinydump.ip=1.2.3.4/0,,enp0s3");
	T_NO_WARN();
	T_CHECK(c.ip.prefix == 0 && !c.ip.gw && !strcmp(c.ip.iface, "enp0s3"), "empty gw");

	static const char *const bad[] = {
		"10.0.2.15", "10.0.2.256/24", "10.0.2.15/33", "10.0.2.15/024", "010.0.2.15/24",
		"10.0.2/24", "10.0.2.15.1/24", "0.0.0.0/8", "10.0.2.15/24,10.0.2", "1.2.3.4/8,1.2.3.5,e,x",
		"1.2.3.4/8,,averyveryverylongname", "1.2.3.4/8,,et/h", "1.2.3.4/8,,..", "DHCP", "",
		"1.2.3.4/", " 1.2.3.4/8", "1.2.3.4/8,1.2.3.4 ",
	};
	char word[128], want[256];

	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		memset(&w, 0, sizeof w);
		snprintf(word, sizeof word, "tinydump.ip=\"%.80s\"", bad[i]);
		cmdline(word);
		snprintf(want, sizeof want, "tinydump.ip=%.80s ", bad[i]);
		T_CHECK(w.n == 1 && !strncmp(w.line[0], want, strlen(want)) &&
				strstr(w.line[0], "; using 1.2.3.4/0,,enp0s3"),
			"%.80s: %.80s", bad[i], w.line[0]);
		T_CHECK(c.ip.mode == TD_IP_STATIC && !strcmp(c.ip.iface, "enp0s3"), "%.80s changed ip", bad[i]);
	}
	memset(&w, 0, sizeof w);
	cmdline("tinydump.ip=10.0.2.15/24,10.0.2.2,eth0 tinydump.ip=x");
	T_ONE_WARN("tinydump.ip=x is not dhcp or ADDR/PREFIX[,GW[,IFACE]]; using 10.0.2.15/24,10.0.2.2,eth0");
}

static void test_keys_invalid(void)
{
	static const struct { const char *word, *warn; } cases[] = {
		{ "tinydump.level=4x", "tinydump.level=4x is not a number from 0 to 31; using 31" },
		{ "tinydump.level=32", "tinydump.level=32 is not a number from 0 to 31; using 31" },
		{ "tinydump.level=-1", "tinydump.level=-1 is not a number from 0 to 31; using 31" },
		{ "tinydump.level=010", "tinydump.level=010 is not a number from 0 to 31; using 31" },
		{ "tinydump.level=", "tinydump.level= is not a number from 0 to 31; using 31" },
		{ "tinydump.level=0x1f", "tinydump.level=0x1f is not a number from 0 to 31; using 31" },
		{ "tinydump.level=99999999999999999999999", "tinydump.level=99999999999999999999999 is not a number from 0 to 31; using 31" },
		{ "tinydump.level", "tinydump.level has no value; using 31" },
		{ "tinydump.timeout=0", "tinydump.timeout=0 is not a number of seconds from 1 to 86400; using 60" },
		{ "tinydump.timeout=86401", "tinydump.timeout=86401 is not a number of seconds from 1 to 86400; using 60" },
		{ "tinydump.timeout=60s", "tinydump.timeout=60s is not a number of seconds from 1 to 86400; using 60" },
		{ "tinydump.nfsvers=2", "tinydump.nfsvers=2 is not 3 or 4; using 4" },
		{ "tinydump.nfsvers=4.1", "tinydump.nfsvers=4.1 is not 3 or 4; using 4" },
		{ "tinydump.format=ELF", "tinydump.format=ELF is not kdump or elf; using kdump" },
		{ "tinydump.compress=gzip", "tinydump.compress=gzip is not zlib, zlib-exact, zstd, lzo or none; using zlib" },
		{ "tinydump.final=restart", "tinydump.final=restart is not reboot, poweroff, halt or shell; using reboot" },
		{ "tinydump.failure=", "tinydump.failure= is not reboot, poweroff, halt or shell; using reboot" },
		{ "tinydump.tls_name=-rx", "tinydump.tls_name=-rx is not a DNS name; using tinydump-receiver" },
		{ "tinydump.tls_name=rx-", "tinydump.tls_name=rx- is not a DNS name; using tinydump-receiver" },
		{ "tinydump.tls_name=a..b", "tinydump.tls_name=a..b is not a DNS name; using tinydump-receiver" },
		{ "tinydump.tls_name=a.b.", "tinydump.tls_name=a.b. is not a DNS name; using tinydump-receiver" },
		{ "tinydump.tls_name=1.2.3.4:5", "tinydump.tls_name=1.2.3.4:5 is not a DNS name; using tinydump-receiver" },
		{ "tinydump.tls_name=", "tinydump.tls_name= is not a DNS name; using tinydump-receiver" },
		{ "tinydump.nfsopts=\"a b\"", "tinydump.nfsopts=a b is not a list of NFS mount options name[=value],...; using none" },
		{ "tinydump.nfsopts=,x", "tinydump.nfsopts=,x is not a list of NFS mount options name[=value],...; using none" },
		{ "tinydump.nfsopts=x,", "tinydump.nfsopts=x, is not a list of NFS mount options name[=value],...; using none" },
		{ "tinydump.nfsopts=port=", "tinydump.nfsopts=port= is not a list of NFS mount options name[=value],...; using none" },
		{ "tinydump.lvl=3", "unknown option tinydump.lvl=3; ignored" },
		{ "tinydump.debug", "unknown option tinydump.debug; ignored" },
	};

	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		reset();
		cmdline(cases[i].word);
		T_CHECK(w.n == 1 && !strcmp(w.line[0], cases[i].warn), "%.80s: got '%.80s'", cases[i].word,
			w.n ? w.line[0] : "(none)");
		T_CHECK(c.level == 31 && c.timeout == 60 && c.nfsvers == 4 && c.format == 0 &&
				c.codec == &td_codec_zlib && c.final == TD_ACT_REBOOT && c.failure == TD_ACT_REBOOT &&
				!strcmp(c.tls_name, "tinydump-receiver") && !c.nfsopts[0],
			"%.80s changed the configuration", cases[i].word);
	}
}

static void test_tls_name_limits(void)
{
	char word[400], label[70];

	memset(label, 'a', 63);
	label[63] = '\0';
	reset();
	snprintf(word, sizeof word, "tinydump.tls_name=%.80s.%.80s", label, label);
	cmdline(word);
	T_NO_WARN();
	T_CHECK(strlen(c.tls_name) == 127, "63-byte labels are fine");
	snprintf(word, sizeof word, "tinydump.tls_name=%.80sa.b", label);
	cmdline(word);
	T_CHECK(w.n == 1 && strstr(w.line[0], "is not a DNS name"), "64-byte label");
	reset();
	/* 254 bytes: too long for a DNS name */
	snprintf(word, sizeof word, "tinydump.tls_name=%.63s.%.63s.%.63s.%.62s", label, label, label, label);
	cmdline(word);
	T_CHECK(w.n == 1 && strstr(w.line[0], "is not a DNS name"), "254 bytes");
	reset();
	snprintf(word, sizeof word, "tinydump.tls_name=%.63s.%.63s.%.63s.%.61s", label, label, label, label);
	cmdline(word);
	T_CHECK(w.n == 0 && strlen(c.tls_name) == 253, "253 bytes are fine: %.80s", w.line[0]);
}

static void test_value_bounds(void)
{
	char word[600];

	reset();
	memset(word, 0, sizeof word);
	strcpy(word, "tinydump.nfsopts=");
	memset(word + strlen(word), 'a', 300);
	cmdline(word);
	T_CHECK(w.n == 1 && strstr(w.line[0], "is longer than 255 bytes; using none") &&
			strstr(w.line[0], "aaa...") && !c.nfsopts[0],
		"%.80s", w.line[0]);
	/* the whole text is bounded by len: nothing after it is read */
	reset();
	td_config_cmdline(&c, "tinydump.level=1 tinydump.level=2", 16, &w);
	T_CHECK(c.level == 1 && !w.n, "len bound: level %u", c.level);
	/* a NUL ends the command line */
	reset();
	td_config_cmdline(&c, "tinydump.level=1\0tinydump.level=2", 33, &w);
	T_CHECK(c.level == 1 && !w.n, "NUL: level %u", c.level);
	/* words that only look similar are not ours */
	reset();
	cmdline("level=3 tinydump=1 tinydumpx.level=1 xtinydump.level=2 tinydump.=1");
	T_CHECK(c.level == 31, "level %u", c.level);
	T_ONE_WARN("unknown option tinydump.=1; ignored");
}

static const char *tparse(const char *spec, struct td_target *t)
{
	static struct td_err e;

	if (td_target_parse(t, spec, &e) < 0)
		return e.msg;
	return NULL;
}

static void test_targets_valid(void)
{
	struct td_target t;
	const char *err;

	err = tparse("disk:/dev/vdb", &t);
	T_CHECK(!err && t.kind == &td_target_disk && !strcmp(t.where, "/dev/vdb") && !strcmp(t.path, "/") &&
			!strcmp(t.spec, "disk:/dev/vdb"),
		"%.80s", err ? err : t.where);
	err = tparse("disk:/dev/nvme0n1p2:/var/crash", &t);
	T_CHECK(!err && !strcmp(t.where, "/dev/nvme0n1p2") && !strcmp(t.path, "/var/crash"), "%.80s", err ? err : t.path);
	err = tparse("disk:LABEL=my crash:/d", &t);
	T_CHECK(!err && !strcmp(t.where, "LABEL=my crash") && !strcmp(t.path, "/d"), "%.80s", err ? err : t.where);
	err = tparse("disk:LABEL=0123456789abcdef", &t);
	T_CHECK(!err, "16-byte label: %.80s", err);
	err = tparse("disk:UUID=0B1C2D3E-aaaa-4bbb-8ccc-0123456789ab:/", &t);
	T_CHECK(!err && !strcmp(t.where, "UUID=0B1C2D3E-aaaa-4bbb-8ccc-0123456789ab"), "%.80s", err ? err : t.where);
	err = tparse("disk:PARTUUID=0b1c2d3e-aaaa-4bbb-8ccc-0123456789ab", &t);
	T_CHECK(!err, "%.80s", err);
	err = tparse("disk:PARTUUID=a1b2c3d4-02", &t);
	T_CHECK(!err && !strcmp(t.where, "PARTUUID=a1b2c3d4-02"), "%.80s", err);
	err = tparse("nfs:10.0.2.2:/crash", &t);
	T_CHECK(!err && t.kind == &td_target_nfs && !strcmp(t.where, "10.0.2.2") && !strcmp(t.path, "/crash") &&
			t.port == 0,
		"%.80s", err ? err : t.where);
	err = tparse("nfs:[fd00::2]:/export/crash", &t);
	T_CHECK(!err && !strcmp(t.where, "[fd00::2]") && !strcmp(t.path, "/export/crash"), "%.80s", err ? err : t.where);
	static const char *const v6[] = { "[::]", "[::1]", "[1::]", "[1:2:3:4:5:6:7:8]", "[::ffff:10.0.0.1]",
					  "[1:2:3:4:5:6:1.2.3.4]", "[fe80::a:b:C:D]", "[1:2:3::7:8]" };
	char spec[128];

	for (size_t i = 0; i < sizeof v6 / sizeof v6[0]; i++) {
		snprintf(spec, sizeof spec, "nfs:%.80s:/x", v6[i]);
		err = tparse(spec, &t);
		T_CHECK(!err, "%.80s: %.80s", spec, err);
	}
	err = tparse("tls:10.0.2.2:9000", &t);
	T_CHECK(!err && t.kind == &td_target_tls && !strcmp(t.where, "10.0.2.2") && t.port == 9000, "%.80s", err);
	err = tparse("tls:255.255.255.255:65535", &t);
	T_CHECK(!err && t.port == 65535, "%.80s", err);
	err = tparse("tls:0.0.0.0:1", &t);
	T_CHECK(!err && t.port == 1, "%.80s", err);
}

static void test_targets_invalid(void)
{
	static const struct { const char *spec, *msg; } cases[] = {
		{ "usb:/dev/sda", "'usb:/dev/sda' is not disk:DEVICE[:DIR], nfs:SERVER:/PATH or tls:HOST:PORT" },
		{ "", "'' is not disk:DEVICE[:DIR], nfs:SERVER:/PATH or tls:HOST:PORT" },
		{ "disk:", "device '' is not /dev/NAME, LABEL=x, UUID=x or PARTUUID=x" },
		{ "disk:vdb", "device 'vdb' is not /dev/NAME, LABEL=x, UUID=x or PARTUUID=x" },
		{ "disk:/dev/", "device '/dev/' is not a /dev/NAME" },
		{ "disk:/dev/../etc/x", "device '/dev/../etc/x' is not a /dev/NAME" },
		{ "disk:/dev/sd a", "device '/dev/sd a' is not a /dev/NAME" },
		{ "disk:/dev/vdb:crash", "directory: 'crash' is not an absolute path" },
		{ "disk:/dev/vdb:", "directory: '' is not an absolute path" },
		{ "disk:/dev/vdb:/a/../b", "directory: path '/a/../b' has a '..' component" },
		{ "disk:/dev/vdb:/a/..", "directory: path '/a/..' has a '..' component" },
		{ "disk:/dev/vdb:/a\tb", "directory: path '/a\tb' has a control character" },
		{ "disk:LABEL=", "label '' is not 1 to 16 bytes" },
		{ "disk:LABEL=0123456789abcdefg", "label '0123456789abcdefg' is not 1 to 16 bytes" },
		{ "disk:UUID=1234", "UUID '1234' is not 8-4-4-4-12 hex digits" },
		{ "disk:UUID=0b1c2d3e-aaaa-4bbb-8ccc-0123456789ag", "UUID '0b1c2d3e-aaaa-4bbb-8ccc-0123456789ag' is not 8-4-4-4-12 hex digits" },
		{ "disk:UUID=0b1c2d3eaaaa-4bbb-8ccc-0123456789abc", "UUID '0b1c2d3eaaaa-4bbb-8ccc-0123456789abc' is not 8-4-4-4-12 hex digits" },
		{ "disk:PARTUUID=a1b2c3d4-2", "PARTUUID 'a1b2c3d4-2' is neither 8-4-4-4-12 nor SSSSSSSS-PP hex digits" },
		{ "nfs:10.0.2.2", "'10.0.2.2' is not SERVER:/PATH" },
		{ "nfs:10.0.2.2:crash", "NFS export: 'crash' is not an absolute path" },
		{ "nfs:server:/crash", "server 'server' is not an IPv4 address or [IPv6 address]" },
		{ "nfs:10.0.2.02:/crash", "server '10.0.2.02' is not an IPv4 address or [IPv6 address]" },
		{ "nfs:10.0.2:/crash", "server '10.0.2' is not an IPv4 address or [IPv6 address]" },
		{ "nfs:[fd00::2:/x", "'[fd00::2:/x' is not SERVER:/PATH" },
		{ "nfs:[fd00::2]/x", "'[fd00::2]/x' is not SERVER:/PATH" },
		{ "nfs:[]:/x", "server '[]' is not an IPv4 address or [IPv6 address]" },
		{ "nfs:[1::2::3]:/x", "server '[1::2::3]' is not an IPv4 address or [IPv6 address]" },
		{ "nfs:[1:2:3:4:5:6:7]:/x", "server '[1:2:3:4:5:6:7]' is not an IPv4 address or [IPv6 address]" },
		{ "nfs:[1:2:3:4:5:6:7:8:9]:/x", "server '[1:2:3:4:5:6:7:8:9]' is not an IPv4 address or [IPv6 address]" },
		{ "nfs:[1:2:3:4::5:6:7:8]:/x", "server '[1:2:3:4::5:6:7:8]' is not an IPv4 address or [IPv6 address]" },
		{ "nfs:[12345::]:/x", "server '[12345::]' is not an IPv4 address or [IPv6 address]" },
		{ "nfs:[:1]:/x", "server '[:1]' is not an IPv4 address or [IPv6 address]" },
		{ "nfs:[1:]:/x", "server '[1:]' is not an IPv4 address or [IPv6 address]" },
		{ "nfs:[:::]:/x", "server '[:::]' is not an IPv4 address or [IPv6 address]" },
		{ "nfs:[1.2.3.4::]:/x", "server '[1.2.3.4::]' is not an IPv4 address or [IPv6 address]" },
		{ "nfs:[fe80::1%eth0]:/x", "server '[fe80::1%eth0]' is not an IPv4 address or [IPv6 address]" },
		{ "tls:10.0.2.2", "'10.0.2.2' is not HOST:PORT" },
		{ "tls:10.0.2.2:0", "port '0' is not a number from 1 to 65535" },
		{ "tls:10.0.2.2:65536", "port '65536' is not a number from 1 to 65535" },
		{ "tls:10.0.2.2:09000", "port '09000' is not a number from 1 to 65535" },
		{ "tls:10.0.2.2:", "port '' is not a number from 1 to 65535" },
		{ "tls:rx.example.com:9000", "host 'rx.example.com' is not an IPv4 address" },
		{ "tls:256.0.0.1:9000", "host '256.0.0.1' is not an IPv4 address" },
		{ "tls:1.2.3.4.5:9000", "host '1.2.3.4.5' is not an IPv4 address" },
		{ "tls:1..3.4:9000", "host '1..3.4' is not an IPv4 address" },
		{ "tls:[::1]:9000", "IPv6 hosts are not supported for tls yet" },
	};
	struct td_target t;
	const char *err;

	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		err = tparse(cases[i].spec, &t);
		T_CHECK(err && !strcmp(err, cases[i].msg), "%.80s: got '%.80s'", cases[i].spec, err ? err : "(ok)");
	}
	char spec[300];

	memset(spec, 0, sizeof spec);
	memcpy(spec, "nfs:1.2.3.4:/", 13);
	memset(spec + 13, 'p', 200);
	err = tparse(spec, &t);
	T_CHECK(err && strstr(err, "NFS export: path '/ppp") && strstr(err, "is longer than 191 bytes"),
		"%.80s", err ? err : "(ok)");
	memset(spec + 13, 'p', 280);
	err = tparse(spec, &t);
	T_CHECK(err && strstr(err, "is 293 bytes, longer than the 255 allowed"), "%.80s", err ? err : "(ok)");
}

static void test_target_lists(void)
{
	/* the command line's valid targets replace the file's */
	reset();
	file("target=disk:/dev/vdb\ntarget=nfs:10.0.2.2:/c\n");
	T_CHECK(c.ntarget == 2, "file targets %u", c.ntarget);
	cmdline("tinydump.target=tls:10.0.2.2:9000 tinydump.target=bogus");
	td_config_finish(&c, &w);
	T_CHECK(c.ntarget == 1 && c.target[0].kind == &td_target_tls && !c.defaulted_target, "replaced: %u", c.ntarget);
	T_ONE_WARN("tinydump.target=bogus dropped: 'bogus' is not disk:DEVICE[:DIR], nfs:SERVER:/PATH or tls:HOST:PORT");

	/* only malformed targets on the command line: the file's stay */
	reset();
	file("target=disk:/dev/vdb\ntarget=nfs:10.0.2.2:/c\n");
	cmdline("tinydump.target=nfs:10.0.2.2 tinydump.target");
	td_config_finish(&c, &w);
	T_CHECK(c.ntarget == 2 && !strcmp(c.target[0].where, "/dev/vdb") && !strcmp(c.target[1].path, "/c"),
		"kept: %u", c.ntarget);
	T_CHECK(w.n == 3 && !strcmp(w.line[0], "tinydump.target=nfs:10.0.2.2 dropped: '10.0.2.2' is not SERVER:/PATH") &&
			!strcmp(w.line[1], "tinydump.target has no value; using the other targets") &&
			!strcmp(w.line[2], "no valid tinydump.target on the command line; keeping the 2 targets of tinydump.conf"),
		"%u: %.40s | %.40s | %.50s", w.n, w.line[0], w.line[1], w.line[2]);

	/* no target on the command line: the file's stay, quietly */
	reset();
	file("target=disk:/dev/vdb");
	cmdline("tinydump.level=1");
	td_config_finish(&c, &w);
	T_CHECK(c.ntarget == 1 && !c.defaulted_target && !strcmp(c.target[0].where, "/dev/vdb"), "file only");
	T_NO_WARN();

	/* all malformed everywhere: the default, and say so */
	reset();
	file("target=disk:sdb\n");
	cmdline("tinydump.target=nfs:x:/y");
	td_config_finish(&c, &w);
	T_CHECK(c.ntarget == 1 && c.defaulted_target && !strcmp(c.target[0].spec, "disk:LABEL=crash"), "default");
	T_CHECK(w.n == 3 && !strcmp(w.line[2], "no valid target; using the default disk:LABEL=crash"),
		"%u: %.80s", w.n, w.line[w.n ? w.n - 1 : 0]);

	/* order kept, at most TD_MAX_TARGETS */
	reset();
	cmdline("tinydump.target=disk:/dev/a1 tinydump.target=disk:/dev/a2 tinydump.target=disk:/dev/a3 "
		"tinydump.target=disk:/dev/a4 tinydump.target=disk:/dev/a5 tinydump.target=disk:/dev/a6 "
		"tinydump.target=disk:/dev/a7 tinydump.target=disk:/dev/a8 tinydump.target=disk:/dev/a9");
	T_CHECK(c.ntarget == 8 && !strcmp(c.target[0].where, "/dev/a1") && !strcmp(c.target[7].where, "/dev/a8"),
		"%u targets", c.ntarget);
	T_ONE_WARN("tinydump.target=disk:/dev/a9 dropped: more than 8 targets");

	/* an unterminated quote ends at the end of the line, not after /proc's newline */
	reset();
	cmdline("ro \"tinydump.target=disk:LABEL=my dump\n");
	T_CHECK(c.ntarget == 1 && !strcmp(c.target[0].where, "LABEL=my dump"), "%u %.40s", c.ntarget, c.target[0].where);
	T_NO_WARN();

	/* quoting on the command line */
	reset();
	cmdline("\"tinydump.target=disk:LABEL=my dump:/x y\"");
	T_CHECK(c.ntarget == 1 && !strcmp(c.target[0].where, "LABEL=my dump") && !strcmp(c.target[0].path, "/x y"),
		"%.80s %.80s", c.target[0].where, c.target[0].path);
}

static void test_file(void)
{
	reset();
	file("# tinydump configuration\n"
	     "\n"
	     "  level = 1   # only zero pages\r\n"
	     "timeout=30\n"
	     "tinydump.format=elf\n"
	     "tls_name=\"rx.example\"\n"
	     "target=disk:LABEL=a#b:/c\n"
	     "   # indented comment\n"
	     "nonsense line\n"
	     "colour=blue\n"
	     "final=halt"); /* no newline at the end */
	T_CHECK(c.level == 1 && c.timeout == 30 && c.format == 1 && !strcmp(c.tls_name, "rx.example") &&
			c.final == TD_ACT_HALT,
		"level %u timeout %u format %d name %.80s", c.level, c.timeout, c.format, c.tls_name);
	T_CHECK(c.ntarget == 1 && !strcmp(c.target[0].where, "LABEL=a#b"), "%u %.80s", c.ntarget, c.target[0].where);
	T_CHECK(w.n == 2 && !strcmp(w.line[0], "tinydump.conf line 9: 'nonsense line' is not key=value; ignored") &&
			!strcmp(w.line[1], "tinydump.conf line 10: unknown option colour=blue; ignored"),
		"%u: %.50s | %.50s", w.n, w.line[0], w.line[1]);

	/* bad file values keep the default and name the line */
	reset();
	file("level=40\ncompress=lz4\n");
	T_CHECK(w.n == 2 && !strcmp(w.line[0], "tinydump.conf line 1: level=40 is not a number from 0 to 31; using 31") &&
			!strcmp(w.line[1], "tinydump.conf line 2: compress=lz4 is not zlib, zlib-exact, zstd, lzo or none; using zlib"),
		"%.50s | %.50s", w.line[0], w.line[1]);
	/* a NUL inside a line */
	reset();
	td_config_file(&c, "level=1\0x\nlevel=2\n", 18, &w);
	T_CHECK(c.level == 2 && w.n == 1 && strstr(w.line[0], "line 1: ") && strstr(w.line[0], "is not key=value"),
		"level %u: %.80s", c.level, w.line[0]);
}

static void test_precedence(void)
{
	reset();
	file("level=1\ntimeout=30\nnfsvers=3\nip=dhcp\n");
	cmdline("tinydump.level=17 tinydump.timeout=soon");
	T_CHECK(c.level == 17, "command line wins: %u", c.level);
	T_CHECK(c.timeout == 30 && c.nfsvers == 3 && c.ip.mode == TD_IP_DHCP, "file values stay");
	T_ONE_WARN("tinydump.timeout=soon is not a number of seconds from 1 to 86400; using 30");
}

static void test_warning_overflow(void)
{
	char line[64 * 20] = "";

	reset();
	for (int i = 0; i < 20; i++)
		strcat(line, "tinydump.x=1 ");
	cmdline(line);
	T_CHECK(w.n == TD_WARN_MAX && w.dropped == 20 - TD_WARN_MAX, "n %u dropped %u", w.n, w.dropped);
}

int main(int argc, char **argv)
{
	T_ARGS(argc, argv);
	T_RUN(test_defaults);
	T_RUN(test_keys_valid);
	T_RUN(test_ip);
	T_RUN(test_keys_invalid);
	T_RUN(test_tls_name_limits);
	T_RUN(test_value_bounds);
	T_RUN(test_targets_valid);
	T_RUN(test_targets_invalid);
	T_RUN(test_target_lists);
	T_RUN(test_retries);
	T_RUN(test_file);
	T_RUN(test_precedence);
	T_RUN(test_warning_overflow);
	T_END();
}
