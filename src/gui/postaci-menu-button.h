/* SPDX-License-Identifier: GPL-3.0-or-later */
/* postaci-menu-button.h — a menu button whose popover is built the first time it opens. */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

/*
 * A GtkMenuButton given a menu model builds its GtkPopoverMenu at once, every item a widget;
 * the window's three menus cost its first frame about 14 ms (README, "Benchmarks"). This
 * gives @button @menu when it first opens (a click, F10 for the primary menu,
 * gtk_menu_button_popup()); changes to @menu before then show when it opens.
 */
void        postaci_menu_button_set_menu_on_demand (GtkMenuButton *button,
                                                    GMenuModel    *menu);
/* (transfer none) The menu of @button, whether it has opened yet or not. */
GMenuModel *postaci_menu_button_get_menu           (GtkMenuButton *button);

G_END_DECLS
