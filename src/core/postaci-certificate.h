/* SPDX-License-Identifier: GPL-3.0-or-later */
/* postaci-certificate.h — what a person needs to know about a server certificate. */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

typedef struct {
  char       *subject;      /* distinguished name, RFC 4514 form */
  char       *issuer;
  GDateTime  *not_before;
  GDateTime  *not_after;
  GStrv       names;        /* DNS and IP subject alternative names (or the CN when none) */
  char       *sha256;       /* fingerprint, AA:BB:… */
  gboolean    self_signed;  /* subject equals issuer */
} PostaciCertificateInfo;

/* Never NULL. Reads what it can: on a certificate GnuTLS cannot parse, only
 * sha256 is set and names is an empty vector; any other field may be NULL.
 * Text fields are safe to show: control and bidi-format characters are
 * escaped as \xNN / \uNNNN. */
PostaciCertificateInfo *postaci_certificate_info_new  (GTlsCertificate        *certificate);
/* The same from raw DER bytes (what a TLS peer sent; used by tests and fuzzing). */
PostaciCertificateInfo *postaci_certificate_info_new_from_der (const guint8   *der,
                                                               gsize           length);
void                    postaci_certificate_info_free (PostaciCertificateInfo *info);

/* One translated sentence per failed check, naming the details a person can
 * act on: the names on the certificate for a mismatch, the date for an
 * expired one, "self-signed" vs "unknown authority". @host is what we dialled. */
GStrv postaci_certificate_describe_errors (GTlsCertificateFlags          errors,
                                           const PostaciCertificateInfo *info,
                                           const char                   *host);

/* The first problem of @errors in a few words, to finish a sentence: "the certificate has
 * expired". Returns: (transfer full): never NULL. */
char *postaci_certificate_describe_flag (GTlsCertificateFlags errors);

/* What is wrong with the certificate for the verdict, in plain words, one sentence per problem
 * of @errors; @hint (optional) gets what to try first. These three functions read one table in
 * postaci-certificate.c: each problem is worded in one place. Returns: (transfer full): never
 * NULL. */
char *postaci_certificate_explain       (GTlsCertificateFlags errors,
                                         char               **hint);

/* The trust anchors of @ca_file (PEM), parsed once per process and shared; parsed again only
 * when the file changed (another inode, size or time of change). */
GTlsDatabase *postaci_certificate_load_database (const char          *ca_file,
                                                 GError             **error);

/* A TLS client connection over @base that checks the peer against @ca_file alone when it is
 * given (not NULL or empty), otherwise against the system's trust store. */
GIOStream    *postaci_certificate_new_client    (GIOStream           *base,
                                                 GSocketConnectable  *identity,
                                                 const char          *ca_file,
                                                 GError             **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (PostaciCertificateInfo, postaci_certificate_info_free)

G_END_DECLS
