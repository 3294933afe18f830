/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-large-text.c — the form at 200 % text (GNOME's text-scaling-factor 2.0, which GTK reads
 * as gtk-xft-dpi) and in high contrast: every label a person reads in the form shows whole,
 * neither cut short with "…" nor clipped by its row. Screenshots in the build directory. */
#define G_LOG_DOMAIN "test-large-text"

#include "config.h"

#include <string.h>
#include <adwaita.h>
#include <glib/gi18n.h>

#include "postaci-application.h"
#include "postaci-gui-test.h"
#include "postaci-request-form.h"
#include "postaci-window.h"

static PostaciApplication *application;
static gboolean turkish;

/* 96 dpi × 2, in GTK's 1/1024 units: what text-scaling-factor 2.0 becomes. */
#define DPI_200_PERCENT (96 * 2 * 1024)

static gpointer
child (PostaciWindow *window, const char *name)
{
  return postaci_gui_test_child (window, POSTACI_TYPE_WINDOW, name);
}

/* A template child of the window's request form. */
static gpointer
form_child (PostaciWindow *window, const char *name)
{
  return postaci_gui_test_child (child (window, "request_form"), POSTACI_TYPE_REQUEST_FORM, name);
}

/* Whether @widget is drawn whole inside the row (or other box) that clips it. */
static gboolean
inside_its_row (GtkWidget *widget)
{
  GtkWidget *row = gtk_widget_get_ancestor (widget, GTK_TYPE_LIST_BOX_ROW);
  graphene_rect_t bounds;

  if (row == NULL || !gtk_widget_compute_bounds (widget, row, &bounds))
    return TRUE;
  return bounds.origin.x >= 0 && bounds.origin.y >= 0 &&
         bounds.origin.x + bounds.size.width <= gtk_widget_get_width (row) + 0.5 &&
         bounds.origin.y + bounds.size.height <= gtk_widget_get_height (row) + 0.5;
}

/* Every label under @widget that a person cannot read whole, once into @cut: ellipsized (pango
 * says the layout is cut with "…": entry-row titles, which libadwaita 1.2 keeps on one line,
 * included), given less room than its text needs (a wrapping label: less height than its
 * lines need at its width), or drawn past the edge of its row. */
static void
collect_cut_labels (GtkWidget *widget, GHashTable *cut)
{
  if (!gtk_widget_get_mapped (widget))
    return;
  if (GTK_IS_LABEL (widget) && *gtk_label_get_text (GTK_LABEL (widget)) != '\0')
    {
      GtkLabel *label = GTK_LABEL (widget);
      int width = gtk_widget_get_width (widget);
      int height = gtk_widget_get_height (widget);
      int natural_width = 0, natural_height = 0;
      const char *problem = NULL;

      /* Measures count the margins, the allocated size does not. */
      int margin_x = gtk_widget_get_margin_start (widget) + gtk_widget_get_margin_end (widget);
      int margin_y = gtk_widget_get_margin_top (widget) + gtk_widget_get_margin_bottom (widget);

      gtk_widget_measure (widget, GTK_ORIENTATION_HORIZONTAL, -1, NULL, &natural_width, NULL, NULL);
      gtk_widget_measure (widget, GTK_ORIENTATION_VERTICAL, width + margin_x, NULL, &natural_height,
                          NULL, NULL);
      natural_width -= margin_x;
      natural_height -= margin_y;
      if (pango_layout_is_ellipsized (gtk_label_get_layout (label)))
        problem = "cut short with …";
      else if (!gtk_label_get_wrap (label) && natural_width > width)
        problem = "wider than its room";
      else if (natural_height > height)
        problem = "taller than its room";
      else if (!inside_its_row (widget))
        problem = "drawn past its row";
      if (problem != NULL)
        g_hash_table_add (cut, g_strdup_printf ("“%s” (%s: %d×%d needs %d×%d)",
                                                gtk_label_get_text (label), problem, width, height,
                                                natural_width, natural_height));
    }
  for (GtkWidget *c = gtk_widget_get_first_child (widget); c != NULL; c = gtk_widget_get_next_sibling (c))
    collect_cut_labels (c, cut);
}

/* Scrolls the form through its whole height, checking what each view shows. */
static void
assert_form_readable (PostaciWindow *window, const char *screenshot)
{
  GtkScrolledWindow *scroller = child (window, "form_scroller");
  GtkAdjustment *adjustment = gtk_scrolled_window_get_vadjustment (scroller);
  g_autoptr(GHashTable) cut = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  guint checked = 0;

  /* Every row open, so their labels are laid out too. */
  adw_expander_row_set_expanded (form_child (window, "auth_row"), TRUE);
  adw_expander_row_set_expanded (form_child (window, "advanced_row"), TRUE);
  postaci_gui_test_wait_for_frames (GTK_WIDGET (window));
  for (double value = 0;; value += gtk_adjustment_get_page_size (adjustment) / 2)
    {
      gtk_adjustment_set_value (adjustment, value);
      postaci_gui_test_wait_for_frames (GTK_WIDGET (window));
      collect_cut_labels (child (window, "request_form"), cut);
      {
        /* Each view a picture: "name.png", then "name-2.png"… further down the form. */
        g_autofree char *base = g_strndup (screenshot, strlen (screenshot) - strlen (".png"));
        g_autofree char *name = checked == 0 ? g_strdup (screenshot)
                                             : g_strdup_printf ("%s-%u.png", base, checked + 1);

        postaci_gui_test_save_screenshot (GTK_WIDGET (window), name);
      }
      checked++;
      if (value + gtk_adjustment_get_page_size (adjustment) >= gtk_adjustment_get_upper (adjustment))
        break;
    }
  gtk_adjustment_set_value (adjustment, 0);
  {
    GHashTableIter iter;
    const char *what;

    g_hash_table_iter_init (&iter, cut);
    while (g_hash_table_iter_next (&iter, (gpointer *) &what, NULL))
      g_test_message ("cut: %s", what);
  }
  g_test_message ("%u views of the form checked", checked);
  g_assert_cmpuint (g_hash_table_size (cut), ==, 0);
}

static PostaciWindow *
open_window (void)
{
  PostaciWindow *window = postaci_window_new (application);

  gtk_window_present (GTK_WINDOW (window));
  postaci_gui_test_wait_for_frames (GTK_WIDGET (window));
  return window;
}

/* The window at its default size, with text twice as large. */
static void
test_large_text (void)
{
  PostaciWindow *window;

  g_object_set (gtk_settings_get_default (), "gtk-xft-dpi", DPI_200_PERCENT, NULL);
  window = open_window ();
  assert_form_readable (window, turkish ? "postaci-large-text-tr.png" : "postaci-large-text.png");
  gtk_window_destroy (GTK_WINDOW (window));
  g_object_set (gtk_settings_get_default (), "gtk-xft-dpi", 96 * 1024, NULL);
}

/* High contrast, as GNOME's accessibility setting asks for it, with large text as well. */
static void
test_high_contrast (void)
{
  g_autoptr(GSettingsSchema) schema =
    g_settings_schema_source_lookup (g_settings_schema_source_get_default (),
                                     "org.gnome.desktop.a11y.interface", TRUE);
  g_autoptr(GSettings) a11y = NULL;
  PostaciWindow *window;

  if (schema == NULL)
    {
      g_test_skip ("no org.gnome.desktop.a11y.interface schema (gsettings-desktop-schemas)");
      return;
    }
  a11y = g_settings_new ("org.gnome.desktop.a11y.interface");
  g_settings_set_boolean (a11y, "high-contrast", TRUE);
  postaci_gui_test_flush ();
  g_assert_true (adw_style_manager_get_high_contrast (adw_style_manager_get_default ()));
  g_object_set (gtk_settings_get_default (), "gtk-xft-dpi", DPI_200_PERCENT, NULL);
  window = open_window ();
  assert_form_readable (window, turkish ? "postaci-high-contrast-tr.png" : "postaci-high-contrast.png");
  gtk_window_destroy (GTK_WINDOW (window));
  g_object_set (gtk_settings_get_default (), "gtk-xft-dpi", 96 * 1024, NULL);
  g_settings_set_boolean (a11y, "high-contrast", FALSE);
}

int
main (int argc, char **argv)
{
  char *cache = NULL;
  int status;

  if (!postaci_gui_test_use_locale ("test-large-text"))
    return 1;
  turkish = g_str_has_prefix (g_getenv ("LANGUAGE") ? g_getenv ("LANGUAGE") : "", "tr");
  application = postaci_gui_test_init (&argc, &argv, &cache);
  if (application == NULL)
    return 0;

  g_test_add_func ("/postaci/large-text/form", test_large_text);
  g_test_add_func ("/postaci/large-text/high-contrast", test_high_contrast);
  status = g_test_run ();
  return postaci_gui_test_finish (g_steal_pointer (&application), cache, status);
}
