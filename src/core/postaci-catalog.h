/* SPDX-License-Identifier: GPL-3.0-or-later */
/* postaci-catalog.h — plain-language explanations of replies and failures, in the run's language. */
#pragma once

#include <gio/gio.h>

#include "postaci-outcome.h"
#include "postaci-reply.h"
#include "postaci-types.h"
#include "postaci-verdict.h"

G_BEGIN_DECLS

/* What was going on when a failure that is not a reply happened. */
typedef struct {
  PostaciStage     stage;          /* where the run was */
  PostaciSecurity  security;       /* the effective security */
  guint            port;
  gboolean         received_any;   /* did the server send a single byte? */
  gboolean         tls_active;     /* was the link encrypted at that moment? */
  const char      *server;         /* as the person typed it */
  GTlsCertificateFlags certificate_errors; /* what verification found; 0 if unknown */
} PostaciFailureContext;

/**
 * postaci_catalog_explain_reply:
 * @reply: a complete reply
 * @command: the command it answers (%POSTACI_COMMAND_NONE for the greeting)
 * @hint: (out) (optional): for a failing reply, what to try; %NULL otherwise
 *
 * Returns: (transfer full): a translated explanation that combines the basic
 *   code, the enhanced code and the context; never %NULL.
 */
char *postaci_catalog_explain_reply (const PostaciReply          *reply,
                                     PostaciCommand               command,
                                     char                       **hint);

/**
 * postaci_catalog_explain_error:
 * @error: what ended the run (GIOError, GResolverError, GTlsError,
 *   PostaciSessionError, PostaciReplyError, PostaciLineReaderError…)
 * @hint: (out) (optional): what to try
 *
 * Returns: (transfer full): a translated explanation; never %NULL.
 */
char *postaci_catalog_explain_error (const GError                *error,
                                     const PostaciFailureContext *context,
                                     char                       **hint);

/* The same, with the system's own words (glib-networking's English, the address tried) in
 * @detail instead of a "Details: …" sentence at the end of the explanation: for front ends
 * that show them apart, under the explanation. */
char *postaci_catalog_explain_error_apart (const GError                *error,
                                           const PostaciFailureContext *context,
                                           char                       **hint,
                                           char                       **detail);

/* Whether a failed TLS handshake read plain text (a "220 " greeting) where TLS was expected.
 * glib-networking has no code of its own for it: GnuTLS's words are matched. */
gboolean postaci_catalog_is_plain_text_answer (const GError *error);

/* Explains the enhanced status code alone ("5.1.1": the mailbox does not exist). */
char *postaci_catalog_explain_enhanced (guint klass, guint subject, guint detail);

G_END_DECLS
