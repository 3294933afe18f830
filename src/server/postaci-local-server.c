/* SPDX-License-Identifier: GPL-3.0-or-later */
/* postaci-local-server.c — the Local Test Server: loopback only, a sink that never relays.
 *
 * This file listens, admits and lets go: the ports on 127.0.0.1 and ::1, the accept loops, the
 * slots and their limits, start and stop, failure on purpose and the properties. Each client is
 * a PostaciServerConnection (postaci-server-connection.c); what it answers is in
 * postaci-server-commands.c and postaci-server-sasl.c; the certificate, the folder checks and the
 * captured messages have files of their own. */
#define G_LOG_DOMAIN "postaci-local-server"

#include "config.h"

#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>

#include "postaci-certificate.h"
#include "postaci-local-server-private.h"
#include "postaci-mail-folder.h"
#include "postaci-server-connection.h"
#include "postaci-throwaway-certificate.h"

/* When every slot is taken, a client that has waited this long (seconds) for its next command
 * yields its slot to a newcomer. Long enough that clients connecting together are all served. */
#define IDLE_GRACE 2
/* Descriptors kept free: GLib aborts when it cannot make a wakeup pipe (each cancellable wait
 * and each TLS handshake thread needs one), so a connection that would eat into these is closed. */
#define FD_RESERVE 32
/* Back-off for accept() after EMFILE/ENFILE, in milliseconds. */
#define ACCEPT_RETRY_MIN  50
#define ACCEPT_RETRY_MAX  2000
#define MAX_KEPT_MESSAGES 500

G_DEFINE_TYPE (PostaciLocalServer, postaci_local_server, G_TYPE_OBJECT)
/* clang-format off */
G_DEFINE_QUARK (postaci - local - server - error - quark, postaci_local_server_error)
/* clang-format on */

enum
{
  SIGNAL_MESSAGE_RECEIVED,
  N_SIGNALS
};
static guint signals[N_SIGNALS];

enum
{
  PROP_0,
  PROP_RUNNING,
  PROP_PORT,
  PROP_TLS_PORT,
  PROP_PASSWORD,
  PROP_N_CLIENTS,
  N_PROPS
};
static GParamSpec *properties[N_PROPS];

/* The stages that answer with a reply the server can make fail: from the greeting to DATA, the
 * ones between the connection and QUIT. */
static gboolean
stage_can_fail (PostaciStage stage)
{
  return stage >= POSTACI_STAGE_GREETING && stage <= POSTACI_STAGE_DATA;
}

gboolean
postaci_local_server_parse_failure (const char *spec, PostaciStage *stage, guint *code,
                                    GError **error)
{
  g_auto(GStrv) parts = NULL;
  guint64 value;

  g_return_val_if_fail (spec != NULL, FALSE);

  parts = g_strsplit (spec, "=", 2);
  if (parts[0] == NULL || parts[1] == NULL)
    {
      g_set_error (error, POSTACI_LOCAL_SERVER_ERROR, POSTACI_LOCAL_SERVER_ERROR_FAILURE,
                   _ ("“%s” is not STAGE=CODE (for example rcpt=550 or greeting=silent)."), spec);
      return FALSE;
    }
  /* The stage by the name --stop-after takes too (case aside), among those that can fail. */
  if (!postaci_stage_from_string (parts[0], stage) || !stage_can_fail (*stage))
    {
      g_set_error (error, POSTACI_LOCAL_SERVER_ERROR, POSTACI_LOCAL_SERVER_ERROR_FAILURE,
                   _ ("Unknown stage “%s”: use greeting, ehlo, tls, auth, mail, rcpt or data."),
                   parts[0]);
      return FALSE;
    }
  if (g_ascii_strcasecmp (parts[1], "silent") == 0)
    {
      if (*stage != POSTACI_STAGE_GREETING)
        {
          g_set_error (error, POSTACI_LOCAL_SERVER_ERROR, POSTACI_LOCAL_SERVER_ERROR_FAILURE,
                       _ ("Only the greeting can be silent (greeting=silent)."));
          return FALSE;
        }
      *code = POSTACI_LOCAL_SERVER_SILENT;
      return TRUE;
    }
  if (!g_ascii_string_to_unsigned (parts[1], 10, 400, 599, &value, NULL))
    {
      g_set_error (error, POSTACI_LOCAL_SERVER_ERROR, POSTACI_LOCAL_SERVER_ERROR_FAILURE,
                   _ ("The code in “%s” must be a reply code from 400 to 599."), spec);
      return FALSE;
    }
  *code = (guint) value;
  return TRUE;
}

gboolean
postaci_local_server_set_failure (PostaciLocalServer *self, PostaciStage stage, guint code,
                                  GError **error)
{
  g_return_val_if_fail (POSTACI_IS_LOCAL_SERVER (self), FALSE);
  g_return_val_if_fail (stage < POSTACI_N_STAGES, FALSE);

  if (!stage_can_fail (stage))
    {
      g_set_error (error, POSTACI_LOCAL_SERVER_ERROR, POSTACI_LOCAL_SERVER_ERROR_FAILURE,
                   _ ("The stage “%s” cannot be made to fail."), postaci_stage_to_string (stage));
      return FALSE;
    }
  if (code != 0 && !(code >= 400 && code <= 599) &&
      !(code == POSTACI_LOCAL_SERVER_SILENT && stage == POSTACI_STAGE_GREETING))
    {
      g_set_error (error, POSTACI_LOCAL_SERVER_ERROR, POSTACI_LOCAL_SERVER_ERROR_FAILURE,
                   _ ("%u is not a failure reply code (400 to 599)."), code);
      return FALSE;
    }
  self->failures[stage] = code;
  return TRUE;
}

guint
postaci_local_server_get_failure (PostaciLocalServer *self, PostaciStage stage)
{
  g_return_val_if_fail (POSTACI_IS_LOCAL_SERVER (self), 0);
  g_return_val_if_fail (stage < POSTACI_N_STAGES, 0);
  return self->failures[stage];
}

void
postaci_local_server_clear_failures (PostaciLocalServer *self)
{
  g_return_if_fail (POSTACI_IS_LOCAL_SERVER (self));
  memset (self->failures, 0, sizeof self->failures);
}

/* ---------------------------------------------------------------- */
/* Accepting                                                        */
/* ---------------------------------------------------------------- */

/* Whether @client takes a slot: it is not on its way out. */
static gboolean
connection_holds_slot (PostaciServerConnection *conn)
{
  return !conn->evicted && conn->state != CONNECTION_CLOSING && conn->state != CONNECTION_CLOSED;
}

/* Whether @client is in the handshake pool: implicit TLS, handshake not finished. */
static gboolean
connection_in_handshake (PostaciServerConnection *conn)
{
  return conn->implicit_tls && !conn->tls;
}

guint
postaci_local_server_count_slots (PostaciLocalServer *self, gboolean handshakes)
{
  guint n = 0;

  for (guint i = 0; i < self->clients->len; i++)
    {
      PostaciServerConnection *conn = g_ptr_array_index (self->clients, i);

      n += connection_holds_slot (conn) && connection_in_handshake (conn) == handshakes;
    }
  return n;
}

gboolean
postaci_local_server_make_room (PostaciLocalServer *self, gboolean handshakes,
                                PostaciServerConnection *except)
{
  gint64                   now = g_get_monotonic_time ();
  PostaciServerConnection *oldest = NULL;

  for (guint i = 0; i < self->clients->len; i++)
    {
      PostaciServerConnection *conn = g_ptr_array_index (self->clients, i);

      if (conn == except || !connection_holds_slot (conn) ||
          connection_in_handshake (conn) != handshakes || conn->idle_since == 0 ||
          now - conn->idle_since < IDLE_GRACE * G_USEC_PER_SEC)
        continue;
      if (oldest == NULL || conn->idle_since < oldest->idle_since)
        oldest = conn;
    }
  if (oldest == NULL)
    return FALSE;
  g_debug ("client %u: idle for %" G_GINT64_FORMAT " ms, yields its slot", oldest->id,
           (now - oldest->idle_since) / 1000);
  oldest->evicted = TRUE;
  g_cancellable_cancel (oldest->cancellable);
  return TRUE;
}

void
postaci_local_server_add_client (PostaciLocalServer *self, PostaciServerConnection *conn)
{
  g_ptr_array_add (self->clients, conn);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_CLIENTS]);
}

void
postaci_local_server_remove_client (PostaciLocalServer *self, PostaciServerConnection *conn)
{
  g_ptr_array_remove (self->clients, conn);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_CLIENTS]);
}

void
postaci_local_server_add_message (PostaciLocalServer *self, PostaciCapturedMessage *message)
{
  if (g_list_model_get_n_items (G_LIST_MODEL (self->messages)) >= MAX_KEPT_MESSAGES)
    g_list_store_remove (self->messages, 0);
  g_list_store_append (self->messages, message);
  g_signal_emit (self, signals[SIGNAL_MESSAGE_RECEIVED], 0, message);
}

static gboolean
peer_is_loopback (GSocketConnection *connection)
{
  g_autoptr(GSocketAddress) peer = g_socket_connection_get_remote_address (connection, NULL);

  return peer != NULL && G_IS_INET_SOCKET_ADDRESS (peer) &&
         g_inet_address_get_is_loopback (
           g_inet_socket_address_get_address (G_INET_SOCKET_ADDRESS (peer)));
}

/* Whether the descriptor of @connection leaves FD_RESERVE spare under the process's limit.
 * Descriptors are handed out lowest first, so a high number means the low ones are all taken. */
static gboolean
descriptors_to_spare (GSocketConnection *connection)
{
  int           fd = g_socket_get_fd (g_socket_connection_get_socket (connection));
  struct rlimit limit;

  if (getrlimit (RLIMIT_NOFILE, &limit) != 0 || limit.rlim_cur == RLIM_INFINITY)
    return TRUE;
  return (rlim_t) fd + FD_RESERVE < limit.rlim_cur;
}

/* Closes a connection that gets no slot, without waiting on it: one non-blocking send of
 * @reply (a fresh socket's buffer always takes a line), or nothing (the TLS port). */
static void
turn_away (GSocketConnection *connection, const char *reply)
{
  GSocket *socket = g_socket_connection_get_socket (connection);

  if (reply != NULL)
    {
      g_socket_set_blocking (socket, FALSE);
      g_socket_send (socket, reply, strlen (reply), NULL, NULL);
      g_socket_shutdown (socket, FALSE, TRUE, NULL);
    }
  g_io_stream_close (G_IO_STREAM (connection), NULL, NULL);
}

static void
accept_connection (PostaciLocalServer *self, GSocketConnection *connection, gboolean implicit_tls)
{
  if (!peer_is_loopback (connection))
    {
      g_debug ("refusing a connection from a non-loopback address");
      g_io_stream_close (G_IO_STREAM (connection), NULL, NULL);
      return;
    }
  if (!descriptors_to_spare (connection))
    {
      g_debug ("refusing a connection: file descriptors are running out");
      g_io_stream_close (G_IO_STREAM (connection), NULL, NULL);
      return;
    }
  /* The limit applies here, before TLS or anything else costs memory. */
  if (postaci_local_server_count_slots (self, implicit_tls) >=
        (implicit_tls ? MAX_HANDSHAKES : MAX_CLIENTS) &&
      !postaci_local_server_make_room (self, implicit_tls, NULL))
    {
      g_autofree char *reply = g_strdup_printf (TOO_MANY_REPLY "\r\n", HOSTNAME);

      g_debug ("refusing a connection: every slot is taken");
      turn_away (connection, implicit_tls ? NULL : reply);
      return;
    }

  /* Replies are small, and under PIPELINING (RFC 2920) several leave in a row: Nagle's
   * algorithm would hold each one after the first until the client's delayed ACK, 40 ms. */
  g_socket_set_option (g_socket_connection_get_socket (connection), IPPROTO_TCP, TCP_NODELAY, 1,
                       NULL);
  postaci_server_connection_start (self, connection, implicit_tls);
}

/* One accept loop per port. It holds the cancellable, not the server: once
 * stop() has cancelled it, a late callback touches nothing else. A plain
 * GSocketListener rather than a GSocketService: with GLib 2.74, after a
 * GSocketService was stopped, a connection to the next server (started in the
 * same process) was at times accepted by no one we knew and closed at once —
 * seen under valgrind's timing. An accept loop of our own ends with its cancellable. */
typedef struct
{
  PostaciLocalServer *server;
  GSocketListener    *listener;
  GCancellable       *cancellable;
  gboolean            implicit_tls;
  guint               retry_ms; /* the next back-off after an accept error; 0: none yet */
} AcceptLoop;

static void
accept_loop_free (AcceptLoop *loop)
{
  g_object_unref (loop->listener);
  g_object_unref (loop->cancellable);
  g_free (loop);
}

static void accept_cb (GObject *object, GAsyncResult *res, gpointer user_data);

static void
accept_next (AcceptLoop *loop)
{
  g_socket_listener_accept_async (loop->listener, loop->cancellable, accept_cb, loop);
}

static gboolean
accept_retry_cb (gpointer user_data)
{
  AcceptLoop *loop = user_data;

  if (g_cancellable_is_cancelled (loop->cancellable))
    accept_loop_free (loop);
  else
    accept_next (loop);
  return G_SOURCE_REMOVE;
}

static void
accept_cb (GObject *object, GAsyncResult *res, gpointer user_data)
{
  AcceptLoop *loop = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GSocketConnection) connection =
               g_socket_listener_accept_finish (G_SOCKET_LISTENER (object), res, NULL, &error);

  if (g_cancellable_is_cancelled (loop->cancellable))
    {
      if (connection != NULL)
        g_io_stream_close (G_IO_STREAM (connection), NULL, NULL);
      accept_loop_free (loop);
      return;
    }
  if (connection == NULL)
    {
      /* Out of file descriptors (EMFILE, ENFILE), for one. The pending connection stays in the
       * kernel's queue and the listener stays readable: trying again at once would spin, never
       * trying again would leave the port dead. So: again after a pause that doubles. */
      loop->retry_ms = CLAMP (loop->retry_ms * 2, ACCEPT_RETRY_MIN, ACCEPT_RETRY_MAX);
      g_message ("cannot accept a connection: %s (trying again in %u ms)", error->message,
                 loop->retry_ms);
      g_timeout_add (loop->retry_ms, accept_retry_cb, loop);
      return;
    }
  loop->retry_ms = 0;
  accept_connection (loop->server, connection, loop->implicit_tls);
  accept_next (loop);
}

static void
start_accepting (PostaciLocalServer *self, GSocketListener *listener, gboolean implicit_tls)
{
  AcceptLoop *loop = g_new0 (AcceptLoop, 1);

  loop->server = self;
  loop->listener = g_object_ref (listener);
  loop->cancellable = g_object_ref (self->accepting);
  loop->implicit_tls = implicit_tls;
  accept_next (loop);
}

/* ---------------------------------------------------------------- */
/* Listening                                                        */
/* ---------------------------------------------------------------- */

/* Binds 127.0.0.1 (required) and ::1 (when the machine has it) on @port, 0 for a free one. */
static GSocketListener *
listen_once (guint port, guint *bound, gboolean *ipv6, GError **error)
{
  g_autoptr(GSocketListener) listener = g_socket_listener_new ();
  g_autoptr(GInetAddress) lo4 = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GInetAddress) lo6 = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV6);
  g_autoptr(GSocketAddress) address4 = g_inet_socket_address_new (lo4, (guint16) port);
  g_autoptr(GSocketAddress) address6 = NULL;
  g_autoptr(GSocketAddress) effective = NULL;
  g_autoptr(GError) local_error = NULL;

  if (!g_socket_listener_add_address (listener, address4, G_SOCKET_TYPE_STREAM,
                                      G_SOCKET_PROTOCOL_TCP, NULL, &effective, &local_error))
    {
      g_set_error (error, POSTACI_LOCAL_SERVER_ERROR, POSTACI_LOCAL_SERVER_ERROR_LISTEN,
                   _ ("Cannot listen on 127.0.0.1 port %u: %s"), port, local_error->message);
      return NULL;
    }
  *bound = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (effective));
  address6 = g_inet_socket_address_new (lo6, (guint16) *bound);
  if (!g_socket_listener_add_address (listener, address6, G_SOCKET_TYPE_STREAM,
                                      G_SOCKET_PROTOCOL_TCP, NULL, NULL, &local_error))
    {
      /* Taken on ::1 by another program: "localhost" may well lead a client there. Served on
       * 127.0.0.1 alone, the person would test that program without knowing it. A machine
       * without IPv6 is another matter: then 127.0.0.1 is all there is. */
      if (g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_ADDRESS_IN_USE))
        {
          g_set_error (error, POSTACI_LOCAL_SERVER_ERROR, POSTACI_LOCAL_SERVER_ERROR_LISTEN,
                       _ ("Port %u is free on 127.0.0.1 but another program listens on [::1] "
                          "port %u; choose another port."),
                       *bound, *bound);
          return NULL;
        }
      g_debug ("not listening on ::1 port %u: %s", *bound, local_error->message);
      *ipv6 = FALSE;
    }
  return g_steal_pointer (&listener);
}

/* A free port (0) picked on 127.0.0.1 may be taken on ::1: then another free one is tried. */
static GSocketListener *
listen_on (guint port, guint *bound, gboolean *ipv6, GError **error)
{
  for (guint attempt = 0; port == 0 && attempt < 4; attempt++)
    {
      g_autoptr(GError) local_error = NULL;
      GSocketListener *listener = listen_once (0, bound, ipv6, &local_error);

      if (listener != NULL)
        return listener;
      g_debug ("free port %u: %s", *bound, local_error->message);
    }
  return listen_once (port, bound, ipv6, error);
}

static gboolean
make_folder (PostaciLocalServer *self, GError **error)
{
  if (self->folder == NULL)
    {
      g_autoptr(GDateTime) now = g_date_time_new_now_local ();
      g_autofree char *stamp = g_date_time_format (now, "%Y%m%d-%H%M%S");
      g_autofree char *name = g_strdup_printf ("%s-%d", stamp, (int) getpid ());
      char *folder = g_build_filename (g_get_user_cache_dir (), "postaci", "mail", name, NULL);

      if (g_mkdir_with_parents (folder, 0700) == 0)
        self->folder = folder;
      else
        {
          g_free (folder);
          self->folder = g_dir_make_tmp ("postaci-mail-XXXXXX", NULL);
        }
      self->folder_is_ours = self->folder != NULL;
    }
  if (self->folder == NULL || g_mkdir_with_parents (self->folder, 0700) != 0)
    {
      int saved = errno;
      g_set_error (error, POSTACI_LOCAL_SERVER_ERROR, POSTACI_LOCAL_SERVER_ERROR_FOLDER,
                   _ ("Cannot make the folder for received messages “%s”: %s"),
                   self->folder ? self->folder : "", g_strerror (saved));
      return FALSE;
    }
  if (!postaci_mail_folder_check (self->folder, error))
    return FALSE;
  self->folder_used = postaci_mail_folder_usage (self->folder);
  return TRUE;
}

gboolean
postaci_local_server_start (PostaciLocalServer *self, GError **error)
{
  gboolean ipv6 = TRUE;

  g_return_val_if_fail (POSTACI_IS_LOCAL_SERVER (self), FALSE);

  if (self->running)
    {
      g_set_error (error, POSTACI_LOCAL_SERVER_ERROR, POSTACI_LOCAL_SERVER_ERROR_RUNNING,
                   _ ("The Local Test Server is already running."));
      return FALSE;
    }
  if (!make_folder (self, error))
    return FALSE;
  /* Each start has its own certificate, made when first needed. */
  g_clear_object (&self->certificate);
  g_clear_pointer (&self->certificate_pem, g_free);
  g_clear_pointer (&self->fingerprint, g_free);
  if (self->password != NULL)
    explicit_bzero (self->password, strlen (self->password));
  g_free (self->password);
  self->password = postaci_throwaway_certificate_make_password ();

  self->listener = listen_on (self->want_port, &self->port, &ipv6, error);
  if (self->listener == NULL)
    return FALSE;
  self->tls_listener = listen_on (self->want_tls_port, &self->tls_port, &ipv6, error);
  if (self->tls_listener == NULL)
    {
      g_socket_listener_close (self->listener);
      g_clear_object (&self->listener);
      return FALSE;
    }
  self->has_ipv6 = ipv6;
  self->accepting = g_cancellable_new ();
  start_accepting (self, self->listener, FALSE);
  start_accepting (self, self->tls_listener, TRUE);
  self->running = TRUE;
  g_object_freeze_notify (G_OBJECT (self));
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PORT]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TLS_PORT]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PASSWORD]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RUNNING]);
  g_object_thaw_notify (G_OBJECT (self));
  g_debug ("listening on ports %u and %u (TLS), folder %s", self->port, self->tls_port,
           self->folder);
  return TRUE;
}

/* The throwaway certificate is made when first needed — the first TLS client, a run that pins
 * it, the page that shows its fingerprint — and not at start: making it loads GnuTLS and GIO's
 * TLS backend, which the window's first frame does not need (README, "Benchmarks"). */
gboolean
postaci_local_server_make_certificate (PostaciLocalServer *self, GError **error)
{
  g_autofree char *cert_pem = NULL;
  g_autofree char *key_pem = NULL;
  g_autofree char *both = NULL;
  GTlsCertificate *certificate;

  g_return_val_if_fail (POSTACI_IS_LOCAL_SERVER (self), FALSE);

  if (self->certificate != NULL)
    return TRUE;
  if (!postaci_throwaway_certificate_make (&cert_pem, &key_pem, error))
    return FALSE;
  both = g_strconcat (cert_pem, key_pem, NULL);
  explicit_bzero (key_pem, strlen (key_pem));
  certificate = g_tls_certificate_new_from_pem (both, -1, error);
  explicit_bzero (both, strlen (both));
  if (certificate == NULL)
    return FALSE;
  {
    g_autoptr(PostaciCertificateInfo) info = postaci_certificate_info_new (certificate);
    self->fingerprint = g_strdup (info->sha256);
  }
  self->certificate = certificate;
  self->certificate_pem = g_steal_pointer (&cert_pem);
  return TRUE;
}

/* For the getters: a certificate that cannot be made (GnuTLS missing) is a warning. */
static void
ensure_certificate (PostaciLocalServer *self)
{
  g_autoptr(GError) error = NULL;

  if (!postaci_local_server_make_certificate (self, &error))
    g_warning ("%s", error->message);
}

gboolean
postaci_local_server_start_on_last_ports (PostaciLocalServer *self, GError **error)
{
  g_autoptr(GError) local_error = NULL;

  g_return_val_if_fail (POSTACI_IS_LOCAL_SERVER (self), FALSE);

  if (self->running)
    return TRUE;
  /* 0 before the first run: any free port. */
  self->want_port = self->port;
  self->want_tls_port = self->tls_port;
  if (postaci_local_server_start (self, &local_error))
    return TRUE;
  if (!g_error_matches (local_error, POSTACI_LOCAL_SERVER_ERROR,
                        POSTACI_LOCAL_SERVER_ERROR_LISTEN) ||
      (self->want_port == 0 && self->want_tls_port == 0))
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }
  g_debug ("the last run's ports are taken (%s): any free ones", local_error->message);
  self->want_port = 0;
  self->want_tls_port = 0;
  return postaci_local_server_start (self, error);
}

static void
stop_listening (GSocketListener **listener)
{
  if (*listener == NULL)
    return;
  g_socket_listener_close (*listener);
  g_clear_object (listener);
}

void
postaci_local_server_stop (PostaciLocalServer *self)
{
  g_return_if_fail (POSTACI_IS_LOCAL_SERVER (self));

  if (self->accepting != NULL)
    g_cancellable_cancel (self->accepting);
  g_clear_object (&self->accepting);
  stop_listening (&self->listener);
  stop_listening (&self->tls_listener);
  /* Each client forgets the server, stops waiting and closes its socket; the
   * callbacks still in flight then only let go of their memory. */
  while (self->clients->len > 0)
    {
      PostaciServerConnection *conn =
        g_ptr_array_steal_index (self->clients, self->clients->len - 1);

      postaci_server_connection_abandon (conn);
      postaci_server_connection_unref (conn);
    }
  /* A folder of our own that received nothing is not left behind (rmdir fails when it holds
   * mail). */
  if (self->running && self->folder_is_ours)
    g_rmdir (self->folder);
  if (self->running)
    {
      self->running = FALSE;
      g_object_freeze_notify (G_OBJECT (self));
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_CLIENTS]);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RUNNING]);
      g_object_thaw_notify (G_OBJECT (self));
    }
}

/* ---------------------------------------------------------------- */
/* GObject                                                          */
/* ---------------------------------------------------------------- */

static void
postaci_local_server_dispose (GObject *object)
{
  PostaciLocalServer *self = POSTACI_LOCAL_SERVER (object);

  postaci_local_server_stop (self);
  g_clear_object (&self->messages);
  g_clear_object (&self->certificate);
  G_OBJECT_CLASS (postaci_local_server_parent_class)->dispose (object);
}

static void
postaci_local_server_finalize (GObject *object)
{
  PostaciLocalServer *self = POSTACI_LOCAL_SERVER (object);

  g_ptr_array_unref (self->clients);
  if (self->password != NULL)
    explicit_bzero (self->password, strlen (self->password));
  g_free (self->password);
  g_free (self->certificate_pem);
  g_free (self->fingerprint);
  g_free (self->folder);
  G_OBJECT_CLASS (postaci_local_server_parent_class)->finalize (object);
}

static void
postaci_local_server_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  PostaciLocalServer *self = POSTACI_LOCAL_SERVER (object);

  switch (prop_id)
    {
    case PROP_RUNNING:
      g_value_set_boolean (value, self->running);
      break;
    case PROP_PORT:
      g_value_set_uint (value, self->port);
      break;
    case PROP_TLS_PORT:
      g_value_set_uint (value, self->tls_port);
      break;
    case PROP_PASSWORD:
      g_value_set_string (value, self->password);
      break;
    case PROP_N_CLIENTS:
      g_value_set_uint (value, self->clients->len);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
postaci_local_server_class_init (PostaciLocalServerClass *klass)
{
  GObjectClass     *object_class = G_OBJECT_CLASS (klass);
  const GParamFlags flags = G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;

  object_class->dispose = postaci_local_server_dispose;
  object_class->finalize = postaci_local_server_finalize;
  object_class->get_property = postaci_local_server_get_property;

  /* Read-only; each is notified when it changes, so a page can bind to them. The ports and
   * the password are those of the current (or last) run. */
  properties[PROP_RUNNING] = g_param_spec_boolean ("running", NULL, NULL, FALSE, flags);
  properties[PROP_PORT] = g_param_spec_uint ("port", NULL, NULL, 0, 65535, 0, flags);
  properties[PROP_TLS_PORT] = g_param_spec_uint ("tls-port", NULL, NULL, 0, 65535, 0, flags);
  properties[PROP_PASSWORD] = g_param_spec_string ("password", NULL, NULL, NULL, flags);
  properties[PROP_N_CLIENTS] = g_param_spec_uint ("n-clients", NULL, NULL, 0, G_MAXUINT, 0, flags);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * PostaciLocalServer::message-received:
   * @message: the message, already written to the folder and in the list
   */
  signals[SIGNAL_MESSAGE_RECEIVED] =
    g_signal_new ("message-received", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                  NULL, G_TYPE_NONE, 1, POSTACI_TYPE_CAPTURED_MESSAGE);
}

static void
postaci_local_server_init (PostaciLocalServer *self)
{
  self->clients = g_ptr_array_new_with_free_func (postaci_server_connection_unref);
  self->messages = g_list_store_new (POSTACI_TYPE_CAPTURED_MESSAGE);
  self->max_size = POSTACI_LOCAL_SERVER_DEFAULT_MAX_SIZE;
  self->timeout = POSTACI_LOCAL_SERVER_DEFAULT_TIMEOUT;
  self->first_command_timeout = POSTACI_LOCAL_SERVER_DEFAULT_FIRST_COMMAND_TIMEOUT;
}

PostaciLocalServer *
postaci_local_server_new (void)
{
  return g_object_new (POSTACI_TYPE_LOCAL_SERVER, NULL);
}

void
postaci_local_server_set_port (PostaciLocalServer *self, guint port)
{
  g_return_if_fail (POSTACI_IS_LOCAL_SERVER (self));
  g_return_if_fail (port <= 65535);
  self->want_port = port;
}

void
postaci_local_server_set_tls_port (PostaciLocalServer *self, guint port)
{
  g_return_if_fail (POSTACI_IS_LOCAL_SERVER (self));
  g_return_if_fail (port <= 65535);
  self->want_tls_port = port;
}

void
postaci_local_server_set_folder (PostaciLocalServer *self, const char *folder)
{
  g_return_if_fail (POSTACI_IS_LOCAL_SERVER (self));
  g_return_if_fail (!self->running);
  g_free (self->folder);
  self->folder = g_strdup (folder);
  self->folder_is_ours = FALSE;
}

void
postaci_local_server_set_max_size (PostaciLocalServer *self, gsize max_size)
{
  g_return_if_fail (POSTACI_IS_LOCAL_SERVER (self));
  g_return_if_fail (max_size > 0);
  self->max_size = max_size;
}

void
postaci_local_server_set_timeout (PostaciLocalServer *self, guint seconds)
{
  g_return_if_fail (POSTACI_IS_LOCAL_SERVER (self));
  g_return_if_fail (seconds > 0);
  self->timeout = seconds;
}

void
postaci_local_server_set_first_command_timeout (PostaciLocalServer *self, guint seconds)
{
  g_return_if_fail (POSTACI_IS_LOCAL_SERVER (self));
  g_return_if_fail (seconds > 0);
  self->first_command_timeout = seconds;
}

void
postaci_local_server_set_quota (PostaciLocalServer *self, guint64 bytes)
{
  g_return_if_fail (POSTACI_IS_LOCAL_SERVER (self));
  self->quota = bytes;
}

guint64
postaci_local_server_get_quota (PostaciLocalServer *self)
{
  g_return_val_if_fail (POSTACI_IS_LOCAL_SERVER (self), 0);
  return self->quota;
}

gboolean
postaci_local_server_is_running (PostaciLocalServer *self)
{
  g_return_val_if_fail (POSTACI_IS_LOCAL_SERVER (self), FALSE);
  return self->running;
}

guint
postaci_local_server_get_port (PostaciLocalServer *self)
{
  g_return_val_if_fail (POSTACI_IS_LOCAL_SERVER (self), 0);
  return self->port;
}

guint
postaci_local_server_get_tls_port (PostaciLocalServer *self)
{
  g_return_val_if_fail (POSTACI_IS_LOCAL_SERVER (self), 0);
  return self->tls_port;
}

gboolean
postaci_local_server_get_has_ipv6 (PostaciLocalServer *self)
{
  g_return_val_if_fail (POSTACI_IS_LOCAL_SERVER (self), FALSE);
  return self->has_ipv6;
}

const char *
postaci_local_server_get_username (PostaciLocalServer *self)
{
  g_return_val_if_fail (POSTACI_IS_LOCAL_SERVER (self), NULL);
  return POSTACI_LOCAL_SERVER_USERNAME;
}

const char *
postaci_local_server_get_password (PostaciLocalServer *self)
{
  g_return_val_if_fail (POSTACI_IS_LOCAL_SERVER (self), NULL);
  return self->password;
}

GTlsCertificate *
postaci_local_server_get_certificate (PostaciLocalServer *self)
{
  g_return_val_if_fail (POSTACI_IS_LOCAL_SERVER (self), NULL);
  ensure_certificate (self);
  return self->certificate;
}

const char *
postaci_local_server_get_certificate_pem (PostaciLocalServer *self)
{
  g_return_val_if_fail (POSTACI_IS_LOCAL_SERVER (self), NULL);
  ensure_certificate (self);
  return self->certificate_pem;
}

const char *
postaci_local_server_get_fingerprint (PostaciLocalServer *self)
{
  g_return_val_if_fail (POSTACI_IS_LOCAL_SERVER (self), NULL);
  ensure_certificate (self);
  return self->fingerprint;
}

const char *
postaci_local_server_get_folder (PostaciLocalServer *self)
{
  g_return_val_if_fail (POSTACI_IS_LOCAL_SERVER (self), NULL);
  return self->folder;
}

gsize
postaci_local_server_get_max_size (PostaciLocalServer *self)
{
  g_return_val_if_fail (POSTACI_IS_LOCAL_SERVER (self), 0);
  return self->max_size;
}

guint
postaci_local_server_get_n_clients (PostaciLocalServer *self)
{
  g_return_val_if_fail (POSTACI_IS_LOCAL_SERVER (self), 0);
  return self->clients->len;
}

PostaciRequest *
postaci_local_server_new_request (PostaciLocalServer *self)
{
  PostaciRequest *request;

  g_return_val_if_fail (POSTACI_IS_LOCAL_SERVER (self), NULL);
  g_return_val_if_fail (self->running, NULL);

  request = postaci_request_new ();
  /* The address the window and postaci-cli --serve show; the certificate names it too. */
  request->server = g_strdup ("127.0.0.1");
  request->port = self->port;
  request->security = POSTACI_SECURITY_STARTTLS;
  request->auth = TRUE;
  request->mechanism = POSTACI_MECHANISM_AUTO;
  request->username = g_strdup (POSTACI_LOCAL_SERVER_USERNAME);
  postaci_request_set_password (request, self->password);
  return request;
}

GListModel *
postaci_local_server_get_messages (PostaciLocalServer *self)
{
  g_return_val_if_fail (POSTACI_IS_LOCAL_SERVER (self), NULL);
  return G_LIST_MODEL (self->messages);
}
