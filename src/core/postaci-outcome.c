/* SPDX-License-Identifier: GPL-3.0-or-later */
/* postaci-outcome.c — the result of a run and its exit status. */
#define G_LOG_DOMAIN "postaci-outcome"

#include "config.h"

#include "postaci-enum-types.h"
#include "postaci-outcome.h"

G_DEFINE_BOXED_TYPE (PostaciOutcome, postaci_outcome, postaci_outcome_copy, postaci_outcome_free)

PostaciOutcome *
postaci_outcome_new (void)
{
  PostaciOutcome *outcome = g_new0 (PostaciOutcome, 1);

  for (guint i = 0; i < POSTACI_N_STAGES; i++)
    outcome->stage_ms[i] = -1;
  return outcome;
}

PostaciOutcome *
postaci_outcome_copy (const PostaciOutcome *outcome)
{
  PostaciOutcome *copy;

  g_return_val_if_fail (outcome != NULL, NULL);
  copy = g_memdup2 (outcome, sizeof *outcome);
  copy->reply = outcome->reply ? postaci_reply_copy (outcome->reply) : NULL;
  copy->reason = g_strdup (outcome->reason);
  copy->explanation = g_strdup (outcome->explanation);
  copy->hint = g_strdup (outcome->hint);
  copy->detail = g_strdup (outcome->detail);
  copy->refused_recipients = g_strdupv (outcome->refused_recipients);
  return copy;
}

void
postaci_outcome_free (PostaciOutcome *outcome)
{
  if (outcome == NULL)
    return;
  g_clear_pointer (&outcome->reply, postaci_reply_free);
  g_free (outcome->reason);
  g_free (outcome->explanation);
  g_free (outcome->hint);
  g_free (outcome->detail);
  g_strfreev (outcome->refused_recipients);
  g_free (outcome);
}

PostaciExitStatus
postaci_outcome_get_exit_status (const PostaciOutcome *outcome)
{
  switch (outcome->verdict)
    {
    case POSTACI_VERDICT_SUCCESS:
      return POSTACI_EXIT_SUCCESS;
    case POSTACI_VERDICT_REFUSED:
      return POSTACI_EXIT_REFUSED;
    case POSTACI_VERDICT_USAGE:
      return POSTACI_EXIT_USAGE;
    case POSTACI_VERDICT_TIMEOUT:
      return POSTACI_EXIT_TIMEOUT;
    case POSTACI_VERDICT_CANCELLED:
      return POSTACI_EXIT_CANCELLED;
    case POSTACI_VERDICT_PARTIAL:
      return POSTACI_EXIT_PARTIAL;
    case POSTACI_VERDICT_NETWORK:
    case POSTACI_VERDICT_TLS:
    case POSTACI_VERDICT_PROTOCOL:
    default:
      return POSTACI_EXIT_FAILURE;
    }
}

/* The verdict's nick, as JSON and the CLI spell it ("success", "refused"…). */
const char *
postaci_verdict_to_string (PostaciVerdict verdict)
{
  return postaci_enum_get_nick (POSTACI_TYPE_VERDICT, (int) verdict);
}

PostaciVerdictTone
postaci_verdict_get_tone (PostaciVerdict verdict)
{
  switch (verdict)
    {
    case POSTACI_VERDICT_SUCCESS:
      return POSTACI_VERDICT_TONE_SUCCESS;
    case POSTACI_VERDICT_CANCELLED:
    case POSTACI_VERDICT_PARTIAL:
      return POSTACI_VERDICT_TONE_WARNING;
    case POSTACI_VERDICT_REFUSED:
    case POSTACI_VERDICT_NETWORK:
    case POSTACI_VERDICT_TLS:
    case POSTACI_VERDICT_PROTOCOL:
    case POSTACI_VERDICT_TIMEOUT:
    case POSTACI_VERDICT_USAGE:
    default:
      return POSTACI_VERDICT_TONE_FAILURE;
    }
}
