/* SPDX-License-Identifier: GPL-3.0-or-later */
/* postaci-transcript-view.c — streams session events into a tagged, monospace text view. */
#define G_LOG_DOMAIN "postaci-gui"

#include "config.h"

#include <adwaita.h>
#include <glib/gi18n.h>

#include "postaci-transcript.h"
#include "postaci-transcript-view.h"

/* The formatter puts "[  1234 ms] " before a line and 12 spaces before the lines that
 * follow it (explanation, hint); wrapped text hangs under the text, not under the time. */
#define TIME_COLUMN_CHARS 12
#define FOLLOW_UP_CHARS   14 /* 12 spaces and "↳ " */
/* How close to the bottom still counts as "at the bottom", in pixels. */
#define FOLLOW_SLACK 24.0
/* Inserting lines gets this much of the main loop before a frame may be drawn again: a long
 * run (100,000 lines, a replayed run) flows in over several frames instead of freezing one.
 * Lines are counted too: the text view lays out (wraps, shapes) every new line in one go at
 * its next idle, some 30 µs a line, so a slice brings at most this many. */
#define INSERT_BUDGET_US    (6 * G_TIME_SPAN_MILLISECOND)
#define INSERT_BUDGET_LINES 400

typedef enum
{
  COLOUR_FG_DIM,
  COLOUR_ACCENT,
  COLOUR_SUCCESS,
  COLOUR_WARNING,
  COLOUR_ERROR,
  COLOUR_PURPLE,
  COLOUR_BROWN,
  N_COLOURS,
} Colour;

/* libadwaita 1.2's named colours (defaults-light.css / defaults-dark.css) and palette, the
 * text variants that keep their contrast on the view background in each style. */
static const char *const palette[2][N_COLOURS] = {
  { "rgba(0,0,0,0.55)", "#1c71d8", "#1b8553", "#9c6e03", "#c01c28", "#813d9c", "#865e3c" },
  { "rgba(255,255,255,0.55)", "#78aeed", "#8ff0a4", "#f8e45c", "#ff7b63", "#dc8add", "#cdab8f" },
};

typedef struct
{
  const char *name;
  Colour      colour;
  gboolean    bold;
} TagSpec;

static const TagSpec tag_specs[] = {
  { "time", COLOUR_FG_DIM, FALSE },
  { "client", COLOUR_ACCENT, FALSE },
  { "server-2xx", COLOUR_SUCCESS, FALSE },
  { "server-3xx", COLOUR_PURPLE, FALSE },
  { "server-4xx", COLOUR_WARNING, FALSE },
  { "server-5xx", COLOUR_ERROR, FALSE },
  { "tls", COLOUR_BROWN, FALSE },
  { "info", COLOUR_FG_DIM, FALSE },
  { "stage", N_COLOURS, TRUE },
  { "warning", COLOUR_WARNING, TRUE },
  { "error", COLOUR_ERROR, TRUE },
  { "explanation", COLOUR_FG_DIM, FALSE },
  { "hint", COLOUR_WARNING, FALSE },
  { "verdict-success", COLOUR_SUCCESS, TRUE },
  { "verdict-failure", COLOUR_ERROR, TRUE },
  { "folded", COLOUR_FG_DIM, FALSE },
};

/* A formatted line waiting for its turn to be inserted. */
typedef struct
{
  char       *text;        /* without its "\n" */
  guint       time_length; /* the bytes of its "[  12 ms] " column, 0 without one */
  GtkTextTag *tag;
  GtkTextTag *layout_tag; /* "line" or "follow-up" */
} PendingLine;

struct _PostaciTranscriptView
{
  GtkTextView parent_instance;

  GtkTextTag *time_tag;
  GQueue      pending;       /* PendingLine, oldest first */
  guint       insert_id;     /* the idle that inserts pending lines */
  gint64      slice_used_us; /* spent inserting since that idle last ran */
  guint       slice_lines;   /* lines inserted since then */

  GtkAdjustment *vadjustment;
  gboolean       following;
  guint          scroll_id;       /* a scroll to the end is queued */
  gboolean       scrolling;       /* inside scroll_to_end_cb() */
  double         upper_at_scroll; /* the text's height when we last scrolled to its end */

  guint n_shown;  /* transcript lines in the buffer (not the fold line) */
  guint n_folded; /* the oldest lines, taken out of the buffer */
};

G_DEFINE_FINAL_TYPE (PostaciTranscriptView, postaci_transcript_view, GTK_TYPE_TEXT_VIEW)

static void
pending_line_free (gpointer data)
{
  PendingLine *line = data;

  g_free (line->text);
  g_free (line);
}

static GtkTextTag *
lookup_tag (PostaciTranscriptView *self, const char *name)
{
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (GTK_TEXT_VIEW (self));

  return gtk_text_tag_table_lookup (gtk_text_buffer_get_tag_table (buffer), name);
}

static void
update_colours (PostaciTranscriptView *self)
{
  GtkTextTagTable *table =
    gtk_text_buffer_get_tag_table (gtk_text_view_get_buffer (GTK_TEXT_VIEW (self)));
  gboolean dark = adw_style_manager_get_dark (adw_style_manager_get_default ());

  for (guint i = 0; i < G_N_ELEMENTS (tag_specs); i++)
    {
      GtkTextTag *tag = gtk_text_tag_table_lookup (table, tag_specs[i].name);
      GdkRGBA     rgba;

      if (tag_specs[i].colour == N_COLOURS)
        continue;
      if (!gdk_rgba_parse (&rgba, palette[dark ? 1 : 0][tag_specs[i].colour]))
        g_assert_not_reached ();
      g_object_set (tag, "foreground-rgba", &rgba, NULL);
    }
}

static void
dark_changed_cb (AdwStyleManager *manager, GParamSpec *pspec, gpointer user_data)
{
  update_colours (POSTACI_TRANSCRIPT_VIEW (user_data));
}

/* Wrapped lines hang under the text column; the widths follow the font. */
static void
update_margins (PostaciTranscriptView *self)
{
  GtkTextTagTable *table =
    gtk_text_buffer_get_tag_table (gtk_text_view_get_buffer (GTK_TEXT_VIEW (self)));
  g_autoptr(PangoLayout) layout = gtk_widget_create_pango_layout (GTK_WIDGET (self), "0");
  PangoFontDescription *mono = pango_font_description_from_string ("Monospace");
  int                   char_width = 0;

  pango_layout_set_font_description (layout, mono);
  pango_font_description_free (mono);
  pango_layout_get_pixel_size (layout, &char_width, NULL);
  /* A negative indent is Pango's hanging indent: the first line at the margin, the rest in. */
  g_object_set (gtk_text_tag_table_lookup (table, "line"), "indent",
                -TIME_COLUMN_CHARS * char_width, NULL);
  g_object_set (gtk_text_tag_table_lookup (table, "follow-up"), "indent",
                -FOLLOW_UP_CHARS * char_width, NULL);
}

static gboolean
is_at_bottom (GtkAdjustment *adjustment)
{
  return gtk_adjustment_get_value (adjustment) + gtk_adjustment_get_page_size (adjustment) >=
         gtk_adjustment_get_upper (adjustment) - FOLLOW_SLACK;
}

static gboolean
scroll_to_end_cb (gpointer user_data)
{
  PostaciTranscriptView *self = user_data;
  GtkAdjustment         *adjustment = self->vadjustment;

  self->scroll_id = 0;
  if (adjustment != NULL && self->following)
    {
      self->scrolling = TRUE;
      self->upper_at_scroll = gtk_adjustment_get_upper (adjustment);
      gtk_adjustment_set_value (adjustment,
                                self->upper_at_scroll - gtk_adjustment_get_page_size (adjustment));
      self->scrolling = FALSE;
    }
  return G_SOURCE_REMOVE;
}

/* After the text view has measured the new lines (its validation runs at a higher
 * priority than this idle): setting the value earlier is undone by its re-anchoring. */
static void
queue_scroll_to_end (PostaciTranscriptView *self)
{
  if (self->scroll_id == 0)
    self->scroll_id = g_idle_add (scroll_to_end_cb, self);
}

/* Tells the person scrolling up (stop following) from the text view re-anchoring its
 * top line while the content grows (keep following: a scroll to the end is due). */
static void
value_changed_cb (GtkAdjustment *adjustment, PostaciTranscriptView *self)
{
  if (self->scrolling)
    return;
  if (is_at_bottom (adjustment))
    self->following = TRUE;
  else if (self->following &&
           (self->scroll_id != 0 || gtk_adjustment_get_upper (adjustment) != self->upper_at_scroll))
    queue_scroll_to_end (self);
  else
    self->following = FALSE;
}

/* The text grew (upper changed): keep the newest line in sight while following. */
static void
adjustment_changed_cb (GtkAdjustment *adjustment, PostaciTranscriptView *self)
{
  if (self->following)
    queue_scroll_to_end (self);
}

static void
set_vadjustment (PostaciTranscriptView *self, GtkAdjustment *adjustment)
{
  if (self->vadjustment == adjustment)
    return;
  if (self->vadjustment != NULL)
    g_signal_handlers_disconnect_by_data (self->vadjustment, self);
  g_set_object (&self->vadjustment, adjustment);
  if (adjustment != NULL)
    {
      g_signal_connect (adjustment, "value-changed", G_CALLBACK (value_changed_cb), self);
      g_signal_connect (adjustment, "changed", G_CALLBACK (adjustment_changed_cb), self);
    }
}

static void
vadjustment_notify_cb (GObject *object, GParamSpec *pspec, gpointer user_data)
{
  PostaciTranscriptView *self = POSTACI_TRANSCRIPT_VIEW (object);

  set_vadjustment (self, gtk_scrollable_get_vadjustment (GTK_SCROLLABLE (self)));
}

static void
postaci_transcript_view_realize (GtkWidget *widget)
{
  GTK_WIDGET_CLASS (postaci_transcript_view_parent_class)->realize (widget);
  update_margins (POSTACI_TRANSCRIPT_VIEW (widget));
}

static void
postaci_transcript_view_dispose (GObject *object)
{
  PostaciTranscriptView *self = POSTACI_TRANSCRIPT_VIEW (object);

  set_vadjustment (self, NULL);
  g_clear_handle_id (&self->scroll_id, g_source_remove);
  g_clear_handle_id (&self->insert_id, g_source_remove);
  g_queue_clear_full (&self->pending, pending_line_free);
  G_OBJECT_CLASS (postaci_transcript_view_parent_class)->dispose (object);
}

static void
postaci_transcript_view_class_init (PostaciTranscriptViewClass *klass)
{
  GObjectClass   *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = postaci_transcript_view_dispose;
  widget_class->realize = postaci_transcript_view_realize;
}

static void
postaci_transcript_view_init (PostaciTranscriptView *self)
{
  GtkTextView   *view = GTK_TEXT_VIEW (self);
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (view);

  /* Read-only, but with a caret (drawn only while the view has the focus): the arrow keys move
   * it line by line, Shift selects, and a screen reader reads the line the caret moves to.
   * Without one, the arrows only scroll and Orca has nothing to follow. */
  gtk_text_view_set_editable (view, FALSE);
  gtk_text_view_set_cursor_visible (view, TRUE);
  gtk_text_view_set_monospace (view, TRUE);
  gtk_text_view_set_wrap_mode (view, GTK_WRAP_WORD_CHAR);
  gtk_text_view_set_left_margin (view, 12);
  gtk_text_view_set_right_margin (view, 12);
  gtk_text_view_set_top_margin (view, 12);
  gtk_text_view_set_bottom_margin (view, 12);
  gtk_widget_add_css_class (GTK_WIDGET (self), "transcript");
  gtk_accessible_update_property (GTK_ACCESSIBLE (self), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _ ("Transcript"), -1);

  for (guint i = 0; i < G_N_ELEMENTS (tag_specs); i++)
    gtk_text_buffer_create_tag (buffer, tag_specs[i].name, "weight",
                                tag_specs[i].bold ? PANGO_WEIGHT_BOLD : PANGO_WEIGHT_NORMAL, NULL);
  gtk_text_buffer_create_tag (buffer, "line", NULL);
  gtk_text_buffer_create_tag (buffer, "follow-up", NULL);
  g_object_set (lookup_tag (self, "folded"), "style", PANGO_STYLE_ITALIC, NULL);
  self->time_tag = lookup_tag (self, "time");

  self->following = TRUE;

  update_colours (self);
  g_signal_connect_object (adw_style_manager_get_default (), "notify::dark",
                           G_CALLBACK (dark_changed_cb), self, 0);
  g_signal_connect (self, "notify::vadjustment", G_CALLBACK (vadjustment_notify_cb), NULL);
}

GtkWidget *
postaci_transcript_view_new (void)
{
  return g_object_new (POSTACI_TYPE_TRANSCRIPT_VIEW, NULL);
}

void
postaci_transcript_view_clear (PostaciTranscriptView *self)
{
  g_return_if_fail (POSTACI_IS_TRANSCRIPT_VIEW (self));

  g_queue_clear_full (&self->pending, pending_line_free);
  gtk_text_buffer_set_text (gtk_text_view_get_buffer (GTK_TEXT_VIEW (self)), "", 0);
  self->n_shown = 0;
  self->n_folded = 0;
  self->following = TRUE;
}

static const char *
server_tag (const PostaciEvent *event)
{
  guint code = event->reply != NULL ? event->reply->code : 0;

  /* A continuation line has no parsed reply yet: its own first digit says the class. */
  if (code == 0 && event->text[0] >= '2' && event->text[0] <= '5')
    code = (guint) (event->text[0] - '0') * 100;
  if (code >= 500)
    return "server-5xx";
  if (code >= 400)
    return "server-4xx";
  if (code >= 300)
    return "server-3xx";
  return "server-2xx";
}

static const char *
event_tag (const PostaciEvent *event)
{
  switch (event->kind)
    {
    case POSTACI_EVENT_STAGE:
      return "stage";
    case POSTACI_EVENT_CLIENT:
      return "client";
    case POSTACI_EVENT_SERVER:
      return server_tag (event);
    case POSTACI_EVENT_TLS:
      return "tls";
    case POSTACI_EVENT_INFO:
      return "info";
    case POSTACI_EVENT_WARNING:
      return "warning";
    case POSTACI_EVENT_ERROR:
    default:
      return "error";
    }
}

/* Applies @tag from line @first to the end of line @last (its "\n" included). */
static void
apply_to_lines (GtkTextBuffer *buffer, GtkTextTag *tag, int first, int last)
{
  GtkTextIter start, end;

  gtk_text_buffer_get_iter_at_line (buffer, &start, first);
  gtk_text_buffer_get_iter_at_line (buffer, &end, last);
  gtk_text_iter_forward_line (&end);
  gtk_text_buffer_apply_tag (buffer, tag, &start, &end);
}

/* The buffer's first line, once lines have folded away: how many, and where they still are. */
static void
update_fold_line (PostaciTranscriptView *self, gboolean replace)
{
  GtkTextBuffer   *buffer = gtk_text_view_get_buffer (GTK_TEXT_VIEW (self));
  g_autofree char *text = NULL;
  GtkTextIter      start, end;

  text = g_strdup_printf (ngettext ("%u earlier line is not shown here; Copy, Save and the "
                                    "report have every line.",
                                    "%u earlier lines are not shown here; Copy, Save and the "
                                    "report have every line.",
                                    self->n_folded),
                          self->n_folded);
  gtk_text_buffer_get_start_iter (buffer, &start);
  if (replace)
    {
      end = start;
      gtk_text_iter_forward_to_line_end (&end);
      gtk_text_buffer_delete (buffer, &start, &end);
    }
  else
    {
      gtk_text_buffer_insert (buffer, &start, "\n", 1);
      gtk_text_buffer_get_start_iter (buffer, &start);
    }
  gtk_text_buffer_insert_with_tags (buffer, &start, text, -1, lookup_tag (self, "folded"),
                                    lookup_tag (self, "line"), NULL);
}

/* Memory stays bounded however long the run: past the limit, the oldest lines leave the
 * view (the session keeps them all). A person scrolled up keeps their place: the text view
 * anchors its top line, and following goes on at the end. */
static void
fold_oldest (PostaciTranscriptView *self)
{
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (GTK_TEXT_VIEW (self));
  int            first = self->n_folded > 0 ? 1 : 0;
  GtkTextIter    start, end;
  guint          drop;

  if (self->n_shown <= POSTACI_TRANSCRIPT_VIEW_MAX_LINES + POSTACI_TRANSCRIPT_VIEW_FOLD_LINES)
    return;
  drop = self->n_shown - POSTACI_TRANSCRIPT_VIEW_MAX_LINES;
  gtk_text_buffer_get_iter_at_line (buffer, &start, first);
  gtk_text_buffer_get_iter_at_line (buffer, &end, first + (int) drop);
  gtk_text_buffer_delete (buffer, &start, &end);
  self->n_shown -= drop;
  self->n_folded += drop;
  update_fold_line (self, first == 1);
}

/* A flood (a replayed run, lines faster than frames) need not go through the buffer to fold:
 * past the limit, the oldest waiting lines fold at once, after every line the buffer holds
 * (those are older still). The lines waiting stay bounded too. */
static void
fold_pending (PostaciTranscriptView *self)
{
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (GTK_TEXT_VIEW (self));
  guint          waiting = g_queue_get_length (&self->pending);
  gboolean       had_fold_line = self->n_folded > 0;

  if (waiting <= POSTACI_TRANSCRIPT_VIEW_MAX_LINES + POSTACI_TRANSCRIPT_VIEW_FOLD_LINES)
    return;
  if (self->n_shown > 0)
    {
      GtkTextIter start, end;

      gtk_text_buffer_get_iter_at_line (buffer, &start, had_fold_line ? 1 : 0);
      gtk_text_buffer_get_end_iter (buffer, &end);
      gtk_text_buffer_delete (buffer, &start, &end);
      self->n_folded += self->n_shown;
      self->n_shown = 0;
    }
  for (; waiting > POSTACI_TRANSCRIPT_VIEW_MAX_LINES; waiting--)
    {
      pending_line_free (g_queue_pop_head (&self->pending));
      self->n_folded++;
    }
  update_fold_line (self, had_fold_line);
}

/* Inserts up to @max_lines of the oldest pending lines: their text in one insertion, then
 * their tags. One insertion is one change for the text view to take in, not three a line. */
static void
insert_pending (PostaciTranscriptView *self, guint max_lines)
{
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (GTK_TEXT_VIEW (self));
  g_autoptr(GString) text = g_string_new (NULL);
  g_autoptr(GPtrArray) batch = g_ptr_array_new_with_free_func (pending_line_free);
  GtkTextIter end;
  int         first_line;
  guint       run_start;

  while (!g_queue_is_empty (&self->pending) && batch->len < max_lines)
    {
      PendingLine *line = g_queue_pop_head (&self->pending);

      g_string_append (text, line->text);
      g_string_append_c (text, '\n');
      g_ptr_array_add (batch, line);
    }
  if (batch->len == 0)
    return;

  gtk_text_buffer_get_end_iter (buffer, &end);
  first_line = gtk_text_iter_get_line (&end);
  gtk_text_buffer_insert (buffer, &end, text->str, (int) text->len);

  for (guint i = 0; i < batch->len; i++)
    {
      PendingLine *line = batch->pdata[i];
      GtkTextIter  start, stop;

      gtk_text_buffer_get_iter_at_line (buffer, &start, first_line + (int) i);
      stop = start;
      if (line->time_length > 0)
        {
          gtk_text_iter_forward_chars (&stop, (int) g_utf8_strlen (line->text, line->time_length));
          gtk_text_buffer_apply_tag (buffer, self->time_tag, &start, &stop);
          start = stop;
        }
      gtk_text_iter_forward_line (&stop);
      gtk_text_buffer_apply_tag (buffer, line->tag, &start, &stop);
    }
  /* The layout tags (hanging indents) once over each run of lines that share one. */
  run_start = 0;
  for (guint i = 1; i <= batch->len; i++)
    {
      PendingLine *previous = batch->pdata[i - 1];

      if (i < batch->len && ((PendingLine *) batch->pdata[i])->layout_tag == previous->layout_tag)
        continue;
      apply_to_lines (buffer, previous->layout_tag, first_line + (int) run_start,
                      first_line + (int) i - 1);
      run_start = i;
    }
  self->slice_lines += batch->len;
  self->n_shown += batch->len;
  fold_oldest (self);
}

static gboolean
slice_is_full (PostaciTranscriptView *self)
{
  return self->slice_used_us >= INSERT_BUDGET_US || self->slice_lines >= INSERT_BUDGET_LINES;
}

static void
insert_timed (PostaciTranscriptView *self, guint max_lines)
{
  gint64 start = g_get_monotonic_time ();

  insert_pending (self, max_lines);
  self->slice_used_us += g_get_monotonic_time () - start;
}

static gboolean
insert_pending_cb (gpointer user_data)
{
  PostaciTranscriptView *self = user_data;

  /* The main loop came round (a frame could be drawn, the new lines were laid out): a new
   * slice of time. */
  self->slice_used_us = 0;
  self->slice_lines = 0;
  if (!g_queue_is_empty (&self->pending))
    {
      insert_timed (self, INSERT_BUDGET_LINES);
      if (!g_queue_is_empty (&self->pending))
        return G_SOURCE_CONTINUE;
    }
  self->insert_id = 0;
  return G_SOURCE_REMOVE;
}

/* New lines go in at once while this turn of the main loop has room for them, and wait for
 * the next turn otherwise (after the frame and the layout, at idle priority): in order
 * either way. */
static void
queue_lines (PostaciTranscriptView *self, GQueue *lines)
{
  gboolean now = g_queue_is_empty (&self->pending) && !slice_is_full (self);

  while (!g_queue_is_empty (lines))
    g_queue_push_tail (&self->pending, g_queue_pop_head (lines));
  fold_pending (self);
  if (now)
    insert_timed (self, G_MAXUINT);
  if (self->insert_id == 0)
    self->insert_id = g_idle_add_full (G_PRIORITY_DEFAULT_IDLE, insert_pending_cb, self, NULL);
}

/* One formatted line: the time column, if any, gets "time", the rest its own tag. */
static void
add_line (PostaciTranscriptView *self, GQueue *lines, const char *text, const char *tag,
          gboolean timed, const char *layout_tag)
{
  PendingLine *line = g_new0 (PendingLine, 1);

  line->text = g_strdup (text);
  line->tag = lookup_tag (self, tag);
  line->layout_tag = lookup_tag (self, layout_tag);
  if (timed && text[0] == '[')
    {
      const char *close = strstr (text, "] ");

      if (close != NULL)
        line->time_length = (guint) (close + 2 - text);
    }
  g_queue_push_tail (lines, line);
}

/* The formatter ends every line with "\n": its lines, less the empty piece after the last. */
static GStrv
split_lines (const char *text, guint *n_lines)
{
  GStrv lines = g_strsplit (text, "\n", -1);
  guint n = g_strv_length (lines);

  if (n > 0 && *lines[n - 1] == '\0')
    n--;
  *n_lines = n;
  return lines;
}

/* The first line is the event; then its explanation and hint, when it has them. */
void
postaci_transcript_view_append_event (PostaciTranscriptView *self, const PostaciEvent *event)
{
  g_autofree char *text = NULL;
  g_auto (GStrv) lines = NULL;
  GQueue queue = G_QUEUE_INIT;
  guint  n;

  g_return_if_fail (POSTACI_IS_TRANSCRIPT_VIEW (self));
  g_return_if_fail (event != NULL);

  text = postaci_transcript_format_event (event, POSTACI_TRANSCRIPT_TEXT);
  lines = split_lines (text, &n);
  for (guint i = 0; i < n; i++)
    {
      const char *tag = event_tag (event);

      if (i > 0)
        {
          gboolean has_explanation = event->explanation != NULL && *event->explanation != '\0';
          gboolean has_hint = event->hint != NULL && *event->hint != '\0';
          guint    hint_line = has_explanation ? 2 : 1;

          /* explanation, hint, details: in that order, each when there is one */
          tag = (i == 1 && has_explanation)    ? "explanation"
                : (i == hint_line && has_hint) ? "hint"
                                               : "explanation";
        }
      add_line (self, &queue, lines[i], tag, i == 0, i == 0 ? "line" : "follow-up");
    }
  queue_lines (self, &queue);
}

void
postaci_transcript_view_append_outcome (PostaciTranscriptView *self, const PostaciOutcome *outcome)
{
  static const char *const tone_tags[] = {
    [POSTACI_VERDICT_TONE_SUCCESS] = "verdict-success",
    [POSTACI_VERDICT_TONE_WARNING] = "warning",
    [POSTACI_VERDICT_TONE_FAILURE] = "verdict-failure",
  };
  g_autofree char *text = NULL;
  g_auto (GStrv) lines = NULL;
  GQueue queue = G_QUEUE_INIT;
  guint  n;

  g_return_if_fail (POSTACI_IS_TRANSCRIPT_VIEW (self));
  g_return_if_fail (outcome != NULL);

  text = postaci_transcript_format_outcome (outcome, POSTACI_TRANSCRIPT_TEXT);
  lines = split_lines (text, &n);
  for (guint i = 0; i < n; i++)
    {
      gboolean last = i + 1 == n;
      /* A cancelled run did not fail: it reads in the warning colour, as its verdict card does. */
      const char *tag =
        !last ? "explanation" : tone_tags[postaci_verdict_get_tone (outcome->verdict)];

      /* The summary is indented like the lines' text, without "↳ ": it hangs at the time column. */
      add_line (self, &queue, lines[i], tag, FALSE, "line");
    }
  queue_lines (self, &queue);
}

guint
postaci_transcript_view_get_n_pending (PostaciTranscriptView *self)
{
  g_return_val_if_fail (POSTACI_IS_TRANSCRIPT_VIEW (self), 0);
  return g_queue_get_length (&self->pending);
}

guint
postaci_transcript_view_get_n_lines (PostaciTranscriptView *self)
{
  g_return_val_if_fail (POSTACI_IS_TRANSCRIPT_VIEW (self), 0);
  return self->n_shown + self->n_folded;
}

guint
postaci_transcript_view_get_n_folded (PostaciTranscriptView *self)
{
  g_return_val_if_fail (POSTACI_IS_TRANSCRIPT_VIEW (self), 0);
  return self->n_folded;
}

gboolean
postaci_transcript_view_get_following (PostaciTranscriptView *self)
{
  g_return_val_if_fail (POSTACI_IS_TRANSCRIPT_VIEW (self), FALSE);
  return self->following;
}
