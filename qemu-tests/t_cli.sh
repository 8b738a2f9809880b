#!/bin/bash
# The command-line faces on the host: every command takes --help (exit 0,
# its usage on stdout), `tinydump --version` prints the version, and an
# unknown command or option is an error naming it (exit 2).
set -u
. "$(dirname "$0")/lib.sh"
T=cli
TD=$TD_ROOT/build/tinydump
[ -x "$TD" ] || { td_skip $T "build/tinydump missing: run make"; exit 0; }
for c in capture load unload status dmesg receive list tls-probe initramfs; do
	out=$("$TD" "$c" --help 2>&1); rc=$?
	if [ $rc = 0 ] && printf '%s\n' "$out" | grep -q "^usage: tinydump $c"; then
		td_ok "$T/$c-help"
	else
		td_fail "$T/$c-help" "exit $rc: $(printf '%s' "$out" | head -1)"
	fi
done
v=$("$TD" --version); want=$(sed -n 's/^#define TD_VERSION "\(.*\)"/\1/p' "$TD_ROOT/init/outcome.h")
[ "$v" = "tinydump $want" ] && td_ok $T/version || td_fail $T/version "printed '$v', want 'tinydump $want'"
out=$("$TD" frobnicate 2>&1); rc=$?
[ $rc = 2 ] && printf '%s' "$out" | grep -q "unknown command 'frobnicate'" && td_ok $T/unknown-command ||
	td_fail $T/unknown-command "exit $rc: $(printf '%s' "$out" | head -1)"
out=$("$TD" list --frob 2>&1); rc=$?
[ $rc = 2 ] && printf '%s' "$out" | grep -q -- "--frob" && td_ok $T/unknown-option ||
	td_fail $T/unknown-option "exit $rc: $(printf '%s' "$out" | head -1)"
# capture's numbers: each option its own range, the bad value named.
# (--timeout once shared the level parser and refused anything over 31.)
bad=
for a in "--timeout 0" "--timeout 86401" "--timeout 1x" "--level 32" "--threads 9" "--retries 6" "--retries -1"; do
	out=$("$TD" capture --input /nonexistent --output /dev/null $a 2>&1)
	printf '%s' "$out" | grep -q -- "$a" || bad="$bad '$a' ($(printf '%s' "$out" | head -1))"
done
for a in "--timeout 600" "--timeout 86400" "--level 0" "--threads 8" "--retries 5"; do
	out=$("$TD" capture --input /nonexistent --output /dev/null $a 2>&1)
	printf '%s' "$out" | grep -q "/nonexistent" || bad="$bad '$a' refused ($(printf '%s' "$out" | head -1))"
done
[ -z "$bad" ] && td_ok $T/capture-number-ranges || td_fail $T/capture-number-ranges "$bad"
