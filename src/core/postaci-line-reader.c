/* SPDX-License-Identifier: GPL-3.0-or-later */
/* postaci-line-reader.c — a bounded, asynchronous line reader.
 *
 * GDataInputStream's read_line has no limit: a server that never sends a
 * newline makes it grow without bound. This reader keeps at most twice the
 * cap in its buffer and fails with TOO_LONG once a line outgrows the cap.
 * A line ends at LF; a CR right before the LF is dropped. */
#define G_LOG_DOMAIN "postaci-line-reader"

#include "config.h"

#include <string.h>
#include <glib/gi18n-lib.h>

#include "postaci-line-reader.h"

struct _PostaciLineReader
{
  GObject               parent_instance;
  GBufferedInputStream *buffered;
  gsize                 max_line;
  gboolean              last_crlf; /* the last line handed out ended in CRLF */
};

G_DEFINE_TYPE (PostaciLineReader, postaci_line_reader, G_TYPE_OBJECT)
/* clang-format off */
G_DEFINE_QUARK (postaci-line-reader-error-quark, postaci_line_reader_error)
/* clang-format on */

static void
postaci_line_reader_finalize (GObject *object)
{
  PostaciLineReader *self = POSTACI_LINE_READER (object);

  g_clear_object (&self->buffered);
  G_OBJECT_CLASS (postaci_line_reader_parent_class)->finalize (object);
}

static void
postaci_line_reader_class_init (PostaciLineReaderClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = postaci_line_reader_finalize;
}

static void
postaci_line_reader_init (PostaciLineReader *self)
{
}

/**
 * postaci_line_reader_new:
 * @base: the stream to read from; the reader does not close it
 * @max_line: the longest line accepted, without its line end
 */
PostaciLineReader *
postaci_line_reader_new (GInputStream *base, gsize max_line)
{
  PostaciLineReader *self;

  g_return_val_if_fail (G_IS_INPUT_STREAM (base), NULL);
  g_return_val_if_fail (max_line > 0, NULL);

  self = g_object_new (POSTACI_TYPE_LINE_READER, NULL);
  self->max_line = max_line;
  self->buffered =
    G_BUFFERED_INPUT_STREAM (g_buffered_input_stream_new_sized (base, max_line * 2 + 2));
  g_filter_input_stream_set_close_base_stream (G_FILTER_INPUT_STREAM (self->buffered), FALSE);
  return self;
}

/* Bytes received but not yet handed out as lines. After the 220 to STARTTLS
 * this must be zero: anything else was injected before the handshake. */
gsize
postaci_line_reader_get_buffered (PostaciLineReader *self)
{
  g_return_val_if_fail (POSTACI_IS_LINE_READER (self), 0);
  return g_buffered_input_stream_get_available (self->buffered);
}

/* Whether the last line handed out ended in CRLF rather than a bare LF; a
 * server uses it to refuse bare LF line ends (RFC 5321 §2.3.8). */
gboolean
postaci_line_reader_get_last_crlf (PostaciLineReader *self)
{
  g_return_val_if_fail (POSTACI_IS_LINE_READER (self), FALSE);
  return self->last_crlf;
}

typedef struct
{
  char *line;
  gsize length;
} LineResult;

static void
line_result_free (gpointer data)
{
  LineResult *result = data;
  g_free (result->line);
  g_free (result);
}

/* Hands out one complete line if the buffer holds one. */
static gboolean
take_buffered_line (PostaciLineReader *self, GTask *task)
{
  gsize       available;
  const char *buffer = g_buffered_input_stream_peek_buffer (self->buffered, &available);
  const char *newline = memchr (buffer, '\n', MIN (available, self->max_line + 2));
  LineResult *result;
  gsize       consumed;

  if (newline == NULL)
    {
      if (available > self->max_line + 1)
        {
          g_task_return_new_error (
            task, POSTACI_LINE_READER_ERROR, POSTACI_LINE_READER_ERROR_TOO_LONG,
            _ ("The server sent a line longer than %zu bytes."), self->max_line);
          return TRUE;
        }
      return FALSE;
    }

  result = g_new0 (LineResult, 1);
  consumed = (gsize) (newline - buffer) + 1;
  result->length = consumed - 1;
  self->last_crlf = result->length > 0 && buffer[result->length - 1] == '\r';
  if (self->last_crlf)
    result->length--;
  if (result->length > self->max_line)
    {
      g_free (result);
      g_task_return_new_error (task, POSTACI_LINE_READER_ERROR, POSTACI_LINE_READER_ERROR_TOO_LONG,
                               _ ("The server sent a line longer than %zu bytes."), self->max_line);
      return TRUE;
    }
  /* Not g_strndup: it stops at a NUL, and the reply parser must see NULs to refuse them. */
  result->line = g_malloc (result->length + 1);
  memcpy (result->line, buffer, result->length);
  result->line[result->length] = '\0';
  /* The bytes are in the buffer already: this skip never waits on the network. */
  g_input_stream_skip (G_INPUT_STREAM (self->buffered), consumed, NULL, NULL);
  g_task_return_pointer (task, result, line_result_free);
  return TRUE;
}

static void
fill_cb (GObject *object, GAsyncResult *res, gpointer user_data)
{
  g_autoptr(GTask) task = user_data;
  PostaciLineReader *self = g_task_get_source_object (task);
  GCancellable      *cancellable;
  GError            *error = NULL;
  gssize             n;

  n = g_buffered_input_stream_fill_finish (self->buffered, res, &error);
  if (n < 0)
    {
      g_task_return_error (task, error);
      return;
    }
  if (take_buffered_line (self, task))
    return;
  if (n == 0)
    {
      if (g_buffered_input_stream_get_available (self->buffered) > 0)
        g_task_return_new_error (task, POSTACI_LINE_READER_ERROR, POSTACI_LINE_READER_ERROR_PARTIAL,
                                 _ ("The server closed the connection in the middle of a line."));
      else
        g_task_return_new_error (task, POSTACI_LINE_READER_ERROR, POSTACI_LINE_READER_ERROR_CLOSED,
                                 _ ("The server closed the connection."));
      return;
    }
  /* Not g_task_get_cancellable (task) among the arguments: they may be evaluated after
   * g_steal_pointer (&task), and a fill without the cancellable outlives every deadline. */
  cancellable = g_task_get_cancellable (task);
  g_buffered_input_stream_fill_async (self->buffered, -1, G_PRIORITY_DEFAULT, cancellable, fill_cb,
                                      g_steal_pointer (&task));
}

void
postaci_line_reader_read_line_async (PostaciLineReader *self, GCancellable *cancellable,
                                     GAsyncReadyCallback callback, gpointer user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (POSTACI_IS_LINE_READER (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, postaci_line_reader_read_line_async);

  if (take_buffered_line (self, task))
    return;
  g_buffered_input_stream_fill_async (self->buffered, -1, G_PRIORITY_DEFAULT, cancellable, fill_cb,
                                      g_steal_pointer (&task));
}

/**
 * postaci_line_reader_read_line_finish:
 * Returns: (transfer full): the line without its line end (it may hold NUL
 *   bytes: use @length), or %NULL with a #PostaciLineReaderError or a #GIOError.
 */
char *
postaci_line_reader_read_line_finish (PostaciLineReader *self, GAsyncResult *result, gsize *length,
                                      GError **error)
{
  LineResult *line;
  char       *text;

  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  line = g_task_propagate_pointer (G_TASK (result), error);
  if (line == NULL)
    return NULL;
  text = g_steal_pointer (&line->line);
  if (length != NULL)
    *length = line->length;
  line_result_free (line);
  return text;
}
