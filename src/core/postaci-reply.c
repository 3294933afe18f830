/* SPDX-License-Identifier: GPL-3.0-or-later */
/* postaci-reply.c — parse SMTP replies (RFC 5321 §4.2) strictly, with enhanced codes (RFC 3463). */
#define G_LOG_DOMAIN "postaci-reply"

#include "config.h"

#include <string.h>
#include <glib/gi18n-lib.h>

#include "postaci-reply.h"
#include "postaci-reply-private.h"

/* clang-format off */
G_DEFINE_QUARK (postaci-reply-error-quark, postaci_reply_error)
/* clang-format on */
G_DEFINE_BOXED_TYPE (PostaciReply, postaci_reply, postaci_reply_copy, postaci_reply_free)

struct _PostaciReplyParser
{
  guint      code;  /* of the first line; 0 before it */
  GPtrArray *lines; /* char *, NULL-terminated when handed out */
};

PostaciReply *
postaci_reply_copy (const PostaciReply *reply)
{
  PostaciReply *copy;

  g_return_val_if_fail (reply != NULL, NULL);
  copy = g_new0 (PostaciReply, 1);
  copy->code = reply->code;
  memcpy (copy->enhanced, reply->enhanced, sizeof copy->enhanced);
  copy->lines = g_strdupv (reply->lines);
  return copy;
}

void
postaci_reply_free (PostaciReply *reply)
{
  if (reply == NULL)
    return;
  g_strfreev (reply->lines);
  g_free (reply);
}

gboolean
postaci_reply_has_enhanced (const PostaciReply *reply)
{
  return reply->enhanced[0] != 0;
}

char *
postaci_reply_get_enhanced_string (const PostaciReply *reply)
{
  if (!postaci_reply_has_enhanced (reply))
    return NULL;
  return g_strdup_printf ("%u.%u.%u", reply->enhanced[0], reply->enhanced[1], reply->enhanced[2]);
}

/* All lines joined with a space: what a person reads as "the server said". */
char *
postaci_reply_get_text (const PostaciReply *reply)
{
  return g_strjoinv (" ", reply->lines);
}

gboolean
postaci_reply_is_positive (const PostaciReply *reply)
{
  return reply->code >= 200 && reply->code < 400;
}

gboolean
postaci_reply_text_contains (const PostaciReply *reply, const char *needle)
{
  g_autofree char *text = postaci_reply_get_text (reply);
  g_autofree char *folded_text = g_ascii_strdown (text, -1);
  g_autofree char *folded_needle = g_ascii_strdown (needle, -1);

  return strstr (folded_text, folded_needle) != NULL;
}

/* Parses "class.subject.detail" at the start of @text (RFC 3463 §2):
 * class is 2, 4 or 5; subject up to 3 digits; detail up to 3 digits. */
static gboolean
parse_enhanced (const char *text, guint out[3])
{
  const char *p = text;
  guint       values[3];

  if (!(p[0] == '2' || p[0] == '4' || p[0] == '5') || p[1] != '.')
    return FALSE;
  values[0] = (guint) (p[0] - '0');
  p += 2;
  for (guint part = 1; part < 3; part++)
    {
      guint digits = 0, value = 0;
      while (g_ascii_isdigit (*p) && digits < 4)
        {
          value = value * 10 + (guint) (*p - '0');
          p++;
          digits++;
        }
      if (digits == 0 || digits > 3)
        return FALSE;
      values[part] = value;
      if (part == 1)
        {
          if (*p != '.')
            return FALSE;
          p++;
        }
    }
  if (*p != '\0' && *p != ' ')
    return FALSE;
  memcpy (out, values, sizeof values);
  return TRUE;
}

/* See postaci-reply-private.h. */
PostaciReply *
postaci_reply_new_for_test (guint code, const char *text)
{
  PostaciReply *reply = g_new0 (PostaciReply, 1);

  reply->code = code;
  reply->lines = g_strsplit (text ? text : "", "\n", -1);
  if (reply->lines[0] != NULL)
    parse_enhanced (reply->lines[0], reply->enhanced);
  return reply;
}

PostaciReplyParser *
postaci_reply_parser_new (void)
{
  PostaciReplyParser *parser = g_new0 (PostaciReplyParser, 1);
  parser->lines = g_ptr_array_new_with_free_func (g_free);
  return parser;
}

void
postaci_reply_parser_free (PostaciReplyParser *parser)
{
  if (parser == NULL)
    return;
  g_ptr_array_unref (parser->lines);
  g_free (parser);
}

void
postaci_reply_parser_reset (PostaciReplyParser *parser)
{
  parser->code = 0;
  g_ptr_array_set_size (parser->lines, 0);
}

static PostaciReplyParserStatus
fail (PostaciReplyParser *parser, GError **error, PostaciReplyError code, const char *message)
{
  postaci_reply_parser_reset (parser);
  g_set_error_literal (error, POSTACI_REPLY_ERROR, code, message);
  return POSTACI_REPLY_PARSER_ERROR;
}

/**
 * postaci_reply_parser_feed:
 * @line: one line without its line end; may hold any bytes
 * @length: its length in bytes
 *
 * Returns %POSTACI_REPLY_PARSER_DONE with the complete reply in @out_reply,
 * %POSTACI_REPLY_PARSER_MORE after a continuation line ("250-…"), or
 * %POSTACI_REPLY_PARSER_ERROR with a #PostaciReplyError; the parser is then reset.
 */
PostaciReplyParserStatus
postaci_reply_parser_feed (PostaciReplyParser *parser, const char *line, gsize length,
                           PostaciReply **out_reply, GError **error)
{
  guint       code;
  char        separator;
  const char *text;
  gsize       text_len;

  g_return_val_if_fail (parser != NULL, POSTACI_REPLY_PARSER_ERROR);
  g_return_val_if_fail (out_reply != NULL && *out_reply == NULL, POSTACI_REPLY_PARSER_ERROR);

  if (length == 0)
    return fail (parser, error, POSTACI_REPLY_ERROR_EMPTY,
                 _ ("The server sent an empty line where a reply was expected."));
  if (memchr (line, '\0', length) != NULL)
    return fail (parser, error, POSTACI_REPLY_ERROR_NUL,
                 _ ("The server sent a NUL byte inside a reply."));

  /* RFC 5321 §4.2: Reply-code = %x32-35 %x30-35 %x30-39; a bare code is
   * allowed as the last line ("250"), a 4th digit is not. */
  if (length < 3 || line[0] < '2' || line[0] > '5' || line[1] < '0' || line[1] > '5' ||
      line[2] < '0' || line[2] > '9' || (length > 3 && line[3] != ' ' && line[3] != '-'))
    return fail (parser, error, POSTACI_REPLY_ERROR_MALFORMED,
                 _ ("The server sent a malformed reply: a reply starts with a three-digit code "
                    "from 200 to 599."));

  code = (guint) ((line[0] - '0') * 100 + (line[1] - '0') * 10 + (line[2] - '0'));
  separator = length > 3 ? line[3] : ' ';
  text = length > 4 ? line + 4 : "";
  text_len = length > 4 ? length - 4 : 0;

  if (parser->code != 0 && parser->code != code)
    return fail (parser, error, POSTACI_REPLY_ERROR_MIXED_CODES,
                 _ ("The server mixed different codes in one multi-line reply."));
  if (parser->lines->len >= POSTACI_REPLY_MAX_LINES)
    return fail (parser, error, POSTACI_REPLY_ERROR_TOO_MANY_LINES,
                 _ ("The server's reply went on for more than 100 lines."));

  parser->code = code;
  g_ptr_array_add (parser->lines, g_strndup (text, text_len));

  if (separator == '-')
    return POSTACI_REPLY_PARSER_MORE;

  {
    PostaciReply *reply = g_new0 (PostaciReply, 1);

    reply->code = code;
    g_ptr_array_add (parser->lines, NULL);
    reply->lines = (GStrv) g_ptr_array_steal (parser->lines, NULL);
    g_ptr_array_set_free_func (parser->lines, g_free);
    /* The enhanced code must agree with the basic code's class (RFC 3463 §3). */
    if (parse_enhanced (reply->lines[0], reply->enhanced) && reply->enhanced[0] != code / 100)
      memset (reply->enhanced, 0, sizeof reply->enhanced);
    parser->code = 0;
    *out_reply = reply;
    return POSTACI_REPLY_PARSER_DONE;
  }
}
