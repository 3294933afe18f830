/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-discovery.c — "Find my settings" against a made-up DNS, a local web server and scripted
 * SMTP servers, all on loopback. */
#include "config.h"

#include <string.h>
#include <glib/gstdio.h>

#include "postaci-autoconfig.h"
#include "postaci-discovery.h"
#include "postaci-discovery-report.h"
#include "postaci-discovery-test.h"
#include "postaci-dns.h"
#include "postaci-local-server.h"
#include "postaci-recommendation.h"
#include "postaci-test-resolver.h"
#include "probe-scripts.h"

#define GREETING "220 mx.test ESMTP ready\r\n"
#define EHLO_AUTH "250-mx.test\r\n250-SIZE 35882577\r\n250 AUTH PLAIN LOGIN\r\n"
#define EHLO_NOTHING "250-mx.test\r\n250 8BITMIME\r\n"
#define EHLO_STARTTLS "250-mx.test\r\n250-STARTTLS\r\n250 8BITMIME\r\n"

#define AUTOCONFIG_SSL(port) \
  "<?xml version=\"1.0\"?>\n<clientConfig version=\"1.1\"><emailProvider id=\"x\">" \
  "<domain>auto.test</domain><incomingServer type=\"imap\"><hostname>imap.auto.test</hostname>" \
  "<port>993</port><socketType>SSL</socketType></incomingServer>" \
  "<outgoingServer type=\"smtp\"><hostname>localhost</hostname><port>" port "</port>" \
  "<socketType>SSL</socketType><authentication>password-cleartext</authentication>" \
  "<username>%%EMAILADDRESS%%</username></outgoingServer></emailProvider></clientConfig>\n"

typedef struct _Web Web;

typedef struct _Fixture {
  PostaciTestResolver   *resolver;
  Web                   *https;
  Web                   *http;
  GMutex                 lock;        /* the web threads record requests */
  GHashTable            *documents;   /* path → document */
  GPtrArray             *requests;    /* "path?query" of every request, in order */
  gboolean               saw_cookie;
  guint16                closed_port; /* nothing listens there: refused at once */
  GPtrArray *servers;                 /* PostaciScriptedServer */
  PostaciDiscovery      *discovery;
  PostaciRecommendation *recommendation;
  GString               *jsonl;       /* sources and endpoints as the signals delivered them */
  char                  *ca_file;
} Fixture;

/* A small HTTP/1.1 server on 127.0.0.1, one thread per connection, that answers GET with the
 * documents of the test (404 otherwise), records each request and tries to plant a cookie in
 * every answer. (libsoup's own SoupServer leaks its sockets in Debian 12's version.) */
struct _Web {
  GThreadedSocketService *service;
  GTlsCertificate        *certificate;  /* NULL: plain HTTP */
  guint16                 port;
  Fixture                *fixture;
};

static gboolean
web_run_cb (GThreadedSocketService *service, GSocketConnection *connection, GObject *source,
            gpointer user_data)
{
  Web *web = user_data;
  Fixture *fixture = web->fixture;
  g_autoptr(GIOStream) stream = NULL;
  g_autoptr(GDataInputStream) in = NULL;
  g_autofree char *request = NULL;
  g_autofree char *answer = NULL;
  g_auto(GStrv) words = NULL;
  const char *document = NULL;
  char *line;
  gboolean cookie = FALSE;

  if (web->certificate != NULL)
    {
      stream = g_tls_server_connection_new (G_IO_STREAM (connection), web->certificate, NULL);
      if (stream == NULL || !g_tls_connection_handshake (G_TLS_CONNECTION (stream), NULL, NULL))
        return TRUE;
    }
  else
    stream = g_object_ref (G_IO_STREAM (connection));
  in = g_data_input_stream_new (g_io_stream_get_input_stream (stream));
  request = g_data_input_stream_read_line (in, NULL, NULL, NULL);
  while ((line = g_data_input_stream_read_line (in, NULL, NULL, NULL)) != NULL && *g_strstrip (line))
    {
      cookie = cookie || g_ascii_strncasecmp (line, "Cookie:", 7) == 0;
      g_free (line);
    }
  g_free (line);
  if (request == NULL)
    return TRUE;
  words = g_strsplit (g_strstrip (request), " ", 3);
  g_mutex_lock (&fixture->lock);
  if (words[1] != NULL)
    {
      const char *query = strchr (words[1], '?');
      g_autofree char *path = g_strndup (words[1], query ? (gsize) (query - words[1]) : strlen (words[1]));

      document = g_hash_table_lookup (fixture->documents, path);
      g_ptr_array_add (fixture->requests, g_strdup_printf ("%s?%s", path, query ? query + 1 : ""));
    }
  fixture->saw_cookie = fixture->saw_cookie || cookie;
  if (document != NULL)
    answer = g_strdup_printf ("HTTP/1.1 200 OK\r\nContent-Type: text/xml\r\nContent-Length: %zu\r\n"
                              "Set-Cookie: tracker=1; Path=/\r\nConnection: close\r\n\r\n%s",
                              strlen (document), document);
  else
    answer = g_strdup ("HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n"
                       "Set-Cookie: tracker=1; Path=/\r\nConnection: close\r\n\r\n");
  g_mutex_unlock (&fixture->lock);
  g_output_stream_write_all (g_io_stream_get_output_stream (stream), answer, strlen (answer),
                             NULL, NULL, NULL);
  g_io_stream_close (stream, NULL, NULL);
  return TRUE;
}

static Web *
web_new (Fixture *fixture, GTlsCertificate *certificate)
{
  Web *web = g_new0 (Web, 1);
  g_autoptr(GError) error = NULL;
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) any = g_inet_socket_address_new (loopback, 0);
  g_autoptr(GSocketAddress) bound = NULL;

  web->fixture = fixture;
  web->certificate = certificate ? g_object_ref (certificate) : NULL;
  web->service = G_THREADED_SOCKET_SERVICE (g_threaded_socket_service_new (16));
  g_socket_listener_add_address (G_SOCKET_LISTENER (web->service), any, G_SOCKET_TYPE_STREAM,
                                 G_SOCKET_PROTOCOL_TCP, NULL, &bound, &error);
  g_assert_no_error (error);
  web->port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));
  g_signal_connect (web->service, "run", G_CALLBACK (web_run_cb), web);
  g_socket_service_start (G_SOCKET_SERVICE (web->service));
  return web;
}

static void
web_free (Web *web)
{
  g_socket_service_stop (G_SOCKET_SERVICE (web->service));
  g_socket_listener_close (G_SOCKET_LISTENER (web->service));
  /* Finalizing the service waits for its threads. */
  g_object_unref (web->service);
  g_clear_object (&web->certificate);
  g_free (web);
}

static void
fixture_setup (Fixture *fixture, gconstpointer data)
{
  g_autoptr(GTlsCertificate) certificate = postaci_test_load_certificate ("server");

  fixture->resolver = postaci_test_resolver_install ();

  fixture->documents = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  fixture->requests = g_ptr_array_new_with_free_func (g_free);
  g_mutex_init (&fixture->lock);
  fixture->https = web_new (fixture, certificate);
  fixture->http = web_new (fixture, NULL);

  fixture->closed_port = postaci_test_closed_port ();
  fixture->servers = g_ptr_array_new_with_free_func ((GDestroyNotify) postaci_scripted_server_free);
  fixture->jsonl = g_string_new (NULL);
  fixture->ca_file = g_build_filename (TEST_SRCDIR, "certs", "ca.pem", NULL);
}

static void
fixture_teardown (Fixture *fixture, gconstpointer data)
{
  g_clear_object (&fixture->discovery);
  g_clear_pointer (&fixture->recommendation, postaci_recommendation_free);
  g_ptr_array_unref (fixture->servers);
  postaci_scripted_server_wait_all_released (5000);
  web_free (fixture->https);
  web_free (fixture->http);
  g_mutex_clear (&fixture->lock);
  g_hash_table_unref (fixture->documents);
  g_ptr_array_unref (fixture->requests);
  g_string_free (fixture->jsonl, TRUE);
  g_free (fixture->ca_file);
  while (g_main_context_iteration (NULL, FALSE))
    ;
  postaci_test_resolver_uninstall (fixture->resolver);
}

static guint16
start_server (Fixture *fixture, const PostaciScriptStep *script, PostaciScriptedServerMode mode,
              const char *certificate)
{
  g_autoptr(GTlsCertificate) cert = certificate ? postaci_test_load_certificate (certificate) : NULL;
  PostaciScriptedServer *server = postaci_scripted_server_new (script, mode, cert, "127.0.0.1");

  g_ptr_array_add (fixture->servers, server);
  return postaci_scripted_server_get_port (server);
}

static char *
received (Fixture *fixture, guint index)
{
  g_autoptr(GBytes) bytes =
               postaci_scripted_server_get_received (g_ptr_array_index (fixture->servers, index));
  return g_strndup (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes));
}

static void
source_changed_cb (PostaciDiscovery *discovery, const PostaciDiscoverySource *source,
                   gpointer user_data)
{
  Fixture *fixture = user_data;
  g_autofree char *line = postaci_discovery_format_source (source, POSTACI_TRANSCRIPT_JSONL);

  g_string_append (fixture->jsonl, line);
}

static void
endpoint_changed_cb (PostaciDiscovery *discovery, const PostaciEndpoint *endpoint,
                     gpointer user_data)
{
  Fixture *fixture = user_data;

  if (endpoint->result != NULL)
    {
      g_autofree char *line = postaci_discovery_format_endpoint (endpoint);

      g_string_append (fixture->jsonl, line);
    }
}

/* A discovery of @query that can only reach this machine: the web addresses point at the
 * local server, the standard ports at @ports (a closed one when NULL). */
static PostaciDiscovery *
make_discovery (Fixture *fixture, const char *query, const char *ports)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *autoconfig = g_strdup_printf (
    "https://localhost:%u/autoconfig/%%DOMAIN%%/mail/config-v1.1.xml?emailaddress=%%ADDRESS%%",
    fixture->https->port);
  g_autofree char *well_known = g_strdup_printf (
    "https://localhost:%u/well-known/%%DOMAIN%%/autoconfig/mail/config-v1.1.xml",
    fixture->https->port);
  g_autofree char *ispdb = g_strdup_printf ("https://localhost:%u/ispdb/v1.1/%%DOMAIN%%",
                                            fixture->https->port);
  g_autofree char *plain = g_strdup_printf ("http://localhost:%u/plain/%%DOMAIN%%/config-v1.1.xml",
                                            fixture->http->port);
  g_autofree char *closed = g_strdup_printf ("%u", fixture->closed_port);
  const char *https[] = { autoconfig, well_known, NULL };
  const char *http[] = { plain, NULL };
  PostaciDiscovery *discovery = postaci_discovery_new (query, &error);

  g_assert_no_error (error);
  postaci_discovery_set_urls (discovery, https, ispdb, http);
  postaci_discovery_set_ports (discovery, ports ? ports : closed, &error);
  g_assert_no_error (error);
  postaci_discovery_set_ca_file (discovery, fixture->ca_file, &error);
  g_assert_no_error (error);
  postaci_discovery_set_timeouts (discovery, 10000, 60000);
  g_signal_connect (discovery, "source-changed", G_CALLBACK (source_changed_cb), fixture);
  g_signal_connect (discovery, "endpoint-changed", G_CALLBACK (endpoint_changed_cb), fixture);
  fixture->discovery = discovery;
  return discovery;
}

static void
run_cb (GObject *object, GAsyncResult *result, gpointer user_data)
{
  Fixture *fixture = user_data;

  fixture->recommendation = postaci_discovery_run_finish (POSTACI_DISCOVERY (object), result);
}

static gboolean
finished (gpointer data)
{
  return ((Fixture *) data)->recommendation != NULL;
}

static gboolean
servers_finished (gpointer data)
{
  Fixture *fixture = data;

  for (guint i = 0; i < fixture->servers->len; i++)
    if (postaci_scripted_server_is_connected (g_ptr_array_index (fixture->servers, i)) &&
        !postaci_scripted_server_is_finished (g_ptr_array_index (fixture->servers, i)))
      return FALSE;
  return TRUE;
}

static void
run (Fixture *fixture)
{
  postaci_discovery_run_async (fixture->discovery, NULL, run_cb, fixture);
  postaci_test_wait_until (finished, fixture, 90000);
  {
    g_autofree char *transcript = postaci_discovery_get_transcript (fixture->discovery);

    g_test_message ("%s", transcript);
  }
  postaci_test_wait_until (servers_finished, fixture, 5000);
  for (guint i = 0; i < fixture->servers->len; i++)
    g_assert_cmpstr (postaci_scripted_server_get_error (g_ptr_array_index (fixture->servers, i)),
                     ==, NULL);
  g_assert_false (fixture->saw_cookie);
}

static const PostaciDiscoverySource *
find_source (Fixture *fixture, PostaciSourceType type, const char *name_part)
{
  GPtrArray *sources = postaci_discovery_get_sources (fixture->discovery);

  for (guint i = 0; i < sources->len; i++)
    {
      const PostaciDiscoverySource *source = g_ptr_array_index (sources, i);

      if (source->type == type && strstr (source->name, name_part) != NULL)
        return source;
    }
  g_error ("no %s source named like %s", postaci_source_type_to_string (type), name_part);
  return NULL;
}

static const PostaciEndpoint *
find_endpoint (Fixture *fixture, const char *host, guint port)
{
  GPtrArray *endpoints = postaci_discovery_get_endpoints (fixture->discovery);

  for (guint i = 0; i < endpoints->len; i++)
    {
      const PostaciEndpoint *endpoint = g_ptr_array_index (endpoints, i);

      if (g_str_equal (endpoint->host, host) && endpoint->port == port)
        return endpoint;
    }
  g_error ("no endpoint %s:%u", host, port);
  return NULL;
}

static void
assert_recommended (Fixture *fixture, const char *host, guint port, PostaciSecurity security)
{
  PostaciRecommendation *rec = fixture->recommendation;

  g_assert_cmpint (rec->status, ==, POSTACI_DISCOVERY_FOUND);
  g_assert_cmpint (postaci_discovery_status_get_exit_status (rec->status), ==, 0);
  g_assert_cmpstr (rec->host, ==, host);
  g_assert_cmpuint (rec->port, ==, port);
  g_assert_cmpint (rec->security, ==, security);
}

static const PostaciScriptStep tls_auth_script[] = { TS_PROBE_LOOK (GREETING, EHLO_AUTH) };
static const PostaciScriptStep starttls_script[] = {
  TS_PROBE_STARTTLS_LOOK (GREETING, EHLO_STARTTLS, EHLO_AUTH),
};

/* ---------------------------------------------------------------- */
/* Sources                                                          */
/* ---------------------------------------------------------------- */

static void
test_srv_only (Fixture *fixture, gconstpointer data)
{
  guint16 port =
    start_server (fixture, tls_auth_script, POSTACI_SCRIPTED_SERVER_IMPLICIT_TLS, "server");
  g_autofree char *wire = NULL;
  g_autofree char *text = NULL;
  const PostaciDiscoverySource *srv;

  postaci_test_resolver_add_srv (fixture->resolver, "_submissions._tcp.srv.test", 0, 1, port,
                                 "localhost.");
  make_discovery (fixture, "ali@srv.test", NULL);
  run (fixture);

  assert_recommended (fixture, "localhost", port, POSTACI_SECURITY_TLS);
  g_assert_cmpstrv (fixture->recommendation->auth, ((const char *[]) { "PLAIN", "LOGIN", NULL }));
  g_assert_false (fixture->recommendation->auth_tried);
  srv = find_source (fixture, POSTACI_SOURCE_SRV, "_submissions._tcp.srv.test");
  g_assert_cmpint (srv->status, ==, POSTACI_SOURCE_FOUND);
  g_assert_nonnull (strstr (srv->detail, "(priority 0, weight 1)"));
  g_assert_cmpint (find_source (fixture, POSTACI_SOURCE_SRV, "_submission._tcp")->status, ==,
                   POSTACI_SOURCE_NONE);
  g_assert_cmpint (find_source (fixture, POSTACI_SOURCE_GUESS, "smtp.srv.test")->status, ==,
                   POSTACI_SOURCE_SKIPPED);
  /* Every autoconfig address was asked, with the address; none had a document. */
  g_assert_cmpint (find_source (fixture, POSTACI_SOURCE_AUTOCONFIG, "/autoconfig/")->status, ==,
                   POSTACI_SOURCE_NONE);
  g_assert_cmpint (find_source (fixture, POSTACI_SOURCE_ISPDB, "/ispdb/")->status, ==,
                   POSTACI_SOURCE_NONE);
  /* Only EHLO and QUIT reached the server: nothing else, no credentials. */
  wire = received (fixture, 0);
  g_assert_cmpstr (wire, ==, PROBE_EHLO "\r\nQUIT\r\n");
  g_assert_nonnull (strstr (fixture->jsonl->str,
                            "\"kind\":\"source\",\"type\":\"srv\",\"name\":\"_submissions._tcp.srv.test\","
                            "\"status\":\"found\""));
  text = postaci_discovery_format_recommendation (fixture->recommendation, POSTACI_TRANSCRIPT_JSONL);
  g_assert_true (g_str_has_prefix (text, "{\"kind\":\"recommendation\",\"host\":\"localhost\""));
  g_assert_nonnull (strstr (text, "\"security\":\"tls\",\"auth\":[\"PLAIN\",\"LOGIN\"]"));
}

static void
test_autoconfig_only (Fixture *fixture, gconstpointer data)
{
  guint16 port =
    start_server (fixture, tls_auth_script, POSTACI_SCRIPTED_SERVER_IMPLICIT_TLS, "server");
  g_autofree char *document = g_strdup_printf (AUTOCONFIG_SSL ("%u"), port);
  g_autofree char *found = NULL;
  const PostaciDiscoverySource *source;

  g_hash_table_insert (fixture->documents, g_strdup ("/autoconfig/auto.test/mail/config-v1.1.xml"),
                       g_steal_pointer (&document));
  make_discovery (fixture, "ali@auto.test", NULL);
  run (fixture);

  assert_recommended (fixture, "localhost", port, POSTACI_SECURITY_TLS);
  g_assert_cmpstr (fixture->recommendation->username, ==, "ali@auto.test");
  source = find_source (fixture, POSTACI_SOURCE_AUTOCONFIG, "/autoconfig/");
  g_assert_cmpint (source->status, ==, POSTACI_SOURCE_FOUND);
  g_assert_true (source->verified);
  found = g_strdup_printf ("localhost:%u", port);
  g_assert_cmpstr (g_ptr_array_index (source->found, 0), ==, found);
  /* The address went along, escaped, as Thunderbird sends it. */
  g_assert_true (g_ptr_array_find_with_equal_func (fixture->requests,
                                                   "/autoconfig/auto.test/mail/config-v1.1.xml?"
                                                   "emailaddress=ali%40auto.test",
                                                   g_str_equal, NULL));
  /* HTTPS answered: plain HTTP was never asked. */
  g_assert_cmpint (find_source (fixture, POSTACI_SOURCE_AUTOCONFIG, "http://")->status, ==,
                   POSTACI_SOURCE_SKIPPED);
  for (guint i = 0; i < fixture->requests->len; i++)
    g_assert_false (g_str_has_prefix (g_ptr_array_index (fixture->requests, i), "/plain/"));
}

static void
test_ispdb_only (Fixture *fixture, gconstpointer data)
{
  guint16 port =
    start_server (fixture, tls_auth_script, POSTACI_SCRIPTED_SERVER_IMPLICIT_TLS, "server");
  g_autofree char *document = g_strdup_printf (AUTOCONFIG_SSL ("%u"), port);

  g_hash_table_insert (fixture->documents, g_strdup ("/ispdb/v1.1/isp.test"),
                       g_steal_pointer (&document));
  make_discovery (fixture, "isp.test", NULL);
  run (fixture);

  assert_recommended (fixture, "localhost", port, POSTACI_SECURITY_TLS);
  /* A domain without an address: the pattern stays a pattern. */
  g_assert_cmpstr (fixture->recommendation->username, ==, "%EMAILADDRESS%");
  g_assert_cmpint (find_source (fixture, POSTACI_SOURCE_ISPDB, "/ispdb/")->status, ==,
                   POSTACI_SOURCE_FOUND);
  g_assert_cmpint (find_source (fixture, POSTACI_SOURCE_AUTOCONFIG, "/autoconfig/")->status, ==,
                   POSTACI_SOURCE_NONE);
}

/* Plain HTTP is the last resort, asked only after HTTPS gave nothing, and marked unverified. */
static void
test_plain_http_last (Fixture *fixture, gconstpointer data)
{
  guint16 port =
    start_server (fixture, tls_auth_script, POSTACI_SCRIPTED_SERVER_IMPLICIT_TLS, "server");
  g_autofree char *document = g_strdup_printf (AUTOCONFIG_SSL ("%u"), port);
  const PostaciDiscoverySource *source;
  const char *last;

  g_hash_table_insert (fixture->documents, g_strdup ("/plain/plain.test/config-v1.1.xml"),
                       g_steal_pointer (&document));
  make_discovery (fixture, "ali@plain.test", NULL);
  run (fixture);

  source = find_source (fixture, POSTACI_SOURCE_AUTOCONFIG, "http://");
  g_assert_cmpint (source->status, ==, POSTACI_SOURCE_FOUND);
  g_assert_false (source->verified);
  g_assert_true (g_str_has_prefix (source->detail, "Fetched over plain HTTP: unverified"));
  last = g_ptr_array_index (fixture->requests, fixture->requests->len - 1);
  g_assert_true (g_str_has_prefix (last, "/plain/"));
  g_assert_cmpuint (fixture->requests->len, ==, 4);
  /* Still usable (the server itself proved its name with TLS), and said where it came from. */
  assert_recommended (fixture, "localhost", port, POSTACI_SECURITY_TLS);
  g_assert_true (find_endpoint (fixture, "localhost", port)->unverified);
  g_assert_nonnull (strstr (fixture->jsonl->str, "\"verified\":false"));
}

static void
test_dot_srv (Fixture *fixture, gconstpointer data)
{
  const PostaciDiscoverySource *source;

  postaci_test_resolver_add_srv (fixture->resolver, "_submissions._tcp.dot.test", 0, 0, 0, ".");
  make_discovery (fixture, "dot.test", NULL);
  run (fixture);

  source = find_source (fixture, POSTACI_SOURCE_SRV, "_submissions._tcp.dot.test");
  g_assert_cmpint (source->status, ==, POSTACI_SOURCE_NO_SERVICE);
  g_assert_cmpstr (source->detail, ==,
                   "The target is “.”: the domain says this service is not offered here.");
  g_assert_cmpuint (source->found->len, ==, 0);
  /* Nothing named a server, so the usual names were tried; none of them exists. */
  source = find_source (fixture, POSTACI_SOURCE_GUESS, "smtp.dot.test");
  g_assert_cmpint (source->status, ==, POSTACI_SOURCE_FOUND);
  g_assert_cmpint (find_endpoint (fixture, "mail.dot.test", fixture->closed_port)->result->status,
                   ==, POSTACI_PROBE_NOT_FOUND);
  g_assert_cmpint (fixture->recommendation->status, ==, POSTACI_DISCOVERY_UNREACHABLE);
  g_assert_cmpint (postaci_discovery_status_get_exit_status (fixture->recommendation->status), ==, 3);
  g_assert_nonnull (strstr (fixture->jsonl->str, "\"status\":\"no_service\""));
}

static void
test_mx_only (Fixture *fixture, gconstpointer data)
{
  static const PostaciScriptStep script[] = { TS_PROBE_LOOK (GREETING, EHLO_NOTHING) };
  guint16 port = start_server (fixture, script, POSTACI_SCRIPTED_SERVER_PLAIN, NULL);
  g_autofree char *ports = g_strdup_printf ("%u", port);
  g_autofree char *table = NULL;
  const PostaciDiscoverySource *source;
  const PostaciEndpoint *endpoint;

  postaci_test_resolver_add_mx (fixture->resolver, "mx.test", 10, "localhost");
  make_discovery (fixture, "mx.test", ports);
  run (fixture);

  source = find_source (fixture, POSTACI_SOURCE_MX, "mx.test");
  g_assert_cmpint (source->status, ==, POSTACI_SOURCE_FOUND);
  g_assert_nonnull (strstr (source->detail, "localhost (preference 10)"));
  g_assert_nonnull (strstr (source->detail, "they rarely accept a mail program's login"));
  endpoint = find_endpoint (fixture, "localhost", port);
  g_assert_true (endpoint->sources & (1u << POSTACI_SOURCE_MX));
  g_assert_cmpint (endpoint->result->status, ==, POSTACI_PROBE_OK);
  g_assert_cmpint (fixture->recommendation->status, ==, POSTACI_DISCOVERY_NOT_USABLE);
  g_assert_cmpint (postaci_discovery_status_get_exit_status (fixture->recommendation->status), ==, 1);
  g_assert_nonnull (strstr (fixture->recommendation->reason, "It offers no encryption"));
  table = postaci_discovery_format_table (postaci_discovery_get_endpoints (fixture->discovery), FALSE);
  g_assert_true (g_str_has_prefix (table, "Host "));
  g_assert_nonnull (strstr (table, "answers, not usable"));
}

/* ---------------------------------------------------------------- */
/* Probes                                                           */
/* ---------------------------------------------------------------- */

/* Probed as a STARTTLS port, it says nothing until TLS: the port-465 confusion, seen. */
static void
test_silent_until_tls (Fixture *fixture, gconstpointer data)
{
  guint16 port =
    start_server (fixture, tls_auth_script, POSTACI_SCRIPTED_SERVER_IMPLICIT_TLS, "server");
  g_autofree char *advice = NULL;
  const PostaciEndpoint *endpoint;

  postaci_test_resolver_add_srv (fixture->resolver, "_submission._tcp.silent.test", 0, 0, port,
                                 "localhost");
  make_discovery (fixture, "silent.test", NULL);
  postaci_discovery_set_timeouts (fixture->discovery, 3000, 60000);
  postaci_discovery_set_form (fixture->discovery, "localhost", port, POSTACI_SECURITY_STARTTLS);
  run (fixture);

  endpoint = find_endpoint (fixture, "localhost", port);
  g_assert_cmpint (endpoint->start, ==, POSTACI_PROBE_START_PLAIN);
  g_assert_cmpint (endpoint->result->mismatch, ==, POSTACI_PROBE_MISMATCH_SILENT_UNTIL_TLS);
  g_assert_true (endpoint->result->implicit_tls);
  assert_recommended (fixture, "localhost", port, POSTACI_SECURITY_TLS);
  advice = g_strdup_printf ("Port %u expects TLS from the first byte: choose SSL/TLS.", port);
  g_assert_cmpstr (fixture->recommendation->form_advice, ==, advice);
  g_assert_nonnull (strstr (fixture->jsonl->str, "\"mismatch\":\"silent_until_tls\""));
}

static void
test_invalid_certificate (Fixture *fixture, gconstpointer data)
{
  guint16 port =
    start_server (fixture, tls_auth_script, POSTACI_SCRIPTED_SERVER_IMPLICIT_TLS, "wrong-name");
  const PostaciEndpoint *endpoint;

  postaci_test_resolver_add_srv (fixture->resolver, "_submissions._tcp.cert.test", 0, 0, port,
                                 "localhost");
  make_discovery (fixture, "cert.test", NULL);
  run (fixture);

  endpoint = find_endpoint (fixture, "localhost", port);
  g_assert_true (endpoint->result->tls);
  g_assert_true (endpoint->result->certificate_errors & G_TLS_CERTIFICATE_BAD_IDENTITY);
  /* What the server offers behind the certificate is still shown. */
  g_assert_cmpstrv (endpoint->result->auth_after, ((const char *[]) { "PLAIN", "LOGIN", NULL }));
  g_assert_false (postaci_endpoint_is_usable (endpoint));
  g_assert_cmpint (fixture->recommendation->status, ==, POSTACI_DISCOVERY_NOT_USABLE);
  g_assert_nonnull (strstr (fixture->recommendation->reason, "It needs a certificate exception"));
  g_assert_nonnull (strstr (fixture->recommendation->reason, "wrong.example.test"));
  g_assert_nonnull (strstr (fixture->jsonl->str, "\"tls_valid\":false"));
}

static void
test_auth_only_after_tls (Fixture *fixture, gconstpointer data)
{
  guint16 port = start_server (fixture, starttls_script, POSTACI_SCRIPTED_SERVER_PLAIN, "server");
  const PostaciEndpoint *endpoint;
  g_autofree char *wire = NULL;
  g_autofree char *advice = NULL;

  postaci_test_resolver_add_srv (fixture->resolver, "_submission._tcp.starttls.test", 0, 0, port,
                                 "localhost");
  make_discovery (fixture, "starttls.test", NULL);
  postaci_discovery_set_form (fixture->discovery, "localhost", port, POSTACI_SECURITY_NONE);
  run (fixture);

  endpoint = find_endpoint (fixture, "localhost", port);
  g_assert_true (endpoint->result->starttls_offered);
  g_assert_cmpstrv (endpoint->result->auth_before, ((const char *[]) { NULL }));
  g_assert_cmpstrv (endpoint->result->auth_after, ((const char *[]) { "PLAIN", "LOGIN", NULL }));
  g_assert_cmpstrv (endpoint->result->capabilities_before,
                    ((const char *[]) { "STARTTLS", "8BITMIME", NULL }));
  g_assert_cmpint (endpoint->result->size, ==, 35882577);
  assert_recommended (fixture, "localhost", port, POSTACI_SECURITY_STARTTLS);
  advice = g_strdup_printf ("Port %u offers STARTTLS: choose it, so that the password does not "
                            "cross the network in clear text.", port);
  g_assert_cmpstr (fixture->recommendation->form_advice, ==, advice);
  wire = received (fixture, 0);
  g_assert_cmpstr (wire, ==, PROBE_EHLO "\r\nSTARTTLS\r\n" PROBE_EHLO "\r\nQUIT\r\n");
  g_assert_nonnull (strstr (fixture->jsonl->str, "\"auth_before_tls\":[],\"auth_after_tls\":"
                                                 "[\"PLAIN\",\"LOGIN\"]"));
}

static void
test_nothing_reachable (Fixture *fixture, gconstpointer data)
{
  const PostaciEndpoint *endpoint;
  g_autofree char *text = NULL;

  postaci_test_resolver_add_host (fixture->resolver, "smtp.none.test", "127.0.0.1");
  postaci_test_resolver_add_host (fixture->resolver, "mail.none.test", "127.0.0.1");
  postaci_test_resolver_add_host (fixture->resolver, "none.test", "127.0.0.1");
  make_discovery (fixture, "ali@none.test", NULL);
  run (fixture);

  endpoint = find_endpoint (fixture, "smtp.none.test", fixture->closed_port);
  g_assert_cmpint (endpoint->result->status, ==, POSTACI_PROBE_UNREACHABLE);
  g_assert_cmpint (endpoint->result->connect_ms, ==, -1);
  g_assert_cmpint (fixture->recommendation->status, ==, POSTACI_DISCOVERY_UNREACHABLE);
  g_assert_cmpint (postaci_discovery_status_get_exit_status (fixture->recommendation->status), ==, 3);
  g_assert_cmpstr (fixture->recommendation->reason, ==, "No candidate server answered on any port.");
  text = postaci_discovery_format_recommendation (fixture->recommendation, POSTACI_TRANSCRIPT_JSONL);
  g_assert_cmpstr (text, ==, "{\"kind\":\"outcome\",\"status\":\"unreachable\",\"exit\":3,"
                             "\"reason\":\"No candidate server answered on any port.\","
                             "\"form_advice\":null}\n");
  g_assert_nonnull (strstr (fixture->jsonl->str, "\"reachable\":false"));
}

static void
test_resolver_hangs (Fixture *fixture, gconstpointer data)
{
  gint64 started = g_get_monotonic_time ();

  postaci_test_resolver_set_hang (fixture->resolver, TRUE);
  make_discovery (fixture, "ali@hang.test", NULL);
  postaci_discovery_set_timeouts (fixture->discovery, 5000, 800);
  run (fixture);

  g_assert_cmpint (fixture->recommendation->status, ==, POSTACI_DISCOVERY_DEADLINE);
  g_assert_cmpint (postaci_discovery_status_get_exit_status (fixture->recommendation->status), ==, 4);
  g_assert_cmpint ((g_get_monotonic_time () - started) / 1000, <, 4000);
  g_assert_cmpstr (find_source (fixture, POSTACI_SOURCE_SRV, "_submissions")->detail, ==,
                   "Cut short by the overall deadline.");
  g_assert_cmpuint (postaci_discovery_get_endpoints (fixture->discovery)->len, ==, 0);
}

/* With credentials: the recommended endpoint alone gets them, after its certificate verified. */
static void
test_credentials (Fixture *fixture, gconstpointer data)
{
  gboolean right = GPOINTER_TO_INT (data);
  g_autoptr(PostaciLocalServer) local = postaci_local_server_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *folder = g_dir_make_tmp ("postaci-discovery-XXXXXX", NULL);
  g_autofree char *ca = NULL;
  g_autofree char *both = NULL;
  g_autofree char *trust = NULL;
  g_autofree char *wire = NULL;
  guint16 starttls_port =
    start_server (fixture, starttls_script, POSTACI_SCRIPTED_SERVER_PLAIN, "server");
  guint tls_port;

  postaci_local_server_set_folder (local, folder);
  g_assert_true (postaci_local_server_start (local, &error));
  tls_port = postaci_local_server_get_tls_port (local);
  g_assert_true (g_file_get_contents (fixture->ca_file, &ca, NULL, NULL));
  both = g_build_filename (folder, "trust.pem", NULL);
  trust = g_strconcat (ca, postaci_local_server_get_certificate_pem (local), NULL);
  g_assert_true (g_file_set_contents (both, trust, -1, NULL));

  postaci_test_resolver_add_srv (fixture->resolver, "_submissions._tcp.login.test", 0, 0,
                                 (guint16) tls_port, "localhost");
  postaci_test_resolver_add_srv (fixture->resolver, "_submission._tcp.login.test", 0, 0,
                                 starttls_port, "localhost");
  make_discovery (fixture, "login.test", NULL);
  g_assert_true (postaci_discovery_set_ca_file (fixture->discovery, both, &error));
  postaci_discovery_set_credentials (fixture->discovery, postaci_local_server_get_username (local),
                                     right ? postaci_local_server_get_password (local) : "wrong");
  run (fixture);

  g_assert_cmpstr (fixture->recommendation->host, ==, "localhost");
  g_assert_cmpuint (fixture->recommendation->port, ==, tls_port);
  g_assert_true (fixture->recommendation->auth_tried);
  g_assert_cmpstr (fixture->recommendation->username, ==, postaci_local_server_get_username (local));
  if (right)
    {
      g_assert_true (fixture->recommendation->auth_confirmed);
      g_assert_cmpint (fixture->recommendation->status, ==, POSTACI_DISCOVERY_FOUND);
    }
  else
    {
      g_assert_false (fixture->recommendation->auth_confirmed);
      g_assert_cmpint (fixture->recommendation->status, ==, POSTACI_DISCOVERY_NOT_USABLE);
      g_assert_true (g_str_has_prefix (fixture->recommendation->auth_detail, "The login did not work"));
    }
  /* The other endpoint never saw a login. */
  wire = received (fixture, 0);
  g_assert_cmpstr (wire, ==, PROBE_EHLO "\r\nSTARTTLS\r\n" PROBE_EHLO "\r\nQUIT\r\n");
  {
    g_autofree char *transcript = postaci_discovery_get_transcript (fixture->discovery);

    g_assert_null (strstr (transcript, postaci_local_server_get_password (local)));
  }
  postaci_local_server_stop (local);
  g_unlink (both);
  g_rmdir (folder);
}

/* ---------------------------------------------------------------- */
/* Pieces                                                           */
/* ---------------------------------------------------------------- */

static void
test_parse_autoconfig (void)
{
  static const char document[] =
    "<clientConfig><emailProvider id='e'>"
    "<outgoingServer type='smtp'><hostname>smtp.%EMAILDOMAIN%</hostname><port>587</port>"
    "<socketType>STARTTLS</socketType><authentication>password-cleartext</authentication>"
    "<authentication>OAuth2</authentication><username>%EMAILLOCALPART%</username></outgoingServer>"
    "<outgoingServer type='smtp'><hostname>bad host</hostname><port>25</port></outgoingServer>"
    "<outgoingServer type='smtp'><hostname>smtp2.example.com</hostname><port>99999</port></outgoingServer>"
    "<outgoingServer type='exchange'><hostname>ews.example.com</hostname><port>443</port></outgoingServer>"
    "</emailProvider></clientConfig>";
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) servers = postaci_autoconfig_parse (document, strlen (document),
                                                           "ali@example.com", "example.com", &error);
  PostaciAutoconfigServer *server;
  g_autofree char *user = NULL;

  g_assert_no_error (error);
  g_assert_cmpuint (servers->len, ==, 1);
  server = g_ptr_array_index (servers, 0);
  g_assert_cmpstr (server->hostname, ==, "smtp.example.com");
  g_assert_cmpuint (server->port, ==, 587);
  g_assert_cmpint (server->security, ==, POSTACI_SECURITY_STARTTLS);
  g_assert_cmpstrv (server->authentication,
                    ((const char *[]) { "password-cleartext", "OAuth2", NULL }));
  user = postaci_autoconfig_expand (server->username, "ali@example.com", "example.com");
  g_assert_cmpstr (user, ==, "ali");

  g_assert_null (postaci_autoconfig_parse ("<html>", 6, NULL, "x.test", &error));
  g_assert_error (error, POSTACI_AUTOCONFIG_ERROR, POSTACI_AUTOCONFIG_ERROR_INVALID);
  g_clear_error (&error);
  g_assert_null (postaci_autoconfig_parse ("<html></html>", 13, NULL, "x.test", &error));
  g_assert_error (error, POSTACI_AUTOCONFIG_ERROR, POSTACI_AUTOCONFIG_ERROR_INVALID);
  g_clear_error (&error);
  g_assert_null (postaci_autoconfig_parse ("<clientConfig/>", 15, NULL, "x.test", &error));
  g_assert_error (error, POSTACI_AUTOCONFIG_ERROR, POSTACI_AUTOCONFIG_ERROR_NO_SMTP);
  g_clear_error (&error);
  /* An external entity is never fetched nor expanded: GMarkup refuses the document. */
  {
    static const char xxe[] = "<!DOCTYPE c [<!ENTITY e SYSTEM 'file:///etc/passwd'>]>"
                              "<clientConfig><outgoingServer type='smtp'><hostname>&e;</hostname>"
                              "<port>25</port></outgoingServer></clientConfig>";

    g_assert_null (postaci_autoconfig_parse (xxe, strlen (xxe), NULL, "x.test", &error));
    g_assert_error (error, POSTACI_AUTOCONFIG_ERROR, POSTACI_AUTOCONFIG_ERROR_INVALID);
  }
}

static void
test_query (void)
{
  static const char *const bad[] = { "", "  ", "ali@", "@example.com", "no dots", "a b.com",
                                     "ali@[127.0.0.1]", "x..y.com", "-x.com", NULL };
  g_autoptr(GError) error = NULL;
  g_autoptr(PostaciDiscovery) address = postaci_discovery_new (" Ali@Example.COM ", &error);
  g_autoptr(PostaciDiscovery) literal = postaci_discovery_new ("[::1]", &error);
  g_autoptr(PostaciDiscovery) idn = postaci_discovery_new ("posta.çalışkan.example", &error);

  g_assert_no_error (error);
  g_assert_cmpstr (postaci_discovery_get_domain (address), ==, "example.com");
  g_assert_cmpstr (postaci_discovery_get_domain (literal), ==, "::1");
  g_assert_cmpstr (postaci_discovery_get_domain (idn), ==, "posta.xn--alkan-xra43c1l.example");
  for (guint i = 0; bad[i] != NULL; i++)
    {
      g_assert_null (postaci_discovery_new (bad[i], &error));
      g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
      g_clear_error (&error);
    }
  g_assert_false (postaci_discovery_set_ports (address, "465/ssl", &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_setenv ("LANGUAGE", "en", TRUE);
  g_unsetenv ("POSTACI_DISCOVERY_PORTS");
  /* A proxy from the environment would take the web requests elsewhere. */
  g_setenv ("GIO_USE_PROXY_RESOLVER", "dummy", TRUE);

  g_test_add_func ("/postaci/discovery/autoconfig-parse", test_parse_autoconfig);
  g_test_add_func ("/postaci/discovery/query", test_query);
#define ADD(path, func, data) \
  g_test_add ("/postaci/discovery/" path, Fixture, data, fixture_setup, func, fixture_teardown)
  ADD ("srv-only", test_srv_only, NULL);
  ADD ("autoconfig-only", test_autoconfig_only, NULL);
  ADD ("ispdb-only", test_ispdb_only, NULL);
  ADD ("plain-http-last", test_plain_http_last, NULL);
  ADD ("dot-srv", test_dot_srv, NULL);
  ADD ("mx-only", test_mx_only, NULL);
  ADD ("silent-until-tls", test_silent_until_tls, NULL);
  ADD ("invalid-certificate", test_invalid_certificate, NULL);
  ADD ("auth-only-after-tls", test_auth_only_after_tls, NULL);
  ADD ("nothing-reachable", test_nothing_reachable, NULL);
  ADD ("resolver-hangs", test_resolver_hangs, NULL);
  ADD ("credentials-right", test_credentials, GINT_TO_POINTER (TRUE));
  ADD ("credentials-wrong", test_credentials, GINT_TO_POINTER (FALSE));
#undef ADD
  return g_test_run ();
}
