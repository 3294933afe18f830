/* postaci-session.c — one SMTP run as an explicit state machine on the GLib main loop.
 *
 * Shape (after curl's lib/smtp.c): an enum of states, set_state() as the only
 * way to change state, one sender per command, one reply handler per state
 * and a single dispatch switch. Every wait — connect, handshake, reply, write —
 * has a deadline; nothing blocks and there are no threads. */
#define G_LOG_DOMAIN "postaci-session"

#include "config.h"

#include <inttypes.h>
#include <string.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <glib/gi18n-lib.h>

#include "postaci-catalog.h"
#include "postaci-certificate.h"
#include "postaci-line-reader.h"
#include "postaci-message.h"
#include "postaci-redactor.h"
#include "postaci-sasl.h"
#include "postaci-session.h"
#include "postaci-session-private.h"

/* How much of the message is read from disk and written per step. */
#define DATA_CHUNK_SIZE (64 * 1024)
/* Header lines of the message shown in the transcript before the body is summarised. */
#define MAX_SHOWN_HEADER_LINES 40
/* How much of a server's reply the one-line reason of a failed run quotes. */
#define MAX_QUOTED_REPLY_CHARS 300

typedef enum {
  STATE_INIT,            /* nothing done yet */
  STATE_RESOLVING,       /* looking up the server's addresses */
  STATE_CONNECTING,      /* TCP connect to one address */
  STATE_TLS_HANDSHAKE,   /* implicit TLS, before the greeting */
  STATE_GREETING,        /* waiting for the 220 banner */
  STATE_EHLO,            /* EHLO sent (again after STARTTLS) */
  STATE_HELO,            /* HELO sent: EHLO was refused and security is none */
  STATE_STARTTLS,        /* STARTTLS sent, waiting for 220 */
  STATE_STARTTLS_HANDSHAKE, /* TLS handshake after the 220 */
  STATE_AUTH,            /* AUTH exchange under way */
  STATE_AUTH_CANCEL,     /* "*" sent to abandon a broken AUTH exchange */
  STATE_MAIL,            /* MAIL FROM sent */
  STATE_RCPT,            /* RCPT TO sent for recipient rcpt_index */
  STATE_DATA,            /* DATA sent, waiting for 354 */
  STATE_DATA_BODY,       /* streaming the message */
  STATE_DATA_END,        /* final dot sent, waiting for the verdict */
  STATE_QUIT,            /* QUIT sent */
  STATE_CLOSING,         /* closing the connection */
  STATE_DONE,            /* the task has returned */
} SessionState;

static const char *const state_names[] = {
  "INIT", "RESOLVING", "CONNECTING", "TLS_HANDSHAKE", "GREETING", "EHLO", "HELO",
  "STARTTLS", "STARTTLS_HANDSHAKE", "AUTH", "AUTH_CANCEL", "MAIL", "RCPT", "DATA",
  "DATA_BODY", "DATA_END", "QUIT", "CLOSING", "DONE",
};

struct _PostaciSession {
  GObject               parent_instance;

  PostaciRequest       *request;
  PostaciSecurity       security;      /* effective: auto on 465 became tls */
  char                 *host;          /* server name without IPv6 brackets */
  guint                 port;
  GTlsCertificate      *pinned;        /* accepted even when verification fails */

  SessionState          state;
  PostaciStage          stage;
  gint64                started_us;
  gint64                stage_started_us;
  GTask                *task;
  GPtrArray            *events;        /* PostaciEvent * */

  /* Waiting: one cancellable per wait, cancelled by the deadline or the caller. */
  GCancellable         *user_cancellable;
  gulong                user_cancelled_id;
  GCancellable         *op_cancellable;
  guint                 deadline_id;
  gboolean              timed_out;

  /* The link */
  GSocketClient        *client;
  GSocketAddressEnumerator *addresses;
  GError               *last_connect_error;
  guint                 addresses_tried;
  GIOStream            *stream;        /* GSocketConnection, or the GTlsClientConnection over it */
  GSocketConnection    *connection;
  PostaciLineReader    *reader;
  PostaciReplyParser   *parser;
  gboolean              received_any;
  gboolean              tls_active;
  GTlsCertificateFlags  certificate_errors;
  gboolean              certificate_accepted_invalid;

  /* What the server said it can do, from the latest EHLO. */
  GHashTable           *capabilities;  /* upper-case keyword → parameters */
  gboolean              saw_first_ehlo;
  gboolean              helo_mode;
  char                 *ehlo_name;

  /* The current command and its reply */
  PostaciCommand        command;
  PostaciReply         *last_reply;
  PostaciCommand        last_reply_command;

  /* AUTH */
  PostaciSasl          *sasl;
  PostaciRedactor      *redactor;      /* every form of the secrets sent: masked in server text */
  GError               *auth_error;    /* kept while "*" abandons the exchange */

  /* Envelope and data */
  PostaciMessage       *message;
  gboolean              prepared;      /* postaci_session_prepare() succeeded */
  GInputStream         *data_stream;
  goffset               data_size;
  goffset               data_sent;
  guchar               *chunk;
  gboolean              headers_shown;
  guint                 rcpt_index;
  GPtrArray            *refused;       /* char *: the recipients the server refused */
  char                 *from_ascii;
  gboolean              needs_smtputf8;

  PostaciOutcome       *outcome;
  gboolean              concluded;   /* the verdict is set; what follows is only QUIT and close */
  gboolean              stage_open;  /* begin_stage() without its end_stage() yet */
  GBytes               *pending_write; /* the line being written */
  GSocketAddress       *current_address; /* the address being dialled */
  GIOStream            *test_stream;   /* set_stream_for_testing(): used instead of connecting */
};

G_DEFINE_TYPE (PostaciSession, postaci_session, G_TYPE_OBJECT)
G_DEFINE_QUARK (postaci-session-error-quark, postaci_session_error)

enum {
  SIGNAL_EVENT,
  N_SIGNALS
};
static guint signals[N_SIGNALS];

static void dispatch_reply (PostaciSession *self, PostaciReply *reply);
static void read_reply (PostaciSession *self);
static void send_ehlo (PostaciSession *self);
static void send_quit (PostaciSession *self);
static void next_after_tls (PostaciSession *self);
static void start_auth (PostaciSession *self);
static void send_mail_from (PostaciSession *self);
static void send_rcpt_to (PostaciSession *self);
static void send_data_chunk (PostaciSession *self);
static void finish_run (PostaciSession *self);
static void close_connection (PostaciSession *self);
static void start_tls_handshake (PostaciSession *self);
static void connect_next_address (PostaciSession *self);
static void wipe_bytes (GBytes *bytes);

/* ---------------------------------------------------------------- */
/* GObject                                                          */
/* ---------------------------------------------------------------- */

static void
postaci_session_dispose (GObject *object)
{
  PostaciSession *self = POSTACI_SESSION (object);

  g_clear_handle_id (&self->deadline_id, g_source_remove);
  if (self->user_cancelled_id != 0)
    g_cancellable_disconnect (self->user_cancellable, self->user_cancelled_id);
  self->user_cancelled_id = 0;
  g_clear_object (&self->user_cancellable);
  g_clear_object (&self->op_cancellable);
  g_clear_object (&self->addresses);
  g_clear_object (&self->client);
  g_clear_object (&self->reader);
  g_clear_object (&self->stream);
  g_clear_object (&self->connection);
  g_clear_object (&self->message);
  g_clear_object (&self->data_stream);
  g_clear_object (&self->pinned);
  g_clear_object (&self->current_address);
  g_clear_object (&self->test_stream);
  if (self->pending_write != NULL)
    wipe_bytes (self->pending_write);
  g_clear_pointer (&self->pending_write, g_bytes_unref);
  G_OBJECT_CLASS (postaci_session_parent_class)->dispose (object);
}

static void
postaci_session_finalize (GObject *object)
{
  PostaciSession *self = POSTACI_SESSION (object);

  g_clear_pointer (&self->request, postaci_request_free);
  g_clear_pointer (&self->events, g_ptr_array_unref);
  g_clear_pointer (&self->parser, postaci_reply_parser_free);
  g_clear_pointer (&self->capabilities, g_hash_table_unref);
  g_clear_pointer (&self->last_reply, postaci_reply_free);
  g_clear_pointer (&self->sasl, postaci_sasl_free);
  g_clear_pointer (&self->redactor, postaci_redactor_free);
  g_clear_pointer (&self->refused, g_ptr_array_unref);
  g_clear_pointer (&self->outcome, postaci_outcome_free);
  g_clear_error (&self->last_connect_error);
  g_clear_error (&self->auth_error);
  g_free (self->chunk);
  g_free (self->host);
  g_free (self->ehlo_name);
  g_free (self->from_ascii);
  G_OBJECT_CLASS (postaci_session_parent_class)->finalize (object);
}

static void
postaci_session_class_init (PostaciSessionClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = postaci_session_dispose;
  object_class->finalize = postaci_session_finalize;

  /**
   * PostaciSession::event:
   * @event: (type PostaciEvent): what happened; valid during the emission
   */
  signals[SIGNAL_EVENT] =
    g_signal_new ("event", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, POSTACI_TYPE_EVENT | G_SIGNAL_TYPE_STATIC_SCOPE);
}

static void
postaci_session_init (PostaciSession *self)
{
  self->events = g_ptr_array_new_with_free_func ((GDestroyNotify) postaci_event_free);
  self->parser = postaci_reply_parser_new ();
  self->capabilities = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  self->outcome = postaci_outcome_new ();
  self->redactor = postaci_redactor_new ();
  self->refused = g_ptr_array_new_with_free_func (g_free);
}

/**
 * postaci_session_new:
 * @request: what to do; copied, so the caller may free it at once
 */
PostaciSession *
postaci_session_new (const PostaciRequest *request)
{
  PostaciSession *self;

  g_return_val_if_fail (request != NULL, NULL);

  self = g_object_new (POSTACI_TYPE_SESSION, NULL);
  self->request = postaci_request_copy (request);
  self->security = postaci_request_get_effective_security (request);
  self->host = postaci_request_get_host_for_tls (request);
  self->port = postaci_request_get_port (request);
  g_set_object (&self->pinned, request->pinned_certificate);
  return self;
}

const PostaciRequest *
postaci_session_get_request (PostaciSession *self)
{
  g_return_val_if_fail (POSTACI_IS_SESSION (self), NULL);
  return self->request;
}

/* A certificate to accept for this run even if verification fails: the
 * built-in test server's throwaway certificate. The transcript says so. */
void
postaci_session_set_pinned_certificate (PostaciSession *self, GTlsCertificate *certificate)
{
  g_return_if_fail (POSTACI_IS_SESSION (self));
  g_set_object (&self->pinned, certificate);
}

/* See postaci-session-private.h. */
void
postaci_session_set_stream_for_testing (PostaciSession *self, GIOStream *stream)
{
  g_return_if_fail (POSTACI_IS_SESSION (self));
  g_return_if_fail (G_IS_IO_STREAM (stream));
  g_return_if_fail (self->state == STATE_INIT && self->security == POSTACI_SECURITY_NONE);
  g_set_object (&self->test_stream, stream);
}

/**
 * postaci_session_get_events:
 * Returns: (transfer none) (element-type PostaciEvent): every event of the run so far
 */
GPtrArray *
postaci_session_get_events (PostaciSession *self)
{
  g_return_val_if_fail (POSTACI_IS_SESSION (self), NULL);
  return self->events;
}

/* ---------------------------------------------------------------- */
/* Events and state                                                 */
/* ---------------------------------------------------------------- */

static gint64
elapsed_ms (PostaciSession *self)
{
  return (g_get_monotonic_time () - self->started_us) / 1000;
}

static PostaciEvent *
emit (PostaciSession *self, PostaciEvent *event)
{
  event->elapsed_ms = elapsed_ms (self);
  g_ptr_array_add (self->events, event);
  g_signal_emit (self, signals[SIGNAL_EVENT], 0, event);
  return event;
}

static void emit_text (PostaciSession *self, PostaciEventKind kind, const char *format, ...)
  G_GNUC_PRINTF (3, 4);

static void
emit_text (PostaciSession *self, PostaciEventKind kind, const char *format, ...)
{
  va_list args;
  g_autofree char *text = NULL;

  va_start (args, format);
  text = g_strdup_vprintf (format, args);
  va_end (args);
  emit (self, postaci_event_new (kind, self->stage, text));
}

static void
emit_stage (PostaciSession *self, PostaciStage stage, PostaciStageStatus status)
{
  PostaciEvent *event = postaci_event_new (POSTACI_EVENT_STAGE, stage,
                                           postaci_stage_get_label (stage));
  event->stage_status = status;
  emit (self, event);
}

/* The only way to change state; the transition goes to the debug log. */
static void
set_state (PostaciSession *self, SessionState state)
{
  g_debug ("%s → %s", state_names[self->state], state_names[state]);
  self->state = state;
}

static void
begin_stage (PostaciSession *self, PostaciStage stage)
{
  self->stage = stage;
  self->stage_started_us = g_get_monotonic_time ();
  self->stage_open = TRUE;
  emit_stage (self, stage, POSTACI_STAGE_STATUS_STARTED);
}

static void
end_stage (PostaciSession *self, PostaciStageStatus status)
{
  gint64 spent = (g_get_monotonic_time () - self->stage_started_us) / 1000;

  self->stage_open = FALSE;
  self->outcome->stage_ms[self->stage] = MAX (self->outcome->stage_ms[self->stage], 0) + spent;
  emit_stage (self, self->stage, status);
}

static void
skip_stage (PostaciSession *self, PostaciStage stage)
{
  self->stage = stage;
  emit_stage (self, stage, POSTACI_STAGE_STATUS_SKIPPED);
}

/* ---------------------------------------------------------------- */
/* Deadlines and cancellation                                       */
/* ---------------------------------------------------------------- */

static gboolean
deadline_cb (gpointer user_data)
{
  PostaciSession *self = user_data;

  self->deadline_id = 0;
  self->timed_out = TRUE;
  g_cancellable_cancel (self->op_cancellable);
  return G_SOURCE_REMOVE;
}

static void
user_cancelled_cb (GCancellable *cancellable, gpointer user_data)
{
  PostaciSession *self = user_data;

  /* Runs where the caller cancels: callers cancel from the session's main context. */
  if (self->op_cancellable != NULL)
    g_cancellable_cancel (self->op_cancellable);
}

/* After the verdict only QUIT and the close are left: a mute server must not hold a
 * finished run for a whole reply deadline. */
#define CLOSING_TIMEOUT_SECONDS 5

static guint
wait_seconds (PostaciSession *self)
{
  guint seconds = postaci_request_get_timeout (self->request);

  return self->concluded ? MIN (seconds, CLOSING_TIMEOUT_SECONDS) : seconds;
}

/* Starts a wait: a fresh cancellable and the per-reply deadline. */
static GCancellable *
arm_wait (PostaciSession *self)
{
  g_clear_handle_id (&self->deadline_id, g_source_remove);
  g_clear_object (&self->op_cancellable);
  self->op_cancellable = g_cancellable_new ();
  self->timed_out = FALSE;
  if (self->user_cancellable != NULL && g_cancellable_is_cancelled (self->user_cancellable))
    g_cancellable_cancel (self->op_cancellable);
  self->deadline_id = g_timeout_add_seconds (wait_seconds (self), deadline_cb, self);
  return self->op_cancellable;
}

static void
disarm_wait (PostaciSession *self)
{
  g_clear_handle_id (&self->deadline_id, g_source_remove);
}

/* Turns the CANCELLED of a wait into what really happened. */
static GError *
translate_wait_error (PostaciSession *self, GError *error)
{
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) && self->timed_out)
    {
      guint seconds = postaci_request_get_timeout (self->request);
      GError *timeout;

      if (self->stage == POSTACI_STAGE_GREETING && !self->received_any &&
          (self->reader == NULL || postaci_line_reader_get_buffered (self->reader) == 0))
        timeout = g_error_new (POSTACI_SESSION_ERROR, POSTACI_SESSION_ERROR_NO_GREETING,
                               g_dngettext (GETTEXT_PACKAGE,
                                            "Connected, but the server sent nothing in %u second.",
                                            "Connected, but the server sent nothing in %u seconds.",
                                            seconds), seconds);
      else
        timeout = g_error_new (POSTACI_SESSION_ERROR, POSTACI_SESSION_ERROR_TIMEOUT,
                               g_dngettext (GETTEXT_PACKAGE,
                                            "No answer within %u second.",
                                            "No answer within %u seconds.", seconds), seconds);
      g_error_free (error);
      return timeout;
    }
  return error;
}

/* ---------------------------------------------------------------- */
/* Ending the run                                                   */
/* ---------------------------------------------------------------- */

static PostaciVerdict
verdict_for_error (const GError *error)
{
  if (error->domain == POSTACI_SESSION_ERROR)
    {
      switch ((PostaciSessionError) error->code)
        {
        case POSTACI_SESSION_ERROR_TIMEOUT:
        case POSTACI_SESSION_ERROR_NO_GREETING:
          return POSTACI_VERDICT_TIMEOUT;
        case POSTACI_SESSION_ERROR_REFUSED:
        case POSTACI_SESSION_ERROR_NO_RECIPIENTS:
          return POSTACI_VERDICT_REFUSED;
        case POSTACI_SESSION_ERROR_CERTIFICATE:
          return POSTACI_VERDICT_TLS;
        case POSTACI_SESSION_ERROR_STARTTLS_UNAVAILABLE:
        case POSTACI_SESSION_ERROR_STARTTLS_INJECTION:
        case POSTACI_SESSION_ERROR_PLAINTEXT_AUTH:
        case POSTACI_SESSION_ERROR_AUTH_UNAVAILABLE:
        case POSTACI_SESSION_ERROR_SASL:
        case POSTACI_SESSION_ERROR_SMTPUTF8_UNAVAILABLE:
        case POSTACI_SESSION_ERROR_TOO_LARGE:
        case POSTACI_SESSION_ERROR_PROTOCOL:
        default:
          return POSTACI_VERDICT_PROTOCOL;
        }
    }
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return POSTACI_VERDICT_CANCELLED;
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT))
    return POSTACI_VERDICT_TIMEOUT;
  if (error->domain == G_TLS_ERROR)
    return POSTACI_VERDICT_TLS;
  if (error->domain == POSTACI_REPLY_ERROR || error->domain == POSTACI_SASL_ERROR ||
      g_error_matches (error, POSTACI_LINE_READER_ERROR, POSTACI_LINE_READER_ERROR_TOO_LONG))
    return POSTACI_VERDICT_PROTOCOL;
  return POSTACI_VERDICT_NETWORK;
}

static void
fill_failure_context (PostaciSession *self, PostaciFailureContext *context)
{
  context->stage = self->stage;
  context->security = self->security;
  context->port = self->port;
  context->received_any = self->received_any ||
                          (self->reader != NULL && postaci_line_reader_get_buffered (self->reader) > 0);
  context->tls_active = self->tls_active;
  context->server = self->request->server;
  context->certificate_errors = self->certificate_errors;
}

/* Records why the run failed (once), tells the front ends, and decides
 * whether a polite QUIT is still possible. Takes @error. */
static void
fail (PostaciSession *self, GError *error, gboolean say_quit)
{
  PostaciOutcome *outcome = self->outcome;
  PostaciFailureContext context = { 0 };
  PostaciEvent *event;
  g_autofree char *hint = NULL;
  g_autofree char *explanation = NULL;

  g_assert (error != NULL);

  if (self->concluded)
    {
      /* A failure while quitting: the verdict stands. */
      g_debug ("while ending the run: %s", error->message);
      g_error_free (error);
      close_connection (self);
      return;
    }
  self->concluded = TRUE;
  disarm_wait (self);

  outcome->verdict = verdict_for_error (error);
  outcome->stage = self->stage;
  outcome->error_domain = error->domain;
  outcome->error_code = error->code;
  g_clear_pointer (&outcome->reply, postaci_reply_free);

  if (g_error_matches (error, POSTACI_SESSION_ERROR, POSTACI_SESSION_ERROR_REFUSED) &&
      self->last_reply != NULL)
    {
      outcome->reply = postaci_reply_copy (self->last_reply);
      outcome->command = self->last_reply_command;
      explanation = postaci_catalog_explain_reply (self->last_reply, self->last_reply_command, &hint);
    }
  else
    {
      fill_failure_context (self, &context);
      explanation = postaci_catalog_explain_error (error, &context, &hint);
      if (self->last_reply != NULL && !postaci_reply_is_positive (self->last_reply))
        {
          outcome->reply = postaci_reply_copy (self->last_reply);
          outcome->command = self->last_reply_command;
        }
    }

  /* Translators: the first %s is a stage such as “EHLO” or “Connect”, the second what went wrong */
  outcome->reason = g_strdup_printf (_("%s failed: %s"), postaci_stage_get_label (self->stage),
                                     error->message);
  outcome->explanation = g_steal_pointer (&explanation);
  outcome->hint = g_steal_pointer (&hint);

  if (self->stage_open)
    end_stage (self, POSTACI_STAGE_STATUS_FAILED);
  event = postaci_event_new (POSTACI_EVENT_ERROR, self->stage, outcome->reason);
  /* A refusal's explanation already stands under the reply that refused. */
  if (!g_error_matches (error, POSTACI_SESSION_ERROR, POSTACI_SESSION_ERROR_REFUSED))
    {
      event->explanation = g_strdup (outcome->explanation);
      event->hint = g_strdup (outcome->hint);
    }
  emit (self, event);
  g_error_free (error);

  if (say_quit && self->stream != NULL)
    send_quit (self);
  else
    close_connection (self);
}

static void
fail_literal (PostaciSession *self, PostaciSessionError code, gboolean say_quit, const char *message)
{
  fail (self, g_error_new_literal (POSTACI_SESSION_ERROR, code, message), say_quit);
}

/* What a one-line reason quotes of a reply: escaped, and cut short, because a server may
 * answer with a hundred lines of 4 KiB. The whole reply is in the transcript above it. */
static char *
reply_excerpt (const PostaciReply *reply)
{
  g_autofree char *text = postaci_reply_get_text (reply);
  char *shown = postaci_escape_text (text, -1);

  if (g_utf8_strlen (shown, -1) > MAX_QUOTED_REPLY_CHARS)
    {
      char *cut = g_utf8_offset_to_pointer (shown, MAX_QUOTED_REPLY_CHARS);
      char *excerpt = g_strdup_printf ("%.*s…", (int) (cut - shown), shown);

      g_free (shown);
      return excerpt;
    }
  return shown;
}

/* A 4xx/5xx reply ended the run. 421 means the server is closing: no QUIT. */
static void
fail_refused (PostaciSession *self, const PostaciReply *reply, const char *what)
{
  g_autofree char *shown = reply_excerpt (reply);

  fail (self, g_error_new (POSTACI_SESSION_ERROR, POSTACI_SESSION_ERROR_REFUSED,
                           /* Translators: “MAIL FROM refused: 550 Relaying denied” */
                           _("%s refused: %u %s"), what, reply->code, shown),
        reply->code != 421);
}

/* A reply that is neither what the state waits for nor a refusal (354 to STARTTLS, 221 to
 * EHLO): the server and we no longer agree where the session is, so nothing more is sent —
 * not even QUIT, which it might take for message text. */
static void
fail_unexpected (PostaciSession *self, const PostaciReply *reply, const char *what)
{
  g_autofree char *shown = reply_excerpt (reply);

  fail (self, g_error_new (POSTACI_SESSION_ERROR, POSTACI_SESSION_ERROR_PROTOCOL,
                           /* Translators: “STARTTLS: the server answered 354 go ahead,
                            * which makes no sense here” */
                           _("%s: the server answered %u %s, which makes no sense here"),
                           what, reply->code, shown),
        FALSE);
}

/* Ends the run on a reply its state did not want: a refusal (4xx/5xx) or nonsense. */
static void
fail_reply (PostaciSession *self, const PostaciReply *reply, const char *what)
{
  if (postaci_reply_is_positive (reply))
    fail_unexpected (self, reply, what);
  else
    fail_refused (self, reply, what);
}

/* The refused recipients for a one-line reason: the first few, then how many more. The
 * outcome lists them all. */
#define MAX_NAMED_RECIPIENTS 5

static char *
refused_recipients_text (PostaciSession *self)
{
  GString *out = g_string_new (NULL);
  guint n = self->refused->len;

  for (guint i = 0; i < MIN (n, MAX_NAMED_RECIPIENTS); i++)
    {
      g_autofree char *shown = postaci_escape_text (g_ptr_array_index (self->refused, i), -1);

      if (i > 0)
        g_string_append (out, ", ");
      g_string_append (out, shown);
    }
  if (n > MAX_NAMED_RECIPIENTS)
    /* Translators: follows a list of refused addresses: “a@x, b@y and 9,895 more” */
    g_string_append_printf (out, g_dngettext (GETTEXT_PACKAGE, " and %u more", " and %u more",
                                              n - MAX_NAMED_RECIPIENTS),
                            n - MAX_NAMED_RECIPIENTS);
  return g_string_free (out, FALSE);
}

/* The goal was reached, but not for every recipient: a partial delivery is not a success
 * (a script must not read it as one), and the reason names who was left out. */
static char *
partial_reason (PostaciSession *self)
{
  g_autofree char *names = refused_recipients_text (self);
  guint total = self->request->recipients->len;

  if (self->request->stop_after == POSTACI_STAGE_RCPT)
    return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                         "Stopped after RCPT, as asked: the server accepted %u "
                                         "of %u recipient and refused %s.",
                                         "Stopped after RCPT, as asked: the server accepted %u "
                                         "of %u recipients and refused %s.", total),
                            self->outcome->recipients_accepted, total, names);
  return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                       "The server accepted the message for %u of %u recipient "
                                       "and refused %s.",
                                       "The server accepted the message for %u of %u recipients "
                                       "and refused %s.", total),
                          self->outcome->recipients_accepted, total, names);
}

static void
succeed (PostaciSession *self, const char *reason)
{
  self->concluded = TRUE;
  self->outcome->verdict = POSTACI_VERDICT_SUCCESS;
  if (self->refused->len > 0)
    self->outcome->verdict = POSTACI_VERDICT_PARTIAL;
  self->outcome->stage = self->stage;
  g_free (self->outcome->reason);
  self->outcome->reason = self->outcome->verdict == POSTACI_VERDICT_PARTIAL
                          ? partial_reason (self) : g_strdup (reason);
  if (self->last_reply != NULL)
    {
      g_clear_pointer (&self->outcome->reply, postaci_reply_free);
      self->outcome->reply = postaci_reply_copy (self->last_reply);
      self->outcome->command = self->last_reply_command;
      g_free (self->outcome->explanation);
      self->outcome->explanation = postaci_catalog_explain_reply (self->last_reply,
                                                                  self->last_reply_command, NULL);
    }
  if (self->stream != NULL && self->state >= STATE_GREETING)
    send_quit (self);
  else
    close_connection (self);
}

/* Stops politely when the person asked to stop after @stage. */
static gboolean
stop_here (PostaciSession *self, PostaciStage stage)
{
  g_autofree char *reason = NULL;

  if (self->request->stop_after != stage)
    return FALSE;
  reason = g_strdup_printf (_("Stopped after %s, as asked: every step up to there worked."),
                            postaci_stage_get_label (stage));
  succeed (self, reason);
  return TRUE;
}

static void
close_cb (GObject *object, GAsyncResult *res, gpointer user_data)
{
  g_autoptr(PostaciSession) self = user_data;
  g_autoptr(GError) error = NULL;

  disarm_wait (self);
  if (!g_io_stream_close_finish (G_IO_STREAM (object), res, &error))
    g_debug ("closing: %s", error->message);
  finish_run (self);
}

static void
close_connection (PostaciSession *self)
{
  set_state (self, STATE_CLOSING);
  if (self->stream == NULL)
    {
      finish_run (self);
      return;
    }
  /* The close sends TLS close_notify; a dead peer must not hold the run. */
  g_io_stream_close_async (self->stream, G_PRIORITY_DEFAULT, arm_wait (self), close_cb,
                           g_object_ref (self));
}

static void
finish_run (PostaciSession *self)
{
  g_autoptr(GTask) task = g_steal_pointer (&self->task);
  PostaciOutcome *outcome = self->outcome;

  disarm_wait (self);
  set_state (self, STATE_DONE);
  outcome->total_ms = elapsed_ms (self);
  outcome->tls_used = self->tls_active;
  if (self->refused->len > 0 && outcome->refused_recipients == NULL)
    {
      g_ptr_array_add (self->refused, NULL);
      outcome->refused_recipients = g_strdupv ((GStrv) self->refused->pdata);
      g_ptr_array_remove_index (self->refused, self->refused->len - 1);
    }
  if (outcome->reason == NULL)
    outcome->reason = g_strdup (_("The run ended."));
  if (task != NULL)
    g_task_return_pointer (task, postaci_outcome_copy (outcome), (GDestroyNotify) postaci_outcome_free);
}

/* ---------------------------------------------------------------- */
/* Sending and reading                                              */
/* ---------------------------------------------------------------- */

/* The line may have carried credentials: do not leave them in freed memory. */
static void
wipe_bytes (GBytes *bytes)
{
  gsize size;
  volatile guchar *data = (volatile guchar *) g_bytes_get_data (bytes, &size);

  for (gsize i = 0; i < size; i++)
    data[i] = 0;
}

static void
write_cb (GObject *object, GAsyncResult *res, gpointer user_data)
{
  g_autoptr(PostaciSession) self = user_data;
  GError *error = NULL;

  disarm_wait (self);
  if (!g_output_stream_write_all_finish (G_OUTPUT_STREAM (object), res, NULL, &error))
    {
      fail (self, translate_wait_error (self, error), FALSE);
      return;
    }
  read_reply (self);
}

/**
 * send_line:
 * @line: the command without CRLF
 * @shown: what the transcript shows, when it must differ (credentials)
 *
 * Writes the line and then waits for the reply, which goes to dispatch_reply().
 */
static void
send_line (PostaciSession *self, PostaciCommand command, const char *line, const char *shown)
{
  g_autofree char *escaped = postaci_escape_text (shown ? shown : line, -1);
  gsize length = strlen (line);
  char *wire = g_malloc (length + 2);

  memcpy (wire, line, length);
  wire[length] = '\r';
  wire[length + 1] = '\n';
  /* Kept until the next line: the stream reads from it until the write completes. */
  if (self->pending_write != NULL)
    wipe_bytes (self->pending_write);
  g_clear_pointer (&self->pending_write, g_bytes_unref);
  self->pending_write = g_bytes_new_take (wire, length + 2);

  self->command = command;
  emit (self, postaci_event_new (POSTACI_EVENT_CLIENT, self->stage, escaped));
  g_output_stream_write_all_async (g_io_stream_get_output_stream (self->stream),
                                   wire, length + 2, G_PRIORITY_DEFAULT, arm_wait (self),
                                   write_cb, g_object_ref (self));
}

static void
emit_server_line (PostaciSession *self, const char *line, gsize length, PostaciReply *reply)
{
  g_autofree char *text = postaci_escape_text (line, (gssize) length);
  PostaciEvent *event = postaci_event_new (POSTACI_EVENT_SERVER, self->stage, text);

  if (reply != NULL)
    {
      event->reply = postaci_reply_copy (reply);
      event->command = self->command;
      event->explanation = postaci_catalog_explain_reply (reply, self->command,
                                                          postaci_reply_is_positive (reply)
                                                          ? NULL : &event->hint);
    }
  emit (self, event);
}

/* A server that echoes what we sent (Sendmail's "500 5.5.1 Command unrecognized: …", or a
 * hostile one) must not put a credential into a transcript: every form of a secret is masked
 * before the line is parsed, so the reply, its events, the outcome and the reason all hold the
 * masked text. The reply code stays as it came, so a short password cannot break parsing. */
static void
mask_secrets (PostaciSession *self, char **line, gsize *length)
{
  gsize keep = (*length >= 3 && g_ascii_isdigit ((*line)[0]) && g_ascii_isdigit ((*line)[1]) &&
                g_ascii_isdigit ((*line)[2])) ? 3 : 0;
  gsize masked_length = 0;
  g_autofree char *masked = postaci_redactor_apply (self->redactor, *line + keep,
                                                    (gssize) (*length - keep), &masked_length);
  char *result;

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
read_line_cb (GObject *object, GAsyncResult *res, gpointer user_data)
{
  g_autoptr(PostaciSession) self = user_data;
  GError *error = NULL;
  g_autofree char *line = NULL;
  gsize length = 0;
  PostaciReply *reply = NULL;
  PostaciReplyParserStatus status;

  line = postaci_line_reader_read_line_finish (POSTACI_LINE_READER (object), res, &length, &error);
  if (line == NULL)
    {
      disarm_wait (self);
      fail (self, translate_wait_error (self, error), FALSE);
      return;
    }
  self->received_any = TRUE;
  mask_secrets (self, &line, &length);

  status = postaci_reply_parser_feed (self->parser, line, length, &reply, &error);
  switch (status)
    {
    case POSTACI_REPLY_PARSER_MORE:
      emit_server_line (self, line, length, NULL);
      postaci_line_reader_read_line_async (self->reader, self->op_cancellable, read_line_cb,
                                           g_object_ref (self));
      return;

    case POSTACI_REPLY_PARSER_DONE:
      disarm_wait (self);
      emit_server_line (self, line, length, reply);
      g_clear_pointer (&self->last_reply, postaci_reply_free);
      self->last_reply = reply;
      self->last_reply_command = self->command;
      dispatch_reply (self, reply);
      return;

    case POSTACI_REPLY_PARSER_ERROR:
    default:
      disarm_wait (self);
      emit_server_line (self, line, length, NULL);
      fail (self, error, FALSE);
      return;
    }
}

/* Reads one whole reply under one deadline: a server that dribbles
 * continuation lines forever still runs out of time. */
static void
read_reply (PostaciSession *self)
{
  postaci_reply_parser_reset (self->parser);
  postaci_line_reader_read_line_async (self->reader, arm_wait (self), read_line_cb,
                                       g_object_ref (self));
}

/* ---------------------------------------------------------------- */
/* Connecting                                                       */
/* ---------------------------------------------------------------- */

static void
use_stream (PostaciSession *self, GIOStream *stream)
{
  g_set_object (&self->stream, stream);
  g_clear_object (&self->reader);
  self->reader = postaci_line_reader_new (g_io_stream_get_input_stream (stream),
                                          POSTACI_REPLY_MAX_LINE);
}

static void
connected (PostaciSession *self)
{
  g_autoptr(GSocketAddress) remote = NULL;
  g_autoptr(GSocketAddress) local = NULL;
  g_autofree char *remote_text = NULL;

  if (self->connection != NULL)
    {
      remote = g_socket_connection_get_remote_address (self->connection, NULL);
      local = g_socket_connection_get_local_address (self->connection, NULL);
    }
  if (remote != NULL)
    remote_text = g_socket_connectable_to_string (G_SOCKET_CONNECTABLE (remote));
  emit_text (self, POSTACI_EVENT_INFO, _("Connected to %s."), remote_text ? remote_text : self->host);

  /* Without a configured name, an address literal is always acceptable (RFC 5321 §4.1.3). */
  if (self->ehlo_name == NULL && G_IS_INET_SOCKET_ADDRESS (local))
    {
      GInetAddress *address = g_inet_socket_address_get_address (G_INET_SOCKET_ADDRESS (local));
      g_autofree char *text = g_inet_address_to_string (address);

      if (g_inet_address_get_family (address) == G_SOCKET_FAMILY_IPV6)
        self->ehlo_name = g_strdup_printf ("[IPv6:%s]", text);
      else
        self->ehlo_name = g_strdup_printf ("[%s]", text);
    }

  end_stage (self, POSTACI_STAGE_STATUS_PASSED);
  if (stop_here (self, POSTACI_STAGE_CONNECT))
    return;

  if (self->security == POSTACI_SECURITY_TLS)
    {
      begin_stage (self, POSTACI_STAGE_TLS);
      start_tls_handshake (self);
      return;
    }
  set_state (self, STATE_GREETING);
  begin_stage (self, POSTACI_STAGE_GREETING);
  self->command = POSTACI_COMMAND_NONE;
  read_reply (self);
}

static void
connect_cb (GObject *object, GAsyncResult *res, gpointer user_data)
{
  g_autoptr(PostaciSession) self = user_data;
  GError *error = NULL;
  GSocketConnection *connection;
  g_autofree char *address_text = g_socket_connectable_to_string (G_SOCKET_CONNECTABLE (self->current_address));

  disarm_wait (self);
  connection = g_socket_client_connect_finish (G_SOCKET_CLIENT (object), res, &error);
  if (connection == NULL)
    {
      error = translate_wait_error (self, error);
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          fail (self, error, FALSE);
          return;
        }
      /* Translators: “192.0.2.1:587: Connection refused” */
      emit_text (self, POSTACI_EVENT_WARNING, _("%s: %s"), address_text, error->message);
      g_clear_error (&self->last_connect_error);
      self->last_connect_error = error;
      connect_next_address (self);
      return;
    }
  g_clear_object (&self->addresses);
  /* Commands go out at once: with Nagle, EHLO right after the TLS Finished waits for a delayed ACK. */
  g_socket_set_option (g_socket_connection_get_socket (connection), IPPROTO_TCP, TCP_NODELAY, 1, NULL);
  self->connection = connection;
  use_stream (self, G_IO_STREAM (connection));
  connected (self);
}

static void
next_address_cb (GObject *object, GAsyncResult *res, gpointer user_data)
{
  g_autoptr(PostaciSession) self = user_data;
  GError *error = NULL;
  g_autoptr(GSocketAddress) address = NULL;
  g_autofree char *text = NULL;
  GCancellable *cancellable;

  disarm_wait (self);
  address = g_socket_address_enumerator_next_finish (G_SOCKET_ADDRESS_ENUMERATOR (object), res, &error);
  if (error != NULL)
    {
      fail (self, translate_wait_error (self, error), FALSE);
      return;
    }
  if (address == NULL)
    {
      /* Every address failed: report the last reason; with one address it is the only one. */
      if (self->last_connect_error != NULL)
        fail (self, g_steal_pointer (&self->last_connect_error), FALSE);
      else
        fail (self, g_error_new (G_RESOLVER_ERROR, G_RESOLVER_ERROR_NOT_FOUND,
                                 _("“%s” has no addresses."), self->host), FALSE);
      return;
    }

  self->addresses_tried++;
  text = g_socket_connectable_to_string (G_SOCKET_CONNECTABLE (address));
  emit_text (self, POSTACI_EVENT_INFO, _("Trying %s…"), text);
  set_state (self, STATE_CONNECTING);
  cancellable = arm_wait (self);
  g_set_object (&self->current_address, address);
  g_socket_client_connect_async (self->client, G_SOCKET_CONNECTABLE (address), cancellable,
                                 connect_cb, g_object_ref (self));
}

static void
connect_next_address (PostaciSession *self)
{
  set_state (self, STATE_RESOLVING);
  g_socket_address_enumerator_next_async (self->addresses, arm_wait (self), next_address_cb,
                                          g_object_ref (self));
}

static void
start_connect (PostaciSession *self)
{
  g_autoptr(GSocketConnectable) target = NULL;

  begin_stage (self, POSTACI_STAGE_CONNECT);
  if (self->test_stream != NULL)
    {
      use_stream (self, self->test_stream);
      connected (self);
      return;
    }
  emit_text (self, POSTACI_EVENT_INFO, _("Looking up %s, port %u…"), self->host, self->port);
  target = g_network_address_new (self->host, (guint16) self->port);
  self->addresses = g_socket_connectable_enumerate (target);
  self->client = g_socket_client_new ();
  g_socket_client_set_enable_proxy (self->client, FALSE);
  connect_next_address (self);
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
  PostaciSession *self = user_data;
  g_autoptr(PostaciCertificateInfo) info = postaci_certificate_info_new (certificate);
  g_auto(GStrv) problems = postaci_certificate_describe_errors (errors, info, self->host);

  self->certificate_errors = errors;
  for (guint i = 0; problems[i] != NULL; i++)
    emit_text (self, POSTACI_EVENT_WARNING, "%s", problems[i]);

  if (self->pinned != NULL && g_tls_certificate_is_same (self->pinned, certificate))
    {
      emit_text (self, POSTACI_EVENT_WARNING,
                 _("This certificate is the one pinned for this run (the built-in test server): accepted."));
      self->certificate_accepted_invalid = TRUE;
      return TRUE;
    }
  if (self->request->accept_invalid_certificate)
    {
      emit_text (self, POSTACI_EVENT_WARNING,
                 _("Accepting this invalid certificate for this run only, as you asked. "
                   "The connection is encrypted, but the server's identity is not proven."));
      self->certificate_accepted_invalid = TRUE;
      return TRUE;
    }
  return FALSE;
}

static void
report_tls (PostaciSession *self, GTlsConnection *tls)
{
  GTlsProtocolVersion version = g_tls_connection_get_protocol_version (tls);
  g_autofree char *cipher = g_tls_connection_get_ciphersuite_name (tls);
  GTlsCertificate *peer = g_tls_connection_get_peer_certificate (tls);
  static const char *const versions[] = {
    [G_TLS_PROTOCOL_VERSION_SSL_3_0] = "SSL 3.0", [G_TLS_PROTOCOL_VERSION_TLS_1_0] = "TLS 1.0",
    [G_TLS_PROTOCOL_VERSION_TLS_1_1] = "TLS 1.1", [G_TLS_PROTOCOL_VERSION_TLS_1_2] = "TLS 1.2",
    [G_TLS_PROTOCOL_VERSION_TLS_1_3] = "TLS 1.3",
  };
  const char *version_name = (version > 0 && version < G_N_ELEMENTS (versions) && versions[version])
                             ? versions[version] : _("an unknown TLS version");

  emit_text (self, POSTACI_EVENT_TLS, _("Encrypted with %s, cipher suite %s."),
             version_name, cipher ? cipher : "?");
  if (version == G_TLS_PROTOCOL_VERSION_SSL_3_0 || version == G_TLS_PROTOCOL_VERSION_TLS_1_0 ||
      version == G_TLS_PROTOCOL_VERSION_TLS_1_1)
    emit_text (self, POSTACI_EVENT_WARNING,
               _("%s is outdated and insecure; the server should offer TLS 1.2 or newer."), version_name);

  if (peer != NULL)
    {
      g_autoptr(PostaciCertificateInfo) info = postaci_certificate_info_new (peer);
      g_autofree char *names = info->names ? g_strjoinv (", ", info->names) : g_strdup ("");
      g_autofree char *from = info->not_before ? g_date_time_format (info->not_before, "%Y-%m-%d") : g_strdup ("?");
      g_autofree char *until = info->not_after ? g_date_time_format (info->not_after, "%Y-%m-%d") : g_strdup ("?");

      emit_text (self, POSTACI_EVENT_TLS, _("Certificate subject: %s"), info->subject ? info->subject : "?");
      emit_text (self, POSTACI_EVENT_TLS, _("Issued by: %s"), info->issuer ? info->issuer : "?");
      emit_text (self, POSTACI_EVENT_TLS, _("Valid from %s until %s"), from, until);
      emit_text (self, POSTACI_EVENT_TLS, _("Names: %s"), names);
      emit_text (self, POSTACI_EVENT_TLS, _("SHA-256 fingerprint: %s"), info->sha256 ? info->sha256 : "?");
      /* For a monitoring check of the days left (postaci-cli --cert-warning). */
      if (info->not_after != NULL)
        self->outcome->certificate_not_after = g_date_time_to_unix (info->not_after);
    }
  if (self->certificate_errors == 0)
    emit_text (self, POSTACI_EVENT_TLS, _("The certificate is valid for %s."), self->host);
  else
    emit_text (self, POSTACI_EVENT_WARNING, _("The certificate did not pass verification; it was accepted for this run only."));
}

static GError *
certificate_error (PostaciSession *self, GError *error)
{
  if (self->certificate_errors != 0 && error->domain == G_TLS_ERROR &&
      error->code == G_TLS_ERROR_BAD_CERTIFICATE)
    {
      GError *better;
      GTlsCertificateFlags flags = self->certificate_errors;
      const char *what =
        (flags & G_TLS_CERTIFICATE_BAD_IDENTITY) ? _("the certificate is for another name") :
        (flags & G_TLS_CERTIFICATE_EXPIRED) ? _("the certificate has expired") :
        (flags & G_TLS_CERTIFICATE_NOT_ACTIVATED) ? _("the certificate is not valid yet") :
        (flags & G_TLS_CERTIFICATE_UNKNOWN_CA) ? _("the certificate is not signed by a trusted authority") :
        (flags & G_TLS_CERTIFICATE_REVOKED) ? _("the certificate has been revoked") :
        (flags & G_TLS_CERTIFICATE_INSECURE) ? _("the certificate uses an insecure algorithm") :
        _("the certificate could not be verified");

      better = g_error_new (POSTACI_SESSION_ERROR, POSTACI_SESSION_ERROR_CERTIFICATE,
                            _("The server's certificate was rejected: %s."), what);
      g_error_free (error);
      return better;
    }
  return error;
}

static void
handshake_cb (GObject *object, GAsyncResult *res, gpointer user_data)
{
  g_autoptr(PostaciSession) self = user_data;
  GError *error = NULL;

  disarm_wait (self);
  if (!g_tls_connection_handshake_finish (G_TLS_CONNECTION (object), res, &error))
    {
      fail (self, certificate_error (self, translate_wait_error (self, error)), FALSE);
      return;
    }
  self->tls_active = TRUE;
  report_tls (self, G_TLS_CONNECTION (object));
  use_stream (self, G_IO_STREAM (object));

  /* After STARTTLS nothing said before the handshake counts any more (RFC 3207 §4.2). */
  g_hash_table_remove_all (self->capabilities);

  if (self->state == STATE_TLS_HANDSHAKE)
    {
      /* Implicit TLS: the greeting comes now, inside TLS. */
      end_stage (self, POSTACI_STAGE_STATUS_PASSED);
      set_state (self, STATE_GREETING);
      begin_stage (self, POSTACI_STAGE_GREETING);
      self->command = POSTACI_COMMAND_NONE;
      read_reply (self);
      return;
    }
  send_ehlo (self);
}

static void
start_tls_handshake (PostaciSession *self)
{
  GError *error = NULL;
  g_autoptr(GSocketConnectable) identity = NULL;
  g_autoptr(GIOStream) tls = NULL;

  set_state (self, self->state == STATE_STARTTLS ? STATE_STARTTLS_HANDSHAKE : STATE_TLS_HANDSHAKE);
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
  tls = postaci_certificate_new_client (G_IO_STREAM (self->connection), identity,
                                        self->request->ca_file, &error);
  if (tls == NULL)
    {
      fail (self, error, FALSE);
      return;
    }
  g_signal_connect_object (tls, "accept-certificate", G_CALLBACK (accept_certificate_cb), self, 0);
  emit_text (self, POSTACI_EVENT_INFO, _("Starting the TLS handshake…"));
  g_tls_connection_handshake_async (G_TLS_CONNECTION (tls), G_PRIORITY_DEFAULT, arm_wait (self),
                                    handshake_cb, g_object_ref (self));
}

/* ---------------------------------------------------------------- */
/* Greeting, EHLO, HELO, STARTTLS                                   */
/* ---------------------------------------------------------------- */

static void
handle_greeting (PostaciSession *self, PostaciReply *reply)
{
  if (reply->code != 220)
    {
      fail_reply (self, reply, _("The greeting"));
      return;
    }
  end_stage (self, POSTACI_STAGE_STATUS_PASSED);
  if (stop_here (self, POSTACI_STAGE_GREETING))
    return;
  begin_stage (self, POSTACI_STAGE_EHLO);
  send_ehlo (self);
}

static void
send_ehlo (PostaciSession *self)
{
  g_autofree char *line = g_strdup_printf ("EHLO %s", self->ehlo_name);

  set_state (self, STATE_EHLO);
  send_line (self, POSTACI_COMMAND_EHLO, line, NULL);
}

static void
send_helo (PostaciSession *self)
{
  g_autofree char *line = g_strdup_printf ("HELO %s", self->ehlo_name);

  set_state (self, STATE_HELO);
  send_line (self, POSTACI_COMMAND_HELO, line, NULL);
}

/* Records the EHLO keywords (RFC 5321 §4.1.1.1): one per line after the first. */
static void
parse_capabilities (PostaciSession *self, const PostaciReply *reply)
{
  g_hash_table_remove_all (self->capabilities);
  for (guint i = 1; reply->lines[i] != NULL; i++)
    {
      /* Escaped: parameters such as the AUTH list end up in messages a person reads. */
      g_autofree char *line = postaci_escape_text (reply->lines[i], -1);
      const char *space = strpbrk (line, " =");
      g_autofree char *keyword = g_ascii_strup (line, space ? space - line : -1);
      const char *params = space ? space + 1 : "";

      if (*keyword == '\0')
        continue;
      /* "AUTH=LOGIN PLAIN" is an old Microsoft spelling of "AUTH LOGIN PLAIN". */
      if (g_hash_table_contains (self->capabilities, keyword) && g_str_equal (keyword, "AUTH"))
        {
          g_autofree char *merged = g_strdup_printf ("%s %s", (char *) g_hash_table_lookup (self->capabilities, keyword), params);
          g_hash_table_replace (self->capabilities, g_steal_pointer (&keyword), g_steal_pointer (&merged));
        }
      else
        g_hash_table_replace (self->capabilities, g_steal_pointer (&keyword), g_strdup (params));
    }
}

static gboolean
has_capability (PostaciSession *self, const char *keyword)
{
  return g_hash_table_contains (self->capabilities, keyword);
}

static void
handle_ehlo (PostaciSession *self, PostaciReply *reply)
{
  if (reply->code != 250)
    {
      if (!postaci_reply_is_positive (reply) && reply->code != 421 &&
          self->security == POSTACI_SECURITY_NONE && !self->tls_active)
        {
          emit_text (self, POSTACI_EVENT_WARNING,
                     _("The server refused EHLO; trying the older HELO (no extensions, no encryption)."));
          send_helo (self);
          return;
        }
      fail_reply (self, reply, "EHLO");
      return;
    }
  parse_capabilities (self, reply);

  if (self->tls_active)
    {
      if (self->stage == POSTACI_STAGE_TLS)
        end_stage (self, POSTACI_STAGE_STATUS_PASSED);
      else if (self->stage == POSTACI_STAGE_EHLO)
        {
          /* implicit TLS: the first EHLO is already inside TLS */
          end_stage (self, POSTACI_STAGE_STATUS_PASSED);
          if (stop_here (self, POSTACI_STAGE_EHLO))
            return;
        }
      if (stop_here (self, POSTACI_STAGE_TLS))
        return;
      next_after_tls (self);
      return;
    }

  end_stage (self, POSTACI_STAGE_STATUS_PASSED);
  if (stop_here (self, POSTACI_STAGE_EHLO))
    return;

  switch (self->security)
    {
    case POSTACI_SECURITY_STARTTLS:
      if (!has_capability (self, "STARTTLS"))
        {
          begin_stage (self, POSTACI_STAGE_TLS);
          fail_literal (self, POSTACI_SESSION_ERROR_STARTTLS_UNAVAILABLE, TRUE,
                        _("The server does not offer STARTTLS, and encryption is required."));
          return;
        }
      break;
    case POSTACI_SECURITY_AUTO:
      if (!has_capability (self, "STARTTLS"))
        {
          emit_text (self, POSTACI_EVENT_WARNING,
                     _("The server does not offer STARTTLS: everything goes over the network unencrypted."));
          skip_stage (self, POSTACI_STAGE_TLS);
          if (stop_here (self, POSTACI_STAGE_TLS))
            return;
          next_after_tls (self);
          return;
        }
      break;
    case POSTACI_SECURITY_NONE:
      skip_stage (self, POSTACI_STAGE_TLS);
      if (stop_here (self, POSTACI_STAGE_TLS))
        return;
      next_after_tls (self);
      return;
    case POSTACI_SECURITY_TLS:
    default:
      g_assert_not_reached ();
    }

  begin_stage (self, POSTACI_STAGE_TLS);
  set_state (self, STATE_STARTTLS);
  send_line (self, POSTACI_COMMAND_STARTTLS, "STARTTLS", NULL);
}

static void
handle_helo (PostaciSession *self, PostaciReply *reply)
{
  if (reply->code != 250)
    {
      fail_reply (self, reply, "HELO");
      return;
    }
  self->helo_mode = TRUE;
  g_hash_table_remove_all (self->capabilities);
  end_stage (self, POSTACI_STAGE_STATUS_PASSED);
  if (stop_here (self, POSTACI_STAGE_EHLO))
    return;
  skip_stage (self, POSTACI_STAGE_TLS);
  if (stop_here (self, POSTACI_STAGE_TLS))
    return;
  next_after_tls (self);
}

static void
handle_starttls (PostaciSession *self, PostaciReply *reply)
{
  if (reply->code != 220)
    {
      /* Offered, then refused: going on unencrypted would be a downgrade, whatever the setting. */
      fail_reply (self, reply, "STARTTLS");
      return;
    }
  /* Anything already buffered was sent before the handshake and would be read
   * as if it came through TLS: a command injection (CVE-2011-0411 class). */
  if (postaci_line_reader_get_buffered (self->reader) > 0)
    {
      fail_literal (self, POSTACI_SESSION_ERROR_STARTTLS_INJECTION, FALSE,
                    _("The server sent data right after agreeing to STARTTLS, before encryption began. "
                      "This is how an attacker injects replies; the run was stopped."));
      return;
    }
  start_tls_handshake (self);
}

/* ---------------------------------------------------------------- */
/* AUTH                                                             */
/* ---------------------------------------------------------------- */

static void
next_after_tls (PostaciSession *self)
{
  if (!self->request->auth)
    {
      skip_stage (self, POSTACI_STAGE_AUTH);
      if (stop_here (self, POSTACI_STAGE_AUTH))
        return;
      send_mail_from (self);
      return;
    }
  begin_stage (self, POSTACI_STAGE_AUTH);
  start_auth (self);
}

static void
send_auth_response (PostaciSession *self, const char *challenge)
{
  GError *error = NULL;
  g_autofree char *response = NULL;

  if (!postaci_sasl_step (self->sasl, challenge, &response, &error))
    {
      /* RFC 4954 §4: "*" abandons the exchange; the server answers 501. */
      self->auth_error = error;
      set_state (self, STATE_AUTH_CANCEL);
      send_line (self, POSTACI_COMMAND_AUTH, "*", NULL);
      return;
    }
  set_state (self, STATE_AUTH);
  postaci_redactor_add_response (self->redactor, response, self->request->username);
  send_line (self, POSTACI_COMMAND_AUTH, response, "****");
  if (response != NULL)
    explicit_bzero (response, strlen (response));
}

static void
start_auth (PostaciSession *self)
{
  const char *offered_text = g_hash_table_lookup (self->capabilities, "AUTH");
  g_auto(GStrv) offered = NULL;
  PostaciMechanism mechanism;
  GError *error = NULL;
  const char *name;

  if (offered_text == NULL)
    {
      fail_literal (self, POSTACI_SESSION_ERROR_AUTH_UNAVAILABLE, TRUE,
                    self->tls_active
                    ? _("The server does not offer authentication (no AUTH in its EHLO reply).")
                    : _("The server does not offer authentication on an unencrypted connection."));
      return;
    }
  /* No sign-in crosses an unencrypted link without consent, whatever the mechanism: whoever
   * stripped STARTTLS reads PLAIN and LOGIN, and cracks a captured CRAM-MD5, DIGEST-MD5, NTLM
   * or SCRAM answer offline. The security setting is no consent: "auto" is the default. */
  if (!self->tls_active && !self->request->allow_plain_auth)
    {
      fail_literal (self, POSTACI_SESSION_ERROR_PLAINTEXT_AUTH, TRUE,
                    _("The connection is not encrypted, so the run stopped before signing in."));
      return;
    }
  {
    g_autofree char *upper = g_ascii_strup (offered_text, -1);
    offered = g_strsplit_set (g_strstrip (upper), " ", -1);
  }
  if (!postaci_sasl_choose ((const char *const *) offered, self->request->mechanism, self->tls_active,
                            self->request->allow_plain_auth, &mechanism, &error))
    {
      GError *mapped = g_error_new_literal (POSTACI_SESSION_ERROR,
                                            error->code == POSTACI_SASL_ERROR_PLAINTEXT
                                            ? POSTACI_SESSION_ERROR_PLAINTEXT_AUTH
                                            : POSTACI_SESSION_ERROR_AUTH_UNAVAILABLE,
                                            error->message);
      g_error_free (error);
      fail (self, mapped, TRUE);
      return;
    }
  name = postaci_mechanism_get_sasl_name (mechanism);
  if (!self->tls_active)
    emit_text (self, POSTACI_EVENT_WARNING,
               _("Authenticating with %s over an unencrypted connection."), name);
  self->sasl = postaci_sasl_new (mechanism, self->request->username, self->request->password,
                                 self->host, &error);
  if (self->sasl == NULL)
    {
      fail (self, error, TRUE);
      return;
    }

  set_state (self, STATE_AUTH);
  if (postaci_sasl_has_initial_response (self->sasl))
    {
      g_autofree char *initial = NULL;
      g_autofree char *line = NULL;
      g_autofree char *shown = g_strdup_printf ("AUTH %s ****", name);

      if (!postaci_sasl_step (self->sasl, NULL, &initial, &error))
        {
          fail (self, error, TRUE);
          return;
        }
      postaci_redactor_add_response (self->redactor, initial, self->request->username);
      /* RFC 4954 §4: an empty initial response is sent as "=". */
      line = g_strdup_printf ("AUTH %s %s", name, *initial ? initial : "=");
      send_line (self, POSTACI_COMMAND_AUTH, line, shown);
      explicit_bzero (line, strlen (line));
      explicit_bzero (initial, strlen (initial));
    }
  else
    {
      g_autofree char *line = g_strdup_printf ("AUTH %s", name);
      send_line (self, POSTACI_COMMAND_AUTH, line, NULL);
    }
}

static void
handle_auth (PostaciSession *self, PostaciReply *reply)
{
  if (reply->code == 334)
    {
      send_auth_response (self, reply->lines[0]);
      return;
    }
  g_clear_pointer (&self->sasl, postaci_sasl_free);
  if (reply->code != 235)
    {
      fail_reply (self, reply, "AUTH");
      return;
    }
  self->outcome->authenticated = TRUE;
  end_stage (self, POSTACI_STAGE_STATUS_PASSED);
  if (stop_here (self, POSTACI_STAGE_AUTH))
    return;
  send_mail_from (self);
}

static void
handle_auth_cancel (PostaciSession *self, PostaciReply *reply)
{
  GError *error = g_steal_pointer (&self->auth_error);

  g_clear_pointer (&self->sasl, postaci_sasl_free);
  fail (self, g_error_new_literal (POSTACI_SESSION_ERROR, POSTACI_SESSION_ERROR_SASL, error->message),
        reply->code != 421);
  g_error_free (error);
}

/* ---------------------------------------------------------------- */
/* MAIL, RCPT, DATA                                                 */
/* ---------------------------------------------------------------- */

static void
send_mail_from (PostaciSession *self)
{
  GString *line;
  const char *size_param = g_hash_table_lookup (self->capabilities, "SIZE");

  begin_stage (self, POSTACI_STAGE_MAIL);

  if (self->needs_smtputf8 && !has_capability (self, "SMTPUTF8"))
    {
      fail_literal (self, POSTACI_SESSION_ERROR_SMTPUTF8_UNAVAILABLE, TRUE,
                    _("An address has non-ASCII letters before the @, which needs the SMTPUTF8 "
                      "extension, and this server does not offer it."));
      return;
    }
  /* Composed while it is sent: the plan (8bit only where the server takes it) and its size
   * are known now, before the first byte of DATA. */
  if (self->message != NULL && self->data_stream == NULL)
    {
      GError *error = NULL;

      self->data_stream = postaci_message_open_data (self->message,
                                                     has_capability (self, "8BITMIME"),
                                                     &self->data_size, &error);
      if (self->data_stream == NULL)
        {
          fail (self, error, TRUE);
          return;
        }
    }
  /* RFC 1870: SIZE with a number is the server's limit; refuse early rather than upload in vain. */
  if (size_param != NULL && self->data_stream != NULL)
    {
      guint64 limit = g_ascii_strtoull (size_param, NULL, 10);
      if (limit > 0 && (guint64) self->data_size > limit)
        {
          fail (self, g_error_new (POSTACI_SESSION_ERROR, POSTACI_SESSION_ERROR_TOO_LARGE,
                                   _("The message is %" PRId64 " bytes; the server accepts at most %" PRIu64 "."),
                                   (int64_t) self->data_size, (uint64_t) limit), TRUE);
          return;
        }
      if (self->request->size > 0 && limit > 0)
        emit_text (self, POSTACI_EVENT_INFO,
                   _("The message is %" PRId64 " bytes; the server accepts up to %" PRIu64 " bytes, "
                     "so its size limit allows it."),
                   (int64_t) self->data_size, (uint64_t) limit);
    }
  if (self->request->size > 0 && (size_param == NULL || g_ascii_strtoull (size_param, NULL, 10) == 0))
    emit_text (self, POSTACI_EVENT_INFO,
               _("The message is %" PRId64 " bytes; the server announces no size limit, so only "
                 "sending it tells."), (int64_t) self->data_size);

  line = g_string_new (NULL);
  g_string_append_printf (line, "MAIL FROM:<%s>", self->from_ascii);
  if (size_param != NULL && self->data_stream != NULL)
    g_string_append_printf (line, " SIZE=%" G_GINT64_FORMAT, (gint64) self->data_size);
  if (self->message != NULL && postaci_message_get_eight_bit (self->message))
    g_string_append (line, " BODY=8BITMIME");
  if (self->needs_smtputf8)
    g_string_append (line, " SMTPUTF8");
  set_state (self, STATE_MAIL);
  send_line (self, POSTACI_COMMAND_MAIL, line->str, NULL);
  g_string_free (line, TRUE);
}

static void
handle_mail (PostaciSession *self, PostaciReply *reply)
{
  if (reply->code != 250)
    {
      fail_reply (self, reply, "MAIL FROM");
      return;
    }
  end_stage (self, POSTACI_STAGE_STATUS_PASSED);
  if (stop_here (self, POSTACI_STAGE_MAIL))
    return;
  begin_stage (self, POSTACI_STAGE_RCPT);
  self->rcpt_index = 0;
  send_rcpt_to (self);
}

static void
send_rcpt_to (PostaciSession *self)
{
  const char *address = g_ptr_array_index (self->request->recipients, self->rcpt_index);
  g_autofree char *ascii = postaci_address_to_ascii (address);
  g_autofree char *line = g_strdup_printf ("RCPT TO:<%s>", ascii);

  set_state (self, STATE_RCPT);
  send_line (self, POSTACI_COMMAND_RCPT, line, NULL);
}

static void
handle_rcpt (PostaciSession *self, PostaciReply *reply)
{
  const char *address = g_ptr_array_index (self->request->recipients, self->rcpt_index);

  if (reply->code == 421 || (postaci_reply_is_positive (reply) && reply->code / 10 != 25))
    {
      fail_reply (self, reply, "RCPT TO");
      return;
    }
  if (reply->code == 250 || reply->code == 251 || reply->code == 252)
    self->outcome->recipients_accepted++;
  else
    {
      self->outcome->recipients_refused++;
      g_ptr_array_add (self->refused, g_strdup (address));
      emit_text (self, POSTACI_EVENT_WARNING, _("The server refused the recipient %s."), address);
    }

  self->rcpt_index++;
  if (self->rcpt_index < self->request->recipients->len)
    {
      send_rcpt_to (self);
      return;
    }

  if (self->outcome->recipients_accepted == 0)
    {
      if (self->request->recipients->len == 1)
        fail_refused (self, reply, "RCPT TO");
      else
        {
          g_autofree char *shown = reply_excerpt (reply);
          fail (self, g_error_new (POSTACI_SESSION_ERROR, POSTACI_SESSION_ERROR_REFUSED,
                                   _("The server refused every recipient; the last answer was %u %s"),
                                   reply->code, shown), TRUE);
        }
      return;
    }
  if (self->outcome->recipients_refused > 0)
    emit_text (self, POSTACI_EVENT_WARNING,
               _("%u of %u recipients were accepted; the message goes only to them."),
               self->outcome->recipients_accepted, self->request->recipients->len);
  end_stage (self, POSTACI_STAGE_STATUS_PASSED);
  if (stop_here (self, POSTACI_STAGE_RCPT))
    return;
  begin_stage (self, POSTACI_STAGE_DATA);
  set_state (self, STATE_DATA);
  send_line (self, POSTACI_COMMAND_DATA, "DATA", NULL);
}

/* Shows the header block of the message, line by line, as the client sends it. */
static void
show_headers (PostaciSession *self, const guchar *data, gsize length)
{
  const char *p = (const char *) data;
  const char *end = p + length;
  guint shown = 0;

  while (p < end && shown < MAX_SHOWN_HEADER_LINES)
    {
      const char *eol = memchr (p, '\n', end - p);
      gsize line_length;
      g_autofree char *text = NULL;

      if (eol == NULL)
        break;
      line_length = (gsize) (eol - p);
      if (line_length > 0 && p[line_length - 1] == '\r')
        line_length--;
      if (line_length == 0)
        break;
      text = postaci_escape_text (p, (gssize) line_length);
      emit (self, postaci_event_new (POSTACI_EVENT_CLIENT, self->stage, text));
      shown++;
      p = eol + 1;
    }
}

static void
data_write_cb (GObject *object, GAsyncResult *res, gpointer user_data)
{
  g_autoptr(PostaciSession) self = user_data;
  GError *error = NULL;
  gsize written = 0;

  disarm_wait (self);
  if (!g_output_stream_write_all_finish (G_OUTPUT_STREAM (object), res, &written, &error))
    {
      fail (self, translate_wait_error (self, error), FALSE);
      return;
    }
  self->data_sent += (goffset) written;
  send_data_chunk (self);
}

static void
data_read_cb (GObject *object, GAsyncResult *res, gpointer user_data)
{
  g_autoptr(PostaciSession) self = user_data;
  GError *error = NULL;
  gssize n;

  disarm_wait (self);
  n = g_input_stream_read_finish (G_INPUT_STREAM (object), res, &error);
  if (n < 0)
    {
      fail (self, translate_wait_error (self, error), FALSE);
      return;
    }
  if (n == 0)
    {
      emit_text (self, POSTACI_EVENT_INFO, _("Message sent: %" PRId64 " bytes."),
                 (int64_t) self->data_sent);
      emit (self, postaci_event_new (POSTACI_EVENT_CLIENT, self->stage, "."));
      g_clear_object (&self->data_stream);
      self->command = POSTACI_COMMAND_DATA_END;
      set_state (self, STATE_DATA_END);
      read_reply (self);
      return;
    }
  if (!self->headers_shown)
    {
      self->headers_shown = TRUE;
      show_headers (self, self->chunk, (gsize) n);
      emit_text (self, POSTACI_EVENT_INFO, _("(the message body follows: %" PRId64 " bytes in all)"),
                 (int64_t) self->data_size);
    }
  g_output_stream_write_all_async (g_io_stream_get_output_stream (self->stream), self->chunk,
                                   (gsize) n, G_PRIORITY_DEFAULT, arm_wait (self),
                                   data_write_cb, g_object_ref (self));
}

static void
send_data_chunk (PostaciSession *self)
{
  g_input_stream_read_async (self->data_stream, self->chunk, DATA_CHUNK_SIZE, G_PRIORITY_DEFAULT,
                             arm_wait (self), data_read_cb, g_object_ref (self));
}

static void
handle_data (PostaciSession *self, PostaciReply *reply)
{
  if (reply->code != 354)
    {
      fail_reply (self, reply, "DATA");
      return;
    }
  set_state (self, STATE_DATA_BODY);
  self->chunk = g_malloc (DATA_CHUNK_SIZE);
  send_data_chunk (self);
}

static void
handle_data_end (PostaciSession *self, PostaciReply *reply)
{
  if (reply->code != 250)
    {
      fail_reply (self, reply, _("The message"));
      return;
    }
  end_stage (self, POSTACI_STAGE_STATUS_PASSED);
  if (self->request->size > 0)
    emit_text (self, POSTACI_EVENT_INFO,
               _("The server took a message of %" PRId64 " bytes."), (int64_t) self->data_size);
  succeed (self, _("The server accepted the message for delivery."));
}

/* ---------------------------------------------------------------- */
/* QUIT                                                             */
/* ---------------------------------------------------------------- */

static void
send_quit (PostaciSession *self)
{
  begin_stage (self, POSTACI_STAGE_QUIT);
  set_state (self, STATE_QUIT);
  send_line (self, POSTACI_COMMAND_QUIT, "QUIT", NULL);
}

static void
handle_quit (PostaciSession *self, PostaciReply *reply)
{
  end_stage (self, reply->code == 221 ? POSTACI_STAGE_STATUS_PASSED : POSTACI_STAGE_STATUS_FAILED);
  close_connection (self);
}

/* ---------------------------------------------------------------- */
/* Dispatch                                                         */
/* ---------------------------------------------------------------- */

/* How a reason names the command a reply answered: “MAIL FROM refused: …”. */
static const char *
command_label (PostaciCommand command)
{
  switch (command)
    {
    case POSTACI_COMMAND_NONE:
      return _("The greeting");
    case POSTACI_COMMAND_MAIL:
      return "MAIL FROM";
    case POSTACI_COMMAND_RCPT:
      return "RCPT TO";
    case POSTACI_COMMAND_DATA_END:
      return _("The message");
    default:
      return postaci_command_to_string (command);
    }
}

/* The one place that routes a complete reply to its state's handler.
 * 421 ends the session from any state (RFC 5321 §3.8): no QUIT. */
static void
dispatch_reply (PostaciSession *self, PostaciReply *reply)
{
  if (self->state == STATE_QUIT)
    {
      handle_quit (self, reply);
      return;
    }
  /* We never pipeline, so each command has one reply and nothing may follow it. Lines behind a
   * reply would be taken as the answer to our next command: a desynchronised session that a
   * server (or someone in between) could steer. STARTTLS has its own, sharper check. */
  if (self->state != STATE_STARTTLS && postaci_line_reader_get_buffered (self->reader) > 0)
    {
      fail_literal (self, POSTACI_SESSION_ERROR_PROTOCOL, FALSE,
                    _("The server sent more than one reply to one command; the extra lines "
                      "were not asked for."));
      return;
    }
  if (reply->code == 421 && self->state != STATE_GREETING)
    {
      fail_refused (self, reply, command_label (self->command));
      return;
    }

  switch (self->state)
    {
    case STATE_GREETING:
      handle_greeting (self, reply);
      break;
    case STATE_EHLO:
      handle_ehlo (self, reply);
      break;
    case STATE_HELO:
      handle_helo (self, reply);
      break;
    case STATE_STARTTLS:
      handle_starttls (self, reply);
      break;
    case STATE_AUTH:
      handle_auth (self, reply);
      break;
    case STATE_AUTH_CANCEL:
      handle_auth_cancel (self, reply);
      break;
    case STATE_MAIL:
      handle_mail (self, reply);
      break;
    case STATE_RCPT:
      handle_rcpt (self, reply);
      break;
    case STATE_DATA:
      handle_data (self, reply);
      break;
    case STATE_DATA_END:
      handle_data_end (self, reply);
      break;
    case STATE_INIT:
    case STATE_RESOLVING:
    case STATE_CONNECTING:
    case STATE_TLS_HANDSHAKE:
    case STATE_STARTTLS_HANDSHAKE:
    case STATE_DATA_BODY:
    case STATE_QUIT:
    case STATE_CLOSING:
    case STATE_DONE:
    default:
      fail_literal (self, POSTACI_SESSION_ERROR_PROTOCOL, FALSE,
                    _("The server sent a reply nobody asked for."));
      break;
    }
}

/* ---------------------------------------------------------------- */
/* Running                                                          */
/* ---------------------------------------------------------------- */

static gboolean
prepare_message (PostaciSession *self, GError **error)
{
  if (self->request->from != NULL)
    {
      self->from_ascii = postaci_address_to_ascii (self->request->from);
      self->needs_smtputf8 = postaci_address_needs_smtputf8 (self->request->from);
    }
  for (guint i = 0; i < self->request->recipients->len; i++)
    if (postaci_address_needs_smtputf8 (g_ptr_array_index (self->request->recipients, i)))
      self->needs_smtputf8 = TRUE;

  if (self->request->stop_after < POSTACI_STAGE_DATA)
    return TRUE;
  /* The bodies are read once here to be checked; they are composed again as DATA goes. */
  self->message = postaci_message_new (self->request, error);
  return self->message != NULL;
}

/**
 * postaci_session_prepare:
 * @self: a #PostaciSession that has not run
 * @error: a #POSTACI_REQUEST_ERROR naming the field at fault
 *
 * Checks the request and reads the message's bodies once (a file's bytes, the size of what
 * will be sent), so that a caller can refuse bad input before anything is sent.
 * postaci_session_run_async() does it when it was not done.
 *
 * Returns: %TRUE when the run can start
 */
gboolean
postaci_session_prepare (PostaciSession *self, GError **error)
{
  g_return_val_if_fail (POSTACI_IS_SESSION (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (self->prepared)
    return TRUE;
  if (!postaci_request_validate (self->request, error) || !prepare_message (self, error))
    return FALSE;
  self->prepared = TRUE;
  return TRUE;
}

void
postaci_session_run_async (PostaciSession      *self,
                           GCancellable        *cancellable,
                           GAsyncReadyCallback  callback,
                           gpointer             user_data)
{
  GError *error = NULL;

  g_return_if_fail (POSTACI_IS_SESSION (self));
  g_return_if_fail (self->state == STATE_INIT);
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  self->task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (self->task, postaci_session_run_async);
  /* A cancelled run still has an outcome (verdict "cancelled"): never swap it for an error. */
  g_task_set_check_cancellable (self->task, FALSE);
  self->started_us = g_get_monotonic_time ();

  if (cancellable != NULL)
    {
      self->user_cancellable = g_object_ref (cancellable);
      self->user_cancelled_id = g_cancellable_connect (cancellable, G_CALLBACK (user_cancelled_cb),
                                                       self, NULL);
    }

  /* EHLO takes a domain in ASCII (RFC 5321 §4.1.1.1): an internationalised name goes as
   * punycode, an address literal as it is. Validation below refuses a name that has none. */
  if (self->request->ehlo_name != NULL && *self->request->ehlo_name != '\0')
    self->ehlo_name = self->request->ehlo_name[0] == '['
                      ? g_strdup (self->request->ehlo_name)
                      : g_hostname_to_ascii (self->request->ehlo_name);

  /* Nothing is sent when the request is wrong. */
  if (!postaci_session_prepare (self, &error))
    {
      PostaciEvent *event;

      self->concluded = TRUE;
      self->outcome->verdict = POSTACI_VERDICT_USAGE;
      self->outcome->stage = POSTACI_STAGE_CONNECT;
      self->outcome->error_domain = error->domain;
      self->outcome->error_code = error->code;
      self->outcome->reason = g_strdup (error->message);
      event = postaci_event_new (POSTACI_EVENT_ERROR, POSTACI_STAGE_CONNECT, error->message);
      emit (self, event);
      g_error_free (error);
      finish_run (self);
      return;
    }

  if (self->request->accept_invalid_certificate && self->security != POSTACI_SECURITY_NONE)
    emit_text (self, POSTACI_EVENT_WARNING,
               _("This run accepts an invalid server certificate, as you asked."));
  if (self->request->auth)
    postaci_redactor_add (self->redactor, self->request->password);
  if (self->request->auth && self->request->allow_plain_auth)
    emit_text (self, POSTACI_EVENT_WARNING,
               _("Plain-text authentication over an unencrypted connection is allowed for this run."));
  start_connect (self);
}

/**
 * postaci_session_run_finish:
 * Returns: (transfer full): how the run ended; never %NULL. A failed run is a
 *   verdict, not an error: see #PostaciOutcome.
 */
PostaciOutcome *
postaci_session_run_finish (PostaciSession *self, GAsyncResult *result)
{
  g_return_val_if_fail (POSTACI_IS_SESSION (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), NULL);
}
