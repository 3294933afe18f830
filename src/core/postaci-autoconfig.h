/* SPDX-License-Identifier: GPL-3.0-or-later */
/* postaci-autoconfig.h — Thunderbird's config-v1.1.xml: fetch it over HTTP, keep its SMTP servers. */
#pragma once

#include <gio/gio.h>
#include <libsoup/soup.h>

#include "postaci-types.h"

G_BEGIN_DECLS

#define POSTACI_AUTOCONFIG_ERROR (postaci_autoconfig_error_quark ())

typedef enum {
  POSTACI_AUTOCONFIG_ERROR_NOT_FOUND, /* HTTP 404 or 410: no document there */
  POSTACI_AUTOCONFIG_ERROR_HTTP,      /* the server answered with another HTTP error status */
  POSTACI_AUTOCONFIG_ERROR_TOO_LARGE, /* the document is larger than POSTACI_AUTOCONFIG_MAX_SIZE */
  POSTACI_AUTOCONFIG_ERROR_INVALID,   /* not well-formed XML, or not a clientConfig document */
  POSTACI_AUTOCONFIG_ERROR_NO_SMTP,   /* a valid document without a usable SMTP server */
  POSTACI_AUTOCONFIG_ERROR_TIMEOUT,   /* no whole document within the time limit */
} PostaciAutoconfigError;

/* Real documents are a few KiB; a provider with many domains lists them all, still far below. */
#define POSTACI_AUTOCONFIG_MAX_SIZE (256 * 1024)
/* More outgoing servers than this in one document is not a configuration but abuse. */
#define POSTACI_AUTOCONFIG_MAX_SERVERS 8

/* One <outgoingServer type="smtp"> entry, placeholders in the host name already replaced. */
typedef struct {
  char            *hostname;
  guint16          port;
  PostaciSecurity  security;       /* TLS (socketType SSL), STARTTLS or NONE (plain) */
  GStrv            authentication; /* the <authentication> values, e.g. password-cleartext */
  char            *username;       /* as written, e.g. %EMAILADDRESS%; NULL when absent */
} PostaciAutoconfigServer;

GQuark   postaci_autoconfig_error_quark (void);
void     postaci_autoconfig_server_free (PostaciAutoconfigServer *server);

/* Parses a document; @address (may be NULL) and @domain fill %EMAILADDRESS%,
 * %EMAILLOCALPART% and %EMAILDOMAIN% in host names. Returns the SMTP servers in document
 * order (an array of PostaciAutoconfigServer), or NULL with INVALID or NO_SMTP. Entries whose
 * host name is not a plain DNS name or whose port is not 1–65535 are left out. */
GPtrArray *postaci_autoconfig_parse (const char  *document,
                                     gsize        length,
                                     const char  *address,
                                     const char  *domain,
                                     GError     **error);

/* Replaces %EMAILADDRESS%, %EMAILLOCALPART% and %EMAILDOMAIN% (a NULL @address leaves the
 * first two as they are). */
char      *postaci_autoconfig_expand    (const char  *pattern,
                                         const char  *address,
                                         const char  *domain);

/* Fetches @url with @session (it must have no cookie jar) and parses the document, all within
 * @timeout_ms. The body is read up to POSTACI_AUTOCONFIG_MAX_SIZE and no further. On success
 * @final_url (may be NULL) receives the URL after redirects. Errors: the
 * POSTACI_AUTOCONFIG_ERROR codes (TIMEOUT when the time ran out), GIO and TLS errors of the
 * connection, G_IO_ERROR_CANCELLED; G_IO_ERROR_NOT_SUPPORTED when libsoup cannot be loaded
 * (postaci-soup.h; @session is NULL then). */
void       postaci_autoconfig_fetch_async  (SoupSession         *session,
                                            const char          *url,
                                            guint                timeout_ms,
                                            const char          *address,
                                            const char          *domain,
                                            GCancellable        *cancellable,
                                            GAsyncReadyCallback  callback,
                                            gpointer             user_data);
GPtrArray *postaci_autoconfig_fetch_finish (GAsyncResult        *result,
                                            char               **final_url,
                                            GError             **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (PostaciAutoconfigServer, postaci_autoconfig_server_free)

G_END_DECLS
