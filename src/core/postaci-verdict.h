/* SPDX-License-Identifier: GPL-3.0-or-later */
/* postaci-verdict.h — the verdict in words (postaci-verdict.c): one place words a verdict. */
#pragma once

#include "postaci-outcome.h"

G_BEGIN_DECLS

/* The one-line verdict a person reads last, translated. */
char *postaci_outcome_get_verdict_line  (const PostaciOutcome   *outcome);
/* The verdict's title on its card: what kind of failure, at which stage ("The server refused
 * at MAIL"), translated. */
char *postaci_outcome_get_verdict_title (const PostaciOutcome   *outcome);

/**
 * postaci_catalog_summarize_outcome:
 * @outcome: how a run ended
 *
 * The verdict in the run's language: one sentence that says what happened and one that says
 * what to try (for a success, what the result does and does not prove).
 *
 * Returns: (transfer full): two sentences; never %NULL.
 */
char *postaci_catalog_summarize_outcome (const PostaciOutcome *outcome);

/* The first sentence of the summary: the headline of a run, what happened and where
 * ("The server refused the run at the “AUTH” step with reply 535."). Never NULL. */
char *postaci_catalog_describe_outcome (const PostaciOutcome *outcome);
/* The second: what to try, or for a success what it proves. Never NULL. */
const char *postaci_catalog_advise_outcome (const PostaciOutcome *outcome);

G_END_DECLS
