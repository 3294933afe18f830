/* SPDX-License-Identifier: GPL-3.0-or-later */
/* session-fixture.c — the fixture of the session tests: server, session, outcome, checks. */
#include "config.h"

#include <locale.h>
#include <stdlib.h>
#include <string.h>
#include <glib/gi18n.h>

#include "postaci-transcript.h"
#include "session-fixture.h"

const PostaciScriptStep full_session_script[] = {
  TS_SEND (GREETING),
  TS_EXPECT ("EHLO client.example"),
  TS_SEND (EHLO_PLAIN),
  TS_EXPECT ("STARTTLS"),
  TS_SEND ("220 2.0.0 go ahead\r\n"),
  TS_STARTTLS,
  TS_EXPECT ("EHLO client.example"),
  TS_SEND (EHLO_TLS),
  TS_EXPECT ("AUTH PLAIN " PLAIN_IR),
  TS_SEND ("235 2.7.0 Authentication successful\r\n"),
  /* 8BITMIME offered and a Turkish body: it goes as 8bit (RFC 6152) */
  TS_EXPECT ("MAIL FROM:<ali@example.com> BODY=8BITMIME"),
  TS_SEND ("250 2.1.0 Ok\r\n"),
  TS_EXPECT ("RCPT TO:<veli@example.com>"),
  TS_SEND ("250 2.1.5 Ok\r\n"),
  TS_EXPECT ("DATA"),
  TS_SEND ("354 End data with <CR><LF>.<CR><LF>\r\n"),
  TS_READ_DATA,
  TS_SEND ("250 2.0.0 Ok: queued as 12345\r\n"),
  TS_EXPECT ("QUIT"),
  TS_SEND ("221 2.0.0 Bye\r\n"),
  TS_END,
};

void
fixture_setup (Fixture *fixture, gconstpointer data)
{
  fixture->transcript = g_string_new (NULL);
}

void
fixture_teardown (Fixture *fixture, gconstpointer data)
{
  g_clear_pointer (&fixture->server, postaci_scripted_server_free);
  g_clear_object (&fixture->session);
  g_clear_pointer (&fixture->outcome, postaci_outcome_free);
  g_string_free (fixture->transcript, TRUE);
  postaci_scripted_server_wait_all_released (5000);
}

PostaciRequest *
base_request (Fixture *fixture, PostaciSecurity security)
{
  PostaciRequest *request = postaci_request_new ();

  request->server = g_strdup ("localhost");
  request->port = postaci_scripted_server_get_port (fixture->server);
  request->security = security;
  request->ehlo_name = g_strdup ("client.example");
  request->from = g_strdup ("ali@example.com");
  postaci_request_add_recipients (request, "veli@example.com");
  request->subject = g_strdup ("Deneme ığüşöç");
  request->html = g_strdup ("<p>Merhaba dünya</p>");
  request->ca_file = g_build_filename (TEST_SRCDIR, "certs", "ca.pem", NULL);
  request->timeout_seconds = 5;
  return request;
}

PostaciRequest *
serve (Fixture *fixture, const PostaciScriptStep *script, PostaciScriptedServerMode mode,
       const char *certificate, PostaciSecurity security)
{
  start_server (fixture, script, mode, certificate);
  return base_request (fixture, security);
}

void
with_auth (PostaciRequest *request)
{
  request->auth = TRUE;
  request->username = g_strdup ("ali");
  postaci_request_set_password (request, PASSWORD);
}

void
event_cb (PostaciSession *session, const PostaciEvent *event, gpointer user_data)
{
  Fixture *fixture = user_data;
  g_autofree char *line = postaci_transcript_format_event (event, POSTACI_TRANSCRIPT_JSONL);

  g_string_append (fixture->transcript, line);
}

void
run_cb (GObject *object, GAsyncResult *result, gpointer user_data)
{
  Fixture *fixture = user_data;

  fixture->outcome = postaci_session_run_finish (POSTACI_SESSION (object), result);
}

gboolean
outcome_ready (gpointer data)
{
  return ((Fixture *) data)->outcome != NULL;
}

static gboolean
server_finished (gpointer data)
{
  return postaci_scripted_server_is_finished (((Fixture *) data)->server);
}

void
start_server (Fixture *fixture, const PostaciScriptStep *script, PostaciScriptedServerMode mode,
              const char *certificate)
{
  g_autoptr(GTlsCertificate) cert = certificate ? postaci_test_load_certificate (certificate) : NULL;

  fixture->server = postaci_scripted_server_new (script, mode, cert, "127.0.0.1");
}

void
run_with_cancellable (Fixture *fixture, PostaciRequest *request, GCancellable *cancellable)
{
  /* Longer than the request's own deadline: the session must end by itself, and a loaded
   * machine (the sanitizers, a shared CI runner) must not fail a slow but correct run. */
  guint wait_ms = MAX (20000, (postaci_request_get_timeout (request) + 15) * 1000);

  fixture->session = postaci_session_new (request);
  g_signal_connect (fixture->session, "event", G_CALLBACK (event_cb), fixture);
  postaci_session_run_async (fixture->session, cancellable, run_cb, fixture);
  postaci_test_wait_until (outcome_ready, fixture, wait_ms);
  /* A refused request never connects, so its server has nothing to finish. */
  if (fixture->server != NULL && fixture->outcome->verdict != POSTACI_VERDICT_USAGE)
    postaci_test_wait_until (server_finished, fixture, 5000);
  postaci_request_free (request);
}

void
run (Fixture *fixture, PostaciRequest *request)
{
  run_with_cancellable (fixture, request, NULL);
}

char *
received (Fixture *fixture)
{
  g_autoptr(GBytes) bytes = postaci_scripted_server_get_received (fixture->server);
  gsize size;
  const char *data = g_bytes_get_data (bytes, &size);

  return g_strndup (data != NULL ? data : "", size);
}

guint
count (const char *haystack, const char *needle)
{
  guint n = 0;

  for (const char *p = strstr (haystack, needle); p != NULL; p = strstr (p + 1, needle))
    n++;
  return n;
}

void
assert_server_ok (Fixture *fixture)
{
  g_assert_cmpstr (postaci_scripted_server_get_error (fixture->server), ==, NULL);
}

char *
run_text (Fixture *fixture)
{
  char *text = postaci_transcript_format_run (postaci_session_get_events (fixture->session),
                                              fixture->outcome, POSTACI_TRANSCRIPT_TEXT);

  g_test_message ("%s", text);
  return text;
}

/* The password, in any form a careless client might leak it, never appears. */
void
assert_no_secret (Fixture *fixture)
{
  g_autofree char *text = run_text (fixture);
  g_autofree char *b64 = g_base64_encode ((const guchar *) PASSWORD, strlen (PASSWORD));

  g_assert_null (strstr (text, PASSWORD));
  g_assert_null (strstr (text, b64));
  g_assert_null (strstr (text, PLAIN_IR));
  g_assert_null (strstr (fixture->transcript->str, PASSWORD));
  g_assert_null (strstr (fixture->transcript->str, PLAIN_IR));
}

void
assert_outcome (Fixture *fixture, PostaciVerdict verdict, PostaciStage stage, PostaciExitStatus status)
{
  g_assert_nonnull (fixture->outcome);
  g_assert_cmpstr (postaci_verdict_to_string (fixture->outcome->verdict), ==,
                   postaci_verdict_to_string (verdict));
  g_assert_cmpstr (postaci_stage_to_string (fixture->outcome->stage), ==,
                   postaci_stage_to_string (stage));
  g_assert_cmpint (postaci_outcome_get_exit_status (fixture->outcome), ==, status);
  g_assert_nonnull (fixture->outcome->reason);
}

void
assert_error (Fixture *fixture, GQuark domain, gint code)
{
  g_assert_cmpstr (g_quark_to_string (fixture->outcome->error_domain), ==, g_quark_to_string (domain));
  g_assert_cmpint (fixture->outcome->error_code, ==, code);
}


gboolean
test_setup_language (const char *program)
{
  const char *localedir = g_getenv ("POSTACI_LOCALEDIR");
  gboolean turkish = g_strcmp0 (g_getenv ("POSTACI_TEST_LANGUAGE"), "tr") == 0;

  if (setlocale (LC_ALL, turkish ? "tr_TR.UTF-8" : "C.UTF-8") == NULL)
    {
      g_printerr ("%s: the %s locale is missing; run tools/install-deps.sh\n", program,
                  turkish ? "tr_TR.UTF-8" : "C.UTF-8");
      exit (1);
    }
  g_setenv ("LANGUAGE", turkish ? "tr" : "en", TRUE);
  bindtextdomain (GETTEXT_PACKAGE, localedir != NULL ? localedir : LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);
  return turkish;
}
