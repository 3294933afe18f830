/* SPDX-License-Identifier: GPL-3.0-or-later */
/* postaci-cli-run.c — a test run of postaci-cli: the request from the options, the session on a
 * main loop until it ends or is interrupted, and its output: the transcript as it comes (text,
 * ANSI colours or JSON lines), or at the end one report (Markdown, HTML) or one status line
 * (--format nagios). */
#define G_LOG_DOMAIN "postaci-cli"

#include "config.h"

#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <glib/gi18n.h>
#include <glib-unix.h>

#include "postaci-cli-profiles.h"
#include "postaci-cli-request.h"
#include "postaci-cli-run.h"
#include "postaci-nagios.h"
#include "postaci-report.h"
#include "postaci-session.h"
#include "postaci-transcript.h"

typedef struct
{
  GMainLoop              *loop;
  GCancellable           *cancellable;
  PostaciTranscriptFormat format;
  GPtrArray              *events; /* kept for --format markdown or html, NULL otherwise */
  PostaciOutcome         *outcome;
} Run;

static void
event_cb (PostaciSession *session, const PostaciEvent *event, gpointer user_data)
{
  Run             *run = user_data;
  g_autofree char *text = NULL;

  /* A monitoring plugin prints one status line, not a transcript. */
  if (postaci_cli_nagios_mode ())
    return;
  /* A report is one document, written when the run has ended. */
  if (run->events != NULL)
    {
      g_ptr_array_add (run->events, postaci_event_copy (event));
      return;
    }
  text = postaci_transcript_format_event (event, run->format);
  fputs (text, stdout);
  fflush (stdout);
}

static void
run_cb (GObject *object, GAsyncResult *result, gpointer user_data)
{
  Run *run = user_data;

  run->outcome = postaci_session_run_finish (POSTACI_SESSION (object), result);
  g_main_loop_quit (run->loop);
}

static gboolean
interrupted_cb (gpointer user_data)
{
  Run *run = user_data;

  g_cancellable_cancel (run->cancellable);
  return G_SOURCE_CONTINUE;
}

/* The thresholds of --format nagios; each is optional. */
static int
parse_thresholds (const PostaciCliOptions *options, PostaciNagiosThresholds *thresholds)
{
  const struct
  {
    const char *text;
    gint64     *ms;
  } seconds[] = {
    { options->warning, &thresholds->warning_ms },
    { options->critical, &thresholds->critical_ms },
  };
  const struct
  {
    const char *text;
    gint       *days;
  } days[] = {
    { options->cert_warning, &thresholds->cert_warning_days },
    { options->cert_critical, &thresholds->cert_critical_days },
  };

  *thresholds = (PostaciNagiosThresholds){ -1, -1, -1, -1 };
  for (guint i = 0; i < G_N_ELEMENTS (seconds); i++)
    if (seconds[i].text != NULL && !postaci_nagios_parse_seconds (seconds[i].text, seconds[i].ms))
      return postaci_cli_usage_error (_ ("--warning and --critical take seconds, such as 2 or "
                                         "0.5, not “%s”."),
                                      seconds[i].text);
  for (guint i = 0; i < G_N_ELEMENTS (days); i++)
    if (days[i].text != NULL && !postaci_nagios_parse_days (days[i].text, days[i].days))
      return postaci_cli_usage_error (_ ("--cert-warning and --cert-critical take a whole number "
                                         "of days from 0 to 3650, not “%s”."),
                                      days[i].text);
  return POSTACI_EXIT_SUCCESS;
}

/* The server and port as a monitoring system names the service: "mx.example.com:587",
 * "[::1]:25". */
static char *
describe_target (const PostaciRequest *request)
{
  g_autofree char *host = postaci_request_get_host_for_tls (request);

  if (strchr (host, ':') != NULL)
    return g_strdup_printf ("[%s]:%u", host, postaci_request_get_port (request));
  return g_strdup_printf ("%s:%u", host, postaci_request_get_port (request));
}

/* One test run: the request from the options, the session on a main loop, the verdict. */
int
postaci_cli_run_test (const PostaciCliOptions *options)
{
  g_autoptr(PostaciRequest) request = NULL;
  g_autoptr(PostaciSession) session = NULL;
  g_autoptr(PostaciProfileStore) store = NULL;
  g_autofree char    *verdict = NULL;
  PostaciProfile     *profile = NULL;
  Run                 run = { 0 };
  PostaciReportFormat report_format;
  gboolean            report = postaci_report_format_from_string (options->format, &report_format);
  PostaciNagiosThresholds thresholds;
  g_autofree char        *target = NULL;
  PostaciStage            last_stage;
  int                     status;
  guint                   sigint_id, sigterm_id;

  if ((status = parse_thresholds (options, &thresholds)) != 0)
    return status;

  if (options->profile != NULL || options->save_profile != NULL)
    {
      store = postaci_cli_profiles_open (&status);
      if (store == NULL)
        return status;
    }
  if (options->profile != NULL &&
      (profile = postaci_cli_profiles_find (store, options->profile, &status)) == NULL)
    return status;
  if (options->remember_password && options->save_profile == NULL)
    return postaci_cli_usage_error ("%s", _ ("--remember-password goes with --save-profile."));
  request = profile != NULL ? postaci_profile_to_request (profile) : postaci_request_new ();

  /* A saved server keeps no default subject or message: those follow the language of each run. */
  status =
    postaci_cli_request_from_options (options, profile, request, options->save_profile == NULL);
  if (status != 0)
    return status;
  if (options->save_profile != NULL)
    return postaci_cli_profiles_save (options, store, request);
  target = describe_target (request);
  last_stage = request->stop_after;

  if (g_strcmp0 (options->format, "jsonl") == 0)
    run.format = POSTACI_TRANSCRIPT_JSONL;
  else
    run.format =
      postaci_cli_use_colour (options->color) ? POSTACI_TRANSCRIPT_ANSI : POSTACI_TRANSCRIPT_TEXT;

  /* The session keeps its own copy of the request; a large message body need not stay twice. */
  session = postaci_session_new (request);
  g_clear_pointer (&request, postaci_request_free);
  {
    g_autoptr(GError) error = NULL;

    /* Bad input (a NUL in the HTML file, an unreadable attachment) is a usage error. */
    if (!postaci_session_prepare (session, &error))
      return postaci_cli_usage_error ("%s", error->message);
  }

  if (report)
    run.events = g_ptr_array_new_with_free_func ((GDestroyNotify) postaci_event_free);
  run.loop = g_main_loop_new (NULL, FALSE);
  run.cancellable = g_cancellable_new ();
  sigint_id = g_unix_signal_add (SIGINT, interrupted_cb, &run);
  sigterm_id = g_unix_signal_add (SIGTERM, interrupted_cb, &run);
  g_signal_connect (session, "event", G_CALLBACK (event_cb), &run);
  postaci_session_run_async (session, run.cancellable, run_cb, &run);
  g_main_loop_run (run.loop);

  g_source_remove (sigint_id);
  g_source_remove (sigterm_id);

  status = postaci_outcome_get_exit_status (run.outcome);
  if (postaci_cli_nagios_mode ())
    {
      g_autoptr(GDateTime) now = g_date_time_new_now_utc ();

      status =
        (int) postaci_nagios_report (run.outcome, target, last_stage, &thresholds, now, &verdict);
    }
  else if (report)
    verdict = postaci_report_format (postaci_session_get_request (session), run.events, run.outcome,
                                     NULL, report_format);
  else
    verdict = postaci_transcript_format_outcome (run.outcome, run.format);
  fputs (verdict, stdout);
  fflush (stdout);

  postaci_outcome_free (run.outcome);
  g_clear_pointer (&run.events, g_ptr_array_unref);
  g_object_unref (run.cancellable);
  g_main_loop_unref (run.loop);
  return status;
}
