/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-local-server-page.c — the window's Local Test Server under Xvfb: a first start that works,
 * failures on purpose, captured messages read and saved, the server stopped with the window. */
#define G_LOG_DOMAIN "test-local-server-page"

#include "config.h"

#include <adwaita.h>
#include <glib/gi18n.h>
#include <glib/gstdio.h>

#include "postaci-application.h"
#include "postaci-gui-test.h"
#include "postaci-local-server-page.h"
#include "postaci-message-window.h"
#include "postaci-report-reader.h"
#include "postaci-transcript.h"
#include "postaci-report-window.h"
#include "postaci-save-dialog.h"
#include "postaci-stage-bar.h"
#include "postaci-scripted-server.h"
#include "postaci-verdict-panel.h"
#include "postaci-window.h"

#define SUBJECT "Yerel deneme: ığüşöç İĞÜŞÖÇ"
#define HTML    "<html><body><h1>Merhaba dünya</h1><p>Yerel sunucu çalışıyor.</p></body></html>"
#define OWN_SERVER "smtp.example.org"

static PostaciApplication *application;

/* ---------------------------------------------------------------- */
/* Driving the window                                               */
/* ---------------------------------------------------------------- */

/* A template child of the window, of its form or of its verdict card. */
#define child postaci_gui_test_window_child

/* A template child of the Local Test Server's page (built by asking, if it was never shown). */
static gpointer
page_child (PostaciWindow *window, const char *name)
{
  return postaci_gui_test_child (postaci_window_get_local_server_page (window),
                                 POSTACI_TYPE_LOCAL_SERVER_PAGE, name);
}

static PostaciLocalServer *
local_server (PostaciWindow *window)
{
  return postaci_window_get_local_server (window);
}

/* Whether the page was built: it is, once shown, and not before. */
static gboolean
page_built (PostaciWindow *window)
{
  return adw_bin_get_child (child (window, "local_bin")) != NULL;
}

static const char *
get_text (PostaciWindow *window, const char *field)
{
  return gtk_editable_get_text (GTK_EDITABLE (child (window, field)));
}

static void
set_text (PostaciWindow *window, const char *field, const char *text)
{
  gtk_editable_set_text (GTK_EDITABLE (child (window, field)), text);
}

static PostaciWindow *
open_window (void)
{
  return postaci_gui_test_present (postaci_window_new (application), 1320, 860);
}

#define close_window postaci_gui_test_close

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

/* Activates the real Test SMTP button and waits for the run to end. */
static const PostaciOutcome *
click_test_and_wait (PostaciWindow *window)
{
  GtkWidget *button = child (window, "test_button");

  g_assert_false (postaci_window_is_running (window));
  g_assert_true (gtk_widget_is_drawable (button));
  gtk_widget_activate (button);
  postaci_test_wait_until (is_running, window, POSTACI_GUI_TEST_TIMEOUT_MS);
  postaci_test_wait_until (is_idle, window, POSTACI_GUI_TEST_TIMEOUT_MS);
  g_assert_nonnull (postaci_window_get_outcome (window));
  return postaci_window_get_outcome (window);
}

static char *
transcript_text (PostaciWindow *window)
{
  return postaci_gui_test_view_text (child (window, "transcript_view"));
}

static const char *
subtitle (PostaciWindow *window, const char *row)
{
  return adw_action_row_get_subtitle (page_child (window, row));
}

static void
show_page (PostaciWindow *window, const char *name)
{
  adw_view_stack_set_visible_child_name (child (window, "view_stack"), name);
  postaci_gui_test_flush ();
}

/* The form as the window fills it for the running Local Test Server. */
static void
assert_form_for_local_server (PostaciWindow *window)
{
  PostaciLocalServer *server = local_server (window);
  g_autofree char *port = g_strdup_printf ("%u", postaci_local_server_get_port (server));

  g_assert_true (postaci_local_server_is_running (server));
  g_assert_cmpstr (get_text (window, "server_row"), ==, "127.0.0.1");
  g_assert_cmpstr (get_text (window, "port_row"), ==, port);
  g_assert_cmpuint (adw_combo_row_get_selected (child (window, "security_row")), ==, 1); /* STARTTLS */
  g_assert_true (adw_expander_row_get_enable_expansion (child (window, "auth_row")));
  g_assert_cmpstr (get_text (window, "user_row"), ==, POSTACI_LOCAL_SERVER_USERNAME);
  g_assert_cmpstr (get_text (window, "password_row"), ==, postaci_local_server_get_password (server));
  g_assert_cmpstr (get_text (window, "from_row"), !=, "");
  g_assert_cmpstr (get_text (window, "to_row"), !=, "");
}

static gboolean
is_set (gpointer data)
{
  return *(gpointer *) data != NULL;
}

/* ---------------------------------------------------------------- */
/* Tests                                                            */
/* ---------------------------------------------------------------- */

/* No server of one's own yet: the window starts the built-in one and points the form at it,
 * with its certificate pinned, so the first Test SMTP succeeds and the message is listed. */
static void
test_first_run (void)
{
  AdwStyleManager *style = adw_style_manager_get_default ();
  GSettings *settings = postaci_application_get_settings (application);
  PostaciWindow *window;
  PostaciLocalServer *server;
  GListModel *messages;
  g_autoptr(PostaciCapturedMessage) message = NULL;
  g_autofree char *shown = NULL;
  g_autofree char *address = NULL;
  g_autofree char *copied = NULL;
  g_autofree char *saved_server = NULL;
  const PostaciOutcome *outcome;

  g_assert_nonnull (settings);
  saved_server = g_settings_get_string (settings, "server");
  g_assert_cmpstr (saved_server, ==, "");

  adw_style_manager_set_color_scheme (style, ADW_COLOR_SCHEME_FORCE_LIGHT);
  window = open_window ();
  server = local_server (window);
  messages = postaci_local_server_get_messages (server);
  assert_form_for_local_server (window);
  /* The server runs, but its page waits until it is first shown: the window opens sooner. */
  g_assert_true (postaci_local_server_is_running (server));
  g_assert_false (page_built (window));
  show_page (window, "local-server");
  g_assert_true (page_built (window));
  g_assert_true (adw_bin_get_child (child (window, "local_bin")) ==
                 postaci_window_get_local_server_page (window));
  show_page (window, "test");

  /* The page says where the server listens and with which account. */
  g_assert_true (gtk_switch_get_active (page_child (window, "server_switch")));
  g_assert_true (gtk_widget_get_visible (page_child (window, "details_group")));
  address = g_strdup_printf ("127.0.0.1:%u", postaci_local_server_get_port (server));
  g_assert_true (g_str_has_prefix (subtitle (window, "starttls_row"), address));
  g_free (address);
  address = g_strdup_printf ("127.0.0.1:%u", postaci_local_server_get_tls_port (server));
  g_assert_true (g_str_has_prefix (subtitle (window, "tls_row"), address));
  g_assert_cmpstr (subtitle (window, "user_row"), ==, "postaci");
  g_assert_cmpstr (subtitle (window, "password_row"), ==, postaci_local_server_get_password (server));
  g_assert_cmpstr (subtitle (window, "folder_row"), ==, postaci_local_server_get_folder (server));
  g_assert_cmpstr (subtitle (window, "fingerprint_row"), ==, postaci_local_server_get_fingerprint (server));
  g_assert_cmpstr (gtk_stack_get_visible_child_name (page_child (window, "messages_stack")), ==, "empty");

  /* The first click. */
  set_text (window, "subject_row", SUBJECT);
  gtk_text_buffer_set_text (gtk_text_view_get_buffer (child (window, "html_view")), HTML, -1);
  outcome = click_test_and_wait (window);
  shown = transcript_text (window);
  g_test_message ("%s", shown);
  g_assert_cmpint (outcome->verdict, ==, POSTACI_VERDICT_SUCCESS);
  g_assert_nonnull (strstr (shown, "C: STARTTLS"));
  g_assert_nonnull (strstr (shown, "pinned for this run"));
  g_assert_nonnull (strstr (shown, "S: 235"));
  g_assert_nonnull (strstr (shown, "Result: success"));

  /* The message is in the page's list, as a person sees it. */
  g_assert_cmpuint (g_list_model_get_n_items (messages), ==, 1);
  message = g_list_model_get_item (messages, 0);
  g_assert_cmpstr (postaci_captured_message_get_subject (message), ==, SUBJECT);
  g_assert_cmpstr (postaci_captured_message_get_from (message), ==, get_text (window, "from_row"));
  g_assert_true (postaci_captured_message_get_tls (message));
  g_assert_true (postaci_captured_message_get_authenticated (message));
  g_assert_true (g_file_test (postaci_captured_message_get_path (message), G_FILE_TEST_IS_REGULAR));
  show_page (window, "local-server");
  g_assert_cmpstr (gtk_stack_get_visible_child_name (page_child (window, "messages_stack")), ==, "list");
  postaci_gui_test_wait_for_frames (GTK_WIDGET (window));
  g_assert_true (postaci_gui_test_shows_label (page_child (window, "messages_view"), SUBJECT));
  g_assert_true (postaci_gui_test_shows_label (page_child (window, "messages_view"),
                                               get_text (window, "to_row")));

  postaci_gui_test_save_screenshot (GTK_WIDGET (window), "postaci-local-server-light.png");
  adw_style_manager_set_color_scheme (style, ADW_COLOR_SCHEME_FORCE_DARK);
  g_assert_true (adw_style_manager_get_dark (style));
  postaci_gui_test_save_screenshot (GTK_WIDGET (window), "postaci-local-server-dark.png");
  adw_style_manager_set_color_scheme (style, ADW_COLOR_SCHEME_FORCE_LIGHT);

  /* The password's copy button. */
  postaci_gui_test_click (page_child (window, "copy_password_button"));
  copied = postaci_gui_test_read_clipboard (gtk_widget_get_clipboard (GTK_WIDGET (window)));
  g_assert_cmpstr (copied, ==, postaci_local_server_get_password (server));

  /* Closing remembers the form but not the throwaway address: the next start is a first start. */
  gtk_window_close (GTK_WINDOW (window));
  postaci_gui_test_flush ();
  g_free (saved_server);
  saved_server = g_settings_get_string (settings, "server");
  g_assert_cmpstr (saved_server, ==, "");
}

static guint
failure_index (PostaciWindow *window, const char *prefix)
{
  GListModel *choices = adw_combo_row_get_model (page_child (window, "failure_row"));

  for (guint i = 0; i < g_list_model_get_n_items (choices); i++)
    if (g_str_has_prefix (gtk_string_list_get_string (GTK_STRING_LIST (choices), i), prefix))
      return i;
  g_error ("no failure choice starts with “%s”", prefix);
}

/* 550 5.1.1 at RCPT, chosen on the page: the real run fails there, and says so. */
static void
test_fail_on_purpose (void)
{
  PostaciWindow *window = open_window ();
  PostaciLocalServer *server = local_server (window);
  AdwComboRow *failure = page_child (window, "failure_row");
  const PostaciOutcome *outcome;
  g_autofree char *shown = NULL;

  /* Still a first start: the form was not pointed anywhere else. */
  assert_form_for_local_server (window);
  g_assert_cmpuint (adw_combo_row_get_selected (failure), ==, 0);

  adw_combo_row_set_selected (failure, failure_index (window, "550 5.1.1 at RCPT"));
  g_assert_cmpuint (postaci_local_server_get_failure (server, POSTACI_STAGE_RCPT), ==, 550);
  outcome = click_test_and_wait (window);
  shown = transcript_text (window);
  g_test_message ("%s", shown);
  g_assert_cmpint (outcome->verdict, ==, POSTACI_VERDICT_REFUSED);
  g_assert_cmpint (outcome->stage, ==, POSTACI_STAGE_RCPT);
  g_assert_nonnull (strstr (shown, "S: 550 5.1.1 "));
  g_assert_nonnull (strstr (shown, "Result: failed"));
  g_assert_cmpstr (gtk_label_get_text (child (window, "verdict_title")), ==, "The server refused at RCPT");
  g_assert_true (gtk_widget_has_css_class (child (window, "verdict_box"), "error"));
  g_assert_cmpuint (g_list_model_get_n_items (postaci_local_server_get_messages (server)), ==, 0);

  /* While a run waits on a silent greeting, Use in the Form cannot refill the form under it. */
  adw_combo_row_set_selected (failure, failure_index (window, "Silent greeting"));
  g_assert_true (gtk_widget_get_sensitive (page_child (window, "use_button")));
  gtk_widget_activate (child (window, "test_button"));
  postaci_test_wait_until (is_running, window, POSTACI_GUI_TEST_TIMEOUT_MS);
  g_assert_false (gtk_widget_get_sensitive (page_child (window, "use_button")));
  gtk_widget_activate_action (GTK_WIDGET (window), "win.cancel", NULL);
  postaci_test_wait_until (is_idle, window, POSTACI_GUI_TEST_TIMEOUT_MS);
  g_assert_cmpint (postaci_window_get_outcome (window)->verdict, ==, POSTACI_VERDICT_CANCELLED);
  g_assert_true (gtk_widget_get_sensitive (page_child (window, "use_button")));

  /* Another choice replaces it; None clears it. */
  adw_combo_row_set_selected (failure, failure_index (window, "421 at the greeting"));
  g_assert_cmpuint (postaci_local_server_get_failure (server, POSTACI_STAGE_RCPT), ==, 0);
  g_assert_cmpuint (postaci_local_server_get_failure (server, POSTACI_STAGE_GREETING), ==, 421);
  outcome = click_test_and_wait (window);
  g_assert_cmpint (outcome->verdict, ==, POSTACI_VERDICT_REFUSED);
  g_assert_cmpint (outcome->stage, ==, POSTACI_STAGE_GREETING);
  adw_combo_row_set_selected (failure, 0);
  g_assert_cmpuint (postaci_local_server_get_failure (server, POSTACI_STAGE_GREETING), ==, 0);
  outcome = click_test_and_wait (window);
  g_assert_cmpint (outcome->verdict, ==, POSTACI_VERDICT_SUCCESS);

  /* SSL/TLS in the form moves it to the server's implicit-TLS port (its certificate still
   * pinned), and STARTTLS back; both runs succeed. */
  {
    g_autofree char *tls_port = g_strdup_printf ("%u", postaci_local_server_get_tls_port (server));

    adw_combo_row_set_selected (child (window, "security_row"), 2);
    g_assert_cmpstr (get_text (window, "port_row"), ==, tls_port);
    outcome = click_test_and_wait (window);
    g_assert_cmpint (outcome->verdict, ==, POSTACI_VERDICT_SUCCESS);
    g_clear_pointer (&shown, g_free);
    shown = transcript_text (window);
    g_assert_null (strstr (shown, "C: STARTTLS"));
    g_assert_nonnull (strstr (shown, "pinned for this run"));
    adw_combo_row_set_selected (child (window, "security_row"), 1);
    assert_form_for_local_server (window);
  }

  /* The window takes its server with it: stopped and freed, nothing left behind. */
  g_object_add_weak_pointer (G_OBJECT (server), (gpointer *) &server);
  close_window (window);
  g_assert_null (server);
}

/* Every choice of the page, run for real: each one fails where it says, with the verdict it means. */
static void
test_every_failure (void)
{
  static const struct {
    const char     *prefix;
    PostaciStage    stage;
    PostaciVerdict  verdict;
    const char     *reply;   /* what the transcript shows from the server, or NULL */
  } expected[] = {
    { "None", POSTACI_STAGE_QUIT, POSTACI_VERDICT_SUCCESS, "S: 221" },
    { "421 at the greeting", POSTACI_STAGE_GREETING, POSTACI_VERDICT_REFUSED, "S: 421 4.3.2 " },
    { "554 at the greeting", POSTACI_STAGE_GREETING, POSTACI_VERDICT_REFUSED, "S: 554 5.3.2 " },
    { "Silent greeting", POSTACI_STAGE_GREETING, POSTACI_VERDICT_TIMEOUT, NULL },
    { "504 to EHLO", POSTACI_STAGE_EHLO, POSTACI_VERDICT_REFUSED, "S: 504 5.5.2 " },
    { "454 to STARTTLS", POSTACI_STAGE_TLS, POSTACI_VERDICT_REFUSED, "S: 454 4.7.0 " },
    { "535 at AUTH", POSTACI_STAGE_AUTH, POSTACI_VERDICT_REFUSED, "S: 535 5.7.8 " },
    { "534 at AUTH", POSTACI_STAGE_AUTH, POSTACI_VERDICT_REFUSED, "S: 534 5.7.9 " },
    { "550 at MAIL", POSTACI_STAGE_MAIL, POSTACI_VERDICT_REFUSED, "S: 550 5.7.1 " },
    { "452 at MAIL", POSTACI_STAGE_MAIL, POSTACI_VERDICT_REFUSED, "S: 452 4.3.1 " },
    { "550 5.1.1 at RCPT", POSTACI_STAGE_RCPT, POSTACI_VERDICT_REFUSED, "S: 550 5.1.1 " },
    { "554 at RCPT", POSTACI_STAGE_RCPT, POSTACI_VERDICT_REFUSED, "S: 554 5.7.1 " },
    { "552 at DATA", POSTACI_STAGE_DATA, POSTACI_VERDICT_REFUSED, "S: 552 5.3.4 " },
    { "554 at DATA", POSTACI_STAGE_DATA, POSTACI_VERDICT_REFUSED, "S: 554 5.7.1 " },
    { "451 at DATA", POSTACI_STAGE_DATA, POSTACI_VERDICT_REFUSED, "S: 451 4.3.0 " },
  };
  PostaciWindow *window = open_window ();
  AdwComboRow *failure = page_child (window, "failure_row");
  GListModel *messages = postaci_local_server_get_messages (local_server (window));

  assert_form_for_local_server (window);
  g_assert_cmpuint (g_list_model_get_n_items (adw_combo_row_get_model (failure)), ==, G_N_ELEMENTS (expected));
  /* The silent greeting ends at the form's deadline: the shortest one. */
  gtk_spin_button_set_value (child (window, "timeout_spin"), 1);
  for (guint i = 0; i < G_N_ELEMENTS (expected); i++)
    {
      const PostaciOutcome *outcome;
      g_autofree char *shown = NULL;
      guint before = g_list_model_get_n_items (messages);

      g_test_message ("failure on purpose: %s", expected[i].prefix);
      adw_combo_row_set_selected (failure, failure_index (window, expected[i].prefix));
      outcome = click_test_and_wait (window);
      shown = transcript_text (window);
      g_assert_cmpint (outcome->verdict, ==, expected[i].verdict);
      if (expected[i].verdict != POSTACI_VERDICT_SUCCESS)
        {
          g_assert_cmpint (outcome->stage, ==, expected[i].stage);
          g_assert_cmpstr (postaci_stage_bar_get_state (child (window, "stage_bar"), expected[i].stage), ==, "failed");
          g_assert_nonnull (strstr (shown, "Result: failed"));
        }
      if (expected[i].reply != NULL && strstr (shown, expected[i].reply) == NULL)
        g_error ("“%s” is not in the transcript:\n%s", expected[i].reply, shown);
      /* Only a message that went through is kept. */
      g_assert_cmpuint (g_list_model_get_n_items (messages), ==,
                        before + (expected[i].verdict == POSTACI_VERDICT_SUCCESS ? 1 : 0));
    }
  close_window (window);
}

/* Activating a listed message opens it: headers, text, HTML source; Save as .eml writes it whole. */
static void
test_message_window (void)
{
  PostaciWindow *window = open_window ();
  GtkWindow *shown_window;
  PostaciMessageWindow *message_window;
  PostaciCapturedMessage *message;
  GtkWindow *chooser;
  g_autofree char *headers = NULL;
  g_autofree char *text = NULL;
  g_autofree char *html = NULL;
  g_autofree char *name = NULL;
  g_autofree char *dir = g_dir_make_tmp ("postaci-eml-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (dir, "saved.eml", NULL);
  g_autoptr(GFile) target = g_file_new_for_path (path);
  g_autoptr(GBytes) saved = NULL;

  set_text (window, "subject_row", SUBJECT);
  gtk_text_buffer_set_text (gtk_text_view_get_buffer (child (window, "html_view")), HTML, -1);
  g_assert_cmpint (click_test_and_wait (window)->verdict, ==, POSTACI_VERDICT_SUCCESS);
  show_page (window, "local-server");

  /* As a double click or Enter on the row does. */
  g_signal_emit_by_name (page_child (window, "messages_view"), "activate", 0);
  shown_window = postaci_gui_test_find_toplevel (POSTACI_TYPE_MESSAGE_WINDOW);
  g_assert_nonnull (shown_window);
  message_window = POSTACI_MESSAGE_WINDOW (shown_window);
  g_assert_true (gtk_window_get_transient_for (shown_window) == GTK_WINDOW (window));
  message = postaci_message_window_get_message (message_window);
  g_assert_cmpstr (postaci_captured_message_get_subject (message), ==, SUBJECT);
  g_assert_cmpstr (gtk_window_get_title (shown_window), ==, SUBJECT);

  headers = postaci_gui_test_view_text (postaci_gui_test_child (message_window, POSTACI_TYPE_MESSAGE_WINDOW,
                                                                 "headers_view"));
  text = postaci_gui_test_view_text (postaci_gui_test_child (message_window, POSTACI_TYPE_MESSAGE_WINDOW,
                                                              "text_view"));
  html = postaci_gui_test_view_text (postaci_gui_test_child (message_window, POSTACI_TYPE_MESSAGE_WINDOW,
                                                              "html_view"));
  g_assert_true (g_str_has_prefix (headers, "Received: "));
  g_assert_nonnull (strstr (headers, "\nX-Postaci-Envelope-From: <postaci@localhost>\n"));
  g_assert_nonnull (strstr (headers, "\nSubject: "));
  g_assert_nonnull (strstr (headers, "\nContent-Type: multipart/alternative"));
  g_assert_null (strstr (headers, "\r"));
  g_assert_null (strstr (headers, "Merhaba"));
  g_assert_nonnull (strstr (text, "Merhaba dünya"));
  g_assert_null (strstr (text, "<h1>"));
  g_assert_nonnull (strstr (html, "<h1>Merhaba dünya</h1><p>Yerel sunucu çalışıyor.</p>"));
  g_assert_cmpstr (adw_view_stack_get_visible_child_name (postaci_gui_test_child (message_window,
                                                                                   POSTACI_TYPE_MESSAGE_WINDOW,
                                                                                   "view_stack")), ==, "html");
  postaci_gui_test_save_screenshot (GTK_WIDGET (shown_window), "postaci-message-window.png");

  /* Save as .eml… offers the server's own file name… */
  postaci_gui_test_click (postaci_gui_test_child (message_window, POSTACI_TYPE_MESSAGE_WINDOW, "save_button"));
  chooser = postaci_gui_test_find_toplevel (GTK_TYPE_FILE_CHOOSER_DIALOG);
  g_assert_nonnull (chooser);
  name = gtk_file_chooser_get_current_name (GTK_FILE_CHOOSER (chooser));
  {
    g_autofree char *expected = g_path_get_basename (postaci_captured_message_get_path (message));
    g_assert_cmpstr (name, ==, expected);
  }
  gtk_widget_activate (gtk_dialog_get_widget_for_response (GTK_DIALOG (chooser), GTK_RESPONSE_CANCEL));
  postaci_gui_test_wait_closed (GTK_TYPE_FILE_CHOOSER_DIALOG);

  /* …and writes the message byte for byte. */
  postaci_message_window_save (message_window, target);
  postaci_gui_test_wait_for_file (path, postaci_captured_message_get_size (message));
  postaci_gui_test_flush ();
  saved = g_file_load_bytes (target, NULL, NULL, NULL);
  g_assert_nonnull (saved);
  {
    g_autoptr(GBytes) raw = postaci_captured_message_read (message, NULL);
    g_assert_true (g_bytes_equal (saved, raw));
  }
  g_unlink (path);
  g_rmdir (dir);

  /* The message window goes with its parent. */
  close_window (window);
  g_assert_null (postaci_gui_test_find_toplevel (POSTACI_TYPE_MESSAGE_WINDOW));
}

/* The stage bar, transcript and verdict card of a window and of a reopened report. */
typedef struct {
  char       *transcript;
  const char *stages[POSTACI_N_STAGES];
  const char *verdict_title;
  const char *verdict_reason;
} Shown;

static void
shown_read (Shown *shown, GtkWidget *widget, GType type)
{
  GtkWidget *panel = postaci_gui_test_child (widget, type, "verdict_panel");

  shown->transcript = postaci_gui_test_view_text (postaci_gui_test_child (widget, type, "transcript_view"));
  for (guint i = 0; i < POSTACI_N_STAGES; i++)
    shown->stages[i] = postaci_stage_bar_get_state (postaci_gui_test_child (widget, type, "stage_bar"),
                                                    (PostaciStage) i);
  shown->verdict_title = gtk_label_get_text (postaci_gui_test_child (panel, POSTACI_TYPE_VERDICT_PANEL,
                                                                     "verdict_title"));
  shown->verdict_reason = gtk_label_get_text (postaci_gui_test_child (panel, POSTACI_TYPE_VERDICT_PANEL,
                                                                      "verdict_reason"));
}

static void
spliced_cb (GObject *object, GAsyncResult *result, gpointer user_data)
{
  g_assert_cmpint (g_output_stream_splice_finish (G_OUTPUT_STREAM (object), result, NULL), >, 0);
  *(GBytes **) user_data = g_memory_output_stream_steal_as_bytes (G_MEMORY_OUTPUT_STREAM (object));
}

/* The clipboard's writer runs on this main loop too: read without blocking it. */
static void
read_bytes_cb (GObject *object, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(GInputStream) stream = gdk_clipboard_read_finish (GDK_CLIPBOARD (object), result, NULL, NULL);
  g_autoptr(GOutputStream) memory = g_memory_output_stream_new_resizable ();

  g_assert_nonnull (stream);
  g_output_stream_splice_async (memory, stream, G_OUTPUT_STREAM_SPLICE_CLOSE_TARGET, G_PRIORITY_DEFAULT,
                                NULL, spliced_cb, user_data);
}

/* The chooser has shown its first folder (it loads it in the background). */
static gboolean
has_current_folder (gpointer data)
{
  g_autoptr(GFile) folder = gtk_file_chooser_get_current_folder (data);

  return folder != NULL;
}

static gboolean
report_window_shown (gpointer data)
{
  return postaci_gui_test_find_toplevel (POSTACI_TYPE_REPORT_WINDOW) != NULL;
}

typedef struct {
  GtkWidget  *widget;
  const char *text;
} ShownText;

static gboolean
shows_text (gpointer data)
{
  const ShownText *shown = data;

  postaci_gui_test_wait_for_frames (shown->widget);
  return postaci_gui_test_shows_label (shown->widget, shown->text);
}

/* A report of a run against the built-in server: saved as HTML in the person's documents, copied
 * as HTML and Markdown, and reopened read-only with the very lines and verdict; the password of
 * the run is nowhere in it. */
static void
test_report (void)
{
  PostaciWindow *window = open_window ();
  const char *password = postaci_local_server_get_password (local_server (window));
  g_autofree char *dir = g_dir_make_tmp ("postaci-report-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (dir, "report.html", NULL);
  g_autoptr(GFile) target = g_file_new_for_path (path);
  g_autofree char *expected = NULL;
  g_autofree char *saved = NULL;
  g_autofree char *name = NULL;
  g_autofree char *copied_text = NULL;
  g_autoptr(GBytes) copied_html = NULL;
  g_autoptr(PostaciReportContents) contents = NULL;
  g_autoptr(GError) error = NULL;
  const char *html_type[] = { "text/html", NULL };
  GdkClipboard *clipboard = gtk_widget_get_clipboard (GTK_WIDGET (window));
  GtkWindow *chooser;
  GtkWindow *report_window;
  Shown in_window, in_report;
  guint replies = 0;

  assert_form_for_local_server (window);
  g_assert_cmpint (click_test_and_wait (window)->verdict, ==, POSTACI_VERDICT_SUCCESS);

  /* Save Report… offers an .html file named after the server, in the person's documents. */
  gtk_widget_activate_action (GTK_WIDGET (window), "win.save-report", NULL);
  chooser = postaci_gui_test_find_toplevel (GTK_TYPE_FILE_CHOOSER_DIALOG);
  g_assert_nonnull (chooser);
  name = gtk_file_chooser_get_current_name (GTK_FILE_CHOOSER (chooser));
  g_assert_true (g_str_has_prefix (name, "postaci-127.0.0.1-"));
  g_assert_true (g_str_has_suffix (name, ".html"));
  postaci_test_wait_until (has_current_folder, chooser, 10000);
  {
    g_autoptr(GFile) documents = postaci_save_dialog_get_default_folder ();
    g_autoptr(GFile) folder = gtk_file_chooser_get_current_folder (GTK_FILE_CHOOSER (chooser));

    g_assert_true (g_file_equal (folder, documents));
  }
  gtk_widget_activate (gtk_dialog_get_widget_for_response (GTK_DIALOG (chooser), GTK_RESPONSE_CANCEL));
  postaci_gui_test_wait_closed (GTK_TYPE_FILE_CHOOSER_DIALOG);

  /* …and writes the report: parsed back, it holds every reply line and not the password. */
  expected = postaci_window_get_report (window, POSTACI_REPORT_HTML);
  postaci_window_save_report (window, target);
  postaci_gui_test_wait_for_file (path, strlen (expected));
  postaci_gui_test_flush ();
  g_assert_true (g_file_get_contents (path, &saved, NULL, NULL));
  g_assert_null (strstr (saved, password));
  contents = postaci_report_read (saved, strlen (saved), &error);
  g_assert_no_error (error);
  g_assert_cmpint (contents->outcome->verdict, ==, POSTACI_VERDICT_SUCCESS);
  in_window.transcript = transcript_text (window);
  for (guint i = 0; i < contents->events->len; i++)
    {
      const PostaciEvent *event = g_ptr_array_index (contents->events, i);
      g_autofree char *line = g_strdup_printf ("S: %s\n", event->text);

      if (event->kind != POSTACI_EVENT_SERVER)
        continue;
      /* Each reply line is in the document as a person reads it, and was in the window. */
      g_assert_nonnull (strstr (in_window.transcript, line));
      {
        g_autofree char *escaped = g_markup_escape_text (line, strlen (line) - 1);
        g_assert_nonnull (strstr (saved, escaped));
      }
      replies++;
    }
  g_assert_cmpuint (replies, >=, 8);
  g_assert_nonnull (strstr (saved, "S: 235 "));
  g_free (in_window.transcript);

  /* Copy Report: HTML for a mail, Markdown as plain text for a ticket. */
  gtk_widget_activate_action (GTK_WIDGET (window), "win.copy-report", NULL);
  g_assert_true (gdk_content_formats_contain_mime_type (gdk_clipboard_get_formats (clipboard), "text/html"));
  g_assert_true (gdk_content_formats_contain_mime_type (gdk_clipboard_get_formats (clipboard),
                                                        "text/plain;charset=utf-8"));
  gdk_clipboard_read_async (clipboard, html_type, G_PRIORITY_DEFAULT, NULL, read_bytes_cb, &copied_html);
  postaci_test_wait_until (is_set, &copied_html, 10000);
  copied_text = postaci_gui_test_read_clipboard (clipboard);
  {
    g_autoptr(PostaciReportContents) pasted = NULL;
    gsize length;
    const char *html = g_bytes_get_data (copied_html, &length);
    g_autofree char *verdict = postaci_outcome_get_verdict_line (contents->outcome);
    g_autofree char *bold = g_strdup_printf ("**%s**", verdict);

    g_assert_true (g_str_has_prefix (html, "<!DOCTYPE html>"));
    pasted = postaci_report_read (html, length, &error);
    g_assert_no_error (error);
    g_assert_cmpuint (pasted->events->len, ==, contents->events->len);
    g_assert_true (g_str_has_prefix (copied_text, "# "));
    g_assert_nonnull (strstr (copied_text, bold));
    g_assert_nonnull (strstr (copied_text, "S: 235 "));
    g_assert_null (strstr (copied_text, password));
    g_assert_null (g_strstr_len (html, length, password));
  }

  /* Open Report… shows the saved run read-only, exactly as the window showed it. */
  postaci_window_open_report (window, target);
  postaci_test_wait_until (report_window_shown, NULL, 10000);
  report_window = postaci_gui_test_find_toplevel (POSTACI_TYPE_REPORT_WINDOW);
  g_assert_true (gtk_window_get_transient_for (report_window) == GTK_WINDOW (window));
  g_assert_cmpstr (gtk_window_get_title (report_window), ==, contents->title);
  shown_read (&in_window, GTK_WIDGET (window), POSTACI_TYPE_WINDOW);
  shown_read (&in_report, GTK_WIDGET (report_window), POSTACI_TYPE_REPORT_WINDOW);
  g_assert_cmpstr (in_report.transcript, ==, in_window.transcript);
  for (guint i = 0; i < POSTACI_N_STAGES; i++)
    g_assert_cmpstr (in_report.stages[i], ==, in_window.stages[i]);
  g_assert_cmpstr (in_report.verdict_title, ==, in_window.verdict_title);
  g_assert_cmpstr (in_report.verdict_reason, ==, in_window.verdict_reason);
  g_assert_false (gtk_text_view_get_editable (postaci_gui_test_child (report_window, POSTACI_TYPE_REPORT_WINDOW,
                                                                      "transcript_view")));
  postaci_gui_test_save_screenshot (GTK_WIDGET (report_window), "postaci-report-window.png");
  g_free (in_window.transcript);
  g_free (in_report.transcript);
  gtk_window_destroy (report_window);

  /* A file that is not a report says so, and opens nothing. */
  {
    const char *not_ours = "<html><body>not ours</body></html>";
    g_autoptr(GError) why = NULL;
    g_autofree char *message = NULL;
    ShownText toast;

    g_assert_null (postaci_report_read (not_ours, strlen (not_ours), &why));
    message = g_strdup_printf (_("Could not open %s: %s"), "report.html", why->message);
    toast = (ShownText) { GTK_WIDGET (window), message };
    g_assert_true (g_file_set_contents (path, not_ours, -1, NULL));
    postaci_window_open_report (window, target);
    postaci_test_wait_until (shows_text, &toast, 10000);
    g_assert_null (postaci_gui_test_find_toplevel (POSTACI_TYPE_REPORT_WINDOW));
  }

  g_unlink (path);
  g_rmdir (dir);
  close_window (window);
}

/* What the window shows after "postaci …options…" is run as the README shows it. */
typedef struct {
  char    *server, *port, *password, *user, *to;
  gboolean auth, local_running, notice;
} Opened;

static void
opened_clear (Opened *opened)
{
  g_free (opened->server);
  g_free (opened->port);
  g_free (opened->password);
  g_free (opened->user);
  g_free (opened->to);
  memset (opened, 0, sizeof *opened);
}

/* Reads the window the command line opened, then closes it (without remembering its form). */
static void
read_opened (Opened *opened)
{
  PostaciWindow *window = (PostaciWindow *) postaci_gui_test_find_toplevel (POSTACI_TYPE_WINDOW);

  g_assert_nonnull (window);
  opened->server = g_strdup (get_text (window, "server_row"));
  opened->port = g_strdup (get_text (window, "port_row"));
  opened->password = g_strdup (get_text (window, "password_row"));
  opened->user = g_strdup (get_text (window, "user_row"));
  opened->to = g_strdup (get_text (window, "to_row"));
  opened->auth = adw_expander_row_get_enable_expansion (child (window, "auth_row"));
  opened->local_running = postaci_local_server_is_running (local_server (window));
  opened->notice = gtk_widget_get_visible (child (window, "notice_box"));
  close_window (window);
}

/* Hands the application a command line as "postaci" with @options (parsed, as GApplication
 * parses them) from a shell with @password in $POSTACI_PASSWORD (or none), as a second
 * "postaci …" hands it to the running one, and reads the window it opened. */
static void
run_command_line (GVariantDict *options, const char *password, Opened *opened)
{
  g_autofree char *variable = password != NULL ? g_strconcat ("POSTACI_PASSWORD=", password, NULL) : NULL;
  const char *environ_[] = { variable, NULL };

  g_assert_cmpint (postaci_gui_test_command_line (G_APPLICATION (application), options, environ_), ==, 0);
  read_opened (opened);
}

/* The README's one-liner on a computer where Postacı never ran: the options set the form up,
 * not the Local Test Server first. What they do not name gets its normal value: the port from the
 * security, no password (535 for a password nobody typed would send a helpdesk the wrong way). */
static void
test_one_liner (void)
{
  static const char *const to[] = { "veli@example.com", NULL };
  g_autoptr(GVariantDict) readme = g_variant_dict_new (NULL);
  g_autoptr(GVariantDict) server_only = g_variant_dict_new (NULL);
  g_autoptr(GVariantDict) nothing = g_variant_dict_new (NULL);
  GSettings *settings = postaci_application_get_settings (application);
  g_autofree char *saved_server = g_settings_get_string (settings, "server");
  Opened opened = { 0 };

  g_assert_cmpstr (saved_server, ==, ""); /* a first start */
  /* postaci --server smtp.example.com --port 587 --security starttls --user ali@example.com
   *         --from ali@example.com --to veli@example.com --subject Deneme */
  g_variant_dict_insert (readme, "server", "s", "smtp.example.com");
  g_variant_dict_insert (readme, "port", "s", "587");
  g_variant_dict_insert (readme, "security", "s", "starttls");
  g_variant_dict_insert (readme, "user", "s", "ali@example.com");
  g_variant_dict_insert (readme, "from", "s", "ali@example.com");
  g_variant_dict_insert_value (readme, "to", g_variant_new_strv (to, -1));
  g_variant_dict_insert (readme, "subject", "s", "Deneme");
  run_command_line (readme, NULL, &opened);
  g_assert_cmpstr (opened.server, ==, "smtp.example.com");
  g_assert_cmpstr (opened.port, ==, "587");
  g_assert_true (opened.auth);
  g_assert_cmpstr (opened.user, ==, "ali@example.com");
  g_assert_cmpstr (opened.password, ==, "");
  g_assert_cmpstr (opened.to, ==, "veli@example.com");
  g_assert_false (opened.local_running);
  g_assert_false (opened.notice);
  opened_clear (&opened);

  /* Only --server, with $POSTACI_PASSWORD set: 587, not the Local Test Server's port; the password
   * is the one from the environment, not the Local Test Server's. */
  g_variant_dict_insert (server_only, "server", "s", "smtp.example.invalid");
  run_command_line (server_only, "from-the-environment", &opened);
  g_assert_cmpstr (opened.server, ==, "smtp.example.invalid");
  g_assert_cmpstr (opened.port, ==, "587");
  g_assert_cmpstr (opened.password, ==, "from-the-environment");
  g_assert_false (opened.local_running);
  opened_clear (&opened);

  /* A plain "postaci" in that same shell is a first start: set up for the Local Test Server, whose
   * password the environment's does not replace. */
  run_command_line (nothing, "from-the-environment", &opened);
  g_assert_true (opened.local_running);
  g_assert_true (opened.notice);
  g_assert_cmpstr (opened.server, ==, "127.0.0.1");
  g_assert_cmpstr (opened.password, !=, "from-the-environment");
  g_assert_cmpstr (opened.password, !=, "");
  opened_clear (&opened);

  /* A window already set up for the Local Test Server, then "postaci --server …": the same. */
  {
    PostaciWindow *window = open_window ();
    g_autoptr(GVariantDict) options = g_variant_dict_new (NULL);

    assert_form_for_local_server (window);
    g_variant_dict_insert (options, "server", "s", "smtp.example.com");
    g_assert_true (postaci_window_prefill (window, options, NULL));
    g_assert_cmpstr (get_text (window, "server_row"), ==, "smtp.example.com");
    g_assert_cmpstr (get_text (window, "port_row"), ==, "587");
    g_assert_cmpstr (get_text (window, "password_row"), ==, "");
    g_assert_cmpstr (get_text (window, "user_row"), ==, "");
    g_assert_false (adw_expander_row_get_enable_expansion (child (window, "auth_row")));
    g_assert_cmpstr (get_text (window, "from_row"), ==, "");
    g_assert_false (gtk_widget_get_visible (child (window, "notice_box")));
    close_window (window);
  }
}

static const char *
label (PostaciWindow *window, const char *name)
{
  GtkWidget *widget = child (window, name);

  return gtk_widget_get_visible (widget) ? gtk_label_get_text (GTK_LABEL (widget)) : "";
}

/* What the form is set for is said at the top of the form (the Local Test Server, the failure it
 * rehearses) and next to Test SMTP (how far a run goes); the Local Test Server's values can be
 * copied; with the server off, the window says so and offers to turn it on. */
static void
test_notices (void)
{
  PostaciWindow *window;
  PostaciLocalServer *server;
  g_autofree char *copied = NULL;
  g_autofree char *expected = NULL;
  GtkWidget *use_button;
  graphene_rect_t bounds;

  window = postaci_window_new (application);
  gtk_window_set_default_size (GTK_WINDOW (window), 1180, 780); /* the size a new user gets */
  gtk_window_present (GTK_WINDOW (window));
  server = local_server (window);
  assert_form_for_local_server (window);
  g_assert_true (gtk_widget_get_visible (child (window, "notice_box")));
  g_assert_cmpstr (label (window, "notice_label"), ==,
                   "This form is set up for the Local Test Server on this computer. "
                   "Type your own server to test it instead.");
  g_assert_cmpstr (label (window, "failure_notice"), ==, "");
  g_assert_cmpstr (label (window, "stop_notice"), ==, "");

  adw_combo_row_set_selected (page_child (window, "failure_row"), failure_index (window, "535 at AUTH"));
  g_assert_cmpstr (label (window, "failure_notice"), ==,
                   "Fail on purpose is on: 535 at AUTH: wrong user name or password.");
  adw_combo_row_set_selected (child (window, "stop_after_row"), 1);
  g_assert_cmpstr (label (window, "stop_notice"), ==, "Stop after the recipients (RCPT): no message is sent.");
  postaci_gui_test_save_screenshot (GTK_WIDGET (window), "postaci-window-notices.png");
  adw_combo_row_set_selected (page_child (window, "failure_row"), 0);
  adw_combo_row_set_selected (child (window, "stop_after_row"), 0);
  g_assert_cmpstr (label (window, "failure_notice"), ==, "");
  g_assert_cmpstr (label (window, "stop_notice"), ==, "");

  /* Use in the Form is in sight in a window of the size a new user gets. */
  show_page (window, "local-server");
  postaci_gui_test_wait_for_frames (GTK_WIDGET (window));
  use_button = page_child (window, "use_button");
  g_assert_true (gtk_widget_compute_bounds (use_button, GTK_WIDGET (window), &bounds));
  g_assert_cmpfloat (bounds.origin.y + bounds.size.height, <=, gtk_widget_get_height (GTK_WIDGET (window)));

  /* Every value can be copied, as the password can: one address each, not the line shown. */
  expected = g_strdup_printf ("127.0.0.1:%u", postaci_local_server_get_port (server));
  {
    g_autofree char *tls = g_strdup_printf ("127.0.0.1:%u", postaci_local_server_get_tls_port (server));
    const struct { const char *row; const char *value; } copies[] = {
      { "starttls_row", expected },
      { "tls_row", tls },
      { "user_row", postaci_local_server_get_username (server) },
      { "fingerprint_row", postaci_local_server_get_fingerprint (server) },
      { "folder_row", postaci_local_server_get_folder (server) },
    };

    for (guint i = 0; i < G_N_ELEMENTS (copies); i++)
      {
        g_clear_pointer (&copied, g_free);
        postaci_gui_test_click (gtk_widget_get_last_child (gtk_widget_get_last_child (
                                  gtk_widget_get_first_child (page_child (window, copies[i].row)))));
        copied = postaci_gui_test_read_clipboard (gtk_widget_get_clipboard (GTK_WIDGET (window)));
        g_assert_cmpstr (copied, ==, copies[i].value);
      }
  }

  /* Off, with the form still pointing at it: said at the top, and by the verdict, with a way
   * to turn it on instead of advice about other ports. */
  gtk_switch_set_active (page_child (window, "server_switch"), FALSE);
  show_page (window, "test");
  g_assert_cmpstr (label (window, "notice_label"), ==, "The form points at the Local Test Server, which is off.");
  g_assert_true (gtk_widget_get_visible (child (window, "notice_button")));
  g_assert_cmpint (click_test_and_wait (window)->verdict, ==, POSTACI_VERDICT_NETWORK);
  g_assert_cmpstr (label (window, "verdict_hint"), ==, "The Local Test Server is off: turn it on, then test again.");
  g_assert_true (gtk_widget_get_visible (child (window, "verdict_button")));
  postaci_gui_test_save_screenshot (GTK_WIDGET (window), "postaci-window-local-server-off.png");
  postaci_gui_test_click (child (window, "verdict_button"));
  g_assert_true (postaci_local_server_is_running (server));
  g_assert_false (gtk_widget_get_visible (child (window, "verdict_button")));
  g_assert_false (gtk_widget_get_visible (child (window, "notice_button")));
  assert_form_for_local_server (window);
  g_assert_cmpint (click_test_and_wait (window)->verdict, ==, POSTACI_VERDICT_SUCCESS);
  close_window (window);
}

/* A server of one's own replaces the local one for good; the switch and Use in the Form bring it
 * back for a run; closing the window stops it. */
static void
test_own_server (void)
{
  GSettings *settings = postaci_application_get_settings (application);
  PostaciWindow *window = open_window ();
  g_autoptr(PostaciLocalServer) server = g_object_ref (local_server (window));
  g_autofree char *saved_server = NULL;
  GtkSwitch *server_switch;

  assert_form_for_local_server (window);
  set_text (window, "server_row", OWN_SERVER);
  set_text (window, "port_row", "587");
  gtk_window_close (GTK_WINDOW (window));
  postaci_gui_test_flush ();
  /* Closed, the window stopped its server. */
  g_assert_false (postaci_local_server_is_running (server));
  saved_server = g_settings_get_string (settings, "server");
  g_assert_cmpstr (saved_server, ==, OWN_SERVER);
  g_clear_object (&server);

  /* Not a first start any more: the server stays off and the form keeps the person's server. */
  window = open_window ();
  server = g_object_ref (local_server (window));
  server_switch = page_child (window, "server_switch");
  g_assert_false (postaci_local_server_is_running (server));
  g_assert_false (gtk_switch_get_active (server_switch));
  g_assert_false (gtk_widget_get_visible (page_child (window, "details_group")));
  g_assert_false (gtk_widget_get_sensitive (page_child (window, "use_button")));
  g_assert_cmpstr (get_text (window, "server_row"), ==, OWN_SERVER);
  g_assert_cmpstr (get_text (window, "port_row"), ==, "587");

  /* The switch starts it; Use in the Form points the form at it and shows the form. */
  show_page (window, "local-server");
  g_assert_cmpstr (gtk_stack_get_visible_child_name (page_child (window, "messages_stack")), ==, "empty");
  g_assert_cmpstr (adw_status_page_get_title (page_child (window, "empty_page")), ==, "The Local Test Server Is Off");
  postaci_gui_test_save_screenshot (GTK_WIDGET (window), "postaci-local-server-off.png");
  gtk_switch_set_active (server_switch, TRUE);
  g_assert_true (postaci_local_server_is_running (server));
  g_assert_true (gtk_widget_get_visible (page_child (window, "details_group")));
  postaci_gui_test_click (page_child (window, "use_button"));
  g_assert_cmpstr (adw_view_stack_get_visible_child_name (child (window, "view_stack")), ==, "test");
  assert_form_for_local_server (window);
  g_assert_cmpint (click_test_and_wait (window)->verdict, ==, POSTACI_VERDICT_SUCCESS);

  /* Turned off, it listens no more: the same form now meets a refused connection. */
  gtk_switch_set_active (server_switch, FALSE);
  g_assert_false (postaci_local_server_is_running (server));
  g_assert_false (gtk_widget_get_sensitive (page_child (window, "use_button")));
  g_assert_cmpint (click_test_and_wait (window)->verdict, ==, POSTACI_VERDICT_NETWORK);

  /* On again: the same ports, a new password that the form follows, and a new certificate,
   * pinned as the old one was. */
  {
    guint port = postaci_local_server_get_port (server);
    g_autofree char *old_password = g_strdup (get_text (window, "password_row"));
    g_autofree char *old_fingerprint = g_strdup (postaci_local_server_get_fingerprint (server));

    show_page (window, "local-server");
    gtk_switch_set_active (server_switch, TRUE);
    g_assert_true (postaci_local_server_is_running (server));
    g_assert_cmpuint (postaci_local_server_get_port (server), ==, port);
    g_assert_cmpstr (get_text (window, "password_row"), !=, old_password);
    g_assert_cmpstr (postaci_local_server_get_fingerprint (server), !=, old_fingerprint);
    assert_form_for_local_server (window);
    show_page (window, "test");
    g_assert_cmpint (click_test_and_wait (window)->verdict, ==, POSTACI_VERDICT_SUCCESS);
  }
  close_window (window);
  g_assert_false (postaci_local_server_is_running (server));
}

int
main (int argc, char **argv)
{
  char *cache = NULL;
  int status;

  application = postaci_gui_test_init (&argc, &argv, &cache);
  if (application == NULL)
    return 0;
  /* In this order: the settings start empty (GSETTINGS_BACKEND=memory), as on a fresh machine. */
  g_test_add_func ("/postaci/local-server-page/first-run", test_first_run);
  g_test_add_func ("/postaci/local-server-page/fail-on-purpose", test_fail_on_purpose);
  g_test_add_func ("/postaci/local-server-page/every-failure", test_every_failure);
  g_test_add_func ("/postaci/local-server-page/message-window", test_message_window);
  g_test_add_func ("/postaci/local-server-page/report", test_report);
  g_test_add_func ("/postaci/local-server-page/one-liner", test_one_liner);
  g_test_add_func ("/postaci/local-server-page/notices", test_notices);
  g_test_add_func ("/postaci/local-server-page/own-server", test_own_server);
  status = g_test_run ();
  return postaci_gui_test_finish (g_steal_pointer (&application), cache, status);
}
