#!/bin/bash
# The receiver's TLS policy against openssl s_client and our client, host
# side in a private netns (issue 8, findings 4, 5 and 7):
#  - only ECDHE with AEAD suites: static-RSA and CBC suites are refused
#    (RSA and EC server keys), ECDHE with AES-GCM and ChaCha20 work;
#  - a client's renegotiation is refused;
#  - a client certificate whose extendedKeyUsage lacks clientAuth is
#    refused; one without the extension is accepted;
#  - refused client certificates get a TLS alert that s_client names
#    (unknown ca, handshake failure, unsupported certificate, access
#    denied), not a bare close;
#  - a CN of 128 bytes, an empty CN, a CN with NUL, no CN: refused with a
#    log line saying so, never stored under the peer address;
#  - CNs "a/b", "a_b" and ".hidden" get distinct, visible directories.
set -u
. "$(dirname "$0")/tlslib.sh"
td_tls_setup tls-certs

td_rx_start 7000 "$W/rx" --client-ca "$C/client-ca.pem" --timeout 5 ||
	td_fail "$T/receiver-starts" "no listener on 7000" "$W/rx-7000.log"
RX_EC=$RX_PID
mkdir -p "$W/rx1"
"$TD" receive --listen 127.0.0.1:7001 --dir "$W/rx1" --cert "$C/server-rsa.pem" \
	--key "$C/server-rsa.key" --client-ca "$C/client-ca.pem" --timeout 5 > "$W/rx-7001.log" 2>&1 &
TD_BG="$TD_BG $!"
td_listening 7001 || td_fail "$T/rsa-receiver-starts" "no listener on 7001" "$W/rx-7001.log"

sc() { # PORT LOG [s_client args...]
	local port=$1 log=$2
	shift 2
	printf 'x' | timeout 15 openssl s_client -connect 127.0.0.1:"$port" -tls1_2 -CAfile "$C/ca.pem" \
		-ign_eof "$@" > "$log" 2>&1
}
n=0
# suite PORT CIPHER want(ok|refused)
suite() {
	local log=$W/suite$((n += 1)).log
	sc "$1" "$log" -cipher "$2" -cert "$C/client.pem" -key "$C/client.key"
	if [ "$3" = ok ] && grep -q "Cipher is $2" "$log"; then
		td_ok "$T/suite-$2-accepted"
	elif [ "$3" = refused ] && grep -q "Cipher is (NONE)" "$log" && grep -q "alert handshake failure" "$log"; then
		td_ok "$T/suite-$2-refused"
	else
		td_fail "$T/suite-$2-$3" "s_client says: $(grep -a -m1 'Cipher is' "$log")" "$log"
	fi
}
suite 7001 AES128-SHA refused             # static RSA, CBC
suite 7001 AES128-GCM-SHA256 refused      # static RSA, AEAD
suite 7001 ECDHE-RSA-AES128-SHA refused   # ECDHE, CBC
suite 7001 ECDHE-RSA-AES128-GCM-SHA256 ok
suite 7000 ECDHE-ECDSA-AES128-SHA256 refused
suite 7000 ECDHE-ECDSA-AES256-SHA refused
suite 7000 ECDHE-ECDSA-AES128-GCM-SHA256 ok
suite 7000 ECDHE-ECDSA-CHACHA20-POLY1305 ok

# Renegotiation: s_client's "R" command starts one after the handshake.
(sleep 1; echo R; sleep 2) | timeout 15 openssl s_client -connect 127.0.0.1:7000 -tls1_2 \
	-CAfile "$C/ca.pem" -cert "$C/client.pem" -key "$C/client.key" > "$W/reneg.log" 2>&1
if grep -q RENEGOTIATING "$W/reneg.log" && grep -q "no renegotiation" "$W/reneg.log"; then
	td_ok "$T/renegotiation-refused"
else
	td_fail "$T/renegotiation-refused" "s_client could renegotiate" "$W/reneg.log"
fi

# cert NAME ALERT LOGTEXT: a refused client certificate (ALERT as s_client
# prints it; LOGTEXT in the receiver's log)
cert() {
	local log=$W/cert-$1.log
	if [ ! -f "$C/$1.pem" ]; then
		td_skip "$T/client-cert-$1-refused" "no $1.pem (mkcerts.sh needs python3-cryptography)"
		return
	fi
	sc 7000 "$log" -cert "$C/$1.pem" -key "$C/$1.key"
	sleep 0.3
	if grep -q "alert $2" "$log" && grep -q -- "$3" "$W/rx-7000.log" && ! grep -aq RPLY "$log"; then
		td_ok "$T/client-cert-$1-refused-with-alert-${2// /-}"
	else
		td_fail "$T/client-cert-$1-refused-with-alert-${2// /-}" \
			"s_client: $(grep -a -m1 -E 'alert|eof' "$log"); receiver log lacks \"$3\"" "$W/rx-7000.log"
	fi
}
cert serveronly-client "unsupported certificate" "extendedKeyUsage does not allow client authentication"
cert other-client "unknown ca" "client certificate not trusted by"
cert longcn-client "access denied" "client certificate CN is 128 bytes (at most 127)"
cert emptycn-client "access denied" "client certificate CN is empty"
cert nulcn-client "access denied" "client certificate CN contains a NUL byte"
cert nocn-client "access denied" "client certificate has no CN"
sc 7000 "$W/nocert.log"
sleep 0.3
if grep -q "alert handshake failure" "$W/nocert.log" && grep -q "client sent no certificate" "$W/rx-7000.log"; then
	td_ok "$T/no-client-cert-refused-with-alert-handshake-failure"
else
	td_fail "$T/no-client-cert-refused-with-alert-handshake-failure" \
		"s_client: $(grep -a -m1 -E 'alert|eof' "$W/nocert.log")" "$W/nocert.log"
fi

# Uploads: a certificate without EKU is fine; CNs map to distinct names.
head -c 100000 /dev/urandom > "$W/src"
printf 'kernel log\n' > "$W/dmesg"
up() { # CERT
	"$TT" upload --port 7000 --file "$W/src" --dmesg "$W/dmesg" --ca "$C/ca.pem" \
		--cert "$C/$1.pem" --key "$C/$1.key" --timeout 10 > "$W/up-$1.log" 2>&1
}
if up noeku-client && ls "$W/rx" | grep -q "^noeku-"; then
	td_ok "$T/client-cert-without-eku-accepted"
else
	td_fail "$T/client-cert-without-eku-accepted" "upload failed" "$W/up-noeku-client.log"
fi
up slash-client; up underscore-client; up dot-client
names=$(ls "$W/rx" | sed 's/-[0-9]\{4\}-[0-9][0-9]-[0-9][0-9]-.*//' | sort | tr '\n' ' ')
if [ "$names" = "%2Ehidden a%2Fb a%5Fb noeku " ]; then
	td_ok "$T/cn-to-directory-name-is-injective"
else
	td_fail "$T/cn-to-directory-name-is-injective" "directory identities: $names" "$W/rx-7000.log"
fi
if ! ls "$W/rx" | grep -q '^127\.0\.0\.1'; then
	td_ok "$T/refused-certificates-never-stored-under-peer-address"
else
	td_fail "$T/refused-certificates-never-stored-under-peer-address" "found: $(ls "$W/rx")"
fi
