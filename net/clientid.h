/* Who a client is: its certificate's CN, checked strictly, and the upload
 * directory name made from it. Pure (no system calls): parsers over the
 * DER bytes that BearSSL has already verified.
 *
 * BearSSL's minimal X.509 engine checks the chain, dates and key usage but
 * not the extended key usage, and its CN extraction cannot tell "too long"
 * from "not decodable". So the receiver reads the end-entity certificate
 * itself: exactly one CN of 1..TD_CN_MAX bytes, no NUL, a string type that
 * is text, whose directory-name form (td_ident_encode) has at most
 * TD_IDENT_MAX characters; and when the certificate has an extendedKeyUsage extension, it
 * must list clientAuth (or anyExtendedKeyUsage). */
#ifndef TD_CLIENTID_H
#define TD_CLIENTID_H

#include <stddef.h>
#include <stdint.h>

#include "os/err.h"

#define TD_CN_MAX 127            /* bytes of a CN we accept */
#define TD_IDENT_MAX 200         /* characters of its directory-name form */

/* Why a client certificate is refused. */
enum td_cert_why {
	TD_CERT_OK = 0,
	TD_CERT_MALFORMED,  /* the DER does not parse as a certificate */
	TD_CERT_NO_CN,      /* no CN, or more than one */
	TD_CERT_BAD_CN,     /* empty, too long, NUL, or not a text string */
	TD_CERT_EKU,        /* extendedKeyUsage without clientAuth */
};

/* Check the end-entity certificate der (len bytes). On TD_CERT_OK, cn
 * holds the CN, NUL-terminated (cap > TD_CN_MAX). Otherwise e says why, in
 * words for the receiver's log: "client certificate CN is 130 bytes (at
 * most 127)". */
enum td_cert_why td_cert_check_client(const uint8_t *der, size_t len, char *cn, size_t cap,
				      struct td_err *e);

/* The directory-name form of a CN: bytes in [A-Za-z0-9.-] as they are,
 * every other byte as %XX (upper-case hex), and a leading '.' as %2E. The
 * mapping is injective (decoding it gives back the CN) and the result is
 * never ".", ".." or hidden. Returns its length; out (cap bytes) gets as
 * much as fits, NUL-terminated. */
size_t td_ident_encode(const char *cn, char *out, size_t cap);

#endif
