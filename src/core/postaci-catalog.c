/* SPDX-License-Identifier: GPL-3.0-or-later */
/* postaci-catalog.c — a reply explained (its code, enhanced code and known situation together),
 * the tables it draws on: see postaci-catalog-private.h. The verdict is worded in
 * postaci-verdict.c. */
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
  g_autofree char *enhanced =
    postaci_catalog_explain_enhanced (reply->enhanced[0], reply->enhanced[1], reply->enhanced[2]);
  _postaci_catalog_append_sentence (out, enhanced);
}

char *
postaci_catalog_explain_reply (const PostaciReply *reply, PostaciCommand command, char **hint)
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
