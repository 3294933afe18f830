/* SPDX-License-Identifier: GPL-3.0-or-later */
/* postaci-gnutls.c — GnuTLS's certificate functions, opened when a certificate is first read
 * or made. */
#define G_LOG_DOMAIN "postaci-gnutls"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "postaci-gnutls.h"
#include "postaci-library.h"

static PostaciGnutls gnutls;
static char         *load_error; /* why GnuTLS could not be opened; NULL once it was */

static gpointer
open_gnutls (gpointer data G_GNUC_UNUSED)
{
  static const PostaciLibrarySymbol symbols[] = {
#define SYMBOL(field) POSTACI_LIBRARY_SYMBOL (PostaciGnutls, "gnutls_", field)
    SYMBOL (strerror),
    { "gnutls_free", G_STRUCT_OFFSET (PostaciGnutls, free_function) },
    SYMBOL (x509_crt_init),
    SYMBOL (x509_crt_deinit),
    SYMBOL (x509_crt_import),
    SYMBOL (x509_crt_get_dn3),
    SYMBOL (x509_crt_get_issuer_dn3),
    SYMBOL (x509_crt_get_dn_by_oid),
    SYMBOL (x509_crt_get_activation_time),
    SYMBOL (x509_crt_get_expiration_time),
    SYMBOL (x509_crt_get_extension_by_oid2),
    SYMBOL (subject_alt_names_init),
    SYMBOL (subject_alt_names_deinit),
    SYMBOL (subject_alt_names_get),
    SYMBOL (x509_ext_import_subject_alt_names),
    SYMBOL (rnd),
    SYMBOL (x509_privkey_init),
    SYMBOL (x509_privkey_deinit),
    SYMBOL (x509_privkey_generate),
    SYMBOL (x509_privkey_export2_pkcs8),
    SYMBOL (x509_crt_set_version),
    SYMBOL (x509_crt_set_serial),
    SYMBOL (x509_crt_set_activation_time),
    SYMBOL (x509_crt_set_expiration_time),
    SYMBOL (x509_crt_set_dn_by_oid),
    SYMBOL (x509_crt_set_subject_alt_name),
    SYMBOL (x509_crt_set_key),
    SYMBOL (x509_crt_set_basic_constraints),
    SYMBOL (x509_crt_set_key_usage),
    SYMBOL (x509_crt_set_key_purpose_oid),
    SYMBOL (x509_crt_get_key_id),
    SYMBOL (x509_crt_set_subject_key_id),
    SYMBOL (x509_crt_sign2),
    SYMBOL (x509_crt_export2),
#undef SYMBOL
  };

  /* GnuTLS initialises itself when it is loaded (its library constructor). */
  if (!postaci_library_load (GNUTLS_LIBRARY, symbols, G_N_ELEMENTS (symbols), &gnutls, &load_error))
    return NULL;
  return &gnutls;
}

const PostaciGnutls *
postaci_gnutls_open (GError **error)
{
  static GOnce once = G_ONCE_INIT;

  if (g_once (&once, open_gnutls, NULL) != NULL)
    return &gnutls;
  g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
               /* Translators: %s is the library's file name, then the system's reason */
               _ ("Reading and making certificates needs the GnuTLS library (%s), which could "
                  "not be loaded: %s"),
               GNUTLS_LIBRARY, load_error);
  return NULL;
}

void
postaci_gnutls_hold (void)
{
  postaci_gnutls_open (NULL);
}

void
postaci_gnutls_free (gpointer data)
{
  if (data != NULL)
    (*gnutls.free_function) (data);
}
