/* SPDX-License-Identifier: GPL-3.0-or-later */
/* postaci-discovery.h — find the submission server of an address or domain, probe it, recommend.
 *
 * The sources, in order and in parallel where they can be: SRV records (_submissions._tcp,
 * RFC 8314, and _submission._tcp, RFC 6186), the domain's autoconfig document over HTTPS
 * (autoconfig.DOMAIN, then DOMAIN/.well-known), the public ISPDB, plain HTTP only when all of
 * those gave nothing (marked unverified), the MX records (server-to-server, shown with that
 * caveat), and guesses (smtp.DOMAIN, mail.DOMAIN, DOMAIN) only when SRV and autoconfig named
 * no server. Every candidate host is then probed on 465 (TLS from the first byte), 587 and 25
 * (plain text, then STARTTLS when offered) and on every port a record named, all at once.
 *
 * Nothing but EHLO, STARTTLS and QUIT is sent to a candidate. With a user name and password,
 * only the recommended endpoint is tried with AUTH, and only over TLS with a valid certificate.
 *
 * For tests only: POSTACI_DISCOVERY_PORTS="PORT[/tls],…" in the environment replaces the
 * standard port list (tests cannot bind 465/587/25), and postaci_discovery_set_urls()
 * (postaci-discovery-test.h) replaces the autoconfig and ISPDB addresses. Record ports are
 * always used as they are. */
#pragma once

#include <gio/gio.h>

#include "postaci-probe.h"
#include "postaci-types.h"

G_BEGIN_DECLS

typedef enum {
  POSTACI_SOURCE_SRV,
  POSTACI_SOURCE_AUTOCONFIG,
  POSTACI_SOURCE_ISPDB,
  POSTACI_SOURCE_MX,
  POSTACI_SOURCE_GUESS,
  POSTACI_SOURCE_FORM,       /* the server already in the form (the window only) */
} PostaciSourceType;

typedef enum {
  POSTACI_SOURCE_RUNNING,
  POSTACI_SOURCE_FOUND,
  POSTACI_SOURCE_NONE,       /* asked; nothing there */
  /* an explicit "no service here": SRV target ".", null MX */
  POSTACI_SOURCE_NO_SERVICE, /*< nick=no_service >*/
  POSTACI_SOURCE_FAILED,     /* the lookup or fetch failed; detail says why */
  POSTACI_SOURCE_SKIPPED,    /* not asked: not needed (plain HTTP after HTTPS answered…) */
} PostaciSourceStatus;

typedef struct {
  PostaciSourceType    type;
  char                *name;     /* what was asked: a DNS name or a URL */
  PostaciSourceStatus  status;
  gboolean             verified; /* fetched over HTTPS end to end (HTTP sources) */
  char                *detail;   /* one translated sentence */
  GPtrArray           *found;    /* "host:port" strings, in the source's order */
} PostaciDiscoverySource;

typedef struct {
  char               *host;
  guint16             port;
  PostaciProbeStart   start;
  guint               sources;   /* 1 << PostaciSourceType for each source that named it */
  char               *username;  /* from autoconfig, placeholders replaced; may be NULL */
  gboolean            unverified; /* named only by a document fetched over plain HTTP */
  gboolean            running;
  PostaciProbeResult *result;    /* NULL until the probe ended */
} PostaciEndpoint;

typedef enum {
  POSTACI_DISCOVERY_FOUND,       /* a usable submission endpoint */
  /* endpoints answered; none is usable */
  POSTACI_DISCOVERY_NOT_USABLE,  /*< nick=not_usable >*/
  POSTACI_DISCOVERY_UNREACHABLE, /* nothing answered */
  POSTACI_DISCOVERY_DEADLINE,    /* the overall deadline passed */
  POSTACI_DISCOVERY_CANCELLED,
} PostaciDiscoveryStatus;

typedef struct {
  PostaciDiscoveryStatus  status;
  char                   *host;        /* the recommended endpoint; NULL when none */
  guint16                 port;
  PostaciSecurity         security;
  GStrv                   auth;        /* its AUTH mechanisms (after TLS) */
  char                   *username;    /* user name or pattern to log in with; may be NULL */
  char                   *reason;      /* one translated sentence: why this one, or why none */
  char                   *form_advice; /* what is wrong with the form's settings; NULL if nothing */
  gboolean                auth_tried;  /* credentials were tried on the recommended endpoint */
  gboolean                auth_confirmed;
  char                   *auth_detail; /* the login's outcome, translated */
} PostaciRecommendation;

#define POSTACI_TYPE_DISCOVERY (postaci_discovery_get_type ())
G_DECLARE_FINAL_TYPE (PostaciDiscovery, postaci_discovery, POSTACI, DISCOVERY, GObject)

/* @query is an e-mail address, a domain or a host name (or an IP address). Returns NULL with
 * G_IO_ERROR_INVALID_ARGUMENT and a translated message for anything else. */
PostaciDiscovery *postaci_discovery_new            (const char       *query,
                                                    GError          **error);
const char       *postaci_discovery_get_domain     (PostaciDiscovery *self);
/* Credentials to confirm on the recommended endpoint; the password is wiped on finalize. */
void              postaci_discovery_set_credentials (PostaciDiscovery *self,
                                                     const char       *username,
                                                     const char       *password);
/* Extra trust anchors (PEM) for SMTP and HTTPS. FALSE with an error if the file is unusable. */
gboolean          postaci_discovery_set_ca_file    (PostaciDiscovery *self,
                                                    const char       *path,
                                                    GError          **error);
/* Each lookup, fetch and probe step waits at most @step_ms; everything together at most
 * @deadline_ms (0: three times the step). Defaults: 10 s and 30 s. */
void              postaci_discovery_set_timeouts   (PostaciDiscovery *self,
                                                    guint             step_ms,
                                                    guint             deadline_ms);
/* "465/tls,587,25": the ports probed on every candidate host; "/tls" means TLS from the first
 * byte. FALSE with G_IO_ERROR_INVALID_ARGUMENT on a malformed list. */
gboolean          postaci_discovery_set_ports      (PostaciDiscovery *self,
                                                    const char       *spec,
                                                    GError          **error);
/* The settings already in the form: probed too, and judged in the recommendation. */
void              postaci_discovery_set_form       (PostaciDiscovery *self,
                                                    const char       *host,
                                                    guint             port,
                                                    PostaciSecurity   security);

/* Signals: "source-changed" (PostaciDiscoverySource *), "endpoint-changed" (PostaciEndpoint *),
 * both on the caller's main context, as things happen. */
void              postaci_discovery_run_async      (PostaciDiscovery    *self,
                                                    GCancellable        *cancellable,
                                                    GAsyncReadyCallback  callback,
                                                    gpointer             user_data);
PostaciRecommendation *postaci_discovery_run_finish (PostaciDiscovery   *self,
                                                     GAsyncResult       *result);

GPtrArray        *postaci_discovery_get_sources    (PostaciDiscovery *self);
GPtrArray        *postaci_discovery_get_endpoints  (PostaciDiscovery *self);
/* Everything asked and answered, for "Copy transcript". */
char             *postaci_discovery_get_transcript (PostaciDiscovery *self);

void              postaci_recommendation_free      (PostaciRecommendation *recommendation);
int               postaci_discovery_status_get_exit_status (PostaciDiscoveryStatus status);
const char       *postaci_discovery_status_to_string (PostaciDiscoveryStatus status);
const char       *postaci_source_type_to_string    (PostaciSourceType   type);
const char       *postaci_source_status_to_string  (PostaciSourceStatus status);
/* A short translated label for a source type: "SRV record", "autoconfig"… */
const char       *postaci_source_type_get_label    (PostaciSourceType   type);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (PostaciRecommendation, postaci_recommendation_free)

G_END_DECLS
