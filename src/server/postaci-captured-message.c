/* SPDX-License-Identifier: GPL-3.0-or-later */
/* postaci-captured-message.c — a received message: envelope, subject and size; the bytes stay
 * on disk. */
#define G_LOG_DOMAIN "postaci-local-server"

#include "config.h"

#include <string.h>
#include <sys/stat.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>

#include "postaci-captured-message.h"
#include "postaci-gmime.h"

struct _PostaciCapturedMessage
{
  GObject parent_instance;

  char      *from;
  GStrv      recipients;
  char      *subject;
  gsize      size;
  char      *path;
  GDateTime *received;
  gboolean   tls;
  gboolean   authenticated;
};

G_DEFINE_TYPE (PostaciCapturedMessage, postaci_captured_message, G_TYPE_OBJECT)

static void
postaci_captured_message_finalize (GObject *object)
{
  PostaciCapturedMessage *self = POSTACI_CAPTURED_MESSAGE (object);

  g_free (self->from);
  g_strfreev (self->recipients);
  g_free (self->subject);
  g_free (self->path);
  g_clear_pointer (&self->received, g_date_time_unref);
  G_OBJECT_CLASS (postaci_captured_message_parent_class)->finalize (object);
}

static void
postaci_captured_message_class_init (PostaciCapturedMessageClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = postaci_captured_message_finalize;
}

static void
postaci_captured_message_init (PostaciCapturedMessage *self)
{
}

/* The header block: up to and with the empty line that ends it, or (without one in reach) the
 * first @limit bytes. A message's body can be 25 MiB of nested MIME parts; the subject never
 * needs it, and this runs on the server's main loop. */
static gsize
header_block_length (const char *data, gsize size, gsize limit)
{
  if (size > limit)
    size = limit;
  if (size >= 2 && memcmp (data, "\r\n", 2) == 0)
    return 2;
  for (const char *p = data; (p = memchr (p, '\r', size - (gsize) (p - data))) != NULL; p++)
    if (size - (gsize) (p - data) >= 4 && memcmp (p, "\r\n\r\n", 4) == 0)
      return (gsize) (p - data) + 4;
  return size;
}

/* GMime decodes RFC 2047 words; what a client sent need not be valid UTF-8,
 * so the result is made valid before anyone shows it. */
static char *
read_subject (GBytes *raw)
{
  const PostaciGMime *gmime = postaci_gmime_open (NULL);
  GMimeStream        *stream;
  GMimeParser        *parser;
  GMimeMessage       *message;
  const char         *subject;
  char               *result;
  gsize               size;
  const char         *data = g_bytes_get_data (raw, &size);

  /* Without GMime the list shows no subject; the message is kept, and opening it tells why. */
  if (gmime == NULL)
    return g_strdup ("");
  /* GMime 3.2 has no autoptr cleanups: explicit unrefs. */
  size = header_block_length (data, size, POSTACI_CAPTURED_MESSAGE_MAX_HEADER);
  stream = gmime->stream_mem_new_with_buffer (data, size);
  parser = gmime->parser_new_with_stream (stream);
  message = gmime->parser_construct_message (parser, NULL);
  subject = message != NULL ? gmime->message_get_subject (message) : NULL;
  result = g_utf8_make_valid (subject != NULL ? subject : "", -1);
  g_clear_object (&message);
  g_object_unref (parser);
  g_object_unref (stream);
  return result;
}

PostaciCapturedMessage *
postaci_captured_message_new (const char *from, const char *const *recipients, GBytes *raw,
                              const char *path, GDateTime *received, gboolean tls,
                              gboolean authenticated)
{
  PostaciCapturedMessage *self;

  g_return_val_if_fail (from != NULL, NULL);
  g_return_val_if_fail (recipients != NULL, NULL);
  g_return_val_if_fail (raw != NULL, NULL);
  g_return_val_if_fail (received != NULL, NULL);

  self = g_object_new (POSTACI_TYPE_CAPTURED_MESSAGE, NULL);
  self->from = g_strdup (from);
  self->recipients = g_strdupv ((char **) recipients);
  self->size = g_bytes_get_size (raw);
  self->path = g_strdup (path);
  self->received = g_date_time_ref (received);
  self->tls = tls;
  self->authenticated = authenticated;
  self->subject = read_subject (raw);
  return self;
}

const char *
postaci_captured_message_get_from (PostaciCapturedMessage *self)
{
  g_return_val_if_fail (POSTACI_IS_CAPTURED_MESSAGE (self), NULL);
  return self->from;
}

const char *const *
postaci_captured_message_get_recipients (PostaciCapturedMessage *self)
{
  g_return_val_if_fail (POSTACI_IS_CAPTURED_MESSAGE (self), NULL);
  return (const char *const *) self->recipients;
}

const char *
postaci_captured_message_get_subject (PostaciCapturedMessage *self)
{
  g_return_val_if_fail (POSTACI_IS_CAPTURED_MESSAGE (self), NULL);
  return self->subject;
}

gsize
postaci_captured_message_get_size (PostaciCapturedMessage *self)
{
  g_return_val_if_fail (POSTACI_IS_CAPTURED_MESSAGE (self), 0);
  return self->size;
}

GDateTime *
postaci_captured_message_get_received_time (PostaciCapturedMessage *self)
{
  g_return_val_if_fail (POSTACI_IS_CAPTURED_MESSAGE (self), NULL);
  return self->received;
}

const char *
postaci_captured_message_get_path (PostaciCapturedMessage *self)
{
  g_return_val_if_fail (POSTACI_IS_CAPTURED_MESSAGE (self), NULL);
  return self->path;
}

GBytes *
postaci_captured_message_read (PostaciCapturedMessage *self, GError **error)
{
  g_autofree char *contents = NULL;
  gsize            length = 0;
  struct stat      st;

  g_return_val_if_fail (POSTACI_IS_CAPTURED_MESSAGE (self), NULL);

  /* The file is ours (0600, in a folder of ours); still, only a regular file of a sane size is
   * read, never a FIFO or a device someone put in its place. */
  if (self->path == NULL || g_lstat (self->path, &st) != 0 || !S_ISREG (st.st_mode) ||
      (guint64) st.st_size > POSTACI_CAPTURED_MESSAGE_MAX_FILE)
    {
      g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_NOENT,
                   _ ("The message file “%s” is gone or is not a regular file."),
                   self->path != NULL ? self->path : "");
      return NULL;
    }
  if (!g_file_get_contents (self->path, &contents, &length, error))
    return NULL;
  return g_bytes_new_take (g_steal_pointer (&contents), length);
}

gboolean
postaci_captured_message_get_tls (PostaciCapturedMessage *self)
{
  g_return_val_if_fail (POSTACI_IS_CAPTURED_MESSAGE (self), FALSE);
  return self->tls;
}

gboolean
postaci_captured_message_get_authenticated (PostaciCapturedMessage *self)
{
  g_return_val_if_fail (POSTACI_IS_CAPTURED_MESSAGE (self), FALSE);
  return self->authenticated;
}

/* The first plain and the first HTML part that are not attachments. */
typedef struct
{
  char *text;
  char *html;
} Bodies;

static void
find_bodies_cb (GMimeObject *parent, GMimeObject *part, gpointer user_data)
{
  const PostaciGMime *gmime = postaci_gmime ();
  Bodies             *bodies = user_data;
  GMimeContentType   *type;
  char              **slot = NULL;
  g_autofree char    *text = NULL;

  if (!POSTACI_GMIME_IS_TEXT_PART (gmime, part) ||
      gmime->part_is_attachment (POSTACI_GMIME_PART (gmime, part)))
    return;
  type = gmime->object_get_content_type (part);
  if (gmime->content_type_is_type (type, "text", "plain"))
    slot = &bodies->text;
  else if (gmime->content_type_is_type (type, "text", "html"))
    slot = &bodies->html;
  if (slot == NULL || *slot != NULL)
    return;
  /* Transfer encoding and charset undone; what a client sent need not be valid UTF-8. */
  text = gmime->text_part_get_text (POSTACI_GMIME_TEXT_PART (gmime, part));
  *slot = g_utf8_make_valid (text != NULL ? text : "", -1);
}

static gboolean
read_bodies (GBytes *raw, Bodies *bodies, GError **error)
{
  const PostaciGMime *gmime = postaci_gmime_open (error);
  gsize               size;
  const guint8       *data = g_bytes_get_data (raw, &size);
  GMimeStream        *stream;
  GMimeParser        *parser;
  GMimeMessage       *message;

  if (gmime == NULL)
    return FALSE;
  /* GMime 3.2 has no autoptr cleanups: explicit unrefs. */
  stream = gmime->stream_mem_new_with_buffer ((const char *) data, size);
  parser = gmime->parser_new_with_stream (stream);
  message = gmime->parser_construct_message (parser, NULL);
  if (message != NULL)
    gmime->message_foreach (message, find_bodies_cb, bodies);
  g_clear_object (&message);
  g_object_unref (parser);
  g_object_unref (stream);
  return TRUE;
}

/* The header block exactly as received (up to the empty line), with LF line ends for the view. */
static char *
read_headers (GBytes *raw)
{
  gsize            size;
  const char      *data = g_bytes_get_data (raw, &size);
  const char      *end = g_strstr_len (data, size, "\r\n\r\n");
  g_autofree char *valid = g_utf8_make_valid (data, end != NULL ? end - data + 2 : (gssize) size);
  GString         *headers = g_string_sized_new (strlen (valid));

  for (const char *p = valid; *p != '\0'; p++)
    if (!(p[0] == '\r' && p[1] == '\n'))
      g_string_append_c (headers, *p);
  return g_string_free (headers, FALSE);
}

gboolean
postaci_captured_message_read_parts (PostaciCapturedMessage *self, char **headers, char **text,
                                     char **html, GError **error)
{
  g_autoptr(GBytes) raw = NULL;
  Bodies bodies = { NULL, NULL };

  g_return_val_if_fail (POSTACI_IS_CAPTURED_MESSAGE (self), FALSE);

  raw = postaci_captured_message_read (self, error);
  if (raw == NULL || !read_bodies (raw, &bodies, error))
    return FALSE;
  if (headers != NULL)
    *headers = read_headers (raw);
  if (text != NULL)
    *text = g_steal_pointer (&bodies.text);
  if (html != NULL)
    *html = g_steal_pointer (&bodies.html);
  g_free (bodies.text);
  g_free (bodies.html);
  return TRUE;
}
