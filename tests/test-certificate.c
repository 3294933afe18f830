/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-certificate.c — certificate details and plain-words errors, on the committed test certs. */
#define G_LOG_DOMAIN "postaci-test-certificate"

#include "config.h"

#include <string.h>
#include <gio/gio.h>
#include <gnutls/gnutls.h>
#include <gnutls/x509.h>

#include "postaci-certificate.h"

#define CERTS TEST_SRCDIR "/certs/"

static GTlsCertificate *
load_cert (const char *name)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *pem = g_strconcat (CERTS, name, ".pem", NULL);
  GTlsCertificate *cert = g_tls_certificate_new_from_file (pem, &error);

  g_assert_no_error (error);
  g_assert_nonnull (cert);
  return cert;
}

static PostaciCertificateInfo *
load_info (const char *name)
{
  g_autoptr(GTlsCertificate) cert = load_cert (name);

  return postaci_certificate_info_new (cert);
}

/* What GIO (glib-networking) says about the certificate, trusting only our test CA. */
static GTlsCertificateFlags
verify (const char *name,
        const char *host)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GTlsDatabase) db = g_tls_file_database_new (CERTS "ca.pem", &error);
  g_autoptr(GTlsCertificate) cert = load_cert (name);
  g_autoptr(GSocketConnectable) identity = g_network_address_new (host, 25);
  GTlsCertificateFlags flags;

  g_assert_no_error (error);
  flags = g_tls_database_verify_chain (db, cert, G_TLS_DATABASE_PURPOSE_AUTHENTICATE_SERVER,
                                       identity, NULL, G_TLS_DATABASE_VERIFY_NONE, NULL, &error);
  g_assert_no_error (error);
  return flags;
}

/* The SHA-256 of the DER inside the PEM file, computed without GIO or our code. */
static char *
independent_fingerprint (const char *name)
{
  g_autofree char *path = g_strconcat (CERTS, name, ".pem", NULL);
  g_autofree char *contents = NULL;
  g_autoptr(GError) error = NULL;
  gnutls_datum_t pem, der = { NULL, 0 };
  unsigned char digest[32];
  size_t digest_size = sizeof digest;
  GString *out = g_string_new (NULL);
  gsize len = 0;
  gsize i;

  g_file_get_contents (path, &contents, &len, &error);
  g_assert_no_error (error);
  pem.data = (unsigned char *) contents;
  pem.size = (unsigned int) len;
  g_assert_cmpint (gnutls_pem_base64_decode2 ("CERTIFICATE", &pem, &der), ==, 0);
  g_assert_cmpint (gnutls_fingerprint (GNUTLS_DIG_SHA256, &der, digest, &digest_size), ==, 0);
  gnutls_free (der.data);
  for (i = 0; i < digest_size; i++)
    g_string_append_printf (out, i == 0 ? "%02X" : ":%02X", digest[i]);
  return g_string_free (out, FALSE);
}

static void
assert_strv (GStrv                actual,
             const char * const  *expected)
{
  guint i;

  g_assert_nonnull (actual);
  for (i = 0; expected[i] != NULL; i++)
    {
      g_assert_nonnull (actual[i]);
      g_assert_cmpstr (actual[i], ==, expected[i]);
    }
  g_assert_null (actual[i]);
}

static void
assert_date (GDateTime *date,
             int        year,
             int        month,
             int        day)
{
  g_assert_nonnull (date);
  g_assert_cmpint (g_date_time_get_utc_offset (date), ==, 0);
  g_assert_cmpint (g_date_time_get_year (date), ==, year);
  g_assert_cmpint (g_date_time_get_month (date), ==, month);
  g_assert_cmpint (g_date_time_get_day_of_month (date), ==, day);
}

static void
assert_fingerprint_format (const char *fp)
{
  guint i;

  g_assert_nonnull (fp);
  g_assert_cmpuint (strlen (fp), ==, 95);
  for (i = 0; i < 95; i++)
    {
      if (i % 3 == 2)
        g_assert_cmpint (fp[i], ==, ':');
      else
        g_assert_true (g_ascii_isxdigit (fp[i]) && !g_ascii_islower (fp[i]));
    }
}

static void
test_server (void)
{
  g_autoptr(PostaciCertificateInfo) info = load_info ("server");
  g_autofree char *fp = independent_fingerprint ("server");
  const char *names[] = { "localhost", "127.0.0.1", "::1", NULL };

  /* RFC 4514 puts the most specific RDN first. */
  g_assert_cmpstr (info->subject, ==, "CN=localhost,O=Postaci");
  g_assert_cmpstr (info->issuer, ==, "CN=Postaci Test CA,O=Postaci");
  assert_strv (info->names, names);
  assert_date (info->not_before, 2024, 1, 1);
  assert_date (info->not_after, 2099, 12, 31);
  g_assert_cmpint (g_date_time_get_hour (info->not_after), ==, 23);
  g_assert_cmpint (g_date_time_get_minute (info->not_after), ==, 59);
  assert_fingerprint_format (info->sha256);
  g_assert_cmpstr (info->sha256, ==, fp);
  g_assert_false (info->self_signed);
}

static void
test_ca (void)
{
  g_autoptr(PostaciCertificateInfo) info = load_info ("ca");
  const char *names[] = { "Postaci Test CA", NULL };

  g_assert_cmpstr (info->subject, ==, "CN=Postaci Test CA,O=Postaci");
  g_assert_cmpstr (info->issuer, ==, info->subject);
  /* No subject alternative names: the CN stands in. */
  assert_strv (info->names, names);
  g_assert_true (info->self_signed);
}

static void
test_names (void)
{
  g_autoptr(PostaciCertificateInfo) wrong = load_info ("wrong-name");
  g_autoptr(PostaciCertificateInfo) ip = load_info ("ip-no-san");
  const char *wrong_names[] = { "wrong.example.test", NULL };
  /* The CN 127.0.0.1 does not count when a DNS name is present (RFC 6125 §6.4.4). */
  const char *ip_names[] = { "localhost", NULL };

  assert_strv (wrong->names, wrong_names);
  g_assert_cmpstr (wrong->subject, ==, "CN=wrong.example.test,O=Postaci");
  assert_strv (ip->names, ip_names);
  g_assert_cmpstr (ip->subject, ==, "CN=127.0.0.1,O=Postaci");
}

static void
test_dates (void)
{
  g_autoptr(PostaciCertificateInfo) expired = load_info ("expired");
  g_autoptr(PostaciCertificateInfo) future = load_info ("future");

  assert_date (expired->not_before, 2001, 1, 1);
  assert_date (expired->not_after, 2002, 1, 1);
  assert_date (future->not_before, 2090, 1, 1);
  assert_date (future->not_after, 2099, 1, 1);
}

static void
test_self_signed (void)
{
  g_autoptr(PostaciCertificateInfo) self = load_info ("self-signed");
  g_autoptr(PostaciCertificateInfo) unknown = load_info ("unknown-ca");
  const char *names[] = { "localhost", "127.0.0.1", "::1", NULL };

  g_assert_true (self->self_signed);
  g_assert_cmpstr (self->subject, ==, "CN=localhost,O=Postaci");
  g_assert_cmpstr (self->issuer, ==, "CN=localhost,O=Postaci");
  assert_strv (self->names, names);

  g_assert_false (unknown->self_signed);
  g_assert_cmpstr (unknown->issuer, ==, "CN=Unknown Test CA,O=Unknown");
}

static void
test_garbage (void)
{
  static const guint8 junk[] = { 0x30, 0x82, 0xff, 0xff, 0x01, 0x02, 0x03, 0x00, 0xde, 0xad };
  g_autoptr(GTlsCertificate) cert = load_cert ("server");
  g_autoptr(GByteArray) der = NULL;
  g_autoptr(PostaciCertificateInfo) empty = postaci_certificate_info_new_from_der (NULL, 0);
  g_autoptr(PostaciCertificateInfo) bad = postaci_certificate_info_new_from_der (junk, sizeof junk);
  g_autoptr(PostaciCertificateInfo) cut = NULL;
  g_auto(GStrv) sentences = NULL;
  gsize i;

  g_assert_null (empty->subject);
  g_assert_null (empty->sha256);
  g_assert_nonnull (empty->names);
  g_assert_null (empty->names[0]);

  g_assert_null (bad->subject);
  g_assert_null (bad->issuer);
  g_assert_null (bad->not_before);
  g_assert_null (bad->not_after);
  g_assert_null (bad->names[0]);
  g_assert_false (bad->self_signed);
  /* The fingerprint is of the bytes, parseable or not (value from coreutils sha256sum). */
  g_assert_cmpstr (bad->sha256, ==,
                   "9D:6D:2F:46:89:35:03:9E:27:78:90:E9:75:64:C2:D1:"
                   "2D:96:97:49:94:32:F5:4F:46:AC:25:DE:07:14:2B:88");

  /* Every truncation of a real certificate: whatever is read must be complete or absent. */
  g_object_get (cert, "certificate", &der, NULL);
  g_assert_nonnull (der);
  for (i = 0; i < der->len; i++)
    {
      g_clear_pointer (&cut, postaci_certificate_info_free);
      cut = postaci_certificate_info_new_from_der (der->data, i);
      g_assert_null (cut->subject);
      g_assert_nonnull (cut->names);
      assert_fingerprint_format (cut->sha256);
    }

  /* Sentences still come out, without the details the certificate could not give. */
  sentences = postaci_certificate_describe_errors (G_TLS_CERTIFICATE_UNKNOWN_CA |
                                                   G_TLS_CERTIFICATE_BAD_IDENTITY |
                                                   G_TLS_CERTIFICATE_EXPIRED,
                                                   bad, "mail.example.com");
  g_assert_cmpuint (g_strv_length (sentences), ==, 3);
  g_assert_cmpstr (sentences[0], ==,
                   "The certificate was issued by an authority this computer does not trust. "
                   "Possibly the server does not send a missing intermediate certificate, or it "
                   "uses a private authority: then choose that authority's certificate in "
                   "“Trusted CA file”.");
  g_assert_cmpstr (sentences[1], ==,
                   "The certificate names no server at all, so it is not valid for "
                   "mail.example.com. Ask the server's administrator for a certificate that "
                   "includes this name.");
  g_assert_cmpstr (sentences[2], ==,
                   "The certificate has expired. The server's administrator must renew it; also "
                   "check that this computer's date and time are right.");
}

/* Each committed certificate, verified for real, yields exactly the sentence a person reads. */
static void
check_verdict (const char           *name,
               const char           *host,
               GTlsCertificateFlags  expected_flags,
               const char           *expected_sentence)
{
  g_autoptr(PostaciCertificateInfo) info = load_info (name);
  GTlsCertificateFlags flags = verify (name, host);
  g_auto(GStrv) sentences = NULL;

  g_test_message ("%s for %s: flags 0x%x", name, host, flags);
  g_assert_cmpint (flags, ==, expected_flags);
  sentences = postaci_certificate_describe_errors (flags, info, host);
  g_assert_nonnull (sentences);
  if (expected_sentence == NULL)
    {
      g_assert_null (sentences[0]);
      return;
    }
  g_assert_cmpstr (sentences[0], ==, expected_sentence);
  g_assert_null (sentences[1]);
}

static void
test_describe_verified (void)
{
  check_verdict ("server", "localhost", 0, NULL);
  check_verdict ("server", "127.0.0.1", 0, NULL);
  check_verdict ("server", "::1", 0, NULL);
  check_verdict ("wrong-name", "localhost", G_TLS_CERTIFICATE_BAD_IDENTITY,
                 "The certificate was issued for wrong.example.test, not for localhost. Connect "
                 "using one of the names on the certificate, or ask the server's administrator for "
                 "a certificate that includes this name.");
  check_verdict ("ip-no-san", "127.0.0.1", G_TLS_CERTIFICATE_BAD_IDENTITY,
                 "The certificate was issued for localhost, not for 127.0.0.1. Connect using one "
                 "of the names on the certificate, or ask the server's administrator for a "
                 "certificate that includes this name.");
  check_verdict ("expired", "localhost", G_TLS_CERTIFICATE_EXPIRED,
                 "The certificate expired on 2002-01-01. The server's administrator must renew "
                 "it; also check that this computer's date and time are right.");
  check_verdict ("future", "localhost", G_TLS_CERTIFICATE_NOT_ACTIVATED,
                 "The certificate is not valid until 2090-01-01. Check that this computer's date "
                 "and time are right; if they are, the server's administrator installed a "
                 "certificate that is not yet valid.");
  check_verdict ("self-signed", "localhost", G_TLS_CERTIFICATE_UNKNOWN_CA,
                 "The certificate is self-signed: the server vouches for itself and no authority "
                 "this computer trusts has confirmed it. If you know this server uses its own "
                 "certificate, choose that certificate in “Trusted CA file”, or turn on “Accept "
                 "an invalid certificate”.");
  check_verdict ("unknown-ca", "localhost", G_TLS_CERTIFICATE_UNKNOWN_CA,
                 "The certificate was issued by an authority this computer does not trust "
                 "(issuer CN=Unknown Test CA,O=Unknown). Possibly the server does not send a "
                 "missing intermediate certificate, or it uses a private authority: then choose "
                 "that authority's certificate in “Trusted CA file”.");
}

static void
test_describe_every_flag (void)
{
  g_autoptr(PostaciCertificateInfo) info = load_info ("server");
  g_auto(GStrv) none = postaci_certificate_describe_errors (0, info, "mail.example.com");
  g_auto(GStrv) all = postaci_certificate_describe_errors (G_TLS_CERTIFICATE_VALIDATE_ALL, info,
                                                           "mail.example.com");
  g_auto(GStrv) newer =
    postaci_certificate_describe_errors (G_TLS_CERTIFICATE_GENERIC_ERROR | (1 << 9), NULL, NULL);

  g_assert_nonnull (none);
  g_assert_null (none[0]);

  /* One sentence per bit, in a fixed order. */
  g_assert_cmpuint (g_strv_length (all), ==, 7);
  g_assert_true (g_str_has_prefix (all[0], "The certificate was issued by an authority this "
                                           "computer does not trust (issuer CN=Postaci Test "
                                           "CA,O=Postaci)."));
  g_assert_true (g_str_has_prefix (all[1], "The certificate was issued for localhost, 127.0.0.1, "
                                           "::1, not for mail.example.com."));
  g_assert_true (g_str_has_prefix (all[2], "The certificate is not valid until 2024-01-01."));
  g_assert_true (g_str_has_prefix (all[3], "The certificate expired on 2099-12-31."));
  g_assert_cmpstr (all[4], ==,
                   "The certificate has been revoked by the authority that issued it and must not "
                   "be trusted. The server's administrator must install a new certificate.");
  g_assert_cmpstr (all[5], ==,
                   "The certificate uses an insecure algorithm (a weak signature or a key that is "
                   "too short), so it cannot be trusted. The server's administrator must replace "
                   "it.");
  g_assert_cmpstr (all[6], ==,
                   "The certificate could not be checked because of an unexpected error while "
                   "verifying it.");

  /* A bit GLib may add later is not dropped, nor reported twice. */
  g_assert_cmpuint (g_strv_length (newer), ==, 1);
  g_assert_cmpstr (newer[0], ==, all[6]);
}

/* The three wordings of a problem come from one table: each flag alone gets its phrase, one
 * transcript sentence and one verdict sentence with a hint, and a bit newer than the table is
 * worded as the generic failure by all three. */
static void
test_one_table (void)
{
  static const GTlsCertificateFlags flags[] = {
    G_TLS_CERTIFICATE_BAD_IDENTITY, G_TLS_CERTIFICATE_EXPIRED, G_TLS_CERTIFICATE_NOT_ACTIVATED,
    G_TLS_CERTIFICATE_UNKNOWN_CA,   G_TLS_CERTIFICATE_REVOKED, G_TLS_CERTIFICATE_INSECURE,
    G_TLS_CERTIFICATE_GENERIC_ERROR,
  };
  g_autoptr(GHashTable) phrases = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autofree char *newer_phrase = postaci_certificate_describe_flag (1 << 9);
  g_autofree char *generic_phrase = postaci_certificate_describe_flag (G_TLS_CERTIFICATE_GENERIC_ERROR);
  g_autofree char *newer_hint = NULL;
  g_autofree char *generic_hint = NULL;
  g_autofree char *newer = postaci_certificate_explain (1 << 9, &newer_hint);
  g_autofree char *generic = postaci_certificate_explain (G_TLS_CERTIFICATE_GENERIC_ERROR,
                                                          &generic_hint);
  g_autofree char *two = postaci_certificate_explain (G_TLS_CERTIFICATE_UNKNOWN_CA |
                                                      G_TLS_CERTIFICATE_BAD_IDENTITY, NULL);

  for (gsize i = 0; i < G_N_ELEMENTS (flags); i++)
    {
      g_auto(GStrv) sentences = postaci_certificate_describe_errors (flags[i], NULL, NULL);
      g_autofree char *hint = NULL;
      g_autofree char *verdict = postaci_certificate_explain (flags[i], &hint);
      char *phrase = postaci_certificate_describe_flag (flags[i]);

      g_assert_cmpuint (g_strv_length (sentences), ==, 1);
      g_assert_true (g_str_has_prefix (verdict, "The certificate"));
      g_assert_nonnull (hint);
      g_assert_true (g_str_has_prefix (phrase, "the certificate "));
      /* Each flag has a phrase of its own. */
      g_assert_true (g_hash_table_add (phrases, phrase));
    }

  g_assert_cmpstr (newer_phrase, ==, generic_phrase);
  g_assert_cmpstr (newer, ==, generic);
  g_assert_cmpstr (newer_hint, ==, generic_hint);
  /* Two problems: two sentences, the name mismatch first. */
  g_assert_true (g_str_has_prefix (two, "The certificate was issued for another name"));
  g_assert_nonnull (strstr (two, " The certificate is not signed by an authority"));
}

static void
test_describe_without_info (void)
{
  g_auto(GStrv) s = postaci_certificate_describe_errors (G_TLS_CERTIFICATE_BAD_IDENTITY |
                                                         G_TLS_CERTIFICATE_NOT_ACTIVATED,
                                                         NULL, NULL);

  g_assert_cmpuint (g_strv_length (s), ==, 2);
  g_assert_cmpstr (s[0], ==, "The certificate is not valid for the server name you connected to.");
  g_assert_cmpstr (s[1], ==,
                   "The certificate is not valid yet. Check that this computer's date and time are "
                   "right.");
}

/* Appends one DER TLV; lengths up to 65535 are all a test certificate needs. */
static void
der_append (GByteArray   *out,
            guint8        tag,
            const guint8 *data,
            gsize         len)
{
  guint8 head[4] = { tag, 0, 0, 0 };
  guint head_len;

  g_assert_cmpuint (len, <=, 0xffff);
  if (len < 0x80)
    {
      head[1] = (guint8) len;
      head_len = 2;
    }
  else if (len <= 0xff)
    {
      head[1] = 0x81;
      head[2] = (guint8) len;
      head_len = 3;
    }
  else
    {
      head[1] = 0x82;
      head[2] = (guint8) (len >> 8);
      head[3] = (guint8) (len & 0xff);
      head_len = 4;
    }
  g_byte_array_append (out, head, head_len);
  g_byte_array_append (out, data, (guint) len);
}

/* A certificate made here, signed by the test CA, with whatever names a hostile server chose. */
static GBytes *
make_der (const char         *dn,
          const char * const *dns_names)
{
  g_autofree char *ca_pem = NULL;
  g_autofree char *key_pem = NULL;
  gsize ca_len = 0, key_len = 0;
  gnutls_x509_crt_t ca, crt;
  gnutls_x509_privkey_t key;
  gnutls_datum_t datum, out = { NULL, 0 };
  const char *err = NULL;
  unsigned char serial = 9;
  GBytes *bytes;
  guint i;

  g_assert_true (g_file_get_contents (CERTS "ca.pem", &ca_pem, &ca_len, NULL));
  g_assert_true (g_file_get_contents (CERTS "ca.key", &key_pem, &key_len, NULL));
  g_assert_cmpint (gnutls_x509_crt_init (&ca), ==, 0);
  g_assert_cmpint (gnutls_x509_privkey_init (&key), ==, 0);
  datum.data = (unsigned char *) ca_pem;
  datum.size = (unsigned int) ca_len;
  g_assert_cmpint (gnutls_x509_crt_import (ca, &datum, GNUTLS_X509_FMT_PEM), ==, 0);
  datum.data = (unsigned char *) key_pem;
  datum.size = (unsigned int) key_len;
  g_assert_cmpint (gnutls_x509_privkey_import (key, &datum, GNUTLS_X509_FMT_PEM), ==, 0);

  g_assert_cmpint (gnutls_x509_crt_init (&crt), ==, 0);
  g_assert_cmpint (gnutls_x509_crt_set_version (crt, 3), ==, 0);
  g_assert_cmpint (gnutls_x509_crt_set_serial (crt, &serial, 1), ==, 0);
  g_assert_cmpint (gnutls_x509_crt_set_activation_time (crt, 1704067200), ==, 0); /* 2024-01-01 */
  g_assert_cmpint (gnutls_x509_crt_set_expiration_time (crt, 4102444800), ==, 0); /* 2100-01-01 */
  g_assert_cmpint (gnutls_x509_crt_set_dn (crt, dn, &err), ==, 0);
  if (dns_names != NULL)
    {
      /* Encoded by hand: GnuTLS rightly refuses to write names a hostile server would use. */
      g_autoptr(GByteArray) seq = g_byte_array_new ();
      g_autoptr(GByteArray) ext = g_byte_array_new ();

      for (i = 0; dns_names[i] != NULL; i++)
        der_append (seq, 0x82, (const guint8 *) dns_names[i], strlen (dns_names[i]));
      der_append (ext, 0x30, seq->data, seq->len);
      g_assert_cmpint (gnutls_x509_crt_set_extension_by_oid (crt, "2.5.29.17", ext->data, ext->len,
                                                             0), ==, 0);
    }
  g_assert_cmpint (gnutls_x509_crt_set_key (crt, key), ==, 0);
  g_assert_cmpint (gnutls_x509_crt_sign2 (crt, ca, key, GNUTLS_DIG_SHA256, 0), ==, 0);
  g_assert_cmpint (gnutls_x509_crt_export2 (crt, GNUTLS_X509_FMT_DER, &out), ==, 0);

  bytes = g_bytes_new (out.data, out.size);
  gnutls_free (out.data);
  gnutls_x509_crt_deinit (crt);
  gnutls_x509_crt_deinit (ca);
  gnutls_x509_privkey_deinit (key);
  return bytes;
}

static PostaciCertificateInfo *
info_from_bytes (GBytes *bytes)
{
  gsize len = 0;
  const guint8 *data = g_bytes_get_data (bytes, &len);

  return postaci_certificate_info_new_from_der (data, len);
}

static void
test_hostile_names (void)
{
  /* A line break and a right-to-left override would let a server forge text on screen. */
  const char *names[] = { "evil\n.example", "moc.\xe2\x80\xae" "example", NULL };
  g_autoptr(GBytes) der = make_der ("CN=x\x1b[31mred,O=Postaci", names);
  g_autoptr(PostaciCertificateInfo) info = info_from_bytes (der);
  const char *expected[] = { "evil\\x0a.example", "moc.\\u202Eexample", NULL };
  g_auto(GStrv) s = postaci_certificate_describe_errors (G_TLS_CERTIFICATE_BAD_IDENTITY, info,
                                                         "bad\rhost");

  assert_strv (info->names, expected);
  /* An ANSI escape in the DN would recolour a terminal transcript. */
  g_assert_cmpstr (info->subject, ==, "CN=x\\x1b[31mred,O=Postaci");
  g_assert_cmpstr (s[0], ==,
                   "The certificate was issued for evil\\x0a.example, moc.\\u202Eexample, not for "
                   "bad\\x0dhost. Connect using one of the names on the certificate, or ask the "
                   "server's administrator for a certificate that includes this name.");
}

static void
test_many_names (void)
{
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GBytes) der = NULL;
  g_autoptr(PostaciCertificateInfo) info = NULL;
  g_auto(GStrv) s = NULL;
  guint i;

  for (i = 0; i < 14; i++)
    g_ptr_array_add (names, g_strdup_printf ("h%u.example", i));
  g_ptr_array_add (names, NULL);
  der = make_der ("CN=h0.example", (const char * const *) names->pdata);
  info = info_from_bytes (der);
  g_assert_cmpuint (g_strv_length (info->names), ==, 14);
  g_assert_cmpstr (info->names[13], ==, "h13.example");
  g_assert_false (info->self_signed);

  /* All names stay in the info; the sentence lists ten and counts the rest. */
  s = postaci_certificate_describe_errors (G_TLS_CERTIFICATE_BAD_IDENTITY, info, "mail.example");
  g_assert_true (g_str_has_prefix (s[0],
                                   "The certificate was issued for h0.example, h1.example, "
                                   "h2.example, h3.example, h4.example, h5.example, h6.example, "
                                   "h7.example, h8.example, h9.example (and 4 more), not for "
                                   "mail.example."));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/postaci/certificate/server", test_server);
  g_test_add_func ("/postaci/certificate/ca", test_ca);
  g_test_add_func ("/postaci/certificate/names", test_names);
  g_test_add_func ("/postaci/certificate/dates", test_dates);
  g_test_add_func ("/postaci/certificate/self-signed", test_self_signed);
  g_test_add_func ("/postaci/certificate/garbage", test_garbage);
  g_test_add_func ("/postaci/certificate/describe-verified", test_describe_verified);
  g_test_add_func ("/postaci/certificate/describe-every-flag", test_describe_every_flag);
  g_test_add_func ("/postaci/certificate/describe-without-info", test_describe_without_info);
  g_test_add_func ("/postaci/certificate/one-table", test_one_table);
  g_test_add_func ("/postaci/certificate/hostile-names", test_hostile_names);
  g_test_add_func ("/postaci/certificate/many-names", test_many_names);

  return g_test_run ();
}
