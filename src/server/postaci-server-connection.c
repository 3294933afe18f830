/* SPDX-License-Identifier: GPL-3.0-or-later */
/* postaci-server-connection.c — one client of the Local Test Server, from accept to close.
 *
 * One rule for order: read one line, answer it, and read the next only when the answer is
 * written. That alone honours PIPELINING (RFC 2920): replies leave in the order the commands
 * came. Every wait — handshake, line, write, close — has a deadline; nothing blocks. What a
 * line means is the commands' business (postaci-server-commands.c) and SASL's
 * (postaci-server-sasl.c). */
#define G_LOG_DOMAIN "postaci-local-server"

#include "config.h"

#include <string.h>

#include "postaci-server-commands.h"
#include "postaci-server-connection.h"
#include "postaci-server-sasl.h"

/* Seconds for a TLS handshake, on either port. */
#define HANDSHAKE_TIMEOUT 10
/* Bad commands in a row before the server hangs up (a client that talks nonsense). */
#define MAX_ERRORS 20
/* Seconds for the last words: the goodbye reply and the orderly close. */
#define CLOSE_TIMEOUT 5
/* What a client may still send after the goodbye before the socket is closed. */
#define MAX_DRAIN (1024 * 1024)

static void connection_continue (PostaciServerConnection *conn);
static void connection_start_tls (PostaciServerConnection *conn);
static void connection_greet (PostaciServerConnection *conn);

/* ---------------------------------------------------------------- */
/* Lifetime                                                         */
/* ---------------------------------------------------------------- */

void
postaci_server_connection_reset_transaction (PostaciServerConnection *conn)
{
  g_clear_pointer (&conn->mail_from, g_free);
  g_ptr_array_set_size (conn->recipients, 0);
  g_byte_array_set_size (conn->data, 0);
  conn->smtputf8 = FALSE;
  conn->too_large = FALSE;
  conn->bare_lf = FALSE;
}

static void
connection_clear (gpointer data)
{
  PostaciServerConnection *conn = data;

  g_assert (conn->deadline_id == 0);
  g_clear_object (&conn->cancellable);
  g_clear_object (&conn->reader);
  g_clear_object (&conn->stream);
  g_clear_object (&conn->connection);
  g_clear_pointer (&conn->pending, g_bytes_unref);
  g_free (conn->drain);
  g_free (conn->helo);
  postaci_server_sasl_clear (conn);
  g_free (conn->mail_from);
  g_ptr_array_unref (conn->recipients);
  /* The message may hold what a person typed: wipe it before it goes. */
  if (conn->data->len > 0)
    explicit_bzero (conn->data->data, conn->data->len);
  g_byte_array_unref (conn->data);
}

PostaciServerConnection *
postaci_server_connection_ref (PostaciServerConnection *conn)
{
  return g_rc_box_acquire (conn);
}

void
postaci_server_connection_unref (gpointer conn)
{
  g_rc_box_release_full (conn, connection_clear);
}

void
postaci_server_connection_disarm (PostaciServerConnection *conn)
{
  g_clear_handle_id (&conn->deadline_id, g_source_remove);
}

static gboolean
deadline_cb (gpointer user_data)
{
  PostaciServerConnection *conn = user_data;

  conn->deadline_id = 0;
  conn->timed_out = TRUE;
  g_cancellable_cancel (conn->cancellable);
  return G_SOURCE_REMOVE;
}

/* A fresh cancellable for the next wait, cancelled by its deadline or by stop(). */
GCancellable *
postaci_server_connection_arm (PostaciServerConnection *conn, guint seconds)
{
  postaci_server_connection_disarm (conn);
  g_clear_object (&conn->cancellable);
  conn->cancellable = g_cancellable_new ();
  conn->timed_out = FALSE;
  conn->deadline_id = g_timeout_add_seconds_full (G_PRIORITY_DEFAULT, seconds, deadline_cb,
                                                  postaci_server_connection_ref (conn),
                                                  postaci_server_connection_unref);
  return conn->cancellable;
}

/* Takes the client off the server's list (dropping that reference). */
static void
connection_detach (PostaciServerConnection *conn)
{
  PostaciLocalServer *server = g_steal_pointer (&conn->server);

  if (server != NULL)
    postaci_local_server_remove_client (server, conn);
}

static void
connection_finish (PostaciServerConnection *conn)
{
  postaci_server_connection_disarm (conn);
  if (conn->connection != NULL)
    g_io_stream_close (G_IO_STREAM (conn->connection), NULL, NULL);
  g_debug ("client %u: closed", conn->id);
  connection_detach (conn);
}

/* ---------------------------------------------------------------- */
/* Closing without a reset                                          */
/* ---------------------------------------------------------------- */

/* Closing a socket with unread input makes the kernel send a reset, which can
 * destroy our last reply on its way. So: close our side (close_notify over
 * TLS), read and drop what the client still sends until it closes, then close. */
static void
drain_cb (GObject *object, GAsyncResult *res, gpointer user_data)
{
  PostaciServerConnection *conn = user_data;
  gssize                   n = g_input_stream_read_finish (G_INPUT_STREAM (object), res, NULL);

  if (n > 0 && conn->drained < MAX_DRAIN && conn->server != NULL)
    {
      conn->drained += n;
      g_input_stream_read_async (G_INPUT_STREAM (object), conn->drain, 4096, G_PRIORITY_DEFAULT,
                                 conn->cancellable, drain_cb, conn);
      return;
    }
  connection_finish (conn);
  postaci_server_connection_unref (conn);
}

static void
close_output_cb (GObject *object, GAsyncResult *res, gpointer user_data)
{
  PostaciServerConnection *conn = user_data;
  GSocket                 *socket = g_socket_connection_get_socket (conn->connection);

  g_output_stream_close_finish (G_OUTPUT_STREAM (object), res, NULL);
  if (conn->server == NULL || g_cancellable_is_cancelled (conn->cancellable))
    {
      connection_finish (conn);
      postaci_server_connection_unref (conn);
      return;
    }
  g_socket_shutdown (socket, FALSE, TRUE, NULL);
  conn->drain = g_malloc (4096);
  g_input_stream_read_async (g_io_stream_get_input_stream (G_IO_STREAM (conn->connection)),
                             conn->drain, 4096, G_PRIORITY_DEFAULT, conn->cancellable, drain_cb,
                             conn);
}

void
postaci_server_connection_close (PostaciServerConnection *conn)
{
  GCancellable *cancellable;

  if (conn->state == CONNECTION_CLOSED)
    return;
  conn->state = CONNECTION_CLOSED;
  if (conn->server == NULL)
    {
      connection_finish (conn);
      return;
    }
  cancellable = postaci_server_connection_arm (conn, CLOSE_TIMEOUT);
  g_output_stream_close_async (g_io_stream_get_output_stream (conn->stream), G_PRIORITY_DEFAULT,
                               cancellable, close_output_cb, postaci_server_connection_ref (conn));
}

/* ---------------------------------------------------------------- */
/* Writing replies                                                  */
/* ---------------------------------------------------------------- */

static void
write_cb (GObject *object, GAsyncResult *res, gpointer user_data)
{
  PostaciServerConnection *conn = user_data;
  g_autoptr(GError) error = NULL;

  postaci_server_connection_disarm (conn);
  g_clear_pointer (&conn->pending, g_bytes_unref);
  if (!g_output_stream_write_all_finish (G_OUTPUT_STREAM (object), res, NULL, &error))
    {
      g_debug ("client %u: cannot write: %s", conn->id, error->message);
      if (conn->state != CONNECTION_CLOSED)
        {
          conn->state = CONNECTION_CLOSED;
          connection_finish (conn);
        }
      postaci_server_connection_unref (conn);
      return;
    }
  connection_continue (conn);
  postaci_server_connection_unref (conn);
}

/* Sends one reply (a single line, or several joined by "\r\n"), then moves to
 * @next: CLOSING and STARTTLS act on it, anything else reads the next line. */
void
postaci_server_connection_reply (PostaciServerConnection *conn, PostaciServerConnectionState next,
                                 const char *format, ...)
{
  va_list     args;
  GString    *text = g_string_new (NULL);
  gsize       size;
  const void *data;

  va_start (args, format);
  g_string_append_vprintf (text, format, args);
  va_end (args);
  g_string_append (text, "\r\n");
  conn->state = next;
  conn->pending = g_string_free_to_bytes (text);
  data = g_bytes_get_data (conn->pending, &size);
  /* The last words get the short deadline of a close: a client that reads nothing holds no slot. */
  g_output_stream_write_all_async (
    g_io_stream_get_output_stream (conn->stream), data, size, G_PRIORITY_DEFAULT,
    postaci_server_connection_arm (conn, next == CONNECTION_CLOSING ? CLOSE_TIMEOUT
                                                                    : conn->server->timeout),
    write_cb, postaci_server_connection_ref (conn));
}

/* A mistake by the client: answered, counted, and after too many the end. */

void
postaci_server_connection_error (PostaciServerConnection *conn, const char *format, ...)
{
  va_list          args;
  g_autofree char *text = NULL;

  va_start (args, format);
  text = g_strdup_vprintf (format, args);
  va_end (args);
  if (++conn->errors >= MAX_ERRORS)
    postaci_server_connection_reply (
      conn, CONNECTION_CLOSING, "421 4.7.0 %s Too many errors, closing the connection", HOSTNAME);
  else
    postaci_server_connection_reply (conn, conn->state, "%s", text);
}

/* ---------------------------------------------------------------- */
/* Failure on purpose                                               */
/* ---------------------------------------------------------------- */

typedef struct
{
  PostaciStage stage;
  guint        code; /* 0: any code of the stage */
  const char  *text; /* after the class digit: ".x.y text" */
} FailureText;

/* The enhanced codes (RFC 3463) are the ones real servers send in these
 * situations, so that the catalog's explanation and hint can be seen for real. */
static const FailureText failure_texts[] = {
  { POSTACI_STAGE_GREETING, 554, ".3.2 No SMTP service here" },
  { POSTACI_STAGE_GREETING, 0, ".3.2 Service not available, closing transmission channel" },
  { POSTACI_STAGE_EHLO, 0, ".5.2 Helo command rejected: need fully-qualified hostname" },
  { POSTACI_STAGE_TLS, 0, ".7.0 TLS not available due to local problem" },
  { POSTACI_STAGE_AUTH, 454, ".7.0 Temporary authentication failure" },
  { POSTACI_STAGE_AUTH, 534, ".7.9 Please log in with an application-specific password" },
  { POSTACI_STAGE_AUTH, 530, ".7.0 Must issue a STARTTLS command first" },
  { POSTACI_STAGE_AUTH, 0, ".7.8 Authentication credentials invalid" },
  { POSTACI_STAGE_MAIL, 452, ".3.1 Insufficient system storage" },
  { POSTACI_STAGE_MAIL, 0, ".7.1 Sender address rejected: not owned by user" },
  { POSTACI_STAGE_RCPT, 554, ".7.1 Relay access denied" },
  { POSTACI_STAGE_RCPT, 452, ".5.3 Too many recipients" },
  { POSTACI_STAGE_RCPT, 0,
    ".1.1 Recipient address rejected: User unknown in local recipient table" },
  { POSTACI_STAGE_DATA, 554, ".7.1 Message rejected as spam" },
  { POSTACI_STAGE_DATA, 451, ".3.0 Local error in processing" },
  { POSTACI_STAGE_DATA, 0, ".3.4 Message size exceeds fixed limit" },
};

/* The configured failure of @stage, or 0. */
guint
postaci_server_connection_failure_at (PostaciServerConnection *conn, PostaciStage stage)
{
  return conn->server != NULL ? conn->server->failures[stage] : 0;
}

/* Answers with the failure configured for @stage; 421 closes the connection. */
void
postaci_server_connection_fail (PostaciServerConnection *conn, PostaciStage stage, guint code,
                                PostaciServerConnectionState next)
{
  const char *text = ".3.0 Failure";

  if (code == 421)
    text = ".3.2 Service not available, closing transmission channel";
  else
    for (guint i = 0; i < G_N_ELEMENTS (failure_texts); i++)
      if (failure_texts[i].stage == stage &&
          (failure_texts[i].code == 0 || failure_texts[i].code == code))
        {
          text = failure_texts[i].text;
          break;
        }
  postaci_server_connection_reply (conn, code == 421 ? CONNECTION_CLOSING : next, "%u %c%s", code,
                                   '0' + code / 100, text);
}

/* ---------------------------------------------------------------- */
/* Reading                                                          */
/* ---------------------------------------------------------------- */

static void
read_cb (GObject *object, GAsyncResult *res, gpointer user_data)
{
  PostaciServerConnection *conn = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *line = NULL;
  gsize            length = 0;
  gboolean         crlf;

  postaci_server_connection_disarm (conn);
  conn->idle_since = 0;
  line = postaci_line_reader_read_line_finish (POSTACI_LINE_READER (object), res, &length, &error);
  if (conn->server == NULL || conn->state == CONNECTION_CLOSED)
    {
      postaci_server_connection_close (conn);
      postaci_server_connection_unref (conn);
      return;
    }
  if (line == NULL)
    {
      if ((conn->timed_out || conn->evicted) && conn->state == CONNECTION_SILENT)
        postaci_server_connection_close (conn); /* silent to the end */
      else if (conn->evicted)
        postaci_server_connection_reply (
          conn, CONNECTION_CLOSING,
          "421 4.4.2 %s Idle too long while the server is full, closing the connection", HOSTNAME);
      else if (conn->timed_out)
        postaci_server_connection_reply (conn, CONNECTION_CLOSING,
                                         "421 4.4.2 %s Error: timeout exceeded", HOSTNAME);
      else if (g_error_matches (error, POSTACI_LINE_READER_ERROR,
                                POSTACI_LINE_READER_ERROR_TOO_LONG))
        postaci_server_connection_reply (
          conn, CONNECTION_CLOSING, "500 5.5.2 Line too long (the limit is %d bytes)", MAX_LINE);
      else
        {
          g_debug ("client %u: %s", conn->id, error->message);
          postaci_server_connection_close (conn);
        }
      postaci_server_connection_unref (conn);
      return;
    }

  crlf = postaci_line_reader_get_last_crlf (conn->reader);
  conn->spoke = TRUE;
  switch (conn->state)
    {
    case CONNECTION_DATA:
      postaci_server_commands_data_line (conn, line, length, crlf);
      break;
    case CONNECTION_SILENT:
      postaci_server_connection_read (conn);
      break;
    case CONNECTION_AUTH:
    case CONNECTION_COMMAND:
    case CONNECTION_REFUSED:
      if (memchr (line, '\0', length) != NULL || !crlf)
        postaci_server_connection_error (
          conn, "500 5.5.2 Bad command line: a NUL byte, or a line end without CR");
      else if (conn->state == CONNECTION_AUTH)
        postaci_server_sasl_step (conn, line);
      else
        postaci_server_commands_dispatch (conn, line);
      break;
    case CONNECTION_HANDSHAKE:
    case CONNECTION_STARTTLS:
    case CONNECTION_CLOSING:
    case CONNECTION_CLOSED:
    default:
      g_assert_not_reached ();
    }
  if (line != NULL)
    explicit_bzero (line, length);
  postaci_server_connection_unref (conn);
}

void
postaci_server_connection_read (PostaciServerConnection *conn)
{
  PostaciLocalServer *server = conn->server;
  guint               seconds = server->timeout;

  /* Waiting for a command (not for the rest of a message): this client may yield its slot. */
  if (conn->state != CONNECTION_DATA)
    conn->idle_since = g_get_monotonic_time ();
  if (!conn->spoke && conn->state != CONNECTION_SILENT)
    seconds = MIN (seconds, server->first_command_timeout);
  postaci_line_reader_read_line_async (conn->reader, postaci_server_connection_arm (conn, seconds),
                                       read_cb, postaci_server_connection_ref (conn));
}

/* ---------------------------------------------------------------- */
/* TLS                                                              */
/* ---------------------------------------------------------------- */

static void
use_stream (PostaciServerConnection *conn, GIOStream *stream)
{
  g_set_object (&conn->stream, stream);
  g_clear_object (&conn->reader);
  conn->reader = postaci_line_reader_new (g_io_stream_get_input_stream (stream), MAX_LINE);
}

static void
handshake_cb (GObject *object, GAsyncResult *res, gpointer user_data)
{
  PostaciServerConnection *conn = user_data;
  g_autoptr(GError) error = NULL;

  postaci_server_connection_disarm (conn);
  conn->idle_since = 0;
  if (!g_tls_connection_handshake_finish (G_TLS_CONNECTION (object), res, &error) ||
      conn->server == NULL)
    {
      g_debug ("client %u: TLS handshake failed: %s", conn->id, error ? error->message : "stopped");
      conn->state = CONNECTION_CLOSED;
      connection_finish (conn);
      postaci_server_connection_unref (conn);
      return;
    }
  use_stream (conn, G_IO_STREAM (object));
  conn->tls = TRUE;
  if (conn->implicit_tls)
    connection_greet (conn);
  else
    {
      /* RFC 3207 §4.2: after the handshake the client starts afresh. */
      g_clear_pointer (&conn->helo, g_free);
      conn->authenticated = FALSE;
      postaci_server_connection_reset_transaction (conn);
      conn->state = CONNECTION_COMMAND;
      postaci_server_connection_read (conn);
    }
  postaci_server_connection_unref (conn);
}

static void
connection_start_tls (PostaciServerConnection *conn)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GIOStream) tls = NULL;

  /* RFC 3207 §5: whatever the client sent behind STARTTLS, before the
   * handshake, is dropped with the old reader — never read as a command. */
  if (conn->reader != NULL && postaci_line_reader_get_buffered (conn->reader) > 0)
    g_debug ("client %u: dropping bytes sent after STARTTLS", conn->id);
  /* g_tls_server_connection_new() would give each connection the system's CA database, which
   * glib-networking 2.74 reads from disk for every connection (megabytes each). A server that
   * asks for no client certificate needs none: "database" NULL. */
  if (postaci_local_server_make_certificate (conn->server, &error))
    tls = g_initable_new (g_tls_backend_get_server_connection_type (g_tls_backend_get_default ()),
                          NULL, &error, "base-io-stream", conn->connection, "certificate",
                          conn->server->certificate, "database", NULL, NULL);
  if (tls == NULL)
    {
      g_warning ("cannot start TLS: %s", error->message);
      conn->state = CONNECTION_CLOSED;
      connection_finish (conn);
      return;
    }
  conn->state = CONNECTION_HANDSHAKE;
  /* A handshake not finished yet is a wait for the peer: it may yield when the pool is full. */
  conn->idle_since = g_get_monotonic_time ();
  g_tls_connection_handshake_async (G_TLS_CONNECTION (tls), G_PRIORITY_DEFAULT,
                                    postaci_server_connection_arm (conn, HANDSHAKE_TIMEOUT),
                                    handshake_cb, postaci_server_connection_ref (conn));
}

/* After a reply is written: what its state asks for. */
static void
connection_continue (PostaciServerConnection *conn)
{
  if (conn->server == NULL)
    {
      postaci_server_connection_close (conn);
      return;
    }
  switch (conn->state)
    {
    case CONNECTION_CLOSING:
      postaci_server_connection_close (conn);
      break;
    case CONNECTION_STARTTLS:
      connection_start_tls (conn);
      break;
    case CONNECTION_CLOSED:
      break;
    case CONNECTION_COMMAND:
    case CONNECTION_REFUSED:
    case CONNECTION_AUTH:
    case CONNECTION_DATA:
    case CONNECTION_SILENT:
    case CONNECTION_HANDSHAKE:
    default:
      postaci_server_connection_read (conn);
      break;
    }
}

static void
connection_greet (PostaciServerConnection *conn)
{
  PostaciLocalServer *server = conn->server;
  guint               failure;

  if (server == NULL)
    {
      postaci_server_connection_close (conn);
      return;
    }
  failure = server->failures[POSTACI_STAGE_GREETING];
  /* After an implicit TLS handshake the client leaves the handshake pool for a slot (counted
   * already on the plain port, before the greeting). */
  if (conn->implicit_tls && postaci_local_server_count_slots (server, FALSE) > MAX_CLIENTS &&
      !postaci_local_server_make_room (server, FALSE, conn))
    postaci_server_connection_reply (conn, CONNECTION_CLOSING, TOO_MANY_REPLY, HOSTNAME);
  else if (failure == POSTACI_LOCAL_SERVER_SILENT)
    {
      conn->state = CONNECTION_SILENT;
      postaci_server_connection_read (conn);
    }
  else if (failure != 0)
    postaci_server_connection_fail (conn, POSTACI_STAGE_GREETING, failure, CONNECTION_REFUSED);
  else
    postaci_server_connection_reply (
      conn, CONNECTION_COMMAND,
      "220 %s ESMTP Postaci local test server ready (a sink: nothing is forwarded)", HOSTNAME);
}

/* ---------------------------------------------------------------- */
/* Beginning and abandoning                                         */
/* ---------------------------------------------------------------- */

void
postaci_server_connection_start (PostaciLocalServer *server, GSocketConnection *connection,
                                 gboolean implicit_tls)
{
  PostaciServerConnection *conn = g_rc_box_new0 (PostaciServerConnection);

  conn->server = server;
  conn->id = ++server->next_client_id;
  conn->connection = g_object_ref (connection);
  conn->recipients = g_ptr_array_new_with_free_func (g_free);
  conn->data = g_byte_array_new ();
  conn->implicit_tls = implicit_tls;
  postaci_local_server_add_client (server, conn);
  use_stream (conn, G_IO_STREAM (connection));
  g_debug ("client %u: connected (%s)", conn->id, implicit_tls ? "TLS" : "plain");

  if (conn->implicit_tls)
    connection_start_tls (conn);
  else
    connection_greet (conn);
}

void
postaci_server_connection_abandon (PostaciServerConnection *conn)
{
  conn->server = NULL;
  postaci_server_connection_disarm (conn);
  if (conn->cancellable != NULL)
    g_cancellable_cancel (conn->cancellable);
  if (conn->state != CONNECTION_CLOSED)
    {
      conn->state = CONNECTION_CLOSED;
      g_io_stream_close (G_IO_STREAM (conn->connection), NULL, NULL);
    }
}
