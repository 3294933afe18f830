/* SPDX-License-Identifier: GPL-3.0-or-later */
/* postaci-dns.h — the SRV and MX records discovery asks for, through GResolver. */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* One SRV record (RFC 2782). A target of "." means the service is decidedly not offered. */
typedef struct {
  char    *target;
  guint16  port;
  guint16  priority;
  guint16  weight;
} PostaciSrvRecord;

/* One MX record (RFC 5321 §5.1). An exchange of "." is a null MX (RFC 7505): no mail at all. */
typedef struct {
  char    *exchange;
  guint16  preference;
} PostaciMxRecord;

/* TRUE for an IP address literal or a DNS host name in ASCII: labels of letters, digits and
 * hyphens, 1–63 bytes each, 253 bytes in all, an optional final dot. */
gboolean   postaci_dns_is_host_name      (const char *name);
/* TRUE for the root name "." (or the empty name, as some resolvers spell it). */
gboolean   postaci_dns_is_root           (const char *name);
/* TRUE when a record's target or exchange names a host to use: a host name, not the root. */
gboolean   postaci_dns_names_host        (const char *name);

void       postaci_srv_record_free       (PostaciSrvRecord *record);
void       postaci_mx_record_free        (PostaciMxRecord  *record);

/* Looks up _SERVICE._tcp.DOMAIN. The records come sorted: lowest priority first, then the
 * highest weight first (RFC 2782 draws by weight at random; a tester shows one stable order),
 * then by name. Targets lose a trailing dot. Errors: GResolver's (NOT_FOUND when the name has
 * no SRV records), G_IO_ERROR_CANCELLED. */
void       postaci_dns_lookup_srv_async  (GResolver           *resolver,
                                          const char          *service,
                                          const char          *domain,
                                          GCancellable        *cancellable,
                                          GAsyncReadyCallback  callback,
                                          gpointer             user_data);
GPtrArray *postaci_dns_lookup_srv_finish (GAsyncResult        *result,
                                          GError             **error);

/* Looks up the MX records of @domain, lowest preference first, then by name. */
void       postaci_dns_lookup_mx_async   (GResolver           *resolver,
                                          const char          *domain,
                                          GCancellable        *cancellable,
                                          GAsyncReadyCallback  callback,
                                          gpointer             user_data);
GPtrArray *postaci_dns_lookup_mx_finish  (GAsyncResult        *result,
                                          GError             **error);

G_END_DECLS
