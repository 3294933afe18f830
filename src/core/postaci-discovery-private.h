/* SPDX-License-Identifier: GPL-3.0-or-later */
/* postaci-discovery-private.h — a discovery's state, shared by postaci-discovery.c (the object,
 * its phases, the probes and the recommendation) and postaci-discovery-sources.c (what the
 * sources say and the candidates they name). Private to those two files. */
#pragma once

#include <libsoup/soup.h>

#include "postaci-discovery.h"

G_BEGIN_DECLS

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

/* postaci-discovery.c */
void _postaci_discovery_log_line             (PostaciDiscovery       *self,
                                              const char             *format,
                                              ...) G_GNUC_PRINTF (2, 3);
/* Emits "source-changed". */
void _postaci_discovery_emit_source_changed  (PostaciDiscovery       *self,
                                              PostaciDiscoverySource *source);
/* Ends one operation of the current phase; the last one moves on. */
void _postaci_discovery_operation_done       (PostaciDiscovery       *self);
void _postaci_discovery_next_phase           (PostaciDiscovery       *self);

/* postaci-discovery-sources.c */
void     _postaci_discovery_source_free      (Source                 *source);
void     _postaci_discovery_endpoint_free    (PostaciEndpoint        *endpoint);
/* Asks every source at once: SRV, the HTTPS autoconfig documents, ISPDB, MX. */
void     _postaci_discovery_start_sources    (PostaciDiscovery       *self);
/* Plain HTTP, the last resort: only when no HTTPS document named a server. FALSE when nothing
 * was started. */
gboolean _postaci_discovery_start_plain_http (PostaciDiscovery       *self);
/* The endpoints to probe, from what the sources named (guesses when none did). */
void     _postaci_discovery_build_candidates (PostaciDiscovery       *self);

G_END_DECLS
