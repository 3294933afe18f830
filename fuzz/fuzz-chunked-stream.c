/* fuzz-chunked-stream.c — an input stream over memory that hands out at most N bytes a read.
 *
 * GMemoryInputStream gives a reader everything it asks for at once, so a line never spans two
 * reads; a network does that all the time. This stream makes the fuzzer decide where reads end. */
#include "config.h"

#include <string.h>

#include "fuzz-chunked-stream.h"

struct _PostaciFuzzChunkedStream {
  GInputStream  parent_instance;
  const guint8 *data;
  gsize         size;
  gsize         position;
  gsize         chunk;
};

G_DEFINE_FINAL_TYPE (PostaciFuzzChunkedStream, postaci_fuzz_chunked_stream, G_TYPE_INPUT_STREAM)

static gssize
chunked_read (GInputStream *stream, void *buffer, gsize count, GCancellable *cancellable,
              GError **error)
{
  PostaciFuzzChunkedStream *self = POSTACI_FUZZ_CHUNKED_STREAM (stream);
  gsize n = MIN (MIN (count, self->chunk), self->size - self->position);

  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return -1;
  if (n > 0)
    memcpy (buffer, self->data + self->position, n);
  self->position += n;
  return (gssize) n;
}

/* Completes through the GTask, which defers the callback to the main context: no threads. */
static void
chunked_read_async (GInputStream *stream, void *buffer, gsize count, int io_priority,
                    GCancellable *cancellable, GAsyncReadyCallback callback, gpointer user_data)
{
  g_autoptr(GTask) task = g_task_new (stream, cancellable, callback, user_data);
  GError *error = NULL;
  gssize n = chunked_read (stream, buffer, count, cancellable, &error);

  if (n < 0)
    g_task_return_error (task, error);
  else
    g_task_return_int (task, n);
}

static gssize
chunked_read_finish (GInputStream *stream, GAsyncResult *result, GError **error)
{
  return g_task_propagate_int (G_TASK (result), error);
}

static void
postaci_fuzz_chunked_stream_class_init (PostaciFuzzChunkedStreamClass *klass)
{
  GInputStreamClass *stream_class = G_INPUT_STREAM_CLASS (klass);

  stream_class->read_fn = chunked_read;
  stream_class->read_async = chunked_read_async;
  stream_class->read_finish = chunked_read_finish;
}

static void
postaci_fuzz_chunked_stream_init (PostaciFuzzChunkedStream *self)
{
}

GInputStream *
postaci_fuzz_chunked_stream_new (const guint8 *data, gsize size, gsize chunk)
{
  PostaciFuzzChunkedStream *self = g_object_new (POSTACI_TYPE_FUZZ_CHUNKED_STREAM, NULL);

  g_return_val_if_fail (chunk > 0, NULL);
  self->data = data;
  self->size = size;
  self->chunk = chunk;
  return G_INPUT_STREAM (self);
}
