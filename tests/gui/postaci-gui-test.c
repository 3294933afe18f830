/* SPDX-License-Identifier: GPL-3.0-or-later */
/* postaci-gui-test.c — what the GUI tests share: template children, frames, screenshots, a private cache. */
#define G_LOG_DOMAIN "test-gui"

#include "config.h"

#include <locale.h>
#include <math.h>
#include <glib/gi18n.h>
#include <glib/gstdio.h>

#include "postaci-gui-test.h"
#include "postaci-request-form.h"
#include "postaci-scripted-server.h"
#include "postaci-verdict-panel.h"
#include "postaci-window.h"

gpointer
postaci_gui_test_child (gpointer widget, GType type, const char *name)
{
  GObject *object = gtk_widget_get_template_child (GTK_WIDGET (widget), type, name);

  if (object == NULL)
    g_error ("%s has no template child %s", g_type_name (type), name);
  return object;
}

gpointer
postaci_gui_test_window_child (gpointer window, const char *name)
{
  GtkWidget *widget = GTK_WIDGET (window);
  GObject *object = gtk_widget_get_template_child (widget, POSTACI_TYPE_WINDOW, name);

  if (object == NULL)
    object = gtk_widget_get_template_child (postaci_gui_test_child (widget, POSTACI_TYPE_WINDOW, "request_form"),
                                            POSTACI_TYPE_REQUEST_FORM, name);
  if (object == NULL)
    object = gtk_widget_get_template_child (postaci_gui_test_child (widget, POSTACI_TYPE_WINDOW, "verdict_panel"),
                                            POSTACI_TYPE_VERDICT_PANEL, name);
  if (object == NULL)
    g_error ("the window, its form and its verdict card have no template child %s", name);
  return object;
}

GtkWidget *
postaci_gui_test_find_widget (GtkWidget *root, gboolean (*match) (GtkWidget *widget, gconstpointer data),
                              gconstpointer data)
{
  if (match (root, data))
    return root;
  for (GtkWidget *c = gtk_widget_get_first_child (root); c != NULL; c = gtk_widget_get_next_sibling (c))
    {
      GtkWidget *found = postaci_gui_test_find_widget (c, match, data);

      if (found != NULL)
        return found;
    }
  return NULL;
}

void
postaci_gui_test_set_field (gpointer window, const char *name, const char *text)
{
  gtk_editable_set_text (GTK_EDITABLE (postaci_gui_test_window_child (window, name)), text);
}

const char *
postaci_gui_test_get_field (gpointer window, const char *name)
{
  return gtk_editable_get_text (GTK_EDITABLE (postaci_gui_test_window_child (window, name)));
}

gpointer
postaci_gui_test_present (gpointer window, int width, int height)
{
  gtk_window_set_default_size (GTK_WINDOW (window), width, height);
  gtk_window_present (GTK_WINDOW (window));
  return window;
}

void
postaci_gui_test_close (gpointer window)
{
  gtk_window_destroy (GTK_WINDOW (window));
  postaci_gui_test_flush ();
}

int
postaci_gui_test_command_line (GApplication *application, GVariantDict *options,
                               const char * const *environ_)
{
  static const char *const argv[] = { "postaci", NULL };
  g_autoptr(GPtrArray) environment = g_ptr_array_new ();
  g_autoptr(GVariantDict) platform = g_variant_dict_new (NULL);
  g_autoptr(GApplicationCommandLine) command_line = NULL;
  int status = -1;

  g_ptr_array_add (environment, (gpointer) "LANG=C.UTF-8");
  for (guint i = 0; environ_ != NULL && environ_[i] != NULL; i++)
    g_ptr_array_add (environment, (gpointer) environ_[i]);
  g_ptr_array_add (environment, NULL);
  g_variant_dict_insert_value (platform, "environ",
                               g_variant_new_bytestring_array ((const char *const *) environment->pdata, -1));
  command_line = g_object_new (G_TYPE_APPLICATION_COMMAND_LINE,
                               "arguments", g_variant_new_bytestring_array (argv, -1),
                               "options", g_variant_dict_end (options),
                               "platform-data", g_variant_dict_end (platform),
                               NULL);
  g_signal_emit_by_name (application, "command-line", command_line, &status);
  postaci_gui_test_flush ();
  return status;
}

void
postaci_gui_test_flush (void)
{
  while (g_main_context_iteration (NULL, FALSE))
    ;
}

static gboolean
count_frame_cb (GtkWidget *widget, GdkFrameClock *clock, gpointer user_data)
{
  guint *frames = user_data;

  (*frames)++;
  return G_SOURCE_CONTINUE;
}

static gboolean
enough_frames (gpointer data)
{
  return *(guint *) data >= 3;
}

void
postaci_gui_test_wait_for_frames (GtkWidget *widget)
{
  guint frames = 0;
  guint id = gtk_widget_add_tick_callback (widget, count_frame_cb, &frames, NULL);

  gtk_widget_queue_draw (widget);
  postaci_test_wait_until (enough_frames, &frames, 10000);
  gtk_widget_remove_tick_callback (widget, id);
}

GdkTexture *
postaci_gui_test_render (GtkWidget *widget)
{
  g_autoptr(GdkPaintable) paintable = gtk_widget_paintable_new (widget);
  GtkSnapshot *snapshot = gtk_snapshot_new ();
  g_autoptr(GskRenderNode) node = NULL;
  int width, height;

  /* Twice: what runs after a frame (the transcript scrolling to its end) is painted too. */
  for (guint i = 0; i < 2; i++)
    {
      postaci_gui_test_flush ();
      postaci_gui_test_wait_for_frames (widget);
    }
  width = gtk_widget_get_width (widget);
  height = gtk_widget_get_height (widget);
  gdk_paintable_snapshot (paintable, snapshot, width, height);
  node = gtk_snapshot_free_to_node (snapshot);
  g_assert_nonnull (node);
  return gsk_renderer_render_texture (gtk_native_get_renderer (GTK_NATIVE (widget)), node,
                                      &GRAPHENE_RECT_INIT (0, 0, width, height));
}

void
postaci_gui_test_save_screenshot (GtkWidget *widget, const char *name)
{
  g_autoptr(GdkTexture) texture = postaci_gui_test_render (widget);
  g_autofree char *path = g_test_build_filename (G_TEST_BUILT, name, NULL);

  g_assert_true (gdk_texture_save_to_png (texture, path));
  g_test_message ("screenshot: %s (%d×%d)", path, gdk_texture_get_width (texture),
                  gdk_texture_get_height (texture));
}

/* WCAG 2 relative luminance of an 8-bit sRGB colour. */
static double
luminance (const guchar *bgra)
{
  double c[3];

  for (guint i = 0; i < 3; i++)
    {
      double v = bgra[2 - i] / 255.0; /* B, G, R in memory: R first */

      c[i] = v <= 0.04045 ? v / 12.92 : pow ((v + 0.055) / 1.055, 2.4);
    }
  return 0.2126 * c[0] + 0.7152 * c[1] + 0.0722 * c[2];
}

static double
contrast (double a, double b)
{
  return (MAX (a, b) + 0.05) / (MIN (a, b) + 0.05);
}

double
postaci_gui_test_text_contrast (GtkWidget *window, GtkWidget *label)
{
  g_autoptr(GdkTexture) texture = postaci_gui_test_render (window);
  int width = gdk_texture_get_width (texture);
  int height = gdk_texture_get_height (texture);
  g_autofree guchar *pixels = g_malloc ((gsize) width * height * 4);
  g_autoptr(GHashTable) counts = g_hash_table_new (NULL, NULL);
  graphene_rect_t bounds;
  guint32 background = 0;
  guint best = 0;
  double background_luminance, most = 1.0;
  int x0, y0, x1, y1;

  g_assert_true (gtk_widget_compute_bounds (label, window, &bounds));
  gdk_texture_download (texture, pixels, (gsize) width * 4);
  x0 = MAX (0, (int) bounds.origin.x);
  y0 = MAX (0, (int) bounds.origin.y);
  x1 = MIN (width, (int) (bounds.origin.x + bounds.size.width));
  y1 = MIN (height, (int) (bounds.origin.y + bounds.size.height));
  g_assert_cmpint (x1 - x0, >, 0);
  g_assert_cmpint (y1 - y0, >, 0);

  /* The background is the colour most pixels of the label have; the text, the one that stands
   * out most from it (the core of a glyph, where antialiasing does not blend). */
  for (int y = y0; y < y1; y++)
    for (int x = x0; x < x1; x++)
      {
        guint32 pixel = *(guint32 *) (pixels + ((gsize) y * width + x) * 4);
        guint n = GPOINTER_TO_UINT (g_hash_table_lookup (counts, GUINT_TO_POINTER (pixel))) + 1;

        g_hash_table_insert (counts, GUINT_TO_POINTER (pixel), GUINT_TO_POINTER (n));
        if (n > best)
          {
            best = n;
            background = pixel;
          }
      }
  background_luminance = luminance ((const guchar *) &background);
  for (int y = y0; y < y1; y++)
    for (int x = x0; x < x1; x++)
      most = MAX (most, contrast (background_luminance,
                                  luminance (pixels + ((gsize) y * width + x) * 4)));
  return most;
}

static void
clicked_cb (GtkButton *button, gpointer user_data)
{
  *(gboolean *) user_data = TRUE;
}

static gboolean
is_true (gpointer data)
{
  return *(gboolean *) data;
}

void
postaci_gui_test_click (gpointer button)
{
  gboolean clicked = FALSE;
  gulong id;

  g_assert_true (GTK_IS_BUTTON (button));
  g_assert_true (gtk_widget_is_drawable (button));
  g_assert_true (gtk_widget_is_sensitive (button));
  id = g_signal_connect (button, "clicked", G_CALLBACK (clicked_cb), &clicked);
  gtk_widget_activate (button);
  postaci_test_wait_until (is_true, &clicked, 10000);
  g_signal_handler_disconnect (button, id);
}

static gboolean
window_is_running (gpointer window)
{
  return postaci_window_is_running (window);
}

static gboolean
window_is_idle (gpointer window)
{
  return !postaci_window_is_running (window);
}

const PostaciOutcome *
postaci_gui_test_run_test (gpointer window)
{
  g_assert_false (postaci_window_is_running (window));
  postaci_gui_test_click (postaci_gui_test_window_child (window, "test_button"));
  postaci_test_wait_until (window_is_running, window, POSTACI_GUI_TEST_TIMEOUT_MS);
  postaci_test_wait_until (window_is_idle, window, POSTACI_GUI_TEST_TIMEOUT_MS);
  g_assert_nonnull (postaci_window_get_outcome (window));
  return postaci_window_get_outcome (window);
}

GtkWindow *
postaci_gui_test_find_toplevel (GType type)
{
  GListModel *toplevels = gtk_window_get_toplevels (); /* owned by GTK */

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GtkWindow) window = g_list_model_get_item (toplevels, i);

      if (G_TYPE_CHECK_INSTANCE_TYPE (window, type) && gtk_widget_get_visible (GTK_WIDGET (window)))
        return window;
    }
  return NULL;
}

static gboolean
no_toplevel (gpointer data)
{
  return postaci_gui_test_find_toplevel (GPOINTER_TO_SIZE (data)) == NULL;
}

void
postaci_gui_test_wait_closed (GType type)
{
  postaci_test_wait_until (no_toplevel, GSIZE_TO_POINTER (type), POSTACI_GUI_TEST_TIMEOUT_MS);
}

gboolean
postaci_gui_test_shows_label (GtkWidget *widget, const char *text)
{
  if (GTK_IS_LABEL (widget) && gtk_widget_is_drawable (widget) &&
      g_strcmp0 (gtk_label_get_text (GTK_LABEL (widget)), text) == 0)
    return TRUE;
  for (GtkWidget *c = gtk_widget_get_first_child (widget); c != NULL;
       c = gtk_widget_get_next_sibling (c))
    if (postaci_gui_test_shows_label (c, text))
      return TRUE;
  return FALSE;
}

static void
read_text_cb (GObject *object, GAsyncResult *result, gpointer user_data)
{
  char **text = user_data;

  *text = gdk_clipboard_read_text_finish (GDK_CLIPBOARD (object), result, NULL);
  if (*text == NULL)
    *text = g_strdup ("");
}

static gboolean
is_set (gpointer data)
{
  return *(gpointer *) data != NULL;
}

char *
postaci_gui_test_read_clipboard (GdkClipboard *clipboard)
{
  char *text = NULL;

  gdk_clipboard_read_text_async (clipboard, NULL, read_text_cb, &text);
  postaci_test_wait_until (is_set, &text, 10000);
  return text;
}

typedef struct {
  const char *path;
  gsize       size;
} ExpectedFile;

static gboolean
file_complete (gpointer data)
{
  const ExpectedFile *expected = data;
  GStatBuf buf;

  return g_stat (expected->path, &buf) == 0 && (gsize) buf.st_size >= expected->size;
}

void
postaci_gui_test_wait_for_file (const char *path, gsize size)
{
  ExpectedFile expected = { path, size };

  postaci_test_wait_until (file_complete, &expected, 10000);
}

char *
postaci_gui_test_view_text (GtkTextView *view)
{
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (view);
  GtkTextIter start, end;

  /* The transcript takes its lines in at idle, a slice a frame: what is pending goes in first,
   * or the last line of a run that has just ended (its result) may not be there yet. */
  postaci_gui_test_flush ();
  gtk_text_buffer_get_bounds (buffer, &start, &end);
  return gtk_text_buffer_get_text (buffer, &start, &end, FALSE);
}

/* Fails unless HOME and every XDG folder of the user are inside the temporary folder
 * (tests/gui/run-in-temp-home.sh): a GUI test must never read or write the person's own
 * settings, saved servers or mail. */
static void
assert_private_home (void)
{
  g_autofree char *tmp = g_canonicalize_filename (g_get_tmp_dir (), "/");
  g_autofree char *inside = g_str_has_suffix (tmp, "/") ? g_strdup (tmp) : g_strconcat (tmp, "/", NULL);
  /* The variables, not GLib's answers: those are read once, and the cache is set after this. */
  const char *folders[] = { "HOME", "XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_CACHE_HOME",
                            "XDG_STATE_HOME" };

  for (guint i = 0; i < G_N_ELEMENTS (folders); i++)
    {
      const char *value = g_getenv (folders[i]);
      g_autofree char *path = value != NULL && *value != '\0' ? g_canonicalize_filename (value, "/") : NULL;

      /* Unset, GLib would pick a folder in the person's home. */
      if (path == NULL || !g_str_has_prefix (path, inside))
        g_error ("%s is %s, not inside %s: run the GUI tests through tests/gui/run-in-temp-home.sh",
                 folders[i], value != NULL ? value : "not set", inside);
    }
}

char *
postaci_gui_test_private_cache (void)
{
  g_autoptr(GError) error = NULL;
  char *dir;

  assert_private_home ();
  dir = g_dir_make_tmp ("postaci-gui-cache-XXXXXX", &error);

  g_assert_no_error (error);
  g_setenv ("XDG_CACHE_HOME", dir, TRUE);
  return dir;
}

void
postaci_gui_test_remove_tree (const char *path)
{
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *child = g_build_filename (path, name, NULL);

      if (g_file_test (child, G_FILE_TEST_IS_DIR) && !g_file_test (child, G_FILE_TEST_IS_SYMLINK))
        postaci_gui_test_remove_tree (child);
      else
        g_unlink (child);
    }
  g_rmdir (path);
}

gboolean
postaci_gui_test_use_locale (const char *program)
{
  const char *localedir = g_getenv ("POSTACI_LOCALEDIR");

  if (setlocale (LC_ALL, "") == NULL)
    {
      g_printerr ("%s: the locale in LC_ALL is missing; run tools/install-deps.sh\n", program);
      return FALSE;
    }
  bindtextdomain (GETTEXT_PACKAGE, localedir != NULL ? localedir : LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);
  return TRUE;
}

PostaciApplication *
postaci_gui_test_init (int *argc, char ***argv, char **cache)
{
  PostaciApplication *application;

  /* The Local Test Server keeps its mail under $XDG_CACHE_HOME: a folder of this test's own. */
  *cache = postaci_gui_test_private_cache ();
  g_test_init (argc, argv, NULL);
  if (!gtk_init_check ())
    {
      /* meson runs this under xvfb-run; without it (or a display) there is nothing to drive. */
      g_print ("1..0 # SKIP no display: run under xvfb-run\n");
      postaci_gui_test_remove_tree (*cache);
      g_clear_pointer (cache, g_free);
      return NULL;
    }
  application = postaci_application_new (G_APPLICATION_NON_UNIQUE);
  /* Registering runs startup: GTK, libadwaita and GtkSourceView are initialised. */
  g_assert_true (g_application_register (G_APPLICATION (application), NULL, NULL));
  /* Revealers and spinners reach their end state at once: no waiting on animations. No cursor
   * blink either: Xvfb has no window manager to move X focus, so a window opened after another
   * leaves the first one's text field "focused" without a focus-out, and GtkText's blink timer
   * reports that as a warning (fatal here). */
  g_object_set (gtk_settings_get_default (), "gtk-enable-animations", FALSE, "gtk-cursor-blink",
                FALSE, NULL);
  return application;
}

int
postaci_gui_test_finish (PostaciApplication *application, char *cache, int status)
{
  g_clear_object (&application);
  postaci_gui_test_remove_tree (cache);
  g_free (cache);
  return status;
}
