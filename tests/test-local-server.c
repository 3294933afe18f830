/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-local-server.c — the Local Test Server against our own client and against raw bytes. */
#include "config.h"

#include <string.h>
#include <unistd.h>
#include <glib/gstdio.h>
#include <gmime/gmime.h>

#include "postaci-certificate.h"
#include "postaci-local-server.h"
#include "postaci-message.h"
#include "postaci-session.h"
#include "postaci-scripted-server.h"
#include "postaci-transcript.h"

#define SUBJECT "Deneme: ığüşöç İĞÜŞÖÇ — test"
#define HTML "<html><body><h1>Merhaba dünya</h1><p>Çalışıyor mu? Ağır işçi ğüşıöç.</p></body></html>"

typedef struct {
  PostaciLocalServer *server;
  char               *folder;
  GPtrArray          *signalled;   /* PostaciCapturedMessage *, from "message-received" */
  PostaciSession     *session;
  PostaciOutcome     *outcome;
  GString            *transcript;
} Fixture;

static void
message_received_cb (PostaciLocalServer *server, PostaciCapturedMessage *message, gpointer user_data)
{
  Fixture *fixture = user_data;

  g_ptr_array_add (fixture->signalled, g_object_ref (message));
}

static void
fixture_setup (Fixture *fixture, gconstpointer data)
{
  g_autoptr(GError) error = NULL;

  fixture->transcript = g_string_new (NULL);
  fixture->signalled = g_ptr_array_new_with_free_func (g_object_unref);
  fixture->folder = g_dir_make_tmp ("postaci-local-server-XXXXXX", &error);
  g_assert_no_error (error);
  fixture->server = postaci_local_server_new ();
  postaci_local_server_set_folder (fixture->server, fixture->folder);
  g_signal_connect (fixture->server, "message-received", G_CALLBACK (message_received_cb), fixture);
  postaci_local_server_start (fixture->server, &error);
  g_assert_no_error (error);
  g_assert_true (postaci_local_server_is_running (fixture->server));
}

static void
remove_folder (const char *folder)
{
  g_autoptr(GDir) dir = g_dir_open (folder, 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = g_build_filename (folder, name, NULL);
      g_assert_cmpint (g_remove (path), ==, 0);
    }
  g_assert_cmpint (g_rmdir (folder), ==, 0);
}

static void
fixture_teardown (Fixture *fixture, gconstpointer data)
{
  postaci_local_server_stop (fixture->server);
  g_assert_false (postaci_local_server_is_running (fixture->server));
  g_assert_cmpuint (postaci_local_server_get_n_clients (fixture->server), ==, 0);
  g_clear_object (&fixture->server);
  g_clear_object (&fixture->session);
  g_clear_pointer (&fixture->outcome, postaci_outcome_free);
  g_ptr_array_unref (fixture->signalled);
  g_string_free (fixture->transcript, TRUE);
  /* Let cancelled operations deliver their callbacks and let go of their memory. */
  while (g_main_context_iteration (NULL, FALSE))
    ;
  remove_folder (fixture->folder);
  g_free (fixture->folder);
}

/* ------------------------------------------------------------------ */
/* Our client                                                          */
/* ------------------------------------------------------------------ */

static PostaciRequest *
base_request (Fixture *fixture, PostaciSecurity security)
{
  PostaciRequest *request = postaci_request_new ();

  request->server = g_strdup ("localhost");
  request->security = security;
  request->port = security == POSTACI_SECURITY_TLS ? postaci_local_server_get_tls_port (fixture->server)
                                                   : postaci_local_server_get_port (fixture->server);
  request->ehlo_name = g_strdup ("client.example");
  request->from = g_strdup ("ali@example.com");
  postaci_request_add_recipients (request, "veli@example.com, ayse@example.org");
  request->subject = g_strdup (SUBJECT);
  request->html = g_strdup (HTML);
  request->timeout_seconds = 10;
  request->pinned_certificate = g_object_ref (postaci_local_server_get_certificate (fixture->server));
  return request;
}

static void
with_auth (Fixture *fixture, PostaciRequest *request, PostaciMechanism mechanism)
{
  request->auth = TRUE;
  request->mechanism = mechanism;
  request->username = g_strdup (postaci_local_server_get_username (fixture->server));
  postaci_request_set_password (request, postaci_local_server_get_password (fixture->server));
}

static void
event_cb (PostaciSession *session, const PostaciEvent *event, gpointer user_data)
{
  Fixture *fixture = user_data;
  g_autofree char *line = postaci_transcript_format_event (event, POSTACI_TRANSCRIPT_TEXT);

  g_string_append (fixture->transcript, line);
}

static void
run_cb (GObject *object, GAsyncResult *result, gpointer user_data)
{
  Fixture *fixture = user_data;

  fixture->outcome = postaci_session_run_finish (POSTACI_SESSION (object), result);
}

static gboolean
outcome_ready (gpointer data)
{
  return ((Fixture *) data)->outcome != NULL;
}

static void
run (Fixture *fixture, PostaciRequest *request)
{
  g_clear_object (&fixture->session);
  g_clear_pointer (&fixture->outcome, postaci_outcome_free);
  fixture->session = postaci_session_new (request);
  g_signal_connect (fixture->session, "event", G_CALLBACK (event_cb), fixture);
  postaci_session_run_async (fixture->session, NULL, run_cb, fixture);
  postaci_test_wait_until (outcome_ready, fixture, 30000);
  postaci_request_free (request);
}

static void
assert_outcome (Fixture *fixture, PostaciVerdict verdict, PostaciStage stage, PostaciExitStatus status)
{
  g_assert_nonnull (fixture->outcome);
  if (fixture->outcome->verdict != verdict)
    g_printerr ("%s\n", fixture->transcript->str);
  g_assert_cmpstr (postaci_verdict_to_string (fixture->outcome->verdict), ==, postaci_verdict_to_string (verdict));
  g_assert_cmpstr (postaci_stage_to_string (fixture->outcome->stage), ==, postaci_stage_to_string (stage));
  g_assert_cmpint (postaci_outcome_get_exit_status (fixture->outcome), ==, status);
}

/* GMime reads the .eml back: subject, HTML and text survive the trip. */
static void
assert_message_intact (GBytes *raw)
{
  GMimeStream *stream;
  GMimeParser *parser;
  GMimeMessage *message;
  GMimeObject *html_part = NULL;
  GMimePartIter *iter;
  g_autofree char *html = NULL;
  gsize size;
  const char *data = g_bytes_get_data (raw, &size);

  g_mime_init ();
  stream = g_mime_stream_mem_new_with_buffer (data, size);
  parser = g_mime_parser_new_with_stream (stream);
  message = g_mime_parser_construct_message (parser, NULL);
  g_assert_nonnull (message);
  g_assert_cmpstr (g_mime_message_get_subject (message), ==, SUBJECT);
  g_assert_cmpstr (g_mime_object_get_header (GMIME_OBJECT (message), "X-Postaci-Envelope-From"), ==,
                   "<ali@example.com>");
  g_assert_cmpstr (g_mime_object_get_header (GMIME_OBJECT (message), "X-Postaci-Envelope-To"), ==,
                   "<veli@example.com>, <ayse@example.org>");

  iter = g_mime_part_iter_new (GMIME_OBJECT (message));
  do
    {
      GMimeObject *part = g_mime_part_iter_get_current (iter);
      GMimeContentType *type = part ? g_mime_object_get_content_type (part) : NULL;

      if (type != NULL && g_mime_content_type_is_type (type, "text", "html"))
        html_part = part;
    }
  while (g_mime_part_iter_next (iter));
  g_assert_nonnull (html_part);
  {
    GMimeDataWrapper *content = g_mime_part_get_content (GMIME_PART (html_part));
    GMimeStream *out = g_mime_stream_mem_new ();
    GByteArray *bytes;

    g_mime_data_wrapper_write_to_stream (content, out);
    bytes = g_mime_stream_mem_get_byte_array (GMIME_STREAM_MEM (out));
    html = g_strndup ((const char *) bytes->data, bytes->len);
    g_object_unref (out);
  }
  g_assert_nonnull (strstr (html, "<h1>Merhaba dünya</h1><p>Çalışıyor mu? Ağır işçi ğüşıöç.</p>"));

  g_mime_part_iter_free (iter);
  g_object_unref (message);
  g_object_unref (parser);
  g_object_unref (stream);
}

static PostaciCapturedMessage *
only_message (Fixture *fixture)
{
  GListModel *messages = postaci_local_server_get_messages (fixture->server);
  g_autoptr(PostaciCapturedMessage) message = NULL;

  g_assert_cmpuint (g_list_model_get_n_items (messages), ==, 1);
  g_assert_cmpuint (fixture->signalled->len, ==, 1);
  message = g_list_model_get_item (messages, 0);
  g_assert_true (message == g_ptr_array_index (fixture->signalled, 0));
  return message; /* the model keeps it alive */
}

static void
assert_captured (Fixture *fixture, gboolean tls, gboolean authenticated)
{
  PostaciCapturedMessage *message = only_message (fixture);
  const char *const *to = postaci_captured_message_get_recipients (message);
  g_autofree char *contents = NULL;
  gsize length;
  g_autoptr(GBytes) raw = postaci_captured_message_read (message, NULL);

  g_assert_nonnull (raw);
  g_assert_cmpstr (postaci_captured_message_get_from (message), ==, "ali@example.com");
  g_assert_cmpuint (g_strv_length ((char **) to), ==, 2);
  g_assert_cmpstr (to[0], ==, "veli@example.com");
  g_assert_cmpstr (to[1], ==, "ayse@example.org");
  g_assert_cmpstr (postaci_captured_message_get_subject (message), ==, SUBJECT);
  g_assert_true (postaci_captured_message_get_tls (message) == tls);
  g_assert_true (postaci_captured_message_get_authenticated (message) == authenticated);
  g_assert_nonnull (postaci_captured_message_get_received_time (message));

  /* The file holds exactly the bytes the list holds. */
  g_assert_true (g_str_has_prefix (postaci_captured_message_get_path (message), fixture->folder));
  g_assert_true (g_str_has_suffix (postaci_captured_message_get_path (message), ".eml"));
  g_assert_true (g_file_get_contents (postaci_captured_message_get_path (message), &contents, &length, NULL));
  g_assert_cmpmem (contents, length, g_bytes_get_data (raw, NULL), g_bytes_get_size (raw));
  g_assert_cmpuint (postaci_captured_message_get_size (message), ==, length);
  assert_message_intact (raw);
}

/* ------------------------------------------------------------------ */

static void
test_start (Fixture *fixture, gconstpointer data)
{
  PostaciLocalServer *server = fixture->server;
  GTlsCertificate *certificate = postaci_local_server_get_certificate (server);
  g_autoptr(PostaciCertificateInfo) info = postaci_certificate_info_new (certificate);
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autofree char *names = g_strjoinv (" ", info->names);
  g_autoptr(GError) error = NULL;
  const char *password = postaci_local_server_get_password (server);

  g_assert_cmpuint (postaci_local_server_get_port (server), >, 0);
  g_assert_cmpuint (postaci_local_server_get_tls_port (server), >, 0);
  g_assert_cmpuint (postaci_local_server_get_port (server), !=, postaci_local_server_get_tls_port (server));
  g_assert_cmpstr (postaci_local_server_get_username (server), ==, "postaci");
  g_assert_cmpuint (strlen (password), ==, 20);
  g_assert_cmpstr (postaci_local_server_get_folder (server), ==, fixture->folder);

  /* The throwaway certificate: for localhost and both loopback addresses, valid now. */
  g_assert_true (info->self_signed);
  g_assert_cmpstr (names, ==, "localhost 127.0.0.1 ::1");
  g_assert_cmpint (g_date_time_compare (info->not_before, now), <, 0);
  g_assert_cmpint (g_date_time_compare (now, info->not_after), <, 0);
  g_assert_cmpstr (info->sha256, ==, postaci_local_server_get_fingerprint (server));
  g_assert_true (g_str_has_prefix (postaci_local_server_get_certificate_pem (server), "-----BEGIN CERTIFICATE-----"));
  g_assert_null (strstr (postaci_local_server_get_certificate_pem (server), "PRIVATE KEY"));

  /* A port in use is an error that names it. */
  {
    g_autoptr(PostaciLocalServer) second = postaci_local_server_new ();
    g_autoptr(GError) busy = NULL;

    postaci_local_server_set_folder (second, fixture->folder);
    postaci_local_server_set_port (second, postaci_local_server_get_port (server));
    g_assert_false (postaci_local_server_start (second, &busy));
    g_assert_error (busy, POSTACI_LOCAL_SERVER_ERROR, POSTACI_LOCAL_SERVER_ERROR_LISTEN);
    g_assert_false (postaci_local_server_is_running (second));
  }

  /* Started twice: an error, and the first run goes on. */
  g_assert_false (postaci_local_server_start (server, &error));
  g_assert_error (error, POSTACI_LOCAL_SERVER_ERROR, POSTACI_LOCAL_SERVER_ERROR_RUNNING);
  g_assert_true (postaci_local_server_is_running (server));
}

static void
test_parse_failure (void)
{
  static const struct {
    const char   *spec;
    PostaciStage  stage;
    guint         code;
  } good[] = {
    { "greeting=421", POSTACI_STAGE_GREETING, 421 },
    { "greeting=silent", POSTACI_STAGE_GREETING, POSTACI_LOCAL_SERVER_SILENT },
    { "EHLO=550", POSTACI_STAGE_EHLO, 550 },
    { "tls=454", POSTACI_STAGE_TLS, 454 },
    { "auth=535", POSTACI_STAGE_AUTH, 535 },
    { "mail=550", POSTACI_STAGE_MAIL, 550 },
    { "rcpt=550", POSTACI_STAGE_RCPT, 550 },
    { "data=552", POSTACI_STAGE_DATA, 552 },
  };
  static const char *const bad[] = {
    "", "rcpt", "rcpt=", "=550", "rcpt=250", "rcpt=600", "rcpt=55O", "quit=421", "connect=421",
    "mail=silent", "rcpt=550=1", "rcpt= 550",
  };
  g_autoptr(PostaciLocalServer) server = postaci_local_server_new ();

  for (guint i = 0; i < G_N_ELEMENTS (good); i++)
    {
      g_autoptr(GError) error = NULL;
      PostaciStage stage;
      guint code;

      g_assert_true (postaci_local_server_parse_failure (good[i].spec, &stage, &code, &error));
      g_assert_no_error (error);
      g_assert_cmpint (stage, ==, good[i].stage);
      g_assert_cmpuint (code, ==, good[i].code);
      g_assert_true (postaci_local_server_set_failure (server, stage, code, NULL));
      g_assert_cmpuint (postaci_local_server_get_failure (server, stage), ==, code);
    }
  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(GError) error = NULL;
      PostaciStage stage;
      guint code;

      g_assert_false (postaci_local_server_parse_failure (bad[i], &stage, &code, &error));
      g_assert_error (error, POSTACI_LOCAL_SERVER_ERROR, POSTACI_LOCAL_SERVER_ERROR_FAILURE);
    }
  /* The setter checks too. */
  g_assert_false (postaci_local_server_set_failure (server, POSTACI_STAGE_QUIT, 421, NULL));
  g_assert_false (postaci_local_server_set_failure (server, POSTACI_STAGE_RCPT, 250, NULL));
  g_assert_false (postaci_local_server_set_failure (server, POSTACI_STAGE_RCPT, POSTACI_LOCAL_SERVER_SILENT, NULL));
  postaci_local_server_clear_failures (server);
  g_assert_cmpuint (postaci_local_server_get_failure (server, POSTACI_STAGE_DATA), ==, 0);
}

/* STARTTLS + AUTH with each mechanism, the certificate pinned. */
static void
test_starttls_auth (Fixture *fixture, gconstpointer data)
{
  PostaciMechanism mechanism = GPOINTER_TO_INT (data);
  PostaciRequest *request = base_request (fixture, POSTACI_SECURITY_STARTTLS);

  with_auth (fixture, request, mechanism);
  run (fixture, request);
  assert_outcome (fixture, POSTACI_VERDICT_SUCCESS, POSTACI_STAGE_DATA, POSTACI_EXIT_SUCCESS);
  g_assert_true (fixture->outcome->tls_used);
  g_assert_true (fixture->outcome->authenticated);
  g_assert_cmpuint (fixture->outcome->recipients_accepted, ==, 2);
  g_assert_nonnull (strstr (fixture->transcript->str, "pinned for this run"));
  /* STARTTLS is offered before TLS only: one EHLO reply of the two lists it. */
  {
    const char *first = strstr (fixture->transcript->str, "S: 250-STARTTLS");
    g_assert_nonnull (first);
    g_assert_null (strstr (first + 1, "S: 250-STARTTLS"));
  }
  g_assert_nonnull (strstr (fixture->transcript->str, postaci_mechanism_get_sasl_name (mechanism)));
  /* The password never shows, and AUTH was offered before TLS too (documented). */
  g_assert_null (strstr (fixture->transcript->str, postaci_local_server_get_password (fixture->server)));
  assert_captured (fixture, TRUE, TRUE);
}

/* The request the window prefills on first run works as it is, given a sender and a recipient
 * and the certificate pinned, as the form pins it when it builds a run. */
static void
test_new_request (Fixture *fixture, gconstpointer data)
{
  PostaciRequest *request = postaci_local_server_new_request (fixture->server);
  g_autoptr(GError) error = NULL;

  g_assert_cmpstr (request->server, ==, "127.0.0.1");
  g_assert_cmpuint (request->port, ==, postaci_local_server_get_port (fixture->server));
  /* Filling a form does not make the certificate. */
  g_assert_null (request->pinned_certificate);
  request->pinned_certificate = g_object_ref (postaci_local_server_get_certificate (fixture->server));
  {
    /* A copy holds its own reference to the pinned certificate. */
    PostaciRequest *copy = postaci_request_copy (request);
    g_assert_true (copy->pinned_certificate == request->pinned_certificate);
    postaci_request_free (copy);
    g_assert_true (G_IS_TLS_CERTIFICATE (request->pinned_certificate));
  }
  request->from = g_strdup ("ali@example.com");
  postaci_request_add_recipients (request, "veli@example.com;ayse@example.org");
  request->subject = g_strdup (SUBJECT);
  request->html = g_strdup (HTML);
  g_assert_true (postaci_request_validate (request, &error));
  g_assert_no_error (error);
  run (fixture, request);
  assert_outcome (fixture, POSTACI_VERDICT_SUCCESS, POSTACI_STAGE_DATA, POSTACI_EXIT_SUCCESS);
  g_assert_true (fixture->outcome->tls_used);
  g_assert_true (fixture->outcome->authenticated);
  assert_captured (fixture, TRUE, TRUE);
}

static void
test_implicit_tls (Fixture *fixture, gconstpointer data)
{
  PostaciRequest *request = base_request (fixture, POSTACI_SECURITY_TLS);

  g_free (request->server);
  request->server = g_strdup ("127.0.0.1");
  with_auth (fixture, request, POSTACI_MECHANISM_CRAM_MD5);
  run (fixture, request);
  assert_outcome (fixture, POSTACI_VERDICT_SUCCESS, POSTACI_STAGE_DATA, POSTACI_EXIT_SUCCESS);
  g_assert_true (fixture->outcome->tls_used);
  assert_captured (fixture, TRUE, TRUE);
}

/* ::1 is served too, with STARTTLS: an IP literal goes without SNI, and the
 * certificate's IP address ::1 is what is checked. */
static void
test_ipv6 (Fixture *fixture, gconstpointer data)
{
  PostaciRequest *request;
  g_autofree char *ca_file = NULL;
  int fd;

  if (!postaci_local_server_get_has_ipv6 (fixture->server))
    {
      g_test_skip ("this machine has no ::1");
      return;
    }
  /* Trusted through a CA file, not pinned, so the name check really runs. */
  ca_file = g_build_filename (g_get_tmp_dir (), "postaci-local-server-XXXXXX.pem", NULL);
  fd = g_mkstemp (ca_file);
  g_assert_cmpint (fd, >=, 0);
  close (fd);
  g_assert_true (g_file_set_contents (ca_file, postaci_local_server_get_certificate_pem (fixture->server),
                                      -1, NULL));
  request = base_request (fixture, POSTACI_SECURITY_STARTTLS);
  g_clear_object (&request->pinned_certificate);
  request->ca_file = g_strdup (ca_file);
  g_free (request->server);
  request->server = g_strdup ("[::1]");
  run (fixture, request);
  g_unlink (ca_file);
  assert_outcome (fixture, POSTACI_VERDICT_SUCCESS, POSTACI_STAGE_DATA, POSTACI_EXIT_SUCCESS);
  g_assert_true (fixture->outcome->tls_used);
  assert_captured (fixture, TRUE, FALSE);
}

/* Without AUTH and without TLS: a local sink takes the mail all the same. */
static void
test_plain_no_auth (Fixture *fixture, gconstpointer data)
{
  PostaciRequest *request = base_request (fixture, POSTACI_SECURITY_NONE);

  run (fixture, request);
  assert_outcome (fixture, POSTACI_VERDICT_SUCCESS, POSTACI_STAGE_DATA, POSTACI_EXIT_SUCCESS);
  g_assert_false (fixture->outcome->tls_used);
  assert_captured (fixture, FALSE, FALSE);

  /* Only the envelope and the subject stay in memory: with its file gone, the body is gone. */
  {
    PostaciCapturedMessage *message = only_message (fixture);
    g_autoptr(GError) error = NULL;
    g_autoptr(GBytes) raw = NULL;

    g_assert_cmpint (g_unlink (postaci_captured_message_get_path (message)), ==, 0);
    raw = postaci_captured_message_read (message, &error);
    g_assert_null (raw);
    g_assert_error (error, G_FILE_ERROR, G_FILE_ERROR_NOENT);
    g_assert_cmpstr (postaci_captured_message_get_subject (message), ==, SUBJECT);
  }
}

/* SMTPUTF8 (RFC 6531): a Turkish mailbox name travels as it is. */
static void
test_smtputf8 (Fixture *fixture, gconstpointer data)
{
  PostaciRequest *request = base_request (fixture, POSTACI_SECURITY_STARTTLS);
  g_autoptr(PostaciCapturedMessage) message = NULL;

  g_free (request->from);
  request->from = g_strdup ("çağrı@example.com");
  run (fixture, request);
  assert_outcome (fixture, POSTACI_VERDICT_SUCCESS, POSTACI_STAGE_DATA, POSTACI_EXIT_SUCCESS);
  g_assert_nonnull (strstr (fixture->transcript->str, "C: MAIL FROM:<çağrı@example.com>"));
  g_assert_nonnull (strstr (fixture->transcript->str, " SMTPUTF8"));
  message = g_list_model_get_item (postaci_local_server_get_messages (fixture->server), 0);
  g_assert_cmpstr (postaci_captured_message_get_from (message), ==, "çağrı@example.com");
}

/* Not pinned, not trusted: the self-signed certificate is refused, as it should be. */
static void
test_unpinned_refused (Fixture *fixture, gconstpointer data)
{
  PostaciRequest *request = base_request (fixture, POSTACI_SECURITY_STARTTLS);

  g_clear_object (&request->pinned_certificate);
  run (fixture, request);
  assert_outcome (fixture, POSTACI_VERDICT_TLS, POSTACI_STAGE_TLS, POSTACI_EXIT_FAILURE);
  g_assert_cmpuint (g_list_model_get_n_items (postaci_local_server_get_messages (fixture->server)), ==, 0);
}

static void
test_wrong_password (Fixture *fixture, gconstpointer data)
{
  PostaciRequest *request = base_request (fixture, POSTACI_SECURITY_STARTTLS);

  with_auth (fixture, request, POSTACI_MECHANISM_PLAIN);
  postaci_request_set_password (request, "not-the-password");
  run (fixture, request);
  assert_outcome (fixture, POSTACI_VERDICT_REFUSED, POSTACI_STAGE_AUTH, POSTACI_EXIT_REFUSED);
  g_assert_cmpuint (fixture->outcome->reply->code, ==, 535);
  g_assert_cmpuint (fixture->outcome->reply->enhanced[2], ==, 8);
}

typedef struct {
  const char       *spec;
  PostaciSecurity   security;
  gboolean          auth;
  PostaciVerdict    verdict;
  PostaciStage      stage;
  PostaciExitStatus status;
  guint             code;      /* 0: no reply expected */
  const char       *enhanced;  /* "5.1.1", or NULL */
} FailureCase;

static const FailureCase failure_cases[] = {
  { "greeting=421", POSTACI_SECURITY_STARTTLS, FALSE, POSTACI_VERDICT_REFUSED, POSTACI_STAGE_GREETING, POSTACI_EXIT_REFUSED, 421, "4.3.2" },
  { "greeting=554", POSTACI_SECURITY_STARTTLS, FALSE, POSTACI_VERDICT_REFUSED, POSTACI_STAGE_GREETING, POSTACI_EXIT_REFUSED, 554, "5.3.2" },
  { "greeting=silent", POSTACI_SECURITY_STARTTLS, FALSE, POSTACI_VERDICT_TIMEOUT, POSTACI_STAGE_GREETING, POSTACI_EXIT_TIMEOUT, 0, NULL },
  { "ehlo=550", POSTACI_SECURITY_STARTTLS, FALSE, POSTACI_VERDICT_REFUSED, POSTACI_STAGE_EHLO, POSTACI_EXIT_REFUSED, 550, "5.5.2" },
  { "tls=454", POSTACI_SECURITY_STARTTLS, FALSE, POSTACI_VERDICT_REFUSED, POSTACI_STAGE_TLS, POSTACI_EXIT_REFUSED, 454, "4.7.0" },
  { "auth=535", POSTACI_SECURITY_STARTTLS, TRUE, POSTACI_VERDICT_REFUSED, POSTACI_STAGE_AUTH, POSTACI_EXIT_REFUSED, 535, "5.7.8" },
  { "auth=454", POSTACI_SECURITY_TLS, TRUE, POSTACI_VERDICT_REFUSED, POSTACI_STAGE_AUTH, POSTACI_EXIT_REFUSED, 454, "4.7.0" },
  { "mail=550", POSTACI_SECURITY_STARTTLS, TRUE, POSTACI_VERDICT_REFUSED, POSTACI_STAGE_MAIL, POSTACI_EXIT_REFUSED, 550, "5.7.1" },
  { "mail=421", POSTACI_SECURITY_STARTTLS, FALSE, POSTACI_VERDICT_REFUSED, POSTACI_STAGE_MAIL, POSTACI_EXIT_REFUSED, 421, "4.3.2" },
  { "rcpt=550", POSTACI_SECURITY_STARTTLS, TRUE, POSTACI_VERDICT_REFUSED, POSTACI_STAGE_RCPT, POSTACI_EXIT_REFUSED, 550, "5.1.1" },
  { "rcpt=554", POSTACI_SECURITY_TLS, FALSE, POSTACI_VERDICT_REFUSED, POSTACI_STAGE_RCPT, POSTACI_EXIT_REFUSED, 554, "5.7.1" },
  { "data=552", POSTACI_SECURITY_STARTTLS, TRUE, POSTACI_VERDICT_REFUSED, POSTACI_STAGE_DATA, POSTACI_EXIT_REFUSED, 552, "5.3.4" },
  { "data=451", POSTACI_SECURITY_STARTTLS, FALSE, POSTACI_VERDICT_REFUSED, POSTACI_STAGE_DATA, POSTACI_EXIT_REFUSED, 451, "4.3.0" },
};

static void
test_failure (Fixture *fixture, gconstpointer data)
{
  const FailureCase *c = data;
  g_autoptr(GError) error = NULL;
  PostaciRequest *request;
  PostaciStage stage;
  guint code;

  g_assert_true (postaci_local_server_parse_failure (c->spec, &stage, &code, &error));
  g_assert_true (postaci_local_server_set_failure (fixture->server, stage, code, &error));
  g_assert_no_error (error);

  request = base_request (fixture, c->security);
  if (c->auth)
    with_auth (fixture, request, POSTACI_MECHANISM_PLAIN);
  if (code == POSTACI_LOCAL_SERVER_SILENT)
    request->timeout_seconds = 1; /* the deadline is what this case is about */
  run (fixture, request);
  assert_outcome (fixture, c->verdict, c->stage, c->status);
  g_assert_nonnull (fixture->outcome->reason);
  g_assert_nonnull (fixture->outcome->explanation);
  if (c->code != 0)
    {
      g_autofree char *enhanced = NULL;

      g_assert_nonnull (fixture->outcome->reply);
      g_assert_cmpuint (fixture->outcome->reply->code, ==, c->code);
      enhanced = g_strdup_printf ("%u.%u.%u", fixture->outcome->reply->enhanced[0],
                                  fixture->outcome->reply->enhanced[1], fixture->outcome->reply->enhanced[2]);
      g_assert_cmpstr (enhanced, ==, c->enhanced);
    }
  else
    g_assert_cmpint (fixture->outcome->error_code, ==, POSTACI_SESSION_ERROR_NO_GREETING);
  /* A failure on purpose captures nothing. */
  g_assert_cmpuint (g_list_model_get_n_items (postaci_local_server_get_messages (fixture->server)), ==, 0);
  g_assert_cmpuint (fixture->signalled->len, ==, 0);
}

/* SIZE is advertised: our client sees the limit and does not even try. */
static void
test_size_advertised (Fixture *fixture, gconstpointer data)
{
  PostaciRequest *request = base_request (fixture, POSTACI_SECURITY_STARTTLS);
  GString *html = g_string_new ("<p>");

  postaci_local_server_set_max_size (fixture->server, 4000);
  for (guint i = 0; i < 200; i++)
    g_string_append (html, "Büyük bir mesaj, satır satır. ");
  g_string_append (html, "</p>");
  g_free (request->html);
  request->html = g_string_free (html, FALSE);
  run (fixture, request);
  /* Our client's own check, before a byte of the message goes out. */
  assert_outcome (fixture, POSTACI_VERDICT_PROTOCOL, POSTACI_STAGE_MAIL, POSTACI_EXIT_FAILURE);
  g_assert_cmpint (fixture->outcome->error_code, ==, POSTACI_SESSION_ERROR_TOO_LARGE);
  g_assert_nonnull (strstr (fixture->transcript->str, "SIZE 4000"));
}

/* ------------------------------------------------------------------ */
/* Raw clients: exact bytes                                            */
/* ------------------------------------------------------------------ */

typedef struct {
  const char *send;    /* NULL: send nothing first */
  guint       replies; /* complete replies to read after it */
} RawStep;

typedef struct {
  guint16        port;
  const RawStep *steps;
  gboolean       read_to_eof;
  GString       *received;
  gboolean       eof;
  char          *error;
  gint           done;
} RawClient;

/* A blocking client on a thread of its own (the server runs on the test's main
 * loop); every socket wait is bounded by the socket client's timeout. */
static gpointer
raw_client_thread (gpointer data)
{
  RawClient *raw = data;
  g_autoptr(GSocketClient) client = g_socket_client_new ();
  g_autoptr(GSocketConnection) connection = NULL;
  g_autoptr(GDataInputStream) input = NULL;
  GOutputStream *output;
  GError *error = NULL;

  g_socket_client_set_timeout (client, 10);
  g_socket_client_set_enable_proxy (client, FALSE);
  connection = g_socket_client_connect_to_host (client, "127.0.0.1", raw->port, NULL, &error);
  if (connection == NULL)
    goto out;
  input = g_data_input_stream_new (g_io_stream_get_input_stream (G_IO_STREAM (connection)));
  g_data_input_stream_set_newline_type (input, G_DATA_STREAM_NEWLINE_TYPE_CR_LF);
  output = g_io_stream_get_output_stream (G_IO_STREAM (connection));
  for (guint i = 0; raw->steps[i].send != NULL || raw->steps[i].replies != 0; i++)
    {
      guint replies = 0;

      if (raw->steps[i].send != NULL &&
          !g_output_stream_write_all (output, raw->steps[i].send, strlen (raw->steps[i].send), NULL, NULL, &error))
        goto out;
      while (replies < raw->steps[i].replies)
        {
          gsize length;
          g_autofree char *line = g_data_input_stream_read_line (input, &length, NULL, &error);

          if (line == NULL)
            {
              if (error == NULL)
                raw->eof = TRUE;
              goto out;
            }
          g_string_append_printf (raw->received, "%s\n", line);
          if (length >= 4 && line[3] == ' ')
            replies++;
        }
    }
  if (raw->read_to_eof)
    {
      char buffer[256];
      gssize n;

      while ((n = g_input_stream_read (G_INPUT_STREAM (input), buffer, sizeof buffer, NULL, &error)) > 0)
        g_string_append_len (raw->received, buffer, n);
      raw->eof = n == 0;
    }

out:
  if (error != NULL)
    {
      raw->error = g_strdup (error->message);
      g_error_free (error);
    }
  g_atomic_int_set (&raw->done, 1);
  return NULL;
}

static gboolean
raw_done (gpointer data)
{
  return g_atomic_int_get (&((RawClient *) data)->done) == 1;
}

/* Runs the steps against the plain port; returns what the server said, one line each. */
static char *
raw_exchange (Fixture *fixture, const RawStep *steps, gboolean read_to_eof, gboolean *eof)
{
  RawClient raw = { 0 };
  GThread *thread;

  raw.port = (guint16) postaci_local_server_get_port (fixture->server);
  raw.steps = steps;
  raw.read_to_eof = read_to_eof;
  raw.received = g_string_new (NULL);
  thread = g_thread_new ("raw-client", raw_client_thread, &raw);
  postaci_test_wait_until (raw_done, &raw, 30000);
  g_thread_join (thread);
  g_assert_cmpstr (raw.error, ==, NULL);
  if (eof != NULL)
    *eof = raw.eof;
  return g_string_free (raw.received, FALSE);
}

/* PIPELINING (RFC 2920): a whole batch sent at once is answered in order. */
static void
test_pipelining (Fixture *fixture, gconstpointer data)
{
  const RawStep steps[] = {
    { NULL, 1 },
    { "EHLO pipe.example\r\nMAIL FROM:<a@example.com>\r\nRCPT TO:<b@example.com>\r\n"
      "RCPT TO:<c@example.com>\r\nDATA\r\n", 5 },
    { "Subject: boru hattı\r\n\r\n..nokta ile başlayan satır\r\n.\r\nNOOP\r\nRSET\r\nVRFY x\r\nQUIT\r\n", 5 },
    { NULL, 0 },
  };
  gboolean eof = FALSE;
  g_autofree char *replies = raw_exchange (fixture, steps, TRUE, &eof);
  g_autofree char *expected = NULL;
  PostaciCapturedMessage *message;
  g_autoptr(GBytes) raw = NULL;
  g_autofree char *text = NULL;
  const char *body;

  expected = g_strdup_printf (
    "220 localhost ESMTP Postaci local test server ready (a sink: nothing is forwarded)\n"
    "250-localhost greets pipe.example\n250-SIZE %d\n250-8BITMIME\n250-SMTPUTF8\n250-PIPELINING\n"
    "250-ENHANCEDSTATUSCODES\n250-STARTTLS\n250-AUTH PLAIN LOGIN CRAM-MD5\n250 HELP\n"
    "250 2.1.0 Ok\n250 2.1.5 Ok\n250 2.1.5 Ok\n354 End data with <CR><LF>.<CR><LF>\n"
    "250 2.0.0 Ok: queued as 1\n250 2.0.0 Ok\n250 2.0.0 Ok\n"
    "252 2.0.0 Cannot VRFY user, but will accept the message\n221 2.0.0 Bye\n",
    POSTACI_LOCAL_SERVER_DEFAULT_MAX_SIZE);
  g_assert_cmpstr (replies, ==, expected);
  g_assert_true (eof);

  message = only_message (fixture);
  g_assert_cmpstr (postaci_captured_message_get_subject (message), ==, "boru hattı");
  raw = postaci_captured_message_read (message, NULL);
  g_assert_nonnull (raw);
  /* GBytes are not NUL-terminated. */
  text = g_strndup (g_bytes_get_data (raw, NULL), g_bytes_get_size (raw));
  body = strstr (text, "Subject: ");
  g_assert_nonnull (body);
  /* Dot-unstuffed, CRLF kept, the terminator gone. */
  g_assert_cmpstr (body, ==, "Subject: boru hattı\r\n\r\n.nokta ile başlayan satır\r\n");
  g_assert_false (postaci_captured_message_get_tls (message));
}

/* SIZE is enforced: a declared size over the limit, and data over it without one. */
static void
test_size_enforced (Fixture *fixture, gconstpointer data)
{
  g_autofree char *big = g_strnfill (900, 'x');
  g_autofree char *data_lines = g_strdup_printf ("%s\r\n%s\r\n%s\r\n.\r\n", big, big, big);
  const RawStep steps[] = {
    { NULL, 1 },
    { "EHLO size.example\r\n", 1 },
    { "MAIL FROM:<a@example.com> SIZE=2001\r\n", 1 },
    { "MAIL FROM:<a@example.com> SIZE=1500\r\nRCPT TO:<b@example.com>\r\nDATA\r\n", 3 },
    { data_lines, 1 },
    { "QUIT\r\n", 1 },
    { NULL, 0 },
  };
  g_autofree char *replies = NULL;
  g_auto(GStrv) lines = NULL;

  postaci_local_server_set_max_size (fixture->server, 2000);
  replies = raw_exchange (fixture, steps, FALSE, NULL);
  lines = g_strsplit (replies, "\n", -1);
  g_assert_cmpstr (lines[2], ==, "250-SIZE 2000");
  g_assert_true (g_strv_contains ((const char *const *) lines, "552 5.3.4 Message size exceeds fixed limit"));
  /* The declared SIZE=1500 passed, the data (2706 bytes) did not: refused at the dot. */
  g_assert_cmpstr (lines[g_strv_length (lines) - 3], ==, "552 5.3.4 Message size exceeds fixed limit");
  g_assert_cmpuint (g_list_model_get_n_items (postaci_local_server_get_messages (fixture->server)), ==, 0);
}

/* A line over the cap ends the connection with 500 5.5.2; nothing grows. */
static void
test_line_too_long (Fixture *fixture, gconstpointer data)
{
  g_autofree char *huge = g_strnfill (5000, 'A');
  g_autofree char *line = g_strconcat ("NOOP ", huge, "\r\n", NULL);
  const RawStep steps[] = {
    { NULL, 1 },
    { line, 1 },
    { NULL, 0 },
  };
  gboolean eof = FALSE;
  g_autofree char *replies = raw_exchange (fixture, steps, TRUE, &eof);

  g_assert_true (g_str_has_suffix (replies, "\n500 5.5.2 Line too long (the limit is 4096 bytes)\n"));
  g_assert_true (eof);
}

/* Strict about line ends and order; a bare LF never ends the data. */
static void
test_strict (Fixture *fixture, gconstpointer data)
{
  const RawStep steps[] = {
    { NULL, 1 },
    { "MAIL FROM:<a@example.com>\r\n", 1 },
    { "NOOP\n", 1 },
    { "HELO strict.example\r\n", 1 },
    { "RCPT TO:<b@example.com>\r\n", 1 },
    { "MAIL FROM:<a@example.com> BOGUS=1\r\n", 1 },
    { "MAIL FROM:<çağrı@example.com>\r\n", 1 },
    { "MAIL FROM:<a@example.com>\r\nRCPT TO:<b@example.com>\r\nDATA\r\n", 3 },
    { "Subject: smuggle\r\n\n.\nMAIL FROM:<evil@example.com>\r\n.\r\n", 1 },
    { "AUTH PLAIN AHBvc3RhY2kAd3Jvbmc=\r\n", 1 },
    { "AUTH LOGIN\r\n", 1 },
    { "*\r\n", 1 },
    { "AUTH PLAIN not/base64!\r\n", 1 },
    { "STARTTLS extra\r\n", 1 },
    { "BDAT 10 LAST\r\n", 1 },
    { "FOO\r\n", 1 },
    { "HELP\r\n", 1 },
    { "QUIT\r\n", 1 },
    { NULL, 0 },
  };
  g_autofree char *replies = raw_exchange (fixture, steps, FALSE, NULL);

  g_assert_cmpstr (replies, ==,
    "220 localhost ESMTP Postaci local test server ready (a sink: nothing is forwarded)\n"
    "503 5.5.1 Send EHLO first\n"
    "500 5.5.2 Bad command line: a NUL byte, or a line end without CR\n"
    "250 localhost\n"
    "503 5.5.1 Need MAIL before RCPT\n"
    "555 5.5.4 Unsupported parameter\n"
    "553 5.6.7 A non-ASCII address needs SMTPUTF8\n"
    "250 2.1.0 Ok\n250 2.1.5 Ok\n354 End data with <CR><LF>.<CR><LF>\n"
    "550 5.6.0 Message refused: a line ended with a bare LF; SMTP lines end with CRLF\n"
    "503 5.5.1 Send EHLO first\n"  /* AUTH needs EHLO, not HELO */
    "503 5.5.1 Send EHLO first\n"
    "500 5.5.2 Command not recognized\n"
    "503 5.5.1 Send EHLO first\n"
    "501 5.5.4 Syntax: STARTTLS\n"
    "502 5.5.1 Command not implemented\n"
    "500 5.5.2 Command not recognized\n"
    "214-2.0.0 Postaci local test server: a sink on loopback, nothing is forwarded\n"
    "214 2.0.0 Commands: EHLO HELO STARTTLS AUTH MAIL RCPT DATA RSET NOOP VRFY HELP QUIT\n"
    "221 2.0.0 Bye\n");
  g_assert_cmpuint (g_list_model_get_n_items (postaci_local_server_get_messages (fixture->server)), ==, 0);
}

/* AUTH by hand: wrong and right credentials, cancelling, bad base64. */
static void
test_auth_raw (Fixture *fixture, gconstpointer data)
{
  const char *password = postaci_local_server_get_password (fixture->server);
  g_autofree char *plain_raw = g_strdup_printf ("%cpostaci%c%s", 0, 0, password);
  g_autofree char *plain = g_base64_encode ((const guchar *) plain_raw, strlen (password) + 9);
  g_autofree char *auth_plain = g_strdup_printf ("AUTH PLAIN %s\r\n", plain);
  const RawStep steps[] = {
    { NULL, 1 },
    { "EHLO auth.example\r\n", 1 },
    { "AUTH PLAIN AHBvc3RhY2kAd3Jvbmc=\r\n", 1 },  /* \0postaci\0wrong */
    { "AUTH LOGIN\r\n", 1 },
    { "*\r\n", 1 },
    { "AUTH PLAIN\r\n", 1 },
    { "not/base64!\r\n", 1 },
    { "AUTH XOAUTH2 abc\r\n", 1 },
    { auth_plain, 1 },
    { "AUTH PLAIN\r\n", 1 },
    { "EHLO again.example\r\n", 1 },
    { "QUIT\r\n", 1 },
    { NULL, 0 },
  };
  g_autofree char *replies = raw_exchange (fixture, steps, FALSE, NULL);
  const char *after = strstr (replies, "250 HELP\n");

  g_assert_nonnull (after);
  g_assert_cmpstr (after, ==,
    "250 HELP\n"
    "535 5.7.8 Authentication credentials invalid\n"
    "334 VXNlcm5hbWU6\n"
    "501 5.0.0 Authentication cancelled\n"
    "334 \n"
    "501 5.5.2 Cannot decode the response\n"
    "504 5.5.4 Unrecognized authentication type\n"
    "235 2.7.0 Authentication successful\n"
    "503 5.5.1 Already authenticated\n"
    /* Once authenticated, AUTH is no longer offered. */
    "250-localhost greets again.example\n250-SIZE 26214400\n250-8BITMIME\n250-SMTPUTF8\n"
    "250-PIPELINING\n250-ENHANCEDSTATUSCODES\n250-STARTTLS\n250 HELP\n"
    "221 2.0.0 Bye\n");
}

typedef struct {
  Fixture   *fixture;
  GPtrArray *held;
  guint      wanted;
} Crowd;

static void
crowd_connect_cb (GObject *object, GAsyncResult *res, gpointer user_data)
{
  Crowd *crowd = user_data;
  g_autoptr(GError) error = NULL;
  GSocketConnection *connection = g_socket_client_connect_to_host_finish (G_SOCKET_CLIENT (object), res, &error);

  g_assert_no_error (error);
  g_ptr_array_add (crowd->held, connection);
}

static gboolean
crowd_in (gpointer data)
{
  Crowd *crowd = data;

  return crowd->held->len == crowd->wanted &&
         postaci_local_server_get_n_clients (crowd->fixture->server) == crowd->wanted;
}

/* More clients than allowed: the extra one hears 421 and is closed. */
static void
test_too_many_clients (Fixture *fixture, gconstpointer data)
{
  g_autoptr(GSocketClient) client = g_socket_client_new ();
  Crowd crowd = { fixture, g_ptr_array_new_with_free_func (g_object_unref), 0 };
  const RawStep steps[] = {
    { NULL, 1 },
    { NULL, 0 },
  };
  g_autofree char *replies = NULL;
  gboolean eof = FALSE;

  g_socket_client_set_enable_proxy (client, FALSE);
  for (guint i = 0; i < 16; i++)
    {
      /* One at a time: the listen backlog is short, and the server accepts on this thread. */
      crowd.wanted = i + 1;
      g_socket_client_connect_to_host_async (client, "127.0.0.1", postaci_local_server_get_port (fixture->server),
                                             NULL, crowd_connect_cb, &crowd);
      postaci_test_wait_until (crowd_in, &crowd, 10000);
    }
  replies = raw_exchange (fixture, steps, TRUE, &eof);
  g_assert_cmpstr (replies, ==, "421 4.7.0 localhost Too many connections, try again later\n");
  g_assert_true (eof);
  g_ptr_array_unref (crowd.held);
}

typedef struct {
  guint16  port;
  GString *received;
  char    *error;
  gint     done;
} InjectClient;

static gboolean
accept_any_cb (GTlsConnection *tls, GTlsCertificate *certificate, GTlsCertificateFlags errors, gpointer data)
{
  return TRUE;
}

/* Sends "STARTTLS" and a NOOP behind it in one write, as an attacker in the
 * middle would, then the handshake and an EHLO. */
static gpointer
inject_thread (gpointer data)
{
  InjectClient *inject = data;
  g_autoptr(GSocketClient) client = g_socket_client_new ();
  g_autoptr(GSocketConnection) connection = NULL;
  g_autoptr(GIOStream) tls = NULL;
  g_autoptr(GDataInputStream) input = NULL;
  GError *error = NULL;
  char *line;
  static const char attack[] = "EHLO inject.example\r\nSTARTTLS\r\nNOOP\r\n";

  g_socket_client_set_timeout (client, 10);
  g_socket_client_set_enable_proxy (client, FALSE);
  connection = g_socket_client_connect_to_host (client, "127.0.0.1", inject->port, NULL, &error);
  if (connection == NULL)
    goto out;
  if (!g_output_stream_write_all (g_io_stream_get_output_stream (G_IO_STREAM (connection)), attack,
                                  strlen (attack), NULL, NULL, &error))
    goto out;
  /* Byte by byte up to the 220: nothing of the TLS stream may be read ahead. */
  {
    GInputStream *raw = g_io_stream_get_input_stream (G_IO_STREAM (connection));
    guint finals = 0;
    char c;

    while (finals < 3 && g_input_stream_read (raw, &c, 1, NULL, &error) == 1)
      {
        g_string_append_c (inject->received, c);
        if (c == '\n')
          {
            const char *last = strrchr (inject->received->str, '\n');
            const char *start = last;
            while (start > inject->received->str && start[-1] != '\n')
              start--;
            if (last - start >= 4 && start[3] == ' ')
              finals++;
          }
      }
    if (error != NULL)
      goto out;
  }
  tls = g_tls_client_connection_new (G_IO_STREAM (connection), NULL, &error);
  if (tls == NULL)
    goto out;
  g_signal_connect (tls, "accept-certificate", G_CALLBACK (accept_any_cb), NULL);
  if (!g_tls_connection_handshake (G_TLS_CONNECTION (tls), NULL, &error))
    goto out;
  g_string_append (inject->received, "-- TLS --\n");
  if (!g_output_stream_write_all (g_io_stream_get_output_stream (tls), "QUIT\r\n", 6, NULL, NULL, &error))
    goto out;
  input = g_data_input_stream_new (g_io_stream_get_input_stream (tls));
  while ((line = g_data_input_stream_read_line (input, NULL, NULL, &error)) != NULL)
    {
      g_string_append_printf (inject->received, "%s\n", g_strchomp (line));
      g_free (line);
    }

out:
  if (error != NULL && !g_error_matches (error, G_TLS_ERROR, G_TLS_ERROR_EOF))
    inject->error = g_strdup (error->message);
  g_clear_error (&error);
  g_atomic_int_set (&inject->done, 1);
  return NULL;
}

static gboolean
inject_done (gpointer data)
{
  return g_atomic_int_get (&((InjectClient *) data)->done) == 1;
}

/* RFC 3207 §5: what came behind STARTTLS before the handshake is thrown away,
 * never answered inside TLS as if the client had said it there. */
static void
test_starttls_injection (Fixture *fixture, gconstpointer data)
{
  InjectClient inject = { 0 };
  GThread *thread;
  const char *after;

  inject.port = (guint16) postaci_local_server_get_port (fixture->server);
  inject.received = g_string_new (NULL);
  thread = g_thread_new ("inject", inject_thread, &inject);
  postaci_test_wait_until (inject_done, &inject, 30000);
  g_thread_join (thread);
  g_assert_cmpstr (inject.error, ==, NULL);
  after = strstr (inject.received->str, "220 2.0.0 Ready to start TLS\r\n-- TLS --\n");
  g_assert_nonnull (after);
  g_assert_cmpstr (strstr (after, "-- TLS --\n"), ==, "-- TLS --\n221 2.0.0 Bye\n");
  g_string_free (inject.received, TRUE);
}

/* A client that stops talking hears 421 4.4.2 at the server's deadline, then EOF. */
static void
test_deadline (Fixture *fixture, gconstpointer data)
{
  const RawStep steps[] = {
    { NULL, 1 },
    { "EHLO slow.example\r\n", 1 },
    { NULL, 1 },
    { NULL, 0 },
  };
  gboolean eof = FALSE;
  g_autofree char *replies = NULL;

  postaci_local_server_set_timeout (fixture->server, 1);
  replies = raw_exchange (fixture, steps, TRUE, &eof);
  g_assert_true (g_str_has_suffix (replies, "250 HELP\n421 4.4.2 localhost Error: timeout exceeded\n"));
  g_assert_true (eof);
}

/* A client that never sends its first command hears 421 4.4.2 at the short first-command
 * deadline (30 s by default), not after the 300 s every later command gets. */
static void
test_first_command_deadline (Fixture *fixture, gconstpointer data)
{
  const RawStep steps[] = {
    { NULL, 1 },
    { NULL, 0 },
  };
  gboolean eof = FALSE;
  g_autofree char *replies = NULL;
  gint64 start = g_get_monotonic_time ();

  postaci_local_server_set_first_command_timeout (fixture->server, 1);
  replies = raw_exchange (fixture, steps, TRUE, &eof);
  g_assert_cmpstr (replies, ==,
                   "220 localhost ESMTP Postaci local test server ready (a sink: nothing is forwarded)\n"
                   "421 4.4.2 localhost Error: timeout exceeded\r\n");
  g_assert_true (eof);
  g_assert_cmpint (g_get_monotonic_time () - start, <, 10 * G_USEC_PER_SEC);
}

typedef struct {
  GSocketConnection *connection;
  gssize             read;
  gboolean           done;
  char               buffer[512];
} Watcher;

static void
watcher_connect_cb (GObject *object, GAsyncResult *res, gpointer user_data)
{
  Watcher *watcher = user_data;
  g_autoptr(GError) error = NULL;

  watcher->connection = g_socket_client_connect_to_host_finish (G_SOCKET_CLIENT (object), res, &error);
  g_assert_no_error (error);
}

static void
watcher_read_cb (GObject *object, GAsyncResult *res, gpointer user_data)
{
  Watcher *watcher = user_data;
  gssize n = g_input_stream_read_finish (G_INPUT_STREAM (object), res, NULL);

  if (n > 0)
    {
      watcher->read += n;
      g_input_stream_read_async (G_INPUT_STREAM (object), watcher->buffer + watcher->read,
                                 sizeof watcher->buffer - 1 - (gsize) watcher->read, G_PRIORITY_DEFAULT,
                                 NULL, watcher_read_cb, watcher);
      return;
    }
  watcher->done = TRUE;
}

static gboolean
watcher_connected (gpointer data)
{
  return ((Watcher *) data)->connection != NULL;
}

static gboolean
watcher_greeted (gpointer data)
{
  return ((Watcher *) data)->read > 0 && strchr (((Watcher *) data)->buffer, '\n') != NULL;
}

static gboolean
watcher_done (gpointer data)
{
  return ((Watcher *) data)->done;
}

/* stop() drops a connected client at once: it sees EOF, and nothing is left. */
static void
test_stop_drops_clients (Fixture *fixture, gconstpointer data)
{
  g_autoptr(GSocketClient) client = g_socket_client_new ();
  Watcher watcher = { 0 };

  g_socket_client_set_enable_proxy (client, FALSE);
  g_socket_client_connect_to_host_async (client, "127.0.0.1", postaci_local_server_get_port (fixture->server),
                                         NULL, watcher_connect_cb, &watcher);
  postaci_test_wait_until (watcher_connected, &watcher, 10000);
  g_input_stream_read_async (g_io_stream_get_input_stream (G_IO_STREAM (watcher.connection)), watcher.buffer,
                             sizeof watcher.buffer - 1, G_PRIORITY_DEFAULT, NULL, watcher_read_cb, &watcher);
  postaci_test_wait_until (watcher_greeted, &watcher, 10000);
  g_assert_cmpuint (postaci_local_server_get_n_clients (fixture->server), ==, 1);

  postaci_local_server_stop (fixture->server);
  g_assert_cmpuint (postaci_local_server_get_n_clients (fixture->server), ==, 0);
  postaci_test_wait_until (watcher_done, &watcher, 10000);
  g_assert_true (g_str_has_prefix (watcher.buffer, "220 localhost ESMTP"));
  g_object_unref (watcher.connection);
}

/* Without a folder of its own choosing, the server makes one under the cache directory and
 * removes it on stop when nothing arrived; a folder with mail in it stays. */
static void
test_default_folder (void)
{
  g_autoptr(PostaciLocalServer) server = postaci_local_server_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *folder = NULL;
  g_autofree char *mail = NULL;

  g_assert_true (postaci_local_server_start (server, &error));
  g_assert_no_error (error);
  folder = g_strdup (postaci_local_server_get_folder (server));
  g_assert_true (g_str_has_prefix (folder, g_get_user_cache_dir ()));
  g_assert_true (g_file_test (folder, G_FILE_TEST_IS_DIR));
  postaci_local_server_stop (server);
  g_assert_false (g_file_test (folder, G_FILE_TEST_EXISTS));

  /* Started again: the same folder comes back; with a message in it, it is kept. */
  g_assert_true (postaci_local_server_start (server, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (postaci_local_server_get_folder (server), ==, folder);
  mail = g_build_filename (folder, "kept.eml", NULL);
  g_assert_true (g_file_set_contents (mail, "Subject: kept\r\n\r\nbody\r\n", -1, NULL));
  postaci_local_server_stop (server);
  g_assert_true (g_file_test (mail, G_FILE_TEST_IS_REGULAR));
  g_unlink (mail);
  g_rmdir (folder);
}

static void
count_notify_cb (GObject *object, GParamSpec *pspec, gpointer user_data)
{
  (*(guint *) user_data)++;
}

/* The properties a page binds to: set by start and stop, and notified once each time. */
static void
test_properties (void)
{
  g_autoptr(PostaciLocalServer) server = postaci_local_server_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *folder = g_dir_make_tmp ("postaci-local-server-XXXXXX", NULL);
  g_autofree char *password = NULL;
  guint running_changes = 0, password_changes = 0, port = 0, tls_port = 0;
  gboolean running = TRUE;

  postaci_local_server_set_folder (server, folder);
  g_signal_connect (server, "notify::running", G_CALLBACK (count_notify_cb), &running_changes);
  g_signal_connect (server, "notify::password", G_CALLBACK (count_notify_cb), &password_changes);
  g_object_get (server, "running", &running, NULL);
  g_assert_false (running);

  g_assert_true (postaci_local_server_start (server, &error));
  g_assert_no_error (error);
  g_object_get (server, "running", &running, "port", &port, "tls-port", &tls_port, "password", &password, NULL);
  g_assert_true (running);
  g_assert_cmpuint (running_changes, ==, 1);
  g_assert_cmpuint (password_changes, ==, 1);
  g_assert_cmpuint (port, ==, postaci_local_server_get_port (server));
  g_assert_cmpuint (tls_port, ==, postaci_local_server_get_tls_port (server));
  g_assert_cmpstr (password, ==, postaci_local_server_get_password (server));

  postaci_local_server_stop (server);
  g_object_get (server, "running", &running, NULL);
  g_assert_false (running);
  g_assert_cmpuint (running_changes, ==, 2);
  /* Stopped twice: nothing changes, nothing is notified. */
  postaci_local_server_stop (server);
  g_assert_cmpuint (running_changes, ==, 2);
  g_rmdir (folder);
}

/* The window's switch: the same ports again after a stop, any free ones when one was taken. */
static void
test_start_on_last_ports (void)
{
  g_autoptr(PostaciLocalServer) server = postaci_local_server_new ();
  g_autoptr(GSocketListener) squatter = g_socket_listener_new ();
  g_autoptr(GSocketAddress) address = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *folder = g_dir_make_tmp ("postaci-local-server-XXXXXX", NULL);
  g_autofree char *password = NULL;
  guint port, tls_port;

  postaci_local_server_set_folder (server, folder);
  g_assert_true (postaci_local_server_start_on_last_ports (server, &error));
  g_assert_no_error (error);
  port = postaci_local_server_get_port (server);
  tls_port = postaci_local_server_get_tls_port (server);
  g_assert_cmpuint (port, >, 0);
  g_assert_cmpuint (tls_port, >, 0);
  /* Running already: nothing changes. */
  password = g_strdup (postaci_local_server_get_password (server));
  g_assert_true (postaci_local_server_start_on_last_ports (server, &error));
  g_assert_cmpstr (postaci_local_server_get_password (server), ==, password);

  postaci_local_server_stop (server);
  g_assert_true (postaci_local_server_start_on_last_ports (server, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (postaci_local_server_get_port (server), ==, port);
  g_assert_cmpuint (postaci_local_server_get_tls_port (server), ==, tls_port);
  g_assert_cmpstr (postaci_local_server_get_password (server), !=, password);

  /* Someone else took the plain port meanwhile. */
  postaci_local_server_stop (server);
  address = g_inet_socket_address_new_from_string ("127.0.0.1", port);
  g_assert_true (g_socket_listener_add_address (squatter, address, G_SOCKET_TYPE_STREAM,
                                                G_SOCKET_PROTOCOL_TCP, NULL, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (postaci_local_server_start_on_last_ports (server, &error));
  g_assert_no_error (error);
  g_assert_true (postaci_local_server_is_running (server));
  g_assert_cmpuint (postaci_local_server_get_port (server), !=, port);
  g_assert_cmpuint (postaci_local_server_get_port (server), >, 0);
  postaci_local_server_stop (server);
  g_socket_listener_close (squatter);
  g_rmdir (folder);
}

int
main (int argc, char **argv)
{
  /* Before GLib reads it: the default mail folder goes to a private cache. */
  g_autofree char *cache = g_dir_make_tmp ("postaci-cache-XXXXXX", NULL);
  int status;

  g_setenv ("XDG_CACHE_HOME", cache, TRUE);
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func, data) \
  g_test_add ("/postaci/local-server/" path, Fixture, data, fixture_setup, func, fixture_teardown)

  ADD ("start", test_start, NULL);
  g_test_add_func ("/postaci/local-server/default-folder", test_default_folder);
  g_test_add_func ("/postaci/local-server/parse-failure", test_parse_failure);
  g_test_add_func ("/postaci/local-server/properties", test_properties);
  g_test_add_func ("/postaci/local-server/start-on-last-ports", test_start_on_last_ports);
  ADD ("starttls/plain", test_starttls_auth, GINT_TO_POINTER (POSTACI_MECHANISM_PLAIN));
  ADD ("starttls/login", test_starttls_auth, GINT_TO_POINTER (POSTACI_MECHANISM_LOGIN));
  ADD ("starttls/cram-md5", test_starttls_auth, GINT_TO_POINTER (POSTACI_MECHANISM_CRAM_MD5));
  ADD ("new-request", test_new_request, NULL);
  ADD ("implicit-tls", test_implicit_tls, NULL);
  ADD ("ipv6", test_ipv6, NULL);
  ADD ("plain-no-auth", test_plain_no_auth, NULL);
  ADD ("smtputf8", test_smtputf8, NULL);
  ADD ("unpinned-refused", test_unpinned_refused, NULL);
  ADD ("wrong-password", test_wrong_password, NULL);
  for (guint i = 0; i < G_N_ELEMENTS (failure_cases); i++)
    {
      g_autofree char *path = g_strdup_printf ("/postaci/local-server/failure/%s", failure_cases[i].spec);
      g_test_add (path, Fixture, &failure_cases[i], fixture_setup, test_failure, fixture_teardown);
    }
  ADD ("size-advertised", test_size_advertised, NULL);
  ADD ("pipelining", test_pipelining, NULL);
  ADD ("size-enforced", test_size_enforced, NULL);
  ADD ("line-too-long", test_line_too_long, NULL);
  ADD ("strict", test_strict, NULL);
  ADD ("auth-raw", test_auth_raw, NULL);
  ADD ("too-many-clients", test_too_many_clients, NULL);
  ADD ("deadline", test_deadline, NULL);
  ADD ("first-command-deadline", test_first_command_deadline, NULL);
  ADD ("starttls-injection", test_starttls_injection, NULL);
  ADD ("stop-drops-clients", test_stop_drops_clients, NULL);

  status = g_test_run ();
  /* The private cache holds only the folders made by the server (each removed or emptied). */
  {
    g_autofree char *mail = g_build_filename (cache, "postaci", "mail", NULL);
    g_autofree char *top = g_build_filename (cache, "postaci", NULL);

    g_rmdir (mail);
    g_rmdir (top);
    g_rmdir (cache);
  }
  return status;
}
