/* SPDX-License-Identifier: GPL-3.0-or-later */
/* postaci-outcome.h — how a run ended: the verdict, where, why, and what to try. */
#pragma once

#include <glib-object.h>

#include "postaci-reply.h"
#include "postaci-types.h"

G_BEGIN_DECLS

typedef enum {
  POSTACI_VERDICT_SUCCESS,   /* the run reached its goal (delivery accepted, or the stop-after stage) */
  POSTACI_VERDICT_REFUSED,   /* a 4xx/5xx reply ended the run */
  POSTACI_VERDICT_NETWORK,   /* DNS, refused connection, reset, closed */
  POSTACI_VERDICT_TLS,       /* handshake or certificate failure */
  POSTACI_VERDICT_PROTOCOL,  /* the server broke SMTP, or a rule that protects the user */
  POSTACI_VERDICT_TIMEOUT,   /* a deadline passed */
  POSTACI_VERDICT_CANCELLED, /* the person stopped the run */
  POSTACI_VERDICT_USAGE,     /* bad input: nothing was sent */
  POSTACI_VERDICT_PARTIAL,   /* the goal was reached, but the server refused some recipients */
} PostaciVerdict;

/* Exit statuses of postaci-cli, documented in README.md. Numbers, not names: no GEnum type. */
typedef enum /*< skip >*/ {
  POSTACI_EXIT_SUCCESS = 0,
  POSTACI_EXIT_REFUSED = 1,
  POSTACI_EXIT_USAGE = 2,
  POSTACI_EXIT_FAILURE = 3,
  POSTACI_EXIT_TIMEOUT = 4,
  POSTACI_EXIT_PARTIAL = 5,
  POSTACI_EXIT_CANCELLED = 130,
} PostaciExitStatus;

/* How a verdict reads at a glance: the colour of its card, of the Result line and of a report.
 * A cancel and a partial delivery are neither a success nor a failure. */
typedef enum /*< skip >*/ {
  POSTACI_VERDICT_TONE_SUCCESS,
  POSTACI_VERDICT_TONE_WARNING,
  POSTACI_VERDICT_TONE_FAILURE,
} PostaciVerdictTone;

typedef struct {
  PostaciVerdict  verdict;
  PostaciStage    stage;          /* the failing stage, or the last one reached */
  PostaciReply   *reply;          /* the last reply, may be NULL */
  PostaciCommand  command;        /* what that reply answered */
  char           *reason;         /* the headline: what happened and where, in our words */
  char           *explanation;    /* the meaning: the catalog's reading of the reply or error */
  char           *hint;           /* what to try; NULL on success without advice */
  char           *detail;         /* the system's own words (glib-networking's English…); may
                                   * be NULL. For a "Details" line, never as the headline. */
  guint           recipients_accepted;
  guint           recipients_refused;
  GStrv           refused_recipients; /* the refused addresses as typed, in order; NULL: none */
  gint64          stage_ms[POSTACI_N_STAGES]; /* time spent in each stage; -1: not reached */
  gint64          total_ms;
  gboolean        tls_used;
  gint64          certificate_not_after; /* Unix time the server's certificate runs out; 0: none seen */
  gboolean        authenticated;
  GQuark          error_domain;   /* of the error that ended the run; 0 on success */
  gint            error_code;
} PostaciOutcome;

#define POSTACI_TYPE_OUTCOME (postaci_outcome_get_type ())

GType            postaci_outcome_get_type  (void) G_GNUC_CONST;
PostaciOutcome  *postaci_outcome_new       (void);
PostaciOutcome  *postaci_outcome_copy      (const PostaciOutcome *outcome);
void             postaci_outcome_free      (PostaciOutcome       *outcome);
PostaciExitStatus postaci_outcome_get_exit_status (const PostaciOutcome *outcome);
const char      *postaci_verdict_to_string (PostaciVerdict        verdict);
PostaciVerdictTone postaci_verdict_get_tone (PostaciVerdict       verdict);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (PostaciOutcome, postaci_outcome_free)

G_END_DECLS
