/* SPDX-License-Identifier: GPL-3.0-or-later */
/* postaci-catalog-private.h — what the catalog's files share; private to postaci-catalog*.c.
 *
 * The catalog is mostly translatable tables, one file each: postaci-catalog-reply-codes.c
 * (basic reply codes, alone and after a command), postaci-catalog-enhanced-codes.c (RFC 3463),
 * postaci-catalog-situations.c (known situations found in a reply's text) and
 * postaci-catalog-failures.c (failures that are not replies). postaci-catalog.c puts a reply's
 * explanation together. A certificate's problems are worded in postaci-certificate.c, in one
 * table with their phrases and transcript sentences. */
#pragma once

#include <glib.h>

#include "postaci-catalog.h"

G_BEGIN_DECLS

/* A text marked in a table (not translated there) in the run's language. */
#define T(msgid) g_dgettext (GETTEXT_PACKAGE, (msgid))

/* Adds an already translated sentence, separated from the one before by a space. */
void        _postaci_catalog_append_sentence     (GString           *out,
                                                  const char        *sentence);
/* The translated entry @index of a table of marked texts, or NULL when it has none. */
const char *_postaci_catalog_lookup_table        (const char *const *table,
                                                  gsize              n_entries,
                                                  guint              index);

/* What @code means after @command (the greeting: POSTACI_COMMAND_NONE), added to @out. */
void        _postaci_catalog_append_code_meaning (GString           *out,
                                                  guint              code,
                                                  PostaciCommand     command);
/* What to try after @code; NULL for a positive code. */
const char *_postaci_catalog_code_hint           (guint              code,
                                                  PostaciCommand     command);

/* A known situation: what it adds to the explanation, and what to try (both marked in the
 * table, not yet translated). */
typedef struct {
  const char *text; /* added to the explanation */
  const char *hint;
} PostaciCatalogSituation;

/* The known situation that a failing reply matches, or NULL (always NULL for a positive one). */
const PostaciCatalogSituation *_postaci_catalog_find_situation (const PostaciReply *reply,
                                                                PostaciCommand      command);

G_END_DECLS
