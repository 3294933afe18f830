/* SPDX-License-Identifier: GPL-3.0-or-later */
/* postaci-server-commands.c — what the Local Test Server answers to each SMTP command: one table
 * of verbs, one handler each, and the message that DATA brings, written to the folder.
 * AUTH is postaci-server-sasl.c's; reading and writing lines is the connection's. */
#define G_LOG_DOMAIN "postaci-local-server"

#include "config.h"

#include <string.h>

#include "postaci-server-commands.h"
#include "postaci-server-connection.h"
#include "postaci-server-sasl.h"

/* RFC 5321 §4.5.3.1.8: at least 100 recipients must be accepted. */
#define MAX_RECIPIENTS 100
/* RFC 5321 §4.5.3.1.3: a path is at most 256 octets. */
#define MAX_PATH 256

/* A mailbox as it may stand between < and >: printable, no space, valid UTF-8;
 * non-ASCII only with SMTPUTF8 (RFC 6531). */
static gboolean
address_is_acceptable (const char *address, gboolean smtputf8, gboolean *needs_utf8)
{
  *needs_utf8 = FALSE;
  if (strlen (address) > MAX_PATH || !g_utf8_validate (address, -1, NULL))
    return FALSE;
  for (const guchar *p = (const guchar *) address; *p; p++)
    {
      if (*p <= ' ' || *p == 0x7f || *p == '<' || *p == '>')
        return FALSE;
      if (*p >= 0x80)
        *needs_utf8 = TRUE;
    }
  return !*needs_utf8 || smtputf8;
}

/* Splits "FROM:<a@b> SIZE=10" after the keyword: the address and the parameters. */
static gboolean
parse_path (const char *arg, const char *keyword, char **address, char **params)
{
  const char *start, *end;
  gsize       klen = strlen (keyword);

  if (arg == NULL || g_ascii_strncasecmp (arg, keyword, klen) != 0)
    return FALSE;
  start = arg + klen;
  while (*start == ' ')
    start++;
  if (*start != '<')
    return FALSE;
  end = strchr (start, '>');
  if (end == NULL)
    return FALSE;
  *address = g_strndup (start + 1, (gsize) (end - start - 1));
  end++;
  if (*end != '\0' && *end != ' ')
    {
      g_clear_pointer (address, g_free);
      return FALSE;
    }
  while (*end == ' ')
    end++;
  *params = g_strdup (end);
  return TRUE;
}

/* ---------------------------------------------------------------- */
/* Commands                                                         */
/* ---------------------------------------------------------------- */

static void
handle_ehlo (PostaciServerConnection *conn, const char *verb, const char *arg)
{
  gboolean            esmtp = g_str_equal (verb, "EHLO");
  PostaciLocalServer *server = conn->server;
  guint               failure = postaci_server_connection_failure_at (conn, POSTACI_STAGE_EHLO);
  GString            *reply;

  if (arg == NULL || *arg == '\0' || strchr (arg, ' ') != NULL)
    {
      postaci_server_connection_error (conn, "501 5.5.4 Syntax: %s hostname",
                                       esmtp ? "EHLO" : "HELO");
      return;
    }
  for (const guchar *p = (const guchar *) arg; *p; p++)
    if (*p < 0x21 || *p > 0x7e)
      {
        postaci_server_connection_error (conn, "501 5.5.2 Invalid host name");
        return;
      }
  if (failure != 0)
    {
      postaci_server_connection_fail (conn, POSTACI_STAGE_EHLO, failure, CONNECTION_COMMAND);
      return;
    }
  g_free (conn->helo);
  conn->helo = g_strdup (arg);
  conn->esmtp = esmtp;
  postaci_server_connection_reset_transaction (conn);
  if (!esmtp)
    {
      postaci_server_connection_reply (conn, CONNECTION_COMMAND, "250 %s", HOSTNAME);
      return;
    }
  reply = g_string_new (NULL);
  g_string_append_printf (reply, "250-%s greets %s\r\n", HOSTNAME, arg);
  g_string_append_printf (reply, "250-SIZE %" G_GSIZE_FORMAT "\r\n", server->max_size);
  g_string_append (reply, "250-8BITMIME\r\n250-SMTPUTF8\r\n250-PIPELINING\r\n"
                          "250-ENHANCEDSTATUSCODES\r\n");
  if (!conn->tls)
    g_string_append (reply, "250-STARTTLS\r\n");
  if (!conn->authenticated)
    g_string_append (reply, "250-AUTH PLAIN LOGIN CRAM-MD5\r\n");
  g_string_append (reply, "250 HELP");
  postaci_server_connection_reply (conn, CONNECTION_COMMAND, "%s", reply->str);
  g_string_free (reply, TRUE);
}

static void
handle_starttls (PostaciServerConnection *conn, const char *verb, const char *arg)
{
  guint failure = postaci_server_connection_failure_at (conn, POSTACI_STAGE_TLS);

  if (arg != NULL)
    postaci_server_connection_error (conn, "501 5.5.4 Syntax: STARTTLS");
  else if (conn->tls)
    postaci_server_connection_error (conn, "503 5.5.1 TLS is already active");
  else if (conn->helo == NULL)
    postaci_server_connection_error (conn, "503 5.5.1 Send EHLO first");
  else if (failure != 0)
    postaci_server_connection_fail (conn, POSTACI_STAGE_TLS, failure, CONNECTION_COMMAND);
  else
    postaci_server_connection_reply (conn, CONNECTION_STARTTLS, "220 2.0.0 Ready to start TLS");
}

/* RFC 3463 §3.4 X.3.1 "mail system full": 452 says try again later, after the person made room. */
#define QUOTA_REPLY "452 4.3.1 Insufficient system storage: the folder's quota is full"

/* Whether @size more bytes fit in the folder's quota. Nothing is ever deleted to make room:
 * every message that was accepted stays, as the person may still want to read it. */
static gboolean
quota_allows (PostaciLocalServer *server, guint64 size)
{
  return server->quota == 0 ||
         (server->folder_used < server->quota && size <= server->quota - server->folder_used);
}

static void
handle_mail (PostaciServerConnection *conn, const char *verb, const char *arg)
{
  g_autofree char *address = NULL;
  g_autofree char *params = NULL;
  g_auto(GStrv) words = NULL;
  gboolean smtputf8 = FALSE, needs_utf8;
  guint    failure = postaci_server_connection_failure_at (conn, POSTACI_STAGE_MAIL);

  if (conn->helo == NULL)
    {
      postaci_server_connection_error (conn, "503 5.5.1 Send EHLO first");
      return;
    }
  if (conn->mail_from != NULL)
    {
      postaci_server_connection_error (conn, "503 5.5.1 Sender already given");
      return;
    }
  if (!parse_path (arg, "FROM:", &address, &params))
    {
      postaci_server_connection_error (conn, "501 5.5.4 Syntax: MAIL FROM:<address>");
      return;
    }
  words = g_strsplit (params, " ", -1);
  for (guint i = 0; words[i] != NULL; i++)
    {
      const char *word = words[i];
      guint64     size;

      if (*word == '\0' || g_ascii_strncasecmp (word, "AUTH=", 5) == 0 ||
          g_ascii_strcasecmp (word, "BODY=7BIT") == 0 ||
          g_ascii_strcasecmp (word, "BODY=8BITMIME") == 0)
        continue;
      if (g_ascii_strcasecmp (word, "SMTPUTF8") == 0)
        smtputf8 = TRUE;
      else if (g_ascii_strncasecmp (word, "SIZE=", 5) == 0)
        {
          if (!g_ascii_string_to_unsigned (word + 5, 10, 0, G_MAXUINT64, &size, NULL))
            {
              postaci_server_connection_error (conn, "501 5.5.4 Bad SIZE parameter");
              return;
            }
          if (size > conn->server->max_size)
            {
              postaci_server_connection_reply (conn, CONNECTION_COMMAND,
                                               "552 5.3.4 Message size exceeds fixed limit");
              return;
            }
          if (!quota_allows (conn->server, size))
            {
              postaci_server_connection_reply (conn, CONNECTION_COMMAND, QUOTA_REPLY);
              return;
            }
        }
      else
        {
          postaci_server_connection_error (conn, "555 5.5.4 Unsupported parameter");
          return;
        }
    }
  if (!address_is_acceptable (address, smtputf8, &needs_utf8))
    {
      if (needs_utf8 && !smtputf8)
        postaci_server_connection_error (conn, "553 5.6.7 A non-ASCII address needs SMTPUTF8");
      else
        postaci_server_connection_error (conn, "553 5.1.7 Bad sender address syntax");
      return;
    }
  if (failure != 0)
    {
      postaci_server_connection_fail (conn, POSTACI_STAGE_MAIL, failure, CONNECTION_COMMAND);
      return;
    }
  if (!quota_allows (conn->server, 1))
    {
      postaci_server_connection_reply (conn, CONNECTION_COMMAND, QUOTA_REPLY);
      return;
    }
  postaci_server_connection_reset_transaction (conn);
  conn->mail_from = g_steal_pointer (&address);
  conn->smtputf8 = smtputf8;
  postaci_server_connection_reply (conn, CONNECTION_COMMAND, "250 2.1.0 Ok");
}

static void
handle_rcpt (PostaciServerConnection *conn, const char *verb, const char *arg)
{
  g_autofree char *address = NULL;
  g_autofree char *params = NULL;
  gboolean         needs_utf8;
  guint            failure = postaci_server_connection_failure_at (conn, POSTACI_STAGE_RCPT);

  if (conn->mail_from == NULL)
    {
      postaci_server_connection_error (conn, "503 5.5.1 Need MAIL before RCPT");
      return;
    }
  if (!parse_path (arg, "TO:", &address, &params) || *address == '\0')
    {
      postaci_server_connection_error (conn, "501 5.5.4 Syntax: RCPT TO:<address>");
      return;
    }
  if (*params != '\0')
    {
      postaci_server_connection_error (conn, "555 5.5.4 Unsupported parameter");
      return;
    }
  if (!address_is_acceptable (address, conn->smtputf8, &needs_utf8))
    {
      if (needs_utf8 && !conn->smtputf8)
        postaci_server_connection_error (conn, "553 5.6.7 A non-ASCII address needs SMTPUTF8");
      else
        postaci_server_connection_error (conn, "553 5.1.3 Bad recipient address syntax");
      return;
    }
  if (conn->recipients->len >= MAX_RECIPIENTS)
    {
      postaci_server_connection_reply (conn, CONNECTION_COMMAND, "452 4.5.3 Too many recipients");
      return;
    }
  if (failure != 0)
    {
      postaci_server_connection_fail (conn, POSTACI_STAGE_RCPT, failure, CONNECTION_COMMAND);
      return;
    }
  g_ptr_array_add (conn->recipients, g_steal_pointer (&address));
  /* A sink: the recipient is taken whatever its domain, and nothing is ever forwarded. */
  postaci_server_connection_reply (conn, CONNECTION_COMMAND, "250 2.1.5 Ok");
}

static void
handle_data (PostaciServerConnection *conn, const char *verb, const char *arg)
{
  if (arg != NULL)
    postaci_server_connection_error (conn, "501 5.5.4 Syntax: DATA");
  else if (conn->mail_from == NULL)
    postaci_server_connection_error (conn, "503 5.5.1 Need MAIL command");
  else if (conn->recipients->len == 0)
    postaci_server_connection_error (conn, "554 5.5.1 No valid recipients");
  else
    {
      g_byte_array_set_size (conn->data, 0);
      conn->too_large = FALSE;
      conn->bare_lf = FALSE;
      postaci_server_connection_reply (conn, CONNECTION_DATA,
                                       "354 End data with <CR><LF>.<CR><LF>");
    }
}

/* A web page can make a browser send an HTTP request to any port, SMTP commands in its body
 * (cross-protocol scripting). Like Postfix's smtpd_forbidden_commands: a request line or a header
 * line ends the connection before anything in it is taken as SMTP. */
static gboolean
is_http (const char *verb)
{
  static const char *const methods[] = {
    "GET", "POST", "HEAD", "PUT", "DELETE", "OPTIONS", "CONNECT", "TRACE", "PATCH",
  };

  for (guint i = 0; i < G_N_ELEMENTS (methods); i++)
    if (g_str_equal (verb, methods[i]))
      return TRUE;
  /* "Host:", "User-Agent:"…: no SMTP verb ends with a colon. */
  return *verb != '\0' && verb[strlen (verb) - 1] == ':';
}

static void
handle_rset (PostaciServerConnection *conn, const char *verb, const char *arg)
{
  postaci_server_connection_reset_transaction (conn);
  postaci_server_connection_reply (conn, CONNECTION_COMMAND, "250 2.0.0 Ok");
}

static void
handle_noop (PostaciServerConnection *conn, const char *verb, const char *arg)
{
  postaci_server_connection_reply (conn, CONNECTION_COMMAND, "250 2.0.0 Ok");
}

static void
handle_vrfy (PostaciServerConnection *conn, const char *verb, const char *arg)
{
  postaci_server_connection_reply (conn, CONNECTION_COMMAND,
                                   "252 2.0.0 Cannot VRFY user, but will accept the message");
}

static void
handle_help (PostaciServerConnection *conn, const char *verb, const char *arg)
{
  postaci_server_connection_reply (
    conn, CONNECTION_COMMAND,
    "214-2.0.0 Postaci local test server: a sink on loopback, "
    "nothing is forwarded\r\n"
    "214 2.0.0 Commands: EHLO HELO STARTTLS AUTH MAIL RCPT DATA RSET "
    "NOOP VRFY HELP QUIT");
}

static void
handle_quit (PostaciServerConnection *conn, const char *verb, const char *arg)
{
  postaci_server_connection_reply (conn, CONNECTION_CLOSING, "221 2.0.0 Bye");
}

static void
handle_auth (PostaciServerConnection *conn, const char *verb, const char *arg)
{
  postaci_server_sasl_start (conn, arg);
}

/* Known verbs that a sink has no use for (RFC 5321 §4.5.1 lists what every server must do). */
static void
handle_not_implemented (PostaciServerConnection *conn, const char *verb, const char *arg)
{
  postaci_server_connection_error (conn, "502 5.5.1 Command not implemented");
}

typedef void (*CommandHandler) (PostaciServerConnection *conn, const char *verb, const char *arg);

/* Every verb the server knows. @arg is what follows the first space, NULL without one. */
static const struct
{
  const char    *verb;
  CommandHandler handler;
} commands[] = {
  { "EHLO", handle_ehlo },
  { "HELO", handle_ehlo },
  { "STARTTLS", handle_starttls },
  { "AUTH", handle_auth },
  { "MAIL", handle_mail },
  { "RCPT", handle_rcpt },
  { "DATA", handle_data },
  { "RSET", handle_rset },
  { "NOOP", handle_noop },
  { "VRFY", handle_vrfy },
  { "HELP", handle_help },
  { "QUIT", handle_quit },
  { "BDAT", handle_not_implemented },
  { "EXPN", handle_not_implemented },
  { "ETRN", handle_not_implemented },
  { "TURN", handle_not_implemented },
};

void
postaci_server_commands_dispatch (PostaciServerConnection *conn, const char *line)
{
  g_autofree char *verb = NULL;
  const char      *arg = NULL;
  const char      *space = strchr (line, ' ');

  if (space != NULL)
    {
      verb = g_ascii_strup (line, space - line);
      arg = space + 1;
    }
  else
    verb = g_ascii_strup (line, -1);

  if (is_http (verb))
    {
      g_debug ("client %u: an HTTP request, not SMTP: dropped", conn->id);
      postaci_server_connection_reply (conn, CONNECTION_CLOSING,
                                       "421 4.7.0 %s HTTP is not SMTP, closing the connection",
                                       HOSTNAME);
      return;
    }

  if (conn->state == CONNECTION_REFUSED)
    {
      if (g_str_equal (verb, "QUIT"))
        handle_quit (conn, verb, arg);
      else
        postaci_server_connection_error (conn, "503 5.5.1 No SMTP service here");
      return;
    }

  for (guint i = 0; i < G_N_ELEMENTS (commands); i++)
    if (g_str_equal (verb, commands[i].verb))
      {
        commands[i].handler (conn, verb, arg);
        return;
      }
  postaci_server_connection_error (conn, "500 5.5.2 Command not recognized");
}

/* ---------------------------------------------------------------- */
/* DATA: capture                                                    */
/* ---------------------------------------------------------------- */

typedef struct
{
  PostaciServerConnection *conn;
  GBytes                  *raw;
  GFile                   *file;
  GDateTime               *received;
} SaveJob;

static void
save_job_free (SaveJob *job)
{
  postaci_server_connection_unref (job->conn);
  g_bytes_unref (job->raw);
  g_object_unref (job->file);
  g_date_time_unref (job->received);
  g_free (job);
}

static void
save_cb (GObject *object, GAsyncResult *res, gpointer user_data)
{
  SaveJob                 *job = user_data;
  PostaciServerConnection *conn = job->conn;
  PostaciLocalServer      *server = conn->server;
  g_autoptr(GError) error = NULL;

  postaci_server_connection_disarm (conn);
  if (!g_file_replace_contents_finish (G_FILE (object), res, NULL, &error))
    {
      g_warning ("cannot save a received message: %s", error->message);
      if (server != NULL)
        server->folder_used -= MIN (server->folder_used, g_bytes_get_size (job->raw));
      if (server != NULL && conn->state != CONNECTION_CLOSED)
        {
          postaci_server_connection_reset_transaction (conn);
          postaci_server_connection_reply (
            conn, CONNECTION_COMMAND,
            "451 4.3.0 Local error in processing: cannot save the message");
        }
      save_job_free (job);
      return;
    }
  if (server != NULL)
    {
      g_autofree char *path = g_file_get_path (job->file);
      g_ptr_array_add (conn->recipients, NULL);
      {
        g_autoptr(PostaciCapturedMessage) message = postaci_captured_message_new (
          conn->mail_from, (const char *const *) conn->recipients->pdata, job->raw, path,
          job->received, conn->tls, conn->authenticated);
        g_ptr_array_set_size (conn->recipients, conn->recipients->len - 1);

        postaci_local_server_add_message (server, message);
      }
      if (conn->state != CONNECTION_CLOSED && conn->server != NULL)
        {
          postaci_server_connection_reset_transaction (conn);
          postaci_server_connection_reply (conn, CONNECTION_COMMAND, "250 2.0.0 Ok: queued as %u",
                                           server->message_count);
        }
    }
  save_job_free (job);
}

static char *
join_recipients (PostaciServerConnection *conn)
{
  GString *out = g_string_new (NULL);

  for (guint i = 0; i < conn->recipients->len; i++)
    g_string_append_printf (out, "%s<%s>", i > 0 ? ", " : "",
                            (const char *) g_ptr_array_index (conn->recipients, i));
  return g_string_free (out, FALSE);
}

/* The message's bytes are in the .eml to be: the buffer (up to the size limit) goes, wiped, instead
 * of staying allocated for as long as the client stays connected. */
static void
drop_data (PostaciServerConnection *conn)
{
  if (conn->data->len > 0)
    explicit_bzero (conn->data->data, conn->data->len);
  g_byte_array_unref (conn->data);
  conn->data = g_byte_array_new ();
}

/* The final dot: refuse, or write the .eml and answer once it is safely on disk. */
static void
finish_data (PostaciServerConnection *conn)
{
  PostaciLocalServer *server = conn->server;
  guint               failure = postaci_server_connection_failure_at (conn, POSTACI_STAGE_DATA);
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  g_autofree char *date = NULL;
  g_autofree char *stamp = NULL;
  g_autofree char *name = NULL;
  g_autofree char *to = NULL;
  GString         *head;
  GByteArray      *raw;
  SaveJob         *job;
  const void      *data;
  gsize            size;

  if (conn->too_large)
    {
      postaci_server_connection_reset_transaction (conn);
      postaci_server_connection_reply (conn, CONNECTION_COMMAND,
                                       "552 5.3.4 Message size exceeds fixed limit");
      return;
    }
  if (conn->bare_lf)
    {
      postaci_server_connection_reset_transaction (conn);
      postaci_server_connection_reply (
        conn, CONNECTION_COMMAND,
        "550 5.6.0 Message refused: a line ended with a bare LF; SMTP lines end with CRLF");
      return;
    }
  if (failure != 0)
    {
      postaci_server_connection_reset_transaction (conn);
      postaci_server_connection_fail (conn, POSTACI_STAGE_DATA, failure, CONNECTION_COMMAND);
      return;
    }

  server->message_count++;
  date = g_date_time_format (now, "%a, %d %b %Y %H:%M:%S %z");
  to = join_recipients (conn);
  head = g_string_new (NULL);
  /* RFC 5321 §4.4 trace; "with ESMTPSA" (RFC 3848) tells TLS and AUTH apart. */
  g_string_append_printf (head,
                          "Received: from %s ([127.0.0.1])\r\n"
                          "\tby %s (Postaci local test server) with %s%s%s id %u;\r\n"
                          "\t%s\r\n",
                          conn->helo, HOSTNAME, conn->esmtp ? "ESMTP" : "SMTP",
                          conn->tls ? "S" : "", conn->authenticated ? "A" : "",
                          server->message_count, date);
  g_string_append_printf (head, "X-Postaci-Envelope-From: <%s>\r\n", conn->mail_from);
  g_string_append_printf (head, "X-Postaci-Envelope-To: %s\r\n", to);

  if (!quota_allows (server, head->len + conn->data->len))
    {
      g_string_free (head, TRUE);
      server->message_count--;
      postaci_server_connection_reset_transaction (conn);
      postaci_server_connection_reply (conn, CONNECTION_COMMAND, QUOTA_REPLY);
      return;
    }
  /* Taken from the quota now, so that two messages finishing together cannot both fit in it. */
  server->folder_used += head->len + conn->data->len;
  raw = g_byte_array_sized_new (head->len + conn->data->len);
  g_byte_array_append (raw, (const guint8 *) head->str, head->len);
  g_byte_array_append (raw, conn->data->data, conn->data->len);
  g_string_free (head, TRUE);
  drop_data (conn);

  stamp = g_date_time_format (now, "%Y%m%d-%H%M%S");
  name = g_strdup_printf ("%s-%06d-%u.eml", stamp, g_date_time_get_microsecond (now),
                          server->message_count);

  job = g_new0 (SaveJob, 1);
  job->conn = postaci_server_connection_ref (conn);
  job->raw = g_byte_array_free_to_bytes (raw);
  job->file = g_file_new_build_filename (server->folder, name, NULL);
  job->received = g_date_time_ref (now);
  data = g_bytes_get_data (job->raw, &size);
  g_file_replace_contents_async (
    job->file, data, size, NULL, FALSE, G_FILE_CREATE_PRIVATE | G_FILE_CREATE_REPLACE_DESTINATION,
    postaci_server_connection_arm (conn, server->timeout), save_cb, job);
}

/* One line of the message. @crlf: it ended with CRLF, not a bare LF. */
void
postaci_server_commands_data_line (PostaciServerConnection *conn, const char *line, gsize length,
                                   gboolean crlf)
{
  if (length == 1 && line[0] == '.' && crlf)
    {
      finish_data (conn);
      return;
    }
  if (!crlf)
    conn->bare_lf = TRUE;
  /* RFC 5321 §4.5.2: a leading dot was doubled by the client. */
  if (length > 0 && line[0] == '.')
    {
      line++;
      length--;
    }
  if (conn->data->len + length + 2 > conn->server->max_size)
    {
      /* Keep reading to the final dot, keep nothing: 552 then. */
      conn->too_large = TRUE;
      drop_data (conn);
    }
  if (!conn->too_large)
    {
      g_byte_array_append (conn->data, (const guint8 *) line, length);
      g_byte_array_append (conn->data, (const guint8 *) "\r\n", 2);
    }
  postaci_server_connection_read (conn);
}
