/* SPDX-License-Identifier: GPL-3.0-or-later */
/* postaci-save-dialog.c — the one "Save…" file chooser of the window and the message window. */
#define G_LOG_DOMAIN "postaci-gui"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "postaci-save-dialog.h"

GtkFileChooserNative *
postaci_save_dialog_new (GtkWindow *parent, const char *title, const char *current_name,
                         const char *filter_name, const char *mime_type, const char *pattern)
{
  g_autoptr(GtkFileFilter) filter = gtk_file_filter_new ();
  GtkFileChooserNative *chooser;

  g_return_val_if_fail (GTK_IS_WINDOW (parent), NULL);

  chooser = gtk_file_chooser_native_new (title, parent, GTK_FILE_CHOOSER_ACTION_SAVE, _ ("_Save"),
                                         _ ("_Cancel"));
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (chooser), TRUE);
  gtk_file_filter_set_name (filter, filter_name);
  gtk_file_filter_add_mime_type (filter, mime_type);
  if (pattern != NULL)
    gtk_file_filter_add_pattern (filter, pattern);
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (chooser), filter);
  gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (chooser), current_name);
  /* In the person's documents, not wherever the program happened to be started from. */
  {
    g_autoptr(GFile) folder = postaci_save_dialog_get_default_folder ();

    gtk_file_chooser_set_current_folder (GTK_FILE_CHOOSER (chooser), folder, NULL);
  }
  return chooser;
}

GFile *
postaci_save_dialog_get_default_folder (void)
{
  const char *documents = g_get_user_special_dir (G_USER_DIRECTORY_DOCUMENTS);

  if (documents != NULL && g_file_test (documents, G_FILE_TEST_IS_DIR))
    return g_file_new_for_path (documents);
  return g_file_new_for_path (g_get_home_dir ());
}
