/* fuzz-line-reader.c — libFuzzer target: the bounded line reader over a stream from memory.
 *
 * The first input byte picks the cap (1…256 bytes, so that the cap and the buffer edges are hit
 * often), the second how many bytes a read returns at most (1…256, so lines arrive in pieces
 * as from a network); the rest is the stream. Every line handed out must respect the cap and be exactly
 * the bytes before its LF (minus one CR); the reader must end with CLOSED, PARTIAL or TOO_LONG. */
#include "config.h"

#include <string.h>

#include "postaci-line-reader.h"
#include "fuzz-chunked-stream.h"
#include "fuzz-common.h"

int LLVMFuzzerInitialize (int *argc, char ***argv);
int LLVMFuzzerTestOneInput (const guint8 *data, size_t size);

typedef struct {
  PostaciLineReader *reader;
  const char        *input;     /* what the lines must match */
  gsize              size;
  gsize              position;  /* input consumed so far */
  gsize              max_line;
  gboolean           done;
} Run;

int
LLVMFuzzerInitialize (int *argc, char ***argv)
{
  postaci_fuzz_init ();
  return 0;
}

static void read_line_cb (GObject *object, GAsyncResult *result, gpointer user_data);

static void
check_line (Run *run, const char *line, gsize length)
{
  const char *rest = run->input + run->position;
  const char *newline = memchr (rest, '\n', run->size - run->position);
  gsize expected;

  g_assert (newline != NULL);
  expected = (gsize) (newline - rest);
  if (expected > 0 && rest[expected - 1] == '\r')
    expected--;
  g_assert (length == expected);
  g_assert (length <= run->max_line);
  g_assert (line[length] == '\0');
  g_assert (memcmp (line, rest, length) == 0);
  run->position += (gsize) (newline - rest) + 1;
}

static void
read_line_cb (GObject *object, GAsyncResult *result, gpointer user_data)
{
  Run *run = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *line = NULL;
  gsize length = 0;

  line = postaci_line_reader_read_line_finish (run->reader, result, &length, &error);
  if (line == NULL)
    {
      g_assert (error != NULL && error->domain == POSTACI_LINE_READER_ERROR);
      if (error->code == POSTACI_LINE_READER_ERROR_CLOSED)
        g_assert (run->position == run->size);
      else if (error->code == POSTACI_LINE_READER_ERROR_PARTIAL)
        g_assert (run->position < run->size &&
                  memchr (run->input + run->position, '\n', run->size - run->position) == NULL);
      run->done = TRUE;
      return;
    }
  check_line (run, line, length);
  postaci_line_reader_read_line_async (run->reader, NULL, read_line_cb, run);
}

int
LLVMFuzzerTestOneInput (const guint8 *data, size_t size)
{
  g_autoptr(GInputStream) memory = NULL;
  Run run = { 0 };

  if (size < 2)
    return 0;
  run.max_line = (gsize) data[0] + 1;
  run.input = (const char *) data + 2;
  run.size = size - 2;
  memory = postaci_fuzz_chunked_stream_new ((const guint8 *) run.input, run.size, (gsize) data[1] + 1);
  run.reader = postaci_line_reader_new (memory, run.max_line);
  postaci_line_reader_read_line_async (run.reader, NULL, read_line_cb, &run);
  postaci_fuzz_iterate_until (&run.done);
  g_clear_object (&run.reader);
  return 0;
}
