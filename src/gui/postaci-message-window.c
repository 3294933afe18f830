/* SPDX-License-Identifier: GPL-3.0-or-later */
/* postaci-message-window.c — what the Local Test Server received, as a person checks it:
 * headers, text, HTML. */
#define G_LOG_DOMAIN "postaci-gui"

#include "config.h"

#include <glib/gi18n.h>
#include <gtksourceview/gtksource.h>

#include "postaci-accessible.h"
#include "postaci-message-window.h"
#include "postaci-save-dialog.h"
#include "postaci-source-scheme.h"

struct _PostaciMessageWindow
{
  AdwWindow parent_instance;

  /* Template widgets */
  AdwToastOverlay *toast_overlay;
  GtkWidget       *save_button;
  GtkLabel        *subject_label;
  GtkLabel        *envelope_label;
  AdwViewStack    *view_stack;
  GtkTextView     *headers_view;
  GtkTextView     *text_view;
  GtkSourceView   *html_view;

  PostaciCapturedMessage *message;
  GtkFileChooserNative   *chooser;
};

G_DEFINE_FINAL_TYPE (PostaciMessageWindow, postaci_message_window, ADW_TYPE_WINDOW)

static void
set_view_text (GtkTextView *view, const char *text)
{
  gtk_text_buffer_set_text (gtk_text_view_get_buffer (view), text, -1);
}

static void
show_message (PostaciMessageWindow *self)
{
  g_autoptr(GError) error = NULL;
  const char      *subject = postaci_captured_message_get_subject (self->message);
  const char      *from = postaci_captured_message_get_from (self->message);
  g_autofree char *to =
    g_strjoinv (", ", (char **) postaci_captured_message_get_recipients (self->message));
  g_autofree char *size = g_format_size (postaci_captured_message_get_size (self->message));
  g_autoptr(GDateTime) local =
               g_date_time_to_local (postaci_captured_message_get_received_time (self->message));
  g_autofree char *when = g_date_time_format (local, "%x %X");
  g_autofree char *envelope = NULL;
  g_autofree char *headers = NULL;
  g_autofree char *text = NULL;
  g_autofree char *html = NULL;

  gtk_window_set_title (GTK_WINDOW (self), *subject != '\0' ? subject : _ ("(no subject)"));
  gtk_label_set_text (self->subject_label, *subject != '\0' ? subject : _ ("(no subject)"));
  /* Translators: under a received message's subject: envelope sender, recipients, size, date
   * and time */
  envelope =
    g_strdup_printf (_ ("From %s to %s · %s · %s"), *from != '\0' ? from : "<>", to, size, when);
  gtk_label_set_text (self->envelope_label, envelope);

  /* Read from the .eml now: the server keeps no message bodies in memory. The file gone
   * (deleted by hand): the window says so where the headers would be. */
  if (!postaci_captured_message_read_parts (self->message, &headers, &text, &html, &error))
    headers = g_strdup (error->message);
  set_view_text (self->headers_view, headers);
  set_view_text (self->text_view, text != NULL ? text : _ ("This message has no plain text part."));
  set_view_text (GTK_TEXT_VIEW (self->html_view),
                 html != NULL ? html : _ ("This message has no HTML part."));
  if (html != NULL)
    adw_view_stack_set_visible_child_name (self->view_stack, "html");
  else if (text != NULL)
    adw_view_stack_set_visible_child_name (self->view_stack, "text");
}

/* ---------------------------------------------------------------- */
/* Save as .eml                                                     */
/* ---------------------------------------------------------------- */

static void
save_done_cb (GObject *object, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(PostaciMessageWindow) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *name = g_file_get_basename (G_FILE (object));
  g_autofree char *text = NULL;

  if (!g_file_replace_contents_finish (G_FILE (object), result, NULL, &error))
    /* Translators: the first %s is a file name, the second why it could not be written */
    text = g_strdup_printf (_ ("Could not save %s: %s"), name, error->message);
  else
    text = g_strdup_printf (_ ("Message saved as %s"), name);
  adw_toast_overlay_add_toast (self->toast_overlay, adw_toast_new (text));
}

void
postaci_message_window_save (PostaciMessageWindow *self, GFile *file)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) raw = NULL;

  g_return_if_fail (POSTACI_IS_MESSAGE_WINDOW (self));
  g_return_if_fail (G_IS_FILE (file));

  raw = postaci_captured_message_read (self->message, &error);
  if (raw == NULL)
    {
      g_autofree char *name = g_file_get_basename (file);
      g_autofree char *text = g_strdup_printf (_ ("Could not save %s: %s"), name, error->message);

      adw_toast_overlay_add_toast (self->toast_overlay, adw_toast_new (text));
      return;
    }
  g_file_replace_contents_bytes_async (file, raw, NULL, FALSE, G_FILE_CREATE_REPLACE_DESTINATION,
                                       NULL, save_done_cb, g_object_ref (self));
}

static void
save_response_cb (GtkNativeDialog *dialog, int response, gpointer user_data)
{
  PostaciMessageWindow *self = POSTACI_MESSAGE_WINDOW (user_data);

  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (dialog));

      postaci_message_window_save (self, file);
    }
  g_clear_object (&self->chooser);
}

static void
save_clicked_cb (PostaciMessageWindow *self)
{
  g_autofree char *name = g_path_get_basename (postaci_captured_message_get_path (self->message));

  if (self->chooser != NULL)
    gtk_native_dialog_destroy (GTK_NATIVE_DIALOG (self->chooser));
  g_clear_object (&self->chooser);
  self->chooser = postaci_save_dialog_new (GTK_WINDOW (self), _ ("Save as .eml"), name,
                                           _ ("E-mail messages (.eml)"), "message/rfc822", "*.eml");
  g_signal_connect (self->chooser, "response", G_CALLBACK (save_response_cb), self);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (self->chooser));
}

/* ---------------------------------------------------------------- */
/* GObject                                                          */
/* ---------------------------------------------------------------- */

PostaciCapturedMessage *
postaci_message_window_get_message (PostaciMessageWindow *self)
{
  g_return_val_if_fail (POSTACI_IS_MESSAGE_WINDOW (self), NULL);
  return self->message;
}

static void
postaci_message_window_dispose (GObject *object)
{
  PostaciMessageWindow *self = POSTACI_MESSAGE_WINDOW (object);

  if (self->chooser != NULL)
    gtk_native_dialog_destroy (GTK_NATIVE_DIALOG (self->chooser));
  g_clear_object (&self->chooser);
  g_clear_object (&self->message);
  gtk_widget_dispose_template (GTK_WIDGET (self), POSTACI_TYPE_MESSAGE_WINDOW);
  G_OBJECT_CLASS (postaci_message_window_parent_class)->dispose (object);
}

static void
postaci_message_window_class_init (PostaciMessageWindowClass *klass)
{
  GObjectClass   *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = postaci_message_window_dispose;

  g_type_ensure (GTK_SOURCE_TYPE_VIEW);
  gtk_widget_class_set_template_from_resource (
    widget_class, "/io/github/postaci/Postaci/postaci-message-window.ui");
#define BIND(name) gtk_widget_class_bind_template_child (widget_class, PostaciMessageWindow, name)
  BIND (toast_overlay);
  BIND (save_button);
  BIND (subject_label);
  BIND (envelope_label);
  BIND (view_stack);
  BIND (headers_view);
  BIND (text_view);
  BIND (html_view);
#undef BIND
  gtk_widget_class_bind_template_callback (widget_class, save_clicked_cb);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
postaci_message_window_init (PostaciMessageWindow *self)
{
  GtkSourceBuffer *buffer;

  gtk_widget_init_template (GTK_WIDGET (self));
  postaci_accessible_name_buttons_by_label (GTK_WIDGET (self));

  buffer = GTK_SOURCE_BUFFER (gtk_text_view_get_buffer (GTK_TEXT_VIEW (self->html_view)));
  gtk_source_buffer_set_language (buffer, gtk_source_language_manager_get_language (
                                            gtk_source_language_manager_get_default (), "html"));
  postaci_source_view_follow_style (self->html_view);
}

PostaciMessageWindow *
postaci_message_window_new (GtkWindow *parent, PostaciCapturedMessage *message)
{
  PostaciMessageWindow *self;

  g_return_val_if_fail (parent == NULL || GTK_IS_WINDOW (parent), NULL);
  g_return_val_if_fail (POSTACI_IS_CAPTURED_MESSAGE (message), NULL);

  self = g_object_new (POSTACI_TYPE_MESSAGE_WINDOW, "transient-for", parent, NULL);
  /* Not destroy-with-parent: GTK 4.8 then keeps a dangling transient parent in a window that
   * outlives it (a save still under way holds one), and crashes when that window goes. This
   * handler runs after GTK's own, which lets go of the parent. */
  if (parent != NULL)
    g_signal_connect_object (parent, "destroy", G_CALLBACK (gtk_window_destroy), self,
                             G_CONNECT_SWAPPED);
  self->message = g_object_ref (message);
  show_message (self);
  return self;
}
