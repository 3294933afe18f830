/* SPDX-License-Identifier: GPL-3.0-or-later */
/* postaci-local-server-private.h — what the server's own files share: the server's fields and
 * limits, for its connections (postaci-server-connection.c), its commands and its SASL. */
#pragma once

#include "postaci-local-server.h"

G_BEGIN_DECLS

/* The name the server gives itself in its replies and in the Received: field it writes. */
#define HOSTNAME       "localhost"
/* The longest line taken, without CRLF. RFC 5321 §4.5.3.1.4-6 asks for 512
 * (commands) and 1000 (text); RFC 4954 §4 lets AUTH responses grow to 12288,
 * but our own three mechanisms never need more than a few hundred. */
#define MAX_LINE       4096
/* Clients at once (Postfix's anvil has the same idea: a limit per client, counted on connect). */
#define MAX_CLIENTS    16
/* Handshakes under way on the implicit TLS port: a pool of their own, so that connections which
 * never finish a handshake cannot take the plain port's slots. */
#define MAX_HANDSHAKES 8
#define TOO_MANY_REPLY "421 4.7.0 %s Too many connections, try again later"

struct _PostaciLocalServer {
  GObject          parent_instance;

  guint            want_port;
  guint            want_tls_port;
  guint            port;
  guint            tls_port;
  gboolean         has_ipv6;
  char            *folder;
  gboolean         folder_is_ours;  /* made here, not given: removed on stop when still empty */
  gsize            max_size;
  guint            timeout;
  guint            first_command_timeout;
  guint64          quota;           /* 0: none */
  guint64          folder_used;     /* bytes of .eml files in the folder */
  guint            failures[POSTACI_N_STAGES];

  char            *password;
  GTlsCertificate *certificate;
  char            *certificate_pem;
  char            *fingerprint;

  GSocketListener *listener;
  GSocketListener *tls_listener;
  GCancellable    *accepting;       /* cancelled by stop(): every accept loop ends */
  GPtrArray       *clients;         /* PostaciServerConnection *, one reference each */
  guint            next_client_id;
  GListStore      *messages;
  guint            message_count;
  gboolean         running;
};

typedef struct _PostaciServerConnection PostaciServerConnection;

/* Connections being served that hold a slot, in the handshake pool or out of it. */
guint    postaci_local_server_count_slots   (PostaciLocalServer      *self,
                                             gboolean                 handshakes);
/* The server is full: the client (other than @except) of that pool that has waited longest for
 * its peer, at least a grace period, yields — its wait is cancelled, it hears 421 4.4.2 and
 * goes. FALSE when every client is busy or only just connected. */
gboolean postaci_local_server_make_room     (PostaciLocalServer      *self,
                                             gboolean                 handshakes,
                                             PostaciServerConnection *except);
/* Puts @conn on the list of clients (which holds the reference it is given). */
void     postaci_local_server_add_client    (PostaciLocalServer      *self,
                                             PostaciServerConnection *conn);
/* Takes @conn off the list of clients (dropping that reference). */
void     postaci_local_server_remove_client (PostaciLocalServer      *self,
                                             PostaciServerConnection *conn);
/* A message is on disk: listed (the oldest beyond the limit let go) and announced. */
void     postaci_local_server_add_message   (PostaciLocalServer      *self,
                                             PostaciCapturedMessage  *message);

G_END_DECLS
