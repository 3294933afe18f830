/* SPDX-License-Identifier: GPL-3.0-or-later */
/* postaci-scripted-server.c — a scripted SMTP server on the test's own main loop, for session
 * tests (not the product's Local Test Server, which is src/server). */
#define G_LOG_DOMAIN "postaci-scripted-server"

#include "config.h"

#include <string.h>

#include "postaci-scripted-server.h"

#define READ_CHUNK 16384

/* A ClientHello fits easily in this; more is not needed to find the server name. */
#define PEEK_SIZE 16384

/* The most an error message quotes of a line. */
#define QUOTE_MAX 200

typedef struct {
  PostaciScriptStepKind  kind;
  GBytes              *data;
  guint                delay_ms;
} Step;

struct _PostaciScriptedServer {
  Step                  *steps;
  guint                  n_steps;
  PostaciScriptedServerMode  mode;
  GTlsCertificate       *certificate;
  GMainContext          *context;
  GCancellable          *cancellable;

  GSocketListener       *listener;
  GSocket               *twin;        /* the port on the other loopback address, held unheard */
  guint16                port;

  GSocketConnection     *connection;
  GIOStream             *stream;      /* connection, or the TLS connection over it */
  GSource               *source;      /* the one timer or socket watch in flight, if any */

  GByteArray            *inbuf;       /* received and not yet consumed by a step */
  GByteArray            *received;    /* everything the client sent */
  GByteArray            *data_acc;    /* the READ_DATA in progress */
  GBytes                *data;        /* the last completed READ_DATA */
  GString               *echo;        /* lines taken since the last SEND_ECHO */
  GBytes                *echo_out;    /* the SEND_ECHO being written */

  guint                  step;
  gsize                  slow_pos;    /* next byte of a SEND_SLOWLY */
  gboolean               read_started; /* the current EXPECT_READ asked for its read */

  gboolean               connected;
  gboolean               peer_closed;
  gboolean               closing;
  gboolean               finished;
  gboolean               freed;
  gboolean               tls_active;

  char                  *error;
  char                  *tls_error;
  char                  *sni;

  guint8                 read_buffer[READ_CHUNK];
};

static guint n_alive;

static void run_script (PostaciScriptedServer *server);

static void
server_clear (gpointer data)
{
  PostaciScriptedServer *server = data;
  guint i;

  for (i = 0; i < server->n_steps; i++)
    g_clear_pointer (&server->steps[i].data, g_bytes_unref);
  g_free (server->steps);
  g_clear_object (&server->certificate);
  g_clear_object (&server->cancellable);
  g_clear_object (&server->listener);
  g_clear_object (&server->twin);
  g_clear_object (&server->stream);
  g_clear_object (&server->connection);
  g_assert (server->source == NULL);
  g_clear_pointer (&server->inbuf, g_byte_array_unref);
  if (server->echo != NULL)
    g_string_free (server->echo, TRUE);
  g_clear_pointer (&server->echo_out, g_bytes_unref);
  g_clear_pointer (&server->received, g_byte_array_unref);
  g_clear_pointer (&server->data_acc, g_byte_array_unref);
  g_clear_pointer (&server->data, g_bytes_unref);
  g_clear_pointer (&server->error, g_free);
  g_clear_pointer (&server->tls_error, g_free);
  g_clear_pointer (&server->sni, g_free);
  g_clear_pointer (&server->context, g_main_context_unref);
  n_alive--;
}

/* Every pending operation holds a reference, so a callback that runs after
 * postaci_scripted_server_free() still finds the memory and sees `freed`. */
static PostaciScriptedServer *
server_ref (PostaciScriptedServer *server)
{
  return g_rc_box_acquire (server);
}

static void
server_unref (gpointer server)
{
  g_rc_box_release_full (server, server_clear);
}

/* Printable ASCII as is, everything else escaped, long lines cut: error
 * messages must stay readable whatever the client sent. */
static char *
quote (const guint8 *data,
       gsize         len)
{
  GString *out = g_string_new (NULL);
  gsize i;

  for (i = 0; i < len && out->len < QUOTE_MAX; i++)
    {
      if (data[i] == '\r')
        g_string_append (out, "\\r");
      else if (data[i] == '\n')
        g_string_append (out, "\\n");
      else if (data[i] == '\t')
        g_string_append (out, "\\t");
      else if (data[i] == '\\')
        g_string_append (out, "\\\\");
      else if (data[i] >= 0x20 && data[i] < 0x7f)
        g_string_append_c (out, data[i]);
      else
        g_string_append_printf (out, "\\x%02x", data[i]);
    }
  if (i < len)
    g_string_append_printf (out, "... (%" G_GSIZE_FORMAT " bytes)", len);

  return g_string_free (out, FALSE);
}

static Step *
current_step (PostaciScriptedServer *server)
{
  g_assert (server->step < server->n_steps);
  return &server->steps[server->step];
}

static gboolean
step_wants_input (PostaciScriptStepKind kind)
{
  return kind == POSTACI_SCRIPT_STEP_EXPECT || kind == POSTACI_SCRIPT_STEP_EXPECT_PREFIX ||
         kind == POSTACI_SCRIPT_STEP_READ_LINE || kind == POSTACI_SCRIPT_STEP_READ_DATA ||
         kind == POSTACI_SCRIPT_STEP_EXPECT_READ;
}

static gboolean
script_wants_input_from (PostaciScriptedServer *server,
                         guint              first)
{
  guint i;

  for (i = first; i < server->n_steps; i++)
    {
      if (server->steps[i].kind == POSTACI_SCRIPT_STEP_CLOSE ||
          server->steps[i].kind == POSTACI_SCRIPT_STEP_CLOSE_IN_HANDSHAKE)
        return FALSE;
      if (step_wants_input (server->steps[i].kind))
        return TRUE;
    }
  return FALSE;
}

static void
record_received (PostaciScriptedServer *server,
                 const guint8      *data,
                 gsize              len)
{
  g_byte_array_append (server->received, data, len);
}

/* Takes what the client already sent before closing, so that the close does
 * not become a reset (unread data) that could destroy our last reply. */
static void
drain_input (PostaciScriptedServer *server)
{
  GInputStream *input;
  gsize total = 0;

  if (server->stream == NULL || server->peer_closed)
    return;

  input = g_io_stream_get_input_stream (server->stream);
  if (!G_IS_POLLABLE_INPUT_STREAM (input) ||
      !g_pollable_input_stream_can_poll (G_POLLABLE_INPUT_STREAM (input)))
    return;

  /* Bounded, so that a client that never stops writing cannot keep us here. */
  while (total < 16 * READ_CHUNK)
    {
      gssize n = g_pollable_input_stream_read_nonblocking (G_POLLABLE_INPUT_STREAM (input),
                                                           server->read_buffer, READ_CHUNK,
                                                           NULL, NULL);
      if (n <= 0)
        break;
      record_received (server, server->read_buffer, n);
      total += n;
    }
}

static void
close_cb (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  PostaciScriptedServer *server = user_data;

  /* A peer that already left makes the close fail; that is still a close. */
  g_io_stream_close_finish (G_IO_STREAM (source), result, NULL);
  server->finished = TRUE;
  server_unref (server);
}

static void
finish_connection (PostaciScriptedServer *server)
{
  if (server->closing || server->finished)
    return;
  server->closing = TRUE;

  if (server->stream == NULL)
    {
      server->finished = TRUE;
      return;
    }

  drain_input (server);
  g_io_stream_close_async (server->stream, G_PRIORITY_DEFAULT, server->cancellable,
                           close_cb, server_ref (server));
}

static void fail (PostaciScriptedServer *server,
                  const char        *format,
                  ...) G_GNUC_PRINTF (2, 3);

/* The first failure is the one worth reading; it ends the script. */
static void
fail (PostaciScriptedServer *server,
      const char        *format,
      ...)
{
  va_list args;

  if (server->error == NULL)
    {
      va_start (args, format);
      server->error = g_strdup_vprintf (format, args);
      va_end (args);
      g_debug ("%s", server->error);
    }
  finish_connection (server);
}

/* The client went away or TLS failed outside a reading step: only an error
 * when the script still wanted to hear from the client. */
static void
connection_lost (PostaciScriptedServer *server,
                 guint              first_step,
                 const char        *what)
{
  if (script_wants_input_from (server, first_step))
    fail (server, "%s", what);
  else
    {
      g_debug ("script ends quietly: %s", what);
      finish_connection (server);
    }
}

static void
attach_source (PostaciScriptedServer *server,
               GSource           *source,
               GSourceFunc        callback)
{
  g_assert (server->source == NULL);
  g_source_set_callback (source, callback, server_ref (server), server_unref);
  g_source_attach (source, server->context);
  server->source = source;
}

static gboolean
timer_cb (gpointer user_data)
{
  PostaciScriptedServer *server = user_data;
  Step *step;

  g_clear_pointer (&server->source, g_source_unref);
  if (server->freed)
    return G_SOURCE_REMOVE;

  step = current_step (server);
  if (step->kind == POSTACI_SCRIPT_STEP_SLEEP)
    server->step++;
  run_script (server);

  return G_SOURCE_REMOVE;
}

static void
start_timer (PostaciScriptedServer *server,
             guint              delay_ms)
{
  attach_source (server, g_timeout_source_new (delay_ms), timer_cb);
}

/* Takes one line (up to and including LF) off the input buffer, or returns NULL. */
static GBytes *
take_line (PostaciScriptedServer *server)
{
  /* An empty GByteArray may have no data pointer at all, and memchr wants one. */
  const guint8 *lf = server->inbuf->len > 0
                     ? memchr (server->inbuf->data, '\n', server->inbuf->len) : NULL;
  gsize len;
  GBytes *line;

  if (lf == NULL)
    return NULL;

  len = lf - server->inbuf->data + 1;
  line = g_bytes_new (server->inbuf->data, len);
  if (server->echo->len > 0)
    g_string_append_c (server->echo, ' ');
  g_string_append_len (server->echo, (const char *) server->inbuf->data,
                       (gssize) (len - (len >= 2 && lf[-1] == '\r' ? 2 : 1)));
  g_byte_array_remove_range (server->inbuf, 0, len);

  return line;
}

/* Moves whole lines of message data from the input buffer to data_acc until the line ".";
 * TRUE once it was seen. The buffer is shifted once per call, not once per line, so that
 * tens of megabytes of short lines cost linear time. */
static gboolean
take_data_lines (PostaciScriptedServer *server)
{
  const guint8 *data = server->inbuf->data;
  gsize len = server->inbuf->len;
  gsize pos = 0;
  gboolean done = FALSE;

  while (!done && pos < len)
    {
      const guint8 *lf = memchr (data + pos, '\n', len - pos);
      gsize line_len;

      if (lf == NULL)
        break;
      line_len = (gsize) (lf - (data + pos)) + 1;
      if (line_len == 3 && memcmp (data + pos, ".\r\n", 3) == 0)
        done = TRUE;
      else
        g_byte_array_append (server->data_acc, data + pos, line_len);
      pos += line_len;
    }
  g_byte_array_remove_range (server->inbuf, 0, pos);
  return done;
}

static void
read_cb (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  PostaciScriptedServer *server = user_data;
  g_autoptr(GError) error = NULL;
  gssize n;

  n = g_input_stream_read_finish (G_INPUT_STREAM (source), result, &error);
  if (server->freed)
    goto out;

  if (n > 0)
    {
      record_received (server, server->read_buffer, n);
      g_byte_array_append (server->inbuf, server->read_buffer, n);
    }
  else if (n == 0 ||
           g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CONNECTION_CLOSED) ||
           g_error_matches (error, G_TLS_ERROR, G_TLS_ERROR_EOF))
    {
      server->peer_closed = TRUE;
    }
  else
    {
      fail (server, "step %u: read failed: %s", server->step, error->message);
      goto out;
    }

  run_script (server);

out:
  server_unref (server);
}

/* The client closed while the current step waited for input. */
static void
handle_peer_closed (PostaciScriptedServer *server)
{
  Step *step = current_step (server);
  g_autofree char *expected = NULL;
  g_autofree char *left = NULL;

  switch (step->kind)
    {
    case POSTACI_SCRIPT_STEP_STALL:
    case POSTACI_SCRIPT_STEP_EXPECT_CLOSE:
      server->step++;
      run_script (server);
      return;

    case POSTACI_SCRIPT_STEP_EXPECT:
      expected = g_strdup_printf ("expected '%s'", (const char *) g_bytes_get_data (step->data, NULL));
      break;
    case POSTACI_SCRIPT_STEP_EXPECT_PREFIX:
      expected = g_strdup_printf ("expected a line starting with '%s'",
                                  (const char *) g_bytes_get_data (step->data, NULL));
      break;
    case POSTACI_SCRIPT_STEP_READ_LINE:
      expected = g_strdup ("expected a line");
      break;
    case POSTACI_SCRIPT_STEP_READ_DATA:
      expected = g_strdup ("expected message data ending in a line '.'");
      break;
    case POSTACI_SCRIPT_STEP_EXPECT_READ:
      expected = g_strdup_printf ("expected one read of '%s'",
                                  (const char *) g_bytes_get_data (step->data, NULL));
      break;
    default:
      g_assert_not_reached ();
    }

  if (server->inbuf->len > 0)
    {
      g_autofree char *partial = quote (server->inbuf->data, server->inbuf->len);
      left = g_strdup_printf ("; it left an unfinished line '%s'", partial);
    }
  fail (server, "client closed at step %u (%s%s)", server->step, expected, left ? left : "");
}

/* Reads more for the current step, or reports that there will be no more. */
static void
need_input (PostaciScriptedServer *server)
{
  if (server->peer_closed)
    {
      handle_peer_closed (server);
      return;
    }

  g_input_stream_read_async (g_io_stream_get_input_stream (server->stream),
                             server->read_buffer, READ_CHUNK, G_PRIORITY_DEFAULT,
                             server->cancellable, read_cb, server_ref (server));
}

static void
write_cb (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  PostaciScriptedServer *server = user_data;
  g_autoptr(GError) error = NULL;
  Step *step;

  g_output_stream_write_all_finish (G_OUTPUT_STREAM (source), result, NULL, &error);
  if (server->freed)
    goto out;

  if (error != NULL)
    {
      g_autofree char *what = g_strdup_printf ("step %u: write failed: %s", server->step,
                                               error->message);
      connection_lost (server, server->step, what);
      goto out;
    }

  step = current_step (server);
  if (step->kind == POSTACI_SCRIPT_STEP_SEND_SLOWLY)
    {
      server->slow_pos++;
      if (server->slow_pos < g_bytes_get_size (step->data))
        {
          start_timer (server, step->delay_ms);
          goto out;
        }
      server->slow_pos = 0;
    }
  server->step++;
  run_script (server);

out:
  server_unref (server);
}

static void
start_write (PostaciScriptedServer *server,
             const guint8      *data,
             gsize              len)
{
  g_output_stream_write_all_async (g_io_stream_get_output_stream (server->stream), data, len,
                                   G_PRIORITY_DEFAULT, server->cancellable, write_cb,
                                   server_ref (server));
}

/* Finds the server_name extension in a TLS ClientHello record (RFC 8446
 * §4.1.2, RFC 6066 §3). Anything short or odd gives NULL: this is a test
 * aid, not a parser anybody relies on for security. */
static char *
parse_sni (const guint8 *p,
           gsize         n)
{
  gsize pos = 5;
  gsize end;
  gsize ext_end;

  if (n < 5 || p[0] != 0x16)
    return NULL;
  end = MIN (n, 5 + (gsize) ((p[3] << 8) | p[4]));

  if (pos + 4 > end || p[pos] != 1) /* handshake type client_hello */
    return NULL;
  pos += 4 + 2 + 32; /* handshake header, legacy_version, random */
  if (pos + 1 > end)
    return NULL;
  pos += 1 + p[pos]; /* session id */
  if (pos + 2 > end)
    return NULL;
  pos += 2 + ((p[pos] << 8) | p[pos + 1]); /* cipher suites */
  if (pos + 1 > end)
    return NULL;
  pos += 1 + p[pos]; /* compression methods */
  if (pos + 2 > end)
    return NULL;
  ext_end = MIN (end, pos + 2 + ((p[pos] << 8) | p[pos + 1]));
  pos += 2;

  while (pos + 4 <= ext_end)
    {
      guint type = (p[pos] << 8) | p[pos + 1];
      gsize len = (p[pos + 2] << 8) | p[pos + 3];

      pos += 4;
      if (pos + len > ext_end)
        return NULL;
      if (type == 0)
        {
          gsize name_len;

          /* server_name_list length (2), name_type (1), HostName length (2) */
          if (len < 5 || p[pos + 2] != 0)
            return NULL;
          name_len = (p[pos + 3] << 8) | p[pos + 4];
          if (5 + name_len > len)
            return NULL;
          return g_strndup ((const char *) p + pos + 5, name_len);
        }
      pos += len;
    }

  return NULL;
}

static gboolean
implicit_handshake_pending (PostaciScriptedServer *server)
{
  return server->mode == POSTACI_SCRIPTED_SERVER_IMPLICIT_TLS && !server->tls_active &&
         server->step == 0;
}

static void
handshake_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  PostaciScriptedServer *server = user_data;
  g_autoptr(GError) error = NULL;
  gboolean implicit;

  g_tls_connection_handshake_finish (G_TLS_CONNECTION (source), result, &error);
  if (server->freed)
    goto out;

  implicit = implicit_handshake_pending (server);
  if (error != NULL)
    {
      g_autofree char *what = NULL;

      server->tls_error = g_strdup (error->message);
      if (implicit)
        what = g_strdup_printf ("implicit TLS handshake failed: %s", error->message);
      else
        what = g_strdup_printf ("step %u: TLS handshake failed: %s", server->step, error->message);
      connection_lost (server, implicit ? 0 : server->step + 1, what);
      goto out;
    }

  g_set_object (&server->stream, G_IO_STREAM (source));
  server->tls_active = TRUE;
  if (!implicit)
    server->step++;
  run_script (server);

out:
  server_unref (server);
}

static void
start_handshake (PostaciScriptedServer *server)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GIOStream) tls = NULL;

  tls = g_tls_server_connection_new (G_IO_STREAM (server->connection), server->certificate,
                                     &error);
  if (tls == NULL)
    {
      fail (server, "step %u: cannot start TLS: %s", server->step, error->message);
      return;
    }
  /* A client that just drops the connection is an EOF to us, not an attack. */
  g_tls_connection_set_require_close_notify (G_TLS_CONNECTION (tls), FALSE);
  g_tls_connection_handshake_async (G_TLS_CONNECTION (tls), G_PRIORITY_DEFAULT,
                                    server->cancellable, handshake_cb, server_ref (server));
}

static gboolean hello_ready_cb (GSocket      *socket,
                                GIOCondition  condition,
                                gpointer      user_data);

static void
wait_for_hello (PostaciScriptedServer *server)
{
  GSocket *socket = g_socket_connection_get_socket (server->connection);

  attach_source (server, g_socket_create_source (socket, G_IO_IN, NULL),
                 G_SOURCE_FUNC (hello_ready_cb));
}

/* The client has sent something after STARTTLS (or on connect, for implicit
 * TLS): peek at it before the TLS library reads it. */
static gboolean
hello_ready_cb (GSocket      *socket,
                GIOCondition  condition,
                gpointer      user_data)
{
  PostaciScriptedServer *server = user_data;
  guint8 peek[PEEK_SIZE];
  GInputVector vector = { peek, sizeof peek };
  gint flags = G_SOCKET_MSG_PEEK;
  gssize n;
  gsize plain = 0;

  g_clear_pointer (&server->source, g_source_unref);
  if (server->freed)
    return G_SOURCE_REMOVE;

  n = g_socket_receive_message (socket, NULL, &vector, 1, NULL, NULL, &flags, NULL, NULL);
  if (n > 0 && !implicit_handshake_pending (server))
    {
      /* Plain text after STARTTLS: a TLS record starts with 0x16, SMTP text
       * never holds that byte. Take those bytes off the socket as received. */
      while (plain < (gsize) n && peek[plain] != 0x16)
        plain++;
      if (plain > 0)
        {
          gssize got = g_socket_receive (socket, (char *) peek, plain, NULL, NULL);

          if (got > 0)
            record_received (server, peek, got);
          wait_for_hello (server);
          return G_SOURCE_REMOVE;
        }
    }

  if (n > 0)
    server->sni = parse_sni (peek, n);
  if (current_step (server)->kind == POSTACI_SCRIPT_STEP_CLOSE_IN_HANDSHAKE)
    {
      /* Take the hello off the socket unrecorded (it is not SMTP), so that closing
       * sends a FIN and not a reset, then leave it unanswered. */
      if (n > 0)
        g_socket_receive (socket, (char *) peek, n, NULL, NULL);
      finish_connection (server);
      return G_SOURCE_REMOVE;
    }
  start_handshake (server);

  return G_SOURCE_REMOVE;
}

static void
start_tls (PostaciScriptedServer *server)
{
  if (server->certificate == NULL)
    {
      fail (server, "step %u: TLS needs a certificate, and the server has none", server->step);
      return;
    }
  if (server->tls_active)
    {
      fail (server, "step %u: TLS is already active", server->step);
      return;
    }

  /* Plain bytes the client sent behind "STARTTLS\r\n" are already in
   * `received`; they can never be part of the TLS stream. */
  g_byte_array_set_size (server->inbuf, 0);
  wait_for_hello (server);
}

/* Runs steps until one has to wait for the network or a timer. */
static void
run_script (PostaciScriptedServer *server)
{
  while (!server->closing && !server->finished && !server->freed)
    {
      Step *step = current_step (server);
      g_autoptr(GBytes) line = NULL;
      gsize size = step->data ? g_bytes_get_size (step->data) : 0;
      const guint8 *data = step->data ? g_bytes_get_data (step->data, NULL) : NULL;

      switch (step->kind)
        {
        case POSTACI_SCRIPT_STEP_SEND:
          if (size == 0)
            break;
          start_write (server, data, size);
          return;

        case POSTACI_SCRIPT_STEP_SEND_SLOWLY:
          if (size == 0)
            break;
          start_write (server, data + server->slow_pos, 1);
          return;

        case POSTACI_SCRIPT_STEP_SEND_ECHO:
          {
            GString *out = g_string_new_len ((const char *) data, (gssize) size);

            g_string_append_len (out, server->echo->str, (gssize) server->echo->len);
            g_string_append (out, "\r\n");
            g_string_truncate (server->echo, 0);
            g_clear_pointer (&server->echo_out, g_bytes_unref);
            server->echo_out = g_string_free_to_bytes (out);
            start_write (server, g_bytes_get_data (server->echo_out, NULL),
                         g_bytes_get_size (server->echo_out));
          }
          return;

        case POSTACI_SCRIPT_STEP_EXPECT:
        case POSTACI_SCRIPT_STEP_EXPECT_PREFIX:
        case POSTACI_SCRIPT_STEP_READ_LINE:
          {
            gsize len;
            const char *text;
            gboolean crlf;

            line = take_line (server);
            if (line == NULL)
              {
                need_input (server);
                return;
              }
            if (step->kind == POSTACI_SCRIPT_STEP_READ_LINE)
              break;

            text = g_bytes_get_data (line, &len);
            crlf = len >= 2 && text[len - 2] == '\r';
            len -= crlf ? 2 : 1;
            if (!crlf ||
                (step->kind == POSTACI_SCRIPT_STEP_EXPECT &&
                 (len != size || memcmp (text, data, size) != 0)) ||
                (step->kind == POSTACI_SCRIPT_STEP_EXPECT_PREFIX &&
                 (len < size || memcmp (text, data, size) != 0)))
              {
                /* Without the CRLF when there is one; a bare LF is shown. */
                g_autofree char *got = quote ((const guint8 *) text, crlf ? len : len + 1);

                fail (server, "step %u: expected %s'%s' got '%s'%s", server->step,
                      step->kind == POSTACI_SCRIPT_STEP_EXPECT_PREFIX ? "a line starting with " : "",
                      (const char *) data, got,
                      crlf ? "" : " (the line does not end in CRLF)");
                return;
              }
          }
          break;

        case POSTACI_SCRIPT_STEP_READ_DATA:
          if (!take_data_lines (server))
            {
              need_input (server);
              return;
            }
          g_clear_pointer (&server->data, g_bytes_unref);
          server->data = g_bytes_new (server->data_acc->data, server->data_acc->len);
          g_byte_array_set_size (server->data_acc, 0);
          break;

        case POSTACI_SCRIPT_STEP_EXPECT_READ:
          if (!server->read_started)
            {
              if (server->inbuf->len > 0)
                {
                  g_autofree char *got = quote (server->inbuf->data, server->inbuf->len);

                  fail (server, "step %u: expected one read of '%s', but '%s' was already "
                        "there", server->step, (const char *) data, got);
                  return;
                }
              server->read_started = TRUE;
              need_input (server);
              return;
            }
          server->read_started = FALSE;
          if (server->inbuf->len != size || memcmp (server->inbuf->data, data, size) != 0)
            {
              g_autofree char *got = quote (server->inbuf->data, server->inbuf->len);

              fail (server, "step %u: expected one read of '%s' got '%s'", server->step,
                    (const char *) data, got);
              return;
            }
          g_byte_array_set_size (server->inbuf, 0);
          break;

        case POSTACI_SCRIPT_STEP_STARTTLS:
          start_tls (server);
          return;

        case POSTACI_SCRIPT_STEP_CLOSE_IN_HANDSHAKE:
          g_byte_array_set_size (server->inbuf, 0);
          wait_for_hello (server);
          return;

        case POSTACI_SCRIPT_STEP_STALL:
          g_byte_array_set_size (server->inbuf, 0);
          need_input (server);
          return;

        case POSTACI_SCRIPT_STEP_SLEEP:
          start_timer (server, step->delay_ms);
          return;

        case POSTACI_SCRIPT_STEP_EXPECT_CLOSE:
          if (server->inbuf->len > 0)
            {
              g_autofree char *got = quote (server->inbuf->data, server->inbuf->len);

              fail (server, "step %u: expected the client to close, got '%s'", server->step, got);
              return;
            }
          need_input (server);
          return;

        case POSTACI_SCRIPT_STEP_CLOSE:
        case POSTACI_SCRIPT_STEP_END:
          finish_connection (server);
          return;

        default:
          g_assert_not_reached ();
        }

      server->step++;
    }
}

static void
accept_cb (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  PostaciScriptedServer *server = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GSocketConnection) connection = NULL;

  connection = g_socket_listener_accept_finish (G_SOCKET_LISTENER (source), result, NULL, &error);
  if (server->freed)
    goto out;

  /* Exactly one client: later connection attempts are refused. */
  g_socket_listener_close (server->listener);

  if (connection == NULL)
    {
      server->error = g_strdup_printf ("accept failed: %s", error->message);
      server->finished = TRUE;
      goto out;
    }

  server->connected = TRUE;
  server->connection = g_object_ref (connection);
  server->stream = G_IO_STREAM (g_object_ref (connection));

  if (server->mode == POSTACI_SCRIPTED_SERVER_IMPLICIT_TLS)
    start_tls (server);
  else
    run_script (server);

out:
  server_unref (server);
}

/* The port on the other loopback address (::1 for 127.0.0.1, and the other way round), bound
 * without listening. A client of "localhost" tries [::1] first and must be refused there, as
 * always, and never reach a server of another test that got the same port on ::1: the suites
 * run in parallel. Bound without SO_REUSEADDR, nobody else can take it while this server lives.
 * NULL when another socket has the port there (@taken) or the machine lacks that address. */
static GSocket *
reserve_twin (GInetAddress *address,
              guint16       port,
              gboolean     *taken)
{
  GSocketFamily family = g_inet_address_get_family (address) == G_SOCKET_FAMILY_IPV4
                         ? G_SOCKET_FAMILY_IPV6 : G_SOCKET_FAMILY_IPV4;
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (family);
  g_autoptr(GSocketAddress) twin_address = g_inet_socket_address_new (loopback, port);
  g_autoptr(GError) error = NULL;
  g_autoptr(GSocket) socket = NULL;

  *taken = FALSE;
  if (!g_inet_address_get_is_loopback (address))
    return NULL;
  socket = g_socket_new (family, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, NULL);
  if (socket == NULL)
    return NULL;
  if (!g_socket_bind (socket, twin_address, FALSE, &error))
    {
      *taken = g_error_matches (error, G_IO_ERROR, G_IO_ERROR_ADDRESS_IN_USE);
      return NULL;
    }
  return g_steal_pointer (&socket);
}

/* @copies copies of @data, with a NUL after the bytes, so that error messages can print
 * EXPECT strings. */
static GBytes *
copy_step_data (const char *data,
                gsize       len,
                guint       copies)
{
  char *copy = g_malloc (len * copies + 1);
  guint i;

  for (i = 0; i < copies; i++)
    memcpy (copy + i * len, data, len);
  copy[len * copies] = '\0';
  return g_bytes_new_take (copy, len * copies);
}

PostaciScriptedServer *
postaci_scripted_server_new (const PostaciScriptStep *script,
                         PostaciScriptedServerMode  mode,
                         GTlsCertificate       *certificate,
                         const char            *bind_address)
{
  PostaciScriptedServer *server;
  g_autoptr(GInetAddress) address = NULL;
  g_autoptr(GSocketAddress) socket_address = NULL;
  guint n = 0;
  guint i;

  g_return_val_if_fail (script != NULL, NULL);
  g_return_val_if_fail (bind_address != NULL, NULL);
  g_return_val_if_fail (certificate == NULL || G_IS_TLS_CERTIFICATE (certificate), NULL);

  while (script[n].kind != POSTACI_SCRIPT_STEP_END)
    n++;
  n++;

  server = g_rc_box_new0 (PostaciScriptedServer);
  n_alive++;
  server->n_steps = n;
  server->steps = g_new0 (Step, n);
  for (i = 0; i < n; i++)
    {
      const PostaciScriptStep *in = &script[i];

      server->steps[i].kind = in->kind;
      server->steps[i].delay_ms = in->delay_ms;
      if (in->data != NULL)
        server->steps[i].data = copy_step_data (in->data,
                                                in->len < 0 ? strlen (in->data) : (gsize) in->len,
                                                MAX (in->repeat, 1));
      else if (in->kind == POSTACI_SCRIPT_STEP_SEND || in->kind == POSTACI_SCRIPT_STEP_SEND_SLOWLY ||
               in->kind == POSTACI_SCRIPT_STEP_EXPECT ||
               in->kind == POSTACI_SCRIPT_STEP_EXPECT_PREFIX ||
               in->kind == POSTACI_SCRIPT_STEP_EXPECT_READ)
        server->steps[i].data = copy_step_data ("", 0, 1);
    }

  server->mode = mode;
  server->certificate = certificate ? g_object_ref (certificate) : NULL;
  server->context = g_main_context_ref_thread_default ();
  server->cancellable = g_cancellable_new ();
  server->inbuf = g_byte_array_new ();
  server->received = g_byte_array_new ();
  server->data_acc = g_byte_array_new ();
  server->echo = g_string_new (NULL);

  address = g_inet_address_new_from_string (bind_address);
  g_assert_nonnull (address);
  socket_address = g_inet_socket_address_new (address, 0);
  /* A free port here that is taken on the other loopback address: another one. */
  for (guint attempt = 0; attempt < 16; attempt++)
    {
      g_autoptr(GSocketAddress) effective = NULL;
      g_autoptr(GError) error = NULL;
      gboolean taken;

      g_clear_object (&server->listener);
      server->listener = g_socket_listener_new ();
      g_socket_listener_add_address (server->listener, socket_address, G_SOCKET_TYPE_STREAM,
                                     G_SOCKET_PROTOCOL_TCP, NULL, &effective, &error);
      g_assert_no_error (error);
      server->port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (effective));
      server->twin = reserve_twin (address, server->port, &taken);
      if (!taken)
        break;
      g_socket_listener_close (server->listener);
    }

  g_socket_listener_accept_async (server->listener, server->cancellable, accept_cb,
                                  server_ref (server));

  return server;
}

guint16
postaci_scripted_server_get_port (PostaciScriptedServer *server)
{
  g_return_val_if_fail (server != NULL, 0);
  return server->port;
}

gboolean
postaci_scripted_server_is_connected (PostaciScriptedServer *server)
{
  g_return_val_if_fail (server != NULL, FALSE);
  return server->connected;
}

gboolean
postaci_scripted_server_is_finished (PostaciScriptedServer *server)
{
  g_return_val_if_fail (server != NULL, FALSE);
  return server->finished;
}

const char *
postaci_scripted_server_get_error (PostaciScriptedServer *server)
{
  g_return_val_if_fail (server != NULL, NULL);
  return server->error;
}

GBytes *
postaci_scripted_server_get_received (PostaciScriptedServer *server)
{
  g_return_val_if_fail (server != NULL, NULL);
  return g_bytes_new (server->received->data, server->received->len);
}

GBytes *
postaci_scripted_server_get_data (PostaciScriptedServer *server)
{
  g_return_val_if_fail (server != NULL, NULL);
  return server->data ? g_bytes_ref (server->data) : NULL;
}

gboolean
postaci_scripted_server_get_tls_active (PostaciScriptedServer *server)
{
  g_return_val_if_fail (server != NULL, FALSE);
  return server->tls_active;
}

const char *
postaci_scripted_server_get_tls_error (PostaciScriptedServer *server)
{
  g_return_val_if_fail (server != NULL, NULL);
  return server->tls_error;
}

const char *
postaci_scripted_server_get_sni (PostaciScriptedServer *server)
{
  g_return_val_if_fail (server != NULL, NULL);
  return server->sni;
}

void
postaci_scripted_server_free (PostaciScriptedServer *server)
{
  if (server == NULL)
    return;
  g_return_if_fail (!server->freed);

  server->freed = TRUE;
  g_cancellable_cancel (server->cancellable);
  if (server->source != NULL)
    {
      g_source_destroy (server->source);
      g_clear_pointer (&server->source, g_source_unref);
    }
  g_socket_listener_close (server->listener);
  if (server->twin != NULL)
    g_socket_close (server->twin, NULL);
  /* Shut down rather than close: a TLS thread may still hold the socket, and
   * the client should see EOF now, not when the last reference goes. */
  if (server->connection != NULL)
    g_socket_shutdown (g_socket_connection_get_socket (server->connection), TRUE, TRUE, NULL);

  server_unref (server);
}

guint
postaci_scripted_server_count_alive (void)
{
  return n_alive;
}

static gboolean
all_released (gpointer unused)
{
  return n_alive == 0;
}

void
postaci_scripted_server_wait_all_released (guint timeout_ms)
{
  postaci_test_wait_until (all_released, NULL, timeout_ms);
}

GTlsCertificate *
postaci_test_load_certificate (const char *name)
{
  g_autofree char *cert_path = g_strdup_printf ("%s/certs/%s.pem", TEST_SRCDIR, name);
  g_autofree char *key_path = g_strdup_printf ("%s/certs/%s.key", TEST_SRCDIR, name);
  g_autoptr(GError) error = NULL;
  GTlsCertificate *certificate;

  certificate = g_tls_certificate_new_from_files (cert_path, key_path, &error);
  g_assert_no_error (error);

  return certificate;
}

static gboolean
wait_timeout_cb (gpointer user_data)
{
  gboolean *timed_out = user_data;

  *timed_out = TRUE;
  return G_SOURCE_REMOVE;
}

guint16
postaci_test_closed_port (void)
{
  g_autoptr(GSocket) socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM,
                                            G_SOCKET_PROTOCOL_TCP, NULL);
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) any = g_inet_socket_address_new (loopback, 0);
  g_autoptr(GSocketAddress) bound = NULL;
  guint16 port;

  g_assert_true (g_socket_bind (socket, any, FALSE, NULL));
  bound = g_socket_get_local_address (socket, NULL);
  port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));
  g_socket_close (socket, NULL);
  return port;
}

void
postaci_test_wait_until (gboolean (*predicate) (gpointer),
                         gpointer   data,
                         guint      timeout_ms)
{
  g_autoptr(GMainContext) context = g_main_context_ref_thread_default ();
  g_autoptr(GSource) timeout = g_timeout_source_new (timeout_ms);
  gboolean timed_out = FALSE;

  g_return_if_fail (predicate != NULL);

  g_source_set_callback (timeout, wait_timeout_cb, &timed_out, NULL);
  g_source_attach (timeout, context);

  while (!predicate (data) && !timed_out)
    g_main_context_iteration (context, TRUE);

  g_source_destroy (timeout);
  if (!predicate (data))
    g_error ("postaci_test_wait_until: nothing happened within %u ms", timeout_ms);
}
