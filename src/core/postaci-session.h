/* SPDX-License-Identifier: GPL-3.0-or-later */
/* postaci-session.h — one SMTP run on the main loop: connect, talk, report, finish. */
#pragma once

#include <gio/gio.h>

#include "postaci-errors.h"
#include "postaci-event.h"
#include "postaci-outcome.h"
#include "postaci-request.h"

G_BEGIN_DECLS

#define POSTACI_TYPE_SESSION (postaci_session_get_type ())
G_DECLARE_FINAL_TYPE (PostaciSession, postaci_session, POSTACI, SESSION, GObject)

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
