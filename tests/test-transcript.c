/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-transcript.c — how events and outcomes look as text, ANSI and JSON Lines; safe escaping. */
#include "config.h"

#include <string.h>
#include <json-glib/json-glib.h>

#include "postaci-reply-private.h"
#include "postaci-transcript.h"

static PostaciEvent *
server_event (void)
{
  PostaciEvent *event = postaci_event_new (POSTACI_EVENT_SERVER, POSTACI_STAGE_RCPT,
                                           "550 5.1.1 <x@example.com>: User unknown");
  event->elapsed_ms = 42;
  event->reply = postaci_reply_new_for_test (550, "5.1.1 <x@example.com>: User unknown");
  event->command = POSTACI_COMMAND_RCPT;
  event->explanation = g_strdup ("The mailbox does not exist.");
  event->hint = g_strdup ("Check the recipient address.");
  return event;
}

static void
test_text (void)
{
  g_autoptr(PostaciEvent) event = server_event ();
  g_autoptr(PostaciEvent) client = postaci_event_new (POSTACI_EVENT_CLIENT, POSTACI_STAGE_AUTH,
                                                      "AUTH PLAIN ****");
  g_autofree char *text = postaci_transcript_format_event (event, POSTACI_TRANSCRIPT_TEXT);
  g_autofree char *client_text = NULL;

  g_assert_cmpstr (text, ==,
                   "[    42 ms] S: 550 5.1.1 <x@example.com>: User unknown\n"
                   "            ↳ The mailbox does not exist.\n"
                   "            Try: Check the recipient address.\n");
  client->elapsed_ms = 7;
  client_text = postaci_transcript_format_event (client, POSTACI_TRANSCRIPT_TEXT);
  g_assert_cmpstr (client_text, ==, "[     7 ms] C: AUTH PLAIN ****\n");
}

static void
test_ansi (void)
{
  g_autoptr(PostaciEvent) event = server_event ();
  g_autofree char *text = postaci_transcript_format_event (event, POSTACI_TRANSCRIPT_ANSI);

  /* 5xx replies are red; everything is reset at the end of each piece. */
  g_assert_nonnull (strstr (text, "\033[31mS: 550"));
  g_assert_nonnull (strstr (text, "\033[0m"));
}

static void
test_stage_lines (void)
{
  g_autoptr(PostaciEvent) started = postaci_event_new (POSTACI_EVENT_STAGE, POSTACI_STAGE_EHLO, "EHLO");
  g_autoptr(PostaciEvent) passed = postaci_event_new (POSTACI_EVENT_STAGE, POSTACI_STAGE_EHLO, "EHLO");
  g_autofree char *a = NULL;
  g_autofree char *b = NULL;

  passed->stage_status = POSTACI_STAGE_STATUS_PASSED;
  a = postaci_transcript_format_event (started, POSTACI_TRANSCRIPT_TEXT);
  b = postaci_transcript_format_event (passed, POSTACI_TRANSCRIPT_TEXT);
  g_assert_cmpstr (a, ==, "[     0 ms] ── EHLO\n");
  g_assert_cmpstr (b, ==, "");
}

static void
test_jsonl (void)
{
  g_autoptr(PostaciEvent) event = server_event ();
  g_autofree char *line = postaci_transcript_format_event (event, POSTACI_TRANSCRIPT_JSONL);
  g_autoptr(JsonParser) parser = json_parser_new ();
  JsonObject *object;

  g_assert_true (g_str_has_suffix (line, "}\n"));
  g_assert_true (strchr (line, '\n') == line + strlen (line) - 1);
  g_assert_true (json_parser_load_from_data (parser, line, -1, NULL));
  object = json_node_get_object (json_parser_get_root (parser));
  g_assert_cmpint (json_object_get_int_member (object, "time_ms"), ==, 42);
  g_assert_cmpstr (json_object_get_string_member (object, "kind"), ==, "server");
  g_assert_cmpstr (json_object_get_string_member (object, "stage"), ==, "rcpt");
  g_assert_cmpint (json_object_get_int_member (object, "code"), ==, 550);
  g_assert_cmpstr (json_object_get_string_member (object, "enhanced"), ==, "5.1.1");
  g_assert_cmpstr (json_object_get_string_member (object, "command"), ==, "RCPT");
  g_assert_cmpstr (json_object_get_string_member (object, "hint"), ==, "Check the recipient address.");
}

static void
test_outcome (void)
{
  g_autoptr(PostaciOutcome) outcome = postaci_outcome_new ();
  g_autofree char *text = NULL;
  g_autofree char *json = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  JsonObject *object;

  outcome->verdict = POSTACI_VERDICT_REFUSED;
  outcome->stage = POSTACI_STAGE_MAIL;
  outcome->reason = g_strdup ("The server refused the run at the “MAIL” step with reply 550.");
  outcome->hint = g_strdup ("Turn on authentication.");
  outcome->stage_ms[POSTACI_STAGE_CONNECT] = 3;
  text = postaci_transcript_format_outcome (outcome, POSTACI_TRANSCRIPT_TEXT);
  /* A failure's hint stood under the reply that refused: the verdict is the headline alone. */
  g_assert_cmpstr (text, ==, "Result: failed. The server refused the run at the “MAIL” step "
                             "with reply 550.\n");

  json = postaci_transcript_format_outcome (outcome, POSTACI_TRANSCRIPT_JSONL);
  g_assert_true (json_parser_load_from_data (parser, json, -1, NULL));
  object = json_node_get_object (json_parser_get_root (parser));
  g_assert_cmpstr (json_object_get_string_member (object, "kind"), ==, "outcome");
  g_assert_cmpstr (json_object_get_string_member (object, "verdict"), ==, "refused");
  g_assert_cmpint (json_object_get_int_member (object, "exit_status"), ==, 1);
  g_assert_cmpint (json_object_get_int_member (json_object_get_object_member (object, "stage_ms"),
                                               "connect"), ==, 3);
  g_assert_false (json_object_has_member (json_object_get_object_member (object, "stage_ms"), "data"));
}

/* Server bytes can neither drive a terminal nor reorder what is shown. */
static void
test_escape (void)
{
  static const struct {
    const char *in;
    gssize len;
    const char *out;
  } cases[] = {
    { "plain ığüşöç", -1, "plain ığüşöç" },
    { "\033[31mred\033[0m", -1, "\\x1B[31mred\\x1B[0m" },
    { "cr\rlf\n", -1, "cr\\x0Dlf\\x0A" },
    { "nul\0x", 5, "nul\\x00x" },
    { "bad \xff\xfe utf8", -1, "bad \\xFF\\xFE utf8" },
    { "c1 \xc2\x9b" "31m", -1, "c1 \\u009B31m" },
    { "rtl \xe2\x80\xae" "gnp.exe", -1, "rtl \\u202Egnp.exe" },
    { "back\\slash", -1, "back\\\\slash" },
    { "tab\tok", -1, "tab\tok" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *out = postaci_escape_text (cases[i].in, cases[i].len);
      g_assert_cmpstr (out, ==, cases[i].out);
      g_assert_true (g_utf8_validate (out, -1, NULL));
    }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/postaci/transcript/text", test_text);
  g_test_add_func ("/postaci/transcript/ansi", test_ansi);
  g_test_add_func ("/postaci/transcript/stage-lines", test_stage_lines);
  g_test_add_func ("/postaci/transcript/jsonl", test_jsonl);
  g_test_add_func ("/postaci/transcript/outcome", test_outcome);
  g_test_add_func ("/postaci/transcript/escape", test_escape);
  return g_test_run ();
}
