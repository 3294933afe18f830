/* postaci-session.h — one SMTP run on the main loop: connect, talk, report, finish. */
#pragma once

#include <gio/gio.h>

#include "postaci-event.h"
#include "postaci-outcome.h"
#include "postaci-request.h"

G_BEGIN_DECLS

#define POSTACI_SESSION_ERROR (postaci_session_error_quark ())

typedef enum {
  POSTACI_SESSION_ERROR_TIMEOUT,              /* no reply within the deadline */
  POSTACI_SESSION_ERROR_REFUSED,              /* a 4xx/5xx reply ended the run */
  POSTACI_SESSION_ERROR_STARTTLS_UNAVAILABLE, /* security starttls, server does not offer it */
  POSTACI_SESSION_ERROR_STARTTLS_INJECTION,   /* bytes were buffered after the 220 to STARTTLS */
  POSTACI_SESSION_ERROR_PLAINTEXT_AUTH,       /* PLAIN/LOGIN would cross an unencrypted link */
  POSTACI_SESSION_ERROR_AUTH_UNAVAILABLE,     /* no usable mechanism, or AUTH not offered */
  POSTACI_SESSION_ERROR_SASL,                 /* the SASL exchange broke on our side */
  POSTACI_SESSION_ERROR_SMTPUTF8_UNAVAILABLE, /* an address needs SMTPUTF8, the server lacks it */
  POSTACI_SESSION_ERROR_TOO_LARGE,            /* the message exceeds the server's SIZE */
  POSTACI_SESSION_ERROR_NO_RECIPIENTS,        /* every recipient was refused */
  POSTACI_SESSION_ERROR_PROTOCOL,             /* an impossible reply (e.g. 354 to EHLO) */
  POSTACI_SESSION_ERROR_CERTIFICATE,          /* the certificate failed verification */
  POSTACI_SESSION_ERROR_NO_GREETING,          /* connected, not a byte before the deadline */
} PostaciSessionError;

#define POSTACI_TYPE_SESSION (postaci_session_get_type ())
G_DECLARE_FINAL_TYPE (PostaciSession, postaci_session, POSTACI, SESSION, GObject)

GQuark           postaci_session_error_quark (void);
PostaciSession  *postaci_session_new         (const PostaciRequest *request);
const PostaciRequest *postaci_session_get_request (PostaciSession *self);
void             postaci_session_set_pinned_certificate (PostaciSession  *self,
                                                         GTlsCertificate *certificate);
gboolean         postaci_session_prepare     (PostaciSession       *self,
                                              GError              **error);
void             postaci_session_run_async   (PostaciSession       *self,
                                              GCancellable         *cancellable,
                                              GAsyncReadyCallback   callback,
                                              gpointer              user_data);
PostaciOutcome  *postaci_session_run_finish  (PostaciSession       *self,
                                              GAsyncResult         *result);
GPtrArray       *postaci_session_get_events  (PostaciSession       *self);

G_END_DECLS
