/* postaci-message.c — build the test message with GMime and write the exact DATA payload. */
#define G_LOG_DOMAIN "postaci-message"

#include "config.h"

#include <errno.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <gio/gunixinputstream.h>
#include <gmime/gmime.h>

#include "postaci-message.h"

/* GMime 3.2 ships no autoptr cleanups; these stay private to this file. */
G_DEFINE_AUTOPTR_CLEANUP_FUNC (GMimeObject, g_object_unref)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (GMimeStream, g_object_unref)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (GMimeFilter, g_object_unref)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (GMimeDataWrapper, g_object_unref)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (GMimeTextPart, g_object_unref)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (GMimeMultipart, g_object_unref)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (GMimeFormatOptions, g_mime_format_options_free)

/* Used when the sender's domain cannot appear in a Message-ID (RFC 2606 reserves it). */
#define FALLBACK_MESSAGE_ID_DOMAIN "postaci.invalid"

/*
 * Memory: the message keeps exactly one copy of each body (html, text),
 * taken from the request in postaci_message_new(), so it outlives the
 * caller's request. Only the fields it needs are taken: never the password.
 * GMime reads the bodies through GByteArray views whose data point at those
 * copies (GMimeStreamMem with owner = FALSE), so building, choosing the
 * transfer encoding and writing never duplicate a body; the views are only
 * ever read and are released with g_byte_array_free (view, FALSE), which
 * leaves the buffer to us. A plain text derived from the HTML is the only
 * other buffer. The DATA payload goes to a temporary file, not to memory.
 */
struct _PostaciMessage {
  GObject       parent_instance;
  GMimeMessage *mime;
  char         *message_id;  /* without angle brackets, like GMime's own accessor */
  char         *html;
  char         *text;
  GByteArray   *html_view;
  GByteArray   *text_view;
};

G_DEFINE_TYPE (PostaciMessage, postaci_message, G_TYPE_OBJECT)

/* ------------------------------------------------------------------ */
/* A line-end filter.
 *
 * CRLF, a bare CR and a bare LF each become one line break: LF for the bodies
 * GMime encodes, CRLF for the wire. A bare CR or LF reaching an SMTP server
 * is how "SMTP smuggling" works, so nothing else may pass. State (a CR just
 * seen) is kept across chunks, so a CRLF split between two reads stays one
 * line break. With ensure_eol the output always ends with a line break. */

typedef struct {
  GMimeFilter parent_instance;
  gboolean    crlf;        /* write CRLF rather than LF */
  gboolean    ensure_eol;  /* end a non-empty output with a line break */
  gboolean    after_cr;    /* the previous input byte was a CR */
  gboolean    at_bol;      /* nothing written since the last line break */
} LineEndFilter;

typedef struct {
  GMimeFilterClass parent_class;
} LineEndFilterClass;

static GType line_end_filter_get_type (void);
G_DEFINE_TYPE (LineEndFilter, line_end_filter, GMIME_TYPE_FILTER)

static GMimeFilter *
line_end_filter_new (gboolean crlf, gboolean ensure_eol)
{
  LineEndFilter *self = g_object_new (line_end_filter_get_type (), NULL);

  self->crlf = crlf;
  self->ensure_eol = ensure_eol;
  return (GMimeFilter *) self;
}

static void
line_end_filter_run (GMimeFilter *filter, const char *inbuf, size_t inlen, gboolean last,
                     char **outbuf, size_t *outlen, size_t *outprespace)
{
  LineEndFilter *self = (LineEndFilter *) filter;
  const char *in = inbuf;
  const char *end = inbuf + inlen;
  char *out;

  /* Worst case: every byte a bare CR or LF that grows to CRLF, plus the final break. */
  g_mime_filter_set_size (filter, inlen * 2 + 2, FALSE);
  out = filter->outbuf;

  for (; in < end; in++)
    {
      char c = *in;

      if (c == '\n' && self->after_cr)
        {
          /* the CR already produced this line break */
          self->after_cr = FALSE;
          continue;
        }
      self->after_cr = (c == '\r');
      if (c == '\r' || c == '\n')
        {
          if (self->crlf)
            *out++ = '\r';
          *out++ = '\n';
          self->at_bol = TRUE;
        }
      else
        {
          *out++ = c;
          self->at_bol = FALSE;
        }
    }

  if (last && self->ensure_eol && !self->at_bol)
    {
      if (self->crlf)
        *out++ = '\r';
      *out++ = '\n';
      self->at_bol = TRUE;
    }

  *outbuf = filter->outbuf;
  *outlen = out - filter->outbuf;
  *outprespace = filter->outpre;
}

static void
line_end_filter_filter (GMimeFilter *filter, char *inbuf, size_t inlen, size_t prespace,
                        char **outbuf, size_t *outlen, size_t *outprespace)
{
  line_end_filter_run (filter, inbuf, inlen, FALSE, outbuf, outlen, outprespace);
}

static void
line_end_filter_complete (GMimeFilter *filter, char *inbuf, size_t inlen, size_t prespace,
                          char **outbuf, size_t *outlen, size_t *outprespace)
{
  line_end_filter_run (filter, inbuf, inlen, TRUE, outbuf, outlen, outprespace);
}

static void
line_end_filter_reset (GMimeFilter *filter)
{
  LineEndFilter *self = (LineEndFilter *) filter;

  self->after_cr = FALSE;
  self->at_bol = TRUE;
}

static GMimeFilter *
line_end_filter_copy (GMimeFilter *filter)
{
  LineEndFilter *self = (LineEndFilter *) filter;

  return line_end_filter_new (self->crlf, self->ensure_eol);
}

static void
line_end_filter_class_init (LineEndFilterClass *klass)
{
  GMimeFilterClass *filter_class = GMIME_FILTER_CLASS (klass);

  filter_class->copy = line_end_filter_copy;
  filter_class->filter = line_end_filter_filter;
  filter_class->complete = line_end_filter_complete;
  filter_class->reset = line_end_filter_reset;
}

static void
line_end_filter_init (LineEndFilter *self)
{
  self->at_bol = TRUE;
}

/* ------------------------------------------------------------------ */

void
postaci_message_ensure_gmime (void)
{
  static gsize initialised = 0;

  /* GMime keeps global tables; it is set up once per process and never shut
   * down, since other code in the process may be using it too. */
  if (g_once_init_enter (&initialised))
    {
      g_mime_init ();
      g_once_init_leave (&initialised, 1);
    }
}

static void
postaci_message_finalize (GObject *object)
{
  PostaciMessage *self = POSTACI_MESSAGE (object);

  /* The GMime objects hold the streams that read the views: drop them first. */
  g_clear_object (&self->mime);
  if (self->html_view != NULL)
    g_byte_array_free (g_steal_pointer (&self->html_view), FALSE);
  if (self->text_view != NULL)
    g_byte_array_free (g_steal_pointer (&self->text_view), FALSE);
  g_clear_pointer (&self->html, g_free);
  g_clear_pointer (&self->text, g_free);
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
}

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
      g_set_error_literal (error, POSTACI_REQUEST_ERROR, code,
                           _("A header field contains a line break, a control character or invalid UTF-8."));
      return FALSE;
    }
  return TRUE;
}

static char *
message_id_domain (const char *from)
{
  const char *at = strrchr (from, '@');
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

/* A text part that reads @buffer in place: line ends normalised to LF on
 * the way, the transfer encoding chosen so the part is 7-bit clean. */
static GMimeObject *
make_text_part (const char *subtype, char *buffer, GByteArray **view_out)
{
  g_autoptr (GMimeTextPart) part = NULL;
  g_autoptr (GMimeStream) mem = NULL;
  g_autoptr (GMimeStream) filtered = NULL;
  g_autoptr (GMimeFilter) line_ends = NULL;
  g_autoptr (GMimeDataWrapper) content = NULL;
  GMimeContentEncoding encoding;
  GByteArray *view;

  view = g_byte_array_new_take ((guint8 *) buffer, strlen (buffer));
  mem = g_mime_stream_mem_new ();
  g_mime_stream_mem_set_byte_array (GMIME_STREAM_MEM (mem), view);
  g_assert (!g_mime_stream_mem_get_owner (GMIME_STREAM_MEM (mem)));
  *view_out = view;

  filtered = g_mime_stream_filter_new (mem);
  line_ends = line_end_filter_new (FALSE, FALSE);
  g_mime_stream_filter_add (GMIME_STREAM_FILTER (filtered), line_ends);

  content = g_mime_data_wrapper_new_with_stream (filtered, GMIME_CONTENT_ENCODING_DEFAULT);
  part = g_mime_text_part_new_with_subtype (subtype);
  g_mime_text_part_set_charset (part, "utf-8");
  g_mime_part_set_content (GMIME_PART (part), content);

  /* One streaming pass over the body: quoted-printable for mostly-ASCII text,
   * base64 for mostly 8-bit text, quoted-printable for lines over 998 bytes,
   * 7bit when plain ASCII already fits. So the server never needs 8BITMIME. */
  encoding = g_mime_part_get_best_content_encoding (GMIME_PART (part),
                                                    GMIME_ENCODING_CONSTRAINT_7BIT);
  if (encoding == GMIME_CONTENT_ENCODING_DEFAULT)
    encoding = GMIME_CONTENT_ENCODING_7BIT;
  g_mime_part_set_content_encoding (GMIME_PART (part), encoding);

  return GMIME_OBJECT (g_steal_pointer (&part));
}

/**
 * postaci_message_new:
 * @request: the run's parameters; the message copies the bodies it needs
 * @error: a #POSTACI_REQUEST_ERROR naming the field at fault
 *
 * Returns: (transfer full) (nullable): the message, or %NULL with @error set
 */
PostaciMessage *
postaci_message_new (const PostaciRequest *request, GError **error)
{
  g_autoptr (PostaciMessage) self = NULL;
  g_autoptr (GMimeMultipart) alternative = NULL;
  g_autoptr (GMimeObject) text_part = NULL;
  g_autoptr (GMimeObject) html_part = NULL;
  g_autoptr (GDateTime) now = NULL;
  g_autofree char *domain = NULL;

  g_return_val_if_fail (request != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (request->from == NULL || *request->from == '\0')
    {
      g_set_error_literal (error, POSTACI_REQUEST_ERROR, POSTACI_REQUEST_ERROR_FROM,
                           _("Enter the sender address (From)."));
      return NULL;
    }
  if (!check_header_field (request->from, POSTACI_REQUEST_ERROR_FROM, error) ||
      !check_header_field (request->subject, POSTACI_REQUEST_ERROR_SUBJECT, error))
    return NULL;
  for (guint i = 0; request->recipients != NULL && i < request->recipients->len; i++)
    if (!check_header_field (g_ptr_array_index (request->recipients, i),
                             POSTACI_REQUEST_ERROR_RECIPIENTS, error))
      return NULL;
  if ((request->html != NULL && !g_utf8_validate (request->html, -1, NULL)) ||
      (request->text != NULL && !g_utf8_validate (request->text, -1, NULL)))
    {
      g_set_error_literal (error, POSTACI_REQUEST_ERROR, POSTACI_REQUEST_ERROR_BODY,
                           _("The subject and message must be UTF-8 text."));
      return NULL;
    }

  /* GByteArray, which GMime's memory stream reads, counts in guint. */
  if ((request->html != NULL && strlen (request->html) > G_MAXUINT) ||
      (request->text != NULL && strlen (request->text) > G_MAXUINT))
    {
      g_set_error_literal (error, POSTACI_REQUEST_ERROR, POSTACI_REQUEST_ERROR_BODY,
                           _("The message is too large."));
      return NULL;
    }

  postaci_message_ensure_gmime ();

  self = g_object_new (POSTACI_TYPE_MESSAGE, NULL);
  self->html = g_strdup (request->html != NULL ? request->html : "");
  if (request->text != NULL)
    self->text = g_strdup (request->text);
  else
    self->text = postaci_html_to_text (self->html);

  self->mime = g_mime_message_new (TRUE);
  g_mime_message_add_mailbox (self->mime, GMIME_ADDRESS_TYPE_FROM, NULL, request->from);
  for (guint i = 0; request->recipients != NULL && i < request->recipients->len; i++)
    g_mime_message_add_mailbox (self->mime, GMIME_ADDRESS_TYPE_TO, NULL,
                                g_ptr_array_index (request->recipients, i));
  /* GMime encodes the subject as RFC 2047 words when it is not plain ASCII. */
  g_mime_message_set_subject (self->mime, request->subject != NULL ? request->subject : "",
                              "utf-8");
  now = g_date_time_new_now_local ();
  g_mime_message_set_date (self->mime, now);
  domain = message_id_domain (request->from);
  self->message_id = g_mime_utils_generate_message_id (domain);
  g_mime_message_set_message_id (self->mime, self->message_id);
  g_mime_object_set_header (GMIME_OBJECT (self->mime), "MIME-Version", "1.0", NULL);

  /* RFC 2046 §5.1.4: the last alternative is the preferred one, so HTML goes second. */
  alternative = g_mime_multipart_new_with_subtype ("alternative");
  text_part = make_text_part ("plain", self->text, &self->text_view);
  html_part = make_text_part ("html", self->html, &self->html_view);
  g_mime_multipart_add (alternative, text_part);
  g_mime_multipart_add (alternative, html_part);
  g_mime_message_set_mime_part (self->mime, GMIME_OBJECT (alternative));

  return g_steal_pointer (&self);
}

static gboolean
set_error_from_errno (GError **error, int saved_errno, const char *what)
{
  /* GMime reports failures as -1; errno is the reason when a system call failed. */
  if (saved_errno == 0)
    saved_errno = EIO;
  g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
               /* Translators: %s says what failed, the second %s is the system's reason */
               _("Could not prepare the message (%s): %s"), what, g_strerror (saved_errno));
  return FALSE;
}

/* Writes the payload to @fd: CRLF everywhere, dot-stuffed, then the final dot. */
static gboolean
write_data_payload (PostaciMessage *self, int fd, GError **error)
{
  g_autoptr (GMimeFormatOptions) options = NULL;
  g_autoptr (GMimeStream) file = NULL;
  g_autoptr (GMimeStream) filtered = NULL;
  g_autoptr (GMimeFilter) line_ends = NULL;
  g_autoptr (GMimeFilter) stuffing = NULL;
  int file_fd;

  file_fd = dup (fd);
  if (file_fd < 0)
    return set_error_from_errno (error, errno, "dup");
  file = g_mime_stream_fs_new (file_fd);  /* owns file_fd */

  /* GMime already writes CRLF in DOS mode; the line-end filter is the last
   * word, so no bare CR or LF can reach the wire whatever a header or part
   * held, and it ends the payload with CRLF. The SMTP data filter then
   * doubles every leading dot, keeping its state across chunk boundaries. */
  filtered = g_mime_stream_filter_new (file);
  line_ends = line_end_filter_new (TRUE, TRUE);
  stuffing = g_mime_filter_smtp_data_new ();
  g_mime_stream_filter_add (GMIME_STREAM_FILTER (filtered), line_ends);
  g_mime_stream_filter_add (GMIME_STREAM_FILTER (filtered), stuffing);

  options = g_mime_format_options_new ();
  g_mime_format_options_set_newline_format (options, GMIME_NEWLINE_FORMAT_DOS);

  if (g_mime_object_write_to_stream (GMIME_OBJECT (self->mime), options, filtered) == -1 ||
      g_mime_stream_flush (filtered) == -1)
    return set_error_from_errno (error, errno, "write");

  /* Written past the filters: the terminating dot must not be stuffed. */
  if (g_mime_stream_write_string (file, ".\r\n") == -1 || g_mime_stream_flush (file) == -1)
    return set_error_from_errno (error, errno, "write");

  return TRUE;
}

/**
 * postaci_message_open_data:
 * @self: a #PostaciMessage
 * @size: (out): the payload's size in bytes, final dot included
 * @error: a #GIOError when the temporary file cannot be written
 *
 * The payload goes to an unlinked temporary file, never to memory, so a large
 * body is not held a second time; the file disappears with the stream. The
 * file is written synchronously: it is local disk, bounded by the body the
 * user typed, and done once per run before DATA. Each call writes a new file.
 *
 * Returns: (transfer full) (nullable): a stream over the payload, at its start
 */
GInputStream *
postaci_message_open_data (PostaciMessage *self, goffset *size, GError **error)
{
  g_autofree char *path = NULL;
  struct stat st;
  int fd;

  g_return_val_if_fail (POSTACI_IS_MESSAGE (self), NULL);
  g_return_val_if_fail (size != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  fd = g_file_open_tmp ("postaci-data-XXXXXX", &path, error);
  if (fd < 0)
    return NULL;
  /* Unlinked at once: nothing is left behind, whatever happens next. */
  g_unlink (path);

  if (!write_data_payload (self, fd, error))
    {
      close (fd);
      return NULL;
    }
  if (fstat (fd, &st) != 0 || lseek (fd, 0, SEEK_SET) != 0)
    {
      int saved_errno = errno;
      close (fd);
      set_error_from_errno (error, saved_errno, "seek");
      return NULL;
    }

  *size = st.st_size;
  g_debug ("DATA payload: %" G_GINT64_FORMAT " bytes", (gint64) st.st_size);
  return g_unix_input_stream_new (fd, TRUE);
}

/**
 * postaci_message_to_bytes:
 * @self: a #PostaciMessage
 *
 * The whole message in memory, as GMime writes it (LF line ends, no
 * dot-stuffing): for tests and previews, not for sending.
 *
 * Returns: (transfer full): the message
 */
GBytes *
postaci_message_to_bytes (PostaciMessage *self)
{
  g_autoptr (GMimeFormatOptions) options = NULL;
  g_autoptr (GMimeStream) mem = NULL;
  GByteArray *array;

  g_return_val_if_fail (POSTACI_IS_MESSAGE (self), NULL);

  /* Explicit options: GMime's defaults are process-wide and could be changed. */
  options = g_mime_format_options_new ();
  g_mime_format_options_set_newline_format (options, GMIME_NEWLINE_FORMAT_UNIX);
  mem = g_mime_stream_mem_new ();
  g_mime_object_write_to_stream (GMIME_OBJECT (self->mime), options, mem);
  g_mime_stream_flush (mem);
  /* Take the buffer over from the stream instead of copying it. */
  array = g_mime_stream_mem_get_byte_array (GMIME_STREAM_MEM (mem));
  g_mime_stream_mem_set_owner (GMIME_STREAM_MEM (mem), FALSE);
  return g_byte_array_free_to_bytes (array);
}

/* The Message-ID without angle brackets, e.g. "ABCD1234@example.com". */
const char *
postaci_message_get_message_id (PostaciMessage *self)
{
  g_return_val_if_fail (POSTACI_IS_MESSAGE (self), NULL);
  return self->message_id;
}

/* ------------------------------------------------------------------ */
/* HTML to plain text.
 *
 * A single forward pass with an explicit end pointer: every look-ahead is
 * bounded, so unterminated tags, comments and entities end the scan instead
 * of reading past the input. Text is only ever cut at ASCII bytes and
 * entities are re-encoded with g_unichar_to_utf8(), so valid UTF-8 in gives
 * valid UTF-8 out. */

typedef struct {
  GString *out;
  guint    breaks;  /* line breaks owed before the next text; 2 = one blank line */
  gboolean space;   /* a space is owed before the next text */
  guint    pre;     /* depth of <pre>: whitespace is kept there */
} TextSink;

static void
sink_text (TextSink *sink, const char *text, gsize len)
{
  if (len == 0)
    return;
  /* Owed breaks and spaces are only paid between two pieces of text, which
   * trims both ends and drops spaces at line ends. */
  if (sink->out->len > 0)
    {
      if (sink->breaks > 0)
        g_string_append_len (sink->out, "\n\n", MIN (sink->breaks, 2));
      else if (sink->space)
        g_string_append_c (sink->out, ' ');
    }
  sink->breaks = 0;
  sink->space = FALSE;
  g_string_append_len (sink->out, text, len);
}

/* At least @n line breaks before the next text (block boundaries). */
static void
sink_block (TextSink *sink, guint n)
{
  sink->breaks = MAX (sink->breaks, n);
}

/* One more line break (<br>, a newline inside <pre>), never more than one blank line. */
static void
sink_newline (TextSink *sink)
{
  sink->breaks = MIN (sink->breaks + 1, 2);
}

static gboolean
is_html_space (char c)
{
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f';
}

static const struct {
  const char *name;
  const char *utf8;
} named_entities[] = {
  { "amp", "&" }, { "lt", "<" }, { "gt", ">" }, { "quot", "\"" }, { "apos", "'" },
  { "nbsp", " " }, { "shy", "" },
  { "copy", "©" }, { "reg", "®" }, { "trade", "™" }, { "deg", "°" },
  { "hellip", "…" }, { "mdash", "—" }, { "ndash", "–" }, { "bull", "•" }, { "middot", "·" },
  { "laquo", "«" }, { "raquo", "»" }, { "lsquo", "‘" }, { "rsquo", "’" },
  { "ldquo", "“" }, { "rdquo", "”" }, { "euro", "€" },
};

/* Decodes the entity at @p (which points at '&') into @buf.
 * Returns the bytes consumed, or 0 when @p does not start a known, complete
 * entity: the '&' is then ordinary text. *is_space is set for &#9; &#10; &#13;. */
static gsize
decode_entity (const char *p, const char *end, char buf[8], gsize *buf_len, gboolean *is_space)
{
  const char *q = p + 1;

  *is_space = FALSE;
  if (q < end && *q == '#')
    {
      gboolean hex;
      guint32 value = 0;
      guint digits = 0;

      q++;
      hex = q < end && (*q == 'x' || *q == 'X');
      if (hex)
        q++;
      for (; q < end && (hex ? g_ascii_isxdigit (*q) : g_ascii_isdigit (*q)); q++)
        {
          /* more than 8 digits is out of range anyway; stop before overflow */
          if (++digits > 8)
            return 0;
          value = value * (hex ? 16 : 10) + (hex ? g_ascii_xdigit_value (*q) : *q - '0');
        }
      if (digits == 0 || q >= end || *q != ';')
        return 0;
      if (value == '\t' || value == '\n' || value == '\r')
        {
          *is_space = TRUE;
          *buf_len = 0;
          return q + 1 - p;
        }
      /* Control characters, surrogates and out-of-range values stay as written. */
      if (value < 0x20 || (value >= 0x7f && value < 0xa0) || !g_unichar_validate (value))
        return 0;
      *buf_len = g_unichar_to_utf8 (value, buf);
      return q + 1 - p;
    }

  for (; q < end && g_ascii_isalnum (*q) && q - p <= 8; q++)
    ;
  if (q == p + 1 || q >= end || *q != ';')
    return 0;
  for (gsize i = 0; i < G_N_ELEMENTS (named_entities); i++)
    {
      gsize len = strlen (named_entities[i].name);

      if ((gsize) (q - p - 1) == len && memcmp (p + 1, named_entities[i].name, len) == 0)
        {
          *buf_len = strlen (named_entities[i].utf8);
          memcpy (buf, named_entities[i].utf8, *buf_len);
          return q + 1 - p;
        }
    }
  return 0;
}

/* Where the tag or markup starting at @p ('<') ends: just after its '>', or
 * @end when it is unterminated. Returns NULL when the '<' is ordinary text.
 * The lower-cased tag name (empty for comments and declarations) goes to @name. */
static const char *
scan_tag (const char *p, const char *end, char name[16], gboolean *closing, gboolean *self_closing)
{
  const char *q = p + 1;
  gsize n = 0;

  name[0] = '\0';
  *closing = FALSE;
  *self_closing = FALSE;
  if (q >= end)
    return NULL;

  if (*q == '!' || *q == '?')
    {
      if (end - q >= 3 && memcmp (q, "!--", 3) == 0)
        {
          for (q += 3; q + 2 < end; q++)
            if (q[0] == '-' && q[1] == '-' && q[2] == '>')
              return q + 3;
          return end;
        }
      q = memchr (q, '>', end - q);
      return q != NULL ? q + 1 : end;
    }

  if (*q == '/')
    {
      *closing = TRUE;
      q++;
    }
  if (q >= end || !g_ascii_isalpha (*q))
    return NULL;
  for (; q < end && g_ascii_isalnum (*q); q++)
    if (n < 15)
      name[n++] = g_ascii_tolower (*q);
  name[n] = '\0';

  /* Attributes: a quoted value (after '=') may hold '>'. */
  while (q < end && *q != '>')
    {
      if (*q == '=')
        {
          for (q++; q < end && is_html_space (*q); q++)
            ;
          if (q < end && (*q == '"' || *q == '\''))
            {
              const char *close = memchr (q + 1, *q, end - q - 1);
              if (close == NULL)
                return end;
              q = close + 1;
            }
          continue;
        }
      /* "<br/>": the last non-space character before '>' is a slash */
      if (!is_html_space (*q))
        *self_closing = (*q == '/');
      q++;
    }
  return q < end ? q + 1 : end;
}

/* After a <script>, <style>… start tag: where the matching end tag ends. */
static const char *
skip_raw_text (const char *p, const char *end, const char *name)
{
  gsize len = strlen (name);

  while (p < end)
    {
      const char *lt = memchr (p, '<', end - p);
      const char *after;

      if (lt == NULL)
        return end;
      after = lt + 2 + len;
      if (after <= end && lt[1] == '/' && g_ascii_strncasecmp (lt + 2, name, len) == 0 &&
          (after == end || *after == '>' || *after == '/' || is_html_space (*after)))
        {
          const char *gt = memchr (after, '>', end - after);
          return gt != NULL ? gt + 1 : end;
        }
      p = lt + 1;
    }
  return end;
}

static gboolean
name_in (const char *name, const char * const *names)
{
  for (; *names != NULL; names++)
    if (strcmp (name, *names) == 0)
      return TRUE;
  return FALSE;
}

static void
handle_tag (TextSink *sink, const char *name, gboolean closing)
{
  static const char * const paragraphs[] = {
    "p", "h1", "h2", "h3", "h4", "h5", "h6", NULL
  };
  static const char * const blocks[] = {
    "div", "ul", "ol", "dl", "dt", "dd", "table", "tr", "blockquote", "pre", "hr",
    "section", "article", "header", "footer", "nav", "aside", "main", "address",
    "figure", "figcaption", "form", "fieldset", "li", NULL
  };

  if (strcmp (name, "br") == 0)
    {
      sink_newline (sink);
      return;
    }
  if (name_in (name, paragraphs))
    sink_block (sink, 2);
  else if (name_in (name, blocks))
    sink_block (sink, 1);
  else if (closing && (strcmp (name, "td") == 0 || strcmp (name, "th") == 0))
    sink->space = TRUE;

  if (strcmp (name, "pre") == 0)
    {
      if (!closing)
        sink->pre++;
      else if (sink->pre > 0)
        sink->pre--;
    }
  else if (strcmp (name, "li") == 0 && !closing)
    {
      sink_text (sink, "•", strlen ("•"));
      sink->space = TRUE;
    }
}

/**
 * postaci_html_to_text:
 * @html: (nullable): HTML, UTF-8
 *
 * Tags are dropped and <script>, <style>, <title> and <template> lose their
 * contents; <br> and block ends become line breaks, <li> a bullet; entities
 * (&amp; &lt; &gt; &quot; &#39; &nbsp;, a few common named ones, &#NNN; and
 * &#xHH;) are decoded and unknown ones kept as written; runs of white space
 * collapse to one space, there is at most one blank line in a row, and the
 * result is trimmed.
 *
 * Returns: (transfer full): the text, valid UTF-8
 */
char *
postaci_html_to_text (const char *html)
{
  static const char * const raw_text[] = { "script", "style", "title", "template", NULL };
  g_autofree char *valid = NULL;
  const char *p;
  const char *end;
  TextSink sink = { NULL, 0, FALSE, 0 };
  char *result;

  if (html == NULL)
    return g_strdup ("");
  if (!g_utf8_validate (html, -1, NULL))
    html = valid = g_utf8_make_valid (html, -1);

  p = html;
  end = html + strlen (html);
  sink.out = g_string_sized_new (MIN ((gsize) (end - p), 4096));

  while (p < end)
    {
      if (*p == '<')
        {
          char name[16];
          gboolean closing, self_closing;
          const char *after = scan_tag (p, end, name, &closing, &self_closing);

          if (after == NULL)
            {
              sink_text (&sink, "<", 1);
              p++;
              continue;
            }
          p = after;
          if (name[0] == '\0')
            continue;
          if (!closing && !self_closing && name_in (name, raw_text))
            {
              p = skip_raw_text (p, end, name);
              continue;
            }
          handle_tag (&sink, name, closing);
        }
      else if (*p == '&')
        {
          char buf[8];
          gsize buf_len = 0;
          gboolean is_space;
          gsize used = decode_entity (p, end, buf, &buf_len, &is_space);

          if (used == 0)
            {
              sink_text (&sink, "&", 1);
              p++;
            }
          else
            {
              if (is_space)
                sink.space = TRUE;
              else
                sink_text (&sink, buf, buf_len);
              p += used;
            }
        }
      else if (is_html_space (*p))
        {
          if (sink.pre == 0)
            sink.space = TRUE;
          else if (*p == '\r' || *p == '\n')
            {
              /* CRLF is one line break */
              if (*p == '\r' && p + 1 < end && p[1] == '\n')
                p++;
              sink_newline (&sink);
            }
          else
            sink_text (&sink, p, 1);
          p++;
        }
      else
        {
          const char *q = p;

          while (q < end && *q != '<' && *q != '&' && !is_html_space (*q))
            q++;
          sink_text (&sink, p, q - p);
          p = q;
        }
    }

  result = g_string_free (sink.out, FALSE);
  return g_strstrip (result);
}
