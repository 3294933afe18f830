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

#include "postaci-autoconfig.h"
#include "postaci-discovery.h"
#include "postaci-discovery-report.h"
#include "postaci-enum-types.h"
#include "postaci-dns.h"
#include "postaci-recommendation.h"
#include "postaci-session.h"
#include "postaci-soup.h"
#include "postaci-transcript.h"

#define DEFAULT_STEP_MS     10000
/* Candidate hosts beyond this come from records nobody should trust that far. */
#define MAX_HOSTS           10
#define MAX_MX_HOSTS        3

static const char *const default_https_urls[] = {
  "https://autoconfig.%DOMAIN%/mail/config-v1.1.xml?emailaddress=%ADDRESS%",
  "https://%DOMAIN%/.well-known/autoconfig/mail/config-v1.1.xml",
  NULL
};
static const char default_ispdb_url[] = "https://autoconfig.thunderbird.net/v1.1/%DOMAIN%";
static const char *const default_http_urls[] = {
  "http://autoconfig.%DOMAIN%/mail/config-v1.1.xml?emailaddress=%ADDRESS%",
  "http://%DOMAIN%/.well-known/autoconfig/mail/config-v1.1.xml",
  NULL
};

typedef struct {
  guint16           port;
  PostaciProbeStart start;
} PortSpec;

typedef enum {
  PHASE_IDLE,
  PHASE_SOURCES,
  PHASE_PLAIN_HTTP,
  PHASE_PROBES,
  PHASE_CONFIRM,
  PHASE_DONE,
} Phase;

/* A source and what it named, kept beside the public struct. */
typedef struct {
  PostaciDiscoverySource  public;
  GPtrArray              *srv;        /* PostaciSrvRecord */
  gboolean                srv_tls;    /* _submissions: TLS from the first byte */
  GPtrArray              *servers;    /* PostaciAutoconfigServer */
  GPtrArray              *mx;         /* PostaciMxRecord */
} Source;

struct _PostaciDiscovery {
  GObject          parent_instance;

  char            *query;
  char            *address;       /* NULL unless the query was an e-mail address */
  char            *domain;        /* ASCII, lower case, no final dot */
  gboolean         literal;       /* the query is an IP address */
  char            *username;
  char            *password;
  GTlsDatabase    *database;
  char            *ca_file;
  guint            step_ms;
  guint            deadline_ms;
  GArray          *ports;         /* PortSpec */
  GStrv            https_urls;
  char            *ispdb_url;
  GStrv            http_urls;
  char            *form_host;
  guint            form_port;
  PostaciSecurity  form_security;

  GPtrArray       *sources;       /* Source */
  GPtrArray       *endpoints;     /* PostaciEndpoint */
  GString         *transcript;

  GTask           *task;
  Phase            phase;
  guint            pending;
  GCancellable    *cancellable;   /* ours: cancelled by the caller's or by the deadline */
  gulong           user_cancel_id;
  guint            deadline_id;
  gboolean         deadline_passed;
  SoupSession     *http;
  const PostaciEndpoint *chosen;
  PostaciRecommendation *recommendation;
};

G_DEFINE_FINAL_TYPE (PostaciDiscovery, postaci_discovery, G_TYPE_OBJECT)

enum {
  SIGNAL_SOURCE_CHANGED,
  SIGNAL_ENDPOINT_CHANGED,
  N_SIGNALS
};
static guint signals[N_SIGNALS];

static void source_free (Source *source);
static void endpoint_free (PostaciEndpoint *endpoint);
static void next_phase (PostaciDiscovery *self);

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
      return _("SRV record");
    case POSTACI_SOURCE_AUTOCONFIG:
      return _("Autoconfig");
    case POSTACI_SOURCE_ISPDB:
      return _("ISPDB");
    case POSTACI_SOURCE_MX:
      return _("MX record");
    case POSTACI_SOURCE_GUESS:
      return _("Guess");
    case POSTACI_SOURCE_FORM:
    default:
      return _("Form");
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
  self->sources = g_ptr_array_new_with_free_func ((GDestroyNotify) source_free);
  self->endpoints = g_ptr_array_new_with_free_func ((GDestroyNotify) endpoint_free);
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
  const char *at = strrchr (text, '@');

  if (*text == '\0')
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                           _("Give an e-mail address, a domain or a server name to look up."));
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
               _("“%s” is not an e-mail address, a domain or a server name."), text);
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
postaci_discovery_set_credentials (PostaciDiscovery *self,
                                   const char       *username,
                                   const char       *password)
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
      char *item = g_strstrip (items[i]);
      char *slash = strchr (item, '/');
      guint64 number;

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
               _("“%s” is not a port list such as 465/tls,587,25."), spec);
  return FALSE;
}

void
postaci_discovery_set_urls (PostaciDiscovery  *self,
                            const char *const *https,
                            const char        *ispdb,
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
postaci_discovery_set_form (PostaciDiscovery *self,
                            const char       *host,
                            guint             port,
                            PostaciSecurity   security)
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

static void
log_line (PostaciDiscovery *self, const char *format, ...) G_GNUC_PRINTF (2, 3);

static void
log_line (PostaciDiscovery *self, const char *format, ...)
{
  va_list args;

  va_start (args, format);
  g_string_append_vprintf (self->transcript, format, args);
  g_string_append_c (self->transcript, '\n');
  va_end (args);
}

/* ---------------------------------------------------------------- */
/* Sources                                                          */
/* ---------------------------------------------------------------- */

static void
source_free (Source *source)
{
  g_free (source->public.name);
  g_free (source->public.detail);
  g_ptr_array_unref (source->public.found);
  g_clear_pointer (&source->srv, g_ptr_array_unref);
  g_clear_pointer (&source->servers, g_ptr_array_unref);
  g_clear_pointer (&source->mx, g_ptr_array_unref);
  g_free (source);
}

static Source *
add_source (PostaciDiscovery *self, PostaciSourceType type, const char *name, gboolean verified)
{
  Source *source = g_new0 (Source, 1);

  source->public.type = type;
  source->public.name = g_strdup (name);
  source->public.status = POSTACI_SOURCE_RUNNING;
  source->public.verified = verified;
  source->public.found = g_ptr_array_new_with_free_func (g_free);
  g_ptr_array_add (self->sources, source);
  g_signal_emit (self, signals[SIGNAL_SOURCE_CHANGED], 0, &source->public);
  return source;
}

static void
settle_source (PostaciDiscovery *self, Source *source, PostaciSourceStatus status, char *detail)
{
  source->public.status = status;
  g_free (source->public.detail);
  source->public.detail = detail;
  /* Translators: a transcript line: source label, what was asked, and the finding */
  log_line (self, "* %s %s: %s", postaci_source_type_get_label (source->public.type),
            source->public.name, detail ? detail : "");
  g_signal_emit (self, signals[SIGNAL_SOURCE_CHANGED], 0, &source->public);
}

/* The words for a lookup that ended in an error: the deadline and the caller are ours. */
static char *
describe_failure (PostaciDiscovery *self, const GError *error)
{
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return g_strdup (self->deadline_passed ? _("Cut short by the overall deadline.")
                                           : _("Cancelled."));
  return g_strdup (error->message);
}

typedef struct {
  PostaciDiscovery *self;
  Source           *source;
} SourceCall;

static SourceCall *
source_call_new (PostaciDiscovery *self, Source *source)
{
  SourceCall *call = g_new0 (SourceCall, 1);

  call->self = g_object_ref (self);
  call->source = source;
  self->pending++;
  return call;
}

/* Ends one operation of the current phase; the last one moves on. */
static void
operation_done (PostaciDiscovery *self)
{
  g_assert (self->pending > 0);
  if (--self->pending == 0)
    next_phase (self);
}

static void
source_call_done (SourceCall *call)
{
  PostaciDiscovery *self = call->self;

  g_free (call);
  operation_done (self);
  g_object_unref (self);
}

static void
srv_cb (GObject *object, GAsyncResult *result, gpointer user_data)
{
  SourceCall *call = user_data;
  PostaciDiscovery *self = call->self;
  Source *source = call->source;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) records = postaci_dns_lookup_srv_finish (result, &error);
  g_autoptr(GPtrArray) parts = g_ptr_array_new_with_free_func (g_free);
  guint services = 0;
  gboolean root = FALSE;

  if (records == NULL)
    {
      if (g_error_matches (error, G_RESOLVER_ERROR, G_RESOLVER_ERROR_NOT_FOUND))
        settle_source (self, source, POSTACI_SOURCE_NONE, g_strdup (_("No such record.")));
      else
        settle_source (self, source, POSTACI_SOURCE_FAILED, describe_failure (self, error));
      source_call_done (call);
      return;
    }
  for (guint i = 0; i < records->len; i++)
    {
      PostaciSrvRecord *record = g_ptr_array_index (records, i);

      root = root || postaci_dns_is_root (record->target);
      if (postaci_dns_is_root (record->target) || !postaci_dns_is_host_name (record->target))
        continue;
      services++;
      g_ptr_array_add (source->public.found,
                       g_strdup_printf ("%s:%u", record->target, record->port));
      /* Translators: one SRV record: host, port, priority and weight */
      g_ptr_array_add (parts, g_strdup_printf (_("%s port %u (priority %u, weight %u)"),
                                               record->target, record->port, record->priority,
                                               record->weight));
    }
  source->srv = g_steal_pointer (&records);
  if (services == 0)
    {
      if (root)
        settle_source (self, source, POSTACI_SOURCE_NO_SERVICE,
                       g_strdup (_("The target is “.”: the domain says this service is not "
                                   "offered here.")));
      else
        settle_source (self, source, POSTACI_SOURCE_FAILED,
                       g_strdup (_("The records name no valid host.")));
      source_call_done (call);
      return;
    }
  g_ptr_array_add (parts, NULL);
  settle_source (self, source, POSTACI_SOURCE_FOUND, g_strjoinv ("; ", (GStrv) parts->pdata));
  source_call_done (call);
}

static void
mx_cb (GObject *object, GAsyncResult *result, gpointer user_data)
{
  SourceCall *call = user_data;
  PostaciDiscovery *self = call->self;
  Source *source = call->source;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) records = postaci_dns_lookup_mx_finish (result, &error);
  g_autoptr(GString) detail = g_string_new (NULL);

  if (records == NULL)
    {
      if (g_error_matches (error, G_RESOLVER_ERROR, G_RESOLVER_ERROR_NOT_FOUND))
        settle_source (self, source, POSTACI_SOURCE_NONE, g_strdup (_("No such record.")));
      else
        settle_source (self, source, POSTACI_SOURCE_FAILED, describe_failure (self, error));
      source_call_done (call);
      return;
    }
  if (records->len == 1 && postaci_dns_is_root (((PostaciMxRecord *) records->pdata[0])->exchange))
    {
      settle_source (self, source, POSTACI_SOURCE_NO_SERVICE,
                     g_strdup (_("A null MX: the domain accepts no mail at all (RFC 7505).")));
      source_call_done (call);
      return;
    }
  for (guint i = 0; i < records->len; i++)
    {
      PostaciMxRecord *record = g_ptr_array_index (records, i);

      if (!postaci_dns_is_host_name (record->exchange) || postaci_dns_is_root (record->exchange))
        continue;
      g_ptr_array_add (source->public.found, g_strdup_printf ("%s:25", record->exchange));
      /* Translators: one MX record: host and preference */
      g_string_append_printf (detail, _("%s (preference %u); "), record->exchange,
                              record->preference);
    }
  g_string_append (detail, _("MX hosts take mail for the domain from other servers on port 25; "
                             "they rarely accept a mail program's login."));
  source->mx = g_steal_pointer (&records);
  settle_source (self, source, POSTACI_SOURCE_FOUND, g_string_free (g_steal_pointer (&detail), FALSE));
  source_call_done (call);
}

static void
autoconfig_cb (GObject *object, GAsyncResult *result, gpointer user_data)
{
  SourceCall *call = user_data;
  PostaciDiscovery *self = call->self;
  Source *source = call->source;
  g_autoptr(GError) error = NULL;
  g_autofree char *final_url = NULL;
  g_autoptr(GPtrArray) servers = postaci_autoconfig_fetch_finish (result, &final_url, &error);
  g_autoptr(GPtrArray) parts = g_ptr_array_new_with_free_func (g_free);

  if (servers == NULL)
    {
      if (g_error_matches (error, POSTACI_AUTOCONFIG_ERROR, POSTACI_AUTOCONFIG_ERROR_NOT_FOUND))
        settle_source (self, source, POSTACI_SOURCE_NONE, g_strdup (error->message));
      else
        settle_source (self, source, POSTACI_SOURCE_FAILED, describe_failure (self, error));
      source_call_done (call);
      return;
    }
  /* A redirect from HTTPS to plain HTTP loses the proof of where the document came from. */
  if (source->public.verified && !g_str_has_prefix (final_url, "https:"))
    source->public.verified = FALSE;
  if (!source->public.verified)
    g_ptr_array_add (parts, g_strdup (_("Fetched over plain HTTP: unverified, anyone on the way "
                                        "could have changed it.")));
  for (guint i = 0; i < servers->len; i++)
    {
      PostaciAutoconfigServer *server = g_ptr_array_index (servers, i);

      g_ptr_array_add (source->public.found, g_strdup_printf ("%s:%u", server->hostname,
                                                              server->port));
      /* Translators: one server from an autoconfig document: host, port, security */
      g_ptr_array_add (parts, g_strdup_printf (_("%s port %u (%s)"), server->hostname,
                                               server->port, postaci_discovery_security_label (server->security)));
    }
  source->servers = g_steal_pointer (&servers);
  g_ptr_array_add (parts, NULL);
  settle_source (self, source, POSTACI_SOURCE_FOUND, g_strjoinv ("; ", (GStrv) parts->pdata));
  source_call_done (call);
}

static char *
expand_url (PostaciDiscovery *self, const char *template)
{
  g_autofree char *address = g_uri_escape_string (self->address ? self->address : "", NULL, FALSE);
  GString *url = g_string_new (template);

  g_string_replace (url, "%DOMAIN%", self->domain, 0);
  g_string_replace (url, "%ADDRESS%", address, 0);
  return g_string_free (url, FALSE);
}

static void
fetch (PostaciDiscovery *self, PostaciSourceType type, const char *template)
{
  g_autofree char *url = expand_url (self, template);
  Source *source = add_source (self, type, url, g_str_has_prefix (url, "https:"));

  postaci_autoconfig_fetch_async (self->http, url, self->step_ms, self->address, self->domain,
                                  self->cancellable, autoconfig_cb,
                                  source_call_new (self, source));
}

static void
start_sources (PostaciDiscovery *self)
{
  guint seconds = MAX (1, (self->step_ms + 999) / 1000);
  g_autoptr(GResolver) resolver = g_resolver_get_default ();
  const PostaciSoup *soup;
  static const struct { const char *service; gboolean tls; } services[] = {
    { "submissions", TRUE }, { "submission", FALSE },
  };

  self->phase = PHASE_SOURCES;
  if (self->literal)
    {
      /* An address has no records to ask: it is the only candidate. */
      next_phase (self);
      return;
    }
  /* No cookie jar is added: nothing is remembered between fetches or runs. */
  /* Every fetch at once (libsoup queues more than two per host by default, and a queued
   * fetch would spend its deadline waiting). */
  /* Without libsoup each fetch fails and says why, and the other sources go on. */
  soup = postaci_soup_get (NULL);
  if (soup != NULL)
    self->http = soup->session_new_with_options ("timeout", seconds, "idle-timeout", seconds,
                                                 "max-conns-per-host", 8,
                                                 "user-agent", "Postaci/" PACKAGE_VERSION, NULL);
  if (self->http != NULL && self->database != NULL)
    soup->session_set_tls_database (self->http, self->database);

  for (guint i = 0; i < G_N_ELEMENTS (services); i++)
    {
      g_autofree char *name = g_strdup_printf ("_%s._tcp.%s", services[i].service, self->domain);
      Source *source = add_source (self, POSTACI_SOURCE_SRV, name, TRUE);

      source->srv_tls = services[i].tls;
      postaci_dns_lookup_srv_async (resolver, services[i].service, self->domain,
                                    self->cancellable, srv_cb, source_call_new (self, source));
    }
  for (guint i = 0; self->https_urls[i] != NULL; i++)
    fetch (self, POSTACI_SOURCE_AUTOCONFIG, self->https_urls[i]);
  if (*self->ispdb_url != '\0')
    fetch (self, POSTACI_SOURCE_ISPDB, self->ispdb_url);
  {
    Source *source = add_source (self, POSTACI_SOURCE_MX, self->domain, TRUE);

    postaci_dns_lookup_mx_async (resolver, self->domain, self->cancellable, mx_cb,
                                 source_call_new (self, source));
  }
}

static gboolean
named_servers (PostaciDiscovery *self, gboolean autoconfig_only)
{
  for (guint i = 0; i < self->sources->len; i++)
    {
      Source *source = g_ptr_array_index (self->sources, i);

      if (source->public.status != POSTACI_SOURCE_FOUND)
        continue;
      if (source->servers != NULL || (!autoconfig_only && source->public.type == POSTACI_SOURCE_SRV))
        return TRUE;
    }
  return FALSE;
}

/* Plain HTTP, the last resort: only when no HTTPS document named a server. */
static gboolean
start_plain_http (PostaciDiscovery *self)
{
  gboolean started = FALSE;

  self->phase = PHASE_PLAIN_HTTP;
  for (guint i = 0; self->http_urls[i] != NULL; i++)
    {
      if (named_servers (self, TRUE))
        {
          g_autofree char *url = expand_url (self, self->http_urls[i]);
          Source *source = add_source (self, POSTACI_SOURCE_AUTOCONFIG, url, FALSE);

          settle_source (self, source, POSTACI_SOURCE_SKIPPED,
                         g_strdup (_("Not asked: a document fetched over HTTPS already answered.")));
          continue;
        }
      fetch (self, POSTACI_SOURCE_AUTOCONFIG, self->http_urls[i]);
      started = TRUE;
    }
  return started;
}

/* ---------------------------------------------------------------- */
/* Candidates                                                       */
/* ---------------------------------------------------------------- */

static void
endpoint_free (PostaciEndpoint *endpoint)
{
  g_free (endpoint->host);
  g_free (endpoint->username);
  g_clear_pointer (&endpoint->result, postaci_probe_result_free);
  g_free (endpoint);
}

static guint
count_hosts (PostaciDiscovery *self)
{
  g_autoptr(GHashTable) hosts = g_hash_table_new (g_str_hash, g_str_equal);

  for (guint i = 0; i < self->endpoints->len; i++)
    g_hash_table_add (hosts, ((PostaciEndpoint *) g_ptr_array_index (self->endpoints, i))->host);
  return g_hash_table_size (hosts);
}

static gboolean
has_host (PostaciDiscovery *self, const char *host)
{
  for (guint i = 0; i < self->endpoints->len; i++)
    if (g_str_equal (((PostaciEndpoint *) g_ptr_array_index (self->endpoints, i))->host, host))
      return TRUE;
  return FALSE;
}

static PostaciEndpoint *
add_endpoint (PostaciDiscovery  *self,
              const char        *name,
              guint16            port,
              PostaciProbeStart  start,
              PostaciSourceType  type,
              gboolean           unverified)
{
  g_autofree char *host = g_ascii_strdown (name, -1);
  PostaciEndpoint *endpoint;

  for (guint i = 0; i < self->endpoints->len; i++)
    {
      endpoint = g_ptr_array_index (self->endpoints, i);
      if (endpoint->port == port && endpoint->start == start && g_str_equal (endpoint->host, host))
        {
          endpoint->sources |= 1u << type;
          endpoint->unverified = endpoint->unverified && unverified;
          return endpoint;
        }
    }
  if (!has_host (self, host) && count_hosts (self) >= MAX_HOSTS)
    return NULL;
  endpoint = g_new0 (PostaciEndpoint, 1);
  endpoint->host = g_steal_pointer (&host);
  endpoint->port = port;
  endpoint->start = start;
  endpoint->sources = 1u << type;
  endpoint->unverified = unverified;
  g_ptr_array_add (self->endpoints, endpoint);
  return endpoint;
}

/* A host on the standard ports, after the ports its record named. */
static void
add_host (PostaciDiscovery *self, const char *host, PostaciSourceType type, gboolean unverified)
{
  for (guint i = 0; i < self->ports->len; i++)
    {
      PortSpec *spec = &g_array_index (self->ports, PortSpec, i);

      add_endpoint (self, host, spec->port, spec->start, type, unverified);
    }
}

static void
build_candidates (PostaciDiscovery *self)
{
  gboolean named = named_servers (self, FALSE);

  for (guint i = 0; i < self->sources->len; i++)
    {
      Source *source = g_ptr_array_index (self->sources, i);

      for (guint r = 0; source->srv != NULL && r < source->srv->len; r++)
        {
          PostaciSrvRecord *record = g_ptr_array_index (source->srv, r);

          if (postaci_dns_is_root (record->target) || !postaci_dns_is_host_name (record->target))
            continue;
          add_endpoint (self, record->target, record->port,
                        source->srv_tls ? POSTACI_PROBE_START_TLS : POSTACI_PROBE_START_PLAIN,
                        POSTACI_SOURCE_SRV, FALSE);
          add_host (self, record->target, POSTACI_SOURCE_SRV, FALSE);
        }
      for (guint s = 0; source->servers != NULL && s < source->servers->len; s++)
        {
          PostaciAutoconfigServer *server = g_ptr_array_index (source->servers, s);
          PostaciEndpoint *endpoint =
            add_endpoint (self, server->hostname, server->port,
                          server->security == POSTACI_SECURITY_TLS ? POSTACI_PROBE_START_TLS
                                                                   : POSTACI_PROBE_START_PLAIN,
                          source->public.type, !source->public.verified);

          if (endpoint != NULL && endpoint->username == NULL && server->username != NULL)
            endpoint->username = postaci_autoconfig_expand (server->username, self->address,
                                                            self->domain);
          add_host (self, server->hostname, source->public.type, !source->public.verified);
        }
    }

  {
    g_autofree char *smtp = g_strdup_printf ("smtp.%s", self->domain);
    g_autofree char *mail = g_strdup_printf ("mail.%s", self->domain);
    const char *guesses[] = { smtp, mail, self->domain, NULL };

    if (self->literal)
      {
        Source *source = add_source (self, POSTACI_SOURCE_GUESS, self->domain, TRUE);

        add_host (self, self->domain, POSTACI_SOURCE_GUESS, FALSE);
        g_ptr_array_add (source->public.found, g_strdup (self->domain));
        settle_source (self, source, POSTACI_SOURCE_FOUND,
                       g_strdup (_("An IP address: it is the only candidate.")));
      }
    else
      {
        g_autofree char *name = g_strjoinv (", ", (GStrv) guesses);
        Source *source = add_source (self, POSTACI_SOURCE_GUESS, name, TRUE);

        if (named)
          settle_source (self, source, POSTACI_SOURCE_SKIPPED,
                         g_strdup (_("Not needed: the records above named a server.")));
        else
          {
            for (guint i = 0; guesses[i] != NULL; i++)
              {
                add_host (self, guesses[i], POSTACI_SOURCE_GUESS, FALSE);
                g_ptr_array_add (source->public.found, g_strdup (guesses[i]));
              }
            settle_source (self, source, POSTACI_SOURCE_FOUND,
                           g_strdup (_("Nothing named a submission server: trying the usual "
                                       "names.")));
          }
      }
  }

  for (guint i = 0; i < self->sources->len; i++)
    {
      Source *source = g_ptr_array_index (self->sources, i);
      guint taken = 0;

      for (guint r = 0; source->mx != NULL && r < source->mx->len && taken < MAX_MX_HOSTS; r++)
        {
          PostaciMxRecord *record = g_ptr_array_index (source->mx, r);

          if (postaci_dns_is_root (record->exchange) || !postaci_dns_is_host_name (record->exchange))
            continue;
          add_host (self, record->exchange, POSTACI_SOURCE_MX, FALSE);
          taken++;
        }
    }

  if (self->form_host != NULL && self->form_port > 0)
    {
      PostaciSecurity security = self->form_security;

      if (security == POSTACI_SECURITY_AUTO)
        security = self->form_port == 465 ? POSTACI_SECURITY_TLS : POSTACI_SECURITY_STARTTLS;
      add_endpoint (self, self->form_host, (guint16) self->form_port,
                    security == POSTACI_SECURITY_TLS ? POSTACI_PROBE_START_TLS
                                                     : POSTACI_PROBE_START_PLAIN,
                    POSTACI_SOURCE_FORM, FALSE);
    }
}

/* ---------------------------------------------------------------- */
/* Probes                                                           */
/* ---------------------------------------------------------------- */

typedef struct {
  PostaciDiscovery *self;
  PostaciEndpoint  *endpoint;
} ProbeCall;

static void
probe_cb (GObject *object, GAsyncResult *result, gpointer user_data)
{
  ProbeCall *call = user_data;
  PostaciDiscovery *self = call->self;
  PostaciEndpoint *endpoint = call->endpoint;
  g_autoptr(GError) error = NULL;

  g_free (call);
  endpoint->running = FALSE;
  endpoint->result = postaci_probe_run_finish (result, &error);
  if (endpoint->result != NULL)
    {
      /* Translators: a transcript heading: host, port, and how the probe began */
      log_line (self, "\n[%s:%u, %s]", endpoint->host, endpoint->port,
                endpoint->start == POSTACI_PROBE_START_TLS ? _("TLS from the first byte")
                                                           : _("plain text first"));
      g_string_append (self->transcript, endpoint->result->transcript);
    }
  g_signal_emit (self, signals[SIGNAL_ENDPOINT_CHANGED], 0, endpoint);
  operation_done (self);
  g_object_unref (self);
}

static void
start_probes (PostaciDiscovery *self)
{
  self->phase = PHASE_PROBES;
  build_candidates (self);
  for (guint i = 0; i < self->endpoints->len; i++)
    {
      PostaciEndpoint *endpoint = g_ptr_array_index (self->endpoints, i);
      ProbeCall *call = g_new0 (ProbeCall, 1);

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
        ? g_strdup_printf (_("%s port %u speaks TLS from the first byte, its certificate is valid "
                             "and it offers login: implicit TLS is preferred (RFC 8314)."),
                           rec->host, rec->port)
        : g_strdup_printf (_("%s port %u offers STARTTLS, its certificate is valid and it offers "
                             "login inside TLS."), rec->host, rec->port);
      return;
    }

  chosen = postaci_recommendation_choose (self->endpoints, FALSE);
  if (chosen != NULL)
    {
      g_autofree char *problem = postaci_endpoint_describe_problem (chosen);

      rec->status = POSTACI_DISCOVERY_NOT_USABLE;
      /* Translators: “Servers answered, but none is usable. The best, smtp.example.com port
       * 465: It needs a certificate exception: …” */
      rec->reason = g_strdup_printf (_("Servers answered, but none is usable. The best, %s port "
                                       "%u: %s"), chosen->host, chosen->port, problem);
      return;
    }
  rec->status = POSTACI_DISCOVERY_UNREACHABLE;
  rec->reason = g_strdup (self->endpoints->len == 0
                          ? _("No candidate server was found.")
                          : _("No candidate server answered on any port."));
}

static void
confirm_cb (GObject *object, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(PostaciDiscovery) self = user_data;
  g_autoptr(PostaciOutcome) outcome = postaci_session_run_finish (POSTACI_SESSION (object), result);
  PostaciRecommendation *rec = self->recommendation;
  g_autofree char *verdict = postaci_transcript_format_outcome (outcome, POSTACI_TRANSCRIPT_TEXT);

  g_string_append (self->transcript, verdict);
  rec->auth_confirmed = outcome->verdict == POSTACI_VERDICT_SUCCESS && outcome->authenticated;
  if (rec->auth_confirmed)
    rec->auth_detail = g_strdup (_("The login with your user name and password worked."));
  else
    {
      rec->status = POSTACI_DISCOVERY_NOT_USABLE;
      /* Translators: the session's reason follows, then its explanation */
      rec->auth_detail = g_strdup_printf (_("The login did not work: %s %s"),
                                          outcome->reason ? outcome->reason : "",
                                          outcome->explanation ? outcome->explanation : "");
    }
  operation_done (self);
}

static void
session_event_cb (PostaciSession *session, const PostaciEvent *event, gpointer user_data)
{
  PostaciDiscovery *self = user_data;
  g_autofree char *text = postaci_transcript_format_event (event, POSTACI_TRANSCRIPT_TEXT);

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
  request->security = rec->security == POSTACI_SECURITY_TLS ? POSTACI_SECURITY_TLS
                                                            : POSTACI_SECURITY_STARTTLS;
  request->auth = TRUE;
  request->username = g_strdup (self->username);
  postaci_request_set_password (request, self->password);
  request->stop_after = POSTACI_STAGE_AUTH;
  request->timeout_seconds = MAX (1, (self->step_ms + 999) / 1000);
  request->ca_file = g_strdup (self->ca_file);
  rec->auth_tried = TRUE;
  log_line (self, "\n[%s:%u, %s]", rec->host, rec->port, _("login with your credentials"));
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
  GCancellable *user = g_task_get_cancellable (task);
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
      rec->reason = g_strdup (_("The search was cancelled."));
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
                                                  "what was found so far is shown.", seconds),
                                     seconds);
    }
  else if (self->form_host != NULL)
    rec->form_advice = postaci_recommendation_judge_form (self->endpoints, self->form_host,
                                                          self->form_port, self->form_security);
  log_line (self, "\n= %s", rec->reason);
  if (rec->auth_detail != NULL)
    log_line (self, "= %s", rec->auth_detail);
  if (rec->form_advice != NULL)
    log_line (self, "= %s", rec->form_advice);
  g_task_return_pointer (task, g_steal_pointer (&self->recommendation),
                         (GDestroyNotify) postaci_recommendation_free);
}

static gboolean
stopped (PostaciDiscovery *self)
{
  return g_cancellable_is_cancelled (self->cancellable);
}

static void
next_phase (PostaciDiscovery *self)
{
  g_assert (self->pending == 0);

  switch (self->phase)
    {
    case PHASE_SOURCES:
      if (!stopped (self) && !self->literal && start_plain_http (self))
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
  log_line (self, "! %s", _("The overall deadline passed: stopping everything under way."));
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
postaci_discovery_run_async (PostaciDiscovery    *self,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  g_return_if_fail (POSTACI_IS_DISCOVERY (self));
  g_return_if_fail (self->phase == PHASE_IDLE);

  self->task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (self->task, postaci_discovery_run_async);
  self->cancellable = g_cancellable_new ();
  if (cancellable != NULL)
    self->user_cancel_id = g_cancellable_connect (cancellable, G_CALLBACK (user_cancelled_cb),
                                                  self, NULL);
  if (self->deadline_ms == 0)
    self->deadline_ms = 3 * self->step_ms;
  self->deadline_id = g_timeout_add (self->deadline_ms, deadline_cb, self);
  log_line (self, _("Looking for the submission server of %s."), self->query);
  start_sources (self);
}

PostaciRecommendation *
postaci_discovery_run_finish (PostaciDiscovery *self, GAsyncResult *result)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), NULL);
}
