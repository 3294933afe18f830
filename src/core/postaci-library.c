/* SPDX-License-Identifier: GPL-3.0-or-later */
/* postaci-library.c — a shared library opened on first use, its functions found by name. */
#define G_LOG_DOMAIN "postaci-library"

#include "config.h"

#include <dlfcn.h>

#include "postaci-library.h"

gboolean
postaci_library_load (const char *file, const PostaciLibrarySymbol *symbols, gsize n_symbols,
                      gpointer functions, char **reason)
{
  void *library;

  g_return_val_if_fail (file != NULL, FALSE);
  g_return_val_if_fail (functions != NULL, FALSE);

  library = dlopen (file, RTLD_NOW | RTLD_LOCAL);
  if (library == NULL)
    {
      *reason = g_strdup (dlerror ());
      return FALSE;
    }
  for (gsize i = 0; i < n_symbols; i++)
    {
      void *function = dlsym (library, symbols[i].name);

      if (function == NULL)
        {
          *reason = g_strdup (dlerror ());
          return FALSE;
        }
      G_STRUCT_MEMBER (void *, functions, symbols[i].offset) = function;
    }
  g_debug ("%s opened", file);
  return TRUE;
}
