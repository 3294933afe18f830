/* SPDX-License-Identifier: GPL-3.0-or-later */
/* postaci-event.h — one thing that happened during a run, already safe to show. */
#pragma once

#include <glib-object.h>

#include "postaci-reply.h"
#include "postaci-types.h"

G_BEGIN_DECLS

typedef enum {
  POSTACI_EVENT_STAGE,    /* a stage began, passed, failed or was skipped */
  POSTACI_EVENT_CLIENT,   /* a line we sent (credentials already redacted) */
  POSTACI_EVENT_SERVER,   /* a line the server sent; the last line of a reply carries it parsed */
  POSTACI_EVENT_TLS,      /* a fact about the TLS link or the certificate */
  POSTACI_EVENT_INFO,     /* what the session is doing: resolving, connecting, streaming */
  POSTACI_EVENT_WARNING,  /* allowed, but a person should know (no STARTTLS offered…) */
  POSTACI_EVENT_ERROR,    /* what ended the run */
} PostaciEventKind;

typedef enum {
  POSTACI_STAGE_STATUS_STARTED,
  POSTACI_STAGE_STATUS_PASSED,
  POSTACI_STAGE_STATUS_FAILED,
  POSTACI_STAGE_STATUS_SKIPPED,
  POSTACI_STAGE_STATUS_CANCELLED, /* the person stopped the run during this stage */
} PostaciStageStatus;

typedef struct {
  gint64              elapsed_ms;   /* since the run started */
  PostaciEventKind    kind;
  PostaciStage        stage;        /* the stage under way */
  PostaciStageStatus  stage_status; /* for POSTACI_EVENT_STAGE */
  char               *text;         /* printable: control bytes escaped, secrets redacted */
  PostaciReply       *reply;        /* the whole reply, on its last SERVER line */
  PostaciCommand      command;      /* what the reply answers */
  char               *explanation;  /* translated, with the reply */
  char               *hint;         /* translated, with a failing reply; may be NULL */
  char               *detail;       /* the system's own words (often English), for "Details"; may be NULL */
} PostaciEvent;

#define POSTACI_TYPE_EVENT (postaci_event_get_type ())

GType         postaci_event_get_type   (void) G_GNUC_CONST;
PostaciEvent *postaci_event_new        (PostaciEventKind    kind,
                                        PostaciStage        stage,
                                        const char         *text);
PostaciEvent *postaci_event_copy       (const PostaciEvent *event);
void          postaci_event_free       (PostaciEvent       *event);
const char   *postaci_event_kind_to_string  (PostaciEventKind   kind);
const char   *postaci_stage_status_to_string (PostaciStageStatus status);
char         *postaci_escape_text      (const char         *bytes,
                                        gssize              length);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (PostaciEvent, postaci_event_free)

G_END_DECLS
