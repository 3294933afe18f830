/* SPDX-License-Identifier: GPL-3.0-or-later */
/* postaci-discovery-sources.c — what a discovery asks (SRV, autoconfig, ISPDB, MX records, then
 * plain HTTP) and the candidate endpoints the answers name, with the guesses when none did. */
#define G_LOG_DOMAIN "postaci-discovery"

#include "config.h"

#include <string.h>
#include <glib/gi18n-lib.h>

#include "postaci-autoconfig.h"
#include "postaci-discovery-private.h"
#include "postaci-discovery-report.h"
#include "postaci-dns.h"
#include "postaci-soup.h"

/* Candidate hosts beyond this come from records nobody should trust that far. */
#define MAX_HOSTS    10
#define MAX_MX_HOSTS 3

/* ---------------------------------------------------------------- */
/* Sources                                                          */
/* ---------------------------------------------------------------- */

void
_postaci_discovery_source_free (Source *source)
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
  _postaci_discovery_emit_source_changed (self, &source->public);
  return source;
}

static void
settle_source (PostaciDiscovery *self, Source *source, PostaciSourceStatus status, char *detail)
{
  source->public.status = status;
  g_free (source->public.detail);
  source->public.detail = detail;
  /* Translators: a transcript line: source label, what was asked, and the finding */
  _postaci_discovery_log_line (self, "* %s %s: %s",
                               postaci_source_type_get_label (source->public.type),
                               source->public.name, detail ? detail : "");
  _postaci_discovery_emit_source_changed (self, &source->public);
}

/* The words for a lookup that ended in an error: the deadline and the caller are ours. */
static char *
describe_failure (PostaciDiscovery *self, const GError *error)
{
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return g_strdup (self->deadline_passed ? _ ("Cut short by the overall deadline.")
                                           : _ ("Cancelled."));
  return g_strdup (error->message);
}

typedef struct
{
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

static void
source_call_done (SourceCall *call)
{
  PostaciDiscovery *self = call->self;

  g_free (call);
  _postaci_discovery_operation_done (self);
  g_object_unref (self);
}

/* Ends a DNS lookup that gave no records: there are none, or the lookup failed. */
static void
settle_lookup_failure (SourceCall *call, const GError *error)
{
  PostaciDiscovery *self = call->self;

  if (g_error_matches (error, G_RESOLVER_ERROR, G_RESOLVER_ERROR_NOT_FOUND))
    settle_source (self, call->source, POSTACI_SOURCE_NONE, g_strdup (_ ("No such record.")));
  else
    settle_source (self, call->source, POSTACI_SOURCE_FAILED, describe_failure (self, error));
  source_call_done (call);
}

static void
srv_cb (GObject *object, GAsyncResult *result, gpointer user_data)
{
  SourceCall       *call = user_data;
  PostaciDiscovery *self = call->self;
  Source           *source = call->source;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) records = postaci_dns_lookup_srv_finish (result, &error);
  g_autoptr(GPtrArray) parts = g_ptr_array_new_with_free_func (g_free);
  guint    services = 0;
  gboolean root = FALSE;

  if (records == NULL)
    {
      settle_lookup_failure (call, error);
      return;
    }
  for (guint i = 0; i < records->len; i++)
    {
      PostaciSrvRecord *record = g_ptr_array_index (records, i);

      root = root || postaci_dns_is_root (record->target);
      if (!postaci_dns_names_host (record->target))
        continue;
      services++;
      g_ptr_array_add (source->public.found,
                       g_strdup_printf ("%s:%u", record->target, record->port));
      /* Translators: one SRV record: host, port, priority and weight */
      g_ptr_array_add (parts,
                       g_strdup_printf (_ ("%s port %u (priority %u, weight %u)"), record->target,
                                        record->port, record->priority, record->weight));
    }
  source->srv = g_steal_pointer (&records);
  if (services == 0)
    {
      if (root)
        settle_source (self, source, POSTACI_SOURCE_NO_SERVICE,
                       g_strdup (_ ("The target is “.”: the domain says this service is not "
                                    "offered here.")));
      else
        settle_source (self, source, POSTACI_SOURCE_FAILED,
                       g_strdup (_ ("The records name no valid host.")));
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
  SourceCall       *call = user_data;
  PostaciDiscovery *self = call->self;
  Source           *source = call->source;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) records = postaci_dns_lookup_mx_finish (result, &error);
  g_autoptr(GString) detail = g_string_new (NULL);

  if (records == NULL)
    {
      settle_lookup_failure (call, error);
      return;
    }
  if (records->len == 1 && postaci_dns_is_root (((PostaciMxRecord *) records->pdata[0])->exchange))
    {
      settle_source (self, source, POSTACI_SOURCE_NO_SERVICE,
                     g_strdup (_ ("A null MX: the domain accepts no mail at all (RFC 7505).")));
      source_call_done (call);
      return;
    }
  for (guint i = 0; i < records->len; i++)
    {
      PostaciMxRecord *record = g_ptr_array_index (records, i);

      if (!postaci_dns_names_host (record->exchange))
        continue;
      g_ptr_array_add (source->public.found, g_strdup_printf ("%s:25", record->exchange));
      /* Translators: one MX record: host and preference */
      g_string_append_printf (detail, _ ("%s (preference %u); "), record->exchange,
                              record->preference);
    }
  g_string_append (detail, _ ("MX hosts take mail for the domain from other servers on port 25; "
                              "they rarely accept a mail program's login."));
  source->mx = g_steal_pointer (&records);
  settle_source (self, source, POSTACI_SOURCE_FOUND,
                 g_string_free (g_steal_pointer (&detail), FALSE));
  source_call_done (call);
}

static void
autoconfig_cb (GObject *object, GAsyncResult *result, gpointer user_data)
{
  SourceCall       *call = user_data;
  PostaciDiscovery *self = call->self;
  Source           *source = call->source;
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
    g_ptr_array_add (parts, g_strdup (_ ("Fetched over plain HTTP: unverified, anyone on the way "
                                         "could have changed it.")));
  for (guint i = 0; i < servers->len; i++)
    {
      PostaciAutoconfigServer *server = g_ptr_array_index (servers, i);

      g_ptr_array_add (source->public.found,
                       g_strdup_printf ("%s:%u", server->hostname, server->port));
      /* Translators: one server from an autoconfig document: host, port, security */
      g_ptr_array_add (parts,
                       g_strdup_printf (_ ("%s port %u (%s)"), server->hostname, server->port,
                                        postaci_discovery_security_label (server->security)));
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
  GString         *url = g_string_new (template);

  g_string_replace (url, "%DOMAIN%", self->domain, 0);
  g_string_replace (url, "%ADDRESS%", address, 0);
  return g_string_free (url, FALSE);
}

static void
fetch (PostaciDiscovery *self, PostaciSourceType type, const char *template)
{
  g_autofree char *url = expand_url (self, template);
  Source          *source = add_source (self, type, url, g_str_has_prefix (url, "https:"));

  postaci_autoconfig_fetch_async (self->http, url, self->step_ms, self->address, self->domain,
                                  self->cancellable, autoconfig_cb, source_call_new (self, source));
}

void
_postaci_discovery_start_sources (PostaciDiscovery *self)
{
  guint seconds = MAX (1, (self->step_ms + 999) / 1000);
  g_autoptr(GResolver) resolver = g_resolver_get_default ();
  const PostaciSoup *soup;
  static const struct
  {
    const char *service;
    gboolean    tls;
  } services[] = {
    { "submissions", TRUE },
    { "submission", FALSE },
  };

  self->phase = PHASE_SOURCES;
  if (self->literal)
    {
      /* An address has no records to ask: it is the only candidate. */
      _postaci_discovery_next_phase (self);
      return;
    }
  /* No cookie jar is added: nothing is remembered between fetches or runs. */
  /* Every fetch at once (libsoup queues more than two per host by default, and a queued
   * fetch would spend its deadline waiting). */
  /* Without libsoup each fetch fails and says why, and the other sources go on. */
  soup = postaci_soup_get (NULL);
  if (soup != NULL)
    self->http = soup->session_new_with_options ("timeout", seconds, "idle-timeout", seconds,
                                                 "max-conns-per-host", 8, "user-agent",
                                                 "Postaci/" PACKAGE_VERSION, NULL);
  if (self->http != NULL && self->database != NULL)
    soup->session_set_tls_database (self->http, self->database);

  for (guint i = 0; i < G_N_ELEMENTS (services); i++)
    {
      g_autofree char *name = g_strdup_printf ("_%s._tcp.%s", services[i].service, self->domain);
      Source          *source = add_source (self, POSTACI_SOURCE_SRV, name, TRUE);

      source->srv_tls = services[i].tls;
      postaci_dns_lookup_srv_async (resolver, services[i].service, self->domain, self->cancellable,
                                    srv_cb, source_call_new (self, source));
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
      if (source->servers != NULL ||
          (!autoconfig_only && source->public.type == POSTACI_SOURCE_SRV))
        return TRUE;
    }
  return FALSE;
}

/* Plain HTTP, the last resort: only when no HTTPS document named a server. */
gboolean
_postaci_discovery_start_plain_http (PostaciDiscovery *self)
{
  gboolean started = FALSE;

  self->phase = PHASE_PLAIN_HTTP;
  for (guint i = 0; self->http_urls[i] != NULL; i++)
    {
      if (named_servers (self, TRUE))
        {
          g_autofree char *url = expand_url (self, self->http_urls[i]);
          Source          *source = add_source (self, POSTACI_SOURCE_AUTOCONFIG, url, FALSE);

          settle_source (
            self, source, POSTACI_SOURCE_SKIPPED,
            g_strdup (_ ("Not asked: a document fetched over HTTPS already answered.")));
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

void
_postaci_discovery_endpoint_free (PostaciEndpoint *endpoint)
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
add_endpoint (PostaciDiscovery *self, const char *name, guint16 port, PostaciProbeStart start,
              PostaciSourceType type, gboolean unverified)
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

void
_postaci_discovery_build_candidates (PostaciDiscovery *self)
{
  gboolean named = named_servers (self, FALSE);

  for (guint i = 0; i < self->sources->len; i++)
    {
      Source *source = g_ptr_array_index (self->sources, i);

      for (guint r = 0; source->srv != NULL && r < source->srv->len; r++)
        {
          PostaciSrvRecord *record = g_ptr_array_index (source->srv, r);

          if (!postaci_dns_names_host (record->target))
            continue;
          add_endpoint (self, record->target, record->port,
                        source->srv_tls ? POSTACI_PROBE_START_TLS : POSTACI_PROBE_START_PLAIN,
                        POSTACI_SOURCE_SRV, FALSE);
          add_host (self, record->target, POSTACI_SOURCE_SRV, FALSE);
        }
      for (guint s = 0; source->servers != NULL && s < source->servers->len; s++)
        {
          PostaciAutoconfigServer *server = g_ptr_array_index (source->servers, s);
          PostaciEndpoint         *endpoint =
            add_endpoint (self, server->hostname, server->port,
                          server->security == POSTACI_SECURITY_TLS ? POSTACI_PROBE_START_TLS
                                                                   : POSTACI_PROBE_START_PLAIN,
                          source->public.type, !source->public.verified);

          if (endpoint != NULL && endpoint->username == NULL && server->username != NULL)
            endpoint->username =
              postaci_autoconfig_expand (server->username, self->address, self->domain);
          add_host (self, server->hostname, source->public.type, !source->public.verified);
        }
    }

  {
    g_autofree char *smtp = g_strdup_printf ("smtp.%s", self->domain);
    g_autofree char *mail = g_strdup_printf ("mail.%s", self->domain);
    const char      *guesses[] = { smtp, mail, self->domain, NULL };

    if (self->literal)
      {
        Source *source = add_source (self, POSTACI_SOURCE_GUESS, self->domain, TRUE);

        add_host (self, self->domain, POSTACI_SOURCE_GUESS, FALSE);
        g_ptr_array_add (source->public.found, g_strdup (self->domain));
        settle_source (self, source, POSTACI_SOURCE_FOUND,
                       g_strdup (_ ("An IP address: it is the only candidate.")));
      }
    else
      {
        g_autofree char *name = g_strjoinv (", ", (GStrv) guesses);
        Source          *source = add_source (self, POSTACI_SOURCE_GUESS, name, TRUE);

        if (named)
          settle_source (self, source, POSTACI_SOURCE_SKIPPED,
                         g_strdup (_ ("Not needed: the records above named a server.")));
        else
          {
            for (guint i = 0; guesses[i] != NULL; i++)
              {
                add_host (self, guesses[i], POSTACI_SOURCE_GUESS, FALSE);
                g_ptr_array_add (source->public.found, g_strdup (guesses[i]));
              }
            settle_source (self, source, POSTACI_SOURCE_FOUND,
                           g_strdup (_ ("Nothing named a submission server: trying the usual "
                                        "names.")));
          }
      }
  }

  for (guint i = 0; i < self->sources->len; i++)
    {
      Source *source = g_ptr_array_index (self->sources, i);
      guint   taken = 0;

      for (guint r = 0; source->mx != NULL && r < source->mx->len && taken < MAX_MX_HOSTS; r++)
        {
          PostaciMxRecord *record = g_ptr_array_index (source->mx, r);

          if (!postaci_dns_names_host (record->exchange))
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
