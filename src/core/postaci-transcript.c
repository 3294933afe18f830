/* SPDX-License-Identifier: GPL-3.0-or-later */
/* postaci-transcript.c — the shared rendering of a run for terminals, files and scripts. */
#define G_LOG_DOMAIN "postaci-transcript"

#include "config.h"

#include <json-glib/json-glib.h>
#include <glib/gi18n-lib.h>

#include "postaci-catalog.h"
#include "postaci-transcript.h"

#define ANSI_RESET   "\033[0m"
#define ANSI_DIM     "\033[2m"
#define ANSI_BOLD    "\033[1m"
#define ANSI_RED     "\033[31m"
#define ANSI_GREEN   "\033[32m"
#define ANSI_YELLOW  "\033[33m"
#define ANSI_BLUE    "\033[34m"
#define ANSI_MAGENTA "\033[35m"
#define ANSI_CYAN    "\033[36m"

/* The width of the time column, "[  1234 ms] ", so follow-up lines align. */
#define INDENT "            "

static const char *
server_colour (const PostaciEvent *event)
{
  guint code = event->reply ? event->reply->code : 0;

  if (code == 0 && event->text[0] >= '2' && event->text[0] <= '5')
    code = (guint) (event->text[0] - '0') * 100;
  if (code >= 500)
    return ANSI_RED;
  if (code >= 400)
    return ANSI_YELLOW;
  if (code >= 300)
    return ANSI_BLUE;
  return ANSI_GREEN;
}

static void
append_coloured (GString *out, gboolean ansi, const char *colour, const char *text)
{
  if (ansi)
    g_string_append_printf (out, "%s%s%s", colour, text, ANSI_RESET);
  else
    g_string_append (out, text);
}

static char *
format_event_text (const PostaciEvent *event, gboolean ansi)
{
  GString         *out = g_string_new (NULL);
  g_autofree char *time = g_strdup_printf ("[%6" G_GINT64_FORMAT " ms] ", event->elapsed_ms);
  g_autofree char *line = NULL;
  const char      *colour = "";

  switch (event->kind)
    {
    case POSTACI_EVENT_STAGE:
      if (event->stage_status == POSTACI_STAGE_STATUS_STARTED)
        line = g_strdup_printf ("── %s", event->text);
      else if (event->stage_status == POSTACI_STAGE_STATUS_SKIPPED)
        /* Translators: a stage that did not apply, e.g. “── TLS: skipped” */
        line = g_strdup_printf (_ ("── %s: skipped"), event->text);
      else
        return g_string_free (out, FALSE); /* passed/failed show in the lines around them */
      colour = ANSI_BOLD;
      break;
    case POSTACI_EVENT_CLIENT:
      /* Translators: C marks a line the client sent */
      line = g_strdup_printf ("%s %s", C_ ("transcript", "C:"), event->text);
      colour = ANSI_CYAN;
      break;
    case POSTACI_EVENT_SERVER:
      /* Translators: S marks a line the server sent */
      line = g_strdup_printf ("%s %s", C_ ("transcript", "S:"), event->text);
      colour = server_colour (event);
      break;
    case POSTACI_EVENT_TLS:
      line = g_strdup_printf ("TLS: %s", event->text);
      colour = ANSI_MAGENTA;
      break;
    case POSTACI_EVENT_INFO:
      line = g_strdup_printf ("·· %s", event->text);
      colour = ANSI_DIM;
      break;
    case POSTACI_EVENT_WARNING:
      /* Translators: prefix of a warning line in the transcript */
      line = g_strdup_printf ("%s %s", _ ("Warning:"), event->text);
      colour = ANSI_YELLOW;
      break;
    case POSTACI_EVENT_ERROR:
    default:
      /* Translators: prefix of an error line in the transcript */
      line = g_strdup_printf ("%s %s", _ ("Error:"), event->text);
      colour = ANSI_BOLD ANSI_RED;
      break;
    }

  append_coloured (out, ansi, ANSI_DIM, time);
  append_coloured (out, ansi, colour, line);
  g_string_append_c (out, '\n');

  if (event->explanation != NULL && *event->explanation != '\0')
    {
      g_string_append (out, INDENT);
      {
        g_autofree char *text = g_strdup_printf ("↳ %s", event->explanation);
        append_coloured (out, ansi, ANSI_DIM, text);
      }
      g_string_append_c (out, '\n');
    }
  if (event->hint != NULL && *event->hint != '\0')
    {
      /* Translators: introduces advice, e.g. “Try: enable STARTTLS” */
      g_autofree char *text = g_strdup_printf ("%s %s", _ ("Try:"), event->hint);
      g_string_append (out, INDENT);
      append_coloured (out, ansi, ANSI_YELLOW, text);
      g_string_append_c (out, '\n');
    }
  if (event->detail != NULL && *event->detail != '\0')
    {
      /* Translators: introduces the system's own words, e.g. “Details: Error performing TLS
       * handshake: …”; they are often in English */
      g_autofree char *text = g_strdup_printf (_ ("Details: %s"), event->detail);
      g_string_append (out, INDENT);
      append_coloured (out, ansi, ANSI_DIM, text);
      g_string_append_c (out, '\n');
    }
  return g_string_free (out, FALSE);
}

static void
add_string (JsonBuilder *builder, const char *name, const char *value)
{
  if (value == NULL)
    return;
  json_builder_set_member_name (builder, name);
  json_builder_add_string_value (builder, value);
}

static void
add_reply (JsonBuilder *builder, const PostaciReply *reply, PostaciCommand command)
{
  g_autofree char *enhanced = NULL;

  if (reply == NULL)
    return;
  json_builder_set_member_name (builder, "code");
  json_builder_add_int_value (builder, reply->code);
  enhanced = postaci_reply_get_enhanced_string (reply);
  add_string (builder, "enhanced", enhanced);
  add_string (builder, "command", postaci_command_to_string (command));
}

static char *
builder_to_line (JsonBuilder *builder)
{
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autoptr(JsonNode) root = json_builder_get_root (builder);
  g_autofree char *json = NULL;

  json_generator_set_root (generator, root);
  json = json_generator_to_data (generator, NULL);
  return g_strconcat (json, "\n", NULL);
}

static char *
format_event_json (const PostaciEvent *event)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "time_ms");
  json_builder_add_int_value (builder, event->elapsed_ms);
  add_string (builder, "kind", postaci_event_kind_to_string (event->kind));
  add_string (builder, "stage", postaci_stage_to_string (event->stage));
  if (event->kind == POSTACI_EVENT_STAGE)
    add_string (builder, "status", postaci_stage_status_to_string (event->stage_status));
  add_string (builder, "text", event->text);
  add_reply (builder, event->reply, event->command);
  add_string (builder, "explanation", event->explanation);
  add_string (builder, "hint", event->hint);
  add_string (builder, "detail", event->detail);
  json_builder_end_object (builder);
  return builder_to_line (builder);
}

char *
postaci_transcript_format_event (const PostaciEvent *event, PostaciTranscriptFormat format)
{
  g_return_val_if_fail (event != NULL, NULL);

  if (format == POSTACI_TRANSCRIPT_JSONL)
    return format_event_json (event);
  return format_event_text (event, format == POSTACI_TRANSCRIPT_ANSI);
}

static char *
format_outcome_json (const PostaciOutcome *outcome)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();

  json_builder_begin_object (builder);
  add_string (builder, "kind", "outcome");
  add_string (builder, "verdict", postaci_verdict_to_string (outcome->verdict));
  json_builder_set_member_name (builder, "exit_status");
  json_builder_add_int_value (builder, postaci_outcome_get_exit_status (outcome));
  add_string (builder, "stage", postaci_stage_to_string (outcome->stage));
  add_string (builder, "reason", outcome->reason);
  add_reply (builder, outcome->reply, outcome->command);
  add_string (builder, "explanation", outcome->explanation);
  add_string (builder, "hint", outcome->hint);
  add_string (builder, "detail", outcome->detail);
  {
    g_autofree char *summary = postaci_catalog_summarize_outcome (outcome);

    add_string (builder, "summary", summary);
  }
  json_builder_set_member_name (builder, "recipients_accepted");
  json_builder_add_int_value (builder, outcome->recipients_accepted);
  json_builder_set_member_name (builder, "recipients_refused");
  json_builder_add_int_value (builder, outcome->recipients_refused);
  if (outcome->refused_recipients != NULL)
    {
      json_builder_set_member_name (builder, "refused_recipients");
      json_builder_begin_array (builder);
      for (guint i = 0; outcome->refused_recipients[i] != NULL; i++)
        json_builder_add_string_value (builder, outcome->refused_recipients[i]);
      json_builder_end_array (builder);
    }
  json_builder_set_member_name (builder, "tls");
  json_builder_add_boolean_value (builder, outcome->tls_used);
  json_builder_set_member_name (builder, "authenticated");
  json_builder_add_boolean_value (builder, outcome->authenticated);
  json_builder_set_member_name (builder, "total_ms");
  json_builder_add_int_value (builder, outcome->total_ms);
  json_builder_set_member_name (builder, "stage_ms");
  json_builder_begin_object (builder);
  for (guint i = 0; i < POSTACI_N_STAGES; i++)
    if (outcome->stage_ms[i] >= 0)
      {
        json_builder_set_member_name (builder, postaci_stage_to_string ((PostaciStage) i));
        json_builder_add_int_value (builder, outcome->stage_ms[i]);
      }
  json_builder_end_object (builder);
  json_builder_end_object (builder);
  return builder_to_line (builder);
}

char *
postaci_transcript_format_outcome (const PostaciOutcome *outcome, PostaciTranscriptFormat format)
{
  static const char *const tone_colours[] = {
    [POSTACI_VERDICT_TONE_SUCCESS] = ANSI_BOLD ANSI_GREEN,
    [POSTACI_VERDICT_TONE_WARNING] = ANSI_BOLD ANSI_YELLOW,
    [POSTACI_VERDICT_TONE_FAILURE] = ANSI_BOLD ANSI_RED,
  };
  g_autofree char *line = NULL;
  gboolean         ansi = format == POSTACI_TRANSCRIPT_ANSI;
  GString         *out;

  g_return_val_if_fail (outcome != NULL, NULL);

  if (format == POSTACI_TRANSCRIPT_JSONL)
    return format_outcome_json (outcome);

  /* Each thing once: a failure's meaning and hint stand in the transcript above (under the
   * reply that refused, or on the Error line); the Result line is the headline. What is left
   * to say is the advice of a run that did not fail: what a success proves, what to do about
   * refused recipients, after a cancel or about a bad value. */
  out = g_string_new (NULL);
  if (outcome->verdict == POSTACI_VERDICT_SUCCESS || outcome->verdict == POSTACI_VERDICT_PARTIAL ||
      outcome->verdict == POSTACI_VERDICT_CANCELLED || outcome->verdict == POSTACI_VERDICT_USAGE)
    {
      g_string_append (out, INDENT);
      append_coloured (out, ansi, ANSI_BOLD, postaci_catalog_advise_outcome (outcome));
      g_string_append_c (out, '\n');
    }
  line = postaci_outcome_get_verdict_line (outcome);
  append_coloured (out, ansi, tone_colours[postaci_verdict_get_tone (outcome->verdict)], line);
  g_string_append_c (out, '\n');
  return g_string_free (out, FALSE);
}

char *
postaci_transcript_format_run (GPtrArray *events, const PostaciOutcome *outcome,
                               PostaciTranscriptFormat format)
{
  GString *out = g_string_new (NULL);

  g_return_val_if_fail (events != NULL, NULL);

  for (guint i = 0; i < events->len; i++)
    {
      g_autofree char *text =
        postaci_transcript_format_event (g_ptr_array_index (events, i), format);
      g_string_append (out, text);
    }
  if (outcome != NULL)
    {
      g_autofree char *text = postaci_transcript_format_outcome (outcome, format);
      g_string_append (out, text);
    }
  return g_string_free (out, FALSE);
}
