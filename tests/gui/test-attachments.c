/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-attachments.c — the form's "Attach files" under Xvfb: files added as the chooser's answer
 * adds them, sent to the Local Test Server and read back from the captured .eml byte for byte;
 * a file gone before Test SMTP is marked at its row and nothing is sent; a saved server whose
 * file is gone says so when it is chosen. */
#define G_LOG_DOMAIN "test-attachments"

#include "config.h"

#include <fcntl.h>
#include <string.h>
#include <adwaita.h>
#include <gmime/gmime.h>
#include <glib/gstdio.h>

#include "postaci-application.h"
#include "postaci-gui-test.h"
#include "postaci-local-server-page.h"
#include "postaci-profile-button.h"
#include "postaci-scripted-server.h"
#include "postaci-window.h"

#define BINARY_NAME "rapor ığüş <son>.bin"
#define TEXT_NAME   "notlar.txt"
#define TEXT        "Birinci satır\r\n.ikinci satır noktayla başlar\nüçüncü\n"

/* GMime 3.2 declares no cleanup functions of its own. */
G_DEFINE_AUTOPTR_CLEANUP_FUNC (GMimeStream, g_object_unref)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (GMimeParser, g_object_unref)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (GMimeMessage, g_object_unref)

static PostaciApplication *application;
static char *files_dir;

#define child postaci_gui_test_window_child

static PostaciLocalServer *
local_server (PostaciWindow *window)
{
  return postaci_window_get_local_server (window);
}

/* Bytes no text encoding would carry unharmed: NUL, CR, LF, a dot at a line's start, 0xFF. */
static GBytes *
binary_contents (void)
{
  gsize size = 200 * 1024 + 7;
  guint8 *data = g_malloc (size);
  guint32 x = 2463534242u;

  for (gsize i = 0; i < size; i++)
    {
      x ^= x << 13;
      x ^= x >> 17;
      x ^= x << 5;
      data[i] = (guint8) x;
    }
  memcpy (data, "\r\n.\r\n\0\xff", 8);
  return g_bytes_new_take (data, size);
}

static char *
write_file (const char *name, GBytes *bytes)
{
  char *path = g_build_filename (files_dir, name, NULL);
  gsize size;
  const char *data = g_bytes_get_data (bytes, &size);

  g_assert_true (g_file_set_contents (path, data, (gssize) size, NULL));
  return path;
}

/* As the chooser's answer does it: a list of GFile handed to the form. */
static void
attach (PostaciWindow *window, const char *const *paths)
{
  g_autoptr(GListStore) files = g_list_store_new (G_TYPE_FILE);

  for (guint i = 0; paths[i] != NULL; i++)
    {
      g_autoptr(GFile) file = g_file_new_for_path (paths[i]);

      g_list_store_append (files, file);
    }
  postaci_request_form_attach_files (child (window, "request_form"), G_LIST_MODEL (files));
  postaci_gui_test_flush ();
}

static gboolean
is_row_titled (GtkWidget *widget, gconstpointer title)
{
  return ADW_IS_ACTION_ROW (widget) && gtk_widget_get_mapped (widget) &&
         g_strcmp0 (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (widget)), title) == 0;
}

/* The row a person sees for the file called @name, or NULL. */
static AdwActionRow *
file_row (PostaciWindow *window, const char *name)
{
  return (AdwActionRow *) postaci_gui_test_find_widget (child (window, "request_form"), is_row_titled, name);
}

static gboolean
is_remove_button (GtkWidget *widget, gconstpointer data)
{
  return GTK_IS_BUTTON (widget) && g_strcmp0 (gtk_widget_get_tooltip_text (widget), "Remove from the message") == 0;
}

typedef struct {
  PostaciWindow *window;
  const char    *name;
} FileRow;

static gboolean
row_gone (gpointer data)
{
  FileRow *row = data;

  return file_row (row->window, row->name) == NULL;
}

/* Activates the remove button of @name's row as Space on it would; the button goes with it. */
static void
click_remove (PostaciWindow *window, const char *name)
{
  GtkWidget *button = postaci_gui_test_find_widget (GTK_WIDGET (file_row (window, name)),
                                                    is_remove_button, NULL);

  g_assert_nonnull (button);
  g_assert_true (gtk_widget_is_drawable (button));
  gtk_widget_activate (button);
  postaci_test_wait_until (row_gone, &(FileRow) { window, name }, POSTACI_GUI_TEST_TIMEOUT_MS);
  postaci_gui_test_flush ();
}

static gboolean
is_label_showing (GtkWidget *widget, gconstpointer text)
{
  return GTK_IS_LABEL (widget) && gtk_widget_get_mapped (widget) &&
         strstr (gtk_label_get_text (GTK_LABEL (widget)), text) != NULL;
}

static GPtrArray *
form_attachments (PostaciWindow *window)
{
  PostaciRequest *request = postaci_request_form_get_settings (child (window, "request_form"), NULL);
  GPtrArray *attachments;

  g_assert_nonnull (request);
  attachments = g_ptr_array_ref (request->attachments);
  postaci_request_free (request);
  return attachments;
}

/* The decoded bytes of the part of @message whose file name is @name. */
static GBytes *
attachment_bytes (GMimeMessage *message, const char *name)
{
  GMimePartIter *iter = g_mime_part_iter_new ((GMimeObject *) message);

  do
    {
      GMimeObject *object = g_mime_part_iter_get_current (iter);

      if (GMIME_IS_PART (object) && g_strcmp0 (g_mime_part_get_filename (GMIME_PART (object)), name) == 0)
        {
          GMimeDataWrapper *content = g_mime_part_get_content (GMIME_PART (object));
          g_autoptr(GMimeStream) out = g_mime_stream_mem_new ();
          GByteArray *array;

          g_assert_cmpint (g_mime_part_get_content_encoding (GMIME_PART (object)), ==,
                           GMIME_CONTENT_ENCODING_BASE64);
          g_assert_cmpint (g_mime_data_wrapper_write_to_stream (content, out), >=, 0);
          array = g_mime_stream_mem_get_byte_array (GMIME_STREAM_MEM (out));
          g_mime_part_iter_free (iter);
          return g_bytes_new (array->data, array->len);
        }
    }
  while (g_mime_part_iter_next (iter));
  g_error ("no attachment called “%s” in the message", name);
  return NULL;
}

/* Scrolls the form to its mail settings, for a picture of the list. */
static void
show_mail_settings (PostaciWindow *window)
{
  GtkScrolledWindow *scroller = child (window, "form_scroller");
  graphene_rect_t bounds;

  postaci_gui_test_wait_for_frames (GTK_WIDGET (window));
  g_assert_true (gtk_widget_compute_bounds (child (window, "from_row"), child (window, "request_form"), &bounds));
  gtk_adjustment_set_value (gtk_scrolled_window_get_vadjustment (scroller), bounds.origin.y - 60);
}

/* Saves the part of @window that shows @widget (README's picture of the row). */
static void
save_widget_picture (PostaciWindow *window, GtkWidget *widget, const char *name)
{
  g_autoptr(GdkTexture) texture = postaci_gui_test_render (GTK_WIDGET (window));
  g_autofree char *path = g_test_build_filename (G_TEST_BUILT, name, NULL);
  int width = gdk_texture_get_width (texture);
  g_autofree guchar *pixels = g_malloc ((gsize) width * gdk_texture_get_height (texture) * 4);
  g_autoptr(GBytes) part = NULL;
  g_autoptr(GdkTexture) cropped = NULL;
  graphene_rect_t bounds;
  int x, y, w, h;

  g_assert_true (gtk_widget_compute_bounds (widget, GTK_WIDGET (window), &bounds));
  /* A margin of 12 pixels around it, inside the window. */
  x = MAX (0, (int) bounds.origin.x - 12);
  y = MAX (0, (int) bounds.origin.y - 12);
  w = MIN (width - x, (int) bounds.size.width + 24);
  h = MIN (gdk_texture_get_height (texture) - y, (int) bounds.size.height + 24);
  gdk_texture_download (texture, pixels, (gsize) width * 4);
  part = g_bytes_new (pixels + ((gsize) y * width + x) * 4, ((gsize) (h - 1) * width + w) * 4);
  cropped = gdk_memory_texture_new (w, h, GDK_MEMORY_DEFAULT, part, (gsize) width * 4);
  g_assert_true (gdk_texture_save_to_png (cropped, path));
  g_test_message ("screenshot: %s (%d×%d)", path, w, h);
}

/* Two files attached as the chooser gives them, listed with name and size, one taken off and
 * put back; Test SMTP on the Local Test Server; the captured message holds both, byte for byte. */
static void
test_send (void)
{
  PostaciWindow *window = postaci_gui_test_present (postaci_window_new (application), 1320, 1000);
  g_autoptr(GBytes) binary = binary_contents ();
  g_autoptr(GBytes) text = g_bytes_new_static (TEXT, strlen (TEXT));
  g_autofree char *binary_path = write_file (BINARY_NAME, binary);
  g_autofree char *text_path = write_file (TEXT_NAME, text);
  const char *both[] = { binary_path, text_path, NULL };
  const char *text_only[] = { text_path, NULL };
  g_autofree char *binary_size = g_format_size (g_bytes_get_size (binary));
  g_autoptr(GPtrArray) attachments = NULL;
  g_autoptr(GListModel) messages = NULL;
  g_autoptr(PostaciCapturedMessage) captured = NULL;
  g_autoptr(GMimeParser) parser = NULL;
  g_autoptr(GMimeStream) stream = NULL;
  g_autoptr(GMimeMessage) message = NULL;
  g_autoptr(GBytes) sent_binary = NULL;
  g_autoptr(GBytes) sent_text = NULL;
  AdwActionRow *row;
  guint before;

  g_assert_true (postaci_local_server_is_running (local_server (window)));
  g_assert_cmpstr (adw_action_row_get_subtitle (child (window, "attach_row")), ==, "No files");

  attach (window, both);
  row = file_row (window, BINARY_NAME);
  g_assert_nonnull (row);
  g_assert_cmpstr (adw_action_row_get_subtitle (row), ==, binary_size);
  g_assert_cmpstr (gtk_widget_get_tooltip_text (GTK_WIDGET (row)), ==, binary_path);
  g_assert_nonnull (file_row (window, TEXT_NAME));
  g_assert_true (g_str_has_prefix (adw_action_row_get_subtitle (child (window, "attach_row")), "2 files, "));
  /* The same file again is not attached twice. */
  attach (window, text_only);
  attachments = form_attachments (window);
  g_assert_cmpuint (attachments->len, ==, 2);
  g_assert_cmpstr (attachments->pdata[0], ==, binary_path);
  g_assert_cmpstr (attachments->pdata[1], ==, text_path);
  g_clear_pointer (&attachments, g_ptr_array_unref);

  /* Its remove button takes the text file off; the chooser puts it back. */
  click_remove (window, TEXT_NAME);
  g_assert_true (g_str_has_prefix (adw_action_row_get_subtitle (child (window, "attach_row")), "1 file, "));
  attach (window, text_only);
  g_assert_nonnull (file_row (window, TEXT_NAME));
  show_mail_settings (window);
  postaci_gui_test_save_screenshot (GTK_WIDGET (window), "postaci-attachments-light.png");
  save_widget_picture (window, gtk_widget_get_ancestor (child (window, "attach_row"), ADW_TYPE_PREFERENCES_GROUP),
                       "postaci-attachments-row.png");

  messages = g_object_ref (postaci_local_server_get_messages (local_server (window)));
  before = g_list_model_get_n_items (messages);
  g_assert_cmpint (postaci_gui_test_run_test (window)->verdict, ==, POSTACI_VERDICT_SUCCESS);
  g_assert_cmpuint (g_list_model_get_n_items (messages), ==, before + 1);

  /* The .eml the server wrote, parsed back. */
  captured = g_list_model_get_item (messages, before);
  stream = g_mime_stream_fs_open (postaci_captured_message_get_path (captured), O_RDONLY, 0, NULL);
  g_assert_nonnull (stream);
  parser = g_mime_parser_new_with_stream (stream);
  message = g_mime_parser_construct_message (parser, NULL);
  g_assert_nonnull (message);
  g_assert_true (GMIME_IS_MULTIPART (g_mime_message_get_mime_part (message)));
  g_assert_true (g_mime_content_type_is_type (g_mime_object_get_content_type (g_mime_message_get_mime_part (message)),
                                             "multipart", "mixed"));
  sent_binary = attachment_bytes (message, BINARY_NAME);
  sent_text = attachment_bytes (message, TEXT_NAME);
  g_assert_true (g_bytes_equal (sent_binary, binary));
  g_assert_true (g_bytes_equal (sent_text, text));

  postaci_gui_test_close (window);
  g_unlink (binary_path);
  g_unlink (text_path);
}

/* A file removed from the disk after it was attached: Test SMTP marks its row with the reason
 * and starts nothing; taking it off the list clears the mark and the run goes. */
static void
test_missing_file (void)
{
  PostaciWindow *window = postaci_gui_test_present (postaci_window_new (application), 1320, 1000);
  g_autoptr(GBytes) text = g_bytes_new_static (TEXT, strlen (TEXT));
  g_autofree char *path = write_file ("gone.txt", text);
  const char *paths[] = { path, NULL };
  GtkWidget *error_label;
  AdwActionRow *row;
  GListModel *messages = postaci_local_server_get_messages (local_server (window));
  guint before = g_list_model_get_n_items (messages);

  attach (window, paths);
  row = file_row (window, "gone.txt");
  g_assert_nonnull (row);
  g_assert_cmpint (g_unlink (path), ==, 0);

  postaci_gui_test_click (child (window, "test_button"));
  postaci_gui_test_flush ();
  g_assert_false (postaci_window_is_running (window));
  g_assert_null (postaci_window_get_outcome (window));
  g_assert_cmpuint (g_list_model_get_n_items (messages), ==, before);
  g_assert_true (gtk_widget_has_css_class (GTK_WIDGET (row), "error"));
  error_label = postaci_gui_test_find_widget (child (window, "request_form"), is_label_showing,
                                              "No such file or directory");
  g_assert_nonnull (error_label);
  g_assert_nonnull (strstr (gtk_label_get_text (GTK_LABEL (error_label)), path));
  /* The reason stands right under the file's row. */
  g_assert_true (gtk_widget_get_next_sibling (GTK_WIDGET (row)) ==
                 gtk_widget_get_ancestor (error_label, GTK_TYPE_LIST_BOX_ROW));
  postaci_gui_test_save_screenshot (GTK_WIDGET (window), "postaci-attachments-missing.png");

  click_remove (window, "gone.txt");
  g_assert_null (postaci_gui_test_find_widget (child (window, "request_form"), is_label_showing,
                                               "No such file or directory"));
  g_assert_cmpint (postaci_gui_test_run_test (window)->verdict, ==, POSTACI_VERDICT_SUCCESS);
  postaci_gui_test_close (window);
}

static gboolean
says_gone (gpointer data)
{
  return postaci_gui_test_find_widget (data, is_label_showing, "1 attached file is no longer there") != NULL;
}

/* A saved server keeps its files' paths; chosen after one of them went, the form says so and
 * marks the file in the list; the other one is attached as before. */
static void
test_saved_server (void)
{
  PostaciWindow *window = postaci_gui_test_present (postaci_window_new_for_options (application), 1320, 1000);
  PostaciRequestForm *form = child (window, "request_form");
  PostaciProfileStore *store = postaci_application_get_profiles (application);
  g_autoptr(GBytes) text = g_bytes_new_static (TEXT, strlen (TEXT));
  g_autofree char *kept = write_file ("kalan.txt", text);
  g_autofree char *gone = write_file ("silinen.txt", text);
  const char *paths[] = { kept, gone, NULL };
  g_autoptr(PostaciRequest) settings = NULL;
  g_autoptr(PostaciProfile) profile = NULL;
  g_autoptr(GPtrArray) attachments = NULL;
  g_autoptr(PostaciRequest) empty = postaci_request_new ();
  g_autofree char *size = g_format_size (strlen (TEXT));

  postaci_gui_test_set_field (window, "server_row", "smtp.acme.example");
  attach (window, paths);
  settings = postaci_request_form_get_settings (form, NULL);
  profile = postaci_profile_new ("Ekli – Acme", settings);
  g_assert_true (postaci_profile_store_add (store, profile, NULL));
  g_assert_cmpint (g_unlink (gone), ==, 0);

  /* Another form's files go when the saved server is chosen. */
  postaci_request_form_set_request (form, empty);
  g_assert_null (file_row (window, "kalan.txt"));
  g_assert_cmpstr (adw_action_row_get_subtitle (child (window, "attach_row")), ==, "No files");

  postaci_profile_button_choose (child (window, "profile_button"), profile, FALSE);
  postaci_test_wait_until (says_gone, window, POSTACI_GUI_TEST_TIMEOUT_MS);
  g_assert_cmpstr (adw_action_row_get_subtitle (file_row (window, "silinen.txt")), ==,
                   "No longer there: choose it again or remove it");
  g_assert_cmpstr (adw_action_row_get_subtitle (file_row (window, "kalan.txt")), ==, size);
  attachments = form_attachments (window);
  g_assert_cmpuint (attachments->len, ==, 2);
  postaci_gui_test_close (window);
  postaci_profile_store_remove (store, profile);
  g_unlink (kept);
}

int
main (int argc, char **argv)
{
  g_autofree char *config = g_dir_make_tmp ("postaci-attachments-XXXXXX", NULL);
  char *cache = NULL;
  int status = 0;

  /* Saved servers of this run only, set before GLib first reads the folder. */
  g_setenv ("XDG_CONFIG_HOME", config, TRUE);
  files_dir = g_build_filename (config, "files", NULL);
  g_assert_cmpint (g_mkdir (files_dir, 0700), ==, 0);
  application = postaci_gui_test_init (&argc, &argv, &cache);
  if (application != NULL)
    {
      g_mime_init ();
      /* In this order: the first window is a first start, pinned to the Local Test Server. */
      g_test_add_func ("/postaci/attachments/send", test_send);
      g_test_add_func ("/postaci/attachments/missing-file", test_missing_file);
      g_test_add_func ("/postaci/attachments/saved-server", test_saved_server);
      status = postaci_gui_test_finish (application, cache, g_test_run ());
      g_mime_shutdown ();
    }
  postaci_gui_test_remove_tree (config);
  g_free (files_dir);
  return status;
}
