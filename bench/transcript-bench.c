/* transcript-bench.c — the window's transcript under 100,000 lines: frame stalls and memory. */
#define G_LOG_DOMAIN "postaci-transcript-bench"

#include <stdio.h>
#include <string.h>
#include <adwaita.h>

#include "postaci-transcript.h"
#include "postaci-transcript-view.h"

/* A frame that comes later than this after the one before it is a stall a person sees. */
#define STALL_US (50 * G_TIME_SPAN_MILLISECOND)

static struct {
  guint          lines_wanted;
  guint          burst;          /* events handed over each millisecond */
  gboolean       list_view;      /* the alternative measured against the text view */

  GtkWidget     *window;
  GtkWidget     *view;
  GtkStringList *list;           /* --list-view: one string per line */
  GPtrArray     *list_pending;   /* --list-view: lines that wait for the next frame */
  guint          lines_sent;
  guint          events_sent;
  gint64         start_us;
  gint64         fed_us;         /* the last event handed over */
  gint64         last_frame_us;
  guint          frames;
  guint          stalls;
  gint64         worst_gap_us;
  double         rss_before_mb;
  int            status;
} bench;

static double
rss_mb (const char *field)
{
  g_autofree char *status = NULL;
  const char *at;

  if (!g_file_get_contents ("/proc/self/status", &status, NULL, NULL) ||
      (at = strstr (status, field)) == NULL)
    return 0;
  return g_ascii_strtod (at + strlen (field), NULL) / 1024.0;
}

/* The i-th event of a long run: a recipient, its reply with an explanation, now and then
 * an informational line — the mix a run with many recipients writes. */
static PostaciEvent *
make_event (guint i)
{
  g_autofree char *text = NULL;
  PostaciEvent *event;

  switch (i % 3)
    {
    case 0:
      text = g_strdup_printf ("RCPT TO:<recipient-%u@example.com>", i);
      event = postaci_event_new (POSTACI_EVENT_CLIENT, POSTACI_STAGE_RCPT, text);
      break;
    case 1:
      event = postaci_event_new (POSTACI_EVENT_SERVER, POSTACI_STAGE_RCPT, "250 2.1.5 Ok");
      event->explanation = g_strdup ("The server accepted this recipient.");
      break;
    default:
      text = g_strdup_printf ("Sent %u recipients so far", i);
      event = postaci_event_new (POSTACI_EVENT_INFO, POSTACI_STAGE_RCPT, text);
      break;
    }
  event->elapsed_ms = i / 10;
  return event;
}

static guint
event_lines (guint i)
{
  return i % 3 == 1 ? 2 : 1;
}

static guint
shown_lines (void)
{
  if (bench.list_view)
    return g_list_model_get_n_items (G_LIST_MODEL (bench.list));
  /* The text ends with "\n": the empty last line is not a line of the transcript. */
  return (guint) gtk_text_buffer_get_line_count (gtk_text_view_get_buffer (GTK_TEXT_VIEW (bench.view))) - 1;
}

static void
list_append (const PostaciEvent *event)
{
  g_autofree char *text = postaci_transcript_format_event (event, POSTACI_TRANSCRIPT_TEXT);
  g_auto (GStrv) lines = g_strsplit (text, "\n", -1);

  /* Batched as the text view's lines are: one splice a frame, not one change a line. */
  for (guint i = 0; lines[i] != NULL && *lines[i] != '\0'; i++)
    g_ptr_array_add (bench.list_pending, g_strdup (lines[i]));
}

static gboolean
feed_cb (gpointer user_data)
{
  for (guint n = 0; n < bench.burst && bench.lines_sent < bench.lines_wanted; n++)
    {
      g_autoptr(PostaciEvent) event = make_event (bench.events_sent);

      if (bench.list_view)
        list_append (event);
      else
        postaci_transcript_view_append_event (POSTACI_TRANSCRIPT_VIEW (bench.view), event);
      bench.lines_sent += event_lines (bench.events_sent++);
    }
  bench.fed_us = g_get_monotonic_time ();
  return bench.lines_sent < bench.lines_wanted ? G_SOURCE_CONTINUE : G_SOURCE_REMOVE;
}

static void
finish (void)
{
  gint64 now = g_get_monotonic_time ();
  GtkAdjustment *adjustment = gtk_scrollable_get_vadjustment (GTK_SCROLLABLE (bench.view));

  printf ("view %s\n", bench.list_view ? "list" : "text");
  printf ("lines %u\n", shown_lines ());
  printf ("fed_s %.3f\n", (bench.fed_us - bench.start_us) / 1e6);
  printf ("shown_s %.3f\n", (now - bench.start_us) / 1e6);
  printf ("frames %u\n", bench.frames);
  printf ("stalls_over_50ms %u\n", bench.stalls);
  printf ("worst_frame_ms %.1f\n", bench.worst_gap_us / 1000.0);
  printf ("rss_before_mb %.1f\n", bench.rss_before_mb);
  printf ("rss_after_mb %.1f\n", rss_mb ("VmRSS:"));
  printf ("peak_rss_mb %.1f\n", rss_mb ("VmHWM:"));
  printf ("at_end %s\n",
          gtk_adjustment_get_value (adjustment) + gtk_adjustment_get_page_size (adjustment) >=
          gtk_adjustment_get_upper (adjustment) - 1 ? "yes" : "no");
  fflush (stdout);
  gtk_window_destroy (GTK_WINDOW (bench.window));
}

/* Runs every frame while the lines come in: the gap between two frames is what a person
 * waits. Ends once every line is in the view and it has scrolled to the last one. */
static gboolean
tick_cb (GtkWidget *widget, GdkFrameClock *clock, gpointer user_data)
{
  gint64 now = g_get_monotonic_time ();
  GtkAdjustment *adjustment = gtk_scrollable_get_vadjustment (GTK_SCROLLABLE (bench.view));

  if (bench.start_us == 0)
    {
      /* The first frame is on screen: start feeding. */
      bench.rss_before_mb = rss_mb ("VmRSS:");
      bench.start_us = now;
      bench.last_frame_us = now;
      /* As a session hands events over: as fast as they come, at the default priority. */
      g_timeout_add (1, feed_cb, NULL);
      return G_SOURCE_CONTINUE;
    }
  bench.frames++;
  if (bench.list_view && bench.list_pending->len > 0)
    {
      g_ptr_array_add (bench.list_pending, NULL);
      gtk_string_list_splice (bench.list, g_list_model_get_n_items (G_LIST_MODEL (bench.list)), 0,
                              (const char *const *) bench.list_pending->pdata);
      g_ptr_array_set_size (bench.list_pending, 0);
    }
  if (bench.list_view)
    gtk_adjustment_set_value (adjustment, gtk_adjustment_get_upper (adjustment));
  if (now - bench.last_frame_us > STALL_US)
    bench.stalls++;
  bench.worst_gap_us = MAX (bench.worst_gap_us, now - bench.last_frame_us);
  bench.last_frame_us = now;

  if (bench.lines_sent >= bench.lines_wanted && shown_lines () >= bench.lines_wanted &&
      gtk_adjustment_get_value (adjustment) + gtk_adjustment_get_page_size (adjustment) >=
      gtk_adjustment_get_upper (adjustment) - 1)
    {
      finish ();
      return G_SOURCE_REMOVE;
    }
  if (now - bench.start_us > 300 * G_TIME_SPAN_SECOND)
    {
      fprintf (stderr, "transcript-bench: %u of %u lines shown after 300 s\n", shown_lines (),
               bench.lines_wanted);
      bench.status = 1;
      finish ();
      return G_SOURCE_REMOVE;
    }
  return G_SOURCE_CONTINUE;
}

static void
setup_cb (GtkSignalListItemFactory *factory, GtkListItem *item, gpointer user_data)
{
  GtkWidget *label = gtk_label_new (NULL);

  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_label_set_wrap (GTK_LABEL (label), TRUE);
  gtk_label_set_wrap_mode (GTK_LABEL (label), PANGO_WRAP_WORD_CHAR);
  gtk_widget_add_css_class (label, "monospace");
  gtk_list_item_set_child (item, label);
}

static void
bind_cb (GtkSignalListItemFactory *factory, GtkListItem *item, gpointer user_data)
{
  GtkStringObject *line = gtk_list_item_get_item (item);

  gtk_label_set_text (GTK_LABEL (gtk_list_item_get_child (item)), gtk_string_object_get_string (line));
}

static GtkWidget *
make_list_view (void)
{
  GtkListItemFactory *factory = gtk_signal_list_item_factory_new ();

  bench.list = gtk_string_list_new (NULL);
  bench.list_pending = g_ptr_array_new_with_free_func (g_free);
  g_signal_connect (factory, "setup", G_CALLBACK (setup_cb), NULL);
  g_signal_connect (factory, "bind", G_CALLBACK (bind_cb), NULL);
  return gtk_list_view_new (GTK_SELECTION_MODEL (gtk_no_selection_new (G_LIST_MODEL (bench.list))),
                            factory);
}

static void
activate_cb (GtkApplication *app, gpointer user_data)
{
  GtkWidget *scroller = gtk_scrolled_window_new ();

  bench.window = adw_application_window_new (app);
  bench.view = bench.list_view ? make_list_view () : postaci_transcript_view_new ();
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scroller), bench.view);
  adw_application_window_set_content (ADW_APPLICATION_WINDOW (bench.window), scroller);
  gtk_window_set_default_size (GTK_WINDOW (bench.window), 960, 720);
  gtk_widget_add_tick_callback (bench.window, tick_cb, NULL, NULL);
  gtk_window_present (GTK_WINDOW (bench.window));
}

int
main (int argc, char **argv)
{
  g_autoptr (AdwApplication) app = NULL;
  g_autoptr (GOptionContext) context = g_option_context_new ("— append lines to the transcript");
  g_autoptr (GError) error = NULL;
  int lines = 100000;
  int burst = 100;
  GOptionEntry entries[] = {
    { "lines", 0, 0, G_OPTION_ARG_INT, &lines, "Lines to append (100000)", "N" },
    { "burst", 0, 0, G_OPTION_ARG_INT, &burst, "Events handed over each millisecond (100)", "N" },
    { "list-view", 0, 0, G_OPTION_ARG_NONE, &bench.list_view, "A GtkListView of lines instead", NULL },
    { NULL },
  };

  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error) || lines <= 0 || burst <= 0)
    {
      fprintf (stderr, "transcript-bench: %s\n", error != NULL ? error->message : "bad numbers");
      return 2;
    }
  bench.lines_wanted = (guint) lines;
  bench.burst = (guint) burst;
  app = adw_application_new ("io.github.postaci.BenchTranscript", G_APPLICATION_NON_UNIQUE);
  g_signal_connect (app, "activate", G_CALLBACK (activate_cb), NULL);
  if (g_application_run (G_APPLICATION (app), 1, argv) != 0)
    return 1;
  return bench.status;
}
