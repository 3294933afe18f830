/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-scripted-server.c — proves the scripted server with a small hand-written GIO client. */
#define G_LOG_DOMAIN "postaci-scripted-server-test"

#include "config.h"

#include <string.h>
#include <gio/gio.h>

#include "postaci-scripted-server.h"

#define WAIT_MS 10000

/* A minimal client: every call runs the main loop until its operation is
 * done, so the server (on the same loop) makes progress meanwhile. */
typedef struct {
  GSocketConnection *connection;
  GIOStream         *stream;
  GByteArray        *in;
  gboolean           eof;
  gboolean           pending;
  guint              reads;
  GError            *error;
  guint8             buffer[65536];
} TestClient;

static gboolean
client_idle (gpointer data)
{
  TestClient *client = data;

  return !client->pending;
}

static void
client_connect_cb (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  TestClient *client = user_data;

  client->connection = g_socket_client_connect_to_host_finish (G_SOCKET_CLIENT (source), result,
                                                               &client->error);
  client->pending = FALSE;
}

/* Returns NULL and sets *error when the connection fails. */
static TestClient *
client_try_connect (const char  *host,
                    guint16      port,
                    GError     **error)
{
  TestClient *client = g_new0 (TestClient, 1);
  g_autoptr(GSocketClient) socket_client = g_socket_client_new ();

  client->in = g_byte_array_new ();
  client->pending = TRUE;
  g_socket_client_connect_to_host_async (socket_client, host, port, NULL, client_connect_cb,
                                         client);
  postaci_test_wait_until (client_idle, client, WAIT_MS);
  if (client->error != NULL)
    {
      g_propagate_error (error, client->error);
      g_byte_array_unref (client->in);
      g_free (client);
      return NULL;
    }
  client->stream = G_IO_STREAM (g_object_ref (client->connection));
  return client;
}

static TestClient *
client_connect (const char *host,
                guint16     port)
{
  g_autoptr(GError) error = NULL;
  TestClient *client = client_try_connect (host, port, &error);

  g_assert_no_error (error);
  return client;
}

static void
client_free (TestClient *client)
{
  g_clear_object (&client->stream);
  g_clear_object (&client->connection);
  g_byte_array_unref (client->in);
  g_clear_error (&client->error);
  g_free (client);
}

static void
client_write_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  TestClient *client = user_data;

  g_output_stream_write_all_finish (G_OUTPUT_STREAM (source), result, NULL, &client->error);
  client->pending = FALSE;
}

static void
client_write (TestClient *client,
              const char *text)
{
  client->pending = TRUE;
  g_output_stream_write_all_async (g_io_stream_get_output_stream (client->stream), text,
                                   strlen (text), G_PRIORITY_DEFAULT, NULL, client_write_cb,
                                   client);
  postaci_test_wait_until (client_idle, client, WAIT_MS);
  g_assert_no_error (client->error);
}

static void
client_read_cb (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  TestClient *client = user_data;
  g_autoptr(GError) error = NULL;
  gssize n = g_input_stream_read_finish (G_INPUT_STREAM (source), result, &error);

  client->reads++;
  if (n > 0)
    g_byte_array_append (client->in, client->buffer, n);
  else if (n == 0 || g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CONNECTION_CLOSED) ||
           g_error_matches (error, G_TLS_ERROR, G_TLS_ERROR_EOF))
    client->eof = TRUE;
  else
    g_propagate_error (&client->error, g_steal_pointer (&error));
  client->pending = FALSE;
}

static void
client_read_more (TestClient *client)
{
  client->pending = TRUE;
  g_input_stream_read_async (g_io_stream_get_input_stream (client->stream), client->buffer,
                             sizeof client->buffer, G_PRIORITY_DEFAULT, NULL, client_read_cb,
                             client);
  postaci_test_wait_until (client_idle, client, WAIT_MS);
  g_assert_no_error (client->error);
}

/* One line with its CRLF, or NULL at EOF. */
static char *
client_read_line (TestClient *client)
{
  for (;;)
    {
      const guint8 *lf = client->in->len > 0 ? memchr (client->in->data, '\n', client->in->len)
                                             : NULL;

      if (lf != NULL)
        {
          gsize len = lf - client->in->data + 1;
          char *line = g_strndup ((const char *) client->in->data, len);

          g_byte_array_remove_range (client->in, 0, len);
          return line;
        }
      if (client->eof)
        return NULL;
      client_read_more (client);
    }
}

/* Everything up to EOF. */
static GBytes *
client_read_to_eof (TestClient *client)
{
  GBytes *all;

  while (!client->eof)
    client_read_more (client);
  all = g_bytes_new (client->in->data, client->in->len);
  g_byte_array_set_size (client->in, 0);
  return all;
}

static void
client_assert_line (TestClient *client,
                    const char *expected)
{
  g_autofree char *line = client_read_line (client);

  g_assert_cmpstr (line, ==, expected);
}

static void
client_assert_eof (TestClient *client)
{
  g_autoptr(GBytes) rest = client_read_to_eof (client);

  g_assert_cmpuint (g_bytes_get_size (rest), ==, 0);
}

static void
client_handshake_cb (GObject      *source,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  TestClient *client = user_data;

  g_tls_connection_handshake_finish (G_TLS_CONNECTION (source), result, &client->error);
  client->pending = FALSE;
}

/* Starts TLS over the current stream, trusting only the test CA; identity is
 * the name the client checks the certificate against (and sends as SNI). */
static void
client_handshake_start (TestClient *client,
                        const char *identity)
{
  g_autofree char *ca_path = g_build_filename (TEST_SRCDIR, "certs", "ca.pem", NULL);
  g_autoptr(GTlsDatabase) database = NULL;
  g_autoptr(GSocketConnectable) name = NULL;
  g_autoptr(GIOStream) tls = NULL;
  g_autoptr(GError) error = NULL;

  database = g_tls_file_database_new (ca_path, &error);
  g_assert_no_error (error);
  /* An IP address as a GInetSocketAddress: glib-networking 2.74 sends a
   * GNetworkAddress's host as SNI even when it is an IP literal. */
  if (g_hostname_is_ip_address (identity))
    name = G_SOCKET_CONNECTABLE (g_inet_socket_address_new_from_string (identity, 25));
  else
    name = g_network_address_new (identity, 25);
  tls = g_tls_client_connection_new (client->stream, name, &error);
  g_assert_no_error (error);
  g_tls_connection_set_database (G_TLS_CONNECTION (tls), database);

  client->pending = TRUE;
  g_tls_connection_handshake_async (G_TLS_CONNECTION (tls), G_PRIORITY_DEFAULT, NULL,
                                    client_handshake_cb, client);
  g_set_object (&client->stream, tls);
}

static gboolean
client_handshake_finish (TestClient  *client,
                         GError     **error)
{
  postaci_test_wait_until (client_idle, client, WAIT_MS);
  if (client->error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&client->error));
      return FALSE;
    }
  return TRUE;
}

static gboolean
client_handshake (TestClient  *client,
                  const char  *identity,
                  GError     **error)
{
  client_handshake_start (client, identity);
  return client_handshake_finish (client, error);
}

static void
client_close (TestClient *client)
{
  g_io_stream_close (client->stream, NULL, NULL);
}

static gboolean
server_finished (gpointer data)
{
  return postaci_scripted_server_is_finished (data);
}

static gboolean
server_connected (gpointer data)
{
  return postaci_scripted_server_is_connected (data);
}

static gboolean
server_saw_hello (gpointer data)
{
  return postaci_scripted_server_get_sni (data) != NULL;
}

/* Frees the server and proves nothing of it is left behind. */
static void
free_server (PostaciScriptedServer *server)
{
  postaci_scripted_server_free (server);
  postaci_scripted_server_wait_all_released (WAIT_MS);
}

static void
assert_received (PostaciScriptedServer *server, const char *expected)
{
  g_autoptr(GBytes) received = postaci_scripted_server_get_received (server);
  gsize size = g_bytes_get_size (received);
  g_autofree char *text = g_strndup (size ? g_bytes_get_data (received, NULL) : "", size);

  /* As a string first, for a readable failure; then exactly, NULs included. */
  g_assert_cmpstr (text, ==, expected);
  g_assert_cmpmem (g_bytes_get_data (received, NULL), size, expected, strlen (expected));
}

/* Waits for the end of the script, and checks its first failure (NULL: every expectation held). */
static void
assert_finished (PostaciScriptedServer *server, const char *error)
{
  postaci_test_wait_until (server_finished, server, WAIT_MS);
  g_assert_cmpstr (postaci_scripted_server_get_error (server), ==, error);
}

/* The end of a test: the client dropped, the server freed and proved released. */
static void
done (TestClient *client, PostaciScriptedServer *server)
{
  client_free (client);
  free_server (server);
}

/* The scripted server on 127.0.0.1 (plain TCP; @certificate for its STARTTLS steps) and a client
 * connected to it. */
static PostaciScriptedServer *
serve (const PostaciScriptStep *script, GTlsCertificate *certificate, TestClient **client)
{
  PostaciScriptedServer *server =
    postaci_scripted_server_new (script, POSTACI_SCRIPTED_SERVER_PLAIN, certificate, "127.0.0.1");

  *client = client_connect ("127.0.0.1", postaci_scripted_server_get_port (server));
  return server;
}

static void
test_exact (gconstpointer data)
{
  const char *address = data;
  const PostaciScriptStep script[] = {
    TS_SEND ("220 hi\r\n"),
    TS_EXPECT ("EHLO client.example"),
    TS_SEND ("250-hi\r\n250 PIPELINING\r\n"),
    TS_EXPECT ("MAIL FROM:<a@b>"),
    TS_EXPECT_PREFIX ("RCPT TO:"),
    TS_SEND ("250 ok\r\n250 ok\r\n"),
    TS_READ_LINE,
    TS_SEND ("221 bye\r\n"),
    TS_END,
  };
  PostaciScriptedServer *server =
    postaci_scripted_server_new (script, POSTACI_SCRIPTED_SERVER_PLAIN, NULL, address);
  TestClient *client;

  g_assert_cmpuint (postaci_scripted_server_get_port (server), >, 0);
  g_assert_false (postaci_scripted_server_is_connected (server));

  client = client_connect (address, postaci_scripted_server_get_port (server));
  client_assert_line (client, "220 hi\r\n");
  g_assert_true (postaci_scripted_server_is_connected (server));
  client_write (client, "EHLO client.example\r\n");
  client_assert_line (client, "250-hi\r\n");
  client_assert_line (client, "250 PIPELINING\r\n");
  /* Two commands in one write: the server must split them into lines. */
  client_write (client, "MAIL FROM:<a@b>\r\nRCPT TO:<c@d>\r\n");
  client_assert_line (client, "250 ok\r\n");
  client_assert_line (client, "250 ok\r\n");
  client_write (client, "QU");
  client_write (client, "IT\r\n");
  client_assert_line (client, "221 bye\r\n");
  client_assert_eof (client);

  assert_finished (server, NULL);
  g_assert_false (postaci_scripted_server_get_tls_active (server));
  g_assert_null (postaci_scripted_server_get_data (server));
  assert_received (server,
                   "EHLO client.example\r\nMAIL FROM:<a@b>\r\nRCPT TO:<c@d>\r\nQUIT\r\n");

  done (client, server);
}

static void
test_mismatch (void)
{
  const PostaciScriptStep script[] = {
    TS_SEND ("220 hi\r\n"),
    TS_EXPECT ("MAIL FROM:<a@b>"),
    TS_SEND ("250 never sent\r\n"),
    TS_END,
  };
  TestClient *client;
  PostaciScriptedServer *server = serve (script, NULL, &client);

  client_assert_line (client, "220 hi\r\n");
  client_write (client, "RSET\r\n");
  /* The server stops the script and hangs up instead of answering. */
  client_assert_eof (client);
  assert_finished (server, "step 1: expected 'MAIL FROM:<a@b>' got 'RSET'");
  assert_received (server, "RSET\r\n");

  done (client, server);
}

static void
test_mismatch_bare_lf (void)
{
  const PostaciScriptStep script[] = {
    TS_SEND ("220 hi\r\n"),
    TS_EXPECT ("QUIT"),
    TS_END,
  };
  TestClient *client;
  PostaciScriptedServer *server = serve (script, NULL, &client);

  client_assert_line (client, "220 hi\r\n");
  client_write (client, "QUIT\n");
  client_assert_eof (client);
  assert_finished (server, "step 1: expected 'QUIT' got 'QUIT\\n' (the line does not end in CRLF)");

  done (client, server);
}

static void
test_mismatch_prefix (void)
{
  const PostaciScriptStep script[] = {
    TS_EXPECT_PREFIX ("AUTH PLAIN "),
    TS_END,
  };
  TestClient *client;
  PostaciScriptedServer *server = serve (script, NULL, &client);

  client_write (client, "AUTH LOGIN\r\n");
  client_assert_eof (client);
  assert_finished (server, "step 0: expected a line starting with 'AUTH PLAIN ' got 'AUTH LOGIN'");

  done (client, server);
}

static void
test_client_closed (void)
{
  const PostaciScriptStep script[] = {
    TS_SEND ("220 hi\r\n"),
    TS_EXPECT ("QUIT"),
    TS_END,
  };
  TestClient *client;
  PostaciScriptedServer *server = serve (script, NULL, &client);

  client_assert_line (client, "220 hi\r\n");
  client_close (client);
  assert_finished (server, "client closed at step 1 (expected 'QUIT')");
  done (client, server);

  /* An unfinished line is quoted, so that a test failure shows what came. */
  server = serve (script, NULL, &client);
  client_assert_line (client, "220 hi\r\n");
  client_write (client, "QU");
  client_close (client);
  assert_finished (server,
                   "client closed at step 1 (expected 'QUIT'; it left an unfinished line 'QU')");
  assert_received (server, "QU");
  done (client, server);
}

static void
test_expect_close (void)
{
  const PostaciScriptStep script[] = {
    TS_SEND ("421 go away\r\n"),
    TS_EXPECT_CLOSE,
    TS_END,
  };
  TestClient *client;
  PostaciScriptedServer *server = serve (script, NULL, &client);

  client_assert_line (client, "421 go away\r\n");
  client_close (client);
  assert_finished (server, NULL);
  assert_received (server, "");
  done (client, server);

  /* A client that keeps talking fails the step. */
  server = serve (script, NULL, &client);
  client_assert_line (client, "421 go away\r\n");
  client_write (client, "QUIT\r\n");
  client_assert_eof (client);
  assert_finished (server, "step 1: expected the client to close, got 'QUIT\\r\\n'");
  done (client, server);
}

static void
test_stall (void)
{
  const PostaciScriptStep script[] = {
    TS_SEND ("220 hi\r\n"),
    TS_STALL,
    TS_END,
  };
  TestClient *client;
  PostaciScriptedServer *server = serve (script, NULL, &client);

  client_assert_line (client, "220 hi\r\n");
  client_write (client, "EHLO x\r\n");
  client_write (client, "QUIT\r\n");
  g_assert_false (postaci_scripted_server_is_finished (server));
  client_close (client);
  assert_finished (server, NULL);
  assert_received (server, "EHLO x\r\nQUIT\r\n");
  done (client, server);
}

static const PostaciScriptStep starttls_script[] = {
  TS_SEND ("220 hi\r\n"),
  TS_EXPECT ("EHLO client.example"),
  TS_SEND ("250-hi\r\n250 STARTTLS\r\n"),
  TS_EXPECT ("STARTTLS"),
  TS_SEND ("220 go ahead\r\n"),
  TS_STARTTLS,
  TS_EXPECT ("EHLO client.example"),
  TS_SEND ("250-hi again\r\n250 AUTH PLAIN\r\n"),
  TS_EXPECT ("QUIT"),
  TS_SEND ("221 bye\r\n"),
  TS_END,
};

/* Runs starttls_script up to the handshake; returns the client. */
static TestClient *
starttls_until_handshake (PostaciScriptedServer *server, const char *after_starttls)
{
  TestClient *client = client_connect ("127.0.0.1", postaci_scripted_server_get_port (server));

  client_assert_line (client, "220 hi\r\n");
  client_write (client, "EHLO client.example\r\n");
  client_assert_line (client, "250-hi\r\n");
  client_assert_line (client, "250 STARTTLS\r\n");
  client_write (client, after_starttls);
  client_assert_line (client, "220 go ahead\r\n");
  return client;
}

static void
starttls_finish (TestClient *client)
{
  client_write (client, "EHLO client.example\r\n");
  client_assert_line (client, "250-hi again\r\n");
  client_assert_line (client, "250 AUTH PLAIN\r\n");
  client_write (client, "QUIT\r\n");
  client_assert_line (client, "221 bye\r\n");
  client_assert_eof (client);
}

static void
test_starttls (void)
{
  g_autoptr(GTlsCertificate) certificate = postaci_test_load_certificate ("server");
  g_autoptr(GError) error = NULL;
  PostaciScriptedServer *server = postaci_scripted_server_new (
    starttls_script, POSTACI_SCRIPTED_SERVER_PLAIN, certificate, "127.0.0.1");
  TestClient *client = starttls_until_handshake (server, "STARTTLS\r\n");

  g_assert_false (postaci_scripted_server_get_tls_active (server));
  g_assert_true (client_handshake (client, "localhost", &error));
  g_assert_no_error (error);
  starttls_finish (client);

  assert_finished (server, NULL);
  g_assert_true (postaci_scripted_server_get_tls_active (server));
  g_assert_null (postaci_scripted_server_get_tls_error (server));
  g_assert_cmpstr (postaci_scripted_server_get_sni (server), ==, "localhost");
  assert_received (server,
                   "EHLO client.example\r\nSTARTTLS\r\nEHLO client.example\r\nQUIT\r\n");
  done (client, server);
}

static void
test_starttls_ip_no_sni (void)
{
  g_autoptr(GTlsCertificate) certificate = postaci_test_load_certificate ("server");
  g_autoptr(GError) error = NULL;
  PostaciScriptedServer *server = postaci_scripted_server_new (
    starttls_script, POSTACI_SCRIPTED_SERVER_PLAIN, certificate, "127.0.0.1");
  TestClient *client = starttls_until_handshake (server, "STARTTLS\r\n");

  /* RFC 6066 §3: an IP address is never sent as a server name. */
  g_assert_true (client_handshake (client, "127.0.0.1", &error));
  starttls_finish (client);
  assert_finished (server, NULL);
  g_assert_null (postaci_scripted_server_get_sni (server));
  done (client, server);
}

/* Plain bytes a client sends after STARTTLS, whether behind the STARTTLS line
 * or after the 220, show up in `received` and do not break the script. */
static void
test_starttls_plain_bytes_recorded (void)
{
  g_autoptr(GTlsCertificate) certificate = postaci_test_load_certificate ("server");
  g_autoptr(GError) error = NULL;
  PostaciScriptedServer *server = postaci_scripted_server_new (
    starttls_script, POSTACI_SCRIPTED_SERVER_PLAIN, certificate, "127.0.0.1");
  TestClient *client = starttls_until_handshake (server, "STARTTLS\r\nEHLO injected\r\n");

  client_write (client, "NOOP\r\n");
  g_assert_true (client_handshake (client, "localhost", &error));
  starttls_finish (client);
  assert_finished (server, NULL);
  assert_received (server, "EHLO client.example\r\nSTARTTLS\r\nEHLO injected\r\nNOOP\r\n"
                           "EHLO client.example\r\nQUIT\r\n");
  done (client, server);
}

/* The client refuses the certificate: with only END after STARTTLS that is
 * no script error; with an EXPECT after it, it is. */
static void
test_starttls_refused (void)
{
  const PostaciScriptStep quiet[] = {
    TS_SEND ("220 go ahead\r\n"),
    TS_STARTTLS,
    TS_END,
  };
  const PostaciScriptStep expecting[] = {
    TS_SEND ("220 go ahead\r\n"),
    TS_STARTTLS,
    TS_EXPECT ("EHLO client.example"),
    TS_END,
  };
  g_autoptr(GTlsCertificate) certificate = postaci_test_load_certificate ("server");
  g_autoptr(GError) error = NULL;
  PostaciScriptedServer *server;
  TestClient *client;

  server = serve (quiet, certificate, &client);
  client_assert_line (client, "220 go ahead\r\n");
  g_assert_false (client_handshake (client, "wrong.example.test", &error));
  g_assert_error (error, G_TLS_ERROR, G_TLS_ERROR_BAD_CERTIFICATE);
  g_clear_error (&error);
  client_close (client);
  assert_finished (server, NULL);
  g_assert_nonnull (postaci_scripted_server_get_tls_error (server));
  g_assert_false (postaci_scripted_server_get_tls_active (server));
  done (client, server);

  server = serve (expecting, certificate, &client);
  client_assert_line (client, "220 go ahead\r\n");
  g_assert_false (client_handshake (client, "wrong.example.test", &error));
  g_clear_error (&error);
  client_close (client);
  postaci_test_wait_until (server_finished, server, WAIT_MS);
  g_assert_true (g_str_has_prefix (postaci_scripted_server_get_error (server),
                                   "step 1: TLS handshake failed: "));
  done (client, server);
}

static void
test_implicit_tls (gconstpointer data)
{
  const char *address = data;
  const PostaciScriptStep script[] = {
    TS_SEND ("220 secure hi\r\n"),
    TS_EXPECT ("EHLO client.example"),
    TS_SEND ("250 ok\r\n"),
    TS_END,
  };
  g_autoptr(GTlsCertificate) certificate = postaci_test_load_certificate ("server");
  g_autoptr(GError) error = NULL;
  PostaciScriptedServer *server = postaci_scripted_server_new (
    script, POSTACI_SCRIPTED_SERVER_IMPLICIT_TLS, certificate, address);
  TestClient *client = client_connect (address, postaci_scripted_server_get_port (server));

  g_assert_true (client_handshake (client, "localhost", &error));
  client_assert_line (client, "220 secure hi\r\n");
  client_write (client, "EHLO client.example\r\n");
  client_assert_line (client, "250 ok\r\n");
  client_assert_eof (client);
  assert_finished (server, NULL);
  g_assert_true (postaci_scripted_server_get_tls_active (server));
  g_assert_cmpstr (postaci_scripted_server_get_sni (server), ==, "localhost");
  assert_received (server, "EHLO client.example\r\n");
  done (client, server);
}

/* A plain client on an implicit TLS port waits for a greeting that never
 * comes; when it gives up the script ends quietly. */
static void
test_implicit_tls_plain_client (void)
{
  const PostaciScriptStep script[] = {
    TS_SEND ("220 secure hi\r\n"),
    TS_END,
  };
  g_autoptr(GTlsCertificate) certificate = postaci_test_load_certificate ("server");
  PostaciScriptedServer *server = postaci_scripted_server_new (
    script, POSTACI_SCRIPTED_SERVER_IMPLICIT_TLS, certificate, "127.0.0.1");
  TestClient *client = client_connect ("127.0.0.1", postaci_scripted_server_get_port (server));

  postaci_test_wait_until (server_connected, server,
                           WAIT_MS);
  g_assert_false (postaci_scripted_server_is_finished (server));
  client_close (client);
  assert_finished (server, NULL);
  g_assert_nonnull (postaci_scripted_server_get_tls_error (server));
  g_assert_false (postaci_scripted_server_get_tls_active (server));
  done (client, server);
}

static void
test_read_data (void)
{
  const PostaciScriptStep script[] = {
    TS_EXPECT ("DATA"), TS_SEND ("354 go\r\n"), TS_READ_DATA, TS_SEND ("250 queued\r\n"), TS_END,
  };
  TestClient *client;
  PostaciScriptedServer *server = serve (script, NULL, &client);
  g_autoptr(GBytes) payload = NULL;
  const char *expected = "Subject: x\r\n\r\n..dot\r\n.x\r\nend.\r\n";

  client_write (client, "DATA\r\n");
  client_assert_line (client, "354 go\r\n");
  client_write (client, "Subject: x\r\n\r\n..dot\r\n.x\r\nen");
  client_write (client, "d.\r\n");
  /* The terminator split over writes. */
  client_write (client, ".");
  client_write (client, "\r\n");
  client_assert_line (client, "250 queued\r\n");
  client_assert_eof (client);
  assert_finished (server, NULL);

  payload = postaci_scripted_server_get_data (server);
  g_assert_nonnull (payload);
  g_assert_cmpmem (g_bytes_get_data (payload, NULL), g_bytes_get_size (payload),
                   expected, strlen (expected));
  assert_received (server, "DATA\r\nSubject: x\r\n\r\n..dot\r\n.x\r\nend.\r\n.\r\n");
  done (client, server);
}

static void
test_send_slowly (void)
{
  const PostaciScriptStep script[] = {
    TS_SEND_SLOWLY ("220 slow\r\n", 20),
    TS_SLEEP (100),
    TS_SEND ("250 late\r\n"),
    TS_END,
  };
  TestClient *client;
  PostaciScriptedServer *server = serve (script, NULL, &client);
  gint64 start = g_get_monotonic_time ();
  gint64 greeted;

  client_assert_line (client, "220 slow\r\n");
  greeted = g_get_monotonic_time ();
  /* Ten bytes with nine 20 ms gaps: they cannot all have come in one read. */
  g_assert_cmpint (greeted - start, >=, 9 * 20 * 1000);
  g_assert_cmpuint (client->reads, >=, 2);
  client_assert_line (client, "250 late\r\n");
  g_assert_cmpint (g_get_monotonic_time () - greeted, >=, 100 * 1000);
  client_assert_eof (client);
  assert_finished (server, NULL);
  done (client, server);
}

static void
test_megabyte (void)
{
  const gsize size = 1024 * 1024;
  char *junk = g_malloc (size);
  PostaciScriptStep script[] = {
    TS_SEND_LEN (junk, size),
    TS_END,
  };
  PostaciScriptedServer *server;
  TestClient *client;
  g_autoptr(GBytes) got = NULL;
  gsize i;

  for (i = 0; i < size; i++)
    junk[i] = 'a' + i % 26;
  server = postaci_scripted_server_new (script, POSTACI_SCRIPTED_SERVER_PLAIN, NULL, "127.0.0.1");
  /* The server keeps its own copy of the script. */
  memset (junk, 'X', size);

  client = client_connect ("127.0.0.1", postaci_scripted_server_get_port (server));
  got = client_read_to_eof (client);
  g_assert_cmpuint (g_bytes_get_size (got), ==, size);
  for (i = 0; i < size; i++)
    junk[i] = 'a' + i % 26;
  g_assert_cmpmem (g_bytes_get_data (got, NULL), size, junk, size);
  assert_finished (server, NULL);

  g_free (junk);
  done (client, server);
}

/* SEND with a repeat count writes that many copies in one go. */
static void
test_send_repeat (void)
{
  const PostaciScriptStep script[] = {
    TS_SEND ("220 hi\r\n"),
    TS_SEND_REPEAT ("250-more\r\n", 1000),
    TS_SEND_REPEAT ("x", 3),
    TS_END,
  };
  TestClient *client;
  PostaciScriptedServer *server = serve (script, NULL, &client);
  g_autoptr(GBytes) got = client_read_to_eof (client);
  g_autoptr(GString) expected = g_string_new ("220 hi\r\n");
  guint i;

  for (i = 0; i < 1000; i++)
    g_string_append (expected, "250-more\r\n");
  g_string_append (expected, "xxx");
  g_assert_cmpmem (g_bytes_get_data (got, NULL), g_bytes_get_size (got),
                   expected->str, expected->len);
  assert_finished (server, NULL);
  done (client, server);
}

/* CLOSE_IN_HANDSHAKE: the server takes the client's hello, never answers and closes. The
 * client's handshake fails; the hello is not recorded as SMTP; that is no script error. */
static void
test_close_in_handshake (gconstpointer data)
{
  gboolean after_starttls = GPOINTER_TO_INT (data);
  const PostaciScriptStep starttls[] = {
    TS_SEND ("220 go ahead\r\n"),
    TS_CLOSE_IN_HANDSHAKE,
    TS_EXPECT ("never reached"),
    TS_END,
  };
  const PostaciScriptStep implicit[] = {
    TS_CLOSE_IN_HANDSHAKE,
    TS_END,
  };
  PostaciScriptedServer *server = postaci_scripted_server_new (
    after_starttls ? starttls : implicit, POSTACI_SCRIPTED_SERVER_PLAIN, NULL, "127.0.0.1");
  TestClient *client = client_connect ("127.0.0.1", postaci_scripted_server_get_port (server));
  g_autoptr(GError) error = NULL;

  if (after_starttls)
    client_assert_line (client, "220 go ahead\r\n");
  g_assert_false (client_handshake (client, "localhost", &error));
  g_assert_nonnull (error);
  assert_finished (server, NULL);
  g_assert_false (postaci_scripted_server_get_tls_active (server));
  g_assert_cmpstr (postaci_scripted_server_get_sni (server), ==, "localhost");
  assert_received (server, "");
  done (client, server);
}

/* The client gave up while the server pushed a megabyte: with nothing more
 * expected from it, that ends the script without an error. */
static void
test_write_to_closed_client (void)
{
  const gsize size = 8 * 1024 * 1024;
  g_autofree char *junk = g_malloc0 (size);
  PostaciScriptStep script[] = {
    TS_SEND_LEN (junk, size),
    TS_END,
  };
  TestClient *client;
  PostaciScriptedServer *server = serve (script, NULL, &client);

  client_read_more (client);
  g_assert_cmpuint (client->in->len, >, 0);
  client_close (client);
  assert_finished (server, NULL);
  done (client, server);
}

static void
test_second_connection_refused (void)
{
  const PostaciScriptStep script[] = {
    TS_SEND ("220 hi\r\n"),
    TS_STALL,
    TS_END,
  };
  PostaciScriptedServer *server =
    postaci_scripted_server_new (script, POSTACI_SCRIPTED_SERVER_PLAIN, NULL, "127.0.0.1");
  guint16 port = postaci_scripted_server_get_port (server);
  TestClient *client = client_connect ("127.0.0.1", port);
  TestClient *second;
  g_autoptr(GError) error = NULL;

  client_assert_line (client, "220 hi\r\n");
  second = client_try_connect ("127.0.0.1", port, &error);
  g_assert_null (second);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CONNECTION_REFUSED);

  client_close (client);
  postaci_test_wait_until (server_finished, server, WAIT_MS);
  done (client, server);
}

/* The port on the other loopback address is held while the server lives: a client of
 * "localhost" is refused on [::1] and no other program can listen there. */
static void
test_twin_port_held (gconstpointer data)
{
  const char *bind_address = data;
  const char *twin = g_str_equal (bind_address, "::1") ? "127.0.0.1" : "::1";
  const PostaciScriptStep script[] = { TS_EXPECT_CLOSE, TS_END };
  PostaciScriptedServer *server =
    postaci_scripted_server_new (script, POSTACI_SCRIPTED_SERVER_PLAIN, NULL, bind_address);
  guint16 port = postaci_scripted_server_get_port (server);
  g_autoptr(GInetAddress) address = NULL;
  g_autoptr(GSocketAddress) socket_address = NULL;
  g_autoptr(GSocketListener) squatter = g_socket_listener_new ();
  g_autoptr(GError) error = NULL;
  TestClient *client;

  address = g_inet_address_new_from_string (twin);
  socket_address = g_inet_socket_address_new (address, port);
  client = client_try_connect (twin, port, &error);
  g_assert_null (client);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CONNECTION_REFUSED);
  g_clear_error (&error);
  /* With SO_REUSEADDR, as GSocketListener and most servers bind. */
  g_assert_false (g_socket_listener_add_address (squatter, socket_address, G_SOCKET_TYPE_STREAM,
                                                 G_SOCKET_PROTOCOL_TCP, NULL, NULL, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_ADDRESS_IN_USE);
  free_server (server);
}

/* Freeing at any point: before a client, while stalled, in a timer, while
 * waiting for a ClientHello. The client sees EOF at once and nothing stays. */
static void
test_free_mid_script (void)
{
  const PostaciScriptStep stalling[] = {
    TS_SEND ("220 hi\r\n"),
    TS_STALL,
    TS_END,
  };
  const PostaciScriptStep slow[] = {
    TS_SEND ("2"),
    TS_SEND_SLOWLY ("20 very slowly\r\n", 60000),
    TS_END,
  };
  g_autoptr(GTlsCertificate) certificate = postaci_test_load_certificate ("server");
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) rest = NULL;
  PostaciScriptedServer *server;
  TestClient *client;
  guint16 port;

  server = postaci_scripted_server_new (stalling, POSTACI_SCRIPTED_SERVER_PLAIN, NULL, "127.0.0.1");
  port = postaci_scripted_server_get_port (server);
  free_server (server);
  g_assert_null (client_try_connect ("127.0.0.1", port, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CONNECTION_REFUSED);
  g_clear_error (&error);

  server = serve (stalling, NULL, &client);
  client_assert_line (client, "220 hi\r\n");
  client_write (client, "EHLO x\r\n");
  free_server (server);
  client_assert_eof (client);
  client_free (client);

  server = serve (slow, NULL, &client);
  while (client->in->len < 2)
    client_read_more (client);
  free_server (server);
  rest = client_read_to_eof (client);
  g_assert_cmpmem (g_bytes_get_data (rest, NULL), g_bytes_get_size (rest), "22", 2);
  client_free (client);

  server = postaci_scripted_server_new (stalling, POSTACI_SCRIPTED_SERVER_IMPLICIT_TLS, certificate,
                                        "127.0.0.1");
  client = client_connect ("127.0.0.1", postaci_scripted_server_get_port (server));
  postaci_test_wait_until (server_connected, server,
                           WAIT_MS);
  free_server (server);
  client_assert_eof (client);
  client_free (client);

  /* In the middle of the handshake: the server has the ClientHello. */
  server = postaci_scripted_server_new (stalling, POSTACI_SCRIPTED_SERVER_IMPLICIT_TLS, certificate,
                                        "127.0.0.1");
  client = client_connect ("127.0.0.1", postaci_scripted_server_get_port (server));
  client_handshake_start (client, "localhost");
  postaci_test_wait_until (server_saw_hello, server, WAIT_MS);
  free_server (server);
  if (client_handshake_finish (client, &error))
    client_assert_eof (client);
  g_clear_error (&error);
  client_free (client);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_data_func ("/postaci/scripted-server/exact/ipv4", "127.0.0.1", test_exact);
  g_test_add_data_func ("/postaci/scripted-server/exact/ipv6", "::1", test_exact);
  g_test_add_func ("/postaci/scripted-server/mismatch/line", test_mismatch);
  g_test_add_func ("/postaci/scripted-server/mismatch/bare-lf", test_mismatch_bare_lf);
  g_test_add_func ("/postaci/scripted-server/mismatch/prefix", test_mismatch_prefix);
  g_test_add_func ("/postaci/scripted-server/client-closed", test_client_closed);
  g_test_add_func ("/postaci/scripted-server/expect-close", test_expect_close);
  g_test_add_func ("/postaci/scripted-server/stall", test_stall);
  g_test_add_func ("/postaci/scripted-server/starttls/ok", test_starttls);
  g_test_add_func ("/postaci/scripted-server/starttls/ip-no-sni", test_starttls_ip_no_sni);
  g_test_add_func ("/postaci/scripted-server/starttls/plain-bytes-recorded",
                   test_starttls_plain_bytes_recorded);
  g_test_add_func ("/postaci/scripted-server/starttls/refused", test_starttls_refused);
  g_test_add_data_func ("/postaci/scripted-server/implicit-tls/ipv4", "127.0.0.1",
                        test_implicit_tls);
  g_test_add_data_func ("/postaci/scripted-server/implicit-tls/ipv6", "::1", test_implicit_tls);
  g_test_add_func ("/postaci/scripted-server/implicit-tls/plain-client",
                   test_implicit_tls_plain_client);
  g_test_add_func ("/postaci/scripted-server/read-data", test_read_data);
  g_test_add_func ("/postaci/scripted-server/send-slowly", test_send_slowly);
  g_test_add_func ("/postaci/scripted-server/megabyte", test_megabyte);
  g_test_add_func ("/postaci/scripted-server/send-repeat", test_send_repeat);
  g_test_add_data_func ("/postaci/scripted-server/close-in-handshake/starttls",
                        GINT_TO_POINTER (TRUE), test_close_in_handshake);
  g_test_add_data_func ("/postaci/scripted-server/close-in-handshake/implicit",
                        GINT_TO_POINTER (FALSE), test_close_in_handshake);
  g_test_add_func ("/postaci/scripted-server/write-to-closed-client", test_write_to_closed_client);
  g_test_add_func ("/postaci/scripted-server/second-connection-refused",
                   test_second_connection_refused);
  g_test_add_func ("/postaci/scripted-server/free-mid-script", test_free_mid_script);
  g_test_add_data_func ("/postaci/scripted-server/twin-port-held/ipv4", "127.0.0.1",
                        test_twin_port_held);
  g_test_add_data_func ("/postaci/scripted-server/twin-port-held/ipv6", "::1",
                        test_twin_port_held);

  return g_test_run ();
}
