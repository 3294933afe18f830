/* SPDX-License-Identifier: GPL-3.0-or-later */
/* postaci-report-reader.h — a saved report read back: its title, its run's events and outcome. */
#pragma once

#include <glib.h>

#include "postaci-outcome.h"

G_BEGIN_DECLS

#define POSTACI_REPORT_ERROR (postaci_report_error_quark ())

/* Where an HTML report keeps its run for the window to reopen: a data block that browsers
 * neither run nor show, its JSON escaped as XML text so the document stays well-formed. */
#define POSTACI_REPORT_RUN_OPEN  "<script type=\"application/x-ndjson\" id=\"postaci-run\">"
#define POSTACI_REPORT_RUN_CLOSE "</script>"

typedef enum {
  POSTACI_REPORT_ERROR_NOT_A_REPORT, /* no run data: not a Postacı report, or a changed one */
  POSTACI_REPORT_ERROR_DAMAGED,      /* the run data is there but does not parse */
} PostaciReportError;

typedef struct {
  char           *title;   /* the report's heading, as it was written */
  GPtrArray      *events;  /* PostaciEvent, in the order they happened */
  PostaciOutcome *outcome; /* NULL: the run had not ended when the report was made */
} PostaciReportContents;

GQuark                 postaci_report_error_quark    (void);

/* Reads the run that postaci_report_format() embedded in an HTML report (the JSON Lines of
 * postaci_transcript_format_run(), in a data block that no browser runs). Returns NULL with
 * POSTACI_REPORT_ERROR_NOT_A_REPORT when @data has none, _DAMAGED when it does not parse. */
PostaciReportContents *postaci_report_read           (const char            *data,
                                                      gsize                  length,
                                                      GError               **error);
void                   postaci_report_contents_free  (PostaciReportContents *contents);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (PostaciReportContents, postaci_report_contents_free)

G_END_DECLS
