/* SPDX-License-Identifier: GPL-3.0-or-later */
/* postaci-certificate.c — read a server certificate and say in plain words why it failed. */
#define G_LOG_DOMAIN "postaci-certificate"

#include "config.h"

#include <string.h>
#include <sys/stat.h>
#include <glib/gi18n-lib.h>
#include "postaci-certificate.h"
#include "postaci-gnutls.h"

/* A certificate for a CDN can carry hundreds of names; a sentence should not. */
#define MAX_NAMES_IN_SENTENCE 10

#define OID_SUBJECT_ALT_NAME "2.5.29.17"

/* Certificate text comes from whoever runs the server. Escape what could fake
 * a line break or reorder the text on screen, keep every other character. */
static char *
sanitize_text (const char *data, gsize length)
{
  GString *out = g_string_sized_new (length);
  gsize    i = 0;

  while (i < length)
    {
      guchar   byte = (guchar) data[i];
      gunichar c;
      gsize    char_len;

      if (byte < 0x20 || byte == 0x7f)
        {
          g_string_append_printf (out, "\\x%02x", byte);
          i++;
          continue;
        }
      if (byte < 0x80)
        {
          g_string_append_c (out, (char) byte);
          i++;
          continue;
        }

      c = g_utf8_get_char_validated (data + i, (gssize) (length - i));
      if (c == (gunichar) -1 || c == (gunichar) -2)
        {
          g_string_append_printf (out, "\\x%02x", byte);
          i++;
          continue;
        }
      char_len = (gsize) (g_utf8_next_char (data + i) - (data + i));
      if (g_unichar_type (c) == G_UNICODE_CONTROL || g_unichar_type (c) == G_UNICODE_FORMAT)
        g_string_append_printf (out, "\\u%04X", c);
      else
        g_string_append_len (out, data + i, (gssize) char_len);
      i += char_len;
    }

  return g_string_free (out, FALSE);
}

static char *
format_fingerprint (const guint8 *der, gsize length)
{
  g_autoptr(GChecksum) checksum = g_checksum_new (G_CHECKSUM_SHA256);
  guint8   digest[32];
  gsize    digest_len = sizeof digest;
  GString *out = g_string_sized_new (sizeof digest * 3);
  gsize    i;

  g_checksum_update (checksum, der, (gssize) length);
  g_checksum_get_digest (checksum, digest, &digest_len);
  for (i = 0; i < digest_len; i++)
    g_string_append_printf (out, i == 0 ? "%02X" : ":%02X", digest[i]);
  return g_string_free (out, FALSE);
}

static char *
read_dn (const PostaciGnutls *gnutls, gnutls_x509_crt_t crt, gboolean issuer)
{
  gnutls_datum_t dn = { NULL, 0 };
  char          *text;
  int            ret;

  /* flags 0 gives the RFC 4514 order (most specific RDN first, "CN=…,O=…"). */
  if (issuer)
    ret = gnutls->x509_crt_get_issuer_dn3 (crt, &dn, 0);
  else
    ret = gnutls->x509_crt_get_dn3 (crt, &dn, 0);
  if (ret < 0)
    {
      g_debug ("cannot read the %s name: %s", issuer ? "issuer" : "subject",
               gnutls->strerror (ret));
      return NULL;
    }
  text = sanitize_text ((const char *) dn.data, dn.size);
  postaci_gnutls_free (dn.data);
  return text;
}

static GDateTime *
time_to_date (time_t t)
{
  if (t == (time_t) -1)
    return NULL;
  /* NULL when the year is beyond what GDateTime holds. */
  return g_date_time_new_from_unix_utc ((gint64) t);
}

static void
read_alt_names (const PostaciGnutls *gnutls, gnutls_x509_crt_t crt, GPtrArray *names)
{
  gnutls_datum_t             ext = { NULL, 0 };
  gnutls_subject_alt_names_t sans = NULL;
  unsigned int               critical = 0;
  unsigned int               seq;
  int                        ret;

  ret = gnutls->x509_crt_get_extension_by_oid2 (crt, OID_SUBJECT_ALT_NAME, 0, &ext, &critical);
  if (ret < 0)
    return;

  if (gnutls->subject_alt_names_init (&sans) < 0)
    goto out;
  ret = gnutls->x509_ext_import_subject_alt_names (&ext, sans, 0);
  if (ret < 0)
    {
      g_debug ("cannot parse the subject alternative names: %s", gnutls->strerror (ret));
      goto out;
    }

  for (seq = 0;; seq++)
    {
      gnutls_datum_t san = { NULL, 0 };
      unsigned int   type = 0;

      if (gnutls->subject_alt_names_get (sans, seq, &type, &san, NULL) < 0)
        break;

      if (type == GNUTLS_SAN_DNSNAME)
        {
          g_ptr_array_add (names, sanitize_text ((const char *) san.data, san.size));
        }
      else if (type == GNUTLS_SAN_IPADDRESS && (san.size == 4 || san.size == 16))
        {
          g_autoptr(GInetAddress) address = g_inet_address_new_from_bytes (
            san.data, san.size == 4 ? G_SOCKET_FAMILY_IPV4 : G_SOCKET_FAMILY_IPV6);
          g_ptr_array_add (names, g_inet_address_to_string (address));
        }
    }

out:
  if (sans != NULL)
    gnutls->subject_alt_names_deinit (sans);
  postaci_gnutls_free (ext.data);
}

/* RFC 6125 §6.4.4: the CN counts only when the certificate has no DNS or IP names. */
static void
read_common_names (const PostaciGnutls *gnutls, gnutls_x509_crt_t crt, GPtrArray *names)
{
  unsigned int idx;

  for (idx = 0;; idx++)
    {
      g_autofree char *buf = NULL;
      size_t           size = 0;
      int              ret;

      ret = gnutls->x509_crt_get_dn_by_oid (crt, GNUTLS_OID_X520_COMMON_NAME, idx, 0, NULL, &size);
      if (ret != GNUTLS_E_SHORT_MEMORY_BUFFER)
        break;
      buf = g_malloc0 (size + 1);
      ret = gnutls->x509_crt_get_dn_by_oid (crt, GNUTLS_OID_X520_COMMON_NAME, idx, 0, buf, &size);
      if (ret < 0)
        break;
      g_ptr_array_add (names, sanitize_text (buf, strnlen (buf, size)));
    }
}

PostaciCertificateInfo *
postaci_certificate_info_new_from_der (const guint8 *der, gsize length)
{
  PostaciCertificateInfo *info = g_new0 (PostaciCertificateInfo, 1);
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  const PostaciGnutls *gnutls = NULL;
  g_autoptr(GError) error = NULL;
  gnutls_x509_crt_t crt = NULL;
  gnutls_datum_t    datum;
  int               ret;

  g_return_val_if_fail (der != NULL || length == 0, info);

  if (der != NULL)
    info->sha256 = format_fingerprint (der, length);

  if (der == NULL || length == 0 || length > G_MAXUINT)
    goto out;
  /* Without GnuTLS, only the fingerprint: names and dates stay unknown, as for a certificate
   * that cannot be parsed. */
  gnutls = postaci_gnutls_open (&error);
  if (gnutls == NULL)
    {
      g_warning_once ("%s", error->message);
      goto out;
    }
  if (gnutls->x509_crt_init (&crt) < 0)
    goto out;

  datum.data = (unsigned char *) der;
  datum.size = (unsigned int) length;
  ret = gnutls->x509_crt_import (crt, &datum, GNUTLS_X509_FMT_DER);
  if (ret < 0)
    {
      g_debug ("cannot parse the certificate: %s", gnutls->strerror (ret));
      goto out;
    }

  info->subject = read_dn (gnutls, crt, FALSE);
  info->issuer = read_dn (gnutls, crt, TRUE);
  info->not_before = time_to_date (gnutls->x509_crt_get_activation_time (crt));
  info->not_after = time_to_date (gnutls->x509_crt_get_expiration_time (crt));

  read_alt_names (gnutls, crt, names);
  if (names->len == 0)
    read_common_names (gnutls, crt, names);

  /* An empty name on both sides says nothing about who signed it. */
  info->self_signed = info->subject != NULL && info->issuer != NULL && info->subject[0] != '\0' &&
                      g_str_equal (info->subject, info->issuer);

out:
  if (crt != NULL)
    gnutls->x509_crt_deinit (crt);
  g_ptr_array_add (names, NULL);
  info->names = (GStrv) g_ptr_array_steal (names, NULL);
  return info;
}

PostaciCertificateInfo *
postaci_certificate_info_new (GTlsCertificate *certificate)
{
  g_autoptr(GByteArray) der = NULL;

  g_return_val_if_fail (G_IS_TLS_CERTIFICATE (certificate), NULL);

  g_object_get (certificate, "certificate", &der, NULL);
  if (der == NULL)
    return postaci_certificate_info_new_from_der (NULL, 0);
  return postaci_certificate_info_new_from_der (der->data, der->len);
}

void
postaci_certificate_info_free (PostaciCertificateInfo *info)
{
  if (info == NULL)
    return;
  g_free (info->subject);
  g_free (info->issuer);
  g_clear_pointer (&info->not_before, g_date_time_unref);
  g_clear_pointer (&info->not_after, g_date_time_unref);
  g_strfreev (info->names);
  g_free (info->sha256);
  g_free (info);
}

static char *
format_day (GDateTime *date)
{
  return g_date_time_format (date, "%Y-%m-%d");
}

static char *
join_names (const char *const *names)
{
  guint    n = g_strv_length ((GStrv) names);
  GString *out = g_string_new (NULL);
  guint    i;

  for (i = 0; i < n && i < MAX_NAMES_IN_SENTENCE; i++)
    {
      if (i > 0)
        g_string_append (out, ", ");
      g_string_append (out, names[i]);
    }
  if (n > MAX_NAMES_IN_SENTENCE)
    {
      guint rest = n - MAX_NAMES_IN_SENTENCE;

      g_string_append (out, " ");
      /* Translators: follows a list of host names that was cut short; %u is how many were
       * left out. */
      g_string_append_printf (
        out, g_dngettext (GETTEXT_PACKAGE, "(and %u more)", "(and %u more)", rest), rest);
    }
  return g_string_free (out, FALSE);
}

static char *
describe_unknown_ca (const PostaciCertificateInfo *info, const char *host)
{
  if (info != NULL && info->self_signed)
    return g_strdup (
      _ ("The certificate is self-signed: the server vouches for itself and no "
         "authority this computer trusts has confirmed it. If you know this server "
         "uses its own certificate, choose that certificate in “Trusted CA file”, or "
         "turn on “Accept an invalid certificate”."));

  if (info != NULL && info->issuer != NULL && info->issuer[0] != '\0')
    /* Translators: %s is the issuer's distinguished name, e.g. "CN=Example CA,O=Example". */
    return g_strdup_printf (_ ("The certificate was issued by an authority this computer does not "
                               "trust (issuer %s). Possibly the server does not send a missing "
                               "intermediate certificate, or it uses a private authority: then "
                               "choose that authority's certificate in “Trusted CA file”."),
                            info->issuer);

  return g_strdup (_ ("The certificate was issued by an authority this computer does not trust. "
                      "Possibly the server does not send a missing intermediate certificate, or it "
                      "uses a private authority: then choose that authority's certificate in "
                      "“Trusted CA file”."));
}

static char *
describe_bad_identity (const PostaciCertificateInfo *info, const char *host)
{
  g_autofree char *safe_host = host != NULL ? sanitize_text (host, strlen (host)) : NULL;

  if (info != NULL && info->names != NULL && info->names[0] != NULL)
    {
      g_autofree char *names = join_names ((const char *const *) info->names);

      if (safe_host != NULL)
        /* Translators: the first %s is a list of host names separated by ", ", the second the
         * server name the user typed, e.g. "issued for mail.example.com, example.com, not for
         * smtp.example.com". */
        return g_strdup_printf (_ ("The certificate was issued for %s, not for %s. Connect using "
                                   "one of the names on the certificate, or ask the server's "
                                   "administrator for a certificate that includes this name."),
                                names, safe_host);

      /* Translators: %s is a list of host names separated by ", ". */
      return g_strdup_printf (_ ("The certificate was issued for %s, not for the server name you "
                                 "connected to."),
                              names);
    }

  if (safe_host != NULL)
    /* Translators: %s is the server name the user typed. */
    return g_strdup_printf (_ ("The certificate names no server at all, so it is not valid for %s. "
                               "Ask the server's administrator for a certificate that includes "
                               "this name."),
                            safe_host);

  return g_strdup (_ ("The certificate is not valid for the server name you connected to."));
}

static char *
describe_not_activated (const PostaciCertificateInfo *info, const char *host)
{
  if (info != NULL && info->not_before != NULL)
    {
      g_autofree char *day = format_day (info->not_before);

      /* Translators: %s is a date in the form YYYY-MM-DD. */
      return g_strdup_printf (
        _ ("The certificate is not valid until %s. Check that this computer's "
           "date and time are right; if they are, the server's administrator "
           "installed a certificate that is not yet valid."),
        day);
    }

  return g_strdup (_ ("The certificate is not valid yet. Check that this computer's date and time "
                      "are right."));
}

static char *
describe_expired (const PostaciCertificateInfo *info, const char *host)
{
  if (info != NULL && info->not_after != NULL)
    {
      g_autofree char *day = format_day (info->not_after);

      /* Translators: %s is a date in the form YYYY-MM-DD. */
      return g_strdup_printf (_ ("The certificate expired on %s. The server's administrator must "
                                 "renew it; also check that this computer's date and time are "
                                 "right."),
                              day);
    }

  return g_strdup (_ ("The certificate has expired. The server's administrator must renew it; also "
                      "check that this computer's date and time are right."));
}

/* Every wording of one verification problem, in one row: the short phrase that finishes a
 * sentence (postaci_certificate_describe_flag()), the verdict's explanation and what to try
 * (postaci_certificate_explain()), and the transcript's sentence, built from the certificate's
 * names and dates where they help (postaci_certificate_describe_errors()). The rows are in the
 * order of what to fix first: a name mismatch means the wrong server or name. The last row also
 * answers the bits newer than this code, reported like a generic failure rather than dropped. */
typedef struct
{
  GTlsCertificateFlags flag;
  const char          *phrase;
  const char          *problem;
  const char          *hint;
  const char          *sentence; /* the transcript's; NULL: describe() says it */
  char *(*describe) (const PostaciCertificateInfo *info, const char *host);
} CertificateProblem;

static const CertificateProblem certificate_problems[] = {
  { G_TLS_CERTIFICATE_BAD_IDENTITY, N_ ("the certificate is for another name"),
    N_ ("The certificate was issued for another name than the server name you entered."),
    N_ ("Enter the server name exactly as it appears on the certificate (the names are listed in "
        "the transcript), not an IP address or an alias."),
    NULL, describe_bad_identity },
  { G_TLS_CERTIFICATE_EXPIRED, N_ ("the certificate has expired"),
    N_ ("The certificate has expired."),
    N_ ("The server's administrator must renew the certificate. If the date looks wrong, check "
        "the clock of this computer."),
    NULL, describe_expired },
  { G_TLS_CERTIFICATE_NOT_ACTIVATED, N_ ("the certificate is not valid yet"),
    N_ ("The certificate is not valid yet: its start date is in the future."),
    N_ ("Check the date and time of this computer; otherwise the server's administrator installed "
        "a certificate too early."),
    NULL, describe_not_activated },
  { G_TLS_CERTIFICATE_UNKNOWN_CA, N_ ("the certificate is not signed by a trusted authority"),
    N_ ("The certificate is not signed by an authority that this computer trusts: it is "
        "self-signed, comes from a private certificate authority, or the server does not send the "
        "intermediate certificate."),
    N_ (
      "If the server uses a private certificate authority, choose its file in “Trusted CA file” "
      "(--ca-file in the terminal). If the server is public, its administrator must send the full "
      "certificate chain. Turn on “Accept an invalid certificate” (--insecure) only if you know "
      "that the certificate belongs to your server."),
    NULL, describe_unknown_ca },
  { G_TLS_CERTIFICATE_REVOKED, N_ ("the certificate has been revoked"),
    N_ ("The certificate has been revoked by its issuer."),
    N_ ("Do not trust this connection; tell the server's administrator, who must install a new "
        "certificate."),
    N_ ("The certificate has been revoked by the authority that issued it and must not be "
        "trusted. The server's administrator must install a new certificate."),
    NULL },
  { G_TLS_CERTIFICATE_INSECURE, N_ ("the certificate uses an insecure algorithm"),
    N_ ("The certificate uses an algorithm that is no longer considered safe."),
    N_ ("The server's administrator must replace the certificate with one that uses a modern "
        "algorithm."),
    N_ ("The certificate uses an insecure algorithm (a weak signature or a key that is too short), "
        "so it cannot be trusted. The server's administrator must replace it."),
    NULL },
  { G_TLS_CERTIFICATE_GENERIC_ERROR | ~G_TLS_CERTIFICATE_VALIDATE_ALL,
    N_ ("the certificate could not be verified"),
    N_ ("The certificate could not be checked because of an error in it."),
    N_ ("Tell the server's administrator; the certificate may be damaged or badly formed."),
    N_ ("The certificate could not be checked because of an unexpected error while verifying it."),
    NULL },
};

GStrv
postaci_certificate_describe_errors (GTlsCertificateFlags          errors,
                                     const PostaciCertificateInfo *info, const char *host)
{
  /* The transcript tells the story of the check: who vouches for the certificate first, then
   * for whom and for when it was issued; the table's rows, in that order. */
  static const guint transcript_order[] = { 3, 0, 2, 1, 4, 5, 6 };
  g_autoptr(GPtrArray) sentences = g_ptr_array_new_with_free_func (g_free);

  G_STATIC_ASSERT (G_N_ELEMENTS (transcript_order) == G_N_ELEMENTS (certificate_problems));
  for (gsize i = 0; i < G_N_ELEMENTS (transcript_order); i++)
    {
      const CertificateProblem *problem = &certificate_problems[transcript_order[i]];

      if ((errors & problem->flag) == 0)
        continue;
      if (problem->describe != NULL)
        g_ptr_array_add (sentences, problem->describe (info, host));
      else
        g_ptr_array_add (sentences, g_strdup (_ (problem->sentence)));
    }

  g_ptr_array_add (sentences, NULL);
  return (GStrv) g_ptr_array_steal (sentences, NULL);
}

char *
postaci_certificate_describe_flag (GTlsCertificateFlags errors)
{
  for (gsize i = 0; i < G_N_ELEMENTS (certificate_problems); i++)
    if ((errors & certificate_problems[i].flag) != 0)
      return g_strdup (_ (certificate_problems[i].phrase));
  /* The last row's phrase: nothing more precise is known. */
  return g_strdup (_ (certificate_problems[G_N_ELEMENTS (certificate_problems) - 1].phrase));
}

char *
postaci_certificate_explain (GTlsCertificateFlags errors, char **hint)
{
  GString    *out = g_string_new (NULL);
  const char *first_hint = NULL;

  for (gsize i = 0; i < G_N_ELEMENTS (certificate_problems); i++)
    if ((errors & certificate_problems[i].flag) != 0)
      {
        if (out->len > 0)
          g_string_append_c (out, ' ');
        g_string_append (out, _ (certificate_problems[i].problem));
        if (first_hint == NULL)
          first_hint = _ (certificate_problems[i].hint);
      }
  if (out->len == 0)
    g_string_append (out, _ ("The server's certificate did not pass verification."));
  if (hint != NULL)
    *hint =
      g_strdup (first_hint != NULL
                  ? first_hint
                  : _ ("Turn on “Accept an invalid certificate” (--insecure) only if you know "
                       "that this certificate belongs to your server; otherwise ask its "
                       "administrator."));
  return g_string_free (out, FALSE);
}

/* ------------------------------------------------------------------ */
/* Trust                                                               */

typedef struct
{
  GTlsDatabase   *database;
  dev_t           device;
  ino_t           inode;
  off_t           size;
  struct timespec changed;
} CachedDatabase;

static void
cached_database_free (gpointer data)
{
  CachedDatabase *cached = data;

  g_object_unref (cached->database);
  g_free (cached);
}

GTlsDatabase *
postaci_certificate_load_database (const char *ca_file, GError **error)
{
  static GMutex      lock;
  static GHashTable *cache; /* path → CachedDatabase; lives as long as the process */
  g_autoptr (GMutexLocker) locker = g_mutex_locker_new (&lock);
  CachedDatabase *cached;
  GTlsDatabase   *database;
  struct stat     st;

  g_return_val_if_fail (ca_file != NULL, NULL);

  if (cache == NULL)
    cache = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, cached_database_free);
  /* A failed stat() is left to the parser, which says what is wrong in its own words. */
  if (stat (ca_file, &st) == 0)
    {
      cached = g_hash_table_lookup (cache, ca_file);
      if (cached != NULL && cached->device == st.st_dev && cached->inode == st.st_ino &&
          cached->size == st.st_size && cached->changed.tv_sec == st.st_ctim.tv_sec &&
          cached->changed.tv_nsec == st.st_ctim.tv_nsec)
        return g_object_ref (cached->database);
    }

  postaci_gnutls_hold ();
  database = g_tls_file_database_new (ca_file, error);
  if (database == NULL)
    return NULL;
  if (stat (ca_file, &st) == 0)
    {
      cached = g_new0 (CachedDatabase, 1);
      cached->database = g_object_ref (database);
      cached->device = st.st_dev;
      cached->inode = st.st_ino;
      cached->size = st.st_size;
      cached->changed = st.st_ctim;
      g_hash_table_replace (cache, g_strdup (ca_file), cached);
    }
  return database;
}

GIOStream *
postaci_certificate_new_client (GIOStream *base, GSocketConnectable *identity, const char *ca_file,
                                GError **error)
{
  g_autoptr (GTlsDatabase) database = NULL;

  g_return_val_if_fail (G_IS_IO_STREAM (base), NULL);

  postaci_gnutls_hold ();
  if (ca_file == NULL || *ca_file == '\0')
    return g_tls_client_connection_new (base, identity, error);

  database = postaci_certificate_load_database (ca_file, error);
  if (database == NULL)
    return NULL;
  /* The database goes in at construction: set afterwards, the connection would already have
   * read the system's whole trust store (twice, with GnuTLS) while it initialised. */
  return g_initable_new (g_tls_backend_get_client_connection_type (g_tls_backend_get_default ()),
                         NULL, error, "base-io-stream", base, "server-identity", identity,
                         "database", database, NULL);
}
