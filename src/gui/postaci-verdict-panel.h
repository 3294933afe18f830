/* SPDX-License-Identifier: GPL-3.0-or-later */
/* postaci-verdict-panel.h — the card under the transcript that says how a run ended. */
#pragma once

#include <adwaita.h>

#include "postaci-outcome.h"

G_BEGIN_DECLS

#define POSTACI_TYPE_VERDICT_PANEL (postaci_verdict_panel_get_type ())
G_DECLARE_FINAL_TYPE (PostaciVerdictPanel, postaci_verdict_panel, POSTACI, VERDICT_PANEL, GtkWidget)

/*
 * The verdict of a run as a card: what happened at which stage, the server's reply, what it
 * means and what to try, coloured as success, failure or (cancelled) neither. With
 * @local_server_off the advice is to turn the Local Test Server on, with a button for the
 * window action "win.start-local-server".
 */
void     postaci_verdict_panel_show              (PostaciVerdictPanel  *self,
                                                  const PostaciOutcome *outcome,
                                                  gboolean              local_server_off);
/* Takes the card away (a new run, Clear, a form that did not validate). */
void     postaci_verdict_panel_hide              (PostaciVerdictPanel  *self);
gboolean postaci_verdict_panel_get_shown         (PostaciVerdictPanel  *self);
/* The Local Test Server runs again: its offer goes. */
void     postaci_verdict_panel_local_server_started (PostaciVerdictPanel *self);

G_END_DECLS
