/* SPDX-License-Identifier: GPL-3.0-or-later */
/* postaci-smtp-link.c — the link under SMTP: connect, TLS, a line out, a reply in, deadlines.
 *
 * Shape (after curl's lib/pingpong.c under lib/smtp.c): every wait arms one deadline and one
 * fresh cancellable that the deadline and the caller's cancellable both cancel; the callback
 * disarms it and turns a CANCELLED that the deadline caused into what really happened. No
 * blocking call, no threads. See postaci-smtp-link.h for the contract.
 *
 * One file, over 1,000 lines, on purpose: every operation (connect address by address, the TLS
 * handshake, a write, a reply read, close) runs through the same one wait in flight (arm_wait,
 * disarm_wait, translate_wait_error) and the same private state, and they read top to bottom
 * in the order a session uses them, as curl's pingpong.c does. The largest candidate seam, TLS
 * (≈200 lines), would take the whole struct and six of those helpers into a private header to
 * move a fifth of the file; the code would be split, not simpler. */
#define G_LOG_DOMAIN "postaci-smtp-link"

#include "config.h"

#include <string.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <glib/gi18n-lib.h>

#include "postaci-certificate.h"
#include "postaci-line-reader.h"
#include "postaci-smtp-link-private.h"

#define DEFAULT_TIMEOUT_SECONDS 30

struct _PostaciSmtpLink
{
  GObject parent_instance;

  char                  *host;
  guint                  port;
  guint                  timeout; /* seconds, per operation */
  char                  *ca_file;
  gint64                 certificate_not_after; /* Unix time; 0 until a peer certificate */
  GTlsCertificate       *pinned;
  gboolean               accept_invalid;
  gboolean               look_only;
  const PostaciRedactor *redactor; /* borrowed; may be NULL */

  /* The one wait in flight: its cancellable, its deadline, the caller's cancellable. */
  GCancellable *op_cancellable;
  guint         deadline_id;
  gboolean      timed_out;
  GCancellable *caller;
  gulong        caller_id;

  GSocketClient            *client;
  GSocketAddressEnumerator *addresses;
  GSocketAddress           *current_address;
  GError                   *last_connect_error;
  char                     *last_connect_address; /* where last_connect_error happened */

  GIOStream               *test_stream; /* new_for_stream(): taken by connect_async() */
  GSocketConnection       *connection;
  GIOStream               *stream; /* the connection, or the TLS connection over it */
  PostaciLineReader       *reader;
  PostaciReplyParser      *parser;
  PostaciSmtpLinkReadFlags read_flags;
  GBytes                  *pending_write; /* the line being written; wiped after */

  gboolean             received_any;
  gboolean             tls_active;
  gboolean             pinned_accepted;
  const char          *tls_version; /* static; NULL until TLS is up */
  GTlsCertificateFlags certificate_errors;
};

G_DEFINE_TYPE (PostaciSmtpLink, postaci_smtp_link, G_TYPE_OBJECT)

enum
{
  SIGNAL_EVENT,
  SIGNAL_SERVER_LINE,
  N_SIGNALS
};
static guint signals[N_SIGNALS];

static void connect_next_address (GTask *task);

/* ---------------------------------------------------------------- */
/* GObject                                                          */
/* ---------------------------------------------------------------- */

/* The line may have carried credentials: do not leave them in freed memory. */
static void
wipe_bytes (GBytes *bytes)
{
  gsize            size;
  volatile guchar *data = (volatile guchar *) g_bytes_get_data (bytes, &size);

  for (gsize i = 0; i < size; i++)
    data[i] = 0;
}

static void disarm_wait (PostaciSmtpLink *self);

static void
postaci_smtp_link_dispose (GObject *object)
{
  PostaciSmtpLink *self = POSTACI_SMTP_LINK (object);

  disarm_wait (self);
  g_clear_object (&self->op_cancellable);
  g_clear_object (&self->addresses);
  g_clear_object (&self->client);
  g_clear_object (&self->current_address);
  g_clear_object (&self->reader);
  g_clear_object (&self->stream);
  g_clear_object (&self->connection);
  g_clear_object (&self->test_stream);
  g_clear_object (&self->pinned);
  if (self->pending_write != NULL)
    wipe_bytes (self->pending_write);
  g_clear_pointer (&self->pending_write, g_bytes_unref);
  G_OBJECT_CLASS (postaci_smtp_link_parent_class)->dispose (object);
}

static void
postaci_smtp_link_finalize (GObject *object)
{
  PostaciSmtpLink *self = POSTACI_SMTP_LINK (object);

  g_clear_pointer (&self->parser, postaci_reply_parser_free);
  g_clear_error (&self->last_connect_error);
  g_free (self->last_connect_address);
  g_free (self->host);
  g_free (self->ca_file);
  G_OBJECT_CLASS (postaci_smtp_link_parent_class)->finalize (object);
}

static void
postaci_smtp_link_class_init (PostaciSmtpLinkClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = postaci_smtp_link_dispose;
  object_class->finalize = postaci_smtp_link_finalize;

  /**
   * PostaciSmtpLink::event:
   * @kind: a #PostaciEventKind: INFO (what the link does), TLS (a fact), WARNING
   * @text: printable text, in the run's language
   */
  signals[SIGNAL_EVENT] =
    g_signal_new ("event", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 2, G_TYPE_INT, G_TYPE_STRING);
  /**
   * PostaciSmtpLink::server-line:
   * @text: the line as it arrived, secrets masked, control bytes escaped
   * @reply: (nullable): the whole reply, on its last line
   */
  signals[SIGNAL_SERVER_LINE] =
    g_signal_new ("server-line", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 2, G_TYPE_STRING, POSTACI_TYPE_REPLY | G_SIGNAL_TYPE_STATIC_SCOPE);
}

static void
postaci_smtp_link_init (PostaciSmtpLink *self)
{
  self->timeout = DEFAULT_TIMEOUT_SECONDS;
  self->parser = postaci_reply_parser_new ();
}

PostaciSmtpLink *
postaci_smtp_link_new (const char *host, guint port)
{
  PostaciSmtpLink *self;

  g_return_val_if_fail (host != NULL && *host != '\0', NULL);
  g_return_val_if_fail (port > 0 && port <= 65535, NULL);

  self = g_object_new (POSTACI_TYPE_SMTP_LINK, NULL);
  self->host = g_strdup (host);
  self->port = port;
  return self;
}

PostaciSmtpLink *
postaci_smtp_link_new_for_stream (GIOStream *stream)
{
  PostaciSmtpLink *self;

  g_return_val_if_fail (G_IS_IO_STREAM (stream), NULL);

  self = g_object_new (POSTACI_TYPE_SMTP_LINK, NULL);
  self->host = g_strdup ("localhost");
  self->port = 25;
  self->test_stream = g_object_ref (stream);
  return self;
}

void
postaci_smtp_link_set_timeout (PostaciSmtpLink *self, guint seconds)
{
  g_return_if_fail (POSTACI_IS_SMTP_LINK (self));
  g_return_if_fail (seconds > 0);
  self->timeout = seconds;
}

void
postaci_smtp_link_set_trust (PostaciSmtpLink *self, const char *ca_file, GTlsCertificate *pinned,
                             gboolean accept_invalid)
{
  g_return_if_fail (POSTACI_IS_SMTP_LINK (self));
  g_return_if_fail (pinned == NULL || G_IS_TLS_CERTIFICATE (pinned));

  g_free (self->ca_file);
  self->ca_file = ca_file != NULL && *ca_file != '\0' ? g_strdup (ca_file) : NULL;
  g_set_object (&self->pinned, pinned);
  self->accept_invalid = accept_invalid;
}

void
postaci_smtp_link_set_look_only (PostaciSmtpLink *self, gboolean look_only)
{
  g_return_if_fail (POSTACI_IS_SMTP_LINK (self));
  self->look_only = look_only;
}

void
postaci_smtp_link_set_redactor (PostaciSmtpLink *self, const PostaciRedactor *redactor)
{
  g_return_if_fail (POSTACI_IS_SMTP_LINK (self));
  self->redactor = redactor;
}

gboolean
postaci_smtp_link_is_connected (PostaciSmtpLink *self)
{
  g_return_val_if_fail (POSTACI_IS_SMTP_LINK (self), FALSE);
  return self->stream != NULL;
}

gboolean
postaci_smtp_link_get_tls_active (PostaciSmtpLink *self)
{
  g_return_val_if_fail (POSTACI_IS_SMTP_LINK (self), FALSE);
  return self->tls_active;
}

/* When the server's certificate expires (Unix time), or 0 before TLS or without one. */
gint64
postaci_smtp_link_get_certificate_not_after (PostaciSmtpLink *self)
{
  g_return_val_if_fail (POSTACI_IS_SMTP_LINK (self), 0);
  return self->certificate_not_after;
}

gsize
postaci_smtp_link_get_buffered (PostaciSmtpLink *self)
{
  g_return_val_if_fail (POSTACI_IS_SMTP_LINK (self), 0);
  return self->reader != NULL ? postaci_line_reader_get_buffered (self->reader) : 0;
}

gboolean
postaci_smtp_link_get_received_any (PostaciSmtpLink *self)
{
  g_return_val_if_fail (POSTACI_IS_SMTP_LINK (self), FALSE);
  return self->received_any || postaci_smtp_link_get_buffered (self) > 0;
}

GTlsCertificateFlags
postaci_smtp_link_get_certificate_errors (PostaciSmtpLink *self)
{
  g_return_val_if_fail (POSTACI_IS_SMTP_LINK (self), 0);
  return self->certificate_errors;
}

GTlsCertificate *
postaci_smtp_link_get_peer_certificate (PostaciSmtpLink *self)
{
  g_return_val_if_fail (POSTACI_IS_SMTP_LINK (self), NULL);
  if (!self->tls_active || !G_IS_TLS_CONNECTION (self->stream))
    return NULL;
  return g_tls_connection_get_peer_certificate (G_TLS_CONNECTION (self->stream));
}

const char *
postaci_smtp_link_get_tls_version (PostaciSmtpLink *self)
{
  g_return_val_if_fail (POSTACI_IS_SMTP_LINK (self), NULL);
  return self->tls_version;
}

GSocketAddress *
postaci_smtp_link_get_remote_address (PostaciSmtpLink *self)
{
  g_return_val_if_fail (POSTACI_IS_SMTP_LINK (self), NULL);
  if (self->connection == NULL)
    return NULL;
  return g_socket_connection_get_remote_address (self->connection, NULL);
}

GSocketAddress *
postaci_smtp_link_get_local_address (PostaciSmtpLink *self)
{
  g_return_val_if_fail (POSTACI_IS_SMTP_LINK (self), NULL);
  if (self->connection == NULL)
    return NULL;
  return g_socket_connection_get_local_address (self->connection, NULL);
}

/* ---------------------------------------------------------------- */
/* Events                                                           */
/* ---------------------------------------------------------------- */

static void say (PostaciSmtpLink *self, PostaciEventKind kind, const char *format, ...)
  G_GNUC_PRINTF (3, 4);

static void
say (PostaciSmtpLink *self, PostaciEventKind kind, const char *format, ...)
{
  va_list          args;
  g_autofree char *text = NULL;

  va_start (args, format);
  text = g_strdup_vprintf (format, args);
  va_end (args);
  g_signal_emit (self, signals[SIGNAL_EVENT], 0, (int) kind, text);
}

/* ---------------------------------------------------------------- */
/* Deadlines and cancellation                                       */
/* ---------------------------------------------------------------- */

static gboolean
deadline_cb (gpointer user_data)
{
  PostaciSmtpLink *self = user_data;

  self->deadline_id = 0;
  self->timed_out = TRUE;
  g_cancellable_cancel (self->op_cancellable);
  return G_SOURCE_REMOVE;
}

static void
caller_cancelled_cb (GCancellable *cancellable, gpointer user_data)
{
  PostaciSmtpLink *self = user_data;

  /* Callers cancel from the link's main context. */
  if (self->op_cancellable != NULL)
    g_cancellable_cancel (self->op_cancellable);
}

/* Starts a wait: a fresh cancellable, cancelled by the deadline or by @caller. */
static GCancellable *
arm_wait (PostaciSmtpLink *self, GCancellable *caller)
{
  disarm_wait (self);
  g_clear_object (&self->op_cancellable);
  self->op_cancellable = g_cancellable_new ();
  self->timed_out = FALSE;
  if (caller != NULL)
    {
      self->caller = g_object_ref (caller);
      /* Runs at once when @caller is already cancelled. */
      self->caller_id =
        g_cancellable_connect (caller, G_CALLBACK (caller_cancelled_cb), self, NULL);
    }
  self->deadline_id = g_timeout_add_seconds (self->timeout, deadline_cb, self);
  return self->op_cancellable;
}

static void
disarm_wait (PostaciSmtpLink *self)
{
  g_clear_handle_id (&self->deadline_id, g_source_remove);
  if (self->caller_id != 0)
    g_cancellable_disconnect (self->caller, self->caller_id);
  self->caller_id = 0;
  g_clear_object (&self->caller);
}

/* Turns the CANCELLED of a wait that the deadline caused into what really happened. A read
 * that timed out before a single byte arrived is the silent server of the field notes
 * (plain text to port 465): NO_GREETING, which the catalog explains as such. */
static GError *
translate_wait_error (PostaciSmtpLink *self, GError *error, gboolean reading)
{
  GError *timeout;

  if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) || !self->timed_out)
    return error;
  if (reading && !postaci_smtp_link_get_received_any (self))
    timeout = g_error_new (
      POSTACI_SESSION_ERROR, POSTACI_SESSION_ERROR_NO_GREETING,
      g_dngettext (GETTEXT_PACKAGE, "Connected, but the server sent nothing in %u second.",
                   "Connected, but the server sent nothing in %u seconds.", self->timeout),
      self->timeout);
  else
    timeout = g_error_new (POSTACI_SESSION_ERROR, POSTACI_SESSION_ERROR_TIMEOUT,
                           g_dngettext (GETTEXT_PACKAGE, "No answer within %u second.",
                                        "No answer within %u seconds.", self->timeout),
                           self->timeout);
  g_error_free (error);
  return timeout;
}

/* Ends @task with the error of a wait. Takes @error. */
static void
return_wait_error (GTask *task, GError *error, gboolean reading)
{
  PostaciSmtpLink *self = g_task_get_source_object (task);

  g_task_return_error (task, translate_wait_error (self, error, reading));
}

static GTask *
new_task (PostaciSmtpLink *self, gpointer source_tag, GCancellable *cancellable,
          GAsyncReadyCallback callback, gpointer user_data)
{
  GTask *task = g_task_new (self, cancellable, callback, user_data);

  g_task_set_source_tag (task, source_tag);
  /* The link says why an operation ended (a deadline, the caller): GTask must not swap
   * that for its own CANCELLED. */
  g_task_set_check_cancellable (task, FALSE);
  return task;
}

/* ---------------------------------------------------------------- */
/* Connecting: address by address                                   */
/* ---------------------------------------------------------------- */

static void
use_stream (PostaciSmtpLink *self, GIOStream *stream)
{
  g_set_object (&self->stream, stream);
  g_clear_object (&self->reader);
  self->reader =
    postaci_line_reader_new (g_io_stream_get_input_stream (stream), POSTACI_REPLY_MAX_LINE);
}

/* Takes @task. */
static void
connected (GTask *owned)
{
  g_autoptr(GTask) task = owned;
  PostaciSmtpLink *self = g_task_get_source_object (task);
  g_autoptr(GSocketAddress) remote = NULL;
  g_autofree char *remote_text = NULL;

  if (self->connection != NULL)
    remote = g_socket_connection_get_remote_address (self->connection, NULL);
  if (remote != NULL)
    remote_text = g_socket_connectable_to_string (G_SOCKET_CONNECTABLE (remote));
  say (self, POSTACI_EVENT_INFO, _ ("Connected to %s."), remote_text ? remote_text : self->host);
  g_task_return_boolean (task, TRUE);
}

static void
connect_cb (GObject *object, GAsyncResult *res, gpointer user_data)
{
  g_autoptr(GTask) task = user_data;
  PostaciSmtpLink   *self = g_task_get_source_object (task);
  GError            *error = NULL;
  GSocketConnection *connection;
  g_autofree char   *address_text =
    g_socket_connectable_to_string (G_SOCKET_CONNECTABLE (self->current_address));

  disarm_wait (self);
  connection = g_socket_client_connect_finish (G_SOCKET_CLIENT (object), res, &error);
  if (connection == NULL)
    {
      error = translate_wait_error (self, error, FALSE);
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          g_task_return_error (task, error);
          return;
        }
      g_clear_error (&self->last_connect_error);
      self->last_connect_error = error;
      g_free (self->last_connect_address);
      self->last_connect_address = g_steal_pointer (&address_text);
      connect_next_address (g_steal_pointer (&task));
      return;
    }
  g_clear_object (&self->addresses);
  /* Commands go out at once: with Nagle, EHLO right after the TLS Finished waits for a
   * delayed ACK. */
  g_socket_set_option (g_socket_connection_get_socket (connection), IPPROTO_TCP, TCP_NODELAY, 1,
                       NULL);
  self->connection = connection;
  use_stream (self, G_IO_STREAM (connection));
  connected (g_steal_pointer (&task));
}

static void
next_address_cb (GObject *object, GAsyncResult *res, gpointer user_data)
{
  g_autoptr(GTask) task = user_data;
  PostaciSmtpLink *self = g_task_get_source_object (task);
  GError          *error = NULL;
  g_autoptr(GSocketAddress) address = NULL;
  g_autofree char *text = NULL;
  GCancellable    *cancellable;

  disarm_wait (self);
  address =
    g_socket_address_enumerator_next_finish (G_SOCKET_ADDRESS_ENUMERATOR (object), res, &error);
  if (error != NULL)
    {
      return_wait_error (task, error, FALSE);
      return;
    }
  if (address == NULL)
    {
      /* Every address failed: the last reason; with one address it is the only one. */
      if (self->last_connect_error != NULL)
        g_task_return_error (task, g_steal_pointer (&self->last_connect_error));
      else
        g_task_return_new_error (task, G_RESOLVER_ERROR, G_RESOLVER_ERROR_NOT_FOUND,
                                 _ ("“%s” has no addresses."), self->host);
      return;
    }

  /* The failure of the address before, said only now that another one follows: after the
   * last address it is the run's own error, explained once by whoever shows it. */
  if (self->last_connect_error != NULL)
    /* Translators: “192.0.2.1:587: Connection refused” */
    say (self, POSTACI_EVENT_WARNING, _ ("%s: %s"), self->last_connect_address,
         self->last_connect_error->message);
  text = g_socket_connectable_to_string (G_SOCKET_CONNECTABLE (address));
  say (self, POSTACI_EVENT_INFO, _ ("Trying %s…"), text);
  cancellable = arm_wait (self, g_task_get_cancellable (task));
  g_set_object (&self->current_address, address);
  g_socket_client_connect_async (self->client, G_SOCKET_CONNECTABLE (address), cancellable,
                                 connect_cb, g_steal_pointer (&task));
}

static void
connect_next_address (GTask *task)
{
  PostaciSmtpLink *self = g_task_get_source_object (task);
  GCancellable    *cancellable = arm_wait (self, g_task_get_cancellable (task));

  g_socket_address_enumerator_next_async (self->addresses, cancellable, next_address_cb, task);
}

void
postaci_smtp_link_connect_async (PostaciSmtpLink *self, GCancellable *cancellable,
                                 GAsyncReadyCallback callback, gpointer user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GSocketConnectable) target = NULL;

  g_return_if_fail (POSTACI_IS_SMTP_LINK (self));
  g_return_if_fail (self->stream == NULL && self->addresses == NULL);

  task = new_task (self, postaci_smtp_link_connect_async, cancellable, callback, user_data);
  if (self->test_stream != NULL)
    {
      g_autoptr(GIOStream) stream = g_steal_pointer (&self->test_stream);

      use_stream (self, stream);
      connected (g_steal_pointer (&task));
      return;
    }
  say (self, POSTACI_EVENT_INFO, _ ("Looking up %s, port %u…"), self->host, self->port);
  target = g_network_address_new (self->host, (guint16) self->port);
  self->addresses = g_socket_connectable_enumerate (target);
  self->client = g_socket_client_new ();
  g_socket_client_set_enable_proxy (self->client, FALSE);
  connect_next_address (g_steal_pointer (&task));
}

gboolean
postaci_smtp_link_connect_finish (PostaciSmtpLink *self, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

/* ---------------------------------------------------------------- */
/* TLS                                                              */
/* ---------------------------------------------------------------- */

static gboolean
accept_certificate_cb (GTlsConnection *connection, GTlsCertificate *certificate,
                       GTlsCertificateFlags errors, gpointer user_data)
{
  PostaciSmtpLink *self = user_data;
  g_autoptr(PostaciCertificateInfo) info = NULL;
  g_auto(GStrv) problems = NULL;

  self->certificate_errors = errors;
  /* The Local Test Server's certificate, pinned for this run: what verification says of a
   * throwaway certificate is no news, and no advice applies. A fact, not a warning. */
  if (self->pinned != NULL && g_tls_certificate_is_same (self->pinned, certificate))
    {
      say (self, POSTACI_EVENT_TLS,
           _ ("The certificate is the one pinned for this run (the Local Test Server’s): "
              "accepted."));
      self->pinned_accepted = TRUE;
      return TRUE;
    }
  info = postaci_certificate_info_new (certificate);
  problems = postaci_certificate_describe_errors (errors, info, self->host);
  for (guint i = 0; problems[i] != NULL; i++)
    say (self, POSTACI_EVENT_WARNING, "%s", problems[i]);
  /* Only EHLO and QUIT follow a look: seeing behind an invalid certificate risks nothing. */
  if (self->look_only)
    return TRUE;
  if (self->accept_invalid)
    {
      say (self, POSTACI_EVENT_WARNING,
           _ ("Accepting this invalid certificate for this run only, as you asked. "
              "The connection is encrypted, but the server's identity is not proven."));
      return TRUE;
    }
  return FALSE;
}

static void
report_tls (PostaciSmtpLink *self, GTlsConnection *tls)
{
  GTlsProtocolVersion      version = g_tls_connection_get_protocol_version (tls);
  g_autofree char         *cipher = g_tls_connection_get_ciphersuite_name (tls);
  GTlsCertificate         *peer = g_tls_connection_get_peer_certificate (tls);
  static const char *const versions[] = {
    [G_TLS_PROTOCOL_VERSION_SSL_3_0] = "SSL 3.0", [G_TLS_PROTOCOL_VERSION_TLS_1_0] = "TLS 1.0",
    [G_TLS_PROTOCOL_VERSION_TLS_1_1] = "TLS 1.1", [G_TLS_PROTOCOL_VERSION_TLS_1_2] = "TLS 1.2",
    [G_TLS_PROTOCOL_VERSION_TLS_1_3] = "TLS 1.3",
  };
  const char *version_name = (version > 0 && version < G_N_ELEMENTS (versions) && versions[version])
                               ? versions[version]
                               : _ ("an unknown TLS version");

  self->tls_version = version_name;

  say (self, POSTACI_EVENT_TLS, _ ("Encrypted with %s, cipher suite %s."), version_name,
       cipher ? cipher : "?");
  if (version == G_TLS_PROTOCOL_VERSION_SSL_3_0 || version == G_TLS_PROTOCOL_VERSION_TLS_1_0 ||
      version == G_TLS_PROTOCOL_VERSION_TLS_1_1)
    say (self, POSTACI_EVENT_WARNING,
         _ ("%s is outdated and insecure; the server should offer TLS 1.2 or newer."),
         version_name);

  if (peer != NULL)
    {
      g_autoptr(PostaciCertificateInfo) info = postaci_certificate_info_new (peer);
      g_autofree char *names = info->names ? g_strjoinv (", ", info->names) : g_strdup ("");
      g_autofree char *from =
        info->not_before ? g_date_time_format (info->not_before, "%Y-%m-%d") : g_strdup ("?");
      g_autofree char *until =
        info->not_after ? g_date_time_format (info->not_after, "%Y-%m-%d") : g_strdup ("?");

      say (self, POSTACI_EVENT_TLS, _ ("Certificate subject: %s"),
           info->subject ? info->subject : "?");
      say (self, POSTACI_EVENT_TLS, _ ("Issued by: %s"), info->issuer ? info->issuer : "?");
      say (self, POSTACI_EVENT_TLS, _ ("Valid from %s until %s"), from, until);
      say (self, POSTACI_EVENT_TLS, _ ("Names: %s"), names);
      say (self, POSTACI_EVENT_TLS, _ ("SHA-256 fingerprint: %s"),
           info->sha256 ? info->sha256 : "?");
      /* For a monitoring check of the days left (postaci-cli --cert-warning). */
      if (info->not_after != NULL)
        self->certificate_not_after = g_date_time_to_unix (info->not_after);
    }
  if (self->certificate_errors == 0)
    say (self, POSTACI_EVENT_TLS, _ ("The certificate is valid for %s."), self->host);
  else if (!self->pinned_accepted)
    say (self, POSTACI_EVENT_WARNING,
         _ ("The certificate did not pass verification; it was accepted for this run only."));
}

/* GIO's "Unacceptable TLS certificate" says nothing a person can act on: say which check
 * failed, in the words of the certificate module. */
static GError *
certificate_error (PostaciSmtpLink *self, GError *error)
{
  g_autofree char *what = NULL;
  GError          *better;

  if (self->certificate_errors == 0 ||
      !g_error_matches (error, G_TLS_ERROR, G_TLS_ERROR_BAD_CERTIFICATE))
    return error;
  what = postaci_certificate_describe_flag (self->certificate_errors);
  better = g_error_new (POSTACI_SESSION_ERROR, POSTACI_SESSION_ERROR_CERTIFICATE,
                        _ ("The server's certificate was rejected: %s."), what);
  g_error_free (error);
  return better;
}

static void
handshake_cb (GObject *object, GAsyncResult *res, gpointer user_data)
{
  g_autoptr(GTask) task = user_data;
  PostaciSmtpLink *self = g_task_get_source_object (task);
  GError          *error = NULL;

  disarm_wait (self);
  /* Nothing ties the connection to the link any more (see postaci_smtp_link_start_tls_async). */
  g_signal_handlers_disconnect_by_func (object, accept_certificate_cb, self);
  if (!g_tls_connection_handshake_finish (G_TLS_CONNECTION (object), res, &error))
    {
      g_task_return_error (task,
                           certificate_error (self, translate_wait_error (self, error, FALSE)));
      return;
    }
  self->tls_active = TRUE;
  report_tls (self, G_TLS_CONNECTION (object));
  use_stream (self, G_IO_STREAM (object));
  g_task_return_boolean (task, TRUE);
}

void
postaci_smtp_link_start_tls_async (PostaciSmtpLink *self, GCancellable *cancellable,
                                   GAsyncReadyCallback callback, gpointer user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GSocketConnectable) identity = NULL;
  g_autoptr(GIOStream) tls = NULL;
  GError *error = NULL;

  g_return_if_fail (POSTACI_IS_SMTP_LINK (self));
  g_return_if_fail (self->stream != NULL && !self->tls_active);

  task = new_task (self, postaci_smtp_link_start_tls_async, cancellable, callback, user_data);
  /* Anything already buffered was sent before the handshake and would be read as if it came
   * through TLS: a command injection (CVE-2011-0411 class). */
  if (postaci_smtp_link_get_buffered (self) > 0)
    {
      g_task_return_new_error (task, POSTACI_SESSION_ERROR,
                               POSTACI_SESSION_ERROR_STARTTLS_INJECTION, "%s",
                               _ ("The server sent data right after agreeing to STARTTLS, before "
                                  "encryption began. This is how an attacker injects replies; "
                                  "the run was stopped."));
      return;
    }
  if (self->connection == NULL)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                               "TLS needs a socket connection");
      return;
    }
  /* The identity carries the name for SNI and for the certificate check. An IP literal goes
   * as an address: no SNI at all (RFC 6066 forbids literals there, and GnuTLS servers refuse
   * "::1"), and the certificate's IP addresses are checked. */
  if (g_hostname_is_ip_address (self->host))
    {
      g_autoptr(GInetAddress) address = g_inet_address_new_from_string (self->host);

      identity = G_SOCKET_CONNECTABLE (g_inet_socket_address_new (address, (guint16) self->port));
    }
  else
    identity = g_network_address_new (self->host, (guint16) self->port);
  tls = postaci_certificate_new_client (G_IO_STREAM (self->connection), identity, self->ca_file,
                                        &error);
  if (tls == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  self->certificate_errors = 0;
  /* Not g_signal_connect_object(): glib-networking drops its last reference to the connection
   * on a worker thread whenever that thread loses the race with the main loop (a close that
   * ended, on a busy machine), and a closure watched by the link would then be torn down on
   * that thread while the link is disposed on this one: a crash (SIGSEGV) in the soak. The
   * signal comes only during the handshake, which holds the link; handshake_cb() disconnects
   * it here, on the link's thread. */
  g_signal_connect (tls, "accept-certificate", G_CALLBACK (accept_certificate_cb), self);
  say (self, POSTACI_EVENT_INFO, _ ("Starting the TLS handshake…"));
  g_tls_connection_handshake_async (G_TLS_CONNECTION (tls), G_PRIORITY_DEFAULT,
                                    arm_wait (self, cancellable), handshake_cb,
                                    g_steal_pointer (&task));
}

gboolean
postaci_smtp_link_start_tls_finish (PostaciSmtpLink *self, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

/* ---------------------------------------------------------------- */
/* Writing                                                          */
/* ---------------------------------------------------------------- */

static void
write_cb (GObject *object, GAsyncResult *res, gpointer user_data)
{
  g_autoptr(GTask) task = user_data;
  PostaciSmtpLink *self = g_task_get_source_object (task);
  GError          *error = NULL;

  disarm_wait (self);
  if (self->pending_write != NULL)
    wipe_bytes (self->pending_write);
  g_clear_pointer (&self->pending_write, g_bytes_unref);
  if (!g_output_stream_write_all_finish (G_OUTPUT_STREAM (object), res, NULL, &error))
    {
      return_wait_error (task, error, FALSE);
      return;
    }
  g_task_return_boolean (task, TRUE);
}

/* Writes @lines, each with CRLF, in one write. */
static void
write_lines (PostaciSmtpLink *self, const char *const *lines, guint n_lines, gpointer source_tag,
             GCancellable *cancellable, GAsyncReadyCallback callback, gpointer user_data)
{
  gsize  length = 0;
  gsize  at = 0;
  char  *wire;
  GTask *task;

  task = new_task (self, source_tag, cancellable, callback, user_data);
  for (guint i = 0; i < n_lines; i++)
    length += strlen (lines[i]) + 2;
  wire = g_malloc (length);
  for (guint i = 0; i < n_lines; i++)
    {
      gsize line_length = strlen (lines[i]);

      memcpy (wire + at, lines[i], line_length);
      wire[at + line_length] = '\r';
      wire[at + line_length + 1] = '\n';
      at += line_length + 2;
    }
  /* Kept until the write completes: the stream reads from it until then. */
  self->pending_write = g_bytes_new_take (wire, length);
  g_output_stream_write_all_async (g_io_stream_get_output_stream (self->stream), wire, length,
                                   G_PRIORITY_DEFAULT, arm_wait (self, cancellable), write_cb,
                                   task);
}

void
postaci_smtp_link_send_line_async (PostaciSmtpLink *self, const char *line,
                                   GCancellable *cancellable, GAsyncReadyCallback callback,
                                   gpointer user_data)
{
  g_return_if_fail (POSTACI_IS_SMTP_LINK (self));
  g_return_if_fail (line != NULL);
  g_return_if_fail (self->stream != NULL && self->pending_write == NULL);

  write_lines (self, &line, 1, postaci_smtp_link_send_line_async, cancellable, callback, user_data);
}

gboolean
postaci_smtp_link_send_line_finish (PostaciSmtpLink *self, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

void
postaci_smtp_link_send_lines_async (PostaciSmtpLink *self, const char *const *lines, guint n_lines,
                                    GCancellable *cancellable, GAsyncReadyCallback callback,
                                    gpointer user_data)
{
  g_return_if_fail (POSTACI_IS_SMTP_LINK (self));
  g_return_if_fail (lines != NULL && n_lines > 0);
  g_return_if_fail (self->stream != NULL && self->pending_write == NULL);

  write_lines (self, lines, n_lines, postaci_smtp_link_send_lines_async, cancellable, callback,
               user_data);
}

gboolean
postaci_smtp_link_send_lines_finish (PostaciSmtpLink *self, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

void
postaci_smtp_link_write_async (PostaciSmtpLink *self, const void *data, gsize size,
                               GCancellable *cancellable, GAsyncReadyCallback callback,
                               gpointer user_data)
{
  GTask *task;

  g_return_if_fail (POSTACI_IS_SMTP_LINK (self));
  g_return_if_fail (self->stream != NULL);

  task = new_task (self, postaci_smtp_link_write_async, cancellable, callback, user_data);
  g_output_stream_write_all_async (g_io_stream_get_output_stream (self->stream), data, size,
                                   G_PRIORITY_DEFAULT, arm_wait (self, cancellable), write_cb,
                                   task);
}

gboolean
postaci_smtp_link_write_finish (PostaciSmtpLink *self, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

/* ---------------------------------------------------------------- */
/* Reading a reply                                                  */
/* ---------------------------------------------------------------- */

/* A server that echoes what we sent (Sendmail's "500 5.5.1 Command unrecognized: …", or a
 * hostile one) must not put a credential into a transcript: every form of a secret is masked
 * before the line is parsed, so the reply and everything made of it hold the masked text.
 * The reply code stays as it came, so a short password cannot break parsing. */
static void
mask_secrets (PostaciSmtpLink *self, char **line, gsize *length)
{
  gsize            keep;
  gsize            masked_length = 0;
  g_autofree char *masked = NULL;
  char            *result;

  if (self->redactor == NULL)
    return;
  keep = (*length >= 3 && g_ascii_isdigit ((*line)[0]) && g_ascii_isdigit ((*line)[1]) &&
          g_ascii_isdigit ((*line)[2]))
           ? 3
           : 0;
  masked = postaci_redactor_apply (self->redactor, *line + keep, (gssize) (*length - keep),
                                   &masked_length);
  if (masked_length == *length - keep && memcmp (masked, *line + keep, masked_length) == 0)
    return;
  result = g_malloc (keep + masked_length + 1);
  memcpy (result, *line, keep);
  memcpy (result + keep, masked, masked_length + 1);
  explicit_bzero (*line, *length);
  g_free (*line);
  *line = result;
  *length = keep + masked_length;
}

static void
emit_line (PostaciSmtpLink *self, const char *line, gsize length, PostaciReply *reply)
{
  g_autofree char *text = postaci_escape_text (line, (gssize) length);

  g_signal_emit (self, signals[SIGNAL_SERVER_LINE], 0, text, reply);
}

static void
read_line_cb (GObject *object, GAsyncResult *res, gpointer user_data)
{
  g_autoptr(GTask) task = user_data;
  PostaciSmtpLink *self = g_task_get_source_object (task);
  GError          *error = NULL;
  g_autofree char *line = NULL;
  gsize            length = 0;
  PostaciReply    *reply = NULL;

  line = postaci_line_reader_read_line_finish (POSTACI_LINE_READER (object), res, &length, &error);
  if (line == NULL)
    {
      disarm_wait (self);
      return_wait_error (task, error, TRUE);
      return;
    }
  self->received_any = TRUE;
  mask_secrets (self, &line, &length);

  switch (postaci_reply_parser_feed (self->parser, line, length, &reply, &error))
    {
    case POSTACI_REPLY_PARSER_MORE:
      emit_line (self, line, length, NULL);
      postaci_line_reader_read_line_async (self->reader, self->op_cancellable, read_line_cb,
                                           g_steal_pointer (&task));
      return;

    case POSTACI_REPLY_PARSER_DONE:
      disarm_wait (self);
      emit_line (self, line, length, reply);
      /* Each command has one reply: nothing may follow the last reply the caller waits for
       * (a pipelined batch waits for one per command, and says so until its last). */
      if (!(self->read_flags & POSTACI_SMTP_LINK_READ_MORE_ALLOWED) &&
          postaci_smtp_link_get_buffered (self) > 0)
        {
          postaci_reply_free (reply);
          g_task_return_new_error (task, POSTACI_SESSION_ERROR, POSTACI_SESSION_ERROR_PROTOCOL,
                                   "%s",
                                   _ ("The server sent more replies than commands were "
                                      "sent; the extra lines were not asked for."));
          return;
        }
      g_task_return_pointer (task, reply, (GDestroyNotify) postaci_reply_free);
      return;

    case POSTACI_REPLY_PARSER_ERROR:
    default:
      disarm_wait (self);
      emit_line (self, line, length, NULL);
      g_task_return_error (task, error);
      return;
    }
}

void
postaci_smtp_link_read_reply_async (PostaciSmtpLink *self, PostaciSmtpLinkReadFlags flags,
                                    GCancellable *cancellable, GAsyncReadyCallback callback,
                                    gpointer user_data)
{
  GTask *task;

  g_return_if_fail (POSTACI_IS_SMTP_LINK (self));
  g_return_if_fail (self->reader != NULL);

  task = new_task (self, postaci_smtp_link_read_reply_async, cancellable, callback, user_data);
  self->read_flags = flags;
  postaci_reply_parser_reset (self->parser);
  postaci_line_reader_read_line_async (self->reader, arm_wait (self, cancellable), read_line_cb,
                                       task);
}

PostaciReply *
postaci_smtp_link_read_reply_finish (PostaciSmtpLink *self, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

/* ---------------------------------------------------------------- */
/* Closing                                                          */
/* ---------------------------------------------------------------- */

static void
close_cb (GObject *object, GAsyncResult *res, gpointer user_data)
{
  g_autoptr(GTask) task = user_data;
  PostaciSmtpLink *self = g_task_get_source_object (task);
  g_autoptr(GError) error = NULL;

  disarm_wait (self);
  if (!g_io_stream_close_finish (G_IO_STREAM (object), res, &error))
    g_debug ("closing: %s", error->message);
  g_task_return_boolean (task, TRUE);
}

void
postaci_smtp_link_close_async (PostaciSmtpLink *self, GCancellable *cancellable,
                               GAsyncReadyCallback callback, gpointer user_data)
{
  GTask *task;

  g_return_if_fail (POSTACI_IS_SMTP_LINK (self));

  task = new_task (self, postaci_smtp_link_close_async, cancellable, callback, user_data);
  if (self->stream == NULL)
    {
      g_task_return_boolean (task, TRUE);
      g_object_unref (task);
      return;
    }
  /* The close sends TLS close_notify; a dead peer must not hold the caller. */
  g_io_stream_close_async (self->stream, G_PRIORITY_DEFAULT, arm_wait (self, cancellable), close_cb,
                           task);
}

void
postaci_smtp_link_close_finish (PostaciSmtpLink *self, GAsyncResult *result)
{
  g_return_if_fail (g_task_is_valid (result, self));
  g_task_propagate_boolean (G_TASK (result), NULL);
}
