/* SPDX-License-Identifier: GPL-3.0-or-later */
/* postaci-throwaway-certificate.h — the Local Test Server's certificate and password, made at
 * each start. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* A self-signed ECDSA P-256 certificate for "localhost", 127.0.0.1 and ::1, valid from an hour
 * ago for three days, and its key (PKCS #8), both PEM. Errors:
 * POSTACI_LOCAL_SERVER_ERROR_CERTIFICATE. The caller wipes @key_pem when done. */
gboolean postaci_throwaway_certificate_make          (char   **cert_pem,
                                                      char   **key_pem,
                                                      GError **error);
/* A 20-character password from GnuTLS's key-grade random numbers. */
char    *postaci_throwaway_certificate_make_password (void);

G_END_DECLS
