/* SPDX-License-Identifier: GPL-3.0-or-later */
/* postaci-transcript-view.h — the live, colour-coded SMTP transcript. */
#pragma once

#include <gtk/gtk.h>

#include "postaci-event.h"
#include "postaci-outcome.h"

G_BEGIN_DECLS

#define POSTACI_TYPE_TRANSCRIPT_VIEW (postaci_transcript_view_get_type ())
G_DECLARE_FINAL_TYPE (PostaciTranscriptView, postaci_transcript_view, POSTACI, TRANSCRIPT_VIEW,
                      GtkTextView)

/*
 * Each line carries one tag that says what it is, named after the event:
 *   "client", "server-2xx", "server-3xx", "server-4xx", "server-5xx", "tls", "info",
 *   "stage", "warning", "error"; then "time" on its "[   12 ms]" column, "explanation" on
 *   the catalog's reading of a reply, "hint" on advice, and "verdict-success" or
 *   "verdict-failure" on the last line. Colours come from libadwaita's palette for the
 *   current light or dark style.
 *
 * The text is exactly what "Save transcript" writes (postaci_transcript_format_event()).
 * Lines go in at once while the main loop has time for them; a flood (a long run, a run
 * brought back by Undo) flows in over the next frames, in order, so the window keeps drawing.
 */

GtkWidget *postaci_transcript_view_new            (void);
void       postaci_transcript_view_clear          (PostaciTranscriptView *self);
void       postaci_transcript_view_append_event   (PostaciTranscriptView *self,
                                                   const PostaciEvent    *event);
void       postaci_transcript_view_append_outcome (PostaciTranscriptView *self,
                                                   const PostaciOutcome  *outcome);
/* Lines appended but not yet in the view: a long burst flows in over several frames. */
guint      postaci_transcript_view_get_n_pending  (PostaciTranscriptView *self);
/* Whether new lines scroll the view: TRUE unless the person scrolled up to read. */
gboolean   postaci_transcript_view_get_following  (PostaciTranscriptView *self);

G_END_DECLS
