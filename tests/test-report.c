/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-report.c — the report for a ticket: a real session, parsed back as XML and Markdown. */
#include "config.h"

#include <locale.h>
#include <string.h>
#include <glib/gi18n-lib.h>

#include "postaci-report.h"
#include "postaci-report-reader.h"
#include "postaci-transcript.h"
#include "session-fixture.h"

static gboolean turkish;

/* ------------------------------------------------------------------ */
/* A whole session, with its events kept for the report               */
/* ------------------------------------------------------------------ */

static void
keep_event_cb (PostaciSession *session, const PostaciEvent *event, gpointer user_data)
{
  g_ptr_array_add (user_data, postaci_event_copy (event));
}

static gboolean
server_done (gpointer data)
{
  return postaci_scripted_server_is_finished (((Fixture *) data)->server);
}

/* The password as LOGIN sends it: base64 ("gizli-şifre"). */
#define LOGIN_PASSWORD "Z2l6bGktxZ9pZnJl"

/* Implicit TLS, a LOGIN sign-in with the fixture's password, one message delivered. */
static GPtrArray *
run_full_session (Fixture *fixture)
{
  const PostaciScriptStep script[] = {
    TS_SEND (GREETING),
    TS_EXPECT ("EHLO client.example"),
    TS_SEND (EHLO_TLS),
    TS_EXPECT ("AUTH LOGIN"),
    TS_SEND ("334 VXNlcm5hbWU6\r\n"),
    TS_EXPECT ("YWxp"),
    TS_SEND ("334 UGFzc3dvcmQ6\r\n"),
    TS_EXPECT (LOGIN_PASSWORD),
    TS_SEND ("235 2.7.0 Authentication successful\r\n"),
    /* 8BITMIME offered and a Turkish body: it goes as 8bit (RFC 6152) */
    TS_EXPECT ("MAIL FROM:<ali@example.com> BODY=8BITMIME"),
    TS_SEND ("250 2.1.0 Sender ok\r\n"),
    TS_EXPECT ("RCPT TO:<veli@example.com>"),
    TS_SEND ("250 2.1.5 Recipient ok\r\n"),
    TS_EXPECT ("DATA"),
    TS_SEND ("354 Go ahead\r\n"),
    TS_READ_DATA,
    TS_SEND ("250 2.0.0 Ok: queued as 12345\r\n"),
    TS_EXPECT ("QUIT"),
    TS_SEND ("221 2.0.0 Bye\r\n"),
    TS_END,
  };
  GPtrArray *events = g_ptr_array_new_with_free_func ((GDestroyNotify) postaci_event_free);
  PostaciRequest *request;

  request = serve (fixture, script, POSTACI_SCRIPTED_SERVER_IMPLICIT_TLS, "server",
                   POSTACI_SECURITY_TLS);
  with_auth (request);
  request->mechanism = POSTACI_MECHANISM_LOGIN;
  g_free (request->subject);
  request->subject = g_strdup ("Rapor denemesi");
  fixture->session = postaci_session_new (request);
  postaci_request_free (request);
  g_signal_connect (fixture->session, "event", G_CALLBACK (event_cb), fixture);
  g_signal_connect (fixture->session, "event", G_CALLBACK (keep_event_cb), events);
  postaci_session_run_async (fixture->session, NULL, run_cb, fixture);
  postaci_test_wait_until (outcome_ready, fixture, 20000);
  postaci_test_wait_until (server_done, fixture, 5000);
  assert_server_ok (fixture);
  assert_outcome (fixture, POSTACI_VERDICT_SUCCESS, POSTACI_STAGE_DATA, POSTACI_EXIT_SUCCESS);
  return events;
}

static GDateTime *
report_date (void)
{
  return g_date_time_new_utc (2026, 12, 3, 16, 40, 0);
}

/* The password in every form that could leak: as typed, and as LOGIN and PLAIN send it. */
static void
assert_no_password (const char *document)
{
  g_assert_null (strstr (document, PASSWORD));
  g_assert_null (strstr (document, LOGIN_PASSWORD));
  g_assert_null (strstr (document, PLAIN_IR));
  g_assert_null (strstr (document, "gizli"));
}

/* ------------------------------------------------------------------ */
/* The HTML, read back with a strict XML parser                       */
/* ------------------------------------------------------------------ */

typedef struct {
  char       *lang;
  GPtrArray  *stack;     /* the class attribute of each open element ("" for none) */
  GString    *element;   /* the text of the innermost element with a class, so far */
  GHashTable *by_class;  /* class → GPtrArray of the texts of its elements */
  GString    *all_text;
  GPtrArray  *elements;  /* every element name, in order */
  GPtrArray  *scripts;   /* "type#id" of each script element */
} Parsed;

static void
parsed_clear (Parsed *parsed)
{
  g_free (parsed->lang);
  g_ptr_array_unref (parsed->stack);
  g_string_free (parsed->element, TRUE);
  g_hash_table_unref (parsed->by_class);
  g_string_free (parsed->all_text, TRUE);
  g_ptr_array_unref (parsed->elements);
  g_ptr_array_unref (parsed->scripts);
}

static void
start_element (GMarkupParseContext *context, const char *name, const char **attribute_names,
               const char **attribute_values, gpointer user_data, GError **error)
{
  Parsed *parsed = user_data;
  const char *class = "";

  const char *type = "", *id = "";

  g_ptr_array_add (parsed->elements, g_strdup (name));
  for (guint i = 0; attribute_names[i] != NULL; i++)
    {
      if (g_str_equal (attribute_names[i], "type"))
        type = attribute_values[i];
      if (g_str_equal (attribute_names[i], "id"))
        id = attribute_values[i];
      if (g_str_equal (attribute_names[i], "class"))
        class = attribute_values[i];
      else if (g_str_equal (name, "html") && g_str_equal (attribute_names[i], "lang"))
        parsed->lang = g_strdup (attribute_values[i]);
    }
  if (*class != '\0')
    g_string_truncate (parsed->element, 0);
  if (g_str_equal (name, "script"))
    g_ptr_array_add (parsed->scripts, g_strdup_printf ("%s#%s", type, id));
  g_ptr_array_add (parsed->stack, g_strdup (class));
}

static void
end_element (GMarkupParseContext *context, const char *name, gpointer user_data, GError **error)
{
  Parsed *parsed = user_data;
  g_autofree char *class = g_ptr_array_steal_index (parsed->stack, parsed->stack->len - 1);

  if (*class != '\0')
    {
      GPtrArray *texts = g_hash_table_lookup (parsed->by_class, class);

      if (texts == NULL)
        {
          texts = g_ptr_array_new_with_free_func (g_free);
          g_hash_table_insert (parsed->by_class, g_strdup (class), texts);
        }
      g_ptr_array_add (texts, g_strdup (parsed->element->str));
    }
  if (g_str_equal (name, "tr") || g_str_equal (name, "li") || g_str_equal (name, "p"))
    g_string_append_c (parsed->all_text, '\n');
}

static void
text (GMarkupParseContext *context, const char *chars, gsize length, gpointer user_data,
      GError **error)
{
  Parsed *parsed = user_data;

  g_string_append_len (parsed->element, chars, length);
  g_string_append_len (parsed->all_text, chars, length);
}

static void
parse_html (const char *html, Parsed *parsed)
{
  static const GMarkupParser parser = { start_element, end_element, text, NULL, NULL };
  g_autoptr(GMarkupParseContext) context = NULL;
  g_autoptr(GError) error = NULL;

  parsed->lang = NULL;
  parsed->stack = g_ptr_array_new_with_free_func (g_free);
  parsed->element = g_string_new (NULL);
  parsed->by_class = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                            (GDestroyNotify) g_ptr_array_unref);
  parsed->all_text = g_string_new (NULL);
  parsed->elements = g_ptr_array_new_with_free_func (g_free);
  parsed->scripts = g_ptr_array_new_with_free_func (g_free);
  context = g_markup_parse_context_new (&parser, 0, parsed, NULL);
  g_assert_true (g_str_has_prefix (html, "<!DOCTYPE html>\n<html "));
  if (!g_markup_parse_context_parse (context, html, -1, &error) ||
      !g_markup_parse_context_end_parse (context, &error))
    g_error ("the report is not well-formed XML: %s\n%s", error->message, html);
}

static GPtrArray *
texts_of (Parsed *parsed, const char *class)
{
  GPtrArray *texts = g_hash_table_lookup (parsed->by_class, class);

  if (texts == NULL)
    g_error ("no element of class “%s” in the report", class);
  return texts;
}

static gboolean
has_text (GPtrArray *texts, const char *wanted)
{
  for (guint i = 0; i < texts->len; i++)
    if (strstr (g_ptr_array_index (texts, i), wanted) != NULL)
      return TRUE;
  return FALSE;
}

/* Nothing that runs: the one script element is the run's data block (a type no browser runs),
 * however many "<script>" a server sent. */
static void
assert_only_run_data (Parsed *parsed)
{
  g_assert_cmpuint (parsed->scripts->len, ==, 1);
  g_assert_cmpstr (g_ptr_array_index (parsed->scripts, 0), ==, "application/x-ndjson#postaci-run");
}

static gboolean
has_element (Parsed *parsed, const char *name)
{
  for (guint i = 0; i < parsed->elements->len; i++)
    if (g_str_equal (g_ptr_array_index (parsed->elements, i), name))
      return TRUE;
  return FALSE;
}

/* A transcript line as the report writes it: the translated C:/S: prefix and the bytes. */
static char *
line_of (const char *who, const char *bytes)
{
  return g_strdup_printf ("%s %s", g_str_equal (who, "C") ? C_("transcript", "C:")
                                                          : C_("transcript", "S:"), bytes);
}

/* The HTML report of the fixture's finished session. */
static char *
session_report (Fixture *fixture, GPtrArray *events)
{
  g_autoptr(GDateTime) date = report_date ();

  return postaci_report_format (postaci_session_get_request (fixture->session), events,
                                fixture->outcome, date, POSTACI_REPORT_HTML);
}

static void
test_html (Fixture *fixture, gconstpointer data)
{
  g_autoptr(GPtrArray) events = run_full_session (fixture);
  g_autofree char *html = session_report (fixture, events);
  g_autofree char *verdict = postaci_outcome_get_verdict_line (fixture->outcome);
  g_autofree char *setting = NULL;
  g_autofree char *footer = NULL;
  g_autofree char *ehlo_time = NULL;
  GPtrArray *replies;
  GPtrArray *facts;
  guint tls_events = 0;
  const char *const expected_replies[] = {
    "220 mx.test ESMTP ready", "235 2.7.0 Authentication successful",
    "250 2.0.0 Ok: queued as 12345",
  };
  Parsed parsed;

  parse_html (html, &parsed);
  g_assert_cmpstr (parsed.lang, ==, turkish ? "tr" : "en");
  assert_only_run_data (&parsed);
  g_assert_false (has_element (&parsed, "link"));
  g_assert_false (has_element (&parsed, "img"));

  /* The verdict, first and whole. */
  g_assert_cmpstr (g_ptr_array_index (texts_of (&parsed, "verdict success"), 0), ==, verdict);

  /* The server's reply lines, each in the colour of its class, as the terminal shows them. */
  replies = texts_of (&parsed, "line reply-2");
  for (guint i = 0; i < G_N_ELEMENTS (expected_replies); i++)
    {
      g_autofree char *line = line_of ("S", expected_replies[i]);
      g_assert_true (has_text (replies, line));
    }
  {
    g_autofree char *more = line_of ("S", "354 Go ahead");
    g_autofree char *mail = line_of ("C", "MAIL FROM:<ali@example.com> BODY=8BITMIME");

    g_assert_true (has_text (texts_of (&parsed, "line reply-3"), more));
    g_assert_true (has_text (texts_of (&parsed, "line client"), mail));
  }
  g_assert_true (has_text (texts_of (&parsed, "line explanation"), "↳ "));

  /* Every TLS fact of the run, in the certificate section. */
  facts = texts_of (&parsed, "tls-facts");
  for (guint i = 0; i < events->len; i++)
    {
      const PostaciEvent *event = g_ptr_array_index (events, i);

      if (event->kind == POSTACI_EVENT_TLS)
        {
          g_assert_true (strstr (g_ptr_array_index (facts, 0), event->text) != NULL);
          tls_events++;
        }
    }
  g_assert_cmpuint (tls_events, >, 0);

  /* The settings as the window labels them, the times per stage, version and date. */
  setting = g_strdup_printf ("%s%s", _("User name"), "ali");
  g_assert_true (has_text (texts_of (&parsed, "settings"), setting));
  g_assert_true (has_text (texts_of (&parsed, "settings"), "Rapor denemesi"));
  ehlo_time = g_strdup_printf ("%s%" G_GINT64_FORMAT " ms",
                               postaci_stage_get_label (POSTACI_STAGE_EHLO),
                               fixture->outcome->stage_ms[POSTACI_STAGE_EHLO]);
  g_assert_true (has_text (texts_of (&parsed, "times"), ehlo_time));
  footer = g_strdup (g_ptr_array_index (texts_of (&parsed, "footer"), 0));
  g_assert_nonnull (strstr (footer, PACKAGE_VERSION));
  g_assert_nonnull (strstr (footer, "2026-12-03 16:40:00"));
  if (turkish)
    g_assert_nonnull (strstr (parsed.all_text->str, "Ayarlar"));
  else
    g_assert_nonnull (strstr (parsed.all_text->str, "Settings"));

  assert_no_password (html);
  parsed_clear (&parsed);
}

static void
test_markdown (Fixture *fixture, gconstpointer data)
{
  g_autoptr(GPtrArray) events = run_full_session (fixture);
  g_autoptr(GDateTime) date = report_date ();
  const PostaciRequest *request = postaci_session_get_request (fixture->session);
  g_autofree char *markdown = postaci_report_format (request, events, fixture->outcome, date,
                                                     POSTACI_REPORT_MARKDOWN);
  g_autofree char *verdict = postaci_outcome_get_verdict_line (fixture->outcome);
  g_autofree char *bold = g_strdup_printf ("**%s**", verdict);
  g_autofree char *user_row = g_strdup_printf ("| %s | ali |", _("User name"));
  g_autofree char *queued = line_of ("S", "250 2.0.0 Ok: queued as 12345");
  g_autofree char *rcpt = line_of ("C", "RCPT TO:<veli@example.com>");
  const char *fence = strstr (markdown, "\n```text\n");
  const char *end;

  g_assert_nonnull (strstr (markdown, bold));
  g_assert_nonnull (strstr (markdown, user_row));
  /* The transcript is one fenced block that holds the reply lines. */
  g_assert_nonnull (fence);
  end = strstr (fence + 9, "\n```\n");
  g_assert_nonnull (end);
  g_assert_nonnull (g_strstr_len (fence, end - fence, queued));
  g_assert_nonnull (g_strstr_len (fence, end - fence, rcpt));
  g_assert_nonnull (strstr (end, PACKAGE_VERSION));
  assert_no_password (markdown);
}

/* ------------------------------------------------------------------ */
/* What a hostile server sends stays text                             */
/* ------------------------------------------------------------------ */

static void
test_hostile_text (void)
{
  g_autoptr(PostaciRequest) request = postaci_request_new ();
  g_autoptr(GPtrArray) events =
    g_ptr_array_new_with_free_func ((GDestroyNotify) postaci_event_free);
  g_autoptr(PostaciOutcome) outcome = postaci_outcome_new ();
  g_autoptr(GDateTime) date = report_date ();
  const char *evil = "550 </div><script>alert(1)</script> ``` & |x| *y* <!-- -->";
  PostaciEvent *event;
  g_autofree char *html = NULL;
  g_autofree char *markdown = NULL;
  Parsed parsed;

  request->server = g_strdup ("mx.example|<b>");
  postaci_request_set_password (request, PASSWORD);
  request->auth = TRUE;
  request->username = g_strdup ("ali");
  event = postaci_event_new (POSTACI_EVENT_SERVER, POSTACI_STAGE_RCPT, evil);
  event->explanation = g_strdup ("<b>not bold</b>");
  g_ptr_array_add (events, event);
  outcome->verdict = POSTACI_VERDICT_REFUSED;
  outcome->stage = POSTACI_STAGE_RCPT;
  outcome->reason = g_strdup ("</p><script>x</script>");
  outcome->hint = g_strdup ("Read ``` and </pre>.");

  html = postaci_report_format (request, events, outcome, date, POSTACI_REPORT_HTML);
  parse_html (html, &parsed);
  assert_only_run_data (&parsed);
  g_assert_false (has_element (&parsed, "b"));
  g_assert_true (has_text (texts_of (&parsed, "line reply-5"), evil));
  g_assert_true (has_text (texts_of (&parsed, "line explanation"), "<b>not bold</b>"));
  g_assert_true (has_text (texts_of (&parsed, "verdict failure"), "</p><script>x</script>"));
  g_assert_nonnull (strstr (parsed.all_text->str, "mx.example|<b>"));
  assert_no_password (html);
  parsed_clear (&parsed);

  markdown = postaci_report_format (request, events, outcome, date, POSTACI_REPORT_MARKDOWN);
  /* A fence longer than the server's ``` and a pipe that cannot end a table cell. */
  g_assert_nonnull (strstr (markdown, "\n````text\n"));
  g_assert_nonnull (strstr (markdown, "mx.example\\|\\<b>"));
  assert_no_password (markdown);
}

/* Neither a success nor a failure reads as one: partial delivery and a cancelled test. */
static void
test_verdict_colours (void)
{
  const PostaciVerdict verdicts[] = {
    POSTACI_VERDICT_SUCCESS, POSTACI_VERDICT_PARTIAL, POSTACI_VERDICT_CANCELLED,
    POSTACI_VERDICT_REFUSED, POSTACI_VERDICT_TLS,
  };
  const char *const classes[] = {
    "verdict success", "verdict mixed", "verdict mixed", "verdict failure", "verdict failure",
  };
  g_autoptr(PostaciRequest) request = postaci_request_new ();
  g_autoptr(GPtrArray) events = g_ptr_array_new ();
  g_autoptr(GDateTime) date = report_date ();

  request->server = g_strdup ("mx.example");
  for (guint i = 0; i < G_N_ELEMENTS (verdicts); i++)
    {
      g_autoptr(PostaciOutcome) outcome = postaci_outcome_new ();
      g_autofree char *html = NULL;
      g_autofree char *line = NULL;
      Parsed parsed;

      outcome->verdict = verdicts[i];
      outcome->stage = POSTACI_STAGE_RCPT;
      outcome->reason = g_strdup ("reason");
      html = postaci_report_format (request, events, outcome, date, POSTACI_REPORT_HTML);
      line = postaci_outcome_get_verdict_line (outcome);
      parse_html (html, &parsed);
      g_assert_cmpstr (g_ptr_array_index (texts_of (&parsed, classes[i]), 0), ==, line);
      parsed_clear (&parsed);
    }
}

static void
test_format_names (void)
{
  PostaciReportFormat format;

  g_assert_true (postaci_report_format_from_string ("html", &format));
  g_assert_cmpint (format, ==, POSTACI_REPORT_HTML);
  g_assert_true (postaci_report_format_from_string ("markdown", &format));
  g_assert_cmpint (format, ==, POSTACI_REPORT_MARKDOWN);
  g_assert_false (postaci_report_format_from_string ("pdf", &format));
}

/* ------------------------------------------------------------------ */
/* Open Report: the run read back from the HTML, as it was             */
/* ------------------------------------------------------------------ */

static void
test_read_back (Fixture *fixture, gconstpointer data)
{
  g_autoptr(GPtrArray) events = run_full_session (fixture);
  const PostaciRequest *request = postaci_session_get_request (fixture->session);
  g_autofree char *html = session_report (fixture, events);
  g_autoptr(GError) error = NULL;
  g_autoptr(PostaciReportContents) contents = postaci_report_read (html, strlen (html), &error);
  g_autofree char *title = NULL;
  g_autofree char *read_text = NULL;
  g_autofree char *run_text = NULL;
  guint replies = 0;

  g_assert_no_error (error);
  g_assert_nonnull (contents);
  title = g_strdup_printf (_("SMTP test of %s, port %u"), request->server,
                           postaci_request_get_port (request));
  g_assert_cmpstr (contents->title, ==, title);

  /* Every event, with its kind, stage, time, words and the reply it carried. */
  g_assert_cmpuint (contents->events->len, ==, events->len);
  for (guint i = 0; i < events->len; i++)
    {
      const PostaciEvent *was = g_ptr_array_index (events, i);
      const PostaciEvent *is = g_ptr_array_index (contents->events, i);

      g_assert_cmpint (is->kind, ==, was->kind);
      g_assert_cmpint (is->stage, ==, was->stage);
      g_assert_cmpint (is->elapsed_ms, ==, was->elapsed_ms);
      g_assert_cmpstr (is->text, ==, was->text);
      g_assert_cmpstr (is->explanation, ==, was->explanation);
      g_assert_cmpstr (is->hint, ==, was->hint);
      if (was->kind == POSTACI_EVENT_STAGE)
        g_assert_cmpint (is->stage_status, ==, was->stage_status);
      g_assert_true ((is->reply == NULL) == (was->reply == NULL));
      if (was->reply != NULL)
        {
          g_autofree char *was_reply = postaci_reply_get_text (was->reply);
          g_autofree char *is_reply = postaci_reply_get_text (is->reply);

          g_assert_cmpuint (is->reply->code, ==, was->reply->code);
          g_assert_cmpstr (is_reply, ==, was_reply);
          g_assert_cmpint (is->command, ==, was->command);
          replies++;
        }
    }
  g_assert_cmpuint (replies, >=, 8);

  /* The verdict, where and why, and the times. */
  g_assert_nonnull (contents->outcome);
  g_assert_cmpint (contents->outcome->verdict, ==, fixture->outcome->verdict);
  g_assert_cmpint (contents->outcome->stage, ==, fixture->outcome->stage);
  g_assert_cmpstr (contents->outcome->reason, ==, fixture->outcome->reason);
  g_assert_cmpuint (contents->outcome->reply->code, ==, fixture->outcome->reply->code);
  g_assert_cmpint (contents->outcome->total_ms, ==, fixture->outcome->total_ms);
  for (guint i = 0; i < POSTACI_N_STAGES; i++)
    g_assert_cmpint (contents->outcome->stage_ms[i], ==, fixture->outcome->stage_ms[i]);

  /* So the transcript a colleague sees is the very text the person saw. */
  run_text = postaci_transcript_format_run (events, fixture->outcome, POSTACI_TRANSCRIPT_TEXT);
  read_text = postaci_transcript_format_run (contents->events, contents->outcome,
                                             POSTACI_TRANSCRIPT_TEXT);
  g_assert_cmpstr (read_text, ==, run_text);
}

/* A run the person stopped reads back as stopped: the stage's "cancelled" and the verdict's (the
 * reader once knew stage statuses only up to "skipped" and showed such a stage as under way). */
static void
test_read_back_cancelled (void)
{
  g_autoptr(PostaciRequest) request = postaci_request_new ();
  g_autoptr(GPtrArray) events =
    g_ptr_array_new_with_free_func ((GDestroyNotify) postaci_event_free);
  g_autoptr(PostaciOutcome) outcome = postaci_outcome_new ();
  g_autoptr(GDateTime) date = report_date ();
  g_autoptr(PostaciReportContents) contents = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *html = NULL;
  PostaciEvent *stage = postaci_event_new (POSTACI_EVENT_STAGE, POSTACI_STAGE_AUTH, "AUTH");
  const PostaciEvent *read;

  request->server = g_strdup ("mx.example");
  stage->stage_status = POSTACI_STAGE_STATUS_CANCELLED;
  g_ptr_array_add (events, stage);
  outcome->verdict = POSTACI_VERDICT_CANCELLED;
  outcome->stage = POSTACI_STAGE_AUTH;
  outcome->reason = g_strdup ("Stopped.");
  html = postaci_report_format (request, events, outcome, date, POSTACI_REPORT_HTML);
  contents = postaci_report_read (html, strlen (html), &error);
  g_assert_no_error (error);
  g_assert_cmpuint (contents->events->len, ==, 1);
  read = g_ptr_array_index (contents->events, 0);
  g_assert_cmpint (read->kind, ==, POSTACI_EVENT_STAGE);
  g_assert_cmpint (read->stage, ==, POSTACI_STAGE_AUTH);
  g_assert_cmpint (read->stage_status, ==, POSTACI_STAGE_STATUS_CANCELLED);
  g_assert_cmpint (contents->outcome->verdict, ==, POSTACI_VERDICT_CANCELLED);
  g_assert_cmpint (contents->outcome->stage, ==, POSTACI_STAGE_AUTH);
}

/* What is not a report says so; a damaged one too; a server's words cannot end the data. */
static void
test_read_errors (void)
{
  g_autoptr(PostaciRequest) request = postaci_request_new ();
  g_autoptr(GPtrArray) events =
    g_ptr_array_new_with_free_func ((GDestroyNotify) postaci_event_free);
  g_autoptr(GDateTime) date = report_date ();
  const char *evil = "550 </script><script>alert(1)</script> & \"x\"";
  g_autofree char *html = NULL;
  g_autofree char *markdown = NULL;
  g_autofree char *damaged = NULL;
  g_autoptr(PostaciReportContents) contents = NULL;
  GError *error = NULL;
  char *at;

  request->server = g_strdup ("mx.example");
  g_ptr_array_add (events, postaci_event_new (POSTACI_EVENT_SERVER, POSTACI_STAGE_RCPT, evil));
  html = postaci_report_format (request, events, NULL, date, POSTACI_REPORT_HTML);
  contents = postaci_report_read (html, strlen (html), &error);
  g_assert_no_error (error);
  g_assert_cmpuint (contents->events->len, ==, 1);
  g_assert_cmpstr (((PostaciEvent *) g_ptr_array_index (contents->events, 0))->text, ==, evil);
  g_assert_null (contents->outcome);

  markdown = postaci_report_format (request, events, NULL, date, POSTACI_REPORT_MARKDOWN);
  g_assert_null (postaci_report_read (markdown, strlen (markdown), &error));
  g_assert_error (error, POSTACI_REPORT_ERROR, POSTACI_REPORT_ERROR_NOT_A_REPORT);
  g_clear_error (&error);

  damaged = g_strdup (html);
  at = strstr (damaged, POSTACI_REPORT_RUN_OPEN "\n{");
  g_assert_nonnull (at);
  at[strlen (POSTACI_REPORT_RUN_OPEN "\n")] = '[';
  g_assert_null (postaci_report_read (damaged, strlen (damaged), &error));
  g_assert_error (error, POSTACI_REPORT_ERROR, POSTACI_REPORT_ERROR_DAMAGED);
  g_clear_error (&error);
}

int
main (int argc, char *argv[])
{
  turkish = test_setup_language ("test-report");
  g_test_init (&argc, &argv, NULL);

  g_test_add ("/postaci/report/html", Fixture, NULL, fixture_setup, test_html, fixture_teardown);
  g_test_add ("/postaci/report/markdown", Fixture, NULL, fixture_setup, test_markdown,
              fixture_teardown);
  g_test_add_func ("/postaci/report/hostile-text", test_hostile_text);
  g_test_add_func ("/postaci/report/verdict-colours", test_verdict_colours);
  g_test_add_func ("/postaci/report/format-names", test_format_names);
  g_test_add ("/postaci/report/read-back", Fixture, NULL, fixture_setup, test_read_back,
              fixture_teardown);
  g_test_add_func ("/postaci/report/read-errors", test_read_errors);
  g_test_add_func ("/postaci/report/read-back-cancelled", test_read_back_cancelled);
  return g_test_run ();
}
