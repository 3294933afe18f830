/* postaci-transcript-view.c — streams session events into a tagged, monospace text view. */
#define G_LOG_DOMAIN "postaci-gui"

#include "config.h"

#include <adwaita.h>
#include <glib/gi18n.h>

#include "postaci-transcript.h"
#include "postaci-transcript-view.h"

/* The formatter puts "[  1234 ms] " before a line and 12 spaces before the lines that
 * follow it (explanation, hint); wrapped text hangs under the text, not under the time. */
#define TIME_COLUMN_CHARS   12
#define FOLLOW_UP_CHARS     14 /* 12 spaces and "↳ " */
/* How close to the bottom still counts as "at the bottom", in pixels. */
#define FOLLOW_SLACK        24.0

typedef enum {
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

typedef struct {
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
};

struct _PostaciTranscriptView {
  GtkTextView     parent_instance;

  GtkAdjustment  *vadjustment;
  gboolean        following;
  guint           scroll_id;        /* a scroll to the end is queued */
  gboolean        scrolling;        /* inside scroll_to_end_cb() */
  double          upper_at_scroll;  /* the text's height when we last scrolled to its end */
};

G_DEFINE_FINAL_TYPE (PostaciTranscriptView, postaci_transcript_view, GTK_TYPE_TEXT_VIEW)

static void
update_colours (PostaciTranscriptView *self)
{
  GtkTextTagTable *table = gtk_text_buffer_get_tag_table (gtk_text_view_get_buffer (GTK_TEXT_VIEW (self)));
  gboolean dark = adw_style_manager_get_dark (adw_style_manager_get_default ());

  for (guint i = 0; i < G_N_ELEMENTS (tag_specs); i++)
    {
      GtkTextTag *tag = gtk_text_tag_table_lookup (table, tag_specs[i].name);
      GdkRGBA rgba;

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
  GtkTextTagTable *table = gtk_text_buffer_get_tag_table (gtk_text_view_get_buffer (GTK_TEXT_VIEW (self)));
  g_autoptr(PangoLayout) layout = gtk_widget_create_pango_layout (GTK_WIDGET (self), "0");
  PangoFontDescription *mono = pango_font_description_from_string ("Monospace");
  int char_width = 0;

  pango_layout_set_font_description (layout, mono);
  pango_font_description_free (mono);
  pango_layout_get_pixel_size (layout, &char_width, NULL);
  /* A negative indent is Pango's hanging indent: the first line at the margin, the rest in. */
  g_object_set (gtk_text_tag_table_lookup (table, "line"),
                "indent", -TIME_COLUMN_CHARS * char_width, NULL);
  g_object_set (gtk_text_tag_table_lookup (table, "follow-up"),
                "indent", -FOLLOW_UP_CHARS * char_width, NULL);
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
  GtkAdjustment *adjustment = self->vadjustment;

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
  G_OBJECT_CLASS (postaci_transcript_view_parent_class)->dispose (object);
}

static void
postaci_transcript_view_class_init (PostaciTranscriptViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = postaci_transcript_view_dispose;
  widget_class->realize = postaci_transcript_view_realize;
}

static void
postaci_transcript_view_init (PostaciTranscriptView *self)
{
  GtkTextView *view = GTK_TEXT_VIEW (self);
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (view);

  gtk_text_view_set_editable (view, FALSE);
  gtk_text_view_set_cursor_visible (view, FALSE);
  gtk_text_view_set_monospace (view, TRUE);
  gtk_text_view_set_wrap_mode (view, GTK_WRAP_WORD_CHAR);
  gtk_text_view_set_left_margin (view, 12);
  gtk_text_view_set_right_margin (view, 12);
  gtk_text_view_set_top_margin (view, 12);
  gtk_text_view_set_bottom_margin (view, 12);
  gtk_widget_add_css_class (GTK_WIDGET (self), "transcript");
  gtk_accessible_update_property (GTK_ACCESSIBLE (self), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Transcript"), -1);

  for (guint i = 0; i < G_N_ELEMENTS (tag_specs); i++)
    gtk_text_buffer_create_tag (buffer, tag_specs[i].name,
                                "weight", tag_specs[i].bold ? PANGO_WEIGHT_BOLD : PANGO_WEIGHT_NORMAL,
                                NULL);
  gtk_text_buffer_create_tag (buffer, "line", NULL);
  gtk_text_buffer_create_tag (buffer, "follow-up", NULL);

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

  gtk_text_buffer_set_text (gtk_text_view_get_buffer (GTK_TEXT_VIEW (self)), "", 0);
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

static void
insert_with_tags (PostaciTranscriptView *self, const char *text, gssize length,
                  const char *tag, const char *layout_tag)
{
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (GTK_TEXT_VIEW (self));
  GtkTextIter end;

  gtk_text_buffer_get_end_iter (buffer, &end);
  gtk_text_buffer_insert_with_tags_by_name (buffer, &end, text, (int) length, tag, layout_tag, NULL);
}

/* Inserts one formatted line: the time column, if any, gets "time", the rest its own tag. */
static void
insert_line (PostaciTranscriptView *self, const char *line, const char *tag, gboolean timed,
             const char *layout_tag)
{
  const char *text = line;

  if (timed && line[0] == '[')
    {
      const char *close = strstr (line, "] ");
      if (close != NULL)
        {
          text = close + 2;
          insert_with_tags (self, line, text - line, "time", layout_tag);
        }
    }
  insert_with_tags (self, text, -1, tag, layout_tag);
  insert_with_tags (self, "\n", -1, tag, layout_tag);
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
  guint n;

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
          guint hint_line = has_explanation ? 2 : 1;

          /* explanation, hint, details: in that order, each when there is one */
          tag = (i == 1 && has_explanation) ? "explanation"
                : (i == hint_line && has_hint) ? "hint" : "explanation";
        }
      insert_line (self, lines[i], tag, i == 0, i == 0 ? "line" : "follow-up");
    }
}

void
postaci_transcript_view_append_outcome (PostaciTranscriptView *self, const PostaciOutcome *outcome)
{
  g_autofree char *text = NULL;
  g_auto (GStrv) lines = NULL;
  guint n;

  g_return_if_fail (POSTACI_IS_TRANSCRIPT_VIEW (self));
  g_return_if_fail (outcome != NULL);

  text = postaci_transcript_format_outcome (outcome, POSTACI_TRANSCRIPT_TEXT);
  lines = split_lines (text, &n);
  for (guint i = 0; i < n; i++)
    {
      gboolean last = i + 1 == n;
      /* A cancelled run did not fail: it reads in the warning colour, as its verdict card does. */
      const char *tag = !last ? "explanation"
                        : outcome->verdict == POSTACI_VERDICT_SUCCESS ? "verdict-success"
                        : outcome->verdict == POSTACI_VERDICT_CANCELLED ? "warning"
                        : outcome->verdict == POSTACI_VERDICT_PARTIAL ? "warning"
                        : "verdict-failure";

      /* The summary is indented like the lines' text, without "↳ ": it hangs at the time column. */
      insert_line (self, lines[i], tag, FALSE, "line");
    }
}

gboolean
postaci_transcript_view_get_following (PostaciTranscriptView *self)
{
  g_return_val_if_fail (POSTACI_IS_TRANSCRIPT_VIEW (self), FALSE);
  return self->following;
}
