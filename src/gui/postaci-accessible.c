/* SPDX-License-Identifier: GPL-3.0-or-later */
/* postaci-accessible.c — names for the parts GTK 4.8 and libadwaita 1.2 build inside their
 * widgets. Without one, Orca reads the part's type name ("GtkListView", "GtkSwitch"): newer
 * versions name them from their row, the pinned ones do not (tests/gui/test-accessibility.py). */
#define G_LOG_DOMAIN "postaci-gui"

#include "config.h"

#include "postaci-accessible.h"

static void
set_parts (GtkWidget *root, GType type, GtkAccessibleProperty property, const char *value)
{
  /* Popovers are children of the widget they belong to, so the combo row's list is reached. */
  for (GtkWidget *child = gtk_widget_get_first_child (root); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      if (g_type_is_a (G_OBJECT_TYPE (child), type))
        gtk_accessible_update_property (GTK_ACCESSIBLE (child), property, value, -1);
      set_parts (child, type, property, value);
    }
}

void
postaci_accessible_label_parts (GtkWidget *root, GType type, const char *label)
{
  g_return_if_fail (GTK_IS_WIDGET (root));
  g_return_if_fail (label != NULL);

  set_parts (root, type, GTK_ACCESSIBLE_PROPERTY_LABEL, label);
}

void
postaci_accessible_describe_parts (GtkWidget *root, GType type, const char *description)
{
  g_return_if_fail (GTK_IS_WIDGET (root));
  g_return_if_fail (description != NULL);

  gtk_accessible_update_property (GTK_ACCESSIBLE (root), GTK_ACCESSIBLE_PROPERTY_DESCRIPTION,
                                  description, -1);
  set_parts (root, type, GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, description);
}

void
postaci_accessible_label_row_parts (AdwPreferencesRow *row, GType type)
{
  const char      *title;
  g_autofree char *label = NULL;

  g_return_if_fail (ADW_IS_PREFERENCES_ROW (row));

  title = adw_preferences_row_get_title (row);
  if (adw_preferences_row_get_use_underline (row))
    {
      /* "S_ecurity" reads "Security"; "__" is a literal underscore. */
      GString *out = g_string_new (NULL);

      for (const char *p = title; *p != '\0'; p++)
        if (*p != '_' || *++p != '\0')
          g_string_append_c (out, *p);
        else
          break;
      label = g_string_free (out, FALSE);
    }
  else
    label = g_strdup (title);
  postaci_accessible_label_parts (GTK_WIDGET (row), type, label);
}

/* Runs after GtkButton set its own name from the label: without it the name is computed from
 * the content, the label widget, which reads without the underline. */
static void
label_changed_cb (GtkButton *button, GParamSpec *pspec, gpointer user_data)
{
  gtk_accessible_reset_property (GTK_ACCESSIBLE (button), GTK_ACCESSIBLE_PROPERTY_LABEL);
}

void
postaci_accessible_name_buttons_by_label (GtkWidget *root)
{
  g_return_if_fail (GTK_IS_WIDGET (root));

  if (GTK_IS_BUTTON (root) && gtk_button_get_use_underline (GTK_BUTTON (root)))
    {
      g_signal_connect (root, "notify::label", G_CALLBACK (label_changed_cb), NULL);
      label_changed_cb (GTK_BUTTON (root), NULL, NULL);
    }
  for (GtkWidget *child = gtk_widget_get_first_child (root); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    postaci_accessible_name_buttons_by_label (child);
}
