/* SPDX-License-Identifier: GPL-3.0-or-later */
/* postaci-discovery-dialog.h — "Find Settings": every source and probe live, then one click fills the form. */
#pragma once

#include <adwaita.h>

#include "postaci-discovery.h"

G_BEGIN_DECLS

#define POSTACI_TYPE_DISCOVERY_DIALOG (postaci_discovery_dialog_get_type ())
G_DECLARE_FINAL_TYPE (PostaciDiscoveryDialog, postaci_discovery_dialog, POSTACI, DISCOVERY_DIALOG,
                      AdwWindow)

/* A dialog over @parent that starts looking for @query (an address, a domain or a host) at once.
 * The form's @host, @port and @security are probed too and judged; @ca_file (may be NULL) adds
 * trust anchors. "use-settings" (const PostaciRecommendation *) is emitted when the person
 * presses "Use These Settings"; the dialog then closes. Closing it cancels what runs. */
PostaciDiscoveryDialog *postaci_discovery_dialog_new      (GtkWindow       *parent,
                                                           const char      *query,
                                                           const char      *host,
                                                           guint            port,
                                                           PostaciSecurity  security,
                                                           const char      *ca_file);
/* The search under way or finished, NULL before the first. (transfer none) */
PostaciDiscovery       *postaci_discovery_dialog_get_discovery (PostaciDiscoveryDialog *self);
/* The result of the last search, NULL while it runs. (transfer none) */
const PostaciRecommendation *postaci_discovery_dialog_get_recommendation (PostaciDiscoveryDialog *self);

G_END_DECLS
