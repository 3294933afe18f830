/* postaci-stage-bar.h — the row of SMTP stages that shows which one is under way, passed or failed. */
#pragma once

#include <gtk/gtk.h>

#include "postaci-event.h"

G_BEGIN_DECLS

#define POSTACI_TYPE_STAGE_BAR (postaci_stage_bar_get_type ())
G_DECLARE_FINAL_TYPE (PostaciStageBar, postaci_stage_bar, POSTACI, STAGE_BAR, GtkWidget)

GtkWidget  *postaci_stage_bar_new        (void);
/* Every stage back to "pending", as before a run. */
void        postaci_stage_bar_reset      (PostaciStageBar    *self);
void        postaci_stage_bar_set_status (PostaciStageBar    *self,
                                          PostaciStage        stage,
                                          PostaciStageStatus  status);
/* Ends a run: a stage still marked running becomes failed (the run stopped inside it). */
void        postaci_stage_bar_finish     (PostaciStageBar    *self);
/* "pending", "running", "passed", "failed" or "skipped": also the stage's CSS class. */
const char *postaci_stage_bar_get_state  (PostaciStageBar    *self,
                                          PostaciStage        stage);

G_END_DECLS
