/* SPDX-License-Identifier: GPL-3.0-or-later */
/* postaci-nagios.h — postaci-cli as a monitoring plugin (--format nagios): one status line with
 * performance data, and the exit statuses of the Monitoring Plugins Development Guidelines. */
#pragma once

#include <glib.h>

#include "postaci-outcome.h"

G_BEGIN_DECLS

typedef enum {
  POSTACI_NAGIOS_OK = 0,
  POSTACI_NAGIOS_WARNING = 1,
  POSTACI_NAGIOS_CRITICAL = 2,
  POSTACI_NAGIOS_UNKNOWN = 3, /* bad usage, or the check could not be made */
} PostaciNagiosStatus;

typedef struct {
  gint64 warning_ms;         /* total time above it: WARNING; -1: no threshold */
  gint64 critical_ms;        /* total time above it: CRITICAL; -1: no threshold */
  gint   cert_warning_days;  /* fewer days of validity left: WARNING; -1: no threshold */
  gint   cert_critical_days; /* fewer days of validity left: CRITICAL; -1: no threshold */
} PostaciNagiosThresholds;

gboolean            postaci_nagios_parse_seconds (const char                    *text,
                                                  gint64                        *ms);
gboolean            postaci_nagios_parse_days    (const char                    *text,
                                                  gint                          *days);
PostaciNagiosStatus postaci_nagios_report        (const PostaciOutcome          *outcome,
                                                  const char                    *target,
                                                  PostaciStage                   last_stage,
                                                  const PostaciNagiosThresholds *thresholds,
                                                  GDateTime                     *now,
                                                  char                         **output);
char               *postaci_nagios_unknown       (const char                    *message);

G_END_DECLS
