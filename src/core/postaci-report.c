/* SPDX-License-Identifier: GPL-3.0-or-later */
/* postaci-report.c — a finished test as one document a helpdesk attaches to a ticket. */
#define G_LOG_DOMAIN "postaci-report"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "postaci-catalog.h"
#include "postaci-event.h"
#include "postaci-report.h"
#include "postaci-report-reader.h"
#include "postaci-transcript.h"

/* Colours that keep 4.5:1 (WCAG AA) on their background, light and dark; no outside
 * resources, so the file reads the same in a mail client, a browser or a ticket's preview.
 * No '>' or '&' here: the document stays well-formed XML. */
static const char report_css[] =
  "body{font:15px/1.45 system-ui,'Cantarell','Segoe UI',sans-serif;margin:2em auto;"
  "max-width:60em;padding:0 1em;color:#1e1e1e;background:#fff}"
  "h1{font-size:1.5em;margin-bottom:.2em}h2{font-size:1.15em;margin-top:1.6em}"
  "table{border-collapse:collapse}th,td{text-align:left;vertical-align:top;"
  "padding:.2em 1em .2em 0}th{font-weight:600}"
  ".verdict{font-size:1.15em;font-weight:700;padding:.6em .8em;border-radius:6px}"
  ".success{color:#0f5323;background:#e3f5e8}.failure{color:#8a1420;background:#fbe5e7}"
  ".mixed{color:#6b4500;background:#fdf1d8}"
  ".transcript{font:13px/1.4 ui-monospace,'Source Code Pro','DejaVu Sans Mono',monospace;"
  "background:#f6f6f6;padding:.8em;border-radius:6px;overflow-x:auto}"
  ".line{white-space:pre-wrap;word-break:break-word}.time,.stage-skipped{color:#5e5e5e}"
  ".stage{font-weight:700;margin-top:.4em}.client{color:#0b5a8a}.tls{color:#7a2d8f}"
  ".info{color:#5e5e5e}.reply-2,.reply-ok{color:#1a6b2f}.reply-3{color:#1c4fa0}"
  ".reply-4,.warning{color:#8a5a00}.reply-5,.error{color:#b3141f;font-weight:600}"
  ".explanation{color:#4a4a4a;padding-left:2em}.hint{color:#6b4500;padding-left:2em}"
  "footer{margin-top:2em;color:#5e5e5e;font-size:.9em}"
  "@media (prefers-color-scheme:dark){body{color:#e8e8e8;background:#1e1e1e}"
  ".transcript{background:#2a2a2a}.time,.stage-skipped,.info,footer{color:#a8a8a8}"
  ".client{color:#7cc4f0}.tls{color:#d9a6ea}.reply-2,.reply-ok{color:#7ddc94}"
  ".reply-3{color:#9bbcf5}.reply-4,.warning,.hint{color:#f2c366}"
  ".reply-5,.error{color:#ff8f8f}.explanation{color:#c8c8c8}"
  ".success{color:#bdf0c9;background:#1d3b25}.failure{color:#ffd0d4;background:#4a1d22}"
  ".mixed{color:#fbe2b0;background:#46360f}}";

/* One row of a two-column table: a setting and its value, or a stage and its time. */
typedef struct
{
  char *label;
  char *value;
} Row;

static void
row_free (gpointer data)
{
  Row *row = data;

  g_free (row->label);
  g_free (row->value);
  g_free (row);
}

static void
add_row (GPtrArray *rows, const char *label, char *value)
{
  Row *row = g_new0 (Row, 1);

  row->label = g_strdup (label);
  row->value = value;
  g_ptr_array_add (rows, row);
}

static const char *
security_label (PostaciSecurity security)
{
  switch (security)
    {
    case POSTACI_SECURITY_NONE:
      return _ ("None");
    case POSTACI_SECURITY_STARTTLS:
      return "STARTTLS";
    case POSTACI_SECURITY_TLS:
      return "SSL/TLS";
    case POSTACI_SECURITY_AUTO:
    default:
      return _ ("Automatic");
    }
}

/* The choices of the window's “How far to go”, so a report reads like the form. */
static const char *
stop_after_label (PostaciStage stage)
{
  static const char *const labels[POSTACI_N_STAGES] = {
    [POSTACI_STAGE_CONNECT] = N_ ("Stop after connecting"),
    [POSTACI_STAGE_GREETING] = N_ ("Stop after the greeting"),
    [POSTACI_STAGE_EHLO] = N_ ("Stop after EHLO"),
    [POSTACI_STAGE_TLS] = N_ ("Stop after encryption (TLS)"),
    [POSTACI_STAGE_AUTH] = N_ ("Stop after logging in (AUTH)"),
    [POSTACI_STAGE_MAIL] = N_ ("Stop after the sender (MAIL)"),
    [POSTACI_STAGE_RCPT] = N_ ("Stop after the recipients (RCPT)"),
    [POSTACI_STAGE_DATA] = N_ ("Stop after the message text (DATA)"),
    [POSTACI_STAGE_QUIT] = N_ ("Send the message"),
  };

  if (stage >= POSTACI_N_STAGES)
    stage = POSTACI_STAGE_QUIT;
  return _ (labels[stage]);
}

static const char *
yes_no (gboolean value)
{
  return value ? _ ("Yes") : _ ("No");
}

/* What the run was asked to do, labelled as the window labels its fields. The password is
 * never read: its row says only that the report leaves it out. */
static GPtrArray *
collect_settings (const PostaciRequest *request)
{
  GPtrArray *settings = g_ptr_array_new_with_free_func (row_free);

  add_row (settings, _ ("SMTP server"), g_strdup (request->server ? request->server : ""));
  add_row (settings, _ ("Port"), g_strdup_printf ("%u", postaci_request_get_port (request)));
  add_row (settings, _ ("Security"), g_strdup (security_label (request->security)));
  add_row (settings, _ ("Server requires authentication"), g_strdup (yes_no (request->auth)));
  if (request->auth)
    {
      add_row (settings, _ ("User name"), g_strdup (request->username ? request->username : ""));
      add_row (settings, _ ("Password"), g_strdup (_ ("not included in this report")));
      add_row (settings, _ ("Mechanism"),
               g_strdup (request->mechanism == POSTACI_MECHANISM_AUTO
                           ? _ ("Automatic")
                           : postaci_mechanism_get_sasl_name (request->mechanism)));
      add_row (settings, _ ("Allow the password without encryption"),
               g_strdup (yes_no (request->allow_plain_auth)));
    }
  add_row (settings, _ ("From"), g_strdup (request->from ? request->from : ""));
  if (request->recipients != NULL)
    {
      g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
      g_auto(GStrv) recipients = NULL;

      for (guint i = 0; i < request->recipients->len; i++)
        g_strv_builder_add (builder, g_ptr_array_index (request->recipients, i));
      recipients = g_strv_builder_end (builder);
      add_row (settings, _ ("To"), g_strjoinv (", ", recipients));
    }
  if (request->subject != NULL && *request->subject != '\0')
    add_row (settings, _ ("Subject"), g_strdup (request->subject));
  add_row (settings, _ ("How far to go"), g_strdup (stop_after_label (request->stop_after)));
  add_row (settings, _ ("EHLO name"),
           g_strdup (request->ehlo_name && *request->ehlo_name ? request->ehlo_name
                                                               : _ ("this computer’s address")));
  add_row (settings, _ ("Seconds to wait for each reply"),
           g_strdup_printf ("%u", postaci_request_get_timeout (request)));
  add_row (
    settings, _ ("Trusted CA file"),
    g_strdup (request->ca_file && *request->ca_file ? request->ca_file : _ ("the system’s")));
  add_row (settings, _ ("Accept an invalid certificate"),
           g_strdup (yes_no (request->accept_invalid_certificate)));
  if (request->pinned_certificate != NULL)
    add_row (settings, _ ("Certificate pinned for this test"),
             g_strdup (_ ("Yes (the Local Test Server’s)")));
  return settings;
}

static GPtrArray *
collect_times (const PostaciOutcome *outcome)
{
  GPtrArray *times = g_ptr_array_new_with_free_func (row_free);

  for (guint i = 0; i < POSTACI_N_STAGES; i++)
    if (outcome->stage_ms[i] >= 0)
      add_row (times, postaci_stage_get_label ((PostaciStage) i),
               g_strdup_printf ("%" G_GINT64_FORMAT " ms", outcome->stage_ms[i]));
  add_row (times, _ ("Total"), g_strdup_printf ("%" G_GINT64_FORMAT " ms", outcome->total_ms));
  return times;
}

/* What the run learnt about the encryption and the certificate, or why there is nothing. */
static GPtrArray *
collect_tls_facts (GPtrArray *events)
{
  GPtrArray *facts = g_ptr_array_new ();

  for (guint i = 0; i < events->len; i++)
    {
      const PostaciEvent *event = g_ptr_array_index (events, i);

      if (event->kind == POSTACI_EVENT_TLS)
        g_ptr_array_add (facts, event->text);
    }
  return facts;
}

/* The class and prefix of a transcript line, as the text transcript writes it. */
static const char *
event_class (const PostaciEvent *event, const char **prefix)
{
  static const char *const classes[] = {
    [POSTACI_EVENT_STAGE] = "stage",  [POSTACI_EVENT_CLIENT] = "client",
    [POSTACI_EVENT_SERVER] = "reply", [POSTACI_EVENT_TLS] = "tls",
    [POSTACI_EVENT_INFO] = "info",    [POSTACI_EVENT_WARNING] = "warning",
    [POSTACI_EVENT_ERROR] = "error",
  };
  const char *const prefixes[] = {
    [POSTACI_EVENT_STAGE] = "──",
    [POSTACI_EVENT_CLIENT] = C_ ("transcript", "C:"),
    [POSTACI_EVENT_SERVER] = C_ ("transcript", "S:"),
    [POSTACI_EVENT_TLS] = "TLS:",
    [POSTACI_EVENT_INFO] = "··",
    [POSTACI_EVENT_WARNING] = _ ("Warning:"),
    [POSTACI_EVENT_ERROR] = _ ("Error:"),
  };
  guint kind = event->kind <= POSTACI_EVENT_ERROR ? event->kind : POSTACI_EVENT_ERROR;

  *prefix = prefixes[kind];
  return classes[kind];
}

/* A server line's colour follows its reply class, as in the terminal: 2xx, 3xx, 4xx, 5xx. */
static char
reply_class (const PostaciEvent *event)
{
  if (event->reply != NULL && event->reply->code >= 200 && event->reply->code < 600)
    return (char) ('0' + event->reply->code / 100);
  if (event->text[0] >= '2' && event->text[0] <= '5')
    return event->text[0];
  return '2';
}

static gboolean
event_is_shown (const PostaciEvent *event)
{
  /* Passed and failed stages show in the lines around them, as in the text transcript. */
  return event->kind != POSTACI_EVENT_STAGE ||
         event->stage_status == POSTACI_STAGE_STATUS_STARTED ||
         event->stage_status == POSTACI_STAGE_STATUS_SKIPPED;
}

static char *
event_line_text (const PostaciEvent *event, const char *prefix)
{
  if (event->kind == POSTACI_EVENT_STAGE && event->stage_status == POSTACI_STAGE_STATUS_SKIPPED)
    return g_strdup_printf (_ ("── %s: skipped"), event->text);
  return g_strdup_printf ("%s %s", prefix, event->text);
}

static void append_escaped (GString *out, const char *format, ...) G_GNUC_PRINTF (2, 3);

/* printf into HTML: every %s argument is escaped, the format itself is markup. */
static void
append_escaped (GString *out, const char *format, ...)
{
  va_list          args;
  g_autofree char *text = NULL;

  va_start (args, format);
  text = g_markup_vprintf_escaped (format, args);
  va_end (args);
  g_string_append (out, text);
}

static const char *
verdict_class (const PostaciOutcome *outcome)
{
  /* Neither a success nor a failure: "mixed", the warning colour, as in the window. */
  static const char *const classes[] = {
    [POSTACI_VERDICT_TONE_SUCCESS] = "success",
    [POSTACI_VERDICT_TONE_WARNING] = "mixed",
    [POSTACI_VERDICT_TONE_FAILURE] = "failure",
  };

  return classes[postaci_verdict_get_tone (outcome->verdict)];
}

static char *
title_for (const PostaciRequest *request)
{
  /* Translators: the title of a report; %s is the server, %u its port */
  return g_strdup_printf (_ ("SMTP test of %s, port %u"), request->server ? request->server : "",
                          postaci_request_get_port (request));
}

static char *
footer_for (GDateTime *when)
{
  g_autofree char *date = g_date_time_format (when, "%Y-%m-%d %H:%M:%S %Z");

  /* Translators: the last line of a report; the first %s is the version, the second the date */
  return g_strdup_printf (_ ("Made with Postacı %s on %s."), PACKAGE_VERSION, date);
}

static void
html_outcome (GString *out, const PostaciOutcome *outcome)
{
  g_autofree char *line = postaci_outcome_get_verdict_line (outcome);
  g_autofree char *summary = postaci_catalog_summarize_outcome (outcome);

  append_escaped (out, "<p class=\"verdict %s\">%s</p>\n", verdict_class (outcome), line);
  /* The summary ends with the hint; the last reply's explanation is in the transcript. */
  append_escaped (out, "<p class=\"summary\">%s</p>\n", summary);
}

static void
html_table (GString *out, const char *heading, const char *class, GPtrArray *rows)
{
  append_escaped (out, "<h2>%s</h2>\n<table class=\"%s\">\n", heading, class);
  for (guint i = 0; i < rows->len; i++)
    {
      const Row *row = g_ptr_array_index (rows, i);

      append_escaped (out, "<tr><th>%s</th><td>%s</td></tr>\n", row->label, row->value);
    }
  g_string_append (out, "</table>\n");
}

static void
html_tls_facts (GString *out, GPtrArray *facts)
{
  append_escaped (out, "<h2>%s</h2>\n", _ ("Encryption and certificate"));
  if (facts->len == 0)
    {
      append_escaped (out, "<p>%s</p>\n", _ ("This test used no encryption (TLS)."));
      return;
    }
  g_string_append (out, "<ul class=\"tls-facts\">\n");
  for (guint i = 0; i < facts->len; i++)
    append_escaped (out, "<li>%s</li>\n", (const char *) g_ptr_array_index (facts, i));
  g_string_append (out, "</ul>\n");
}

static void
html_transcript (GString *out, GPtrArray *events)
{
  append_escaped (out, "<h2>%s</h2>\n<div class=\"transcript\">\n", _ ("Transcript"));
  for (guint i = 0; i < events->len; i++)
    {
      const PostaciEvent *event = g_ptr_array_index (events, i);
      const char         *prefix = NULL;
      const char *class = event_class (event, &prefix);
      g_autofree char *time = NULL;
      g_autofree char *text = NULL;
      char             reply[] = "reply-0";

      if (!event_is_shown (event))
        continue;
      if (event->kind == POSTACI_EVENT_SERVER)
        {
          reply[6] = reply_class (event);
          class = reply;
        }
      else if (event->kind == POSTACI_EVENT_STAGE &&
               event->stage_status == POSTACI_STAGE_STATUS_SKIPPED)
        class = "stage-skipped";
      time = g_strdup_printf ("[%6" G_GINT64_FORMAT " ms]", event->elapsed_ms);
      text = event_line_text (event, prefix);
      append_escaped (out, "<div class=\"line %s\"><span class=\"time\">%s</span> %s</div>\n",
                      class, time, text);
      if (event->explanation != NULL && *event->explanation != '\0')
        append_escaped (out, "<div class=\"line explanation\">↳ %s</div>\n", event->explanation);
      if (event->hint != NULL && *event->hint != '\0')
        append_escaped (out, "<div class=\"line hint\">%s %s</div>\n", _ ("Try:"), event->hint);
    }
  g_string_append (out, "</div>\n");
}

/* The run once more for the window's Open Report (postaci-report-reader.c): the JSON Lines
 * a saved transcript has, in a data block that no browser runs or shows. */
static void
html_run_data (GString *out, GPtrArray *events, const PostaciOutcome *outcome)
{
  g_autofree char *jsonl =
    postaci_transcript_format_run (events, outcome, POSTACI_TRANSCRIPT_JSONL);

  append_escaped (out, POSTACI_REPORT_RUN_OPEN "\n%s" POSTACI_REPORT_RUN_CLOSE "\n", jsonl);
}

static char *
format_html (const PostaciRequest *request, GPtrArray *events, const PostaciOutcome *outcome,
             GPtrArray *settings, GPtrArray *facts, GDateTime *when)
{
  GString         *out = g_string_new (NULL);
  g_autofree char *title = title_for (request);
  g_autofree char *footer = footer_for (when);
  /* Translators: the language code of this translation, for the report's lang attribute */
  const char *lang = C_ ("language code", "en");

  append_escaped (out,
                  "<!DOCTYPE html>\n"
                  "<html xmlns=\"http://www.w3.org/1999/xhtml\" lang=\"%s\" xml:lang=\"%s\">\n"
                  "<head>\n<meta charset=\"utf-8\"/>\n"
                  "<meta name=\"generator\" content=\"Postacı %s\"/>\n"
                  "<title>%s</title>\n",
                  lang, lang, PACKAGE_VERSION, title);
  g_string_append_printf (out, "<style>%s</style>\n</head>\n<body>\n", report_css);
  append_escaped (out, "<h1>%s</h1>\n", title);
  if (outcome != NULL)
    html_outcome (out, outcome);
  html_table (out, _ ("Settings"), "settings", settings);
  if (outcome != NULL)
    {
      g_autoptr(GPtrArray) times = collect_times (outcome);
      html_table (out, _ ("Time per stage"), "times", times);
    }
  html_tls_facts (out, facts);
  html_transcript (out, events);
  append_escaped (out, "<footer class=\"footer\">%s</footer>\n", footer);
  html_run_data (out, events, outcome);
  g_string_append (out, "</body>\n</html>\n");
  return g_string_free (out, FALSE);
}

/* Markdown: a table cell holds one line, and a pipe would end it. */
static char *
markdown_cell (const char *text)
{
  GString *out = g_string_new (NULL);

  for (const char *p = text; *p != '\0'; p++)
    {
      if (*p == '|' || *p == '\\' || *p == '*' || *p == '_' || *p == '`' || *p == '<')
        g_string_append_c (out, '\\');
      g_string_append_c (out, *p == '\n' || *p == '\r' ? ' ' : *p);
    }
  return g_string_free (out, FALSE);
}

/* A fence longer than any run of backticks in the transcript, so a server cannot close it. */
static char *
markdown_fence (const char *text)
{
  guint longest = 0, run = 0;

  for (const char *p = text; *p != '\0'; p++)
    {
      run = *p == '`' ? run + 1 : 0;
      longest = MAX (longest, run);
    }
  return g_strnfill (MAX (3, longest + 1), '`');
}

static void
markdown_table (GString *out, const char *heading, const char *label, const char *value,
                GPtrArray *rows)
{
  g_string_append_printf (out, "\n## %s\n\n| %s | %s |\n|---|---|\n", heading, label, value);
  for (guint i = 0; i < rows->len; i++)
    {
      const Row       *row = g_ptr_array_index (rows, i);
      g_autofree char *left = markdown_cell (row->label);
      g_autofree char *right = markdown_cell (row->value);

      g_string_append_printf (out, "| %s | %s |\n", left, right);
    }
}

static char *
format_markdown (const PostaciRequest *request, GPtrArray *events, const PostaciOutcome *outcome,
                 GPtrArray *settings, GPtrArray *facts, GDateTime *when)
{
  GString         *out = g_string_new (NULL);
  g_autofree char *title = title_for (request);
  g_autofree char *footer = footer_for (when);
  g_autofree char *transcript =
    postaci_transcript_format_run (events, NULL, POSTACI_TRANSCRIPT_TEXT);
  g_autofree char *fence = markdown_fence (transcript);
  g_autofree char *heading = markdown_cell (title);

  g_string_append_printf (out, "# %s\n\n", heading);
  if (outcome != NULL)
    {
      g_autofree char *line = postaci_outcome_get_verdict_line (outcome);
      g_autofree char *summary = postaci_catalog_summarize_outcome (outcome);
      g_autofree char *bold = markdown_cell (line);
      g_autofree char *plain = markdown_cell (summary);

      g_string_append_printf (out, "**%s**\n\n%s\n", bold, plain);
    }
  markdown_table (out, _ ("Settings"), _ ("Setting"), _ ("Value"), settings);
  if (outcome != NULL)
    {
      g_autoptr(GPtrArray) times = collect_times (outcome);
      markdown_table (out, _ ("Time per stage"), _ ("Stage"), _ ("Time"), times);
    }

  g_string_append_printf (out, "\n## %s\n\n", _ ("Encryption and certificate"));
  for (guint i = 0; i < facts->len; i++)
    {
      g_autofree char *text = markdown_cell (g_ptr_array_index (facts, i));
      g_string_append_printf (out, "- %s\n", text);
    }
  if (facts->len == 0)
    g_string_append_printf (out, "%s\n", _ ("This test used no encryption (TLS)."));

  g_string_append_printf (out, "\n## %s\n\n%stext\n%s%s\n\n_%s_\n", _ ("Transcript"), fence,
                          transcript, fence, footer);
  return g_string_free (out, FALSE);
}

char *
postaci_report_format (const PostaciRequest *request, GPtrArray *events,
                       const PostaciOutcome *outcome, GDateTime *when, PostaciReportFormat format)
{
  g_autoptr(GPtrArray) settings = NULL;
  g_autoptr(GPtrArray) facts = NULL;
  g_autoptr(GDateTime) now = NULL;

  g_return_val_if_fail (request != NULL, NULL);
  g_return_val_if_fail (events != NULL, NULL);

  if (when == NULL)
    when = now = g_date_time_new_now_local ();
  settings = collect_settings (request);
  facts = collect_tls_facts (events);
  if (format == POSTACI_REPORT_MARKDOWN)
    return format_markdown (request, events, outcome, settings, facts, when);
  return format_html (request, events, outcome, settings, facts, when);
}

gboolean
postaci_report_format_from_string (const char *str, PostaciReportFormat *out)
{
  g_return_val_if_fail (out != NULL, FALSE);

  if (g_strcmp0 (str, "html") == 0)
    *out = POSTACI_REPORT_HTML;
  else if (g_strcmp0 (str, "markdown") == 0)
    *out = POSTACI_REPORT_MARKDOWN;
  else
    return FALSE;
  return TRUE;
}
