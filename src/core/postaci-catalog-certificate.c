/* SPDX-License-Identifier: GPL-3.0-or-later */
/* postaci-catalog-certificate.c — what is wrong with a server's certificate, from the
 * verification flags, and what to try. */
#define G_LOG_DOMAIN "postaci-catalog"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "postaci-catalog-private.h"

typedef struct {
  GTlsCertificateFlags flag;
  const char          *problem;
  const char          *hint;
} CertificateProblem;

/* In the order of what to fix first: a name mismatch means the wrong server or name. */
static const CertificateProblem certificate_problems[] = {
  { G_TLS_CERTIFICATE_BAD_IDENTITY,
    N_("The certificate was issued for another name than the server name you entered."),
    N_("Enter the server name exactly as it appears on the certificate (the names are listed in "
       "the transcript), not an IP address or an alias.") },
  { G_TLS_CERTIFICATE_EXPIRED,
    N_("The certificate has expired."),
    N_("The server's administrator must renew the certificate. If the date looks wrong, check "
       "the clock of this computer.") },
  { G_TLS_CERTIFICATE_NOT_ACTIVATED,
    N_("The certificate is not valid yet: its start date is in the future."),
    N_("Check the date and time of this computer; otherwise the server's administrator installed "
       "a certificate too early.") },
  { G_TLS_CERTIFICATE_UNKNOWN_CA,
    N_("The certificate is not signed by an authority that this computer trusts: it is "
       "self-signed, comes from a private certificate authority, or the server does not send the "
       "intermediate certificate."),
    N_("If the server uses a private certificate authority, choose its file in “Trusted CA file” "
       "(--ca-file in the terminal). If the server is public, its administrator must send the full "
       "certificate chain. Turn on “Accept an invalid certificate” (--insecure) only if you know "
       "that the certificate belongs to your server.") },
  { G_TLS_CERTIFICATE_REVOKED,
    N_("The certificate has been revoked by its issuer."),
    N_("Do not trust this connection; tell the server's administrator, who must install a new "
       "certificate.") },
  { G_TLS_CERTIFICATE_INSECURE,
    N_("The certificate uses an algorithm that is no longer considered safe."),
    N_("The server's administrator must replace the certificate with one that uses a modern "
       "algorithm.") },
  { G_TLS_CERTIFICATE_GENERIC_ERROR,
    N_("The certificate could not be checked because of an error in it."),
    N_("Tell the server's administrator; the certificate may be damaged or badly formed.") },
};

char *
postaci_catalog_explain_certificate (GTlsCertificateFlags errors, char **hint)
{
  GString *out = g_string_new (NULL);
  const char *first_hint = NULL;

  for (gsize i = 0; i < G_N_ELEMENTS (certificate_problems); i++)
    if ((errors & certificate_problems[i].flag) != 0)
      {
        _postaci_catalog_append_sentence (out, T (certificate_problems[i].problem));
        if (first_hint == NULL)
          first_hint = T (certificate_problems[i].hint);
      }
  if (out->len == 0)
    _postaci_catalog_append_sentence (out,
                                      _("The server's certificate did not pass verification."));
  if (hint != NULL)
    *hint = g_strdup (first_hint != NULL
                      ? first_hint
                      : _("Turn on “Accept an invalid certificate” (--insecure) only if you know "
                          "that this certificate belongs to your server; otherwise ask its "
                          "administrator."));
  return g_string_free (out, FALSE);
}
