/* SPDX-License-Identifier: GPL-3.0-or-later */
/* postaci-cli-serve.c — postaci-cli --serve: the Local Test Server in a terminal, its options
 * checked, what to connect with printed, a line for each message it takes. */
#define G_LOG_DOMAIN "postaci-cli"

#include "config.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <glib-unix.h>

#include "postaci-cli-serve.h"
#include "postaci-event.h"
#include "postaci-local-server.h"
#include "postaci-message.h"
#include "postaci-outcome.h"

static gboolean
parse_serve_port (const char *text, guint *port)
{
  guint64 value;

  if (text == NULL)
    return TRUE;
  if (!g_ascii_string_to_unsigned (text, 10, 0, 65535, &value, NULL))
    return FALSE;
  *port = (guint) value;
  return TRUE;
}

/* "500M", "2G", "1048576": bytes, with K, M or G for KiB, MiB, GiB. */
static gboolean
parse_quota (const char *text, guint64 *bytes)
{
  g_autofree char *number = NULL;
  guint64          value, unit = 1;
  gsize            len = strlen (text);

  if (len > 0 && strchr ("kKmMgG", text[len - 1]) != NULL)
    {
      unit = g_ascii_tolower (text[len - 1]) == 'k'   ? 1024
             : g_ascii_tolower (text[len - 1]) == 'm' ? 1024 * 1024
                                                      : 1024 * 1024 * 1024;
      len--;
    }
  number = g_strndup (text, len);
  if (!g_ascii_string_to_unsigned (number, 10, 1, G_MAXUINT64 / unit, &value, NULL))
    return FALSE;
  *bytes = value * unit;
  return TRUE;
}

/* --cert-out writes a new file or replaces a regular one, never anything else: as root, a
 * rename over /dev/full would replace the device node. Checked before the server starts. */
static gboolean
cert_out_is_safe (const char *path)
{
  GStatBuf st;

  return g_lstat (path, &st) != 0 ? errno == ENOENT : S_ISREG (st.st_mode);
}

static void
message_received_cb (PostaciLocalServer *server, PostaciCapturedMessage *message,
                     gpointer user_data)
{
  g_autofree char *time =
    g_date_time_format (postaci_captured_message_get_received_time (message), "%H:%M:%S");
  g_autofree char *to =
    g_strjoinv (", ", (char **) postaci_captured_message_get_recipients (message));

  /* One line per message; the subject was decoded from the message, so escape it for the
   * terminal. */
  {
    g_autofree char *subject =
      postaci_escape_text (postaci_captured_message_get_subject (message), -1);
    g_autofree char *from = postaci_escape_text (postaci_captured_message_get_from (message), -1);
    g_autofree char *to_safe = postaci_escape_text (to, -1);

    /* Translators: time, sender, recipients, subject, size, then ", TLS" and ", authenticated"
     * (each may be empty), then the file name */
    g_print (_ ("[%s] Message received from <%s> to %s: “%s” (%zu bytes%s%s), saved as %s\n"), time,
             from, to_safe, subject, postaci_captured_message_get_size (message),
             postaci_captured_message_get_tls (message) ? _ (", TLS") : "",
             postaci_captured_message_get_authenticated (message) ? _ (", authenticated") : "",
             postaci_captured_message_get_path (message));
  }
  fflush (stdout);
}

static gboolean
stop_serving_cb (gpointer user_data)
{
  g_main_loop_quit (user_data);
  return G_SOURCE_CONTINUE;
}

int
postaci_cli_serve (const PostaciCliOptions *options)
{
  g_autoptr(PostaciLocalServer) server = postaci_local_server_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GMainLoop) loop = NULL;
  guint       port = 0, tls_port = 0;
  guint       sigint_id, sigterm_id;
  const char *also = "";

  if (options->server != NULL || options->security != NULL || options->user != NULL ||
      options->password_file != NULL || options->auth != NULL || options->allow_plain_auth ||
      options->from != NULL || options->to != NULL || options->subject != NULL ||
      options->html != NULL || options->html_file != NULL || options->text != NULL ||
      options->attach != NULL || options->size != NULL || options->ehlo != NULL ||
      options->stop_after != NULL || options->no_pipelining || options->timeout != NULL ||
      options->ca_file != NULL || options->insecure || options->pin_certificate != NULL ||
      options->profile != NULL || options->save_profile != NULL || options->remember_password ||
      postaci_cli_nagios_mode () || options->warning != NULL || options->critical != NULL ||
      options->cert_warning != NULL || options->cert_critical != NULL)
    return postaci_cli_usage_error (
      "%s", _ ("--serve runs the Local Test Server; it takes --port, --tls-port, --save, "
               "--fail, --quota and --cert-out, not the options of a test run."));
  if (!parse_serve_port (options->port, &port))
    return postaci_cli_usage_error (
      _ ("--port must be a number from 0 (a free port) to 65535, not “%s”."), options->port);
  if (!parse_serve_port (options->tls_port, &tls_port))
    return postaci_cli_usage_error (_ ("--tls-port must be a number from 0 (a free port) to "
                                       "65535, not “%s”."),
                                    options->tls_port);
  for (guint i = 0; options->fail != NULL && options->fail[i] != NULL; i++)
    {
      PostaciStage stage;
      guint        code;

      if (!postaci_local_server_parse_failure (options->fail[i], &stage, &code, &error) ||
          !postaci_local_server_set_failure (server, stage, code, &error))
        return postaci_cli_usage_error ("--fail: %s", error->message);
    }
  if (options->quota != NULL)
    {
      guint64 quota;

      if (!parse_quota (options->quota, &quota))
        return postaci_cli_usage_error (_ ("--quota must be a size in bytes, or with K, M or G "
                                           "(such as 500M), not “%s”."),
                                        options->quota);
      postaci_local_server_set_quota (server, quota);
    }
  if (options->cert_out != NULL && !cert_out_is_safe (options->cert_out))
    return postaci_cli_usage_error (
      _ ("--cert-out: “%s” exists and is not a regular file; name a new file."), options->cert_out);
  if (options->max_size != NULL)
    {
      guint64 max_size;

      if (!postaci_parse_size (options->max_size, &max_size) || max_size > G_MAXSIZE)
        return postaci_cli_usage_error (_ ("--max-size must be a number of bytes with an optional "
                                           "K, M or G, such as 100M, not “%s”."),
                                        options->max_size);
      postaci_local_server_set_max_size (server, (gsize) max_size);
    }
  postaci_local_server_set_port (server, port);
  postaci_local_server_set_tls_port (server, tls_port);
  if (options->save != NULL)
    postaci_local_server_set_folder (server, options->save);

  if (!postaci_local_server_start (server, &error))
    {
      g_printerr ("postaci-cli: %s\n", error->message);
      /* A --save folder that cannot be used is bad input, like a bad option. */
      return g_error_matches (error, POSTACI_LOCAL_SERVER_ERROR, POSTACI_LOCAL_SERVER_ERROR_FOLDER)
               ? POSTACI_EXIT_USAGE
               : POSTACI_EXIT_FAILURE;
    }
  /* Its fingerprint is printed below: made now, so that a failure is said as one. */
  if (!postaci_local_server_make_certificate (server, &error))
    {
      g_printerr ("postaci-cli: %s\n", error->message);
      return POSTACI_EXIT_FAILURE;
    }
  if (options->cert_out != NULL &&
      !g_file_set_contents (options->cert_out, postaci_local_server_get_certificate_pem (server),
                            -1, &error))
    {
      g_printerr ("postaci-cli: --cert-out: %s\n", error->message);
      return POSTACI_EXIT_USAGE;
    }

  if (postaci_local_server_get_has_ipv6 (server))
    also = _ (" and [::1]");
  g_print (
    "%s\n",
    _ ("Postacı’s Local Test Server: a sink on this computer only; nothing is ever forwarded."));
  g_print (_ ("SMTP with STARTTLS: 127.0.0.1%s, port %u\n"), also,
           postaci_local_server_get_port (server));
  g_print (_ ("SMTP over TLS: 127.0.0.1%s, port %u\n"), also,
           postaci_local_server_get_tls_port (server));
  g_print (_ ("User name: %s\n"), postaci_local_server_get_username (server));
  /* The server's own throwaway password, made for this run: shown on purpose. */
  g_print (_ ("Password: %s\n"), postaci_local_server_get_password (server));
  g_print (_ ("Certificate SHA-256 fingerprint: %s\n"),
           postaci_local_server_get_fingerprint (server));
  if (options->cert_out != NULL)
    g_print (_ ("Certificate written to: %s\n"), options->cert_out);
  g_print (_ ("Messages are saved in: %s\n"), postaci_local_server_get_folder (server));
  if (postaci_local_server_get_quota (server) > 0)
    {
      g_autofree char *quota =
        g_format_size_full (postaci_local_server_get_quota (server), G_FORMAT_SIZE_IEC_UNITS);

      /* Translators: the folder's quota, such as "500.0 MiB" */
      g_print (_ ("Quota: %s (then 452 4.3.1)\n"), quota);
    }
  for (guint i = 0; options->fail != NULL && options->fail[i] != NULL; i++)
    g_print (_ ("Failure on purpose: %s\n"), options->fail[i]);
  g_print ("%s\n", _ ("Press Ctrl+C to stop."));
  fflush (stdout);

  loop = g_main_loop_new (NULL, FALSE);
  g_signal_connect (server, "message-received", G_CALLBACK (message_received_cb), NULL);
  sigint_id = g_unix_signal_add (SIGINT, stop_serving_cb, loop);
  sigterm_id = g_unix_signal_add (SIGTERM, stop_serving_cb, loop);
  g_main_loop_run (loop);
  g_source_remove (sigint_id);
  g_source_remove (sigterm_id);

  postaci_local_server_stop (server);
  g_print ("%s\n", _ ("The Local Test Server has stopped."));
  fflush (stdout);
  return POSTACI_EXIT_SUCCESS;
}
