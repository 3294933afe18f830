/* SPDX-License-Identifier: GPL-3.0-or-later */
/* postaci-stage-bar.h — the row of SMTP stages that shows which one is under way, passed or failed. */
#pragma once

#include <gtk/gtk.h>

#include "postaci-event.h"
#include "postaci-outcome.h"

G_BEGIN_DECLS

#define POSTACI_TYPE_STAGE_BAR (postaci_stage_bar_get_type ())
G_DECLARE_FINAL_TYPE (PostaciStageBar, postaci_stage_bar, POSTACI, STAGE_BAR, GtkWidget)

GtkWidget  *postaci_stage_bar_new        (void);
/* Every stage back to "pending", as before a run. */
void        postaci_stage_bar_reset      (PostaciStageBar    *self);
void        postaci_stage_bar_set_status (PostaciStageBar    *self,
                                          PostaciStage        stage,
                                          PostaciStageStatus  status);
/* Ends a run: a stage still marked running becomes failed (the run stopped inside it), or
 * cancelled for POSTACI_VERDICT_CANCELLED, as does @stage, the one the run was stopped in. */
void        postaci_stage_bar_finish     (PostaciStageBar    *self,
                                          PostaciVerdict      verdict,
                                          PostaciStage        stage);
/* TLS right after Connect (implicit TLS), or in its place after EHLO (STARTTLS). */
void        postaci_stage_bar_set_tls_first (PostaciStageBar *self,
                                             gboolean         tls_first);
/* Where @stage is shown, from 0 (left). */
guint       postaci_stage_bar_get_position (PostaciStageBar  *self,
                                            PostaciStage      stage);
/* "pending", "running", "passed", "failed", "skipped" or "cancelled": also its CSS class. */
const char *postaci_stage_bar_get_state  (PostaciStageBar    *self,
                                          PostaciStage        stage);

G_END_DECLS
