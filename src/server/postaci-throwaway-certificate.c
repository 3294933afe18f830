/* SPDX-License-Identifier: GPL-3.0-or-later */
/* postaci-throwaway-certificate.c — the Local Test Server's certificate and password, made at
 * each start. */
#define G_LOG_DOMAIN "postaci-local-server"

#include "config.h"

#include <errno.h>
#include <string.h>
#include <sys/random.h>
#include <glib/gi18n-lib.h>

#include "postaci-gnutls.h"
#include "postaci-local-server.h"
#include "postaci-throwaway-certificate.h"

#define HOSTNAME "localhost"

#define CHECK_GNUTLS(call) \
  G_STMT_START             \
  {                        \
    int _ret = (call);     \
    if (_ret < 0)          \
      {                    \
        failed = #call;    \
        code = _ret;       \
        goto out;          \
      }                    \
  }                        \
  G_STMT_END
#define ORGANIZATION "Postaci local test server"

/* ECDSA P-256, self-signed, for localhost, 127.0.0.1 and ::1. */
gboolean
postaci_throwaway_certificate_make (char **cert_pem, char **key_pem, GError **error)
{
  gnutls_x509_privkey_t key = NULL;
  gnutls_x509_crt_t     crt = NULL;
  gnutls_datum_t        cert_out = { NULL, 0 }, key_out = { NULL, 0 };
  guint8                serial[16], key_id[64];
  size_t                key_id_size = sizeof key_id;
  static const guint8   ipv4[4] = { 127, 0, 0, 1 };
  static const guint8   ipv6[16] = { [15] = 1 };
  time_t                now = (time_t) (g_get_real_time () / G_USEC_PER_SEC);
  const char           *failed = NULL;
  int                   code = 0;
  const PostaciGnutls  *gnutls = postaci_gnutls_open (error);

  if (gnutls == NULL)
    return FALSE;

  CHECK_GNUTLS (gnutls->x509_privkey_init (&key));
  CHECK_GNUTLS (gnutls->x509_privkey_generate (
    key, GNUTLS_PK_ECDSA, GNUTLS_CURVE_TO_BITS (GNUTLS_ECC_CURVE_SECP256R1), 0));
  CHECK_GNUTLS (gnutls->x509_crt_init (&crt));
  CHECK_GNUTLS (gnutls->x509_crt_set_version (crt, 3));
  CHECK_GNUTLS (gnutls->rnd (GNUTLS_RND_NONCE, serial, sizeof serial));
  serial[0] &= 0x7f; /* a positive INTEGER */
  CHECK_GNUTLS (gnutls->x509_crt_set_serial (crt, serial, sizeof serial));
  CHECK_GNUTLS (gnutls->x509_crt_set_activation_time (crt, now - 3600));
  CHECK_GNUTLS (gnutls->x509_crt_set_expiration_time (crt, now + 3 * 24 * 3600));
  CHECK_GNUTLS (gnutls->x509_crt_set_dn_by_oid (crt, GNUTLS_OID_X520_COMMON_NAME, 0, HOSTNAME,
                                                strlen (HOSTNAME)));
  CHECK_GNUTLS (gnutls->x509_crt_set_dn_by_oid (crt, GNUTLS_OID_X520_ORGANIZATION_NAME, 0,
                                                ORGANIZATION, strlen (ORGANIZATION)));
  CHECK_GNUTLS (gnutls->x509_crt_set_subject_alt_name (crt, GNUTLS_SAN_DNSNAME, HOSTNAME,
                                                       strlen (HOSTNAME), GNUTLS_FSAN_APPEND));
  CHECK_GNUTLS (gnutls->x509_crt_set_subject_alt_name (crt, GNUTLS_SAN_IPADDRESS, ipv4, sizeof ipv4,
                                                       GNUTLS_FSAN_APPEND));
  CHECK_GNUTLS (gnutls->x509_crt_set_subject_alt_name (crt, GNUTLS_SAN_IPADDRESS, ipv6, sizeof ipv6,
                                                       GNUTLS_FSAN_APPEND));
  CHECK_GNUTLS (gnutls->x509_crt_set_key (crt, key));
  /* A trust anchor of its own, so that a client may also trust it as a CA file. */
  CHECK_GNUTLS (gnutls->x509_crt_set_basic_constraints (crt, 1, 0));
  CHECK_GNUTLS (
    gnutls->x509_crt_set_key_usage (crt, GNUTLS_KEY_DIGITAL_SIGNATURE | GNUTLS_KEY_KEY_CERT_SIGN));
  CHECK_GNUTLS (gnutls->x509_crt_set_key_purpose_oid (crt, GNUTLS_KP_TLS_WWW_SERVER, 0));
  CHECK_GNUTLS (gnutls->x509_crt_get_key_id (crt, 0, key_id, &key_id_size));
  CHECK_GNUTLS (gnutls->x509_crt_set_subject_key_id (crt, key_id, key_id_size));
  CHECK_GNUTLS (gnutls->x509_crt_sign2 (crt, crt, key, GNUTLS_DIG_SHA256, 0));
  CHECK_GNUTLS (gnutls->x509_crt_export2 (crt, GNUTLS_X509_FMT_PEM, &cert_out));
  /* PKCS #8 ("BEGIN PRIVATE KEY"): the form g_tls_certificate_new_from_pem() reads. */
  CHECK_GNUTLS (gnutls->x509_privkey_export2_pkcs8 (key, GNUTLS_X509_FMT_PEM, NULL,
                                                    GNUTLS_PKCS_PLAIN, &key_out));
  *cert_pem = g_strndup ((const char *) cert_out.data, cert_out.size);
  *key_pem = g_strndup ((const char *) key_out.data, key_out.size);

out:
  if (key_out.data != NULL)
    {
      explicit_bzero (key_out.data, key_out.size);
      postaci_gnutls_free (key_out.data);
    }
  postaci_gnutls_free (cert_out.data);
  if (crt != NULL)
    gnutls->x509_crt_deinit (crt);
  if (key != NULL)
    gnutls->x509_privkey_deinit (key);
  if (failed != NULL)
    {
      g_set_error (error, POSTACI_LOCAL_SERVER_ERROR, POSTACI_LOCAL_SERVER_ERROR_CERTIFICATE,
                   _ ("Could not make the Local Test Server’s certificate: %s"),
                   gnutls->strerror (code));
      g_debug ("%s failed", failed);
      return FALSE;
    }
  return TRUE;
}

/* 20 letters and digits without the ones people confuse (0/O, 1/l/I). */
char *
postaci_throwaway_certificate_make_password (void)
{
  static const char alphabet[] = "abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
  const gsize       n = sizeof alphabet - 1;
  GString          *out = g_string_new (NULL);

  while (out->len < 20)
    {
      guint8 byte;

      if (getrandom (&byte, 1, 0) != 1)
        g_error ("no random numbers: %s", g_strerror (errno));
      /* Rejection sampling keeps every letter equally likely. */
      if (byte < 256 - 256 % n)
        g_string_append_c (out, alphabet[byte % n]);
    }
  return g_string_free (out, FALSE);
}
