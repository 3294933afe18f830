/* SPDX-License-Identifier: GPL-3.0-or-later */
/* postaci-errors.h — the error domain of a run, shared by the link, the session and the catalog.
 *
 * A leaf: it includes nothing of Postacı, so the catalog can explain these errors without
 * including the session (which includes the catalog). */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define POSTACI_SESSION_ERROR (postaci_session_error_quark ())

/* What ended a run, when it was not a GIO, TLS or resolver error of its own. The link
 * (PostaciSmtpLink) returns TIMEOUT, NO_GREETING, STARTTLS_INJECTION, PROTOCOL and
 * CERTIFICATE; the rest come from the protocol (PostaciSession). */
typedef enum {
  POSTACI_SESSION_ERROR_TIMEOUT,              /* no reply within the deadline */
  POSTACI_SESSION_ERROR_REFUSED,              /* a 4xx/5xx reply ended the run */
  POSTACI_SESSION_ERROR_STARTTLS_UNAVAILABLE, /* security starttls, server does not offer it */
  POSTACI_SESSION_ERROR_STARTTLS_INJECTION,   /* bytes were buffered after the 220 to STARTTLS */
  POSTACI_SESSION_ERROR_PLAINTEXT_AUTH,       /* AUTH would cross an unencrypted link */
  POSTACI_SESSION_ERROR_AUTH_UNAVAILABLE,     /* no usable mechanism, or AUTH not offered */
  POSTACI_SESSION_ERROR_SASL,                 /* the SASL exchange broke on our side */
  POSTACI_SESSION_ERROR_SMTPUTF8_UNAVAILABLE, /* an address needs SMTPUTF8, the server lacks it */
  POSTACI_SESSION_ERROR_TOO_LARGE,            /* the message exceeds the server's SIZE */
  POSTACI_SESSION_ERROR_NO_RECIPIENTS,        /* every recipient was refused */
  POSTACI_SESSION_ERROR_PROTOCOL,             /* an impossible reply, or lines nobody asked for */
  POSTACI_SESSION_ERROR_CERTIFICATE,          /* the certificate failed verification */
  POSTACI_SESSION_ERROR_NO_GREETING,          /* connected, not a byte before the deadline */
} PostaciSessionError;

GQuark postaci_session_error_quark (void);

G_END_DECLS
