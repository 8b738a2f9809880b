#!/bin/sh
# Make test certificates for the TLS target and `tinydump receive`.
#   scripts/mkcerts.sh DIR [NAME]
# NAME is the DNS name the server certificate carries (default
# tinydump-receiver, the default tinydump.tls_name). Keys are EC P-256
# (fast under TCG) except client-rsa (RSA 2048). In DIR:
#   ca.pem ca.key                 the CA clients trust (/etc/tinydump/ca.pem)
#   server.pem server.key         receiver certificate for NAME, signed by ca
#   client-ca.pem client-ca.key   the CA the receiver checks clients against
#   client.pem client.key         client certificate CN=client1 (key in the
#                                 traditional "EC PRIVATE KEY" form)
#   client-rsa.pem client-rsa.key client certificate CN=client-rsa, RSA
# and for negative tests:
#   other-ca.pem                  an unrelated CA
#   other-server.pem/.key         right name, signed by other-ca
#   wrongname-server.pem/.key     signed by ca, DNS name "not-the-receiver"
#   expired-server.pem/.key       signed by ca, valid only in 2020
#   other-client.pem/.key         CN=intruder, signed by other-ca
#   server-rsa.pem/.key           receiver certificate with an RSA 2048 key
#   serveronly-client.pem/.key    CN=serveronly, signed by client-ca, EKU
#                                 serverAuth only
#   noeku-client.pem/.key         CN=noeku, signed by client-ca, no EKU
#   slash-client / underscore-client / dot-client: CN=a/b, a_b, .hidden
#   nocn-client.pem/.key          no CN (O=nocn only)
#   longcn-client, emptycn-client, nulcn-client: CN of 128 bytes, empty, and
#                                 "a\0b" (made by mkcert-odd.py, with python3's
#                                 cryptography module; skipped without it)
set -eu
[ $# -ge 1 ] || { echo "usage: $0 DIR [NAME]" >&2; exit 2; }
dir=$1
name=${2:-tinydump-receiver}
command -v openssl >/dev/null || { echo "mkcerts: openssl not found (scripts/deps.sh check)" >&2; exit 1; }
mkdir -p "$dir"
cd "$dir"

eckey() { openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1" 2>/dev/null; }

# ca NAME CN: a self-signed CA
ca() {
	eckey "$1.key"
	openssl req -x509 -new -key "$1.key" -subj "/CN=$2" -days 3650 -out "$1.pem" \
		-addext "basicConstraints=critical,CA:TRUE" \
		-addext "keyUsage=critical,keyCertSign,cRLSign" 2>/dev/null
}

# leaf OUT CN CA EXTFILE [keyfile-made-already]: a certificate signed by CA
leaf() {
	[ -f "$1.key" ] || eckey "$1.key"
	openssl req -new -key "$1.key" -subj "/CN=$2" -out "$1.csr" 2>/dev/null
	openssl x509 -req -in "$1.csr" -CA "$3.pem" -CAkey "$3.key" -CAcreateserial \
		-days 3650 -extfile "$4" -out "$1.pem" 2>/dev/null
	rm -f "$1.csr"
}

printf 'basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth\nsubjectAltName=DNS:%s\n' \
	"$name" > server.ext
printf 'basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth\nsubjectAltName=DNS:not-the-receiver\n' \
	> wrongname.ext
printf 'basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=clientAuth\n' > client.ext
printf 'basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth\n' > serveronly.ext
printf 'basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\n' > noeku.ext
printf 'basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\nsubjectAltName=DNS:%s\n' \
	"$name" > server-rsa.ext

ca ca "tinydump test CA"
ca client-ca "tinydump test client CA"
ca other-ca "unrelated CA"

leaf server "$name" ca server.ext
leaf wrongname-server "not-the-receiver" ca wrongname.ext
leaf other-server "$name" other-ca server.ext
leaf client client1 client-ca client.ext
openssl ec -in client.key -out client.key.trad 2>/dev/null && mv client.key.trad client.key
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out client-rsa.key 2>/dev/null
leaf client-rsa client-rsa client-ca client.ext
leaf other-client intruder other-ca client.ext
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out server-rsa.key 2>/dev/null
leaf server-rsa "$name" ca server-rsa.ext
leaf serveronly-client serveronly client-ca serveronly.ext
leaf noeku-client noeku client-ca noeku.ext
leaf slash-client "a\/b" client-ca client.ext
leaf underscore-client a_b client-ca client.ext
leaf dot-client .hidden client-ca client.ext
eckey nocn-client.key
openssl req -new -key nocn-client.key -subj "/O=nocn" -out nocn.csr 2>/dev/null
openssl x509 -req -in nocn.csr -CA client-ca.pem -CAkey client-ca.key -CAcreateserial \
	-days 3650 -extfile client.ext -out nocn-client.pem 2>/dev/null
rm -f nocn.csr
odd="$(dirname "$0")/mkcert-odd.py"
case $odd in /*) ;; *) odd="$OLDPWD/$odd" ;; esac
if python3 -c 'import cryptography' 2>/dev/null; then
	python3 "$odd" client-ca longcn-client "'x' * 128"
	python3 "$odd" client-ca emptycn-client "''"
	python3 "$odd" client-ca nulcn-client "'a\\x00b'"
fi

# Expired: `openssl ca` takes explicit start and end dates (OpenSSL 3.0's
# x509 -req cannot set a past notBefore).
mkdir -p ca.db && : > ca.db/index.txt && echo 1000 > ca.db/serial
cat > ca.db/ca.cnf <<EOF
[ca]
default_ca = d
[d]
database = ca.db/index.txt
serial = ca.db/serial
new_certs_dir = ca.db
default_md = sha256
policy = p
copy_extensions = none
[p]
commonName = supplied
EOF
eckey expired-server.key
openssl req -new -key expired-server.key -subj "/CN=$name" -out expired.csr 2>/dev/null
openssl ca -batch -config ca.db/ca.cnf -cert ca.pem -keyfile ca.key -in expired.csr \
	-startdate 20200101000000Z -enddate 20200201000000Z -extfile server.ext \
	-out expired-server.pem -notext 2>/dev/null
rm -rf ca.db expired.csr ./*.ext ./*.srl
chmod 600 ./*.key
echo "mkcerts: certificates for \"$name\" in $dir"
