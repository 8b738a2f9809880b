#!/usr/bin/env python3
"""Client certificates that OpenSSL's tools refuse to make, for negative
tests (scripts/mkcerts.sh): a CN of any length or content.
  mkcert-odd.py CA OUT CN_PYTHON_LITERAL
signs OUT.pem (key OUT.key, EC P-256) with CA.pem/CA.key; the CN is given
as a Python string literal, e.g. "'x' * 128", "''", "'a\\x00b'"."""
import ast, datetime, sys, warnings
warnings.simplefilter("ignore")  # the odd CNs are the point
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

ca, out, lit = sys.argv[1], sys.argv[2], sys.argv[3]
cn = ast.literal_eval(lit) if not lit.startswith("'x' *") else "x" * int(lit.split("*")[1])
ca_key = serialization.load_pem_private_key(open(ca + ".key", "rb").read(), None)
ca_cert = x509.load_pem_x509_certificate(open(ca + ".pem", "rb").read())
key = ec.generate_private_key(ec.SECP256R1())
now = datetime.datetime.now(datetime.timezone.utc)
name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn, _validate=False)])
cert = (x509.CertificateBuilder().subject_name(name).issuer_name(ca_cert.subject)
        .public_key(key.public_key()).serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=3650))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=False)
        .add_extension(x509.KeyUsage(True, False, False, False, False, False, False, False, False),
                       critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.CLIENT_AUTH]), critical=False)
        .sign(ca_key, hashes.SHA256()))
open(out + ".pem", "wb").write(cert.public_bytes(serialization.Encoding.PEM))
open(out + ".key", "wb").write(key.private_bytes(serialization.Encoding.PEM,
                                                 serialization.PrivateFormat.PKCS8,
                                                 serialization.NoEncryption()))
