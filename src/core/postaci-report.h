/* SPDX-License-Identifier: GPL-3.0-or-later */
/* postaci-report.h — a finished test as a document for a ticket: HTML or Markdown. */
#pragma once

#include <glib.h>

#include "postaci-outcome.h"
#include "postaci-request.h"

G_BEGIN_DECLS

typedef enum {
  POSTACI_REPORT_HTML,     /* one XHTML file: styles inline, no outside resources, nothing
                            * that runs; the run's events as a data block for Open Report */
  POSTACI_REPORT_MARKDOWN, /* for ticket systems that render Markdown */
} PostaciReportFormat;

/* The verdict, the settings used (never the password), the per-stage times, the TLS and
 * certificate facts, the whole transcript with its explanations, the program's version and
 * @when (NULL: now), in the language the program runs in. @events holds PostaciEvent
 * pointers; @outcome may be NULL for a run that has not ended. */
char *postaci_report_format (const PostaciRequest *request,
                             GPtrArray            *events,
                             const PostaciOutcome *outcome,
                             GDateTime            *when,
                             PostaciReportFormat   format);

gboolean postaci_report_format_from_string (const char          *str,
                                            PostaciReportFormat *out);

G_END_DECLS
