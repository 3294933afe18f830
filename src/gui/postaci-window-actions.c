/* SPDX-License-Identifier: GPL-3.0-or-later */
/* postaci-window-actions.c — the window's actions: test and cancel, copy, save and clear the
 * transcript (and undo that), choose a CA file, turn the Local Test Server on. */
#define G_LOG_DOMAIN "postaci-gui"

#include "config.h"

#include <glib/gi18n.h>

#include "postaci-save-dialog.h"
#include "postaci-transcript.h"
#include "postaci-window-private.h"

static void
test_action_cb (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  _postaci_window_start_run (POSTACI_WINDOW (widget));
}

static void
cancel_action_cb (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  _postaci_window_cancel_run (POSTACI_WINDOW (widget));
}

/* ---------------------------------------------------------------- */
/* The transcript: copy, save, clear                                */
/* ---------------------------------------------------------------- */

char *
postaci_window_get_transcript_text (PostaciWindow *self)
{
  g_return_val_if_fail (POSTACI_IS_WINDOW (self), NULL);

  if (self->session == NULL)
    return g_strdup ("");
  return postaci_transcript_format_run (postaci_session_get_events (self->session),
                                        self->cancellable == NULL ? self->outcome : NULL,
                                        POSTACI_TRANSCRIPT_TEXT);
}

static void
copy_action_cb (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  PostaciWindow *self = POSTACI_WINDOW (widget);
  g_autofree char *text = postaci_window_get_transcript_text (self);

  gdk_clipboard_set_text (gtk_widget_get_clipboard (GTK_WIDGET (self)), text);
  _postaci_window_show_toast (self, _("Transcript copied"));
}

static void
save_done_cb (GObject *object, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(PostaciWindow) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *name = g_file_get_basename (G_FILE (object));
  g_autofree char *message = NULL;

  if (!g_file_replace_contents_finish (G_FILE (object), result, NULL, &error))
    /* Translators: the first %s is a file name, the second why it could not be written */
    message = g_strdup_printf (_("Could not save %s: %s"), name, error->message);
  else
    message = g_strdup_printf (_("Transcript saved as %s"), name);
  _postaci_window_show_toast (self, message);
}

void
postaci_window_save_transcript (PostaciWindow *self, GFile *file)
{
  char *text;
  g_autoptr(GBytes) bytes = NULL;

  g_return_if_fail (POSTACI_IS_WINDOW (self));
  g_return_if_fail (G_IS_FILE (file));

  text = postaci_window_get_transcript_text (self);
  bytes = g_bytes_new_take (text, strlen (text));
  g_file_replace_contents_bytes_async (file, bytes, NULL, FALSE, G_FILE_CREATE_REPLACE_DESTINATION,
                                       NULL, save_done_cb, g_object_ref (self));
}

static void
save_response_cb (GtkNativeDialog *dialog, int response, gpointer user_data)
{
  PostaciWindow *self = POSTACI_WINDOW (user_data);

  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (dialog));

      postaci_window_save_transcript (self, file);
    }
  g_clear_object (&self->chooser);
}

static void
save_action_cb (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  PostaciWindow *self = POSTACI_WINDOW (widget);
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  g_autofree char *stamp = g_date_time_format (now, "%Y%m%d-%H%M%S");
  g_autofree char *name = NULL;
  const char *server = postaci_session_get_request (self->session)->server;

  name = g_strdup_printf ("postaci-%s-%s.txt", server, stamp);
  g_strdelimit (name, "/\\:", '_');
  g_clear_object (&self->chooser);
  self->chooser = postaci_save_dialog_new (GTK_WINDOW (self), _("Save Transcript"), name,
                                           _("Plain text"), "text/plain", NULL);
  g_signal_connect (self->chooser, "response", G_CALLBACK (save_response_cb), self);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (self->chooser));
}

static void
clear_action_cb (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  _postaci_window_clear_run (POSTACI_WINDOW (widget));
}

static void
undo_clear_action_cb (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  _postaci_window_undo_clear (POSTACI_WINDOW (widget));
}

/* ---------------------------------------------------------------- */
/* The form's CA file, the Local Test Server                        */
/* ---------------------------------------------------------------- */

static void
ca_response_cb (GtkNativeDialog *dialog, int response, gpointer user_data)
{
  PostaciWindow *self = POSTACI_WINDOW (user_data);

  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (dialog));
      g_autofree char *path = g_file_get_path (file);

      if (path != NULL)
        postaci_request_form_set_ca_file (self->request_form, path);
    }
  g_clear_object (&self->chooser);
}

static void
find_settings_action_cb (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  postaci_request_form_find_settings (POSTACI_WINDOW (widget)->request_form);
}

static void
choose_ca_action_cb (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  PostaciWindow *self = POSTACI_WINDOW (widget);
  g_autoptr(GtkFileFilter) filter = gtk_file_filter_new ();

  g_clear_object (&self->chooser);
  self->chooser = gtk_file_chooser_native_new (_("Choose a CA File"), GTK_WINDOW (self),
                                               GTK_FILE_CHOOSER_ACTION_OPEN, _("_Open"), _("_Cancel"));
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (self->chooser), TRUE);
  gtk_file_filter_set_name (filter, _("PEM certificates"));
  gtk_file_filter_add_pattern (filter, "*.pem");
  gtk_file_filter_add_pattern (filter, "*.crt");
  gtk_file_filter_add_mime_type (filter, "application/x-pem-file");
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (self->chooser), filter);
  g_signal_connect (self->chooser, "response", G_CALLBACK (ca_response_cb), self);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (self->chooser));
}


static void
start_local_server_action_cb (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  PostaciWindow *self = POSTACI_WINDOW (widget);

  if (self->cancellable == NULL)
    postaci_local_server_page_start (self->local_page, NULL);
}

/* ---------------------------------------------------------------- */
/* Installing them, enabling them                                   */
/* ---------------------------------------------------------------- */

void
_postaci_window_update_actions (PostaciWindow *self)
{
  gboolean running = self->cancellable != NULL;
  gboolean have_run = self->session != NULL;
  const struct {
    const char *name;
    gboolean    enabled;
  } actions[] = {
    { "win.test", !running },
    { "win.cancel", running },
    { "win.copy-transcript", have_run },
    { "win.save-transcript", have_run },
    { "win.clear-transcript", have_run && !running },
    { "win.start-local-server", !running },
  };

  for (guint i = 0; i < G_N_ELEMENTS (actions); i++)
    gtk_widget_action_set_enabled (GTK_WIDGET (self), actions[i].name, actions[i].enabled);
}

void
_postaci_window_class_actions_init (PostaciWindowClass *klass)
{
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  gtk_widget_class_install_action (widget_class, "win.test", NULL, test_action_cb);
  gtk_widget_class_install_action (widget_class, "win.cancel", NULL, cancel_action_cb);
  gtk_widget_class_install_action (widget_class, "win.copy-transcript", NULL, copy_action_cb);
  gtk_widget_class_install_action (widget_class, "win.save-transcript", NULL, save_action_cb);
  gtk_widget_class_install_action (widget_class, "win.clear-transcript", NULL, clear_action_cb);
  gtk_widget_class_install_action (widget_class, "win.undo-clear", NULL, undo_clear_action_cb);
  gtk_widget_class_install_action (widget_class, "win.choose-ca-file", NULL, choose_ca_action_cb);
  gtk_widget_class_install_action (widget_class, "win.find-settings", NULL,
                                   find_settings_action_cb);
  gtk_widget_class_install_action (widget_class, "win.start-local-server", NULL, start_local_server_action_cb);

  /* Escape cancels a run, but not as an application accelerator: those are caught before the
   * focused widget sees the key, so Escape would cancel the run instead of closing an open
   * menu or list. A window binding runs after them, and passes while no run goes on. */
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "win.cancel", NULL);
}
