/* SPDX-License-Identifier: GPL-3.0-or-later */
/* postaci-request-form-attachments.c — the form's "Attach files" row and the files under it: one
 * row each with its name, its size and a button that takes it off again. The files are only
 * named here; the message reads them from disk as it is sent (postaci-message.c). */
#define G_LOG_DOMAIN "postaci-gui"

#include "config.h"

#include <string.h>
#include <glib/gi18n.h>

#include "postaci-request-form-private.h"

#define ATTACHMENT_PATH "postaci-attachment-path"
#define ATTACHMENT_SIZE "postaci-attachment-size" /* guint64 *: a 32-bit pointer holds no 2 GB+ */

static const char *
row_path (GtkWidget *row)
{
  return g_object_get_data (G_OBJECT (row), ATTACHMENT_PATH);
}

/* What the row under the file says: its size (put in @size), or why it cannot be sent.
 * Returns FALSE for a file that cannot be sent as it is. */
static gboolean
describe_file (const char *path, char **description, guint64 *size)
{
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(GError) error = NULL;
  g_autoptr(GFileInfo) info = g_file_query_info (file,
                                                  G_FILE_ATTRIBUTE_STANDARD_TYPE
                                                  "," G_FILE_ATTRIBUTE_STANDARD_SIZE
                                                  "," G_FILE_ATTRIBUTE_ACCESS_CAN_READ,
                                                  G_FILE_QUERY_INFO_NONE, NULL, &error);

  *size = 0;
  if (info == NULL && g_error_matches (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND))
    *description = g_strdup (_ ("No longer there: choose it again or remove it"));
  else if (info == NULL)
    *description = g_strdup (error->message);
  else if (g_file_info_get_file_type (info) == G_FILE_TYPE_DIRECTORY)
    *description = g_strdup (_ ("A folder, not a file"));
  else if (g_file_info_has_attribute (info, G_FILE_ATTRIBUTE_ACCESS_CAN_READ) &&
           !g_file_info_get_attribute_boolean (info, G_FILE_ATTRIBUTE_ACCESS_CAN_READ))
    *description = g_strdup (_ ("Cannot be read: you have no permission to read it"));
  else
    {
      *size = (guint64) g_file_info_get_size (info);
      *description = g_format_size (*size);
      return TRUE;
    }
  return FALSE;
}

/* "2 files, 3.4 MB" beside the title, so a folded-away list still says what goes along. */
static void
update_summary (PostaciRequestForm *self)
{
  guint64          total = 0;
  g_autofree char *size = NULL;
  g_autofree char *summary = NULL;
  guint            n = self->attachment_rows->len;

  for (guint i = 0; i < n; i++)
    total += *(guint64 *) g_object_get_data (self->attachment_rows->pdata[i], ATTACHMENT_SIZE);
  size = g_format_size (total);
  if (n == 0)
    summary = g_strdup (_ ("No files"));
  else
    /* Translators: the number of files attached, then their size together, “2 files, 3.4 MB” */
    summary =
      g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u file, %s", "%u files, %s", n), n, size);
  adw_action_row_set_subtitle (self->attach_row, summary);
}

static void
changed (PostaciRequestForm *self)
{
  /* A mark on the list, or on a file of it, is answered by changing the list. */
  if (self->invalid_field == GTK_WIDGET (self->attach_row) ||
      (self->invalid_field != NULL &&
       g_ptr_array_find (self->attachment_rows, self->invalid_field, NULL)))
    postaci_request_form_clear_invalid (self);
  update_summary (self);
}

static void
remove_row (PostaciRequestForm *self, GtkWidget *row)
{
  GtkWidget *list = gtk_widget_get_parent (row);
  guint      index = 0;

  if (self->invalid_field == row)
    postaci_request_form_clear_invalid (self);
  g_ptr_array_find (self->attachment_rows, row, &index);
  g_ptr_array_remove_index (self->attachment_rows, index);
  gtk_list_box_remove (GTK_LIST_BOX (list), row);
  changed (self);
}

static void
remove_clicked_cb (GtkButton *button, PostaciRequestForm *self)
{
  GtkWidget *row = gtk_widget_get_ancestor (GTK_WIDGET (button), ADW_TYPE_ACTION_ROW);
  guint      index = 0;

  g_ptr_array_find (self->attachment_rows, row, &index);
  remove_row (self, row);
  /* The keyboard stays in the list: on the next file, or back on "Attach files". */
  if (index < self->attachment_rows->len)
    gtk_widget_grab_focus (self->attachment_rows->pdata[index]);
  else if (index > 0)
    gtk_widget_grab_focus (self->attachment_rows->pdata[index - 1]);
  else
    gtk_widget_grab_focus (self->attach_button);
}

/* A row for @path after the last file. Returns whether the file can be sent as it is. */
static gboolean
add_row (PostaciRequestForm *self, const char *path)
{
  g_autofree char *name = g_filename_display_basename (path);
  g_autofree char *shown_path = g_filename_display_name (path);
  g_autofree char *description = NULL;
  g_autofree char *remove_label = NULL;
  guint64          size = 0;
  gboolean         usable = describe_file (path, &description, &size);
  GtkWidget       *list = gtk_widget_get_parent (GTK_WIDGET (self->attach_row));
  guint            rows = self->attachment_rows->len;
  GtkWidget       *last =
    rows > 0 ? g_ptr_array_index (self->attachment_rows, rows - 1) : GTK_WIDGET (self->attach_row);
  GtkWidget *row = adw_action_row_new ();
  GtkWidget *remove = gtk_button_new_from_icon_name ("list-remove-symbolic");

  /* A file name is no markup: "a <b> & c.txt" shows as it is. */
  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), name);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), description);
  gtk_widget_set_tooltip_text (row, shown_path);
  if (!usable)
    gtk_widget_add_css_class (row, "attachment-missing");
  g_object_set_data_full (G_OBJECT (row), ATTACHMENT_PATH, g_strdup (path), g_free);
  g_object_set_data_full (G_OBJECT (row), ATTACHMENT_SIZE, g_memdup2 (&size, sizeof size), g_free);

  gtk_widget_set_valign (remove, GTK_ALIGN_CENTER);
  gtk_widget_add_css_class (remove, "flat");
  gtk_widget_set_tooltip_text (remove, _ ("Remove from the message"));
  /* Translators: a button's name for screen readers; %s is a file name, “report.pdf” */
  remove_label = g_strdup_printf (_ ("Remove “%s”"), name);
  gtk_accessible_update_property (GTK_ACCESSIBLE (remove), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  remove_label, -1);
  g_signal_connect (remove, "clicked", G_CALLBACK (remove_clicked_cb), self);
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), remove);

  gtk_list_box_insert (GTK_LIST_BOX (list), row,
                       gtk_list_box_row_get_index (GTK_LIST_BOX_ROW (last)) + 1);
  g_ptr_array_add (self->attachment_rows, row);
  return usable;
}

static gboolean
is_attached (PostaciRequestForm *self, const char *path)
{
  for (guint i = 0; i < self->attachment_rows->len; i++)
    if (strcmp (row_path (self->attachment_rows->pdata[i]), path) == 0)
      return TRUE;
  return FALSE;
}

void
postaci_request_form_attach_files (PostaciRequestForm *self, GListModel *files)
{
  guint n;
  guint not_local = 0;

  g_return_if_fail (POSTACI_IS_REQUEST_FORM (self));
  g_return_if_fail (G_IS_LIST_MODEL (files));

  n = g_list_model_get_n_items (files);
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(GFile) file = g_list_model_get_item (files, i);
      g_autofree char *path = g_file_get_path (file);

      /* The message reads the file as it goes out: it must be one this computer can open. */
      if (path == NULL)
        not_local++;
      else if (!is_attached (self, path))
        add_row (self, path);
    }
  changed (self);
  if (not_local > 0)
    _postaci_request_form_show_toast (self, _ ("Only files on this computer can be attached: copy "
                                               "the file here first."));
}

void
_postaci_request_form_read_attachments (PostaciRequestForm *self, GPtrArray *paths)
{
  for (guint i = 0; i < self->attachment_rows->len; i++)
    g_ptr_array_add (paths, g_strdup (row_path (self->attachment_rows->pdata[i])));
}

guint
_postaci_request_form_set_attachments (PostaciRequestForm *self, GPtrArray *paths)
{
  guint missing = 0;

  while (self->attachment_rows->len > 0)
    remove_row (self, self->attachment_rows->pdata[self->attachment_rows->len - 1]);
  for (guint i = 0; paths != NULL && i < paths->len; i++)
    if (!is_attached (self, paths->pdata[i]) && !add_row (self, paths->pdata[i]))
      missing++;
  changed (self);
  return missing;
}

/* The file an attachment error names (the message quotes its path), or the list's own row. */
GtkWidget *
_postaci_request_form_attachment_for_error (PostaciRequestForm *self, const GError *error)
{
  for (guint i = 0; i < self->attachment_rows->len; i++)
    {
      g_autofree char *shown = g_filename_display_name (row_path (self->attachment_rows->pdata[i]));

      if (strstr (error->message, shown) != NULL)
        return self->attachment_rows->pdata[i];
    }
  return GTK_WIDGET (self->attach_row);
}

void
_postaci_request_form_init_attachments (PostaciRequestForm *self)
{
  self->attachment_rows = g_ptr_array_new ();
  update_summary (self);
}
