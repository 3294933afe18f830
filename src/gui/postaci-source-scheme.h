/* SPDX-License-Identifier: GPL-3.0-or-later */
/* postaci-source-scheme.h — an HTML view whose colours follow the light or dark style. */
#pragma once

#include <gtksourceview/gtksource.h>

G_BEGIN_DECLS

/* Gives @view's buffer the Adwaita scheme, or Adwaita-dark, now and whenever the style changes
 * (for as long as @view lives). */
void postaci_source_view_follow_style (GtkSourceView *view);

G_END_DECLS
