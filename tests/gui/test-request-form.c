/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-request-form.c — the request form on its own, under Xvfb: what goes in comes out whole,
 * and a request it is filled from stays as it was. */
#include "config.h"

#include <adwaita.h>
#include <string.h>
#include <gtksourceview/gtksource.h>

#include "postaci-application.h"
#include "postaci-gui-test.h"
#include "postaci-request-form.h"
#include "postaci-scripted-server.h"

static PostaciApplication *application;

static PostaciRequestForm *
new_form (void)
{
  return g_object_ref_sink (g_object_new (POSTACI_TYPE_REQUEST_FORM, NULL));
}

/* "a00000@example.com, a00001@example.com, …": @n addresses, far more than 65,535 characters
 * for a few thousand. */
static char *
recipient_list (guint n)
{
  GString *list = g_string_new (NULL);

  for (guint i = 0; i < n; i++)
    g_string_append_printf (list, "%sa%05u@example.com", i > 0 ? ", " : "", i);
  return g_string_free (list, FALSE);
}

/* Lengths first: a failure says how much was lost, not 100 KB of addresses. */
static void
assert_text (GtkEditable *editable, const char *expected)
{
  const char *text = gtk_editable_get_text (editable);

  g_assert_cmpuint (strlen (text), ==, strlen (expected));
  g_assert_true (strcmp (text, expected) == 0);
}

static void
assert_recipients (PostaciRequestForm *form, guint n)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PostaciRequest) request = postaci_request_form_get_settings (form, &error);
  g_autofree char *last = g_strdup_printf ("a%05u@example.com", n - 1);

  g_assert_no_error (error);
  g_assert_cmpuint (request->recipients->len, ==, n);
  g_assert_cmpstr (g_ptr_array_index (request->recipients, 0), ==, "a00000@example.com");
  g_assert_cmpstr (g_ptr_array_index (request->recipients, n - 1), ==, last);
}

/* GTK's own entry buffer keeps 65,535 bytes and drops the rest without a word: a long list of
 * recipients, set (a saved server, --to) or pasted, must reach the request whole. */
static void
test_long_recipient_list (void)
{
  g_autoptr(PostaciRequestForm) form = new_form ();
  GtkEditable *to = postaci_gui_test_child (form, POSTACI_TYPE_REQUEST_FORM, "to_row");
  const guint n = 5000;
  g_autofree char *list = recipient_list (n);
  int position;

  g_assert_cmpuint (strlen (list), >, 65535);
  gtk_editable_set_text (to, list);
  assert_text (to, list);
  assert_recipients (form, n);

  /* Pasted in two halves, the second behind the first, as typing or a paste inserts. */
  gtk_editable_set_text (to, "");
  position = 0;
  gtk_editable_insert_text (to, list, (int) (strlen (list) / 2), &position);
  gtk_editable_insert_text (to, list + strlen (list) / 2, -1, &position);
  assert_text (to, list);
  assert_recipients (form, n);

  /* Taking some away still works character by character. */
  gtk_editable_delete_text (to, 0, (int) strlen ("a00000@example.com, "));
  assert_text (to, list + strlen ("a00000@example.com, "));
  g_assert_cmpint (g_utf8_strlen (gtk_editable_get_text (to), -1), ==,
                   (glong) (strlen (list) - strlen ("a00000@example.com, ")));
}

/* postaci_request_form_set_request() takes a const request: not one recipient added, removed or
 * freed, not even for a moment (another part of the program may be reading it). */
static guint freed_recipients;

static void
count_freed (gpointer data)
{
  freed_recipients++;
  g_free (data);
}

static void
test_set_request_keeps_request (void)
{
  g_autoptr(PostaciRequestForm) form = new_form ();
  g_autoptr(PostaciRequest) request = postaci_request_new ();
  GtkEditable *to = postaci_gui_test_child (form, POSTACI_TYPE_REQUEST_FORM, "to_row");
  const char *addresses[] = { "ali@example.com", "ayse@example.com" };
  gpointer *pdata;

  request->server = g_strdup ("mail.example.com");
  g_ptr_array_unref (request->recipients);
  /* Exactly full: one more element would have to move the array. */
  request->recipients = g_ptr_array_new_full (G_N_ELEMENTS (addresses), count_freed);
  for (guint i = 0; i < G_N_ELEMENTS (addresses); i++)
    g_ptr_array_add (request->recipients, g_strdup (addresses[i]));
  pdata = request->recipients->pdata;
  freed_recipients = 0;

  postaci_request_form_set_request (form, request);

  g_assert_cmpstr (gtk_editable_get_text (to), ==, "ali@example.com, ayse@example.com");
  g_assert_cmpuint (freed_recipients, ==, 0);
  g_assert_true (request->recipients->pdata == pdata);
  g_assert_cmpuint (request->recipients->len, ==, G_N_ELEMENTS (addresses));
  for (guint i = 0; i < G_N_ELEMENTS (addresses); i++)
    g_assert_cmpstr (g_ptr_array_index (request->recipients, i), ==, addresses[i]);

  /* No recipients: an empty field, and still nothing touched. */
  g_ptr_array_set_size (request->recipients, 0);
  freed_recipients = 0;
  postaci_request_form_set_request (form, request);
  g_assert_cmpstr (gtk_editable_get_text (to), ==, "");
  g_assert_cmpuint (freed_recipients, ==, 0);
  g_assert_cmpuint (request->recipients->len, ==, 0);
}

static gboolean
has_scheme (gpointer data)
{
  return gtk_source_buffer_get_style_scheme (data) != NULL;
}

/* The HTML field's buffer is made with no style scheme (none is parsed for the first frame),
 * and gets the one of the window's style, with the HTML language, once on screen; the scheme
 * manager has its usual places back. */
static void
test_html_scheme (void)
{
  g_autoptr(PostaciRequestForm) form = new_form ();
  GtkTextView *view = GTK_TEXT_VIEW (
    gtk_widget_get_template_child (GTK_WIDGET (form), POSTACI_TYPE_REQUEST_FORM, "html_view"));
  GtkSourceBuffer *buffer = GTK_SOURCE_BUFFER (gtk_text_view_get_buffer (view));
  GtkSourceStyleSchemeManager *manager = gtk_source_style_scheme_manager_get_default ();
  gboolean dark = adw_style_manager_get_dark (adw_style_manager_get_default ());
  GtkWindow *window;

  g_assert_null (gtk_source_buffer_get_style_scheme (buffer));
  g_assert_null (gtk_source_buffer_get_language (buffer));
  g_assert_true (g_strv_contains (gtk_source_style_scheme_manager_get_scheme_ids (manager),
                                  "Adwaita-dark"));

  window = GTK_WINDOW (gtk_window_new ());
  gtk_window_set_child (window, GTK_WIDGET (form));
  gtk_window_present (window);
  postaci_test_wait_until (has_scheme, buffer, POSTACI_GUI_TEST_TIMEOUT_MS);
  g_assert_cmpstr (gtk_source_style_scheme_get_id (gtk_source_buffer_get_style_scheme (buffer)), ==,
                   dark ? "Adwaita-dark" : "Adwaita");
  g_assert_cmpstr (gtk_source_language_get_id (gtk_source_buffer_get_language (buffer)), ==, "html");
  gtk_window_destroy (window);
}

static GtkWidget *
template_child (PostaciRequestForm *form, const char *name)
{
  return GTK_WIDGET (
    gtk_widget_get_template_child (GTK_WIDGET (form), POSTACI_TYPE_REQUEST_FORM, name));
}

/* The rows of a collapsed expander are hidden, so the first layout does not measure them; they
 * are shown the first time it opens (the switch of "Server requires authentication" opens it
 * too), and stay shown when it closes again, with what was typed in them. */
static void
test_collapsed_rows (void)
{
  static const char *const advanced[] = {
    "ehlo_row", "timeout_row", "ca_row", "insecure_row", "plain_auth_row",
  };
  static const char *const auth[] = { "user_row", "password_row", "remember_row", "mechanism_row" };
  g_autoptr(PostaciRequestForm) form = new_form ();
  AdwExpanderRow *advanced_row = ADW_EXPANDER_ROW (template_child (form, "advanced_row"));
  AdwExpanderRow *auth_row = ADW_EXPANDER_ROW (template_child (form, "auth_row"));

  g_assert_false (adw_expander_row_get_expanded (advanced_row));
  g_assert_false (adw_expander_row_get_enable_expansion (auth_row));
  for (guint i = 0; i < G_N_ELEMENTS (advanced); i++)
    g_assert_false (gtk_widget_get_visible (template_child (form, advanced[i])));
  for (guint i = 0; i < G_N_ELEMENTS (auth); i++)
    g_assert_false (gtk_widget_get_visible (template_child (form, auth[i])));
  /* Hidden, a field still holds what is set in it. */
  gtk_editable_set_text (GTK_EDITABLE (template_child (form, "ehlo_row")), "client.example");

  adw_expander_row_set_expanded (advanced_row, TRUE);
  adw_expander_row_set_enable_expansion (auth_row, TRUE);
  for (guint i = 0; i < G_N_ELEMENTS (advanced); i++)
    g_assert_true (gtk_widget_get_visible (template_child (form, advanced[i])));
  for (guint i = 0; i < G_N_ELEMENTS (auth); i++)
    g_assert_true (gtk_widget_get_visible (template_child (form, auth[i])));
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (template_child (form, "ehlo_row"))), ==,
                   "client.example");

  adw_expander_row_set_expanded (advanced_row, FALSE);
  g_assert_true (gtk_widget_get_visible (template_child (form, "ehlo_row")));
}

int
main (int argc, char **argv)
{
  char *cache = NULL;
  int status;

  application = postaci_gui_test_init (&argc, &argv, &cache);
  if (application == NULL)
    return 0;
  g_test_add_func ("/postaci/request-form/long-recipient-list", test_long_recipient_list);
  g_test_add_func ("/postaci/request-form/set-request-keeps-request", test_set_request_keeps_request);
  g_test_add_func ("/postaci/request-form/html-scheme", test_html_scheme);
  g_test_add_func ("/postaci/request-form/collapsed-rows", test_collapsed_rows);
  status = g_test_run ();
  return postaci_gui_test_finish (g_steal_pointer (&application), cache, status);
}
