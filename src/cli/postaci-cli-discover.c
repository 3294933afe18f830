/* SPDX-License-Identifier: GPL-3.0-or-later */
/* postaci-cli-discover.c — postaci-cli --discover: sources as they come, the table, the advice. */
#define G_LOG_DOMAIN "postaci-cli"

#include "config.h"

#include <signal.h>
#include <stdio.h>
#include <glib/gi18n.h>
#include <glib-unix.h>

#include "postaci-cli-discover.h"
#include "postaci-discovery.h"
#include "postaci-discovery-report.h"

typedef struct {
  GMainLoop               *loop;
  GCancellable            *cancellable;
  PostaciTranscriptFormat  format;
  PostaciRecommendation   *recommendation;
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
  Run run = { 0 };
  guint sigint_id, sigterm_id;
  int status;

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
