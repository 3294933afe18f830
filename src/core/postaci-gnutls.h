/* SPDX-License-Identifier: GPL-3.0-or-later */
/* postaci-gnutls.h — GnuTLS's certificate functions, opened when a certificate is first read
 * or made. */
#pragma once

#include <gio/gio.h>
#include <gnutls/crypto.h>
#include <gnutls/gnutls.h>
#include <gnutls/x509.h>
#include <gnutls/x509-ext.h>

G_BEGIN_DECLS

/*
 * GnuTLS is not linked: a start that makes no TLS connection and reads no certificate (the
 * window with a server remembered, a plain run) does not map it, nor its five libraries (README,
 * "Benchmarks"). GIO's TLS backend (glib-networking) links it itself when a connection is made,
 * so both use the same library. Its callers reach it through this table, typed from GnuTLS's
 * own headers.
 */
typedef struct
{
  __typeof__ (gnutls_strerror) *strerror;
  /* gnutls_free is a variable that holds the function; this is its address */
  gnutls_free_function *free_function;
  /* Reading (postaci-certificate.c) */
  __typeof__ (gnutls_x509_crt_init)                     *x509_crt_init;
  __typeof__ (gnutls_x509_crt_deinit)                   *x509_crt_deinit;
  __typeof__ (gnutls_x509_crt_import)                   *x509_crt_import;
  __typeof__ (gnutls_x509_crt_get_dn3)                  *x509_crt_get_dn3;
  __typeof__ (gnutls_x509_crt_get_issuer_dn3)           *x509_crt_get_issuer_dn3;
  __typeof__ (gnutls_x509_crt_get_dn_by_oid)            *x509_crt_get_dn_by_oid;
  __typeof__ (gnutls_x509_crt_get_activation_time)      *x509_crt_get_activation_time;
  __typeof__ (gnutls_x509_crt_get_expiration_time)      *x509_crt_get_expiration_time;
  __typeof__ (gnutls_x509_crt_get_extension_by_oid2)    *x509_crt_get_extension_by_oid2;
  __typeof__ (gnutls_subject_alt_names_init)            *subject_alt_names_init;
  __typeof__ (gnutls_subject_alt_names_deinit)          *subject_alt_names_deinit;
  __typeof__ (gnutls_subject_alt_names_get)             *subject_alt_names_get;
  __typeof__ (gnutls_x509_ext_import_subject_alt_names) *x509_ext_import_subject_alt_names;
  /* Making the Local Test Server's certificate (postaci-throwaway-certificate.c) */
  __typeof__ (gnutls_rnd)                            *rnd;
  __typeof__ (gnutls_x509_privkey_init)              *x509_privkey_init;
  __typeof__ (gnutls_x509_privkey_deinit)            *x509_privkey_deinit;
  __typeof__ (gnutls_x509_privkey_generate)          *x509_privkey_generate;
  __typeof__ (gnutls_x509_privkey_export2_pkcs8)     *x509_privkey_export2_pkcs8;
  __typeof__ (gnutls_x509_crt_set_version)           *x509_crt_set_version;
  __typeof__ (gnutls_x509_crt_set_serial)            *x509_crt_set_serial;
  __typeof__ (gnutls_x509_crt_set_activation_time)   *x509_crt_set_activation_time;
  __typeof__ (gnutls_x509_crt_set_expiration_time)   *x509_crt_set_expiration_time;
  __typeof__ (gnutls_x509_crt_set_dn_by_oid)         *x509_crt_set_dn_by_oid;
  __typeof__ (gnutls_x509_crt_set_subject_alt_name)  *x509_crt_set_subject_alt_name;
  __typeof__ (gnutls_x509_crt_set_key)               *x509_crt_set_key;
  __typeof__ (gnutls_x509_crt_set_basic_constraints) *x509_crt_set_basic_constraints;
  __typeof__ (gnutls_x509_crt_set_key_usage)         *x509_crt_set_key_usage;
  __typeof__ (gnutls_x509_crt_set_key_purpose_oid)   *x509_crt_set_key_purpose_oid;
  __typeof__ (gnutls_x509_crt_get_key_id)            *x509_crt_get_key_id;
  __typeof__ (gnutls_x509_crt_set_subject_key_id)    *x509_crt_set_subject_key_id;
  __typeof__ (gnutls_x509_crt_sign2)                 *x509_crt_sign2;
  __typeof__ (gnutls_x509_crt_export2)               *x509_crt_export2;
} PostaciGnutls;

/* Opens GnuTLS once per process; later calls return the same table. NULL when it cannot be
 * opened, with an error that names the library and the system's reason
 * (G_IO_ERROR_NOT_FOUND). */
const PostaciGnutls *postaci_gnutls_open (GError **error);

/* Holds GnuTLS open before GIO's TLS backend is first used. GIO loads glib-networking to learn
 * what it implements, unloads it and loads it again for the first connection; with GnuTLS held
 * here, GnuTLS and the libraries it needs are loaded once instead of twice. A GnuTLS that cannot
 * be opened is left to glib-networking to report. */
void postaci_gnutls_hold (void);

/* Frees memory that GnuTLS allocated (a datum's data); NULL is allowed. */
void postaci_gnutls_free (gpointer data);

G_END_DECLS
