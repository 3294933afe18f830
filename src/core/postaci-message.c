/* SPDX-License-Identifier: GPL-3.0-or-later */
/* postaci-message.c — the test message: headers through GMime, bodies planned to stream. Each
 * body is read and checked once first, in postaci-message-body.c. */
#define G_LOG_DOMAIN "postaci-message"

#include "config.h"

#include <inttypes.h>
#include <string.h>
#include <unistd.h>

#include <glib/gi18n-lib.h>

#include "postaci-data-stream.h"
#include "postaci-gmime.h"
#include "postaci-message.h"
#include "postaci-message-body-private.h"

/* Used when the sender's domain cannot appear in a Message-ID (RFC 2606 reserves it). */
#define FALLBACK_MESSAGE_ID_DOMAIN "postaci.invalid"
/* RFC 5322 §2.1.1 and RFC 6152 §3: a line of 8bit data is at most 998 octets before CRLF. */
#define MAX_LINE 998
/* Base64 as GMime writes it: lines of 76 characters, 57 bytes each. */
#define BASE64_LINE 76

/*
 * Memory: a body given as text (the form's buffer) is read in place from the request, which
 * the session keeps; a file is opened once and read at offsets; the text derived from the HTML
 * goes to an unlinked temporary file when it is large. No body is copied whole.
 */
struct _PostaciMessage
{
  GObject         parent_instance;
  GMimeMessage   *mime;
  GMimeMultipart *mixed; /* attachments or a size test; NULL otherwise */
  GMimeMultipart *alternative;
  char           *message_id; /* without angle brackets, like GMime's own accessor */
  GPtrArray      *parts;      /* Part *: text, HTML, then attachments and the filler */
  guint64         size_goal;  /* 0, or the exact size the message must have */
  gboolean        eight_bit;
};

G_DEFINE_FINAL_TYPE (PostaciMessage, postaci_message, G_TYPE_OBJECT)

static void
part_free (gpointer data)
{
  Part *part = data;

  g_clear_object (&part->mime);
  if (part->source.kind == POSTACI_SOURCE_FILE && part->source.fd >= 0)
    close (part->source.fd);
  g_free (part->source.name);
  g_free (part->owned);
  g_free (part);
}

static Part *
part_new (PartKind kind)
{
  Part *part = g_new0 (Part, 1);

  part->kind = kind;
  part->source.fd = -1;
  part->source.kind = POSTACI_SOURCE_MEMORY;
  part->source.data = "";
  return part;
}

static void
postaci_message_finalize (GObject *object)
{
  PostaciMessage *self = POSTACI_MESSAGE (object);

  g_clear_pointer (&self->parts, g_ptr_array_unref);
  g_clear_object (&self->alternative);
  g_clear_object (&self->mixed);
  g_clear_object (&self->mime);
  g_clear_pointer (&self->message_id, g_free);
  G_OBJECT_CLASS (postaci_message_parent_class)->finalize (object);
}

static void
postaci_message_class_init (PostaciMessageClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = postaci_message_finalize;
}

static void
postaci_message_init (PostaciMessage *self)
{
  self->parts = g_ptr_array_new_with_free_func (part_free);
}

/* ------------------------------------------------------------------ */
/* Building                                                            */

static gboolean
has_line_break_or_control (const char *str)
{
  for (const char *p = str; *p; p++)
    if ((guchar) *p < 0x20 || *p == 0x7f)
      return TRUE;
  return FALSE;
}

/* Header fields go through GMime, but a CR or LF in one must never get that
 * far: refuse them here too, in case the request was not validated. */
static gboolean
check_header_field (const char *value, PostaciRequestError code, GError **error)
{
  if (value == NULL)
    return TRUE;
  if (has_line_break_or_control (value) || !g_utf8_validate (value, -1, NULL))
    {
      g_set_error_literal (
        error, POSTACI_REQUEST_ERROR, code,
        _ ("A header field contains a line break, a control character or invalid UTF-8."));
      return FALSE;
    }
  return TRUE;
}

static char *
message_id_domain (const char *from)
{
  const char      *at = strrchr (from, '@');
  g_autofree char *ascii = NULL;

  if (at == NULL || at[1] == '\0')
    return g_strdup (FALLBACK_MESSAGE_ID_DOMAIN);
  ascii = g_hostname_to_ascii (at + 1);
  if (ascii == NULL || *ascii == '\0' || *ascii == '.' || *ascii == '-')
    return g_strdup (FALLBACK_MESSAGE_ID_DOMAIN);
  /* An address literal or anything odd would make an invalid id-right (RFC 5322 §3.6.4). */
  for (const char *p = ascii; *p; p++)
    if (!(g_ascii_isalnum (*p) || *p == '-' || *p == '.'))
      return g_strdup (FALLBACK_MESSAGE_ID_DOMAIN);
  return g_ascii_strdown (ascii, -1);
}

static GMimeObject *
make_text_mime (const char *subtype)
{
  const PostaciGMime *gmime = postaci_gmime ();
  GMimeTextPart      *part = gmime->text_part_new_with_subtype (subtype);

  gmime->text_part_set_charset (part, "utf-8");
  return POSTACI_GMIME_OBJECT (gmime, part);
}

static GMimeObject *
make_attachment_mime (const char *path)
{
  const PostaciGMime *gmime = postaci_gmime ();
  g_autofree char    *name = g_filename_display_basename (path);
  /* By name only: reading the file to sniff it would read it once more. */
  g_autofree char *type = g_content_type_guess (name, NULL, 0, NULL);
  g_autofree char *mime_type = g_content_type_get_mime_type (type);
  g_auto (GStrv) halves =
            g_strsplit (mime_type != NULL ? mime_type : "application/octet-stream", "/", 2);
  GMimePart *part;

  if (halves[0] == NULL || halves[1] == NULL)
    part = gmime->part_new_with_type ("application", "octet-stream");
  else
    part = gmime->part_new_with_type (halves[0], halves[1]);
  gmime->part_set_filename (part, name);
  return POSTACI_GMIME_OBJECT (gmime, part);
}

static gboolean
add_attachment (PostaciMessage *self, const char *path, GError **error)
{
  Part    *part = part_new (PART_ATTACHMENT);
  gboolean piped = FALSE;

  g_ptr_array_add (self->parts, part);
  if (!_postaci_message_open_file_source (part, path, POSTACI_REQUEST_ERROR_ATTACHMENT, &piped,
                                          error))
    return FALSE;
  if (piped && !_postaci_message_copy_pipe (part, error))
    return FALSE;
  part->mime = make_attachment_mime (path);
  return TRUE;
}

/**
 * postaci_message_new:
 * @request: the run's parameters; it must outlive the message
 * @error: a #POSTACI_REQUEST_ERROR naming the field at fault
 *
 * Returns: (transfer full) (nullable): the message, or %NULL with @error set
 */
PostaciMessage *
postaci_message_new (const PostaciRequest *request, GError **error)
{
  g_autoptr (PostaciMessage) self = NULL;
  g_autoptr (GDateTime) now = NULL;
  g_autofree char    *domain = NULL;
  GError             *local_error = NULL;
  const PostaciGMime *gmime;
  Part               *text;
  Part               *html;
  gboolean            piped = FALSE;

  g_return_val_if_fail (request != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (request->from == NULL || *request->from == '\0')
    {
      g_set_error_literal (error, POSTACI_REQUEST_ERROR, POSTACI_REQUEST_ERROR_FROM,
                           _ ("Enter the sender address (From)."));
      return NULL;
    }
  if (!check_header_field (request->from, POSTACI_REQUEST_ERROR_FROM, error) ||
      !check_header_field (request->subject, POSTACI_REQUEST_ERROR_SUBJECT, error))
    return NULL;
  for (guint i = 0; request->recipients != NULL && i < request->recipients->len; i++)
    if (!check_header_field (g_ptr_array_index (request->recipients, i),
                             POSTACI_REQUEST_ERROR_RECIPIENTS, error))
      return NULL;

  gmime = postaci_gmime_open (&local_error);
  if (gmime == NULL)
    {
      g_set_error_literal (error, POSTACI_REQUEST_ERROR, POSTACI_REQUEST_ERROR_BODY,
                           local_error->message);
      g_error_free (local_error);
      return NULL;
    }
  self = g_object_new (POSTACI_TYPE_MESSAGE, NULL);
  self->size_goal = request->size;

  /* The bodies: read once, a chunk at a time, to check them and learn their shape. */
  text = part_new (PART_TEXT);
  html = part_new (PART_HTML);
  g_ptr_array_add (self->parts, text);
  g_ptr_array_add (self->parts, html);
  if (request->html_file != NULL)
    {
      if (!_postaci_message_open_file_source (html, request->html_file, POSTACI_REQUEST_ERROR_BODY,
                                              &piped, error))
        return NULL;
    }
  else if (request->html != NULL)
    {
      html->source.data = request->html;
      html->source.length = strlen (request->html);
    }
  if (!_postaci_message_scan_body (html, piped, request->text == NULL ? text : NULL, error))
    return NULL;
  if (request->text != NULL)
    {
      text->source.data = request->text;
      text->source.length = strlen (request->text);
      if (!_postaci_message_scan_body (text, FALSE, NULL, error))
        return NULL;
    }
  for (guint i = 0; request->attachments != NULL && i < request->attachments->len; i++)
    if (!add_attachment (self, g_ptr_array_index (request->attachments, i), error))
      return NULL;

  self->mime = gmime->message_new (TRUE);
  gmime->message_add_mailbox (self->mime, GMIME_ADDRESS_TYPE_FROM, NULL, request->from);
  for (guint i = 0; request->recipients != NULL && i < request->recipients->len; i++)
    gmime->message_add_mailbox (self->mime, GMIME_ADDRESS_TYPE_TO, NULL,
                                g_ptr_array_index (request->recipients, i));
  /* GMime encodes the subject as RFC 2047 words when it is not plain ASCII. */
  gmime->message_set_subject (self->mime, request->subject != NULL ? request->subject : "",
                              "utf-8");
  now = g_date_time_new_now_local ();
  gmime->message_set_date (self->mime, now);
  domain = message_id_domain (request->from);
  self->message_id = gmime->utils_generate_message_id (domain);
  gmime->message_set_message_id (self->mime, self->message_id);
  gmime->object_set_header (POSTACI_GMIME_OBJECT (gmime, self->mime), "MIME-Version", "1.0", NULL);

  /* RFC 2046 §5.1.4: the last alternative is the preferred one, so HTML goes second. */
  self->alternative = gmime->multipart_new_with_subtype ("alternative");
  text->mime = make_text_mime ("plain");
  html->mime = make_text_mime ("html");
  gmime->multipart_add (self->alternative, text->mime);
  gmime->multipart_add (self->alternative, html->mime);

  if (self->size_goal > 0)
    {
      Part *filler = part_new (PART_FILLER);

      filler->source.kind = POSTACI_SOURCE_FILLER;
      filler->mime = make_attachment_mime ("postaci-size-test.txt");
      gmime->object_set_content_type_parameter (filler->mime, "charset", "us-ascii");
      g_ptr_array_add (self->parts, filler);
    }
  if (self->parts->len > 2)
    {
      self->mixed = gmime->multipart_new_with_subtype ("mixed");
      gmime->multipart_add (self->mixed, POSTACI_GMIME_OBJECT (gmime, self->alternative));
      for (guint i = 2; i < self->parts->len; i++)
        gmime->multipart_add (self->mixed, ((Part *) g_ptr_array_index (self->parts, i))->mime);
      gmime->message_set_mime_part (self->mime, POSTACI_GMIME_OBJECT (gmime, self->mixed));
    }
  else
    gmime->message_set_mime_part (self->mime, POSTACI_GMIME_OBJECT (gmime, self->alternative));

  return g_steal_pointer (&self);
}

/* ------------------------------------------------------------------ */
/* Planning and sending                                                */

static PostaciBodyEncoding
choose_encoding (const Part *part, gboolean eight_bit)
{
  switch (part->kind)
    {
    case PART_ATTACHMENT:
      return POSTACI_BODY_BASE64;
    case PART_FILLER:
      return POSTACI_BODY_7BIT;
    case PART_TEXT:
    case PART_HTML:
    default:
      if (part->stats.nul || _postaci_message_stats_longest (&part->stats) > MAX_LINE)
        return POSTACI_BODY_QUOTED_PRINTABLE;
      if (!(part->stats.high & 0x80))
        return POSTACI_BODY_7BIT;
      return eight_bit ? POSTACI_BODY_8BIT : POSTACI_BODY_QUOTED_PRINTABLE;
    }
}

static GMimeContentEncoding
mime_encoding (PostaciBodyEncoding encoding)
{
  switch (encoding)
    {
    case POSTACI_BODY_7BIT:
      return GMIME_CONTENT_ENCODING_7BIT;
    case POSTACI_BODY_8BIT:
      return GMIME_CONTENT_ENCODING_8BIT;
    case POSTACI_BODY_QUOTED_PRINTABLE:
      return GMIME_CONTENT_ENCODING_QUOTEDPRINTABLE;
    case POSTACI_BODY_BASE64:
    default:
      return GMIME_CONTENT_ENCODING_BASE64;
    }
}

/* The size of literal text with LF line ends once every LF is CRLF. */
static guint64
literal_size (const char *text)
{
  guint64 size = strlen (text);

  for (const char *p = strchr (text, '\n'); p != NULL; p = strchr (p + 1, '\n'))
    size++;
  return size;
}

/* The size of @part's body on the wire (CRLF, not stuffed). */
static gboolean
body_size (PostaciMessage *self, Part *part, guint64 *size, GError **error)
{
  switch (part->encoding)
    {
    case POSTACI_BODY_7BIT:
    case POSTACI_BODY_8BIT:
      if (part->kind == PART_FILLER)
        *size = part->source.length + part->source.full_lines;
      else
        *size = part->stats.bytes + 2 * part->stats.breaks;
      return TRUE;

    case POSTACI_BODY_BASE64:
      {
        guint64 chars = (part->source.length + 2) / 3 * 4;

        *size = chars + 2 * ((chars + BASE64_LINE - 1) / BASE64_LINE);
        return TRUE;
      }

    case POSTACI_BODY_QUOTED_PRINTABLE:
    default:
      {
        /* No formula: the body is encoded once, counted and dropped. */
        GArray        *segments = postaci_segments_new ();
        PostaciSegment segment = { NULL, &part->source, part->encoding };

        g_array_append_val (segments, segment);
        return postaci_data_stream_measure (G_OBJECT (self), segments, size, error);
      }
    }
}

static void
add_text (GArray *segments, char *text)
{
  PostaciSegment segment = { text, NULL, POSTACI_BODY_7BIT };

  g_array_append_val (segments, segment);
}

static void
add_body (GArray *segments, Part *part)
{
  PostaciSegment segment = { NULL, &part->source, part->encoding };

  g_array_append_val (segments, segment);
}

/* The filler's lines for @size bytes on the wire: lines of 76 characters and CRLF, then the
 * rest on a last line without one. */
static void
set_filler_size (Part *filler, guint64 size)
{
  filler->source.full_lines = size / 78;
  filler->source.length = filler->source.full_lines * 77 + size % 78;
}

static void
format_options_free (GMimeFormatOptions *options)
{
  postaci_gmime ()->format_options_free (options);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (GMimeFormatOptions, format_options_free)

/* The segments of the whole payload, and its size. */
static GArray *
plan (PostaciMessage *self, gboolean eight_bit, guint64 *size, GError **error)
{
  const PostaciGMime *gmime = postaci_gmime ();
  g_autoptr (GMimeFormatOptions) options = gmime->format_options_new ();
  g_autoptr (GArray) segments = postaci_segments_new ();
  const char *alt = gmime->multipart_get_boundary (self->alternative);
  const char *mixed = NULL;
  GString    *literal;
  Part       *filler = NULL;
  guint64     total = 0;

  /* Explicit options: GMime's defaults are process-wide and could be changed. */
  gmime->format_options_set_newline_format (options, GMIME_NEWLINE_FORMAT_UNIX);
  self->eight_bit = FALSE;
  for (guint i = 0; i < self->parts->len; i++)
    {
      Part *part = g_ptr_array_index (self->parts, i);

      part->encoding = choose_encoding (part, eight_bit);
      if (part->encoding == POSTACI_BODY_8BIT)
        self->eight_bit = TRUE;
      if (part->kind == PART_FILLER)
        {
          filler = part;
          set_filler_size (filler, 0);
        }
      gmime->part_set_content_encoding (POSTACI_GMIME_PART (gmime, part->mime),
                                        mime_encoding (part->encoding));
    }

  /* Header blocks and boundaries as GMime writes a multipart, the bodies in between. */
  if (self->mixed != NULL)
    mixed = gmime->multipart_get_boundary (self->mixed);
  {
    g_autofree char *headers =
      gmime->object_get_headers (POSTACI_GMIME_OBJECT (gmime, self->mime), options);

    literal = g_string_new (headers);
    g_string_append_c (literal, '\n');
  }
  if (mixed != NULL)
    {
      g_autofree char *headers =
        gmime->object_get_headers (POSTACI_GMIME_OBJECT (gmime, self->alternative), options);
      g_string_append_printf (literal, "--%s\n%s\n", mixed, headers);
    }
  for (guint i = 0; i < self->parts->len; i++)
    {
      Part            *part = g_ptr_array_index (self->parts, i);
      g_autofree char *headers = gmime->object_get_headers (part->mime, options);
      guint64          body = 0;

      if (i < 2)
        g_string_append_printf (literal, "%s--%s\n%s\n", i == 0 ? "" : "\n", alt, headers);
      else
        {
          /* the alternative ends before the first attachment */
          if (i == 2)
            g_string_append_printf (literal, "\n--%s--\n", alt);
          g_string_append_printf (literal, "\n--%s\n%s\n", mixed, headers);
        }
      add_text (segments, g_string_free (literal, FALSE));
      literal = g_string_new (NULL);
      add_body (segments, part);
      if (!body_size (self, part, &body, error))
        {
          g_string_free (literal, TRUE);
          return NULL;
        }
      total += body;
    }
  g_string_append_printf (literal, "\n--%s--\n", mixed != NULL ? mixed : alt);
  add_text (segments, g_string_free (literal, FALSE));

  for (guint i = 0; i < segments->len; i++)
    {
      PostaciSegment *segment = &g_array_index (segments, PostaciSegment, i);

      if (segment->text != NULL)
        total += literal_size (segment->text);
    }

  if (filler != NULL)
    {
      if (total > self->size_goal)
        {
          g_set_error (error, POSTACI_REQUEST_ERROR, POSTACI_REQUEST_ERROR_BODY,
                       _ ("The message is already %" PRIu64 " bytes without the "
                          "generated text: the size to reach must be larger."),
                       (uint64_t) total);
          return NULL;
        }
      set_filler_size (filler, self->size_goal - total);
      total = self->size_goal;
    }
  *size = total;
  return g_steal_pointer (&segments);
}

/**
 * postaci_message_open_data:
 * @self: a #PostaciMessage
 * @eight_bit: the server offers 8BITMIME
 * @size: (out): the message size of RFC 1870
 * @error: a #GIOError when a body cannot be read, a #POSTACI_REQUEST_ERROR when the size to
 *   reach is too small
 *
 * Each call starts afresh. The stream reads the bodies' sources as it goes; it keeps the
 * message alive.
 *
 * Returns: (transfer full) (nullable): a stream over the payload, at its start
 */
GInputStream *
postaci_message_open_data (PostaciMessage *self, gboolean eight_bit, goffset *size, GError **error)
{
  GArray *segments;
  guint64 total = 0;

  g_return_val_if_fail (POSTACI_IS_MESSAGE (self), NULL);
  g_return_val_if_fail (size != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  segments = plan (self, eight_bit, &total, error);
  if (segments == NULL)
    return NULL;
  *size = (goffset) total;
  g_debug ("DATA payload: %" G_GUINT64_FORMAT " bytes%s", total, self->eight_bit ? ", 8bit" : "");
  return postaci_data_stream_new (G_OBJECT (self), segments, POSTACI_WRITE_WIRE);
}

gboolean
postaci_message_get_eight_bit (PostaciMessage *self)
{
  g_return_val_if_fail (POSTACI_IS_MESSAGE (self), FALSE);
  return self->eight_bit;
}

/**
 * postaci_message_to_bytes:
 * @self: a #PostaciMessage
 *
 * The whole message in memory, as it would go to a server without 8BITMIME but with LF line
 * ends and no dot-stuffing: for tests and previews, not for sending.
 *
 * Returns: (transfer full): the message
 */
GBytes *
postaci_message_to_bytes (PostaciMessage *self)
{
  g_autoptr (GInputStream) stream = NULL;
  g_autoptr (GError) error = NULL;
  GByteArray *array = g_byte_array_new ();
  GArray     *segments;
  guint64     total;
  guint8      buffer[16384];
  gssize      n;

  g_return_val_if_fail (POSTACI_IS_MESSAGE (self), NULL);

  segments = plan (self, FALSE, &total, &error);
  if (segments == NULL)
    {
      g_warning ("Could not write the message: %s", error->message);
      return g_byte_array_free_to_bytes (array);
    }
  stream = postaci_data_stream_new (G_OBJECT (self), segments, POSTACI_WRITE_LOCAL);
  while ((n = g_input_stream_read (stream, buffer, sizeof buffer, NULL, &error)) > 0)
    g_byte_array_append (array, buffer, (guint) n);
  if (n < 0)
    g_warning ("Could not write the message: %s", error->message);
  return g_byte_array_free_to_bytes (array);
}

/* The Message-ID without angle brackets, e.g. "ABCD1234@example.com". */
const char *
postaci_message_get_message_id (PostaciMessage *self)
{
  g_return_val_if_fail (POSTACI_IS_MESSAGE (self), NULL);
  return self->message_id;
}

gboolean
postaci_parse_size (const char *text, guint64 *size)
{
  static const struct
  {
    const char *suffix;
    guint       shift;
  } units[] = {
    { "", 0 },    { "B", 0 },    { "K", 10 }, { "KB", 10 }, { "KiB", 10 }, { "M", 20 },
    { "MB", 20 }, { "MiB", 20 }, { "G", 30 }, { "GB", 30 }, { "GiB", 30 },
  };
  const char *p = text;
  guint64     value = 0;

  g_return_val_if_fail (size != NULL, FALSE);
  if (text == NULL || !g_ascii_isdigit (*p))
    return FALSE;
  for (; g_ascii_isdigit (*p); p++)
    {
      if (value > G_GUINT64_CONSTANT (1) << 40)
        return FALSE;
      value = value * 10 + (guint64) (*p - '0');
    }
  for (gsize i = 0; i < G_N_ELEMENTS (units); i++)
    if (g_ascii_strcasecmp (p, units[i].suffix) == 0)
      {
        if (value == 0 || value > (G_GUINT64_CONSTANT (1) << 40) >> units[i].shift)
          return FALSE;
        *size = value << units[i].shift;
        return TRUE;
      }
  return FALSE;
}
