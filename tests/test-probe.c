/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-probe.c — one probe against one scripted endpoint: what it sends, what it records, and the
 * link's rules it inherits (the STARTTLS injection rule, deadlines, a look behind any certificate). */
#define G_LOG_DOMAIN "test-probe"

#include "config.h"

#include <string.h>

#include "postaci-probe.h"
#include "probe-scripts.h"

#define GREETING "220 mx.test ESMTP ready\r\n"
#define EHLO_STARTTLS "250-mx.test\r\n250-SIZE 1000\r\n250 STARTTLS\r\n"
#define EHLO_AUTH "250-mx.test\r\n250-SIZE 35882577\r\n250 AUTH PLAIN LOGIN\r\n"

typedef struct {
  PostaciScriptedServer *server;
  PostaciProbeResult *result;
  GError             *error;
  gboolean            done;
} Fixture;

static void
fixture_teardown (Fixture *fixture, gconstpointer data)
{
  g_clear_pointer (&fixture->server, postaci_scripted_server_free);
  g_clear_pointer (&fixture->result, postaci_probe_result_free);
  g_clear_error (&fixture->error);
}

static void
done_cb (GObject *object, GAsyncResult *res, gpointer user_data)
{
  Fixture *fixture = user_data;

  fixture->result = postaci_probe_run_finish (res, &fixture->error);
  fixture->done = TRUE;
}

/* Probes a scripted server on 127.0.0.1 and waits for the result and for the script's end. */
static void
probe (Fixture *fixture, const PostaciScriptStep *script, PostaciScriptedServerMode mode,
       PostaciProbeStart start, GCancellable *cancellable)
{
  g_autoptr(GTlsCertificate) certificate = postaci_test_load_certificate ("wrong-name");

  fixture->server = postaci_scripted_server_new (script, mode, certificate, "127.0.0.1");
  postaci_probe_run_async ("127.0.0.1", postaci_scripted_server_get_port (fixture->server), start,
                           1000, NULL, cancellable, done_cb, fixture);
  while (!fixture->done)
    g_main_context_iteration (NULL, TRUE);
  while (!postaci_scripted_server_is_finished (fixture->server))
    g_main_context_iteration (NULL, TRUE);
}

static char *
received (Fixture *fixture)
{
  g_autoptr(GBytes) bytes = postaci_scripted_server_get_received (fixture->server);

  return g_strndup (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes));
}

static void
assert_transcript_has (Fixture *fixture, const char *line)
{
  if (strstr (fixture->result->transcript, line) == NULL)
    g_error ("“%s” is not in the probe's transcript:\n%s", line, fixture->result->transcript);
}

/* STARTTLS behind a certificate that is wrong for the name: the probe looks behind it, records
 * the problem and what the server offers inside TLS, and never says the user asked for it. */
static void
test_starttls_look_behind (Fixture *fixture, gconstpointer data)
{
  static const PostaciScriptStep script[] = {
    TS_PROBE_STARTTLS_LOOK (GREETING, EHLO_STARTTLS, EHLO_AUTH),
  };
  g_autofree char *wire = NULL;

  probe (fixture, script, POSTACI_SCRIPTED_SERVER_PLAIN, POSTACI_PROBE_START_PLAIN, NULL);
  g_assert_no_error (fixture->error);
  g_assert_null (postaci_scripted_server_get_error (fixture->server));
  g_assert_cmpint (fixture->result->status, ==, POSTACI_PROBE_OK);
  g_assert_cmpuint (fixture->result->greeting_code, ==, 220);
  g_assert_true (fixture->result->starttls_offered);
  g_assert_false (fixture->result->implicit_tls);
  g_assert_true (fixture->result->tls);
  g_assert_nonnull (fixture->result->tls_version);
  g_assert_true (g_str_has_prefix (fixture->result->tls_version, "TLS 1."));
  g_assert_true (fixture->result->certificate_errors != 0);
  g_assert_false (postaci_probe_result_get_tls_valid (fixture->result));
  g_assert_nonnull (fixture->result->certificate);
  g_assert_cmpuint (g_strv_length (fixture->result->certificate_problems), >, 0);
  g_assert_cmpuint (g_strv_length (fixture->result->auth_before), ==, 0);
  g_assert_cmpstrv (fixture->result->auth_after, ((const char *[]) { "PLAIN", "LOGIN", NULL }));
  g_assert_cmpint (fixture->result->size, ==, 35882577);
  g_assert_cmpint (fixture->result->connect_ms, >=, 0);
  g_assert_nonnull (fixture->result->address);

  /* Only EHLO, STARTTLS and QUIT went out; the plain-text part of the wire shows it. */
  wire = received (fixture);
  g_assert_cmpstr (wire, ==, PROBE_EHLO "\r\nSTARTTLS\r\n" PROBE_EHLO "\r\nQUIT\r\n");
  assert_transcript_has (fixture, "C: STARTTLS\n");
  assert_transcript_has (fixture, "S: 220 go ahead\n");
  assert_transcript_has (fixture, "! ");
  /* A look is not a run the user allowed: no "as you asked" sentence. */
  g_assert_null (strstr (fixture->result->transcript, "as you asked"));
}

/* Bytes behind the 220 to STARTTLS would be read as if they came through TLS: the probe stops,
 * exactly as a session does (CVE-2011-0411). */
static void
test_starttls_injection (Fixture *fixture, gconstpointer data)
{
  static const PostaciScriptStep script[] = {
    TS_SEND (GREETING),
    TS_EXPECT (PROBE_EHLO),
    TS_SEND (EHLO_STARTTLS),
    TS_EXPECT ("STARTTLS"),
    TS_SEND ("220 go ahead\r\n250 injected\r\n"),
    TS_EXPECT_CLOSE,
    TS_END,
  };

  probe (fixture, script, POSTACI_SCRIPTED_SERVER_PLAIN, POSTACI_PROBE_START_PLAIN, NULL);
  g_assert_no_error (fixture->error);
  g_assert_cmpint (fixture->result->status, ==, POSTACI_PROBE_BROKEN);
  g_assert_false (fixture->result->tls);
  g_assert_nonnull (strstr (fixture->result->error, "before encryption began"));
  g_assert_null (postaci_scripted_server_get_error (fixture->server));
}

/* TLS from the first byte to a port that speaks plain text: the classic mismatch, named. */
static void
test_plain_to_tls (Fixture *fixture, gconstpointer data)
{
  static const PostaciScriptStep script[] = {
    TS_SEND (GREETING),
    TS_STALL,
    TS_END,
  };

  probe (fixture, script, POSTACI_SCRIPTED_SERVER_PLAIN, POSTACI_PROBE_START_TLS, NULL);
  g_assert_no_error (fixture->error);
  g_assert_cmpint (fixture->result->status, ==, POSTACI_PROBE_TLS_FAILED);
  g_assert_cmpint (fixture->result->mismatch, ==, POSTACI_PROBE_MISMATCH_PLAIN_TO_TLS);
  g_assert_nonnull (strstr (fixture->result->error, "not SSL/TLS"));
}

/* A greeting that turns us away: recorded with its words, and the probe still says QUIT. */
static void
test_rejected_greeting (Fixture *fixture, gconstpointer data)
{
  static const PostaciScriptStep script[] = {
    TS_SEND ("554 no service for you\r\n"),
    TS_EXPECT ("QUIT"),
    TS_SEND ("221 bye\r\n"),
    TS_END,
  };

  probe (fixture, script, POSTACI_SCRIPTED_SERVER_PLAIN, POSTACI_PROBE_START_PLAIN, NULL);
  g_assert_no_error (fixture->error);
  g_assert_null (postaci_scripted_server_get_error (fixture->server));
  g_assert_cmpint (fixture->result->status, ==, POSTACI_PROBE_REJECTED);
  g_assert_cmpuint (fixture->result->greeting_code, ==, 554);
  g_assert_cmpstr (fixture->result->error, ==,
                   "The server turned the connection away: 554 no service for you");
}

/* A server that answers EHLO with nothing: the step's deadline, in words. */
static void
test_mute_after_greeting (Fixture *fixture, gconstpointer data)
{
  static const PostaciScriptStep script[] = {
    TS_SEND (GREETING),
    TS_STALL,
    TS_END,
  };

  probe (fixture, script, POSTACI_SCRIPTED_SERVER_PLAIN, POSTACI_PROBE_START_PLAIN, NULL);
  g_assert_no_error (fixture->error);
  g_assert_cmpint (fixture->result->status, ==, POSTACI_PROBE_BROKEN);
  g_assert_cmpstr (fixture->result->error, ==, "No answer within 1 second.");
}

static gboolean
cancel_cb (gpointer user_data)
{
  g_cancellable_cancel (user_data);
  return G_SOURCE_REMOVE;
}

/* Cancelled while it waits: an error, not a result. */
static void
test_cancelled (Fixture *fixture, gconstpointer data)
{
  static const PostaciScriptStep script[] = {
    TS_STALL,
    TS_END,
  };
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();

  g_timeout_add (100, cancel_cb, cancellable);
  probe (fixture, script, POSTACI_SCRIPTED_SERVER_PLAIN, POSTACI_PROBE_START_PLAIN, cancellable);
  g_assert_error (fixture->error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_null (fixture->result);
}

int
main (int argc, char **argv)
{
  g_setenv ("LANGUAGE", "en", TRUE);
  g_test_init (&argc, &argv, NULL);
#define ADD(path, func) \
  g_test_add ("/postaci/probe/" path, Fixture, NULL, NULL, func, fixture_teardown)
  ADD ("starttls-look-behind", test_starttls_look_behind);
  ADD ("starttls-injection", test_starttls_injection);
  ADD ("plain-to-tls", test_plain_to_tls);
  ADD ("rejected-greeting", test_rejected_greeting);
  ADD ("mute-after-greeting", test_mute_after_greeting);
  ADD ("cancelled", test_cancelled);
#undef ADD
  return g_test_run ();
}
