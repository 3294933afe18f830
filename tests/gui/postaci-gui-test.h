/* SPDX-License-Identifier: GPL-3.0-or-later */
/* postaci-gui-test.h — what the GUI tests share: template children, frames, screenshots, a private cache. */
#pragma once

#include <gtk/gtk.h>

#include "postaci-application.h"
#include "postaci-outcome.h"

G_BEGIN_DECLS

/* Every wait ends: a run that never finishes fails the test instead of hanging it. */
#define POSTACI_GUI_TEST_TIMEOUT_MS 30000

/* The template child @name of @widget's @type; fails the test when there is none. */
gpointer   postaci_gui_test_child           (gpointer     widget,
                                             GType        type,
                                             const char  *name);
/* A template child of the main window @window, of its request form or of its verdict card,
 * looked up in that order; fails the test when none has one called @name. */
gpointer   postaci_gui_test_window_child    (gpointer     window,
                                             const char  *name);
/* Hands @application a command line as "postaci" with @options (parsed, as GApplication
 * parses them) from a shell whose environment is @environ_ (NULL: empty but for LANG), as a
 * second "postaci …" hands it to the running one. Returns its exit status. */
int        postaci_gui_test_command_line    (GApplication       *application,
                                             GVariantDict       *options,
                                             const char * const *environ_);
/* Types @text into the main window's field @name (see postaci_gui_test_window_child()). */
void       postaci_gui_test_set_field       (gpointer     window,
                                             const char  *name,
                                             const char  *text);
const char *postaci_gui_test_get_field      (gpointer     window,
                                             const char  *name);
/* Shows @window at @width × @height; postaci_gui_test_close() destroys it and lets the main
 * loop drop what it held. */
gpointer   postaci_gui_test_present         (gpointer     window,
                                             int          width,
                                             int          height);
void       postaci_gui_test_close           (gpointer     window);
/* The first widget under @root (itself included, depth first) for which @match is TRUE. */
GtkWidget *postaci_gui_test_find_widget     (GtkWidget   *root,
                                             gboolean   (*match) (GtkWidget *widget, gconstpointer data),
                                             gconstpointer data);
/* Runs whatever is ready on the main loop, without blocking. */
void       postaci_gui_test_flush           (void);
/* Lets @widget lay out and paint what changed (style, revealers) before a picture. */
void       postaci_gui_test_wait_for_frames (GtkWidget   *widget);
/* Renders @widget as it is now (after a few frames). */
GdkTexture *postaci_gui_test_render        (GtkWidget   *widget);
/* The WCAG contrast ratio of @label's text against its background, as @window shows it. */
double     postaci_gui_test_text_contrast   (GtkWidget   *window,
                                             GtkWidget   *label);
/* Renders @widget as it is now into @name in the build directory (G_TEST_BUILT). */
void       postaci_gui_test_save_screenshot (GtkWidget   *widget,
                                             const char  *name);
/* Activates @button as Space or Enter on it would, and waits until it has been clicked
 * (GtkButton clicks a moment after activation, and only when it is shown). */
void       postaci_gui_test_click           (gpointer     button);
/* Clicks the main window's Test SMTP and waits until the run has ended; returns its outcome.
 * (transfer none) */
const PostaciOutcome *postaci_gui_test_run_test (gpointer window);
/* A visible toplevel of @type, or NULL. (transfer none) */
GtkWindow *postaci_gui_test_find_toplevel   (GType        type);
/* Waits until no toplevel of @type is shown: a dialog or chooser has closed. */
void       postaci_gui_test_wait_closed     (GType        type);
/* Whether a label with exactly @text is drawn under @widget (itself included): what a person
 * reads (a toast, a notice, a row of a list). */
gboolean   postaci_gui_test_shows_label     (GtkWidget   *widget,
                                             const char  *text);
/* The text on @clipboard, once read ("" when it holds none). */
char      *postaci_gui_test_read_clipboard  (GdkClipboard *clipboard);
/* Waits until @path holds @size bytes at least: a file appears before its bytes do. */
void       postaci_gui_test_wait_for_file   (const char  *path,
                                             gsize        size);
/* The whole text of @view, once what is waiting on the main loop went in. */
char      *postaci_gui_test_view_text       (GtkTextView *view);
/* $XDG_CACHE_HOME becomes a new temporary folder (the Local Test Server keeps its
 * mail there); call before anything reads it. Returns the folder. Fails first unless HOME and
 * the XDG folders are all inside the temporary folder (tests/gui/run-in-temp-home.sh). */
char      *postaci_gui_test_private_cache   (void);
/* Removes @path and everything under it. */
void       postaci_gui_test_remove_tree     (const char  *path);

/* As src/gui/main.c does, with the build tree's catalogs (POSTACI_LOCALEDIR): the locale of the
 * environment (meson gives the Turkish runs theirs). FALSE, said on stderr, when it is missing. */
gboolean   postaci_gui_test_use_locale      (const char          *program);
/* The start of a GUI test's main(): a private cache (*cache), g_test_init(), GTK on the display
 * xvfb-run gives, and a registered PostaciApplication with animations and cursor blink off.
 * Without a display: a TAP skip line, the cache removed, and NULL. */
PostaciApplication *postaci_gui_test_init   (int                 *argc,
                                             char              ***argv,
                                             char               **cache);
/* The end of it: the application and the private cache go. Returns @status. */
int        postaci_gui_test_finish          (PostaciApplication  *application,
                                             char                *cache,
                                             int                  status);

G_END_DECLS
