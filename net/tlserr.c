/* BearSSL error codes and TLS alerts in words, for log lines (tls.h). */
#include "tls.h"

const char *td_tls_errname(int err)
{
	static const struct { int code; const char *name; } names[] = {
		{ BR_ERR_BAD_PARAM, "bad parameter" },
		{ BR_ERR_BAD_STATE, "bad state" },
		{ BR_ERR_UNSUPPORTED_VERSION, "unsupported TLS version (TLS 1.2 is required)" },
		{ BR_ERR_BAD_VERSION, "bad protocol version" },
		{ BR_ERR_BAD_LENGTH, "bad record length" },
		{ BR_ERR_TOO_LARGE, "record too large" },
		{ BR_ERR_BAD_MAC, "bad record MAC (data corrupted in transit)" },
		{ BR_ERR_NO_RANDOM, "no random source" },
		{ BR_ERR_UNKNOWN_TYPE, "unknown record type" },
		{ BR_ERR_UNEXPECTED, "unexpected message" },
		{ BR_ERR_BAD_HANDSHAKE, "bad handshake message" },
		{ BR_ERR_BAD_CIPHER_SUITE, "no common cipher suite" },
		{ BR_ERR_BAD_SIGNATURE, "bad handshake signature" },
		{ BR_ERR_WRONG_KEY_USAGE, "certificate key usage forbids this use" },
		{ BR_ERR_NO_CLIENT_AUTH, "no client certificate" },
		{ BR_ERR_X509_TRUNCATED, "X509 truncated" },
		{ BR_ERR_X509_EMPTY_CHAIN, "X509 empty chain" },
		{ BR_ERR_X509_BAD_TIME, "X509 bad time" },
		{ BR_ERR_X509_UNSUPPORTED, "X509 unsupported" },
		{ BR_ERR_X509_WRONG_KEY_TYPE, "X509 wrong key type" },
		{ BR_ERR_X509_BAD_SIGNATURE, "X509 bad signature" },
		{ BR_ERR_X509_TIME_UNKNOWN, "X509 time unknown" },
		{ BR_ERR_X509_EXPIRED, "X509 expired or not yet valid" },
		{ BR_ERR_X509_DN_MISMATCH, "X509 DN mismatch" },
		{ BR_ERR_X509_BAD_SERVER_NAME, "X509 server name mismatch" },
		{ BR_ERR_X509_CRITICAL_EXTENSION, "X509 unknown critical extension" },
		{ BR_ERR_X509_NOT_CA, "X509 issuer is not a CA" },
		{ BR_ERR_X509_FORBIDDEN_KEY_USAGE, "X509 forbidden key usage" },
		{ BR_ERR_X509_WEAK_PUBLIC_KEY, "X509 weak public key" },
		{ BR_ERR_X509_NOT_TRUSTED, "X509 not trusted" },
	};
	if (err == TD_ERR_CLIENT_CERT)
		return "client certificate refused";
	if (err >= BR_ERR_SEND_FATAL_ALERT)
		return "fatal alert sent";
	if (err >= BR_ERR_RECV_FATAL_ALERT)
		return "fatal alert received";
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
		if (names[i].code == err)
			return names[i].name;
	return err > BR_ERR_X509_OK && err < 64 ? "X509 certificate malformed" : "TLS failure";
}

const char *td_tls_alertname(int a)
{
	switch (a) {
	case 40: return "handshake failure";
	case 42: return "bad certificate";
	case 43: return "unsupported certificate";
	case 45: return "certificate expired";
	case 46: return "certificate unknown";
	case 48: return "unknown CA";
	case 49: return "access denied";
	case 70: return "protocol version";
	case 112: return "unrecognized name";
	case 116: return "certificate required";
	default: return "alert";
	}
}
