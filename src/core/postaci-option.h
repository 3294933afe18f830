/* SPDX-License-Identifier: GPL-3.0-or-later */
/* postaci-option.h — the options of a test that postaci-cli and the window's command line share:
 * one table of names, help texts and value checks, with the words of each error said once. */
#pragma once

#include <glib.h>

#include "postaci-types.h"

G_BEGIN_DECLS

/* In the order --help lists them. */
typedef enum {
  POSTACI_OPTION_SERVER,
  POSTACI_OPTION_PORT,
  POSTACI_OPTION_SECURITY,
  POSTACI_OPTION_USER,
  POSTACI_OPTION_PASSWORD_FILE,
  POSTACI_OPTION_AUTH,
  POSTACI_OPTION_ALLOW_PLAIN_AUTH,
  POSTACI_OPTION_FROM,
  POSTACI_OPTION_TO,
  POSTACI_OPTION_SUBJECT,
  POSTACI_OPTION_HTML,
  POSTACI_OPTION_HTML_FILE,
  POSTACI_OPTION_TEXT,
  POSTACI_OPTION_ATTACH,
  POSTACI_OPTION_SIZE,
  POSTACI_OPTION_EHLO,
  POSTACI_OPTION_STOP_AFTER,
  POSTACI_OPTION_NO_PIPELINING,
  POSTACI_OPTION_TIMEOUT,
  POSTACI_OPTION_CA_FILE,
  POSTACI_OPTION_INSECURE,
  POSTACI_N_OPTIONS,
} PostaciOptionId;

/* What an option's value is, and so how postaci_option_parse() checks it. */
typedef enum {
  POSTACI_OPTION_VALUE_TEXT,      /* any text (the request's validation checks it later) */
  POSTACI_OPTION_VALUE_FILE,      /* a file name */
  POSTACI_OPTION_VALUE_TEXT_LIST, /* repeatable text */
  POSTACI_OPTION_VALUE_FILE_LIST, /* repeatable file name */
  POSTACI_OPTION_VALUE_FLAG,      /* no value */
  POSTACI_OPTION_VALUE_PORT,      /* guint, 1 to 65535 */
  POSTACI_OPTION_VALUE_SECURITY,  /* PostaciSecurity */
  POSTACI_OPTION_VALUE_MECHANISM, /* PostaciMechanism */
  POSTACI_OPTION_VALUE_STAGE,     /* PostaciStage that a run can stop after (not quit) */
  POSTACI_OPTION_VALUE_SECONDS,   /* guint, 1 to POSTACI_MAX_TIMEOUT_SECONDS */
  POSTACI_OPTION_VALUE_SIZE,      /* guint64, bytes with an optional K, M or G */
} PostaciOptionValue;

typedef struct {
  PostaciOptionId     id;
  const char         *name;            /* the long name, without "--" */
  PostaciOptionValue  value;
  const char         *description;     /* untranslated: show it through gettext */
  const char         *arg_description; /* untranslated; NULL for a flag */
} PostaciOption;

const PostaciOption *postaci_option_get   (PostaciOptionId  id);

/* The GOptionEntry of @id, its value stored in @arg_data (NULL for GApplication's main
 * options, which put it in a GVariantDict). Checked values are taken as text, so that a wrong
 * one gets postaci_option_parse()'s words rather than GOption's. */
GOptionEntry         postaci_option_entry (PostaciOptionId  id,
                                           gpointer         arg_data);

/* Checks @text as option @id's value and stores it in @value: a guint for a port or seconds,
 * a PostaciSecurity, PostaciMechanism, PostaciStage, a guint64 for a size. Options of any text
 * are taken as they are (@value untouched). Errors: G_OPTION_ERROR_BAD_VALUE, a translated
 * message naming the option and what it takes. */
gboolean             postaci_option_parse (PostaciOptionId  id,
                                           const char      *text,
                                           gpointer         value,
                                           GError         **error);

G_END_DECLS
