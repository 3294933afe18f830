/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-pipelining.c — PIPELINING (RFC 2920): the real PostaciSession against the scripted server.
 *
 * The batch is proved on the wire: the server takes MAIL FROM, every RCPT TO and DATA in one
 * read (TS_EXPECT_READ) before it sends a single reply, so a client that waited for a reply
 * would never get one. The transcript is proved line by line: each reply stands under its own
 * command and is read as the answer to it, exactly as when the commands go one by one. */
#include "config.h"

#include <string.h>

#include "session-fixture.h"

#define EHLO_PIPELINING "250-mx.test\r\n250-PIPELINING\r\n250 ENHANCEDSTATUSCODES\r\n"
#define C_MAIL "MAIL FROM:<ali@example.com>\r\n"
#define C_RCPT_VELI "RCPT TO:<veli@example.com>\r\n"
#define C_RCPT_AYSE "RCPT TO:<ayse@example.com>\r\n"
#define C_RCPT_CAN "RCPT TO:<can@example.com>\r\n"
#define BATCH C_MAIL C_RCPT_VELI C_RCPT_AYSE C_RCPT_CAN "DATA\r\n"

#define R_MAIL_OK "250 2.1.0 Ok\r\n"
#define R_RCPT_OK "250 2.1.5 Ok\r\n"
#define R_RCPT_UNKNOWN "550 5.1.1 User unknown\r\n"
#define R_354 "354 End data with <CR><LF>.<CR><LF>\r\n"

/* Up to the first command after EHLO, with PIPELINING offered; QUIT, alone, and goodbye. */
#define TO_ENVELOPE TS_HELLO (EHLO_PIPELINING)
/* STARTTLS alone in its write (never part of a batch), the handshake, and the second EHLO
 * answered with @ehlo_after; the first EHLO answered with @ehlo_before. */
#define TO_TLS(ehlo_before, ehlo_after)                                                         \
  TS_HELLO (ehlo_before), TS_EXPECT_READ ("STARTTLS\r\n"), TS_SEND ("220 2.0.0 go ahead\r\n"), \
    TS_STARTTLS, TS_EXPECT ("EHLO client.example"), TS_SEND (ehlo_after)
/* The whole envelope and DATA in one read, answered with @replies in one write. */
#define BATCH_ANSWERED(replies) TO_ENVELOPE, TS_EXPECT_READ (BATCH), TS_SEND (replies)
#define BYE TS_EXPECT_READ ("QUIT\r\n"), TS_SEND ("221 2.0.0 bye\r\n"), TS_END

/* What a person reads of the envelope, from MAIL FROM on: "C: line" for each command and
 * "S (COMMAND): line" for the last line of each reply, with the command it was read as
 * answering; the message's own header lines (after 354) are left out. */
static char *
conversation (Fixture *fixture)
{
  GPtrArray *events = postaci_session_get_events (fixture->session);
  GString *out = g_string_new (NULL);
  gboolean started = FALSE;
  gboolean in_body = FALSE;

  for (guint i = 0; i < events->len; i++)
    {
      const PostaciEvent *event = g_ptr_array_index (events, i);

      if (event->kind == POSTACI_EVENT_CLIENT && g_str_has_prefix (event->text, "MAIL FROM:"))
        started = TRUE;
      if (!started)
        continue;
      if (event->kind == POSTACI_EVENT_CLIENT && !in_body)
        g_string_append_printf (out, "C: %s\n", event->text);
      else if (event->kind == POSTACI_EVENT_CLIENT && g_str_equal (event->text, "."))
        {
          in_body = FALSE;
          g_string_append (out, "C: .\n");
        }
      else if (event->kind == POSTACI_EVENT_SERVER && event->reply != NULL)
        {
          g_string_append_printf (out, "S (%s): %s\n", postaci_command_to_string (event->command),
                                  event->text);
          in_body = event->reply->code == 354 && event->command == POSTACI_COMMAND_DATA &&
                    fixture->outcome->verdict != POSTACI_VERDICT_REFUSED;
        }
    }
  return g_string_free (out, FALSE);
}

/* The event that says the envelope went out as one batch, and that it comes right before the
 * first command of the batch. */
static void
assert_batch_announced (Fixture *fixture, const char *words)
{
  GPtrArray *events = postaci_session_get_events (fixture->session);

  for (guint i = 1; i < events->len; i++)
    {
      const PostaciEvent *event = g_ptr_array_index (events, i);
      const PostaciEvent *before = g_ptr_array_index (events, i - 1);

      if (event->kind != POSTACI_EVENT_CLIENT || !g_str_has_prefix (event->text, "MAIL FROM:"))
        continue;
      g_assert_cmpint (before->kind, ==, POSTACI_EVENT_INFO);
      g_assert_nonnull (strstr (before->text, words));
      return;
    }
  g_assert_not_reached ();
}

/* The set-up of most tests here: a plain server with @script, and a request without
 * encryption for veli, ayse and can. */
static PostaciRequest *
three_recipients (Fixture *fixture, const PostaciScriptStep *script)
{
  PostaciRequest *request = serve (fixture, script, POSTACI_SCRIPTED_SERVER_PLAIN, NULL,
                                   POSTACI_SECURITY_NONE);

  postaci_request_add_recipients (request, "ayse@example.com, can@example.com");
  return request;
}

/* Runs three_recipients() to its end; the server saw exactly its script. */
static void
run_three (Fixture *fixture, const PostaciScriptStep *script)
{
  run (fixture, three_recipients (fixture, script));
  assert_server_ok (fixture);
}

/* The same with STARTTLS (the server has a certificate) and veli alone. */
static void
run_starttls (Fixture *fixture, const PostaciScriptStep *script)
{
  run (fixture, serve (fixture, script, POSTACI_SCRIPTED_SERVER_PLAIN, "server",
                       POSTACI_SECURITY_STARTTLS));
  assert_server_ok (fixture);
}

/* The conversation of a successful run with three recipients, the same with and without
 * pipelining. */
#define ACCEPTED_CONVERSATION \
  "C: MAIL FROM:<ali@example.com>\n" \
  "S (MAIL): 250 2.1.0 Ok\n" \
  "C: RCPT TO:<veli@example.com>\n" \
  "S (RCPT): 250 2.1.5 Ok\n" \
  "C: RCPT TO:<ayse@example.com>\n" \
  "S (RCPT): 250 2.1.5 Ok\n" \
  "C: RCPT TO:<can@example.com>\n" \
  "S (RCPT): 250 2.1.5 Ok\n" \
  "C: DATA\n" \
  "S (DATA): 354 End data with <CR><LF>.<CR><LF>\n" \
  "C: .\n" \
  "S (.): 250 2.0.0 queued as 1\n" \
  "C: QUIT\n" \
  "S (QUIT): 221 2.0.0 bye\n"

static void
test_batch (Fixture *fixture, gconstpointer data)
{
  const PostaciScriptStep script[] = {
    /* All of it in one read, before any reply: one round trip. */
    BATCH_ANSWERED (R_MAIL_OK R_RCPT_OK R_RCPT_OK R_RCPT_OK R_354),
    TS_READ_DATA,
    TS_SEND ("250 2.0.0 queued as 1\r\n"),
    BYE,
  };
  g_autoptr(GBytes) payload = NULL;
  g_autofree char *body = NULL;
  g_autofree char *expected = NULL;
  g_autofree char *got = NULL;
  g_autofree char *said = NULL;

  run_three (fixture, script);
  assert_outcome (fixture, POSTACI_VERDICT_SUCCESS, POSTACI_STAGE_DATA, POSTACI_EXIT_SUCCESS);
  g_assert_cmpuint (fixture->outcome->recipients_accepted, ==, 3);
  payload = postaci_scripted_server_get_data (fixture->server);
  body = g_strndup (g_bytes_get_data (payload, NULL), g_bytes_get_size (payload));
  expected = g_strconcat ("EHLO client.example\r\n" BATCH, body, ".\r\nQUIT\r\n", NULL);
  got = received (fixture);
  g_assert_cmpstr (got, ==, expected);

  said = conversation (fixture);
  g_assert_cmpstr (said, ==, ACCEPTED_CONVERSATION);
  assert_batch_announced (fixture, "MAIL FROM, RCPT TO for 3 recipients and DATA go out together");
}

/* --no-pipelining: one command per write, each after the reply to the one before; the
 * transcript reads exactly as with pipelining. */
static void
test_turned_off (Fixture *fixture, gconstpointer data)
{
  const PostaciScriptStep script[] = {
    TO_ENVELOPE,
    TS_EXPECT_READ (C_MAIL),
    TS_SEND (R_MAIL_OK),
    TS_EXPECT_READ (C_RCPT_VELI),
    TS_SEND (R_RCPT_OK),
    TS_EXPECT_READ (C_RCPT_AYSE),
    TS_SEND (R_RCPT_OK),
    TS_EXPECT_READ (C_RCPT_CAN),
    TS_SEND (R_RCPT_OK),
    TS_EXPECT_READ ("DATA\r\n"),
    TS_SEND (R_354),
    TS_READ_DATA,
    TS_SEND ("250 2.0.0 queued as 1\r\n"),
    BYE,
  };
  PostaciRequest *request;
  g_autofree char *said = NULL;

  request = three_recipients (fixture, script);
  request->no_pipelining = TRUE;
  run (fixture, request);

  assert_server_ok (fixture);
  assert_outcome (fixture, POSTACI_VERDICT_SUCCESS, POSTACI_STAGE_DATA, POSTACI_EXIT_SUCCESS);
  said = conversation (fixture);
  g_assert_cmpstr (said, ==, ACCEPTED_CONVERSATION);
  g_assert_null (strstr (fixture->transcript->str, "PIPELINING (RFC 2920)"));
}

/* MAIL FROM refused: the verdict is MAIL's, exactly as without pipelining; the replies to the
 * commands behind it are still read, each under its command, explained without advice, and
 * only then QUIT. */
static void
test_mail_refused (Fixture *fixture, gconstpointer data)
{
  const PostaciScriptStep script[] = {
    BATCH_ANSWERED ("550 5.7.1 Sender address rejected: not owned by user\r\n"
                    "503 5.5.1 need MAIL\r\n503 5.5.1 need MAIL\r\n503 5.5.1 need MAIL\r\n"
                    "554 5.5.1 no valid recipients\r\n"),
    BYE,
  };
  GPtrArray *events;
  g_autofree char *got = NULL;
  g_autofree char *said = NULL;

  run_three (fixture, script);
  assert_outcome (fixture, POSTACI_VERDICT_REFUSED, POSTACI_STAGE_MAIL, POSTACI_EXIT_REFUSED);
  g_assert_nonnull (fixture->outcome->reply);
  g_assert_cmpuint (fixture->outcome->reply->code, ==, 550);
  g_assert_cmpint (fixture->outcome->command, ==, POSTACI_COMMAND_MAIL);
  g_assert_nonnull (strstr (fixture->outcome->reason, "“MAIL” step with reply 550"));
  g_assert_nonnull (fixture->outcome->hint);
  got = received (fixture);
  g_assert_cmpstr (got, ==, "EHLO client.example\r\n" BATCH "QUIT\r\n");

  said = conversation (fixture);
  g_assert_cmpstr (said, ==,
                   "C: MAIL FROM:<ali@example.com>\n"
                   "S (MAIL): 550 5.7.1 Sender address rejected: not owned by user\n"
                   "C: RCPT TO:<veli@example.com>\n"
                   "S (RCPT): 503 5.5.1 need MAIL\n"
                   "C: RCPT TO:<ayse@example.com>\n"
                   "S (RCPT): 503 5.5.1 need MAIL\n"
                   "C: RCPT TO:<can@example.com>\n"
                   "S (RCPT): 503 5.5.1 need MAIL\n"
                   "C: DATA\n"
                   "S (DATA): 554 5.5.1 no valid recipients\n"
                   "C: QUIT\n"
                   "S (QUIT): 221 2.0.0 bye\n");
  g_assert_nonnull (strstr (fixture->transcript->str,
                            "The commands pipelined behind it were sent already; their replies "
                            "are read before QUIT."));
  /* Every reply explained; advice only under the one that failed the run. */
  events = postaci_session_get_events (fixture->session);
  for (guint i = 0; i < events->len; i++)
    {
      const PostaciEvent *event = g_ptr_array_index (events, i);

      if (event->kind != POSTACI_EVENT_SERVER || event->reply == NULL)
        continue;
      g_assert_nonnull (event->explanation);
      if (event->reply->code == 550)
        g_assert_nonnull (event->hint);
      else
        g_assert_null (event->hint);
    }
}

/* Every recipient refused, and still a 354 to DATA: a lone "." ends the message empty
 * (RFC 2920 §3.1), not a byte of it is sent, and the verdict is RCPT's. */
static void
test_no_recipient_lone_dot (Fixture *fixture, gconstpointer data)
{
  const PostaciScriptStep script[] = {
    BATCH_ANSWERED (R_MAIL_OK R_RCPT_UNKNOWN R_RCPT_UNKNOWN R_RCPT_UNKNOWN R_354),
    TS_EXPECT_READ (".\r\n"),
    TS_SEND ("554 5.5.1 Error: no valid recipients\r\n"),
    BYE,
  };
  g_autofree char *got = NULL;
  g_autofree char *said = NULL;

  run_three (fixture, script);
  assert_outcome (fixture, POSTACI_VERDICT_REFUSED, POSTACI_STAGE_RCPT, POSTACI_EXIT_REFUSED);
  g_assert_cmpuint (fixture->outcome->reply->code, ==, 550);
  g_assert_cmpint (fixture->outcome->command, ==, POSTACI_COMMAND_RCPT);
  g_assert_cmpuint (fixture->outcome->recipients_refused, ==, 3);
  g_assert_nonnull (strstr (fixture->outcome->reason, "“RCPT”"));
  got = received (fixture);
  g_assert_cmpstr (got, ==, "EHLO client.example\r\n" BATCH ".\r\nQUIT\r\n");

  said = conversation (fixture);
  g_assert_cmpstr (said, ==,
                   "C: MAIL FROM:<ali@example.com>\n"
                   "S (MAIL): 250 2.1.0 Ok\n"
                   "C: RCPT TO:<veli@example.com>\n"
                   "S (RCPT): 550 5.1.1 User unknown\n"
                   "C: RCPT TO:<ayse@example.com>\n"
                   "S (RCPT): 550 5.1.1 User unknown\n"
                   "C: RCPT TO:<can@example.com>\n"
                   "S (RCPT): 550 5.1.1 User unknown\n"
                   "C: DATA\n"
                   "S (DATA): 354 End data with <CR><LF>.<CR><LF>\n"
                   "C: .\n"
                   "S (.): 554 5.5.1 Error: no valid recipients\n"
                   "C: QUIT\n"
                   "S (QUIT): 221 2.0.0 bye\n");
  g_assert_nonnull (strstr (fixture->transcript->str,
                            "a lone “.” ends it without any text, as RFC 2920 asks"));
}

/* One recipient refused among three: as without pipelining, the message goes to the others
 * and the run is a partial delivery. */
static void
test_partial (Fixture *fixture, gconstpointer data)
{
  const PostaciScriptStep script[] = {
    BATCH_ANSWERED (R_MAIL_OK R_RCPT_OK R_RCPT_UNKNOWN R_RCPT_OK R_354),
    TS_READ_DATA,
    TS_SEND ("250 2.0.0 queued as 1\r\n"),
    BYE,
  };

  run_three (fixture, script);
  assert_outcome (fixture, POSTACI_VERDICT_PARTIAL, POSTACI_STAGE_DATA, POSTACI_EXIT_PARTIAL);
  g_assert_cmpuint (fixture->outcome->recipients_accepted, ==, 2);
  g_assert_cmpstr (fixture->outcome->refused_recipients[0], ==, "ayse@example.com");
  g_assert_null (fixture->outcome->refused_recipients[1]);
  g_assert_nonnull (strstr (fixture->transcript->str,
                            "The server refused the recipient ayse@example.com."));
}

/* A refusal of DATA itself is reported as without pipelining: DATA's reply, then QUIT. */
static void
test_data_refused (Fixture *fixture, gconstpointer data)
{
  const PostaciScriptStep script[] = {
    BATCH_ANSWERED (R_MAIL_OK R_RCPT_OK R_RCPT_OK R_RCPT_OK "554 5.7.1 Not today\r\n"),
    BYE,
  };
  g_autofree char *got = NULL;

  run_three (fixture, script);
  assert_outcome (fixture, POSTACI_VERDICT_REFUSED, POSTACI_STAGE_DATA, POSTACI_EXIT_REFUSED);
  g_assert_cmpuint (fixture->outcome->reply->code, ==, 554);
  g_assert_cmpint (fixture->outcome->command, ==, POSTACI_COMMAND_DATA);
  got = received (fixture);
  g_assert_cmpstr (got, ==, "EHLO client.example\r\n" BATCH "QUIT\r\n");
}

/* A run that stops after RCPT pipelines the envelope without DATA. */
static void
test_stop_after_rcpt (Fixture *fixture, gconstpointer data)
{
  const PostaciScriptStep script[] = {
    TO_ENVELOPE,
    TS_EXPECT_READ (C_MAIL C_RCPT_VELI C_RCPT_AYSE C_RCPT_CAN),
    TS_SEND (R_MAIL_OK R_RCPT_OK R_RCPT_OK R_RCPT_OK),
    BYE,
  };
  PostaciRequest *request;

  request = three_recipients (fixture, script);
  request->stop_after = POSTACI_STAGE_RCPT;
  run (fixture, request);

  assert_server_ok (fixture);
  assert_outcome (fixture, POSTACI_VERDICT_SUCCESS, POSTACI_STAGE_RCPT, POSTACI_EXIT_SUCCESS);
  assert_batch_announced (fixture, "MAIL FROM and RCPT TO for 3 recipients go out together");
}

/* STARTTLS is never part of a batch, and PIPELINING offered before TLS counts for nothing
 * after it: without it in the second EHLO, the commands go one by one. */
static void
test_forgotten_after_starttls (Fixture *fixture, gconstpointer data)
{
  const PostaciScriptStep script[] = {
    TO_TLS ("250-mx.test\r\n250-PIPELINING\r\n250 STARTTLS\r\n", "250 mx.test\r\n"),
    TS_EXPECT_READ (C_MAIL),
    TS_SEND (R_MAIL_OK),
    TS_EXPECT_READ (C_RCPT_VELI),
    TS_SEND (R_RCPT_OK),
    TS_EXPECT_READ ("DATA\r\n"),
    TS_SEND (R_354),
    TS_READ_DATA,
    TS_SEND ("250 2.0.0 queued\r\n"),
    BYE,
  };

  run_starttls (fixture, script);
  assert_outcome (fixture, POSTACI_VERDICT_SUCCESS, POSTACI_STAGE_DATA, POSTACI_EXIT_SUCCESS);
  g_assert_null (strstr (fixture->transcript->str, "PIPELINING (RFC 2920)"));
}

/* Offered inside TLS: the batch is one TLS write, read by the server in one piece. */
static void
test_batch_inside_tls (Fixture *fixture, gconstpointer data)
{
  const PostaciScriptStep script[] = {
    TO_TLS ("250-mx.test\r\n250 STARTTLS\r\n", EHLO_PIPELINING),
    TS_EXPECT_READ (C_MAIL C_RCPT_VELI "DATA\r\n"),
    TS_SEND (R_MAIL_OK R_RCPT_OK R_354),
    TS_READ_DATA,
    TS_SEND ("250 2.0.0 queued\r\n"),
    BYE,
  };

  run_starttls (fixture, script);
  assert_outcome (fixture, POSTACI_VERDICT_SUCCESS, POSTACI_STAGE_DATA, POSTACI_EXIT_SUCCESS);
  g_assert_true (fixture->outcome->tls_used);
  assert_batch_announced (fixture, "MAIL FROM, RCPT TO for 1 recipient and DATA go out together");
}

/* A hundred commands at the most in one batch, so that its replies fit in the socket buffers
 * while the client still writes (RFC 2920 §3.1): MAIL FROM and 99 RCPT TO together, the other
 * recipients and DATA one at a time. */
#define MANY 150
#define IN_BATCH 99

static void
test_batch_cap (Fixture *fixture, gconstpointer data)
{
  g_autoptr(GPtrArray) steps = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) texts = g_ptr_array_new_with_free_func (g_free);
  GString *batch = g_string_new (C_MAIL);
  GString *replies = g_string_new (R_MAIL_OK);
  PostaciRequest *request;

#define ADD(...) G_STMT_START { PostaciScriptStep s_ = __VA_ARGS__; \
  g_ptr_array_add (steps, g_memdup2 (&s_, sizeof s_)); } G_STMT_END

  {
    const PostaciScriptStep opening[] = { TO_ENVELOPE };

    for (guint i = 0; i < G_N_ELEMENTS (opening); i++)
      ADD (opening[i]);
  }
  for (guint i = 0; i < IN_BATCH; i++)
    {
      g_string_append_printf (batch, "RCPT TO:<r%u@example.com>\r\n", i);
      g_string_append (replies, R_RCPT_OK);
    }
  g_ptr_array_add (texts, g_string_free (batch, FALSE));
  g_ptr_array_add (texts, g_string_free (replies, FALSE));
  ADD (TS_EXPECT_READ (g_ptr_array_index (texts, 0)));
  ADD (TS_SEND (g_ptr_array_index (texts, 1)));
  for (guint i = IN_BATCH; i < MANY; i++)
    {
      g_ptr_array_add (texts, g_strdup_printf ("RCPT TO:<r%u@example.com>\r\n", i));
      ADD (TS_EXPECT_READ (g_ptr_array_index (texts, texts->len - 1)));
      ADD (TS_SEND (R_RCPT_OK));
    }
  ADD (TS_EXPECT_READ ("DATA\r\n"));
  ADD (TS_SEND (R_354));
  ADD (TS_READ_DATA);
  ADD (TS_SEND ("250 2.0.0 queued\r\n"));
  {
    const PostaciScriptStep closing[] = { BYE };

    for (guint i = 0; i < G_N_ELEMENTS (closing); i++)
      ADD (closing[i]);
  }
#undef ADD
  g_ptr_array_add (steps, NULL);
  {
    g_autoptr(GArray) script = g_array_new (FALSE, FALSE, sizeof (PostaciScriptStep));

    for (guint i = 0; g_ptr_array_index (steps, i) != NULL; i++)
      g_array_append_vals (script, g_ptr_array_index (steps, i), 1);
    request = serve (fixture, (const PostaciScriptStep *) script->data,
                     POSTACI_SCRIPTED_SERVER_PLAIN, NULL, POSTACI_SECURITY_NONE);
  }
  g_ptr_array_set_size (request->recipients, 0);
  for (guint i = 0; i < MANY; i++)
    g_ptr_array_add (request->recipients, g_strdup_printf ("r%u@example.com", i));
  run (fixture, request);

  assert_server_ok (fixture);
  assert_outcome (fixture, POSTACI_VERDICT_SUCCESS, POSTACI_STAGE_DATA, POSTACI_EXIT_SUCCESS);
  g_assert_cmpuint (fixture->outcome->recipients_accepted, ==, MANY);
  assert_batch_announced (fixture, "MAIL FROM and RCPT TO for 99 recipients go out together");
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) \
  g_test_add ("/postaci/pipelining/" path, Fixture, NULL, fixture_setup, func, fixture_teardown)

  ADD ("batch", test_batch);
  ADD ("turned-off", test_turned_off);
  ADD ("mail-refused", test_mail_refused);
  ADD ("no-recipient-lone-dot", test_no_recipient_lone_dot);
  ADD ("partial", test_partial);
  ADD ("data-refused", test_data_refused);
  ADD ("stop-after-rcpt", test_stop_after_rcpt);
  ADD ("forgotten-after-starttls", test_forgotten_after_starttls);
  ADD ("batch-inside-tls", test_batch_inside_tls);
  ADD ("batch-cap", test_batch_cap);
#undef ADD

  return g_test_run ();
}
