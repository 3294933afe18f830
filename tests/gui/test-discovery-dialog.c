/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-discovery-dialog.c — "Find Settings" from the real window under Xvfb: the live table, the
 * details, the form's mistake in one sentence, and "Use These Settings" filling the form.
 * DNS is an in-process resolver; the servers are scripted, on loopback. */
#include "config.h"

#include <adwaita.h>
#include <string.h>

#include "postaci-application.h"
#include "postaci-discovery-dialog.h"
#include "postaci-gui-test.h"
#include "postaci-test-resolver.h"
#include "probe-scripts.h"
#include "postaci-window.h"

#define GREETING "220 mx.gui.test ESMTP ready\r\n"
#define EHLO_BEFORE "250-mx.gui.test\r\n250-SIZE 52428800\r\n250-8BITMIME\r\n250 STARTTLS\r\n"
#define EHLO_AUTH "250-mx.gui.test\r\n250-SIZE 52428800\r\n250-8BITMIME\r\n250 AUTH PLAIN LOGIN\r\n"

static PostaciApplication *application;

static gpointer
child (gpointer widget, GType type, const char *name)
{
  return postaci_gui_test_child (widget, type, name);
}

static gboolean
finished (gpointer data)
{
  return postaci_discovery_dialog_get_recommendation (data) != NULL;
}

static gboolean
servers_done (gpointer data)
{
  PostaciScriptedServer **servers = data;

  return postaci_scripted_server_is_finished (servers[0]) &&
         postaci_scripted_server_is_finished (servers[1]);
}

/* The toggle button of the table for @port. */
static GtkWidget *
find_cell (GtkWidget *table, guint port)
{
  for (GtkWidget *c = gtk_widget_get_first_child (table); c != NULL; c = gtk_widget_get_next_sibling (c))
    {
      const PostaciEndpoint *endpoint = g_object_get_data (G_OBJECT (c), "endpoint");

      if (GTK_IS_TOGGLE_BUTTON (c) && endpoint != NULL && endpoint->port == port)
        return c;
    }
  g_error ("no cell for port %u", port);
  return NULL;
}

static void
test_find_settings (void)
{
  static const PostaciScriptStep tls_script[] = { TS_PROBE_LOOK (GREETING, EHLO_AUTH) };
  static const PostaciScriptStep starttls_script[] = {
    TS_PROBE_STARTTLS_LOOK (GREETING, EHLO_BEFORE, EHLO_AUTH),
  };
  g_autoptr(GTlsCertificate) certificate = postaci_test_load_certificate ("server");
  PostaciTestResolver *resolver = postaci_test_resolver_install ();
  g_autofree char *ca_file = g_build_filename (TEST_SRCDIR, "certs", "ca.pem", NULL);
  PostaciScriptedServer *servers[2];
  guint16 tls_port, starttls_port, closed = postaci_test_closed_port ();
  g_autofree char *closed_text = g_strdup_printf ("%u", closed);
  g_autofree char *expected = NULL;
  g_autofree char *advice = NULL;
  g_autofree char *transcript = NULL;
  PostaciWindow *window;
  PostaciDiscoveryDialog *dialog;
  const char *before, *after;

  servers[0] = postaci_scripted_server_new (tls_script, POSTACI_SCRIPTED_SERVER_IMPLICIT_TLS,
                                            certificate, "127.0.0.1");
  servers[1] = postaci_scripted_server_new (starttls_script, POSTACI_SCRIPTED_SERVER_PLAIN,
                                            certificate, "127.0.0.1");
  tls_port = postaci_scripted_server_get_port (servers[0]);
  starttls_port = postaci_scripted_server_get_port (servers[1]);
  postaci_test_resolver_add_srv (resolver, "_submissions._tcp.gui.test", 0, 0, tls_port, "localhost");
  postaci_test_resolver_add_srv (resolver, "_submission._tcp.gui.test", 0, 0, starttls_port,
                                 "localhost");
  postaci_test_resolver_add_mx (resolver, "gui.test", 10, "mx.gui.test");
  postaci_test_resolver_add_host (resolver, "gui.test", "127.0.0.1");
  /* The standard ports become one where nothing listens (tests cannot bind 465/587/25). */
  g_setenv ("POSTACI_DISCOVERY_PORTS", closed_text, TRUE);

  window = postaci_gui_test_present (postaci_window_new (application), 1320, 860);
  /* The classic mistake: the domain itself, a port where nothing answers, no encryption. */
  gtk_editable_set_text (GTK_EDITABLE (postaci_gui_test_window_child (window, "server_row")), "gui.test");
  adw_combo_row_set_selected (postaci_gui_test_window_child (window, "security_row"), 0);
  gtk_editable_set_text (GTK_EDITABLE (postaci_gui_test_window_child (window, "port_row")), closed_text);
  gtk_editable_set_text (GTK_EDITABLE (postaci_gui_test_window_child (window, "ca_row")), ca_file);
  postaci_gui_test_flush ();

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.find-settings", NULL));
  dialog = POSTACI_DISCOVERY_DIALOG (postaci_gui_test_find_toplevel (POSTACI_TYPE_DISCOVERY_DIALOG));
  g_assert_nonnull (dialog);
  postaci_test_wait_until (finished, dialog, POSTACI_GUI_TEST_TIMEOUT_MS);
  postaci_test_wait_until (servers_done, servers, 5000);
  g_assert_null (postaci_scripted_server_get_error (servers[0]));
  g_assert_null (postaci_scripted_server_get_error (servers[1]));

  expected = g_strdup_printf ("Recommended: localhost, port %u, SSL/TLS · login: PLAIN LOGIN", tls_port);
  g_assert_cmpstr (gtk_label_get_text (child (dialog, POSTACI_TYPE_DISCOVERY_DIALOG, "recommendation_label")),
                   ==, expected);
  /* The probe connects address by address (the link does): the reason names the address. */
  advice = g_strdup_printf ("Nothing answers at gui.test port %u: Could not connect to 127.0.0.1: "
                            "Connection refused", closed);
  g_assert_cmpstr (gtk_label_get_text (child (dialog, POSTACI_TYPE_DISCOVERY_DIALOG, "advice_label")),
                   ==, advice);
  g_assert_true (gtk_widget_get_sensitive (child (dialog, POSTACI_TYPE_DISCOVERY_DIALOG, "use_button")));
  g_assert_true (gtk_widget_get_sensitive (child (dialog, POSTACI_TYPE_DISCOVERY_DIALOG, "copy_button")));

  /* Capabilities before and after TLS, side by side, for the STARTTLS port. */
  gtk_toggle_button_set_active (GTK_TOGGLE_BUTTON (find_cell (child (dialog, POSTACI_TYPE_DISCOVERY_DIALOG,
                                                                     "table"), starttls_port)), TRUE);
  before = gtk_label_get_text (child (dialog, POSTACI_TYPE_DISCOVERY_DIALOG, "before_label"));
  after = gtk_label_get_text (child (dialog, POSTACI_TYPE_DISCOVERY_DIALOG, "after_label"));
  g_assert_cmpstr (before, ==, "SIZE 52428800\n8BITMIME\nSTARTTLS");
  g_assert_cmpstr (after, ==, "SIZE 52428800\n8BITMIME\nAUTH PLAIN LOGIN");
  g_assert_true (gtk_widget_get_visible (child (dialog, POSTACI_TYPE_DISCOVERY_DIALOG, "details_box")));
  transcript = postaci_discovery_get_transcript (postaci_discovery_dialog_get_discovery (dialog));
  g_assert_nonnull (strstr (transcript, "C: STARTTLS"));
  postaci_gui_test_wait_for_frames (GTK_WIDGET (dialog));
  postaci_gui_test_save_screenshot (GTK_WIDGET (dialog), "postaci-discovery.png");

  /* One click fills the form. */
  /* The dialog closes on the click: the test helper would still hold the button. */
  g_signal_emit_by_name (child (dialog, POSTACI_TYPE_DISCOVERY_DIALOG, "use_button"), "clicked");
  postaci_gui_test_wait_closed (POSTACI_TYPE_DISCOVERY_DIALOG);
  g_assert_cmpstr (gtk_editable_get_text (postaci_gui_test_window_child (window, "server_row")), ==, "localhost");
  g_assert_cmpuint (adw_combo_row_get_selected (postaci_gui_test_window_child (window, "security_row")), ==, 2);
  {
    g_autofree char *port = g_strdup_printf ("%u", tls_port);

    g_assert_cmpstr (gtk_editable_get_text (postaci_gui_test_window_child (window, "port_row")), ==, port);
  }
  g_assert_true (adw_expander_row_get_enable_expansion (postaci_gui_test_window_child (window, "auth_row")));

  postaci_gui_test_close (window);
  postaci_scripted_server_free (servers[0]);
  postaci_scripted_server_free (servers[1]);
  postaci_test_resolver_uninstall (resolver);
  g_unsetenv ("POSTACI_DISCOVERY_PORTS");
}

int
main (int argc, char **argv)
{
  char *cache = NULL;
  int status;

  application = postaci_gui_test_init (&argc, &argv, &cache);
  if (application == NULL)
    return 0;
  /* Not on the first start: the form must hold our settings, not the Local Test Server's. */
  g_test_add_func ("/postaci/discovery-dialog/find-settings", test_find_settings);
  status = g_test_run ();
  return postaci_gui_test_finish (g_steal_pointer (&application), cache, status);
}
