/* SPDX-License-Identifier: GPL-3.0-or-later */
/* postaci-report-reader.c — a saved HTML report read back, so the window can show its run
 * again exactly as it was seen: the events and the outcome it embedded (postaci-report.c). */
#define G_LOG_DOMAIN "postaci-report"

#include "config.h"

#include <string.h>
#include <glib/gi18n-lib.h>
#include <json-glib/json-glib.h>

#include "postaci-enum-types.h"
#include "postaci-event.h"
#include "postaci-report-reader.h"

/* clang-format off */
G_DEFINE_QUARK (postaci-report-error-quark, postaci_report_error)
/* clang-format on */

void
postaci_report_contents_free (PostaciReportContents *contents)
{
  if (contents == NULL)
    return;
  g_free (contents->title);
  g_clear_pointer (&contents->events, g_ptr_array_unref);
  g_clear_pointer (&contents->outcome, postaci_outcome_free);
  g_free (contents);
}

/* The text between @open and the next @close, with the XML escapes undone; NULL if absent. */
static void
collect_text_cb (GMarkupParseContext *context, const char *text, gsize length, gpointer user_data,
                 GError **error)
{
  g_string_append_len (user_data, text, (gssize) length);
}

static char *
element_text (const char *data, gsize length, const char *open, const char *close, GError **error)
{
  static const GMarkupParser parser = { NULL, NULL, collect_text_cb, NULL, NULL };
  const char                *end = data + length;
  const char                *start = g_strstr_len (data, (gssize) length, open);
  const char                *stop;
  g_autoptr(GString) text = g_string_new (NULL);
  g_autoptr(GMarkupParseContext) context = NULL;

  if (start == NULL)
    return NULL;
  start += strlen (open);
  stop = g_strstr_len (start, end - start, close);
  if (stop == NULL)
    return NULL;
  context = g_markup_parse_context_new (&parser, 0, text, NULL);
  if (!g_markup_parse_context_parse (context, "<t>", -1, error) ||
      !g_markup_parse_context_parse (context, start, stop - start, error) ||
      !g_markup_parse_context_parse (context, "</t>", -1, error) ||
      !g_markup_parse_context_end_parse (context, error))
    return NULL;
  return g_string_free (g_steal_pointer (&text), FALSE);
}

static const char *
member_string (JsonObject *object, const char *name)
{
  JsonNode *node = json_object_get_member (object, name);

  return node != NULL && JSON_NODE_HOLDS_VALUE (node) &&
             json_node_get_value_type (node) == G_TYPE_STRING
           ? json_node_get_string (node)
           : NULL;
}

/* The enum value a member names by its nick (the name the JSON writer took from the same type);
 * @out is left as it was when the member is missing or names no value. */
static gboolean
member_enum (JsonObject *object, const char *name, GType type, int *out)
{
  return postaci_enum_from_nick (type, member_string (object, name), out);
}

static gint64
member_int (JsonObject *object, const char *name, gint64 fallback)
{
  JsonNode *node = json_object_get_member (object, name);

  return node != NULL && JSON_NODE_HOLDS_VALUE (node) ? json_node_get_int (node) : fallback;
}

/* A server event's whole reply: its own line and the continuation lines right before it. */
static PostaciReply *
rebuild_reply (GPtrArray *events, const PostaciEvent *last)
{
  g_autoptr(PostaciReplyParser) parser = postaci_reply_parser_new ();
  guint first = events->len;

  while (first > 0)
    {
      const PostaciEvent *before = g_ptr_array_index (events, first - 1);

      if (before->kind != POSTACI_EVENT_SERVER || before->reply != NULL)
        break;
      first--;
    }
  for (guint i = first; i <= events->len; i++)
    {
      const PostaciEvent      *event = i < events->len ? g_ptr_array_index (events, i) : last;
      PostaciReply            *reply = NULL;
      PostaciReplyParserStatus status;

      status = postaci_reply_parser_feed (parser, event->text, strlen (event->text), &reply, NULL);
      if (status == POSTACI_REPLY_PARSER_DONE && i == events->len)
        return reply;
      /* A line that does not parse, or a reply that ends too early: shown without its code. */
      g_clear_pointer (&reply, postaci_reply_free);
      if (status != POSTACI_REPLY_PARSER_MORE)
        return NULL;
    }
  return NULL;
}

static PostaciCommand
command_of (JsonObject *object)
{
  const char *verb = member_string (object, "command");

  /* Written as the command goes on the wire ("EHLO", "."), not as a nick. */
  for (int i = POSTACI_COMMAND_NONE; verb != NULL && i <= POSTACI_COMMAND_QUIT; i++)
    if (g_strcmp0 (postaci_command_to_string ((PostaciCommand) i), verb) == 0)
      return (PostaciCommand) i;
  return POSTACI_COMMAND_NONE;
}

static PostaciEvent *
event_from_json (JsonObject *object, GPtrArray *events)
{
  int           kind;
  int           stage = POSTACI_STAGE_CONNECT;
  int           stage_status = POSTACI_STAGE_STATUS_STARTED;
  const char   *text = member_string (object, "text");
  PostaciEvent *event;

  if (!member_enum (object, "kind", POSTACI_TYPE_EVENT_KIND, &kind) || text == NULL)
    return NULL;
  member_enum (object, "stage", POSTACI_TYPE_STAGE, &stage);
  event = postaci_event_new ((PostaciEventKind) kind, (PostaciStage) stage, text);
  event->elapsed_ms = member_int (object, "time_ms", 0);
  if (kind == POSTACI_EVENT_STAGE &&
      member_enum (object, "status", POSTACI_TYPE_STAGE_STATUS, &stage_status))
    event->stage_status = (PostaciStageStatus) stage_status;
  event->command = command_of (object);
  event->explanation = g_strdup (member_string (object, "explanation"));
  event->hint = g_strdup (member_string (object, "hint"));
  if (kind == POSTACI_EVENT_SERVER && json_object_has_member (object, "code"))
    event->reply = rebuild_reply (events, event);
  return event;
}

static PostaciOutcome *
outcome_from_json (JsonObject *object, GPtrArray *events)
{
  g_autoptr(PostaciOutcome) outcome = postaci_outcome_new ();
  JsonNode *stage_ms = json_object_get_member (object, "stage_ms");
  JsonNode *refused = json_object_get_member (object, "refused_recipients");
  int       verdict;
  int       stage;

  if (!member_enum (object, "verdict", POSTACI_TYPE_VERDICT, &verdict))
    return NULL;
  outcome->verdict = (PostaciVerdict) verdict;
  if (member_enum (object, "stage", POSTACI_TYPE_STAGE, &stage))
    outcome->stage = (PostaciStage) stage;
  outcome->command = command_of (object);
  outcome->reason = g_strdup (member_string (object, "reason"));
  outcome->explanation = g_strdup (member_string (object, "explanation"));
  outcome->hint = g_strdup (member_string (object, "hint"));
  outcome->recipients_accepted = (guint) member_int (object, "recipients_accepted", 0);
  outcome->recipients_refused = (guint) member_int (object, "recipients_refused", 0);
  outcome->total_ms = member_int (object, "total_ms", 0);
  outcome->tls_used = json_object_get_boolean_member_with_default (object, "tls", FALSE);
  outcome->authenticated =
    json_object_get_boolean_member_with_default (object, "authenticated", FALSE);
  if (stage_ms != NULL && JSON_NODE_HOLDS_OBJECT (stage_ms))
    for (guint i = 0; i < POSTACI_N_STAGES; i++)
      outcome->stage_ms[i] = member_int (json_node_get_object (stage_ms),
                                         postaci_stage_to_string ((PostaciStage) i), -1);
  if (refused != NULL && JSON_NODE_HOLDS_ARRAY (refused))
    {
      g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
      JsonArray *array = json_node_get_array (refused);

      for (guint i = 0; i < json_array_get_length (array); i++)
        if (json_array_get_string_element (array, i) != NULL)
          g_strv_builder_add (builder, json_array_get_string_element (array, i));
      outcome->refused_recipients = g_strv_builder_end (builder);
    }
  /* The reply that ended the run is the last one with its code. */
  for (guint i = events->len; i > 0 && json_object_has_member (object, "code"); i--)
    {
      const PostaciEvent *event = g_ptr_array_index (events, i - 1);

      if (event->reply != NULL && event->reply->code == member_int (object, "code", 0))
        {
          outcome->reply = postaci_reply_copy (event->reply);
          break;
        }
    }
  return g_steal_pointer (&outcome);
}

static gboolean
damaged (GError **error, guint line)
{
  g_set_error (error, POSTACI_REPORT_ERROR, POSTACI_REPORT_ERROR_DAMAGED,
               /* Translators: %u is a line number inside the report's embedded run */
               _ ("The report’s test data is damaged (line %u)."), line);
  return FALSE;
}

static gboolean
read_run (PostaciReportContents *contents, const char *jsonl, GError **error)
{
  g_auto(GStrv) lines = g_strsplit (jsonl, "\n", -1);
  g_autoptr(JsonParser) parser = json_parser_new ();

  for (guint i = 0; lines[i] != NULL; i++)
    {
      JsonObject *object;
      JsonNode   *root;

      g_strstrip (lines[i]);
      if (*lines[i] == '\0')
        continue;
      if (contents->outcome != NULL || !json_parser_load_from_data (parser, lines[i], -1, NULL))
        return damaged (error, i + 1);
      root = json_parser_get_root (parser);
      if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
        return damaged (error, i + 1);
      object = json_node_get_object (root);
      if (g_strcmp0 (member_string (object, "kind"), "outcome") == 0)
        {
          contents->outcome = outcome_from_json (object, contents->events);
          if (contents->outcome == NULL)
            return damaged (error, i + 1);
        }
      else
        {
          PostaciEvent *event = event_from_json (object, contents->events);

          if (event == NULL)
            return damaged (error, i + 1);
          g_ptr_array_add (contents->events, event);
        }
    }
  return TRUE;
}

PostaciReportContents *
postaci_report_read (const char *data, gsize length, GError **error)
{
  g_autoptr(PostaciReportContents) contents = g_new0 (PostaciReportContents, 1);
  g_autofree char *jsonl = NULL;
  g_autoptr(GError) markup_error = NULL;

  g_return_val_if_fail (data != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  jsonl =
    element_text (data, length, POSTACI_REPORT_RUN_OPEN, POSTACI_REPORT_RUN_CLOSE, &markup_error);
  if (jsonl == NULL && markup_error != NULL)
    {
      damaged (error, 1);
      return NULL;
    }
  if (jsonl == NULL)
    {
      g_set_error_literal (error, POSTACI_REPORT_ERROR, POSTACI_REPORT_ERROR_NOT_A_REPORT,
                           _ ("This file is not a report saved by Postacı, or it was changed "
                              "since: it holds no test to show."));
      return NULL;
    }
  contents->events = g_ptr_array_new_with_free_func ((GDestroyNotify) postaci_event_free);
  if (!read_run (contents, jsonl, error))
    return NULL;
  contents->title = element_text (data, length, "<title>", "</title>", NULL);
  if (contents->title == NULL)
    contents->title = g_strdup ("");
  return g_steal_pointer (&contents);
}
