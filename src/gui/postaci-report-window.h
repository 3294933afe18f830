/* SPDX-License-Identifier: GPL-3.0-or-later */
/* postaci-report-window.h — a saved report, reopened read-only: stages, transcript, verdict. */
#pragma once

#include <adwaita.h>

#include "postaci-report-reader.h"

G_BEGIN_DECLS

#define POSTACI_TYPE_REPORT_WINDOW (postaci_report_window_get_type ())
G_DECLARE_FINAL_TYPE (PostaciReportWindow, postaci_report_window, POSTACI, REPORT_WINDOW,
                      AdwWindow)

/* Shows @contents (taken) as they were when the report was saved; @file_name is what the
 * header says under the report's title. */
PostaciReportWindow *postaci_report_window_new          (GtkWindow             *parent,
                                                         PostaciReportContents *contents,
                                                         const char            *file_name);
/* The report shown. (transfer none) */
const PostaciReportContents *postaci_report_window_get_contents (PostaciReportWindow *self);

G_END_DECLS
