/* SPDX-License-Identifier: GPL-3.0-or-later */
/* postaci-source-scheme.c — the HTML of the form and of a received message, in the colours of
 * the window's style: GtkSourceView does not follow libadwaita's dark style by itself. */
#define G_LOG_DOMAIN "postaci-gui"

#include "config.h"

#include <adwaita.h>

#include "postaci-source-scheme.h"

static void
update_scheme (GtkSourceView *view)
{
  GtkSourceBuffer *buffer = GTK_SOURCE_BUFFER (gtk_text_view_get_buffer (GTK_TEXT_VIEW (view)));
  gboolean         dark = adw_style_manager_get_dark (adw_style_manager_get_default ());
  GtkSourceStyleScheme *scheme = gtk_source_style_scheme_manager_get_scheme (
    gtk_source_style_scheme_manager_get_default (), dark ? "Adwaita-dark" : "Adwaita");

  if (scheme != NULL)
    gtk_source_buffer_set_style_scheme (buffer, scheme);
}

void
postaci_source_schemes_hold (void)
{
  static const char *const nowhere[] = { NULL };

  gtk_source_style_scheme_manager_set_search_path (gtk_source_style_scheme_manager_get_default (),
                                                   nowhere);
}

void
postaci_source_schemes_release (void)
{
  /* NULL: the default places (the user's and the system's data directories). */
  gtk_source_style_scheme_manager_set_search_path (gtk_source_style_scheme_manager_get_default (),
                                                   NULL);
}

void
postaci_source_view_follow_style (GtkSourceView *view)
{
  g_return_if_fail (GTK_SOURCE_IS_VIEW (view));

  update_scheme (view);
  g_signal_connect_object (adw_style_manager_get_default (), "notify::dark",
                           G_CALLBACK (update_scheme), view, G_CONNECT_SWAPPED);
}
