/* SPDX-License-Identifier: GPL-3.0-or-later */
/* postaci-probe.c — one look at one SMTP endpoint: connect, greeting, EHLO, TLS, EHLO again, QUIT.
 *
 * Written on GIO directly, behind this small API, until the shared SMTP link layer exists; the
 * steps map one to one onto it (connect, implicit TLS, STARTTLS, send a line, read a reply). */
#define G_LOG_DOMAIN "postaci-probe"

#include "config.h"

#include <string.h>
#include <glib/gi18n-lib.h>

#include "postaci-event.h"
#include "postaci-line-reader.h"
#include "postaci-probe.h"
#include "postaci-reply.h"

/* QUIT is a courtesy: a server that does not answer it is not waited for long. */
#define QUIT_TIMEOUT_MS 2000

typedef enum {
  STEP_CONNECT,
  STEP_HANDSHAKE,      /* implicit TLS, or TLS after a silent greeting */
  STEP_GREETING,
  STEP_EHLO,
  STEP_STARTTLS,       /* waiting for the 220 to STARTTLS */
  STEP_STARTTLS_HANDSHAKE,
  STEP_EHLO_TLS,
  STEP_QUIT,
} Step;

typedef struct {
  PostaciProbeResult *result;
  GTask              *task;          /* borrowed: the task owns this struct */
  Step                step;
  guint               timeout_ms;
  GTlsDatabase       *database;
  GSocketClient      *client;
  GSocketConnection  *connection;
  GIOStream          *stream;        /* the connection, or the TLS connection over it */
  PostaciLineReader  *reader;
  PostaciReplyParser *parser;
  GString            *transcript;
  char               *ehlo_name;
  char               *pending_line;  /* the bytes of the write under way */
  gint64              started;
  GCancellable       *step_cancellable;
  guint               deadline_id;
  gboolean            timed_out;
  gulong              cancelled_id;
} Probe;

void
postaci_probe_result_free (PostaciProbeResult *result)
{
  if (result == NULL)
    return;
  g_free (result->host);
  g_free (result->error);
  g_free (result->address);
  g_free (result->banner);
  g_free (result->tls_version);
  g_clear_pointer (&result->certificate, postaci_certificate_info_free);
  g_strfreev (result->certificate_problems);
  g_strfreev (result->capabilities_before);
  g_strfreev (result->capabilities_after);
  g_strfreev (result->auth_before);
  g_strfreev (result->auth_after);
  g_free (result->transcript);
  g_free (result);
}

PostaciSecurity
postaci_probe_result_get_security (const PostaciProbeResult *result)
{
  if (result->implicit_tls)
    return POSTACI_SECURITY_TLS;
  if (result->starttls_offered)
    return POSTACI_SECURITY_STARTTLS;
  return POSTACI_SECURITY_NONE;
}

gboolean
postaci_probe_result_get_tls_valid (const PostaciProbeResult *result)
{
  return result->tls && result->certificate_errors == 0;
}

GStrv
postaci_probe_result_get_auth (const PostaciProbeResult *result)
{
  return result->tls ? result->auth_after : result->auth_before;
}

const char *
postaci_probe_status_to_string (PostaciProbeStatus status)
{
  static const char *const names[] = {
    "ok", "not_found", "unreachable", "silent", "tls_failed", "rejected", "broken",
  };

  g_return_val_if_fail (status < G_N_ELEMENTS (names), "broken");
  return names[status];
}

static void
probe_free (Probe *probe)
{
  g_clear_handle_id (&probe->deadline_id, g_source_remove);
  g_clear_pointer (&probe->result, postaci_probe_result_free);
  g_clear_object (&probe->database);
  g_clear_object (&probe->client);
  g_clear_object (&probe->connection);
  g_clear_object (&probe->stream);
  g_clear_object (&probe->reader);
  g_clear_pointer (&probe->parser, postaci_reply_parser_free);
  g_string_free (probe->transcript, TRUE);
  g_free (probe->ehlo_name);
  g_free (probe->pending_line);
  g_clear_object (&probe->step_cancellable);
  g_free (probe);
}

static void
note (Probe *probe, const char *prefix, const char *format, ...) G_GNUC_PRINTF (3, 4);

static void
note (Probe *probe, const char *prefix, const char *format, ...)
{
  va_list args;

  va_start (args, format);
  g_string_append (probe->transcript, prefix);
  g_string_append_vprintf (probe->transcript, format, args);
  g_string_append_c (probe->transcript, '\n');
  va_end (args);
}

/* ---------------------------------------------------------------- */
/* Deadlines                                                        */
/* ---------------------------------------------------------------- */

static gboolean
deadline_cb (gpointer user_data)
{
  Probe *probe = user_data;

  probe->deadline_id = 0;
  probe->timed_out = TRUE;
  g_cancellable_cancel (probe->step_cancellable);
  return G_SOURCE_REMOVE;
}

/* A fresh cancellable for the next step, cancelled by its deadline or by the caller. */
static GCancellable *
arm (Probe *probe, guint timeout_ms)
{
  GCancellable *outer = g_task_get_cancellable (probe->task);

  g_clear_handle_id (&probe->deadline_id, g_source_remove);
  g_clear_object (&probe->step_cancellable);
  probe->step_cancellable = g_cancellable_new ();
  probe->timed_out = FALSE;
  if (outer != NULL && g_cancellable_is_cancelled (outer))
    g_cancellable_cancel (probe->step_cancellable);
  probe->deadline_id = g_timeout_add (timeout_ms, deadline_cb, probe);
  return probe->step_cancellable;
}

static void
disarm (Probe *probe)
{
  g_clear_handle_id (&probe->deadline_id, g_source_remove);
}

static void
outer_cancelled_cb (GCancellable *cancellable, gpointer user_data)
{
  Probe *probe = user_data;

  if (probe->step_cancellable != NULL)
    g_cancellable_cancel (probe->step_cancellable);
}

/* ---------------------------------------------------------------- */
/* Ending                                                           */
/* ---------------------------------------------------------------- */

static void
finish (Probe *probe)
{
  GTask *task = probe->task;
  GCancellable *outer = g_task_get_cancellable (task);
  PostaciProbeResult *result;

  disarm (probe);
  if (probe->stream != NULL)
    g_io_stream_close_async (probe->stream, G_PRIORITY_DEFAULT, NULL, NULL, NULL);
  if (probe->connection != NULL && G_IO_STREAM (probe->connection) != probe->stream)
    g_io_stream_close_async (G_IO_STREAM (probe->connection), G_PRIORITY_DEFAULT, NULL, NULL,
                             NULL);
  if (probe->cancelled_id != 0)
    g_cancellable_disconnect (outer, probe->cancelled_id);
  probe->cancelled_id = 0;

  if (outer != NULL && g_cancellable_is_cancelled (outer))
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_CANCELLED, "%s",
                               _("The probe was cancelled."));
      g_object_unref (task);
      return;
    }
  result = g_steal_pointer (&probe->result);
  result->total_ms = (g_get_monotonic_time () - probe->started) / 1000;
  result->transcript = g_strdup (probe->transcript->str);
  g_task_return_pointer (task, result, (GDestroyNotify) postaci_probe_result_free);
  g_object_unref (task);
}

static void
fail (Probe *probe, PostaciProbeStatus status, const char *message)
{
  probe->result->status = status;
  g_free (probe->result->error);
  probe->result->error = g_strdup (message);
  note (probe, "! ", "%s", message);
  finish (probe);
}

/* The timeout of the current step in words a person reads. */
static void
fail_timeout (Probe *probe, PostaciProbeStatus status)
{
  guint n = MAX (1, (probe->timeout_ms + 999) / 1000);
  g_autofree char *message = NULL;

  switch (probe->step)
    {
    case STEP_CONNECT:
      message = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                              "No connection within %u second.",
                                              "No connection within %u seconds.", n), n);
      break;
    case STEP_HANDSHAKE:
    case STEP_STARTTLS_HANDSHAKE:
      message = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                              "The TLS handshake did not finish within %u second.",
                                              "The TLS handshake did not finish within %u seconds.",
                                              n), n);
      break;
    case STEP_GREETING:
      message = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                              "No complete greeting within %u second.",
                                              "No complete greeting within %u seconds.", n), n);
      break;
    case STEP_EHLO:
    case STEP_EHLO_TLS:
    case STEP_STARTTLS:
    case STEP_QUIT:
    default:
      message = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                              "No answer within %u second.",
                                              "No answer within %u seconds.", n), n);
      break;
    }
  fail (probe, status, message);
}

/* ---------------------------------------------------------------- */
/* Sending and reading                                              */
/* ---------------------------------------------------------------- */

static void dispatch (Probe *probe, PostaciReply *reply);
static void start_handshake (Probe *probe, Step step);
static void send_line (Probe *probe, const char *line);

static void
use_stream (Probe *probe, GIOStream *stream)
{
  g_set_object (&probe->stream, stream);
  g_clear_object (&probe->reader);
  probe->reader = postaci_line_reader_new (g_io_stream_get_input_stream (stream),
                                           POSTACI_REPLY_MAX_LINE);
}

static void
read_line_cb (GObject *object, GAsyncResult *res, gpointer user_data)
{
  Probe *probe = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *line = NULL;
  g_autofree char *shown = NULL;
  gsize length = 0;
  PostaciReply *reply = NULL;

  line = postaci_line_reader_read_line_finish (POSTACI_LINE_READER (object), res, &length, &error);
  if (line == NULL)
    {
      disarm (probe);
      if (probe->step == STEP_QUIT)
        {
          finish (probe);
          return;
        }
      if (probe->timed_out && probe->step == STEP_GREETING &&
          postaci_line_reader_get_buffered (probe->reader) == 0 && !probe->result->tls)
        {
          /* Not one byte: the classic port-465 case. Say TLS on the same connection. */
          note (probe, "* ", "%s", _("Not a byte arrived: trying TLS on the same connection."));
          start_handshake (probe, STEP_HANDSHAKE);
          return;
        }
      if (probe->timed_out)
        fail_timeout (probe, POSTACI_PROBE_BROKEN);
      else if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        finish (probe);
      else
        fail (probe, POSTACI_PROBE_BROKEN, error->message);
      return;
    }
  shown = postaci_escape_text (line, (gssize) length);
  note (probe, "S: ", "%s", shown);
  switch (postaci_reply_parser_feed (probe->parser, line, length, &reply, &error))
    {
    case POSTACI_REPLY_PARSER_MORE:
      postaci_line_reader_read_line_async (probe->reader, probe->step_cancellable, read_line_cb,
                                           probe);
      return;
    case POSTACI_REPLY_PARSER_DONE:
      disarm (probe);
      dispatch (probe, reply);
      postaci_reply_free (reply);
      return;
    case POSTACI_REPLY_PARSER_ERROR:
    default:
      disarm (probe);
      fail (probe, POSTACI_PROBE_BROKEN, error->message);
      return;
    }
}

/* One whole reply under one deadline. */
static void
read_reply (Probe *probe, Step step)
{
  probe->step = step;
  postaci_reply_parser_reset (probe->parser);
  postaci_line_reader_read_line_async (probe->reader,
                                       arm (probe, step == STEP_QUIT ? MIN (probe->timeout_ms,
                                                                            QUIT_TIMEOUT_MS)
                                                                     : probe->timeout_ms),
                                       read_line_cb, probe);
}

static void
write_cb (GObject *object, GAsyncResult *res, gpointer user_data)
{
  Probe *probe = user_data;
  g_autoptr(GError) error = NULL;

  if (!g_output_stream_write_all_finish (G_OUTPUT_STREAM (object), res, NULL, &error))
    {
      disarm (probe);
      if (probe->step == STEP_QUIT || g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        finish (probe);
      else
        fail (probe, POSTACI_PROBE_BROKEN, error->message);
      return;
    }
  read_reply (probe, probe->step);
}

static void
send_line (Probe *probe, const char *line)
{
  note (probe, "C: ", "%s", line);
  g_free (probe->pending_line);
  probe->pending_line = g_strconcat (line, "\r\n", NULL);
  g_output_stream_write_all_async (g_io_stream_get_output_stream (probe->stream),
                                   probe->pending_line, strlen (probe->pending_line),
                                   G_PRIORITY_DEFAULT, arm (probe, probe->timeout_ms), write_cb,
                                   probe);
}

static void
send_quit (Probe *probe)
{
  probe->step = STEP_QUIT;
  send_line (probe, "QUIT");
}

/* ---------------------------------------------------------------- */
/* Replies                                                          */
/* ---------------------------------------------------------------- */

/* The EHLO keywords (RFC 5321 §4.1.1.1), escaped, and the AUTH and SIZE parameters. */
static void
read_capabilities (Probe *probe, const PostaciReply *reply, gboolean after_tls)
{
  g_autoptr(GPtrArray) lines = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) mechanisms = g_ptr_array_new_with_free_func (g_free);
  gboolean starttls = FALSE;

  for (guint i = 1; reply->lines[i] != NULL; i++)
    {
      char *line = postaci_escape_text (reply->lines[i], -1);
      g_autofree char *upper = g_ascii_strup (line, -1);

      g_ptr_array_add (lines, line);
      /* "AUTH=LOGIN PLAIN" is an old Microsoft spelling of "AUTH LOGIN PLAIN". */
      if (g_str_has_prefix (upper, "AUTH ") || g_str_has_prefix (upper, "AUTH="))
        {
          g_auto(GStrv) words = g_strsplit_set (upper + 5, " ", -1);

          for (guint w = 0; words[w] != NULL; w++)
            if (*words[w] != '\0' &&
                !g_ptr_array_find_with_equal_func (mechanisms, words[w], g_str_equal, NULL))
              g_ptr_array_add (mechanisms, g_strdup (words[w]));
        }
      else if (g_str_equal (upper, "STARTTLS"))
        starttls = TRUE;
      else if (g_str_has_prefix (upper, "SIZE"))
        {
          guint64 size = 0;

          probe->result->size = g_ascii_string_to_unsigned (g_strstrip (upper + 4), 10, 0,
                                                            G_MAXINT64, &size, NULL)
                                ? (gint64) size : 0;
        }
    }
  g_ptr_array_add (lines, NULL);
  g_ptr_array_add (mechanisms, NULL);
  if (after_tls)
    {
      probe->result->capabilities_after = (GStrv) g_ptr_array_steal (lines, NULL);
      probe->result->auth_after = (GStrv) g_ptr_array_steal (mechanisms, NULL);
    }
  else
    {
      probe->result->capabilities_before = (GStrv) g_ptr_array_steal (lines, NULL);
      probe->result->auth_before = (GStrv) g_ptr_array_steal (mechanisms, NULL);
      probe->result->starttls_offered = starttls;
    }
}

/* The server said no to what we were doing: record why, then say goodbye. */
static void
refused (Probe *probe, const PostaciReply *reply)
{
  g_autofree char *text = postaci_reply_get_text (reply);
  g_autofree char *shown = postaci_escape_text (text, -1);
  g_autofree char *message = NULL;

  /* Translators: the server's reply code and text follow, e.g. “554 go away” */
  if (probe->step == STEP_GREETING)
    message = g_strdup_printf (_("The server turned the connection away: %u %s"), reply->code,
                               shown);
  else if (probe->step == STEP_STARTTLS)
    message = g_strdup_printf (_("The server refused STARTTLS: %u %s"), reply->code, shown);
  else
    message = g_strdup_printf (_("The server refused EHLO: %u %s"), reply->code, shown);

  probe->result->status = POSTACI_PROBE_REJECTED;
  probe->result->error = g_strdup (message);
  note (probe, "! ", "%s", message);
  send_quit (probe);
}

static void
send_ehlo (Probe *probe, Step step)
{
  g_autofree char *line = g_strdup_printf ("EHLO %s", probe->ehlo_name);

  probe->step = step;
  send_line (probe, line);
}

static void
dispatch (Probe *probe, PostaciReply *reply)
{
  switch (probe->step)
    {
    case STEP_GREETING:
      {
        g_autofree char *text = postaci_reply_get_text (reply);

        probe->result->greeting_code = reply->code;
        probe->result->banner = postaci_escape_text (text, -1);
        if (reply->code != 220)
          {
            refused (probe, reply);
            return;
          }
        send_ehlo (probe, probe->result->tls ? STEP_EHLO_TLS : STEP_EHLO);
        return;
      }
    case STEP_EHLO:
      if (reply->code != 250)
        {
          refused (probe, reply);
          return;
        }
      read_capabilities (probe, reply, FALSE);
      if (probe->result->starttls_offered)
        {
          probe->step = STEP_STARTTLS;
          send_line (probe, "STARTTLS");
          return;
        }
      probe->result->status = POSTACI_PROBE_OK;
      send_quit (probe);
      return;
    case STEP_STARTTLS:
      if (reply->code != 220)
        {
          refused (probe, reply);
          return;
        }
      /* Anything already buffered behind the 220 was injected before TLS (CVE-2011-0411). */
      if (postaci_line_reader_get_buffered (probe->reader) > 0)
        {
          fail (probe, POSTACI_PROBE_BROKEN,
                _("The server sent more bytes after its 220 to STARTTLS: they could have been "
                  "injected, so the probe stopped."));
          return;
        }
      start_handshake (probe, STEP_STARTTLS_HANDSHAKE);
      return;
    case STEP_EHLO_TLS:
      if (reply->code != 250)
        {
          refused (probe, reply);
          return;
        }
      read_capabilities (probe, reply, TRUE);
      probe->result->status = POSTACI_PROBE_OK;
      send_quit (probe);
      return;
    case STEP_QUIT:
      finish (probe);
      return;
    case STEP_CONNECT:
    case STEP_HANDSHAKE:
    case STEP_STARTTLS_HANDSHAKE:
    default:
      g_assert_not_reached ();
    }
}

/* ---------------------------------------------------------------- */
/* TLS                                                              */
/* ---------------------------------------------------------------- */

static gboolean
accept_certificate_cb (GTlsConnection       *connection,
                       GTlsCertificate      *certificate,
                       GTlsCertificateFlags  errors,
                       gpointer              user_data)
{
  Probe *probe = user_data;

  /* Only EHLO and QUIT follow: looking behind an invalid certificate risks nothing, and the
   * verdict is recorded and shown. */
  probe->result->certificate_errors = errors;
  return TRUE;
}

static void
record_tls (Probe *probe, GTlsConnection *tls)
{
  static const char *const versions[] = {
    [G_TLS_PROTOCOL_VERSION_SSL_3_0] = "SSL 3.0", [G_TLS_PROTOCOL_VERSION_TLS_1_0] = "TLS 1.0",
    [G_TLS_PROTOCOL_VERSION_TLS_1_1] = "TLS 1.1", [G_TLS_PROTOCOL_VERSION_TLS_1_2] = "TLS 1.2",
    [G_TLS_PROTOCOL_VERSION_TLS_1_3] = "TLS 1.3",
  };
  PostaciProbeResult *result = probe->result;
  GTlsProtocolVersion version = g_tls_connection_get_protocol_version (tls);
  GTlsCertificate *peer = g_tls_connection_get_peer_certificate (tls);

  result->tls = TRUE;
  if (version > 0 && version < (GTlsProtocolVersion) G_N_ELEMENTS (versions) && versions[version])
    result->tls_version = g_strdup (versions[version]);
  if (peer != NULL)
    {
      result->certificate = postaci_certificate_info_new (peer);
      result->certificate_problems =
        postaci_certificate_describe_errors (result->certificate_errors, result->certificate,
                                             result->host);
    }
  else
    result->certificate_problems = g_new0 (char *, 1);
  note (probe, "* ", _("TLS is up (%s)."), result->tls_version ? result->tls_version : "?");
  if (result->certificate_errors == 0)
    note (probe, "* ", _("The certificate is valid for %s."), result->host);
  for (guint i = 0; result->certificate_problems[i] != NULL; i++)
    note (probe, "! ", "%s", result->certificate_problems[i]);
}

static void
handshake_cb (GObject *object, GAsyncResult *res, gpointer user_data)
{
  Probe *probe = user_data;
  g_autoptr(GError) error = NULL;
  Step step = probe->step;

  disarm (probe);
  if (!g_tls_connection_handshake_finish (G_TLS_CONNECTION (object), res, &error))
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) && !probe->timed_out)
        finish (probe);
      else if (step == STEP_HANDSHAKE && probe->result->start == POSTACI_PROBE_START_PLAIN)
        fail (probe, POSTACI_PROBE_SILENT,
              _("Connected, but the server sent no greeting, and a TLS handshake did not work "
                "either."));
      else if (g_error_matches (error, G_TLS_ERROR, G_TLS_ERROR_NOT_TLS) && step == STEP_HANDSHAKE)
        {
          probe->result->mismatch = POSTACI_PROBE_MISMATCH_PLAIN_TO_TLS;
          fail (probe, POSTACI_PROBE_TLS_FAILED,
                _("The server answered the TLS hello in plain text: this port speaks STARTTLS or "
                  "plain SMTP, not SSL/TLS."));
        }
      else if (probe->timed_out)
        fail_timeout (probe, POSTACI_PROBE_TLS_FAILED);
      else
        {
          /* Translators: %s is the TLS library's reason */
          g_autofree char *message = g_strdup_printf (_("The TLS handshake failed: %s"),
                                                      error->message);

          fail (probe, POSTACI_PROBE_TLS_FAILED, message);
        }
      return;
    }
  if (step == STEP_HANDSHAKE)
    {
      probe->result->implicit_tls = TRUE;
      if (probe->result->start == POSTACI_PROBE_START_PLAIN)
        probe->result->mismatch = POSTACI_PROBE_MISMATCH_SILENT_UNTIL_TLS;
    }
  record_tls (probe, G_TLS_CONNECTION (object));
  use_stream (probe, G_IO_STREAM (object));
  if (step == STEP_HANDSHAKE)
    read_reply (probe, STEP_GREETING);
  else
    send_ehlo (probe, STEP_EHLO_TLS);
}

static void
start_handshake (Probe *probe, Step step)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GSocketConnectable) identity = NULL;
  g_autoptr(GIOStream) tls = NULL;
  const char *host = probe->result->host;

  probe->step = step;
  /* An IP literal goes as an address: no SNI, and the certificate's IP names are checked. */
  if (g_hostname_is_ip_address (host))
    {
      g_autoptr(GInetAddress) address = g_inet_address_new_from_string (host);

      identity = G_SOCKET_CONNECTABLE (g_inet_socket_address_new (address, probe->result->port));
    }
  else
    identity = g_network_address_new (host, probe->result->port);
  tls = g_tls_client_connection_new (G_IO_STREAM (probe->connection), identity, &error);
  if (tls == NULL)
    {
      fail (probe, POSTACI_PROBE_TLS_FAILED, error->message);
      return;
    }
  if (probe->database != NULL)
    g_tls_connection_set_database (G_TLS_CONNECTION (tls), probe->database);
  g_signal_connect (tls, "accept-certificate", G_CALLBACK (accept_certificate_cb), probe);
  note (probe, "* ", "%s", _("TLS handshake…"));
  g_tls_connection_handshake_async (G_TLS_CONNECTION (tls), G_PRIORITY_DEFAULT,
                                    arm (probe, probe->timeout_ms), handshake_cb, probe);
}

/* ---------------------------------------------------------------- */
/* Connecting                                                       */
/* ---------------------------------------------------------------- */

static void
connect_cb (GObject *object, GAsyncResult *res, gpointer user_data)
{
  Probe *probe = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GSocketAddress) remote = NULL;
  g_autoptr(GSocketAddress) local = NULL;
  GSocketConnection *connection;

  disarm (probe);
  connection = g_socket_client_connect_finish (G_SOCKET_CLIENT (object), res, &error);
  if (connection == NULL)
    {
      if (probe->timed_out)
        fail_timeout (probe, POSTACI_PROBE_UNREACHABLE);
      else if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        finish (probe);
      else if (error->domain == G_RESOLVER_ERROR)
        fail (probe, POSTACI_PROBE_NOT_FOUND, error->message);
      else
        fail (probe, POSTACI_PROBE_UNREACHABLE, error->message);
      return;
    }
  probe->connection = connection;
  probe->result->connect_ms = (g_get_monotonic_time () - probe->started) / 1000;
  remote = g_socket_connection_get_remote_address (connection, NULL);
  local = g_socket_connection_get_local_address (connection, NULL);
  if (remote != NULL)
    probe->result->address = g_socket_connectable_to_string (G_SOCKET_CONNECTABLE (remote));
  note (probe, "* ", _("Connected to %s in %u ms."),
        probe->result->address ? probe->result->address : probe->result->host,
        (guint) probe->result->connect_ms);
  /* An address literal is always an acceptable EHLO name (RFC 5321 §4.1.3). */
  if (G_IS_INET_SOCKET_ADDRESS (local))
    {
      GInetAddress *address = g_inet_socket_address_get_address (G_INET_SOCKET_ADDRESS (local));
      g_autofree char *text = g_inet_address_to_string (address);

      probe->ehlo_name = g_inet_address_get_family (address) == G_SOCKET_FAMILY_IPV6
                         ? g_strdup_printf ("[IPv6:%s]", text) : g_strdup_printf ("[%s]", text);
    }
  else
    probe->ehlo_name = g_strdup ("[127.0.0.1]");
  use_stream (probe, G_IO_STREAM (connection));
  if (probe->result->start == POSTACI_PROBE_START_TLS)
    start_handshake (probe, STEP_HANDSHAKE);
  else
    read_reply (probe, STEP_GREETING);
}

void
postaci_probe_run_async (const char          *host,
                         guint16              port,
                         PostaciProbeStart    start,
                         guint                step_timeout_ms,
                         GTlsDatabase        *database,
                         GCancellable        *cancellable,
                         GAsyncReadyCallback  callback,
                         gpointer             user_data)
{
  Probe *probe;
  g_autoptr(GSocketConnectable) target = NULL;

  g_return_if_fail (host != NULL);
  g_return_if_fail (port > 0);
  g_return_if_fail (step_timeout_ms > 0);

  probe = g_new0 (Probe, 1);
  probe->task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (probe->task, postaci_probe_run_async);
  g_task_set_task_data (probe->task, probe, (GDestroyNotify) probe_free);
  probe->result = g_new0 (PostaciProbeResult, 1);
  probe->result->host = g_strdup (host);
  probe->result->port = port;
  probe->result->start = start;
  probe->result->status = POSTACI_PROBE_BROKEN;
  probe->result->connect_ms = -1;
  probe->result->size = -1;
  probe->timeout_ms = step_timeout_ms;
  probe->database = database ? g_object_ref (database) : NULL;
  probe->parser = postaci_reply_parser_new ();
  probe->transcript = g_string_new (NULL);
  probe->started = g_get_monotonic_time ();
  if (cancellable != NULL)
    probe->cancelled_id = g_cancellable_connect (cancellable, G_CALLBACK (outer_cancelled_cb),
                                                 probe, NULL);

  /* Translators: “Probing smtp.example.com port 465 with TLS from the first byte.” */
  note (probe, "* ", start == POSTACI_PROBE_START_TLS
                     ? _("Probing %s port %u with TLS from the first byte.")
                     : _("Probing %s port %u in plain text."), host, port);
  probe->step = STEP_CONNECT;
  probe->client = g_socket_client_new ();
  g_socket_client_set_enable_proxy (probe->client, FALSE);
  target = g_network_address_new (host, port);
  g_socket_client_connect_async (probe->client, target, arm (probe, step_timeout_ms), connect_cb,
                                 probe);
}

PostaciProbeResult *
postaci_probe_run_finish (GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == postaci_probe_run_async, NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}
