/* SPDX-License-Identifier: GPL-3.0-or-later */
/* postaci-window.h — the main window: the form, Test SMTP, the live transcript and the verdict. */
#pragma once

#include <adwaita.h>

#include "postaci-application.h"
#include "postaci-local-server.h"
#include "postaci-outcome.h"
#include "postaci-report.h"

G_BEGIN_DECLS

#define POSTACI_TYPE_WINDOW (postaci_window_get_type ())
G_DECLARE_FINAL_TYPE (PostaciWindow, postaci_window, POSTACI, WINDOW, AdwApplicationWindow)

/* A new window with the remembered form; on a first start (no server of one's own
 * remembered) it runs the Local Test Server and sets the form up for it. */
PostaciWindow        *postaci_window_new             (PostaciApplication *application);
/* The same, never set up for the Local Test Server: for postaci_window_prefill(). */
PostaciWindow        *postaci_window_new_for_options (PostaciApplication *application);

/*
 * Fills the form from postaci-cli's options, as a GVariantDict of the parsed values:
 * "server", "security", "user", "password", "auth", "from", "subject", "html", "ehlo",
 * "stop-after", "ca-file", "port", "timeout" (s); "to" (as); "insecure",
 * "allow-plain-auth" (b). Fields not in @options keep their value, unless the form was set
 * up for the Local Test Server: then its server, port, account and addresses give way to
 * the normal defaults. "profile" (s) names a saved server: the form takes all of it first
 * (and its remembered password, unless "password" is given), then the other options.
 * Never starts a run. Checks the values first and changes nothing when one is wrong
 * (G_OPTION_ERROR_BAD_VALUE; an unknown saved server too).
 */
gboolean              postaci_window_prefill         (PostaciWindow      *self,
                                                      GVariantDict       *options,
                                                      GError            **error);

/* (transfer none) The Local Test Server of the window, running or not. */
PostaciLocalServer   *postaci_window_get_local_server (PostaciWindow     *self);
/* (transfer none) Its page, built now if it has not been shown yet. */
GtkWidget            *postaci_window_get_local_server_page (PostaciWindow *self);

/* Whether the window is narrow enough to stack the form above the transcript. */
gboolean              postaci_window_get_narrow      (PostaciWindow      *self);
/* TRUE from Test SMTP until the run's outcome is shown. */
gboolean              postaci_window_is_running      (PostaciWindow      *self);
/* How the last run ended; NULL before the first one and after Clear. */
const PostaciOutcome *postaci_window_get_outcome     (PostaciWindow      *self);
/* The last run as "Save transcript" writes it: plain text, password redacted. */
char                 *postaci_window_get_transcript_text (PostaciWindow  *self);
/* Writes that text to @file in the background; a toast says where, or why it failed.
 * Save Transcript… calls it with the file the person chose. */
void                  postaci_window_save_transcript (PostaciWindow      *self,
                                                      GFile              *file);
/* The last run as a report for a ticket (postaci-report.c), in the window's language; NULL
 * before the first run. Copy Report puts both formats on the clipboard (text/html and
 * text/plain: Markdown). */
char                 *postaci_window_get_report      (PostaciWindow      *self,
                                                      PostaciReportFormat format);
/* Save Report… with the file the person chose: the HTML, a toast says where or why not. */
void                  postaci_window_save_report     (PostaciWindow      *self,
                                                      GFile              *file);
/* Open Report… with the file the person chose: a read-only PostaciReportWindow, or a toast
 * that says why the file cannot be shown. */
void                  postaci_window_open_report     (PostaciWindow      *self,
                                                      GFile              *file);

G_END_DECLS
