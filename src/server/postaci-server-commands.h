/* SPDX-License-Identifier: GPL-3.0-or-later */
/* postaci-server-commands.h — the Local Test Server's answers to SMTP commands. Internal to
 * libpostaci-server. */
#pragma once

#include <glib.h>

#include "postaci-local-server-private.h"

G_BEGIN_DECLS

/* One command line (CRLF and NUL already checked): the verb's handler answers it. */
void postaci_server_commands_dispatch  (PostaciServerConnection *conn,
                                        const char              *line);
/* One line of a message after DATA. @crlf: it ended with CRLF, not a bare LF. */
void postaci_server_commands_data_line (PostaciServerConnection *conn,
                                        const char              *line,
                                        gsize                    length,
                                        gboolean                 crlf);

G_END_DECLS
