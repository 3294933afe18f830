/* SPDX-License-Identifier: GPL-3.0-or-later */
/* postaci-catalog.c — a reply explained (its code, enhanced code and known situation together),
 * and the verdict. The tables it draws on: see postaci-catalog-private.h. */
#define G_LOG_DOMAIN "postaci-catalog"

#include "config.h"

#include <string.h>
#include <glib/gi18n-lib.h>

#include "postaci-catalog-private.h"

/* ------------------------------------------------------------------------------------------ */
/* Small helpers, shared by the catalog's files                                              */
/* ------------------------------------------------------------------------------------------ */

/* Adds an already translated sentence, separated from the one before by a space. */
void
_postaci_catalog_append_sentence (GString *out, const char *sentence)
{
  if (sentence == NULL || *sentence == '\0')
    return;
  if (out->len > 0)
    g_string_append_c (out, ' ');
  g_string_append (out, sentence);
}

const char *
_postaci_catalog_lookup_table (const char *const *table, gsize n_entries, guint index)
{
  if (index >= n_entries || table[index] == NULL)
    return NULL;
  return T (table[index]);
}

/* ------------------------------------------------------------------------------------------ */
/* Replies                                                                                    */
/* ------------------------------------------------------------------------------------------ */

/* A positive reply is explained by its basic code alone, and X.0.0 says nothing new. */
static gboolean
enhanced_adds_something (const PostaciReply *reply)
{
  if (!postaci_reply_has_enhanced (reply) || postaci_reply_is_positive (reply))
    return FALSE;
  return reply->enhanced[1] != 0 || reply->enhanced[2] != 0;
}

static void
append_enhanced (GString *out, const PostaciReply *reply)
{
  g_autofree char *enhanced = postaci_catalog_explain_enhanced (reply->enhanced[0],
                                                                reply->enhanced[1],
                                                                reply->enhanced[2]);
  _postaci_catalog_append_sentence (out, enhanced);
}

char *
postaci_catalog_explain_reply (const PostaciReply *reply,
                               PostaciCommand      command,
                               char              **hint)
{
  g_autoptr(GString) out = NULL;
  const PostaciCatalogSituation *situation;

  if (hint != NULL)
    *hint = NULL;
  g_return_val_if_fail (reply != NULL, g_strdup (""));

  out = g_string_new (NULL);
  situation = _postaci_catalog_find_situation (reply, command);

  /* Each thing said once: a known situation is the most exact reading of the reply, and the
   * code's general meaning and the registry's words for the enhanced code would only say it
   * again, less exactly. The reply itself, with its codes, is shown beside the explanation. */
  if (situation != NULL)
    _postaci_catalog_append_sentence (out, T (situation->text));
  else
    {
      _postaci_catalog_append_code_meaning (out, reply->code, command);
      if (enhanced_adds_something (reply))
        append_enhanced (out, reply);
    }

  if (hint != NULL && !postaci_reply_is_positive (reply))
    *hint = g_strdup (situation != NULL ? T (situation->hint)
                                        : _postaci_catalog_code_hint (reply->code, command));
  return g_string_free (g_steal_pointer (&out), FALSE);
}

/* ------------------------------------------------------------------------------------------ */
/* The verdict                                                                                */
/* ------------------------------------------------------------------------------------------ */

static char *
what_happened (const PostaciOutcome *outcome)
{
  const char *stage = postaci_stage_get_label (outcome->stage < POSTACI_N_STAGES
                                               ? outcome->stage : POSTACI_STAGE_CONNECT);

  switch (outcome->verdict)
    {
    case POSTACI_VERDICT_SUCCESS:
      if (outcome->stage >= POSTACI_STAGE_DATA && outcome->recipients_accepted > 0)
        return g_strdup (_("The test reached its goal: every step worked, and the server took "
                           "the message."));
      /* Translators: %s is a stage of the run, for example “RCPT”. */
      return g_strdup_printf (_("Every step up to “%s” worked."), stage);
    case POSTACI_VERDICT_REFUSED:
      if (outcome->reply != NULL)
        /* Translators: %s is a stage of the run, %u a reply code such as 550. */
        return g_strdup_printf (_("The server refused the run at the “%s” step with reply %u."),
                                stage, outcome->reply->code);
      /* Translators: %s is a stage of the run, for example “MAIL”. */
      return g_strdup_printf (_("The server refused the run at the “%s” step."), stage);
    case POSTACI_VERDICT_NETWORK:
      /* Translators: %s is a stage of the run, for example “Connect”. */
      return g_strdup_printf (_("The network connection to the server failed at the “%s” step."),
                              stage);
    case POSTACI_VERDICT_TLS:
      return g_strdup (_("The encrypted connection (TLS) could not be set up."));
    case POSTACI_VERDICT_PROTOCOL:
      /* Translators: %s is a stage of the run, for example “AUTH”. */
      return g_strdup_printf (_("The run stopped at the “%s” step: the server broke the SMTP "
                                "rules, or going on would not have been safe."), stage);
    case POSTACI_VERDICT_TIMEOUT:
      /* Translators: %s is a stage of the run, for example “Greeting”. */
      return g_strdup_printf (_("The server did not answer in time at the “%s” step."), stage);
    case POSTACI_VERDICT_CANCELLED:
      return g_strdup (_("The run was stopped before it finished."));
    case POSTACI_VERDICT_PARTIAL:
      /* Translators: %u of %u recipients, e.g. “1 of 2” */
      return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                           "The server refused %u of %u recipient.",
                                           "The server refused %u of %u recipients.",
                                           outcome->recipients_accepted +
                                           outcome->recipients_refused),
                              outcome->recipients_refused,
                              outcome->recipients_accepted + outcome->recipients_refused);
    case POSTACI_VERDICT_USAGE:
    default:
      return g_strdup (_("Nothing was sent: a value in the form is not valid."));
    }
}

static const char *
what_to_try (const PostaciOutcome *outcome)
{
  switch (outcome->verdict)
    {
    case POSTACI_VERDICT_SUCCESS:
      if (outcome->stage >= POSTACI_STAGE_DATA && outcome->recipients_accepted > 0)
        return _("That is not yet proof of delivery: look for the message in the recipient's "
                 "inbox and spam folder.");
      return _("To send a real message, set “How far to go” to “Send the message”.");
    case POSTACI_VERDICT_CANCELLED:
      return _("Run the test again when you are ready.");
    case POSTACI_VERDICT_PARTIAL:
      return _("Read the server's answer to each refused address, correct them, and send "
               "again to those recipients.");
    case POSTACI_VERDICT_USAGE:
      return _("Correct the value named above and run the test again.");
    default:
      return outcome->hint != NULL && *outcome->hint != '\0'
             ? outcome->hint
             : _("Read the explanations above, correct the setting they name, and run the test "
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
  GString *out;

  g_return_val_if_fail (outcome != NULL, g_strdup (""));

  happened = what_happened (outcome);
  out = g_string_new (happened);
  _postaci_catalog_append_sentence (out, what_to_try (outcome));
  return g_string_free (out, FALSE);
}
