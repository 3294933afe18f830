/* SPDX-License-Identifier: GPL-3.0-or-later */
/* postaci-transcript.h — events and outcomes as plain text, ANSI colour or JSON Lines. */
#pragma once

#include <glib.h>

#include "postaci-event.h"
#include "postaci-outcome.h"
#include "postaci-verdict.h"

G_BEGIN_DECLS

typedef enum {
  POSTACI_TRANSCRIPT_TEXT,  /* plain text, as saved to a file */
  POSTACI_TRANSCRIPT_ANSI,  /* plain text with terminal colours */
  POSTACI_TRANSCRIPT_JSONL, /* one JSON object per line */
} PostaciTranscriptFormat;

/* Each returns complete lines ending in "\n" (an empty string for an event the format leaves out). */
char *postaci_transcript_format_event   (const PostaciEvent     *event,
                                         PostaciTranscriptFormat format);
char *postaci_transcript_format_outcome (const PostaciOutcome   *outcome,
                                         PostaciTranscriptFormat format);
/* A whole run, as "Save transcript" writes it. */
char *postaci_transcript_format_run     (GPtrArray              *events,
                                         const PostaciOutcome   *outcome,
                                         PostaciTranscriptFormat format);
G_END_DECLS
