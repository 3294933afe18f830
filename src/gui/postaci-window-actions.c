/* SPDX-License-Identifier: GPL-3.0-or-later */
/* postaci-window-actions.c — the window's actions: test and cancel, copy, save and clear the
 * transcript (and undo that), copy, save and open a report, choose a CA file, attach files,
 * turn the Local Test Server on. */
#define G_LOG_DOMAIN "postaci-gui"

#include "config.h"

#include <glib/gi18n.h>

#include "postaci-report.h"
#include "postaci-report-window.h"
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
  PostaciWindow   *self = POSTACI_WINDOW (widget);
  g_autofree char *text = postaci_window_get_transcript_text (self);

  gdk_clipboard_set_text (gtk_widget_get_clipboard (GTK_WIDGET (self)), text);
  _postaci_window_show_toast (self, _ ("Transcript copied"));
}

static void
saved_cb (GObject *object, GAsyncResult *result, gpointer user_data, gboolean report)
{
  g_autoptr(PostaciWindow) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *name = g_file_get_basename (G_FILE (object));
  g_autofree char *message = NULL;

  if (!g_file_replace_contents_finish (G_FILE (object), result, NULL, &error))
    /* Translators: the first %s is a file name, the second why it could not be written */
    message = g_strdup_printf (_ ("Could not save %s: %s"), name, error->message);
  else if (report)
    message = g_strdup_printf (_ ("Report saved as %s"), name);
  else
    message = g_strdup_printf (_ ("Transcript saved as %s"), name);
  _postaci_window_show_toast (self, message);
}

static void
transcript_saved_cb (GObject *object, GAsyncResult *result, gpointer user_data)
{
  saved_cb (object, result, user_data, FALSE);
}

static void
report_saved_cb (GObject *object, GAsyncResult *result, gpointer user_data)
{
  saved_cb (object, result, user_data, TRUE);
}

/* Writes @text (taken) to @file in the background; a toast says where, or why not. */
static void
save_text (PostaciWindow *self, GFile *file, char *text, GAsyncReadyCallback done)
{
  g_autoptr(GBytes) bytes = g_bytes_new_take (text, strlen (text));

  g_file_replace_contents_bytes_async (file, bytes, NULL, FALSE, G_FILE_CREATE_REPLACE_DESTINATION,
                                       NULL, done, g_object_ref (self));
}

void
postaci_window_save_transcript (PostaciWindow *self, GFile *file)
{
  g_return_if_fail (POSTACI_IS_WINDOW (self));
  g_return_if_fail (G_IS_FILE (file));

  save_text (self, file, postaci_window_get_transcript_text (self), transcript_saved_cb);
}

static void
save_response_cb (GtkNativeDialog *dialog, int response, gpointer user_data)
{
  PostaciWindow *self = POSTACI_WINDOW (user_data);

  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (dialog));

      if (g_object_get_data (G_OBJECT (dialog), "postaci-report") != NULL)
        postaci_window_save_report (self, file);
      else
        postaci_window_save_transcript (self, file);
    }
  g_clear_object (&self->chooser);
}

/* Save Transcript… and Save Report…: a name that says which server and when, in the
 * person's documents. */
static void
ask_where_to_save (PostaciWindow *self, gboolean report)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  g_autofree char *stamp = g_date_time_format (now, "%Y%m%d-%H%M%S");
  g_autofree char *name = NULL;
  const char      *server = postaci_session_get_request (self->session)->server;

  name = g_strdup_printf ("postaci-%s-%s.%s", server, stamp, report ? "html" : "txt");
  g_strdelimit (name, "/\\:", '_');
  g_clear_object (&self->chooser);
  if (report)
    self->chooser = postaci_save_dialog_new (GTK_WINDOW (self), _ ("Save Report"), name,
                                             _ ("HTML document"), "text/html", "*.html");
  else
    self->chooser = postaci_save_dialog_new (GTK_WINDOW (self), _ ("Save Transcript"), name,
                                             _ ("Plain text"), "text/plain", NULL);
  g_object_set_data (G_OBJECT (self->chooser), "postaci-report", GINT_TO_POINTER (report));
  g_signal_connect (self->chooser, "response", G_CALLBACK (save_response_cb), self);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (self->chooser));
}

static void
save_action_cb (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  ask_where_to_save (POSTACI_WINDOW (widget), FALSE);
}

/* ---------------------------------------------------------------- */
/* The report: copy, save, open                                     */
/* ---------------------------------------------------------------- */

char *
postaci_window_get_report (PostaciWindow *self, PostaciReportFormat format)
{
  g_return_val_if_fail (POSTACI_IS_WINDOW (self), NULL);

  if (self->session == NULL)
    return NULL;
  return postaci_report_format (postaci_session_get_request (self->session),
                                postaci_session_get_events (self->session),
                                self->cancellable == NULL ? self->outcome : NULL, NULL, format);
}

void
postaci_window_save_report (PostaciWindow *self, GFile *file)
{
  g_return_if_fail (POSTACI_IS_WINDOW (self));
  g_return_if_fail (G_IS_FILE (file));
  g_return_if_fail (self->session != NULL);

  save_text (self, file, postaci_window_get_report (self, POSTACI_REPORT_HTML), report_saved_cb);
}

/* HTML for a mail or a document that keeps the colours, Markdown for a ticket or a terminal:
 * whoever pastes takes the one it understands. */
static void
copy_report_action_cb (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  PostaciWindow   *self = POSTACI_WINDOW (widget);
  g_autofree char *html = postaci_window_get_report (self, POSTACI_REPORT_HTML);
  g_autofree char *markdown = postaci_window_get_report (self, POSTACI_REPORT_MARKDOWN);
  gsize            html_length = strlen (html);
  g_autoptr(GBytes) html_bytes = g_bytes_new_take (g_steal_pointer (&html), html_length);
  GdkContentProvider *providers[] = {
    gdk_content_provider_new_for_bytes ("text/html", html_bytes),
    gdk_content_provider_new_typed (G_TYPE_STRING, markdown),
  };
  g_autoptr(GdkContentProvider) provider =
               gdk_content_provider_new_union (providers, G_N_ELEMENTS (providers));

  gdk_clipboard_set_content (gtk_widget_get_clipboard (widget), provider);
  _postaci_window_show_toast (self, _ ("Report copied"));
}

static void
save_report_action_cb (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  ask_where_to_save (POSTACI_WINDOW (widget), TRUE);
}

static void
report_loaded_cb (GObject *object, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(PostaciWindow) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char       *name = g_file_get_basename (G_FILE (object));
  g_autofree char       *data = NULL;
  gsize                  length = 0;
  PostaciReportContents *contents = NULL;

  if (g_file_load_contents_finish (G_FILE (object), result, &data, &length, NULL, &error))
    contents = postaci_report_read (data, length, &error);
  if (contents == NULL)
    {
      /* Translators: the first %s is a file name, the second why it could not be shown */
      g_autofree char *message =
        g_strdup_printf (_ ("Could not open %s: %s"), name, error->message);

      _postaci_window_show_toast (self, message);
      return;
    }
  gtk_window_present (GTK_WINDOW (postaci_report_window_new (GTK_WINDOW (self), contents, name)));
}

void
postaci_window_open_report (PostaciWindow *self, GFile *file)
{
  g_return_if_fail (POSTACI_IS_WINDOW (self));
  g_return_if_fail (G_IS_FILE (file));

  g_file_load_contents_async (file, NULL, report_loaded_cb, g_object_ref (self));
}

static void
open_report_response_cb (GtkNativeDialog *dialog, int response, gpointer user_data)
{
  PostaciWindow *self = POSTACI_WINDOW (user_data);

  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (dialog));

      postaci_window_open_report (self, file);
    }
  g_clear_object (&self->chooser);
}

static void
open_report_action_cb (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  PostaciWindow *self = POSTACI_WINDOW (widget);
  g_autoptr(GtkFileFilter) filter = gtk_file_filter_new ();
  g_autoptr(GFile) folder = postaci_save_dialog_get_default_folder ();

  g_clear_object (&self->chooser);
  self->chooser = gtk_file_chooser_native_new (
    _ ("Open Report"), GTK_WINDOW (self), GTK_FILE_CHOOSER_ACTION_OPEN, _ ("_Open"), _ ("_Cancel"));
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (self->chooser), TRUE);
  gtk_file_filter_set_name (filter, _ ("Postacı reports"));
  gtk_file_filter_add_mime_type (filter, "text/html");
  gtk_file_filter_add_pattern (filter, "*.html");
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (self->chooser), filter);
  gtk_file_chooser_set_current_folder (GTK_FILE_CHOOSER (self->chooser), folder, NULL);
  g_signal_connect (self->chooser, "response", G_CALLBACK (open_report_response_cb), self);
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
attach_response_cb (GtkNativeDialog *dialog, int response, gpointer user_data)
{
  PostaciWindow *self = POSTACI_WINDOW (user_data);

  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GListModel) files = gtk_file_chooser_get_files (GTK_FILE_CHOOSER (dialog));

      postaci_request_form_attach_files (self->request_form, files);
    }
  g_clear_object (&self->chooser);
}

/* Attach files: several at once, from anywhere the person can read. */
static void
attach_files_action_cb (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  PostaciWindow *self = POSTACI_WINDOW (widget);

  g_clear_object (&self->chooser);
  self->chooser =
    gtk_file_chooser_native_new (_ ("Attach Files"), GTK_WINDOW (self),
                                 GTK_FILE_CHOOSER_ACTION_OPEN, _ ("_Attach"), _ ("_Cancel"));
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (self->chooser), TRUE);
  gtk_file_chooser_set_select_multiple (GTK_FILE_CHOOSER (self->chooser), TRUE);
  g_signal_connect (self->chooser, "response", G_CALLBACK (attach_response_cb), self);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (self->chooser));
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
  self->chooser =
    gtk_file_chooser_native_new (_ ("Choose a CA File"), GTK_WINDOW (self),
                                 GTK_FILE_CHOOSER_ACTION_OPEN, _ ("_Open"), _ ("_Cancel"));
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (self->chooser), TRUE);
  gtk_file_filter_set_name (filter, _ ("PEM certificates"));
  gtk_file_filter_add_pattern (filter, "*.pem");
  gtk_file_filter_add_pattern (filter, "*.crt");
  gtk_file_filter_add_mime_type (filter, "application/x-pem-file");
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (self->chooser), filter);
  g_signal_connect (self->chooser, "response", G_CALLBACK (ca_response_cb), self);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (self->chooser));
}

/* The shortcuts window, built the first time it is asked for: GtkApplication would build it
 * with every window, before its first frame, from gtk/help-overlay.ui. The action keeps GTK's
 * name and the window becomes the GtkApplicationWindow's help overlay, as GTK's would. */
static void
show_shortcuts_cb (GSimpleAction *action, GVariant *parameter, gpointer user_data)
{
  GtkApplicationWindow *window = GTK_APPLICATION_WINDOW (user_data);

  if (gtk_application_window_get_help_overlay (window) == NULL)
    {
      g_autoptr(GtkBuilder) builder = gtk_builder_new_from_resource (
        "/io/github/postaci/Postaci/postaci-shortcuts-window.ui");

      gtk_application_window_set_help_overlay (
        window, GTK_SHORTCUTS_WINDOW (gtk_builder_get_object (builder, "help_overlay")));
    }
  gtk_window_present (GTK_WINDOW (gtk_application_window_get_help_overlay (window)));
}

void
_postaci_window_add_shortcuts_action (PostaciWindow *self)
{
  g_autoptr(GSimpleAction) action = g_simple_action_new ("show-help-overlay", NULL);

  g_signal_connect_object (action, "activate", G_CALLBACK (show_shortcuts_cb), self, 0);
  g_action_map_add_action (G_ACTION_MAP (self), G_ACTION (action));
}

static void
start_local_server_action_cb (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  PostaciWindow *self = POSTACI_WINDOW (widget);

  if (self->cancellable == NULL)
    _postaci_window_start_local_server (self);
}

/* ---------------------------------------------------------------- */
/* Installing them, enabling them                                   */
/* ---------------------------------------------------------------- */

void
_postaci_window_update_actions (PostaciWindow *self)
{
  gboolean running = self->cancellable != NULL;
  gboolean have_run = self->session != NULL;
  const struct
  {
    const char *name;
    gboolean    enabled;
  } actions[] = {
    { "win.test", !running },
    { "win.cancel", running },
    { "win.copy-transcript", have_run },
    { "win.save-transcript", have_run },
    { "win.copy-report", have_run },
    { "win.save-report", have_run },
    { "win.clear-transcript", have_run && !running },
    { "win.start-local-server", !running },
    { "win.attach-files", !running },
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
  gtk_widget_class_install_action (widget_class, "win.copy-report", NULL, copy_report_action_cb);
  gtk_widget_class_install_action (widget_class, "win.save-report", NULL, save_report_action_cb);
  gtk_widget_class_install_action (widget_class, "win.open-report", NULL, open_report_action_cb);
  gtk_widget_class_install_action (widget_class, "win.undo-clear", NULL, undo_clear_action_cb);
  gtk_widget_class_install_action (widget_class, "win.choose-ca-file", NULL, choose_ca_action_cb);
  gtk_widget_class_install_action (widget_class, "win.attach-files", NULL, attach_files_action_cb);
  gtk_widget_class_install_action (widget_class, "win.find-settings", NULL,
                                   find_settings_action_cb);
  gtk_widget_class_install_action (widget_class, "win.start-local-server", NULL,
                                   start_local_server_action_cb);

  /* Escape cancels a run, but not as an application accelerator: those are caught before the
   * focused widget sees the key, so Escape would cancel the run instead of closing an open
   * menu or list. A window binding runs after them, and passes while no run goes on. */
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "win.cancel", NULL);
}
