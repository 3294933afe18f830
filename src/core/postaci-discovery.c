/* SPDX-License-Identifier: GPL-3.0-or-later */
/* postaci-discovery.c — find the submission server of an address or domain, probe it, recommend.
 *
 * Three phases on the caller's main loop, each waiting for all of its operations: the sources
 * (DNS and HTTPS together, plain HTTP only after them when they named nothing), the probes (all
 * at once), and, with credentials, one login on the recommended endpoint through the session. */
#define G_LOG_DOMAIN "postaci-discovery"

#include "config.h"

#include <string.h>
#include <glib/gi18n-lib.h>

#include "postaci-discovery-private.h"
#include "postaci-discovery-test.h"
#include "postaci-discovery-report.h"
#include "postaci-enum-types.h"
#include "postaci-gnutls.h"
#include "postaci-dns.h"
#include "postaci-recommendation.h"
#include "postaci-session.h"
#include "postaci-transcript.h"

#define DEFAULT_STEP_MS 10000

static const char *const default_https_urls[] = {
  "https://autoconfig.%DOMAIN%/mail/config-v1.1.xml?emailaddress=%ADDRESS%",
  "https://%DOMAIN%/.well-known/autoconfig/mail/config-v1.1.xml", NULL
};
static const char        default_ispdb_url[] = "https://autoconfig.thunderbird.net/v1.1/%DOMAIN%";
static const char *const default_http_urls[] = {
  "http://autoconfig.%DOMAIN%/mail/config-v1.1.xml?emailaddress=%ADDRESS%",
  "http://%DOMAIN%/.well-known/autoconfig/mail/config-v1.1.xml", NULL
};

G_DEFINE_FINAL_TYPE (PostaciDiscovery, postaci_discovery, G_TYPE_OBJECT)

enum
{
  SIGNAL_SOURCE_CHANGED,
  SIGNAL_ENDPOINT_CHANGED,
  N_SIGNALS
};
static guint signals[N_SIGNALS];

/* ---------------------------------------------------------------- */
/* Names and statuses                                               */
/* ---------------------------------------------------------------- */

const char *
postaci_source_type_to_string (PostaciSourceType type)
{
  return postaci_enum_get_nick (POSTACI_TYPE_SOURCE_TYPE, (int) type);
}

const char *
postaci_source_type_get_label (PostaciSourceType type)
{
  switch (type)
    {
    case POSTACI_SOURCE_SRV:
      return _ ("SRV record");
    case POSTACI_SOURCE_AUTOCONFIG:
      return _ ("Autoconfig");
    case POSTACI_SOURCE_ISPDB:
      return _ ("ISPDB");
    case POSTACI_SOURCE_MX:
      return _ ("MX record");
    case POSTACI_SOURCE_GUESS:
      return _ ("Guess");
    case POSTACI_SOURCE_FORM:
    default:
      return _ ("Form");
    }
}

const char *
postaci_source_status_to_string (PostaciSourceStatus status)
{
  return postaci_enum_get_nick (POSTACI_TYPE_SOURCE_STATUS, (int) status);
}

const char *
postaci_discovery_status_to_string (PostaciDiscoveryStatus status)
{
  return postaci_enum_get_nick (POSTACI_TYPE_DISCOVERY_STATUS, (int) status);
}

int
postaci_discovery_status_get_exit_status (PostaciDiscoveryStatus status)
{
  switch (status)
    {
    case POSTACI_DISCOVERY_FOUND:
      return 0;
    case POSTACI_DISCOVERY_NOT_USABLE:
      return 1;
    case POSTACI_DISCOVERY_UNREACHABLE:
      return 3;
    case POSTACI_DISCOVERY_DEADLINE:
      return 4;
    case POSTACI_DISCOVERY_CANCELLED:
    default:
      return 130;
    }
}

void
postaci_recommendation_free (PostaciRecommendation *recommendation)
{
  if (recommendation == NULL)
    return;
  g_free (recommendation->host);
  g_strfreev (recommendation->auth);
  g_free (recommendation->username);
  g_free (recommendation->reason);
  g_free (recommendation->form_advice);
  g_free (recommendation->auth_detail);
  g_free (recommendation);
}

/* ---------------------------------------------------------------- */
/* Object                                                           */
/* ---------------------------------------------------------------- */

static void
postaci_discovery_finalize (GObject *object)
{
  PostaciDiscovery *self = POSTACI_DISCOVERY (object);

  g_free (self->query);
  g_free (self->address);
  g_free (self->domain);
  g_free (self->username);
  if (self->password != NULL)
    memset (self->password, 0, strlen (self->password));
  g_free (self->password);
  g_clear_object (&self->database);
  g_free (self->ca_file);
  g_array_unref (self->ports);
  g_strfreev (self->https_urls);
  g_free (self->ispdb_url);
  g_strfreev (self->http_urls);
  g_free (self->form_host);
  g_ptr_array_unref (self->sources);
  g_ptr_array_unref (self->endpoints);
  g_string_free (self->transcript, TRUE);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->http);
  g_clear_pointer (&self->recommendation, postaci_recommendation_free);
  G_OBJECT_CLASS (postaci_discovery_parent_class)->finalize (object);
}

static void
postaci_discovery_class_init (PostaciDiscoveryClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = postaci_discovery_finalize;

  signals[SIGNAL_SOURCE_CHANGED] =
    g_signal_new ("source-changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                  NULL, G_TYPE_NONE, 1, G_TYPE_POINTER);
  signals[SIGNAL_ENDPOINT_CHANGED] =
    g_signal_new ("endpoint-changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                  NULL, G_TYPE_NONE, 1, G_TYPE_POINTER);
}

static void
postaci_discovery_init (PostaciDiscovery *self)
{
  self->sources = g_ptr_array_new_with_free_func ((GDestroyNotify) _postaci_discovery_source_free);
  self->endpoints =
    g_ptr_array_new_with_free_func ((GDestroyNotify) _postaci_discovery_endpoint_free);
  self->transcript = g_string_new (NULL);
  self->ports = g_array_new (FALSE, FALSE, sizeof (PortSpec));
  self->step_ms = DEFAULT_STEP_MS;
  self->https_urls = g_strdupv ((GStrv) default_https_urls);
  self->ispdb_url = g_strdup (default_ispdb_url);
  self->http_urls = g_strdupv ((GStrv) default_http_urls);
  self->form_security = POSTACI_SECURITY_AUTO;
}

/* Reads an e-mail address, a domain, a host name or an IP address into address and domain. */
static gboolean
parse_query (PostaciDiscovery *self, const char *query, GError **error)
{
  g_autofree char *text = g_strstrip (g_strdup (query));
  g_autofree char *host = NULL;
  g_autofree char *ascii = NULL;
  const char      *at = strrchr (text, '@');

  if (*text == '\0')
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                           _ ("Give an e-mail address, a domain or a server name to look up."));
      return FALSE;
    }
  for (const char *p = text; *p != '\0'; p++)
    if (g_ascii_iscntrl (*p) || *p == ' ')
      goto invalid;
  if (at != NULL)
    {
      if (at == text || at[1] == '\0')
        goto invalid;
      host = g_strdup (at + 1);
    }
  else if (text[0] == '[' && text[strlen (text) - 1] == ']')
    host = g_strndup (text + 1, strlen (text) - 2);
  else
    host = g_strdup (text);

  if (g_hostname_is_ip_address (host))
    {
      if (at != NULL)
        goto invalid;
      self->literal = TRUE;
      self->domain = g_steal_pointer (&host);
      return TRUE;
    }
  ascii = g_hostname_to_ascii (host);
  if (ascii == NULL || !postaci_dns_is_host_name (ascii) || strchr (ascii, '.') == NULL)
    goto invalid;
  if (ascii[strlen (ascii) - 1] == '.')
    ascii[strlen (ascii) - 1] = '\0';
  self->domain = g_ascii_strdown (ascii, -1);
  if (at != NULL)
    self->address = g_strdup (text);
  return TRUE;

invalid:
  g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
               _ ("“%s” is not an e-mail address, a domain or a server name."), text);
  return FALSE;
}

PostaciDiscovery *
postaci_discovery_new (const char *query, GError **error)
{
  g_autoptr(PostaciDiscovery) self = g_object_new (POSTACI_TYPE_DISCOVERY, NULL);
  const char *ports = g_getenv ("POSTACI_DISCOVERY_PORTS");

  g_return_val_if_fail (query != NULL, NULL);

  if (!parse_query (self, query, error))
    return NULL;
  self->query = g_strdup (query);
  /* For tests only (documented in README): they cannot bind 465, 587 or 25. */
  if (ports == NULL || *ports == '\0')
    ports = "465/tls,587,25";
  if (!postaci_discovery_set_ports (self, ports, error))
    return NULL;
  return g_steal_pointer (&self);
}

const char *
postaci_discovery_get_domain (PostaciDiscovery *self)
{
  g_return_val_if_fail (POSTACI_IS_DISCOVERY (self), NULL);
  return self->domain;
}

void
postaci_discovery_set_credentials (PostaciDiscovery *self, const char *username,
                                   const char *password)
{
  g_return_if_fail (POSTACI_IS_DISCOVERY (self));

  g_free (self->username);
  self->username = g_strdup (username);
  if (self->password != NULL)
    memset (self->password, 0, strlen (self->password));
  g_free (self->password);
  self->password = g_strdup (password);
}

gboolean
postaci_discovery_set_ca_file (PostaciDiscovery *self, const char *path, GError **error)
{
  g_autoptr(GTlsDatabase) database = NULL;

  g_return_val_if_fail (POSTACI_IS_DISCOVERY (self), FALSE);

  if (path == NULL)
    {
      g_clear_object (&self->database);
      g_clear_pointer (&self->ca_file, g_free);
      return TRUE;
    }
  postaci_gnutls_hold ();
  database = g_tls_file_database_new (path, error);
  if (database == NULL)
    return FALSE;
  g_set_object (&self->database, database);
  g_free (self->ca_file);
  self->ca_file = g_strdup (path);
  return TRUE;
}

void
postaci_discovery_set_timeouts (PostaciDiscovery *self, guint step_ms, guint deadline_ms)
{
  g_return_if_fail (POSTACI_IS_DISCOVERY (self));

  self->step_ms = step_ms > 0 ? step_ms : DEFAULT_STEP_MS;
  self->deadline_ms = deadline_ms;
}

gboolean
postaci_discovery_set_ports (PostaciDiscovery *self, const char *spec, GError **error)
{
  g_auto(GStrv) items = NULL;
  g_autoptr(GArray) ports = g_array_new (FALSE, FALSE, sizeof (PortSpec));

  g_return_val_if_fail (POSTACI_IS_DISCOVERY (self), FALSE);
  g_return_val_if_fail (spec != NULL, FALSE);

  items = g_strsplit (spec, ",", -1);
  for (guint i = 0; items[i] != NULL; i++)
    {
      PortSpec port = { 0, POSTACI_PROBE_START_PLAIN };
      char    *item = g_strstrip (items[i]);
      char    *slash = strchr (item, '/');
      guint64  number;

      if (slash != NULL)
        {
          *slash = '\0';
          if (!g_str_equal (slash + 1, "tls"))
            goto invalid;
          port.start = POSTACI_PROBE_START_TLS;
        }
      if (!g_ascii_string_to_unsigned (item, 10, 1, 65535, &number, NULL))
        goto invalid;
      port.port = (guint16) number;
      g_array_append_val (ports, port);
    }
  if (ports->len == 0)
    goto invalid;
  g_array_unref (self->ports);
  self->ports = g_steal_pointer (&ports);
  return TRUE;

invalid:
  g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
               _ ("“%s” is not a port list such as 465/tls,587,25."), spec);
  return FALSE;
}

void
postaci_discovery_set_urls (PostaciDiscovery *self, const char *const *https, const char *ispdb,
                            const char *const *http)
{
  g_return_if_fail (POSTACI_IS_DISCOVERY (self));

  if (https != NULL)
    {
      g_strfreev (self->https_urls);
      self->https_urls = g_strdupv ((GStrv) https);
    }
  if (ispdb != NULL)
    {
      g_free (self->ispdb_url);
      self->ispdb_url = g_strdup (ispdb);
    }
  if (http != NULL)
    {
      g_strfreev (self->http_urls);
      self->http_urls = g_strdupv ((GStrv) http);
    }
}

void
postaci_discovery_set_form (PostaciDiscovery *self, const char *host, guint port,
                            PostaciSecurity security)
{
  g_return_if_fail (POSTACI_IS_DISCOVERY (self));

  g_free (self->form_host);
  self->form_host = host != NULL && *host != '\0' ? g_strdup (host) : NULL;
  self->form_port = port;
  self->form_security = security;
}

GPtrArray *
postaci_discovery_get_sources (PostaciDiscovery *self)
{
  /* The public part is the first member of each Source: the array reads as it is. */
  G_STATIC_ASSERT (G_STRUCT_OFFSET (Source, public) == 0);
  g_return_val_if_fail (POSTACI_IS_DISCOVERY (self), NULL);
  return self->sources;
}

GPtrArray *
postaci_discovery_get_endpoints (PostaciDiscovery *self)
{
  g_return_val_if_fail (POSTACI_IS_DISCOVERY (self), NULL);
  return self->endpoints;
}

char *
postaci_discovery_get_transcript (PostaciDiscovery *self)
{
  g_return_val_if_fail (POSTACI_IS_DISCOVERY (self), NULL);
  return g_strdup (self->transcript->str);
}

/* A line of the transcript. */
void
_postaci_discovery_log_line (PostaciDiscovery *self, const char *format, ...)
{
  va_list args;

  va_start (args, format);
  g_string_append_vprintf (self->transcript, format, args);
  g_string_append_c (self->transcript, '\n');
  va_end (args);
}

void
_postaci_discovery_emit_source_changed (PostaciDiscovery *self, PostaciDiscoverySource *source)
{
  g_signal_emit (self, signals[SIGNAL_SOURCE_CHANGED], 0, source);
}

/* Ends one operation of the current phase; the last one moves on. */
void
_postaci_discovery_operation_done (PostaciDiscovery *self)
{
  g_assert (self->pending > 0);
  if (--self->pending == 0)
    _postaci_discovery_next_phase (self);
}

/* ---------------------------------------------------------------- */
/* Probes                                                           */
/* ---------------------------------------------------------------- */

typedef struct
{
  PostaciDiscovery *self;
  PostaciEndpoint  *endpoint;
} ProbeCall;

static void
probe_cb (GObject *object, GAsyncResult *result, gpointer user_data)
{
  ProbeCall        *call = user_data;
  PostaciDiscovery *self = call->self;
  PostaciEndpoint  *endpoint = call->endpoint;
  g_autoptr(GError) error = NULL;

  g_free (call);
  endpoint->running = FALSE;
  endpoint->result = postaci_probe_run_finish (result, &error);
  if (endpoint->result != NULL)
    {
      /* Translators: a transcript heading: host, port, and how the probe began */
      _postaci_discovery_log_line (self, "\n[%s:%u, %s]", endpoint->host, endpoint->port,
                                   endpoint->start == POSTACI_PROBE_START_TLS
                                     ? _ ("TLS from the first byte")
                                     : _ ("plain text first"));
      g_string_append (self->transcript, endpoint->result->transcript);
    }
  g_signal_emit (self, signals[SIGNAL_ENDPOINT_CHANGED], 0, endpoint);
  _postaci_discovery_operation_done (self);
  g_object_unref (self);
}

static void
start_probes (PostaciDiscovery *self)
{
  self->phase = PHASE_PROBES;
  _postaci_discovery_build_candidates (self);
  for (guint i = 0; i < self->endpoints->len; i++)
    {
      PostaciEndpoint *endpoint = g_ptr_array_index (self->endpoints, i);
      ProbeCall       *call = g_new0 (ProbeCall, 1);

      call->self = g_object_ref (self);
      call->endpoint = endpoint;
      endpoint->running = TRUE;
      self->pending++;
      g_signal_emit (self, signals[SIGNAL_ENDPOINT_CHANGED], 0, endpoint);
      postaci_probe_run_async (endpoint->host, endpoint->port, endpoint->start, self->step_ms,
                               self->ca_file, self->cancellable, probe_cb, call);
    }
}

/* ---------------------------------------------------------------- */
/* The recommendation                                               */
/* ---------------------------------------------------------------- */

static void
recommend (PostaciDiscovery *self)
{
  PostaciRecommendation *rec = g_new0 (PostaciRecommendation, 1);
  const PostaciEndpoint *chosen = postaci_recommendation_choose (self->endpoints, TRUE);

  self->recommendation = rec;
  self->chosen = chosen;
  if (chosen != NULL)
    {
      rec->status = POSTACI_DISCOVERY_FOUND;
      rec->host = g_strdup (chosen->host);
      rec->port = chosen->port;
      rec->security = postaci_probe_result_get_security (chosen->result);
      rec->auth = g_strdupv (chosen->result->auth_after);
      /* Only what the user gave or a document said: a tester does not guess a login. */
      rec->username = g_strdup (self->username ? self->username : chosen->username);
      rec->reason = rec->security == POSTACI_SECURITY_TLS
                      ? g_strdup_printf (
                          _ ("%s port %u speaks TLS from the first byte, its certificate is valid "
                             "and it offers login: implicit TLS is preferred (RFC 8314)."),
                          rec->host, rec->port)
                      : g_strdup_printf (
                          _ ("%s port %u offers STARTTLS, its certificate is valid and it offers "
                             "login inside TLS."),
                          rec->host, rec->port);
      return;
    }

  chosen = postaci_recommendation_choose (self->endpoints, FALSE);
  if (chosen != NULL)
    {
      g_autofree char *problem = postaci_endpoint_describe_problem (chosen);

      rec->status = POSTACI_DISCOVERY_NOT_USABLE;
      /* Translators: “Servers answered, but none is usable. The best, smtp.example.com port
       * 465: It needs a certificate exception: …” */
      rec->reason = g_strdup_printf (_ ("Servers answered, but none is usable. The best, %s port "
                                        "%u: %s"),
                                     chosen->host, chosen->port, problem);
      return;
    }
  rec->status = POSTACI_DISCOVERY_UNREACHABLE;
  rec->reason =
    g_strdup (self->endpoints->len == 0 ? _ ("No candidate server was found.")
                                        : _ ("No candidate server answered on any port."));
}

static void
confirm_cb (GObject *object, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(PostaciDiscovery) self = user_data;
  g_autoptr(PostaciOutcome) outcome =
               postaci_session_run_finish (POSTACI_SESSION (object), result);
  PostaciRecommendation *rec = self->recommendation;
  g_autofree char *verdict = postaci_transcript_format_outcome (outcome, POSTACI_TRANSCRIPT_TEXT);

  g_string_append (self->transcript, verdict);
  rec->auth_confirmed = outcome->verdict == POSTACI_VERDICT_SUCCESS && outcome->authenticated;
  if (rec->auth_confirmed)
    rec->auth_detail = g_strdup (_ ("The login with your user name and password worked."));
  else
    {
      rec->status = POSTACI_DISCOVERY_NOT_USABLE;
      /* Translators: the session's reason follows, then its explanation */
      rec->auth_detail = g_strdup_printf (_ ("The login did not work: %s %s"),
                                          outcome->reason ? outcome->reason : "",
                                          outcome->explanation ? outcome->explanation : "");
    }
  _postaci_discovery_operation_done (self);
}

static void
session_event_cb (PostaciSession *session, const PostaciEvent *event, gpointer user_data)
{
  PostaciDiscovery *self = user_data;
  g_autofree char  *text = postaci_transcript_format_event (event, POSTACI_TRANSCRIPT_TEXT);

  g_string_append (self->transcript, text);
}

/* The one login: the recommended endpoint only, over TLS with a valid certificate only. */
static gboolean
start_confirm (PostaciDiscovery *self)
{
  g_autoptr(PostaciRequest) request = NULL;
  g_autoptr(PostaciSession) session = NULL;
  PostaciRecommendation *rec = self->recommendation;

  self->phase = PHASE_CONFIRM;
  if (self->username == NULL || self->password == NULL || self->chosen == NULL ||
      !postaci_probe_result_get_tls_valid (self->chosen->result))
    return FALSE;
  request = postaci_request_new ();
  request->server = g_strdup (rec->host);
  request->port = rec->port;
  request->security =
    rec->security == POSTACI_SECURITY_TLS ? POSTACI_SECURITY_TLS : POSTACI_SECURITY_STARTTLS;
  request->auth = TRUE;
  request->username = g_strdup (self->username);
  postaci_request_set_password (request, self->password);
  request->stop_after = POSTACI_STAGE_AUTH;
  request->timeout_seconds = MAX (1, (self->step_ms + 999) / 1000);
  request->ca_file = g_strdup (self->ca_file);
  rec->auth_tried = TRUE;
  _postaci_discovery_log_line (self, "\n[%s:%u, %s]", rec->host, rec->port,
                               _ ("login with your credentials"));
  session = postaci_session_new (request);
  g_signal_connect_object (session, "event", G_CALLBACK (session_event_cb), self, 0);
  self->pending++;
  postaci_session_run_async (session, self->cancellable, confirm_cb, g_object_ref (self));
  return TRUE;
}

/* ---------------------------------------------------------------- */
/* Running                                                          */
/* ---------------------------------------------------------------- */

static void
complete (PostaciDiscovery *self)
{
  g_autoptr(GTask) task = g_steal_pointer (&self->task);
  GCancellable          *user = g_task_get_cancellable (task);
  PostaciRecommendation *rec;

  self->phase = PHASE_DONE;
  g_clear_handle_id (&self->deadline_id, g_source_remove);
  if (self->user_cancel_id != 0)
    g_cancellable_disconnect (user, self->user_cancel_id);
  self->user_cancel_id = 0;
  g_clear_object (&self->http);

  if (self->recommendation == NULL)
    recommend (self);
  rec = self->recommendation;
  if (user != NULL && g_cancellable_is_cancelled (user))
    {
      rec->status = POSTACI_DISCOVERY_CANCELLED;
      g_free (rec->reason);
      rec->reason = g_strdup (_ ("The search was cancelled."));
    }
  else if (self->deadline_passed)
    {
      guint seconds = (self->deadline_ms + 999) / 1000;

      rec->status = POSTACI_DISCOVERY_DEADLINE;
      g_free (rec->reason);
      rec->reason = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                                  "The overall deadline of %u second passed; "
                                                  "what was found so far is shown.",
                                                  "The overall deadline of %u seconds passed; "
                                                  "what was found so far is shown.",
                                                  seconds),
                                     seconds);
    }
  else if (self->form_host != NULL)
    rec->form_advice = postaci_recommendation_judge_form (self->endpoints, self->form_host,
                                                          self->form_port, self->form_security);
  _postaci_discovery_log_line (self, "\n= %s", rec->reason);
  if (rec->auth_detail != NULL)
    _postaci_discovery_log_line (self, "= %s", rec->auth_detail);
  if (rec->form_advice != NULL)
    _postaci_discovery_log_line (self, "= %s", rec->form_advice);
  g_task_return_pointer (task, g_steal_pointer (&self->recommendation),
                         (GDestroyNotify) postaci_recommendation_free);
}

static gboolean
stopped (PostaciDiscovery *self)
{
  return g_cancellable_is_cancelled (self->cancellable);
}

void
_postaci_discovery_next_phase (PostaciDiscovery *self)
{
  g_assert (self->pending == 0);

  switch (self->phase)
    {
    case PHASE_SOURCES:
      if (!stopped (self) && !self->literal && _postaci_discovery_start_plain_http (self))
        return;
      G_GNUC_FALLTHROUGH;
    case PHASE_PLAIN_HTTP:
      if (!stopped (self))
        {
          start_probes (self);
          if (self->pending > 0)
            return;
        }
      G_GNUC_FALLTHROUGH;
    case PHASE_PROBES:
      recommend (self);
      if (!stopped (self) && start_confirm (self))
        return;
      G_GNUC_FALLTHROUGH;
    case PHASE_CONFIRM:
      complete (self);
      return;
    case PHASE_IDLE:
    case PHASE_DONE:
    default:
      g_assert_not_reached ();
    }
}

static gboolean
deadline_cb (gpointer user_data)
{
  PostaciDiscovery *self = user_data;

  self->deadline_id = 0;
  self->deadline_passed = TRUE;
  _postaci_discovery_log_line (self, "! %s",
                               _ ("The overall deadline passed: stopping everything under way."));
  g_cancellable_cancel (self->cancellable);
  return G_SOURCE_REMOVE;
}

static void
user_cancelled_cb (GCancellable *cancellable, gpointer user_data)
{
  PostaciDiscovery *self = user_data;

  g_cancellable_cancel (self->cancellable);
}

void
postaci_discovery_run_async (PostaciDiscovery *self, GCancellable *cancellable,
                             GAsyncReadyCallback callback, gpointer user_data)
{
  g_return_if_fail (POSTACI_IS_DISCOVERY (self));
  g_return_if_fail (self->phase == PHASE_IDLE);

  self->task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (self->task, postaci_discovery_run_async);
  self->cancellable = g_cancellable_new ();
  if (cancellable != NULL)
    self->user_cancel_id =
      g_cancellable_connect (cancellable, G_CALLBACK (user_cancelled_cb), self, NULL);
  if (self->deadline_ms == 0)
    self->deadline_ms = 3 * self->step_ms;
  self->deadline_id = g_timeout_add (self->deadline_ms, deadline_cb, self);
  _postaci_discovery_log_line (self, _ ("Looking for the submission server of %s."), self->query);
  _postaci_discovery_start_sources (self);
}

PostaciRecommendation *
postaci_discovery_run_finish (PostaciDiscovery *self, GAsyncResult *result)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), NULL);
}
