/* SPDX-License-Identifier: GPL-3.0-or-later */
/* postaci-server-sasl.h — AUTH on the Local Test Server's side. Internal to libpostaci-server. */
#pragma once

#include <glib.h>

#include "postaci-local-server-private.h"

G_BEGIN_DECLS

/* "AUTH mechanism [initial-response]": a 334 challenge, or the verdict on an initial response. */
void postaci_server_sasl_start (PostaciServerConnection *conn,
                                const char              *arg);
/* One SASL response line (RFC 4954 §4): "*" cancels, anything else is base64. */
void postaci_server_sasl_step  (PostaciServerConnection *conn,
                                const char              *line);
/* Forgets an exchange under way, the user name it gave wiped. */
void postaci_server_sasl_clear (PostaciServerConnection *conn);

G_END_DECLS
