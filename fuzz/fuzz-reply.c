/* fuzz-reply.c — libFuzzer target: the strict SMTP reply parser, and what is built on a reply.
 *
 * The input is cut into lines at LF (a CR before it dropped, as the line reader does) and fed to
 * one parser; each finished reply is explained, escaped and copied as the session would. */
#include "config.h"

#include <string.h>

#include "postaci-catalog.h"
#include "postaci-event.h"
#include "postaci-reply.h"
#include "fuzz-common.h"

int LLVMFuzzerInitialize (int *argc, char ***argv);
int LLVMFuzzerTestOneInput (const guint8 *data, size_t size);

int
LLVMFuzzerInitialize (int *argc, char ***argv)
{
  postaci_fuzz_init ();
  return 0;
}

static void
use_reply (const PostaciReply *reply, PostaciCommand command)
{
  g_autoptr(PostaciReply) copy = postaci_reply_copy (reply);
  g_autofree char *text = postaci_reply_get_text (copy);
  g_autofree char *shown = postaci_escape_text (text, -1);
  g_autofree char *enhanced = postaci_reply_get_enhanced_string (copy);
  g_autofree char *hint = NULL;
  g_autofree char *explanation = postaci_catalog_explain_reply (copy, command, &hint);

  g_assert (copy->code >= 200 && copy->code <= 599);
  g_assert (copy->lines != NULL && copy->lines[0] != NULL);
  g_assert (g_utf8_validate (shown, -1, NULL));
  g_assert (explanation != NULL);
  g_assert (enhanced == NULL || postaci_reply_has_enhanced (copy));
  (void) postaci_reply_text_contains (copy, "auth");
}

int
LLVMFuzzerTestOneInput (const guint8 *data, size_t size)
{
  g_autoptr(PostaciReplyParser) parser = postaci_reply_parser_new ();
  const char *p = (const char *) data;
  const char *end = p + size;
  /* The reply answers a command, which changes the explanation: the input picks one. */
  PostaciCommand command = size > 0 ? (PostaciCommand) (data[0] % (POSTACI_COMMAND_QUIT + 1))
                                    : POSTACI_COMMAND_NONE;

  while (p < end)
    {
      const char *newline = memchr (p, '\n', (size_t) (end - p));
      gsize length = newline ? (gsize) (newline - p) : (gsize) (end - p);
      g_autofree char *line = NULL;
      g_autoptr(PostaciReply) reply = NULL;
      g_autoptr(GError) error = NULL;

      if (length > 0 && p[length - 1] == '\r')
        length--;
      /* As the line reader hands it out: a copy with a terminating NUL, inner NULs kept. */
      line = g_malloc (length + 1);
      memcpy (line, p, length);
      line[length] = '\0';

      switch (postaci_reply_parser_feed (parser, line, length, &reply, &error))
        {
        case POSTACI_REPLY_PARSER_MORE:
          g_assert (reply == NULL && error == NULL);
          break;
        case POSTACI_REPLY_PARSER_DONE:
          g_assert (reply != NULL && error == NULL);
          use_reply (reply, command);
          postaci_reply_parser_reset (parser);
          break;
        case POSTACI_REPLY_PARSER_ERROR:
        default:
          g_assert (reply == NULL && error != NULL && error->domain == POSTACI_REPLY_ERROR);
          g_assert (g_utf8_validate (error->message, -1, NULL));
          postaci_reply_parser_reset (parser);
          break;
        }
      p = newline ? newline + 1 : end;
    }
  return 0;
}
