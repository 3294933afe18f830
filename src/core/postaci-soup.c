/* SPDX-License-Identifier: GPL-3.0-or-later */
/* postaci-soup.c — libsoup, opened on first use: a run that fetches nothing never loads it. */
#define G_LOG_DOMAIN "postaci-soup"

#include "config.h"

#include <dlfcn.h>
#include <glib/gi18n-lib.h>

#include "postaci-soup.h"

static PostaciSoup soup;
static char       *load_error; /* why it could not be opened, said again to every caller */

static gpointer
load (gpointer data)
{
  static const struct
  {
    const char *name;
    gsize       offset;
  } symbols[] = {
#define SYMBOL(field) { "soup_" #field, G_STRUCT_OFFSET (PostaciSoup, field) }
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
  /* Never closed: its types stay registered with GObject for the life of the process. */
  void *library = dlopen (SOUP_LIBRARY, RTLD_NOW | RTLD_LOCAL);

  if (library == NULL)
    {
      load_error = g_strdup (dlerror ());
      return NULL;
    }
  for (guint i = 0; i < G_N_ELEMENTS (symbols); i++)
    {
      void *function = dlsym (library, symbols[i].name);

      if (function == NULL)
        {
          load_error = g_strdup (dlerror ());
          return NULL;
        }
      G_STRUCT_MEMBER (void *, &soup, symbols[i].offset) = function;
    }
  return &soup;
}

const PostaciSoup *
postaci_soup_get (GError **error)
{
  static GOnce       once = G_ONCE_INIT;
  const PostaciSoup *loaded = g_once (&once, load, NULL);

  if (loaded == NULL)
    /* Translators: %s is the library's file name, then the system's reason */
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                 _ ("The web requests need %s, which could not be loaded: %s"), SOUP_LIBRARY,
                 load_error);
  return loaded;
}
