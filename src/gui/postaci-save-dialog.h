/* SPDX-License-Identifier: GPL-3.0-or-later */
/* postaci-save-dialog.h — the one "Save…" file chooser of the window and the message window. */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

/* A modal native save chooser over @parent, offering @current_name, filtered to
 * @filter_name (@mime_type, and @pattern when not %NULL). Connect "response" and show it. */
GtkFileChooserNative *postaci_save_dialog_new (GtkWindow  *parent,
                                               const char *title,
                                               const char *current_name,
                                               const char *filter_name,
                                               const char *mime_type,
                                               const char *pattern);
/* Where the chooser starts: the Documents folder, or home when there is none. */
GFile                *postaci_save_dialog_get_default_folder (void);

G_END_DECLS
