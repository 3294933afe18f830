/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-smtp-link.c — the link alone, without the SMTP protocol on top: connect, lines and
 * replies, the "nothing behind a reply" rule, STARTTLS injection, TLS trust, deadlines,
 * cancellation and masking, against the scripted server. */
#include "config.h"

#include <string.h>

#include "postaci-smtp-link.h"
#include "postaci-test-resolver.h"
#include "postaci-scripted-server.h"

#define SCRIPT(...) ((const PostaciScriptStep[]) { __VA_ARGS__, TS_END })

typedef struct {
  PostaciScriptedServer *server;
  PostaciSmtpLink   *link;
  GAsyncResult      *result;
  GPtrArray         *lines;     /* char *: ::server-line texts; "+" marks a line with its reply */
  GPtrArray         *events;    /* char *: "KIND text" */
} Fixture;

static void
setup (Fixture *fixture, gconstpointer data)
{
  fixture->lines = g_ptr_array_new_with_free_func (g_free);
  fixture->events = g_ptr_array_new_with_free_func (g_free);
}

static void
teardown (Fixture *fixture, gconstpointer data)
{
  g_clear_object (&fixture->result);
  g_clear_object (&fixture->link);
  g_clear_pointer (&fixture->server, postaci_scripted_server_free);
  g_ptr_array_unref (fixture->lines);
  g_ptr_array_unref (fixture->events);
  postaci_scripted_server_wait_all_released (5000);
}

static void
line_cb (PostaciSmtpLink *link, const char *text, PostaciReply *reply, Fixture *fixture)
{
  g_ptr_array_add (fixture->lines, g_strconcat (reply != NULL ? "+" : "", text, NULL));
}

static void
event_cb (PostaciSmtpLink *link, int kind, const char *text, Fixture *fixture)
{
  g_ptr_array_add (fixture->events,
                   g_strdup_printf ("%s %s", postaci_event_kind_to_string (kind), text));
}

static void
start (Fixture *fixture, const PostaciScriptStep *script, PostaciScriptedServerMode mode,
       const char *certificate, const char *host)
{
  g_autoptr(GTlsCertificate) cert = certificate ? postaci_test_load_certificate (certificate)
                                                : NULL;
  g_autofree char *ca = g_build_filename (TEST_SRCDIR, "certs", "ca.pem", NULL);

  fixture->server = postaci_scripted_server_new (script, mode, cert, "127.0.0.1");
  fixture->link = postaci_smtp_link_new (host != NULL ? host : "127.0.0.1",
                                         postaci_scripted_server_get_port (fixture->server));
  postaci_smtp_link_set_timeout (fixture->link, 15);
  postaci_smtp_link_set_trust (fixture->link, ca, NULL, FALSE);
  g_signal_connect (fixture->link, "server-line", G_CALLBACK (line_cb), fixture);
  g_signal_connect (fixture->link, "event", G_CALLBACK (event_cb), fixture);
}

static void
done_cb (GObject *object, GAsyncResult *result, gpointer user_data)
{
  Fixture *fixture = user_data;

  g_assert_null (fixture->result);
  fixture->result = g_object_ref (result);
}

static gboolean
has_result (gpointer data)
{
  return ((Fixture *) data)->result != NULL;
}

/* Waits for the operation started with done_cb; returns its result (owned by the fixture
 * until the next operation). */
static GAsyncResult *
wait_result (Fixture *fixture)
{
  postaci_test_wait_until (has_result, fixture, 10000);
  return fixture->result;
}

static void
next (Fixture *fixture)
{
  g_clear_object (&fixture->result);
}

static void
connect_link (Fixture *fixture)
{
  g_autoptr(GError) error = NULL;

  postaci_smtp_link_connect_async (fixture->link, NULL, done_cb, fixture);
  g_assert_true (postaci_smtp_link_connect_finish (fixture->link, wait_result (fixture), &error));
  g_assert_no_error (error);
  next (fixture);
}

static PostaciReply *
read_reply (Fixture *fixture, PostaciSmtpLinkReadFlags flags, GError **error)
{
  PostaciReply *reply;

  postaci_smtp_link_read_reply_async (fixture->link, flags, NULL, done_cb, fixture);
  reply = postaci_smtp_link_read_reply_finish (fixture->link, wait_result (fixture), error);
  next (fixture);
  return reply;
}

static void
send_line (Fixture *fixture, const char *line)
{
  g_autoptr(GError) error = NULL;

  postaci_smtp_link_send_line_async (fixture->link, line, NULL, done_cb, fixture);
  g_assert_true (postaci_smtp_link_send_line_finish (fixture->link, wait_result (fixture),
                                                     &error));
  g_assert_no_error (error);
  next (fixture);
}

static gboolean
start_tls (Fixture *fixture, GError **error)
{
  gboolean ok;

  postaci_smtp_link_start_tls_async (fixture->link, NULL, done_cb, fixture);
  ok = postaci_smtp_link_start_tls_finish (fixture->link, wait_result (fixture), error);
  next (fixture);
  return ok;
}

static void
close_link (Fixture *fixture)
{
  postaci_smtp_link_close_async (fixture->link, NULL, done_cb, fixture);
  postaci_smtp_link_close_finish (fixture->link, wait_result (fixture));
  next (fixture);
}

static gboolean
server_finished (gpointer data)
{
  return postaci_scripted_server_is_finished (((Fixture *) data)->server);
}

static char *
received (Fixture *fixture)
{
  g_autoptr(GBytes) bytes = NULL;
  gsize size;
  const char *data;

  postaci_test_wait_until (server_finished, fixture, 5000);
  g_assert_cmpstr (postaci_scripted_server_get_error (fixture->server), ==, NULL);
  bytes = postaci_scripted_server_get_received (fixture->server);
  data = g_bytes_get_data (bytes, &size);
  return g_strndup (data != NULL ? data : "", size);
}

static gboolean
has_event (Fixture *fixture, const char *prefix)
{
  for (guint i = 0; i < fixture->events->len; i++)
    if (g_str_has_prefix (g_ptr_array_index (fixture->events, i), prefix))
      return TRUE;
  return FALSE;
}

/* A line goes out as it was given, with CRLF; a reply of two lines comes back whole, each line
 * through ::server-line as it arrives, the last one with the reply. */
static void
test_lines (Fixture *fixture, gconstpointer data)
{
  g_autoptr(PostaciReply) banner = NULL;
  g_autoptr(PostaciReply) reply = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *got = NULL;

  start (fixture, SCRIPT (TS_SEND ("220 mx.test ready\r\n"), TS_EXPECT ("HELLO there"),
                          TS_SEND ("250-mx.test\r\n250 SIZE 1000\r\n"), TS_EXPECT_CLOSE),
         POSTACI_SCRIPTED_SERVER_PLAIN, NULL, NULL);
  connect_link (fixture);
  g_assert_true (postaci_smtp_link_is_connected (fixture->link));
  g_assert_false (postaci_smtp_link_get_received_any (fixture->link));
  banner = read_reply (fixture, POSTACI_SMTP_LINK_READ_ALONE, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (banner->code, ==, 220);
  send_line (fixture, "HELLO there");
  reply = read_reply (fixture, POSTACI_SMTP_LINK_READ_ALONE, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (reply->code, ==, 250);
  g_assert_cmpstr (reply->lines[1], ==, "SIZE 1000");
  close_link (fixture);

  got = received (fixture);
  g_assert_cmpstr (got, ==, "HELLO there\r\n");
  g_assert_cmpuint (fixture->lines->len, ==, 3);
  g_assert_cmpstr (g_ptr_array_index (fixture->lines, 0), ==, "+220 mx.test ready");
  g_assert_cmpstr (g_ptr_array_index (fixture->lines, 1), ==, "250-mx.test");
  g_assert_cmpstr (g_ptr_array_index (fixture->lines, 2), ==, "+250 SIZE 1000");
  g_assert_true (has_event (fixture, "info Looking up 127.0.0.1"));
  g_assert_true (has_event (fixture, "info Connected to 127.0.0.1:"));
  g_assert_false (postaci_smtp_link_get_tls_active (fixture->link));
}

/* A reply with another behind it: refused, unless the caller said more may follow. */
static void
test_extra_lines (Fixture *fixture, gconstpointer data)
{
  gboolean allowed = GPOINTER_TO_INT (data);
  g_autoptr(PostaciReply) reply = NULL;
  g_autoptr(GError) error = NULL;

  start (fixture, SCRIPT (TS_SEND ("220 mx.test\r\n250 not asked for\r\n"), TS_EXPECT_CLOSE),
         POSTACI_SCRIPTED_SERVER_PLAIN, NULL, NULL);
  connect_link (fixture);
  reply = read_reply (fixture, allowed ? POSTACI_SMTP_LINK_READ_MORE_ALLOWED
                                       : POSTACI_SMTP_LINK_READ_ALONE, &error);
  if (!allowed)
    {
      g_assert_error (error, POSTACI_SESSION_ERROR, POSTACI_SESSION_ERROR_PROTOCOL);
      g_assert_null (reply);
    }
  else
    {
      g_autoptr(PostaciReply) second = NULL;

      g_assert_no_error (error);
      g_assert_cmpuint (reply->code, ==, 220);
      g_assert_cmpuint (postaci_smtp_link_get_buffered (fixture->link), ==,
                        strlen ("250 not asked for\r\n"));
      second = read_reply (fixture, POSTACI_SMTP_LINK_READ_ALONE, &error);
      g_assert_no_error (error);
      g_assert_cmpuint (second->code, ==, 250);
    }
  close_link (fixture);
  g_free (received (fixture));
}

/* Bytes behind the 220 to STARTTLS: no handshake at all, not a byte of TLS sent. */
static void
test_starttls_injection (Fixture *fixture, gconstpointer data)
{
  g_autoptr(PostaciReply) reply = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *got = NULL;

  start (fixture, SCRIPT (TS_EXPECT ("STARTTLS"),
                          TS_SEND ("220 go ahead\r\n250-injected\r\n250 AUTH PLAIN\r\n"),
                          TS_EXPECT_CLOSE),
         POSTACI_SCRIPTED_SERVER_PLAIN, "server", "localhost");
  connect_link (fixture);
  send_line (fixture, "STARTTLS");
  reply = read_reply (fixture, POSTACI_SMTP_LINK_READ_MORE_ALLOWED, &error);
  g_assert_no_error (error);
  g_assert_false (start_tls (fixture, &error));
  g_assert_error (error, POSTACI_SESSION_ERROR, POSTACI_SESSION_ERROR_STARTTLS_INJECTION);
  g_assert_false (postaci_smtp_link_get_tls_active (fixture->link));
  close_link (fixture);
  got = received (fixture);
  g_assert_cmpstr (got, ==, "STARTTLS\r\n");
}

/* Implicit TLS with the test CA: the facts of the certificate, then SMTP inside TLS. */
static void
test_implicit_tls (Fixture *fixture, gconstpointer data)
{
  g_autoptr(PostaciReply) banner = NULL;
  g_autoptr(GError) error = NULL;

  start (fixture, SCRIPT (TS_SEND ("220 mx.test\r\n"), TS_EXPECT ("QUIT"), TS_END),
         POSTACI_SCRIPTED_SERVER_IMPLICIT_TLS, "server", "localhost");
  connect_link (fixture);
  start_tls (fixture, &error);
  g_assert_no_error (error);
  g_assert_true (postaci_smtp_link_get_tls_active (fixture->link));
  g_assert_nonnull (postaci_smtp_link_get_peer_certificate (fixture->link));
  g_assert_cmpuint (postaci_smtp_link_get_certificate_errors (fixture->link), ==, 0);
  g_assert_true (has_event (fixture, "tls Encrypted with TLS 1."));
  g_assert_true (has_event (fixture, "tls The certificate is valid for localhost."));
  banner = read_reply (fixture, POSTACI_SMTP_LINK_READ_ALONE, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (banner->code, ==, 220);
  send_line (fixture, "QUIT");
  close_link (fixture);
  g_free (received (fixture));
}

/* A certificate for another name: refused, and the error says which check failed. */
static void
test_certificate_rejected (Fixture *fixture, gconstpointer data)
{
  g_autoptr(GError) error = NULL;

  start (fixture, SCRIPT (TS_END), POSTACI_SCRIPTED_SERVER_IMPLICIT_TLS, "wrong-name", "localhost");
  connect_link (fixture);
  g_assert_false (start_tls (fixture, &error));
  g_assert_error (error, POSTACI_SESSION_ERROR, POSTACI_SESSION_ERROR_CERTIFICATE);
  g_assert_nonnull (strstr (error->message, "for another name"));
  g_assert_true (postaci_smtp_link_get_certificate_errors (fixture->link) &
                 G_TLS_CERTIFICATE_BAD_IDENTITY);
  g_assert_true (has_event (fixture, "warning The certificate was issued for"));
  close_link (fixture);
  g_free (received (fixture));
}

/* The pinned certificate (the built-in server's): accepted, said as a fact, no warning. */
static void
test_pinned (Fixture *fixture, gconstpointer data)
{
  g_autoptr(GTlsCertificate) pinned = postaci_test_load_certificate ("self-signed");
  g_autoptr(GError) error = NULL;

  start (fixture, SCRIPT (TS_END), POSTACI_SCRIPTED_SERVER_IMPLICIT_TLS, "self-signed", "localhost");
  postaci_smtp_link_set_trust (fixture->link, NULL, pinned, FALSE);
  connect_link (fixture);
  start_tls (fixture, &error);
  g_assert_no_error (error);
  g_assert_true (has_event (fixture, "tls The certificate is the one pinned for this run"));
  /* (localhost may also be ::1, where nothing listens: that warning is about the address) */
  g_assert_false (has_event (fixture, "warning The certificate"));
  g_assert_false (has_event (fixture, "warning This certificate"));
  close_link (fixture);
  g_free (received (fixture));
}

/* Deadlines: a silent server is NO_GREETING; one that stops halfway through a reply is a
 * TIMEOUT, its dribbled line seen. */
static void
test_deadline (Fixture *fixture, gconstpointer data)
{
  gboolean some_bytes = GPOINTER_TO_INT (data);
  g_autoptr(PostaciReply) reply = NULL;
  g_autoptr(GError) error = NULL;

  start (fixture, some_bytes ? SCRIPT (TS_SEND ("220-mx.test\r\n"), TS_STALL)
                             : SCRIPT (TS_STALL),
         POSTACI_SCRIPTED_SERVER_PLAIN, NULL, NULL);
  postaci_smtp_link_set_timeout (fixture->link, 1);
  connect_link (fixture);
  reply = read_reply (fixture, POSTACI_SMTP_LINK_READ_ALONE, &error);
  g_assert_null (reply);
  if (some_bytes)
    {
      g_assert_error (error, POSTACI_SESSION_ERROR, POSTACI_SESSION_ERROR_TIMEOUT);
      g_assert_cmpstr (g_ptr_array_index (fixture->lines, 0), ==, "220-mx.test");
    }
  else
    g_assert_error (error, POSTACI_SESSION_ERROR, POSTACI_SESSION_ERROR_NO_GREETING);
  close_link (fixture);
  g_free (received (fixture));
}

static gboolean
cancel_cb (gpointer data)
{
  g_cancellable_cancel (data);
  return G_SOURCE_REMOVE;
}

/* The caller's cancellable ends a wait at once, as CANCELLED (not a timeout). */
static void
test_cancel (Fixture *fixture, gconstpointer data)
{
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(PostaciReply) reply = NULL;
  g_autoptr(GError) error = NULL;

  start (fixture, SCRIPT (TS_STALL), POSTACI_SCRIPTED_SERVER_PLAIN, NULL, NULL);
  connect_link (fixture);
  g_timeout_add (50, cancel_cb, cancellable);
  postaci_smtp_link_read_reply_async (fixture->link, POSTACI_SMTP_LINK_READ_ALONE, cancellable,
                                      done_cb, fixture);
  reply = postaci_smtp_link_read_reply_finish (fixture->link, wait_result (fixture), &error);
  next (fixture);
  g_assert_null (reply);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  close_link (fixture);
  g_free (received (fixture));
}

static guint
count_events (Fixture *fixture, const char *prefix)
{
  guint n = 0;

  for (guint i = 0; i < fixture->events->len; i++)
    if (g_str_has_prefix (g_ptr_array_index (fixture->events, i), prefix))
      n++;
  return n;
}

/* Nothing listens: each address is tried and said; a failure is a warning only when another
 * address follows, and the last failure is the error (said once, by whoever shows it). */
static void
test_refused (Fixture *fixture, gconstpointer data)
{
  g_autoptr(GSocketListener) listener = g_socket_listener_new ();
  PostaciTestResolver *resolver = postaci_test_resolver_install ();
  g_autoptr(GError) error = NULL;
  const char *host = data;
  guint16 port;

  port = g_socket_listener_add_any_inet_port (listener, NULL, &error);
  g_assert_no_error (error);
  g_socket_listener_close (listener);
  /* Two addresses for one name: IPv6 loopback and IPv4 loopback. */
  postaci_test_resolver_add_host (resolver, "two.test", "::1");
  postaci_test_resolver_add_host (resolver, "two.test", "127.0.0.1");
  fixture->link = postaci_smtp_link_new (host, port);
  g_signal_connect (fixture->link, "event", G_CALLBACK (event_cb), fixture);
  postaci_smtp_link_connect_async (fixture->link, NULL, done_cb, fixture);
  g_assert_false (postaci_smtp_link_connect_finish (fixture->link, wait_result (fixture),
                                                    &error));
  next (fixture);
  postaci_test_resolver_uninstall (resolver);
  g_assert_nonnull (error);
  g_assert_false (postaci_smtp_link_is_connected (fixture->link));
  if (g_str_equal (host, "127.0.0.1"))
    {
      g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CONNECTION_REFUSED);
      g_assert_cmpuint (count_events (fixture, "info Trying "), ==, 1);
      g_assert_cmpuint (count_events (fixture, "warning "), ==, 0);
    }
  else
    {
      g_assert_cmpuint (count_events (fixture, "info Trying "), ==, 2);
      g_assert_cmpuint (count_events (fixture, "warning "), ==, 1);
    }
}

/* A secret the caller registered never comes out of the link, however the server sends it. */
static void
test_masking (Fixture *fixture, gconstpointer data)
{
  g_autoptr(PostaciRedactor) redactor = postaci_redactor_new ();
  g_autoptr(PostaciReply) reply = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;

  postaci_redactor_add (redactor, "s3cret");
  start (fixture, SCRIPT (TS_SEND ("535 5.7.8 s3cret and czNjcmV0 rejected\r\n"),
                          TS_EXPECT_CLOSE),
         POSTACI_SCRIPTED_SERVER_PLAIN, NULL, NULL);
  postaci_smtp_link_set_redactor (fixture->link, redactor);
  connect_link (fixture);
  reply = read_reply (fixture, POSTACI_SMTP_LINK_READ_ALONE, &error);
  g_assert_no_error (error);
  text = postaci_reply_get_text (reply);
  g_assert_cmpstr (text, ==, "5.7.8 **** and **** rejected");
  g_assert_cmpstr (g_ptr_array_index (fixture->lines, 0), ==, "+535 5.7.8 **** and **** rejected");
  close_link (fixture);
  g_free (received (fixture));
}

/* The redactor: the longest secret first, each once, the reply code untouched by the link,
 * decoded SASL fields masked, the user name left alone. */
static void
test_redactor (void)
{
  g_autoptr(PostaciRedactor) redactor = postaci_redactor_new ();
  /* base64 ("ali 0123456789abcdef0123456789abcdef"), a CRAM-MD5 answer */
  const char *cram = "YWxpIDAxMjM0NTY3ODlhYmNkZWYwMTIzNDU2Nzg5YWJjZGVm";
  g_autofree char *a = NULL;
  g_autofree char *b = NULL;
  g_autofree char *c = NULL;
  gsize length = 0;

  postaci_redactor_add (redactor, "pw");
  postaci_redactor_add_response (redactor, cram, "ali");
  a = postaci_redactor_apply (redactor, "x pw y pwpw z", -1, &length);
  g_assert_cmpstr (a, ==, "x **** y ******** z");
  g_assert_cmpuint (length, ==, strlen (a));
  b = postaci_redactor_apply (redactor, "got 0123456789abcdef0123456789abcdef from ali", -1, NULL);
  g_assert_cmpstr (b, ==, "got **** from ali");
  c = postaci_redactor_apply (redactor, cram, -1, NULL);
  g_assert_cmpstr (c, ==, "****");
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func, data) \
  g_test_add ("/postaci/smtp-link/" path, Fixture, data, setup, func, teardown)
  ADD ("lines", test_lines, NULL);
  ADD ("extra-lines/refused", test_extra_lines, GINT_TO_POINTER (FALSE));
  ADD ("extra-lines/allowed", test_extra_lines, GINT_TO_POINTER (TRUE));
  ADD ("starttls-injection", test_starttls_injection, NULL);
  ADD ("implicit-tls", test_implicit_tls, NULL);
  ADD ("certificate-rejected", test_certificate_rejected, NULL);
  ADD ("pinned", test_pinned, NULL);
  ADD ("deadline/no-greeting", test_deadline, GINT_TO_POINTER (FALSE));
  ADD ("deadline/mid-reply", test_deadline, GINT_TO_POINTER (TRUE));
  ADD ("cancel", test_cancel, NULL);
  ADD ("refused/one-address", test_refused, "127.0.0.1");
  ADD ("refused/two-addresses", test_refused, "two.test");
  ADD ("masking", test_masking, NULL);
#undef ADD
  g_test_add_func ("/postaci/redactor/forms", test_redactor);

  return g_test_run ();
}
