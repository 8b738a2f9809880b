#!/bin/bash
# TLS against OpenSSL, host side, in a private network namespace:
#  - `tinydump tls-probe` (our BearSSL client, the static musl binary)
#    completes handshakes with openssl s_server, also with client
#    certificates (EC in the traditional key form, RSA in PKCS#8);
#  - it refuses a server certificate from another CA, with another name,
#    expired, and names the reason;
#  - `tinydump receive` accepts openssl s_client with a certificate from the
#    client CA (and its protocol error reply reaches s_client), and rejects
#    s_client without a certificate and with one from another CA.
set -u
. "$(dirname "$0")/tlslib.sh"
td_tls_setup tls-interop

# s_server reads stdin; a FIFO held open by us keeps it from seeing EOF.
mkfifo "$W/in"
exec 7<>"$W/in"
SS_PID=
ss_start() { # CERT [s_server args...]
	local cert=$1
	shift
	openssl s_server -accept 127.0.0.1:4433 -cert "$C/$cert.pem" -key "$C/$cert.key" "$@" \
		< "$W/in" > "$W/ss.log" 2>&1 &
	SS_PID=$!
	TD_BG="$TD_BG $SS_PID"
	td_listening 4433
}
ss_stop() { kill "$SS_PID" 2>/dev/null; wait "$SS_PID" 2>/dev/null; }

# probe NAME WANT_RC PATTERN ARGS...: run tls-probe, check status and message.
probe() {
	local name=$1 want=$2 pat=$3 rc
	shift 3
	timeout 20 "$TD" tls-probe 127.0.0.1:4433 --ca "$C/ca.pem" --timeout 5 "$@" > "$W/p.log" 2>&1
	rc=$?
	if { [ "$want" = 0 ] && [ $rc = 0 ]; } || { [ "$want" != 0 ] && [ $rc != 0 ]; }; then
		if grep -q -- "$pat" "$W/p.log"; then
			td_ok "$T/$name"
			return
		fi
		td_fail "$T/$name" "exit $rc but no \"$pat\" in the message" "$W/p.log"
	else
		td_fail "$T/$name" "tls-probe exit $rc, want $([ "$want" = 0 ] && echo 0 || echo failure)" "$W/p.log"
	fi
}

ss_start server
probe probe-handshake-with-openssl-s_server 0 "handshake OK (TLS 1.2, ECDHE_ECDSA"
probe probe-refuses-other-name 1 'does not carry the DNS name "other-name"' --name other-name
ss_stop

ss_start server -Verify 1 -CAfile "$C/client-ca.pem" -verify_return_error
probe probe-client-cert-ec-accepted-by-openssl 0 "with client certificate" \
	--cert "$C/client.pem" --key "$C/client.key"
probe probe-client-cert-rsa-accepted-by-openssl 0 "with client certificate" \
	--cert "$C/client-rsa.pem" --key "$C/client-rsa.key"
probe probe-without-client-cert-refused-by-openssl 1 "server refused us with TLS alert"
probe probe-foreign-client-cert-refused-by-openssl 1 "server refused us with TLS alert" \
	--cert "$C/other-client.pem" --key "$C/other-client.key"
ss_stop

ss_start other-server
probe client-refuses-server-cert-from-other-ca 1 \
	"server certificate not trusted by $C/ca.pem (BearSSL error 62: X509 not trusted)"
ss_stop
ss_start wrongname-server
probe client-refuses-server-cert-with-other-name 1 \
	'server certificate does not carry the DNS name "tinydump-receiver"'
ss_stop
ss_start expired-server
probe client-refuses-expired-server-cert 1 "server certificate expired or not yet valid"
ss_stop

# The receiver against openssl s_client.
td_rx_start 7000 "$W/rx" --client-ca "$C/client-ca.pem" --timeout 5 ||
	td_fail "$T/receiver-starts" "no listener on 7000" "$W/rx-7000.log"
sc() { # LOG [s_client args...]
	local log=$1
	shift
	printf 'GET / HTTP/1.0\r\n\r\n' | timeout 15 openssl s_client -connect 127.0.0.1:7000 \
		-CAfile "$C/ca.pem" -verify_hostname tinydump-receiver -verify_return_error -ign_eof \
		"$@" > "$log" 2>&1
}
sc "$W/sc1.log" -cert "$C/client.pem" -key "$C/client.key"
if grep -q "Verify return code: 0 (ok)" "$W/sc1.log" && grep -aq "RPLY.*not a tinydump upload" "$W/sc1.log" &&
	grep -q "CN=client1: failed: not a tinydump upload" "$W/rx-7000.log"; then
	td_ok "$T/receiver-accepts-openssl-client-with-client-ca-cert"
else
	td_fail "$T/receiver-accepts-openssl-client-with-client-ca-cert" \
		"no verified session with a protocol-error reply" "$W/sc1.log"
fi
sc "$W/sc2.log"
sleep 0.3
if grep -q "client sent no certificate; one signed by $C/client-ca.pem is required" "$W/rx-7000.log" &&
	! grep -aq RPLY "$W/sc2.log"; then
	td_ok "$T/receiver-rejects-client-without-cert"
else
	td_fail "$T/receiver-rejects-client-without-cert" "receiver did not refuse" "$W/rx-7000.log"
fi
sc "$W/sc3.log" -cert "$C/other-client.pem" -key "$C/other-client.key"
sleep 0.3
if grep -q "failed: TLS handshake .* client certificate not trusted by $C/client-ca.pem" "$W/rx-7000.log" &&
	! grep -aq RPLY "$W/sc3.log"; then
	td_ok "$T/receiver-rejects-client-cert-from-other-ca"
else
	td_fail "$T/receiver-rejects-client-cert-from-other-ca" "receiver did not refuse" "$W/rx-7000.log"
fi
if [ -z "$(ls -A "$W/rx")" ]; then
	td_ok "$T/receiver-stores-nothing-for-failed-sessions"
else
	td_fail "$T/receiver-stores-nothing-for-failed-sessions" "found: $(ls "$W/rx")"
fi
