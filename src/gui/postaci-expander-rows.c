/* SPDX-License-Identifier: GPL-3.0-or-later */
/* postaci-expander-rows.c — the rows of an expander row, laid out only once it has expanded. */
#define G_LOG_DOMAIN "postaci"

#include "config.h"

#include "postaci-expander-rows.h"

static void
show_rows (AdwExpanderRow *expander, GPtrArray *rows)
{
  for (guint i = 0; i < rows->len; i++)
    gtk_widget_set_visible (g_ptr_array_index (rows, i), TRUE);
}

static void
expanded_cb (AdwExpanderRow *expander, GParamSpec *pspec G_GNUC_UNUSED, GPtrArray *rows)
{
  if (!adw_expander_row_get_expanded (expander))
    return;
  show_rows (expander, rows);
  /* Last: the handler owns @rows. */
  g_signal_handlers_disconnect_by_func (expander, expanded_cb, rows);
}

static void
rows_free (gpointer rows, GClosure *closure G_GNUC_UNUSED)
{
  g_ptr_array_unref (rows);
}

void
postaci_expander_rows_show_when_expanded (AdwExpanderRow *expander, GtkWidget *first_row, ...)
{
  GPtrArray *rows;
  va_list    args;

  g_return_if_fail (ADW_IS_EXPANDER_ROW (expander));
  g_return_if_fail (GTK_IS_WIDGET (first_row));

  /* The rows belong to the expander: they outlive the list, which holds no reference. */
  rows = g_ptr_array_new ();
  va_start (args, first_row);
  for (GtkWidget *row = first_row; row != NULL; row = va_arg (args, GtkWidget *))
    g_ptr_array_add (rows, row);
  va_end (args);

  if (adw_expander_row_get_expanded (expander))
    {
      show_rows (expander, rows);
      g_ptr_array_unref (rows);
      return;
    }
  g_signal_connect_data (expander, "notify::expanded", G_CALLBACK (expanded_cb), rows, rows_free,
                         0);
}
