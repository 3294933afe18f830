/* SPDX-License-Identifier: GPL-3.0-or-later */
/* postaci-server-connection.h — one client of the Local Test Server: its socket, its state and its
 * mail transaction. Internal to libpostaci-server: the commands (postaci-server-commands.c) and
 * SASL (postaci-server-sasl.c) read and change these fields. */
#pragma once

#include <gio/gio.h>

#include "postaci-line-reader.h"
#include "postaci-local-server-private.h"

G_BEGIN_DECLS

typedef enum {
  CONNECTION_HANDSHAKE, /* implicit TLS: handshake before the greeting */
  CONNECTION_COMMAND,   /* waiting for a command */
  CONNECTION_SILENT,    /* greeting=silent: lines are read and never answered */
  CONNECTION_REFUSED,   /* a 5xx greeting: everything but QUIT gets 503 */
  CONNECTION_AUTH,      /* waiting for a SASL response line */
  CONNECTION_DATA,      /* reading the message, line by line, until "." */
  CONNECTION_STARTTLS,  /* 220 to STARTTLS is on its way: the handshake follows */
  CONNECTION_CLOSING,   /* the last reply is on its way: close follows */
  CONNECTION_CLOSED,    /* closing or closed; callbacks only tidy up */
} PostaciServerConnectionState;

/* Where an AUTH exchange stands: which response line comes next. */
typedef enum {
  SASL_PLAIN,
  SASL_LOGIN_USER,
  SASL_LOGIN_PASSWORD,
  SASL_CRAM_MD5,
} PostaciServerSaslStep;

/* Reference counted (g_rc_box): the server's list holds one reference, each wait under way
 * another, so a callback that comes after stop() still finds its connection. */
struct _PostaciServerConnection {
  PostaciLocalServer   *server; /* NULL once the server dropped this client */
  guint                 id;
  GSocketConnection    *connection;
  GIOStream            *stream; /* the connection, or the TLS connection over it */
  PostaciLineReader    *reader;
  GCancellable         *cancellable; /* the wait under way */
  guint                 deadline_id;
  gboolean              timed_out;
  gboolean              evicted;  /* gave its slot to a newcomer: 421, then close */
  gint64                idle_since; /* monotonic time the wait for a command began; 0: busy */
  gboolean              spoke;    /* has sent a line: the first-command deadline is over */
  PostaciServerConnectionState state;
  gboolean              implicit_tls;
  gboolean              tls;
  gboolean              authenticated;
  char                 *helo; /* NULL before EHLO/HELO */
  gboolean              esmtp;
  guint                 errors;
  GBytes               *pending; /* the reply being written */
  guint8               *drain;   /* buffer for the lingering close */
  gsize                 drained;

  /* The mail transaction */
  char                 *mail_from; /* NULL: no MAIL yet; "" for <> */
  gboolean              smtputf8;
  GPtrArray            *recipients;
  GByteArray           *data;
  gboolean              too_large;
  gboolean              bare_lf;

  /* AUTH */
  PostaciServerSaslStep sasl_step;
  char                 *auth_user;
  char                 *challenge;
};

/* A new client of @server on @connection, on its list; TLS first on the implicit TLS port,
 * else the greeting. */
void     postaci_server_connection_start             (PostaciLocalServer           *server,
                                                      GSocketConnection            *connection,
                                                      gboolean                      implicit_tls);
PostaciServerConnection *
         postaci_server_connection_ref               (PostaciServerConnection      *conn);
void     postaci_server_connection_unref             (gpointer                      conn);
/* The server stops: the client forgets it, stops waiting and closes its socket at once. */
void     postaci_server_connection_abandon           (PostaciServerConnection      *conn);

/* A fresh cancellable for the next wait, cancelled by its deadline or by stop(). */
GCancellable *
         postaci_server_connection_arm               (PostaciServerConnection      *conn,
                                                      guint                         seconds);
void     postaci_server_connection_disarm            (PostaciServerConnection      *conn);

/* Sends one reply (a single line, or several joined by "\r\n"), then moves to @next: CLOSING
 * and STARTTLS act on it, anything else reads the next line. */
void     postaci_server_connection_reply             (PostaciServerConnection      *conn,
                                                      PostaciServerConnectionState  next,
                                                      const char                   *format,
                                                      ...) G_GNUC_PRINTF (3, 4);
/* A mistake by the client: answered, counted, and after too many the end. */
void     postaci_server_connection_error             (PostaciServerConnection      *conn,
                                                      const char                   *format,
                                                      ...) G_GNUC_PRINTF (2, 3);
/* The configured failure of @stage, or 0. */
guint    postaci_server_connection_failure_at        (PostaciServerConnection      *conn,
                                                      PostaciStage                  stage);
/* Answers with the failure configured for @stage; 421 closes the connection. */
void     postaci_server_connection_fail              (PostaciServerConnection      *conn,
                                                      PostaciStage                  stage,
                                                      guint                         code,
                                                      PostaciServerConnectionState  next);
/* Reads the next line, with the deadline that the state asks for. */
void     postaci_server_connection_read              (PostaciServerConnection      *conn);
void     postaci_server_connection_close             (PostaciServerConnection      *conn);
/* Forgets the mail transaction (MAIL, RCPT, the data). */
void     postaci_server_connection_reset_transaction (PostaciServerConnection      *conn);

G_END_DECLS
