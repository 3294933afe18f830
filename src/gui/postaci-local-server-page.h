/* SPDX-License-Identifier: GPL-3.0-or-later */
/* postaci-local-server-page.h — the window's page for the Local Test Server. */
#pragma once

#include <adwaita.h>

#include "postaci-local-server.h"

G_BEGIN_DECLS

#define POSTACI_TYPE_LOCAL_SERVER_PAGE (postaci_local_server_page_get_type ())
G_DECLARE_FINAL_TYPE (PostaciLocalServerPage, postaci_local_server_page, POSTACI, LOCAL_SERVER_PAGE, AdwBin)

/*
 * The page of the window's PostaciLocalServer (the window owns the server and
 * builds the page when it is first shown): its switch starts and stops the
 * server, the page shows the address, the account and the folder while it
 * runs, lists what it captured (bound to the server's GListModel), and applies
 * the "Fail on purpose" choice. Activating a message opens a
 * PostaciMessageWindow.
 *
 * Signal "use-in-form" (no arguments): the person asked to fill the test
 * form for this server; emitted only while it runs.
 * Property "running" (boolean, read-only): whether the server runs. A restart
 * keeps the ports when it can, but makes a new password and certificate.
 */

GtkWidget          *postaci_local_server_page_new          (PostaciLocalServer     *server);
/* (transfer none) The page's server. */
PostaciLocalServer *postaci_local_server_page_get_server   (PostaciLocalServerPage *self);
/* Says on the page why the server could not start; NULL takes the words away. The switch
 * does it for its own starts, the window for the ones it makes. */
void                postaci_local_server_page_show_start_error (PostaciLocalServerPage *self,
                                                                const GError           *error);
/* While the form runs a test it cannot be refilled: "Use in the Form" is off until it ends. */
void                postaci_local_server_page_set_form_busy (PostaciLocalServerPage *self,
                                                             gboolean                busy);
/* The "Fail on purpose" choice as the list shows it (property "failure"), or NULL for none. */
const char         *postaci_local_server_page_get_failure_label (PostaciLocalServerPage *self);
/* Stacks the page's two halves one above the other (a narrow window) or side by side. */
void                postaci_local_server_page_set_narrow  (PostaciLocalServerPage *self,
                                                           gboolean                narrow);
/* Opens the message at @position of the list, as activating its row does. */
void                postaci_local_server_page_open_message (PostaciLocalServerPage *self,
                                                            guint                   position);

G_END_DECLS
