/* SPDX-License-Identifier: GPL-3.0-or-later */
/* postaci-session.c — one SMTP run as an explicit state machine on the GLib main loop.
 *
 * Shape (after curl's lib/smtp.c over pingpong.c): an enum of states, one table of what each
 * state waits for (states[]), set_state() as the only way to change state, enter_stage() as
 * the only step between stages, one sender per command and one reply handler per state. The
 * link under it (PostaciSmtpLink) connects, does TLS, writes lines and reads replies, each
 * under a deadline; this file is the protocol and the verdict it comes to.
 *
 * Why one file of this length: the protocol reads top to bottom in the order of a session
 * (connect, greeting, EHLO, STARTTLS, AUTH, MAIL, RCPT, DATA, QUIT), and every handler ends in
 * the same few verdict functions above them; split up, a reader would jump between files for
 * each step of one run. */
#define G_LOG_DOMAIN "postaci-session"

#include "config.h"

#include <inttypes.h>
#include <string.h>
#include <glib/gi18n-lib.h>

#include "postaci-catalog.h"
#include "postaci-line-reader.h"
#include "postaci-message.h"
#include "postaci-redactor.h"
#include "postaci-sasl.h"
#include "postaci-session.h"
#include "postaci-session-private.h"
#include "postaci-smtp-link-private.h"

/* How much of the message is read from disk and written per step. */
#define DATA_CHUNK_SIZE (64 * 1024)
/* Header lines of the message shown in the transcript before the body is summarised. */
#define MAX_SHOWN_HEADER_LINES 40
/* How much of a server's reply the one-line reason of a failed run quotes. */
#define MAX_QUOTED_REPLY_CHARS 300
/* The most commands one PIPELINING batch holds. The client writes the whole batch before it
 * reads a reply, so the replies must fit in the socket buffers meanwhile, or both sides wait to
 * write (RFC 2920 §3.1 warns of this deadlock): a hundred short replies fit in any. Recipients
 * beyond the batch go one at a time, and DATA after them. */
#define MAX_BATCH_COMMANDS 100

typedef enum
{
  STATE_INIT,               /* nothing done yet */
  STATE_RESOLVING,          /* looking up the server's addresses */
  STATE_CONNECTING,         /* TCP connect to one address */
  STATE_TLS_HANDSHAKE,      /* implicit TLS, before the greeting */
  STATE_GREETING,           /* waiting for the 220 banner */
  STATE_EHLO,               /* EHLO sent (again after STARTTLS) */
  STATE_HELO,               /* HELO sent: EHLO was refused and security is none */
  STATE_STARTTLS,           /* STARTTLS sent, waiting for 220 */
  STATE_STARTTLS_HANDSHAKE, /* TLS handshake after the 220 */
  STATE_AUTH,               /* AUTH exchange under way */
  STATE_AUTH_CANCEL,        /* "*" sent to abandon a broken AUTH exchange */
  STATE_MAIL,               /* MAIL FROM sent */
  STATE_RCPT,               /* RCPT TO sent for recipient rcpt_index */
  STATE_DATA,               /* DATA sent, waiting for 354 */
  STATE_DATA_BODY,          /* streaming the message */
  STATE_DATA_END,           /* final dot sent, waiting for the verdict */
  STATE_BATCH_REST, /* after a verdict: reading a reply still due from the pipelined batch */
  STATE_DATA_EMPTY, /* a lone "." after a 354 that came when no recipient was left */
  STATE_QUIT,       /* QUIT sent */
  STATE_CLOSING,    /* closing the connection */
  STATE_DONE,       /* the task has returned */
} SessionState;

typedef void (*ReplyHandler) (PostaciSession *self, PostaciReply *reply);

static void handle_greeting (PostaciSession *self, PostaciReply *reply);
static void handle_ehlo (PostaciSession *self, PostaciReply *reply);
static void handle_helo (PostaciSession *self, PostaciReply *reply);
static void handle_starttls (PostaciSession *self, PostaciReply *reply);
static void handle_auth (PostaciSession *self, PostaciReply *reply);
static void handle_auth_cancel (PostaciSession *self, PostaciReply *reply);
static void handle_mail (PostaciSession *self, PostaciReply *reply);
static void handle_rcpt (PostaciSession *self, PostaciReply *reply);
static void handle_data (PostaciSession *self, PostaciReply *reply);
static void handle_data_end (PostaciSession *self, PostaciReply *reply);
static void handle_batch_rest (PostaciSession *self, PostaciReply *reply);
static void handle_data_empty (PostaciSession *self, PostaciReply *reply);
static void handle_quit (PostaciSession *self, PostaciReply *reply);

/* What each state waits for, in one place: the command its reply answers (for the catalog's
 * explanation), how a reason names that command ("MAIL FROM refused: …", translated where it
 * is a phrase), and the handler of the reply. A state without a handler awaits no reply.
 * The stage is not a column: the EHLO after STARTTLS belongs to the TLS stage, not EHLO's. */
typedef struct
{
  const char    *name; /* for the debug log */
  PostaciCommand command;
  const char    *label;
  ReplyHandler   handler;
} StateInfo;

static const StateInfo states[] = {
  [STATE_INIT] = { "INIT", POSTACI_COMMAND_NONE, NULL, NULL },
  [STATE_RESOLVING] = { "RESOLVING", POSTACI_COMMAND_NONE, NULL, NULL },
  [STATE_CONNECTING] = { "CONNECTING", POSTACI_COMMAND_NONE, NULL, NULL },
  [STATE_TLS_HANDSHAKE] = { "TLS_HANDSHAKE", POSTACI_COMMAND_NONE, NULL, NULL },
  [STATE_GREETING] = { "GREETING", POSTACI_COMMAND_NONE, N_ ("The greeting"), handle_greeting },
  [STATE_EHLO] = { "EHLO", POSTACI_COMMAND_EHLO, "EHLO", handle_ehlo },
  [STATE_HELO] = { "HELO", POSTACI_COMMAND_HELO, "HELO", handle_helo },
  [STATE_STARTTLS] = { "STARTTLS", POSTACI_COMMAND_STARTTLS, "STARTTLS", handle_starttls },
  [STATE_STARTTLS_HANDSHAKE] = { "STARTTLS_HANDSHAKE", POSTACI_COMMAND_NONE, NULL, NULL },
  [STATE_AUTH] = { "AUTH", POSTACI_COMMAND_AUTH, "AUTH", handle_auth },
  [STATE_AUTH_CANCEL] = { "AUTH_CANCEL", POSTACI_COMMAND_AUTH, "AUTH", handle_auth_cancel },
  [STATE_MAIL] = { "MAIL", POSTACI_COMMAND_MAIL, "MAIL FROM", handle_mail },
  [STATE_RCPT] = { "RCPT", POSTACI_COMMAND_RCPT, "RCPT TO", handle_rcpt },
  [STATE_DATA] = { "DATA", POSTACI_COMMAND_DATA, "DATA", handle_data },
  [STATE_DATA_BODY] = { "DATA_BODY", POSTACI_COMMAND_DATA, NULL, NULL },
  [STATE_DATA_END] = { "DATA_END", POSTACI_COMMAND_DATA_END, N_ ("The message"), handle_data_end },
  /* Its command is the batched one whose reply is read: see read_batch_rest(). */
  [STATE_BATCH_REST] = { "BATCH_REST", POSTACI_COMMAND_NONE, NULL, handle_batch_rest },
  [STATE_DATA_EMPTY] = { "DATA_EMPTY", POSTACI_COMMAND_DATA_END, N_ ("The message"),
                         handle_data_empty },
  [STATE_QUIT] = { "QUIT", POSTACI_COMMAND_QUIT, "QUIT", handle_quit },
  [STATE_CLOSING] = { "CLOSING", POSTACI_COMMAND_NONE, NULL, NULL },
  [STATE_DONE] = { "DONE", POSTACI_COMMAND_NONE, NULL, NULL },
};
G_STATIC_ASSERT (G_N_ELEMENTS (states) == STATE_DONE + 1);

struct _PostaciSession
{
  GObject parent_instance;

  PostaciRequest  *request;
  PostaciSecurity  security; /* effective: auto on 465 became tls */
  char            *host;     /* server name without IPv6 brackets */
  guint            port;
  GTlsCertificate *pinned; /* accepted even when verification fails */

  SessionState state;
  PostaciStage stage;
  gint64       started_us;
  gint64       stage_started_us;
  GTask       *task;
  GPtrArray   *events; /* PostaciEvent * */

  GCancellable    *user_cancellable; /* the caller's, handed to every link operation */
  PostaciSmtpLink *link;
  GIOStream       *test_stream; /* set_stream_for_testing(): the link's stream */

  /* What the server said it can do, from the latest EHLO. */
  GHashTable *capabilities; /* upper-case keyword → parameters */
  char       *ehlo_name;

  /* The command the awaited reply answers: states[state].command, set with the state */
  PostaciCommand command;
  PostaciReply  *last_reply;
  PostaciCommand last_reply_command;

  /* AUTH */
  PostaciSasl     *sasl;
  PostaciRedactor *redactor;   /* every form of the secrets sent: masked in server text */
  GError          *auth_error; /* kept while "*" abandons the exchange */

  /* Envelope and data */
  PostaciMessage *message;
  gboolean        prepared; /* postaci_session_prepare() succeeded */
  GInputStream   *data_stream;
  goffset         data_size;
  goffset         data_sent;
  guchar         *chunk;
  gsize           chunk_length; /* what the chunk in flight holds */
  gboolean        headers_shown;
  guint           rcpt_index;
  GPtrArray      *refused; /* char *: the recipients the server refused */
  /* PIPELINING (RFC 2920): MAIL FROM, every RCPT TO and DATA written at once; each is shown
   * when its reply is read, so batch_next is also how many replies were asked for. */
  GPtrArray *batch; /* char *: the lines written together; NULL: none */
  guint      batch_next;
  char      *from_ascii;
  gboolean   needs_smtputf8;

  PostaciOutcome *outcome;
  gboolean        concluded;  /* the verdict is set; what follows is only QUIT and close */
  gboolean        stage_open; /* begin_stage() without its end_stage() yet */
};

G_DEFINE_TYPE (PostaciSession, postaci_session, G_TYPE_OBJECT)
/* clang-format off */
G_DEFINE_QUARK (postaci-session-error-quark, postaci_session_error)
/* clang-format on */

enum
{
  SIGNAL_EVENT,
  N_SIGNALS
};
static guint signals[N_SIGNALS];

static void dispatch_reply (PostaciSession *self, PostaciReply *reply);
static void read_reply (PostaciSession *self);
static void send_ehlo (PostaciSession *self);
static void send_quit (PostaciSession *self);
static void quit_politely (PostaciSession *self);
static void next_after_tls (PostaciSession *self);
static void start_auth (PostaciSession *self);
static void send_mail_from (PostaciSession *self);
static void send_rcpt_to (PostaciSession *self);
static void send_data_chunk (PostaciSession *self);
static void finish_run (PostaciSession *self);
static void close_connection (PostaciSession *self);
static void start_tls_handshake (PostaciSession *self);

/* ---------------------------------------------------------------- */
/* GObject                                                          */
/* ---------------------------------------------------------------- */

static void
postaci_session_dispose (GObject *object)
{
  PostaciSession *self = POSTACI_SESSION (object);

  g_clear_object (&self->user_cancellable);
  /* A close may still be under way and hold the link: it must not talk to a session that is
   * gone. */
  if (self->link != NULL)
    g_signal_handlers_disconnect_by_data (self->link, self);
  g_clear_object (&self->link);
  g_clear_object (&self->message);
  g_clear_object (&self->data_stream);
  g_clear_object (&self->pinned);
  g_clear_object (&self->test_stream);
  G_OBJECT_CLASS (postaci_session_parent_class)->dispose (object);
}

static void
postaci_session_finalize (GObject *object)
{
  PostaciSession *self = POSTACI_SESSION (object);

  g_clear_pointer (&self->request, postaci_request_free);
  g_clear_pointer (&self->events, g_ptr_array_unref);
  g_clear_pointer (&self->capabilities, g_hash_table_unref);
  g_clear_pointer (&self->last_reply, postaci_reply_free);
  g_clear_pointer (&self->sasl, postaci_sasl_free);
  g_clear_pointer (&self->redactor, postaci_redactor_free);
  g_clear_pointer (&self->refused, g_ptr_array_unref);
  g_clear_pointer (&self->batch, g_ptr_array_unref);
  g_clear_pointer (&self->outcome, postaci_outcome_free);
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
 * Local Test Server's throwaway certificate. The transcript says so. */
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
  va_list          args;
  g_autofree char *text = NULL;

  va_start (args, format);
  text = g_strdup_vprintf (format, args);
  va_end (args);
  emit (self, postaci_event_new (kind, self->stage, text));
}

static void
emit_stage (PostaciSession *self, PostaciStage stage, PostaciStageStatus status)
{
  PostaciEvent *event =
    postaci_event_new (POSTACI_EVENT_STAGE, stage, postaci_stage_get_label (stage));
  event->stage_status = status;
  emit (self, event);
}

/* The only way to change state; the transition goes to the debug log. */
static void
set_state (PostaciSession *self, SessionState state)
{
  g_debug ("%s → %s", states[self->state].name, states[state].name);
  self->state = state;
  self->command = states[state].command;
}

/* How a reason names what the current state's reply answered: “MAIL FROM refused: …”. */
static const char *
state_label (PostaciSession *self)
{
  const char *label = states[self->state].label;

  return label != NULL ? g_dgettext (GETTEXT_PACKAGE, label) : "?";
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

static gboolean stop_here (PostaciSession *self, PostaciStage stage);

/* Ends the stage under way as passed. Returns: %FALSE when the person asked to stop after it
 * (the run then ends politely), %TRUE to go on. */
static gboolean
finish_stage (PostaciSession *self)
{
  end_stage (self, POSTACI_STAGE_STATUS_PASSED);
  return !stop_here (self, self->stage);
}

/* The one step between stages: the stage under way (if one is) passes, the run stops if it
 * was the last one asked for, else @next begins. Returns: %TRUE when @next began. */
static gboolean
enter_stage (PostaciSession *self, PostaciStage next)
{
  if (self->stage_open && !finish_stage (self))
    return FALSE;
  begin_stage (self, next);
  return TRUE;
}

/* A stage this run does not need (no TLS asked, no AUTH). Returns: %FALSE when the person
 * asked to stop after it. */
static gboolean
skip_stage (PostaciSession *self, PostaciStage stage)
{
  self->stage = stage;
  emit_stage (self, stage, POSTACI_STAGE_STATUS_SKIPPED);
  return !stop_here (self, stage);
}

/* ---------------------------------------------------------------- */
/* The link                                                         */
/* ---------------------------------------------------------------- */

/* After the verdict only QUIT and the close are left: a mute server must not hold a
 * finished run for a whole reply deadline. */
#define CLOSING_TIMEOUT_SECONDS 5

static void
conclude (PostaciSession *self)
{
  self->concluded = TRUE;
  if (self->link != NULL)
    postaci_smtp_link_set_timeout (
      self->link, MIN (postaci_request_get_timeout (self->request), CLOSING_TIMEOUT_SECONDS));
}

/* What the link does on its own (addresses, TLS facts): an event of the stage under way. */
static void
link_event_cb (PostaciSmtpLink *link, int kind, const char *text, PostaciSession *self)
{
  emit (self, postaci_event_new ((PostaciEventKind) kind, self->stage, text));
}

/* A server line, masked and escaped by the link; the last line of a reply carries it, and
 * with it the catalog's reading of it as an answer to the command in flight. */
static void
link_line_cb (PostaciSmtpLink *link, const char *text, PostaciReply *reply, PostaciSession *self)
{
  PostaciEvent *event = postaci_event_new (POSTACI_EVENT_SERVER, self->stage, text);

  if (reply != NULL)
    {
      /* The rest of a batch after the verdict is explained but advises nothing: the hint
       * that counts stands under the reply that failed the run. */
      gboolean advise = !postaci_reply_is_positive (reply) && self->state != STATE_BATCH_REST &&
                        self->state != STATE_DATA_EMPTY;

      event->reply = postaci_reply_copy (reply);
      event->command = self->command;
      event->explanation =
        postaci_catalog_explain_reply (reply, self->command, advise ? &event->hint : NULL);
      g_clear_pointer (&self->last_reply, postaci_reply_free);
      self->last_reply = postaci_reply_copy (reply);
      self->last_reply_command = self->command;
    }
  emit (self, event);
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
  context->received_any = self->link != NULL && postaci_smtp_link_get_received_any (self->link);
  context->tls_active = self->link != NULL && postaci_smtp_link_get_tls_active (self->link);
  context->server = self->request->server;
  context->certificate_errors =
    self->link != NULL ? postaci_smtp_link_get_certificate_errors (self->link) : 0;
}

/* Errors whose message we wrote, in the run's language; the others (GIO, glib-networking,
 * the resolver) speak English and in the system's terms: those are a detail, never the
 * headline. */
static gboolean
is_in_our_words (const GError *error)
{
  return error->domain == POSTACI_SESSION_ERROR || error->domain == POSTACI_REPLY_ERROR ||
         error->domain == POSTACI_LINE_READER_ERROR || error->domain == POSTACI_SASL_ERROR;
}

/* A cancelled run is neither a success nor a failure: its stage is "cancelled", and there is
 * nothing to explain or to advise. */
static void
end_cancelled (PostaciSession *self)
{
  PostaciOutcome *outcome = self->outcome;

  /* Translators: %s is the stage under way, for example “Connect” */
  outcome->reason = g_strdup_printf (_ ("The test was cancelled during “%s”."),
                                     postaci_stage_get_label (self->stage));
  if (self->stage_open)
    end_stage (self, POSTACI_STAGE_STATUS_CANCELLED);
  close_connection (self);
}

/* Records why the run failed (once), tells the front ends, and decides whether a polite QUIT
 * is still possible. Takes @error.
 *
 * Each thing is said once: the headline is the outcome's reason (the Result line, the
 * verdict card); a refusal's meaning and hint stand under the reply that refused; any other
 * failure gets one Error line with its meaning, its hint and the system's own words as a
 * detail. */
static void
fail (PostaciSession *self, GError *error, gboolean say_quit)
{
  PostaciOutcome       *outcome = self->outcome;
  PostaciFailureContext context = { 0 };
  gboolean refused = g_error_matches (error, POSTACI_SESSION_ERROR, POSTACI_SESSION_ERROR_REFUSED);
  g_autofree char *hint = NULL;
  g_autofree char *explanation = NULL;
  g_autofree char *detail = NULL;

  g_assert (error != NULL);

  if (self->concluded)
    {
      /* A failure while quitting: the verdict stands. */
      g_debug ("while ending the run: %s", error->message);
      g_error_free (error);
      close_connection (self);
      return;
    }
  conclude (self);

  outcome->verdict = verdict_for_error (error);
  outcome->stage = self->stage;
  outcome->error_domain = error->domain;
  outcome->error_code = error->code;
  g_clear_pointer (&outcome->reply, postaci_reply_free);
  if (outcome->verdict == POSTACI_VERDICT_CANCELLED)
    {
      g_error_free (error);
      end_cancelled (self);
      return;
    }

  if (refused && self->last_reply != NULL)
    {
      outcome->reply = postaci_reply_copy (self->last_reply);
      outcome->command = self->last_reply_command;
      explanation =
        postaci_catalog_explain_reply (self->last_reply, self->last_reply_command, &hint);
    }
  else
    {
      fill_failure_context (self, &context);
      explanation = postaci_catalog_explain_error_apart (error, &context, &hint, &detail);
      if (self->last_reply != NULL && !postaci_reply_is_positive (self->last_reply))
        {
          outcome->reply = postaci_reply_copy (self->last_reply);
          outcome->command = self->last_reply_command;
        }
    }

  if (refused || !is_in_our_words (error))
    outcome->reason = postaci_catalog_describe_outcome (outcome);
  else
    /* Translators: the first %s is a stage such as “EHLO” or “Connect”, the second what went
     * wrong */
    outcome->reason =
      g_strdup_printf (_ ("%s failed: %s"), postaci_stage_get_label (self->stage), error->message);
  /* The system's words are kept, under "Details", for whoever helps the person. */
  if (detail == NULL && !is_in_our_words (error) && !refused)
    detail = g_strdup (error->message);
  /* The link already said why each address failed, one line each. */
  if (self->stage == POSTACI_STAGE_CONNECT && error->domain == G_IO_ERROR)
    g_clear_pointer (&detail, g_free);
  outcome->explanation = g_steal_pointer (&explanation);
  outcome->hint = g_steal_pointer (&hint);
  outcome->detail = g_steal_pointer (&detail);

  if (self->stage_open)
    end_stage (self, POSTACI_STAGE_STATUS_FAILED);
  if (!refused)
    {
      PostaciEvent *event =
        postaci_event_new (POSTACI_EVENT_ERROR, self->stage, outcome->explanation);

      event->hint = g_strdup (outcome->hint);
      event->detail = g_strdup (outcome->detail);
      emit (self, event);
    }
  g_error_free (error);

  if (say_quit && self->link != NULL && postaci_smtp_link_is_connected (self->link))
    quit_politely (self);
  else
    close_connection (self);
}

static void
fail_literal (PostaciSession *self, PostaciSessionError code, gboolean say_quit,
              const char *message)
{
  fail (self, g_error_new_literal (POSTACI_SESSION_ERROR, code, message), say_quit);
}

/* What a one-line reason quotes of a reply: escaped, and cut short, because a server may
 * answer with a hundred lines of 4 KiB. The whole reply is in the transcript above it. */
static char *
reply_excerpt (const PostaciReply *reply)
{
  g_autofree char *text = postaci_reply_get_text (reply);
  char            *shown = postaci_escape_text (text, -1);

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

  fail (self,
        g_error_new (POSTACI_SESSION_ERROR, POSTACI_SESSION_ERROR_REFUSED,
                     /* Translators: “MAIL FROM refused: 550 Relaying denied” */
                     _ ("%s refused: %u %s"), what, reply->code, shown),
        reply->code != 421);
}

/* A reply that is neither what the state waits for nor a refusal (354 to STARTTLS, 221 to
 * EHLO): the server and we no longer agree where the session is, so nothing more is sent —
 * not even QUIT, which it might take for message text. */
static void
fail_unexpected (PostaciSession *self, const PostaciReply *reply, const char *what)
{
  g_autofree char *shown = reply_excerpt (reply);

  fail (self,
        g_error_new (POSTACI_SESSION_ERROR, POSTACI_SESSION_ERROR_PROTOCOL,
                     /* Translators: “STARTTLS: the server answered 354 go ahead,
                            * which makes no sense here” */
                     _ ("%s: the server answered %u %s, which makes no sense here"), what,
                     reply->code, shown),
        FALSE);
}

/* Ends the run on a reply its state did not want: a refusal (4xx/5xx) or nonsense. */
static void
fail_reply (PostaciSession *self, const PostaciReply *reply)
{
  if (postaci_reply_is_positive (reply))
    fail_unexpected (self, reply, state_label (self));
  else
    fail_refused (self, reply, state_label (self));
}

/* The refused recipients for a one-line reason: the first few, then how many more. The
 * outcome lists them all. */
#define MAX_NAMED_RECIPIENTS 5

static char *
refused_recipients_text (PostaciSession *self)
{
  GString *out = g_string_new (NULL);
  guint    n = self->refused->len;

  for (guint i = 0; i < MIN (n, MAX_NAMED_RECIPIENTS); i++)
    {
      g_autofree char *shown = postaci_escape_text (g_ptr_array_index (self->refused, i), -1);

      if (i > 0)
        g_string_append (out, ", ");
      g_string_append (out, shown);
    }
  if (n > MAX_NAMED_RECIPIENTS)
    /* Translators: follows a list of refused addresses: “a@x, b@y and 9,895 more” */
    g_string_append_printf (
      out, g_dngettext (GETTEXT_PACKAGE, " and %u more", " and %u more", n - MAX_NAMED_RECIPIENTS),
      n - MAX_NAMED_RECIPIENTS);
  return g_string_free (out, FALSE);
}

/* The goal was reached, but not for every recipient: a partial delivery is not a success
 * (a script must not read it as one), and the reason names who was left out. */
static char *
partial_reason (PostaciSession *self)
{
  g_autofree char *names = refused_recipients_text (self);
  guint            total = self->request->recipients->len;

  if (self->request->stop_after == POSTACI_STAGE_RCPT)
    return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                         "Stopped after RCPT, as asked: the server accepted %u "
                                         "of %u recipient and refused %s.",
                                         "Stopped after RCPT, as asked: the server accepted %u "
                                         "of %u recipients and refused %s.",
                                         total),
                            self->outcome->recipients_accepted, total, names);
  return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                       "The server accepted the message for %u of %u recipient "
                                       "and refused %s.",
                                       "The server accepted the message for %u of %u recipients "
                                       "and refused %s.",
                                       total),
                          self->outcome->recipients_accepted, total, names);
}

static void
succeed (PostaciSession *self, const char *reason)
{
  conclude (self);
  self->outcome->verdict = POSTACI_VERDICT_SUCCESS;
  if (self->refused->len > 0)
    self->outcome->verdict = POSTACI_VERDICT_PARTIAL;
  self->outcome->stage = self->stage;
  g_free (self->outcome->reason);
  self->outcome->reason =
    self->outcome->verdict == POSTACI_VERDICT_PARTIAL ? partial_reason (self) : g_strdup (reason);
  if (self->last_reply != NULL)
    {
      g_clear_pointer (&self->outcome->reply, postaci_reply_free);
      self->outcome->reply = postaci_reply_copy (self->last_reply);
      self->outcome->command = self->last_reply_command;
      g_free (self->outcome->explanation);
      self->outcome->explanation =
        postaci_catalog_explain_reply (self->last_reply, self->last_reply_command, NULL);
    }
  if (self->state >= STATE_GREETING && postaci_smtp_link_is_connected (self->link))
    quit_politely (self);
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
  reason = g_strdup_printf (_ ("Stopped after %s, as asked: every step up to there worked."),
                            postaci_stage_get_label (stage));
  succeed (self, reason);
  return TRUE;
}

static void
close_cb (GObject *object, GAsyncResult *res, gpointer user_data)
{
  g_autoptr(PostaciSession) self = user_data;

  postaci_smtp_link_close_finish (POSTACI_SMTP_LINK (object), res);
  finish_run (self);
}

static void
close_connection (PostaciSession *self)
{
  set_state (self, STATE_CLOSING);
  if (self->link == NULL)
    {
      finish_run (self);
      return;
    }
  postaci_smtp_link_close_async (self->link, self->user_cancellable, close_cb, g_object_ref (self));
}

static void
finish_run (PostaciSession *self)
{
  g_autoptr(GTask) task = g_steal_pointer (&self->task);
  PostaciOutcome *outcome = self->outcome;

  set_state (self, STATE_DONE);
  outcome->total_ms = elapsed_ms (self);
  outcome->tls_used = self->link != NULL && postaci_smtp_link_get_tls_active (self->link);
  if (self->refused->len > 0 && outcome->refused_recipients == NULL)
    {
      g_ptr_array_add (self->refused, NULL);
      outcome->refused_recipients = g_strdupv ((GStrv) self->refused->pdata);
      g_ptr_array_remove_index (self->refused, self->refused->len - 1);
    }
  if (outcome->reason == NULL)
    outcome->reason = g_strdup (_ ("The run ended."));
  if (task != NULL)
    g_task_return_pointer (task, postaci_outcome_copy (outcome),
                           (GDestroyNotify) postaci_outcome_free);
}

/* ---------------------------------------------------------------- */
/* Sending and reading                                              */
/* ---------------------------------------------------------------- */

static void
read_reply_cb (GObject *object, GAsyncResult *res, gpointer user_data)
{
  g_autoptr(PostaciSession) self = user_data;
  GError *error = NULL;
  g_autoptr(PostaciReply) reply =
               postaci_smtp_link_read_reply_finish (POSTACI_SMTP_LINK (object), res, &error);

  if (reply == NULL)
    {
      fail (self, error, FALSE);
      return;
    }
  dispatch_reply (self, reply);
}

/* Whether commands of the pipelined batch still wait to be shown with their replies. */
static gboolean
batch_pending (PostaciSession *self)
{
  return self->batch != NULL && self->batch_next < self->batch->len;
}

/* Reads the reply to the command in flight. Nothing may stand behind it but the replies still
 * due from a pipelined batch: a server that answers ahead of the commands, or more often than
 * they were sent, is refused. After the 220 to STARTTLS the link has its own, sharper rule;
 * after QUIT nothing matters any more. */
static void
read_reply (PostaciSession *self)
{
  PostaciSmtpLinkReadFlags flags =
    (self->state == STATE_STARTTLS || self->state == STATE_QUIT || batch_pending (self))
      ? POSTACI_SMTP_LINK_READ_MORE_ALLOWED
      : POSTACI_SMTP_LINK_READ_ALONE;

  postaci_smtp_link_read_reply_async (self->link, flags, self->user_cancellable, read_reply_cb,
                                      g_object_ref (self));
}

static void
send_line_cb (GObject *object, GAsyncResult *res, gpointer user_data)
{
  g_autoptr(PostaciSession) self = user_data;
  GError *error = NULL;

  if (!postaci_smtp_link_send_line_finish (POSTACI_SMTP_LINK (object), res, &error))
    {
      fail (self, error, FALSE);
      return;
    }
  read_reply (self);
}

static void
show_client_line (PostaciSession *self, const char *text)
{
  g_autofree char *escaped = postaci_escape_text (text, -1);

  emit (self, postaci_event_new (POSTACI_EVENT_CLIENT, self->stage, escaped));
}

/* The next command of the batch, already on the wire: shown now, right above its reply, so
 * that the transcript reads command, reply, command, reply as without pipelining. */
static void
show_batched_and_read (PostaciSession *self)
{
  show_client_line (self, g_ptr_array_index (self->batch, self->batch_next));
  self->batch_next++;
  read_reply (self);
}

/**
 * send_line:
 * @line: the command without CRLF
 * @shown: what the transcript shows, when it must differ (credentials)
 *
 * Writes the line and then waits for the reply, which goes to dispatch_reply(). A command
 * that went out with the pipelined batch is not written again: only its reply is read.
 */
static void
send_line (PostaciSession *self, const char *line, const char *shown)
{
  if (batch_pending (self))
    {
      g_assert (shown == NULL);
      g_assert (g_str_equal (line, g_ptr_array_index (self->batch, self->batch_next)));
      show_batched_and_read (self);
      return;
    }
  show_client_line (self, shown ? shown : line);
  postaci_smtp_link_send_line_async (self->link, line, self->user_cancellable, send_line_cb,
                                     g_object_ref (self));
}

static void
send_batch_cb (GObject *object, GAsyncResult *res, gpointer user_data)
{
  g_autoptr(PostaciSession) self = user_data;
  GError *error = NULL;

  if (!postaci_smtp_link_send_lines_finish (POSTACI_SMTP_LINK (object), res, &error))
    {
      fail (self, error, FALSE);
      return;
    }
  show_batched_and_read (self);
}

/* Writes the batch (RFC 2920) in one write, and reads the reply to its first command. */
static void
send_batch (PostaciSession *self)
{
  gboolean with_data = g_str_equal (g_ptr_array_index (self->batch, self->batch->len - 1), "DATA");
  guint    recipients = self->batch->len - (with_data ? 2 : 1);

  if (with_data)
    emit_text (self, POSTACI_EVENT_INFO,
               g_dngettext (GETTEXT_PACKAGE,
                            "The server offers PIPELINING (RFC 2920): MAIL FROM, RCPT TO for %u "
                            "recipient and DATA go out together in one write; each reply is "
                            "shown under its command.",
                            "The server offers PIPELINING (RFC 2920): MAIL FROM, RCPT TO for %u "
                            "recipients and DATA go out together in one write; each reply is "
                            "shown under its command.",
                            recipients),
               recipients);
  else
    emit_text (self, POSTACI_EVENT_INFO,
               g_dngettext (GETTEXT_PACKAGE,
                            "The server offers PIPELINING (RFC 2920): MAIL FROM and RCPT TO for "
                            "%u recipient go out together in one write; each reply is shown "
                            "under its command.",
                            "The server offers PIPELINING (RFC 2920): MAIL FROM and RCPT TO for "
                            "%u recipients go out together in one write; each reply is shown "
                            "under its command.",
                            recipients),
               recipients);
  self->batch_next = 0;
  postaci_smtp_link_send_lines_async (self->link, (const char *const *) self->batch->pdata,
                                      self->batch->len, self->user_cancellable, send_batch_cb,
                                      g_object_ref (self));
}

/* ---------------------------------------------------------------- */
/* Connecting and TLS                                               */
/* ---------------------------------------------------------------- */

static void
wait_for_greeting (PostaciSession *self)
{
  set_state (self, STATE_GREETING);
  read_reply (self);
}

static void
connect_cb (GObject *object, GAsyncResult *res, gpointer user_data)
{
  g_autoptr(PostaciSession) self = user_data;
  g_autoptr(GSocketAddress) local = NULL;
  GError *error = NULL;

  if (!postaci_smtp_link_connect_finish (self->link, res, &error))
    {
      fail (self, error, FALSE);
      return;
    }

  /* Without a configured name, an address literal is always acceptable (RFC 5321 §4.1.3). */
  local = postaci_smtp_link_get_local_address (self->link);
  if (self->ehlo_name == NULL && G_IS_INET_SOCKET_ADDRESS (local))
    {
      GInetAddress    *address = g_inet_socket_address_get_address (G_INET_SOCKET_ADDRESS (local));
      g_autofree char *text = g_inet_address_to_string (address);

      if (g_inet_address_get_family (address) == G_SOCKET_FAMILY_IPV6)
        self->ehlo_name = g_strdup_printf ("[IPv6:%s]", text);
      else
        self->ehlo_name = g_strdup_printf ("[%s]", text);
    }

  if (self->security == POSTACI_SECURITY_TLS)
    {
      if (enter_stage (self, POSTACI_STAGE_TLS))
        start_tls_handshake (self);
      return;
    }
  if (enter_stage (self, POSTACI_STAGE_GREETING))
    wait_for_greeting (self);
}

static void
start_connect (PostaciSession *self)
{
  begin_stage (self, POSTACI_STAGE_CONNECT);
  self->link = self->test_stream != NULL ? postaci_smtp_link_new_for_stream (self->test_stream)
                                         : postaci_smtp_link_new (self->host, self->port);
  postaci_smtp_link_set_timeout (self->link, postaci_request_get_timeout (self->request));
  postaci_smtp_link_set_trust (self->link, self->request->ca_file, self->pinned,
                               self->request->accept_invalid_certificate);
  postaci_smtp_link_set_redactor (self->link, self->redactor);
  g_signal_connect (self->link, "event", G_CALLBACK (link_event_cb), self);
  g_signal_connect (self->link, "server-line", G_CALLBACK (link_line_cb), self);
  postaci_smtp_link_connect_async (self->link, self->user_cancellable, connect_cb,
                                   g_object_ref (self));
}

static void
handshake_cb (GObject *object, GAsyncResult *res, gpointer user_data)
{
  g_autoptr(PostaciSession) self = user_data;
  GError *error = NULL;

  if (!postaci_smtp_link_start_tls_finish (self->link, res, &error))
    {
      fail (self, error, FALSE);
      return;
    }
  /* For a monitoring check of the days left (postaci-cli --cert-warning). */
  self->outcome->certificate_not_after = postaci_smtp_link_get_certificate_not_after (self->link);
  /* After STARTTLS nothing said before the handshake counts any more (RFC 3207 §4.2). */
  g_hash_table_remove_all (self->capabilities);

  if (self->state == STATE_TLS_HANDSHAKE)
    {
      /* Implicit TLS: the greeting comes now, inside TLS. Stopping after TLS waits for the
       * capabilities offered inside it (handle_ehlo()). */
      end_stage (self, POSTACI_STAGE_STATUS_PASSED);
      begin_stage (self, POSTACI_STAGE_GREETING);
      wait_for_greeting (self);
      return;
    }
  send_ehlo (self);
}

/* Implicit TLS right after the connect, or the upgrade after the 220 to STARTTLS; the link
 * refuses bytes the server sent before the handshake. */
static void
start_tls_handshake (PostaciSession *self)
{
  set_state (self, self->state == STATE_STARTTLS ? STATE_STARTTLS_HANDSHAKE : STATE_TLS_HANDSHAKE);
  postaci_smtp_link_start_tls_async (self->link, self->user_cancellable, handshake_cb,
                                     g_object_ref (self));
}

/* ---------------------------------------------------------------- */
/* Greeting, EHLO, HELO, STARTTLS                                   */
/* ---------------------------------------------------------------- */

static void
handle_greeting (PostaciSession *self, PostaciReply *reply)
{
  if (reply->code != 220)
    {
      fail_reply (self, reply);
      return;
    }
  if (enter_stage (self, POSTACI_STAGE_EHLO))
    send_ehlo (self);
}

static void
send_ehlo (PostaciSession *self)
{
  g_autofree char *line = g_strdup_printf ("EHLO %s", self->ehlo_name);

  set_state (self, STATE_EHLO);
  send_line (self, line, NULL);
}

static void
send_helo (PostaciSession *self)
{
  g_autofree char *line = g_strdup_printf ("HELO %s", self->ehlo_name);

  set_state (self, STATE_HELO);
  send_line (self, line, NULL);
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
      const char      *space = strpbrk (line, " =");
      g_autofree char *keyword = g_ascii_strup (line, space ? space - line : -1);
      const char      *params = space ? space + 1 : "";

      if (*keyword == '\0')
        continue;
      /* "AUTH=LOGIN PLAIN" is an old Microsoft spelling of "AUTH LOGIN PLAIN". */
      if (g_hash_table_contains (self->capabilities, keyword) && g_str_equal (keyword, "AUTH"))
        {
          g_autofree char *merged = g_strdup_printf (
            "%s %s", (char *) g_hash_table_lookup (self->capabilities, keyword), params);
          g_hash_table_replace (self->capabilities, g_steal_pointer (&keyword),
                                g_steal_pointer (&merged));
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
          self->security == POSTACI_SECURITY_NONE && !postaci_smtp_link_get_tls_active (self->link))
        {
          emit_text (
            self, POSTACI_EVENT_WARNING,
            _ ("The server refused EHLO; trying the older HELO (no extensions, no encryption)."));
          send_helo (self);
          return;
        }
      fail_reply (self, reply);
      return;
    }
  parse_capabilities (self, reply);

  if (postaci_smtp_link_get_tls_active (self->link))
    {
      /* After STARTTLS this EHLO ends the TLS stage. With implicit TLS the first EHLO is
       * already inside TLS and is its own stage; the TLS stage passed at the handshake. */
      gboolean implicit = self->stage == POSTACI_STAGE_EHLO;

      if (!finish_stage (self) || (implicit && stop_here (self, POSTACI_STAGE_TLS)))
        return;
      next_after_tls (self);
      return;
    }

  if (!finish_stage (self))
    return;

  switch (self->security)
    {
    case POSTACI_SECURITY_STARTTLS:
      if (!has_capability (self, "STARTTLS"))
        {
          begin_stage (self, POSTACI_STAGE_TLS);
          fail_literal (self, POSTACI_SESSION_ERROR_STARTTLS_UNAVAILABLE, TRUE,
                        _ ("The server does not offer STARTTLS, and encryption is required."));
          return;
        }
      break;
    case POSTACI_SECURITY_AUTO:
      if (!has_capability (self, "STARTTLS"))
        {
          emit_text (
            self, POSTACI_EVENT_WARNING,
            _ (
              "The server does not offer STARTTLS: everything goes over the network unencrypted."));
          if (skip_stage (self, POSTACI_STAGE_TLS))
            next_after_tls (self);
          return;
        }
      break;
    case POSTACI_SECURITY_NONE:
      if (skip_stage (self, POSTACI_STAGE_TLS))
        next_after_tls (self);
      return;
    case POSTACI_SECURITY_TLS:
    default:
      g_assert_not_reached ();
    }

  begin_stage (self, POSTACI_STAGE_TLS);
  set_state (self, STATE_STARTTLS);
  send_line (self, "STARTTLS", NULL);
}

static void
handle_helo (PostaciSession *self, PostaciReply *reply)
{
  if (reply->code != 250)
    {
      fail_reply (self, reply);
      return;
    }
  g_hash_table_remove_all (self->capabilities);
  if (finish_stage (self) && skip_stage (self, POSTACI_STAGE_TLS))
    next_after_tls (self);
}

static void
handle_starttls (PostaciSession *self, PostaciReply *reply)
{
  if (reply->code != 220)
    {
      /* Offered, then refused: going on unencrypted would be a downgrade, whatever the setting. */
      fail_reply (self, reply);
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
      if (skip_stage (self, POSTACI_STAGE_AUTH) && enter_stage (self, POSTACI_STAGE_MAIL))
        send_mail_from (self);
      return;
    }
  if (enter_stage (self, POSTACI_STAGE_AUTH))
    start_auth (self);
}

static void
send_auth_response (PostaciSession *self, const char *challenge)
{
  GError          *error = NULL;
  g_autofree char *response = NULL;

  if (!postaci_sasl_step (self->sasl, challenge, &response, &error))
    {
      /* RFC 4954 §4: "*" abandons the exchange; the server answers 501. */
      self->auth_error = error;
      set_state (self, STATE_AUTH_CANCEL);
      send_line (self, "*", NULL);
      return;
    }
  set_state (self, STATE_AUTH);
  postaci_redactor_add_response (self->redactor, response, self->request->username);
  send_line (self, response, "****");
  if (response != NULL)
    explicit_bzero (response, strlen (response));
}

static void
start_auth (PostaciSession *self)
{
  const char *offered_text = g_hash_table_lookup (self->capabilities, "AUTH");
  g_auto(GStrv) offered = NULL;
  PostaciMechanism mechanism;
  GError          *error = NULL;
  const char      *name;

  if (offered_text == NULL)
    {
      fail_literal (
        self, POSTACI_SESSION_ERROR_AUTH_UNAVAILABLE, TRUE,
        postaci_smtp_link_get_tls_active (self->link)
          ? _ ("The server does not offer authentication (no AUTH in its EHLO reply).")
          : _ ("The server does not offer authentication on an unencrypted connection."));
      return;
    }
  /* No sign-in crosses an unencrypted link without consent, whatever the mechanism: whoever
   * stripped STARTTLS reads PLAIN and LOGIN, and cracks a captured CRAM-MD5, DIGEST-MD5, NTLM
   * or SCRAM answer offline. The security setting is no consent: "auto" is the default. */
  if (!postaci_smtp_link_get_tls_active (self->link) && !self->request->allow_plain_auth)
    {
      fail_literal (self, POSTACI_SESSION_ERROR_PLAINTEXT_AUTH, TRUE,
                    _ ("The connection is not encrypted, so the run stopped before signing in."));
      return;
    }
  {
    g_autofree char *upper = g_ascii_strup (offered_text, -1);
    offered = g_strsplit_set (g_strstrip (upper), " ", -1);
  }
  if (!postaci_sasl_choose ((const char *const *) offered, self->request->mechanism,
                            postaci_smtp_link_get_tls_active (self->link),
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
  if (!postaci_smtp_link_get_tls_active (self->link))
    emit_text (self, POSTACI_EVENT_WARNING,
               _ ("Authenticating with %s over an unencrypted connection."), name);
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
      send_line (self, line, shown);
      explicit_bzero (line, strlen (line));
      explicit_bzero (initial, strlen (initial));
    }
  else
    {
      g_autofree char *line = g_strdup_printf ("AUTH %s", name);
      send_line (self, line, NULL);
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
      fail_reply (self, reply);
      return;
    }
  self->outcome->authenticated = TRUE;
  if (enter_stage (self, POSTACI_STAGE_MAIL))
    send_mail_from (self);
}

static void
handle_auth_cancel (PostaciSession *self, PostaciReply *reply)
{
  GError *error = g_steal_pointer (&self->auth_error);

  g_clear_pointer (&self->sasl, postaci_sasl_free);
  fail (self,
        g_error_new_literal (POSTACI_SESSION_ERROR, POSTACI_SESSION_ERROR_SASL, error->message),
        reply->code != 421);
  g_error_free (error);
}

/* ---------------------------------------------------------------- */
/* MAIL, RCPT, DATA                                                 */
/* ---------------------------------------------------------------- */

static char *
rcpt_line (PostaciSession *self, guint index)
{
  const char      *address = g_ptr_array_index (self->request->recipients, index);
  g_autofree char *ascii = postaci_address_to_ascii (address);

  return g_strdup_printf ("RCPT TO:<%s>", ascii);
}

/* PIPELINING (RFC 2920) when the server offers it and the person did not turn it off: the
 * envelope needs one round trip instead of one per command. Only as far as the run goes: a run
 * that stops after MAIL has nothing to group, one that stops after RCPT sends no DATA. */
static gboolean
starts_batch (PostaciSession *self)
{
  return has_capability (self, "PIPELINING") && !self->request->no_pipelining &&
         self->request->stop_after >= POSTACI_STAGE_RCPT;
}

static void
send_envelope (PostaciSession *self, const char *mail)
{
  if (!starts_batch (self))
    {
      send_line (self, mail, NULL);
      return;
    }
  /* MAIL FROM and RCPT TO may go in a group, DATA only at its end (RFC 2920 §3.1). */
  self->batch = g_ptr_array_new_with_free_func (g_free);
  g_ptr_array_add (self->batch, g_strdup (mail));
  for (guint i = 0; i < self->request->recipients->len && self->batch->len < MAX_BATCH_COMMANDS;
       i++)
    g_ptr_array_add (self->batch, rcpt_line (self, i));
  if (self->request->stop_after >= POSTACI_STAGE_DATA &&
      self->batch->len == self->request->recipients->len + 1 &&
      self->batch->len < MAX_BATCH_COMMANDS)
    g_ptr_array_add (self->batch, g_strdup ("DATA"));
  send_batch (self);
}

static void
send_mail_from (PostaciSession *self)
{
  GString    *line;
  const char *size_param = g_hash_table_lookup (self->capabilities, "SIZE");

  if (self->needs_smtputf8 && !has_capability (self, "SMTPUTF8"))
    {
      fail_literal (self, POSTACI_SESSION_ERROR_SMTPUTF8_UNAVAILABLE, TRUE,
                    _ ("An address has non-ASCII letters before the @, which needs the SMTPUTF8 "
                       "extension, and this server does not offer it."));
      return;
    }
  /* Composed while it is sent: the plan (8bit only where the server takes it) and its size
   * are known now, before the first byte of DATA. */
  if (self->message != NULL && self->data_stream == NULL)
    {
      GError *error = NULL;

      self->data_stream = postaci_message_open_data (
        self->message, has_capability (self, "8BITMIME"), &self->data_size, &error);
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
          fail (self,
                g_error_new (
                  POSTACI_SESSION_ERROR, POSTACI_SESSION_ERROR_TOO_LARGE,
                  _ ("The message is %" PRId64 " bytes; the server accepts at most %" PRIu64 "."),
                  (int64_t) self->data_size, (uint64_t) limit),
                TRUE);
          return;
        }
      if (self->request->size > 0 && limit > 0)
        emit_text (self, POSTACI_EVENT_INFO,
                   _ ("The message is %" PRId64 " bytes; the server accepts up to %" PRIu64
                      " bytes, "
                      "so its size limit allows it."),
                   (int64_t) self->data_size, (uint64_t) limit);
    }
  if (self->request->size > 0 &&
      (size_param == NULL || g_ascii_strtoull (size_param, NULL, 10) == 0))
    emit_text (self, POSTACI_EVENT_INFO,
               _ ("The message is %" PRId64 " bytes; the server announces no size limit, so only "
                  "sending it tells."),
               (int64_t) self->data_size);

  line = g_string_new (NULL);
  g_string_append_printf (line, "MAIL FROM:<%s>", self->from_ascii);
  if (size_param != NULL && self->data_stream != NULL)
    g_string_append_printf (line, " SIZE=%" G_GINT64_FORMAT, (gint64) self->data_size);
  if (self->message != NULL && postaci_message_get_eight_bit (self->message))
    g_string_append (line, " BODY=8BITMIME");
  if (self->needs_smtputf8)
    g_string_append (line, " SMTPUTF8");
  set_state (self, STATE_MAIL);
  send_envelope (self, line->str);
  g_string_free (line, TRUE);
}

static void
handle_mail (PostaciSession *self, PostaciReply *reply)
{
  if (reply->code != 250)
    {
      fail_reply (self, reply);
      return;
    }
  if (!enter_stage (self, POSTACI_STAGE_RCPT))
    return;
  self->rcpt_index = 0;
  send_rcpt_to (self);
}

static void
send_rcpt_to (PostaciSession *self)
{
  g_autofree char *line = rcpt_line (self, self->rcpt_index);

  set_state (self, STATE_RCPT);
  send_line (self, line, NULL);
}

static void
handle_rcpt (PostaciSession *self, PostaciReply *reply)
{
  const char *address = g_ptr_array_index (self->request->recipients, self->rcpt_index);

  if (reply->code == 421 || (postaci_reply_is_positive (reply) && reply->code / 10 != 25))
    {
      fail_reply (self, reply);
      return;
    }
  if (reply->code == 250 || reply->code == 251 || reply->code == 252)
    self->outcome->recipients_accepted++;
  else
    {
      self->outcome->recipients_refused++;
      g_ptr_array_add (self->refused, g_strdup (address));
      /* Among several, which one was refused; a lone recipient's refusal is the verdict. */
      if (self->request->recipients->len > 1)
        emit_text (self, POSTACI_EVENT_WARNING, _ ("The server refused the recipient %s."),
                   address);
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
        fail_refused (self, reply, state_label (self));
      else
        {
          g_autofree char *shown = reply_excerpt (reply);
          fail (self,
                g_error_new (POSTACI_SESSION_ERROR, POSTACI_SESSION_ERROR_REFUSED,
                             _ ("The server refused every recipient; the last answer was %u %s"),
                             reply->code, shown),
                TRUE);
        }
      return;
    }
  if (self->outcome->recipients_refused > 0)
    emit_text (self, POSTACI_EVENT_WARNING,
               _ ("%u of %u recipients were accepted; the message goes only to them."),
               self->outcome->recipients_accepted, self->request->recipients->len);
  if (!enter_stage (self, POSTACI_STAGE_DATA))
    return;
  set_state (self, STATE_DATA);
  send_line (self, "DATA", NULL);
}

/* Shows the header block of the message, line by line, as the client sends it. */
static void
show_headers (PostaciSession *self, const guchar *data, gsize length)
{
  const char *p = (const char *) data;
  const char *end = p + length;
  guint       shown = 0;

  while (p < end && shown < MAX_SHOWN_HEADER_LINES)
    {
      const char      *eol = memchr (p, '\n', end - p);
      gsize            line_length;
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

  if (!postaci_smtp_link_write_finish (POSTACI_SMTP_LINK (object), res, &error))
    {
      fail (self, error, FALSE);
      return;
    }
  self->data_sent += (goffset) self->chunk_length;
  send_data_chunk (self);
}

/* The message comes from its temporary file; a read error there is ours, not the network's. */
static void
data_read_cb (GObject *object, GAsyncResult *res, gpointer user_data)
{
  g_autoptr(PostaciSession) self = user_data;
  GError *error = NULL;
  gssize  n;

  n = g_input_stream_read_finish (G_INPUT_STREAM (object), res, &error);
  if (n < 0)
    {
      fail (self, error, FALSE);
      return;
    }
  if (n == 0)
    {
      emit_text (self, POSTACI_EVENT_INFO, _ ("Message sent: %" PRId64 " bytes."),
                 (int64_t) self->data_sent);
      emit (self, postaci_event_new (POSTACI_EVENT_CLIENT, self->stage, "."));
      g_clear_object (&self->data_stream);
      set_state (self, STATE_DATA_END);
      read_reply (self);
      return;
    }
  if (!self->headers_shown)
    {
      self->headers_shown = TRUE;
      show_headers (self, self->chunk, (gsize) n);
      emit_text (self, POSTACI_EVENT_INFO,
                 _ ("(the message body follows: %" PRId64 " bytes in all)"),
                 (int64_t) self->data_size);
    }
  self->chunk_length = (gsize) n;
  postaci_smtp_link_write_async (self->link, self->chunk, (gsize) n, self->user_cancellable,
                                 data_write_cb, g_object_ref (self));
}

static void
send_data_chunk (PostaciSession *self)
{
  g_input_stream_read_async (self->data_stream, self->chunk, DATA_CHUNK_SIZE, G_PRIORITY_DEFAULT,
                             self->user_cancellable, data_read_cb, g_object_ref (self));
}

static void
handle_data (PostaciSession *self, PostaciReply *reply)
{
  if (reply->code != 354)
    {
      fail_reply (self, reply);
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
      fail_reply (self, reply);
      return;
    }
  end_stage (self, POSTACI_STAGE_STATUS_PASSED);
  if (self->request->size > 0)
    emit_text (self, POSTACI_EVENT_INFO, _ ("The server took a message of %" PRId64 " bytes."),
               (int64_t) self->data_size);
  succeed (self, _ ("The server accepted the message for delivery."));
}

/* ---------------------------------------------------------------- */
/* The rest of a batch after the verdict (RFC 2920 §3.1)            */
/* ---------------------------------------------------------------- */

/* What the command at @index of the batch is, for the catalog's reading of its reply. */
static PostaciCommand
batch_command (PostaciSession *self, guint index)
{
  if (index == 0)
    return POSTACI_COMMAND_MAIL;
  return index <= self->request->recipients->len ? POSTACI_COMMAND_RCPT : POSTACI_COMMAND_DATA;
}

/* The run failed in the middle of the batch: the commands behind the failure are on the wire
 * already, and the server answers each of them. Their replies are read, shown under their
 * commands and explained; the verdict stands as it was given. */
static void
read_batch_rest (PostaciSession *self)
{
  if (self->state != STATE_BATCH_REST)
    emit_text (self, POSTACI_EVENT_INFO,
               _ ("The commands pipelined behind it were sent already; their replies are read "
                  "before QUIT."));
  set_state (self, STATE_BATCH_REST);
  self->command = batch_command (self, self->batch_next);
  show_batched_and_read (self);
}

/* After a verdict that still allows it: the replies still due first, then QUIT. */
static void
quit_politely (PostaciSession *self)
{
  if (batch_pending (self))
    read_batch_rest (self);
  else
    send_quit (self);
}

static void
handle_batch_rest (PostaciSession *self, PostaciReply *reply)
{
  /* "If the DATA command was accepted the client SMTP should send a single dot" (§3.1): the
   * server waits for a message that must not come, and a dot ends it empty. */
  if (self->command == POSTACI_COMMAND_DATA && reply->code == 354)
    {
      emit_text (self, POSTACI_EVENT_WARNING,
                 _ ("The server is ready for the message although the run has failed: a lone "
                    "“.” ends it without any text, as RFC 2920 asks."));
      set_state (self, STATE_DATA_EMPTY);
      send_line (self, ".", NULL);
      return;
    }
  quit_politely (self);
}

static void
handle_data_empty (PostaciSession *self, PostaciReply *reply)
{
  send_quit (self);
}

/* ---------------------------------------------------------------- */
/* QUIT                                                             */
/* ---------------------------------------------------------------- */

static void
send_quit (PostaciSession *self)
{
  begin_stage (self, POSTACI_STAGE_QUIT);
  set_state (self, STATE_QUIT);
  send_line (self, "QUIT", NULL);
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

/* The one place that routes a complete reply to its state's handler. 421 ends the session
 * from any state but the greeting's and QUIT's (RFC 5321 §3.8): no QUIT after it. */
static void
dispatch_reply (PostaciSession *self, PostaciReply *reply)
{
  ReplyHandler handler = states[self->state].handler;

  if (handler == NULL)
    {
      fail_literal (self, POSTACI_SESSION_ERROR_PROTOCOL, FALSE,
                    _ ("The server sent a reply nobody asked for."));
      return;
    }
  if (reply->code == 421 && self->state != STATE_GREETING && self->state != STATE_QUIT)
    {
      fail_refused (self, reply, state_label (self));
      return;
    }
  handler (self, reply);
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
postaci_session_run_async (PostaciSession *self, GCancellable *cancellable,
                           GAsyncReadyCallback callback, gpointer user_data)
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

  g_set_object (&self->user_cancellable, cancellable);

  /* EHLO takes a domain in ASCII (RFC 5321 §4.1.1.1): an internationalised name goes as
   * punycode, an address literal as it is. Validation below refuses a name that has none. */
  if (self->request->ehlo_name != NULL && *self->request->ehlo_name != '\0')
    self->ehlo_name = self->request->ehlo_name[0] == '['
                        ? g_strdup (self->request->ehlo_name)
                        : g_hostname_to_ascii (self->request->ehlo_name);

  /* Nothing is sent when the request is wrong. */
  if (!postaci_session_prepare (self, &error))
    {
      conclude (self);
      self->outcome->verdict = POSTACI_VERDICT_USAGE;
      self->outcome->stage = POSTACI_STAGE_CONNECT;
      self->outcome->error_domain = error->domain;
      self->outcome->error_code = error->code;
      /* Said once, by the Result line and the verdict: nothing else happened. */
      self->outcome->reason = g_strdup (error->message);
      g_error_free (error);
      finish_run (self);
      return;
    }

  if (self->request->accept_invalid_certificate && self->security != POSTACI_SECURITY_NONE)
    emit_text (self, POSTACI_EVENT_WARNING,
               _ ("This run accepts an invalid server certificate, as you asked."));
  if (self->request->auth)
    postaci_redactor_add (self->redactor, self->request->password);
  if (self->request->auth && self->request->allow_plain_auth)
    emit_text (
      self, POSTACI_EVENT_WARNING,
      _ ("Plain-text authentication over an unencrypted connection is allowed for this run."));
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
