/* SPDX-License-Identifier: GPL-3.0-or-later */
/* postaci-combo-row-choices.h — a combo row whose list shows every choice whole, wrapped. */
#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

/* Gives @row (with a GtkStringList model) a list whose choices wrap instead of ending in "…",
 * with the check mark on the chosen one, as AdwComboRow's own list has. */
void postaci_combo_row_show_whole_choices (AdwComboRow *row);

G_END_DECLS
