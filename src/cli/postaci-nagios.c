/* SPDX-License-Identifier: GPL-3.0-or-later */
/* postaci-nagios.c — the outcome of a run as a monitoring plugin reports it: a status line that
 * names what failed and why, performance data for every stage, and an exit status 0…3. */
#define G_LOG_DOMAIN "postaci-cli"

#include "config.h"

#include <math.h>
#include <glib/gi18n.h>

#include "postaci-nagios.h"

/* The status words stay English: monitoring systems and people's filters read them. */
static const char *const status_words[] = { "OK", "WARNING", "CRITICAL", "UNKNOWN" };

/* A whole day longer than ten years is a typing error, not a threshold. */
#define MAX_DAYS    3650
#define MAX_SECONDS 86400.0

/**
 * postaci_nagios_parse_seconds:
 * Seconds as people write them for a threshold: "2", "0.5" (a dot, whatever the locale).
 */
gboolean
postaci_nagios_parse_seconds (const char *text, gint64 *ms)
{
  char  *end = NULL;
  double seconds;

  if (text == NULL || *text == '\0' || g_ascii_isspace (*text) || *text == '-' || *text == '+')
    return FALSE;
  seconds = g_ascii_strtod (text, &end);
  if (end == NULL || *end != '\0' || !isfinite (seconds) || seconds < 0 || seconds > MAX_SECONDS)
    return FALSE;
  *ms = (gint64) (seconds * 1000 + 0.5);
  return TRUE;
}

gboolean
postaci_nagios_parse_days (const char *text, gint *days)
{
  guint64 value;

  if (text == NULL || !g_ascii_string_to_unsigned (text, 10, 0, MAX_DAYS, &value, NULL))
    return FALSE;
  *days = (gint) value;
  return TRUE;
}

/* Seconds with three decimals and a dot in every locale: 1234 → "1.234". */
static void
append_seconds (GString *out, gint64 ms)
{
  g_string_append_printf (out, "%" G_GINT64_FORMAT ".%03d", ms / 1000, (int) (ms % 1000));
}

static char *
format_seconds (gint64 ms)
{
  GString *out = g_string_new (NULL);

  append_seconds (out, ms);
  return g_string_free (out, FALSE);
}

/* Text in the status line: one line, and no '|', which starts the performance data. */
static void
append_plain (GString *out, const char *text)
{
  for (const char *p = text; *p != '\0'; p++)
    {
      if (*p == '|')
        g_string_append_c (out, '/');
      else if (*p == '\n' || *p == '\r' || *p == '\t')
        g_string_append_c (out, ' ');
      else
        g_string_append_c (out, *p);
    }
}

static void
raise_status (PostaciNagiosStatus *status, PostaciNagiosStatus to)
{
  if (to > *status)
    *status = to;
}

/* Whole days from @now until @until, rounded down: 23 hours left is 0 days. */
static gint64
days_left (GDateTime *until, GDateTime *now)
{
  gint64 seconds = g_date_time_to_unix (until) - g_date_time_to_unix (now);

  return seconds >= 0 ? seconds / 86400 : -((-seconds + 86399) / 86400);
}

static void
check_certificate (const PostaciOutcome *outcome, const PostaciNagiosThresholds *thresholds,
                   GDateTime *now, PostaciNagiosStatus *status, GPtrArray *problems, char **note)
{
  gboolean wanted = thresholds->cert_warning_days >= 0 || thresholds->cert_critical_days >= 0;
  g_autoptr(GDateTime) until = NULL;
  g_autofree char *date = NULL;
  gint64           days;

  if (outcome->certificate_not_after == 0)
    {
      /* Asked for, but the server presented none: what the check watches is missing. */
      if (wanted && outcome->verdict == POSTACI_VERDICT_SUCCESS)
        {
          raise_status (status, POSTACI_NAGIOS_CRITICAL);
          g_ptr_array_add (problems,
                           g_strdup (_ ("no certificate to check: the test used no TLS")));
        }
      return;
    }
  until = g_date_time_new_from_unix_utc (outcome->certificate_not_after);
  date = g_date_time_format (until, "%Y-%m-%d");
  days = days_left (until, now);
  if (days < 0)
    {
      raise_status (status, POSTACI_NAGIOS_CRITICAL);
      g_ptr_array_add (problems, g_strdup_printf (_ ("the certificate expired on %s"), date));
    }
  else if (thresholds->cert_critical_days >= 0 && days < thresholds->cert_critical_days)
    {
      raise_status (status, POSTACI_NAGIOS_CRITICAL);
      g_ptr_array_add (problems,
                       g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                                     "the certificate expires in %d day (%s), "
                                                     "fewer than the %d of --cert-critical",
                                                     "the certificate expires in %d days (%s), "
                                                     "fewer than the %d of --cert-critical",
                                                     (gulong) days),
                                        (int) days, date, thresholds->cert_critical_days));
    }
  else if (thresholds->cert_warning_days >= 0 && days < thresholds->cert_warning_days)
    {
      raise_status (status, POSTACI_NAGIOS_WARNING);
      g_ptr_array_add (problems,
                       g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                                     "the certificate expires in %d day (%s), "
                                                     "fewer than the %d of --cert-warning",
                                                     "the certificate expires in %d days (%s), "
                                                     "fewer than the %d of --cert-warning",
                                                     (gulong) days),
                                        (int) days, date, thresholds->cert_warning_days));
    }
  else
    *note =
      g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "certificate valid for %d more day, until %s",
                                    "certificate valid for %d more days, until %s", (gulong) days),
                       (int) days, date);
}

static void
check_time (const PostaciOutcome *outcome, const PostaciNagiosThresholds *thresholds,
            PostaciNagiosStatus *status, GPtrArray *problems)
{
  g_autofree char *took = format_seconds (outcome->total_ms);

  if (thresholds->critical_ms >= 0 && outcome->total_ms > thresholds->critical_ms)
    {
      g_autofree char *limit = format_seconds (thresholds->critical_ms);

      raise_status (status, POSTACI_NAGIOS_CRITICAL);
      g_ptr_array_add (problems, g_strdup_printf (_ ("the test took %s s, more than the %s s of "
                                                     "--critical"),
                                                  took, limit));
    }
  else if (thresholds->warning_ms >= 0 && outcome->total_ms > thresholds->warning_ms)
    {
      g_autofree char *limit = format_seconds (thresholds->warning_ms);

      raise_status (status, POSTACI_NAGIOS_WARNING);
      g_ptr_array_add (problems, g_strdup_printf (_ ("the test took %s s, more than the %s s of "
                                                     "--warning"),
                                                  took, limit));
    }
}

/* 'label'=value[UOM];[warn];[crit];[min];[max] for each stage up to the last one planned
 * ("U": not measured, because the run ended before it or skipped it), then the total and the
 * certificate's days. */
static void
append_perfdata (GString *out, const PostaciOutcome *outcome, PostaciStage last_stage,
                 const PostaciNagiosThresholds *thresholds, GDateTime *now)
{
  for (PostaciStage stage = POSTACI_STAGE_CONNECT; stage <= last_stage; stage++)
    {
      g_string_append_printf (out, "%s=", postaci_stage_to_string (stage));
      if (outcome->stage_ms[stage] >= 0)
        {
          append_seconds (out, outcome->stage_ms[stage]);
          g_string_append (out, "s;;;0 ");
        }
      else
        g_string_append (out, "U;;;0 ");
    }
  g_string_append (out, "time=");
  append_seconds (out, outcome->total_ms);
  g_string_append (out, "s;");
  if (thresholds->warning_ms >= 0)
    append_seconds (out, thresholds->warning_ms);
  g_string_append_c (out, ';');
  if (thresholds->critical_ms >= 0)
    append_seconds (out, thresholds->critical_ms);
  g_string_append (out, ";0");
  if (outcome->certificate_not_after != 0)
    {
      g_autoptr(GDateTime) until = g_date_time_new_from_unix_utc (outcome->certificate_not_after);

      /* "N:" is a range: alert below N, as --cert-warning and --cert-critical mean. */
      g_string_append_printf (out, " certificate_days=%" G_GINT64_FORMAT ";",
                              days_left (until, now));
      if (thresholds->cert_warning_days >= 0)
        g_string_append_printf (out, "%d:", thresholds->cert_warning_days);
      g_string_append_c (out, ';');
      if (thresholds->cert_critical_days >= 0)
        g_string_append_printf (out, "%d:", thresholds->cert_critical_days);
    }
}

/**
 * postaci_nagios_report:
 * @target: the server and port as the check names them, "mx.example.com:587"
 * @last_stage: the last stage the run was meant to reach (its --stop-after, or QUIT)
 * @output: (out): the plugin output: the status line with performance data after '|', then
 *   the hint on a second line when there is one
 *
 * A failed run is CRITICAL (its stage, reply and explanation on the status line), a partial
 * delivery a WARNING, a cancelled or refused-before-sending run UNKNOWN; then the time and
 * certificate thresholds can only make the status worse.
 */
PostaciNagiosStatus
postaci_nagios_report (const PostaciOutcome *outcome, const char *target, PostaciStage last_stage,
                       const PostaciNagiosThresholds *thresholds, GDateTime *now, char **output)
{
  PostaciNagiosStatus status = POSTACI_NAGIOS_OK;
  g_autoptr(GPtrArray) problems = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *note = NULL;
  GString         *out = g_string_new (NULL);

  switch (outcome->verdict)
    {
    case POSTACI_VERDICT_SUCCESS:
      break;
    case POSTACI_VERDICT_PARTIAL:
      status = POSTACI_NAGIOS_WARNING;
      break;
    case POSTACI_VERDICT_USAGE:
    case POSTACI_VERDICT_CANCELLED:
      status = POSTACI_NAGIOS_UNKNOWN;
      break;
    default:
      status = POSTACI_NAGIOS_CRITICAL;
      break;
    }
  check_time (outcome, thresholds, &status, problems);
  check_certificate (outcome, thresholds, now, &status, problems, &note);

  g_string_append_printf (out, "SMTP %s - ", status_words[status]);
  for (guint i = 0; i < problems->len; i++)
    {
      append_plain (out, g_ptr_array_index (problems, i));
      g_string_append (out, "; ");
    }
  append_plain (out, target);
  g_string_append (out, ": ");
  append_plain (out, outcome->reason != NULL ? outcome->reason : "");
  if (outcome->verdict != POSTACI_VERDICT_SUCCESS && outcome->explanation != NULL)
    {
      g_string_append (out, " — ");
      append_plain (out, outcome->explanation);
    }
  g_string_append (out, " (");
  append_seconds (out, outcome->total_ms);
  g_string_append (out, " s");
  if (note != NULL)
    {
      g_string_append (out, ", ");
      append_plain (out, note);
    }
  g_string_append (out, ") | ");
  append_perfdata (out, outcome, last_stage, thresholds, now);
  g_string_append_c (out, '\n');
  if (outcome->hint != NULL && status != POSTACI_NAGIOS_OK)
    {
      /* Long output: the lines after the first, which the monitoring system shows as details. */
      append_plain (out, outcome->hint);
      g_string_append_c (out, '\n');
    }
  *output = g_string_free (out, FALSE);
  return status;
}

/* Bad usage as a plugin reports it: UNKNOWN, on standard output where the check reads. */
char *
postaci_nagios_unknown (const char *message)
{
  GString *out = g_string_new ("SMTP UNKNOWN - ");

  append_plain (out, message);
  g_string_append_c (out, '\n');
  return g_string_free (out, FALSE);
}
