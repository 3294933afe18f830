/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-soak.c — 500 whole sessions in one process: resident memory and open files stay flat.
 *
 * Each run is the full STARTTLS + AUTH PLAIN + DATA session against a fresh scripted server,
 * and must succeed. After a warm-up (caches, the GType system, GnuTLS and the GIO modules fill
 * once) the process's resident set and its descriptors are measured, and again at the end.
 * A leak of a descriptor is caught exactly; a leak of memory per session shows as growth
 * beyond a small allowance for the allocator. No timing is asserted. */
#include "config.h"

#include <malloc.h>
#include <string.h>
#include <unistd.h>

#include "postaci-session.h"
#include "postaci-scripted-server.h"

#define SESSIONS 500
#define WARM_UP  50
/* Memory settles slowly with no leak at all: glibc keeps freed pages, and glib-networking keeps
 * a TLS session ticket per server address for a while (each run here has a new port). Measured
 * on Debian 12: from session 50 to 500 the heap grows 170–260 KiB and the resident set 0.5–1.5
 * MiB — and from 50 to 3000 by the same (heap +210 KiB, resident +1.3 MiB): bounded, not
 * per session. valgrind shows the heap in use at exit equal after 20 and after 60 sessions.
 * A leak grows with the sessions: a lost PostaciSession with its events is over 10 KiB a run
 * (4.5 MiB here), a lost message chunk 64 KiB (28 MiB). Smaller leaks are the sanitizer
 * build's and valgrind's to find, exactly. */
#define HEAP_ALLOWANCE_KIB 512
#define RSS_ALLOWANCE_KIB  2048

#define PLAIN_IR "AGFsaQBnaXpsaS3Fn2lmcmU="   /* base64 ("\0ali\0gizli-şifre") */

static const PostaciScriptStep script[] = {
  TS_SEND ("220 mx.test ESMTP ready\r\n"),
  TS_EXPECT ("EHLO client.example"),
  TS_SEND ("250-mx.test\r\n250-STARTTLS\r\n250 8BITMIME\r\n"),
  TS_EXPECT ("STARTTLS"),
  TS_SEND ("220 2.0.0 go ahead\r\n"),
  TS_STARTTLS,
  TS_EXPECT ("EHLO client.example"),
  TS_SEND ("250-mx.test\r\n250-AUTH PLAIN LOGIN\r\n250 8BITMIME\r\n"),
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

typedef struct {
  PostaciScriptedServer *server;
  PostaciOutcome    *outcome;
} Run;

static gboolean
outcome_ready (gpointer data)
{
  return ((Run *) data)->outcome != NULL;
}

static gboolean
server_finished (gpointer data)
{
  return postaci_scripted_server_is_finished (((Run *) data)->server);
}

static gboolean
all_servers_released (gpointer unused)
{
  return postaci_scripted_server_count_alive () == 0;
}

static void
run_cb (GObject *object, GAsyncResult *result, gpointer user_data)
{
  ((Run *) user_data)->outcome = postaci_session_run_finish (POSTACI_SESSION (object), result);
}

/* One whole session; it must succeed, and the session must be gone afterwards. */
static void
run_session (GTlsCertificate *certificate)
{
  Run run = { 0 };
  g_autoptr(PostaciRequest) request = postaci_request_new ();
  PostaciSession *session;

  run.server =
    postaci_scripted_server_new (script, POSTACI_SCRIPTED_SERVER_PLAIN, certificate, "127.0.0.1");
  request->server = g_strdup ("localhost");
  request->port = postaci_scripted_server_get_port (run.server);
  request->security = POSTACI_SECURITY_STARTTLS;
  request->auth = TRUE;
  request->username = g_strdup ("ali");
  postaci_request_set_password (request, "gizli-şifre");
  request->ehlo_name = g_strdup ("client.example");
  request->from = g_strdup ("ali@example.com");
  postaci_request_add_recipients (request, "veli@example.com");
  request->subject = g_strdup ("Deneme ığüşöç");
  request->html = g_strdup ("<p>Merhaba dünya</p>");
  request->ca_file = g_build_filename (TEST_SRCDIR, "certs", "ca.pem", NULL);
  request->timeout_seconds = 20;

  session = postaci_session_new (request);
  g_object_add_weak_pointer (G_OBJECT (session), (gpointer *) &session);
  postaci_session_run_async (session, NULL, run_cb, &run);
  postaci_test_wait_until (outcome_ready, &run, 30000);
  postaci_test_wait_until (server_finished, &run, 10000);

  g_assert_cmpstr (postaci_scripted_server_get_error (run.server), ==, NULL);
  g_assert_cmpstr (postaci_verdict_to_string (run.outcome->verdict), ==,
                   postaci_verdict_to_string (POSTACI_VERDICT_SUCCESS));
  g_assert_true (run.outcome->tls_used);
  g_assert_true (run.outcome->authenticated);

  g_object_unref (session);
  g_assert_null (session);   /* nothing else kept the session alive */
  postaci_outcome_free (run.outcome);
  postaci_scripted_server_free (run.server);
  postaci_test_wait_until (all_servers_released, NULL, 10000);
}

/* Resident set in KiB, from /proc/self/statm (pages), after the allocator gave back what it can. */
static gsize
resident_kib (void)
{
  g_autofree char *statm = NULL;
  g_auto(GStrv) fields = NULL;

  malloc_trim (0);
  g_assert_true (g_file_get_contents ("/proc/self/statm", &statm, NULL, NULL));
  fields = g_strsplit (statm, " ", -1);
  g_assert_cmpuint (g_strv_length (fields), >=, 2);
  return (gsize) g_ascii_strtoull (fields[1], NULL, 10) * (gsize) sysconf (_SC_PAGESIZE) / 1024;
}

/* Bytes handed out by malloc and not freed, in KiB. */
static gsize
heap_in_use_kib (void)
{
  struct mallinfo2 info = mallinfo2 ();

  return info.uordblks / 1024;
}

static guint
open_descriptors (void)
{
  g_autoptr(GDir) dir = g_dir_open ("/proc/self/fd", 0, NULL);
  guint count = 0;

  g_assert_nonnull (dir);
  while (g_dir_read_name (dir) != NULL)
    count++;
  return count;   /* the GDir's own descriptor is counted every time alike */
}

static void
test_soak (void)
{
  g_autoptr(GTlsCertificate) certificate = postaci_test_load_certificate ("server");
  gsize rss_start, rss_end, heap_start, heap_end;
  guint fds_start, fds_end;

  for (guint i = 0; i < WARM_UP; i++)
    run_session (certificate);
  rss_start = resident_kib ();
  heap_start = heap_in_use_kib ();
  fds_start = open_descriptors ();

  for (guint i = WARM_UP; i < SESSIONS; i++)
    run_session (certificate);
  rss_end = resident_kib ();
  heap_end = heap_in_use_kib ();
  fds_end = open_descriptors ();

  g_test_message ("after %u sessions: %" G_GSIZE_FORMAT " KiB resident, %" G_GSIZE_FORMAT
                  " KiB heap, %u descriptors; after %u: %" G_GSIZE_FORMAT " KiB, %" G_GSIZE_FORMAT
                  " KiB, %u descriptors", WARM_UP, rss_start, heap_start, fds_start,
                  SESSIONS, rss_end, heap_end, fds_end);
  g_assert_cmpuint (fds_end, ==, fds_start);
  g_assert_cmpuint (heap_end, <=, heap_start + HEAP_ALLOWANCE_KIB);
  g_assert_cmpuint (rss_end, <=, rss_start + RSS_ALLOWANCE_KIB);
}

static void
drop_debug (const char *domain, GLogLevelFlags level, const char *message, gpointer unused)
{
}

int
main (int argc, char **argv)
{
  /* Before any thread exists: one arena, so that mallinfo2() counts every allocation. */
  mallopt (M_ARENA_MAX, 1);
  g_test_init (&argc, &argv, NULL);
  /* 500 runs of GIO's connection debug lines would bury the result in the test log. */
  g_log_set_handler ("GLib-GIO", G_LOG_LEVEL_DEBUG, drop_debug, NULL);
  g_test_add_func ("/postaci/soak/sessions-flat", test_soak);
  return g_test_run ();
}
