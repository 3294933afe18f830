/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-message.c — the MIME message: headers, parts, the exact DATA bytes and html_to_text. */
#include "config.h"

#include <string.h>
#include <unistd.h>
#include <glib/gstdio.h>
#include <gmime/gmime.h>

#include "postaci-message.h"

#define TURKISH_SUBJECT "Deneme: ığüşöç İĞÜŞÖÇ"
#define TURKISH_HTML \
  "<html><body><h1>Merhaba dünya</h1>\n" \
  "<p>Türkçe karakterler: ığüşöç İĞÜŞÖÇ &amp; daha fazlası.</p>\n" \
  "<ul><li>birinci</li><li>ikinci</li></ul></body></html>"
#define TURKISH_TEXT \
  "Merhaba dünya\n\nTürkçe karakterler: ığüşöç İĞÜŞÖÇ & daha fazlası.\n\n• birinci\n• ikinci"

static PostaciRequest *
make_request (const char *subject, const char *html, const char *text)
{
  PostaciRequest *request = postaci_request_new ();

  request->server = g_strdup ("127.0.0.1");
  request->from = g_strdup ("sender@example.com");
  postaci_request_add_recipients (request, "first@example.org, second@example.net");
  request->subject = g_strdup (subject);
  request->html = g_strdup (html);
  request->text = g_strdup (text);
  return request;
}

static GMimeMessage *
parse_message (const char *data, gsize len)
{
  GMimeStream *stream = g_mime_stream_mem_new_with_buffer (data, len);
  GMimeParser *parser = g_mime_parser_new_with_stream (stream);
  GMimeMessage *message = g_mime_parser_construct_message (parser, NULL);

  g_object_unref (parser);
  g_object_unref (stream);
  g_assert_nonnull (message);
  return message;
}

/* The part's content with its transfer encoding undone, as a string. */
static char *
decoded_content (GMimeObject *object)
{
  GMimeDataWrapper *content = g_mime_part_get_content (GMIME_PART (object));
  GMimeStream *mem = g_mime_stream_mem_new ();
  GByteArray *array;
  char *result;

  g_assert_nonnull (content);
  g_assert_cmpint (g_mime_data_wrapper_write_to_stream (content, mem), >=, 0);
  array = g_mime_stream_mem_get_byte_array (GMIME_STREAM_MEM (mem));
  result = array->len > 0 ? g_strndup ((const char *) array->data, array->len) : g_strdup ("");
  g_object_unref (mem);
  return result;
}

static GBytes *
read_all (GInputStream *stream)
{
  GByteArray *array = g_byte_array_new ();
  guint8 buf[65536];
  GError *error = NULL;

  for (;;)
    {
      gssize n = g_input_stream_read (stream, buf, sizeof buf, NULL, &error);

      g_assert_no_error (error);
      if (n == 0)
        break;
      g_byte_array_append (array, buf, n);
    }
  return g_byte_array_free_to_bytes (array);
}

static GByteArray *wire_to_local (const char *wire, gsize len);

/* The message size of RFC 1870: CRLF counted, the dot-stuffing and the final dot not. */
static goffset
message_size (GBytes *wire)
{
  gsize len;
  const char *data = g_bytes_get_data (wire, &len);
  g_autoptr (GByteArray) local = wire_to_local (data, len);
  goffset size = local->len;

  for (guint i = 0; i < local->len; i++)
    if (local->data[i] == '\n')
      size++;
  return size;
}

/* The DATA payload for a server that offers 8BITMIME (@eight_bit) or not. The size it
 * announced beforehand must be exact. */
static GBytes *
open_data (PostaciMessage *message, gboolean eight_bit, goffset *size)
{
  GError *error = NULL;
  GInputStream *stream = postaci_message_open_data (message, eight_bit, size, &error);
  GBytes *bytes;

  g_assert_no_error (error);
  g_assert_nonnull (stream);
  bytes = read_all (stream);
  g_object_unref (stream);
  g_assert_cmpint (*size, ==, message_size (bytes));
  return bytes;
}

/* The rules of the DATA payload (RFC 5321 §2.3.8, §4.1.1.4, §4.5.2, §4.5.3.1.6):
 * CRLF only, lines of at most 998 octets, 7-bit unless @eight_bit (RFC 6152), and the only
 * "CRLF.CRLF" at the end. */
static void
assert_wire_rules (const char *wire, gsize len, gboolean eight_bit)
{
  gsize line_start = 0;
  const char *terminator;

  g_assert_cmpuint (len, >=, 5);
  g_assert_cmpmem (wire + len - 5, 5, "\r\n.\r\n", 5);
  terminator = g_strstr_len (wire, len, "\r\n.\r\n");
  g_assert_true (terminator == wire + len - 5);
  g_assert_false (len >= 3 && memcmp (wire, ".\r\n", 3) == 0);

  for (gsize i = 0; i < len; i++)
    {
      if (!eight_bit)
        g_assert_cmpuint ((guchar) wire[i], <, 0x80);
      g_assert_cmpuint ((guchar) wire[i], !=, 0);
      if (wire[i] == '\r')
        {
          g_assert_cmpuint (i + 1, <, len);
          g_assert_cmpint (wire[i + 1], ==, '\n');
        }
      if (wire[i] == '\n')
        {
          g_assert_cmpuint (i, >, 0);
          g_assert_cmpint (wire[i - 1], ==, '\r');
          /* the line without its CRLF */
          g_assert_cmpuint (i - 1 - line_start, <=, 998);
          line_start = i + 1;
        }
    }
  g_assert_cmpuint (line_start, ==, len);
}

/* What a receiving server stores: the dot-stuffing undone, the final dot
 * dropped, and CRLF turned into the local LF (so a 7bit part reads back as
 * the text that went in). assert_wire_rules() has already checked that
 * every LF on the wire had its CR. */
static GByteArray *
wire_to_local (const char *wire, gsize len)
{
  GByteArray *out = g_byte_array_sized_new (len);
  gsize body_len = len - 3;  /* without ".\r\n" */
  gboolean bol = TRUE;

  for (gsize i = 0; i < body_len; i++)
    {
      if (bol && wire[i] == '.')
        {
          /* every line that starts with a dot was stuffed */
          g_assert_cmpuint (i + 1, <, body_len);
          g_assert_cmpint (wire[i + 1], ==, '.');
          i++;
        }
      bol = wire[i] == '\n';
      if (wire[i] != '\r')
        g_byte_array_append (out, (const guint8 *) &wire[i], 1);
    }
  return out;
}

static void
assert_alternative_of (GMimeObject *body, const char *text, const char *html)
{
  GMimeContentType *type;
  GMimeObject *part;
  g_autofree char *decoded_text = NULL;
  g_autofree char *decoded_html = NULL;

  g_assert_true (GMIME_IS_MULTIPART (body));
  type = g_mime_object_get_content_type (body);
  g_assert_cmpstr (g_mime_content_type_get_media_type (type), ==, "multipart");
  g_assert_cmpstr (g_mime_content_type_get_media_subtype (type), ==, "alternative");
  g_assert_cmpint (g_mime_multipart_get_count (GMIME_MULTIPART (body)), ==, 2);

  part = g_mime_multipart_get_part (GMIME_MULTIPART (body), 0);
  type = g_mime_object_get_content_type (part);
  g_assert_cmpstr (g_mime_content_type_get_media_type (type), ==, "text");
  g_assert_cmpstr (g_mime_content_type_get_media_subtype (type), ==, "plain");
  g_assert_cmpstr (g_mime_content_type_get_parameter (type, "charset"), ==, "utf-8");
  decoded_text = decoded_content (part);
  g_assert_cmpstr (decoded_text, ==, text);

  part = g_mime_multipart_get_part (GMIME_MULTIPART (body), 1);
  type = g_mime_object_get_content_type (part);
  g_assert_cmpstr (g_mime_content_type_get_media_type (type), ==, "text");
  g_assert_cmpstr (g_mime_content_type_get_media_subtype (type), ==, "html");
  g_assert_cmpstr (g_mime_content_type_get_parameter (type, "charset"), ==, "utf-8");
  decoded_html = decoded_content (part);
  g_assert_cmpstr (decoded_html, ==, html);
}

static void
assert_alternative (GMimeMessage *message, const char *text, const char *html)
{
  assert_alternative_of (g_mime_message_get_mime_part (message), text, html);
}

static GMimeObject *
alternative_part (GMimeMessage *message, int index)
{
  return g_mime_multipart_get_part (GMIME_MULTIPART (g_mime_message_get_mime_part (message)),
                                    index);
}

/* The raw header block of @data (up to the first empty line), unfolded lines kept. */
static char *
raw_header (const char *data, const char *name)
{
  g_autofree char *needle = g_strdup_printf ("\n%s: ", name);
  const char *start = strstr (data, needle);
  const char *end;

  if (start == NULL)
    return NULL;
  start += 1;
  /* a folded header continues on lines that start with white space */
  for (end = strchr (start, '\n'); end != NULL && (end[1] == ' ' || end[1] == '\t');
       end = strchr (end + 1, '\n'))
    ;
  return end != NULL ? g_strndup (start, end - start) : g_strdup (start);
}

static void
test_turkish_round_trip (void)
{
  PostaciRequest *request = make_request (TURKISH_SUBJECT, TURKISH_HTML, NULL);
  g_autoptr (GError) error = NULL;
  g_autoptr (PostaciMessage) message = NULL;
  g_autoptr (GBytes) bytes = NULL;
  g_autoptr (GDateTime) now = g_date_time_new_now_utc ();
  g_autofree char *data = NULL;
  g_autofree char *subject_header = NULL;
  g_autofree char *message_id = NULL;
  GMimeMessage *parsed;
  InternetAddressList *list;
  GDateTime *date;
  gsize len;

  message = postaci_message_new (request, &error);
  g_assert_no_error (error);
  g_assert_nonnull (message);

  message_id = g_strdup (postaci_message_get_message_id (message));
  g_assert_true (g_str_has_suffix (message_id, "@example.com"));
  g_assert_null (strchr (message_id, '<'));
  g_assert_cmpuint (strlen (message_id), >, strlen ("@example.com") + 8);

  bytes = postaci_message_to_bytes (message);
  data = g_strndup (g_bytes_get_data (bytes, &len), g_bytes_get_size (bytes));
  g_assert_cmpuint (strlen (data), ==, len);
  /* GMime's own form: LF only, no CR anywhere; and 7-bit clean throughout */
  g_assert_null (strchr (data, '\r'));
  for (gsize i = 0; i < len; i++)
    g_assert_cmpuint ((guchar) data[i], <, 0x80);

  /* The Subject on the wire is RFC 2047 encoded ASCII. */
  subject_header = raw_header (data, "Subject");
  g_assert_nonnull (subject_header);
  g_assert_true (g_str_has_prefix (subject_header, "Subject: Deneme: =?UTF-8?B?") ||
                 g_str_has_prefix (subject_header, "Subject: Deneme: =?UTF-8?Q?") ||
                 g_str_has_prefix (subject_header, "Subject: Deneme: =?utf-8?b?") ||
                 g_str_has_prefix (subject_header, "Subject: Deneme: =?utf-8?q?"));
  g_assert_true (g_str_has_suffix (subject_header, "?="));
  g_assert_null (strstr (subject_header, "ı"));

  parsed = parse_message (data, len);
  g_assert_cmpstr (g_mime_message_get_subject (parsed), ==, TURKISH_SUBJECT);

  list = g_mime_message_get_from (parsed);
  g_assert_cmpint (internet_address_list_length (list), ==, 1);
  g_assert_cmpstr (internet_address_mailbox_get_addr (
                     INTERNET_ADDRESS_MAILBOX (internet_address_list_get_address (list, 0))),
                   ==, "sender@example.com");
  list = g_mime_message_get_to (parsed);
  g_assert_cmpint (internet_address_list_length (list), ==, 2);
  g_assert_cmpstr (internet_address_mailbox_get_addr (
                     INTERNET_ADDRESS_MAILBOX (internet_address_list_get_address (list, 0))),
                   ==, "first@example.org");
  g_assert_cmpstr (internet_address_mailbox_get_addr (
                     INTERNET_ADDRESS_MAILBOX (internet_address_list_get_address (list, 1))),
                   ==, "second@example.net");

  date = g_mime_message_get_date (parsed);
  g_assert_nonnull (date);
  /* written with one-second precision, moments ago */
  g_assert_cmpint (g_date_time_difference (now, date), <=, 2 * G_TIME_SPAN_SECOND);
  g_assert_cmpint (g_date_time_difference (now, date), >=, -2 * G_TIME_SPAN_SECOND);

  g_assert_cmpstr (g_mime_message_get_message_id (parsed), ==, message_id);
  g_assert_cmpstr (g_mime_object_get_header (GMIME_OBJECT (parsed), "MIME-Version"), ==, "1.0");

  /* 8-bit text for a server without 8BITMIME: quoted-printable */
  g_assert_cmpint (g_mime_part_get_content_encoding (GMIME_PART (alternative_part (parsed, 0))),
                   ==, GMIME_CONTENT_ENCODING_QUOTEDPRINTABLE);
  assert_alternative (parsed, TURKISH_TEXT, TURKISH_HTML);
  g_object_unref (parsed);
  /* The message reads the bodies in place: the request goes after it. */
  g_clear_object (&message);
  postaci_request_free (request);
}

static void
test_message_id_unique (void)
{
  g_autoptr (PostaciRequest) request = make_request ("x", "<p>x</p>", NULL);
  g_autoptr (PostaciMessage) a = NULL;
  g_autoptr (PostaciMessage) b = NULL;

  g_free (request->from);
  request->from = g_strdup ("ali@Örnek.com.tr");
  a = postaci_message_new (request, NULL);
  b = postaci_message_new (request, NULL);
  g_assert_nonnull (a);
  g_assert_nonnull (b);
  g_assert_cmpstr (postaci_message_get_message_id (a), !=, postaci_message_get_message_id (b));
  /* an internationalised domain appears as its ASCII (IDNA) form */
  g_assert_true (g_str_has_suffix (postaci_message_get_message_id (a), "@xn--rnek-4qa.com.tr"));
}

static void
test_rejects_header_injection (void)
{
  g_autoptr (PostaciRequest) request = make_request ("hello\r\nBcc: victim@example.com", "x", NULL);
  g_autoptr (PostaciMessage) message = NULL;
  g_autoptr (GError) error = NULL;

  message = postaci_message_new (request, &error);
  g_assert_null (message);
  g_assert_error (error, POSTACI_REQUEST_ERROR, POSTACI_REQUEST_ERROR_SUBJECT);
  g_clear_error (&error);

  g_free (request->subject);
  request->subject = g_strdup ("fine");
  g_ptr_array_add (request->recipients, g_strdup ("a@example.com\rRCPT TO:<b@example.com>"));
  message = postaci_message_new (request, &error);
  g_assert_null (message);
  g_assert_error (error, POSTACI_REQUEST_ERROR, POSTACI_REQUEST_ERROR_RECIPIENTS);
  g_clear_error (&error);

  g_ptr_array_set_size (request->recipients, 0);
  g_clear_pointer (&request->from, g_free);
  message = postaci_message_new (request, &error);
  g_assert_null (message);
  g_assert_error (error, POSTACI_REQUEST_ERROR, POSTACI_REQUEST_ERROR_FROM);
}

static void
test_open_data (void)
{
  g_autofree char *long_line = NULL;
  g_autofree char *html = NULL;
  g_autoptr (PostaciRequest) request = NULL;
  g_autoptr (PostaciMessage) message = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (GBytes) wire = NULL;
  g_autoptr (GByteArray) sent = NULL;
  const char *data;
  gsize len;
  goffset size = -1;
  GMimeMessage *parsed;
  const char *text =
    "first line\r\n"
    ".\r\n"
    "..x\n"
    ".leading\r"
    "before\r\n.\r\nafter\n"
    "bare CR\rbare LF\nCRLF\r\n"
    "\r\r\n\n"
    "last line without a line end";
  const char *expected_text =
    "first line\n"
    ".\n"
    "..x\n"
    ".leading\n"
    "before\n.\nafter\n"
    "bare CR\nbare LF\nCRLF\n"
    "\n\n\n"
    "last line without a line end";

  /* a 2000-byte ASCII line, half of it dots: only the length forces an encoding */
  long_line = g_strnfill (2000, 'x');
  memset (long_line + 1000, '.', 1000);
  html = g_strdup_printf ("<p>%s</p>\r\n<p>two</p>", long_line);
  request = make_request (TURKISH_SUBJECT, html, text);

  message = postaci_message_new (request, &error);
  g_assert_no_error (error);
  wire = open_data (message, FALSE, &size);
  data = g_bytes_get_data (wire, &len);

  assert_wire_rules (data, len, FALSE);

  /* the text part is 7bit: its dot lines appear, doubled, exactly */
  g_assert_nonnull (g_strstr_len (data, len,
                                  "\r\nfirst line\r\n..\r\n...x\r\n..leading\r\n"
                                  "before\r\n..\r\nafter\r\n"
                                  "bare CR\r\nbare LF\r\nCRLF\r\n\r\n\r\n\r\n"
                                  "last line without a line end\r\n--"));
  /* the long line could not go as it was */
  g_assert_null (g_strstr_len (data, len, long_line));

  sent = wire_to_local (data, len);
  parsed = parse_message ((const char *) sent->data, sent->len);
  g_assert_cmpstr (g_mime_message_get_subject (parsed), ==, TURKISH_SUBJECT);
  g_assert_cmpint (g_mime_part_get_content_encoding (GMIME_PART (alternative_part (parsed, 0))),
                   ==, GMIME_CONTENT_ENCODING_7BIT);
  g_assert_cmpint (g_mime_part_get_content_encoding (GMIME_PART (alternative_part (parsed, 1))),
                   ==, GMIME_CONTENT_ENCODING_QUOTEDPRINTABLE);
  {
    g_autofree char *expected_html = g_strdup_printf ("<p>%s</p>\n<p>two</p>", long_line);
    assert_alternative (parsed, expected_text, expected_html);
  }
  g_object_unref (parsed);
}

static void
test_open_data_twice (void)
{
  g_autoptr (PostaciRequest) request = make_request ("again", "<p>same</p>", NULL);
  g_autoptr (PostaciMessage) message = postaci_message_new (request, NULL);
  g_autoptr (GBytes) first = NULL;
  g_autoptr (GBytes) second = NULL;
  goffset size1, size2;

  first = open_data (message, FALSE, &size1);
  second = open_data (message, FALSE, &size2);
  /* every write starts afresh: same bytes, dot-stuffing state reset */
  g_assert_true (g_bytes_equal (first, second));
  g_assert_cmpint (size1, ==, size2);
}

/* Many lines that start with dots, a few hundred KB: GMime writes this in
 * many chunks, and the stuffing state must carry across every boundary.
 * The separators mix CRLF, CR and LF, so CRLF pairs also straddle the
 * boundaries of the body reads. */
static void
test_chunk_boundaries (void)
{
  static const char * const separators[] = { "\r\n", "\n", "\r", "\r\n" };
  GString *text = g_string_new (NULL);
  GString *normalised = g_string_new (NULL);
  GString *expected_wire = g_string_new ("\r\n\r\n");
  g_autoptr (PostaciRequest) request = NULL;
  g_autoptr (PostaciMessage) message = NULL;
  g_autoptr (GBytes) wire = NULL;
  g_autoptr (GByteArray) sent = NULL;
  const char *data;
  gsize len;
  goffset size;
  guint lines = 0;
  GMimeMessage *parsed;

  for (guint i = 0; text->len < 400 * 1024; i++)
    {
      g_autofree char *line = NULL;

      switch (i % 4)
        {
        case 0:
          line = g_strdup (".");
          break;
        case 1:
          line = g_strdup_printf ("..%.*s", (int) (i % 13), "yyyyyyyyyyyyy");
          break;
        case 2:
          line = g_strdup_printf (".%u.end", i);
          break;
        default:
          line = g_strdup_printf ("%.*s.", (int) (i % 7) + 1, "zzzzzzz");
          break;
        }
      if (i > 0)
        {
          g_string_append (text, separators[(i / 3) % G_N_ELEMENTS (separators)]);
          g_string_append_c (normalised, '\n');
        }
      g_string_append (text, line);
      g_string_append (normalised, line);
      if (line[0] == '.')
        g_string_append_c (expected_wire, '.');
      g_string_append (expected_wire, line);
      g_string_append (expected_wire, "\r\n");
      lines++;
    }
  g_string_append (expected_wire, "--");

  request = make_request ("chunks", "<p>chunks</p>", text->str);
  message = postaci_message_new (request, NULL);
  g_assert_nonnull (message);
  wire = open_data (message, FALSE, &size);
  data = g_bytes_get_data (wire, &len);
  g_assert_cmpuint (len, >, 400 * 1024);

  assert_wire_rules (data, len, FALSE);
  /* the whole text part, byte for byte, right after its headers */
  g_assert_nonnull (g_strstr_len (data, len, "Content-Transfer-Encoding: 7bit"));
  g_assert_nonnull (g_strstr_len (data, len, expected_wire->str));

  sent = wire_to_local (data, len);
  parsed = parse_message ((const char *) sent->data, sent->len);
  g_assert_cmpstr (g_mime_message_get_subject (parsed), ==, "chunks");
  assert_alternative (parsed, normalised->str, "<p>chunks</p>");
  g_assert_cmpuint (lines, >, 40000);

  g_object_unref (parsed);
  g_string_free (text, TRUE);
  g_string_free (normalised, TRUE);
  g_string_free (expected_wire, TRUE);
}

static void
test_empty_html (void)
{
  g_autoptr (PostaciRequest) request = make_request ("", NULL, NULL);
  g_autoptr (PostaciMessage) message = NULL;
  g_autoptr (GBytes) bytes = NULL;
  GMimeMessage *parsed;

  message = postaci_message_new (request, NULL);
  g_assert_nonnull (message);
  bytes = postaci_message_to_bytes (message);
  parsed = parse_message (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes));
  assert_alternative (parsed, "", "");
  g_object_unref (parsed);
}

static void
test_large_body (void)
{
  const char *chunk = "<p>Büyük ileti satırı: ığüşöç İĞÜŞÖÇ &amp; 0123456789.</p>\n";
  gsize target = 5 * 1024 * 1024;
  GString *html = g_string_sized_new (target + 128);
  g_autoptr (PostaciRequest) request = NULL;
  g_autoptr (PostaciMessage) message = NULL;
  g_autoptr (GBytes) wire = NULL;
  g_autoptr (GByteArray) sent = NULL;
  g_autofree char *expected_text = NULL;
  g_autofree char *decoded = NULL;
  const char *data;
  gsize len;
  goffset size;
  GMimeMessage *parsed;

  while (html->len < target)
    g_string_append (html, chunk);
  request = make_request ("large", html->str, NULL);
  message = postaci_message_new (request, NULL);
  g_assert_nonnull (message);

  wire = open_data (message, FALSE, &size);
  data = g_bytes_get_data (wire, &len);
  /* quoted-printable of the 5 MB body (three bytes for every Turkish byte) alone is larger */
  g_assert_cmpuint (len, >, html->len * 4 / 3);
  assert_wire_rules (data, len, FALSE);

  sent = wire_to_local (data, len);
  parsed = parse_message ((const char *) sent->data, sent->len);
  expected_text = postaci_html_to_text (html->str);
  assert_alternative (parsed, expected_text, html->str);
  decoded = decoded_content (alternative_part (parsed, 1));
  g_assert_cmpuint (strlen (decoded), ==, html->len);

  g_object_unref (parsed);
  g_string_free (html, TRUE);
}

typedef struct {
  const char *html;
  const char *text;
} HtmlCase;

/* The streaming converter fed in chunks of @size bytes. */
static char *
html_to_text_in_chunks (const char *html, gsize size)
{
  g_autoptr (PostaciHtmlText) converter = postaci_html_text_new ();
  GString *out = g_string_new (NULL);
  gsize len = strlen (html);

  for (gsize at = 0; at < len; at += size)
    postaci_html_text_feed (converter, html + at, MIN (size, len - at), out);
  postaci_html_text_finish (converter, out);
  return g_string_free (out, FALSE);
}

static void
run_html_cases (const HtmlCase *cases, gsize n)
{
  static const gsize chunk_sizes[] = { 1, 2, 3, 5, 7, 16 };

  for (gsize i = 0; i < n; i++)
    {
      g_autofree char *text = postaci_html_to_text (cases[i].html);

      g_test_message ("html: %s", cases[i].html);
      g_assert_cmpstr (text, ==, cases[i].text);
      g_assert_true (g_utf8_validate (text, -1, NULL));
      /* A chunk may end anywhere (inside an entity, a tag, a comment, a character): the
       * text is the same. */
      for (gsize j = 0; j < G_N_ELEMENTS (chunk_sizes); j++)
        {
          g_autofree char *chunked = html_to_text_in_chunks (cases[i].html, chunk_sizes[j]);

          g_assert_cmpstr (chunked, ==, cases[i].text);
        }
    }
}

static void
test_html_entities (void)
{
  static const HtmlCase cases[] = {
    { "Tom &amp; Jerry &lt;3 &gt; &quot;x&quot; &#39;y&#39; &apos;z&apos;",
      "Tom & Jerry <3 > \"x\" 'y' 'z'" },
    { "a&nbsp;b&nbsp;&nbsp;c", "a b  c" },
    { "&#304;stanbul &#x130;zmir &#x15f;&#X15E; &#8364;", "İstanbul İzmir şŞ €" },
    { "&lt;b&gt;not bold&lt;/b&gt;", "<b>not bold</b>" },
    { "&amp;amp;", "&amp;" },
    { "&unknown; &Amp; &amp &ampx;", "&unknown; &Amp; &amp &ampx;" },
    { "&copy; 2024 &mdash; &hellip;", "© 2024 — …" },
    { "line&#10;break", "line break" },
  };

  run_html_cases (cases, G_N_ELEMENTS (cases));
}

static void
test_html_structure (void)
{
  static const HtmlCase cases[] = {
    { "<div><p>One <b>bold <i>and italic</i></b> text</p><p>Two</p></div>",
      "One bold and italic text\n\nTwo" },
    { "<script>var x = '<p>no</p>';</script>Visible<style>p { color: red }</style> text",
      "Visible text" },
    { "<SCRIPT type=\"text/javascript\">if (a </b) alert(1)</SCRIPT >after", "after" },
    { "<html><head><title>T</title><style>b{}</style></head><body>Body</body></html>", "Body" },
    { "a<br>b<br/>c<BR />d", "a\nb\nc\nd" },
    { "a<br><br><br><br>b", "a\n\nb" },
    { "<ul><li>bir</li><li>iki</li></ul>", "• bir\n• iki" },
    { "<ol>\n  <li> one\n  </li>\n  <li>two</li>\n</ol>", "• one\n• two" },
    { "Header<h1>Title</h1>Body", "Header\n\nTitle\n\nBody" },
    { "<table><tr><td>a</td><td>b</td></tr><tr><td>c</td></tr></table>", "a b\nc" },
    { "<div>one</div><div>two</div>\n\n<p>three</p>\n\n\n<p>four</p>",
      "one\ntwo\n\nthree\n\nfour" },
    { "  lots   of \n\n  space \t here  ", "lots of space here" },
    { "<!-- comment <p> --> kept", "kept" },
    { "<!DOCTYPE html><?xml version=\"1.0\"?>doc", "doc" },
    { "<a href=\"x>y\" title='a>b'>link</a>", "link" },
    { "1 < 2 and 3 > 2, a <= b", "1 < 2 and 3 > 2, a <= b" },
    { "<pre>  a\n    b\n</pre>after", "a\n    b\nafter" },
    { "Çalışma: ığüşöç İĞÜŞÖÇ", "Çalışma: ığüşöç İĞÜŞÖÇ" },
    { "<p>Türkçe <b>metin</b>: ığüşöç</p>", "Türkçe metin: ığüşöç" },
    { "", "" },
  };

  run_html_cases (cases, G_N_ELEMENTS (cases));
}

static void
test_html_malformed (void)
{
  static const HtmlCase cases[] = {
    { "<b", "" },
    { "x <b", "x" },
    { "x </", "x </" },
    { "<", "<" },
    { "&", "&" },
    { "x &", "x &" },
    { "&#", "&#" },
    { "&#x", "&#x" },
    { "&#xZZ;", "&#xZZ;" },
    { "&#;", "&#;" },
    { "&#x;", "&#x;" },
    { "&#99999999999;", "&#99999999999;" },
    { "&#x110000;", "&#x110000;" },
    { "&#xD800;", "&#xD800;" },
    { "&#0;&#1;&#127;", "&#0;&#1;&#127;" },
    { "&#65", "&#65" },
    { "<!-- unterminated", "" },
    { "<!doctype", "" },
    { "<script>never closed <p>x</p>", "" },
    { "<a href=\"unterminated>text", "" },
    { "<p>ok</p><p", "ok" },
  };
  g_autofree char *invalid = NULL;

  run_html_cases (cases, G_N_ELEMENTS (cases));

  /* NULL is an empty document */
  invalid = postaci_html_to_text (NULL);
  g_assert_cmpstr (invalid, ==, "");
  g_clear_pointer (&invalid, g_free);

  /* invalid UTF-8 in: valid UTF-8 out */
  invalid = postaci_html_to_text ("a\xff b <p>\xc4</p>");
  g_assert_true (g_utf8_validate (invalid, -1, NULL));
  g_assert_cmpstr (invalid, ==, "a\xef\xbf\xbd b\n\n\xef\xbf\xbd");
}

/* A file with @contents, removed at the end of the test. */
static char *
temp_file (const char *contents, gsize len)
{
  GError *error = NULL;
  char *path = NULL;
  int fd = g_file_open_tmp ("test-message-XXXXXX", &path, &error);

  g_assert_no_error (error);
  close (fd);
  g_file_set_contents (path, contents, (gssize) len, &error);
  g_assert_no_error (error);
  return path;
}

/* The server offers 8BITMIME: Turkish text goes as it is (RFC 6152), MAIL FROM says
 * BODY=8BITMIME; a line over 998 octets still goes as quoted-printable. */
static void
test_eight_bit (void)
{
  g_autoptr (PostaciRequest) request = make_request (TURKISH_SUBJECT, TURKISH_HTML, NULL);
  g_autoptr (PostaciMessage) message = NULL;
  g_autoptr (GBytes) wire = NULL;
  g_autoptr (GByteArray) sent = NULL;
  g_autofree char *long_line = NULL;
  g_autofree char *html = NULL;
  GMimeMessage *parsed;
  const char *data;
  gsize len;
  goffset size;

  message = postaci_message_new (request, NULL);
  g_assert_nonnull (message);
  wire = open_data (message, TRUE, &size);
  g_assert_true (postaci_message_get_eight_bit (message));
  data = g_bytes_get_data (wire, &len);
  assert_wire_rules (data, len, TRUE);
  /* the UTF-8 bytes themselves, with CRLF line ends */
  g_assert_nonnull (g_strstr_len (data, len, "Content-Transfer-Encoding: 8bit\r\n\r\n"
                                  "Merhaba dünya\r\n\r\nTürkçe karakterler: ığüşöç"));
  g_assert_nonnull (g_strstr_len (data, len, "<html><body><h1>Merhaba dünya</h1>\r\n<p>Türkçe"));
  sent = wire_to_local (data, len);
  parsed = parse_message ((const char *) sent->data, sent->len);
  g_assert_cmpint (g_mime_part_get_content_encoding (GMIME_PART (alternative_part (parsed, 0))),
                   ==, GMIME_CONTENT_ENCODING_8BIT);
  g_assert_cmpint (g_mime_part_get_content_encoding (GMIME_PART (alternative_part (parsed, 1))),
                   ==, GMIME_CONTENT_ENCODING_8BIT);
  assert_alternative (parsed, TURKISH_TEXT, TURKISH_HTML);
  g_object_unref (parsed);
  g_clear_pointer (&sent, g_byte_array_unref);
  g_clear_pointer (&wire, g_bytes_unref);
  g_clear_object (&message);

  /* 999 octets on one line: too long for 8bit, whatever the server offers */
  long_line = g_strnfill (997, 'x');
  html = g_strdup_printf ("<p>ş%s</p>\n<p>kısa</p>", long_line);
  g_free (request->html);
  request->html = g_strdup (html);
  message = postaci_message_new (request, NULL);
  wire = open_data (message, TRUE, &size);
  data = g_bytes_get_data (wire, &len);
  assert_wire_rules (data, len, TRUE);
  sent = wire_to_local (data, len);
  parsed = parse_message ((const char *) sent->data, sent->len);
  g_assert_cmpint (g_mime_part_get_content_encoding (GMIME_PART (alternative_part (parsed, 1))),
                   ==, GMIME_CONTENT_ENCODING_QUOTEDPRINTABLE);
  {
    g_autofree char *text = postaci_html_to_text (html);
    assert_alternative (parsed, text, html);
  }
  g_object_unref (parsed);
}

/* The HTML read from a file as it is sent: a multi-byte character across the 64 KiB boundary
 * of the reads, a derived text too large for memory (it goes to a temporary file), and a
 * reader that takes odd amounts. The bytes are the same whatever the reads. */
static void
test_html_file (void)
{
  GString *html = g_string_new (NULL);
  g_autofree char *path = NULL;
  g_autoptr (PostaciRequest) request = make_request ("file", NULL, NULL);
  g_autoptr (PostaciMessage) message = NULL;
  g_autoptr (GBytes) wire = NULL;
  g_autoptr (GByteArray) odd = g_byte_array_new ();
  g_autoptr (GByteArray) sent = NULL;
  g_autoptr (GInputStream) stream = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *expected_text = NULL;
  GMimeMessage *parsed;
  goffset size, size2;
  guint8 buffer[4093];
  gssize n;

  g_string_append (html, "<p>");
  while (html->len < 65535)
    g_string_append_c (html, 'a');
  g_string_truncate (html, 65535);
  g_string_append (html, "ş</p>\n");  /* 'ş' is bytes 65535 and 65536 */
  for (guint i = 0; html->len < 400 * 1024; i++)
    g_string_append_printf (html, "<p>Satır %u: ığüşöç &amp; <b>kalın</b></p>\n", i);
  path = temp_file (html->str, html->len);
  request->html_file = g_strdup (path);

  message = postaci_message_new (request, &error);
  g_assert_no_error (error);
  wire = open_data (message, TRUE, &size);

  stream = postaci_message_open_data (message, TRUE, &size2, &error);
  g_assert_no_error (error);
  g_assert_cmpint (size2, ==, size);
  while ((n = g_input_stream_read (stream, buffer, sizeof buffer, NULL, &error)) > 0)
    g_byte_array_append (odd, buffer, (guint) n);
  g_assert_no_error (error);
  g_assert_cmpmem (odd->data, odd->len, g_bytes_get_data (wire, NULL), g_bytes_get_size (wire));

  assert_wire_rules (g_bytes_get_data (wire, NULL), g_bytes_get_size (wire), TRUE);
  sent = wire_to_local (g_bytes_get_data (wire, NULL), g_bytes_get_size (wire));
  parsed = parse_message ((const char *) sent->data, sent->len);
  expected_text = postaci_html_to_text (html->str);
  g_assert_cmpuint (strlen (expected_text), >, 64 * 1024);
  /* the body ends with a line break: it is part of the content */
  assert_alternative (parsed, expected_text, html->str);
  g_object_unref (parsed);
  g_unlink (path);
  g_string_free (html, TRUE);
}

/* Bad files are refused before anything is sent, naming the file. */
static void
test_html_file_refused (void)
{
  static const struct {
    const char *contents;
    gsize       len;
    const char *says;
  } cases[] = {
    { "<p>before</p>\0<p>after</p>", 26, "NUL" },
    { "<p>\xff</p>", 8, "UTF-8" },
    { "<p>cut \xc5", 8, "UTF-8" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr (PostaciRequest) request = make_request ("bad", NULL, NULL);
      g_autofree char *path = temp_file (cases[i].contents, cases[i].len);
      g_autoptr (GError) error = NULL;
      PostaciMessage *message;

      request->html_file = g_strdup (path);
      message = postaci_message_new (request, &error);
      g_assert_null (message);
      g_assert_error (error, POSTACI_REQUEST_ERROR, POSTACI_REQUEST_ERROR_BODY);
      g_assert_nonnull (strstr (error->message, path));
      g_assert_nonnull (strstr (error->message, cases[i].says));
      g_unlink (path);
    }
}

/* Attachments: multipart/mixed around the alternative, each file as base64, every byte intact
 * (sizes around the 3-byte groups and the 57-byte lines of base64), the size exact. */
static void
test_attachments (void)
{
  static const gsize sizes[] = { 0, 1, 2, 3, 56, 57, 58, 114, 200001 };
  g_autoptr (PostaciRequest) request = make_request ("ekler", TURKISH_HTML, NULL);
  g_autoptr (PostaciMessage) message = NULL;
  g_autoptr (GBytes) wire = NULL;
  g_autoptr (GByteArray) sent = NULL;
  GPtrArray *contents = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  GPtrArray *paths = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GRand) rand = g_rand_new_with_seed (12);
  GMimeMessage *parsed;
  GMimeObject *body;
  goffset size;

  for (guint i = 0; i < G_N_ELEMENTS (sizes); i++)
    {
      guint8 *bytes = g_malloc (sizes[i] + 1);
      g_autofree char *path = NULL;
      g_autofree char *named = NULL;

      for (gsize j = 0; j < sizes[i]; j++)
        bytes[j] = (guint8) g_rand_int_range (rand, 0, 256);
      path = temp_file ((const char *) bytes, sizes[i]);
      named = g_strdup_printf ("%s-ek %u.bin", path, i);
      g_assert_cmpint (g_rename (path, named), ==, 0);
      g_ptr_array_add (contents, g_bytes_new_take (bytes, sizes[i]));
      g_ptr_array_add (paths, g_strdup (named));
      g_ptr_array_add (request->attachments, g_strdup (named));
    }

  message = postaci_message_new (request, NULL);
  g_assert_nonnull (message);
  wire = open_data (message, FALSE, &size);
  assert_wire_rules (g_bytes_get_data (wire, NULL), g_bytes_get_size (wire), FALSE);
  sent = wire_to_local (g_bytes_get_data (wire, NULL), g_bytes_get_size (wire));
  parsed = parse_message ((const char *) sent->data, sent->len);

  body = g_mime_message_get_mime_part (parsed);
  g_assert_true (g_mime_content_type_is_type (g_mime_object_get_content_type (body),
                                              "multipart", "mixed"));
  g_assert_cmpint (g_mime_multipart_get_count (GMIME_MULTIPART (body)), ==,
                   1 + G_N_ELEMENTS (sizes));
  g_assert_true (g_mime_content_type_is_type (
    g_mime_object_get_content_type (g_mime_multipart_get_part (GMIME_MULTIPART (body), 0)),
    "multipart", "alternative"));
  for (guint i = 0; i < G_N_ELEMENTS (sizes); i++)
    {
      GMimeObject *part = g_mime_multipart_get_part (GMIME_MULTIPART (body), (int) i + 1);
      g_autofree char *name = g_path_get_basename (g_ptr_array_index (paths, i));
      GMimeStream *decoded = g_mime_stream_mem_new ();
      GByteArray *array;

      g_assert_cmpstr (g_mime_part_get_filename (GMIME_PART (part)), ==, name);
      g_assert_cmpint (g_mime_part_get_content_encoding (GMIME_PART (part)), ==,
                       GMIME_CONTENT_ENCODING_BASE64);
      g_mime_data_wrapper_write_to_stream (g_mime_part_get_content (GMIME_PART (part)), decoded);
      array = g_mime_stream_mem_get_byte_array (GMIME_STREAM_MEM (decoded));
      g_assert_cmpmem (array->data, array->len, g_bytes_get_data (g_ptr_array_index (contents, i), NULL),
                       g_bytes_get_size (g_ptr_array_index (contents, i)));
      g_object_unref (decoded);
      g_unlink (g_ptr_array_index (paths, i));
    }
  g_object_unref (parsed);
  g_ptr_array_unref (contents);
  g_ptr_array_unref (paths);
}

/* A missing attachment is refused before anything is sent. */
static void
test_attachment_missing (void)
{
  g_autoptr (PostaciRequest) request = make_request ("ek", "<p>x</p>", NULL);
  g_autoptr (GError) error = NULL;
  PostaciMessage *message;

  g_ptr_array_add (request->attachments, g_strdup ("/nonexistent/rapor.pdf"));
  message = postaci_message_new (request, &error);
  g_assert_null (message);
  g_assert_error (error, POSTACI_REQUEST_ERROR, POSTACI_REQUEST_ERROR_ATTACHMENT);
  g_assert_nonnull (strstr (error->message, "/nonexistent/rapor.pdf"));
}

/* --size: a generated message of exactly that size, with or without 8BITMIME. */
static void
test_size_goal (void)
{
  static const guint64 goals[] = { 4096, 4097, 4098, 100000, 1048576 };

  for (guint i = 0; i < G_N_ELEMENTS (goals); i++)
    for (int eight_bit = 0; eight_bit < 2; eight_bit++)
      {
        g_autoptr (PostaciRequest) request = make_request (TURKISH_SUBJECT, TURKISH_HTML, NULL);
        g_autoptr (PostaciMessage) message = NULL;
        g_autoptr (GBytes) wire = NULL;
        g_autoptr (GByteArray) sent = NULL;
        GMimeMessage *parsed;
        GMimeObject *body;
        GMimeObject *filler;
        goffset size;

        request->size = goals[i];
        message = postaci_message_new (request, NULL);
        g_assert_nonnull (message);
        wire = open_data (message, eight_bit, &size);
        g_assert_cmpint (size, ==, (goffset) goals[i]);
        assert_wire_rules (g_bytes_get_data (wire, NULL), g_bytes_get_size (wire), eight_bit);
        sent = wire_to_local (g_bytes_get_data (wire, NULL), g_bytes_get_size (wire));
        parsed = parse_message ((const char *) sent->data, sent->len);
        body = g_mime_message_get_mime_part (parsed);
        g_assert_cmpint (g_mime_multipart_get_count (GMIME_MULTIPART (body)), ==, 2);
        assert_alternative_of (g_mime_multipart_get_part (GMIME_MULTIPART (body), 0),
                               TURKISH_TEXT, TURKISH_HTML);
        filler = g_mime_multipart_get_part (GMIME_MULTIPART (body), 1);
        g_assert_cmpstr (g_mime_part_get_filename (GMIME_PART (filler)), ==,
                         "postaci-size-test.txt");
        g_object_unref (parsed);
      }

  {
    g_autoptr (PostaciRequest) request = make_request ("small", "<p>x</p>", NULL);
    g_autoptr (PostaciMessage) message = NULL;
    g_autoptr (GError) error = NULL;
    goffset size;

    request->size = 100;
    message = postaci_message_new (request, NULL);
    g_assert_null (postaci_message_open_data (message, TRUE, &size, &error));
    g_assert_error (error, POSTACI_REQUEST_ERROR, POSTACI_REQUEST_ERROR_BODY);
  }
}

static void
test_parse_size (void)
{
  guint64 size = 0;

  g_assert_true (postaci_parse_size ("25M", &size));
  g_assert_cmpuint (size, ==, 25 * 1024 * 1024);
  g_assert_true (postaci_parse_size ("10", &size));
  g_assert_cmpuint (size, ==, 10);
  g_assert_true (postaci_parse_size ("2GiB", &size));
  g_assert_cmpuint (size, ==, G_GUINT64_CONSTANT (2) << 30);
  g_assert_true (postaci_parse_size ("512k", &size));
  g_assert_cmpuint (size, ==, 512 * 1024);
  g_assert_false (postaci_parse_size ("0", &size));
  g_assert_false (postaci_parse_size ("", &size));
  g_assert_false (postaci_parse_size ("-1", &size));
  g_assert_false (postaci_parse_size ("25X", &size));
  g_assert_false (postaci_parse_size ("M", &size));
  g_assert_false (postaci_parse_size ("99999999999999999999999", &size));
  g_assert_false (postaci_parse_size ("2048G", &size));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_mime_init ();

  g_test_add_func ("/postaci/message/turkish-round-trip", test_turkish_round_trip);
  g_test_add_func ("/postaci/message/message-id-unique", test_message_id_unique);
  g_test_add_func ("/postaci/message/rejects-header-injection", test_rejects_header_injection);
  g_test_add_func ("/postaci/message/empty-html", test_empty_html);
  g_test_add_func ("/postaci/message/open-data", test_open_data);
  g_test_add_func ("/postaci/message/open-data-twice", test_open_data_twice);
  g_test_add_func ("/postaci/message/chunk-boundaries", test_chunk_boundaries);
  g_test_add_func ("/postaci/message/large-body", test_large_body);
  g_test_add_func ("/postaci/message/eight-bit", test_eight_bit);
  g_test_add_func ("/postaci/message/html-file", test_html_file);
  g_test_add_func ("/postaci/message/html-file-refused", test_html_file_refused);
  g_test_add_func ("/postaci/message/attachments", test_attachments);
  g_test_add_func ("/postaci/message/attachment-missing", test_attachment_missing);
  g_test_add_func ("/postaci/message/size-goal", test_size_goal);
  g_test_add_func ("/postaci/message/parse-size", test_parse_size);
  g_test_add_func ("/postaci/message/html-to-text/entities", test_html_entities);
  g_test_add_func ("/postaci/message/html-to-text/structure", test_html_structure);
  g_test_add_func ("/postaci/message/html-to-text/malformed", test_html_malformed);

  return g_test_run ();
}
