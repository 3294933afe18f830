/* SPDX-License-Identifier: GPL-3.0-or-later */
/* postaci-cli-discover.c — postaci-cli --discover: sources as they come, the table, the advice. */
#define G_LOG_DOMAIN "postaci-cli"

#include "config.h"

#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <glib/gi18n.h>
#include <glib-unix.h>

#include "postaci-cli-discover.h"
#include "postaci-cli-password.h"
#include "postaci-discovery.h"
#include "postaci-discovery-report.h"
#include "postaci-option.h"

typedef struct
{
  GMainLoop              *loop;
  GCancellable           *cancellable;
  PostaciTranscriptFormat format;
  PostaciRecommendation  *recommendation;
} Run;

static void
print (char *text)
{
  fputs (text, stdout);
  fflush (stdout);
  g_free (text);
}

static void
source_changed_cb (PostaciDiscovery *discovery, const PostaciDiscoverySource *source,
                   gpointer user_data)
{
  Run *run = user_data;

  print (postaci_discovery_format_source (source, run->format));
}

/* JSON Lines gets each probe as it ends; text gets them all in the table at the end. */
static void
endpoint_changed_cb (PostaciDiscovery *discovery, const PostaciEndpoint *endpoint,
                     gpointer user_data)
{
  Run *run = user_data;

  if (run->format == POSTACI_TRANSCRIPT_JSONL && endpoint->result != NULL)
    print (postaci_discovery_format_endpoint (endpoint));
}

static void
done_cb (GObject *object, GAsyncResult *result, gpointer user_data)
{
  Run *run = user_data;

  run->recommendation = postaci_discovery_run_finish (POSTACI_DISCOVERY (object), result);
  g_main_loop_quit (run->loop);
}

static gboolean
interrupted_cb (gpointer user_data)
{
  g_cancellable_cancel (((Run *) user_data)->cancellable);
  return G_SOURCE_CONTINUE;
}

int
postaci_cli_discover (const PostaciCliDiscover *options)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PostaciDiscovery) discovery = postaci_discovery_new (options->query, &error);
  g_autofree char *ca_file = NULL;
  Run              run = { 0 };
  guint            sigint_id, sigterm_id;
  int              status;

  if (discovery == NULL)
    {
      g_printerr ("postaci-cli: %s\n", error->message);
      return 2;
    }
  if (options->ca_file != NULL)
    {
      /* GTlsFileDatabase wants an absolute path; people type relative ones. */
      ca_file = g_canonicalize_filename (options->ca_file, NULL);
      if (!postaci_discovery_set_ca_file (discovery, ca_file, &error))
        {
          g_printerr ("postaci-cli: --ca-file: %s\n", error->message);
          return 2;
        }
    }
  if (options->user != NULL)
    postaci_discovery_set_credentials (discovery, options->user, options->password);
  postaci_discovery_set_timeouts (discovery, options->step_seconds * 1000,
                                  3 * options->step_seconds * 1000);

  run.format = options->format;
  run.loop = g_main_loop_new (NULL, FALSE);
  run.cancellable = g_cancellable_new ();
  sigint_id = g_unix_signal_add (SIGINT, interrupted_cb, &run);
  sigterm_id = g_unix_signal_add (SIGTERM, interrupted_cb, &run);
  g_signal_connect (discovery, "source-changed", G_CALLBACK (source_changed_cb), &run);
  g_signal_connect (discovery, "endpoint-changed", G_CALLBACK (endpoint_changed_cb), &run);
  postaci_discovery_run_async (discovery, run.cancellable, done_cb, &run);
  g_main_loop_run (run.loop);
  g_source_remove (sigint_id);
  g_source_remove (sigterm_id);

  if (run.format != POSTACI_TRANSCRIPT_JSONL)
    {
      fputc ('\n', stdout);
      print (postaci_discovery_format_table (postaci_discovery_get_endpoints (discovery),
                                             run.format == POSTACI_TRANSCRIPT_ANSI));
    }
  print (postaci_discovery_format_recommendation (run.recommendation, run.format));
  status = postaci_discovery_status_get_exit_status (run.recommendation->status);
  postaci_recommendation_free (run.recommendation);
  g_object_unref (run.cancellable);
  g_main_loop_unref (run.loop);
  return status;
}

/* --discover: find the submission server of an address, domain or host, probe it, recommend. */
int
postaci_cli_discover_from_options (const PostaciCliOptions *options)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *password = NULL;
  guint            seconds = 10;
  int              status;

  if (options->server != NULL || options->port != NULL || options->security != NULL ||
      options->auth != NULL || options->allow_plain_auth || options->from != NULL ||
      options->to != NULL || options->subject != NULL || options->html != NULL ||
      options->html_file != NULL || options->text != NULL || options->ehlo != NULL ||
      options->stop_after != NULL || options->no_pipelining || options->insecure ||
      options->pin_certificate != NULL || options->serve || options->tls_port != NULL ||
      options->save != NULL || options->fail != NULL || options->cert_out != NULL ||
      options->quota != NULL || options->profile != NULL || options->save_profile != NULL ||
      options->remember_password)
    return postaci_cli_usage_error ("%s", _ ("--discover takes --user, --password-file, --timeout, "
                                             "--ca-file, --lang, --color and --format, not the "
                                             "options of a test run."));
  if (options->format != NULL && !g_str_equal (options->format, "text") &&
      !g_str_equal (options->format, "jsonl"))
    return postaci_cli_usage_error (_ ("--format must be text or jsonl with --discover, "
                                       "not “%s”."),
                                    options->format);
  if (options->timeout != NULL &&
      !postaci_option_parse (POSTACI_OPTION_TIMEOUT, options->timeout, &seconds, &error))
    return postaci_cli_usage_error ("%s", error->message);
  if (options->user != NULL)
    {
      /* A password file is read within 30 seconds, whatever --timeout gives each step. */
      status = postaci_cli_password (options->user, options->password_file, 30, NULL, &password);
      if (status != 0)
        return status;
    }
  else if (options->password_file != NULL)
    return postaci_cli_usage_error ("%s", _ ("--password-file needs --user."));

  {
    PostaciCliDiscover run = {
      .query = options->discover,
      .user = options->user,
      .password = password,
      .step_seconds = seconds,
      .ca_file = options->ca_file,
      .format = g_strcmp0 (options->format, "jsonl") == 0 ? POSTACI_TRANSCRIPT_JSONL
                : postaci_cli_use_colour (options->color) ? POSTACI_TRANSCRIPT_ANSI
                                                          : POSTACI_TRANSCRIPT_TEXT,
    };

    status = postaci_cli_discover (&run);
  }
  if (password != NULL)
    memset (password, 0, strlen (password));
  return status;
}
