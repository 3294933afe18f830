/* SPDX-License-Identifier: GPL-3.0-or-later */
/* postaci-combo-row-choices.c — whole choices in a combo row's list: AdwComboRow 1.2 cuts each
 * to 20 characters, exactly where "Fail on purpose" and "How far to go" explain themselves. */
#define G_LOG_DOMAIN "postaci-gui"

#include "config.h"

#include "postaci-combo-row-choices.h"

/* Wide enough for most choices on one line, in English and in Turkish; longer ones wrap. */
#define CHOICE_WIDTH_CHARS 44

static void
update_check (AdwComboRow *row, GParamSpec *pspec, GtkListItem *item)
{
  GtkWidget *check = gtk_widget_get_last_child (gtk_list_item_get_child (item));

  gtk_widget_set_opacity (check,
                          adw_combo_row_get_selected_item (row) == gtk_list_item_get_item (item));
}

static void
setup_cb (GtkSignalListItemFactory *factory, GtkListItem *item, AdwComboRow *row)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  GtkWidget *label =
    g_object_new (GTK_TYPE_LABEL, "xalign", 0.0f, "wrap", TRUE, "wrap-mode", PANGO_WRAP_WORD_CHAR,
                  "max-width-chars", CHOICE_WIDTH_CHARS, "width-chars", 20, "hexpand", TRUE, NULL);
  GtkWidget *check =
    g_object_new (GTK_TYPE_IMAGE, "icon-name", "object-select-symbolic", "accessible-role",
                  GTK_ACCESSIBLE_ROLE_PRESENTATION, "valign", GTK_ALIGN_CENTER, NULL);

  gtk_box_append (GTK_BOX (box), label);
  gtk_box_append (GTK_BOX (box), check);
  gtk_list_item_set_child (item, box);
}

static void
bind_cb (GtkSignalListItemFactory *factory, GtkListItem *item, AdwComboRow *row)
{
  GtkWidget       *box = gtk_list_item_get_child (item);
  GtkStringObject *choice = gtk_list_item_get_item (item);

  gtk_label_set_text (GTK_LABEL (gtk_widget_get_first_child (box)),
                      gtk_string_object_get_string (choice));
  g_signal_connect (row, "notify::selected-item", G_CALLBACK (update_check), item);
  update_check (row, NULL, item);
}

static void
unbind_cb (GtkSignalListItemFactory *factory, GtkListItem *item, AdwComboRow *row)
{
  g_signal_handlers_disconnect_by_func (row, update_check, item);
}

void
postaci_combo_row_show_whole_choices (AdwComboRow *row)
{
  g_autoptr(GtkListItemFactory) factory = gtk_signal_list_item_factory_new ();

  g_return_if_fail (ADW_IS_COMBO_ROW (row));

  /* The row outlives its list's items: no reference, or the two would keep each other. */
  g_signal_connect (factory, "setup", G_CALLBACK (setup_cb), row);
  g_signal_connect (factory, "bind", G_CALLBACK (bind_cb), row);
  g_signal_connect (factory, "unbind", G_CALLBACK (unbind_cb), row);
  adw_combo_row_set_list_factory (row, factory);
}
