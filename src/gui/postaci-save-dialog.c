/* postaci-save-dialog.c — the one "Save…" file chooser of the window and the message window. */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "postaci-save-dialog.h"

GtkFileChooserNative *
postaci_save_dialog_new (GtkWindow  *parent,
                         const char *title,
                         const char *current_name,
                         const char *filter_name,
                         const char *mime_type,
                         const char *pattern)
{
  g_autoptr(GtkFileFilter) filter = gtk_file_filter_new ();
  GtkFileChooserNative *chooser;

  g_return_val_if_fail (GTK_IS_WINDOW (parent), NULL);

  chooser = gtk_file_chooser_native_new (title, parent, GTK_FILE_CHOOSER_ACTION_SAVE,
                                         _("_Save"), _("_Cancel"));
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (chooser), TRUE);
  gtk_file_filter_set_name (filter, filter_name);
  gtk_file_filter_add_mime_type (filter, mime_type);
  if (pattern != NULL)
    gtk_file_filter_add_pattern (filter, pattern);
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (chooser), filter);
  gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (chooser), current_name);
  return chooser;
}
