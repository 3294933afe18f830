/* SPDX-License-Identifier: GPL-3.0-or-later */
/* postaci-soup.c — libsoup, opened on first use: a run that fetches nothing never loads it. */
#define G_LOG_DOMAIN "postaci-soup"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "postaci-gnutls.h"
#include "postaci-library.h"
#include "postaci-soup.h"

static PostaciSoup soup;
static char       *load_error; /* why it could not be opened, said again to every caller */

static gpointer
load (gpointer data)
{
  static const PostaciLibrarySymbol symbols[] = {
#define SYMBOL(field) POSTACI_LIBRARY_SYMBOL (PostaciSoup, "soup_", field)
    SYMBOL (session_new_with_options),
    SYMBOL (session_set_tls_database),
    SYMBOL (session_send_async),
    SYMBOL (session_send_finish),
    SYMBOL (message_new),
    SYMBOL (message_get_status),
    SYMBOL (message_get_reason_phrase),
    SYMBOL (message_get_response_headers),
    SYMBOL (message_get_uri),
    SYMBOL (message_headers_get_content_length),
#undef SYMBOL
  };

  if (!postaci_library_load (SOUP_LIBRARY, symbols, G_N_ELEMENTS (symbols), &soup, &load_error))
    return NULL;
  /* Every fetch is HTTPS: GIO's TLS backend comes next. */
  postaci_gnutls_hold ();
  return &soup;
}

const PostaciSoup *
postaci_soup_get (GError **error)
{
  static GOnce       once = G_ONCE_INIT;
  const PostaciSoup *loaded = g_once (&once, load, NULL);

  if (loaded == NULL)
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                 /* Translators: %s is the library's file name, then the system's reason */
                 _ ("The web requests need %s, which could not be loaded: %s"), SOUP_LIBRARY,
                 load_error);
  return loaded;
}
