/* SPDX-License-Identifier: GPL-3.0-or-later */
/* postaci-probe.h — one look at one SMTP endpoint: connect, greeting, EHLO, TLS, EHLO again, QUIT.
 *
 * A probe never sends credentials, MAIL or anything but EHLO, STARTTLS and QUIT. It accepts any
 * certificate so that it can show what the server offers after TLS, and records whether the
 * certificate would have passed verification. */
#pragma once

#include <gio/gio.h>

#include "postaci-certificate.h"
#include "postaci-types.h"

G_BEGIN_DECLS

/* How the probe begins talking. */
typedef enum {
  POSTACI_PROBE_START_PLAIN, /* wait for a plain-text greeting; STARTTLS when offered */
  POSTACI_PROBE_START_TLS,   /* TLS from the first byte (RFC 8314 implicit TLS) */
} PostaciProbeStart;

typedef enum {
  POSTACI_PROBE_OK,          /* greeted with 220 and answered EHLO (again after TLS) */
  POSTACI_PROBE_NOT_FOUND,   /* the host name does not resolve */
  POSTACI_PROBE_UNREACHABLE, /* refused, unreachable, or no connection within the deadline */
  POSTACI_PROBE_SILENT,      /* connected, but neither a greeting nor a TLS handshake came */
  POSTACI_PROBE_TLS_FAILED,  /* the TLS handshake failed */
  POSTACI_PROBE_REJECTED,    /* the server turned us away: greeting, EHLO or STARTTLS refused */
  POSTACI_PROBE_BROKEN,      /* broken replies, a close or a timeout midway, injected bytes */
} PostaciProbeStatus;

/* The classic confusions between implicit TLS and plain text on one port. */
typedef enum {
  POSTACI_PROBE_MISMATCH_NONE,
  POSTACI_PROBE_MISMATCH_SILENT_UNTIL_TLS, /* probed in plain text: silent, but TLS worked */
  POSTACI_PROBE_MISMATCH_PLAIN_TO_TLS,     /* probed with TLS: the server answered plain text */
} PostaciProbeMismatch;

typedef struct {
  char                   *host;
  guint16                 port;
  PostaciProbeStart       start;
  PostaciProbeStatus      status;
  char                   *error;                /* one translated sentence; NULL when OK */
  PostaciProbeMismatch    mismatch;
  char                   *address;              /* the address connected to, or NULL */
  gint64                  connect_ms;           /* -1 when not connected */
  gint64                  total_ms;
  char                   *banner;               /* the greeting's text, escaped */
  guint                   greeting_code;        /* 0 when none came */
  gboolean                implicit_tls;         /* TLS from the first byte */
  gboolean                starttls_offered;     /* EHLO in plain text listed STARTTLS */
  gboolean                tls;                  /* a TLS handshake completed */
  char                   *tls_version;          /* "TLS 1.3"… or NULL */
  GTlsCertificateFlags    certificate_errors;   /* for the name probed; 0 when valid */
  PostaciCertificateInfo *certificate;          /* NULL without TLS */
  GStrv                   certificate_problems; /* translated sentences, empty when valid */
  GStrv                   capabilities_before;  /* EHLO lines in plain text; NULL if none */
  GStrv                   capabilities_after;   /* EHLO lines inside TLS; NULL if none */
  GStrv                   auth_before;          /* AUTH mechanisms, upper case; NULL if none */
  GStrv                   auth_after;
  gint64                  size;                 /* SIZE limit: -1 not announced, 0 none */
  char                   *transcript;           /* "C: …", "S: …" and "* …" lines, escaped */
} PostaciProbeResult;

void                postaci_probe_result_free (PostaciProbeResult *result);
/* What the endpoint speaks: TLS (implicit), STARTTLS (offered in plain text) or NONE. */
PostaciSecurity     postaci_probe_result_get_security (const PostaciProbeResult *result);
/* TRUE when TLS is up and the certificate verified for the host name. */
gboolean            postaci_probe_result_get_tls_valid (const PostaciProbeResult *result);
/* The AUTH mechanisms that count: those after TLS when TLS is up, otherwise those before. */
GStrv               postaci_probe_result_get_auth (const PostaciProbeResult *result);
const char         *postaci_probe_status_to_string (PostaciProbeStatus status);

/* Probes @host:@port on a PostaciSmtpLink. Each step (connect, handshake, every reply) has
 * @step_timeout_ms, rounded up to whole seconds.
 * @ca_file (NULL: the system's authorities) verifies certificates. The result comes back even
 * when the endpoint failed (its status says how); only cancellation is an error. */
void                postaci_probe_run_async  (const char          *host,
                                              guint16              port,
                                              PostaciProbeStart    start,
                                              guint                step_timeout_ms,
                                              const char          *ca_file,
                                              GCancellable        *cancellable,
                                              GAsyncReadyCallback  callback,
                                              gpointer             user_data);
PostaciProbeResult *postaci_probe_run_finish (GAsyncResult        *result,
                                              GError             **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (PostaciProbeResult, postaci_probe_result_free)

G_END_DECLS
