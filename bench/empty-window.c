/* empty-window.c — the yardstick of the window benchmark: an empty libadwaita window. */
#define G_LOG_DOMAIN "postaci-empty-window"

#include <adwaita.h>

/* The least a libadwaita application shows: a window with a header bar, titled "Empty" so
 * that bench/run.py finds it the way it finds Postacı's. */
static void
activate_cb (GtkApplication *app, gpointer user_data)
{
  GtkWidget *window = adw_application_window_new (app);
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);

  gtk_box_append (GTK_BOX (box), adw_header_bar_new ());
  adw_application_window_set_content (ADW_APPLICATION_WINDOW (window), box);
  gtk_window_set_title (GTK_WINDOW (window), "Empty");
  gtk_window_set_default_size (GTK_WINDOW (window), 960, 720);
  gtk_window_present (GTK_WINDOW (window));
}

int
main (int argc, char **argv)
{
  g_autoptr (AdwApplication) app = adw_application_new ("io.github.postaci.BenchEmptyWindow",
                                                        G_APPLICATION_DEFAULT_FLAGS);

  g_signal_connect (app, "activate", G_CALLBACK (activate_cb), NULL);
  return g_application_run (G_APPLICATION (app), argc, argv);
}
