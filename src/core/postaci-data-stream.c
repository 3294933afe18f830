/* SPDX-License-Identifier: GPL-3.0-or-later */
/* postaci-data-stream.c — the DATA payload, composed chunk by chunk as the socket takes it. */
#define G_LOG_DOMAIN "postaci-data-stream"

#include "config.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>

#include <glib/gi18n-lib.h>

#include "postaci-data-stream.h"
#include "postaci-gmime.h"

/* How much of a body is read from its source per step. */
#define SOURCE_CHUNK (64 * 1024)

struct _PostaciDataStream
{
  GInputStream     parent_instance;
  GObject         *owner;
  GArray          *segments; /* PostaciSegment */
  PostaciWriteMode mode;

  guint        index;         /* the segment being written */
  guint64      offset;        /* in the current body's source */
  GMimeFilter *encoder;       /* quoted-printable or base64, for the current body: GMime's,
                               * which the message that made the segments opened */
  gboolean     lf_after_cr;   /* line ends to LF before quoted-printable: a CR just seen */
  gboolean     wire_after_cr; /* the wire's line ends: a CR just seen */
  gboolean     at_bol;        /* the wire: nothing written since the last line break */
  gboolean     done;

  char *scratch; /* SOURCE_CHUNK bytes */
  /* Staged for the wire and not yet written into a reader's buffer: a header's text, a chunk
   * of a body (or of its encoding), the closing dot. It is composed straight into the buffer
   * of each read, with no copy of its own. */
  const char *pending;
  gsize       pending_len;
  gboolean    pending_raw; /* the closing ".\r\n": no line ends to change, no dots */
  gboolean    advance;     /* once it is written, the next segment begins */
  char        spill[2];    /* a line break or doubled dot that a 1-byte read split */
  guint       spill_len;
};

G_DEFINE_FINAL_TYPE (PostaciDataStream, postaci_data_stream, G_TYPE_INPUT_STREAM)

static const char filler_line[] =
  "Postaci size test: ABCDEFGHIJKLMNOPQRSTUVWXYZ abcdefghijklmnopqrstuvwxyz 012";
G_STATIC_ASSERT (sizeof filler_line - 1 == 76);

gssize
postaci_body_source_read (const PostaciBodySource *source, guint64 offset, char *buffer,
                          gsize count, GError **error)
{
  gsize n;

  if (offset >= source->length)
    return 0;
  n = (gsize) MIN ((guint64) count, source->length - offset);

  switch (source->kind)
    {
    case POSTACI_SOURCE_MEMORY:
      memcpy (buffer, source->data + offset, n);
      return (gssize) n;

    case POSTACI_SOURCE_FILE:
      {
        gsize got = 0;

        while (got < n)
          {
            ssize_t r = pread (source->fd, buffer + got, n - got, (off_t) (offset + got));

            if (r < 0 && errno == EINTR)
              continue;
            if (r < 0)
              {
                int saved_errno = errno;
                g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                             /* Translators: a file being sent, then the system's reason */
                             _ ("Could not read “%s”: %s"), source->name, g_strerror (saved_errno));
                return -1;
              }
            if (r == 0)
              {
                /* Its size went into SIZE= and the choice of encoding: it must not change. */
                g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                             _ ("“%s” became shorter while it was being sent."), source->name);
                return -1;
              }
            got += (gsize) r;
          }
        return (gssize) n;
      }

    case POSTACI_SOURCE_FILLER:
      for (gsize i = 0; i < n; i++)
        {
          guint64 at = offset + i;
          guint64 line = at / 77;
          guint64 column = at % 77;

          if (line >= source->full_lines)
            buffer[i] = filler_line[(at - source->full_lines * 77) % 76];
          else
            buffer[i] = column == 76 ? '\n' : filler_line[column];
        }
      return (gssize) n;

    default:
      g_assert_not_reached ();
    }
}

/* Writes what is pending into @dst (at most @room bytes) with the wire's line ends: CRLF, a
 * bare CR and a bare LF each become one line break (a bare CR or LF reaching a server is how
 * "SMTP smuggling" works); in WIRE mode a dot that starts a line is doubled (RFC 5321 §4.5.2).
 * Stops where the next byte would not fit (a line break or a doubled dot takes two). Returns
 * the bytes written; *consumed, the pending bytes used (an LF after a CR writes nothing). */
static gsize
wire_into (PostaciDataStream *self, char *dst, gsize room, gsize *consumed)
{
  const char *in = self->pending;
  const char *end = in + self->pending_len;
  gboolean    crlf = self->mode != POSTACI_WRITE_LOCAL;
  gboolean    stuff = self->mode == POSTACI_WRITE_WIRE;
  char       *o = dst;
  char       *limit = dst + room;

  if (self->pending_raw)
    {
      gsize n = MIN (room, self->pending_len);

      memcpy (o, in, n);
      o += n;
      in += n;
    }
  while (!self->pending_raw && in < end && o < limit)
    {
      const char *stop;
      const char *cr;
      gsize       n;

      if (*in == '\n' || *in == '\r')
        {
          if (*in == '\n' && self->wire_after_cr)
            {
              /* the CR already made this line break */
              self->wire_after_cr = FALSE;
              in++;
              continue;
            }
          if (crlf && limit - o < 2)
            break;
          self->wire_after_cr = (*in == '\r');
          if (crlf)
            *o++ = '\r';
          *o++ = '\n';
          self->at_bol = TRUE;
          in++;
          continue;
        }
      self->wire_after_cr = FALSE;
      if (self->at_bol && *in == '.' && stuff)
        {
          if (limit - o < 2)
            break;
          *o++ = '.';
        }
      self->at_bol = FALSE;
      /* the rest of the line in one copy, as far as it fits */
      stop = memchr (in, '\n', end - in);
      if (stop == NULL)
        stop = end;
      cr = memchr (in, '\r', stop - in);
      if (cr != NULL)
        stop = cr;
      n = MIN ((gsize) (stop - in), (gsize) (limit - o));
      memcpy (o, in, n);
      o += n;
      in += n;
    }
  *consumed = in - self->pending;
  self->pending = in;
  self->pending_len = end - in;
  return o - dst;
}

/* Line ends to LF, in place, before quoted-printable (which would encode a CR as =0D). */
static gsize
normalise_to_lf (PostaciDataStream *self, char *buffer, gsize len)
{
  char *o = buffer;

  for (gsize i = 0; i < len; i++)
    {
      char c = buffer[i];

      if (c == '\n' && self->lf_after_cr)
        {
          self->lf_after_cr = FALSE;
          continue;
        }
      self->lf_after_cr = (c == '\r');
      *o++ = c == '\r' ? '\n' : c;
    }
  return o - buffer;
}

static void
begin_segment (PostaciDataStream *self)
{
  PostaciSegment *segment;

  /* A CR at the end of one segment is a whole line break: an LF after it starts another. */
  self->wire_after_cr = FALSE;
  self->lf_after_cr = FALSE;
  self->offset = 0;
  g_clear_object (&self->encoder);
  if (self->index >= self->segments->len)
    return;
  segment = &g_array_index (self->segments, PostaciSegment, self->index);
  if (segment->body == NULL)
    return;
  if (segment->encoding == POSTACI_BODY_QUOTED_PRINTABLE)
    self->encoder =
      postaci_gmime ()->filter_basic_new (GMIME_CONTENT_ENCODING_QUOTEDPRINTABLE, TRUE);
  else if (segment->encoding == POSTACI_BODY_BASE64)
    self->encoder = postaci_gmime ()->filter_basic_new (GMIME_CONTENT_ENCODING_BASE64, TRUE);
}

static void
set_pending (PostaciDataStream *self, const char *data, gsize len, gboolean advance)
{
  self->pending = data;
  self->pending_len = len;
  self->advance = advance;
}

/* Stages the next piece for the wire: a segment's text, or at most one source chunk of a
 * body, encoded. Called once the last piece is written. */
static gboolean
stage (PostaciDataStream *self, GError **error)
{
  PostaciSegment *segment;
  gssize          n;
  char           *encoded;
  gsize           encoded_len, prespace;

  if (self->advance)
    {
      /* Only now: the state of the line ends carries over to the end of what was written. */
      self->advance = FALSE;
      self->index++;
      begin_segment (self);
    }
  if (self->index >= self->segments->len)
    {
      /* Past the filters: the terminating dot is not stuffed. */
      if (self->mode == POSTACI_WRITE_WIRE)
        {
          set_pending (self, ".\r\n", 3, FALSE);
          self->pending_raw = TRUE;
        }
      self->done = TRUE;
      return TRUE;
    }

  segment = &g_array_index (self->segments, PostaciSegment, self->index);
  if (segment->body == NULL)
    {
      set_pending (self, segment->text, strlen (segment->text), TRUE);
      return TRUE;
    }

  n = postaci_body_source_read (segment->body, self->offset, self->scratch, SOURCE_CHUNK, error);
  if (n < 0)
    return FALSE;
  if (n == 0)
    {
      if (self->encoder != NULL)
        {
          postaci_gmime ()->filter_complete (self->encoder, self->scratch, 0, 0, &encoded,
                                             &encoded_len, &prespace);
          set_pending (self, encoded, encoded_len, TRUE);
        }
      else
        set_pending (self, NULL, 0, TRUE);
      return TRUE;
    }

  self->offset += (guint64) n;
  switch (segment->encoding)
    {
    case POSTACI_BODY_7BIT:
    case POSTACI_BODY_8BIT:
      set_pending (self, self->scratch, (gsize) n, FALSE);
      break;

    case POSTACI_BODY_QUOTED_PRINTABLE:
      n = (gssize) normalise_to_lf (self, self->scratch, (gsize) n);
      G_GNUC_FALLTHROUGH;
    case POSTACI_BODY_BASE64:
      /* GMime's buffer stays ours until the next call on this filter: after it is written. */
      postaci_gmime ()->filter_filter (self->encoder, self->scratch, (gsize) n, 0, &encoded,
                                       &encoded_len, &prespace);
      set_pending (self, encoded, encoded_len, FALSE);
      break;

    default:
      g_assert_not_reached ();
    }
  return TRUE;
}

static gssize
postaci_data_stream_read (GInputStream *stream, void *buffer, gsize count,
                          GCancellable *cancellable, GError **error)
{
  PostaciDataStream *self = POSTACI_DATA_STREAM (stream);
  char              *o = buffer;
  gsize              room = count;

  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return -1;

  if (self->spill_len > 0)
    {
      gsize n = MIN (room, self->spill_len);

      memcpy (o, self->spill, n);
      memmove (self->spill, self->spill + n, self->spill_len - n);
      self->spill_len -= (guint) n;
      o += n;
      room -= n;
    }
  /* Composed straight into @buffer, as much as this read asks for: memory stays at one
   * source chunk, and no byte is copied twice. */
  while (room > 0)
    {
      gsize written, consumed;

      if (self->pending_len == 0)
        {
          if (self->done)
            break;
          if (!stage (self, error))
            return -1;
          continue;
        }
      written = wire_into (self, o, room, &consumed);
      if (written == 0 && consumed == 0)
        break;
      o += written;
      room -= written;
    }
  /* A read of a single byte that met a line break: its second byte waits for the next read. */
  if (o == (char *) buffer && count > 0 && self->pending_len > 0)
    {
      gsize consumed;

      self->spill_len = (guint) wire_into (self, self->spill, sizeof self->spill, &consumed);
      *o++ = self->spill[0];
      memmove (self->spill, self->spill + 1, --self->spill_len);
    }
  return o - (char *) buffer;
}

/* The default read_async would hand every read to a thread: composing a chunk from a local
 * file takes microseconds, so it is done here and the task completes at once. */
static void
postaci_data_stream_read_async (GInputStream *stream, void *buffer, gsize count, int io_priority,
                                GCancellable *cancellable, GAsyncReadyCallback callback,
                                gpointer user_data)
{
  g_autoptr (GTask) task = g_task_new (stream, cancellable, callback, user_data);
  GError *error = NULL;
  gssize  n;

  g_task_set_source_tag (task, postaci_data_stream_read_async);
  g_task_set_priority (task, io_priority);
  n = postaci_data_stream_read (stream, buffer, count, cancellable, &error);
  if (n < 0)
    g_task_return_error (task, error);
  else
    g_task_return_int (task, n);
}

static gssize
postaci_data_stream_read_finish (GInputStream *stream, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, stream), -1);
  return g_task_propagate_int (G_TASK (result), error);
}

static void
clear_segment (gpointer data)
{
  PostaciSegment *segment = data;

  g_clear_pointer (&segment->text, g_free);
}

static void
postaci_data_stream_finalize (GObject *object)
{
  PostaciDataStream *self = POSTACI_DATA_STREAM (object);

  g_clear_object (&self->encoder);
  g_clear_pointer (&self->segments, g_array_unref);
  g_clear_pointer (&self->scratch, g_free);
  g_clear_object (&self->owner);
  G_OBJECT_CLASS (postaci_data_stream_parent_class)->finalize (object);
}

static void
postaci_data_stream_class_init (PostaciDataStreamClass *klass)
{
  GInputStreamClass *stream_class = G_INPUT_STREAM_CLASS (klass);

  G_OBJECT_CLASS (klass)->finalize = postaci_data_stream_finalize;
  stream_class->read_fn = postaci_data_stream_read;
  stream_class->read_async = postaci_data_stream_read_async;
  stream_class->read_finish = postaci_data_stream_read_finish;
}

static void
postaci_data_stream_init (PostaciDataStream *self)
{
  self->at_bol = TRUE;
}

GArray *
postaci_segments_new (void)
{
  GArray *segments = g_array_new (FALSE, TRUE, sizeof (PostaciSegment));

  g_array_set_clear_func (segments, clear_segment);
  return segments;
}

GInputStream *
postaci_data_stream_new (GObject *owner, GArray *segments, PostaciWriteMode mode)
{
  PostaciDataStream *self;

  g_return_val_if_fail (G_IS_OBJECT (owner), NULL);
  g_return_val_if_fail (segments != NULL, NULL);

  self = g_object_new (POSTACI_TYPE_DATA_STREAM, NULL);
  self->owner = g_object_ref (owner);
  self->segments = segments;
  g_array_set_clear_func (segments, clear_segment);
  self->mode = mode;
  self->scratch = g_malloc (SOURCE_CHUNK);
  begin_segment (self);
  return G_INPUT_STREAM (self);
}

gboolean
postaci_data_stream_measure (GObject *owner, GArray *segments, guint64 *size, GError **error)
{
  g_autoptr (GInputStream) stream = postaci_data_stream_new (owner, segments, POSTACI_WRITE_COUNT);
  g_autofree char *buffer = g_malloc (SOURCE_CHUNK);
  gssize           n;

  *size = 0;
  while ((n = postaci_data_stream_read (stream, buffer, SOURCE_CHUNK, NULL, error)) > 0)
    *size += (guint64) n;
  return n == 0;
}
