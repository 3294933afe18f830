/* SPDX-License-Identifier: GPL-3.0-or-later */
/* postaci-discovery-report.h — what discovery found, as text, ANSI colour or JSON Lines. */
#pragma once

#include "postaci-discovery.h"
#include "postaci-transcript.h"

G_BEGIN_DECLS

/* Each returns complete lines ending in "\n". A source still running gives "". */
char *postaci_discovery_format_source         (const PostaciDiscoverySource *source,
                                               PostaciTranscriptFormat       format);
/* JSONL only: one "endpoint" object (text shows endpoints in the table). */
char *postaci_discovery_format_endpoint       (const PostaciEndpoint        *endpoint);
/* Text: the table of every endpoint probed, one row each, and a note per problem. */
char *postaci_discovery_format_table          (GPtrArray                    *endpoints,
                                               gboolean                      ansi);
/* The recommendation, last: a "recommendation" object when one was found, then an "outcome"
 * object unless the status is FOUND. */
char *postaci_discovery_format_recommendation (const PostaciRecommendation  *recommendation,
                                               PostaciTranscriptFormat       format);
/* "SSL/TLS", "STARTTLS" or "None", translated as in the form. */
const char *postaci_discovery_security_label  (PostaciSecurity               security);

G_END_DECLS
