/* SPDX-License-Identifier: GPL-3.0-or-later */
/* postaci-verdict.c — the verdict in words: its line, its title, and the sentences that say what
 * happened and what to try. */
#define G_LOG_DOMAIN "postaci-verdict"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "postaci-catalog-private.h"
#include "postaci-verdict.h"

char *
postaci_outcome_get_verdict_line (const PostaciOutcome *outcome)
{
  g_return_val_if_fail (outcome != NULL, NULL);

  if (outcome->verdict == POSTACI_VERDICT_SUCCESS)
    /* Translators: the last line of a successful run; %s says what was reached */
    return g_strdup_printf (_ ("Result: success. %s"), outcome->reason);
  if (outcome->verdict == POSTACI_VERDICT_CANCELLED)
    /* Translators: the last line of a cancelled run; %s says during which stage */
    return g_strdup_printf (_ ("Result: cancelled. %s"), outcome->reason);
  if (outcome->verdict == POSTACI_VERDICT_PARTIAL)
    /* Translators: the last line of a run that reached only some recipients */
    return g_strdup_printf (_ ("Result: partial. %s"), outcome->reason);
  /* Translators: the last line of a failed run; %s is the one-line reason */
  return g_strdup_printf (_ ("Result: failed. %s"), outcome->reason);
}

char *
postaci_outcome_get_verdict_title (const PostaciOutcome *outcome)
{
  const char *label;

  g_return_val_if_fail (outcome != NULL, NULL);

  label = postaci_stage_get_label (outcome->stage);
  switch (outcome->verdict)
    {
    case POSTACI_VERDICT_SUCCESS:
      return g_strdup (_ ("Success"));
    case POSTACI_VERDICT_REFUSED:
      /* Translators: the verdicts after a run; %s is the stage, such as “MAIL” or “Connect” */
      return g_strdup_printf (_ ("The server refused at %s"), label);
    case POSTACI_VERDICT_NETWORK:
      return g_strdup_printf (_ ("Could not reach the server (%s)"), label);
    case POSTACI_VERDICT_TLS:
      return g_strdup_printf (_ ("The secure connection failed at %s"), label);
    case POSTACI_VERDICT_PROTOCOL:
      return g_strdup_printf (_ ("The conversation broke down at %s"), label);
    case POSTACI_VERDICT_TIMEOUT:
      return g_strdup_printf (_ ("No answer in time at %s"), label);
    case POSTACI_VERDICT_CANCELLED:
      return g_strdup_printf (_ ("Cancelled at %s"), label);
    case POSTACI_VERDICT_PARTIAL:
      return g_strdup (_ ("Sent, but not to every recipient"));
    case POSTACI_VERDICT_USAGE:
    default:
      return g_strdup (_ ("Nothing was sent: check the form"));
    }
}

static char *
what_happened (const PostaciOutcome *outcome)
{
  const char *stage = postaci_stage_get_label (
    outcome->stage < POSTACI_N_STAGES ? outcome->stage : POSTACI_STAGE_CONNECT);

  switch (outcome->verdict)
    {
    case POSTACI_VERDICT_SUCCESS:
      if (outcome->stage >= POSTACI_STAGE_DATA && outcome->recipients_accepted > 0)
        return g_strdup (_ ("The test reached its goal: every step worked, and the server took "
                            "the message."));
      /* Translators: %s is a stage of the run, for example “RCPT”. */
      return g_strdup_printf (_ ("Every step up to “%s” worked."), stage);
    case POSTACI_VERDICT_REFUSED:
      if (outcome->reply != NULL)
        /* Translators: %s is a stage of the run, %u a reply code such as 550. */
        return g_strdup_printf (_ ("The server refused the run at the “%s” step with reply %u."),
                                stage, outcome->reply->code);
      /* Translators: %s is a stage of the run, for example “MAIL”. */
      return g_strdup_printf (_ ("The server refused the run at the “%s” step."), stage);
    case POSTACI_VERDICT_NETWORK:
      /* Translators: %s is a stage of the run, for example “Connect”. */
      return g_strdup_printf (_ ("The network connection to the server failed at the “%s” step."),
                              stage);
    case POSTACI_VERDICT_TLS:
      return g_strdup (_ ("The encrypted connection (TLS) could not be set up."));
    case POSTACI_VERDICT_PROTOCOL:
      /* Translators: %s is a stage of the run, for example “AUTH”. */
      return g_strdup_printf (_ ("The run stopped at the “%s” step: the server broke the SMTP "
                                 "rules, or going on would not have been safe."),
                              stage);
    case POSTACI_VERDICT_TIMEOUT:
      /* Translators: %s is a stage of the run, for example “Greeting”. */
      return g_strdup_printf (_ ("The server did not answer in time at the “%s” step."), stage);
    case POSTACI_VERDICT_CANCELLED:
      return g_strdup (_ ("The run was stopped before it finished."));
    case POSTACI_VERDICT_PARTIAL:
      /* Translators: %u of %u recipients, e.g. “1 of 2” */
      return g_strdup_printf (
        g_dngettext (GETTEXT_PACKAGE, "The server refused %u of %u recipient.",
                     "The server refused %u of %u recipients.",
                     outcome->recipients_accepted + outcome->recipients_refused),
        outcome->recipients_refused, outcome->recipients_accepted + outcome->recipients_refused);
    case POSTACI_VERDICT_USAGE:
    default:
      return g_strdup (_ ("Nothing was sent: a value in the form is not valid."));
    }
}

static const char *
what_to_try (const PostaciOutcome *outcome)
{
  switch (outcome->verdict)
    {
    case POSTACI_VERDICT_SUCCESS:
      if (outcome->stage >= POSTACI_STAGE_DATA && outcome->recipients_accepted > 0)
        return _ ("That is not yet proof of delivery: look for the message in the recipient's "
                  "inbox and spam folder.");
      return _ ("To send a real message, set “How far to go” to “Send the message”.");
    case POSTACI_VERDICT_CANCELLED:
      return _ ("Run the test again when you are ready.");
    case POSTACI_VERDICT_PARTIAL:
      return _ ("Read the server's answer to each refused address, correct them, and send "
                "again to those recipients.");
    case POSTACI_VERDICT_USAGE:
      return _ ("Correct the value named above and run the test again.");
    default:
      return outcome->hint != NULL && *outcome->hint != '\0'
               ? outcome->hint
               : _ ("Read the explanations above, correct the setting they name, and run the test "
                    "again.");
    }
}

char *
postaci_catalog_describe_outcome (const PostaciOutcome *outcome)
{
  g_return_val_if_fail (outcome != NULL, g_strdup (""));
  return what_happened (outcome);
}

const char *
postaci_catalog_advise_outcome (const PostaciOutcome *outcome)
{
  g_return_val_if_fail (outcome != NULL, "");
  return what_to_try (outcome);
}

char *
postaci_catalog_summarize_outcome (const PostaciOutcome *outcome)
{
  g_autofree char *happened = NULL;
  GString         *out;

  g_return_val_if_fail (outcome != NULL, g_strdup (""));

  happened = what_happened (outcome);
  out = g_string_new (happened);
  _postaci_catalog_append_sentence (out, what_to_try (outcome));
  return g_string_free (out, FALSE);
}
