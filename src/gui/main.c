/* main.c — postaci: the Postacı desktop application. */
#define G_LOG_DOMAIN "postaci-gui"

#include "config.h"

#include <locale.h>
#include <glib/gi18n.h>

#include "postaci-application.h"

int
main (int argc, char **argv)
{
  g_autoptr(PostaciApplication) application = NULL;
  const char *localedir = g_getenv ("POSTACI_LOCALEDIR");

  /* Before anything is translated, including the --help text. */
  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, localedir != NULL ? localedir : LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  application = postaci_application_new (G_APPLICATION_DEFAULT_FLAGS);
  return g_application_run (G_APPLICATION (application), argc, argv);
}
