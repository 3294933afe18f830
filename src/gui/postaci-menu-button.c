/* SPDX-License-Identifier: GPL-3.0-or-later */
/* postaci-menu-button.c — a menu button whose popover is built the first time it opens. */
#define G_LOG_DOMAIN "postaci-gui"

#include "config.h"

#include "postaci-menu-button.h"

#define MENU_KEY "postaci-menu-on-demand"

/* GtkMenuButton calls this each time before it opens; the popover is made once. */
static void
create_popup_cb (GtkMenuButton *button, gpointer user_data)
{
  if (gtk_menu_button_get_menu_model (button) == NULL)
    gtk_menu_button_set_menu_model (button, G_MENU_MODEL (user_data));
}

void
postaci_menu_button_set_menu_on_demand (GtkMenuButton *button, GMenuModel *menu)
{
  g_return_if_fail (GTK_IS_MENU_BUTTON (button));
  g_return_if_fail (G_IS_MENU_MODEL (menu));

  g_object_set_data_full (G_OBJECT (button), MENU_KEY, g_object_ref (menu), g_object_unref);
  gtk_menu_button_set_create_popup_func (button, create_popup_cb, g_object_ref (menu),
                                         g_object_unref);
}

GMenuModel *
postaci_menu_button_get_menu (GtkMenuButton *button)
{
  GMenuModel *menu;

  g_return_val_if_fail (GTK_IS_MENU_BUTTON (button), NULL);

  menu = g_object_get_data (G_OBJECT (button), MENU_KEY);
  return menu != NULL ? menu : gtk_menu_button_get_menu_model (button);
}
