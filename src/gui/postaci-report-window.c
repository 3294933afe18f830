/* SPDX-License-Identifier: GPL-3.0-or-later */
/* postaci-report-window.c — a saved report reopened read-only, so a colleague sees exactly
 * what the person who saved it saw: the same stage bar, coloured transcript and verdict card,
 * fed from the run the report embeds (postaci-report-reader.c). */
#define G_LOG_DOMAIN "postaci-gui"

#include "config.h"

#include <glib/gi18n.h>

#include "postaci-event.h"
#include "postaci-report-window.h"
#include "postaci-stage-bar.h"
#include "postaci-transcript-view.h"
#include "postaci-verdict-panel.h"

struct _PostaciReportWindow
{
  AdwWindow parent_instance;

  AdwWindowTitle        *window_title;
  PostaciStageBar       *stage_bar;
  PostaciTranscriptView *transcript_view;
  PostaciVerdictPanel   *verdict_panel;

  PostaciReportContents *contents;
};

G_DEFINE_FINAL_TYPE (PostaciReportWindow, postaci_report_window, ADW_TYPE_WINDOW)

/* Implicit TLS: the run's TLS stage began before its greeting, and the bar shows it there. */
static gboolean
tls_came_first (GPtrArray *events)
{
  for (guint i = 0; i < events->len; i++)
    {
      const PostaciEvent *event = g_ptr_array_index (events, i);

      if (event->kind == POSTACI_EVENT_STAGE &&
          event->stage_status == POSTACI_STAGE_STATUS_STARTED &&
          (event->stage == POSTACI_STAGE_TLS || event->stage == POSTACI_STAGE_GREETING))
        return event->stage == POSTACI_STAGE_TLS;
    }
  return FALSE;
}

/* The same order of calls as the main window makes during a run. */
static void
show_run (PostaciReportWindow *self)
{
  GPtrArray            *events = self->contents->events;
  const PostaciOutcome *outcome = self->contents->outcome;

  postaci_stage_bar_set_tls_first (self->stage_bar, tls_came_first (events));
  for (guint i = 0; i < events->len; i++)
    {
      const PostaciEvent *event = g_ptr_array_index (events, i);

      if (event->kind == POSTACI_EVENT_STAGE)
        postaci_stage_bar_set_status (self->stage_bar, event->stage, event->stage_status);
      postaci_transcript_view_append_event (self->transcript_view, event);
    }
  if (outcome != NULL)
    {
      postaci_stage_bar_finish (self->stage_bar, outcome->verdict, outcome->stage);
      postaci_transcript_view_append_outcome (self->transcript_view, outcome);
      postaci_verdict_panel_show (self->verdict_panel, outcome, FALSE);
    }
}

static void
postaci_report_window_finalize (GObject *object)
{
  PostaciReportWindow *self = POSTACI_REPORT_WINDOW (object);

  g_clear_pointer (&self->contents, postaci_report_contents_free);
  G_OBJECT_CLASS (postaci_report_window_parent_class)->finalize (object);
}

static void
postaci_report_window_class_init (PostaciReportWindowClass *klass)
{
  GObjectClass   *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->finalize = postaci_report_window_finalize;

  g_type_ensure (POSTACI_TYPE_STAGE_BAR);
  g_type_ensure (POSTACI_TYPE_TRANSCRIPT_VIEW);
  g_type_ensure (POSTACI_TYPE_VERDICT_PANEL);
  gtk_widget_class_set_template_from_resource (
    widget_class, "/io/github/postaci/Postaci/postaci-report-window.ui");
  gtk_widget_class_bind_template_child (widget_class, PostaciReportWindow, window_title);
  gtk_widget_class_bind_template_child (widget_class, PostaciReportWindow, stage_bar);
  gtk_widget_class_bind_template_child (widget_class, PostaciReportWindow, transcript_view);
  gtk_widget_class_bind_template_child (widget_class, PostaciReportWindow, verdict_panel);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
postaci_report_window_init (PostaciReportWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

PostaciReportWindow *
postaci_report_window_new (GtkWindow *parent, PostaciReportContents *contents,
                           const char *file_name)
{
  PostaciReportWindow *self;

  g_return_val_if_fail (parent == NULL || GTK_IS_WINDOW (parent), NULL);
  g_return_val_if_fail (contents != NULL, NULL);

  self = g_object_new (POSTACI_TYPE_REPORT_WINDOW, "transient-for", parent, "application",
                       parent != NULL ? gtk_window_get_application (parent) : NULL, "title",
                       contents->title, NULL);
  self->contents = contents;
  adw_window_title_set_title (self->window_title, contents->title);
  adw_window_title_set_subtitle (self->window_title, file_name);
  show_run (self);
  return self;
}

const PostaciReportContents *
postaci_report_window_get_contents (PostaciReportWindow *self)
{
  g_return_val_if_fail (POSTACI_IS_REPORT_WINDOW (self), NULL);

  return self->contents;
}
