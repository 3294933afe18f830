/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-session.c — the real PostaciSession against the scripted in-process server. */
#include "config.h"

#include <string.h>

#include "postaci-transcript.h"
#include "session-fixture.h"

/* ------------------------------------------------------------------ */

static void
test_full_starttls_auth (Fixture *fixture, gconstpointer data)
{
  PostaciRequest *request;
  g_autoptr(GBytes) payload = NULL;
  g_autofree char *got = NULL;
  g_autofree char *expected = NULL;
  g_autofree char *body = NULL;

  request = serve (fixture, full_session_script, POSTACI_SCRIPTED_SERVER_PLAIN, "server",
                   POSTACI_SECURITY_STARTTLS);
  with_auth (request);
  run (fixture, request);

  assert_server_ok (fixture);
  assert_outcome (fixture, POSTACI_VERDICT_SUCCESS, POSTACI_STAGE_DATA, POSTACI_EXIT_SUCCESS);
  g_assert_true (fixture->outcome->tls_used);
  g_assert_true (fixture->outcome->authenticated);
  g_assert_cmpuint (fixture->outcome->recipients_accepted, ==, 1);
  g_assert_true (postaci_scripted_server_get_tls_active (fixture->server));
  g_assert_cmpstr (postaci_scripted_server_get_sni (fixture->server), ==, "localhost");

  /* The exact client bytes of the whole session. */
  payload = postaci_scripted_server_get_data (fixture->server);
  g_assert_nonnull (payload);
  body = g_strndup (g_bytes_get_data (payload, NULL), g_bytes_get_size (payload));
  expected = g_strconcat ("EHLO client.example\r\n"
                          "STARTTLS\r\n"
                          "EHLO client.example\r\n"
                          "AUTH PLAIN " PLAIN_IR "\r\n"
                          "MAIL FROM:<ali@example.com> BODY=8BITMIME\r\n"
                          "RCPT TO:<veli@example.com>\r\n"
                          "DATA\r\n",
                          body, ".\r\n"
                          "QUIT\r\n", NULL);
  got = received (fixture);
  g_assert_cmpstr (got, ==, expected);
  g_assert_true (g_str_has_suffix (body, "\r\n"));
  g_assert_nonnull (strstr (body, "Subject: Deneme =?"));
  g_assert_nonnull (strstr (body, "multipart/alternative"));

  /* What a person reads: redacted AUTH, TLS facts, explanations. */
  g_assert_nonnull (strstr (fixture->transcript->str, "\"text\":\"AUTH PLAIN ****\""));
  g_assert_nonnull (strstr (fixture->transcript->str, "\"kind\":\"tls\""));
  g_assert_nonnull (strstr (fixture->transcript->str, "\"explanation\""));
  assert_no_secret (fixture);
  for (guint i = 0; i < POSTACI_STAGE_QUIT; i++)
    g_assert_cmpint (fixture->outcome->stage_ms[i], >=, 0);
}

static void
test_implicit_tls (Fixture *fixture, gconstpointer data)
{
  const PostaciScriptStep script[] = {
    TS_HELLO (EHLO_TLS),
    TS_EXPECT ("AUTH PLAIN " PLAIN_IR),
    TS_SEND ("235 2.7.0 ok\r\n"),
    TS_ENVELOPE_OK (" BODY=8BITMIME"),
    TS_DATA_OK ("250 queued\r\n"),
    TS_BYE,
    TS_END,
  };
  PostaciRequest *request;

  request = serve (fixture, script, POSTACI_SCRIPTED_SERVER_IMPLICIT_TLS, "server",
                   POSTACI_SECURITY_TLS);
  with_auth (request);
  run (fixture, request);

  assert_server_ok (fixture);
  assert_outcome (fixture, POSTACI_VERDICT_SUCCESS, POSTACI_STAGE_DATA, POSTACI_EXIT_SUCCESS);
  g_assert_true (fixture->outcome->tls_used);
  assert_no_secret (fixture);
}

/* Every stage can refuse; the run names the stage, exits 1 and still says QUIT. */
typedef struct {
  const char   *name;
  const char   *refusal;
  PostaciStage  stage;
} Refusal;

static const Refusal refusals[] = {
  { "greeting", "554 5.7.1 No SMTP service here\r\n", POSTACI_STAGE_GREETING },
  { "ehlo", "550 5.7.1 go away\r\n", POSTACI_STAGE_EHLO },
  { "starttls", "454 4.7.0 TLS not available due to local problem\r\n", POSTACI_STAGE_TLS },
  { "auth", "535 5.7.8 Authentication credentials invalid\r\n", POSTACI_STAGE_AUTH },
  { "mail", "550 5.7.1 Sender rejected\r\n", POSTACI_STAGE_MAIL },
  { "rcpt", "550 5.1.1 <veli@example.com>: Recipient address rejected: User unknown\r\n", POSTACI_STAGE_RCPT },
  { "data", "554 5.5.1 Error: no valid recipients\r\n", POSTACI_STAGE_DATA },
  { "dot", "552 5.3.4 Message size exceeds fixed limit\r\n", POSTACI_STAGE_DATA },
};

static void
test_refusal (Fixture *fixture, gconstpointer data)
{
  const Refusal *refusal = data;
  GPtrArray *steps = g_ptr_array_new_with_free_func (g_free);
  PostaciScriptStep *script;
  PostaciRequest *request;
  g_autofree char *got = NULL;

#define ADD(...)                                         \
  G_STMT_START                                           \
  {                                                      \
    PostaciScriptStep s_ = __VA_ARGS__;                  \
    g_ptr_array_add (steps, g_memdup2 (&s_, sizeof s_)); \
  }                                                      \
  G_STMT_END
#define REFUSE_OR(st, ...) G_STMT_START { if (refusal->stage == (st) && stage_done) { \
  ADD (TS_SEND (refusal->refusal)); goto quit; } ADD (__VA_ARGS__); } G_STMT_END

  {
    gboolean stage_done = TRUE;
    gboolean is_dot = g_str_equal (refusal->name, "dot");

    if (refusal->stage == POSTACI_STAGE_GREETING)
      {
        ADD (TS_SEND (refusal->refusal));
        goto quit;
      }
    ADD (TS_SEND (GREETING));
    ADD (TS_EXPECT ("EHLO client.example"));
    REFUSE_OR (POSTACI_STAGE_EHLO, TS_SEND (EHLO_PLAIN));
    ADD (TS_EXPECT ("STARTTLS"));
    REFUSE_OR (POSTACI_STAGE_TLS, TS_SEND ("220 go ahead\r\n"));
    ADD (TS_STARTTLS);
    ADD (TS_EXPECT ("EHLO client.example"));
    ADD (TS_SEND (EHLO_TLS));
    ADD (TS_EXPECT ("AUTH PLAIN " PLAIN_IR));
    REFUSE_OR (POSTACI_STAGE_AUTH, TS_SEND ("235 ok\r\n"));
    ADD (TS_EXPECT ("MAIL FROM:<ali@example.com> BODY=8BITMIME"));
    REFUSE_OR (POSTACI_STAGE_MAIL, TS_SEND ("250 ok\r\n"));
    ADD (TS_EXPECT ("RCPT TO:<veli@example.com>"));
    REFUSE_OR (POSTACI_STAGE_RCPT, TS_SEND ("250 ok\r\n"));
    ADD (TS_EXPECT ("DATA"));
    stage_done = !is_dot;
    REFUSE_OR (POSTACI_STAGE_DATA, TS_SEND ("354 go\r\n"));
    ADD (TS_READ_DATA);
    ADD (TS_SEND (refusal->refusal));
  }
quit:
  ADD (TS_EXPECT ("QUIT"));
  ADD (TS_SEND ("221 bye\r\n"));
  ADD (TS_END);
#undef ADD
#undef REFUSE_OR

  script = g_new0 (PostaciScriptStep, steps->len);
  for (guint i = 0; i < steps->len; i++)
    script[i] = *(PostaciScriptStep *) g_ptr_array_index (steps, i);
  request = serve (fixture, script, POSTACI_SCRIPTED_SERVER_PLAIN, "server",
                   POSTACI_SECURITY_STARTTLS);
  g_free (script);
  g_ptr_array_unref (steps);
  with_auth (request);
  run (fixture, request);

  assert_server_ok (fixture);
  assert_outcome (fixture, POSTACI_VERDICT_REFUSED, refusal->stage, POSTACI_EXIT_REFUSED);
  assert_error (fixture, POSTACI_SESSION_ERROR, POSTACI_SESSION_ERROR_REFUSED);
  g_assert_nonnull (fixture->outcome->reply);
  g_assert_cmpuint (fixture->outcome->reply->code, ==,
                    (guint) g_ascii_strtoull (refusal->refusal, NULL, 10));
  g_assert_nonnull (fixture->outcome->explanation);
  g_assert_nonnull (fixture->outcome->hint);
  got = received (fixture);
  g_assert_true (g_str_has_suffix (got, "QUIT\r\n"));
  assert_no_secret (fixture);
}

/* With security none, a refused EHLO falls back to HELO. */
static void
test_helo_fallback (Fixture *fixture, gconstpointer data)
{
  const PostaciScriptStep script[] = {
    TS_HELLO ("502 5.5.1 EHLO not implemented\r\n"),
    TS_EXPECT ("HELO client.example"),
    TS_SEND ("250 mx.test\r\n"),
    TS_MAIL_OK,
    TS_BYE,
    TS_END,
  };
  PostaciRequest *request;

  request = serve (fixture, script, POSTACI_SCRIPTED_SERVER_PLAIN, NULL, POSTACI_SECURITY_NONE);
  request->stop_after = POSTACI_STAGE_MAIL;
  run (fixture, request);

  assert_server_ok (fixture);
  assert_outcome (fixture, POSTACI_VERDICT_SUCCESS, POSTACI_STAGE_MAIL, POSTACI_EXIT_SUCCESS);
}

/* stop-after: the run ends after the named stage and says QUIT. */
typedef struct {
  PostaciStage  stop;
  const char   *last_command; /* the last line before QUIT, or NULL */
} StopCase;

static const StopCase stops[] = {
  { POSTACI_STAGE_GREETING, NULL },
  { POSTACI_STAGE_EHLO, "EHLO client.example" },
  { POSTACI_STAGE_TLS, "EHLO client.example" },
  { POSTACI_STAGE_AUTH, "AUTH PLAIN " PLAIN_IR },
  { POSTACI_STAGE_MAIL, "MAIL FROM:<ali@example.com>" },
  { POSTACI_STAGE_RCPT, "RCPT TO:<veli@example.com>" },
};

static void
test_stop_after (Fixture *fixture, gconstpointer data)
{
  const StopCase *stop = data;
  const PostaciScriptStep full[] = {
    TS_HELLO (EHLO_PLAIN),
    TS_STARTTLS_OK (EHLO_TLS),
    TS_EXPECT ("AUTH PLAIN " PLAIN_IR),
    TS_SEND ("235 ok\r\n"),
    TS_ENVELOPE_OK (""),
  };
  /* index in `full` of the last reply the client reads before QUIT */
  guint cut = stop->stop == POSTACI_STAGE_GREETING ? 1 :
              stop->stop == POSTACI_STAGE_EHLO ? 3 :
              stop->stop == POSTACI_STAGE_TLS ? 8 :
              stop->stop == POSTACI_STAGE_AUTH ? 10 :
              stop->stop == POSTACI_STAGE_MAIL ? 12 : 14;
  PostaciScriptStep *script = g_new0 (PostaciScriptStep, cut + 3);
  PostaciRequest *request;
  g_autofree char *got = NULL;
  g_autofree char *tail = NULL;

  memcpy (script, full, cut * sizeof (PostaciScriptStep));
  script[cut] = (PostaciScriptStep) TS_EXPECT ("QUIT");
  script[cut + 1] = (PostaciScriptStep) TS_SEND ("221 bye\r\n");
  script[cut + 2] = (PostaciScriptStep) TS_END;
  request = serve (fixture, script, POSTACI_SCRIPTED_SERVER_PLAIN, "server",
                   POSTACI_SECURITY_STARTTLS);
  g_free (script);
  with_auth (request);
  request->stop_after = stop->stop;
  run (fixture, request);

  assert_server_ok (fixture);
  assert_outcome (fixture, POSTACI_VERDICT_SUCCESS, stop->stop, POSTACI_EXIT_SUCCESS);
  got = received (fixture);
  tail = stop->last_command ? g_strconcat (stop->last_command, "\r\nQUIT\r\n", NULL) : g_strdup ("QUIT\r\n");
  g_assert_true (g_str_has_suffix (got, tail));
  g_assert_null (strstr (got, "DATA"));
}

static void
test_stop_after_connect (Fixture *fixture, gconstpointer data)
{
  const PostaciScriptStep script[] = { TS_EXPECT_CLOSE, TS_END };
  PostaciRequest *request;
  g_autofree char *got = NULL;

  request = serve (fixture, script, POSTACI_SCRIPTED_SERVER_PLAIN, NULL, POSTACI_SECURITY_STARTTLS);
  request->stop_after = POSTACI_STAGE_CONNECT;
  run (fixture, request);

  assert_server_ok (fixture);
  assert_outcome (fixture, POSTACI_VERDICT_SUCCESS, POSTACI_STAGE_CONNECT, POSTACI_EXIT_SUCCESS);
  got = received (fixture);
  g_assert_cmpstr (got, ==, "");
}

/* security none with AUTH PLAIN offered: credentials are not sent without consent. */
static void
test_plaintext_auth_refused (Fixture *fixture, gconstpointer data)
{
  const PostaciScriptStep script[] = {
    TS_HELLO ("250-mx.test\r\n250 AUTH PLAIN LOGIN\r\n"),
    TS_BYE,
    TS_END,
  };
  PostaciRequest *request;
  g_autofree char *got = NULL;

  request = serve (fixture, script, POSTACI_SCRIPTED_SERVER_PLAIN, NULL, POSTACI_SECURITY_NONE);
  with_auth (request);
  run (fixture, request);

  assert_server_ok (fixture);
  assert_outcome (fixture, POSTACI_VERDICT_PROTOCOL, POSTACI_STAGE_AUTH, POSTACI_EXIT_FAILURE);
  assert_error (fixture, POSTACI_SESSION_ERROR, POSTACI_SESSION_ERROR_PLAINTEXT_AUTH);
  got = received (fixture);
  g_assert_cmpstr (got, ==, "EHLO client.example\r\nQUIT\r\n");
}

/* One refused recipient does not stop the run while another is accepted. */
static void
test_partial_recipients (Fixture *fixture, gconstpointer data)
{
  const PostaciScriptStep script[] = {
    TS_HELLO ("250 mx.test\r\n"),
    TS_MAIL_OK,
    TS_EXPECT ("RCPT TO:<veli@example.com>"),
    TS_SEND ("550 5.1.1 unknown\r\n"),
    TS_EXPECT ("RCPT TO:<ayse@xn--rnek-4qa.com.tr>"),
    TS_SEND ("250 ok\r\n"),
    TS_BYE,
    TS_END,
  };
  PostaciRequest *request;

  request = serve (fixture, script, POSTACI_SCRIPTED_SERVER_PLAIN, NULL, POSTACI_SECURITY_NONE);
  postaci_request_add_recipients (request, "ayse@örnek.com.tr");
  request->stop_after = POSTACI_STAGE_RCPT;
  run (fixture, request);

  assert_server_ok (fixture);
  assert_outcome (fixture, POSTACI_VERDICT_PARTIAL, POSTACI_STAGE_RCPT, POSTACI_EXIT_PARTIAL);
  g_assert_cmpuint (fixture->outcome->recipients_accepted, ==, 1);
  g_assert_cmpuint (fixture->outcome->recipients_refused, ==, 1);
  g_assert_nonnull (strstr (fixture->transcript->str, "\"kind\":\"warning\""));
  g_assert_cmpstr (fixture->outcome->reason, ==,
                   "Stopped after RCPT, as asked: the server accepted 1 of 2 recipients and "
                   "refused veli@example.com.");
}

/* One of two recipients refused, the message sent to the other: the verdict is "partial"
 * (exit status 5), names the refused address, and never says that every step worked. */
static void
test_partial_delivery (Fixture *fixture, gconstpointer data)
{
  const PostaciScriptStep script[] = {
    TS_HELLO ("250 mx.test\r\n"),
    TS_ENVELOPE_OK (""),
    TS_EXPECT ("RCPT TO:<ayse@example.com>"),
    TS_SEND ("452 4.5.3 too many recipients\r\n"),
    TS_DATA_OK ("250 2.0.0 queued\r\n"),
    TS_BYE,
    TS_END,
  };
  PostaciRequest *request;
  g_autofree char *text = NULL;
  g_autofree char *json = NULL;

  request = serve (fixture, script, POSTACI_SCRIPTED_SERVER_PLAIN, NULL, POSTACI_SECURITY_NONE);
  postaci_request_add_recipients (request, "ayse@example.com");
  run (fixture, request);

  assert_server_ok (fixture);
  assert_outcome (fixture, POSTACI_VERDICT_PARTIAL, POSTACI_STAGE_DATA, POSTACI_EXIT_PARTIAL);
  g_assert_cmpuint (fixture->outcome->recipients_accepted, ==, 1);
  g_assert_cmpuint (fixture->outcome->recipients_refused, ==, 1);
  g_assert_cmpstr (fixture->outcome->refused_recipients[0], ==, "ayse@example.com");
  g_assert_null (fixture->outcome->refused_recipients[1]);
  text = postaci_transcript_format_outcome (fixture->outcome, POSTACI_TRANSCRIPT_TEXT);
  g_assert_nonnull (strstr (text, "Result: partial. The server accepted the message for 1 of 2 "
                                  "recipients and refused ayse@example.com."));
  g_assert_nonnull (strstr (text, "Read the server's answer to each refused address"));
  g_assert_null (strstr (text, "every step worked"));
  g_assert_null (strstr (text, "success"));
  json = postaci_transcript_format_outcome (fixture->outcome, POSTACI_TRANSCRIPT_JSONL);
  g_assert_nonnull (strstr (json, "\"verdict\":\"partial\""));
  g_assert_nonnull (strstr (json, "\"exit_status\":5"));
  g_assert_nonnull (strstr (json, "\"refused_recipients\":[\"ayse@example.com\"]"));
}

/* Many refused recipients: the reason names the first five and counts the rest. */
static void
test_partial_many (Fixture *fixture, gconstpointer data)
{
  g_autoptr(GArray) script = g_array_new (FALSE, TRUE, sizeof (PostaciScriptStep));
  g_autoptr(GPtrArray) lines = g_ptr_array_new_with_free_func (g_free);
  PostaciScriptStep step;
  PostaciRequest *request;
  const PostaciScriptStep head[] = {
    TS_HELLO ("250 mx.test\r\n"),
    TS_ENVELOPE_OK (""),
  };
  const PostaciScriptStep tail[] = {
    TS_BYE,
    TS_END,
  };

  g_array_append_vals (script, head, G_N_ELEMENTS (head));
  for (guint i = 0; i < 12; i++)
    {
      char *line = g_strdup_printf ("RCPT TO:<r%u@example.com>", i);

      g_ptr_array_add (lines, line);
      step = (PostaciScriptStep) TS_EXPECT (line);
      g_array_append_val (script, step);
      step = (PostaciScriptStep) TS_SEND ("452 4.5.3 too many recipients\r\n");
      g_array_append_val (script, step);
    }
  g_array_append_vals (script, tail, G_N_ELEMENTS (tail));

  request = serve (fixture, (const PostaciScriptStep *) script->data, POSTACI_SCRIPTED_SERVER_PLAIN,
                   NULL, POSTACI_SECURITY_NONE);
  for (guint i = 0; i < 12; i++)
    {
      g_autofree char *address = g_strdup_printf ("r%u@example.com", i);

      postaci_request_add_recipients (request, address);
    }
  request->stop_after = POSTACI_STAGE_RCPT;
  run (fixture, request);

  assert_server_ok (fixture);
  assert_outcome (fixture, POSTACI_VERDICT_PARTIAL, POSTACI_STAGE_RCPT, POSTACI_EXIT_PARTIAL);
  g_assert_cmpuint (fixture->outcome->recipients_refused, ==, 12);
  g_assert_cmpuint (g_strv_length (fixture->outcome->refused_recipients), ==, 12);
  g_assert_cmpstr (fixture->outcome->reason, ==,
                   "Stopped after RCPT, as asked: the server accepted 1 of 13 recipients and "
                   "refused r0@example.com, r1@example.com, r2@example.com, r3@example.com, "
                   "r4@example.com and 7 more.");
}

/* --insecure: the run goes on, and the transcript says so. */
static void
test_accept_invalid (Fixture *fixture, gconstpointer data)
{
  const PostaciScriptStep script[] = { TS_HELLO ("250 mx.test\r\n"), TS_BYE, TS_END };
  PostaciRequest *request;

  request = serve (fixture, script, POSTACI_SCRIPTED_SERVER_IMPLICIT_TLS, "wrong-name",
                   POSTACI_SECURITY_TLS);
  request->accept_invalid_certificate = TRUE;
  request->stop_after = POSTACI_STAGE_EHLO;
  run (fixture, request);

  assert_server_ok (fixture);
  assert_outcome (fixture, POSTACI_VERDICT_SUCCESS, POSTACI_STAGE_EHLO, POSTACI_EXIT_SUCCESS);
  g_assert_nonnull (strstr (fixture->transcript->str, "wrong.example.test"));
  g_assert_nonnull (strstr (fixture->transcript->str, "for this run only"));
}

static gboolean
cancel_when_connected (gpointer data)
{
  Fixture *fixture = data;
  return postaci_scripted_server_is_connected (fixture->server);
}

static void
test_cancel (Fixture *fixture, gconstpointer data)
{
  const PostaciScriptStep script[] = { TS_STALL, TS_END };
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  PostaciRequest *request;

  request = serve (fixture, script, POSTACI_SCRIPTED_SERVER_PLAIN, NULL, POSTACI_SECURITY_AUTO);
  request->timeout_seconds = 30;
  fixture->session = postaci_session_new (request);
  g_signal_connect (fixture->session, "event", G_CALLBACK (event_cb), fixture);
  postaci_session_run_async (fixture->session, cancellable, run_cb, fixture);
  postaci_test_wait_until (cancel_when_connected, fixture, 5000);
  g_cancellable_cancel (cancellable);
  postaci_test_wait_until (outcome_ready, fixture, 5000);
  postaci_request_free (request);

  assert_outcome (fixture, POSTACI_VERDICT_CANCELLED, POSTACI_STAGE_GREETING, POSTACI_EXIT_CANCELLED);
  /* Neither a success nor a failure: the stage is "cancelled", nothing is an error, and there
   * is nothing to explain. */
  g_assert_nonnull (strstr (fixture->transcript->str,
                            "\"stage\":\"greeting\",\"status\":\"cancelled\""));
  g_assert_null (strstr (fixture->transcript->str, "\"status\":\"failed\""));
  g_assert_null (strstr (fixture->transcript->str, "\"kind\":\"error\""));
  g_assert_cmpstr (fixture->outcome->reason, ==, "The test was cancelled during “Greeting”.");
  g_assert_null (fixture->outcome->explanation);
  g_assert_null (fixture->outcome->hint);
  {
    g_autofree char *text = run_text (fixture);

    g_assert_null (strstr (text, "Error:"));
    g_assert_null (strstr (text, "failed"));
    g_assert_nonnull (strstr (text, "Result: cancelled. The test was cancelled during “Greeting”."));
  }
}

/* A refusal is said once: the reply once, its meaning once, the hint once, and one headline
 * (the Result line) in our words — no "MAIL failed: MAIL FROM refused: 550 …". */
static void
test_said_once_refusal (Fixture *fixture, gconstpointer data)
{
  const PostaciScriptStep script[] = {
    TS_HELLO ("250 mx.test\r\n"),
    TS_EXPECT ("MAIL FROM:<ali@example.com>"),
    TS_SEND ("550 5.7.1 Relaying denied\r\n"),
    TS_BYE,
    TS_END,
  };
  g_autofree char *text = NULL;

  run (fixture,
       serve (fixture, script, POSTACI_SCRIPTED_SERVER_PLAIN, NULL, POSTACI_SECURITY_NONE));
  assert_outcome (fixture, POSTACI_VERDICT_REFUSED, POSTACI_STAGE_MAIL, POSTACI_EXIT_REFUSED);
  text = run_text (fixture);
  g_assert_cmpuint (count (text, "Relaying denied"), ==, 1);
  g_assert_cmpuint (count (text, fixture->outcome->explanation), ==, 1);
  g_assert_cmpuint (count (text, fixture->outcome->hint), ==, 1);
  g_assert_cmpuint (count (text, "Try:"), ==, 1);
  g_assert_null (strstr (text, "Error:"));
  g_assert_null (strstr (text, "failed:"));
  g_assert_cmpstr (fixture->outcome->reason, ==,
                   "The server refused the run at the “MAIL” step with reply 550.");
  g_assert_true (g_str_has_suffix (text, "Result: failed. The server refused the run at the "
                                         "“MAIL” step with reply 550.\n"));
}

/* A lone recipient refused: the reply and its meaning once; no warning that says the verdict
 * before the verdict. */
static void
test_said_once_recipient (Fixture *fixture, gconstpointer data)
{
  const PostaciScriptStep script[] = {
    TS_HELLO ("250 mx.test\r\n"),
    TS_MAIL_OK,
    TS_EXPECT_PREFIX ("RCPT TO:"),
    TS_SEND ("550 5.1.1 <veli@example.net>: User unknown\r\n"),
    TS_BYE,
    TS_END,
  };
  g_autofree char *text = NULL;

  run (fixture,
       serve (fixture, script, POSTACI_SCRIPTED_SERVER_PLAIN, NULL, POSTACI_SECURITY_NONE));
  assert_outcome (fixture, POSTACI_VERDICT_REFUSED, POSTACI_STAGE_RCPT, POSTACI_EXIT_REFUSED);
  text = run_text (fixture);
  g_assert_cmpuint (count (text, "User unknown"), ==, 1);
  g_assert_cmpuint (count (text, "does not exist"), ==, 1);
  g_assert_cmpuint (count (text, fixture->outcome->hint), ==, 1);
  g_assert_null (strstr (text, "refused the recipient"));
}

/* The library's words (glib-networking's English) are a detail, under our explanation, once;
 * they never lead the verdict. */
static void
test_said_once_library_text (Fixture *fixture, gconstpointer data)
{
  const PostaciScriptStep script[] = { TS_SEND (GREETING), TS_STALL, TS_END };
  g_autofree char *text = NULL;

  run (fixture, serve (fixture, script, POSTACI_SCRIPTED_SERVER_PLAIN, NULL, POSTACI_SECURITY_TLS));
  assert_outcome (fixture, POSTACI_VERDICT_TLS, POSTACI_STAGE_TLS, POSTACI_EXIT_FAILURE);
  text = run_text (fixture);
  g_assert_nonnull (fixture->outcome->detail);
  g_assert_cmpuint (count (text, fixture->outcome->detail), ==, 1);
  g_assert_cmpuint (count (text, "Details: "), ==, 1);
  g_assert_null (strstr (fixture->outcome->reason, fixture->outcome->detail));
  g_assert_null (strstr (fixture->outcome->explanation, fixture->outcome->detail));
  g_assert_cmpstr (fixture->outcome->reason, ==,
                   "The encrypted connection (TLS) could not be set up.");
  g_assert_cmpuint (count (text, fixture->outcome->explanation), ==, 1);
  g_assert_cmpuint (count (text, fixture->outcome->hint), ==, 1);
}

static void
test_connection_refused (Fixture *fixture, gconstpointer data)
{
  g_autoptr(GSocket) socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM,
                                            G_SOCKET_PROTOCOL_TCP, NULL);
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) address = g_inet_socket_address_new (loopback, 0);
  g_autoptr(GSocketAddress) bound = NULL;
  PostaciRequest *request = postaci_request_new ();

  /* A port that was free a moment ago and has no listener. */
  g_assert_true (g_socket_bind (socket, address, FALSE, NULL));
  bound = g_socket_get_local_address (socket, NULL);
  request->server = g_strdup ("127.0.0.1");
  request->port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));
  g_socket_close (socket, NULL);
  request->security = POSTACI_SECURITY_NONE;
  request->stop_after = POSTACI_STAGE_CONNECT;
  run (fixture, request);

  assert_outcome (fixture, POSTACI_VERDICT_NETWORK, POSTACI_STAGE_CONNECT, POSTACI_EXIT_FAILURE);
  assert_error (fixture, G_IO_ERROR, G_IO_ERROR_CONNECTION_REFUSED);
  g_assert_nonnull (strstr (fixture->transcript->str, "Trying 127.0.0.1:"));
  {
    g_autofree char *text = run_text (fixture);

    /* Said once: our explanation once; the system's words at most once, never a warning line
     * of them before ours. */
    g_assert_cmpuint (count (text, "The connection was refused"), ==, 1);
    g_assert_cmpuint (count (text, "Connection refused"), <=, 1);
    g_assert_null (strstr (text, "Warning:"));
  }
}

static void
test_ipv6 (Fixture *fixture, gconstpointer data)
{
  const PostaciScriptStep script[] = { TS_HELLO ("250 mx.test\r\n"), TS_BYE, TS_END };
  PostaciRequest *request;

  fixture->server =
    postaci_scripted_server_new (script, POSTACI_SCRIPTED_SERVER_PLAIN, NULL, "::1");
  request = base_request (fixture, POSTACI_SECURITY_NONE);
  g_free (request->server);
  request->server = g_strdup ("[::1]");
  request->stop_after = POSTACI_STAGE_EHLO;
  run (fixture, request);

  assert_server_ok (fixture);
  assert_outcome (fixture, POSTACI_VERDICT_SUCCESS, POSTACI_STAGE_EHLO, POSTACI_EXIT_SUCCESS);
}

/* Bad input: nothing is sent, the verdict is usage (exit 2). */
static void
test_invalid_request (Fixture *fixture, gconstpointer data)
{
  const PostaciScriptStep script[] = { TS_EXPECT_CLOSE, TS_END };
  PostaciRequest *request;

  request = serve (fixture, script, POSTACI_SCRIPTED_SERVER_PLAIN, NULL, POSTACI_SECURITY_NONE);
  g_free (request->from);
  request->from = g_strdup ("ali@example.com>\r\nRCPT TO:<x@evil.test");
  run_with_cancellable (fixture, request, NULL);

  assert_outcome (fixture, POSTACI_VERDICT_USAGE, POSTACI_STAGE_CONNECT, POSTACI_EXIT_USAGE);
  assert_error (fixture, POSTACI_REQUEST_ERROR, POSTACI_REQUEST_ERROR_FROM);
  g_assert_false (postaci_scripted_server_is_connected (fixture->server));
}

/* A size test the server's SIZE limit does not allow: refused before MAIL FROM, nothing of
 * the message sent, the reason names both sizes. */
static void
test_size_refused_before_sending (Fixture *fixture, gconstpointer data)
{
  const PostaciScriptStep script[] = {
    TS_HELLO ("250-mx.test\r\n250-SIZE 100000\r\n250 8BITMIME\r\n"),
    TS_BYE,
    TS_END,
  };
  PostaciRequest *request;
  g_autofree char *got = NULL;

  request = serve (fixture, script, POSTACI_SCRIPTED_SERVER_PLAIN, NULL, POSTACI_SECURITY_NONE);
  request->size = 200000;
  run (fixture, request);

  assert_server_ok (fixture);
  assert_outcome (fixture, POSTACI_VERDICT_PROTOCOL, POSTACI_STAGE_MAIL, POSTACI_EXIT_FAILURE);
  assert_error (fixture, POSTACI_SESSION_ERROR, POSTACI_SESSION_ERROR_TOO_LARGE);
  g_assert_nonnull (strstr (fixture->outcome->reason, "200000"));
  g_assert_nonnull (strstr (fixture->outcome->reason, "100000"));
  got = received (fixture);
  g_assert_cmpstr (got, ==, "EHLO client.example\r\nQUIT\r\n");
}

/* A size test that fits: said before sending, SIZE= and BODY=8BITMIME on MAIL FROM, exactly
 * that many bytes sent, and what the server said after. */
static void
test_size_accepted (Fixture *fixture, gconstpointer data)
{
  const PostaciScriptStep script[] = {
    TS_HELLO ("250-mx.test\r\n250-SIZE 1000000\r\n250 8BITMIME\r\n"),
    TS_ENVELOPE_OK (" SIZE=300000 BODY=8BITMIME"),
    TS_DATA_OK ("250 2.0.0 queued\r\n"),
    TS_BYE,
    TS_END,
  };
  PostaciRequest *request;
  g_autoptr(GBytes) payload = NULL;
  const char *data_bytes;
  gsize len, size;

  request = serve (fixture, script, POSTACI_SCRIPTED_SERVER_PLAIN, NULL, POSTACI_SECURITY_NONE);
  request->size = 300000;
  run (fixture, request);

  assert_server_ok (fixture);
  assert_outcome (fixture, POSTACI_VERDICT_SUCCESS, POSTACI_STAGE_DATA, POSTACI_EXIT_SUCCESS);
  /* RFC 1870's size: every byte before the final dot, less the stuffing (a doubled dot at
   * the start of a line) */
  payload = postaci_scripted_server_get_data (fixture->server);
  data_bytes = g_bytes_get_data (payload, &len);
  size = len;
  for (gsize i = 0; i + 1 < len; i++)
    if ((i == 0 || data_bytes[i - 1] == '\n') && data_bytes[i] == '.' && data_bytes[i + 1] == '.')
      size--;
  g_assert_cmpuint (size, ==, 300000);
  g_assert_nonnull (strstr (fixture->transcript->str,
                            "The message is 300000 bytes; the server accepts up to 1000000 bytes"));
  g_assert_nonnull (strstr (fixture->transcript->str, "The server took a message of 300000 bytes."));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func, data) \
  g_test_add ("/postaci/session/" path, Fixture, data, fixture_setup, func, fixture_teardown)

  ADD ("full-starttls-auth", test_full_starttls_auth, NULL);
  ADD ("implicit-tls", test_implicit_tls, NULL);
  for (guint i = 0; i < G_N_ELEMENTS (refusals); i++)
    {
      g_autofree char *path = g_strdup_printf ("/postaci/session/refused/%s", refusals[i].name);
      g_test_add (path, Fixture, &refusals[i], fixture_setup, test_refusal, fixture_teardown);
    }
  ADD ("helo-fallback", test_helo_fallback, NULL);
  for (guint i = 0; i < G_N_ELEMENTS (stops); i++)
    {
      g_autofree char *path = g_strdup_printf ("/postaci/session/stop-after/%s",
                                               postaci_stage_to_string (stops[i].stop));
      g_test_add (path, Fixture, &stops[i], fixture_setup, test_stop_after, fixture_teardown);
    }
  ADD ("stop-after/connect", test_stop_after_connect, NULL);
  ADD ("plaintext-auth-refused", test_plaintext_auth_refused, NULL);
  ADD ("partial-recipients", test_partial_recipients, NULL);
  ADD ("partial/delivery", test_partial_delivery, NULL);
  ADD ("said-once/refusal", test_said_once_refusal, NULL);
  ADD ("said-once/library-text", test_said_once_library_text, NULL);
  ADD ("said-once/recipient", test_said_once_recipient, NULL);
  ADD ("partial/many", test_partial_many, NULL);
  ADD ("accept-invalid", test_accept_invalid, NULL);
  ADD ("cancel", test_cancel, NULL);
  ADD ("connection-refused", test_connection_refused, NULL);
  ADD ("ipv6", test_ipv6, NULL);
  ADD ("invalid-request", test_invalid_request, NULL);
  ADD ("size/refused-before-sending", test_size_refused_before_sending, NULL);
  ADD ("size/accepted", test_size_accepted, NULL);
#undef ADD

  return g_test_run ();
}
