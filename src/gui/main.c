/* SPDX-License-Identifier: GPL-3.0-or-later */
/* main.c — postaci: the Postacı desktop application. */
#define G_LOG_DOMAIN "postaci-gui"

#include "config.h"

#include <gtk/gtk.h>

#include "postaci-application.h"
#include "postaci-locale.h"

int
main (int argc, char **argv)
{
  g_autoptr(PostaciApplication) application = NULL;

  /* Before anything is translated, including the --help text; --lang is read from argv here. */
  postaci_locale_init ("postaci", postaci_locale_find_lang_option (argc, argv));
  /* The locale is set: GTK must not set it again, or --lang tr in the C locale is undone. */
  gtk_disable_setlocale ();

  application = postaci_application_new (G_APPLICATION_DEFAULT_FLAGS);
  return g_application_run (G_APPLICATION (application), argc, argv);
}
