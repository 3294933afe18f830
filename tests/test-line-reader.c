/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-line-reader.c — the bounded asynchronous line reader, fed from memory. */
#include "config.h"

#include <string.h>
#include <unistd.h>
#include <glib-unix.h>
#include <gio/gunixinputstream.h>

#include "postaci-line-reader.h"

typedef struct {
  GMainLoop *loop;
  char      *line;
  gsize      length;
  GError    *error;
} ReadResult;

static void
read_cb (GObject *object, GAsyncResult *res, gpointer user_data)
{
  ReadResult *result = user_data;

  result->line = postaci_line_reader_read_line_finish (POSTACI_LINE_READER (object), res,
                                                       &result->length, &result->error);
  g_main_loop_quit (result->loop);
}

static char *
read_line (PostaciLineReader *reader, gsize *length, GError **error)
{
  ReadResult result = { 0 };

  result.loop = g_main_loop_new (NULL, FALSE);
  postaci_line_reader_read_line_async (reader, NULL, read_cb, &result);
  g_main_loop_run (result.loop);
  g_main_loop_unref (result.loop);
  if (length != NULL)
    *length = result.length;
  if (result.error != NULL)
    g_propagate_error (error, result.error);
  return result.line;
}

static PostaciLineReader *
reader_for (const char *data, gsize length, gsize max_line)
{
  g_autoptr(GInputStream) base = g_memory_input_stream_new_from_data (g_memdup2 (data, length),
                                                                      (gssize) length, g_free);
  return postaci_line_reader_new (base, max_line);
}

static void
test_crlf_and_lf (void)
{
  static const char data[] = "220 hello\r\n250 bare lf\n\r\nlast";
  g_autoptr(PostaciLineReader) reader = reader_for (data, strlen (data), 64);
  g_autoptr(GError) error = NULL;
  g_autofree char *a = read_line (reader, NULL, &error);
  gboolean a_crlf = postaci_line_reader_get_last_crlf (reader);
  g_autofree char *b = read_line (reader, NULL, &error);
  gboolean b_crlf = postaci_line_reader_get_last_crlf (reader);
  g_autofree char *c = read_line (reader, NULL, &error);
  gboolean c_crlf = postaci_line_reader_get_last_crlf (reader);
  g_autofree char *d = NULL;

  g_assert_no_error (error);
  /* The server side tells them apart: a bare LF is refused there. */
  g_assert_true (a_crlf);
  g_assert_false (b_crlf);
  g_assert_true (c_crlf);
  g_assert_cmpstr (a, ==, "220 hello");
  g_assert_cmpstr (b, ==, "250 bare lf");
  g_assert_cmpstr (c, ==, "");
  d = read_line (reader, NULL, &error);
  g_assert_null (d);
  g_assert_error (error, POSTACI_LINE_READER_ERROR, POSTACI_LINE_READER_ERROR_PARTIAL);
}

static void
test_closed (void)
{
  g_autoptr(PostaciLineReader) reader = reader_for ("", 0, 64);
  g_autoptr(GError) error = NULL;
  g_autofree char *line = read_line (reader, NULL, &error);

  g_assert_null (line);
  g_assert_error (error, POSTACI_LINE_READER_ERROR, POSTACI_LINE_READER_ERROR_CLOSED);
}

static void
test_nul_kept (void)
{
  static const char data[] = "250 a\0b\r\n";
  g_autoptr(PostaciLineReader) reader = reader_for (data, sizeof data - 1, 64);
  gsize length = 0;
  g_autofree char *line = read_line (reader, &length, NULL);

  g_assert_cmpuint (length, ==, 7);
  g_assert_cmpmem (line, length, "250 a\0b", 7);
}

static void
test_exact_cap (void)
{
  g_autofree char *data = g_strnfill (64, 'x');
  g_autofree char *with_end = g_strconcat (data, "\r\n", data, "y\r\n", NULL);
  g_autoptr(PostaciLineReader) reader = reader_for (with_end, strlen (with_end), 64);
  g_autoptr(GError) error = NULL;
  g_autofree char *first = read_line (reader, NULL, &error);
  g_autofree char *second = NULL;

  g_assert_no_error (error);
  g_assert_cmpuint (strlen (first), ==, 64);
  second = read_line (reader, NULL, &error);
  g_assert_null (second);
  g_assert_error (error, POSTACI_LINE_READER_ERROR, POSTACI_LINE_READER_ERROR_TOO_LONG);
}

/* A megabyte without a newline fails once the cap is passed, without reading it all. */
static void
test_endless_line (void)
{
  gsize size = 1024 * 1024;
  g_autofree char *data = g_malloc (size);
  g_autoptr(PostaciLineReader) reader = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *line = NULL;

  memset (data, 'A', size);
  reader = reader_for (data, size, 4096);
  line = read_line (reader, NULL, &error);
  g_assert_null (line);
  g_assert_error (error, POSTACI_LINE_READER_ERROR, POSTACI_LINE_READER_ERROR_TOO_LONG);
  g_assert_cmpuint (postaci_line_reader_get_buffered (reader), <=, 4096 * 2 + 2);
}

static void
test_buffered (void)
{
  static const char data[] = "220 go ahead\r\ninjected\r\n";
  g_autoptr(PostaciLineReader) reader = reader_for (data, strlen (data), 64);
  g_autofree char *line = read_line (reader, NULL, NULL);

  g_assert_cmpstr (line, ==, "220 go ahead");
  g_assert_cmpuint (postaci_line_reader_get_buffered (reader), ==, strlen ("injected\r\n"));
}

typedef struct {
  gboolean  done;
  char     *line;
  GError   *error;
} Pending;

static void
pending_cb (GObject *object, GAsyncResult *res, gpointer user_data)
{
  Pending *pending = user_data;

  pending->line = postaci_line_reader_read_line_finish (POSTACI_LINE_READER (object), res, NULL,
                                                        &pending->error);
  pending->done = TRUE;
}

/* A line that arrives in two pieces: the wait for the second piece must still answer to the
 * cancellable (the session's deadline), or a server that stops mid-line holds the run forever. */
static void
test_cancel_mid_line (void)
{
  int fds[2];
  g_autoptr(GInputStream) base = NULL;
  g_autoptr(PostaciLineReader) reader = NULL;
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GError) error = NULL;
  Pending pending = { 0 };

  g_assert_true (g_unix_open_pipe (fds, FD_CLOEXEC, &error));
  g_assert_no_error (error);
  base = g_unix_input_stream_new (fds[0], TRUE);
  reader = postaci_line_reader_new (base, 64);
  g_assert_cmpint (write (fds[1], "250 par", 7), ==, 7);

  postaci_line_reader_read_line_async (reader, cancellable, pending_cb, &pending);
  /* The first piece is read, and the reader waits for the rest. */
  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_assert_false (pending.done);
  g_assert_cmpuint (postaci_line_reader_get_buffered (reader), ==, 7);

  g_cancellable_cancel (cancellable);
  while (!pending.done)
    g_main_context_iteration (NULL, TRUE);
  g_assert_null (pending.line);
  g_assert_error (pending.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_error (&pending.error);
  close (fds[1]);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/postaci/line-reader/crlf-and-lf", test_crlf_and_lf);
  g_test_add_func ("/postaci/line-reader/closed", test_closed);
  g_test_add_func ("/postaci/line-reader/nul-kept", test_nul_kept);
  g_test_add_func ("/postaci/line-reader/exact-cap", test_exact_cap);
  g_test_add_func ("/postaci/line-reader/endless-line", test_endless_line);
  g_test_add_func ("/postaci/line-reader/buffered", test_buffered);
  g_test_add_func ("/postaci/line-reader/cancel-mid-line", test_cancel_mid_line);
  return g_test_run ();
}
