/* SPDX-License-Identifier: GPL-3.0-or-later */
/* postaci-probe.c — one look at one SMTP endpoint: connect, greeting, EHLO, TLS, EHLO again, QUIT.
 *
 * A probe drives the link (PostaciSmtpLink) directly, as a session does, but only looks: it sends
 * EHLO, STARTTLS and QUIT, accepts any certificate to see what lies behind it (the link's look-only
 * trust), and writes down what it found. The link brings the deadlines, the address-by-address
 * connect, the STARTTLS injection rule and the TLS facts; the probe turns the steps into a
 * PostaciProbeResult and keeps a short transcript ("C: ", "S: ", "* ", "! " lines). */
#define G_LOG_DOMAIN "postaci-probe"

#include "config.h"

#include <string.h>
#include <glib/gi18n-lib.h>

#include "postaci-catalog.h"
#include "postaci-event.h"
#include "postaci-probe.h"
#include "postaci-reply.h"
#include "postaci-smtp-link.h"

/* QUIT is a courtesy: a server that does not answer it is not waited for long. */
#define QUIT_TIMEOUT_SECONDS 2

typedef enum
{
  STEP_CONNECT,
  STEP_HANDSHAKE, /* implicit TLS, or TLS after a silent greeting */
  STEP_GREETING,
  STEP_EHLO,
  STEP_STARTTLS, /* waiting for the 220 to STARTTLS */
  STEP_STARTTLS_HANDSHAKE,
  STEP_EHLO_TLS,
  STEP_QUIT,
} Step;

typedef struct
{
  PostaciProbeResult *result;
  GTask              *task; /* borrowed: the task owns this struct */
  Step                step;
  guint               timeout; /* seconds, per step */
  PostaciSmtpLink    *link;
  GString            *transcript;
  char               *ehlo_name;
  gint64              started;
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
  if (probe->link != NULL)
    g_signal_handlers_disconnect_by_data (probe->link, probe);
  g_clear_object (&probe->link);
  g_clear_pointer (&probe->result, postaci_probe_result_free);
  g_string_free (probe->transcript, TRUE);
  g_free (probe->ehlo_name);
  g_free (probe);
}

static void note (Probe *probe, const char *prefix, const char *format, ...) G_GNUC_PRINTF (3, 4);

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

/* What the link says of itself: the addresses, the TLS facts, the certificate's problems. */
static void
link_event_cb (PostaciSmtpLink *link, int kind, const char *text, Probe *probe)
{
  note (probe, kind == POSTACI_EVENT_WARNING || kind == POSTACI_EVENT_ERROR ? "! " : "* ", "%s",
        text);
}

static void
link_line_cb (PostaciSmtpLink *link, const char *text, PostaciReply *reply, Probe *probe)
{
  note (probe, "S: ", "%s", text);
}

/* ---------------------------------------------------------------- */
/* Ending                                                           */
/* ---------------------------------------------------------------- */

static void
finish (Probe *probe)
{
  GTask              *task = probe->task;
  GCancellable       *outer = g_task_get_cancellable (task);
  PostaciProbeResult *result;

  /* The close (TLS close_notify) runs on by itself; nothing it says belongs to the result. */
  g_signal_handlers_disconnect_by_data (probe->link, probe);
  postaci_smtp_link_close_async (probe->link, NULL, NULL, NULL);

  if (outer != NULL && g_cancellable_is_cancelled (outer))
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_CANCELLED, "%s",
                               _ ("The probe was cancelled."));
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

/* The deadline of the current step in words a person reads. */
static void
fail_timeout (Probe *probe, PostaciProbeStatus status)
{
  guint            n = probe->timeout;
  g_autofree char *message = NULL;

  switch (probe->step)
    {
    case STEP_CONNECT:
      message = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "No connection within %u second.",
                                              "No connection within %u seconds.", n),
                                 n);
      break;
    case STEP_HANDSHAKE:
    case STEP_STARTTLS_HANDSHAKE:
      message = g_strdup_printf (
        g_dngettext (GETTEXT_PACKAGE, "The TLS handshake did not finish within %u second.",
                     "The TLS handshake did not finish within %u seconds.", n),
        n);
      break;
    case STEP_GREETING:
      message =
        g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "No complete greeting within %u second.",
                                      "No complete greeting within %u seconds.", n),
                         n);
      break;
    case STEP_EHLO:
    case STEP_EHLO_TLS:
    case STEP_STARTTLS:
    case STEP_QUIT:
    default:
      message = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "No answer within %u second.",
                                              "No answer within %u seconds.", n),
                                 n);
      break;
    }
  fail (probe, status, message);
}

static gboolean
is_timeout (const GError *error)
{
  return g_error_matches (error, POSTACI_SESSION_ERROR, POSTACI_SESSION_ERROR_TIMEOUT) ||
         g_error_matches (error, POSTACI_SESSION_ERROR, POSTACI_SESSION_ERROR_NO_GREETING);
}

/* A step that went wrong midway: the caller's cancel, a deadline, or a broken link. */
static void
fail_midway (Probe *probe, const GError *error)
{
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    finish (probe);
  else if (is_timeout (error))
    fail_timeout (probe, POSTACI_PROBE_BROKEN);
  else
    fail (probe, POSTACI_PROBE_BROKEN, error->message);
}

/* ---------------------------------------------------------------- */
/* Sending and reading                                              */
/* ---------------------------------------------------------------- */

static void dispatch (Probe *probe, PostaciReply *reply);
static void start_handshake (Probe *probe, Step step);

static void
reply_cb (GObject *object, GAsyncResult *res, gpointer user_data)
{
  Probe *probe = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(PostaciReply) reply = NULL;

  reply = postaci_smtp_link_read_reply_finish (probe->link, res, &error);
  if (reply != NULL)
    {
      dispatch (probe, reply);
      return;
    }
  if (probe->step == STEP_QUIT)
    finish (probe);
  else if (probe->step == STEP_GREETING && !probe->result->tls &&
           g_error_matches (error, POSTACI_SESSION_ERROR, POSTACI_SESSION_ERROR_NO_GREETING))
    {
      /* Not one byte: the classic port-465 case. Say TLS on the same connection. */
      note (probe, "* ", "%s", _ ("Not a byte arrived: trying TLS on the same connection."));
      start_handshake (probe, STEP_HANDSHAKE);
    }
  else
    fail_midway (probe, error);
}

/* One whole reply under one deadline. What follows a reply is not the probe's business: it
 * reads, it does not act on what it read (and STARTTLS has the link's own rule). */
static void
read_reply (Probe *probe)
{
  postaci_smtp_link_set_timeout (probe->link, probe->step == STEP_QUIT
                                                ? MIN (probe->timeout, QUIT_TIMEOUT_SECONDS)
                                                : probe->timeout);
  postaci_smtp_link_read_reply_async (probe->link, POSTACI_SMTP_LINK_READ_MORE_ALLOWED,
                                      g_task_get_cancellable (probe->task), reply_cb, probe);
}

static void
sent_cb (GObject *object, GAsyncResult *res, gpointer user_data)
{
  Probe *probe = user_data;
  g_autoptr(GError) error = NULL;

  if (!postaci_smtp_link_send_line_finish (probe->link, res, &error))
    {
      if (probe->step == STEP_QUIT)
        finish (probe);
      else
        fail_midway (probe, error);
      return;
    }
  read_reply (probe);
}

static void
send_line (Probe *probe, Step step, const char *line)
{
  probe->step = step;
  note (probe, "C: ", "%s", line);
  postaci_smtp_link_set_timeout (probe->link, probe->timeout);
  postaci_smtp_link_send_line_async (probe->link, line, g_task_get_cancellable (probe->task),
                                     sent_cb, probe);
}

static void
send_ehlo (Probe *probe, Step step)
{
  g_autofree char *line = g_strdup_printf ("EHLO %s", probe->ehlo_name);

  send_line (probe, step, line);
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
      char            *line = postaci_escape_text (reply->lines[i], -1);
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

          probe->result->size =
            g_ascii_string_to_unsigned (g_strstrip (upper + 4), 10, 0, G_MAXINT64, &size, NULL)
              ? (gint64) size
              : 0;
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
    message =
      g_strdup_printf (_ ("The server turned the connection away: %u %s"), reply->code, shown);
  else if (probe->step == STEP_STARTTLS)
    message = g_strdup_printf (_ ("The server refused STARTTLS: %u %s"), reply->code, shown);
  else
    message = g_strdup_printf (_ ("The server refused EHLO: %u %s"), reply->code, shown);

  probe->result->status = POSTACI_PROBE_REJECTED;
  probe->result->error = g_strdup (message);
  note (probe, "! ", "%s", message);
  send_line (probe, STEP_QUIT, "QUIT");
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
          refused (probe, reply);
        else
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
          send_line (probe, STEP_STARTTLS, "STARTTLS");
          return;
        }
      probe->result->status = POSTACI_PROBE_OK;
      send_line (probe, STEP_QUIT, "QUIT");
      return;
    case STEP_STARTTLS:
      if (reply->code != 220)
        refused (probe, reply);
      else
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
      send_line (probe, STEP_QUIT, "QUIT");
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

/* The link has said the TLS facts and the certificate's problems in the transcript; the
 * result keeps them as data. */
static void
record_tls (Probe *probe)
{
  PostaciProbeResult *result = probe->result;
  GTlsCertificate    *peer = postaci_smtp_link_get_peer_certificate (probe->link);

  result->tls = TRUE;
  result->tls_version = g_strdup (postaci_smtp_link_get_tls_version (probe->link));
  result->certificate_errors = postaci_smtp_link_get_certificate_errors (probe->link);
  if (peer != NULL)
    {
      result->certificate = postaci_certificate_info_new (peer);
      result->certificate_problems = postaci_certificate_describe_errors (
        result->certificate_errors, result->certificate, result->host);
    }
  else
    result->certificate_problems = g_new0 (char *, 1);
}

static void
handshake_cb (GObject *object, GAsyncResult *res, gpointer user_data)
{
  Probe *probe = user_data;
  g_autoptr(GError) error = NULL;
  Step step = probe->step;

  if (!postaci_smtp_link_start_tls_finish (probe->link, res, &error))
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        finish (probe);
      else if (g_error_matches (error, POSTACI_SESSION_ERROR,
                                POSTACI_SESSION_ERROR_STARTTLS_INJECTION))
        fail (probe, POSTACI_PROBE_BROKEN, error->message);
      else if (step == STEP_HANDSHAKE && probe->result->start == POSTACI_PROBE_START_PLAIN)
        fail (probe, POSTACI_PROBE_SILENT,
              _ ("Connected, but the server sent no greeting, and a TLS handshake did not work "
                 "either."));
      else if (step == STEP_HANDSHAKE && postaci_catalog_is_plain_text_answer (error))
        {
          probe->result->mismatch = POSTACI_PROBE_MISMATCH_PLAIN_TO_TLS;
          fail (probe, POSTACI_PROBE_TLS_FAILED,
                _ ("The server answered the TLS hello in plain text: this port speaks STARTTLS or "
                   "plain SMTP, not SSL/TLS."));
        }
      else if (is_timeout (error))
        fail_timeout (probe, POSTACI_PROBE_TLS_FAILED);
      else
        {
          /* Translators: %s is the TLS library's reason */
          g_autofree char *message =
            g_strdup_printf (_ ("The TLS handshake failed: %s"), error->message);

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
  record_tls (probe);
  if (step == STEP_HANDSHAKE)
    {
      probe->step = STEP_GREETING;
      read_reply (probe);
    }
  else
    send_ehlo (probe, STEP_EHLO_TLS);
}

static void
start_handshake (Probe *probe, Step step)
{
  probe->step = step;
  postaci_smtp_link_set_timeout (probe->link, probe->timeout);
  postaci_smtp_link_start_tls_async (probe->link, g_task_get_cancellable (probe->task),
                                     handshake_cb, probe);
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

  if (!postaci_smtp_link_connect_finish (probe->link, res, &error))
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        finish (probe);
      else if (is_timeout (error))
        fail_timeout (probe, POSTACI_PROBE_UNREACHABLE);
      else if (error->domain == G_RESOLVER_ERROR)
        fail (probe, POSTACI_PROBE_NOT_FOUND, error->message);
      else
        fail (probe, POSTACI_PROBE_UNREACHABLE, error->message);
      return;
    }
  probe->result->connect_ms = (g_get_monotonic_time () - probe->started) / 1000;
  remote = postaci_smtp_link_get_remote_address (probe->link);
  local = postaci_smtp_link_get_local_address (probe->link);
  if (remote != NULL)
    probe->result->address = g_socket_connectable_to_string (G_SOCKET_CONNECTABLE (remote));
  note (probe, "* ", _ ("The connection took %u ms."), (guint) probe->result->connect_ms);
  /* An address literal is always an acceptable EHLO name (RFC 5321 §4.1.3). */
  if (G_IS_INET_SOCKET_ADDRESS (local))
    {
      GInetAddress    *address = g_inet_socket_address_get_address (G_INET_SOCKET_ADDRESS (local));
      g_autofree char *text = g_inet_address_to_string (address);

      probe->ehlo_name = g_inet_address_get_family (address) == G_SOCKET_FAMILY_IPV6
                           ? g_strdup_printf ("[IPv6:%s]", text)
                           : g_strdup_printf ("[%s]", text);
    }
  else
    probe->ehlo_name = g_strdup ("[127.0.0.1]");
  if (probe->result->start == POSTACI_PROBE_START_TLS)
    start_handshake (probe, STEP_HANDSHAKE);
  else
    {
      probe->step = STEP_GREETING;
      read_reply (probe);
    }
}

void
postaci_probe_run_async (const char *host, guint16 port, PostaciProbeStart start,
                         guint step_timeout_ms, const char *ca_file, GCancellable *cancellable,
                         GAsyncReadyCallback callback, gpointer user_data)
{
  Probe *probe;

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
  /* The link keeps whole seconds; a step never gets less than it asked for. */
  probe->timeout = MAX (1, (step_timeout_ms + 999) / 1000);
  probe->transcript = g_string_new (NULL);
  probe->started = g_get_monotonic_time ();

  probe->link = postaci_smtp_link_new (host, port);
  postaci_smtp_link_set_timeout (probe->link, probe->timeout);
  postaci_smtp_link_set_trust (probe->link, ca_file, NULL, FALSE);
  postaci_smtp_link_set_look_only (probe->link, TRUE);
  g_signal_connect (probe->link, "event", G_CALLBACK (link_event_cb), probe);
  g_signal_connect (probe->link, "server-line", G_CALLBACK (link_line_cb), probe);

  /* Translators: “Probing smtp.example.com port 465 with TLS from the first byte.” */
  note (probe, "* ",
        start == POSTACI_PROBE_START_TLS ? _ ("Probing %s port %u with TLS from the first byte.")
                                         : _ ("Probing %s port %u in plain text."),
        host, port);
  probe->step = STEP_CONNECT;
  postaci_smtp_link_connect_async (probe->link, cancellable, connect_cb, probe);
}

PostaciProbeResult *
postaci_probe_run_finish (GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == postaci_probe_run_async, NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}
