/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-window.c — the real window under Xvfb: fields filled, Test SMTP clicked, what a person sees. */
#define G_LOG_DOMAIN "test-window"

#include "config.h"

#include <signal.h>
#include <sys/prctl.h>
#include <adwaita.h>
#include <glib/gi18n.h>
#include <glib/gstdio.h>

#include "postaci-application.h"
#include "postaci-gui-test.h"
#include "postaci-local-server-page.h"
#include "postaci-save-dialog.h"
#include "postaci-stage-bar.h"
#include "postaci-scripted-server.h"
#include "postaci-verdict-panel.h"
#include "postaci-transcript-view.h"
#include "postaci-window.h"

/* A throwaway account that exists only inside the aiosmtpd this test starts. */
#define USER     "ali"
#define PASSWORD "gizli-Şifre-123"
#define SUBJECT  "Deneme: ığüşöç İĞÜŞÖÇ"
#define HTML     "<html><body><h1>Merhaba dünya</h1><p>Çalışıyor mu?</p></body></html>"

#define RUN_TIMEOUT_MS POSTACI_GUI_TEST_TIMEOUT_MS

static PostaciApplication *application;

/* aiosmtpd with STARTTLS and AUTH PLAIN/LOGIN that refuses MAIL before AUTH (530). */
static struct {
  GSubprocess *process;
  guint16      port;
  char        *maildir;
} aiosmtpd;

/* The server must not outlive a test that crashed. */
static void
die_with_parent (gpointer user_data)
{
  prctl (PR_SET_PDEATHSIG, SIGTERM);
}

static void
start_aiosmtpd (void)
{
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE);
  g_autoptr(GDataInputStream) out = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *line = NULL;
  g_autofree char *script = g_build_filename (TEST_SRCDIR, "servers", "aiosmtpd-server.py", NULL);
  g_autofree char *cert = g_build_filename (TEST_SRCDIR, "certs", "server.pem", NULL);
  g_autofree char *key = g_build_filename (TEST_SRCDIR, "certs", "server.key", NULL);
  const char *python = g_getenv ("POSTACI_PYTHON");
  guint64 port = 0;

  aiosmtpd.maildir = g_dir_make_tmp ("postaci-gui-XXXXXX", &error);
  g_assert_no_error (error);
  g_subprocess_launcher_set_child_setup (launcher, die_with_parent, NULL, NULL);
  aiosmtpd.process = g_subprocess_launcher_spawn (launcher, &error, python ? python : "/usr/bin/python3",
                                                  script, "--host", "127.0.0.1", "--port", "0",
                                                  "--mode", "starttls", "--cert", cert, "--key", key,
                                                  "--user", USER, "--password", PASSWORD,
                                                  "--maildir", aiosmtpd.maildir, "--require-auth",
                                                  "--lifetime", "300", NULL);
  g_assert_no_error (error);
  out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (aiosmtpd.process));
  /* The server prints READY once it listens; this blocks only until it has started. */
  line = g_data_input_stream_read_line (out, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (line);
  g_assert_true (g_str_has_prefix (line, "READY "));
  g_assert_true (g_ascii_string_to_unsigned (line + 6, 10, 1, 65535, &port, NULL));
  aiosmtpd.port = (guint16) port;
}

static void
stop_aiosmtpd (void)
{
  g_autoptr(GDir) dir = g_dir_open (aiosmtpd.maildir, 0, NULL);
  const char *name;

  g_subprocess_send_signal (aiosmtpd.process, SIGTERM);
  g_subprocess_wait (aiosmtpd.process, NULL, NULL);
  g_clear_object (&aiosmtpd.process);
  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = g_build_filename (aiosmtpd.maildir, name, NULL);
      g_unlink (path);
    }
  g_rmdir (aiosmtpd.maildir);
  g_clear_pointer (&aiosmtpd.maildir, g_free);
}

static guint
count_messages (void)
{
  g_autoptr(GDir) dir = g_dir_open (aiosmtpd.maildir, 0, NULL);
  const char *name;
  guint n = 0;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    if (g_str_has_suffix (name, ".eml"))
      n++;
  return n;
}

/* ---------------------------------------------------------------- */
/* Driving the window                                               */
/* ---------------------------------------------------------------- */

/* A template child of the window, of its form or of its verdict card. */
#define child postaci_gui_test_window_child

static void
set_text (PostaciWindow *window, const char *field, const char *text)
{
  gtk_editable_set_text (GTK_EDITABLE (child (window, field)), text);
}

static const char *
get_text (PostaciWindow *window, const char *field)
{
  return gtk_editable_get_text (GTK_EDITABLE (child (window, field)));
}

static PostaciWindow *
open_window (void)
{
  return postaci_gui_test_present (postaci_window_new (application), 1320, 900);
}

#define close_window postaci_gui_test_close

/* The form as a helpdesk person fills it for aiosmtpd on 127.0.0.1 with STARTTLS. */
static void
fill_form (PostaciWindow *window, gboolean with_auth)
{
  g_autofree char *port = g_strdup_printf ("%u", aiosmtpd.port);
  g_autofree char *ca = g_build_filename (TEST_SRCDIR, "certs", "ca.pem", NULL);

  set_text (window, "server_row", "127.0.0.1");
  adw_combo_row_set_selected (child (window, "security_row"), 1); /* STARTTLS */
  set_text (window, "port_row", port);
  adw_expander_row_set_enable_expansion (child (window, "auth_row"), with_auth);
  set_text (window, "user_row", USER);
  set_text (window, "password_row", PASSWORD);
  adw_combo_row_set_selected (child (window, "mechanism_row"), 0); /* Automatic */
  set_text (window, "from_row", "ali@example.com");
  set_text (window, "to_row", "veli@example.com, ayse@example.com");
  set_text (window, "subject_row", SUBJECT);
  gtk_text_buffer_set_text (gtk_text_view_get_buffer (child (window, "html_view")), HTML, -1);
  adw_combo_row_set_selected (child (window, "stop_after_row"), 0); /* Send the message */
  set_text (window, "ca_row", ca);
}

static gboolean
is_running (gpointer data)
{
  return postaci_window_is_running (data);
}

static gboolean
is_idle (gpointer data)
{
  return !postaci_window_is_running (data);
}

/* Activates the real Test SMTP button (as Space or Enter on it would) and waits for the run. */
static void
click_test_and_wait (PostaciWindow *window)
{
  GtkWidget *button = child (window, "test_button");

  g_assert_false (postaci_window_is_running (window));
  g_assert_cmpstr (gtk_button_get_label (GTK_BUTTON (button)), ==, _("_Test SMTP"));
  /* As a mouse click does, the button takes the focus (Ctrl+Enter does not: see test_refused). */
  gtk_widget_grab_focus (button);
  gtk_widget_activate (button);
  postaci_test_wait_until (is_running, window, RUN_TIMEOUT_MS);
  /* While the run goes on, the same button cancels it. */
  g_assert_cmpstr (gtk_button_get_label (GTK_BUTTON (button)), ==, _("_Cancel"));
  g_assert_true (gtk_widget_has_css_class (button, "destructive-action"));
  postaci_test_wait_until (is_idle, window, RUN_TIMEOUT_MS);
  g_assert_cmpstr (gtk_button_get_label (GTK_BUTTON (button)), ==, _("_Test SMTP"));
  g_assert_true (gtk_widget_has_css_class (button, "suggested-action"));
}

static char *
transcript_text (PostaciWindow *window)
{
  return postaci_gui_test_view_text (child (window, "transcript_view"));
}

/* The first occurrence of needle in the transcript carries the tag over its whole length. */
static gboolean
text_has_tag (PostaciWindow *window, const char *needle, const char *tag_name)
{
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (child (window, "transcript_view"));
  GtkTextTag *tag = gtk_text_tag_table_lookup (gtk_text_buffer_get_tag_table (buffer), tag_name);
  GtkTextIter start, match_start, match_end;

  g_assert_nonnull (tag);
  gtk_text_buffer_get_start_iter (buffer, &start);
  if (!gtk_text_iter_forward_search (&start, needle, 0, &match_start, &match_end, NULL))
    {
      g_test_message ("“%s” is not in the transcript", needle);
      return FALSE;
    }
  for (GtkTextIter i = match_start; !gtk_text_iter_equal (&i, &match_end); gtk_text_iter_forward_char (&i))
    if (!gtk_text_iter_has_tag (&i, tag))
      {
        g_test_message ("“%s” lacks the tag %s", needle, tag_name);
        return FALSE;
      }
  return TRUE;
}

/* The newest line is in sight. */
static gboolean
shows_the_end (gpointer data)
{
  GtkAdjustment *adjustment = data;

  return gtk_adjustment_get_value (adjustment) + gtk_adjustment_get_page_size (adjustment) >=
         gtk_adjustment_get_upper (adjustment) - 1;
}

static void
assert_tag_colour (PostaciWindow *window, const char *tag_name, const char *expected)
{
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (child (window, "transcript_view"));
  GtkTextTag *tag = gtk_text_tag_table_lookup (gtk_text_buffer_get_tag_table (buffer), tag_name);
  g_autoptr(GdkRGBA) colour = NULL;
  GdkRGBA want;

  g_object_get (tag, "foreground-rgba", &colour, NULL);
  g_assert_true (gdk_rgba_parse (&want, expected));
  g_assert_true (gdk_rgba_equal (colour, &want));
}

static void
assert_stages (PostaciWindow *window, const char *const *expected)
{
  PostaciStageBar *bar = child (window, "stage_bar");

  for (guint i = 0; i < POSTACI_N_STAGES; i++)
    if (g_strcmp0 (postaci_stage_bar_get_state (bar, i), expected[i]) != 0)
      g_error ("stage %s is %s, expected %s", postaci_stage_to_string (i),
               postaci_stage_bar_get_state (bar, i), expected[i]);
}

static const char *
label_text (PostaciWindow *window, const char *name)
{
  GtkWidget *label = child (window, name);

  return gtk_widget_get_visible (label) ? gtk_label_get_text (GTK_LABEL (label)) : "";
}

static void
assert_readable (PostaciWindow *window, const char *label)
{
  double ratio = postaci_gui_test_text_contrast (GTK_WIDGET (window), child (window, label));

  g_test_message ("%s: contrast %.2f:1", label, ratio);
  g_assert_cmpfloat (ratio, >=, 4.5);
}

/* ---------------------------------------------------------------- */
/* Screenshots                                                      */
/* ---------------------------------------------------------------- */

#define wait_for_frames postaci_gui_test_wait_for_frames
#define save_screenshot postaci_gui_test_save_screenshot

/* ---------------------------------------------------------------- */
/* Tests                                                            */
/* ---------------------------------------------------------------- */

/* The libraries the window opens on first use (a message, a certificate, a sign-in, a saved
 * password, an autoconfig document: src/core/postaci-library.c) are not mapped by its start, a
 * first start with the Local Test Server running. Run first, before any test sends. */
static void
test_start_libraries (void)
{
  static const char *const later[] = {
    GMIME_LIBRARY, GNUTLS_LIBRARY, GSASL_LIBRARY, SECRET_LIBRARY, SOUP_LIBRARY,
  };
  PostaciWindow *window = open_window ();
  g_autofree char *maps = NULL;

  wait_for_frames (GTK_WIDGET (window));
  g_assert_true (g_file_get_contents ("/proc/self/maps", &maps, NULL, NULL));
  g_assert_nonnull (strstr (maps, "libgtk-4.so"));
  for (guint i = 0; i < G_N_ELEMENTS (later); i++)
    if (strstr (maps, later[i]) != NULL)
      g_error ("%s is mapped by the window's start", later[i]);
  close_window (window);
}

static void
test_success (void)
{
  static const char *const all_passed[] = {
    "passed", "passed", "passed", "passed", "passed", "passed", "passed", "passed", "passed",
  };
  AdwStyleManager *style = adw_style_manager_get_default ();
  PostaciWindow *window;
  const PostaciOutcome *outcome;
  g_autofree char *shown = NULL;
  g_autofree char *saved = NULL;
  g_autofree char *plain_b64 = NULL;
  guint before = count_messages ();

  adw_style_manager_set_color_scheme (style, ADW_COLOR_SCHEME_FORCE_LIGHT);
  window = open_window ();
  /* The window opens with the cursor in its first field. */
  wait_for_frames (GTK_WIDGET (window));
  g_assert_true (gtk_widget_is_ancestor (gtk_root_get_focus (GTK_ROOT (window)), child (window, "server_row")));
  fill_form (window, TRUE);
  /* Typed, not committed with Enter or Tab: the run (and what it remembers) uses it all the same. */
  set_text (window, "timeout_spin", "25");
  click_test_and_wait (window);
  g_assert_cmpint (g_settings_get_int (postaci_application_get_settings (application), "timeout"), ==, 25);

  outcome = postaci_window_get_outcome (window);
  g_assert_nonnull (outcome);
  g_assert_cmpint (outcome->verdict, ==, POSTACI_VERDICT_SUCCESS);
  g_assert_cmpuint (count_messages (), ==, before + 1);

  /* The verdict area, as a person reads it. */
  g_assert_true (gtk_revealer_get_reveal_child (child (window, "verdict_revealer")));
  g_assert_true (gtk_widget_has_css_class (child (window, "verdict_box"), "success"));
  g_assert_cmpstr (label_text (window, "verdict_title"), ==, "Success");
  g_assert_cmpstr (label_text (window, "verdict_reason"), !=, "");
  g_assert_true (g_str_has_prefix (label_text (window, "verdict_reply"), "221") ||
                 g_str_has_prefix (label_text (window, "verdict_reply"), "250"));
  g_assert_cmpstr (label_text (window, "verdict_explanation"), !=, "");
  assert_stages (window, all_passed);

  /* The transcript scrolled along: its last line, the verdict, is in sight. */
  g_assert_true (postaci_transcript_view_get_following (child (window, "transcript_view")));
  postaci_test_wait_until (shows_the_end,
                           gtk_scrollable_get_vadjustment (child (window, "transcript_view")), 10000);

  /* The transcript: client and server lines with their own tags, explanations under replies. */
  shown = transcript_text (window);
  g_test_message ("%s", shown);
  g_assert_true (text_has_tag (window, "C: EHLO", "client"));
  g_assert_true (text_has_tag (window, "S: 220", "server-2xx"));
  g_assert_true (text_has_tag (window, "S: 250", "server-2xx"));
  g_assert_true (text_has_tag (window, "C: STARTTLS", "client"));
  g_assert_true (text_has_tag (window, "TLS: ", "tls"));
  g_assert_true (text_has_tag (window, "C: AUTH ", "client"));
  g_assert_true (text_has_tag (window, "S: 235", "server-2xx"));
  g_assert_true (text_has_tag (window, "S: 354", "server-3xx"));
  g_assert_true (text_has_tag (window, "↳ ", "explanation"));
  g_assert_true (text_has_tag (window, " ms] ", "time"));
  g_assert_true (text_has_tag (window, "Result: success", "verdict-success"));
  /* The advice has no "↳ ": wrapped, it hangs under its own first word, as event lines do. */
  g_assert_true (text_has_tag (window, "That is not yet proof of delivery", "line"));
  g_assert_false (text_has_tag (window, "That is not yet proof of delivery", "follow-up"));
  g_assert_nonnull (strstr (shown, "C: MAIL FROM:<ali@example.com>"));
  g_assert_nonnull (strstr (shown, "C: RCPT TO:<veli@example.com>"));
  g_assert_nonnull (strstr (shown, "C: RCPT TO:<ayse@example.com>"));
  g_assert_nonnull (strstr (shown, "****"));

  /* The password shows nowhere: not in the view, not in what Save/Copy write. */
  plain_b64 = g_base64_encode ((const guchar *) "\0" USER "\0" PASSWORD, strlen (USER) + strlen (PASSWORD) + 2);
  saved = postaci_window_get_transcript_text (window);
  g_assert_null (strstr (shown, PASSWORD));
  g_assert_null (strstr (shown, plain_b64));
  g_assert_null (strstr (saved, PASSWORD));
  g_assert_null (strstr (saved, plain_b64));
  g_assert_nonnull (strstr (saved, "C: EHLO"));
  g_assert_true (g_str_has_suffix (saved, "\n"));
  g_assert_nonnull (strstr (saved, "Result: success"));

  /* Colours from libadwaita's palette, following the style manager into dark mode. */
  assert_tag_colour (window, "server-2xx", "#1b8553");
  assert_tag_colour (window, "server-5xx", "#c01c28");
  save_screenshot (GTK_WIDGET (window), "postaci-window-light.png");
  /* "What it means" in the verdict card is read, not skimmed: WCAG AA, 4.5:1, light and dark. */
  assert_readable (window, "verdict_explanation");
  assert_readable (window, "verdict_reason");
  adw_style_manager_set_color_scheme (style, ADW_COLOR_SCHEME_FORCE_DARK);
  g_assert_true (adw_style_manager_get_dark (style));
  assert_tag_colour (window, "server-2xx", "#8ff0a4");
  assert_tag_colour (window, "server-5xx", "#ff7b63");
  save_screenshot (GTK_WIDGET (window), "postaci-window-dark.png");
  assert_readable (window, "verdict_explanation");
  assert_readable (window, "verdict_reason");
  adw_style_manager_set_color_scheme (style, ADW_COLOR_SCHEME_FORCE_LIGHT);
  assert_tag_colour (window, "server-2xx", "#1b8553");

  close_window (window);
}

/* No login on a server that demands one: 530 to MAIL, the failure verdict. */
static void
test_refused (void)
{
  PostaciWindow *window = open_window ();
  const PostaciOutcome *outcome;
  PostaciStageBar *bar;
  guint before = count_messages ();

  fill_form (window, FALSE);
  click_test_and_wait (window);

  outcome = postaci_window_get_outcome (window);
  g_assert_nonnull (outcome);
  g_assert_cmpint (outcome->verdict, ==, POSTACI_VERDICT_REFUSED);
  g_assert_cmpint (outcome->stage, ==, POSTACI_STAGE_MAIL);
  g_assert_cmpuint (count_messages (), ==, before);

  g_assert_true (text_has_tag (window, "S: 250", "server-2xx"));
  g_assert_true (text_has_tag (window, "S: 530", "server-5xx"));
  /* Said once: the refusal's hint stands under its reply; no Error line repeats it. */
  g_assert_true (text_has_tag (window, "Try: ", "hint"));
  {
    g_autofree char *shown = transcript_text (window);

    g_assert_null (strstr (shown, "Error: "));
  }
  g_assert_true (text_has_tag (window, "Result: failed", "verdict-failure"));

  g_assert_true (gtk_widget_has_css_class (child (window, "verdict_box"), "error"));
  g_assert_false (gtk_widget_has_css_class (child (window, "verdict_box"), "success"));
  g_assert_cmpstr (label_text (window, "verdict_title"), ==, "The server refused at MAIL");
  /* Said once: the title names the step, the reply line the code; no reason repeats both. */
  g_assert_false (gtk_widget_get_visible (child (window, "verdict_reason")));
  g_assert_true (g_str_has_prefix (label_text (window, "verdict_reply"), "530 "));
  g_assert_cmpstr (label_text (window, "verdict_explanation"), !=, "");
  g_assert_true (g_str_has_prefix (label_text (window, "verdict_hint"), "Try: "));
  /* A refusal is in the server's words already: nothing folded under "Details". */
  g_assert_false (gtk_widget_get_visible (child (window, "verdict_details")));

  bar = child (window, "stage_bar");
  g_assert_cmpstr (postaci_stage_bar_get_state (bar, POSTACI_STAGE_TLS), ==, "passed");
  g_assert_cmpstr (postaci_stage_bar_get_state (bar, POSTACI_STAGE_AUTH), ==, "skipped");
  g_assert_cmpstr (postaci_stage_bar_get_state (bar, POSTACI_STAGE_MAIL), ==, "failed");
  g_assert_cmpstr (postaci_stage_bar_get_state (bar, POSTACI_STAGE_RCPT), ==, "pending");

  save_screenshot (GTK_WIDGET (window), "postaci-window-refused.png");
  /* STARTTLS: TLS comes after EHLO, in the bar as on the wire. */
  g_assert_cmpuint (postaci_stage_bar_get_position (bar, POSTACI_STAGE_TLS), ==, 3);

  /* Ctrl+Enter from a field: the field is insensitive during the run, and has the cursor back
   * after it, so the person can correct it and run again without reaching for the mouse. */
  gtk_widget_grab_focus (child (window, "subject_row"));
  gtk_widget_activate_action (GTK_WIDGET (window), "win.test", NULL);
  g_assert_true (postaci_window_is_running (window));
  g_assert_true (gtk_root_get_focus (GTK_ROOT (window)) == child (window, "test_button"));
  postaci_test_wait_until (is_idle, window, RUN_TIMEOUT_MS);
  g_assert_cmpint (postaci_window_get_outcome (window)->verdict, ==, POSTACI_VERDICT_REFUSED);
  g_assert_nonnull (gtk_root_get_focus (GTK_ROOT (window)));
  g_assert_true (gtk_widget_is_ancestor (gtk_root_get_focus (GTK_ROOT (window)), child (window, "subject_row")));
  /* Typing on goes on where the cursor was, not over the whole subject selected. */
  g_assert_false (gtk_editable_get_selection_bounds (GTK_EDITABLE (child (window, "subject_row")), NULL, NULL));
  close_window (window);
}

/* Issue 14, item 6: a TLS failure leads with our words; the library's own text (here
 * GnuTLS's English, in a Turkish window as well) waits folded under "Details". */
static void
test_details (void)
{
  /* A plain-text server on the port the form says is TLS from the first byte. */
  static const PostaciScriptStep plain[] = { TS_SEND ("220 plain.example ESMTP\r\n"),
                                             TS_EXPECT_CLOSE, TS_END };
  g_autoptr(PostaciScriptedServer) server = postaci_scripted_server_new (
    plain, POSTACI_SCRIPTED_SERVER_PLAIN, NULL, "127.0.0.1");
  g_autofree char *port = g_strdup_printf ("%u", postaci_scripted_server_get_port (server));
  PostaciWindow *window = open_window ();
  const PostaciOutcome *outcome;
  GtkWidget *details;

  fill_form (window, FALSE);
  adw_combo_row_set_selected (child (window, "security_row"), 2); /* SSL/TLS */
  set_text (window, "port_row", port);
  click_test_and_wait (window);

  outcome = postaci_window_get_outcome (window);
  g_assert_nonnull (outcome);
  g_assert_cmpint (outcome->stage, ==, POSTACI_STAGE_TLS);
  g_assert_nonnull (outcome->detail);
  g_assert_cmpstr (label_text (window, "verdict_reason"), !=, "");
  g_assert_null (strstr (label_text (window, "verdict_reason"), outcome->detail));
  details = child (window, "verdict_details");
  g_assert_true (gtk_widget_get_visible (details));
  g_assert_false (gtk_expander_get_expanded (GTK_EXPANDER (details)));
  g_assert_cmpstr (gtk_label_get_text (child (window, "verdict_detail")), ==, outcome->detail);
  gtk_expander_set_expanded (GTK_EXPANDER (details), TRUE);
  save_screenshot (GTK_WIDGET (window), "postaci-window-details.png");

  close_window (window);
}

static gboolean
greeting_under_way (gpointer data)
{
  PostaciWindow *window = data;

  return g_strcmp0 (postaci_stage_bar_get_state (child (window, "stage_bar"), POSTACI_STAGE_GREETING),
                    "running") == 0;
}

/* A server that accepts and then says nothing: the window stays live and Cancel stops the run. */
static void
test_cancel (void)
{
  static const PostaciScriptStep silent[] = { TS_STALL, TS_END };
  g_autoptr(PostaciScriptedServer) server = postaci_scripted_server_new (
    silent, POSTACI_SCRIPTED_SERVER_PLAIN, NULL, "127.0.0.1");
  g_autofree char *port = g_strdup_printf ("%u", postaci_scripted_server_get_port (server));
  g_auto (GStrv) accels = gtk_application_get_accels_for_action (GTK_APPLICATION (application), "win.cancel");
  g_autoptr(GListModel) controllers = NULL;
  gboolean escape_cancels = FALSE;
  PostaciWindow *window = open_window ();
  GtkWidget *button = child (window, "test_button");
  const PostaciOutcome *outcome;
  gint64 started;

  /* Escape cancels through a binding of the window that runs after the focused widget (an open
   * menu or list closes first), not through an application accelerator, which runs before. */
  g_assert_false (g_strv_contains ((const char *const *) accels, "Escape"));
  controllers = gtk_widget_observe_controllers (GTK_WIDGET (window));
  for (guint i = 0; i < g_list_model_get_n_items (controllers); i++)
    {
      g_autoptr(GtkEventController) controller = g_list_model_get_item (controllers, i);

      if (!GTK_IS_SHORTCUT_CONTROLLER (controller))
        continue;
      for (guint j = 0; j < g_list_model_get_n_items (G_LIST_MODEL (controller)); j++)
        {
          g_autoptr(GtkShortcut) shortcut = g_list_model_get_item (G_LIST_MODEL (controller), j);
          GtkShortcutAction *action = gtk_shortcut_get_action (shortcut);
          g_autofree char *trigger = gtk_shortcut_trigger_to_string (gtk_shortcut_get_trigger (shortcut));

          if (GTK_IS_NAMED_ACTION (action) && g_strcmp0 (trigger, "Escape") == 0 &&
              g_strcmp0 (gtk_named_action_get_action_name (GTK_NAMED_ACTION (action)), "win.cancel") == 0)
            {
              g_assert_cmpint (gtk_event_controller_get_propagation_phase (controller), ==, GTK_PHASE_BUBBLE);
              /* With no run, Escape is not taken: it goes on to whatever else wants it. */
              g_assert_false (gtk_shortcut_action_activate (action, 0, GTK_WIDGET (window), NULL));
              escape_cancels = TRUE;
            }
        }
    }
  g_assert_true (escape_cancels);

  fill_form (window, FALSE);
  adw_combo_row_set_selected (child (window, "security_row"), 0); /* None */
  set_text (window, "port_row", port);
  gtk_spin_button_set_value (child (window, "timeout_spin"), 30);

  started = g_get_monotonic_time ();
  gtk_widget_activate (button);
  /* The main loop turns while the server is silent: the stage bar shows the wait. */
  postaci_test_wait_until (greeting_under_way, window, RUN_TIMEOUT_MS);
  g_assert_true (postaci_window_is_running (window));
  g_assert_true (postaci_scripted_server_is_connected (server));
  g_assert_false (gtk_widget_is_sensitive (child (window, "server_row")));
  g_assert_true (gtk_widget_is_sensitive (button));
  save_screenshot (GTK_WIDGET (window), "postaci-window-running.png");

  /* A second "postaci --server …" while the test runs leaves the form as it is. */
  {
    g_autoptr(GVariantDict) options = g_variant_dict_new (NULL);
    g_autoptr(GError) error = NULL;

    g_variant_dict_insert (options, "server", "s", "other.example.com");
    g_assert_false (postaci_window_prefill (window, options, &error));
    g_assert_error (error, G_IO_ERROR, G_IO_ERROR_BUSY);
    g_assert_cmpstr (get_text (window, "server_row"), ==, "127.0.0.1");
  }

  gtk_widget_activate (button);
  postaci_test_wait_until (is_idle, window, RUN_TIMEOUT_MS);
  /* Stopped by the person, long before the 30 s deadline. */
  g_assert_cmpint (g_get_monotonic_time () - started, <, 20 * G_USEC_PER_SEC);

  outcome = postaci_window_get_outcome (window);
  g_assert_nonnull (outcome);
  g_assert_cmpint (outcome->verdict, ==, POSTACI_VERDICT_CANCELLED);
  g_assert_true (gtk_widget_has_css_class (child (window, "verdict_box"), "warning"));
  /* The transcript's last line agrees with the card: a warning, not a failure. */
  g_assert_true (text_has_tag (window, "Result: cancelled", "warning"));
  g_assert_false (text_has_tag (window, "Result: cancelled", "verdict-failure"));
  g_assert_true (g_str_has_prefix (label_text (window, "verdict_title"), "Cancelled"));
  /* Neither success nor failure: no error text in the card, the stage stopped in is "cancelled". */
  g_assert_cmpstr (label_text (window, "verdict_reason"), ==, "");
  g_assert_cmpstr (postaci_stage_bar_get_state (child (window, "stage_bar"), POSTACI_STAGE_CONNECT), ==, "passed");
  g_assert_cmpstr (postaci_stage_bar_get_state (child (window, "stage_bar"), POSTACI_STAGE_GREETING), ==, "cancelled");
  for (guint i = POSTACI_STAGE_GREETING; i < POSTACI_N_STAGES; i++)
    g_assert_cmpstr (postaci_stage_bar_get_state (child (window, "stage_bar"), i), !=, "failed");
  save_screenshot (GTK_WIDGET (window), "postaci-window-cancelled.png");
  g_assert_true (gtk_widget_is_sensitive (child (window, "server_row")));

  close_window (window);
}

static gboolean
from_marked (gpointer data)
{
  return gtk_widget_has_css_class (child (data, "from_row"), "error");
}

/* The reason shown right under @field's row (the next row of its list), or "" when there is none. */
static const char *
field_error (PostaciWindow *window, const char *field)
{
  GtkWidget *row = child (window, field);
  GtkWidget *next;

  if (!GTK_IS_LIST_BOX_ROW (row))
    row = gtk_widget_get_ancestor (row, GTK_TYPE_LIST_BOX_ROW);
  next = gtk_widget_get_next_sibling (row);
  if (next == NULL || !gtk_widget_has_css_class (next, "field-error-row") || !gtk_widget_get_visible (next))
    return "";
  return gtk_label_get_text (GTK_LABEL (gtk_list_box_row_get_child (GTK_LIST_BOX_ROW (next))));
}

/* @widget is wholly inside the visible part of the form's scrolled window. */
static gboolean
in_sight (PostaciWindow *window, GtkWidget *widget)
{
  GtkWidget *scroller = child (window, "form_scroller");
  graphene_rect_t bounds;

  if (!gtk_widget_compute_bounds (widget, scroller, &bounds))
    return FALSE;
  g_test_message ("%s at %.0f–%.0f of 0–%d", G_OBJECT_TYPE_NAME (widget), bounds.origin.y,
                  bounds.origin.y + bounds.size.height, gtk_widget_get_height (scroller));
  return bounds.origin.y >= 0 && bounds.origin.y + bounds.size.height <= gtk_widget_get_height (scroller);
}

static GtkWidget *
error_row_of (PostaciWindow *window, const char *field)
{
  GtkWidget *row = child (window, field);

  if (!GTK_IS_LIST_BOX_ROW (row))
    row = gtk_widget_get_ancestor (row, GTK_TYPE_LIST_BOX_ROW);
  return gtk_widget_get_next_sibling (row);
}

static gboolean
error_row_in_sight (gpointer data)
{
  PostaciWindow *window = data;
  GtkWidget *row = error_row_of (window, "to_row");

  return row != NULL && gtk_widget_get_height (row) > 0 && in_sight (window, row) &&
         in_sight (window, child (window, "to_row"));
}

/* A wrong address is marked with a reason right under it, and nothing reaches the server. */
static void
test_invalid_address (void)
{
  static const PostaciScriptStep silent[] = { TS_STALL, TS_END };
  g_autoptr(PostaciScriptedServer) server = postaci_scripted_server_new (
    silent, POSTACI_SCRIPTED_SERVER_PLAIN, NULL, "127.0.0.1");
  g_autofree char *port = g_strdup_printf ("%u", postaci_scripted_server_get_port (server));
  PostaciWindow *window = open_window ();
  g_autofree char *shown = NULL;
  GtkWidget *button = child (window, "test_button");

  fill_form (window, FALSE);
  adw_combo_row_set_selected (child (window, "security_row"), 0);
  set_text (window, "port_row", port);
  set_text (window, "from_row", "ali.example.com");

  gtk_widget_activate (button);
  postaci_test_wait_until (from_marked, window, RUN_TIMEOUT_MS);
  postaci_gui_test_flush ();
  g_assert_false (postaci_window_is_running (window));
  g_assert_null (postaci_window_get_outcome (window));
  g_assert_false (postaci_scripted_server_is_connected (server));
  shown = transcript_text (window);
  g_assert_cmpstr (shown, ==, "");
  g_assert_nonnull (strstr (field_error (window, "from_row"), "From"));
  g_assert_nonnull (strstr (field_error (window, "from_row"), "ali.example.com"));
  g_assert_true (gtk_widget_has_focus (child (window, "from_row")) ||
                 gtk_widget_is_ancestor (gtk_root_get_focus (GTK_ROOT (window)), child (window, "from_row")));
  save_screenshot (GTK_WIDGET (window), "postaci-window-invalid.png");

  /* Editing the field takes the mark away. */
  set_text (window, "from_row", "ali@example.com");
  g_assert_false (gtk_widget_has_css_class (child (window, "from_row"), "error"));
  g_assert_cmpstr (field_error (window, "from_row"), ==, "");

  /* A port that is not a port: the reason under the port, not under the whole group. */
  set_text (window, "port_row", "70000");
  gtk_widget_activate_action (GTK_WIDGET (window), "win.test", NULL);
  g_assert_true (gtk_widget_has_css_class (child (window, "port_row"), "error"));
  g_assert_cmpstr (field_error (window, "port_row"), !=, "");
  g_assert_cmpstr (field_error (window, "security_row"), ==, "");
  set_text (window, "port_row", port);
  postaci_gui_test_flush ();
  g_assert_false (postaci_scripted_server_is_connected (server));
  g_assert_false (postaci_window_is_running (window));
  close_window (window);
}

/* After a successful run, a To with a bad entry in a short window: the old verdict goes, the
 * reason stands right under To (not below the HTML editor), scrolled into sight, the cursor in To. */
static void
test_invalid_after_success (void)
{
  PostaciWindow *window = postaci_window_new (application);
  GtkAdjustment *adjustment;

  gtk_window_set_default_size (GTK_WINDOW (window), 1180, 600);
  gtk_window_present (GTK_WINDOW (window));
  fill_form (window, TRUE);
  click_test_and_wait (window);
  g_assert_cmpint (postaci_window_get_outcome (window)->verdict, ==, POSTACI_VERDICT_SUCCESS);
  g_assert_true (gtk_revealer_get_reveal_child (child (window, "verdict_revealer")));

  /* Scrolled down to the button's end of the form, To out of sight above. */
  adjustment = gtk_scrolled_window_get_vadjustment (child (window, "form_scroller"));
  wait_for_frames (GTK_WIDGET (window));
  gtk_adjustment_set_value (adjustment, gtk_adjustment_get_upper (adjustment));
  wait_for_frames (GTK_WIDGET (window));
  g_assert_false (in_sight (window, child (window, "to_row")));

  set_text (window, "to_row", "veli@, ayse");
  postaci_gui_test_click (child (window, "test_button"));
  postaci_gui_test_flush ();
  g_assert_false (postaci_window_is_running (window));
  g_assert_false (gtk_revealer_get_reveal_child (child (window, "verdict_revealer")));
  g_assert_cmpstr (postaci_stage_bar_get_state (child (window, "stage_bar"), POSTACI_STAGE_QUIT), ==, "pending");
  g_assert_nonnull (strstr (field_error (window, "to_row"), "veli@"));
  g_assert_cmpstr (field_error (window, "subject_row"), ==, "");
  g_assert_true (gtk_widget_is_ancestor (gtk_root_get_focus (GTK_ROOT (window)), child (window, "to_row")));
  postaci_test_wait_until (error_row_in_sight, window, 10000);
  save_screenshot (GTK_WIDGET (window), "postaci-window-invalid-to.png");
  close_window (window);
}

/* None / STARTTLS / SSL/TLS move the port to 25 / 587 / 465, unless the person typed one. */
static void
test_port_follows_security (void)
{
  PostaciWindow *window = open_window ();
  AdwComboRow *security = child (window, "security_row");

  set_text (window, "port_row", "");
  adw_combo_row_set_selected (security, 2);
  g_assert_cmpstr (get_text (window, "port_row"), ==, "465");
  adw_combo_row_set_selected (security, 0);
  g_assert_cmpstr (get_text (window, "port_row"), ==, "25");
  adw_combo_row_set_selected (security, 1);
  g_assert_cmpstr (get_text (window, "port_row"), ==, "587");

  set_text (window, "port_row", "2525");
  adw_combo_row_set_selected (security, 2);
  g_assert_cmpstr (get_text (window, "port_row"), ==, "2525");

  /* Clearing the port hands it back to the security choice. */
  set_text (window, "port_row", "");
  adw_combo_row_set_selected (security, 1);
  g_assert_cmpstr (get_text (window, "port_row"), ==, "587");
  close_window (window);
}

/* postaci --server … --to … fills the form and never starts a run. */
static void
test_prefill (void)
{
  PostaciWindow *window = open_window ();
  g_autoptr(GVariantDict) options = g_variant_dict_new (NULL);
  g_autoptr(GVariantDict) bad = g_variant_dict_new (NULL);
  g_autoptr(GError) error = NULL;
  const char *to[] = { "veli@example.com", "ayse@example.com", NULL };
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (child (window, "html_view"));
  GtkTextIter start, end;
  g_autofree char *html = NULL;

  g_variant_dict_insert (options, "server", "s", "smtp.example.com");
  g_variant_dict_insert (options, "security", "s", "tls");
  g_variant_dict_insert (options, "user", "s", "ali@example.com");
  g_variant_dict_insert (options, "password", "s", "from-the-environment");
  g_variant_dict_insert (options, "from", "s", "ali@example.com");
  g_variant_dict_insert_value (options, "to", g_variant_new_strv (to, -1));
  g_variant_dict_insert (options, "subject", "s", SUBJECT);
  g_variant_dict_insert (options, "html", "s", HTML);
  g_variant_dict_insert (options, "stop-after", "s", "rcpt");
  g_variant_dict_insert (options, "ca-file", "s", "/etc/ssl/certs/ca-certificates.crt");
  g_assert_true (postaci_window_prefill (window, options, &error));
  g_assert_no_error (error);

  g_assert_cmpstr (get_text (window, "server_row"), ==, "smtp.example.com");
  g_assert_cmpuint (adw_combo_row_get_selected (child (window, "security_row")), ==, 2);
  g_assert_cmpstr (get_text (window, "port_row"), ==, "465");
  g_assert_true (adw_expander_row_get_enable_expansion (child (window, "auth_row")));
  g_assert_cmpstr (get_text (window, "user_row"), ==, "ali@example.com");
  g_assert_cmpstr (get_text (window, "password_row"), ==, "from-the-environment");
  g_assert_cmpstr (get_text (window, "to_row"), ==, "veli@example.com, ayse@example.com");
  g_assert_cmpstr (get_text (window, "subject_row"), ==, SUBJECT);
  gtk_text_buffer_get_bounds (buffer, &start, &end);
  html = gtk_text_buffer_get_text (buffer, &start, &end, FALSE);
  g_assert_cmpstr (html, ==, HTML);
  g_assert_cmpuint (adw_combo_row_get_selected (child (window, "stop_after_row")), ==, 1);
  g_assert_cmpstr (get_text (window, "ca_row"), ==, "/etc/ssl/certs/ca-certificates.crt");
  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_assert_false (postaci_window_is_running (window));
  g_assert_null (postaci_window_get_outcome (window));

  /* A typed port stays; "auto" is the form's Automatic, as in postaci-cli: SSL/TLS on 465,
   * STARTTLS when the server offers it elsewhere. */
  g_variant_dict_insert (options, "port", "s", "2525");
  g_variant_dict_insert (options, "security", "s", "auto");
  g_assert_true (postaci_window_prefill (window, options, NULL));
  g_assert_cmpuint (adw_combo_row_get_selected (child (window, "security_row")), ==, 3);
  g_assert_cmpstr (get_text (window, "port_row"), ==, "2525");
  g_variant_dict_remove (options, "port");
  g_assert_true (postaci_window_prefill (window, options, NULL));
  g_assert_cmpstr (get_text (window, "port_row"), ==, "587");

  /* A wrong value changes nothing and says why, in postaci-cli's words. */
  g_variant_dict_insert (bad, "server", "s", "other.example.com");
  g_variant_dict_insert (bad, "security", "s", "ssl");
  g_assert_false (postaci_window_prefill (window, bad, &error));
  g_assert_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE);
  g_assert_nonnull (strstr (error->message, "--security"));
  g_assert_cmpstr (get_text (window, "server_row"), ==, "smtp.example.com");

  /* --timeout is checked by the same table as postaci-cli's: 0 is no number of seconds. */
  g_clear_error (&error);
  g_variant_dict_insert (options, "timeout", "s", "0");
  g_assert_false (postaci_window_prefill (window, options, &error));
  g_assert_cmpstr (error->message, ==, "--timeout must be between 1 and 3600 seconds.");
  g_variant_dict_insert (options, "timeout", "s", "7");
  g_assert_true (postaci_window_prefill (window, options, NULL));
  g_assert_cmpint (gtk_spin_button_get_value_as_int (child (window, "timeout_spin")), ==, 7);
  close_window (window);
}

/* The form comes back in the next window; the password does not. */
static void
test_remembered (void)
{
  PostaciWindow *window = open_window ();
  g_autoptr(GSettingsSchema) schema = NULL;
  g_auto (GStrv) keys = NULL;
  GSettings *settings = postaci_application_get_settings (application);

  g_assert_nonnull (settings);
  fill_form (window, TRUE);
  set_text (window, "server_row", "mail.example.org");
  set_text (window, "port_row", "2587");
  set_text (window, "ehlo_row", "client.example.org");
  adw_combo_row_set_selected (child (window, "stop_after_row"), 3);
  /* A number typed in the spin button, not yet committed with Enter or Tab, counts too. */
  set_text (window, "timeout_spin", "7");
  gtk_window_close (GTK_WINDOW (window));
  while (g_main_context_iteration (NULL, FALSE))
    ;

  window = open_window ();
  g_assert_cmpstr (get_text (window, "server_row"), ==, "mail.example.org");
  g_assert_cmpstr (get_text (window, "port_row"), ==, "2587");
  g_assert_cmpuint (adw_combo_row_get_selected (child (window, "security_row")), ==, 1);
  g_assert_true (adw_expander_row_get_enable_expansion (child (window, "auth_row")));
  g_assert_cmpstr (get_text (window, "user_row"), ==, USER);
  g_assert_cmpstr (get_text (window, "password_row"), ==, "");
  g_assert_cmpstr (get_text (window, "from_row"), ==, "ali@example.com");
  g_assert_cmpstr (get_text (window, "to_row"), ==, "veli@example.com, ayse@example.com");
  g_assert_cmpstr (get_text (window, "subject_row"), ==, SUBJECT);
  g_assert_cmpstr (get_text (window, "ehlo_row"), ==, "client.example.org");
  g_assert_cmpuint (adw_combo_row_get_selected (child (window, "stop_after_row")), ==, 3);
  g_assert_cmpint (gtk_spin_button_get_value_as_int (child (window, "timeout_spin")), ==, 7);

  /* Nothing in the schema could hold a password. */
  g_object_get (settings, "settings-schema", &schema, NULL);
  keys = g_settings_schema_list_keys (schema);
  for (guint i = 0; keys[i] != NULL; i++)
    g_assert_null (strstr (keys[i], "password"));
  close_window (window);
}

static gboolean
adjustment_settled (gpointer data)
{
  GtkAdjustment *adjustment = data;

  return gtk_adjustment_get_upper (adjustment) > gtk_adjustment_get_page_size (adjustment) * 2 &&
         shows_the_end (adjustment);
}

/* New lines keep the newest in sight, unless the person scrolled up to read. */
static void
test_follows_output (void)
{
  PostaciWindow *window = open_window ();
  PostaciTranscriptView *view = child (window, "transcript_view");
  GtkAdjustment *adjustment = gtk_scrollable_get_vadjustment (GTK_SCROLLABLE (view));
  double value;

  gtk_widget_set_visible (child (window, "empty_page"), FALSE);
  for (guint i = 0; i < 200; i++)
    {
      g_autoptr(PostaciEvent) event = postaci_event_new (POSTACI_EVENT_SERVER, POSTACI_STAGE_EHLO,
                                                         "250-PIPELINING");
      event->elapsed_ms = i;
      postaci_transcript_view_append_event (view, event);
    }
  postaci_test_wait_until (adjustment_settled, adjustment, 10000);
  g_assert_true (postaci_transcript_view_get_following (view));

  gtk_adjustment_set_value (adjustment, 0);
  g_assert_false (postaci_transcript_view_get_following (view));
  for (guint i = 0; i < 20; i++)
    {
      g_autoptr(PostaciEvent) event = postaci_event_new (POSTACI_EVENT_INFO, POSTACI_STAGE_EHLO, "more");
      postaci_transcript_view_append_event (view, event);
    }
  wait_for_frames (GTK_WIDGET (window));
  value = gtk_adjustment_get_value (adjustment);
  g_assert_cmpfloat (value, ==, 0);

  /* Back at the bottom, it follows again. */
  gtk_adjustment_set_value (adjustment, gtk_adjustment_get_upper (adjustment) -
                                        gtk_adjustment_get_page_size (adjustment));
  g_assert_true (postaci_transcript_view_get_following (view));
  close_window (window);
}

/* A long run's transcript: 100,000 lines appended in one go, as Undo of Clear replays a run. */
#define LONG_RUN_LINES 100000

typedef struct {
  PostaciTranscriptView *view;
  guint                  frames_while_pending;
} LongRun;

static gboolean
count_frames_cb (GtkWidget *widget, GdkFrameClock *clock, gpointer data)
{
  LongRun *run = data;

  if (postaci_transcript_view_get_n_pending (run->view) > 0)
    run->frames_while_pending++;
  return G_SOURCE_CONTINUE;
}

static gboolean
nothing_pending (gpointer data)
{
  return postaci_transcript_view_get_n_pending (data) == 0;
}

/* Every line arrives, in order, and the window draws frames while they flow in: the lines
 * are spread over frames instead of freezing one (bench/run.py measures how long a frame takes).
 * The view keeps the newest lines only: its memory stays bounded, and its first line says how
 * many came before. */
static void
test_long_transcript (void)
{
  PostaciWindow *window = open_window ();
  LongRun run = { child (window, "transcript_view"), 0 };
  GtkAdjustment *adjustment = gtk_scrollable_get_vadjustment (GTK_SCROLLABLE (run.view));
  g_autofree char *text = NULL;
  g_autofree char *fold = NULL;
  g_auto (GStrv) lines = NULL;
  guint tick_id, folded, held;

  gtk_widget_set_visible (child (window, "empty_page"), FALSE);
  wait_for_frames (GTK_WIDGET (window));
  tick_id = gtk_widget_add_tick_callback (GTK_WIDGET (window), count_frames_cb, &run, NULL);
  for (guint i = 0; i < LONG_RUN_LINES; i++)
    {
      g_autofree char *line = g_strdup_printf ("RCPT TO:<r%u@example.com>", i);
      g_autoptr(PostaciEvent) event = postaci_event_new (POSTACI_EVENT_CLIENT, POSTACI_STAGE_RCPT, line);

      event->elapsed_ms = i;
      postaci_transcript_view_append_event (run.view, event);
    }
  /* Most of them wait for the frames to come; what waits is bounded too. */
  g_assert_cmpuint (postaci_transcript_view_get_n_pending (run.view), >,
                    POSTACI_TRANSCRIPT_VIEW_MAX_LINES / 2);
  g_assert_cmpuint (postaci_transcript_view_get_n_pending (run.view), <=,
                    POSTACI_TRANSCRIPT_VIEW_MAX_LINES + POSTACI_TRANSCRIPT_VIEW_FOLD_LINES);
  postaci_test_wait_until (nothing_pending, run.view, 120000);
  gtk_widget_remove_tick_callback (GTK_WIDGET (window), tick_id);
  g_test_message ("%u frames drawn while the lines flowed in", run.frames_while_pending);
  g_assert_cmpuint (run.frames_while_pending, >=, 10);

  /* All went through the view; the buffer holds the newest, at most the limit and a chunk. */
  g_assert_cmpuint (postaci_transcript_view_get_n_lines (run.view), ==, LONG_RUN_LINES);
  folded = postaci_transcript_view_get_n_folded (run.view);
  held = LONG_RUN_LINES - folded;
  g_assert_cmpuint (held, >=, POSTACI_TRANSCRIPT_VIEW_MAX_LINES);
  g_assert_cmpuint (held, <=, POSTACI_TRANSCRIPT_VIEW_MAX_LINES + POSTACI_TRANSCRIPT_VIEW_FOLD_LINES);
  text = transcript_text (window);
  lines = g_strsplit (text, "\n", -1);
  /* The fold line, the lines held, and the empty piece after the last "\n". */
  g_assert_cmpuint (g_strv_length (lines), ==, held + 2);
  fold = g_strdup_printf ("%u earlier lines are not shown here; Copy, Save and the report have "
                          "every line.", folded);
  g_assert_cmpstr (lines[0], ==, fold);
  g_assert_true (text_has_tag (window, "earlier lines are not shown here", "folded"));
  for (guint i = 0; i < held; i++)
    {
      guint n = folded + i;
      g_autofree char *expected = g_strdup_printf ("[%6u ms] C: RCPT TO:<r%u@example.com>", n, n);

      if (strcmp (lines[1 + i], expected) != 0)
        g_error ("line %u is “%s”, expected “%s”", 1 + i, lines[1 + i], expected);
    }
  /* Coloured as a short run is, and the newest line in sight. */
  g_assert_true (text_has_tag (window, "C: RCPT TO:<r99999@", "client"));
  g_assert_true (text_has_tag (window, "99999 ms] ", "time"));
  postaci_test_wait_until (shows_the_end, adjustment, 30000);
  g_assert_true (postaci_transcript_view_get_following (run.view));

  /* Cleared, the view starts over: no fold line, no count. */
  postaci_transcript_view_clear (run.view);
  g_assert_cmpuint (postaci_transcript_view_get_n_lines (run.view), ==, 0);
  g_assert_cmpuint (postaci_transcript_view_get_n_folded (run.view), ==, 0);
  close_window (window);
}

/* A real run longer than the view holds: Save and Copy write every line of it (they come from
 * the session, not the view), the view holds at most its limit, and the lines it holds are the
 * last ones of what Save writes, line for line. */
#define LONG_RUN_RECIPIENTS 4000

static void
test_long_run_saved (void)
{
  PostaciWindow *window = open_window ();
  PostaciTranscriptView *view = child (window, "transcript_view");
  g_autoptr(GString) to = g_string_new (NULL);
  g_autofree char *saved = NULL;
  g_autofree char *shown = NULL;
  g_autofree char *fold = NULL;
  g_auto (GStrv) saved_lines = NULL;
  g_auto (GStrv) shown_lines = NULL;
  guint n_saved, n_held, folded, next_recipient = 0;

  fill_form (window, TRUE);
  for (guint i = 0; i < LONG_RUN_RECIPIENTS; i++)
    g_string_append_printf (to, "%sr%u@x.test", i > 0 ? ", " : "", i); /* under 65,535 */
  set_text (window, "to_row", to->str);
  click_test_and_wait (window);
  g_assert_cmpint (postaci_window_get_outcome (window)->verdict, ==, POSTACI_VERDICT_SUCCESS);
  postaci_test_wait_until (nothing_pending, view, 120000);

  /* What Save and Copy write: every recipient, in order. */
  saved = postaci_window_get_transcript_text (window);
  g_assert_true (g_str_has_suffix (saved, "\n"));
  saved_lines = g_strsplit (saved, "\n", -1);
  n_saved = g_strv_length (saved_lines) - 1;
  for (guint i = 0; i < n_saved; i++)
    {
      g_autofree char *expected = g_strdup_printf ("C: RCPT TO:<r%u@x.test>", next_recipient);

      if (strstr (saved_lines[i], expected) != NULL)
        next_recipient++;
    }
  g_assert_cmpuint (next_recipient, ==, LONG_RUN_RECIPIENTS);
  g_assert_cmpuint (n_saved, >, POSTACI_TRANSCRIPT_VIEW_MAX_LINES + POSTACI_TRANSCRIPT_VIEW_FOLD_LINES);

  /* The view: bounded, the count of what it folded away on top, then the end of the saved text. */
  folded = postaci_transcript_view_get_n_folded (view);
  g_assert_cmpuint (postaci_transcript_view_get_n_lines (view), ==, n_saved);
  n_held = n_saved - folded;
  g_assert_cmpuint (n_held, >=, POSTACI_TRANSCRIPT_VIEW_MAX_LINES);
  g_assert_cmpuint (n_held, <=, POSTACI_TRANSCRIPT_VIEW_MAX_LINES + POSTACI_TRANSCRIPT_VIEW_FOLD_LINES);
  g_assert_cmpint (gtk_text_buffer_get_line_count (gtk_text_view_get_buffer (GTK_TEXT_VIEW (view))), ==,
                   (int) n_held + 2);
  shown = transcript_text (window);
  shown_lines = g_strsplit (shown, "\n", -1);
  fold = g_strdup_printf ("%u earlier lines are not shown here; Copy, Save and the report have "
                          "every line.", folded);
  g_assert_cmpstr (shown_lines[0], ==, fold);
  for (guint i = 0; i < n_held; i++)
    if (strcmp (shown_lines[1 + i], saved_lines[folded + i]) != 0)
      g_error ("view line %u is “%s”, saved line %u is “%s”", 1 + i, shown_lines[1 + i],
               folded + i, saved_lines[folded + i]);
  close_window (window);
}

#define find_toplevel postaci_gui_test_find_toplevel

/* The transcript is read like a document: a caret that Down moves line by line (what a screen
 * reader follows), typing changes nothing, and a selection copies with Ctrl+C. */
static void
test_transcript_caret (void)
{
  PostaciWindow *window = open_window ();
  PostaciTranscriptView *view = child (window, "transcript_view");
  GtkTextView *text_view = GTK_TEXT_VIEW (view);
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (text_view);
  static const char *const lines[] = { "220 mail.example.com ESMTP", "EHLO client.example",
                                       "250 mail.example.com" };
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;
  g_autofree char *line = NULL;
  g_autofree char *copied = NULL;
  GtkTextIter iter, end;

  gtk_widget_set_visible (child (window, "empty_page"), FALSE);
  for (guint i = 0; i < G_N_ELEMENTS (lines); i++)
    {
      g_autoptr(PostaciEvent) event = postaci_event_new (i % 2 == 0 ? POSTACI_EVENT_SERVER : POSTACI_EVENT_CLIENT,
                                                         i == 0 ? POSTACI_STAGE_GREETING : POSTACI_STAGE_EHLO,
                                                         lines[i]);

      postaci_transcript_view_append_event (view, event);
    }
  postaci_test_wait_until (nothing_pending, view, 10000);
  wait_for_frames (GTK_WIDGET (window));

  g_assert_true (gtk_widget_get_focusable (GTK_WIDGET (view)));
  g_assert_true (gtk_widget_grab_focus (GTK_WIDGET (view)));
  g_assert_true (gtk_text_view_get_cursor_visible (text_view));
  g_assert_false (gtk_text_view_get_editable (text_view));

  /* Down from the first line: the caret is on the second. */
  gtk_text_buffer_get_start_iter (buffer, &iter);
  gtk_text_buffer_place_cursor (buffer, &iter);
  g_signal_emit_by_name (view, "move-cursor", GTK_MOVEMENT_DISPLAY_LINES, 1, FALSE);
  gtk_text_buffer_get_iter_at_mark (buffer, &iter, gtk_text_buffer_get_insert (buffer));
  g_assert_cmpint (gtk_text_iter_get_line (&iter), ==, 1);

  /* Typed text goes nowhere. */
  before = postaci_gui_test_view_text (text_view);
  g_signal_emit_by_name (view, "insert-at-cursor", "typed");
  after = postaci_gui_test_view_text (text_view);
  g_assert_cmpstr (after, ==, before);

  /* Shift+End selects the rest of the line; Ctrl+C copies it. */
  gtk_text_buffer_get_iter_at_line (buffer, &iter, 1);
  gtk_text_buffer_place_cursor (buffer, &iter);
  g_signal_emit_by_name (view, "move-cursor", GTK_MOVEMENT_PARAGRAPH_ENDS, 1, TRUE);
  end = iter;
  gtk_text_iter_forward_to_line_end (&end);
  line = gtk_text_buffer_get_text (buffer, &iter, &end, FALSE);
  g_assert_nonnull (strstr (line, lines[1]));
  g_signal_emit_by_name (view, "copy-clipboard");
  copied = postaci_gui_test_read_clipboard (gtk_widget_get_clipboard (GTK_WIDGET (view)));
  g_assert_cmpstr (copied, ==, line);
  close_window (window);
}

/* The first button under @widget that activates @action: it is insensitive while the action is off. */
static GtkWidget *
action_button (GtkWidget *widget, const char *action)
{
  if (GTK_IS_BUTTON (widget) && g_strcmp0 (gtk_actionable_get_action_name (GTK_ACTIONABLE (widget)), action) == 0)
    return widget;
  for (GtkWidget *c = gtk_widget_get_first_child (widget); c != NULL; c = gtk_widget_get_next_sibling (c))
    {
      GtkWidget *found = action_button (c, action);

      if (found != NULL)
        return found;
    }
  return NULL;
}

/* The chooser has shown its first folder (it loads it in the background). */
static gboolean
has_current_folder (gpointer data)
{
  g_autoptr(GFile) folder = gtk_file_chooser_get_current_folder (data);

  return folder != NULL;
}

/* Copy and Save write the plain transcript without the password; Clear empties the view. */
static void
test_copy_save_clear (void)
{
  PostaciWindow *window = open_window ();
  g_autofree char *copied = NULL;
  g_autofree char *saved = NULL;
  g_autofree char *dir = g_dir_make_tmp ("postaci-save-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (dir, "transcript.txt", NULL);
  g_autoptr(GFile) target = g_file_new_for_path (path);
  g_autofree char *name = NULL;
  g_autofree char *expected = NULL;
  GtkWindow *chooser;

  g_assert_false (gtk_widget_is_sensitive (action_button (GTK_WIDGET (window), "win.copy-transcript")));
  fill_form (window, TRUE);
  click_test_and_wait (window);
  g_assert_cmpint (postaci_window_get_outcome (window)->verdict, ==, POSTACI_VERDICT_SUCCESS);
  expected = postaci_window_get_transcript_text (window);

  gtk_widget_activate_action (GTK_WIDGET (window), "win.copy-transcript", NULL);
  copied = postaci_gui_test_read_clipboard (gtk_widget_get_clipboard (GTK_WIDGET (window)));
  g_assert_cmpstr (copied, ==, expected);
  g_assert_null (strstr (copied, PASSWORD));

  /* Save Transcript… asks where, with a name that says which server and when. */
  gtk_widget_activate_action (GTK_WIDGET (window), "win.save-transcript", NULL);
  chooser = find_toplevel (GTK_TYPE_FILE_CHOOSER_DIALOG);
  g_assert_nonnull (chooser);
  name = gtk_file_chooser_get_current_name (GTK_FILE_CHOOSER (chooser));
  g_assert_true (g_str_has_prefix (name, "postaci-127.0.0.1-"));
  g_assert_true (g_str_has_suffix (name, ".txt"));
  /* It starts in the person's documents (home without one), not in the current folder. */
  {
    g_autoptr(GFile) folder = NULL;
    g_autoptr(GFile) documents = postaci_save_dialog_get_default_folder ();
    const char *special = g_get_user_special_dir (G_USER_DIRECTORY_DOCUMENTS);
    g_autofree char *path_shown = NULL;

    postaci_test_wait_until (has_current_folder, chooser, 10000);
    folder = gtk_file_chooser_get_current_folder (GTK_FILE_CHOOSER (chooser));
    path_shown = g_file_get_path (folder);

    g_test_message ("Save Transcript starts in %s", path_shown);
    g_assert_nonnull (folder);
    g_assert_true (g_file_equal (folder, documents));
    if (special != NULL && g_file_test (special, G_FILE_TEST_IS_DIR))
      g_assert_cmpstr (path_shown, ==, special);
    else
      g_assert_cmpstr (path_shown, ==, g_get_home_dir ());
  }
  gtk_widget_activate (gtk_dialog_get_widget_for_response (GTK_DIALOG (chooser), GTK_RESPONSE_CANCEL));
  postaci_gui_test_wait_closed (GTK_TYPE_FILE_CHOOSER_DIALOG);

  /* …and writes the chosen file. */
  postaci_window_save_transcript (window, target);
  postaci_gui_test_wait_for_file (path, strlen (expected));
  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_assert_true (g_file_get_contents (path, &saved, NULL, NULL));
  g_assert_cmpstr (saved, ==, expected);
  g_assert_null (strstr (saved, PASSWORD));
  g_assert_nonnull (strstr (saved, "Result: success"));
  g_unlink (path);
  g_rmdir (dir);

  g_free (saved);
  saved = transcript_text (window);
  gtk_widget_activate_action (GTK_WIDGET (window), "win.clear-transcript", NULL);
  {
    g_autofree char *cleared = transcript_text (window);
    g_assert_cmpstr (cleared, ==, "");
  }
  g_assert_null (postaci_window_get_outcome (window));
  g_assert_false (gtk_revealer_get_reveal_child (child (window, "verdict_revealer")));
  g_assert_cmpstr (postaci_stage_bar_get_state (child (window, "stage_bar"), POSTACI_STAGE_CONNECT), ==, "pending");
  g_assert_false (gtk_widget_is_sensitive (action_button (GTK_WIDGET (window), "win.save-transcript")));
  /* A toast offers to undo it… */
  wait_for_frames (GTK_WIDGET (window));
  g_assert_true (postaci_gui_test_shows_label (GTK_WIDGET (window), "Transcript cleared"));
  save_screenshot (GTK_WIDGET (window), "postaci-window-cleared.png");
  /* …and Undo brings the whole run back: transcript, stages, verdict. */
  gtk_widget_activate_action (GTK_WIDGET (window), "win.undo-clear", NULL);
  {
    g_autofree char *restored = transcript_text (window);
    g_autofree char *restored_saved = postaci_window_get_transcript_text (window);

    g_assert_cmpstr (restored, ==, saved);
    g_assert_cmpstr (restored_saved, ==, expected);
  }
  g_assert_nonnull (postaci_window_get_outcome (window));
  g_assert_cmpint (postaci_window_get_outcome (window)->verdict, ==, POSTACI_VERDICT_SUCCESS);
  g_assert_true (gtk_revealer_get_reveal_child (child (window, "verdict_revealer")));
  g_assert_cmpstr (label_text (window, "verdict_title"), ==, "Success");
  g_assert_cmpstr (postaci_stage_bar_get_state (child (window, "stage_bar"), POSTACI_STAGE_QUIT), ==, "passed");
  g_assert_true (gtk_widget_is_sensitive (action_button (GTK_WIDGET (window), "win.save-transcript")));
  close_window (window);
}

/* Security Automatic is postaci-cli's auto (STARTTLS when offered); with SSL/TLS the stage bar
 * shows TLS right after Connect, where implicit TLS happens. */
static void
test_automatic_security (void)
{
  PostaciWindow *window = open_window ();
  PostaciStageBar *bar = child (window, "stage_bar");
  g_autofree char *shown = NULL;

  fill_form (window, TRUE);
  adw_combo_row_set_selected (child (window, "security_row"), 3); /* Automatic: the typed port stays */
  click_test_and_wait (window);
  g_assert_cmpint (postaci_window_get_outcome (window)->verdict, ==, POSTACI_VERDICT_SUCCESS);
  shown = transcript_text (window);
  g_assert_nonnull (strstr (shown, "C: STARTTLS"));
  g_assert_cmpuint (postaci_stage_bar_get_position (bar, POSTACI_STAGE_TLS), ==, 3);

  adw_combo_row_set_selected (child (window, "security_row"), 2); /* SSL/TLS, on a STARTTLS port */
  {
    g_autofree char *port = g_strdup_printf ("%u", aiosmtpd.port);
    set_text (window, "port_row", port);
  }
  gtk_widget_activate_action (GTK_WIDGET (window), "win.test", NULL);
  g_assert_cmpuint (postaci_stage_bar_get_position (bar, POSTACI_STAGE_TLS), ==, 1);
  g_assert_cmpuint (postaci_stage_bar_get_position (bar, POSTACI_STAGE_GREETING), ==, 2);
  postaci_test_wait_until (is_idle, window, RUN_TIMEOUT_MS);
  g_assert_cmpint (postaci_window_get_outcome (window)->stage, ==, POSTACI_STAGE_TLS);
  save_screenshot (GTK_WIDGET (window), "postaci-window-implicit-tls.png");
  close_window (window);
}

/* The About window names the application; the shortcuts window lists Test SMTP and Cancel. */
static void
test_about_and_shortcuts (void)
{
  PostaciWindow *window = open_window ();
  GtkWindow *about;
  GtkShortcutsWindow *overlay;
  g_auto (GStrv) test_accels = gtk_application_get_accels_for_action (GTK_APPLICATION (application), "win.test");
  g_auto (GStrv) help_accels = NULL;

  g_assert_true (g_strv_contains ((const char *const *) test_accels, "<Control>Return"));
  g_action_group_activate_action (G_ACTION_GROUP (application), "about", NULL);
  about = find_toplevel (ADW_TYPE_ABOUT_WINDOW);
  g_assert_nonnull (about);
  g_assert_cmpstr (adw_about_window_get_application_name (ADW_ABOUT_WINDOW (about)), ==, "Postacı");
  g_assert_cmpstr (adw_about_window_get_application_icon (ADW_ABOUT_WINDOW (about)), ==, APPLICATION_ID);
  g_assert_true (gtk_icon_theme_has_icon (gtk_icon_theme_get_for_display (gdk_display_get_default ()),
                                          APPLICATION_ID));
  save_screenshot (GTK_WIDGET (about), "postaci-about.png");
  gtk_window_destroy (about);

  /* Ctrl+? opens it; it is built then, not with the window. */
  help_accels = gtk_application_get_accels_for_action (GTK_APPLICATION (application),
                                                       "win.show-help-overlay");
  g_assert_true (g_strv_contains ((const char *const *) help_accels, "<Control>question"));
  g_assert_null (gtk_application_window_get_help_overlay (GTK_APPLICATION_WINDOW (window)));
  g_assert_true (g_action_group_has_action (G_ACTION_GROUP (window), "show-help-overlay"));
  g_action_group_activate_action (G_ACTION_GROUP (window), "show-help-overlay", NULL);
  overlay = gtk_application_window_get_help_overlay (GTK_APPLICATION_WINDOW (window));
  g_assert_nonnull (overlay);
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (overlay)));
  g_assert_true (gtk_window_get_transient_for (GTK_WINDOW (overlay)) == GTK_WINDOW (window));
  wait_for_frames (GTK_WIDGET (overlay));
  save_screenshot (GTK_WIDGET (overlay), "postaci-shortcuts.png");
  /* Asked again, the same window comes back. */
  gtk_widget_set_visible (GTK_WIDGET (overlay), FALSE);
  g_action_group_activate_action (G_ACTION_GROUP (window), "show-help-overlay", NULL);
  g_assert_true (gtk_application_window_get_help_overlay (GTK_APPLICATION_WINDOW (window)) == overlay);
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (overlay)));
  close_window (window);
}

/* Every label under @widget that is shown and cut short with an ellipsis, as "a, b". */
static void
collect_ellipsized (GtkWidget *widget, GString *found)
{
  if (GTK_IS_LABEL (widget) && gtk_widget_is_drawable (widget) &&
      gtk_label_get_ellipsize (GTK_LABEL (widget)) != PANGO_ELLIPSIZE_NONE &&
      pango_layout_is_ellipsized (gtk_label_get_layout (GTK_LABEL (widget))))
    g_string_append_printf (found, "%s“%s”", found->len > 0 ? ", " : "", gtk_label_get_text (GTK_LABEL (widget)));
  for (GtkWidget *c = gtk_widget_get_first_child (widget); c != NULL; c = gtk_widget_get_next_sibling (c))
    collect_ellipsized (c, found);
}

static void
assert_nothing_cut (GtkWidget *widget)
{
  g_autoptr(GString) found = g_string_new (NULL);

  collect_ellipsized (widget, found);
  if (found->len > 0)
    g_error ("cut short: %s", found->str);
}

/* The texts of the labels drawn under @widget. */
static void
collect_labels (GtkWidget *widget, GHashTable *seen)
{
  if (GTK_IS_LABEL (widget) && gtk_widget_is_drawable (widget))
    g_hash_table_add (seen, g_strdup (gtk_label_get_text (GTK_LABEL (widget))));
  for (GtkWidget *c = gtk_widget_get_first_child (widget); c != NULL; c = gtk_widget_get_next_sibling (c))
    collect_labels (c, seen);
}

static GtkWidget *
find_label (GtkWidget *widget)
{
  if (GTK_IS_LABEL (widget))
    return widget;
  for (GtkWidget *c = gtk_widget_get_first_child (widget); c != NULL; c = gtk_widget_get_next_sibling (c))
    {
      GtkWidget *found = find_label (c);

      if (found != NULL)
        return found;
    }
  return NULL;
}

static GtkWidget *
find_popover (GtkWidget *widget)
{
  for (GtkWidget *c = gtk_widget_get_first_child (widget); c != NULL; c = gtk_widget_get_next_sibling (c))
    {
      GtkWidget *found = GTK_IS_POPOVER (c) ? c : find_popover (c);

      if (found != NULL)
        return found;
    }
  return NULL;
}

/* The list of @row, opened as a click opens it; every choice reads whole in it. */
static void
assert_whole_choices (AdwComboRow *row, const char *screenshot)
{
  GListModel *choices = adw_combo_row_get_model (row);
  g_autoptr(GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  GtkWidget *popover = NULL;
  GtkWidget *scroller;
  GtkAdjustment *adjustment;

  g_signal_emit_by_name (row, "activate");
  postaci_gui_test_flush ();
  popover = find_popover (GTK_WIDGET (row));
  g_assert_nonnull (popover);
  g_assert_true (gtk_widget_get_visible (popover));
  wait_for_frames (popover);
  /* The list makes rows only for what is in sight: read it at the top, then at the bottom. */
  save_screenshot (popover, screenshot);
  assert_nothing_cut (popover);
  collect_labels (popover, seen);
  scroller = gtk_widget_get_ancestor (find_label (popover), GTK_TYPE_SCROLLED_WINDOW);
  g_assert_nonnull (scroller);
  adjustment = gtk_scrolled_window_get_vadjustment (GTK_SCROLLED_WINDOW (scroller));
  gtk_adjustment_set_value (adjustment, gtk_adjustment_get_upper (adjustment));
  wait_for_frames (popover);
  wait_for_frames (popover);
  assert_nothing_cut (popover);
  collect_labels (popover, seen);
  for (guint i = 0; i < g_list_model_get_n_items (choices); i++)
    {
      const char *choice = gtk_string_list_get_string (GTK_STRING_LIST (choices), i);

      if (!g_hash_table_contains (seen, choice))
        g_error ("the list does not show “%s” whole", choice);
    }
  gtk_popover_popdown (GTK_POPOVER (popover));
  postaci_gui_test_flush ();
}

static gboolean
is_narrow (gpointer data)
{
  return postaci_window_get_narrow (data);
}

static gboolean
is_wide (gpointer data)
{
  return !postaci_window_get_narrow (data);
}

/* The smallest window the person can make: the form stands above the transcript, the stage
 * names, the form and the verdict still read. Wide again, they stand side by side. */
static void
test_narrow (void)
{
  gboolean turkish = g_strcmp0 (g_getenv ("LANGUAGE"), "tr") == 0;
  PostaciWindow *window = postaci_window_new (application);
  PostaciLocalServerPage *page;
  int width, height;

  gtk_window_set_default_size (GTK_WINDOW (window), 1, 1);
  gtk_window_present (GTK_WINDOW (window));
  postaci_test_wait_until (is_narrow, window, 10000);
  /* The pages' switcher is the header bar's centred title, narrow or wide. */
  {
    GtkWidget *switcher = child (window, "view_switcher");
    GtkWidget *header = gtk_widget_get_ancestor (switcher, ADW_TYPE_HEADER_BAR);

    g_assert_nonnull (header);
    g_assert_true (adw_header_bar_get_title_widget (ADW_HEADER_BAR (header)) == switcher);
  }
  /* Side by side the window could not be narrower than both halves; stacked it can. */
  gtk_window_set_default_size (GTK_WINDOW (window), 1, 1);
  wait_for_frames (GTK_WIDGET (window));
  fill_form (window, TRUE);
  click_test_and_wait (window);
  g_assert_cmpint (postaci_window_get_outcome (window)->verdict, ==, POSTACI_VERDICT_SUCCESS);
  wait_for_frames (GTK_WIDGET (window));
  width = gtk_widget_get_width (GTK_WIDGET (window));
  height = gtk_widget_get_height (GTK_WIDGET (window));
  g_test_message ("smallest window: %d×%d", width, height);
  g_assert_cmpint (width, <, 520);
  g_assert_true (postaci_window_get_narrow (window));
  g_assert_cmpint (gtk_orientable_get_orientation (child (window, "paned")), ==, GTK_ORIENTATION_VERTICAL);
  save_screenshot (GTK_WIDGET (window), turkish ? "postaci-window-narrow-tr.png" : "postaci-window-narrow.png");
  adw_view_stack_set_visible_child_name (child (window, "view_stack"), "local-server");
  /* Built when first shown, the page comes already stacked for the narrow window. */
  page = POSTACI_LOCAL_SERVER_PAGE (adw_bin_get_child (child (window, "local_bin")));
  g_assert_nonnull (page);
  g_assert_cmpint (gtk_orientable_get_orientation (GTK_ORIENTABLE (adw_bin_get_child (ADW_BIN (page)))),
                   ==, GTK_ORIENTATION_VERTICAL);
  {
    AdwComboRow *failure = postaci_gui_test_child (page, POSTACI_TYPE_LOCAL_SERVER_PAGE, "failure_row");

    /* The longest choice, “Silent greeting: connect, then say nothing”, reads whole. */
    adw_combo_row_set_selected (failure, 3);
    save_screenshot (GTK_WIDGET (window), turkish ? "postaci-local-server-narrow-tr.png" : "postaci-local-server-narrow.png");
    assert_nothing_cut (GTK_WIDGET (window));
    /* So does every choice in its list (AdwComboRow's own cuts them at 20 characters). */
    assert_whole_choices (failure, turkish ? "postaci-fail-on-purpose-list-tr.png" : "postaci-fail-on-purpose-list.png");
    adw_combo_row_set_selected (failure, 0);
  }
  adw_view_stack_set_visible_child_name (child (window, "view_stack"), "test");
  adw_combo_row_set_selected (child (window, "stop_after_row"), 1);
  wait_for_frames (GTK_WIDGET (window));
  assert_nothing_cut (GTK_WIDGET (window));
  assert_whole_choices (child (window, "stop_after_row"), turkish ? "postaci-how-far-list-tr.png" : "postaci-how-far-list.png");
  adw_combo_row_set_selected (child (window, "stop_after_row"), 0);

  /* Wide again: side by side. */
  gtk_window_set_default_size (GTK_WINDOW (window), 1320, 900);
  postaci_test_wait_until (is_wide, window, 10000);
  g_assert_cmpint (gtk_orientable_get_orientation (child (window, "paned")), ==, GTK_ORIENTATION_HORIZONTAL);
  close_window (window);
}

/* With LANGUAGE=tr (the gui-window-tr test) the window speaks Turkish: the strings of the .ui
 * file through GtkBuilder, those of the window's code and those of the engine through gettext.
 * Compared with the catalog, not with copies of its wording, and never equal to the English. */
static void
assert_translated (const char *shown, const char *english)
{
  g_assert_cmpstr (shown, ==, _(english));
  g_assert_cmpstr (shown, !=, english);
}

static void
test_turkish (void)
{
  PostaciWindow *window = postaci_window_new (application);
  const PostaciOutcome *outcome;
  g_autofree char *shown = NULL;
  const char *explanation = "The server accepted the sender address.";

  /* The size the window opens with for a new user: long Turkish labels must fit in it. */
  gtk_window_set_default_size (GTK_WINDOW (window), 1180, 780);
  gtk_window_present (GTK_WINDOW (window));
  assert_translated (gtk_button_get_label (GTK_BUTTON (child (window, "test_button"))), "_Test SMTP");
  assert_translated (adw_preferences_row_get_title (child (window, "server_row")), "SMTP _server");
  assert_translated (adw_status_page_get_title (child (window, "empty_page")), "No Test Yet");
  fill_form (window, TRUE);
  click_test_and_wait (window);
  outcome = postaci_window_get_outcome (window);
  g_assert_nonnull (outcome);
  g_assert_cmpint (outcome->verdict, ==, POSTACI_VERDICT_SUCCESS);
  assert_translated (label_text (window, "verdict_title"), "Success");
  shown = transcript_text (window);
  g_assert_cmpstr (_(explanation), !=, explanation);
  g_assert_nonnull (strstr (shown, _(explanation)));
  save_screenshot (GTK_WIDGET (window), "postaci-window-tr.png");
  close_window (window);
}

/* ---------------------------------------------------------------- */
/* Access keys                                                      */
/* ---------------------------------------------------------------- */

/* Every label with an access key that Alt+key can reach in @widget's window while it shows
 * what it shows now: of a view stack only the visible page counts, hidden widgets do not, and
 * a popover (the main menu, a combo row's list) is a keyboard scope of its own. Rows folded
 * into a collapsed expander row do count: they belong to the page. */
static void
collect_access_keys (GtkWidget *widget, GPtrArray *labels)
{
  if (!gtk_widget_get_visible (widget))
    return;
  if (GTK_IS_LABEL (widget) && gtk_label_get_use_underline (GTK_LABEL (widget)) &&
      gtk_label_get_mnemonic_keyval (GTK_LABEL (widget)) != GDK_KEY_VoidSymbol)
    g_ptr_array_add (labels, widget);
  if (ADW_IS_VIEW_STACK (widget))
    {
      collect_access_keys (adw_view_stack_get_visible_child (ADW_VIEW_STACK (widget)), labels);
      return;
    }
  for (GtkWidget *c = gtk_widget_get_first_child (widget); c != NULL; c = gtk_widget_get_next_sibling (c))
    if (!GTK_IS_POPOVER (c))
      collect_access_keys (c, labels);
}

/* What Alt+key on @label reaches: its mnemonic widget, or for a button's label the button. */
static GtkWidget *
access_key_target (GtkLabel *label)
{
  GtkWidget *target = gtk_label_get_mnemonic_widget (label);

  return target != NULL ? target : gtk_widget_get_parent (GTK_WIDGET (label));
}

/* How many labels in @labels have the access key @key. */
static guint
count_access_key (GPtrArray *labels, guint key)
{
  guint n = 0;

  for (guint i = 0; i < labels->len; i++)
    if (gdk_keyval_to_lower (gtk_label_get_mnemonic_keyval (labels->pdata[i])) == key)
      n++;
  return n;
}

/* No two fields or buttons in @labels share an access key (Alt+key would only cycle between
 * them). An entry row shows its title twice (in the empty and the filled field), both labels
 * with the row as their target: that is one key. */
static void
assert_access_keys_unique (GPtrArray *labels, const char *scope)
{
  g_autoptr(GHashTable) seen = g_hash_table_new (NULL, NULL);

  g_assert_cmpuint (labels->len, >, 1);
  for (guint i = 0; i < labels->len; i++)
    {
      GtkLabel *label = labels->pdata[i];
      guint key = gdk_keyval_to_lower (gtk_label_get_mnemonic_keyval (label));
      GtkLabel *other = g_hash_table_lookup (seen, GUINT_TO_POINTER (key));

      if (other != NULL && access_key_target (other) == access_key_target (label))
        continue;
      if (other != NULL)
        g_error ("%s: “%s” and “%s” share the access key %s", scope, gtk_label_get_label (other),
                 gtk_label_get_label (label), gdk_keyval_name (key));
      g_hash_table_insert (seen, GUINT_TO_POINTER (key), label);
      g_test_message ("%s: %s “%s”", scope, gdk_keyval_name (key), gtk_label_get_label (label));
    }
}

static void
collect_form_rows (GtkWidget *widget, GPtrArray *rows)
{
  if (ADW_IS_VIEW_STACK (widget))
    {
      collect_form_rows (adw_view_stack_get_visible_child (ADW_VIEW_STACK (widget)), rows);
      return;
    }
  if (ADW_IS_ENTRY_ROW (widget) || ADW_IS_COMBO_ROW (widget) || ADW_IS_EXPANDER_ROW (widget) ||
      (ADW_IS_ACTION_ROW (widget) && adw_action_row_get_activatable_widget (ADW_ACTION_ROW (widget)) != NULL))
    g_ptr_array_add (rows, widget);
  for (GtkWidget *c = gtk_widget_get_first_child (widget); c != NULL; c = gtk_widget_get_next_sibling (c))
    if (!GTK_IS_POPOVER (c))
      collect_form_rows (c, rows);
}

/* Opens every expander row of the page, so that each field can take the focus. */
static void
unfold_all (GPtrArray *rows)
{
  for (guint i = 0; i < rows->len; i++)
    if (ADW_IS_EXPANDER_ROW (rows->pdata[i]))
      {
        AdwExpanderRow *expander = rows->pdata[i];

        if (adw_expander_row_get_show_enable_switch (expander))
          adw_expander_row_set_enable_expansion (expander, TRUE);
        adw_expander_row_set_expanded (expander, TRUE);
      }
  postaci_gui_test_flush ();
}

/* Does what Alt and the access key of @label do: runs the mnemonic shortcut the label registered,
 * as GTK does for a key press that matches it (exclusively when no other label has the key), and
 * checks that something took it. */
static void
press_access_key (GtkLabel *label, gboolean exclusive)
{
  guint key = gdk_keyval_to_lower (gtk_label_get_mnemonic_keyval (label));
  g_autoptr(GListModel) controllers = gtk_widget_observe_controllers (GTK_WIDGET (label));
  gboolean pressed = FALSE;

  for (guint i = 0; i < g_list_model_get_n_items (controllers) && !pressed; i++)
    {
      g_autoptr(GtkEventController) controller = g_list_model_get_item (controllers, i);

      if (!GTK_IS_SHORTCUT_CONTROLLER (controller))
        continue;
      for (guint j = 0; j < g_list_model_get_n_items (G_LIST_MODEL (controller)) && !pressed; j++)
        {
          g_autoptr(GtkShortcut) shortcut = g_list_model_get_item (G_LIST_MODEL (controller), j);
          GtkShortcutTrigger *trigger = gtk_shortcut_get_trigger (shortcut);

          if (GTK_IS_MNEMONIC_TRIGGER (trigger) &&
              gdk_keyval_to_lower (gtk_mnemonic_trigger_get_keyval (GTK_MNEMONIC_TRIGGER (trigger))) == key)
            {
              g_assert_true (gtk_shortcut_action_activate (gtk_shortcut_get_action (shortcut),
                                                           exclusive ? GTK_SHORTCUT_ACTION_EXCLUSIVE : 0,
                                                           GTK_WIDGET (label), NULL));
              pressed = TRUE;
            }
        }
    }
  if (!pressed)
    g_error ("“%s” has no access key shortcut", gtk_label_get_label (label));
  postaci_gui_test_flush ();
}

/* What a person gets from the page shown in @window: each field (entry, combo, switch, expander
 * row) shows its title with an access key, no two share one, and Alt+key puts the focus in the
 * field (a combo row opens its list, a switch row also flips its switch, as a check box does). */
static void
assert_access_keys (PostaciWindow *window, const char *scope)
{
  g_autoptr(GPtrArray) labels = g_ptr_array_new ();
  g_autoptr(GPtrArray) rows = g_ptr_array_new ();

  /* Every row of the page: those of a collapsed expander are shown once it opens. */
  collect_form_rows (GTK_WIDGET (window), rows);
  g_assert_cmpuint (rows->len, >, 0);
  unfold_all (rows);
  collect_access_keys (GTK_WIDGET (window), labels);
  assert_access_keys_unique (labels, scope);
  for (guint i = 0; i < rows->len; i++)
    {
      AdwPreferencesRow *row = rows->pdata[i];
      const char *title = adw_preferences_row_get_title (row);
      GtkLabel *found = NULL;

      if (!adw_preferences_row_get_use_underline (row))
        g_error ("%s: the row “%s” has no access key", scope, title);
      for (guint j = 0; j < labels->len && found == NULL; j++)
        if (g_strcmp0 (gtk_label_get_label (labels->pdata[j]), title) == 0 &&
            gtk_widget_is_ancestor (labels->pdata[j], GTK_WIDGET (row)))
          found = labels->pdata[j];
      if (found == NULL)
        g_error ("%s: the title “%s” shows no access key", scope, title);
    }

  /* Alt+key on each of them; buttons are left alone (theirs clicks them). */
  for (guint i = 0; i < labels->len; i++)
    {
      GtkLabel *label = labels->pdata[i];
      GtkWidget *target = gtk_label_get_mnemonic_widget (label);
      GtkWidget *activatable = ADW_IS_ACTION_ROW (target) && !ADW_IS_COMBO_ROW (target)
                               ? adw_action_row_get_activatable_widget (ADW_ACTION_ROW (target)) : NULL;
      gboolean was_active = GTK_IS_SWITCH (activatable) && gtk_switch_get_active (GTK_SWITCH (activatable));
      GtkWidget *focus;
      GtkWidget *popover;

      if (target == NULL || GTK_IS_BUTTON (target))
        continue;
      unfold_all (rows);
      gtk_root_set_focus (GTK_ROOT (window), NULL);
      /* Two labels with one key (an entry row's) make GTK only move the focus, not activate. */
      press_access_key (label, count_access_key (labels, gdk_keyval_to_lower (gtk_label_get_mnemonic_keyval (label))) == 1);
      focus = gtk_root_get_focus (GTK_ROOT (window));
      if (focus == NULL || (focus != target && !gtk_widget_is_ancestor (focus, target)))
        g_error ("%s: Alt+%s (“%s”) put the focus on %s", scope, gdk_keyval_name (gtk_label_get_mnemonic_keyval (label)),
                 gtk_label_get_label (label), focus != NULL ? G_OBJECT_TYPE_NAME (focus) : "nothing");
      if (GTK_IS_SWITCH (activatable))
        {
          g_assert_cmpint (gtk_switch_get_active (GTK_SWITCH (activatable)), !=, was_active);
          gtk_switch_set_active (GTK_SWITCH (activatable), was_active);
        }
      popover = gtk_widget_get_ancestor (focus, GTK_TYPE_POPOVER);
      if (popover != NULL)
        gtk_popover_popdown (GTK_POPOVER (popover));
      postaci_gui_test_flush ();
    }
}

/* The first menu button under @widget (the main menu's), or NULL. */
static GtkWidget *
find_menu_button (GtkWidget *widget)
{
  if (GTK_IS_MENU_BUTTON (widget))
    return widget;
  for (GtkWidget *c = gtk_widget_get_first_child (widget); c != NULL; c = gtk_widget_get_next_sibling (c))
    {
      GtkWidget *button = find_menu_button (c);

      if (button != NULL)
        return button;
    }
  return NULL;
}

/* Alt+key reaches every field of both pages, in English and in Turkish (gui-window-tr), with
 * no key used twice on a page: idle, while a run goes on (Test SMTP becomes Cancel), and in
 * the main menu, which has keys of its own. */
static void
test_access_keys (void)
{
  static const PostaciScriptStep silent[] = { TS_STALL, TS_END };
  g_autoptr(PostaciScriptedServer) server = postaci_scripted_server_new (
    silent, POSTACI_SCRIPTED_SERVER_PLAIN, NULL, "127.0.0.1");
  g_autofree char *port = g_strdup_printf ("%u", postaci_scripted_server_get_port (server));
  PostaciWindow *window = open_window ();
  g_autoptr(GPtrArray) labels = g_ptr_array_new ();
  GtkWidget *menu;

  wait_for_frames (GTK_WIDGET (window));
  assert_access_keys (window, "Test page");

  /* The main menu's keys work while it is open, inside it. */
  menu = find_menu_button (GTK_WIDGET (window));
  g_assert_nonnull (menu);
  /* Its popover is built when it first opens, not with the window (postaci-menu-button.c). */
  g_assert_null (gtk_menu_button_get_popover (GTK_MENU_BUTTON (menu)));
  gtk_menu_button_popup (GTK_MENU_BUTTON (menu));
  postaci_gui_test_flush ();
  g_assert_nonnull (gtk_menu_button_get_popover (GTK_MENU_BUTTON (menu)));
  collect_access_keys (GTK_WIDGET (gtk_menu_button_get_popover (GTK_MENU_BUTTON (menu))), labels);
  assert_access_keys_unique (labels, "Main menu");
  gtk_menu_button_popdown (GTK_MENU_BUTTON (menu));
  postaci_gui_test_flush ();

  /* While a run goes on, the button says Cancel: its key must not clash either. */
  fill_form (window, FALSE);
  adw_combo_row_set_selected (child (window, "security_row"), 0); /* None */
  set_text (window, "port_row", port);
  gtk_widget_activate (child (window, "test_button"));
  postaci_test_wait_until (greeting_under_way, window, RUN_TIMEOUT_MS);
  g_ptr_array_set_size (labels, 0);
  collect_access_keys (GTK_WIDGET (window), labels);
  assert_access_keys_unique (labels, "Test page, running");
  gtk_widget_activate (child (window, "test_button"));
  postaci_test_wait_until (is_idle, window, RUN_TIMEOUT_MS);

  adw_view_stack_set_visible_child_name (child (window, "view_stack"), "local-server");
  wait_for_frames (GTK_WIDGET (window));
  assert_access_keys (window, "Local Test Server page");
  close_window (window);
}

int
main (int argc, char **argv)
{
  gboolean turkish = g_strcmp0 (g_getenv ("LANGUAGE"), "tr") == 0;
  /* The first window is a first start: it runs the Local Test Server, whose mail goes into the
   * private cache postaci_gui_test_init() makes. */
  char *cache = NULL;
  int status;

  if (!postaci_gui_test_use_locale ("test-window"))
    return 1;
  application = postaci_gui_test_init (&argc, &argv, &cache);
  if (application == NULL)
    return 0;
  start_aiosmtpd ();

  /* The other tests read the English texts; in Turkish, one run checks the translated window. */
  if (turkish)
    {
      g_test_add_func ("/postaci/window/turkish", test_turkish);
      g_test_add_func ("/postaci/window/narrow", test_narrow);
      g_test_add_func ("/postaci/window/access-keys", test_access_keys);
    }
  else
    {
      g_test_add_func ("/postaci/window/start-libraries", test_start_libraries);
      g_test_add_func ("/postaci/window/success-starttls-auth", test_success);
      g_test_add_func ("/postaci/window/refused", test_refused);
      g_test_add_func ("/postaci/window/details", test_details);
      g_test_add_func ("/postaci/window/cancel", test_cancel);
      g_test_add_func ("/postaci/window/invalid-address", test_invalid_address);
      g_test_add_func ("/postaci/window/invalid-after-success", test_invalid_after_success);
      g_test_add_func ("/postaci/window/port-follows-security", test_port_follows_security);
      g_test_add_func ("/postaci/window/prefill", test_prefill);
      g_test_add_func ("/postaci/window/automatic-security", test_automatic_security);
      g_test_add_func ("/postaci/window/remembered", test_remembered);
      g_test_add_func ("/postaci/window/follows-output", test_follows_output);
      g_test_add_func ("/postaci/window/long-transcript", test_long_transcript);
      g_test_add_func ("/postaci/window/long-run-saved", test_long_run_saved);
      g_test_add_func ("/postaci/window/transcript-caret", test_transcript_caret);
      g_test_add_func ("/postaci/window/copy-save-clear", test_copy_save_clear);
      g_test_add_func ("/postaci/window/about-and-shortcuts", test_about_and_shortcuts);
      g_test_add_func ("/postaci/window/narrow", test_narrow);
      g_test_add_func ("/postaci/window/access-keys", test_access_keys);
    }
  status = g_test_run ();

  stop_aiosmtpd ();
  return postaci_gui_test_finish (g_steal_pointer (&application), cache, status);
}
