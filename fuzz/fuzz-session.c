/* fuzz-session.c — libFuzzer target: a whole PostaciSession against a server made of bytes.
 *
 * The input is everything the server says, read from memory in pieces (a read returns at most
 * 1 + size mod 509 bytes, so the fuzzer moves the read boundaries by changing the length); what
 * the client says goes to a GMemoryOutputStream. The session is the real one (security none, AUTH allowed
 * in plain text so that every SASL mechanism the server may offer is reachable) and runs to its
 * outcome on the main context. Beyond "no crash, no leak, no warning" it checks what must hold
 * whatever the server says: there is an outcome with a reason, the password never reaches the
 * transcript, and every client command is one CRLF-terminated line without NUL. */
#define _GNU_SOURCE /* memmem */
#include "config.h"

#include <string.h>

#include "postaci-session.h"
#include "postaci-session-private.h"
#include "postaci-transcript.h"
#include "fuzz-chunked-stream.h"
#include "fuzz-common.h"

#define PASSWORD "fuzz-gizli-şifre"

int LLVMFuzzerInitialize (int *argc, char ***argv);
int LLVMFuzzerTestOneInput (const guint8 *data, size_t size);

static PostaciRequest *request;
static char *password_b64;
static char *plain_b64;   /* the whole PLAIN initial response: "\0ali\0" PASSWORD */

typedef struct {
  PostaciOutcome *outcome;
  GString        *transcript;
  gboolean        done;
} Run;

int
LLVMFuzzerInitialize (int *argc, char ***argv)
{
  postaci_fuzz_init ();

  request = postaci_request_new ();
  request->server = g_strdup ("mx.fuzz.test");
  request->port = 25;
  request->security = POSTACI_SECURITY_NONE;
  request->auth = TRUE;
  request->allow_plain_auth = TRUE;
  request->username = g_strdup ("ali");
  postaci_request_set_password (request, PASSWORD);
  request->ehlo_name = g_strdup ("client.example");
  request->from = g_strdup ("ali@example.com");
  postaci_request_add_recipients (request, "veli@example.com, ayse@örnek.com.tr");
  request->subject = g_strdup ("Deneme ığüşöç");
  request->html = g_strdup ("<p>Merhaba dünya</p>\n.\n<p>Bitti</p>");
  request->timeout_seconds = 5;
  password_b64 = g_base64_encode ((const guchar *) PASSWORD, strlen (PASSWORD));
  plain_b64 = g_base64_encode ((const guchar *) "\0ali\0" PASSWORD, sizeof "\0ali\0" PASSWORD - 1);
  return 0;
}

static void
event_cb (PostaciSession *session, const PostaciEvent *event, gpointer user_data)
{
  Run *run = user_data;
  g_autofree char *line = postaci_transcript_format_event (event, POSTACI_TRANSCRIPT_JSONL);

  g_string_append (run->transcript, line);
  g_string_append (run->transcript, event->text ? event->text : "");
}

static void
run_cb (GObject *object, GAsyncResult *result, gpointer user_data)
{
  Run *run = user_data;

  run->outcome = postaci_session_run_finish (POSTACI_SESSION (object), result);
  run->done = TRUE;
}

static gboolean
server_said (const guint8 *data, size_t size, const char *secret)
{
  return memmem (data, size, secret, strlen (secret)) != NULL;
}

/* Commands are lines; the message between "DATA" and the final dot is checked by the
 * message tests. Here: every command line ends in CRLF and holds no NUL, CR or LF. */
static void
check_client_bytes (GMemoryOutputStream *sent)
{
  const char *p = g_memory_output_stream_get_data (sent);
  gsize size = g_memory_output_stream_get_data_size (sent);
  const char *end;
  gboolean in_data = FALSE;

  if (size == 0)
    return;
  end = p + size;

  while (p < end)
    {
      const char *newline = memchr (p, '\n', (size_t) (end - p));
      gsize length;

      g_assert (newline != NULL && newline > p && newline[-1] == '\r');
      length = (gsize) (newline - p) - 1;
      if (!in_data)
        {
          g_assert (memchr (p, '\0', length) == NULL && memchr (p, '\r', length) == NULL);
          if (length == 4 && memcmp (p, "DATA", 4) == 0)
            in_data = TRUE;
        }
      else if (length == 1 && p[0] == '.')
        in_data = FALSE;
      p = newline + 1;
    }
}

int
LLVMFuzzerTestOneInput (const guint8 *data, size_t size)
{
  g_autoptr(GInputStream) server_says = postaci_fuzz_chunked_stream_new (data, size, 1 + size % 509);
  g_autoptr(GOutputStream) client_says = g_memory_output_stream_new_resizable ();
  g_autoptr(GIOStream) stream = g_simple_io_stream_new (server_says, client_says);
  g_autoptr(PostaciSession) session = postaci_session_new (request);
  Run run = { 0 };

  run.transcript = g_string_new (NULL);
  g_signal_connect (session, "event", G_CALLBACK (event_cb), &run);
  postaci_session_set_stream_for_testing (session, stream);
  postaci_session_run_async (session, NULL, run_cb, &run);
  postaci_fuzz_iterate_until (&run.done);

  g_assert (run.outcome != NULL && run.outcome->reason != NULL);
  /* To see what a crashing or interesting input does: POSTACI_FUZZ_VERBOSE=1 ./fuzz-session FILE */
  if (g_getenv ("POSTACI_FUZZ_VERBOSE") != NULL)
    {
      g_autofree char *text = postaci_transcript_format_run (postaci_session_get_events (session),
                                                             run.outcome, POSTACI_TRANSCRIPT_TEXT);
      g_printerr ("%s\n", text);
    }
  /* The transcript shows what the server said, so a server that says the secret is seen
   * saying it; the client side must never be its source. */
  if (!server_said (data, size, PASSWORD))
    g_assert (strstr (run.transcript->str, PASSWORD) == NULL);
  if (!server_said (data, size, password_b64))
    g_assert (strstr (run.transcript->str, password_b64) == NULL);
  if (!server_said (data, size, plain_b64))
    g_assert (strstr (run.transcript->str, plain_b64) == NULL);
  check_client_bytes (G_MEMORY_OUTPUT_STREAM (client_says));

  postaci_outcome_free (run.outcome);
  g_string_free (run.transcript, TRUE);
  return 0;
}
