/* SPDX-License-Identifier: GPL-3.0-or-later */
/* postaci-discovery-test.h — the test hook of PostaciDiscovery; not for front ends. */
#pragma once

#include "postaci-discovery.h"

G_BEGIN_DECLS

/* URL templates with %DOMAIN% and %ADDRESS%: @https (NULL-terminated) are fetched first,
 * @ispdb next to them, @http only when none of those gave a server. NULL keeps a default. */
void postaci_discovery_set_urls (PostaciDiscovery  *self,
                                 const char *const *https,
                                 const char        *ispdb,
                                 const char *const *http);

G_END_DECLS
