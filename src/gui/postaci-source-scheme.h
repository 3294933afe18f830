/* SPDX-License-Identifier: GPL-3.0-or-later */
/* postaci-source-scheme.h — an HTML view whose colours follow the light or dark style. */
#pragma once

#include <gtksourceview/gtksource.h>

G_BEGIN_DECLS

/* Gives @view's buffer the Adwaita scheme, or Adwaita-dark, now and whenever the style changes
 * (for as long as @view lives). */
void postaci_source_view_follow_style (GtkSourceView *view);

/*
 * GtkSourceView makes a view's GtkSourceBuffer as it makes the view, and the buffer asks for
 * the default style scheme: the scheme manager then parses every scheme installed (12 XML
 * files on Debian 12) before the window's first frame, for a scheme that
 * postaci_source_view_follow_style() replaces anyway. Between these two calls the manager
 * looks nowhere, so a view made meanwhile starts with no scheme (the theme's own colours);
 * the second call gives it back its usual places, read again when a scheme is asked for.
 */
void postaci_source_schemes_hold    (void);
void postaci_source_schemes_release (void);

G_END_DECLS
