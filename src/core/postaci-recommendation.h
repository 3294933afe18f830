/* SPDX-License-Identifier: GPL-3.0-or-later */
/* postaci-recommendation.h — which probed endpoint to use, and what is wrong with the others. */
#pragma once

#include "postaci-discovery.h"

G_BEGIN_DECLS

/* Probed, greeted, TLS with a certificate valid for the name, and AUTH offered inside TLS. */
gboolean               postaci_endpoint_is_usable      (const PostaciEndpoint *endpoint);
/* Connected and heard something: a greeting, a TLS handshake or a reply. */
gboolean               postaci_endpoint_answered       (const PostaciEndpoint *endpoint);

/* The best endpoint of @endpoints (PostaciEndpoint *): the hosts named by the most
 * authoritative source first (SRV, then autoconfig, the ISPDB, unverified autoconfig, guesses
 * and the form, MX last); on that host implicit TLS before STARTTLS (RFC 8314 §3), submission
 * ports before 25, then the order the sources gave. Only usable endpoints when @usable_only,
 * otherwise only those that answered. NULL when there is none. */
const PostaciEndpoint *postaci_recommendation_choose   (GPtrArray             *endpoints,
                                                        gboolean               usable_only);

/* Why @endpoint is not usable, in one translated sentence; NULL when it is usable. */
char                  *postaci_endpoint_describe_problem (const PostaciEndpoint *endpoint);

/* What is wrong with the form's @host, @port and @security, in one translated sentence, judged
 * from the probe of that endpoint in @endpoints; NULL when nothing is wrong or it was not probed. */
char                  *postaci_recommendation_judge_form (GPtrArray             *endpoints,
                                                          const char            *host,
                                                          guint                  port,
                                                          PostaciSecurity        security);

G_END_DECLS
