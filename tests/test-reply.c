/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-reply.c — the strict SMTP reply parser. */
#include "config.h"

#include <string.h>

#include "postaci-reply.h"

static PostaciReplyParserStatus
feed (PostaciReplyParser *parser, const char *line, PostaciReply **reply, GError **error)
{
  return postaci_reply_parser_feed (parser, line, strlen (line), reply, error);
}

static void
test_single_line (void)
{
  g_autoptr(PostaciReplyParser) parser = postaci_reply_parser_new ();
  g_autoptr(PostaciReply) reply = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_cmpint (feed (parser, "220 mx.example.com ESMTP ready", &reply, &error), ==,
                   POSTACI_REPLY_PARSER_DONE);
  g_assert_no_error (error);
  g_assert_cmpuint (reply->code, ==, 220);
  g_assert_cmpstr (reply->lines[0], ==, "mx.example.com ESMTP ready");
  g_assert_null (reply->lines[1]);
  g_assert_false (postaci_reply_has_enhanced (reply));
}

static void
test_multiline (void)
{
  g_autoptr(PostaciReplyParser) parser = postaci_reply_parser_new ();
  g_autoptr(PostaciReply) reply = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;

  g_assert_cmpint (feed (parser, "250-mx.example.com", &reply, &error), ==, POSTACI_REPLY_PARSER_MORE);
  g_assert_cmpint (feed (parser, "250-STARTTLS", &reply, &error), ==, POSTACI_REPLY_PARSER_MORE);
  g_assert_cmpint (feed (parser, "250 AUTH PLAIN LOGIN", &reply, &error), ==, POSTACI_REPLY_PARSER_DONE);
  g_assert_no_error (error);
  g_assert_cmpuint (reply->code, ==, 250);
  g_assert_cmpuint (g_strv_length (reply->lines), ==, 3);
  g_assert_cmpstr (reply->lines[1], ==, "STARTTLS");
  text = postaci_reply_get_text (reply);
  g_assert_cmpstr (text, ==, "mx.example.com STARTTLS AUTH PLAIN LOGIN");
}

static void
test_bare_code (void)
{
  g_autoptr(PostaciReplyParser) parser = postaci_reply_parser_new ();
  g_autoptr(PostaciReply) reply = NULL;

  g_assert_cmpint (feed (parser, "250", &reply, NULL), ==, POSTACI_REPLY_PARSER_DONE);
  g_assert_cmpuint (reply->code, ==, 250);
  g_assert_cmpstr (reply->lines[0], ==, "");
}

static void
test_enhanced (void)
{
  g_autoptr(PostaciReplyParser) parser = postaci_reply_parser_new ();
  g_autoptr(PostaciReply) reply = NULL;
  g_autoptr(PostaciReply) mismatch = NULL;
  g_autoptr(PostaciReply) long_detail = NULL;
  g_autofree char *enhanced = NULL;

  g_assert_cmpint (feed (parser, "550 5.1.1 <nobody@example.com>: Recipient address rejected", &reply, NULL),
                   ==, POSTACI_REPLY_PARSER_DONE);
  g_assert_true (postaci_reply_has_enhanced (reply));
  g_assert_cmpuint (reply->enhanced[0], ==, 5);
  g_assert_cmpuint (reply->enhanced[1], ==, 1);
  g_assert_cmpuint (reply->enhanced[2], ==, 1);
  enhanced = postaci_reply_get_enhanced_string (reply);
  g_assert_cmpstr (enhanced, ==, "5.1.1");

  /* The class must match the basic code (RFC 3463 §3). */
  g_assert_cmpint (feed (parser, "250 5.1.1 odd", &mismatch, NULL), ==, POSTACI_REPLY_PARSER_DONE);
  g_assert_false (postaci_reply_has_enhanced (mismatch));

  g_assert_cmpint (feed (parser, "535 5.7.139 Authentication unsuccessful", &long_detail, NULL), ==,
                   POSTACI_REPLY_PARSER_DONE);
  g_assert_cmpuint (long_detail->enhanced[2], ==, 139);
}

/* AUTO: the length of the string up to its NUL */
#define AUTO G_MAXSIZE

static void
test_errors (void)
{
  static const struct {
    const char *line;
    gsize length;
    PostaciReplyError code;
  } cases[] = {
    { "", 0, POSTACI_REPLY_ERROR_EMPTY },
    { "25", AUTO, POSTACI_REPLY_ERROR_MALFORMED },
    { "2500 four digits", AUTO, POSTACI_REPLY_ERROR_MALFORMED },
    { "150 first digit 1", AUTO, POSTACI_REPLY_ERROR_MALFORMED },
    { "650 first digit 6", AUTO, POSTACI_REPLY_ERROR_MALFORMED },
    { "260 second digit 6", AUTO, POSTACI_REPLY_ERROR_MALFORMED },
    { "hello", AUTO, POSTACI_REPLY_ERROR_MALFORMED },
    { "2x0 letters", AUTO, POSTACI_REPLY_ERROR_MALFORMED },
    { "250_underscore", AUTO, POSTACI_REPLY_ERROR_MALFORMED },
    { "250 nul\0inside", 14, POSTACI_REPLY_ERROR_NUL },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(PostaciReplyParser) parser = postaci_reply_parser_new ();
      g_autoptr(PostaciReply) reply = NULL;
      g_autoptr(GError) error = NULL;

      gsize length = cases[i].length == AUTO ? strlen (cases[i].line) : cases[i].length;

      g_assert_cmpint (postaci_reply_parser_feed (parser, cases[i].line, length, &reply, &error),
                       ==, POSTACI_REPLY_PARSER_ERROR);
      g_assert_error (error, POSTACI_REPLY_ERROR, (gint) cases[i].code);
      g_assert_null (reply);
    }
}

static void
test_mixed_codes (void)
{
  g_autoptr(PostaciReplyParser) parser = postaci_reply_parser_new ();
  g_autoptr(PostaciReply) reply = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_cmpint (feed (parser, "250-first", &reply, &error), ==, POSTACI_REPLY_PARSER_MORE);
  g_assert_cmpint (feed (parser, "354 second", &reply, &error), ==, POSTACI_REPLY_PARSER_ERROR);
  g_assert_error (error, POSTACI_REPLY_ERROR, POSTACI_REPLY_ERROR_MIXED_CODES);
}

static void
test_too_many_lines (void)
{
  g_autoptr(PostaciReplyParser) parser = postaci_reply_parser_new ();
  g_autoptr(PostaciReply) reply = NULL;
  g_autoptr(GError) error = NULL;
  guint i;

  for (i = 0; i < POSTACI_REPLY_MAX_LINES; i++)
    g_assert_cmpint (feed (parser, "250-again", &reply, &error), ==, POSTACI_REPLY_PARSER_MORE);
  g_assert_cmpint (feed (parser, "250 last", &reply, &error), ==, POSTACI_REPLY_PARSER_ERROR);
  g_assert_error (error, POSTACI_REPLY_ERROR, POSTACI_REPLY_ERROR_TOO_MANY_LINES);
}

static void
test_reuse_after_done (void)
{
  g_autoptr(PostaciReplyParser) parser = postaci_reply_parser_new ();
  g_autoptr(PostaciReply) first = NULL;
  g_autoptr(PostaciReply) second = NULL;

  g_assert_cmpint (feed (parser, "250-a", &first, NULL), ==, POSTACI_REPLY_PARSER_MORE);
  g_assert_cmpint (feed (parser, "250 b", &first, NULL), ==, POSTACI_REPLY_PARSER_DONE);
  g_assert_cmpint (feed (parser, "354 go ahead", &second, NULL), ==, POSTACI_REPLY_PARSER_DONE);
  g_assert_cmpuint (second->code, ==, 354);
  g_assert_cmpuint (g_strv_length (second->lines), ==, 1);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/postaci/reply/single-line", test_single_line);
  g_test_add_func ("/postaci/reply/multiline", test_multiline);
  g_test_add_func ("/postaci/reply/bare-code", test_bare_code);
  g_test_add_func ("/postaci/reply/enhanced", test_enhanced);
  g_test_add_func ("/postaci/reply/errors", test_errors);
  g_test_add_func ("/postaci/reply/mixed-codes", test_mixed_codes);
  g_test_add_func ("/postaci/reply/too-many-lines", test_too_many_lines);
  g_test_add_func ("/postaci/reply/reuse", test_reuse_after_done);
  return g_test_run ();
}
